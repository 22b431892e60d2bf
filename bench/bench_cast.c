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

void bench_cast(void)
{
    size_t n = bench_scaled(50000, 2000);
    char bin[PATH_MAX], cfg[800], log[800], *dir = tu_tmpdir(), *out = malloc(65536);
    int pid, rc;

    fflush(stdout);                      /* children must not inherit our buffer */
    if (tu_bin(bin) != 0)
        bench_die("cast: binaries");
    if (tu_election_generated(dir, bin, n, cfg, sizeof cfg) != 0)
        bench_die("cast: votectl");
    if (tu_load_file(dir, cfg, SCRUTIN, LISTS) != 0)
        bench_die("cast: sessions");
    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    if ((pid = tu_daemon_start(bin, cfg, log)) <= 0)
        bench_die("cast: daemon");
    rc = tu_sh(out, 65536, "%s/voteclient --url %s load %s/load.csv --concurrency %d --bench",
               bin, tu_base_url, dir, CONCURRENCY);
    fputs(out, stdout);
    if (rc != 0)
        printf("# cast: voteclient exited with %d\n", rc);
    printf("bench daemon.rss_mb %.1f mb\n", tu_proc_mb(pid, "VmHWM:"));
    printf("# cast: %zu voters, %d connections; daemon peak RSS (VmHWM)\n", n, CONCURRENCY);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    tu_rmdir(dir);
    free(dir);
    free(out);
}
