/* store_sqlite_access.c - voter accounts, one-time links, sessions, throttles,
 * single-use values. */
#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

#define ACCESS_COLUMNS \
    "id, number, struck, password_hash, defi_question, defi_hash, lang," \
    " EXISTS (SELECT 1 FROM credential_binding b WHERE b.voter_id = voter.id)"

static int access_row(sqlite3_stmt *st, store_access *a)
{
    int rc = sqlite3_step(st);

    memset(a, 0, sizeof *a);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        sq_copy_text(a->number, sizeof a->number, st, 1);
        a->struck = sqlite3_column_int(st, 2);
        sq_copy_text(a->password_hash, sizeof a->password_hash, st, 3);
        a->defi_question = sqlite3_column_type(st, 4) == SQLITE_NULL
                               ? -1 : sqlite3_column_int(st, 4);
        sq_copy_text(a->defi_hash, sizeof a->defi_hash, st, 5);
        sq_copy_text(a->lang, sizeof a->lang, st, 6);
        a->has_auth = sqlite3_column_int(st, 7);
    }
    sqlite3_reset(st);
    return sq_row_result(rc);
}

int sq_access_by_email(store_conn *c, const char *address, store_access *a)
{
    static const char sql[] = "SELECT " ACCESS_COLUMNS " FROM voter WHERE id ="
                              " (SELECT voter_id FROM voter_email WHERE address = ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    return access_row(st, a);
}

int sq_access_by_id(store_conn *c, int64_t id, store_access *a)
{
    static const char sql[] = "SELECT " ACCESS_COLUMNS " FROM voter WHERE id = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, id);
    return access_row(st, a);
}

/* Run an UPDATE/DELETE that must touch exactly one row. */
static int one_row(store_conn *c, sqlite3_stmt *st)
{
    int rc = sq_step_done(st);

    if (rc != STORE_OK)
        return rc;
    return sqlite3_changes(c->db) == 1 ? STORE_OK : STORE_ENOTFOUND;
}

int sq_access_set_password(store_conn *c, int64_t id, const char *hash)
{
    static const char sql[] = "UPDATE voter SET password_hash = ? WHERE id = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    return one_row(c, st);
}

int sq_access_set_defi(store_conn *c, int64_t id, int question, const char *hash)
{
    static const char sql[] = "UPDATE voter SET defi_question = ?, defi_hash = ? WHERE id = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int(st, 1, question);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    return one_row(c, st);
}

int sq_voter_emails(store_conn *c, int64_t id, store_text_fn fn, void *arg)
{
    static const char sql[] = "SELECT address FROM voter_email WHERE voter_id = ? ORDER BY address";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, id);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn((const char *)sqlite3_column_text(st, 0), arg);
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_voter_scrutins(store_conn *c, int64_t id, store_scrutin_fn fn, void *arg)
{
    static const char sql[] =
        "SELECT vs.scrutin, s.voter_id IS NOT NULL FROM voter_scrutin vs"
        " LEFT JOIN signature s ON s.voter_id = vs.voter_id AND s.scrutin = vs.scrutin"
        " WHERE vs.voter_id = ? ORDER BY vs.scrutin";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, id);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1), arg);
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_active_voters_each(store_conn *c, store_id_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc, stop = 0;

    if (sqlite3_prepare_v2(c->db, "SELECT id FROM voter WHERE struck = 0 ORDER BY id", -1, &st,
                           NULL) != SQLITE_OK)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn(sqlite3_column_int64(st, 0), arg);
    sqlite3_finalize(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_voter_cards_each(store_conn *c, store_card_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(c->db, "SELECT " SQ_CARD_COLUMNS " FROM voter v"
                                  " WHERE v.struck = 0 ORDER BY v.number", -1, &st, NULL) !=
        SQLITE_OK)
        return STORE_EIO;
    rc = sq_cards_run(st, fn, arg);
    sqlite3_finalize(st);
    return rc;
}

int sq_cards_run(sqlite3_stmt *st, store_card_fn fn, void *arg)
{
    int rc, stop = 0;

    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_voter_card v = {
            (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5)
        };

        stop = fn(&v, arg);
    }
    return stop ? stop : sq_map_rc(rc);
}

