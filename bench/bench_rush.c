/* bench_rush.c - the opening rush (BENCH_ONLY=rush): 20,000 voters (1,000
 * under BENCH_QUICK) who log in with their password and cast, offered at 4
 * times the rate the daemon serves logins, against the real daemon on
 * loopback (privilege separation on).
 *
 * First the login capacity is measured on the same daemon: a few clients
 * logging in back to back (closed loop, never more than the Argon2id slots
 * and their queue hold), for a few seconds. Then the rush is open-loop:
 * voter i arrives at i / (4 x capacity) seconds, whatever the server answers
 * (a client that waited for answers would slow down with the server and hide
 * a collapse). A voter refused with an announced 503 (Retry-After, the API's
 * "busy" and its message telling when to come back) comes back after
 * Retry-After seconds, as the portal's waiting page does, sending back the
 * retry ticket of that refusal (error.retry_ticket: the place booked for
 * her, access.h); admitted, she casts her ballot (made beforehand) at once.
 *
 * Counted by the client: rush.errors is anything but a 2xx or an announced
 * 503, time-outs (RUSH_TIMEOUT_MS) included; rush.admitted_p99_ms over the
 * admitted logins and casts; rush.refused_share, refusals over attempts;
 * rush.health_p99_ms, /healthz on the internal listener every 50 ms during
 * the rush; rush.daemon_hwm_mb, the peak RSS (VmHWM) of every votesrv
 * process summed. The client runs on the same cores as the daemon. */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <sodium.h>
#include <jansson.h>
#include "access/access.h"
#include "bench.h"
#include "client/client.h"
#include "votesrv/server.h"

#define RUSH_SCRUTIN "csa-ministere"
#define RUSH_LISTS 4
#define RUSH_PASSWORD "rush password phrase"
#define RUSH_OFFERED 4              /* times the login capacity */
#define RUSH_WORKERS 160            /* client connections at most */
#define RUSH_TIMEOUT_MS 10000.0     /* an answer later than this is an error */
#define RUSH_HEALTH_MS 100          /* a check every 100 ms (HAProxy: 2 s by default) */

typedef struct {
    char id[96];
    char ticket[128];               /* the retry ticket of her last refusal, sent back */
    client_prepared ballot;
    int attempts;
} rush_voter;

typedef struct {
    double due;                     /* ms from the start */
    size_t voter;
} rush_event;

typedef struct {
    rush_voter *v;
    size_t n;
    client_election e;
    /* the schedule: a binary heap of events by due time */
    rush_event *heap;
    size_t nheap, done;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    double t0, late_max;
    /* outcomes */
    double *ms;                     /* admitted logins and casts */
    size_t nms, cap_ms, attempts, refused, errors;
    size_t same_place, retry_1;     /* refusals giving back the ticket sent; Retry-After 1 */
    double *login_ms, *cast_ms;     /* the same apart (n each at most) */
    size_t nlogin, ncast;
    char first_error[CLIENT_MSG_CHARS + 64];
    atomic_int stop;
} rush_run;

static double now_ms(void)
{
    return tu_seconds() * 1e3;
}

static void heap_push(rush_run *r, rush_event ev)
{
    size_t i = r->nheap++;

    while (i > 0 && r->heap[(i - 1) / 2].due > ev.due) {
        r->heap[i] = r->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    r->heap[i] = ev;
}

static rush_event heap_pop(rush_run *r)
{
    rush_event top = r->heap[0], last = r->heap[--r->nheap];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= r->nheap)
            break;
        if (c + 1 < r->nheap && r->heap[c + 1].due < r->heap[c].due)
            c++;
        if (r->heap[c].due >= last.due)
            break;
        r->heap[i] = r->heap[c];
        i = c;
    }
    if (r->nheap > 0)
        r->heap[i] = last;
    return top;
}

/* Under lock. */
static void note_ms(rush_run *r, double ms)
{
    if (r->nms == r->cap_ms) {
        double *grown = realloc(r->ms, (r->cap_ms = r->cap_ms ? 2 * r->cap_ms : 4096) *
                                       sizeof *grown);

        if (grown == NULL)
            bench_die("rush: alloc");
        r->ms = grown;
    }
    r->ms[r->nms++] = ms;
}

