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
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdint.h>
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

/* ---- the Patroni cluster ---- */

#define PATRONI "/usr/bin/patroni"
#define ETCD "/usr/bin/etcd"
#define HAPROXY "/usr/sbin/haproxy"

int tu_pg_available(void)
{
    return system("./pg_cluster.sh available") == 0;
}

int tu_ha_available(void)
{
    return access(PATRONI, X_OK) == 0 && access(ETCD, X_OK) == 0 &&
           access(HAPROXY, X_OK) == 0 &&
           system("/usr/bin/python3 -c 'import etcd, patroni.dcs.etcd3' >/dev/null 2>&1") == 0;
}

static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000 * 1000 };

    nanosleep(&t, NULL);
}

/* The HTTP status of OPTIONS path on 127.0.0.1:port (Patroni's REST API
 * answers 200 to /primary on the primary, to /sync on the synchronous standby,
 * with no body, as to HAProxy's checks), 0 if nothing answered within a
 * second. */
static int rest_status(int port, const char *path)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct timeval tv = { 1, 0 };
    char buf[64] = "";
    int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
    ssize_t got = 0;

    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        dprintf(fd, "OPTIONS %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path) > 0)
        got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got > 0 && sscanf(buf, "HTTP/%*s %d", &status) != 1)
        status = 0;
    return status;
}

/* Poll until node i's REST API answers 200 to path, up to limit_s. */
static int rest_wait(const tu_pg_pair *p, int i, const char *path, double limit_s)
{
    double start = now_s();

    while (now_s() - start < limit_s) {
        if (rest_status(p->rest[i], path) == 200)
            return 0;
        nap_ms(100);
    }
    return -1;
}

/* fork and exec argv with stdout and stderr to log; as "postgres" when we
 * are root (postgres refuses root); killed if the test dies. */
