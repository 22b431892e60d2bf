/* bench_store.c - store.import_1m_s (parse, validate, diff and durably import
 * a 1,000,000-voter CSV) and audit.append_per_s (durable audit appends from
 * concurrent writers, with group commit). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "bench.h"
#include "election/election.h"
#include "tests/testutil.h"

static void write_csv(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        bench_die("csv");
    fprintf(f, "number,surname,given_names,emails,establishment,postal_address,corps,grade\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "N%07zu,Nom%zu,Prénom%zu,agent.%zu@ministere.example.gouv.fr,"
                   "Établissement %zu,\"%zu rue de la République\n%05zu Ville\",%s,g%zu\n",
                i, i, i % 5000, i, i % 400, i % 200, 10000 + i % 90000,
                i % 3 ? "attache" : "secretaire", i % 7);
    if (fclose(f) != 0)
        bench_die("csv");
}

/* Reset the process's peak resident size (VmHWM) to its current size, so
 * that a later VmHWM is the peak of what ran since. */
static void peak_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");

    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
}

void bench_import(void)
{
    double rss0;
    size_t n = bench_scaled(1000000, 20000);
    char *dir = tu_tmpdir(), csv[600], *text;
    store *s = tu_store(dir);
    def_election d;
    election_ctx c = { "officer", "bench", NULL, (int64_t)time(NULL), "", NULL,
                       ELECTION_WHY_OTHER };
    voters_stream *st;
    voters_diff diff;
    uint8_t pk[32], sk[64];
    char err[DEF_ERR_CHARS];
    double t0, t1, c0, c1;

    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    snprintf(csv, sizeof csv, "%s/voters.csv", dir);
    write_csv(csv, n);
    text = tu_definition(c.now + 86400, c.now + 8 * 86400);
    if (def_parse(&d, text, strlen(text), err, sizeof err) != 0 ||
        election_create(s, &c, &d, pk) != ELECTION_OK)
        bench_die("election");
    peak_reset();
    rss0 = tu_proc_mb(getpid(), "VmRSS:");
    c0 = bench_rusage_s(RUSAGE_SELF);
    t0 = tu_seconds();
    if ((st = voters_stream_open(csv, &d)) == NULL ||
        election_import_stream(s, &c, st, 0, &diff, NULL, NULL) != ELECTION_OK ||
        diff.added != n)
        bench_die("import");
    t1 = tu_seconds();
    c1 = bench_rusage_s(RUSAGE_SELF);
    voters_stream_close(st);
    printf("# %zu voters: libcsv parse and validation on one thread, diff and one durable"
           " transaction on the store's, streamed (%.2f s CPU)\n", n,
           c1 - c0);
    printf("bench store.import_1m_s %.2f s\n", (t1 - t0) * 1000000.0 / (double)n);
    printf("# the import's memory: the peak resident size during it, less the size before\n");
    printf("bench store.import_1m_mb %.0f mb\n",
           (tu_proc_mb(getpid(), "VmHWM:") - rss0) * 1000000.0 / (double)n);
    def_free(&d);
    free(text);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

typedef struct {
    store *s;
    int count;
} appender;

static int append_one(store_tx *tx, void *arg)
{
    json_t *p = json_pack("{s:s}", "event", "bench");
    int rc;

    (void)arg;
    rc = audit_append(tx, "system", "bench", "bench", p);
    json_decref(p);
    return rc;
}

static void *append_loop(void *arg)
{
    appender *a = arg;

    for (int i = 0; i < a->count; i++)
        if (store_write(a->s, append_one, NULL) != STORE_OK)
            bench_die("audit append");
    return NULL;
}

static double run_appenders(store *s, int threads, int per_thread)
{
    pthread_t t[64];
    appender a = { s, per_thread };
    double t0 = tu_seconds();

    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, append_loop, &a);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return (double)(threads * per_thread) / (tu_seconds() - t0);
}

/* disk.fsync_ms: the latency of one durable write (4 KiB written at the end
 * of a file, then fsync) on the file system the stores' temporary folders
 * are on; the median of `n`. It bounds durable commits: one commit costs at
 * least one fsync (SQLite's WAL), so serial appends cannot beat 1/fsync_ms
 * and only group commit goes beyond it. */
