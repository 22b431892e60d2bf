/* store_sql.c - the statement layer's side that does not depend on the
 * backend: arguments, reading columns, and the usual ways to run a statement. */
#include "store_backend.h"

#include <stdio.h>
#include <string.h>

/* Past STORE_SQL_ARGS, arguments stay in the caller's array (q->many): only
 * the statements run to their end within one call take that many. */
static void start(store_sql *q, store_tx *tx, const char *sql, const store_sql_arg *args,
                  int nargs, int scan)
{
    q->b = tx->b;
    q->c = tx->c;
    q->sql = sql;
    q->scan = scan;
    q->nargs = nargs;
    q->many = nargs > STORE_SQL_ARGS ? args : NULL;
    if (nargs > 0 && nargs <= STORE_SQL_ARGS)
        memcpy(q->arg, args, (size_t)nargs * sizeof *args);
    q->h = NULL;
    q->started = q->row = q->nrows = 0;
    q->changes = 0;
    q->cursor = 0;
    q->rc = STORE_OK;
    q->stop = 0;
}

void store_sql_prepare(store_sql *q, store_tx *tx, const char *sql, const store_sql_arg *args,
                       int nargs)
{
    start(q, tx, sql, args, nargs, 0);
}

void store_sql_prepare_scan(store_sql *q, store_tx *tx, const char *sql,
                            const store_sql_arg *args, int nargs)
{
    start(q, tx, sql, args, nargs, 1);
}

int store_sql_step(store_sql *q)
{
    return q->b->step(q);
}

int store_sql_end(store_sql *q)
{
    q->b->end(q);
    return STORE_OK;
}

int64_t store_sql_i64(store_sql *q, int col) { return q->b->column_int(q, col); }
const char *store_sql_str(store_sql *q, int col) { return q->b->column_text(q, col); }
int store_sql_null(store_sql *q, int col) { return q->b->column_null(q, col); }

const uint8_t *store_sql_bytes(store_sql *q, int col, size_t *len)
{
    return q->b->column_blob(q, col, len);
}

void store_sql_copy_text(char *dst, size_t size, store_sql *q, int col)
{
    const char *t = store_sql_str(q, col);

    snprintf(dst, size, "%s", t != NULL ? t : "");
}

void store_sql_copy_blob(uint8_t *dst, size_t size, store_sql *q, int col)
{
    size_t len = 0;
    const uint8_t *b = store_sql_bytes(q, col, &len);

    memset(dst, 0, size);
    if (b != NULL && len == size)
        memcpy(dst, b, size);
}

int store_sql_row(store_sql *q, store_tx *tx, const char *sql, const store_sql_arg *args,
                  int nargs)
{
    int rc;

    store_sql_prepare(q, tx, sql, args, nargs);
    if ((rc = store_sql_step(q)) == STORE_ROW)
        return STORE_OK;
    store_sql_end(q);
    return rc == STORE_OK ? STORE_ENOTFOUND : rc;
}

int store_sql_finish(store_sql *q)
{
    int rc = store_sql_step(q);

    store_sql_end(q);
    return rc == STORE_ROW ? STORE_OK : rc;
}

int store_sql_next(store_sql *q)
{
    return !q->stop && (q->rc = store_sql_step(q)) == STORE_ROW;
}

int store_sql_stop(store_sql *q)
{
    store_sql_end(q);
    return q->stop ? q->stop : q->rc;
}

int store_sql_run(store_tx *tx, const char *sql, const store_sql_arg *args, int nargs)
{
    store_sql q;

    store_sql_prepare(&q, tx, sql, args, nargs);
    return store_sql_finish(&q);
}

int store_sql_change(store_tx *tx, int absent, const char *sql, const store_sql_arg *args,
                     int nargs)
{
    store_sql q;
    int rc;

    store_sql_prepare(&q, tx, sql, args, nargs);
    rc = store_sql_finish(&q);
    return rc != STORE_OK ? rc : q.changes == 1 ? STORE_OK : absent;
}

int store_sql_insert(store_tx *tx, const char *sql, const store_sql_arg *args, int nargs)
{
    return store_sql_change(tx, STORE_ECONFLICT, sql, args, nargs);
}

int store_sql_count(store_tx *tx, uint64_t *n, const char *sql, const store_sql_arg *args,
                    int nargs)
{
    store_sql q;
    int rc = store_sql_row(&q, tx, sql, args, nargs);

    if (rc == STORE_OK)
        *n = (uint64_t)store_sql_i64(&q, 0);
    return rc == STORE_OK ? store_sql_end(&q) : rc;
}

int store_sql_exists(store_tx *tx, int *found, const char *sql, const store_sql_arg *args,
                     int nargs)
{
    store_sql q;
    int rc;

    store_sql_prepare(&q, tx, sql, args, nargs);
    rc = store_sql_step(&q);
    *found = rc == STORE_ROW;
    store_sql_end(&q);
    return rc == STORE_ROW ? STORE_OK : rc;
}

int store_sql_exec(store_tx *tx, const char *sql)
{
    return tx->b->exec(tx->c, sql);
}

int store_cards_run(store_sql *q, store_card_fn fn, void *arg)
{
    while (store_sql_next(q)) {
        store_voter_card v = { store_sql_str(q, 0), store_sql_str(q, 1), store_sql_str(q, 2),
                               store_sql_str(q, 3), store_sql_str(q, 4), store_sql_str(q, 5) };

        q->stop = fn(&v, arg);
    }
    return store_sql_stop(q);
}
