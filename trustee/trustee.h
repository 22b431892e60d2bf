/*
 * trustee.h - what a key holder of the bureau de vote computes on their own
 * machine (the votetrustee tool): keys, sealed shares, the verdict on the
 * ceremony, seals and partial decryptions. Every function reads the public
 * ceremony export (election/ceremony.h: ceremony_export) and checks it
 * itself before using it: a holder trusts nothing the server relays.
 *
 * The holder's private material (trustee_secret) travels only inside a
 * passphrase vault (crypto/vault.h), encoded by trustee_secret_encode.
 */
#ifndef VOTESRV_TRUSTEE_H
#define VOTESRV_TRUSTEE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "crypto/group.h"
#include "election/ceremony.h"

#define TRUSTEE_ERR_CHARS 300
#define TRUSTEE_SECRET_MAX 1024        /* bytes of an encoded secret */

typedef struct {
    char eid[64];
    uint64_t holder;                   /* 0: the president; 1..m: delegates */
    uint8_t sign_sk[64];               /* Ed25519: seals and message signatures */
    uint8_t box_sk[32];                /* X25519: receiving shares */
    size_t na;
    group_scalar a[2];                 /* president: x_P; delegate: f(z) = a0 + a1 z */
    int has_share;
    group_scalar share;                /* after the verdict: x_P, or x_j = sum_i f_i(j) */
} trustee_secret;

void trustee_secret_wipe(trustee_secret *ts);
/* JSON text in out (TRUSTEE_SECRET_MAX bytes); its length, or -1. */
int trustee_secret_encode(char *out, const trustee_secret *ts);
int trustee_secret_decode(trustee_secret *ts, const char *in, size_t len);

/* Each returns 0 and a signed message in *msg, or -1 with err saying why. */
int trustee_keygen(trustee_secret *ts, json_t **msg, json_t *ceremony, uint64_t holder,
                   char *err, size_t errlen);
int trustee_shares(json_t **msg, const trustee_secret *ts, json_t *ceremony, char *err,
                   size_t errlen);
/* Checks every message; a delegate opens its shares and keeps x_j in ts.
 * A fault found gives a complaint (ok = false, the accused holder named), not
 * an error. */
int trustee_verdict(json_t **msg, trustee_secret *ts, json_t *ceremony, char *err,
                    size_t errlen);
/* Seal the state from ceremony_seal_state after checking that it names this
 * election with the fingerprint the holder recomputes from the definition and
 * the joint key of the ceremony. */
int trustee_seal(json_t **msg, const trustee_secret *ts, json_t *ceremony, json_t *state,
                 char *err, size_t errlen);

/* Decrypt the sums of a ceremony export ("sums", from the count) after
 * checking they are for this election's fingerprint: one factor per list and
 * scrutin, each with its proof of correct decryption. */
int trustee_decrypt(json_t **msg, const trustee_secret *ts, json_t *ceremony, char *err,
                    size_t errlen);

/* The checked keys of a ceremony export: ctx, the keys and, once every holder
 * posted them, the joint key and the election fingerprint they give. */
typedef struct {
    char eid[64];
    uint8_t ctx[32];
    ceremony_keys k;
    uint8_t joint[32];
    uint8_t fingerprint[32];
    uint8_t keys_digest[32];
} trustee_view;
int trustee_view_load(trustee_view *v, json_t *ceremony, int need_all_keys, char *err,
                      size_t errlen);
/* The complete view, with this key file's holder and keys in it. */
int trustee_view_for(trustee_view *v, const trustee_secret *ts, json_t *ceremony, char *err,
                     size_t errlen);

#endif