static int spawn(char *const argv[], const char *log, int as_postgres)
{
    int pid;

    fflush(NULL);
    if ((pid = fork()) == 0) {
        int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644), null = open("/dev/null", O_RDONLY);
        struct passwd *pw = as_postgres && getuid() == 0 ? getpwnam("postgres") : NULL;

        if (out < 0 || null < 0)
            _exit(126);
        dup2(null, 0);
        dup2(out, 1);
        dup2(out, 2);
        if (pw != NULL && (setgid(pw->pw_gid) != 0 || initgroups(pw->pw_name, pw->pw_gid) != 0 ||
                           setuid(pw->pw_uid) != 0))
            _exit(126);
        if (pw != NULL) {
            setenv("HOME", pw->pw_dir, 1);
            setenv("USER", pw->pw_name, 1);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* after the change of user, which clears it */
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* A node's Patroni configuration (docs/deployment.md "Failover" shows it). */
static int patroni_config(const tu_pg_pair *p, int i, char *path, size_t len)
{
    FILE *f;

    snprintf(path, len, "%s/db%d/patroni.yml", p->dir, i + 1);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fprintf(f,
            "scope: votesrv\n"
            "name: db%d\n"
            "log: { level: WARNING }\n"
            "restapi: { listen: 127.0.0.1:%d, connect_address: 127.0.0.1:%d }\n"
            "etcd3: { hosts: 127.0.0.1:%d }\n"
            "bootstrap:\n"
            "  dcs:\n"
            "    ttl: %d\n"
            "    loop_wait: %d\n"
            "    retry_timeout: %d\n"
            "    maximum_lag_on_failover: 0\n"
            "    synchronous_mode: true\n"
            "    synchronous_mode_strict: %s\n"
            "    postgresql:\n"
            "      use_pg_rewind: false\n"
            "      parameters:\n"
            "        synchronous_commit: \"on\"\n"
            "        wal_level: replica\n"
            "        max_wal_senders: 5\n"
            "        wal_keep_size: 256MB\n"
            "        max_connections: 200\n"
            "        shared_buffers: 64MB\n"
            "  initdb: [ { encoding: UTF8 }, { locale: C.UTF-8 } ]\n"
            "  pg_hba:\n"
            "    - host replication postgres 127.0.0.1/32 trust\n"
            "    - host all all 127.0.0.1/32 trust\n"
            "postgresql:\n"
            "  listen: 127.0.0.1:%d\n"
            "  connect_address: 127.0.0.1:%d\n"
            "  data_dir: %s/db%d/data\n"
            "  bin_dir: /usr/lib/postgresql/15/bin\n"
            "  pgpass: %s/db%d/pgpass\n"
            "  basebackup: [ { checkpoint: fast } ]\n"
            "  authentication:\n"
            "    replication: { username: postgres }\n"
            "    superuser: { username: postgres }\n"
            "  parameters:\n"
            "    unix_socket_directories: %s/db%d\n"
            "    fsync: on\n",
            i + 1, p->rest[i], p->rest[i], p->etcd_port, p->ttl, p->loop_wait,
            p->retry_timeout, p->strict ? "true" : "false", p->port[i], p->port[i], p->dir,
            i + 1, p->dir, i + 1, p->dir, i + 1);
    return fclose(f) == 0 ? 0 : -1;
}

static int patroni_start(tu_pg_pair *p, int i)
{
    char cfg[PATH_MAX + 32], log[PATH_MAX + 32], sub[PATH_MAX + 16];
    struct passwd *pw = getuid() == 0 ? getpwnam("postgres") : NULL;

    snprintf(sub, sizeof sub, "%s/db%d", p->dir, i + 1);
    if (mkdir(sub, 0700) != 0 || (pw != NULL && chown(sub, pw->pw_uid, pw->pw_gid) != 0) ||
        patroni_config(p, i, cfg, sizeof cfg) != 0)
        return -1;
    snprintf(log, sizeof log, "%s/patroni.log", sub);
    p->patroni[i] = spawn((char *[]){ PATRONI, cfg, NULL }, log, 1);
    return p->patroni[i] > 0 ? 0 : -1;
}

static int etcd_start(tu_pg_pair *p)
{
    char data[PATH_MAX + 16], log[PATH_MAX + 16], client[64], peer[64], cluster[80];
    double start = now_s();

    snprintf(data, sizeof data, "%s/etcd", p->dir);
    snprintf(log, sizeof log, "%s/etcd.log", p->dir);
    snprintf(client, sizeof client, "http://127.0.0.1:%d", p->etcd_port);
    snprintf(peer, sizeof peer, "http://127.0.0.1:%d", p->etcd_peer);
    snprintf(cluster, sizeof cluster, "e1=%s", peer);
    p->etcd = spawn((char *[]){ ETCD, "--name", "e1", "--data-dir", data,
                                "--listen-client-urls", client, "--advertise-client-urls", client,
                                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                "--initial-cluster", cluster, "--logger", "zap",
                                "--log-level", "warn", NULL }, log, 0);
    while (p->etcd > 0 && now_s() - start < 20) {
        if (rest_status(p->etcd_port, "/health") == 200)
            return 0;
        nap_ms(50);
    }
    return -1;
}

/* The cluster's logs' ends, to standard error (before the folder goes). */
static void pair_logs(const tu_pg_pair *p)
{
    char out[16];

    tu_sh(out, sizeof out, "cd %s && tail -n 15 etcd.log db*/patroni.log >&2", p->dir);
}

static int distinct_ports(int *ports, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((ports[i] = free_port()) <= 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (ports[j] == ports[i])
                return -1;
    }
    return 0;
}

static tu_pg_pair *live_pair;
static void on_signal(int sig);

/* etcd, then the first node's Patroni (which bootstraps: initdb) and the
 * template database, then the others' (Patroni copies the primary with
 * pg_basebackup); VOTESRV_TEST_PG set. The standbys are still being made:
 * pair_wait. Calls tu_pg_pair_stop on failure. */
static int pair_boot(tu_pg_pair *p)
{
    const char *n = getenv("VOTESRV_HA_NODES");
    char out[4096], env[200];
    int ports[2 + 2 * TU_PG_NODES_MAX];
    char *d = tu_tmpdir();
    size_t len;

    memset(p, 0, sizeof *p);
    snprintf(p->dir, sizeof p->dir, "%s", d);
    free(d);
    chmod(p->dir, 0755);                /* the servers run as postgres */
    p->nodes = n != NULL && atoi(n) == 3 ? 3 : 2;
    p->strict = p->nodes >= 3;          /* with two, strict mode would stop the vote */
    /* as small as is safe on a busy test machine; Patroni's rule:
     * loop_wait + 2 * retry_timeout <= ttl */
    p->ttl = 6;
    p->loop_wait = 1;
    p->retry_timeout = 2;
    if (distinct_ports(ports, 2 + 2 * (size_t)p->nodes) != 0)
        goto fail;
    p->etcd_port = ports[0];
    p->etcd_peer = ports[1];
    for (int i = 0; i < p->nodes; i++) {
        p->port[i] = ports[2 + 2 * i];
        p->rest[i] = ports[3 + 2 * i];
    }
    live_pair = p;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGHUP, on_signal);
    if (etcd_start(p) != 0) {
        fprintf(stderr, "tu_pg_pair_start: etcd did not start\n");
        goto fail;
    }
    if (patroni_start(p, 0) != 0 || rest_wait(p, 0, "/primary", 60) != 0) {
        fprintf(stderr, "tu_pg_pair_start: no primary\n");
        goto fail;
    }
    for (int i = 1; i < p->nodes; i++)
        if (patroni_start(p, i) != 0)
            goto fail;
    if (tu_sh(out, sizeof out, "./pg_cluster.sh template %d", p->port[0]) != 0) {
        fprintf(stderr, "tu_pg_pair_start: %s\n", out);
        goto fail;
    }
    len = (size_t)snprintf(env, sizeof env, "host=127.0.0.1");
    for (int i = 1; i < p->nodes; i++)
        len += (size_t)snprintf(env + len, sizeof env - len, ",127.0.0.1");
    len += (size_t)snprintf(env + len, sizeof env - len, " port=%d", p->port[0]);
    for (int i = 1; i < p->nodes; i++)
        len += (size_t)snprintf(env + len, sizeof env - len, ",%d", p->port[i]);
    snprintf(env + len, sizeof env - len, " target_session_attrs=read-write");
    if (setenv("VOTESRV_TEST_PG", env, 1) == 0)
        return 0;
fail:
    pair_logs(p);
    tu_pg_pair_stop(p);
    return -1;
}

/* Every standby streams, and one is the synchronous standby (p->sync). */
static int pair_wait(tu_pg_pair *p)
{
    for (int i = 1; i < p->nodes; i++)
        if (rest_wait(p, i, "/replica", 90) != 0) {
            fprintf(stderr, "tu_pg_pair_start: no standby db%d\n", i + 1);
            goto fail;
        }
    for (double start = now_s(); p->sync == 0 && now_s() - start < 30; nap_ms(100))
        for (int i = 1; i < p->nodes && p->sync == 0; i++)
            if (rest_status(p->rest[i], "/sync") == 200)
                p->sync = i;
    if (p->sync > 0)
        return 0;
    fprintf(stderr, "tu_pg_pair_start: no synchronous standby\n");
fail:
    return -1;
}

int tu_pg_pair_start(tu_pg_pair *p)
{
    if (pair_boot(p) != 0)
        return -1;
    if (pair_wait(p) == 0)
        return 0;
    pair_logs(p);
    tu_pg_pair_stop(p);
    return -1;
}

int tu_pg_pair_primary(const tu_pg_pair *p)
{
    for (int i = 0; i < p->nodes; i++)
        if (p->patroni[i] > 0 && rest_status(p->rest[i], "/primary") == 200)
            return i;
    return -1;
}

/* The running postmaster of data directory data, or 0. */
static int postmaster_pid(const char *data)
{
    char path[PATH_MAX + 32];
    int pid = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/postmaster.pid", data);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    if (fscanf(f, "%d", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid > 0 && kill(pid, 0) == 0 ? pid : 0;
}

/* SIGKILL these processes and every child they have, together: all are
 * stopped first, so that none sees another go and no new child appears. */
static void kill_together(const int *pids, size_t n)
{
    int kids[256];

    for (size_t k = 0; k < n; k++)
        if (pids[k] > 0)
            kill(pids[k], SIGSTOP);
    for (size_t k = 0; k < n; k++) {
        size_t m = pids[k] > 0 ? tu_proc_children(pids[k], kids, 256) : 0;

        for (size_t j = 0; j < m; j++)
            kill(kids[j], SIGKILL);
    }
    for (size_t k = 0; k < n; k++)
        if (pids[k] > 0)
            kill(pids[k], SIGKILL);
}

/* Node i's machine is lost: its Patroni and its PostgreSQL. */
static void node_kill(tu_pg_pair *p, int i)
{
    char data[PATH_MAX + 32];
    int pids[2];

    snprintf(data, sizeof data, "%s/db%d/data", p->dir, i + 1);
    pids[0] = p->patroni[i];
    pids[1] = postmaster_pid(data);
    kill_together(pids, 2);
    if (p->patroni[i] > 0)
        waitpid(p->patroni[i], NULL, 0);
    p->patroni[i] = 0;
}

/* The cluster running now: a test killed (a timeout, ^C) takes its PostgreSQL
 * servers with it. etcd and Patroni die with the test (PR_SET_PDEATHSIG), but
 * Patroni starts each postmaster in a session of its own. */
static void on_signal(int sig)
{
    if (live_pair != NULL)
        for (int i = 0; i < live_pair->nodes; i++)
            node_kill(live_pair, i);
    signal(sig, SIG_DFL);
    raise(sig);
}

int tu_pg_pair_kill_primary(tu_pg_pair *p)
{
    int i = tu_pg_pair_primary(p);

    if (i >= 0)
        node_kill(p, i);
    return i;
}

void tu_pg_pair_stop(tu_pg_pair *p)
{
    /* nothing is kept: every machine is lost, etcd too */
    for (int i = 0; i < p->nodes; i++)
        node_kill(p, i);
    if (p->etcd > 0) {
        kill(p->etcd, SIGKILL);
        waitpid(p->etcd, NULL, 0);
        p->etcd = 0;
    }
    live_pair = NULL;
    unsetenv("VOTESRV_TEST_PG");
    if (p->dir[0] != '\0')
        tu_rmdir(p->dir);
    p->dir[0] = '\0';
    p->nodes = 0;
}

/* HAProxy (conf/haproxy.cfg without its production-only lines) from
 * 127.0.0.1:front to the two nodes' Unix sockets. Its pid, or -1. */
static int haproxy_start(const char *dir, int front, char sock[2][PATH_MAX + 16])
{
    char conf[PATH_MAX + 32], log[PATH_MAX + 32], errors[PATH_MAX], line[1024];
    char env[3 * PATH_MAX];
    FILE *in = fopen("../conf/haproxy.cfg", "r"), *out;
    double start = now_s();
    int pid;

    snprintf(conf, sizeof conf, "%s/haproxy.cfg", dir);
    snprintf(log, sizeof log, "%s/haproxy.log", dir);
    if (in == NULL || (out = fopen(conf, "w")) == NULL || realpath("../conf/haproxy-errors",
                                                                   errors) == NULL) {
        if (in != NULL)
            fclose(in);
        return -1;
    }
    while (fgets(line, sizeof line, in) != NULL)
        if (strstr(line, "# production") == NULL)
            fputs(line, out);
    fclose(in);
    if (fclose(out) != 0)
        return -1;
    snprintf(env, sizeof env, "127.0.0.1:%d", front);
    setenv("VOTESRV_FRONT", env, 1);
    snprintf(env, sizeof env, "unix@%s", sock[0]);
    setenv("VOTESRV_BACKEND", env, 1);
    snprintf(env, sizeof env, "unix@%s", sock[1]);
    setenv("VOTESRV_NODE2", env, 1);
    setenv("VOTESRV_ERRORS", errors, 1);
    setenv("VOTESRV_MAXCONN", "200", 1);
    pid = spawn((char *[]){ HAPROXY, "-db", "-f", conf, NULL }, log, 0);
    unsetenv("VOTESRV_NODE2");
    while (pid > 0 && now_s() - start < 10) {
        if (rest_status(front, "/api/v1/election") > 0)
            return pid;
        nap_ms(20);
    }
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return -1;
}

/* ---- the failover ---- */

#define HA_SCRUTIN "csa-ministere"
#define HA_LISTS 4

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

/* A box to check against the receipts: the first upto[k] lines of
 * receipts<k>.csv (SIZE_MAX: all) must be in it. */
typedef struct {
    const char *dir;
    size_t upto[2];
    size_t ballots, signatures, missing;
} ha_check;

static int check_receipts(store_tx *tx, void *arg)
{
    ha_check *c = arg;
    uint64_t ballots, signatures;
    int rc = store_ballot_count(tx, &ballots);

    if (rc != STORE_OK || (rc = store_signature_count(tx, &signatures)) != STORE_OK)
        return rc;
    c->ballots = ballots;
    c->signatures = signatures;
    for (int k = 0; k < 2; k++) {
        char path[PATH_MAX + 32], line[512], scrutin[STORE_SCRUTIN_CHARS + 1], *body, *hex;
        uint8_t tracker[32];
        size_t n = 0;
        FILE *f;

        snprintf(path, sizeof path, "%s/receipts%d.csv", c->dir, k);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        while (n++ < c->upto[k] && fgets(line, sizeof line, f) != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            hex = strrchr(line, ',');
            if (hex == NULL || sodium_hex2bin(tracker, sizeof tracker, hex + 1, strlen(hex + 1),
                                              NULL, NULL, NULL) != 0 ||
                store_ballot_get(tx, tracker, scrutin, &body) != STORE_OK) {
                c->missing++;
                continue;
            }
            free(body);
        }
        fclose(f);
    }
    return STORE_OK;
}

/* The box of configuration cfg against the receipts, then its audit chain
 * (votectl export-audit, voteaudit verify-log); 0 or -1 (could not look). */
static int check_box(const char *bin, const char *dir, const char *cfg, ha_check *c,
                     int *audit_rc, char *audit_out, size_t len)
{
    char err[300] = "";
    server srv;

    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0 ||
        store_read(srv.store, check_receipts, c) != STORE_OK) {
        fprintf(stderr, "tu_ha_failover: %s: %s\n", cfg, err);
        server_close(&srv);
        return -1;
    }
    server_close(&srv);
    *audit_rc = tu_sh(audit_out, len, "cd %s && rm -f audit.db && %s/votectl -c %s "
                      "export-audit audit.db && %s/voteaudit verify-log audit.db", dir, bin, cfg,
                      bin);
    return 0;
}

