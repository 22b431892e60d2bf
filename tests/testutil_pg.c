/* testutil_pg.c - the tests' PostgreSQL mode: one database per test folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "testutil.h"
#include "store/store.h"
#include "votesrv/server.h"

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
static PGconn *admin_connect(void)
{
    char conninfo[512];

    snprintf(conninfo, sizeof conninfo, "%s user=postgres dbname=postgres",
             getenv("VOTESRV_TEST_PG"));
    return PQconnectdb(conninfo);
}

static int admin(const char *sql, int *rows)
{
    PGconn *c = admin_connect();
    PGresult *r;
    int ok;

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

int tu_pg_socket_dir(char *out, size_t len)
{
    PGconn *c = admin_connect();
    PGresult *r = PQexec(c, "SHOW unix_socket_directories");
    const char *v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                        ? PQgetvalue(r, 0, 0) : "";
    size_t n = strcspn(v, ",");
    int rc = v[0] == '/' && n < len ? 0 : -1;

    if (rc == 0)
        snprintf(out, len, "%.*s", (int)n, v);
    else
        fprintf(stderr, "tu_pg: no Unix socket directory: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return rc;
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

/* ---- a primary and its synchronous standby ---- */

int tu_pg_available(void)
{
    return system("./pg_cluster.sh available") == 0;
}

int tu_pg_pair_start(tu_pg_pair *p)
{
    char out[4096], env[160];
    char *d = tu_tmpdir();

    snprintf(p->dir, sizeof p->dir, "%s", d);
    free(d);
    chmod(p->dir, 0755);                /* the server runs as postgres */
    p->port[0] = tu_free_port();
    p->port[1] = tu_free_port();
    if (p->port[0] <= 0 || p->port[1] <= 0 || p->port[0] == p->port[1] ||
        tu_sh(out, sizeof out, "./pg_cluster.sh start %s/p1 %d && "
              "./pg_cluster.sh standby %s/p2 %d %d", p->dir, p->port[0], p->dir, p->port[1],
              p->port[0]) != 0) {
        fprintf(stderr, "tu_pg_pair_start: %s\n", out);
        return -1;
    }
    snprintf(env, sizeof env, "host=127.0.0.1,127.0.0.1 port=%d,%d "
             "target_session_attrs=read-write", p->port[0], p->port[1]);
    return setenv("VOTESRV_TEST_PG", env, 1);
}

void tu_pg_pair_kill_primary(tu_pg_pair *p)
{
    char path[PATH_MAX + 32];
    int pid = 0, kids[256];
    size_t n;
    FILE *f;

    snprintf(path, sizeof path, "%s/p1/data/postmaster.pid", p->dir);
    if ((f = fopen(path, "r")) == NULL)
        return;
    if (fscanf(f, "%d", &pid) != 1)
        pid = 0;
    fclose(f);
    if (pid <= 0)
        return;
    kill(pid, SIGSTOP);                 /* no new child while we look */
    n = tu_proc_children(pid, kids, 256);
    for (size_t i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    kill(pid, SIGKILL);
}

int tu_pg_pair_promote(tu_pg_pair *p)
{
    char out[2048];

    if (tu_sh(out, sizeof out, "./pg_cluster.sh promote %s/p2", p->dir) != 0) {
        fprintf(stderr, "tu_pg_pair_promote: %s\n", out);
        return -1;
    }
    return 0;
}

void tu_pg_pair_stop(tu_pg_pair *p)
{
    char out[2048];

    tu_sh(out, sizeof out, "./pg_cluster.sh stop %s/p2; ./pg_cluster.sh stop %s/p1", p->dir,
          p->dir);
    unsetenv("VOTESRV_TEST_PG");
    tu_rmdir(p->dir);
}

/* ---- the failover ---- */

#define HA_SCRUTIN "csa-ministere"
#define HA_LISTS 4

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* load.csv's lines, alternately into slice0.csv and slice1.csv. */
static int split_load(const char *dir)
{
    char path[PATH_MAX + 32], line[512];
    FILE *in, *out[2];
    size_t i = 0;

    snprintf(path, sizeof path, "%s/load.csv", dir);
    in = fopen(path, "r");
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/slice%d.csv", dir, k);
        out[k] = fopen(path, "w");
    }
    if (in == NULL || out[0] == NULL || out[1] == NULL)
        return -1;
    while (fgets(line, sizeof line, in) != NULL)
        fputs(line, out[i++ % 2]);
    fclose(in);
    return fclose(out[0]) == 0 && fclose(out[1]) == 0 ? 0 : -1;
}

