/* bench_cast.c - cast.ballots_per_s, cast.p99_ms, cast.cpu_ms and daemon.rss_mb: an
 * election of 50,000 voters (2,000 under BENCH_QUICK) served by the real
 * daemon on loopback, every voter casting one ballot in the CSA through
 * voteclient load (16 connections; full proof check and durable commit per
 * ballot). Sessions are made beforehand, in one transaction through the access
 * layer: login is Argon2id work, measured by auth.login_per_s. cast.cpu_ms is
 * the CPU time (user + system) of every votesrv process, the daemon and its
 * children (the privilege-separated worker), per ballot, over the casting
 * only; bench_privsep compares it with and without privilege separation.
 * cast.server_cpu_ms: the same CPU read process by process (the writer, the
 * signer, the worker, the mailer) and divided by the casts accepted.
 * cast.ballots_per_s_haproxy and cast.p99_ms_haproxy: the same election cast
 * through HAProxy in front (conf/haproxy.cfg as the tests run it: TLS,
 * HTTP/2, PROXY v2 to votesrv's Unix socket).
 * cast.open_1000_*: the same election size cast open-loop (voteclient load
 * --rate 1000 --concurrency 64): casts due at 1,000 per second whatever the
 * answers' pace, as voters arrive, latencies from each cast's due time; the
 * closed loop above cannot pass 16 / latency, nor batch more than 16 casts
 * per durable commit. */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include "bench.h"

#define CONCURRENCY 16
#define OPEN_RATE 1000                  /* cast.open_1000_*: casts per second offered */
#define OPEN_CONCURRENCY 64             /* and the connections that may carry them */
#define SCRUTIN "csa-ministere"
#define LISTS 4

#define SERVER_PROCS 16

/* The CPU ticks (user + system, /proc/PID/stat) of the daemon pid (the writer)
 * and of each of its live children (the signer, the worker, the mailer). */
typedef struct {
    int writer, n;
    long box_commits;                   /* box_commits of the daemon's box */
    int pid[SERVER_PROCS];
    char comm[SERVER_PROCS][20];
    unsigned long long ticks[SERVER_PROCS];
} server_cpu;

static void server_cpu_read(int pid, server_cpu *c)
{
    DIR *d = opendir("/proc");
    struct dirent *e;

    c->writer = pid;
    c->n = 0;
    while (d != NULL && (e = readdir(d)) != NULL && c->n < SERVER_PROCS) {
        char path[300], line[1024], *p, *q;
        unsigned long long ut, st;
        int id = atoi(e->d_name), ppid;
        FILE *f;

        if (id <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/stat", id);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        /* "pid (comm) state ppid ...", field 14 utime, 15 stime */
        if (fgets(line, sizeof line, f) != NULL && (p = strrchr(line, ')')) != NULL &&
            (q = strchr(line, '(')) != NULL && q < p &&
            sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ppid, &ut,
                   &st) == 3 && (id == pid || ppid == pid)) {
            c->pid[c->n] = id;
            snprintf(c->comm[c->n], sizeof c->comm[c->n], "%.*s", (int)(p - q - 1), q + 1);
            c->ticks[c->n++] = ut + st;
        }
        fclose(f);
    }
    if (d != NULL)
        closedir(d);
}

/* CPU seconds (user + system) of process pid and its live children. */
static double tree_cpu_s(int pid)
{
    server_cpu c;
    double ticks = 0;

    server_cpu_read(pid, &c);
    for (int i = 0; i < c.n; i++)
        ticks += (double)c.ticks[i];
    return ticks / (double)sysconf(_SC_CLK_TCK);
}

/* "bench <metric>" (cast.server_cpu_ms): the CPU the writer, signer, worker
 * and mailer spent between b and a, per cast accepted (voteclient's ballots
 * minus its errors, from out); then each process's share, and the casts per
 * durable commit, on comment lines headed by label. */