/* The run's moving parts, for watch() and the clean-up. */
typedef struct {
    tu_pg_pair *pair;
    const char *dir;
    int load[2];
    int backup;                 /* pg_cluster.sh backup's pid while it runs */
    int backup_rc;
    size_t backup_upto[2];      /* receipts written when it started */
} ha_run;

static int backup_start(ha_run *h, tu_ha_result *r)
{
    char port[16], target[PATH_MAX + 16];

    snprintf(port, sizeof port, "%d", h->pair->port[h->pair->sync]);
    snprintf(target, sizeof target, "%s/backup", h->dir);
    for (int k = 0; k < 2; k++)
        h->backup_upto[k] = count_lines(h->dir, k);
    r->backup_acked_start = h->backup_upto[0] + h->backup_upto[1];
    fflush(NULL);
    if ((h->backup = fork()) == 0) {
        setpgid(0, 0);
        execl("./pg_cluster.sh", "pg_cluster.sh", "backup", target, port, (char *)NULL);
        _exit(127);
    }
    return h->backup > 0 ? 0 : -1;
}

/* Wait for the loads, acknowledgment by acknowledgment; the backup, then the
 * loss of the primary's machine on the way; Patroni's promotion timed. */
static int watch(ha_run *h, tu_ha_result *r)
{
    double start = now_s(), last = start, t_kill = 0, t_backup = 0, t_rest = 0;
    int running = 2, killed = -1, promoted = -1, backed_up = 0;

    while (running > 0) {
        size_t n = count_lines(h->dir, 0) + count_lines(h->dir, 1);
        double t = now_s();
        int status;

        if (n > r->acked) {
            if (t - last > r->pause_s)
                r->pause_s = t - last;
            last = t;
            r->acked = n;
        }
        if (h->backup == 0 && !backed_up && r->acked >= r->voters / 10) {
            if (backup_start(h, r) != 0)
                return -1;
            t_backup = t;
        }
        if (h->backup > 0 && waitpid(h->backup, &status, WNOHANG) == h->backup) {
            h->backup = 0;
            h->backup_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
            r->backup_s = t - t_backup;
            r->backup_acked_end = r->acked;
            backed_up = 1;
        }
        if (killed < 0 && backed_up && r->acked >= r->voters / 3) {
            if ((killed = tu_pg_pair_kill_primary(h->pair)) < 0)
                return -1;
            r->acked_at_kill = r->acked;
            t_kill = t;
        }
        if (killed >= 0 && promoted < 0 && t - t_rest >= 0.1) {
            if ((promoted = tu_pg_pair_primary(h->pair)) >= 0)
                r->promote_s = now_s() - t_kill;
            t_rest = now_s();
        }
        for (int k = 0; k < 2; k++)
            if (h->load[k] > 0 && waitpid(h->load[k], &status, WNOHANG) == h->load[k]) {
                r->load_rc[k] = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
                h->load[k] = 0;
                running--;
            }
        if (t - start > 300)
            return -1;
        nap_ms(10);
    }
    r->run_s = now_s() - start;
    r->acked = count_lines(h->dir, 0) + count_lines(h->dir, 1);
    for (double t = now_s(); promoted < 0 && now_s() - t < 30; nap_ms(100))
        if ((promoted = tu_pg_pair_primary(h->pair)) >= 0)
            r->promote_s = now_s() - t_kill;
    if (killed < 0 || promoted < 0 || promoted == killed)
        fprintf(stderr, "tu_ha_failover: killed db%d, primary now db%d\n", killed + 1,
                promoted + 1);
    return killed >= 0 && promoted >= 0 && promoted != killed ? 0 : -1;
}

