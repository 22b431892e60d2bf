/* store_pg_box.c - the ballot box and the signature list (PostgreSQL). */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A query binding (int64, text) that answers whether a row exists. */
static int exists2(store_conn *c, const char *sql, int64_t id, const char *text, int *found)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, id);
    pgs_text(&a, text);
    return pgs_exists(c, sql, &a, found);
}

int pgs_voter_eligible(store_conn *c, int64_t voter, const char *scrutin, int *eligible)
{
    return exists2(c, "SELECT 1 FROM voter_scrutin WHERE voter_id = $1 AND scrutin = $2", voter,
                   scrutin, eligible);
}

int pgs_signature_exists(store_conn *c, int64_t voter, const char *scrutin, int *exists)
{
    return exists2(c, "SELECT 1 FROM signature WHERE voter_id = $1 AND scrutin = $2", voter,
                   scrutin, exists);
}

int pgs_signature_add(store_conn *c, int64_t voter, const char *scrutin)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, voter);
    pgs_text(&a, scrutin);
    return pgs_insert(c, "INSERT INTO signature(voter_id, scrutin) VALUES ($1, $2)"
                        " ON CONFLICT DO NOTHING", &a);
}

int pgs_credential_use(store_conn *c, const char *scrutin, const uint8_t *pub)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, scrutin);
    pgs_blob(&a, pub, 32);
    return pgs_insert(c, "INSERT INTO box.used_credential(scrutin, pub) VALUES ($1, $2)"
                        " ON CONFLICT DO NOTHING", &a);
}

int pgs_alpha_add(store_conn *c, const uint8_t *hash)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    return pgs_insert(c, "INSERT INTO box.alpha(hash) VALUES ($1) ON CONFLICT DO NOTHING", &a);
}

/* PostgreSQL lays rows out itself (heap pages, MVCC versions, WAL): there
 * are no slots to reserve (docs/threat-model.md says what its files keep). */
int pgs_box_reserve(store_conn *c, const char *scrutin, size_t payload)
{
    (void)c;
    (void)scrutin;
    (void)payload;
    return STORE_OK;
}

int pgs_ballot_add(store_conn *c, const uint8_t *tracker, const char *scrutin, const char *body,
                  const uint8_t *wire, size_t wirelen)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, tracker, STORE_HASH_BYTES);
    pgs_text(&a, scrutin);
    pgs_text(&a, body);
    pgs_blob(&a, wire, wirelen);
    return pgs_insert(c, "INSERT INTO box.ballot(tracker, scrutin, body, wire)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", &a);
}

static int body_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_ballot_fn)fn)((const uint8_t *)PQgetvalue(r, i, 0), pgs_str(r, i, 1), arg);
}

static int wire_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_wire_fn)fn)((const uint8_t *)PQgetvalue(r, i, 0),
                               (const uint8_t *)PQgetvalue(r, i, 1),
                               PQgetisnull(r, i, 1) ? 0 : (size_t)PQgetlength(r, i, 1), arg);
}

/* A page of a scrutin's ballots by tracker after `after` (NULL: from the
 * start, the empty byte string sorting first). */
static int page(store_conn *c, const char *sql, const char *scrutin, const uint8_t *after,
                int limit, pgs_row_fn row, void *fn, void *arg)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, scrutin);
    pgs_blob(&a, after != NULL ? after : (const uint8_t *)"", after != NULL ? STORE_HASH_BYTES : 0);
    pgs_int(&a, limit);
    return pgs_each(c, sql, &a, row, fn, arg);
}

