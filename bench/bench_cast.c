/* bench_cast.c - cast.ballots_per_s, cast.p99_ms, cast.cpu_ms and daemon.rss_mb: an
 * election of 50,000 voters (2,000 under BENCH_QUICK) served by the real
 * daemon on loopback, every voter casting one ballot in the CSA through
 * voteclient load (16 connections; full proof check and durable commit per
 * ballot). Sessions are made beforehand, in one transaction through the access
 * layer: login is Argon2id work, measured by auth.login_per_s. */
#include <dirent.h>
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

/* CPU time (user + system, ms) of pid and of its children still running (the
 * daemon's signer process). */
static double cpu_ms_tree(int pid)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    double ms = 0;
    long tick = sysconf(_SC_CLK_TCK);

    while (d != NULL && (de = readdir(d)) != NULL) {
        char path[300], buf[1024], *p;
        unsigned long ut, st;
        int ppid, self = atoi(de->d_name);
        FILE *f;

        snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
        if (self <= 0 || (f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(buf, sizeof buf, f) != NULL && (p = strrchr(buf, ')')) != NULL &&
            sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ppid, &ut,
                   &st) == 3 && (self == pid || ppid == pid))
            ms += (double)(ut + st) * 1000.0 / (double)tick;
        fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return ms;
}

/* An election of n voters in the current store (SQLite, or PostgreSQL when
 * VOTESRV_TEST_PG is set), cast by voteclient load --bench against one daemon:
 * voteclient's output in out (malloc'd), the daemon's peak RSS in *rss_mb and
 * the CPU its processes spent per cast in *cpu_ms. */
static int cast_once(size_t n, char **out, double *rss_mb, double *cpu_ms)
{
    char bin[PATH_MAX], cfg[800], log[800], *dir = tu_tmpdir();
    int pid, rc;
    double cpu0;

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
    cpu0 = cpu_ms_tree(pid);
    rc = tu_sh(*out, 65536, "%s/voteclient --url %s load %s/load.csv --concurrency %d --bench",
               bin, tu_base_url, dir, CONCURRENCY);
    *cpu_ms = (cpu_ms_tree(pid) - cpu0) / (double)n;
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
    double rss, cpu;
    char *out;
    int rc = cast_once(n, &out, &rss, &cpu);

    fputs(out, stdout);
    if (rc != 0)
        printf("# cast: voteclient exited with %d\n", rc);
    printf("bench daemon.rss_mb %.1f mb\n", rss);
    printf("bench cast.cpu_ms %.3f ms\n", cpu);
    printf("# cast.cpu_ms: CPU (user + system) of the daemon and its signer per cast\n");
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
    double rss, cpu;
    int rc;

    if (!tu_pg_available() || tu_bin(bin) != 0) {
        printf("# ha: the PostgreSQL server programs are not installed\n");
        return;
    }
    if (tu_pg_pair_start(&pair) != 0)
        bench_die("ha: PostgreSQL pair");
    rc = cast_once(n, &out, &rss, &cpu);
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