/* Node k's configuration: cfg listening on its own Unix socket, behind HAProxy. */
static int node_config(const char *cfg, const char *dir, int k, char *out, size_t len,
                       char *sock, size_t socklen)
{
    json_t *c = json_load_file(cfg, 0, NULL);
    int rc;

    snprintf(out, len, "%s/node%d.json", dir, k);
    snprintf(sock, socklen, "%s/node%d.sock", dir, k);
    if (c == NULL)
        return -1;
    json_object_set_new(json_object_get(c, "listen"), "unix", json_pack("{s:s}", "path", sock));
    json_object_set_new(c, "trusted_proxies", json_array());
    json_object_set_new(c, "proxy_protocol_v2", json_true());
    rc = json_dump_file(c, out, JSON_INDENT(1));
    json_decref(c);
    return rc;
}

/* The backup's copy as a throw-away server, and cfg's store pointed at it:
 * later keywords of a libpq connection string win. */
static int backup_config(const char *cfg, const char *dir, int port, char *out, size_t len)
{
    json_t *c = json_load_file(cfg, 0, NULL), *store = json_object_get(c, "store");
    const char *pg = json_string_value(json_object_get(store, "postgresql"));
    char conninfo[1024], sh[4096];
    int rc;

    if (pg == NULL)
        return -1;
    if (tu_sh(sh, sizeof sh, "./pg_cluster.sh scratch %s/backup %d", dir, port) != 0) {
        fprintf(stderr, "tu_ha_failover: the backup does not start: %s\n", sh);
        json_decref(c);
        return -1;
    }
    snprintf(conninfo, sizeof conninfo, "%s host=127.0.0.1 port=%d target_session_attrs=any",
             pg, port);
    json_object_set_new(store, "postgresql", json_string(conninfo));
    snprintf(out, len, "%s/backup.json", dir);
    rc = json_dump_file(c, out, JSON_INDENT(1));
    json_decref(c);
    return rc;
}