static void server_cpu_print(const server_cpu *b, const server_cpu *a, const char *out,
                             const char *metric, const char *label)
{
    const char *p = strstr(out, "# cast: ");
    size_t ballots, errors, accepted;
    double tick_ms = 1e3 / (double)sysconf(_SC_CLK_TCK), total = 0, client;

    if (p == NULL || sscanf(p, "# cast: %zu ballots, %zu errors", &ballots, &errors) != 2 ||
        errors >= ballots) {
        printf("# %s: no accepted cast to divide by\n", metric);
        return;
    }
    accepted = ballots - errors;
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            if (a->pid[i] == b->pid[j])
                total += (double)(a->ticks[i] - b->ticks[j]) * tick_ms;
    printf("bench %s %.3f ms\n", metric, total / (double)accepted);
    printf("# %s: CPU (user + system) per accepted cast (%zu), privsep and "
           "seccomp on, in ms:", metric, accepted);
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            if (a->pid[i] == b->pid[j])
                printf(" %s %.3f", a->pid[i] == a->writer ? "writer" : a->comm[i],
                       (double)(a->ticks[i] - b->ticks[j]) * tick_ms / (double)accepted);
    printf("\n");
    if ((p = strstr(out, "# cast: voteclient used ")) != NULL &&
        sscanf(p, "# cast: voteclient used %lf", &client) == 1) {
        double both = total / (double)accepted + client;

        printf("# %s: server and client, %.3f ms of CPU per cast: %.0f casts/s at most on "
               "the 2 cores they share\n", label, both, 2000.0 / both);
    }
    if (a->box_commits > b->box_commits && b->box_commits >= 0)
        printf("# %s: %ld commits wrote the ballot box: %.1f accepted casts per durable "
               "commit\n", label, a->box_commits - b->box_commits,
               (double)accepted / (double)(a->box_commits - b->box_commits));
}

/* The SQLite file change counter of ballots.db beside the configuration file
 * cfg (its header's bytes 24 to 27, big-endian): one more for every
 * transaction that wrote the file, in rollback-journal mode. -1 without such
 * a file (PostgreSQL). */
static long box_commits(const char *cfg)
{
    char path[900];
    unsigned char h[28];
    const char *slash = strrchr(cfg, '/');
    FILE *f;
    long n = -1;

    snprintf(path, sizeof path, "%.*sballots.db", slash != NULL ? (int)(slash - cfg + 1) : 0, cfg);
    if ((f = fopen(path, "rb")) == NULL)
        return -1;
    if (fread(h, 1, sizeof h, f) == sizeof h)
        n = (long)((unsigned long)h[24] << 24 | (unsigned long)h[25] << 16 |
                   (unsigned long)h[26] << 8 | h[27]);
    fclose(f);
    return n;
}

/* Turn privilege separation on or off in the configuration file cfg; 0 or -1. */
int bench_set_privsep(const char *cfg, int privsep)
{
    json_t *j = json_load_file(cfg, 0, NULL);
    int rc = -1;

    if (j != NULL &&
        json_object_set_new(j, "privsep", json_pack("{s:b,s:b}", "enabled", privsep,
                                                      "writer_stays_root", 1)) == 0 &&
        json_dump_file(j, cfg, JSON_INDENT(2)) == 0)
        rc = 0;
    json_decref(j);
    return rc;
}

/* Start the daemon on cfg, its log in dir/votesrv.log: its pid, or <= 0. */
static int bench_start_daemon(const char *bin, const char *cfg, const char *dir)
{
    char log[800];

    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    return tu_daemon_start(bin, cfg, log);
}

/* Stop the daemon pid and remove its folder dir (freed). */
static void bench_stop_daemon(int pid, char *dir)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    tu_rmdir(dir);
    free(dir);
}

/* The lines "bench <metric>_on|_off|_added" of the medians of on and off
 * (BENCH_ROUNDS each, left in their rounds' order), in unit with prec decimals. */
static void bench_print_on_off(const char *metric, const char *unit, int prec, const double *on,
                               const double *off)
{
    double a[BENCH_ROUNDS], b[BENCH_ROUNDS];     /* sorted copies: the rounds stay in order */

    memcpy(a, on, sizeof a);
    memcpy(b, off, sizeof b);
    printf("bench %s_on %.*f %s\n", metric, prec, tu_median(a, BENCH_ROUNDS), unit);
    printf("bench %s_off %.*f %s\n", metric, prec, tu_median(b, BENCH_ROUNDS), unit);
    printf("bench %s_added %.*f %s\n", metric, prec,
           tu_median(a, BENCH_ROUNDS) - tu_median(b, BENCH_ROUNDS), unit);
}

/* Each round's pair " on/off" with prec decimals, then the end of the line. */
static void bench_print_rounds(int prec, const double *on, const double *off)
{
    for (int r = 0; r < BENCH_ROUNDS; r++)
        printf(" %.*f/%.*f", prec, on[r], prec, off[r]);
    printf("\n");
}

/* votesrv's configuration cfg with a Unix socket for HAProxy in dir (PROXY
 * v2) and its internal listener on a port of its own (the health check's). */
