/* store_pg_cred.c - public credentials per scrutin (box), credential bindings
 * and pending reissue requests (registry), on PostgreSQL. */
#include "store_pg.h"

#include <string.h>

int pgs_voters_without_auth(store_conn *c, uint64_t *count)
{
    return pgs_count(c, "SELECT count(DISTINCT v.id) FROM voter v"
                        " JOIN voter_scrutin s ON s.voter_id = v.id"
                        " LEFT JOIN credential_binding b"
                        " ON b.voter_id = s.voter_id AND b.scrutin = s.scrutin"
                        " WHERE v.struck = 0 AND b.bind IS NULL", NULL, count);
}

int pgs_credential_add(store_conn *c, const char *scrutin, const uint8_t *pub)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, scrutin);
    pgs_blob(&a, pub, 32);
    return pgs_insert(c, "INSERT INTO box.scrutin_credential(scrutin, pub, revoked)"
                         " VALUES ($1, $2, 0) ON CONFLICT DO NOTHING", &a);
}

int pgs_credential_revoke(store_conn *c, const char *scrutin, const uint8_t *pub)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, scrutin);
    pgs_blob(&a, pub, 32);
    return pgs_one_row(c, "UPDATE box.scrutin_credential SET revoked = 1"
                          " WHERE scrutin = $1 AND pub = $2 AND revoked = 0", &a, STORE_ENOTFOUND);
}

int pgs_credential_state(store_conn *c, const char *scrutin, const uint8_t *pub, int *state)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    pgs_text(&a, scrutin);
    pgs_blob(&a, pub, 32);
    rc = pgs_query_one(c, "SELECT revoked FROM box.scrutin_credential"
                          " WHERE scrutin = $1 AND pub = $2", &a, &r);
    *state = STORE_CRED_UNKNOWN;
    if (rc == STORE_ENOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    *state = pgs_i64(r, 0, 0) ? STORE_CRED_REVOKED : STORE_CRED_ACTIVE;
    PQclear(r);
    return STORE_OK;
}

int pgs_credential_count(store_conn *c, uint64_t *n)
{
    return pgs_count(c, "SELECT count(*) FROM box.scrutin_credential", NULL, n);
}

static int cred_row(const PGresult *r, int i, void *fn, void *arg)
{
    if (PQgetlength(r, i, 1) != 32)
        return STORE_EIO;
    return ((store_cred_fn)fn)(pgs_str(r, i, 0), (const uint8_t *)PQgetvalue(r, i, 1),
                               (int)pgs_i64(r, i, 2), arg);
}

int pgs_credentials_each(store_conn *c, store_cred_fn fn, void *arg)
{
    return pgs_scan(c, "SELECT scrutin, pub, revoked FROM box.scrutin_credential"
                       " ORDER BY scrutin, pub", NULL, cred_row, (void *)fn, arg);
}

int pgs_credentials_clear(store_conn *c)
{
    return pgs_exec(c, "DELETE FROM box.scrutin_credential; DELETE FROM credential_binding");
}

int pgs_binding_put(store_conn *c, int64_t voter, const char *scrutin, const uint8_t *bind)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, voter);
    pgs_text(&a, scrutin);
    pgs_blob(&a, bind, STORE_HASH_BYTES);
    return pgs_command(c, "INSERT INTO credential_binding(voter_id, scrutin, bind)"
                          " VALUES ($1, $2, $3) ON CONFLICT (voter_id, scrutin)"
                          " DO UPDATE SET bind = EXCLUDED.bind", &a, NULL);
}

int pgs_binding_get(store_conn *c, int64_t voter, const char *scrutin, uint8_t *bind)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    pgs_int(&a, voter);
    pgs_text(&a, scrutin);
    rc = pgs_query_one(c, "SELECT bind FROM credential_binding WHERE voter_id = $1"
                          " AND scrutin = $2", &a, &r);
    if (rc != STORE_OK)
        return rc;
    if (PQgetlength(r, 0, 0) != STORE_HASH_BYTES)
        rc = STORE_EIO;
    else
        memcpy(bind, PQgetvalue(r, 0, 0), STORE_HASH_BYTES);
    PQclear(r);
    return rc;
}

int pgs_reissue_put(store_conn *c, const char *request, int64_t voter, const char *body)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, request);
    pgs_int(&a, voter);
    pgs_text(&a, body);
    return pgs_insert(c, "INSERT INTO reissue_request(request, voter_id, body)"
                         " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", &a);
}

int pgs_reissue_delete(store_conn *c, const char *request)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, request);
    return pgs_one_row(c, "DELETE FROM reissue_request WHERE request = $1", &a, STORE_ENOTFOUND);
}

static int reissue_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_reissue_fn)fn)(pgs_str(r, i, 0), pgs_i64(r, i, 1), pgs_str(r, i, 2), arg);
}

int pgs_reissues_each(store_conn *c, store_reissue_fn fn, void *arg)
{
    return pgs_each(c, "SELECT request, voter_id, body FROM reissue_request ORDER BY request",
                    NULL, reissue_row, (void *)fn, arg);
}
