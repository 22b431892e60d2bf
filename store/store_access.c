/* store_access.c - voter accounts, one-time links, sessions, throttles,
 * single-use values. */
#include "store_backend.h"

#include <string.h>

#define ACCESS_SELECT \
    "SELECT id, number, struck, password_hash, defi_question, defi_hash, lang," \
    " EXISTS (SELECT 1 FROM credential_binding b WHERE b.voter_id = voter.id) FROM voter"

/* The account in q's row, rc being what store_sql_row said. */
static int access_row(store_sql *q, int rc, store_access *a)
{
    memset(a, 0, sizeof *a);
    if (rc != STORE_OK)
        return rc;
    a->id = store_sql_i64(q, 0);
    store_sql_copy_text(a->number, sizeof a->number, q, 1);
    a->struck = (int)store_sql_i64(q, 2);
    store_sql_copy_text(a->password_hash, sizeof a->password_hash, q, 3);
    a->defi_question = store_sql_null(q, 4) ? -1 : (int)store_sql_i64(q, 4);
    store_sql_copy_text(a->defi_hash, sizeof a->defi_hash, q, 5);
    store_sql_copy_text(a->lang, sizeof a->lang, q, 6);
    a->has_auth = store_sql_i64(q, 7) != 0;
    return store_sql_end(q);
}

int store_access_by_email(store_tx *tx, const char *address, store_access *a)
{
    store_sql q;
    int rc = store_sql_row(&q, tx, STORE_SQL(ACCESS_SELECT " WHERE id = (SELECT voter_id"
                                             " FROM voter_email WHERE address = $1)",
                                             STORE_TEXT(address)));

    return access_row(&q, rc, a);
}

int store_access_by_id(store_tx *tx, int64_t id, store_access *a)
{
    store_sql q;
    int rc = store_sql_row(&q, tx, STORE_SQL(ACCESS_SELECT " WHERE id = $1", STORE_INT(id)));

    return access_row(&q, rc, a);
}

int store_access_set_password(store_tx *tx, int64_t id, const char *hash)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE voter SET password_hash = $1 WHERE id = $2",
                                      STORE_TEXT(hash), STORE_INT(id)));
}

int store_access_set_defi(store_tx *tx, int64_t id, int question, const char *hash)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE voter SET defi_question = $1, defi_hash = $2"
                                      " WHERE id = $3", STORE_INT(question), STORE_TEXT(hash),
                                      STORE_INT(id)));
}

int store_voter_emails(store_tx *tx, int64_t id, store_text_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare(&q, tx, STORE_SQL("SELECT address FROM voter_email WHERE voter_id = $1"
                                        " ORDER BY address", STORE_INT(id)));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_str(&q, 0), arg);
    return store_sql_stop(&q);
}

int store_voter_scrutins(store_tx *tx, int64_t id, store_scrutin_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare(&q, tx, STORE_SQL("SELECT vs.scrutin, s.voter_id IS NOT NULL"
                                        " FROM voter_scrutin vs LEFT JOIN signature s"
                                        " ON s.voter_id = vs.voter_id AND s.scrutin = vs.scrutin"
                                        " WHERE vs.voter_id = $1 ORDER BY vs.scrutin",
                                        STORE_INT(id)));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_str(&q, 0), (int)store_sql_i64(&q, 1), arg);
    return store_sql_stop(&q);
}

int store_active_voters_each(store_tx *tx, store_id_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0("SELECT id FROM voter WHERE struck = 0"
                                              " ORDER BY id"));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_i64(&q, 0), arg);
    return store_sql_stop(&q);
}

int store_voter_cards_each(store_tx *tx, store_card_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0("SELECT " STORE_CARD_COLUMNS " FROM voter v"
                                              " WHERE v.struck = 0 ORDER BY v.number"));
    return store_cards_run(&q, fn, arg);
}

int store_link_issue(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t voter,
                     int purpose, int64_t expires, int64_t now, int keep)
{
    int rc = store_sql_run(tx, STORE_SQL("UPDATE access_link SET used = 2 WHERE voter_id = $1"
                                         " AND used = 0 AND token_hash NOT IN"
                                         " (SELECT token_hash FROM access_link"
                                         " WHERE voter_id = $1 AND used = 0 AND expires > $2"
                                         " ORDER BY expires DESC, token_hash DESC LIMIT $3)",
                                         STORE_INT(voter), STORE_INT(now),
                                         STORE_INT(keep > 0 ? keep : 0)));

    return rc != STORE_OK
               ? rc
               : store_sql_insert(tx, STORE_SQL("INSERT INTO access_link(token_hash, voter_id,"
                                                " purpose, expires) VALUES ($1, $2, $3, $4)"
                                                " ON CONFLICT DO NOTHING", STORE_HASH(hash),
                                                STORE_INT(voter), STORE_INT(purpose),
                                                STORE_INT(expires)));
}

