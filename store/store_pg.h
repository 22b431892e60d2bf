/* store_pg.h - shared by the files of the PostgreSQL backend only.
 *
 * One database, two schemas: "registry" (owned by the role PG_REGISTRY_ROLE)
 * and "box" (owned by PG_BOX_ROLE); neither role has any right on the other's
 * schema. votesrv logs in as a role that is a member of both, because a cast
 * writes the signature list and the ballot box in one transaction.
 *
 * Statements are prepared once per connection (cached by the address of their
 * static SQL text, as the SQLite backend does); parameters go as text, byte
 * strings as binary; results come back binary (pgs_i64 reads any integer).
 *
 * A statement that may break a uniqueness rule is written with ON CONFLICT DO
 * NOTHING and its row count checked: in PostgreSQL a failed statement aborts
 * the whole transaction, where the jobs expect to carry on after a
 * STORE_ECONFLICT as they do on SQLite. */
#ifndef VOTESRV_STORE_PG_H
#define VOTESRV_STORE_PG_H

#include <libpq-fe.h>
#include "store_backend.h"

#define PG_STMT_CACHE 128
#define PG_MAX_ARGS 12
#define PG_SCAN_PAGE 1000
#define PG_REGISTRY_ROLE "votesrv_registry"
#define PG_BOX_ROLE "votesrv_box"
/* Writers of every votesrv node take this transaction-scoped advisory lock
 * first: one writing transaction at a time across the nodes, as SQLite's
 * BEGIN IMMEDIATE gives on one machine (the audit chain, the box digest and
 * the throttles are read-modify-write). Each node still commits its jobs in
 * groups. */
#define PG_WRITER_LOCK 0x766f7465  /* "vote" */

struct store_conn {
    PGconn *pg;
    int readonly;
    int lost;                  /* the server went away: reconnect, then retry */
    const char *sql[PG_STMT_CACHE];
    int nstmt;
    unsigned cursors;          /* names scan cursors */
    char err[256];
};

typedef struct {
    const char *v[PG_MAX_ARGS];
    int len[PG_MAX_ARGS], fmt[PG_MAX_ARGS];
    char num[PG_MAX_ARGS][24];
    int n;
} pgs_args;

void pgs_text(pgs_args *a, const char *s);
void pgs_int(pgs_args *a, int64_t v);
/* A byte string; NULL b gives SQL NULL. */
void pgs_blob(pgs_args *a, const void *b, size_t len);

/* Run a cached statement. STORE_OK with *res set (PQclear it) or an error
 * (nothing to clear). */
int pgs_query(store_conn *c, const char *sql, const pgs_args *a, PGresult **res);
/* The same for a query that must give exactly one row: else STORE_ENOTFOUND. */
int pgs_query_one(store_conn *c, const char *sql, const pgs_args *a, PGresult **res);
/* Run a statement that returns no row; *changed (may be NULL) gets the row count. */
int pgs_command(store_conn *c, const char *sql, const pgs_args *a, int64_t *changed);
/* A command that must change exactly one row: else `absent`. */
int pgs_one_row(store_conn *c, const char *sql, const pgs_args *a, int absent);
/* An INSERT ... ON CONFLICT DO NOTHING: STORE_ECONFLICT if no row went in. */
int pgs_insert(store_conn *c, const char *sql, const pgs_args *a);
/* A query whose one row holds one count. */
int pgs_count(store_conn *c, const char *sql, const pgs_args *a, uint64_t *n);
/* A query that answers whether a row exists. */
int pgs_exists(store_conn *c, const char *sql, const pgs_args *a, int *found);
int pgs_exec(store_conn *c, const char *sql);
/* Begin a writing transaction: the writers' lock first (PG_WRITER_LOCK), then,
 * if role is not NULL, that role for the rest of the transaction. */
