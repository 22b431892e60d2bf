/* store_cred.c - public credentials per scrutin (box), credential bindings
 * and pending reissue requests (registry). */
#include "store_backend.h"

#include <string.h>

int store_voters_without_auth(store_tx *tx, uint64_t *count)
{
    store_sql q;

    store_sql_prepare(&q, tx, "SELECT count(DISTINCT v.id) FROM voter v"
                              " JOIN voter_scrutin s ON s.voter_id = v.id"
                              " LEFT JOIN credential_binding b"
                              " ON b.voter_id = s.voter_id AND b.scrutin = s.scrutin"
                              " WHERE v.struck = 0 AND b.bind IS NULL");
    return store_sql_count(&q, count);
}

static void pair(store_sql *q, store_tx *tx, const char *sql, const char *scrutin,
                 const uint8_t *pub)
{
    store_sql_prepare(q, tx, sql);
    store_sql_text(q, scrutin);
    store_sql_blob(q, pub, 32);
}

int store_credential_add(store_tx *tx, const char *scrutin, const uint8_t pub[32])
{
    store_sql q;

    pair(&q, tx, "INSERT INTO box.scrutin_credential(scrutin, pub, revoked)"
                 " VALUES ($1, $2, 0) ON CONFLICT DO NOTHING", scrutin, pub);
    return store_sql_insert(&q);
}

int store_credential_revoke(store_tx *tx, const char *scrutin, const uint8_t pub[32])
{
    store_sql q;

    pair(&q, tx, "UPDATE box.scrutin_credential SET revoked = 1"
                 " WHERE scrutin = $1 AND pub = $2 AND revoked = 0", scrutin, pub);
    return store_sql_changed(&q, STORE_ENOTFOUND);
}

int store_credential_state(store_tx *tx, const char *scrutin, const uint8_t pub[32], int *state)
{
    store_sql q;
    int rc;

    *state = STORE_CRED_UNKNOWN;
    pair(&q, tx, "SELECT revoked FROM box.scrutin_credential WHERE scrutin = $1 AND pub = $2",
         scrutin, pub);
    rc = store_sql_one(&q);
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    *state = store_sql_i64(&q, 0) ? STORE_CRED_REVOKED : STORE_CRED_ACTIVE;
    store_sql_end(&q);
    return STORE_OK;
}

int store_credential_count(store_tx *tx, uint64_t *n)
{
    store_sql q;

    store_sql_prepare(&q, tx, "SELECT count(*) FROM box.scrutin_credential");
    return store_sql_count(&q, n);
}

int store_credentials_each(store_tx *tx, store_cred_fn fn, void *arg)
{
    store_sql q;
    int rc = STORE_OK, stop = 0;

    store_sql_prepare_scan(&q, tx, "SELECT scrutin, pub, revoked FROM box.scrutin_credential"
                                   " ORDER BY scrutin, pub");
    while (!stop && (rc = store_sql_step(&q)) == STORE_ROW) {
        size_t len = 0;
        const uint8_t *pub = store_sql_bytes(&q, 1, &len);

        stop = len == 32 ? fn(store_sql_str(&q, 0), pub, (int)store_sql_i64(&q, 2), arg)
                         : STORE_EIO;
    }
    store_sql_end(&q);
    return stop ? stop : rc;
}

int store_credentials_clear(store_tx *tx)
{
    return store_sql_exec(tx, "DELETE FROM box.scrutin_credential;"
                              " DELETE FROM credential_binding");
}

int store_binding_put(store_tx *tx, int64_t voter, const char *scrutin,
                      const uint8_t bind[STORE_HASH_BYTES])
{
    store_sql q;

    store_sql_prepare(&q, tx, "INSERT INTO credential_binding(voter_id, scrutin, bind)"
                              " VALUES ($1, $2, $3) ON CONFLICT (voter_id, scrutin)"
                              " DO UPDATE SET bind = EXCLUDED.bind");
    store_sql_int(&q, voter);
    store_sql_text(&q, scrutin);
    store_sql_blob(&q, bind, STORE_HASH_BYTES);
    return store_sql_done(&q);
}

int store_binding_get(store_tx *tx, int64_t voter, const char *scrutin,
                      uint8_t bind[STORE_HASH_BYTES])
{
    store_sql q;
    size_t len = 0;
    const uint8_t *b;
    int rc;

    store_sql_prepare(&q, tx, "SELECT bind FROM credential_binding WHERE voter_id = $1"
                              " AND scrutin = $2");
    store_sql_int(&q, voter);
    store_sql_text(&q, scrutin);
    if ((rc = store_sql_one(&q)) != STORE_OK)
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
    store_sql q;

    store_sql_prepare(&q, tx, "INSERT INTO reissue_request(request, voter_id, body)"
                              " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
    store_sql_text(&q, request);
    store_sql_int(&q, voter);
    store_sql_text(&q, body);
    return store_sql_insert(&q);
}

int store_reissue_delete(store_tx *tx, const char *request)
{
    store_sql q;

    store_sql_prepare(&q, tx, "DELETE FROM reissue_request WHERE request = $1");
    store_sql_text(&q, request);
    return store_sql_changed(&q, STORE_ENOTFOUND);
}

int store_reissues_each(store_tx *tx, store_reissue_fn fn, void *arg)
{
    store_sql q;
    int rc = STORE_OK, stop = 0;

    store_sql_prepare(&q, tx, "SELECT request, voter_id, body FROM reissue_request"
                              " ORDER BY request");
    while (!stop && (rc = store_sql_step(&q)) == STORE_ROW)
        stop = fn(store_sql_str(&q, 0), store_sql_i64(&q, 1), store_sql_str(&q, 2), arg);
    store_sql_end(&q);
    return stop ? stop : rc;
}
