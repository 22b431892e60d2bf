/*
 * store_backend.h - what a storage backend implements (SQLite, PostgreSQL).
 * Only store.c and the backends include this file.
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
    /* Whether the server went away (NULL: never; an embedded store cannot),
     * and connecting again to whichever server now takes writes. */
    int (*lost)(store_conn *c);
    int (*reconnect)(store_conn *c);
    /* Rewrite the ballot box in key order, outside any transaction. */
    int (*compact)(store_conn *c);
    int (*begin)(store_conn *c);
    int (*commit)(store_conn *c);
    int (*rollback)(store_conn *c);
    int (*savepoint)(store_conn *c);
    int (*release)(store_conn *c);
    int (*rollback_to)(store_conn *c);
    /* What the last failure on c was, in words (no values of the data). */
    const char *(*errmsg)(store_conn *c);

    int (*election_get)(store_conn *c, store_election *e);
    int (*election_put)(store_conn *c, const store_election *e);
    int (*voter_add)(store_conn *c, store_voter *v);
    int (*voters_clear)(store_conn *c);
    int (*voter_strike)(store_conn *c, const char *number);
    int (*voter_find)(store_conn *c, const char *number, int64_t *id, int *struck);
    int (*voter_count)(store_conn *c, uint64_t *active, uint64_t *struck);
    int (*voters_each)(store_conn *c, store_voter_fn fn, void *arg);
    int (*voters_without_auth)(store_conn *c, uint64_t *count);
    int (*voters_purge)(store_conn *c);
    int (*credential_add)(store_conn *c, const char *scrutin, const uint8_t *pub);
    int (*credential_revoke)(store_conn *c, const char *scrutin, const uint8_t *pub);
    int (*credential_state)(store_conn *c, const char *scrutin, const uint8_t *pub, int *state);
    int (*credential_count)(store_conn *c, uint64_t *count);
    int (*credentials_clear)(store_conn *c);
    int (*binding_put)(store_conn *c, int64_t voter, const char *scrutin, const uint8_t *bind);
    int (*binding_get)(store_conn *c, int64_t voter, const char *scrutin, uint8_t *bind);
    int (*reissue_put)(store_conn *c, const char *request, int64_t voter, const char *body);
    int (*reissue_delete)(store_conn *c, const char *request);
    int (*reissues_each)(store_conn *c, store_reissue_fn fn, void *arg);
    int (*ballot_count)(store_conn *c, uint64_t *count);
    int (*signature_count)(store_conn *c, uint64_t *count);
    int (*test_wipe)(store_conn *c, uint64_t *ballots, uint64_t *signatures);
    int (*audit_last)(store_conn *c, uint64_t *seq, uint8_t *hash);
    int (*audit_insert)(store_conn *c, const store_audit_entry *e);
    int (*audit_count)(store_conn *c, const char *event, uint64_t *n);
    int (*audit_each)(store_conn *c, uint64_t from_seq, store_audit_fn fn, void *arg);
    int (*checkpoint_insert)(store_conn *c, const store_checkpoint *cp);
    int (*checkpoints_each)(store_conn *c, store_checkpoint_fn fn, void *arg);
    int (*access_by_email)(store_conn *c, const char *address, store_access *a);
    int (*access_by_id)(store_conn *c, int64_t id, store_access *a);
    int (*access_set_password)(store_conn *c, int64_t id, const char *hash);
    int (*access_set_defi)(store_conn *c, int64_t id, int question, const char *hash);
    int (*voter_emails)(store_conn *c, int64_t id, store_text_fn fn, void *arg);
    int (*voter_scrutins)(store_conn *c, int64_t id, store_scrutin_fn fn, void *arg);
    int (*active_voters_each)(store_conn *c, store_id_fn fn, void *arg);
    int (*voter_cards_each)(store_conn *c, store_card_fn fn, void *arg);
    int (*link_issue)(store_conn *c, const uint8_t *hash, int64_t voter, int purpose,
                      int64_t expires, int64_t now, int keep);
    int (*link_peek)(store_conn *c, const uint8_t *hash, int64_t *voter, int *purpose,
                     int *used, int64_t *expires);
    int (*link_consume)(store_conn *c, const uint8_t *hash, int64_t now, int64_t *voter,
                        int *purpose);
    int (*session_insert)(store_conn *c, const uint8_t *hash, int64_t voter, int64_t now);
    int (*session_get)(store_conn *c, const uint8_t *hash, int64_t *voter, int64_t *created,
                       int64_t *last_seen);
    int (*session_touch)(store_conn *c, const uint8_t *hash, int64_t now);
    int (*session_delete)(store_conn *c, const uint8_t *hash);
    int (*sessions_delete_voter)(store_conn *c, int64_t voter);
    int (*sessions_delete_others)(store_conn *c, int64_t voter, const uint8_t *keep);
    int (*throttle_get)(store_conn *c, const char *key, store_throttle *t);
    int (*throttle_put)(store_conn *c, const char *key, const store_throttle *t);
    int (*nonce_use)(store_conn *c, const uint8_t *hash, int64_t expires);
    int (*voter_eligible)(store_conn *c, int64_t voter, const char *scrutin, int *eligible);
    int (*signature_exists)(store_conn *c, int64_t voter, const char *scrutin, int *exists);
    int (*signature_add)(store_conn *c, int64_t voter, const char *scrutin);
    int (*credential_use)(store_conn *c, const char *scrutin, const uint8_t *pub);
    int (*alpha_add)(store_conn *c, const uint8_t *hash);
    int (*box_reserve)(store_conn *c, const char *scrutin, size_t payload);
    int (*ballot_add)(store_conn *c, const uint8_t *tracker, const char *scrutin, const char *body,
                      const uint8_t *wire, size_t wirelen);
    int (*ballots_wire)(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                        store_wire_fn fn, void *arg);
    int (*ballot_get)(store_conn *c, const uint8_t *tracker, char *scrutin, char **body);
    int (*ballots_page)(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                        store_ballot_fn fn, void *arg);
    int (*box_state_get)(store_conn *c, const char *scrutin, uint64_t *count, uint8_t *digest);
    int (*box_state_put)(store_conn *c, const char *scrutin, uint64_t count, const uint8_t *digest);
    int (*turnout_each)(store_conn *c, store_turnout_fn fn, void *arg);
    int (*outbox_insert)(store_conn *c, const char *recipient, const uint8_t *message,
                         size_t len, int64_t now);
    int (*outbox_claim)(store_conn *c, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                        void *arg);
    int (*outbox_sent)(store_conn *c, int64_t id);
    int (*outbox_retry)(store_conn *c, int64_t id, int64_t next, const char *error,
                        int permanent);
    int (*outbox_count)(store_conn *c, const char *state, uint64_t *n);
    int (*document_put)(store_conn *c, const char *kind, int64_t holder, const char *body);
    int (*document_get)(store_conn *c, const char *kind, int64_t holder, char **body);
    int (*documents_each)(store_conn *c, const char *kind, store_document_fn fn, void *arg);
    int (*documents_clear)(store_conn *c, const char *kind);
    int (*document_delete)(store_conn *c, const char *kind, int64_t holder);
    int (*signatures_each)(store_conn *c, store_signature_fn fn, void *arg);
    int (*credentials_each)(store_conn *c, store_cred_fn fn, void *arg);
    int (*staff_add)(store_conn *c, const store_staff *s);
    int (*staff_get)(store_conn *c, const char *login, store_staff *s);
    int (*staff_by_session)(store_conn *c, const uint8_t *hash, store_staff *s);
    int (*staff_totp_use)(store_conn *c, const char *login, uint64_t step);
    int (*staff_password_set)(store_conn *c, const char *login, const char *password_hash);
    int (*staff_session_set)(store_conn *c, const char *login, const uint8_t *hash,
                             int64_t now);
    int (*staff_session_touch)(store_conn *c, const char *login, int64_t now);
    int (*staff_each)(store_conn *c, store_text_fn fn, void *arg);
    int (*voter_search)(store_conn *c, const char *query, int limit, store_card_fn fn,
                        void *arg);
} store_backend;

/* The pattern `LIKE ... ESCAPE '\\'` needs for "starts with query": query's
 * %, _ and \\ escaped, then %. -1 if query is longer than STORE_QUERY_CHARS. */
#define STORE_QUERY_CHARS 128
int store_like_prefix(char out[2 * STORE_QUERY_CHARS + 2], const char *query);

extern const store_backend store_backend_sqlite;
extern const store_backend store_backend_pg;

#endif
