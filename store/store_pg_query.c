/* store_pg_query.c - the PostgreSQL backend's statement layer
 * (store_backend.h): arguments, prepared-statement cache, error mapping,
 * cursors for long scans, binary results. */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connection failures (class 08), the server shutting down or starting
 * (57P01-57P03), or, for the writer, a server that became read-only (25006:
 * a standby) mean "this server is gone": the writer reconnects and runs the
 * batch again. (In a reader's read-only transaction 25006 is a job's mistake.) */
static int server_gone(store_conn *c, const char *state)
{
    return PQstatus(c->pg) != CONNECTION_OK || state == NULL ||
           strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 ||
           (!c->readonly && strcmp(state, "25006") == 0);
}

int pgs_result(store_conn *c, const PGresult *r)
{
    ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    const char *state;

    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return STORE_OK;
    state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(c->err, sizeof c->err, "%s",
             r != NULL && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
                                                   : PQerrorMessage(c->pg));
    c->err[strcspn(c->err, "\n")] = '\0';
    if (server_gone(c, state)) {
        c->lost = 1;
        return STORE_EIO;
    }
    if (strncmp(state, "23", 2) == 0)
        return STORE_ECONFLICT;
    if (strcmp(state, "53200") == 0)
        return STORE_ENOMEM;
    return STORE_EIO;
}

int pgs_exec(store_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = pgs_result(c, r);

    PQclear(r);
    return rc;
}

int pgs_begin_write(store_conn *c, const char *role)
{
    char sql[128];

    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d)%s%s", PG_WRITER_LOCK,
             role != NULL ? "; SET LOCAL ROLE " : "", role != NULL ? role : "");
    return pgs_exec(c, sql);
}

/* The name of sql's prepared statement on c, preparing it on first use; NULL
 * when the cache is full (the statement then runs unprepared). */
static const char *prepared(store_conn *c, const char *sql, int nargs, char *name, size_t len,
                            int *rc)
{
    PGresult *r;
    int i;

    *rc = STORE_OK;
    for (i = 0; i < c->nstmt; i++)
        if (c->sql[i] == sql)
            break;
    if (i == PG_STMT_CACHE)
        return NULL;
    snprintf(name, len, "s%d", i);
    if (i < c->nstmt)
        return name;
    r = PQprepare(c->pg, name, sql, nargs, NULL);
    *rc = pgs_result(c, r);
    PQclear(r);
    if (*rc != STORE_OK)
        return NULL;
    c->sql[c->nstmt++] = sql;
    return name;
}

int64_t pgs_i64(const PGresult *r, int row, int col)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    uint64_t v = 0;

    if (PQgetisnull(r, row, col) || (len != 1 && len != 2 && len != 4 && len != 8))
        return 0;
    for (int i = 0; i < len; i++)
        v = v << 8 | p[i];
    if (len < 8 && (p[0] & 0x80) && len > 1)
        v |= ~(uint64_t)0 << (8 * len);     /* sign-extend int2 and int4 */
    return (int64_t)v;
}

/* Parameters go as text, byte strings as binary; results come back binary.
 * Past STORE_SQL_ARGS (a multi-row INSERT) the arrays are allocated. */
typedef struct {
    const char **v;
    int *len, *fmt;
    char (*num)[24];
    const char *v0[STORE_SQL_ARGS];
    int len0[STORE_SQL_ARGS], fmt0[STORE_SQL_ARGS];
    char num0[STORE_SQL_ARGS][24];
    void *heap;
} pg_params;

static int params_of(const store_sql *q, pg_params *p)
{
    const store_sql_arg *args = store_sql_args(q);
    size_t n = (size_t)q->nargs;

    p->heap = NULL;
    p->v = p->v0;
    p->len = p->len0;
    p->fmt = p->fmt0;
    p->num = p->num0;
    if (n > STORE_SQL_ARGS) {
        char *h = p->heap = malloc(n * (sizeof *p->v + 2 * sizeof(int) + 24));

        if (h == NULL)
            return STORE_ENOMEM;
        p->v = (const char **)(void *)h;
        p->len = (int *)(void *)(h + n * sizeof *p->v);
        p->fmt = p->len + n;
        p->num = (char (*)[24])(void *)(p->fmt + n);
    }
    for (size_t i = 0; i < n; i++) {
        const store_sql_arg *a = &args[i];

        p->v[i] = a->p;
        p->len[i] = a->type == STORE_ARG_BLOB ? (int)a->len : 0;
        p->fmt[i] = a->type == STORE_ARG_BLOB;
        if (a->type == STORE_ARG_INT) {
            snprintf(p->num[i], sizeof p->num[i], "%lld", (long long)a->i);
            p->v[i] = p->num[i];
        }
    }
    return STORE_OK;
}

