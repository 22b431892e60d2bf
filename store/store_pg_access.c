/* store_pg_access.c - voter accounts, one-time links, sessions, throttles,
 * single-use values (PostgreSQL). */
#include "store_pg.h"

#include <stdio.h>
#include <string.h>

#define ACCESS_COLUMNS \
    "id, number, struck, password_hash, defi_question, defi_hash, lang," \
    " EXISTS (SELECT 1 FROM credential_binding b WHERE b.voter_id = voter.id)::int"

static int access_row(store_conn *c, const char *sql, const pgs_args *a, store_access *acc)
{
    PGresult *r;
    int rc = pgs_query_one(c, sql, a, &r);

    memset(acc, 0, sizeof *acc);
    if (rc != STORE_OK)
        return rc;
    acc->id = pgs_i64(r, 0, 0);
    pgs_copy_text(acc->number, sizeof acc->number, r, 0, 1);
    acc->struck = (int)pgs_i64(r, 0, 2);
    pgs_copy_text(acc->password_hash, sizeof acc->password_hash, r, 0, 3);
    acc->defi_question = PQgetisnull(r, 0, 4) ? -1 : (int)pgs_i64(r, 0, 4);
    pgs_copy_text(acc->defi_hash, sizeof acc->defi_hash, r, 0, 5);
    pgs_copy_text(acc->lang, sizeof acc->lang, r, 0, 6);
    acc->has_auth = pgs_i64(r, 0, 7) != 0;
    PQclear(r);
    return STORE_OK;
}

int pgs_access_by_email(store_conn *c, const char *address, store_access *acc)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, address);
    return access_row(c, "SELECT " ACCESS_COLUMNS " FROM voter WHERE id ="
                         " (SELECT voter_id FROM voter_email WHERE address = $1)", &a, acc);
}

int pgs_access_by_id(store_conn *c, int64_t id, store_access *acc)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, id);
    return access_row(c, "SELECT " ACCESS_COLUMNS " FROM voter WHERE id = $1", &a, acc);
}

int pgs_access_set_password(store_conn *c, int64_t id, const char *hash)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, hash);
    pgs_int(&a, id);
    return pgs_one_row(c, "UPDATE voter SET password_hash = $1 WHERE id = $2", &a,
                      STORE_ENOTFOUND);
}

int pgs_access_set_defi(store_conn *c, int64_t id, int question, const char *hash)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, question);
    pgs_text(&a, hash);
    pgs_int(&a, id);
    return pgs_one_row(c, "UPDATE voter SET defi_question = $1, defi_hash = $2 WHERE id = $3", &a,
                      STORE_ENOTFOUND);
}

static int text_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_text_fn)fn)(pgs_str(r, i, 0), arg);
}

int pgs_voter_emails(store_conn *c, int64_t id, store_text_fn fn, void *arg)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, id);
    return pgs_each(c, "SELECT address FROM voter_email WHERE voter_id = $1 ORDER BY address", &a,
                   text_row, (void *)fn, arg);
}

static int scrutin_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_scrutin_fn)fn)(pgs_str(r, i, 0), (int)pgs_i64(r, i, 1), arg);
}

int pgs_voter_scrutins(store_conn *c, int64_t id, store_scrutin_fn fn, void *arg)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, id);
    return pgs_each(c, "SELECT vs.scrutin, s.voter_id IS NOT NULL FROM voter_scrutin vs"
                      " LEFT JOIN signature s ON s.voter_id = vs.voter_id"
                      " AND s.scrutin = vs.scrutin WHERE vs.voter_id = $1 ORDER BY vs.scrutin",
                   &a, scrutin_row, (void *)fn, arg);
}

static int id_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_id_fn)fn)(pgs_i64(r, i, 0), arg);
}

int pgs_active_voters_each(store_conn *c, store_id_fn fn, void *arg)
{
    return pgs_scan(c, "SELECT id FROM voter WHERE struck = 0 ORDER BY id", NULL, id_row,
                   (void *)fn, arg);
}

static int card_row(const PGresult *r, int i, void *fn, void *arg)
{
    store_voter_card v = { pgs_str(r, i, 0), pgs_str(r, i, 1), pgs_str(r, i, 2), pgs_str(r, i, 3),
                           pgs_str(r, i, 4), pgs_str(r, i, 5) };

    return ((store_card_fn)fn)(&v, arg);
}

int pgs_cards_run(store_conn *c, const char *sql, const pgs_args *a, store_card_fn fn, void *arg)
{
    return pgs_scan(c, sql, a, card_row, (void *)fn, arg);
}

int pgs_voter_cards_each(store_conn *c, store_card_fn fn, void *arg)
{
    return pgs_cards_run(c, "SELECT " PG_CARD_COLUMNS " FROM voter v WHERE v.struck = 0"
                           " ORDER BY v.number", NULL, fn, arg);
}