int sq_link_issue(store_conn *c, const uint8_t *hash, int64_t voter, int purpose,
                  int64_t expires, int64_t now, int keep)
{
    static const char void_sql[] =
        "UPDATE access_link SET used = 2 WHERE voter_id = ?1 AND used = 0 AND token_hash NOT IN"
        " (SELECT token_hash FROM access_link WHERE voter_id = ?1 AND used = 0 AND expires > ?2"
        " ORDER BY expires DESC, token_hash DESC LIMIT ?3)";
    static const char ins_sql[] =
        "INSERT INTO access_link(token_hash, voter_id, purpose, expires) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, void_sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, voter);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int(st, 3, keep > 0 ? keep : 0);
    if ((rc = sq_step_done(st)) != STORE_OK || (st = sq_stmt(c, ins_sql)) == NULL)
        return rc != STORE_OK ? rc : STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, voter);
    sqlite3_bind_int(st, 3, purpose);
    sqlite3_bind_int64(st, 4, expires);
    return sq_step_done(st);
}

int sq_link_peek(store_conn *c, const uint8_t *hash, int64_t *voter, int *purpose, int *used,
                 int64_t *expires)
{
    static const char sql[] =
        "SELECT voter_id, purpose, used, expires FROM access_link WHERE token_hash = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *voter = sqlite3_column_int64(st, 0);
        *purpose = sqlite3_column_int(st, 1);
        *used = sqlite3_column_int(st, 2);
        *expires = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    return sq_row_result(rc);
}

int sq_link_consume(store_conn *c, const uint8_t *hash, int64_t now, int64_t *voter,
                    int *purpose)
{
    static const char sql[] =
        "UPDATE access_link SET used = 1 WHERE token_hash = ? AND used = 0 AND expires > ?"
        " RETURNING voter_id, purpose";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *voter = sqlite3_column_int64(st, 0);
        *purpose = sqlite3_column_int(st, 1);
        rc = sqlite3_step(st);   /* finish the statement so the update is applied */
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return STORE_ENOTFOUND;
    }
    sqlite3_reset(st);
    if ((rc = sq_map_rc(rc)) != STORE_OK)
        return rc;
    /* the voter's other links die with this one */
    if ((st = sq_stmt(c, "UPDATE access_link SET used = 2 WHERE voter_id = ? AND used = 0")) ==
        NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, *voter);
    return sq_step_done(st);
}

int sq_session_insert(store_conn *c, const uint8_t *hash, int64_t voter, int64_t now)
{
    static const char sql[] =
        "INSERT INTO session(id_hash, voter_id, created, last_seen) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, voter);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, now);
    return sq_step_done(st);
}

int sq_session_get(store_conn *c, const uint8_t *hash, int64_t *voter, int64_t *created,
                   int64_t *last_seen)
{
    static const char sql[] = "SELECT voter_id, created, last_seen FROM session WHERE id_hash = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *voter = sqlite3_column_int64(st, 0);
        *created = sqlite3_column_int64(st, 1);
        *last_seen = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return sq_row_result(rc);
}

int sq_session_touch(store_conn *c, const uint8_t *hash, int64_t now)
{
    static const char sql[] = "UPDATE session SET last_seen = ? WHERE id_hash = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_blob(st, 2, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    return one_row(c, st);
}

int sq_session_delete(store_conn *c, const uint8_t *hash)
{
    static const char sql[] = "DELETE FROM session WHERE id_hash = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_sessions_delete_voter(store_conn *c, int64_t voter)
{
    static const char sql[] = "DELETE FROM session WHERE voter_id = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, voter);
    return sq_step_done(st);
}

int sq_sessions_delete_others(store_conn *c, int64_t voter, const uint8_t *keep)
{
    static const char sql[] = "DELETE FROM session WHERE voter_id = ? AND id_hash <> ?";
    static const uint8_t none[STORE_HASH_BYTES];     /* no session has this hash */
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, voter);
    sqlite3_bind_blob(st, 2, keep != NULL ? keep : none, STORE_HASH_BYTES, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_throttle_get(store_conn *c, const char *key, store_throttle *t)
{
    static const char sql[] =
        "SELECT failures, next_allowed, locked_until FROM throttle WHERE key = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    memset(t, 0, sizeof *t);
    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->failures = sqlite3_column_int64(st, 0);
        t->next_allowed = sqlite3_column_int64(st, 1);
        t->locked_until = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return sq_map_rc(rc);
}

int sq_throttle_put(store_conn *c, const char *key, const store_throttle *t)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO throttle(key, failures, next_allowed, locked_until)"
        " VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t->failures);
    sqlite3_bind_int64(st, 3, t->next_allowed);
    sqlite3_bind_int64(st, 4, t->locked_until);
    return sq_step_done(st);
}

int sq_nonce_use(store_conn *c, const uint8_t *hash, int64_t expires)
{
    static const char sql[] = "INSERT INTO nonce(hash, expires) VALUES (?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, hash, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, expires);
    return sq_step_done(st);
}