static void note_error(rush_run *r, size_t voter, const char *what, const client_result *res,
                       double ms)
{
    pthread_mutex_lock(&r->lock);
    if (r->errors++ == 0)
        snprintf(r->first_error, sizeof r->first_error, "voter %zu, %s: %ld %s (%.0f ms)", voter,
                 what, res->status, res->message, ms);
    r->done++;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

/* An announced refusal: a 503 that says when to come back. */
static int announced(const client_result *res)
{
    return res->status == 503 && res->retry_after >= 1 && strcmp(res->code, "busy") == 0 &&
           res->message[0] != '\0';
}

/* Requeue voter after the refusal res (under no lock). */
static void come_back(rush_run *r, size_t voter, const client_result *res)
{
    pthread_mutex_lock(&r->lock);
    r->refused++;
    heap_push(r, (rush_event){ now_ms() - r->t0 + (double)res->retry_after * 1e3, voter });
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

/* What the client makes of an answer: 1 if admitted (its time counted in
 * times, of at most r->n), else 0, the voter having been sent back to come
 * later (an announced refusal) or counted as an error. */
static int admitted(rush_run *r, size_t i, const char *what, int rc, const client_result *res,
                    double ms, double *times, size_t *ntimes)
{
    if (ms > RUSH_TIMEOUT_MS) {
        note_error(r, i, what, res, ms);          /* past the time-out */
        return 0;
    }
    if (rc == CLIENT_REFUSED && announced(res)) {
        come_back(r, i, res);                     /* after a cast's: she logs in again */
        return 0;
    }
    if (rc != CLIENT_OK) {
        note_error(r, i, what, res, ms);
        return 0;
    }
    pthread_mutex_lock(&r->lock);
    note_ms(r, ms);
    if (*ntimes < r->n)
        times[(*ntimes)++] = ms;
    pthread_mutex_unlock(&r->lock);
    return 1;
}

/* One voter's attempt: log in, then cast. */
static void attempt(rush_run *r, client *c, size_t i)
{
    rush_voter *v = &r->v[i];
    client_result res = { 0 };
    box_receipt receipt;
    char sent[sizeof v->ticket];
    double t = now_ms();
    int rc;

    v->attempts++;
    snprintf(sent, sizeof sent, "%s", v->ticket);
    rc = client_login_queued(c, v->id, RUSH_PASSWORD, v->ticket, sizeof v->ticket, &res);
    pthread_mutex_lock(&r->lock);
    if (rc == CLIENT_REFUSED && res.status == 503) {
        r->same_place += sent[0] != '\0' && strcmp(sent, v->ticket) == 0;
        r->retry_1 += res.retry_after == 1;
    }
    r->attempts++;
    pthread_mutex_unlock(&r->lock);
    if (!admitted(r, i, "login", rc, &res, now_ms() - t, r->login_ms, &r->nlogin))
        return;
    pthread_mutex_lock(&r->lock);
    r->attempts++;
    pthread_mutex_unlock(&r->lock);
    t = now_ms();
    rc = client_submit(c, &r->e, &v->ballot, &receipt, &res);
    if (!admitted(r, i, "cast", rc, &res, now_ms() - t, r->cast_ms, &r->ncast))
        return;
    pthread_mutex_lock(&r->lock);
    r->done++;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void *rush_worker(void *arg)
{
    rush_run *r = arg;
    client *c = client_new(tu_base_url);

    if (c == NULL)
        bench_die("rush: client");
    pthread_mutex_lock(&r->lock);
    while (r->done < r->n) {
        double now = now_ms() - r->t0;

        if (r->nheap == 0) {
            pthread_cond_wait(&r->changed, &r->lock);
        } else if (r->heap[0].due > now) {
            double wait = r->heap[0].due - now;
            struct timespec ts;

            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += (time_t)(wait / 1e3);
            ts.tv_nsec += (long)((wait - (double)(long)(wait / 1e3) * 1e3) * 1e6);
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&r->changed, &r->lock, &ts);
        } else {
            rush_event ev = heap_pop(r);

            if (now - ev.due > r->late_max)
                r->late_max = now - ev.due;
            pthread_mutex_unlock(&r->lock);
            attempt(r, c, ev.voter);
            pthread_mutex_lock(&r->lock);
        }
    }
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    client_free(c);
    return NULL;
}

typedef struct {
    rush_run *r;
    double *ms;
    size_t n, cap, errors;
} health_poll;

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void *health_worker(void *arg)
{
    health_poll *h = arg;
    CURL *curl = curl_easy_init();
    char url[128];

    snprintf(url, sizeof url, "%s/healthz", tu_internal_url);
    while (curl != NULL && !atomic_load(&h->r->stop)) {
        double t = now_ms(), ms;
        long status = 0;

        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)RUSH_TIMEOUT_MS);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(curl) != CURLE_OK ||
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200)
            h->errors++;
        ms = now_ms() - t;
        if (h->n < h->cap)
            h->ms[h->n++] = ms;
        if (ms < RUSH_HEALTH_MS)
            nanosleep(&(struct timespec){ 0, (long)((RUSH_HEALTH_MS - ms) * 1e6) }, NULL);
    }
    curl_easy_cleanup(curl);
    return NULL;
}

