/* store_outbox.c - the durable mail outbox, and the election's public
 * documents. A message delivered or given up keeps only its state and
 * attempts (the dashboards' counts): the recipient, the body and the time
 * are erased. */
#include "store_backend.h"

#include <stdlib.h>
#include <string.h>

int store_outbox_insert(store_tx *tx, const char *recipient, const uint8_t *message, size_t len,
                        int64_t now)
{
    return store_sql_run(tx, STORE_SQL("INSERT INTO outbox(recipient, message, next_attempt,"
                                       " queued_at) VALUES ($1, $2, $3, $3)", STORE_TEXT(recipient),
                                       STORE_BLOB(message, len), STORE_INT(now)));
}

/* The statement is the dialect's (store_backend.h): on PostgreSQL, rows
 * another node's sender holds are skipped, not waited for. */
int store_outbox_claim(store_tx *tx, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                       void *arg)
{
    store_sql q;

    store_sql_prepare(&q, tx, STORE_SQL(tx->b->sql_outbox_claim, STORE_INT(now),
                                        STORE_INT(limit), STORE_INT(now + lease)));
    while (store_sql_next(&q)) {
        store_mail m = { store_sql_i64(&q, 0), store_sql_str(&q, 1), NULL, 0,
                         (int)store_sql_i64(&q, 3) };

        m.message = store_sql_bytes(&q, 2, &m.len);
        q.stop = fn(&m, arg);
    }
    return store_sql_stop(&q);
}

int store_outbox_sent(store_tx *tx, int64_t id)
{
    return store_sql_run(tx, STORE_SQL("UPDATE outbox SET state = 'sent', recipient = '',"
                                       " message = NULL, next_attempt = 0, queued_at = NULL,"
                                       " attempts = attempts + 1, last_error = NULL"
                                       " WHERE id = $1", STORE_INT(id)));
}

int store_outbox_retry(store_tx *tx, int64_t id, int64_t next, const char *error, int permanent)
{
    return store_sql_run(tx, STORE_SQL("UPDATE outbox SET attempts = attempts + 1,"
                                       " last_error = $2, state = $3,"
                                       " next_attempt = CASE WHEN $3 = 'failed' THEN 0"
                                       " ELSE $1 END,"
                                       " recipient = CASE WHEN $3 = 'failed' THEN ''"
                                       " ELSE recipient END,"
                                       " message = CASE WHEN $3 = 'failed' THEN NULL"
                                       " ELSE message END,"
                                       " queued_at = CASE WHEN $3 = 'failed' THEN NULL"
                                       " ELSE queued_at END WHERE id = $4",
                                       STORE_INT(next), STORE_TEXT(error),
                                       STORE_TEXT(permanent ? "failed" : "queued"),
                                       STORE_INT(id)));
}

int store_outbox_count(store_tx *tx, const char *state, uint64_t *n)
{
    return store_sql_count(tx, n, STORE_SQL("SELECT count(*) FROM outbox WHERE state = $1",
                                            STORE_TEXT(state)));
}

int store_outbox_waiting_to(store_tx *tx, const char *recipient, uint64_t *n)
{
    return store_sql_count(tx, n, STORE_SQL("SELECT count(*) FROM outbox WHERE recipient = $1"
                                            " AND state = 'queued'", STORE_TEXT(recipient)));
}

int store_outbox_stats(store_tx *tx, int64_t now, store_outbox_figures *out)
{
    store_sql q;
    int rc;

    memset(out, 0, sizeof *out);
    rc = store_sql_row(&q, tx, STORE_SQL("SELECT"
                                         " count(CASE WHEN state = 'queued' THEN 1 END),"
                                         " count(CASE WHEN state = 'sent' THEN 1 END),"
                                         " count(CASE WHEN state = 'failed' THEN 1 END),"
                                         " count(CASE WHEN state = 'queued' AND attempts > 0"
                                         " THEN 1 END),"
                                         " coalesce(min(CASE WHEN state = 'queued'"
                                         " THEN coalesce(queued_at, next_attempt) END), $1)"
                                         " FROM outbox", STORE_INT(now)));
    if (rc == STORE_OK) {
        int64_t oldest = store_sql_i64(&q, 4);

        out->queued = (uint64_t)store_sql_i64(&q, 0);
        out->sent = (uint64_t)store_sql_i64(&q, 1);
        out->failed = (uint64_t)store_sql_i64(&q, 2);
        out->retrying = (uint64_t)store_sql_i64(&q, 3);
        out->oldest_waiting_s = out->queued > 0 && oldest < now ? now - oldest : 0;
        store_sql_end(&q);
    }
    return rc;
}

int store_document_put(store_tx *tx, const char *kind, int64_t holder, const char *body)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO document(kind, holder, body)"
                                          " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                          STORE_TEXT(kind), STORE_INT(holder),
                                          STORE_TEXT(body)));
}

int store_document_get(store_tx *tx, const char *kind, int64_t holder, char **body)
{
    store_sql q;
    int rc;

    *body = NULL;
    rc = store_sql_row(&q, tx, STORE_SQL("SELECT body FROM document WHERE kind = $1 AND holder ="
                                         " $2", STORE_TEXT(kind), STORE_INT(holder)));
    if (rc != STORE_OK)
        return rc;
    *body = strdup(store_sql_str(&q, 0));
    store_sql_end(&q);
    return *body != NULL ? STORE_OK : STORE_ENOMEM;
}

int store_documents_each(store_tx *tx, const char *kind, store_document_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare(&q, tx, STORE_SQL("SELECT holder, body FROM document WHERE kind = $1"
                                        " ORDER BY holder", STORE_TEXT(kind)));
    while (store_sql_next(&q))
        q.stop = fn(kind, store_sql_i64(&q, 0), store_sql_str(&q, 1), arg);
    return store_sql_stop(&q);
}

int store_documents_clear(store_tx *tx, const char *kind)
{
    return store_sql_run(tx, STORE_SQL("DELETE FROM document WHERE kind = $1", STORE_TEXT(kind)));
}

int store_document_delete(store_tx *tx, const char *kind, int64_t holder)
{
    return store_sql_run(tx, STORE_SQL("DELETE FROM document WHERE kind = $1 AND holder = $2",
                                       STORE_TEXT(kind), STORE_INT(holder)));
}