/* A cursor lives until the end of its transaction: every scan runs in one.
 * Its rows come in pages, and the caller may run other statements between
 * them (a streamed result would forbid that). */
static int start(store_sql *q)
{
    store_conn *c = q->c;
    pg_params p;
    char name[16];
    const char *stmt;
    PGresult *r;
    int rc;

    if ((rc = params_of(q, &p)) != STORE_OK)
        return rc;
    if (q->scan) {
        size_t len = strlen(q->sql) + 64;
        char *declare = malloc(len);

        if (declare == NULL) {
            free(p.heap);
            return STORE_ENOMEM;
        }
        q->cursor = ++c->cursors;
        snprintf(declare, len, "DECLARE scan%u BINARY NO SCROLL CURSOR FOR %s", q->cursor,
                 q->sql);
        r = PQexecParams(c->pg, declare, q->nargs, NULL, p.v, p.len, p.fmt, 1);
        free(declare);
        free(p.heap);
        rc = pgs_result(c, r);
        PQclear(r);
        q->nrows = PG_SCAN_PAGE;            /* then FETCH */
        return rc;
    }
    stmt = prepared(c, q->sql, q->nargs, name, sizeof name, &rc);
    if (rc != STORE_OK) {
        free(p.heap);
        return rc;
    }
    if (stmt != NULL)
        r = PQexecPrepared(c->pg, stmt, q->nargs, p.v, p.len, p.fmt, 1);
    else
        r = PQexecParams(c->pg, q->sql, q->nargs, NULL, p.v, p.len, p.fmt, 1);
    free(p.heap);
    if ((rc = pgs_result(c, r)) != STORE_OK) {
        PQclear(r);
        return rc;
    }
    q->h = r;
    q->nrows = PQntuples(r);
    q->row = -1;
    q->changes = (int64_t)strtoll(PQcmdTuples(r), NULL, 10);
    return STORE_OK;
}

int pgs_step(store_sql *q)
{
    char cmd[64];
    PGresult *r;
    int rc;

    if (!q->started) {
        q->started = 1;
        if ((rc = start(q)) != STORE_OK)
            return rc;
    }
    for (;;) {
        if (q->h != NULL && ++q->row < q->nrows)
            return STORE_ROW;
        if (q->cursor == 0)
            return STORE_OK;
        PQclear(q->h);
        q->h = NULL;
        if (q->nrows < PG_SCAN_PAGE) {
            snprintf(cmd, sizeof cmd, "CLOSE scan%u", q->cursor);
            q->cursor = 0;
            return pgs_exec(q->c, cmd);
        }
        snprintf(cmd, sizeof cmd, "FETCH %d FROM scan%u", PG_SCAN_PAGE, q->cursor);
        r = PQexec(q->c->pg, cmd);
        if ((rc = pgs_result(q->c, r)) != STORE_OK) {
            PQclear(r);
            q->cursor = 0;
            return rc;
        }
        q->h = r;
        q->nrows = PQntuples(r);
        q->row = -1;
    }
}

void pgs_end(store_sql *q)
{
    PQclear(q->h);
    q->h = NULL;
}

int64_t pgs_column_int(store_sql *q, int col)
{
    return pgs_i64(q->h, q->row, col);
}

const char *pgs_column_text(store_sql *q, int col)
{
    return PQgetisnull(q->h, q->row, col) ? NULL : PQgetvalue(q->h, q->row, col);
}

const void *pgs_column_blob(store_sql *q, int col, size_t *len)
{
    *len = (size_t)PQgetlength(q->h, q->row, col);
    return PQgetisnull(q->h, q->row, col) ? NULL : PQgetvalue(q->h, q->row, col);
}

int pgs_column_null(store_sql *q, int col)
{
    return PQgetisnull(q->h, q->row, col);
}