/* The n integers of the row whose key is hash, into v. */
static int ints_by_hash(store_tx *tx, const char *sql, const uint8_t *hash, int64_t *v, int n)
{
    store_sql q;
    int rc = store_sql_row(&q, tx, STORE_SQL(sql, STORE_HASH(hash)));

    for (int i = 0; rc == STORE_OK && i < n; i++)
        v[i] = store_sql_i64(&q, i);
    return rc == STORE_OK ? store_sql_end(&q) : rc;
}

int store_link_peek(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t *voter,
                    int *purpose, int *used, int64_t *expires)
{
    int64_t v[4];
    int rc = ints_by_hash(tx, "SELECT voter_id, purpose, used, expires FROM access_link"
                              " WHERE token_hash = $1", hash, v, 4);

    if (rc == STORE_OK) {
        *voter = v[0];
        *purpose = (int)v[1];
        *used = (int)v[2];
        *expires = v[3];
    }
    return rc;
}

int store_link_consume(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t now,
                       int64_t *voter, int *purpose)
{
    store_sql q;
    int rc;

    rc = store_sql_row(&q, tx, STORE_SQL("UPDATE access_link SET used = 1 WHERE token_hash = $1"
                                         " AND used = 0 AND expires > $2 RETURNING voter_id,"
                                         " purpose", STORE_HASH(hash), STORE_INT(now)));
    if (rc != STORE_OK)
        return rc;
    *voter = store_sql_i64(&q, 0);
    *purpose = (int)store_sql_i64(&q, 1);
    if ((rc = store_sql_finish(&q)) != STORE_OK)
        return rc;
    /* the voter's other links die with this one */
    return store_sql_run(tx, STORE_SQL("UPDATE access_link SET used = 2 WHERE voter_id = $1"
                                       " AND used = 0", STORE_INT(*voter)));
}

int store_session_insert(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t voter,
                         int64_t now)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO session(id_hash, voter_id, created,"
                                          " last_seen) VALUES ($1, $2, $3, $3)"
                                          " ON CONFLICT DO NOTHING", STORE_HASH(hash),
                                          STORE_INT(voter), STORE_INT(now)));
}

int store_session_get(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t *voter,
                      int64_t *created, int64_t *last_seen)
{
    int64_t v[3];
    int rc = ints_by_hash(tx, "SELECT voter_id, created, last_seen FROM session"
                              " WHERE id_hash = $1", hash, v, 3);

    if (rc == STORE_OK) {
        *voter = v[0];
        *created = v[1];
        *last_seen = v[2];
    }
    return rc;
}

int store_session_touch(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t now)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE session SET last_seen = $1 WHERE id_hash = $2",
                                      STORE_INT(now), STORE_HASH(hash)));
}

int store_session_delete(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES])
{
    return store_sql_run(tx, STORE_SQL("DELETE FROM session WHERE id_hash = $1",
                                       STORE_HASH(hash)));
}

int store_sessions_delete_voter(store_tx *tx, int64_t voter)
{
    return store_sql_run(tx, STORE_SQL("DELETE FROM session WHERE voter_id = $1",
                                       STORE_INT(voter)));
}

int store_sessions_delete_others(store_tx *tx, int64_t voter,
                                 const uint8_t keep[STORE_HASH_BYTES])
{
    static const uint8_t none[STORE_HASH_BYTES];     /* no session has this hash */

    return store_sql_run(tx, STORE_SQL("DELETE FROM session WHERE voter_id = $1"
                                       " AND id_hash <> $2", STORE_INT(voter),
                                       STORE_HASH(keep != NULL ? keep : none)));
}

/* All zero when the key was never seen. */
int store_throttle_get(store_tx *tx, const char *key, store_throttle *t)
{
    store_sql q;
    int rc;

    memset(t, 0, sizeof *t);
    rc = store_sql_row(&q, tx, STORE_SQL("SELECT failures, next_allowed, locked_until FROM"
                                         " throttle WHERE key = $1", STORE_TEXT(key)));
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    t->failures = store_sql_i64(&q, 0);
    t->next_allowed = store_sql_i64(&q, 1);
    t->locked_until = store_sql_i64(&q, 2);
    return store_sql_end(&q);
}

int store_throttle_put(store_tx *tx, const char *key, const store_throttle *t)
{
    return store_sql_run(tx, STORE_SQL("INSERT INTO throttle(key, failures, next_allowed,"
                                       " locked_until) VALUES ($1, $2, $3, $4)"
                                       " ON CONFLICT (key) DO UPDATE SET"
                                       " failures = EXCLUDED.failures,"
                                       " next_allowed = EXCLUDED.next_allowed,"
                                       " locked_until = EXCLUDED.locked_until",
                                       STORE_TEXT(key), STORE_INT(t->failures),
                                       STORE_INT(t->next_allowed),
                                       STORE_INT(t->locked_until)));
}

int store_nonce_use(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t expires)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO nonce(hash, expires) VALUES ($1, $2)"
                                          " ON CONFLICT DO NOTHING", STORE_HASH(hash),
                                          STORE_INT(expires)));
}