static void bench_behind_haproxy(const char *cfg, const char *dir, char *sock, size_t socklen)
{
    json_t *j = json_load_file(cfg, 0, NULL);

    snprintf(sock, socklen, "%s/proxy.sock", dir);
    if (j == NULL ||
        json_object_set_new(json_object_get(j, "listen"), "unix",
                            json_pack("{s:s}", "path", sock)) != 0 ||
        json_object_set_new(j, "trusted_proxies", json_array()) != 0 ||
        json_object_set_new(j, "proxy_protocol_v2", json_true()) != 0 ||
        json_dump_file(j, cfg, JSON_INDENT(2)) != 0)
        bench_die("cast: configuration behind HAProxy");
    json_decref(j);
    tu_internal_port = tu_free_port();
}

/* An election of n voters in the current store (SQLite, or PostgreSQL when
 * VOTESRV_TEST_PG is set), cast by voteclient load --bench with conns
 * connections (rate 0: a closed loop; else open, rate casts per second
 * offered) against one daemon (privilege separation on or off), directly or
 * through HAProxy (tls): voteclient's output in out (malloc'd), the daemon's
 * peak RSS in *rss_mb, its processes' CPU per ballot in *cpu_ms. */
static int cast_via(size_t n, int privsep, int tls, int conns, int rate, char **out,
                    double *rss_mb, double *cpu_ms, server_cpu *before, server_cpu *after)
{
    char bin[PATH_MAX], cfg[800], sock[900], rate_opt[32] = "", *dir = tu_tmpdir();
    tu_haproxy h = { .pid = 0 };
    double cpu0;
    int pid, rc;

    *out = malloc(65536);
    fflush(stdout);                      /* children must not inherit our buffer */
    if (*out == NULL || tu_bin(bin) != 0)
        bench_die("cast: binaries");
    if (tu_election_generated(dir, bin, n, cfg, sizeof cfg) != 0)
        bench_die("cast: votectl");
    if (tu_load_file(dir, cfg, SCRUTIN, LISTS) != 0)
        bench_die("cast: sessions");
    if (bench_set_privsep(cfg, privsep) != 0)
        bench_die("cast: configuration");
    if (tls)
        bench_behind_haproxy(cfg, dir, sock, sizeof sock);
    if ((pid = bench_start_daemon(bin, cfg, dir)) <= 0)
        bench_die("cast: daemon");
    if (tls && (tu_tls_make(&h, dir) != 0 || tu_haproxy_start(&h, sock, tu_internal_port, 0) != 0))
        bench_die("cast: HAProxy");
    server_cpu_read(pid, before);
    before->box_commits = box_commits(cfg);
    cpu0 = tree_cpu_s(pid);
    if (rate > 0)       /* and its first error, if any, in out */
        snprintf(rate_opt, sizeof rate_opt, " --rate %d 2>&1", rate);
    rc = tu_sh(*out, 65536, "%s/voteclient --url %s%s%s load %s/load.csv --concurrency %d "
               "--bench%s", bin, tls ? h.url : tu_base_url, tls ? " --cacert " : "",
               tls ? h.cacert : "", dir, conns, rate_opt);
    *cpu_ms = (tree_cpu_s(pid) - cpu0) * 1e3 / (double)n;
    server_cpu_read(pid, after);
    after->box_commits = box_commits(cfg);
    *rss_mb = tu_proc_mb(pid, "VmHWM:");
    tu_haproxy_stop(&h);
    tu_internal_port = 0;
    bench_stop_daemon(pid, dir);
    return rc;
}

static int cast_once(size_t n, int privsep, char **out, double *rss_mb, double *cpu_ms)
{
    server_cpu b, a;

    return cast_via(n, privsep, 0, CONCURRENCY, 0, out, rss_mb, cpu_ms, &b, &a);
}

static void rename_figure(const char *out, const char *from, const char *to);

/* The comment line of out that starts "# cast: " then head, printed again
 * under label. */
static void relabel_comment(const char *out, const char *head, const char *label)
{
    char key[80];
    const char *p;

    snprintf(key, sizeof key, "# cast: %s", head);
    if ((p = strstr(out, key)) != NULL)
        printf("# %s: %.*s\n", label, (int)strcspn(p + 8, "\n"), p + 8);
}

/* cast.open_1000_*: a fresh election of n voters cast open-loop, OPEN_RATE
 * casts per second offered by up to OPEN_CONCURRENCY connections. */
