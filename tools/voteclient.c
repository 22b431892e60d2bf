/* voteclient - the reference voting client, over the real HTTP API.
 *
 *   voteclient [--url URL] [--cacert FILE] vote IDENTIFIER SCRUTIN CHOICE
 *   voteclient [--url URL] [--cacert FILE] lookup SCRUTIN TRACKER
 *   voteclient [--url URL] [--cacert FILE] load FILE [--concurrency N] [--bench] [--receipts OUT]
 *              [--retry SECONDS] [--rate R]
 *   voteclient --help            (the commands, choices and exit codes)
 *
 * vote: logs in, makes the ballot for CHOICE (a list number from 1, or
 * "blank") on this machine, casts it, verifies the receipt and finds the
 * tracker on the board; prints the receipt as JSON. The password and then the
 * vote code are read from standard input, one per line (never from the command
 * line, where other users could see them).
 *
 * load: FILE has one line per simulated voter, "SESSION,CODE,SCRUTIN,CHOICE",
 * sessions made beforehand (login is Argon2id work, measured apart). Ballots
 * are made first, then cast by N concurrent connections; reports ballots/s,
 * latency percentiles and errors (with --bench, as "bench" lines). With
 * --receipts, each verified receipt is appended to OUT as it arrives, one line
 * "LINE,SCRUTIN,TRACKER_HEX" (LINE: the voter's line in FILE, from 1), flushed
 * at once: what the server acknowledged, for tests that kill it mid-load.
 * With --retry, a cast that got no answer or a 5xx is sent again (the same
 * ballot) until SECONDS have passed since its first failure, as a voter
 * clicking again would: for the failover test. A cast committed whose answer
 * was lost is then answered with its receipt marked "already recorded" (200):
 * acknowledged like any other, and counted apart (already_recorded N).
 * With --rate R, the load is open-loop: cast i is due at t0 + i/R (as voters
 * arrive, whatever the server's pace), sent by the first of the N connections
 * free, and its latency counts from that due time, so that a client behind
 * its schedule shows in the figures (no coordinated omission); the report adds
 * the rate offered and achieved, the casts started more than 10 ms late by
 * the client's own lag (woken late from their wait: late), and those that
 * waited more than 10 ms for a free connection (queued: every connection busy).
 *
 * Exit: 0 done, 1 refused by the server, 2 usage, 3 bad input or a server
 * answer that does not check out. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <sodium.h>
#include "client/client.h"
#include "crypto/hex.h"

#define LOAD_MAX_THREADS 256
#define LOAD_MAX_RATE 100000
#define LOAD_LATE_MS 10.0       /* a cast started later than this after its due time: late */

static const char *url = "http://127.0.0.1:8080";
static const char *cafile;             /* --cacert, or NULL: the system's CAs */
static double retry_ms;                 /* --retry, in milliseconds; 0: none */
static double rate;                     /* --rate, casts per second; 0: closed loop */

#define USAGE \
    "usage: voteclient [--url URL] [--cacert FILE] vote IDENTIFIER SCRUTIN CHOICE\n" \
    "       voteclient [--url URL] [--cacert FILE] lookup SCRUTIN TRACKER\n" \
    "       voteclient [--url URL] [--cacert FILE] load FILE [--concurrency N] [--bench] [--receipts OUT]" \
    " [--retry SECONDS] [--rate R]\n" \
    "       voteclient --help\n"

static int usage(void)
{
    fprintf(stderr, USAGE "Run voteclient --help for the commands, choices and exit codes.\n");
    return 2;
}

