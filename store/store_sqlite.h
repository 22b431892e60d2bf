/* store_sqlite.h - shared by the files of the SQLite backend only. */
#ifndef VOTESRV_STORE_SQLITE_H
#define VOTESRV_STORE_SQLITE_H

#include <sqlite3.h>
#include "store_backend.h"

#define STMT_CACHE 128
#define BUSY_TIMEOUT_MS 10000
/* the longest of one wait for a lock (store_sqlite.c, on_busy) */
#define BUSY_WAIT_US 2000

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
/* A prepared statement for a static SQL string, cached per connection
 * ($1-style parameters become ?1: SQLite's dialect). */
sqlite3_stmt *sq_stmt(store_conn *c, const char *sql);
/* Step a statement that returns no row; reset it. */
int sq_step_done(sqlite3_stmt *st);
/* After stepping a single-row query: STORE_OK for a row, STORE_ENOTFOUND for none. */
int sq_row_result(int rc);
void sq_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col);
void sq_copy_blob(uint8_t *dst, size_t size, sqlite3_stmt *st, int col);

/* store_sqlite_vfs.c: the VFS every connection opens its files with (SQLite's
 * "unix", its rollback journals kept open between transactions); registered
 * once per process, STORE_OK or STORE_EIO. */
#define SQ_VFS_NAME "votesrv"
int sq_vfs_register(void);

/* store_sqlite_slots.c: the ballot box as fixed slots written in place */
int sq_slots_connect(store_conn *c, const store_config *cfg);
void sq_slots_disconnect(store_conn *c);
/* Writer: at each transaction's start (rebuilds the in-memory indexes if
 * another connection changed the box), at each job's savepoint and after a
 * rollback. */
int sq_slots_begin(store_conn *c);
void sq_slots_job(store_conn *c);
void sq_slots_rolled_back(store_conn *c);
/* The ballot box's operations (STORE_BOX_OPS), sq_<name>. */
#define SQ_BOX_DECL(name, params, args) int sq_##name(store_conn *c, STORE_UNWRAP params);
STORE_BOX_OPS(SQ_BOX_DECL)
int sq_box_wipe(store_conn *c);

#endif
