/* bench.c - the figures of make bench, one "bench <name> <value> <unit>" line
 * each (../shared/BENCH.md). Noisy per-item figures are the median of several
 * rounds. BENCH_QUICK=1 shrinks every size to a smoke run. Measures only: a
 * slow figure never fails. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ballot/ballot.h"
#include "bench.h"
#include "tally/tally.h"

#define ROUNDS BENCH_ROUNDS

static int quick;


void bench_die(const char *what)
{
    fprintf(stderr, "bench: %s failed\n", what);
    exit(1);
}

size_t bench_scaled(size_t full, size_t small)
{
    return quick ? small : full;
}

double bench_rusage_s(int who)
{
    struct rusage u;

    getrusage(who, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

typedef struct {
    elgamal_pk pk;
    group_scalar sk;
    uint8_t fp[32];
    group_scalar cred_s;
    uint8_t cred[32];
} setup_t;

static setup_t S;

static void bench_mul(void)
{
    group_scalar k;
    group_point p, r;
    int n = (int)bench_scaled(2000, 100);
    double t[ROUNDS];

    if (rng_scalar(NULL, &k) != 0)
        bench_die("rng");
    group_point_mul_base(&p, &k);
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = tu_seconds();

        for (int i = 0; i < n; i++)
            group_point_mul(&r, &p, &k);
        t[round] = (tu_seconds() - t0) / n * 1e6;
    }
    printf("bench crypto.varmul_us %.1f us\n", tu_median(t, ROUNDS));
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = tu_seconds();

        for (int i = 0; i < n; i++)
            group_table_mul(&r, group_table_generator(), &k);
        t[round] = (tu_seconds() - t0) / n * 1e6;
    }
    printf("bench crypto.basemul_us %.1f us\n", tu_median(t, ROUNDS));
}

static void choose(uint8_t *ch, size_t k, size_t i)
{
    memset(ch, 0, k);
    if (i % (k + 1) < k)   /* every list in turn, and blank */
        ch[i % (k + 1)] = 1;
}

static ballot **make_ballots(const ballot_scrutin *sc, size_t n, size_t from, size_t to)
{
    ballot **b = calloc(n, sizeof *b);
    uint8_t ch[BALLOT_MAX_LISTS];

    if (b == NULL)
        bench_die("alloc");
    for (size_t i = from; i < to; i++) {
        b[i] = ballot_new(sc->k, sc->min, sc->max);
        choose(ch, sc->k, i);
        if (b[i] == NULL || ballot_create(b[i], sc, ch, &S.cred_s, S.cred, NULL) != 0)
            bench_die("ballot_create");
    }
    return b;
}

static void bench_ballot_k(size_t k)
{
    ballot_scrutin sc = { S.fp, &S.pk, "bench", k, 0, 1 };
    size_t n = bench_scaled(300, 20);
    ballot **b = make_ballots(&sc, n, 0, n);
    double tc[ROUNDS], tv[ROUNDS];
    uint8_t ch[BALLOT_MAX_LISTS];

    for (int round = 0; round < ROUNDS; round++) {
        double t0 = tu_seconds();

        for (size_t i = 0; i < n; i++) {
            choose(ch, k, i);
            if (ballot_create(b[i], &sc, ch, &S.cred_s, S.cred, NULL) != 0)
                bench_die("ballot_create");
        }
        tc[round] = (tu_seconds() - t0) / (double)n * 1e3;
        t0 = tu_seconds();
        for (size_t i = 0; i < n; i++)
            if (ballot_verify(b[i], &sc) != 0)
                bench_die("ballot_verify");
        tv[round] = (tu_seconds() - t0) / (double)n * 1e3;
    }
    printf("bench ballot.create_k%zu_ms %.3f ms\n", k, tu_median(tc, ROUNDS));
    printf("bench ballot.verify_k%zu_ms %.3f ms\n", k, tu_median(tv, ROUNDS));
    if (k == 5) {
        size_t bytes = 32 + k * ELGAMAL_CT_BYTES + k * 2 * PROOF_BRANCH_BYTES +
                       2 * PROOF_BRANCH_BYTES + CREDENTIAL_SIG_BYTES;

        printf("bench ballot.size_k5_bytes %zu bytes\n", bytes);
    }
    for (size_t i = 0; i < n; i++)
        ballot_free(b[i]);
    free(b);
}

