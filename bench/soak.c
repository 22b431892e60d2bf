/*
 * soak.c - make soak: the daemon under steady casting load for 30
 * minutes, 200,000 voters each casting one ballot in the CSA at an even pace
 * (voters / duration per second), on the real daemon over loopback.
 *
 * Every ballot is made on the "device" (client_prepare) just before it is due
 * and sent through its voter's session; sessions are opened through the
 * access layer a minute ahead of their voters (not Argon2id: auth.login_per_s
 * measures that), because a session left idle expires after 15 minutes.
 * The daemon's resident memory is sampled every 10 s.
 *
 * Figures (../shared/BENCH.md format): ballots, errors, pace, p99 latency per
 * window of a sixth of the run (the first is the warm-up), the daemon's memory
 * at the end of the warm-up and its highest after it. The bar: no
 * error, memory within 10 % of the warm-up's, p99 stable. SOAK_SECONDS and
 * SOAK_VOTERS change the size (a smoke run: SOAK_SECONDS=60 SOAK_VOTERS=5000).
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include "access/access.h"
#include "client/client.h"
#include "votesrv/server.h"
#include "tests/testutil.h"

#define SCRUTIN "csa-ministere"
#define LISTS 4
#define WORKERS 8
#define WINDOWS 6
#define AHEAD_S 60              /* sessions opened this long before their voters */
#define RSS_EVERY_S 10

typedef struct {
    char number[16], code[64];
    char session[ACCESS_TOKEN_CHARS + 1];
    double ms;                  /* the cast's latency; < 0: refused */
} voter;

typedef struct {
    voter *v;
    size_t n;
    double rate, t0;
    atomic_size_t next, opened, done;  /* voters handed out / with a session / cast */
    atomic_long errors;
    char first_error[CLIENT_MSG_CHARS + 64];
    pthread_mutex_t lock;
    client_election e;
    char url[64];
} soak;

static void die(const char *what)
{
    fprintf(stderr, "soak: %s\n", what);
    exit(1);
}

