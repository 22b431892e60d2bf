/*
 * audit.h - the append-only, tamper-evident audit log.
 *
 * Entry n carries seq, time (RFC 3339 UTC), actor role and id, event type, a
 * canonical JSON payload (never a secret), the hash of entry n-1, and its own
 * hash = Hb("votesrv/v1/audit"; le64(seq), time, role, actor, event, payload,
 * prev). Checkpoints sign (seq, hash) with the server's Ed25519 audit key; one
 * is written at every lifecycle transition and every AUDIT_CHECKPOINT_EVERY
 * entries. The verifier is pure: it is fed entries in order and names the first
 * bad one (altered, removed, reordered, inserted, or past a signed checkpoint).
 */
#ifndef VOTESRV_AUDIT_H
#define VOTESRV_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <sodium.h>
#include "store/store.h"

#define AUDIT_PK_BYTES crypto_sign_PUBLICKEYBYTES
#define AUDIT_SK_BYTES crypto_sign_SECRETKEYBYTES
#define AUDIT_HASH_BYTES STORE_HASH_BYTES
#define AUDIT_CHECKPOINT_EVERY 1000
#define AUDIT_REASON_CHARS 200

typedef struct signer signer;          /* signer/signer.h */

/* The signer this process asks for checkpoints (set once at start-up). A
 * checkpoint is asked for after the entry's transaction committed (see
 * store_after_commit) and stored by the writer; the signer reads the entry
 * itself. Without a signer no periodic checkpoint is written, and a
 * transition (which must have its checkpoint) fails. */
void audit_set_signer(signer *g);
/* For tests and tools: an in-process signer holding sk (replaces the last). */
void audit_set_signing_key(const uint8_t sk[AUDIT_SK_BYTES]);
/* The signer set by either (NULL if none). */
signer *audit_signer_get(void);

/* Append an event inside a write job. payload is a JSON object (borrowed). If
 * the entry is due a checkpoint (audit_checkpoint_due), it is asked for once
 * this job has committed. */
int audit_append(store_tx *tx, const char *role, const char *actor, const char *event,
                 json_t *payload);
/* 1 if entry seq of this event gets a checkpoint: every AUDIT_CHECKPOINT_EVERY
 * entries, and each creation, lifecycle transition and count event. */
int audit_checkpoint_due(uint64_t seq, const char *event);
/* Sign what is due and was never signed (a crash between an entry's commit
 * and its checkpoint): at start. 0, or a negative store error. */
int audit_checkpoints_repair(store *s);

void audit_entry_hash(uint8_t out[AUDIT_HASH_BYTES], const store_audit_entry *e);
void audit_checkpoint_message(uint8_t out[8 + AUDIT_HASH_BYTES], uint64_t seq,
                              const uint8_t hash[AUDIT_HASH_BYTES]);
/* What the signer signs for the archive's end line (docs/protocol.md §13):
 * Hb("votesrv/v1/archive-end"; fp, state, le64(checkpoints), le64(last_seq),
 * last_hash), last_seq 0 and last_hash zeros when there is no checkpoint. */
void audit_archive_end_message(uint8_t out[AUDIT_HASH_BYTES], const uint8_t fp[32],
                               const char *state, uint64_t checkpoints, uint64_t last_seq,
                               const uint8_t last_hash[AUDIT_HASH_BYTES]);

typedef struct {
    uint8_t pk[AUDIT_PK_BYTES];
    const store_checkpoint *cps;    /* sorted by seq */
    size_t ncps, next_cp;
    uint64_t expect_seq;
    uint8_t prev[AUDIT_HASH_BYTES];
    uint64_t entries, checkpoints_ok;
    int failed;
    uint64_t bad_seq;
    char reason[AUDIT_REASON_CHARS];
} audit_verifier;

void audit_verifier_init(audit_verifier *v, const uint8_t pk[AUDIT_PK_BYTES],
                         const store_checkpoint *cps, size_t ncps);
/* 0 while everything checks; -1 once something failed (see bad_seq, reason). */
int audit_verifier_entry(audit_verifier *v, const store_audit_entry *e);
/* Checks that no checkpoint points past the end of the log. */
int audit_verifier_finish(audit_verifier *v);
/* Carry on with the next chunk of entries, given the checkpoints not yet
 * checked that it may name (sorted; the state of the chain is kept). */
void audit_verifier_resume(audit_verifier *v, const store_checkpoint *cps, size_t ncps);
/* A checkpoint stored after its entry e (cp->seq, NULL if absent) was chained:
 * signed, and matching e's hash, recomputed. 0, or -1 as audit_verifier_entry. */
int audit_verifier_late_checkpoint(audit_verifier *v, const store_checkpoint *cp,
                                   const store_audit_entry *e);

/* ---- the auditors' console (audit_view.c) ----
 * The log as stored, checked with the audit key the registry holds, in
 * chunks of AUDIT_VERIFY_CHUNK entries, each its own short read (a long read
 * would hold the writers back). The state reached is kept in the process:
 * a view checks only the entries added since (and the checkpoints stored
 * since, those of entries already checked included). v as audit_verifier_finish
 * left it: v->entries chained entries verified (the chain is verified up to
 * entry v->entries), v->failed and v->bad_seq if one is bad; v->cps is NULL.
 * An entry edited once checked is not seen here, unless it is the last one
 * checked (then all is checked again): that is for the signed checkpoints
 * and for voteaudit, which checks the export whole with the sealed record's
 * key (the registry's key proves the log consistent with itself only). 0, or
 * a negative store error. */
#define AUDIT_VERIFY_CHUNK 5000
int audit_log_verify(store *s, audit_verifier *v);
/* Forget the state kept (the next audit_log_verify starts from entry 1). */
void audit_log_verify_reset(void);
/* One page of the log, newest first: store_audit_page(f, limit, fn, arg). */
typedef struct {
    store_audit_filter f;
    int limit;
    store_audit_fn fn;
    void *arg;
} audit_log_query;
int audit_log_page(store *s, audit_log_query *q);
/* The file voteaudit verify-log reads (store_audit_export_fd). */
int audit_log_export(store *s, int *fd, uint64_t *size, char *err, size_t errlen);

#endif
