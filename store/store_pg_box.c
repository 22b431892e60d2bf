/* store_pg_box.c - the ballot box on PostgreSQL: rows of the box schema's
 * tables, which compacting rewrites in key order. */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A statement on c outside store_write and store_read's transactions' own
 * handle: the box's operations get the connection alone. */
static void box_sql(store_sql *q, store_tx *tx, store_conn *c, const char *sql)
{
    *tx = (store_tx){ &store_backend_pg, c, NULL };
    store_sql_prepare(q, tx, sql);
}

int pgs_credential_use(store_conn *c, const char *scrutin, const uint8_t pub[32])
{
    store_tx tx;
    store_sql q;

    box_sql(&q, &tx, c, "INSERT INTO box.used_credential(scrutin, pub) VALUES ($1, $2)"
                        " ON CONFLICT DO NOTHING");
    store_sql_text(&q, scrutin);
    store_sql_blob(&q, pub, 32);
    return store_sql_insert(&q);
}

int pgs_alpha_add(store_conn *c, const uint8_t hash[STORE_HASH_BYTES])
{
    store_tx tx;
    store_sql q;

    box_sql(&q, &tx, c, "INSERT INTO box.alpha(hash) VALUES ($1) ON CONFLICT DO NOTHING");
    store_sql_blob(&q, hash, STORE_HASH_BYTES);
    return store_sql_insert(&q);
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

int pgs_ballot_add(store_conn *c, const uint8_t tracker[STORE_HASH_BYTES], const char *scrutin,
                   const char *body, const uint8_t *wire, size_t wirelen)
{
    store_tx tx;
    store_sql q;

    box_sql(&q, &tx, c, "INSERT INTO box.ballot(tracker, scrutin, body, wire)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
    store_sql_blob(&q, tracker, STORE_HASH_BYTES);
    store_sql_text(&q, scrutin);
    store_sql_text(&q, body);
    store_sql_blob(&q, wire, wirelen);
    return store_sql_insert(&q);
}

/* A page of a scrutin's ballots by tracker after `after` (NULL: from the
 * start, the empty byte string sorting first). */
static void page(store_sql *q, store_tx *tx, store_conn *c, const char *sql,
                 const char *scrutin, const uint8_t *after, int limit)
{
    box_sql(q, tx, c, sql);
    store_sql_text(q, scrutin);
    store_sql_blob(q, after != NULL ? after : (const uint8_t *)"",
                   after != NULL ? STORE_HASH_BYTES : 0);
    store_sql_int(q, limit);
}

int pgs_ballots_page(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                     store_ballot_fn fn, void *arg)
{
    store_tx tx;
    store_sql q;
    int rc = STORE_OK, stop = 0;

    page(&q, &tx, c, "SELECT tracker, body FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                     " ORDER BY tracker LIMIT $3", scrutin, after, limit);
    while (!stop && (rc = store_sql_step(&q)) == STORE_ROW) {
        size_t len;

        stop = fn(store_sql_bytes(&q, 0, &len), store_sql_str(&q, 1), arg);
    }
    store_sql_end(&q);
    return stop ? stop : rc;
}

int pgs_ballots_wire(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                     store_wire_fn fn, void *arg)
{
    store_tx tx;
    store_sql q;
    int rc = STORE_OK, stop = 0;

    page(&q, &tx, c, "SELECT tracker, wire FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                     " ORDER BY tracker LIMIT $3", scrutin, after, limit);
    while (!stop && (rc = store_sql_step(&q)) == STORE_ROW) {
        size_t len, wirelen = 0;
        const uint8_t *tracker = store_sql_bytes(&q, 0, &len);
        const uint8_t *wire = store_sql_bytes(&q, 1, &wirelen);

        stop = fn(tracker, wire, wire != NULL ? wirelen : 0, arg);
    }
    store_sql_end(&q);
    return stop ? stop : rc;
}

int pgs_ballot_get(store_conn *c, const uint8_t tracker[STORE_HASH_BYTES],
                   char scrutin[STORE_SCRUTIN_CHARS + 1], char **body)
{
    store_tx tx;
    store_sql q;
    int rc;

    box_sql(&q, &tx, c, "SELECT scrutin, body FROM box.ballot WHERE tracker = $1");
    store_sql_blob(&q, tracker, STORE_HASH_BYTES);
    if ((rc = store_sql_one(&q)) != STORE_OK)
        return rc;
    store_sql_copy_text(scrutin, STORE_SCRUTIN_CHARS + 1, &q, 0);
    *body = strdup(store_sql_str(&q, 1));
    store_sql_end(&q);
    return *body != NULL ? STORE_OK : STORE_ENOMEM;
}

int pgs_ballot_count(store_conn *c, uint64_t *n)
{
    store_tx tx;
    store_sql q;

    box_sql(&q, &tx, c, "SELECT count(*) FROM box.ballot");
    return store_sql_count(&q, n);
}

int pgs_box_state_get(store_conn *c, const char *scrutin, uint64_t *count, uint8_t digest[32])
{
    store_tx tx;
    store_sql q;
    int rc;

    *count = 0;
    memset(digest, 0, 32);
    box_sql(&q, &tx, c, "SELECT count, digest FROM box.state WHERE scrutin = $1");
    store_sql_text(&q, scrutin);
    if ((rc = store_sql_one(&q)) != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    *count = (uint64_t)store_sql_i64(&q, 0);
    store_sql_copy_blob(digest, 32, &q, 1);
    store_sql_end(&q);
    return STORE_OK;
}

int pgs_box_state_put(store_conn *c, const char *scrutin, uint64_t count,
                      const uint8_t digest[32])
{
    store_tx tx;
    store_sql q;

    box_sql(&q, &tx, c, "INSERT INTO box.state(scrutin, count, digest) VALUES ($1, $2, $3)"
                        " ON CONFLICT (scrutin) DO UPDATE SET count = EXCLUDED.count,"
                        " digest = EXCLUDED.digest");
    store_sql_text(&q, scrutin);
    store_sql_int(&q, (int64_t)count);
    store_sql_blob(&q, digest, 32);
    return store_sql_done(&q);
}

int pgs_box_wipe(store_conn *c)
{
    return pgs_exec(c, "DELETE FROM box.ballot; DELETE FROM box.state");
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