static void bench_cast_open(size_t n)
{
    double rss, cpu;
    char *out;
    const char *first;
    server_cpu b, a;
    int rc = cast_via(n, 1, 0, OPEN_CONCURRENCY, OPEN_RATE, &out, &rss, &cpu, &b, &a);

    rename_figure(out, "bench cast.ballots_per_s", "cast.open_1000_per_s");
    rename_figure(out, "bench cast.p99_ms", "cast.open_1000_p99_ms");
    rename_figure(out, "bench cast.p50_ms", "cast.open_1000_p50_ms");
    if (rc != 0)
        printf("# cast.open_1000: voteclient exited with %d\n", rc);
    relabel_comment(out, "", "cast.open_1000");           /* ballots, errors */
    if ((first = strstr(out, "voteclient: first error: ")) != NULL)
        printf("# cast.open_1000: %.*s\n", (int)strcspn(first, "\n"), first);
    relabel_comment(out, "open loop", "cast.open_1000");  /* offered, achieved, late casts */
    server_cpu_print(&b, &a, out, "cast.open_1000_server_cpu_ms", "cast.open_1000");
    printf("# cast.open_1000: %zu voters, casts due at %d per second (latencies from each "
           "due time), up to %d connections; daemon peak RSS %.1f MB, %.3f ms of CPU of its "
           "processes per ballot\n", n, OPEN_RATE, OPEN_CONCURRENCY, rss, cpu);
    free(out);
}

void bench_cast(void)
{
    size_t n = bench_scaled(50000, 2000);
    double rss, cpu;
    char *out;
    server_cpu b, a;
    int rc = cast_via(n, 1, 0, CONCURRENCY, 0, &out, &rss, &cpu, &b, &a);

    fputs(out, stdout);
    if (rc != 0)
        printf("# cast: voteclient exited with %d\n", rc);
    printf("bench daemon.rss_mb %.1f mb\n", rss);
    printf("bench cast.cpu_ms %.3f ms\n", cpu);
    server_cpu_print(&b, &a, out, "cast.server_cpu_ms", "cast");
    printf("# cast: %zu voters, %d connections; daemon peak RSS (VmHWM)\n", n, CONCURRENCY);
    free(out);
    /* the same through HAProxy: TLS and HTTP/2 from voteclient, PROXY v2 on
     * votesrv's Unix socket */
    rc = cast_via(n, 1, 1, CONCURRENCY, 0, &out, &rss, &cpu, &b, &a);
    rename_figure(out, "bench cast.ballots_per_s", "cast.ballots_per_s_haproxy");
    rename_figure(out, "bench cast.p99_ms", "cast.p99_ms_haproxy");
    if (rc != 0)
        printf("# cast through HAProxy: voteclient exited with %d\n", rc);
    if (strstr(out, "# cast: ") != NULL)         /* its ballots and errors */
        printf("# cast through HAProxy: %.*s\n", (int)strcspn(strstr(out, "# cast: ") + 8, "\n"),
               strstr(out, "# cast: ") + 8);
    printf("# cast.*_haproxy: the same %zu voters through HAProxy (conf/haproxy.cfg: TLS 1.3, "
           "HTTP/2) on this machine, which it shares with the daemon and voteclient; one run, "
           "noisy\n", n);
    free(out);
    bench_cast_open(n);
}

/* privsep.cpu_ms_added: CPU per ballot of every votesrv process with
 * privilege separation minus without, medians of ROUNDS elections each
 * (interleaved, so that the machine's drift falls on both). */
void bench_privsep(void)
{
    size_t n = bench_scaled(10000, 1000);
    double on[BENCH_ROUNDS], off[BENCH_ROUNDS], rss;

    for (int r = 0; r < BENCH_ROUNDS; r++)
        for (int privsep = 1; privsep >= 0; privsep--) {
            char *out;

            if (cast_once(n, privsep, &out, &rss, privsep ? &on[r] : &off[r]) != 0)
                bench_die("privsep: voteclient");
            free(out);
        }
    bench_print_on_off("privsep.cpu_ms", "ms", 3, on, off);
    printf("# privsep: CPU (user + system) of the daemon and its worker per ballot, %zu "
           "voters, medians of %d elections each way; on/off ms:", n, BENCH_ROUNDS);
    bench_print_rounds(3, on, off);
}

/* CPU microseconds of every votesrv process per request: a cast-sized JSON
 * body (4 KiB) to the cast route without a session (401 once parsed), over a
 * new connection each, with privilege separation on or off. The handler's
 * work is small, so the channel's cost stands out of the machine's noise. */