static double disk_fsync_ms(const char *dir)
{
    size_t n = bench_scaled(200, 20);
    double *t = malloc(n * sizeof *t), med;
    char path[600], block[4096];
    int fd;

    snprintf(path, sizeof path, "%s/fsync.bin", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || t == NULL)
        bench_die("fsync file");
    memset(block, 'x', sizeof block);
    for (size_t i = 0; i < n; i++) {
        double t0 = tu_seconds();

        if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fsync(fd) != 0)
            bench_die("fsync");
        t[i] = (tu_seconds() - t0) * 1e3;
    }
    close(fd);
    unlink(path);
    med = tu_median(t, n);
    free(t);
    return med;
}

void bench_disk(void)
{
    char *dir = tu_tmpdir();

    printf("# one 4 KiB append and fsync in %s's file system, median of %zu\n", dir,
           bench_scaled(200, 20));
    printf("bench disk.fsync_ms %.3f ms\n", disk_fsync_ms(dir));
    tu_rmdir(dir);
    free(dir);
}

void bench_audit(void)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    int per = (int)bench_scaled(500, 50);
    double serial, grouped;

    bench_disk();                       /* what bounds a durable append */
    serial = run_appenders(s, 1, per);
    grouped = run_appenders(s, 32, per);
    printf("# durable appends (fsync per commit); 32 concurrent writers share commits\n");
    printf("bench audit.append_serial_per_s %.0f per_s\n", serial);
    printf("bench audit.append_per_s %.0f per_s\n", grouped);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* *arg entries of a voter's kind in one transaction (a log that long is
 * built faster than by durable appends one by one). */
static int append_many(store_tx *tx, void *arg)
{
    int rc = STORE_OK;

    for (int i = 0; rc == STORE_OK && i < *(int *)arg; i++) {
        char number[16];
        json_t *p = json_pack("{s:s}", "scrutin", "CT");

        snprintf(number, sizeof number, "N%07d", i);
        rc = audit_append(tx, "voter", number, "link-used", p);
        json_decref(p);
    }
    return rc;
}

static int page_row(const store_audit_entry *e, void *arg)
{
    (void)e;
    (*(int *)arg)++;
    return 0;
}

/* The auditors' page at 1,000,000 entries: the first view checks the chain
 * whole (in chunks of short reads), the next ones only what was added; a
 * page filtered by a voter that matches nothing. */
void bench_audit_view(void)
{
    size_t n = bench_scaled(1000000, 20000);
    char *dir = tu_tmpdir(), err[DEF_ERR_CHARS], *text;
    store *s = tu_store(dir);
    election_ctx c = { "officer", "bench", NULL, (int64_t)time(NULL), "", NULL,
                       ELECTION_WHY_OTHER };
    uint8_t pk[32], sk[64];
    audit_verifier v;
    def_election d;
    int batch = 10000, one = 1, rows = 0;
    audit_log_query q = { { NULL, NULL, NULL, "nobody", 0 }, 51, page_row, &rows };
    double t0, first, next, page;

    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    text = tu_definition(c.now + 86400, c.now + 8 * 86400);
    if (def_parse(&d, text, strlen(text), err, sizeof err) != 0 ||
        election_create(s, &c, &d, pk) != ELECTION_OK)
        bench_die("election");
    for (size_t i = 0; i < n; i += (size_t)batch)
        if (store_write(s, append_many, &batch) != STORE_OK)
            bench_die("audit append");
    audit_log_verify_reset();
    t0 = tu_seconds();
    if (audit_log_verify(s, &v) != STORE_OK || v.failed)
        bench_die("audit verify");
    first = tu_seconds() - t0;
    if (store_write(s, append_many, &one) != STORE_OK)
        bench_die("audit append");
    t0 = tu_seconds();
    if (audit_log_verify(s, &v) != STORE_OK || v.failed)
        bench_die("audit verify");
    next = tu_seconds() - t0;
    t0 = tu_seconds();
    if (audit_log_page(s, &q) != STORE_OK || rows != 0)
        bench_die("audit page");
    page = tu_seconds() - t0;
    printf("# %llu audit entries; a first view checks them all in reads of %d entries,"
           " the next one what was added\n", (unsigned long long)v.entries, AUDIT_VERIFY_CHUNK);
    printf("bench audit.view_first_1m_s %.2f s\n", first * 1000000.0 / (double)n);
    printf("bench audit.view_next_ms %.2f ms\n", next * 1000.0);
    printf("bench audit.page_filtered_ms %.2f ms\n", page * 1000.0);
    audit_log_verify_reset();
    def_free(&d);
    free(text);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}