static int set_passwords(store_tx *tx, void *arg)
{
    size_t n = *(size_t *)arg;
    char hash[SECRET_PWHASH_STR_BYTES];
    int rc = STORE_OK;

    if (secret_pwhash(hash, RUSH_PASSWORD, strlen(RUSH_PASSWORD)) != 0)
        return STORE_EIO;
    for (int64_t id = 1; id <= (int64_t)n && rc == STORE_OK; id++)
        rc = store_access_set_password(tx, id, hash);   /* one Argon2id string for all */
    return rc;
}

/* The voters' identifiers and codes (codes.csv), every ballot made. */
typedef struct {
    rush_run *r;
    char (*codes)[64];
    atomic_size_t next;
    atomic_int failed;
} prepare_job;

static void *prepare_worker(void *arg)
{
    prepare_job *p = arg;
    client_result res;
    size_t i;

    while ((i = atomic_fetch_add(&p->next, 1)) < p->r->n)
        if (client_prepare(&p->r->v[i].ballot, &p->r->e, RUSH_SCRUTIN, p->codes[i],
                           (size_t)(i % RUSH_LISTS), &res) != CLIENT_OK)
            atomic_store(&p->failed, 1);
    return NULL;
}

static void rush_prepare(rush_run *r, const char *dir, int cores)
{
    char path[PATH_MAX], line[256];
    prepare_job p = { .r = r };
    pthread_t t[64];
    client_result res;
    client *c = client_new(tu_base_url);
    FILE *f = NULL;
    size_t i = 0;

    snprintf(path, sizeof path, "%s/codes.csv", dir);
    if (c == NULL || (f = fopen(path, "r")) == NULL ||
        (p.codes = calloc(r->n, sizeof *p.codes)) == NULL)
        bench_die("rush: codes");
    /* "NUMBER,CODE"; voter B000042 logs in as b42@bench.example (tu_election_generated) */
    while (i < r->n && fgets(line, sizeof line, f) != NULL) {
        char *comma = strchr(line, ',');

        if (comma == NULL || line[0] != 'B')
            continue;
        *comma = '\0';
        snprintf(r->v[i].id, sizeof r->v[i].id, "b%lu@bench.example", strtoul(line + 1, NULL, 10));
        snprintf(p.codes[i], sizeof p.codes[i], "%.*s", (int)strcspn(comma + 1, "\r\n"),
                 comma + 1);
        i++;
    }
    fclose(f);
    if (i != r->n || client_election_fetch(c, &r->e, &res) != CLIENT_OK)
        bench_die("rush: voters or election");
    client_free(c);
    for (int k = 0; k < cores; k++)
        pthread_create(&t[k], NULL, prepare_worker, &p);
    for (int k = 0; k < cores; k++)
        pthread_join(t[k], NULL);
    sodium_memzero(p.codes, r->n * sizeof *p.codes);
    free(p.codes);
    if (atomic_load(&p.failed))
        bench_die("rush: ballots");
}

/* Logins per second the daemon serves: `clients` log in back to back for
 * seconds (never more at once than the slots and their queue hold). */
typedef struct {
    rush_run *r;
    double until;
    size_t ok, refused;
    int k;
} calib_job;

static void *calib_worker(void *arg)
{
    calib_job *j = arg;
    client *c = client_new(tu_base_url);
    client_result res;
    size_t i = (size_t)j->k;

    while (c != NULL && tu_seconds() < j->until) {
        int rc = client_login(c, j->r->v[i % j->r->n].id, RUSH_PASSWORD, &res);

        if (rc == CLIENT_OK)
            j->ok++;
        else if (rc == CLIENT_REFUSED && announced(&res) &&
                 nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL) == 0)
            j->refused++;
        else
            bench_die("rush: calibration login");
        i += 16;
    }
    client_free(c);
    return NULL;
}