int tu_ha_failover(const char *bin, size_t voters, tu_ha_result *r)
{
    tu_pg_pair pair;
    char cfg[PATH_MAX + 32], ncfg[2][PATH_MAX + 32], bcfg[PATH_MAX + 32], log[PATH_MAX + 32];
    char sock[2][PATH_MAX + 16], sh[1024];
    char *dir = NULL;
    int node[2] = { 0, 0 }, proxy = 0, front, rc = -1;
    ha_run h = { .pair = &pair };
    ha_check check;

    memset(r, 0, sizeof *r);
    r->voters = voters;
    if (pair_boot(&pair) != 0)
        return -1;
    r->ttl = pair.ttl;
    r->loop_wait = pair.loop_wait;
    r->retry_timeout = pair.retry_timeout;
    r->nodes = pair.nodes;
    r->strict = pair.strict;
    dir = tu_tmpdir();
    chmod(dir, 0755);                   /* the backup is made by postgres */
    h.dir = dir;
    if (tu_election_generated(dir, bin, voters, cfg, sizeof cfg) != 0 ||
        tu_load_file(dir, cfg, HA_SCRUTIN, HA_LISTS) != 0 || split_load(dir) != 0)
        goto out;
    /* the standby was being copied meanwhile */
    if (pair_wait(&pair) != 0)
        goto out;
    for (int k = 0; k < 2; k++) {
        snprintf(log, sizeof log, "%s/node%d.log", dir, k);
        if (node_config(cfg, dir, k, ncfg[k], sizeof ncfg[k], sock[k], sizeof sock[k]) != 0 ||
            (node[k] = tu_daemon_start(bin, ncfg[k], log)) <= 0)
            goto out;
    }
    if ((front = free_port()) <= 0 || (proxy = haproxy_start(dir, front, sock)) <= 0)
        goto out;
    snprintf(tu_base_url, sizeof tu_base_url, "http://127.0.0.1:%d", front);
    for (int k = 0; k < 2; k++)
        h.load[k] = start_load(bin, dir, k, tu_base_url);
    if (watch(&h, r) != 0)
        goto out;
    for (int k = 0; k < 2; k++) {
        kill(node[k], SIGTERM);
        waitpid(node[k], NULL, 0);
        node[k] = 0;
    }
    /* the live box: every acknowledged ballot */
    check = (ha_check){ dir, { SIZE_MAX, SIZE_MAX }, 0, 0, 0 };
    if (check_box(bin, dir, cfg, &check, &r->audit_rc, r->audit_out, sizeof r->audit_out) != 0)
        goto out;
    r->ballots = check.ballots;
    r->signatures = check.signatures;
    r->missing = check.missing;
    /* the backup: every ballot acknowledged before it started */
    if (h.backup_rc != 0) {
        fprintf(stderr, "tu_ha_failover: pg_basebackup or pg_verifybackup failed (%d)\n",
                h.backup_rc);
        goto out;
    }
    check = (ha_check){ dir, { h.backup_upto[0], h.backup_upto[1] }, 0, 0, 0 };
    if (backup_config(cfg, dir, free_port(), bcfg, sizeof bcfg) != 0 ||
        check_box(bin, dir, bcfg, &check, &r->backup_audit_rc, r->backup_audit_out,
                  sizeof r->backup_audit_out) != 0)
        goto out;
    r->backup_ballots = check.ballots;
    r->backup_signatures = check.signatures;
    r->backup_missing = check.missing;
    rc = 0;
out:
    for (int k = 0; k < 2; k++) {
        if (h.load[k] > 0) {
            kill(h.load[k], SIGKILL);
            waitpid(h.load[k], NULL, 0);
        }
        if (node[k] > 0) {
            kill(node[k], SIGKILL);
            waitpid(node[k], NULL, 0);
        }
    }
    if (proxy > 0) {
        kill(proxy, SIGKILL);
        waitpid(proxy, NULL, 0);
    }
    if (h.backup > 0) {
        kill(-h.backup, SIGKILL);       /* its process group: pg_basebackup too */
        waitpid(h.backup, NULL, 0);
    }
    if (rc != 0)                        /* what to read, before the folders go */
        pair_logs(&pair);
    if (dir != NULL) {
        int pm;

        if (rc != 0)
            tu_sh(sh, sizeof sh, "cd %s && tail -n 15 haproxy.log node*.log load*.log "
                  "backup/*.log >&2", dir);
        snprintf(log, sizeof log, "%s/backup/data", dir);
        pm = postmaster_pid(log);
        kill_together(&pm, 1);
        tu_rmdir(dir);
        free(dir);
    }
    tu_pg_pair_stop(&pair);
    return rc;
}
