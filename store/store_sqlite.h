/* store_sqlite.h - shared by the files of the SQLite backend only. */
#ifndef VOTESRV_STORE_SQLITE_H
#define VOTESRV_STORE_SQLITE_H

#include <sqlite3.h>
#include "store_backend.h"

#define STMT_CACHE 128
#define BUSY_TIMEOUT_MS 10000
#define BUSY_POLL_US 250

typedef struct sq_order sq_order;

struct store_conn {
    sqlite3 *db;
    int readonly;
    const char *sql[STMT_CACHE];
    sqlite3_stmt *stmt[STMT_CACHE];
    int nstmt;
    /* The ballot box's slots (store_sqlite_slots.c): the key that places a
     * ballot, the writer's credential and ciphertexts of the ballot being
     * cast, the box's version its in-memory indexes were built from (-1: to
     * rebuild), a counter of its own changes, and each scrutin's ballots by
     * tracker as last read. */
    uint8_t slot_key[32];
    int has_slot_key;
    uint8_t pend_cred[32];
    int pend_has_cred;
    uint8_t *pend_alpha;
    size_t npend_alpha, cap_alpha;
    int64_t index_version;
    uint64_t local_gen;
    sq_order *orders;
};

int sq_map_rc(int rc);
int sq_exec(store_conn *c, const char *sql);
/* A prepared statement for a static SQL string, cached per connection. */
sqlite3_stmt *sq_stmt(store_conn *c, const char *sql);
/* Step a statement that returns no row; reset it. */
int sq_step_done(sqlite3_stmt *st);
/* After stepping a single-row query: STORE_OK for a row, STORE_ENOTFOUND for none. */
int sq_row_result(int rc);
int sq_count_query(store_conn *c, const char *sql, uint64_t *count);
void sq_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col);
void sq_copy_blob(uint8_t *dst, size_t size, sqlite3_stmt *st, int col);
/* Bind an audit entry (8 columns, the audit table's order) or a checkpoint
 * (seq, hash, signature); store_export.c writes its file with them too. */
void sq_bind_audit_entry(sqlite3_stmt *st, const store_audit_entry *e);
void sq_bind_checkpoint(sqlite3_stmt *st, const store_checkpoint *cp);

/* store_sqlite_slots.c: the ballot box as fixed slots written in place */
int sq_slots_connect(store_conn *c, const store_config *cfg);
void sq_slots_disconnect(store_conn *c);
/* Writer: at each transaction's start (rebuilds the in-memory indexes if
 * another connection changed the box), at each job's savepoint and after a
 * rollback. */
int sq_slots_begin(store_conn *c);
void sq_slots_job(store_conn *c);
void sq_slots_rolled_back(store_conn *c);
int sq_box_reserve(store_conn *c, const char *scrutin, size_t payload);
int sq_credential_use(store_conn *c, const char *scrutin, const uint8_t *pub);
int sq_alpha_add(store_conn *c, const uint8_t *hash);
int sq_ballot_add(store_conn *c, const uint8_t *tracker, const char *scrutin, const char *body,
                  const uint8_t *wire, size_t wirelen);
int sq_ballot_get(store_conn *c, const uint8_t *tracker, char *scrutin, char **body);
int sq_ballots_page(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_ballot_fn fn, void *arg);
int sq_ballots_wire(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_wire_fn fn, void *arg);
int sq_ballot_count(store_conn *c, uint64_t *n);
int sq_box_state_get(store_conn *c, const char *scrutin, uint64_t *count, uint8_t *digest);
int sq_box_state_put(store_conn *c, const char *scrutin, uint64_t count, const uint8_t *digest);
int sq_slots_wipe(store_conn *c);

/* store_sqlite_staff.c */
int sq_staff_add(store_conn *c, const store_staff *s);
int sq_staff_get(store_conn *c, const char *login, store_staff *s);
int sq_staff_by_session(store_conn *c, const uint8_t *hash, store_staff *s);
int sq_staff_totp_use(store_conn *c, const char *login, uint64_t step);
int sq_staff_password_set(store_conn *c, const char *login, const char *password_hash);
int sq_staff_session_set(store_conn *c, const char *login, const uint8_t *hash, int64_t now);
int sq_staff_session_touch(store_conn *c, const char *login, int64_t now);
int sq_staff_each(store_conn *c, store_text_fn fn, void *arg);
int sq_voter_search(store_conn *c, const char *query, int limit, store_card_fn fn, void *arg);