typedef struct {
    const ballot_scrutin *sc;
    ballot **b;
    size_t from, to;
    int create;
    int failed;
} work;

static void *worker(void *arg)
{
    work *w = arg;
    uint8_t ch[BALLOT_MAX_LISTS];

    for (size_t i = w->from; i < w->to; i++) {
        if (w->create) {
            w->b[i] = ballot_new(w->sc->k, w->sc->min, w->sc->max);
            choose(ch, w->sc->k, i);
            if (w->b[i] == NULL ||
                ballot_create(w->b[i], w->sc, ch, &S.cred_s, S.cred, NULL) != 0)
                w->failed = 1;
        } else if (ballot_verify(w->b[i], w->sc) != 0) {
            w->failed = 1;
        }
    }
    return NULL;
}

/* Run create or verify over b[0..n) on `threads` threads; wall-clock seconds. */
static double run_parallel(const ballot_scrutin *sc, ballot **b, size_t n, int threads,
                           int create)
{
    pthread_t tid[64];
    work w[64];
    double t0 = tu_seconds();

    for (int i = 0; i < threads; i++) {
        w[i] = (work){ sc, b, n * (size_t)i / (size_t)threads,
                       n * (size_t)(i + 1) / (size_t)threads, create, 0 };
        if (pthread_create(&tid[i], NULL, worker, &w[i]) != 0)
            bench_die("pthread_create");
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (w[i].failed)
            bench_die(create ? "parallel create" : "parallel verify");
    }
    return tu_seconds() - t0;
}

/* The tally's re-verification and aggregation of n ballots (the pool of
 * distinct ballots used in turn), on every core, scaled to 100,000. */
/* CPU time of the whole process: the one-thread figures do not count the
 * time other processes take the core. */
static double cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_tally(ballot **pool, size_t distinct, int cores)
{
    ballot_scrutin sc = { S.fp, &S.pk, "bench", 5, 0, 1 };
    size_t n = bench_scaled(100000, 2000), bad;
    ballot **b = malloc(n * sizeof *b);
    tally_sum sum;
    double t0, t;

    if (b == NULL)
        bench_die("alloc");
    for (size_t i = 0; i < n; i++)
        b[i] = pool[i % distinct];
    t0 = tu_seconds();
    if (tally_aggregate(&sum, b, n, &sc, cores, &bad) != 0)
        bench_die("tally_aggregate");
    t = tu_seconds() - t0;
    printf("# tally: %zu K=5 ballots (%zu distinct) verified again and added, %d threads\n", n,
           distinct, cores);
    printf("bench tally.verify_100k_s %.2f s\n", t * 100000.0 / (double)n);
    t0 = cpu_seconds();
    if (tally_aggregate(&sum, b, n, &sc, 1, &bad) != 0)
        bench_die("tally_aggregate");
    t = cpu_seconds() - t0;
    printf("# the same on one thread (its CPU time, so that other work on the machine does "
           "not count): verify (one multi-scalar product per group of ballots) and add\n");
    printf("bench tally.verify_per_ballot_ms %.3f ms\n", t * 1e3 / (double)n);
    free(b);
}

