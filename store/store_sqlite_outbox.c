/* store_sqlite_outbox.c - the durable mail outbox. A message delivered or
 * given up keeps only its state and attempts (the dashboards' counts): the
 * recipient, the body and the time are erased (secure_delete overwrites them
 * in the file). */
#include "store_sqlite.h"

#include <string.h>

int sq_outbox_insert(store_conn *c, const char *recipient, const uint8_t *message, size_t len,
                     int64_t now)
{
    static const char sql[] =
        "INSERT INTO outbox(recipient, message, next_attempt) VALUES (?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, message, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    return sq_step_done(st);
}

int sq_outbox_claim(store_conn *c, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                    void *arg)
{
    static const char sql[] =
        "UPDATE outbox SET next_attempt = ?3 WHERE id IN (SELECT id FROM outbox"
        " WHERE state = 'queued' AND next_attempt <= ?1 ORDER BY next_attempt, id LIMIT ?2)"
        " RETURNING id, recipient, message, attempts";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int64(st, 3, now + lease);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_mail m;

        m.id = sqlite3_column_int64(st, 0);
        m.recipient = (const char *)sqlite3_column_text(st, 1);
        m.message = sqlite3_column_blob(st, 2);
        m.len = (size_t)sqlite3_column_bytes(st, 2);
        m.attempts = sqlite3_column_int(st, 3);
        stop = fn(&m, arg);
    }
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_outbox_sent(store_conn *c, int64_t id)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'sent', recipient = '', message = NULL, next_attempt = 0,"
        " attempts = attempts + 1, last_error = NULL WHERE id = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, id);
    return sq_step_done(st);
}

int sq_outbox_retry(store_conn *c, int64_t id, int64_t next, const char *error, int permanent)
{
    static const char sql[] =
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
        " next_attempt = CASE WHEN ?3 THEN 0 ELSE ?1 END,"
        " state = CASE WHEN ?3 THEN 'failed' ELSE 'queued' END,"
        " recipient = CASE WHEN ?3 THEN '' ELSE recipient END,"
        " message = CASE WHEN ?3 THEN NULL ELSE message END WHERE id = ?4";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, next);
    sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, permanent);
    sqlite3_bind_int64(st, 4, id);
    return sq_step_done(st);
}

int sq_outbox_count(store_conn *c, const char *state, uint64_t *n)
{
    static const char sql[] = "SELECT count(*) FROM outbox WHERE state = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : sq_map_rc(rc);
}
