/* bench_cast.c - cast.ballots_per_s, cast.p99_ms and daemon.rss_mb: an
 * election of 50,000 voters (2,000 under BENCH_QUICK) served by the real
 * daemon on loopback, every voter casting one ballot in the CSA through
 * voteclient load (16 connections; full proof check and durable commit per
 * ballot). Sessions are made beforehand, in one transaction through the access
 * layer: login is Argon2id work, measured by auth.login_per_s. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "access/access.h"
#include "bench.h"
#include "votesrv/server.h"

#define CONCURRENCY 16
#define SCRUTIN "csa-ministere"
#define LISTS 4

typedef struct {
    access_ctx *a;
    FILE *codes, *out;
    int n;
} sessions_job;

/* One session per voter of codes.csv ("NUMBER,CODE"), written to the load file. */
static int run_sessions(store_tx *tx, void *arg)
{
    sessions_job *j = arg;
    char line[256], token[ACCESS_TOKEN_CHARS + 1];
    int64_t id;
    int struck, rc;

    while (fgets(line, sizeof line, j->codes) != NULL) {
        char *comma = strchr(line, ',');

        if (comma == NULL)
            continue;
        *comma = '\0';
        comma[1 + strcspn(comma + 1, "\r\n")] = '\0';
        if ((rc = store_voter_find(tx, line, &id, &struck)) != STORE_OK ||
            (rc = access_session_open_tx(tx, j->a, id, (int64_t)time(NULL), token)) != STORE_OK)
            return rc;
        fprintf(j->out, "%s,%s," SCRUTIN ",%d\n", token, comma + 1, 1 + j->n % LISTS);
        j->n++;
    }
    return STORE_OK;
}

static void make_sessions(const char *dir, const char *cfg)
{
    char path[800], err[256];
    sessions_job j = { 0 };
    server srv;

    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        bench_die("cast: server_open");
    }
    snprintf(path, sizeof path, "%s/codes.csv", dir);
    j.codes = fopen(path, "r");
    snprintf(path, sizeof path, "%s/load.csv", dir);
    j.out = fopen(path, "w");
    j.a = &srv.access;
    if (j.codes == NULL || j.out == NULL || store_write(srv.store, run_sessions, &j) != STORE_OK)
        bench_die("cast: sessions");
    fclose(j.codes);
    fclose(j.out);
    server_close(&srv);
}

/* An open election of n voters in dir, made by the CLIs; no mail relay. */
static void make_election(const char *dir, const char *bin, size_t n, char *cfg, size_t cfglen)
{
    static const char head[] = "number,surname,given_names,emails,establishment,"
                               "postal_address,corps\n";
    char *csv = malloc(sizeof head + n * 64);
    size_t len = sizeof head - 1;

    if (csv == NULL)
        bench_die("cast: alloc");
    memcpy(csv, head, len);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(csv + len, "B%06zu,Nom%zu,Prénom,b%zu@bench.example,E%zu,,"
                               "attache\n", i, i, i, i % 20);
    if (tu_election_by_cli(dir, bin, NULL, csv, NULL, cfg, cfglen) != 0)
        bench_die("cast: votectl");
    free(csv);
}

/* The daemon's peak resident memory (VmHWM), in MB. */
static double peak_rss_mb(int pid)
{
    char path[64], line[256];
    double kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtod(line + 6, NULL);
    fclose(f);
    return kb / 1024;
}

void bench_cast(void)
{
    size_t n = bench_scaled(50000, 2000);
    char bin[PATH_MAX], cfg[800], log[800], *dir = tu_tmpdir(), *out = malloc(65536);
    int pid, rc;

    fflush(stdout);                      /* children must not inherit our buffer */
    if (realpath(getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin", bin) == NULL)
        bench_die("cast: binaries");
    make_election(dir, bin, n, cfg, sizeof cfg);
    make_sessions(dir, cfg);
    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    if ((pid = tu_daemon_start(bin, cfg, log)) <= 0)
        bench_die("cast: daemon");
    rc = tu_sh(out, 65536, "%s/voteclient --url %s load %s/load.csv --concurrency %d --bench",
               bin, tu_base_url, dir, CONCURRENCY);
    fputs(out, stdout);
    if (rc != 0)
        printf("# cast: voteclient exited with %d\n", rc);
    printf("bench daemon.rss_mb %.1f mb\n", peak_rss_mb(pid));
    printf("# cast: %zu voters, %d connections; daemon peak RSS (VmHWM)\n", n, CONCURRENCY);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    tu_rmdir(dir);
    free(dir);
    free(out);
}