static int start_load(const char *bin, const char *dir, int k, const char *url)
{
    char slice[PATH_MAX + 32], receipts[PATH_MAX + 32], log[PATH_MAX + 32];
    int pid;

    snprintf(slice, sizeof slice, "%s/slice%d.csv", dir, k);
    snprintf(receipts, sizeof receipts, "%s/receipts%d.csv", dir, k);
    snprintf(log, sizeof log, "%s/load%d.log", dir, k);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        execl("/bin/sh", "sh", "-c", "exec \"$0\"/voteclient --url \"$1\" load \"$2\" "
              "--concurrency 4 --retry 60 --receipts \"$3\" >\"$4\" 2>&1", bin, url, slice,
              receipts, log, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static size_t count_lines(const char *dir, int k)
{
    char path[PATH_MAX + 32], buf[8192];
    size_t n = 0, got;
    FILE *f;

    snprintf(path, sizeof path, "%s/receipts%d.csv", dir, k);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < got; i++)
            n += buf[i] == '\n';
    fclose(f);
    return n;
}

typedef struct {
    const char *dir;
    tu_ha_result *r;
} ha_check;

static int check_receipts(store_tx *tx, void *arg)
{
    ha_check *c = arg;
    uint64_t ballots, signatures;
    int rc = store_ballot_count(tx, &ballots);

    if (rc != STORE_OK || (rc = store_signature_count(tx, &signatures)) != STORE_OK)
        return rc;
    c->r->ballots = ballots;
    c->r->signatures = signatures;
    for (int k = 0; k < 2; k++) {
        char path[PATH_MAX + 32], line[512], scrutin[STORE_SCRUTIN_CHARS + 1], *body, *hex;
        uint8_t tracker[32];
        FILE *f;

        snprintf(path, sizeof path, "%s/receipts%d.csv", c->dir, k);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        while (fgets(line, sizeof line, f) != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            hex = strrchr(line, ',');
            if (hex == NULL || sodium_hex2bin(tracker, sizeof tracker, hex + 1, strlen(hex + 1),
                                              NULL, NULL, NULL) != 0 ||
                store_ballot_get(tx, tracker, scrutin, &body) != STORE_OK) {
                c->r->missing++;
                continue;
            }
            free(body);
        }
        fclose(f);
    }
    return STORE_OK;
}

/* Wait for the loads, acknowledgment by acknowledgment; kill and promote on the way. */
static int watch(tu_pg_pair *pair, const char *dir, int *load, tu_ha_result *r)
{
    double start = now_s(), last = start, t_kill = 0;
    int running = 2, killed = 0, promoted = 0;

    while (running > 0) {
        size_t n = count_lines(dir, 0) + count_lines(dir, 1);
        double t = now_s();

        if (n > r->acked) {
            if (t - last > r->pause_s)
                r->pause_s = t - last;
            last = t;
            r->acked = n;
        }
        if (!killed && r->acked >= r->voters / 3) {
            tu_pg_pair_kill_primary(pair);
            r->acked_at_kill = r->acked;
            t_kill = t;
            killed = 1;
        }
        if (killed && !promoted && t - t_kill >= 1.0) {
            if (tu_pg_pair_promote(pair) != 0)
                return -1;
            r->promote_s = now_s() - t;
            promoted = 1;
        }
        for (int k = 0; k < 2; k++) {
            int status;

            if (load[k] > 0 && waitpid(load[k], &status, WNOHANG) == load[k]) {
                r->load_rc[k] = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
                load[k] = 0;
                running--;
            }
        }
        if (t - start > 300)
            return -1;
        usleep(10000);
    }
    r->run_s = now_s() - start;
    r->acked = count_lines(dir, 0) + count_lines(dir, 1);
    return killed && promoted ? 0 : -1;
}

int tu_ha_failover(const char *bin, size_t voters, tu_ha_result *r)
{
    tu_pg_pair pair;
    char cfg[PATH_MAX + 32], log[PATH_MAX + 32], url[2][64], err[300];
    char *dir = NULL;
    int node[2] = { 0, 0 }, load[2] = { 0, 0 }, rc = -1;
    ha_check check;
    server srv;

    memset(r, 0, sizeof *r);
    r->voters = voters;
    if (tu_pg_pair_start(&pair) != 0)
        return -1;
    dir = tu_tmpdir();
    if (tu_election_generated(dir, bin, voters, cfg, sizeof cfg) != 0 ||
        tu_load_file(dir, cfg, HA_SCRUTIN, HA_LISTS) != 0 || split_load(dir) != 0)
        goto out;
    for (int k = 0; k < 2; k++) {
        snprintf(log, sizeof log, "%s/node%d.log", dir, k);
        if ((node[k] = tu_daemon_start(bin, cfg, log)) <= 0)
            goto out;
        snprintf(url[k], sizeof url[k], "%s", tu_base_url);
    }
    for (int k = 0; k < 2; k++)
        load[k] = start_load(bin, dir, k, url[k]);
    if (watch(&pair, dir, load, r) != 0)
        goto out;
    for (int k = 0; k < 2; k++) {
        kill(node[k], SIGTERM);
        waitpid(node[k], NULL, 0);
        node[k] = 0;
    }
    check = (ha_check){ dir, r };
    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0 ||
        store_read(srv.store, check_receipts, &check) != STORE_OK) {
        fprintf(stderr, "tu_ha_failover: %s\n", err);
        server_close(&srv);
        goto out;
    }
    server_close(&srv);
    r->audit_rc = tu_sh(r->audit_out, sizeof r->audit_out,
                        "cd %s && %s/votectl -c %s export-audit audit.db && "
                        "%s/voteaudit verify-log audit.db", dir, bin, cfg, bin);
    rc = 0;
out:
    for (int k = 0; k < 2; k++) {
        if (load[k] > 0) {
            kill(load[k], SIGKILL);
            waitpid(load[k], NULL, 0);
        }
        if (node[k] > 0) {
            kill(node[k], SIGKILL);
            waitpid(node[k], NULL, 0);
        }
    }
    if (dir != NULL) {
        if (rc != 0)
            fprintf(stderr, "tu_ha_failover: the election's files are kept in %s\n", dir);
        else
            tu_rmdir(dir);
        free(dir);
    }
    tu_pg_pair_stop(&pair);
    return rc;
}