/* store_sqlite_access.c */
int sq_access_by_email(store_conn *c, const char *address, store_access *a);
int sq_access_by_id(store_conn *c, int64_t id, store_access *a);
int sq_access_set_password(store_conn *c, int64_t id, const char *hash);
int sq_access_set_defi(store_conn *c, int64_t id, int question, const char *hash);
int sq_voter_emails(store_conn *c, int64_t id, store_text_fn fn, void *arg);
int sq_voter_scrutins(store_conn *c, int64_t id, store_scrutin_fn fn, void *arg);
int sq_active_voters_each(store_conn *c, store_id_fn fn, void *arg);
int sq_voter_cards_each(store_conn *c, store_card_fn fn, void *arg);
/* A voter card's columns (voter v), and the loop that hands rows of them to fn. */
#define SQ_CARD_COLUMNS "v.number, v.surname, v.given_names," \
    " (SELECT min(address) FROM voter_email e WHERE e.voter_id = v.id)," \
    " v.establishment, v.postal_address"
int sq_cards_run(sqlite3_stmt *st, store_card_fn fn, void *arg);
int sq_link_issue(store_conn *c, const uint8_t *hash, int64_t voter, int purpose,
                  int64_t expires, int64_t now, int keep);
int sq_link_peek(store_conn *c, const uint8_t *hash, int64_t *voter, int *purpose, int *used,
                 int64_t *expires);
int sq_link_consume(store_conn *c, const uint8_t *hash, int64_t now, int64_t *voter,
                    int *purpose);
int sq_session_insert(store_conn *c, const uint8_t *hash, int64_t voter, int64_t now);
int sq_session_get(store_conn *c, const uint8_t *hash, int64_t *voter, int64_t *created,
                   int64_t *last_seen);
int sq_session_touch(store_conn *c, const uint8_t *hash, int64_t now);
int sq_session_delete(store_conn *c, const uint8_t *hash);
int sq_sessions_delete_voter(store_conn *c, int64_t voter);
int sq_sessions_delete_others(store_conn *c, int64_t voter, const uint8_t *keep);
int sq_throttle_get(store_conn *c, const char *key, store_throttle *t);
int sq_throttle_put(store_conn *c, const char *key, const store_throttle *t);
int sq_nonce_use(store_conn *c, const uint8_t *hash, int64_t expires);
/* store_sqlite_box.c */
int sq_voter_eligible(store_conn *c, int64_t voter, const char *scrutin, int *eligible);
int sq_signature_exists(store_conn *c, int64_t voter, const char *scrutin, int *exists);
int sq_signature_add(store_conn *c, int64_t voter, const char *scrutin);
int sq_turnout_each(store_conn *c, store_turnout_fn fn, void *arg);
/* store_sqlite_outbox.c */
int sq_outbox_insert(store_conn *c, const char *recipient, const uint8_t *message, size_t len,
                     int64_t now);
int sq_outbox_claim(store_conn *c, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                    void *arg);
int sq_outbox_sent(store_conn *c, int64_t id);
int sq_outbox_retry(store_conn *c, int64_t id, int64_t next, const char *error, int permanent);
int sq_outbox_count(store_conn *c, const char *state, uint64_t *n);
int sq_document_put(store_conn *c, const char *kind, int64_t holder, const char *body);
int sq_document_get(store_conn *c, const char *kind, int64_t holder, char **body);
int sq_documents_each(store_conn *c, const char *kind, store_document_fn fn, void *arg);
int sq_documents_clear(store_conn *c, const char *kind);
int sq_document_delete(store_conn *c, const char *kind, int64_t holder);
int sq_signatures_each(store_conn *c, store_signature_fn fn, void *arg);
/* store_sqlite_cred.c */
int sq_voters_without_auth(store_conn *c, uint64_t *count);
int sq_credential_add(store_conn *c, const char *scrutin, const uint8_t *pub);
int sq_credential_revoke(store_conn *c, const char *scrutin, const uint8_t *pub);
int sq_credential_state(store_conn *c, const char *scrutin, const uint8_t *pub, int *state);
int sq_credential_count(store_conn *c, uint64_t *count);
int sq_credentials_each(store_conn *c, store_cred_fn fn, void *arg);
int sq_credentials_clear(store_conn *c);
int sq_binding_put(store_conn *c, int64_t voter, const char *scrutin, const uint8_t *bind);
int sq_binding_get(store_conn *c, int64_t voter, const char *scrutin, uint8_t *bind);
int sq_reissue_put(store_conn *c, const char *request, int64_t voter, const char *body);
int sq_reissue_delete(store_conn *c, const char *request);
int sq_reissues_each(store_conn *c, store_reissue_fn fn, void *arg);

#endif
