/* store_audit.c - the audit log and its signed checkpoints. */
#include "store_backend.h"

#include <stdint.h>
#include <string.h>

int store_audit_last(store_tx *tx, uint64_t *seq, uint8_t hash[STORE_HASH_BYTES])
{
    store_sql q;
    int rc;

    *seq = 0;
    memset(hash, 0, STORE_HASH_BYTES);
    rc = store_sql_row(&q, tx, STORE_SQL0("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    *seq = (uint64_t)store_sql_i64(&q, 0);
    store_sql_copy_blob(hash, STORE_HASH_BYTES, &q, 1);
    return store_sql_end(&q);
}

int store_audit_insert(store_tx *tx, const store_audit_entry *e)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO audit(seq, time, role, actor, event,"
                                          " payload, prev, hash)"
                                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                                          " ON CONFLICT DO NOTHING", STORE_INT(e->seq),
                                          STORE_TEXT(e->time), STORE_TEXT(e->role),
                                          STORE_TEXT(e->actor), STORE_TEXT(e->event),
                                          STORE_TEXT(e->payload), STORE_HASH(e->prev),
                                          STORE_HASH(e->hash)));
}

int store_audit_count(store_tx *tx, const char *event, uint64_t *n)
{
    return store_sql_count(tx, n, STORE_SQL("SELECT count(*) FROM audit WHERE event = $1",
                                            STORE_TEXT(event)));
}

/* Each row (seq, time, role, actor, event, payload[, prev, hash]) to fn. */
static int audit_rows(store_sql *q, int chain, store_audit_fn fn, void *arg)
{
    while (store_sql_next(q)) {
        store_audit_entry e = { 0 };

        e.seq = (uint64_t)store_sql_i64(q, 0);
        store_sql_copy_text(e.time, sizeof e.time, q, 1);
        e.role = store_sql_str(q, 2);
        e.actor = store_sql_str(q, 3);
        e.event = store_sql_str(q, 4);
        e.payload = store_sql_str(q, 5);
        if (chain) {
            store_sql_copy_blob(e.prev, sizeof e.prev, q, 6);
            store_sql_copy_blob(e.hash, sizeof e.hash, q, 7);
        }
        q->stop = fn(&e, arg);
    }
    return store_sql_stop(q);
}

int store_audit_each(store_tx *tx, uint64_t from_seq, store_audit_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL("SELECT seq, time, role, actor, event, payload,"
                                             " prev, hash FROM audit WHERE seq >= $1"
                                             " ORDER BY seq", STORE_INT(from_seq)));
    return audit_rows(&q, 1, fn, arg);
}

int store_audit_chunk(store_tx *tx, uint64_t from_seq, int limit, store_audit_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL("SELECT seq, time, role, actor, event, payload,"
                                             " prev, hash FROM audit WHERE seq >= $1"
                                             " ORDER BY seq LIMIT $2", STORE_INT(from_seq),
                                             STORE_INT(limit)));
    return audit_rows(&q, 1, fn, arg);
}

/* One statement a set of filters (bit 0 event, 1 since, 2 until, 3 actor):
 * no "($n = '' OR ...)", so each filter can use its index (audit_event,
 * audit_actor_seq) and the key's order. */
#define PAGE_HEAD "SELECT seq, time, role, actor, event, payload, prev, hash FROM audit" \
    " WHERE seq < $1"
#define PAGE_TAIL " ORDER BY seq DESC LIMIT $2"
static const char *const page_sql[16] = {
    PAGE_HEAD PAGE_TAIL,
    PAGE_HEAD " AND event = $3" PAGE_TAIL,
    PAGE_HEAD " AND time >= $3" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND time >= $4" PAGE_TAIL,
    PAGE_HEAD " AND time < $3" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND time < $4" PAGE_TAIL,
    PAGE_HEAD " AND time >= $3" " AND time < $4" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND time >= $4" " AND time < $5" PAGE_TAIL,
    PAGE_HEAD " AND actor = $3" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND actor = $4" PAGE_TAIL,
    PAGE_HEAD " AND time >= $3" " AND actor = $4" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND time >= $4" " AND actor = $5" PAGE_TAIL,
    PAGE_HEAD " AND time < $3" " AND actor = $4" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND time < $4" " AND actor = $5" PAGE_TAIL,
    PAGE_HEAD " AND time >= $3" " AND time < $4" " AND actor = $5" PAGE_TAIL,
    PAGE_HEAD " AND event = $3" " AND time >= $4" " AND time < $5" " AND actor = $6" PAGE_TAIL,
};

int store_audit_page(store_tx *tx, const store_audit_filter *f, int limit, store_audit_fn fn,
                     void *arg)
{
    const char *set[4] = { f->event, f->since, f->until, f->actor };
    store_sql_arg args[6];
    int nargs = 2, which = 0;
    store_sql q;

    args[0] = STORE_INT(f->before > 0 && f->before <= INT64_MAX ? (int64_t)f->before
                                                                 : INT64_MAX);
    args[1] = STORE_INT(limit);
    for (int i = 0; i < 4; i++)
        if (set[i] != NULL && set[i][0] != '\0') {
            which |= 1 << i;
            args[nargs++] = STORE_TEXT(set[i]);
        }
    store_sql_prepare_scan(&q, tx, page_sql[which], args, nargs);
    return audit_rows(&q, 1, fn, arg);
}

int store_audit_voter_each(store_tx *tx, const char *number, store_audit_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL("SELECT seq, time, role, actor, event, payload"
                                             " FROM audit WHERE actor = $1 AND role = 'voter'"
                                             " UNION ALL SELECT seq, time, role, actor, event,"
                                             " payload FROM audit WHERE event = 'code-reissued'"
                                             " ORDER BY 1", STORE_TEXT(number)));
    return audit_rows(&q, 0, fn, arg);
}

/* A checkpoint already there stays as it is. */
int store_checkpoint_insert(store_tx *tx, const store_checkpoint *cp)
{
    return store_sql_run(tx, STORE_SQL("INSERT INTO audit_checkpoint(seq, hash, signature)"
                                       " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                       STORE_INT(cp->seq), STORE_HASH(cp->hash),
                                       STORE_BLOB(cp->signature, sizeof cp->signature)));
}

static int checkpoint_rows(store_sql *q, store_checkpoint_fn fn, void *arg)
{
    while (store_sql_next(q)) {
        store_checkpoint cp;

        cp.seq = (uint64_t)store_sql_i64(q, 0);
        store_sql_copy_blob(cp.hash, sizeof cp.hash, q, 1);
        store_sql_copy_blob(cp.signature, sizeof cp.signature, q, 2);
        q->stop = fn(&cp, arg);
    }
    return store_sql_stop(q);
}

int store_checkpoints_each(store_tx *tx, store_checkpoint_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0("SELECT seq, hash, signature FROM audit_checkpoint"
                                              " ORDER BY seq"));
    return checkpoint_rows(&q, fn, arg);
}

int store_checkpoints_count(store_tx *tx, uint64_t before_seq, uint64_t *n)
{
    return store_sql_count(tx, n, STORE_SQL("SELECT count(*) FROM audit_checkpoint"
                                            " WHERE seq < $1", STORE_INT(before_seq)));
}

int store_checkpoints_from(store_tx *tx, uint64_t from_seq, int limit, store_checkpoint_fn fn,
                           void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL("SELECT seq, hash, signature FROM audit_checkpoint"
                                             " WHERE seq >= $1 ORDER BY seq LIMIT $2",
                                             STORE_INT(from_seq), STORE_INT(limit)));
    return checkpoint_rows(&q, fn, arg);
}
