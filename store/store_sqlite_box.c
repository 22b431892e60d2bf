/* store_sqlite_box.c - the ballot box and the signature list. */
#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>

/* A query that binds (int64, text) and answers whether a row exists. */
static int exists2(store_conn *c, const char *sql, int64_t id, const char *text, int *found)
{
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sq_map_rc(rc);
}

int sq_voter_eligible(store_conn *c, int64_t voter, const char *scrutin, int *eligible)
{
    return exists2(c, "SELECT 1 FROM voter_scrutin WHERE voter_id = ? AND scrutin = ?", voter,
                   scrutin, eligible);
}

int sq_signature_exists(store_conn *c, int64_t voter, const char *scrutin, int *exists)
{
    return exists2(c, "SELECT 1 FROM signature WHERE voter_id = ? AND scrutin = ?", voter,
                   scrutin, exists);
}

int sq_signature_add(store_conn *c, int64_t voter, const char *scrutin)
{
    static const char sql[] = "INSERT INTO signature(voter_id, scrutin) VALUES (?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, voter);
    sqlite3_bind_text(st, 2, scrutin, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_turnout_each(store_conn *c, store_turnout_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc, stop = 0;

    if (sqlite3_prepare_v2(c->db,
            "SELECT vs.scrutin, v.establishment, count(s.voter_id), count(*)"
            " FROM voter_scrutin vs JOIN voter v ON v.id = vs.voter_id AND v.struck = 0"
            " LEFT JOIN signature s ON s.voter_id = vs.voter_id AND s.scrutin = vs.scrutin"
            " GROUP BY vs.scrutin, v.establishment ORDER BY vs.scrutin, v.establishment",
            -1, &st, NULL) != SQLITE_OK)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                  (uint64_t)sqlite3_column_int64(st, 2), (uint64_t)sqlite3_column_int64(st, 3), arg);
    sqlite3_finalize(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_signatures_each(store_conn *c, store_signature_fn fn, void *arg)
{
    static const char sql[] =
        "SELECT s.scrutin, v.number FROM signature s JOIN voter v ON v.id = s.voter_id"
        " ORDER BY s.scrutin, v.number";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn((const char *)sqlite3_column_text(st, 0),
                  (const char *)sqlite3_column_text(st, 1), arg);
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