int pgs_link_issue(store_conn *c, const uint8_t *hash, int64_t voter, int purpose,
                  int64_t expires, int64_t now, int keep)
{
    pgs_args a = { .n = 0 };
    int rc;

    pgs_int(&a, voter);
    pgs_int(&a, now);
    pgs_int(&a, keep > 0 ? keep : 0);
    rc = pgs_command(c, "UPDATE access_link SET used = 2 WHERE voter_id = $1 AND used = 0 AND"
                     " token_hash NOT IN (SELECT token_hash FROM access_link WHERE voter_id = $1"
                     " AND used = 0 AND expires > $2 ORDER BY expires DESC, token_hash DESC"
                     " LIMIT $3)", &a, NULL);
    if (rc != STORE_OK)
        return rc;
    a.n = 0;
    pgs_blob(&a, hash, STORE_HASH_BYTES);
    pgs_int(&a, voter);
    pgs_int(&a, purpose);
    pgs_int(&a, expires);
    return pgs_insert(c, "INSERT INTO access_link(token_hash, voter_id, purpose, expires)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", &a);
}

int pgs_link_peek(store_conn *c, const uint8_t *hash, int64_t *voter, int *purpose, int *used,
                 int64_t *expires)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    rc = pgs_query_one(c, "SELECT voter_id, purpose, used, expires FROM access_link"
                     " WHERE token_hash = $1", &a, &r);
    if (rc != STORE_OK)
        return rc;
    *voter = pgs_i64(r, 0, 0);
    *purpose = (int)pgs_i64(r, 0, 1);
    *used = (int)pgs_i64(r, 0, 2);
    *expires = pgs_i64(r, 0, 3);
    PQclear(r);
    return rc;
}

int pgs_link_consume(store_conn *c, const uint8_t *hash, int64_t now, int64_t *voter,
                    int *purpose)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    pgs_int(&a, now);
    rc = pgs_query_one(c, "UPDATE access_link SET used = 1 WHERE token_hash = $1 AND used = 0"
                     " AND expires > $2 RETURNING voter_id, purpose", &a, &r);
    if (rc != STORE_OK)
        return rc;
    *voter = pgs_i64(r, 0, 0);
    *purpose = (int)pgs_i64(r, 0, 1);
    PQclear(r);
    /* the voter's other links die with this one */
    a.n = 0;
    pgs_int(&a, *voter);
    return pgs_command(c, "UPDATE access_link SET used = 2 WHERE voter_id = $1 AND used = 0", &a,
                       NULL);
}

int pgs_session_insert(store_conn *c, const uint8_t *hash, int64_t voter, int64_t now)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    pgs_int(&a, voter);
    pgs_int(&a, now);
    return pgs_insert(c, "INSERT INTO session(id_hash, voter_id, created, last_seen)"
                        " VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING", &a);
}

int pgs_session_get(store_conn *c, const uint8_t *hash, int64_t *voter, int64_t *created,
                   int64_t *last_seen)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    rc = pgs_query_one(c, "SELECT voter_id, created, last_seen FROM session WHERE id_hash = $1", &a,
                  &r);
    if (rc != STORE_OK)
        return rc;
    *voter = pgs_i64(r, 0, 0);
    *created = pgs_i64(r, 0, 1);
    *last_seen = pgs_i64(r, 0, 2);
    PQclear(r);
    return rc;
}

int pgs_session_touch(store_conn *c, const uint8_t *hash, int64_t now)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, now);
    pgs_blob(&a, hash, STORE_HASH_BYTES);
    return pgs_one_row(c, "UPDATE session SET last_seen = $1 WHERE id_hash = $2", &a,
                      STORE_ENOTFOUND);
}

int pgs_session_delete(store_conn *c, const uint8_t *hash)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    return pgs_command(c, "DELETE FROM session WHERE id_hash = $1", &a, NULL);
}

int pgs_sessions_delete_voter(store_conn *c, int64_t voter)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, voter);
    return pgs_command(c, "DELETE FROM session WHERE voter_id = $1", &a, NULL);
}

int pgs_sessions_delete_others(store_conn *c, int64_t voter, const uint8_t *keep)
{
    static const uint8_t none[STORE_HASH_BYTES];     /* no session has this hash */
    pgs_args a = { .n = 0 };

    pgs_int(&a, voter);
    pgs_blob(&a, keep != NULL ? keep : none, STORE_HASH_BYTES);
    return pgs_command(c, "DELETE FROM session WHERE voter_id = $1 AND id_hash <> $2", &a, NULL);
}

int pgs_throttle_get(store_conn *c, const char *key, store_throttle *t)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    memset(t, 0, sizeof *t);
    pgs_text(&a, key);
    rc = pgs_query(c, "SELECT failures, next_allowed, locked_until FROM throttle WHERE key = $1",
                  &a, &r);
    if (rc != STORE_OK)
        return rc;
    if (PQntuples(r) == 1) {
        t->failures = pgs_i64(r, 0, 0);
        t->next_allowed = pgs_i64(r, 0, 1);
        t->locked_until = pgs_i64(r, 0, 2);
    }
    PQclear(r);
    return STORE_OK;
}

int pgs_throttle_put(store_conn *c, const char *key, const store_throttle *t)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, key);
    pgs_int(&a, t->failures);
    pgs_int(&a, t->next_allowed);
    pgs_int(&a, t->locked_until);
    return pgs_command(c, "INSERT INTO throttle(key, failures, next_allowed, locked_until)"
                         " VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET"
                         " failures = EXCLUDED.failures, next_allowed = EXCLUDED.next_allowed,"
                         " locked_until = EXCLUDED.locked_until", &a, NULL);
}

int pgs_nonce_use(store_conn *c, const uint8_t *hash, int64_t expires)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    pgs_int(&a, expires);
    return pgs_insert(c, "INSERT INTO nonce(hash, expires) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                     &a);
}
