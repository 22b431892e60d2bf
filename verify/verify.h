/*
 * verify.h - voteverify, the independent verifier of an election archive
 * (docs/protocol.md §14, votesrv-archive/2). It shares crypto/ with the
 * server and nothing else: the archive, the definition, the ballots and the
 * bureau's messages are parsed here, from the protocol's text, so that this
 * folder can be read alone.
 *
 * Every check prints one verdict line ("ok  " or "FAIL") naming what it
 * checked; voteverify exits 1 if any check failed.
 */
#ifndef VOTEVERIFY_H
#define VOTEVERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "crypto/crypto.h"
#include "crypto/hex.h"
#include "crypto/transcript.h"

#define VV_MAX_SCRUTINS 32
#define VV_MAX_LISTS 64
#define VV_MAX_HOLDERS 64
#define VV_CHUNK 4096                  /* ballots verified together */

typedef struct {
    char id[65];
    size_t k;                          /* candidate lists */
    uint64_t min, max;                 /* lists chosen per ballot */
    uint32_t seats;
    /* from the archive */
    uint64_t ballots_line, signatures_line;
    uint8_t digest_line[32];
    /* recomputed */
    uint64_t ballots, ballots_seen, bad, unsorted;
    char bad_why[240];
    group_point dsum;
    uint8_t last[32];
    elgamal_ct sum[VV_MAX_LISTS];
    int seen;
} vv_scrutin;

typedef struct {
    int failures;
    int threads;
    int quiet;                         /* count failures without printing verdicts */
    FILE *failures_to;                 /* if set: only FAIL lines, there (votetrustee) */
    char first_failure[240];           /* the first FAIL line's text */
    /* the election */
    char eid[65];
    json_t *definition;
    uint8_t fp[32], pk_bytes[32], audit_key[32];
    elgamal_pk pk;
    int have_pk;
    vv_scrutin sc[VV_MAX_SCRUTINS];
    size_t nsc;
    size_t delegates;                  /* 0: no bureau */
    int tie_rules[2];
    size_t ntie;
    /* collected while streaming, checked at the end */
    uint8_t (*creds_used)[33];         /* scrutin index || credential */
    uint8_t (*alphas)[32];
    size_t nused, nalphas, cap_used, cap_alphas;
    json_t *credentials, *documents, *checkpoints;
    /* the bureau's public keys, from the ceremony (bureau.c) */
    size_t holders;
    uint8_t holder_keys[VV_MAX_HOLDERS][32];
    uint8_t president[32];
    uint8_t commitments[VV_MAX_HOLDERS - 1][2][32];
    /* the seals bureau.c accepted (§6.3): the president's opening software
     * digest, and each holder's one closing seal signature (seed, §15) */
    uint8_t software_open[32];
    int have_software_open;
    uint8_t close_sig[VV_MAX_HOLDERS][64];
    uint8_t close_ok[VV_MAX_HOLDERS];
    uint64_t lines, end_lines;
    /* what the seals say of the credentials (credentials.c, §6.3): at
     * opening (the signed lists), at closing (and every reissue record) */
    uint8_t seal_creds_open[32], seal_creds_close[32];
    uint64_t reissues;
    const char *audit_log;             /* --audit-log, or NULL */
    const char *daemon, *portal;       /* --software, --portal, or NULL */
    /* the accepted closing state's signature-list and software digests */
    uint8_t seal_sigs_close[32], seal_software_close[32];
    int have_close_state;
    int have_end, end_ok;
    /* the end line's account of the checkpoints (§13, §14) */
    uint64_t end_checkpoints, end_last_seq;
    uint8_t end_last_hash[32];
    char end_state[32];                /* the state the signer read */
    uint8_t end_signature[64];         /* by the audit key (§13) */
    char state[32];
} vv;

/* A verdict line; ok = 0 counts a failure. */
void vv_report(vv *v, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Exact-length lowercase hex in obj[key]: 0, or -1. */
MUST_CHECK
int vv_hex(uint8_t *out, size_t len, json_t *obj, const char *key);
/* What a run holds, released (v itself is the caller's). */
void vv_free(vv *v);

/* stream.c: read the archive line by line and run every check. */
int vv_archive(vv *v, FILE *in);
/* election.c: the head line (definition, fingerprint, scrutins, bureau). */
int vv_election(vv *v, json_t *head);
/* ballots.c: a chunk of one scrutin's ballot lines. */
int vv_ballots(vv *v, vv_scrutin *s, char **lines, size_t n);
/* The credential authority's signed lists and reissue records, every
 * ballot's credential signed and never revoked, single use per scrutin,
 * unique ciphertexts (§7, §14). */
void vv_credentials(vv *v);
/* The credential-lists document of v->documents checked as above (§7.1) and
 * the "credentials" hash an opening seal covers (§6.3) in out: 1, or 0 with
 * why (for a key holder sealing the opening: votetrustee). */
MUST_CHECK
int vv_credentials_open_hash(vv *v, uint8_t out[32], char *why, size_t whylen);
/* bureau.c: m is holder i's message of this kind (protocol.md §6.3), for this
 * election, signed by pk; 1 or 0. */
MUST_CHECK
int vv_message_ok(const vv *v, json_t *m, const char *kind, size_t i, const uint8_t pk[32]);
/* bureau.c: the ceremony, the joint key and the seals. */
void vv_bureau(vv *v);
/* count.c: sums, partial decryptions, counts, seats, results. */
void vv_count(vv *v);
/* checkpoints.c: the audit checkpoints' signatures. */
void vv_checkpoints(vv *v);
/* software.c: the software digest of §6.3 recomputed from the daemon
 * program and the portal's static folder (or none), 0; or -1. */
int vv_software_digest(uint8_t out[32], const char *daemon, const char *portal);
/* software.c: with --software, the sealed software digests against it. */
void vv_software(vv *v);
/* The digest of the signature list (§6.3) of n (scrutin, number) pairs,
 * sorted here by scrutin then number, bytewise. */
void vv_signatures_digest(uint8_t out[32], char **pairs, size_t n);
/* auditlog.c: the audit log itself (a registry file), against the archive. */
void vv_audit_log(vv *v, const char *path);

#endif
