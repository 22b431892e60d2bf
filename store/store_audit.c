/* store_audit.c - the audit log and its signed checkpoints. */
#include "store_backend.h"

#include <string.h>

int store_audit_last(store_tx *tx, uint64_t *seq, uint8_t hash[STORE_HASH_BYTES])
{
    store_sql q;
    int rc;

    *seq = 0;
    memset(hash, 0, STORE_HASH_BYTES);
    store_sql_prepare(&q, tx, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    rc = store_sql_one(&q);
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    *seq = (uint64_t)store_sql_i64(&q, 0);
    store_sql_copy_blob(hash, STORE_HASH_BYTES, &q, 1);
    store_sql_end(&q);
    return STORE_OK;
}

int store_audit_insert(store_tx *tx, const store_audit_entry *e)
{
    store_sql q;

    store_sql_prepare(&q, tx, "INSERT INTO audit(seq, time, role, actor, event, payload, prev,"
                              " hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                              " ON CONFLICT DO NOTHING");
    store_sql_int(&q, (int64_t)e->seq);
    store_sql_text(&q, e->time);
    store_sql_text(&q, e->role);
    store_sql_text(&q, e->actor);
    store_sql_text(&q, e->event);
    store_sql_text(&q, e->payload);
    store_sql_blob(&q, e->prev, STORE_HASH_BYTES);
    store_sql_blob(&q, e->hash, STORE_HASH_BYTES);
    return store_sql_insert(&q);
}

int store_audit_count(store_tx *tx, const char *event, uint64_t *n)
{
    store_sql q;

    store_sql_prepare(&q, tx, "SELECT count(*) FROM audit WHERE event = $1");
    store_sql_text(&q, event);
    return store_sql_count(&q, n);
}

int store_audit_each(store_tx *tx, uint64_t from_seq, store_audit_fn fn, void *arg)
{
    store_sql q;
    int rc = STORE_OK, stop = 0;

    store_sql_prepare_scan(&q, tx, "SELECT seq, time, role, actor, event, payload, prev, hash"
                                   " FROM audit WHERE seq >= $1 ORDER BY seq");
    store_sql_int(&q, (int64_t)from_seq);
    while (!stop && (rc = store_sql_step(&q)) == STORE_ROW) {
        store_audit_entry e;

        e.seq = (uint64_t)store_sql_i64(&q, 0);
        store_sql_copy_text(e.time, sizeof e.time, &q, 1);
        e.role = store_sql_str(&q, 2);
        e.actor = store_sql_str(&q, 3);
        e.event = store_sql_str(&q, 4);
        e.payload = store_sql_str(&q, 5);
        store_sql_copy_blob(e.prev, sizeof e.prev, &q, 6);
        store_sql_copy_blob(e.hash, sizeof e.hash, &q, 7);
        stop = fn(&e, arg);
    }
    store_sql_end(&q);
    return stop ? stop : rc;
}

/* A checkpoint already there stays as it is. */
int store_checkpoint_insert(store_tx *tx, const store_checkpoint *cp)
{
    store_sql q;

    store_sql_prepare(&q, tx, "INSERT INTO audit_checkpoint(seq, hash, signature)"
                              " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
    store_sql_int(&q, (int64_t)cp->seq);
    store_sql_blob(&q, cp->hash, STORE_HASH_BYTES);
    store_sql_blob(&q, cp->signature, sizeof cp->signature);
    return store_sql_done(&q);
}

int store_checkpoints_each(store_tx *tx, store_checkpoint_fn fn, void *arg)
{
    store_sql q;
    int rc = STORE_OK, stop = 0;

    store_sql_prepare_scan(&q, tx, "SELECT seq, hash, signature FROM audit_checkpoint"
                                   " ORDER BY seq");
    while (!stop && (rc = store_sql_step(&q)) == STORE_ROW) {
        store_checkpoint cp;

        cp.seq = (uint64_t)store_sql_i64(&q, 0);
        store_sql_copy_blob(cp.hash, sizeof cp.hash, &q, 1);
        store_sql_copy_blob(cp.signature, sizeof cp.signature, &q, 2);
        stop = fn(&cp, arg);
    }
    store_sql_end(&q);
    return stop ? stop : rc;
}
