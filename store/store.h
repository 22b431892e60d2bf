/*
 * store.h - the election's storage, behind one narrow interface.
 *
 * Two files (CNIL separation): the registry (election, electoral list,
 * credentials, signature list, audit log) and the ballot box (public
 * credentials and encrypted ballots only, keyed by hash: no voter id, no
 * timestamp, no insertion order).
 *
 * Every write runs as a job on the store's single writer thread. Jobs queued
 * together share one transaction and one durable commit (group commit); each
 * job runs in its own savepoint, so a job that fails changes nothing and does
 * not disturb the others. store_write() returns only after the commit is on
 * disk. Reads run on a pool of read-only connections (store_read).
 *
 * Return values: STORE_OK, a negative STORE_E* code, or a job's own positive
 * code passed through unchanged.
 */
#ifndef VOTESRV_STORE_H
#define VOTESRV_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_OK 0
#define STORE_EIO (-1)        /* storage failure (disk full, read-only, corrupt) */
#define STORE_ENOTFOUND (-2)
#define STORE_ECONFLICT (-3)  /* a uniqueness constraint */
#define STORE_ENOMEM (-4)

#define STORE_EID_CHARS 36
#define STORE_STATE_CHARS 15
#define STORE_NUMBER_CHARS 32
#define STORE_SCRUTIN_CHARS 64
#define STORE_HASH_BYTES 32
#define STORE_NOTICE_CHARS 500

typedef struct store store;
typedef struct store_tx store_tx;
typedef int (*store_job)(store_tx *tx, void *arg);

typedef struct {
    const char *registry_path;
    const char *ballot_box_path;
    int readers;              /* read connections; 0 = 4 */
} store_config;

typedef struct {
    char eid[STORE_EID_CHARS + 1];
    char *definition;         /* canonical JSON, malloc'd */
    uint8_t fingerprint[STORE_HASH_BYTES];
    char state[STORE_STATE_CHARS + 1];
    int test_mode, suspended;
    char notice[STORE_NOTICE_CHARS + 1];
    int has_public_key;
    uint8_t public_key[32];
    uint8_t audit_key[32];    /* Ed25519 public key of the audit checkpoints */
} store_election;

typedef struct {
    int64_t id;
    char number[STORE_NUMBER_CHARS + 1];
    const char *surname, *given_names, *establishment, *postal_address;
    const char *attributes;   /* JSON object */
    const char *const *emails;
    size_t nemails;
    const char *const *scrutins;
    size_t nscrutins;
    int struck;
    uint8_t digest[STORE_HASH_BYTES]; /* of the fields above, for diffs */
} store_voter;

typedef struct {
    uint64_t seq;
    char time[32];            /* RFC 3339, UTC */
    const char *role, *actor, *event, *payload;
    uint8_t prev[STORE_HASH_BYTES], hash[STORE_HASH_BYTES];
} store_audit_entry;

typedef struct {
    uint64_t seq;
    uint8_t hash[STORE_HASH_BYTES];
    uint8_t signature[64];
} store_checkpoint;

/* NULL with a message in err on failure. Creates and migrates the files. */
store *store_open(const store_config *cfg, char *err, size_t errlen);
void store_close(store *s);
int store_write(store *s, store_job fn, void *arg);
int store_read(store *s, store_job fn, void *arg);

/* The election row. election_get fills e (free e->definition with free()). */
int store_election_get(store_tx *tx, store_election *e);
int store_election_put(store_tx *tx, const store_election *e);

/* The electoral list. */
int store_voter_add(store_tx *tx, store_voter *v);         /* sets v->id */
int store_voters_clear(store_tx *tx);
int store_voter_strike(store_tx *tx, const char *number);
int store_voter_find(store_tx *tx, const char *number, int64_t *id, int *struck);
int store_voter_count(store_tx *tx, uint64_t *active, uint64_t *struck);
/* Calls fn for every voter: number, digest, struck. Stops on a non-zero return. */
typedef int (*store_voter_fn)(const char *number, const uint8_t *digest, int struck, void *arg);
int store_voters_each(store_tx *tx, store_voter_fn fn, void *arg);
int store_voter_set_auth(store_tx *tx, int64_t id, const uint8_t hash[STORE_HASH_BYTES]);
int store_voters_without_auth(store_tx *tx, uint64_t *count);
/* Erase personal data (names, addresses, attributes, e-mails); keep numbers. */
int store_voters_purge(store_tx *tx);

/* Ballot box contents that lifecycle checks need. */
int store_credential_add(store_tx *tx, const uint8_t pub[32]);
int store_credential_count(store_tx *tx, uint64_t *count);
int store_ballot_count(store_tx *tx, uint64_t *count);
int store_signature_count(store_tx *tx, uint64_t *count);
/* The test-mode wipe: ballots and signatures. */
int store_test_wipe(store_tx *tx, uint64_t *ballots, uint64_t *signatures);

/* The audit log. audit_last gives seq 0 and a zero hash when empty. */
int store_audit_last(store_tx *tx, uint64_t *seq, uint8_t hash[STORE_HASH_BYTES]);
int store_audit_insert(store_tx *tx, const store_audit_entry *e);
typedef int (*store_audit_fn)(const store_audit_entry *e, void *arg);
int store_audit_each(store_tx *tx, uint64_t from_seq, store_audit_fn fn, void *arg);
int store_checkpoint_insert(store_tx *tx, const store_checkpoint *c);
typedef int (*store_checkpoint_fn)(const store_checkpoint *c, void *arg);
int store_checkpoints_each(store_tx *tx, store_checkpoint_fn fn, void *arg);

#endif