static void bench_parallel(int cores)
{
    ballot_scrutin sc = { S.fp, &S.pk, "bench", 5, 0, 1 };
    size_t n = bench_scaled(10000, 400);
    ballot **b = calloc(n, sizeof *b);
    double single, multi;

    if (b == NULL)
        bench_die("alloc");
    run_parallel(&sc, b, n, cores, 1);
    single = run_parallel(&sc, b, n, 1, 0);
    multi = run_parallel(&sc, b, n, cores, 0);
    printf("# %zu distinct K=5 ballots, %d threads on %d cores\n", n, cores, cores);
    printf("bench ballot.verify_k5_single_per_s %.0f per_s\n", (double)n / single);
    printf("bench ballot.verify_k5_parallel_per_s %.0f per_s\n", (double)n / multi);
    printf("bench ballot.verify_k5_parallel_speedup %.2f ratio\n", single / multi);
    bench_tally(b, n, cores);
    for (size_t i = 0; i < n; i++)
        ballot_free(b[i]);
    free(b);
}

/* Aggregation of decoded ciphertexts: the tally adds the points that
 * verification decoded (each ballot is decoded once). */
static void bench_aggregate(void)
{
    enum { K = 5, DISTINCT = 1000 };
    size_t n = bench_scaled(100000, 5000);
    elgamal_ct *pool = malloc(DISTINCT * K * sizeof *pool), sum[K];
    group_point (*pts)[K][2] = malloc(n * sizeof *pts);
    uint8_t (*wire)[K][ELGAMAL_CT_BYTES] = malloc(n * sizeof *wire);
    double t0, t_add, t_dec;

    if (pool == NULL || pts == NULL || wire == NULL)
        bench_die("alloc");
    for (size_t i = 0; i < DISTINCT * K; i++)
        if (elgamal_encrypt_bit(&pool[i], &S.pk, (unsigned)(i % 2), NULL, NULL) != 0)
            bench_die("encrypt");
    for (size_t i = 0; i < n; i++)
        for (size_t l = 0; l < K; l++) {
            const elgamal_ct *c = &pool[(i % DISTINCT) * K + l];

            pts[i][l][0] = c->a;
            pts[i][l][1] = c->b;
            memcpy(wire[i][l], c->bytes, ELGAMAL_CT_BYTES);
        }
    t0 = tu_seconds();
    for (size_t l = 0; l < K; l++)
        elgamal_ct_zero(&sum[l]);
    for (size_t i = 0; i < n; i++)
        for (size_t l = 0; l < K; l++) {
            group_point_add(&sum[l].a, &sum[l].a, &pts[i][l][0]);
            group_point_add(&sum[l].b, &sum[l].b, &pts[i][l][1]);
        }
    t_add = tu_seconds() - t0;
    t0 = tu_seconds();
    for (size_t i = 0; i < n; i++)
        for (size_t l = 0; l < K; l++) {
            elgamal_ct c;

            if (elgamal_ct_decode(&c, wire[i][l], GROUP_NO_IDENTITY) != 0)
                bench_die("decode");
            elgamal_ct_add(&sum[l], &sum[l], &c);
        }
    t_dec = tu_seconds() - t0;
    printf("# aggregation of %zu K=5 ballots; the second figure decodes the wire form too\n", n);
    printf("bench tally.aggregate_100k_s %.3f s\n", t_add * 100000.0 / (double)n);
    printf("bench tally.aggregate_decode_100k_s %.3f s\n", t_dec * 100000.0 / (double)n);
    free(pool);
    free(pts);
    free(wire);
}

static void bench_dlog(void)
{
    double t0 = tu_seconds(), tbuild, t[ROUNDS];
    dlog_table *dl = dlog_table_new(10000000);
    group_scalar m;
    group_point p;
    uint64_t got;

    tbuild = tu_seconds() - t0;
    if (dl == NULL)
        bench_die("dlog_table_new");
    group_scalar_set_u64(&m, 1000000);
    group_point_mul_base(&p, &m);
    for (int round = 0; round < ROUNDS; round++) {
        t0 = tu_seconds();
        if (dlog_solve(dl, &p, &got) != 0 || got != 1000000)
            bench_die("dlog_solve");
        t[round] = (tu_seconds() - t0) * 1e3;
    }
    printf("bench tally.dlog_table_10m_ms %.1f ms\n", tbuild * 1e3);
    printf("bench tally.dlog_1m_ms %.2f ms\n", tu_median(t, ROUNDS));
    dlog_table_free(dl);
}