static int help(void)
{
    printf(USAGE "\n"
           "The reference voting client: it makes the ballot on this machine and speaks the\n"
           "portal's HTTP API (docs/api.md).\n"
           "\n"
           "commands:\n"
           "  vote IDENTIFIER SCRUTIN CHOICE\n"
           "      log in as IDENTIFIER (the voter's address), encrypt CHOICE for SCRUTIN (its\n"
           "      id, e.g. csa-ministere), cast it, check the signed receipt and find the\n"
           "      tracker in the box; prints the receipt (JSON). The password, then the vote\n"
           "      code, are read from standard input, one per line: never from the command\n"
           "      line, where other users of the machine could read them.\n"
           "  lookup SCRUTIN TRACKER\n"
           "      is the ballot with this tracker (as the receipt prints it, or 64 hex\n"
           "      digits) in the box? Prints \"present\".\n"
           "  load FILE\n"
           "      a load test: FILE has one line per voter, SESSION,CODE,SCRUTIN,CHOICE\n"
           "      (sessions opened beforehand); prints ballots/s, latencies and errors.\n"
           "\n"
           "CHOICE:\n"
           "  1, 2, ...  the list's number in the scrutin's order in the election definition\n"
           "             (the first list is 1; GET /api/v1/election lists them in that order)\n"
           "  blank      a blank ballot (vote blanc)\n"
           "\n"
           "options:\n"
           "  --url URL            the portal (default http://127.0.0.1:8080)\n"
           "  --cacert FILE        https: trust the CA certificates of FILE (PEM) instead of\n"
           "                       the system's\n"
           "  --concurrency N      load: N connections at once, 1 to %d (default 8)\n"
           "  --bench              load: the figures as \"bench\" lines\n"
           "  --receipts OUT       load: append \"LINE,SCRUTIN,TRACKER\" to OUT for each\n"
           "                       verified receipt, as it arrives\n"
           "  --retry SECONDS      load: a cast with no answer or a 5xx is sent again (the\n"
           "                       same ballot) for up to SECONDS (at most 600); a ballot\n"
           "                       the server held already gets its receipt, marked\n"
           "                       already recorded: acknowledged\n"
           "  --rate R             load: open loop, R casts per second offered (1 to %d):\n"
           "                       cast i is due at start + i/R and sent by the first free\n"
           "                       connection; latencies count from the due time; counts\n"
           "                       the casts started more than 10 ms late by the client's\n"
           "                       own lag (late) or for want of a free connection (queued)\n"
           "  -h, --help           this help\n"
           "\n"
           "exit status:\n"
           "  0  done\n"
           "  1  refused by the server (the message says why: already voted, wrong code...)\n"
           "  2  usage: a bad command line, or no password and code on standard input\n"
           "  3  bad input (a malformed tracker or load file), or a server answer that does\n"
           "     not check out (receipt, proof or board)\n", LOAD_MAX_THREADS, LOAD_MAX_RATE);
    return 0;
}

static int fail(const client_result *r, int rc)
{
    if (r->status != 0)
        fprintf(stderr, "voteclient: %ld: %s\n", r->status, r->message);
    else
        fprintf(stderr, "voteclient: %s\n", r->message);
    return rc == CLIENT_REFUSED ? 1 : 3;
}

