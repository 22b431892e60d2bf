/*
 * signer.h - the only holder of the audit secret key and the pepper.
 *
 * The writer (the process that runs the handlers and writes the stores) asks
 * the signer for a few things, by kind, and never hands it a message to sign:
 *   - a receipt for (scrutin, tracker, count, digest): the signer reads the
 *     ballot itself and signs only if that tracker is committed in that
 *     scrutin, the count within the box's, with the election's fingerprint it
 *     reads itself (box_receipt_message); a kind of its own for a receipt
 *     "already recorded" (the same checks, the message under its own label);
 *   - a checkpoint for seq: the signer reads entry seq (and seq - 1), checks
 *     the chain, recomputes the hash, and signs (seq, hash) only if the entry
 *     is due a checkpoint (audit_checkpoint_due) and seq was never signed;
 *   - the signature of a stored reissue request: the signer reads the row,
 *     checks its fields against the registry and signs its digest;
 *   - the archive's end (box_archive_write): the writer names nothing; the
 *     signer reads the election's state and fingerprint, the number of stored
 *     checkpoints and the last one, and signs them (audit_archive_end_message);
 *   - once, the keys derived from the pepper the writer needs (each with its
 *     own label; the pepper never leaves the signer).
 * Two implementations of one interface: in-process (votectl, tests, a daemon
 * without privilege separation) and a process of its own (signer_spawn) that
 * answers typed requests of fixed kinds and strict sizes on a socketpair.
 */
#ifndef VOTESRV_SIGNER_H
#define VOTESRV_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "box/box.h"
#include "store/store.h"

#define SIGNER_OK 0
#define SIGNER_REFUSED 1        /* not due, not committed, not of a known kind */
#define SIGNER_EIO (-1)         /* the store or the channel failed */

#define SIGNER_KEY_BYTES 32
#define SIGNER_REQUEST_MAX 256  /* a request's payload, at most */
#define SIGNER_REQUEST_ID_CHARS 32
#define SIGNER_PROCESS_NAME "votesrv-signer"    /* its name in ps and /proc/PID/comm */

/* What the writer gets: the audit public key and keys derived from the pepper. */
typedef struct signer_keys {
    uint8_t audit_pk[32];
    uint8_t hash_key[SIGNER_KEY_BYTES];     /* tokens, sessions, throttle keys */
    uint8_t altcha_key[SIGNER_KEY_BYTES];   /* proof-of-work challenges */
    uint8_t totp_key[SIGNER_KEY_BYTES];     /* seals staff TOTP secrets */
    uint8_t outbox_key[SIGNER_KEY_BYTES];   /* the mail vault */
    uint8_t box_key[SIGNER_KEY_BYTES];      /* SQLite ballot slots */
    uint8_t csrf_key[SIGNER_KEY_BYTES];     /* the portal's CSRF tokens */
} signer_keys;

/* Each key with its label (docs/protocol.md section 13.1); pure. */
void signer_keys_derive(signer_keys *out, const uint8_t pepper[32], const uint8_t audit_pk[32]);

typedef struct signer signer;

/* In-process: sk and pepper are copied; pepper NULL derives no key. Reads go
 * to s (set later with signer_attach if NULL), or to the caller's transaction. */
signer *signer_local_new(const uint8_t sk[64], const uint8_t *pepper, store *s);
/* A process of its own: forks now (before any thread), reads keys_path itself
 * (creating it if create is set), then enters its sandbox (sandbox_enter_signer:
 * as root, becomes user unless NULL or ""; not dumpable; its system-call
 * filter), and opens the stores of sc (box_key ignored: it derives its own)
 * read-only on its first request. NULL with err. */
signer *signer_spawn(const char *keys_path, int create, const store_config *sc,
                     const char *user, char *err, size_t errlen);
void signer_attach(signer *g, store *s);
void signer_free(signer *g);
pid_t signer_pid(const signer *g);       /* 0 if in-process */
/* 1 if the signer process has ended (reaped here, logged), else 0. */
int signer_gone(signer *g);

int signer_keys_get(signer *g, signer_keys *out);
/* r->scrutin, tracker, count and digest in; r->fp and r->signature out. tx: a
 * transaction that sees the ballot committed (NULL: the signer's own); a
 * signer process always reads with its own. */
int signer_receipt(signer *g, store_tx *tx, box_receipt *r);
/* tx: a transaction that sees entry seq committed (NULL: the signer's own). */
int signer_checkpoint(signer *g, store_tx *tx, uint64_t seq, store_checkpoint *out);
/* The archive's end line, read and signed by the signer (tx: as above). */
typedef struct signer_end_line {
    char state[STORE_STATE_CHARS + 1];
    uint64_t checkpoints;             /* how many are stored */
    uint64_t last_seq;                /* the one of largest seq (0: none) */
    uint8_t last_hash[32];            /* its hash (zeros: none) */
    uint8_t signature[64];            /* audit key, over audit_archive_end_message */
} signer_end_line;
int signer_archive_end(signer *g, store_tx *tx, signer_end_line *out);
int signer_reissue(signer *g, store_tx *tx, const char request[SIGNER_REQUEST_ID_CHARS + 1],
                   uint8_t signature[64]);

/* The raw channel, for tests that play a compromised writer: send msg as one
 * request (a le32 kind, then the payload), give the answer's status.
 * SIGNER_EIO if g is in-process. */
int signer_raw(signer *g, const void *msg, size_t len);

#endif
