/* store_cred.c - public credentials per scrutin (box), credential bindings
 * and pending reissue requests (registry). */
#include "store_backend.h"

#include <string.h>

int store_voters_without_auth(store_tx *tx, uint64_t *count)
{
    return store_sql_count(tx, count, STORE_SQL0("SELECT count(DISTINCT v.id) FROM voter v"
                                                 " JOIN voter_scrutin s ON s.voter_id = v.id"
                                                 " LEFT JOIN credential_binding b"
                                                 " ON b.voter_id = s.voter_id"
                                                 " AND b.scrutin = s.scrutin"
                                                 " WHERE v.struck = 0 AND b.bind IS NULL"));
}

int store_credential_add(store_tx *tx, const char *scrutin, const uint8_t pub[32])
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO box.scrutin_credential(scrutin, pub,"
                                          " revoked) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
                                          STORE_TEXT(scrutin), STORE_BLOB(pub, 32)));
}

int store_credential_revoke(store_tx *tx, const char *scrutin, const uint8_t pub[32])
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE box.scrutin_credential SET revoked = 1"
                                      " WHERE scrutin = $1 AND pub = $2 AND revoked = 0",
                                      STORE_TEXT(scrutin), STORE_BLOB(pub, 32)));
}

int store_credential_state(store_tx *tx, const char *scrutin, const uint8_t pub[32], int *state)
{
    store_sql q;
    int rc;

    *state = STORE_CRED_UNKNOWN;
    rc = store_sql_row(&q, tx, STORE_SQL("SELECT revoked FROM box.scrutin_credential WHERE"
                                         " scrutin = $1 AND pub = $2",
                                         STORE_TEXT(scrutin), STORE_BLOB(pub, 32)));
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    *state = store_sql_i64(&q, 0) ? STORE_CRED_REVOKED : STORE_CRED_ACTIVE;
    return store_sql_end(&q);
}

int store_credential_count(store_tx *tx, uint64_t *n)
{
    return store_sql_count(tx, n, STORE_SQL0("SELECT count(*) FROM box.scrutin_credential"));
}

int store_credentials_each(store_tx *tx, store_cred_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0("SELECT scrutin, pub, revoked"
                                              " FROM box.scrutin_credential"
                                              " ORDER BY scrutin, pub"));
    while (store_sql_next(&q)) {
        size_t len = 0;
        const uint8_t *pub = store_sql_bytes(&q, 1, &len);

        q.stop = len != 32 ? STORE_EIO
                           : fn(store_sql_str(&q, 0), pub, (int)store_sql_i64(&q, 2), arg);
    }
    return store_sql_stop(&q);
}

int store_credentials_clear(store_tx *tx)
{
    return store_sql_exec(tx, "DELETE FROM box.scrutin_credential;"
                              " DELETE FROM credential_binding");
}

int store_binding_put(store_tx *tx, int64_t voter, const char *scrutin,
                      const uint8_t bind[STORE_HASH_BYTES])
{
    return store_sql_run(tx, STORE_SQL("INSERT INTO credential_binding(voter_id, scrutin, bind)"
                                       " VALUES ($1, $2, $3) ON CONFLICT (voter_id, scrutin)"
                                       " DO UPDATE SET bind = EXCLUDED.bind", STORE_INT(voter),
                                       STORE_TEXT(scrutin), STORE_HASH(bind)));
}

int store_binding_get(store_tx *tx, int64_t voter, const char *scrutin,
                      uint8_t bind[STORE_HASH_BYTES])
{
    store_sql q;
    size_t len = 0;
    const uint8_t *b;
    int rc;

    rc = store_sql_row(&q, tx, STORE_SQL("SELECT bind FROM credential_binding WHERE voter_id ="
                                         " $1 AND scrutin = $2",
                                         STORE_INT(voter), STORE_TEXT(scrutin)));
    if (rc != STORE_OK)
        return rc;
    b = store_sql_bytes(&q, 0, &len);
    if (b == NULL || len != STORE_HASH_BYTES)
        rc = STORE_EIO;
    else
        memcpy(bind, b, STORE_HASH_BYTES);
    store_sql_end(&q);
    return rc;
}

int store_reissue_put(store_tx *tx, const char *request, int64_t voter, const char *body)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO reissue_request(request, voter_id, body)"
                                          " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                          STORE_TEXT(request), STORE_INT(voter),
                                          STORE_TEXT(body)));
}

int store_reissue_delete(store_tx *tx, const char *request)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("DELETE FROM reissue_request WHERE request = $1",
                                      STORE_TEXT(request)));
}

int store_reissues_each(store_tx *tx, store_reissue_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare(&q, tx, STORE_SQL0("SELECT request, voter_id, body FROM reissue_request"
                                         " ORDER BY request"));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_str(&q, 0), store_sql_i64(&q, 1), store_sql_str(&q, 2), arg);
    return store_sql_stop(&q);
}