static double request_cpu_us(int privsep, size_t n)
{
    static tu_reply r;
    static char body[4096];
    char bin[PATH_MAX], cfg[800], *dir = tu_tmpdir();
    double cpu0, us;
    int pid;

    fflush(stdout);                      /* children must not inherit our buffer */
    memset(body, 'A', sizeof body - 1);
    memcpy(body, "{\"ballot\":\"", 11);
    memcpy(body + sizeof body - 3, "\"}", 2);
    if (tu_bin(bin) != 0 || tu_election_generated(dir, bin, 10, cfg, sizeof cfg) != 0 ||
        bench_set_privsep(cfg, privsep) != 0)
        bench_die("privsep: election");
    if ((pid = bench_start_daemon(bin, cfg, dir)) <= 0)
        bench_die("privsep: daemon");
    cpu0 = tree_cpu_s(pid);
    for (size_t i = 0; i < n; i++) {
        tu_http(&r, "POST", "/api/v1/scrutins/" SCRUTIN "/ballots", body,
                (long)strlen(body), "Content-Type: application/json");
        if (r.status != 401)
            bench_die("privsep: request");
    }
    us = (tree_cpu_s(pid) - cpu0) * 1e6 / (double)n;
    bench_stop_daemon(pid, dir);
    return us;
}

/* privsep.request_cpu_us_*: the same as CPU per request, medians of ROUNDS
 * daemons each way, interleaved. */
void bench_privsep_request(void)
{
    size_t n = bench_scaled(20000, 2000);
    double on[BENCH_ROUNDS], off[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        on[r] = request_cpu_us(1, n);
        off[r] = request_cpu_us(0, n);
    }
    bench_print_on_off("privsep.request_cpu_us", "us", 1, on, off);
    printf("# privsep: CPU of the daemon and its worker per request (4 KiB JSON body, 401), "
           "%zu requests, medians of %d daemons each way; on/off us:", n, BENCH_ROUNDS);
    bench_print_rounds(1, on, off);
}

/* The figure `from` of voteclient's output, printed again as `to`. */
static void rename_figure(const char *out, const char *from, const char *to)
{
    const char *p = strstr(out, from);
    char value[64], unit[16];

    if (p != NULL && sscanf(p + strlen(from), " %63s %15s", value, unit) == 2)
        printf("bench %s %s %s\n", to, value, unit);
}

/* The same casts on PostgreSQL with a synchronous standby (each commit waits
 * for the standby's disk), then the failover's pause (tu_ha_failover). */
void bench_ha(void)
{
    size_t n = bench_scaled(50000, 2000);
    char bin[PATH_MAX], *out;
    tu_pg_pair pair;
    tu_ha_result r;
    double rss, cpu;
    int rc;

    if (!tu_pg_available() || !tu_ha_available() || tu_bin(bin) != 0) {
        printf("# ha: PostgreSQL, Patroni, etcd or HAProxy is not installed\n");
        return;
    }
    if (tu_pg_pair_start(&pair) != 0)
        bench_die("ha: PostgreSQL pair");
    rc = cast_once(n, 1, &out, &rss, &cpu);
    tu_pg_pair_stop(&pair);
    rename_figure(out, "bench cast.ballots_per_s", "ha.cast_pg_per_s");
    rename_figure(out, "bench cast.p99_ms", "ha.cast_pg_p99_ms");
    if (rc != 0)
        printf("# ha: voteclient exited with %d\n", rc);
    printf("# ha: %zu voters, %d connections, one node, PostgreSQL primary with a synchronous"
           " standby on this machine\n", n, CONCURRENCY);
    free(out);
    fflush(stdout);                      /* children must not inherit our buffer */
    if (tu_ha_failover(bin, bench_scaled(20000, 3000), &r) != 0)
        bench_die("ha: failover");
    printf("bench ha.failover_pause_s %.2f s\n", r.pause_s);
    printf("# ha: failover under load (%zu voters, two nodes behind HAProxy, %d PostgreSQL"
           " servers under Patroni, ttl %d s, loop_wait %d s): the primary's Patroni and"
           " PostgreSQL SIGKILLed, Patroni's new primary %.2f s later; %zu of %zu acknowledged,"
           " %zu missing from the box\n", r.voters, r.nodes, r.ttl, r.loop_wait, r.promote_s,
           r.acked, r.voters, r.missing);
}