static double rush_capacity(rush_run *r, int cores, double seconds)
{
    enum { CLIENTS_PER_CORE = 4 };
    int clients = cores * CLIENTS_PER_CORE;
    calib_job j[64];
    pthread_t t[64];
    double t0 = tu_seconds();
    size_t ok = 0;

    for (int k = 0; k < clients; k++) {
        j[k] = (calib_job){ r, t0 + seconds, 0, 0, k };
        pthread_create(&t[k], NULL, calib_worker, &j[k]);
    }
    for (int k = 0; k < clients; k++) {
        pthread_join(t[k], NULL);
        ok += j[k].ok;
    }
    return (double)ok / (tu_seconds() - t0);
}

/* VmHWM of the daemon and its children, summed (MB). */
static double tree_hwm_mb(int pid)
{
    int kids[16];
    size_t n = tu_proc_children(pid, kids, 16);
    double mb = tu_proc_mb(pid, "VmHWM:");

    for (size_t i = 0; i < n; i++) {
        double k = tu_proc_mb(kids[i], "VmHWM:");

        if (k > 0)
            mb += k;
    }
    return mb;
}

/* The machine's load average over the last minute, as /proc/loadavg says. */
static void load_average(char out[16])
{
    FILE *f = fopen("/proc/loadavg", "r");

    if (f == NULL || fscanf(f, "%15s", out) != 1)
        snprintf(out, 16, "unknown");
    if (f != NULL)
        fclose(f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The configuration for the rush: privilege separation on, and room for
 * the client's many connections from one address. */
static void rush_configure(const char *cfg)
{
    json_t *j = json_load_file(cfg, 0, NULL), *limits;

    if (j == NULL || bench_set_privsep(cfg, 1) != 0)
        bench_die("rush: configuration");
    json_decref(j);
    j = json_load_file(cfg, 0, NULL);
    if ((limits = json_object_get(j, "limits")) == NULL)
        json_object_set_new(j, "limits", limits = json_object());
    if (json_object_set_new(limits, "per_ip_connections", json_integer(4 * RUSH_WORKERS)) != 0 ||
        json_object_set_new(limits, "max_connections", json_integer(8 * RUSH_WORKERS)) != 0 ||
        (getenv("BENCH_RUSH_QUEUE_MS") != NULL &&
         json_object_set_new(limits, "login_queue_ms",
                             json_integer(atoi(getenv("BENCH_RUSH_QUEUE_MS")))) != 0) ||
        json_dump_file(j, cfg, JSON_INDENT(2)) != 0)
        bench_die("rush: configuration");
    json_decref(j);
}

void bench_rush(int cores)
{
    size_t n = bench_scaled(20000, 1000);
    char bin[PATH_MAX], cfg[800], log[900], err[256], *dir = tu_tmpdir();
    rush_run r = { .n = n, .lock = PTHREAD_MUTEX_INITIALIZER,
                   .changed = PTHREAD_COND_INITIALIZER };
    health_poll h = { .r = &r };
    pthread_t t[RUSH_WORKERS], ht;
    double capacity, rate, wall, hwm, lo_p99;
    char load[16];
    server srv;
    int pid;

    fflush(stdout);                      /* children must not inherit our buffer */
    if (tu_bin(bin) != 0 || tu_election_generated(dir, bin, n, cfg, sizeof cfg) != 0)
        bench_die("rush: election");
    rush_configure(cfg);
    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0 ||
        store_write(srv.store, set_passwords, &n) != STORE_OK)
        bench_die("rush: passwords");
    server_close(&srv);
    tu_internal_port = tu_free_port();
    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    if ((pid = tu_daemon_start(bin, cfg, log)) <= 0)
        bench_die("rush: daemon");
    if ((r.v = calloc(n, sizeof *r.v)) == NULL || (r.heap = malloc(n * sizeof *r.heap)) == NULL ||
        (r.login_ms = malloc(n * sizeof *r.login_ms)) == NULL ||
        (r.cast_ms = malloc(n * sizeof *r.cast_ms)) == NULL)
        bench_die("rush: alloc");
    rush_prepare(&r, dir, cores);

    capacity = rush_capacity(&r, cores, (double)bench_scaled(6, 2));
    rate = RUSH_OFFERED * capacity;
    printf("# rush: login capacity %.0f per s on %d cores (closed loop, %d clients, Argon2id "
           "m=19 MiB t=2 p=1): %.1f ms of a core per login\n", capacity, cores, 4 * cores,
           1e3 * cores / capacity);
    printf("bench rush.login_capacity_per_s %.0f per_s\n", capacity);
    printf("bench rush.login_core_ms %.1f ms\n", 1e3 * cores / capacity);

    for (size_t i = 0; i < n; i++)
        r.heap[i] = (rush_event){ (double)i * 1e3 / rate, i };    /* sorted: a heap */
    r.nheap = n;
    h.cap = 1000000;
    if ((h.ms = malloc(h.cap * sizeof *h.ms)) == NULL)
        bench_die("rush: alloc");
    r.t0 = now_ms();
    pthread_create(&ht, NULL, health_worker, &h);
    for (int k = 0; k < RUSH_WORKERS; k++)
        pthread_create(&t[k], NULL, rush_worker, &r);
    for (int k = 0; k < RUSH_WORKERS; k++)
        pthread_join(t[k], NULL);
    wall = (now_ms() - r.t0) / 1e3;
    load_average(load);
    atomic_store(&r.stop, 1);
    pthread_join(ht, NULL);
    hwm = tree_hwm_mb(pid);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);

    qsort(r.ms, r.nms, sizeof *r.ms, cmp_double);
    qsort(h.ms, h.n, sizeof *h.ms, cmp_double);
    qsort(r.login_ms, r.nlogin, sizeof *r.login_ms, cmp_double);
    qsort(r.cast_ms, r.ncast, sizeof *r.cast_ms, cmp_double);
    lo_p99 = r.nms > 0 ? tu_quantile(r.ms, r.nms, 99) : -1;
    printf("bench rush.admitted_p99_ms %.0f ms\n", lo_p99);
    printf("bench rush.refused_share %.3f ratio\n",
           r.attempts > 0 ? (double)r.refused / (double)r.attempts : 0);
    printf("bench rush.errors %zu count\n", r.errors + h.errors);
    printf("bench rush.health_p99_ms %.1f ms\n", h.n > 0 ? tu_quantile(h.ms, h.n, 99) : -1);
    printf("bench rush.daemon_hwm_mb %.1f mb\n", hwm);
    printf("# rush: %zu voters offered at %.0f per s (%d x the capacity) over %.0f s, all "
           "through in %.0f s; %zu attempts (logins and casts), %zu refused with a Retry-After; "
           "%zu admitted logins and casts, p50 %.0f ms, max %.0f ms; arrivals up to %.0f ms late "
           "(%d client connections); /healthz polled %zu times, p50 %.1f ms, max %.1f ms, %zu "
           "failed; memory: VmHWM of the daemon and its children summed; load average %s\n",
           n, rate, RUSH_OFFERED, (double)n / rate, wall, r.attempts, r.refused, r.nms,
           r.nms > 0 ? r.ms[r.nms / 2] : -1, r.nms > 0 ? r.ms[r.nms - 1] : -1, r.late_max,
           RUSH_WORKERS, h.n, h.n > 0 ? h.ms[h.n / 2] : -1, h.n > 0 ? h.ms[h.n - 1] : -1,
           h.errors, load);
    if (r.nlogin > 0 && r.ncast > 0)
        printf("# rush: admitted logins p50 %.0f ms p99 %.0f ms; casts p50 %.0f ms p99 %.0f ms\n",
               r.login_ms[r.nlogin / 2], tu_quantile(r.login_ms, r.nlogin, 99),
               r.cast_ms[r.ncast / 2], tu_quantile(r.cast_ms, r.ncast, 99));
    printf("# rush: of the %zu refusals, %zu gave back the place the voter showed (early, or "
           "at the cap), %zu said Retry-After 1\n", r.refused, r.same_place, r.retry_1);
    if (r.errors > 0)
        printf("# rush: first error: %s\n", r.first_error);
    for (size_t i = 0; i < n; i++)
        client_prepared_free(&r.v[i].ballot);
    client_election_free(&r.e);
    free(r.v);
    free(r.heap);
    free(r.ms);
    free(r.login_ms);
    free(r.cast_ms);
    free(h.ms);
    tu_internal_port = 0;
    tu_rmdir(dir);
    free(dir);
}
