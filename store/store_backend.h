/*
 * store_backend.h - what a storage backend implements (SQLite, PostgreSQL),
 * and the statement layer the store's operations are written on once.
 * Only the store's own files include this file.
 *
 * A backend gives a connection (transactions, savepoints, reconnecting,
 * compacting), a way to run one statement (store_sql below) and the ballot
 * box (STORE_BOX_OPS): SQLite keeps ballots in fixed slots
 * (store_sqlite_slots.c), PostgreSQL in tables. Every other operation is
 * written once, in store_<group>.c, over store_sql.
 */
#ifndef VOTESRV_STORE_BACKEND_H
#define VOTESRV_STORE_BACKEND_H

#include "store.h"

typedef struct store_conn store_conn;
typedef struct store_backend store_backend;

struct store_tx {
    const store_backend *b;
    store_conn *c;
    struct job *cur;          /* the write job running (NULL in a read) */
};

/* ---- the statement layer ----
 *
 * SQL is written once, in PostgreSQL's dialect with $1-style parameters
 * (SQLite's backend turns them into ?1), as static text whose address keys
 * each connection's cache of prepared statements. Unique rules are written
 * ON CONFLICT DO NOTHING and the row count checked (store_sql_insert): a
 * failed statement aborts a PostgreSQL transaction, and the jobs carry on
 * after a STORE_ECONFLICT. Tables of the ballot box are named box.<table>:
 * the attached file on SQLite, the schema on PostgreSQL. */
#define STORE_SQL_ARGS 12
#define STORE_ROW 1               /* store_sql_step: a row is there */

typedef struct {
    int type;                     /* STORE_ARG_* */
    int64_t i;
    const void *p;                /* text or bytes; NULL: SQL NULL */
    size_t len;
} store_sql_arg;
#define STORE_ARG_INT 0
#define STORE_ARG_TEXT 1
#define STORE_ARG_BLOB 2

typedef struct {
    const store_backend *b;
    store_conn *c;
    const char *sql;
    /* A long list (voters, audit log, signatures, credentials): PostgreSQL
     * reads it in pages through a cursor, SQLite prepares it outside the
     * cache, so that a row's callback may run any cached statement. */
    int scan;
    store_sql_arg arg[STORE_SQL_ARGS];
    /* More than STORE_SQL_ARGS (a multi-row INSERT): the caller's array,
     * which outlives the statement (store_sql_run, store_sql_change). */
    const store_sql_arg *many;
    int nargs;
    int rc, stop;                 /* store_sql_next's loop */
    /* The backend's state: its statement or result, the row, the count of
     * rows changed once done. */
    void *h;
    int started, row, nrows;
    int64_t changes;
    unsigned cursor;              /* PostgreSQL's scan cursor (0: none open) */
} store_sql;

/* A statement's arguments, in order: STORE_SQL(sql, STORE_TEXT(s),
 * STORE_INT(n)...) stands for the (sql, args, nargs) the functions below
 * take; STORE_SQL0(sql) for a statement without. */
#define STORE_INT(v) ((store_sql_arg){ STORE_ARG_INT, (int64_t)(v), NULL, 0 })
#define STORE_TEXT(s) ((store_sql_arg){ STORE_ARG_TEXT, 0, (s), 0 })
#define STORE_BLOB(b, n) ((store_sql_arg){ STORE_ARG_BLOB, 0, (b), (n) })
#define STORE_HASH(b) STORE_BLOB((b), STORE_HASH_BYTES)
#define STORE_SQL(sql, ...) (sql), (const store_sql_arg[]){ __VA_ARGS__ }, \
    (int)(sizeof (const store_sql_arg[]){ __VA_ARGS__ } / sizeof (store_sql_arg))
#define STORE_SQL0(sql) (sql), NULL, 0

void store_sql_prepare(store_sql *q, store_tx *tx, const char *sql, const store_sql_arg *args,
                       int nargs);
/* The statement's arguments, for the backends. */
static inline const store_sql_arg *store_sql_args(const store_sql *q)
{
    return q->many != NULL ? q->many : q->arg;
}
void store_sql_prepare_scan(store_sql *q, store_tx *tx, const char *sql,
                            const store_sql_arg *args, int nargs);
/* STORE_ROW, STORE_OK once there are no more rows, or an error. */
int store_sql_step(store_sql *q);
/* End q (whatever is left of its rows is dropped): STORE_OK. */
int store_sql_end(store_sql *q);
/* Prepare a query of one row and run it: STORE_OK with the row there (then
 * store_sql_end or store_sql_finish), STORE_ENOTFOUND without, or an error
 * (q ended). */
int store_sql_row(store_sql *q, store_tx *tx, const char *sql, const store_sql_arg *args,
                  int nargs);
/* Step q to its end (a statement with RETURNING is then applied) and end it. */
int store_sql_finish(store_sql *q);
/* A loop over q's rows, `while (store_sql_next(&q)) q.stop = fn(...);`, then
 * store_sql_stop: what the callback's non-zero q.stop said, or how the rows
 * ended. */
int store_sql_next(store_sql *q);
int store_sql_stop(store_sql *q);
int64_t store_sql_i64(store_sql *q, int col);
const char *store_sql_str(store_sql *q, int col);                 /* NULL for SQL NULL */
const uint8_t *store_sql_bytes(store_sql *q, int col, size_t *len);
int store_sql_null(store_sql *q, int col);
void store_sql_copy_text(char *dst, size_t size, store_sql *q, int col);
/* Exactly size bytes, or dst zeroed when the value has another length. */
void store_sql_copy_blob(uint8_t *dst, size_t size, store_sql *q, int col);

