/* testutil_pg.c - the tests' PostgreSQL mode: one database per test folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "testutil.h"
#include "store/store.h"

int tu_pg(void)
{
    const char *p = getenv("VOTESRV_TEST_PG");

    return p != NULL && p[0] != '\0';
}

/* vt_ and 16 hex digits of a hash of the folder's path. */
static void db_name(const char *dir, char out[24])
{
    uint8_t h[8];

    crypto_generichash(h, sizeof h, (const uint8_t *)dir, strlen(dir), NULL, 0);
    memcpy(out, "vt_", 3);
    sodium_bin2hex(out + 3, 17, h, sizeof h);
}

/* Run one statement as the cluster's superuser; 0 or -1 (printed); *rows
 * (may be NULL) gets the number of rows it returned. */
static int admin(const char *sql, int *rows)
{
    char conninfo[512];
    PGconn *c;
    PGresult *r;
    int ok;

    snprintf(conninfo, sizeof conninfo, "%s user=postgres dbname=postgres",
             getenv("VOTESRV_TEST_PG"));
    c = PQconnectdb(conninfo);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "tu_pg: %s: %s", sql, PQerrorMessage(c));
    if (rows != NULL)
        *rows = ok ? PQntuples(r) : 0;
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

int tu_pg_conninfo(const char *dir, char *out, size_t len)
{
    char name[24], sql[160];
    int rows = 0;

    db_name(dir, name);
    snprintf(sql, sizeof sql, "SELECT 1 FROM pg_database WHERE datname = '%s'", name);
    snprintf(out, len, "%s user=votesrv dbname=%s connect_timeout=5", getenv("VOTESRV_TEST_PG"),
             name);
    if (admin(sql, &rows) != 0)
        return -1;
    if (rows == 1)
        return 0;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE votesrv_template", name);
    return admin(sql, NULL);
}

void tu_pg_drop(const char *dir)
{
    char name[24], sql[96];

    db_name(dir, name);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    admin(sql, NULL);
}

void tu_sqlite_only(const char *what)
{
    if (!tu_pg())
        return;
    fprintf(stderr, "skipped with PostgreSQL: %s (SQLite's files)\n", what);
    skip();
}

void tu_audit_file(struct store *s, const char *dir)
{
    char path[PATH_MAX], err[300];

    if (!tu_pg())
        return;
    snprintf(path, sizeof path, "%s/registry.db", dir);
    unlink(path);
    if (store_audit_export(s, path, err, sizeof err) != 0) {
        fprintf(stderr, "tu_audit_file: %s\n", err);
        abort();
    }
}