static void read_codes(soak *s, const char *dir)
{
    char path[PATH_MAX + 16], line[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/codes.csv", dir);
    if ((f = fopen(path, "r")) == NULL || (s->v = calloc(s->n, sizeof *s->v)) == NULL)
        die("codes.csv");
    for (size_t i = 0; i < s->n; i++) {
        if (fgets(line, sizeof line, f) == NULL || strchr(line, ',') == NULL)
            die("codes.csv: too few lines");
        line[strcspn(line, "\r\n")] = '\0';
        *strchr(line, ',') = '\0';
        snprintf(s->v[i].number, sizeof s->v[i].number, "%.15s", line);
        snprintf(s->v[i].code, sizeof s->v[i].code, "%s", line + strlen(line) + 1);
    }
    fclose(f);
}

/* ---- sessions, a minute ahead ---- */

typedef struct {
    soak *s;
    access_ctx *a;
    size_t from, to;
} open_job;

static int run_open(store_tx *tx, void *arg)
{
    open_job *j = arg;
    int64_t id, now = (int64_t)time(NULL);
    int struck, rc;

    for (size_t i = j->from; i < j->to; i++)
        if ((rc = store_voter_find(tx, j->s->v[i].number, &id, &struck)) != STORE_OK ||
            (rc = access_session_open_tx(tx, j->a, id, now, j->s->v[i].session)) != STORE_OK)
            return rc;
    return STORE_OK;
}

static void open_sessions(soak *s, server *srv, double elapsed)
{
    size_t want = (size_t)((elapsed + AHEAD_S) * s->rate) + WORKERS;
    open_job j = { s, &srv->access, atomic_load(&s->opened), want < s->n ? want : s->n };

    if (j.from >= j.to)
        return;
    if (store_write(srv->store, run_open, &j) != STORE_OK)
        die("sessions");
    atomic_store(&s->opened, j.to);
}

/* ---- the voters ---- */

static void note_error(soak *s, voter *v, const client_result *r)
{
    v->ms = -1;
    if (atomic_fetch_add(&s->errors, 1) == 0) {
        pthread_mutex_lock(&s->lock);
        snprintf(s->first_error, sizeof s->first_error, "%s: %ld: %s", v->number, r->status,
                 r->message);
        pthread_mutex_unlock(&s->lock);
    }
}

static void cast_one(soak *s, client *c, voter *v, size_t i)
{
    client_prepared p;
    client_result r;
    box_receipt receipt;
    double t0;

    if (client_prepare(&p, &s->e, SCRUTIN, v->code, i % LISTS, &r) != CLIENT_OK) {
        note_error(s, v, &r);
        return;
    }
    t0 = tu_seconds();
    if (client_session_set(c, v->session) != 0 ||
        client_submit(c, &s->e, &p, &receipt, &r) != CLIENT_OK)
        note_error(s, v, &r);
    else
        v->ms = (tu_seconds() - t0) * 1e3;
    client_prepared_free(&p);
}

static void *worker(void *arg)
{
    soak *s = arg;
    client *c = client_new(s->url);
    size_t i;

    while (c != NULL && (i = atomic_fetch_add(&s->next, 1)) < s->n) {
        double due = s->t0 + (double)i / s->rate, wait;

        while ((wait = due - tu_seconds()) > 0 || atomic_load(&s->opened) <= i)
            usleep(wait > 0.05 || wait <= 0 ? 50000 : (useconds_t)(wait * 1e6));
        cast_one(s, c, &s->v[i], i);
        atomic_fetch_add(&s->done, 1);
    }
    client_free(c);
    return NULL;
}

/* ---- figures ---- */

/* p99 of the casts of voters [from, to) (by due time). */
static double p99(const soak *s, size_t from, size_t to)
{
    double *ms = malloc((to - from + 1) * sizeof *ms), r;
    size_t n = 0;

    for (size_t i = from; i < to; i++)
        if (s->v[i].ms >= 0)
            ms[n++] = s->v[i].ms;
    r = n ? tu_quantile(ms, n, 99) : -1;
    free(ms);
    return r;
}

static void report(const soak *s, double seconds, const double *rss, size_t nrss)
{
    double warm = rss[nrss / WINDOWS > 0 ? nrss / WINDOWS - 1 : 0], high = warm, lo = 1e9, hi = 0;
    double win[WINDOWS];
    size_t ok = 0;

    for (size_t i = nrss / WINDOWS; i < nrss; i++)
        high = rss[i] > high ? rss[i] : high;
    for (size_t i = 0; i < s->n; i++)
        ok += s->v[i].ms >= 0;
    for (int w = 0; w < WINDOWS; w++) {
        win[w] = p99(s, s->n * (size_t)w / WINDOWS, s->n * (size_t)(w + 1) / WINDOWS);
        if (w > 0) {
            lo = win[w] < lo ? win[w] : lo;
            hi = win[w] > hi ? win[w] : hi;
        }
    }
    printf("bench soak.voters %zu count\n", s->n);
    printf("bench soak.duration_s %.0f s\n", seconds);
    printf("bench soak.ballots %zu count\n", ok);
    printf("bench soak.errors %ld count\n", (long)atomic_load(&s->errors));
    printf("bench soak.cast_per_s %.1f per_s\n", ok / seconds);
    for (int w = 0; w < WINDOWS; w++)
        printf("bench soak.p99_window%d_ms %.1f ms\n", w + 1, win[w]);
    printf("bench soak.p99_spread_ratio %.2f ratio\n", lo > 0 ? hi / lo : -1);
    printf("bench soak.rss_warm_mb %.1f mb\n", warm);
    printf("bench soak.rss_high_mb %.1f mb\n", high);
    printf("bench soak.rss_end_mb %.1f mb\n", rss[nrss - 1]);
    printf("bench soak.rss_growth_ratio %.3f ratio\n", high / warm);
    printf("# soak: window 1 is the warm-up; spread = highest / lowest p99 of windows 2-%d; "
           "growth = highest RSS after the warm-up / RSS at its end\n", WINDOWS);
    if (atomic_load(&s->errors) > 0)
        printf("# soak: first error: %s\n", s->first_error);
}

int main(void)
{
    double seconds = getenv("SOAK_SECONDS") ? atof(getenv("SOAK_SECONDS")) : 1800;
    soak s = { .n = getenv("SOAK_VOTERS") ? strtoul(getenv("SOAK_VOTERS"), NULL, 10) : 200000,
               .lock = PTHREAD_MUTEX_INITIALIZER };
    char bin[PATH_MAX], cfg[800], log[800], err[256], *dir = tu_tmpdir();
    size_t nrss = 0, cap = (size_t)(seconds / RSS_EVERY_S) + 16;
    double *rss = calloc(cap, sizeof *rss), t_setup = tu_seconds(), next_rss;
    pthread_t th[WORKERS];
    client_result r;
    client *c;
    server srv;
    int pid;

    if (seconds < 6 || s.n < 100 || rss == NULL)
        die("SOAK_SECONDS >= 6, SOAK_VOTERS >= 100");
    s.rate = (double)s.n / seconds;
    fflush(stdout);
    if (tu_bin(bin) != 0)
        die("binaries");
    if (tu_election_generated(dir, bin, s.n, cfg, sizeof cfg) != 0)
        die("election");
    read_codes(&s, dir);
    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0)
        die(err);
    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((pid = tu_daemon_start(bin, cfg, log)) <= 0)
        die("daemon");
    snprintf(s.url, sizeof s.url, "%s", tu_base_url);
    if ((c = client_new(s.url)) == NULL || client_election_fetch(c, &s.e, &r) != CLIENT_OK)
        die("election fetch");
    printf("# soak: %zu voters over %.0f s (%.1f ballots/s, %d connections); setup %.0f s\n",
           s.n, seconds, s.rate, WORKERS, tu_seconds() - t_setup);
    fflush(stdout);
    s.t0 = tu_seconds();
    open_sessions(&s, &srv, 0);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&th[i], NULL, worker, &s);
    next_rss = s.t0 + RSS_EVERY_S;
    while (atomic_load(&s.done) < s.n) {
        double now = tu_seconds();

        open_sessions(&s, &srv, now - s.t0);
        if (now >= next_rss && nrss < cap) {
            rss[nrss++] = tu_proc_mb(pid, "VmRSS:");
            next_rss += RSS_EVERY_S;
        }
        usleep(200000);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(th[i], NULL);
    rss[nrss++] = tu_proc_mb(pid, "VmRSS:");
    report(&s, tu_seconds() - s.t0, rss, nrss);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    client_election_free(&s.e);
    client_free(c);
    server_close(&srv);
    curl_global_cleanup();
    tu_rmdir(dir);
    free(dir);
    free(rss);
    free(s.v);
    return atomic_load(&s.errors) > 0;
}