/* Run a statement that returns no row. */
int store_sql_run(store_tx *tx, const char *sql, const store_sql_arg *args, int nargs);
/* A command that must change exactly one row: else `absent`. */
int store_sql_change(store_tx *tx, int absent, const char *sql, const store_sql_arg *args,
                     int nargs);
/* An INSERT ... ON CONFLICT DO NOTHING: STORE_ECONFLICT if no row went in. */
int store_sql_insert(store_tx *tx, const char *sql, const store_sql_arg *args, int nargs);
/* A query whose one row holds one count. */
int store_sql_count(store_tx *tx, uint64_t *n, const char *sql, const store_sql_arg *args,
                    int nargs);
/* A query that answers whether a row exists. */
int store_sql_exists(store_tx *tx, int *found, const char *sql, const store_sql_arg *args,
                     int nargs);
/* Statements without parameters, separated by ';'. */
int store_sql_exec(store_tx *tx, const char *sql);

/* ---- the ballot box: each backend's own ----
 * X(name, parameters after the connection, arguments): the backend's
 * function pointer and store_<name>'s dispatch (store.c) derive from it. */
#define STORE_BOX_OPS(X) \
    X(box_reserve, (const char *scrutin, size_t payload), (scrutin, payload)) \
    X(credential_use, (const char *scrutin, const uint8_t pub[32]), (scrutin, pub)) \
    X(alpha_add, (const uint8_t hash[STORE_HASH_BYTES]), (hash)) \
    X(ballot_add, (const uint8_t tracker[STORE_HASH_BYTES], const char *scrutin, \
                   const char *body, const uint8_t *wire, size_t wirelen), \
      (tracker, scrutin, body, wire, wirelen)) \
    X(ballot_get, (const uint8_t tracker[STORE_HASH_BYTES], \
                   char scrutin[STORE_SCRUTIN_CHARS + 1], char **body), (tracker, scrutin, body)) \
    X(ballots_page, (const char *scrutin, const uint8_t *after, int limit, store_ballot_fn fn, \
                     void *arg), (scrutin, after, limit, fn, arg)) \
    X(ballots_wire, (const char *scrutin, const uint8_t *after, int limit, store_wire_fn fn, \
                     void *arg), (scrutin, after, limit, fn, arg)) \
    X(trackers_page, (const char *scrutin, const uint8_t *from, int descending, int limit, \
                      store_tracker_fn fn, void *arg), (scrutin, from, descending, limit, fn, arg)) \
    X(ballot_count, (uint64_t *count), (count)) \
    X(box_state_get, (const char *scrutin, uint64_t *count, uint8_t digest[32]), \
      (scrutin, count, digest)) \
    X(box_state_put, (const char *scrutin, uint64_t count, const uint8_t digest[32]), \
      (scrutin, count, digest))

#define STORE_UNWRAP(...) __VA_ARGS__
#define STORE_BOX_FIELD(name, params, args) int (*name)(store_conn *c, STORE_UNWRAP params);

struct store_backend {
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

    /* The statement layer (store_sql above). */
    int (*exec)(store_conn *c, const char *sql);
    int (*step)(store_sql *q);
    void (*end)(store_sql *q);
    int64_t (*column_int)(store_sql *q, int col);
    const char *(*column_text)(store_sql *q, int col);
    const void *(*column_blob)(store_sql *q, int col, size_t *len);
    int (*column_null)(store_sql *q, int col);

    /* The dialects' differences in whole statements: voter search by
     * number, address or start of surname in any case ($1 query, $2 the
     * LIKE pattern, $3 limit; a card's columns), and the outbox's claim
     * ($1 now, $2 limit, $3 the lease's end). */
    const char *sql_voter_search;
    const char *sql_outbox_claim;

    STORE_BOX_OPS(STORE_BOX_FIELD)
    /* The test-mode wipe's part in the box: ballots and box states. */
    int (*box_wipe)(store_conn *c);
};

/* A backend's table: <p>_connect, <p>_step and so on for the functions
 * above, <p>_<name> for the box's (STORE_BOX_OPS). */
#define STORE_BACKEND_FUNCTIONS(p) \
    .connect = p##_connect, .disconnect = p##_disconnect, .compact = p##_compact, \
    .begin = p##_begin, .commit = p##_commit, .rollback = p##_rollback, \
    .savepoint = p##_savepoint, .release = p##_release, .rollback_to = p##_rollback_to, \
    .errmsg = p##_errmsg, .exec = p##_exec, .step = p##_step, .end = p##_end, \
    .column_int = p##_column_int, .column_text = p##_column_text, \
    .column_blob = p##_column_blob, .column_null = p##_column_null, .box_wipe = p##_box_wipe

/* A voter card's columns (voter v), for the queries of store_voter_card_fn. */
#define STORE_CARD_COLUMNS "v.number, v.surname, v.given_names," \
    " (SELECT min(address) FROM voter_email e WHERE e.voter_id = v.id)," \
    " v.establishment, v.postal_address"
int store_cards_run(store_sql *q, store_card_fn fn, void *arg);

extern const store_backend store_backend_sqlite;
extern const store_backend store_backend_pg;

#endif
