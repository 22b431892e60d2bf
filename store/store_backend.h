/*
 * store_backend.h - what a storage backend implements (SQLite now; PostgreSQL
 * later). Only store.c and the backends include this file.
 */
#ifndef VOTESRV_STORE_BACKEND_H
#define VOTESRV_STORE_BACKEND_H

#include "store.h"

typedef struct store_conn store_conn;

typedef struct {
    const char *name;
    /* A connection; the writable one creates and migrates the schema. */
    store_conn *(*connect)(const store_config *cfg, int readonly, char *err, size_t errlen);
    void (*disconnect)(store_conn *c);
    int (*begin)(store_conn *c);
    int (*commit)(store_conn *c);
    int (*rollback)(store_conn *c);
    int (*savepoint)(store_conn *c);
    int (*release)(store_conn *c);
    int (*rollback_to)(store_conn *c);

    int (*election_get)(store_conn *c, store_election *e);
    int (*election_put)(store_conn *c, const store_election *e);
    int (*voter_add)(store_conn *c, store_voter *v);
    int (*voters_clear)(store_conn *c);
    int (*voter_strike)(store_conn *c, const char *number);
    int (*voter_find)(store_conn *c, const char *number, int64_t *id, int *struck);
    int (*voter_count)(store_conn *c, uint64_t *active, uint64_t *struck);
    int (*voters_each)(store_conn *c, store_voter_fn fn, void *arg);
    int (*voter_set_auth)(store_conn *c, int64_t id, const uint8_t *hash);
    int (*voters_without_auth)(store_conn *c, uint64_t *count);
    int (*voters_purge)(store_conn *c);
    int (*credential_add)(store_conn *c, const uint8_t *pub);
    int (*credential_count)(store_conn *c, uint64_t *count);
    int (*ballot_count)(store_conn *c, uint64_t *count);
    int (*signature_count)(store_conn *c, uint64_t *count);
    int (*test_wipe)(store_conn *c, uint64_t *ballots, uint64_t *signatures);
    int (*audit_last)(store_conn *c, uint64_t *seq, uint8_t *hash);
    int (*audit_insert)(store_conn *c, const store_audit_entry *e);
    int (*audit_each)(store_conn *c, uint64_t from_seq, store_audit_fn fn, void *arg);
    int (*checkpoint_insert)(store_conn *c, const store_checkpoint *cp);
    int (*checkpoints_each)(store_conn *c, store_checkpoint_fn fn, void *arg);
} store_backend;

extern const store_backend store_backend_sqlite;

#endif
