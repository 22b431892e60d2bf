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
#include <stdio.h>
#include <jansson.h>
#include "crypto/group.h"
#include "election/ceremony.h"

#define TRUSTEE_ERR_CHARS 300
#define TRUSTEE_SECRET_MAX 1024        /* bytes of an encoded secret */
#define TRUSTEE_MAX_SCRUTINS 32
#define TRUSTEE_MAX_LISTS 64
#define TRUSTEE_RECORD_FORMAT "votesrv-holder-record/1"

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
MUST_CHECK
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
/* The ballot box as the holder recomputes it from a published archive
 * (votectl archive), every check of voteverify passed: per scrutin of the
 * definition, the ballots, the signatures the archive declares, the box digest
 * and the encrypted sums, all from the verified ballots. */
typedef struct {
    char id[65];
    size_t k;
    uint64_t ballots, signatures;
    uint8_t digest[32];
    uint8_t sums[TRUSTEE_MAX_LISTS][64];
} trustee_scrutin;
typedef struct {
    char state[32];                    /* the election's state when archived */
    size_t n;
    trustee_scrutin sc[TRUSTEE_MAX_SCRUTINS];
    uint8_t credentials[32];           /* the closing seal's credentials hash (§6.3) */
} trustee_box;

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

/* Read the archive and run voteverify's checks on it (on `threads` threads;
 * failed checks printed to report unless NULL). -1 with err if one fails or
 * the archive is not the election of view. */
MUST_CHECK
int trustee_box_read(trustee_box *b, const trustee_view *view, FILE *archive, int threads,
                     FILE *report, char *err, size_t errlen);

/* The "box" field of a sealed state: Hb("votesrv/v1/seal-box"; per scrutin:
 * id, le64(ballots), box digest). */
void trustee_box_hash(uint8_t out[32], const trustee_box *box);

/* Seal the state from ceremony_seal_state, recomputed by the holder: the
 * fingerprint from the definition and the ceremony's joint key; the box and
 * signature hashes, at opening, of an empty box and list; at closing, from box
 * (trustee_box_read of the archive) and signatures (the list from
 * ceremony_seal_state), with ballots = signatures in every scrutin. Only the
 * software digest is taken as given, and at closing it must be the one of the
 * president's opening seal in the ceremony export. At closing, *record (the
 * holder's record, NULL if none yet) is replaced by one that keeps the seal
 * and what it covers, per scrutin (docs/protocol.md §6.3); a record that
 * already keeps a seal over another closing state refuses (one closing seal
 * per holder). */
int trustee_seal(json_t **msg, json_t **record, const trustee_secret *ts, json_t *ceremony,
                 json_t *state, const trustee_box *box, json_t *signatures, char *err,
                 size_t errlen);

/* Decrypt the sums of box, recomputed from its verified ballots, once box is
 * the closing state this holder sealed (the record of trustee_seal: every
 * scrutin's ballots, box digest and signatures), for this election's
 * fingerprint: one factor per list and scrutin of the definition, each with its
 * proof of correct decryption. The sums document's digest goes into the record
 * ("decrypted"); a record naming another digest refuses. */
int trustee_decrypt(json_t **msg, json_t *record, const trustee_secret *ts, json_t *ceremony,
                    const trustee_box *box, char *err, size_t errlen);

MUST_CHECK
int trustee_view_load(trustee_view *v, json_t *ceremony, int need_all_keys, char *err,
                      size_t errlen);
/* The complete view, with this key file's holder and keys in it. */
MUST_CHECK
int trustee_view_for(trustee_view *v, const trustee_secret *ts, json_t *ceremony, char *err,
                     size_t errlen);

#endif