int pgs_begin_write(store_conn *c, const char *role);
/* STORE_OK for a successful result, else the error mapped (c->err and c->lost set). */
int pgs_result(store_conn *c, const PGresult *r);
/* Run a query and hand its rows to row(r, i, fn, arg); a non-zero return
 * stops the calls and is passed through. pgs_each holds the whole result;
 * pgs_scan reads it in pages of PG_SCAN_PAGE rows through a cursor (the long
 * lists: voters, audit log, signatures, credentials). */
typedef int (*pgs_row_fn)(const PGresult *r, int i, void *fn, void *arg);
int pgs_each(store_conn *c, const char *sql, const pgs_args *a, pgs_row_fn row, void *fn,
             void *arg);
int pgs_scan(store_conn *c, const char *sql, const pgs_args *a, pgs_row_fn row, void *fn,
             void *arg);

int64_t pgs_i64(const PGresult *r, int row, int col);
const char *pgs_str(const PGresult *r, int row, int col);
void pgs_copy_text(char *dst, size_t size, const PGresult *r, int row, int col);
/* Copies exactly size bytes, or zeroes dst when the value has another length. */
void pgs_copy_blob(uint8_t *dst, size_t size, const PGresult *r, int row, int col);

/* store_pg_access.c */
int pgs_access_by_email(store_conn *c, const char *address, store_access *a);
int pgs_access_by_id(store_conn *c, int64_t id, store_access *a);
int pgs_access_set_password(store_conn *c, int64_t id, const char *hash);
int pgs_access_set_defi(store_conn *c, int64_t id, int question, const char *hash);
int pgs_voter_emails(store_conn *c, int64_t id, store_text_fn fn, void *arg);
int pgs_voter_scrutins(store_conn *c, int64_t id, store_scrutin_fn fn, void *arg);
int pgs_active_voters_each(store_conn *c, store_id_fn fn, void *arg);
int pgs_voter_cards_each(store_conn *c, store_card_fn fn, void *arg);
int pgs_link_issue(store_conn *c, const uint8_t *hash, int64_t voter, int purpose,
                  int64_t expires, int64_t now, int keep);
int pgs_link_peek(store_conn *c, const uint8_t *hash, int64_t *voter, int *purpose, int *used,
                 int64_t *expires);
int pgs_link_consume(store_conn *c, const uint8_t *hash, int64_t now, int64_t *voter,
                    int *purpose);
int pgs_session_insert(store_conn *c, const uint8_t *hash, int64_t voter, int64_t now);
int pgs_session_get(store_conn *c, const uint8_t *hash, int64_t *voter, int64_t *created,
                   int64_t *last_seen);
int pgs_session_touch(store_conn *c, const uint8_t *hash, int64_t now);
int pgs_session_delete(store_conn *c, const uint8_t *hash);
int pgs_sessions_delete_voter(store_conn *c, int64_t voter);
int pgs_sessions_delete_others(store_conn *c, int64_t voter, const uint8_t *keep);
int pgs_throttle_get(store_conn *c, const char *key, store_throttle *t);
int pgs_throttle_put(store_conn *c, const char *key, const store_throttle *t);
int pgs_nonce_use(store_conn *c, const uint8_t *hash, int64_t expires);
/* A voter card's columns (voter v), and the loop that hands rows of them to fn. */
#define PG_CARD_COLUMNS "v.number, v.surname, v.given_names," \
    " (SELECT min(address) FROM voter_email e WHERE e.voter_id = v.id)," \
    " v.establishment, v.postal_address"
int pgs_cards_run(store_conn *c, const char *sql, const pgs_args *a, store_card_fn fn,
                 void *arg);

