/* store_sqlite_staff.c - staff accounts and their sessions; the support
 * cell's voter search. */
#include "store_sqlite.h"

#include <string.h>

#define STAFF_COLUMNS \
    "login, role, password_hash, totp_sealed, totp_last, session_created, session_seen"

static int staff_row(sqlite3_stmt *st, store_staff *s)
{
    int rc = sqlite3_step(st);

    memset(s, 0, sizeof *s);
    if (rc == SQLITE_ROW) {
        sq_copy_text(s->login, sizeof s->login, st, 0);
        sq_copy_text(s->role, sizeof s->role, st, 1);
        sq_copy_text(s->password_hash, sizeof s->password_hash, st, 2);
        if (sqlite3_column_bytes(st, 3) != STORE_TOTP_SEALED_BYTES)
            rc = SQLITE_CORRUPT;
        sq_copy_blob(s->totp_sealed, sizeof s->totp_sealed, st, 3);
        s->totp_last = (uint64_t)sqlite3_column_int64(st, 4);
        s->session_created = sqlite3_column_int64(st, 5);
        s->session_seen = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    return sq_row_result(rc);
}

int sq_staff_add(store_conn *c, const store_staff *s)
{
    static const char sql[] =
        "INSERT INTO staff(login, role, password_hash, totp_sealed) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, s->login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, s->totp_sealed, STORE_TOTP_SEALED_BYTES, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_staff_get(store_conn *c, const char *login, store_staff *s)
{
    static const char sql[] = "SELECT " STAFF_COLUMNS " FROM staff WHERE login = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    return staff_row(st, s);
}

int sq_staff_by_session(store_conn *c, const uint8_t *hash, store_staff *s)
{
    static const char sql[] = "SELECT " STAFF_COLUMNS " FROM staff WHERE session_hash = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    return staff_row(st, s);
}

/* An UPDATE of one staff row: STORE_OK if it changed, else absent. */
static int staff_update(store_conn *c, sqlite3_stmt *st, int absent)
{
    int rc = sq_step_done(st);

    if (rc != STORE_OK)
        return rc;
    return sqlite3_changes(c->db) == 1 ? STORE_OK : absent;
}

int sq_staff_totp_use(store_conn *c, const char *login, uint64_t step)
{
    static const char sql[] = "UPDATE staff SET totp_last = ? WHERE login = ? AND totp_last < ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)step);
    sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)step);
    return staff_update(c, st, STORE_ECONFLICT);
}

int sq_staff_password_set(store_conn *c, const char *login, const char *password_hash)
{
    static const char sql[] = "UPDATE staff SET password_hash = ? WHERE login = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
    return staff_update(c, st, STORE_ENOTFOUND);
}

int sq_staff_session_set(store_conn *c, const char *login, const uint8_t *hash, int64_t now)
{
    static const char sql[] = "UPDATE staff SET session_hash = ?, session_created = ?,"
                              " session_seen = ? WHERE login = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    if (hash != NULL)
        sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_text(st, 4, login, -1, SQLITE_STATIC);
    return staff_update(c, st, STORE_ENOTFOUND);
}

int sq_staff_session_touch(store_conn *c, const char *login, int64_t now)
{
    static const char sql[] = "UPDATE staff SET session_seen = ? WHERE login = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
    return staff_update(c, st, STORE_ENOTFOUND);
}

int sq_staff_each(store_conn *c, store_text_fn fn, void *arg)
{
    sqlite3_stmt *st = sq_stmt(c, "SELECT login FROM staff ORDER BY login");
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn((const char *)sqlite3_column_text(st, 0), arg);
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_voter_search(store_conn *c, const char *query, int limit, store_card_fn fn, void *arg)
{
    static const char sql[] =
        "SELECT " SQ_CARD_COLUMNS " FROM voter v"
        " WHERE v.number = ?1 OR v.surname LIKE ?2 ESCAPE '\\'"
        " OR v.id IN (SELECT voter_id FROM voter_email WHERE address = lower(?1))"
        " ORDER BY v.number = ?1 DESC, v.surname COLLATE NOCASE, v.number LIMIT ?3";
    char like[2 * STORE_QUERY_CHARS + 2];
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    if (store_like_prefix(like, query) != 0)
        return STORE_ENOTFOUND;
    sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, like, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, limit);
    rc = sq_cards_run(st, fn, arg);
    sqlite3_reset(st);
    return rc;
}