int pgs_ballots_page(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_ballot_fn fn, void *arg)
{
    return page(c, "SELECT tracker, body FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                   " ORDER BY tracker LIMIT $3", scrutin, after, limit, body_row, (void *)fn, arg);
}

int pgs_ballots_wire(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_wire_fn fn, void *arg)
{
    return page(c, "SELECT tracker, wire FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                   " ORDER BY tracker LIMIT $3", scrutin, after, limit, wire_row, (void *)fn, arg);
}

int pgs_ballot_get(store_conn *c, const uint8_t *tracker, char *scrutin, char **body)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    pgs_blob(&a, tracker, STORE_HASH_BYTES);
    rc = pgs_query_one(c, "SELECT scrutin, body FROM box.ballot WHERE tracker = $1", &a, &r);
    if (rc != STORE_OK)
        return rc;
    pgs_copy_text(scrutin, STORE_SCRUTIN_CHARS + 1, r, 0, 0);
    *body = strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    return *body != NULL ? STORE_OK : STORE_ENOMEM;
}

int pgs_box_state_get(store_conn *c, const char *scrutin, uint64_t *count, uint8_t *digest)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    *count = 0;
    memset(digest, 0, 32);
    pgs_text(&a, scrutin);
    if ((rc = pgs_query(c, "SELECT count, digest FROM box.state WHERE scrutin = $1", &a, &r)) !=
        STORE_OK)
        return rc;
    if (PQntuples(r) == 1) {
        *count = (uint64_t)pgs_i64(r, 0, 0);
        pgs_copy_blob(digest, 32, r, 0, 1);
    }
    PQclear(r);
    return STORE_OK;
}

int pgs_box_state_put(store_conn *c, const char *scrutin, uint64_t count, const uint8_t *digest)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, scrutin);
    pgs_int(&a, (int64_t)count);
    pgs_blob(&a, digest, 32);
    return pgs_command(c, "INSERT INTO box.state(scrutin, count, digest) VALUES ($1, $2, $3)"
                         " ON CONFLICT (scrutin) DO UPDATE SET count = EXCLUDED.count,"
                         " digest = EXCLUDED.digest", &a, NULL);
}

static int turnout_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_turnout_fn)fn)(pgs_str(r, i, 0), pgs_str(r, i, 1), (uint64_t)pgs_i64(r, i, 2),
                                  (uint64_t)pgs_i64(r, i, 3), arg);
}

int pgs_turnout_each(store_conn *c, store_turnout_fn fn, void *arg)
{
    return pgs_each(c, "SELECT vs.scrutin, v.establishment, count(s.voter_id), count(*)"
                      " FROM voter_scrutin vs JOIN voter v ON v.id = vs.voter_id AND v.struck = 0"
                      " LEFT JOIN signature s ON s.voter_id = vs.voter_id"
                      " AND s.scrutin = vs.scrutin GROUP BY vs.scrutin, v.establishment"
                      " ORDER BY vs.scrutin, v.establishment", NULL, turnout_row, (void *)fn, arg);
}

static int signature_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_signature_fn)fn)(pgs_str(r, i, 0), pgs_str(r, i, 1), arg);
}

int pgs_signatures_each(store_conn *c, store_signature_fn fn, void *arg)
{
    return pgs_scan(c, "SELECT s.scrutin, v.number FROM signature s JOIN voter v"
                      " ON v.id = s.voter_id ORDER BY s.scrutin, v.number", NULL, signature_row,
                   (void *)fn, arg);
}

/* A heap table keeps rows where they were inserted, and each row's xmin
 * names the transaction that wrote it: both tell who voted when. Copy each
 * table of the box into a new one in key order within one transaction (every
 * row then carries the same xmin), and drop the old one. */
int pgs_box_rewrite(store_conn *c)
{
    static const char *tables[][2] = {
        { "ballot", "tracker" }, { "used_credential", "scrutin, pub" }, { "alpha", "hash" },
        { "scrutin_credential", "scrutin, pub" }, { "state", "scrutin" },
    };
    char sql[512];
    int rc;

    if ((rc = pgs_begin_write(c, PG_BOX_ROLE)) != STORE_OK)
        return rc;
    for (size_t i = 0; i < sizeof tables / sizeof *tables && rc == STORE_OK; i++) {
        const char *t = tables[i][0];

        snprintf(sql, sizeof sql,
                 "CREATE TABLE box.%s_new (LIKE box.%s INCLUDING ALL);"
                 "INSERT INTO box.%s_new SELECT * FROM box.%s ORDER BY %s;"
                 "DROP TABLE box.%s; ALTER TABLE box.%s_new RENAME TO %s",
                 t, t, t, t, tables[i][1], t, t, t);
        rc = pgs_exec(c, sql);
    }
    if (rc == STORE_OK)
        rc = pgs_exec(c, "COMMIT");
    if (rc != STORE_OK)
        pgs_exec(c, "ROLLBACK");
    return rc;
}