/* store_pg_box.c */
int pgs_voter_eligible(store_conn *c, int64_t voter, const char *scrutin, int *eligible);
int pgs_signature_exists(store_conn *c, int64_t voter, const char *scrutin, int *exists);
int pgs_signature_add(store_conn *c, int64_t voter, const char *scrutin);
int pgs_credential_use(store_conn *c, const char *scrutin, const uint8_t *pub);
int pgs_alpha_add(store_conn *c, const uint8_t *hash);
int pgs_box_reserve(store_conn *c, const char *scrutin, size_t payload);
int pgs_ballot_add(store_conn *c, const uint8_t *tracker, const char *scrutin, const char *body,
                  const uint8_t *wire, size_t wirelen);
int pgs_ballots_wire(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_wire_fn fn, void *arg);
int pgs_ballot_get(store_conn *c, const uint8_t *tracker, char *scrutin, char **body);
int pgs_ballots_page(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_ballot_fn fn, void *arg);
int pgs_box_state_get(store_conn *c, const char *scrutin, uint64_t *count, uint8_t *digest);
int pgs_box_state_put(store_conn *c, const char *scrutin, uint64_t count, const uint8_t *digest);
int pgs_turnout_each(store_conn *c, store_turnout_fn fn, void *arg);
int pgs_signatures_each(store_conn *c, store_signature_fn fn, void *arg);
/* store_pg_cred.c */
int pgs_voters_without_auth(store_conn *c, uint64_t *count);
int pgs_credential_add(store_conn *c, const char *scrutin, const uint8_t *pub);
int pgs_credential_revoke(store_conn *c, const char *scrutin, const uint8_t *pub);
int pgs_credential_state(store_conn *c, const char *scrutin, const uint8_t *pub, int *state);
int pgs_credential_count(store_conn *c, uint64_t *count);
int pgs_credentials_each(store_conn *c, store_cred_fn fn, void *arg);
int pgs_credentials_clear(store_conn *c);
int pgs_binding_put(store_conn *c, int64_t voter, const char *scrutin, const uint8_t *bind);
int pgs_binding_get(store_conn *c, int64_t voter, const char *scrutin, uint8_t *bind);
int pgs_reissue_put(store_conn *c, const char *request, int64_t voter, const char *body);
int pgs_reissue_delete(store_conn *c, const char *request);
int pgs_reissues_each(store_conn *c, store_reissue_fn fn, void *arg);
/* Rewrite the box's tables in key order (no insertion order, no xmin order). */
int pgs_box_rewrite(store_conn *c);

/* store_pg_misc.c: the outbox, documents, staff accounts, voter search */
int pgs_outbox_insert(store_conn *c, const char *recipient, const uint8_t *message, size_t len,
                     int64_t now);
int pgs_outbox_claim(store_conn *c, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                    void *arg);
int pgs_outbox_sent(store_conn *c, int64_t id);
int pgs_outbox_retry(store_conn *c, int64_t id, int64_t next, const char *error, int permanent);
int pgs_outbox_count(store_conn *c, const char *state, uint64_t *n);
int pgs_document_put(store_conn *c, const char *kind, int64_t holder, const char *body);
int pgs_document_get(store_conn *c, const char *kind, int64_t holder, char **body);
int pgs_documents_each(store_conn *c, const char *kind, store_document_fn fn, void *arg);
int pgs_documents_clear(store_conn *c, const char *kind);
int pgs_document_delete(store_conn *c, const char *kind, int64_t holder);
int pgs_staff_add(store_conn *c, const store_staff *s);
int pgs_staff_get(store_conn *c, const char *login, store_staff *s);
int pgs_staff_by_session(store_conn *c, const uint8_t *hash, store_staff *s);
int pgs_staff_totp_use(store_conn *c, const char *login, uint64_t step);
int pgs_staff_password_set(store_conn *c, const char *login, const char *password_hash);
int pgs_staff_session_set(store_conn *c, const char *login, const uint8_t *hash, int64_t now);
int pgs_staff_session_touch(store_conn *c, const char *login, int64_t now);
int pgs_staff_each(store_conn *c, store_text_fn fn, void *arg);
int pgs_voter_search(store_conn *c, const char *query, int limit, store_card_fn fn, void *arg);

#endif