/* One line of standard input, without its end of line. */
static int read_secret(char *out, size_t len)
{
    if (fgets(out, (int)len, stdin) == NULL)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* "blank" or a list number from 1; -1 if neither. */
static int parse_choice(const char *s, size_t *out)
{
    char *end;
    unsigned long n;

    if (strcmp(s, "blank") == 0) {
        *out = CLIENT_BLANK;
        return 0;
    }
    n = strtoul(s, &end, 10);
    if (*s < '1' || *s > '9' || *end != '\0' || n > BALLOT_MAX_LISTS)
        return -1;
    *out = (size_t)n - 1;
    return 0;
}

static int cmd_vote(client *c, const char *identifier, const char *scrutin, const char *choice)
{
    char password[1024], code[128];
    client_election e;
    client_result r;
    box_receipt receipt;
    size_t index;
    int rc;

    if (parse_choice(choice, &index) != 0) {
        fprintf(stderr, "voteclient: CHOICE is a list number from 1, or \"blank\" (not \"%s\")\n",
                choice);
        return usage();
    }
    if (read_secret(password, sizeof password) != 0 || read_secret(code, sizeof code) != 0) {
        fprintf(stderr, "voteclient: expected the password and the vote code on stdin\n");
        return 2;
    }
    if ((rc = client_election_fetch(c, &e, &r)) != CLIENT_OK)
        return fail(&r, rc);
    rc = client_login(c, identifier, password, &r);
    sodium_memzero(password, sizeof password);
    if (rc == CLIENT_OK)
        rc = client_cast(c, &e, scrutin, code, index, &receipt, &r);
    sodium_memzero(code, sizeof code);
    if (rc == CLIENT_OK)
        rc = client_lookup(c, scrutin, receipt.tracker, &r);
    client_election_free(&e);
    if (rc != CLIENT_OK)
        return fail(&r, rc);
    {
        json_t *j = box_receipt_json(&receipt);

        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        putchar('\n');
        json_decref(j);
    }
    return 0;
}

static int cmd_lookup(client *c, const char *scrutin, const char *text)
{
    uint8_t t[BALLOT_TRACKER_BYTES];
    client_result r;
    int rc;

    if (ballot_tracker_parse(t, text) != 0 && hex_decode(t, sizeof t, text) != 0) {
        fprintf(stderr, "voteclient: the tracker is malformed\n");
        return 3;
    }
    if ((rc = client_lookup(c, scrutin, t, &r)) != CLIENT_OK)
        return fail(&r, rc);
    printf("present\n");
    return 0;
}

/* ---- load ---- */

typedef struct {
    char session[CLIENT_SESSION_CHARS + 1];
    char code[64];
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    size_t choice;
    client_prepared ballot;
    double ms;               /* from its start, or with --rate from its due time */
    int ok;
    int late;                /* --rate: woken more than LOAD_LATE_MS after its due time */
    int queued;              /* --rate: no connection free until LOAD_LATE_MS after it */
    int again;               /* acknowledged by a receipt "already recorded" */
} load_voter;

typedef struct {
    load_voter *v;
    size_t n;
    client_election e;
    atomic_size_t next, prepared;
    atomic_size_t errors;
    double t0;               /* the casting's start (now_ms); --rate: cast i due at t0 + i/rate */
    char first_error[CLIENT_MSG_CHARS + 16];
    pthread_mutex_t lock;
    FILE *receipts;          /* or NULL; written under lock */
} load_run;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void note_error(load_run *l, const client_result *r)
{
    if (atomic_fetch_add(&l->errors, 1) == 0) {
        pthread_mutex_lock(&l->lock);
        snprintf(l->first_error, sizeof l->first_error, "%ld: %s", r->status, r->message);
        pthread_mutex_unlock(&l->lock);
    }
}

static void note_receipt(load_run *l, size_t i, const box_receipt *receipt)
{
    char hex[2 * BALLOT_TRACKER_BYTES + 1];

    if (l->receipts == NULL)
        return;
    hex_encode(hex, receipt->tracker, sizeof receipt->tracker);
    pthread_mutex_lock(&l->lock);
    fprintf(l->receipts, "%zu,%s,%s\n", i + 1, receipt->scrutin, hex);
    fflush(l->receipts);
    pthread_mutex_unlock(&l->lock);
}

/* A failure worth trying again: no answer, or the server's own trouble. */
static int transient(const client_result *r)
{
    return r->status == 0 || r->status >= 500;
}

static int submit_retrying(client *c, const client_election *e, const client_prepared *b,
                           box_receipt *receipt, client_result *r)
{
    double first = 0;
    int rc;

    while ((rc = client_submit(c, e, b, receipt, r)) != CLIENT_OK && transient(r) &&
           retry_ms > 0) {
        if (first == 0)
            first = now_ms();
        else if (now_ms() - first > retry_ms)
            break;
        nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
    }
    return rc;
}

static void *cast_worker(void *arg)
{
    load_run *l = arg;
    client *c = client_new(url);
    box_receipt receipt;
    client_result r;
    size_t i;

    if (c != NULL && cafile != NULL && client_cafile_set(c, cafile) != 0) {
        client_free(c);
        c = NULL;
    }

    while (c != NULL && (i = atomic_fetch_add(&l->next, 1)) < l->n) {
        load_voter *v = &l->v[i];
        double t0 = now_ms();

        if (rate > 0) {                 /* open loop: wait for its due time, count from it */
            double due = l->t0 + (double)i * 1e3 / rate;

            if (due > t0) {         /* a connection free in time: the client's own lag? */
                long long ns = (long long)(due * 1e6);
                struct timespec at = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
                    ;
                v->late = now_ms() - due > LOAD_LATE_MS;
            } else {                    /* every connection was busy at its due time */
                v->queued = t0 - due > LOAD_LATE_MS;
            }
            t0 = due;
        }

        if (client_session_set(c, v->session) == 0 &&
            submit_retrying(c, &l->e, &v->ballot, &receipt, &r) == CLIENT_OK) {
            v->ok = 1;
            v->again = receipt.already_recorded;
            note_receipt(l, i, &receipt);
        } else {
            note_error(l, &r);
        }
        v->ms = now_ms() - t0;
    }
    client_free(c);
    return NULL;
}

static int load_line(load_voter *v, char *line, size_t lineno)
{
    char *session = strtok(line, ","), *code = strtok(NULL, ","), *scrutin = strtok(NULL, ","),
         *choice = strtok(NULL, ",\r\n");

    if (choice == NULL || strlen(session) > CLIENT_SESSION_CHARS || strlen(code) >= sizeof v->code ||
        strlen(scrutin) > STORE_SCRUTIN_CHARS || parse_choice(choice, &v->choice) != 0) {
        fprintf(stderr, "voteclient: line %zu: expected SESSION,CODE,SCRUTIN,CHOICE\n", lineno);
        return -1;
    }
    snprintf(v->session, sizeof v->session, "%s", session);
    snprintf(v->code, sizeof v->code, "%s", code);
    snprintf(v->scrutin, sizeof v->scrutin, "%s", scrutin);
    return 0;
}

/* Ballots are made before the clock starts: the figure is the server's. */
static void *prepare_worker(void *arg)
{
    load_run *l = arg;
    client_result r;
    size_t i;

    while ((i = atomic_fetch_add(&l->prepared, 1)) < l->n) {
        load_voter *v = &l->v[i];

        if (client_prepare(&v->ballot, &l->e, v->scrutin, v->code, v->choice, &r) != CLIENT_OK)
            note_error(l, &r);
        sodium_memzero(v->code, sizeof v->code);
    }
    return NULL;
}

static int load_read(load_run *l, const char *file)
{
    FILE *f = fopen(file, "r");
    char line[512];
    size_t cap = 0;

    if (f == NULL) {
        perror(file);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (l->n == cap) {
            load_voter *grown = realloc(l->v, (cap = cap ? 2 * cap : 1024) * sizeof *grown);

            if (grown == NULL)
                break;
            l->v = grown;
        }
        memset(&l->v[l->n], 0, sizeof l->v[l->n]);
        if (load_line(&l->v[l->n], line, l->n + 1) != 0)
            break;
        l->n++;
    }
    sodium_memzero(line, sizeof line);
    if (!feof(f)) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return l->n > 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* CPU seconds (user + system) this process has used. */
static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* cpu_ms: this process's CPU over the casting (the ballots prepared before). */
static void load_report(load_run *l, double wall_ms, double cpu_ms, int bench)
{
    double *ms = malloc(l->n * sizeof *ms);
    size_t ok = 0, again = 0, late = 0, queued = 0;

    for (size_t i = 0; i < l->n; i++) {
        ms[i] = l->v[i].ms;
        ok += (size_t)l->v[i].ok;
        again += (size_t)l->v[i].again;
        late += (size_t)l->v[i].late;
        queued += (size_t)l->v[i].queued;
    }
    qsort(ms, l->n, sizeof *ms, cmp_double);
    if (bench) {
        printf("bench cast.ballots_per_s %.0f per_s\n", ok / (wall_ms / 1e3));
        printf("bench cast.p99_ms %.1f ms\n", ms[(l->n * 99) / 100]);
        printf("# cast: %zu ballots, %zu errors, p50 %.1f ms\n", l->n,
               (size_t)atomic_load(&l->errors), ms[l->n / 2]);
        printf("# cast: voteclient used %.3f ms of CPU per ballot while casting (its ballots "
               "made before)\n", cpu_ms / (double)l->n);
        if (rate > 0) {
            printf("bench cast.offered_per_s %.0f per_s\n", rate);
            printf("bench cast.p50_ms %.1f ms\n", ms[l->n / 2]);
            printf("bench cast.max_ms %.1f ms\n", ms[l->n - 1]);
            printf("bench cast.late_casts %zu casts\n", late);
            printf("bench cast.queued_casts %zu casts\n", queued);
            printf("# cast: open loop, %.0f casts/s offered, %.0f achieved; latencies from each "
                   "cast's due time; of %zu casts, %zu started more than %.0f ms late by the "
                   "client's own lag (woken late: the client is the limit), %zu waited as long "
                   "for a free connection (all busy)\n", rate, ok / (wall_ms / 1e3), l->n, late,
                   LOAD_LATE_MS, queued);
        }
    } else if (rate > 0) {
        printf("ballots %zu accepted %zu errors %zu ballots_per_s %.0f p50_ms %.1f p90_ms %.1f "
               "p99_ms %.1f max_ms %.1f already_recorded %zu offered_per_s %.0f late %zu "
               "queued %zu\n", l->n, ok, (size_t)atomic_load(&l->errors), ok / (wall_ms / 1e3),
               ms[l->n / 2], ms[(l->n * 9) / 10], ms[(l->n * 99) / 100], ms[l->n - 1], again,
               rate, late, queued);
    } else {
        printf("ballots %zu accepted %zu errors %zu ballots_per_s %.0f p50_ms %.1f p90_ms %.1f "
               "p99_ms %.1f max_ms %.1f already_recorded %zu\n", l->n, ok,
               (size_t)atomic_load(&l->errors), ok / (wall_ms / 1e3), ms[l->n / 2],
               ms[(l->n * 9) / 10], ms[(l->n * 99) / 100], ms[l->n - 1], again);
    }
    if (atomic_load(&l->errors) > 0)
        fprintf(stderr, "voteclient: first error: %s\n", l->first_error);
    free(ms);
}

/* The election fetched over a connection closed at once: the casting's
 * connections are then all the server sees of this client (its per-address
 * limit, limits.per_ip_connections, is 64 by default). */
static int load_election_fetch(client_election *e, client_result *r)
{
    client *c = client_new(url);
    int rc;

    if (c == NULL || (cafile != NULL && client_cafile_set(c, cafile) != 0)) {
        client_free(c);
        snprintf(r->message, sizeof r->message, "no HTTP client");
        r->status = 0;
        return -1;
    }
    rc = client_election_fetch(c, e, r);
    client_free(c);
    return rc;
}

static int cmd_load(const char *file, int threads, int bench, FILE *receipts)
{
    pthread_t t[LOAD_MAX_THREADS];
    load_run l = { .lock = PTHREAD_MUTEX_INITIALIZER, .receipts = receipts };
    client_result r;
    double t0, cpu0;
    int rc;

    if ((rc = load_election_fetch(&l.e, &r)) != CLIENT_OK)
        return fail(&r, rc);
    if (load_read(&l, file) != 0) {
        rc = 3;
        goto out;
    }
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, prepare_worker, &l);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    if (atomic_load(&l.errors) > 0) {
        fprintf(stderr, "voteclient: %s\n", l.first_error);
        rc = 3;
        goto out;
    }
    l.t0 = t0 = now_ms();
    cpu0 = cpu_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, cast_worker, &l);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    load_report(&l, now_ms() - t0, (cpu_s() - cpu0) * 1e3, bench);
    rc = atomic_load(&l.errors) == 0 ? 0 : 1;
out:
    for (size_t i = 0; i < l.n; i++)
        client_prepared_free(&l.v[i].ballot);
    free(l.v);
    client_election_free(&l.e);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "url", required_argument, NULL, 'u' },
        { "cacert", required_argument, NULL, 'C' },
        { "concurrency", required_argument, NULL, 'n' },
        { "bench", no_argument, NULL, 'b' },
        { "receipts", required_argument, NULL, 'r' },
        { "retry", required_argument, NULL, 'R' },
        { "rate", required_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int o, threads = 8, bench = 0, rc;
    char *end;
    const char *receipts_path = NULL;
    FILE *receipts = NULL;
    client *c;

    umask(077);                 /* the receipts file (trackers): its owner's only */
    while ((o = getopt_long(argc, argv, "u:C:n:br:R:a:h", opts, NULL)) != -1) {
        if (o == 'h')
            return help();
        if (o == 'u')
            url = optarg;
        else if (o == 'C')
            cafile = optarg;
        else if (o == 'n' && (threads = atoi(optarg)) >= 1 && threads <= LOAD_MAX_THREADS)
            continue;
        else if (o == 'b')
            bench = 1;
        else if (o == 'r')
            receipts_path = optarg;
        else if (o == 'R' && (retry_ms = atof(optarg) * 1000) > 0 && retry_ms <= 600000)
            continue;
        else if (o == 'a') {
            rate = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !isfinite(rate) || rate < 1 ||
                rate > LOAD_MAX_RATE) {
                fprintf(stderr, "voteclient: --rate is the casts per second offered, 1 to %d "
                        "(not \"%s\")\n", LOAD_MAX_RATE, optarg);
                return usage();
            }
        } else
            return usage();
    }
    argc -= optind;
    argv += optind;
    if (argc < 1 || sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return usage();
    if ((c = client_new(url)) == NULL || (cafile != NULL && client_cafile_set(c, cafile) != 0))
        return usage();
    if (strcmp(argv[0], "vote") == 0 && argc == 4)
        rc = cmd_vote(c, argv[1], argv[2], argv[3]);
    else if (strcmp(argv[0], "lookup") == 0 && argc == 3)
        rc = cmd_lookup(c, argv[1], argv[2]);
    else if (strcmp(argv[0], "load") == 0 && argc == 2 && receipts_path != NULL &&
             (receipts = fopen(receipts_path, "a")) == NULL)
        rc = (perror(receipts_path), 3);
    else if (strcmp(argv[0], "load") == 0 && argc == 2)
        rc = cmd_load(argv[1], threads, bench, receipts);
    else
        rc = usage();
    if (receipts != NULL && fclose(receipts) != 0)
        rc = 3;
    client_free(c);
    curl_global_cleanup();
    return rc;
}
