/* store_sqlite_cred.c - public credentials per scrutin (box), credential
 * bindings and pending reissue requests (registry). */
#include "store_sqlite.h"

#include <string.h>

int sq_voters_without_auth(store_conn *c, uint64_t *count)
{
    return sq_count_query(c, "SELECT count(DISTINCT v.id) FROM voter v"
                             " JOIN voter_scrutin s ON s.voter_id = v.id"
                             " LEFT JOIN credential_binding b"
                             " ON b.voter_id = s.voter_id AND b.scrutin = s.scrutin"
                             " WHERE v.struck = 0 AND b.bind IS NULL", count);
}

static sqlite3_stmt *bind_pair(store_conn *c, const char *sql, const char *scrutin,
                               const uint8_t *pub)
{
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st != NULL) {
        sqlite3_bind_text(st, 1, scrutin, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, pub, 32, SQLITE_STATIC);
    }
    return st;
}

int sq_credential_add(store_conn *c, const char *scrutin, const uint8_t *pub)
{
    sqlite3_stmt *st = bind_pair(c, "INSERT INTO box.scrutin_credential(scrutin, pub, revoked)"
                                    " VALUES (?, ?, 0)", scrutin, pub);

    return st == NULL ? STORE_EIO : sq_step_done(st);
}

int sq_credential_revoke(store_conn *c, const char *scrutin, const uint8_t *pub)
{
    sqlite3_stmt *st = bind_pair(c, "UPDATE box.scrutin_credential SET revoked = 1"
                                    " WHERE scrutin = ? AND pub = ? AND revoked = 0",
                                 scrutin, pub);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    if ((rc = sq_step_done(st)) != STORE_OK)
        return rc;
    return sqlite3_changes(c->db) == 1 ? STORE_OK : STORE_ENOTFOUND;
}

int sq_credential_state(store_conn *c, const char *scrutin, const uint8_t *pub, int *state)
{
    sqlite3_stmt *st = bind_pair(c, "SELECT revoked FROM box.scrutin_credential"
                                    " WHERE scrutin = ? AND pub = ?", scrutin, pub);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    rc = sqlite3_step(st);
    *state = rc != SQLITE_ROW ? STORE_CRED_UNKNOWN
             : sqlite3_column_int(st, 0) ? STORE_CRED_REVOKED : STORE_CRED_ACTIVE;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sq_map_rc(rc);
}

int sq_credential_count(store_conn *c, uint64_t *n)
{
    return sq_count_query(c, "SELECT count(*) FROM box.scrutin_credential", n);
}

int sq_credentials_each(store_conn *c, store_cred_fn fn, void *arg)
{
    static const char sql[] = "SELECT scrutin, pub, revoked FROM box.scrutin_credential"
                              " ORDER BY scrutin, pub";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = sqlite3_column_bytes(st, 1) == 32
                   ? fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_blob(st, 1),
                        sqlite3_column_int(st, 2), arg)
                   : STORE_EIO;
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}

int sq_credentials_clear(store_conn *c)
{
    return sq_exec(c, "DELETE FROM box.scrutin_credential; DELETE FROM credential_binding;");
}

int sq_binding_put(store_conn *c, int64_t voter, const char *scrutin, const uint8_t *bind)
{
    static const char sql[] = "INSERT OR REPLACE INTO credential_binding(voter_id, scrutin, bind)"
                              " VALUES (?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, voter);
    sqlite3_bind_text(st, 2, scrutin, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, bind, STORE_HASH_BYTES, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_binding_get(store_conn *c, int64_t voter, const char *scrutin, uint8_t *bind)
{
    static const char sql[] = "SELECT bind FROM credential_binding"
                              " WHERE voter_id = ? AND scrutin = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, voter);
    sqlite3_bind_text(st, 2, scrutin, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) != STORE_HASH_BYTES)
        rc = SQLITE_CORRUPT;
    if (rc == SQLITE_ROW)
        memcpy(bind, sqlite3_column_blob(st, 0), STORE_HASH_BYTES);
    sqlite3_reset(st);
    return sq_row_result(rc);
}

int sq_reissue_put(store_conn *c, const char *request, int64_t voter, const char *body)
{
    static const char sql[] = "INSERT INTO reissue_request(request, voter_id, body)"
                              " VALUES (?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, request, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, voter);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_reissue_delete(store_conn *c, const char *request)
{
    static const char sql[] = "DELETE FROM reissue_request WHERE request = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, request, -1, SQLITE_STATIC);
    if ((rc = sq_step_done(st)) != STORE_OK)
        return rc;
    return sqlite3_changes(c->db) == 1 ? STORE_OK : STORE_ENOTFOUND;
}

int sq_reissues_each(store_conn *c, store_reissue_fn fn, void *arg)
{
    static const char sql[] = "SELECT request, voter_id, body FROM reissue_request"
                              " ORDER BY request";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc, stop = 0;

    if (st == NULL)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                  (const char *)sqlite3_column_text(st, 2), arg);
    sqlite3_reset(st);
    return stop ? stop : sq_map_rc(rc);
}
