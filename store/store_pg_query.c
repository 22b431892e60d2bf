/* store_pg_query.c - the PostgreSQL backend's statements: arguments,
 * prepared-statement cache, error mapping, binary results. */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Past PG_MAX_ARGS, arguments are counted but not kept: the statement then
 * fails (args_checked; a programming error, caught by the tests). */
static void add(pgs_args *a, const void *v, int len, int fmt)
{
    if (a->n < PG_MAX_ARGS) {
        a->v[a->n] = v;
        a->len[a->n] = len;
        a->fmt[a->n] = fmt;
    }
    a->n++;
}

void pgs_text(pgs_args *a, const char *s)
{
    add(a, s, 0, 0);
}

void pgs_int(pgs_args *a, int64_t v)
{
    const char *text = NULL;

    if (a->n < PG_MAX_ARGS) {
        snprintf(a->num[a->n], sizeof a->num[a->n], "%lld", (long long)v);
        text = a->num[a->n];
    }
    add(a, text, 0, 0);
}

void pgs_blob(pgs_args *a, const void *b, size_t len)
{
    add(a, b, (int)len, 1);
}

/* a, or no arguments for NULL; NULL if more were given than were kept. */
static const pgs_args *args_checked(const pgs_args *a)
{
    static const pgs_args none;

    return a == NULL ? &none : a->n > PG_MAX_ARGS ? NULL : a;
}

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

int pgs_query(store_conn *c, const char *sql, const pgs_args *a, PGresult **res)
{
    char name[16];
    const char *stmt;
    PGresult *r;
    int rc;

    if ((a = args_checked(a)) == NULL)
        return STORE_EIO;
    stmt = prepared(c, sql, a->n, name, sizeof name, &rc);
    if (rc != STORE_OK)
        return rc;
    if (stmt != NULL)
        r = PQexecPrepared(c->pg, stmt, a->n, a->v, a->len, a->fmt, 1);
    else
        r = PQexecParams(c->pg, sql, a->n, NULL, a->v, a->len, a->fmt, 1);
    rc = pgs_result(c, r);
    if (rc != STORE_OK) {
        PQclear(r);
        return rc;
    }
    *res = r;
    return STORE_OK;
}

int pgs_query_one(store_conn *c, const char *sql, const pgs_args *a, PGresult **res)
{
    int rc = pgs_query(c, sql, a, res);

    if (rc == STORE_OK && PQntuples(*res) != 1) {
        PQclear(*res);
        rc = STORE_ENOTFOUND;
    }
    return rc;
}

int pgs_command(store_conn *c, const char *sql, const pgs_args *a, int64_t *changed)
{
    PGresult *r;
    int rc = pgs_query(c, sql, a, &r);

    if (rc != STORE_OK)
        return rc;
    if (changed != NULL)
        *changed = (int64_t)strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return STORE_OK;
}

int pgs_one_row(store_conn *c, const char *sql, const pgs_args *a, int absent)
{
    int64_t n = 0;
    int rc = pgs_command(c, sql, a, &n);

    return rc != STORE_OK ? rc : n == 1 ? STORE_OK : absent;
}

int pgs_insert(store_conn *c, const char *sql, const pgs_args *a)
{
    return pgs_one_row(c, sql, a, STORE_ECONFLICT);
}

int pgs_count(store_conn *c, const char *sql, const pgs_args *a, uint64_t *n)
{
    PGresult *r;
    int rc = pgs_query_one(c, sql, a, &r);

    if (rc != STORE_OK)
        return rc;
    *n = (uint64_t)pgs_i64(r, 0, 0);
    PQclear(r);
    return STORE_OK;
}

int pgs_exists(store_conn *c, const char *sql, const pgs_args *a, int *found)
{
    PGresult *r;
    int rc = pgs_query(c, sql, a, &r);

    if (rc != STORE_OK)
        return rc;
    *found = PQntuples(r) > 0;
    PQclear(r);
    return STORE_OK;
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

const char *pgs_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

void pgs_copy_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    const char *t = pgs_str(r, row, col);

    snprintf(dst, size, "%s", t != NULL ? t : "");
}

void pgs_copy_blob(uint8_t *dst, size_t size, const PGresult *r, int row, int col)
{
    memset(dst, 0, size);
    if (!PQgetisnull(r, row, col) && (size_t)PQgetlength(r, row, col) == size)
        memcpy(dst, PQgetvalue(r, row, col), size);
}

int pgs_each(store_conn *c, const char *sql, const pgs_args *a, pgs_row_fn row, void *fn,
             void *arg)
{
    PGresult *r;
    int rc = pgs_query(c, sql, a, &r), stop = 0;

    if (rc != STORE_OK)
        return rc;
    for (int i = 0; i < PQntuples(r) && !stop; i++)
        stop = row(r, i, fn, arg);
    PQclear(r);
    return stop;
}

/* A cursor lives until the end of its transaction: every scan runs in one.
 * Its rows come in pages, and fn may run other statements between them (a
 * streamed result would forbid that). */
int pgs_scan(store_conn *c, const char *sql, const pgs_args *a, pgs_row_fn row, void *fn,
             void *arg)
{
    size_t len = strlen(sql) + 64;
    char *declare, name[32], cmd[96];
    PGresult *r;
    int rc, stop = 0, n = PG_SCAN_PAGE;

    if ((a = args_checked(a)) == NULL)
        return STORE_EIO;
    if ((declare = malloc(len)) == NULL)
        return STORE_ENOMEM;
    snprintf(name, sizeof name, "scan%u", ++c->cursors);
    snprintf(declare, len, "DECLARE %s BINARY NO SCROLL CURSOR FOR %s", name, sql);
    r = PQexecParams(c->pg, declare, a->n, NULL, a->v, a->len, a->fmt, 1);
    free(declare);
    rc = pgs_result(c, r);
    PQclear(r);
    snprintf(cmd, sizeof cmd, "FETCH %d FROM %s", PG_SCAN_PAGE, name);
    while (rc == STORE_OK && !stop && n == PG_SCAN_PAGE) {
        r = PQexec(c->pg, cmd);
        if ((rc = pgs_result(c, r)) == STORE_OK) {
            n = PQntuples(r);
            for (int i = 0; i < n && !stop; i++)
                stop = row(r, i, fn, arg);
        }
        PQclear(r);
    }
    if (rc == STORE_OK) {
        snprintf(cmd, sizeof cmd, "CLOSE %s", name);
        rc = pgs_exec(c, cmd);
    }
    return stop ? stop : rc;
}
