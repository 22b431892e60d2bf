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

#include "bench.h"

#define CONCURRENCY 16
#define SCRUTIN "csa-ministere"
#define LISTS 4

/* An election of n voters in the current store (SQLite, or PostgreSQL when
 * VOTESRV_TEST_PG is set), cast by voteclient load --bench against one daemon:
 * voteclient's output in out (malloc'd), the daemon's peak RSS in *rss_mb. */
static int cast_once(size_t n, char **out, double *rss_mb)
{
    char bin[PATH_MAX], cfg[800], log[800], *dir = tu_tmpdir();
    int pid, rc;

    *out = malloc(65536);
    fflush(stdout);                      /* children must not inherit our buffer */
    if (*out == NULL || tu_bin(bin) != 0)
        bench_die("cast: binaries");
    if (tu_election_generated(dir, bin, n, cfg, sizeof cfg) != 0)
        bench_die("cast: votectl");
    if (tu_load_file(dir, cfg, SCRUTIN, LISTS) != 0)
        bench_die("cast: sessions");
    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    if ((pid = tu_daemon_start(bin, cfg, log)) <= 0)
        bench_die("cast: daemon");
    rc = tu_sh(*out, 65536, "%s/voteclient --url %s load %s/load.csv --concurrency %d --bench",
               bin, tu_base_url, dir, CONCURRENCY);
    *rss_mb = tu_proc_mb(pid, "VmHWM:");
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    tu_rmdir(dir);
    free(dir);
    return rc;
}

void bench_cast(void)
{
    size_t n = bench_scaled(50000, 2000);
    double rss;
    char *out;
    int rc = cast_once(n, &out, &rss);

    fputs(out, stdout);
    if (rc != 0)
        printf("# cast: voteclient exited with %d\n", rc);
    printf("bench daemon.rss_mb %.1f mb\n", rss);
    printf("# cast: %zu voters, %d connections; daemon peak RSS (VmHWM)\n", n, CONCURRENCY);
    free(out);
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
    double rss;
    int rc;

    if (!tu_pg_available() || tu_bin(bin) != 0) {
        printf("# ha: the PostgreSQL server programs are not installed\n");
        return;
    }
    if (tu_pg_pair_start(&pair) != 0)
        bench_die("ha: PostgreSQL pair");
    rc = cast_once(n, &out, &rss);
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
    printf("# ha: failover under load (%zu voters, two nodes): primary SIGKILLed, standby"
           " promoted 1 s later (included; pg_ctl promote took %.2f s); %zu of %zu"
           " acknowledged, %zu missing from the box\n", r.voters, r.promote_s, r.acked, r.voters,
           r.missing);
}
