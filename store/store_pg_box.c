/* store_pg_box.c - the ballot box on PostgreSQL: rows of the box schema's
 * tables, which compacting rewrites in key order. */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The box's operations get the connection alone; the statement layer wants
 * a transaction's handle. */
#define TX(c) (&(store_tx){ &store_backend_pg, (c), NULL })

int pgs_credential_use(store_conn *c, const char *scrutin, const uint8_t pub[32])
{
    return store_sql_insert(TX(c), STORE_SQL("INSERT INTO box.used_credential(scrutin, pub)"
                                             " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                             STORE_TEXT(scrutin), STORE_BLOB(pub, 32)));
}

int pgs_alpha_add(store_conn *c, const uint8_t hash[STORE_HASH_BYTES])
{
    return store_sql_insert(TX(c), STORE_SQL("INSERT INTO box.alpha(hash) VALUES ($1)"
                                             " ON CONFLICT DO NOTHING", STORE_HASH(hash)));
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
    return store_sql_insert(TX(c), STORE_SQL("INSERT INTO box.ballot(tracker, scrutin, body,"
                                             " wire) VALUES ($1, $2, $3, $4)"
                                             " ON CONFLICT DO NOTHING", STORE_HASH(tracker),
                                             STORE_TEXT(scrutin), STORE_TEXT(body),
                                             STORE_BLOB(wire, wirelen)));
}

/* Whom a page's rows go to: each ballot's body, or its compact form, or its
 * tracker alone (the one set). */
typedef struct {
    store_ballot_fn body;
    store_wire_fn wire;
    store_tracker_fn tracker;
    void *arg;
} page_to;

/* A page of a scrutin's ballots by tracker after `after` (NULL: from the
 * start, the empty byte string sorting first): tracker and the column the
 * reader wants, if any. */
static int page(store_conn *c, const char *sql, const char *scrutin, const uint8_t *after,
                int limit, const page_to *to)
{
    store_sql q;
    size_t len, wirelen;

    store_sql_prepare(&q, TX(c), STORE_SQL(sql, STORE_TEXT(scrutin),
                                           STORE_BLOB(after != NULL ? after : (const uint8_t *)"",
                                                      after != NULL ? STORE_HASH_BYTES : 0),
                                           STORE_INT(limit)));
    while (store_sql_next(&q)) {
        const uint8_t *t = store_sql_bytes(&q, 0, &len), *wire;

        if (to->tracker != NULL) {
            q.stop = to->tracker(t, to->arg);
        } else if (to->body != NULL) {
            q.stop = to->body(t, store_sql_str(&q, 1), to->arg);
        } else {
            wire = store_sql_bytes(&q, 1, &wirelen);
            q.stop = to->wire(t, wire, wire != NULL ? wirelen : 0, to->arg);
        }
    }
    return store_sql_stop(&q);
}

int pgs_ballots_page(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                     store_ballot_fn fn, void *arg)
{
    return page(c, "SELECT tracker, body FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                   " ORDER BY tracker LIMIT $3", scrutin, after, limit,
                &(page_to){ fn, NULL, NULL, arg });
}

int pgs_ballots_wire(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                     store_wire_fn fn, void *arg)
{
    return page(c, "SELECT tracker, wire FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                   " ORDER BY tracker LIMIT $3", scrutin, after, limit,
                &(page_to){ NULL, fn, NULL, arg });
}

int pgs_trackers_page(store_conn *c, const char *scrutin, const uint8_t *from, int descending,
                      int limit, store_tracker_fn fn, void *arg)
{
    uint8_t past_last[STORE_HASH_BYTES + 1];    /* 0xff...: after every 32-byte tracker */
    store_sql q;
    size_t len;

    memset(past_last, 0xff, sizeof past_last);
    if (!descending)
        return page(c, "SELECT tracker FROM box.ballot WHERE scrutin = $1 AND tracker > $2"
                       " ORDER BY tracker LIMIT $3", scrutin, from, limit,
                    &(page_to){ NULL, NULL, fn, arg });
    store_sql_prepare(&q, TX(c), STORE_SQL("SELECT tracker FROM box.ballot WHERE scrutin = $1"
                                           " AND tracker < $2 ORDER BY tracker DESC LIMIT $3",
                                           STORE_TEXT(scrutin),
                                           STORE_BLOB(from != NULL ? from : past_last,
                                                      from != NULL ? STORE_HASH_BYTES
                                                                   : sizeof past_last),
                                           STORE_INT(limit)));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_bytes(&q, 0, &len), arg);
    return store_sql_stop(&q);
}

int pgs_ballot_get(store_conn *c, const uint8_t tracker[STORE_HASH_BYTES],
                   char scrutin[STORE_SCRUTIN_CHARS + 1], char **body)
{
    store_sql q;
    int rc;

    rc = store_sql_row(&q, TX(c), STORE_SQL("SELECT scrutin, body FROM box.ballot WHERE tracker"
                                            " = $1", STORE_HASH(tracker)));
    if (rc != STORE_OK)
        return rc;
    store_sql_copy_text(scrutin, STORE_SCRUTIN_CHARS + 1, &q, 0);
    *body = strdup(store_sql_str(&q, 1));
    store_sql_end(&q);
    return *body != NULL ? STORE_OK : STORE_ENOMEM;
}

int pgs_ballot_count(store_conn *c, uint64_t *n)
{
    return store_sql_count(TX(c), n, STORE_SQL0("SELECT count(*) FROM box.ballot"));
}

int pgs_box_state_get(store_conn *c, const char *scrutin, uint64_t *count, uint8_t digest[32])
{
    store_sql q;
    int rc;

    *count = 0;
    memset(digest, 0, 32);
    rc = store_sql_row(&q, TX(c), STORE_SQL("SELECT count, digest FROM box.state WHERE scrutin ="
                                            " $1", STORE_TEXT(scrutin)));
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    *count = (uint64_t)store_sql_i64(&q, 0);
    store_sql_copy_blob(digest, 32, &q, 1);
    return store_sql_end(&q);
}

int pgs_box_state_put(store_conn *c, const char *scrutin, uint64_t count,
                      const uint8_t digest[32])
{
    return store_sql_run(TX(c), STORE_SQL("INSERT INTO box.state(scrutin, count, digest)"
                                          " VALUES ($1, $2, $3) ON CONFLICT (scrutin)"
                                          " DO UPDATE SET count = EXCLUDED.count,"
                                          " digest = EXCLUDED.digest", STORE_TEXT(scrutin),
                                          STORE_INT(count), STORE_BLOB(digest, 32)));
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
