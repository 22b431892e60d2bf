/* store_sqlite_document.c - the election's public documents. */
#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>

int sq_document_put(store_conn *c, const char *kind, int64_t holder, const char *body)
{
    static const char sql[] = "INSERT INTO document(kind, holder, body) VALUES (?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, holder);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_document_get(store_conn *c, const char *kind, int64_t holder, char **body)
{
    static const char sql[] = "SELECT body FROM document WHERE kind = ? AND holder = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    *body = NULL;
    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, holder);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *body = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && *body == NULL)
        return STORE_ENOMEM;
    return sq_row_result(rc);
}

int sq_documents_each(store_conn *c, const char *kind, store_document_fn fn, void *arg)
{
    static const char sql[] = "SELECT holder, body FROM document WHERE kind = ? ORDER BY holder";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn(kind, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                  arg);
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_documents_clear(store_conn *c, const char *kind)
{
    static const char sql[] = "DELETE FROM document WHERE kind = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_document_delete(store_conn *c, const char *kind, int64_t holder)
{
    static const char sql[] = "DELETE FROM document WHERE kind = ? AND holder = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, holder);
    return sq_step_done(st);
}
