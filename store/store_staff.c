/* store_staff.c - staff accounts and their sessions; the support cell's
 * voter search. */
#include "store_backend.h"

#include <string.h>

#define STAFF_SELECT "SELECT login, role, password_hash, totp_sealed, totp_last," \
    " session_created, session_seen FROM staff"

/* The account in q's row, rc being what store_sql_row said. */
static int staff_row(store_sql *q, int rc, store_staff *s)
{
    size_t len = 0;

    memset(s, 0, sizeof *s);
    if (rc != STORE_OK)
        return rc;
    store_sql_bytes(q, 3, &len);
    if (len != STORE_TOTP_SEALED_BYTES) {
        store_sql_end(q);
        return STORE_EIO;
    }
    store_sql_copy_text(s->login, sizeof s->login, q, 0);
    store_sql_copy_text(s->role, sizeof s->role, q, 1);
    store_sql_copy_text(s->password_hash, sizeof s->password_hash, q, 2);
    store_sql_copy_blob(s->totp_sealed, sizeof s->totp_sealed, q, 3);
    s->totp_last = (uint64_t)store_sql_i64(q, 4);
    s->session_created = store_sql_i64(q, 5);
    s->session_seen = store_sql_i64(q, 6);
    return store_sql_end(q);
}

int store_staff_add(store_tx *tx, const store_staff *s)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO staff(login, role, password_hash,"
                                          " totp_sealed) VALUES ($1, $2, $3, $4)"
                                          " ON CONFLICT DO NOTHING", STORE_TEXT(s->login),
                                          STORE_TEXT(s->role), STORE_TEXT(s->password_hash),
                                          STORE_BLOB(s->totp_sealed, STORE_TOTP_SEALED_BYTES)));
}

int store_staff_get(store_tx *tx, const char *login, store_staff *s)
{
    store_sql q;
    int rc = store_sql_row(&q, tx, STORE_SQL(STAFF_SELECT " WHERE login = $1",
                                             STORE_TEXT(login)));

    return staff_row(&q, rc, s);
}

int store_staff_by_session(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], store_staff *s)
{
    store_sql q;
    int rc = store_sql_row(&q, tx, STORE_SQL(STAFF_SELECT " WHERE session_hash = $1",
                                             STORE_HASH(hash)));

    return staff_row(&q, rc, s);
}

int store_staff_totp_use(store_tx *tx, const char *login, uint64_t step)
{
    return store_sql_change(tx, STORE_ECONFLICT,
                            STORE_SQL("UPDATE staff SET totp_last = $1 WHERE login = $2"
                                      " AND totp_last < $1", STORE_INT(step), STORE_TEXT(login)));
}

int store_staff_password_set(store_tx *tx, const char *login, const char *password_hash)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE staff SET password_hash = $1 WHERE login = $2",
                                      STORE_TEXT(password_hash), STORE_TEXT(login)));
}

int store_staff_session_set(store_tx *tx, const char *login,
                            const uint8_t hash[STORE_HASH_BYTES], int64_t now)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE staff SET session_hash = $1, session_created = $2,"
                                      " session_seen = $2 WHERE login = $3", STORE_HASH(hash),
                                      STORE_INT(now), STORE_TEXT(login)));
}

int store_staff_session_touch(store_tx *tx, const char *login, int64_t now)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE staff SET session_seen = $1 WHERE login = $2",
                                      STORE_INT(now), STORE_TEXT(login)));
}

int store_staff_each(store_tx *tx, store_text_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare(&q, tx, STORE_SQL0("SELECT login FROM staff ORDER BY login"));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_str(&q, 0), arg);
    return store_sql_stop(&q);
}

/* The pattern `LIKE ... ESCAPE '\\'` needs for "starts with query": query's
 * %, _ and \\ escaped, then %. -1 if query is longer than STORE_QUERY_CHARS. */
#define STORE_QUERY_CHARS 128
static int like_prefix(char out[2 * STORE_QUERY_CHARS + 2], const char *query)
{
    size_t n = 0;

    if (strlen(query) > STORE_QUERY_CHARS)
        return -1;
    for (const char *p = query; *p; p++) {      /* the query is a prefix, not a pattern */
        if (*p == '%' || *p == '_' || *p == '\\')
            out[n++] = '\\';
        out[n++] = *p;
    }
    out[n++] = '%';
    out[n] = '\0';
    return 0;
}

/* The statement is the dialect's (store_backend.h): how text is compared
 * in any case differs, and so do the indexes that make it fast. */
int store_voter_search(store_tx *tx, const char *query, int limit, store_card_fn fn, void *arg)
{
    char like[2 * STORE_QUERY_CHARS + 2];
    store_sql q;

    if (like_prefix(like, query) != 0)
        return STORE_ENOTFOUND;
    store_sql_prepare(&q, tx, STORE_SQL(tx->b->sql_voter_search, STORE_TEXT(query),
                                        STORE_TEXT(like), STORE_INT(limit)));
    return store_cards_run(&q, fn, arg);
}