/* browser.ballot_create_ms, by bench/ballot_browser.mjs in headless Chromium
 * (it says so and is skipped when Chromium or node is missing). Run from
 * tests/, as make bench does. */
static void bench_browser(void)
{
    fflush(stdout);
    if (system("command -v node >/dev/null 2>&1") != 0) {
        printf("# browser.ballot_create_ms skipped: node is not installed\n");
        return;
    }
    if (system("node ../bench/ballot_browser.mjs ../build/portal") != 0)
        printf("# browser.ballot_create_ms: bench/ballot_browser.mjs failed\n");
}

int main(void)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int cores = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (int)ncpu;
    const char *q = getenv("BENCH_QUICK"), *only = getenv("BENCH_ONLY");

    quick = q != NULL && strcmp(q, "1") == 0;
    if (crypto_init() != 0 || elgamal_keypair(&S.pk, &S.sk, NULL) != 0 ||
        credential_derive_scrutin(&S.cred_s, S.cred, (const uint8_t *)"bench", 5,
                                 (const uint8_t *)"BENCH-VOTE-CODE-0001", 20, "bench") != 0)
        bench_die("setup");
    randombytes_buf(S.fp, sizeof S.fp);
    printf("# votesrv benchmarks%s; per-item figures are medians of %d rounds\n",
           quick ? " (BENCH_QUICK: smoke sizes)" : "", ROUNDS);
    if (only != NULL) {                 /* one group of figures alone */
        if (strcmp(only, "cast") == 0) {
            bench_cast();               /* the load test */
        } else if (strcmp(only, "privsep") == 0) {
            bench_privsep_request();    /* with and without privilege separation */
            bench_privsep();
        } else if (strcmp(only, "auth") == 0) {
            bench_login();              /* logins through the access layer */
        } else if (strcmp(only, "ha") == 0) {
            bench_ha();                 /* PostgreSQL and its failover */
        } else if (strcmp(only, "count") == 0) {
            bench_count(cores);         /* the count and the verifier */
        } else if (strcmp(only, "verify") == 0) {
            bench_parallel(cores);      /* ballots verified, one by one and by the tally */
        } else if (strcmp(only, "backup") == 0) {
            bench_backup();             /* votectl backup during casts */
        } else if (strcmp(only, "rush") == 0) {
            bench_rush(cores);          /* the opening rush */
        } else if (strcmp(only, "store") == 0) {
            bench_import();             /* what goes through the store alone */
            bench_audit();
            bench_audit_view();
            bench_outbox();
        } else if (strcmp(only, "import") == 0) {
            bench_import();             /* the voter list alone */
        } else if (strcmp(only, "notices") == 0) {
            bench_notices();
        } else if (strcmp(only, "disk") == 0) {
            bench_disk();
        } else if (strcmp(only, "browser") == 0) {
            bench_browser();
        } else {
            bench_die("BENCH_ONLY: cast, privsep, auth, ha, count, verify, backup, store, import,"
                      " notices, disk, browser or rush");
        }
        elgamal_pk_clear(&S.pk);
        return 0;
    }
    bench_mul();
    bench_ballot_k(5);
    bench_ballot_k(10);
    bench_parallel(cores);
    bench_aggregate();
    bench_dlog();
    bench_browser();
    bench_import();
    bench_audit();
    bench_audit_view();
    bench_login();
    bench_outbox();
    bench_notices();
    bench_cast();
    bench_rush(cores);
    bench_privsep_request();
    bench_privsep();
    bench_ha();
    bench_count(cores);
    bench_backup();
    elgamal_pk_clear(&S.pk);
    return 0;
}
