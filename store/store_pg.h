/* store_pg.h - shared by the files of the PostgreSQL backend only.
 *
 * One database, two schemas: "registry" (owned by the role PG_REGISTRY_ROLE)
 * and "box" (owned by PG_BOX_ROLE); neither role has any right on the other's
 * schema. votesrv logs in as a role that is a member of both, because a cast
 * writes the signature list and the ballot box in one transaction.
 *
 * Statements are prepared once per connection (cached by the address of their
 * static SQL text, as the SQLite backend does); parameters go as text, byte
 * strings as binary; results come back binary (pgs_i64 reads any integer);
 * long scans are read in pages of PG_SCAN_PAGE rows through a cursor. */
#ifndef VOTESRV_STORE_PG_H
#define VOTESRV_STORE_PG_H

#include <libpq-fe.h>
#include "store_backend.h"

#define PG_STMT_CACHE 128
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

int pgs_exec(store_conn *c, const char *sql);
/* Begin a writing transaction: the writers' lock first (PG_WRITER_LOCK), then,
 * if role is not NULL, that role for the rest of the transaction. */
int pgs_begin_write(store_conn *c, const char *role);
/* STORE_OK for a successful result, else the error mapped (c->err and c->lost set). */
int pgs_result(store_conn *c, const PGresult *r);
/* Any integer of a binary result. */
int64_t pgs_i64(const PGresult *r, int row, int col);

/* The statement layer (store_backend.h): store_pg_query.c */
int pgs_step(store_sql *q);
void pgs_end(store_sql *q);
int64_t pgs_column_int(store_sql *q, int col);
const char *pgs_column_text(store_sql *q, int col);
const void *pgs_column_blob(store_sql *q, int col, size_t *len);
int pgs_column_null(store_sql *q, int col);

/* store_pg_box.c: the ballot box's operations (STORE_BOX_OPS), pgs_<name> */
#define PGS_BOX_DECL(name, params, args) int pgs_##name(store_conn *c, STORE_UNWRAP params);
STORE_BOX_OPS(PGS_BOX_DECL)
int pgs_box_wipe(store_conn *c);
/* Rewrite the box's tables in key order (no insertion order, no xmin order). */
int pgs_box_rewrite(store_conn *c);

#endif
