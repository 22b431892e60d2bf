/*
 * test_crash.c - nothing acknowledged is lost: the daemon killed
 * with SIGKILL at random moments under casting load (voteclient load), its
 * store's file system full, and its file system turned read-only under it.
 *
 * After each restart: every ballot acknowledged with a receipt is in the box
 * and its voter is on the signature list; per scrutin, ballots = signatures =
 * credentials used = the box state's count (no voter marked without a ballot,
 * no ballot without a mark, no credential twice); the audit chain verifies
 * (voteaudit); the outbox holds one receipt mail per signature beyond what
 * the opening queued.
 *
 * VOTESRV_CRASH_CYCLES sets the number of kills (25 by default; the
 * sanitizer pass of make check runs 3). The file-system tests need root
 * (tmpfs; ext4 on a loop device) and are skipped without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include "crypto/hex.h"
#include "testutil.h"

#define SCRUTIN "csa-ministere"
#define LISTS 4
#define SLICE 250                 /* voters offered to voteclient per cycle */
#define CONCURRENCY 8
#define TRACKER_HEX 64

typedef struct {
    char *dir;                    /* the election's folder (a mount point for the fs tests) */
    char *work;                   /* the test's own files: load slices, receipts, logs */
    char bin[PATH_MAX], cfg[PATH_MAX + 32];
    char **lines;                 /* load.csv, one line per voter */
    char **numbers;               /* the voter of each line */
    char (*tracker)[TRACKER_HEX + 1];   /* acknowledged: the receipt's tracker, else "" */
    size_t n;
    long outbox_opened;           /* mails queued before any ballot (activation links) */
    int pid;                      /* the daemon */
    unsigned cycle;
} run;

/* ---- the election and its files ---- */

static char **read_lines(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    char line[512], **out = NULL;
    size_t cap = 0;

    assert_non_null(f);
    *n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (*n == cap)
            assert_non_null(out = realloc(out, (cap = cap ? 2 * cap : 256) * sizeof *out));
        line[strcspn(line, "\r\n")] = '\0';
        assert_non_null(out[(*n)++] = strdup(line));
    }
    fclose(f);
    return out;
}

static long sql_long(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long sql_long(const char *db, const char *fmt, ...)
{
    char path[PATH_MAX + 32], sql[512];
    sqlite3 *h;
    sqlite3_stmt *st;
    va_list ap;
    long v = -1;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "%s", db);
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sql %s: %s\n", sql, sqlite3_errmsg(h));
        fail();
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* The box state's count of a scrutin: le64 at the start of the row before
 * its region's slots (protocol §14, Storage); 0 without a region. */
static long state_count(const char *db, const char *scrutin)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    long v = 0;

    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT data FROM slot WHERE id = (SELECT first - 1"
                                           " FROM region WHERE scrutin = ?)", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, scrutin, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const uint8_t *b = sqlite3_column_blob(st, 0);

        assert_int_equal(sqlite3_column_bytes(st, 0), 40);
        for (int i = 7; i >= 0; i--)
            v = v << 8 | b[i];
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void db_path(char *out, size_t len, const run *r, const char *name)
{
    snprintf(out, len, "%s/%s", r->dir, name);
}

static void run_open(run *r, const char *dir, const char *work, size_t voters)
{
    char path[PATH_MAX + 32], *bin = getenv("VOTESRV_BIN");
    size_t ncodes;
    char **codes;

    memset(r, 0, sizeof *r);
    r->dir = strdup(dir);
    r->work = strdup(work);
    assert_non_null(realpath(bin != NULL ? bin : "../build/rel/bin", r->bin));
    assert_int_equal(tu_election_generated(r->dir, r->bin, voters, r->cfg, sizeof r->cfg), 0);
    assert_int_equal(tu_load_file(r->dir, r->cfg, SCRUTIN, LISTS), 0);
    snprintf(path, sizeof path, "%s/load.csv", r->dir);
    r->lines = read_lines(path, &r->n);
    snprintf(path, sizeof path, "%s/codes.csv", r->dir);
    codes = read_lines(path, &ncodes);
    assert_int_equal(ncodes, r->n);
    assert_non_null(r->numbers = calloc(r->n, sizeof *r->numbers));
    for (size_t i = 0; i < r->n; i++) {
        codes[i][strcspn(codes[i], ",")] = '\0';
        r->numbers[i] = codes[i];
    }
    free(codes);
    assert_non_null(r->tracker = calloc(r->n, sizeof *r->tracker));
    db_path(path, sizeof path, r, "registry.db");
    r->outbox_opened = sql_long(path, "SELECT count(*) FROM outbox");
    assert_true(r->outbox_opened >= (long)r->n);
}

static void run_close(run *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        waitpid(r->pid, NULL, 0);
    }
    for (size_t i = 0; i < r->n; i++) {
        free(r->lines[i]);
        free(r->numbers[i]);
    }
    free(r->lines);
    free(r->numbers);
    free(r->tracker);
    free(r->dir);
    free(r->work);
}

static void daemon_start(run *r)
{
    char log[PATH_MAX + 64];

    snprintf(log, sizeof log, "%s/votesrv-%u.log", r->work, r->cycle);
    r->pid = tu_daemon_start(r->bin, r->cfg, log);
    assert_true(r->pid > 0);
}

static void daemon_kill(run *r)
{
    kill(r->pid, SIGKILL);
    waitpid(r->pid, NULL, 0);
    r->pid = 0;
}

/* ---- load ---- */

/* Up to SLICE voters without a receipt into dir/slice.csv; their indices in idx. */
static size_t write_slice(const run *r, size_t *idx)
{
    char path[PATH_MAX + 32];
    FILE *f;
    size_t k = 0;

    snprintf(path, sizeof path, "%s/slice.csv", r->work);
    assert_non_null(f = fopen(path, "w"));
    for (size_t i = 0; i < r->n && k < SLICE; i++)
        if (r->tracker[i][0] == '\0') {
            fprintf(f, "%s\n", r->lines[i]);
            idx[k++] = i;
        }
    assert_int_equal(fclose(f), 0);
    return k;
}

/* voteclient load on dir/slice.csv, receipts appended to `receipts`, its
 * messages in receipts.err. */
static int load_start(const run *r, const char *receipts)
{
    int pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        char slice[PATH_MAX + 32], conc[8], err[PATH_MAX + 64];

        snprintf(slice, sizeof slice, "%s/slice.csv", r->work);
        snprintf(conc, sizeof conc, "%d", CONCURRENCY);
        snprintf(err, sizeof err, "%s.err", receipts);
        if (freopen("/dev/null", "w", stdout) == NULL || freopen(err, "w", stderr) == NULL)
            _exit(126);
        execl("/bin/sh", "sh", "-c",
              "exec \"$0\"/voteclient --url \"$1\" load \"$2\" --concurrency \"$3\" "
              "--receipts \"$4\"", r->bin, tu_base_url, slice, conc, receipts, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Record the receipts of a load run: indices are those of its slice. */
static size_t read_receipts(run *r, const char *path, const size_t *idx, size_t k)
{
    FILE *f = fopen(path, "r");
    char line[256];
    size_t got = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char scrutin[64], hex[TRACKER_HEX + 2];
        size_t at;

        assert_int_equal(sscanf(line, "%zu,%63[^,],%65s", &at, scrutin, hex), 3);
        assert_true(at >= 1 && at <= k);
        assert_string_equal(scrutin, SCRUTIN);
        assert_int_equal(strlen(hex), TRACKER_HEX);
        assert_string_equal(r->tracker[idx[at - 1]], "");   /* one receipt per voter */
        memcpy(r->tracker[idx[at - 1]], hex, TRACKER_HEX + 1);
        got++;
    }
    fclose(f);
    return got;
}

/* Cast the next slice with the daemon up; the receipts got. */
static size_t cast_slice(run *r, const char *name, char *err, size_t errlen)
{
    char receipts[PATH_MAX + 48], errpath[PATH_MAX + 64];
    size_t idx[SLICE], k = write_slice(r, idx), got;
    int client, status;
    FILE *f;

    assert_true(k > 0);
    snprintf(receipts, sizeof receipts, "%s/receipts-%s.txt", r->work, name);
    client = load_start(r, receipts);
    waitpid(client, &status, 0);
    got = read_receipts(r, receipts, idx, k);
    snprintf(errpath, sizeof errpath, "%s.err", receipts);
    err[0] = '\0';
    if ((f = fopen(errpath, "r")) != NULL) {
        size_t n = fread(err, 1, errlen - 1, f);

        err[n] = '\0';
        fclose(f);
    }
    printf("== %s: %zu receipts of %zu tried%s%s", name, got, k, err[0] ? "; " : "\n", err);
    return got;
}

/* Voters without a receipt yet. */
static size_t pending(const run *r)
{
    size_t k = 0;

    for (size_t i = 0; i < r->n; i++)
        k += r->tracker[i][0] == '\0';
    return k;
}

/* ---- the invariants ---- */

#define SLOT_HEAD 33                  /* a used slot's 1, then its tracker */

static int head_cmp(const void *a, const void *b)
{
    return memcmp(a, b, SLOT_HEAD);
}

/* The first SLOT_HEAD bytes of every slot of the box that has as many,
 * sorted; their number in *n. One pass over the box: a query per voter
 * would read every ballot of the box again for each one. */
static uint8_t (*slot_heads(const char *db, size_t *n))[SLOT_HEAD]
{
    uint8_t (*heads)[SLOT_HEAD] = NULL;
    size_t cap = 0;
    sqlite3 *h;
    sqlite3_stmt *st;

    *n = 0;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT substr(data, 1, 33) FROM slot", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != SLOT_HEAD)
            continue;
        if (*n == cap)
            assert_non_null(heads = realloc(heads, (cap = cap ? 2 * cap : 1024) * SLOT_HEAD));
        memcpy(heads[(*n)++], sqlite3_column_blob(st, 0), SLOT_HEAD);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    if (*n > 0)
        qsort(heads, *n, SLOT_HEAD, head_cmp);
    return heads;
}

/* How many of the sorted heads are this one. */
static size_t heads_count(uint8_t (*heads)[SLOT_HEAD], size_t n, const uint8_t *head)
{
    size_t lo = 0, hi = n, k = 0;

    while (lo < hi) {                   /* the first head >= head */
        size_t mid = lo + (hi - lo) / 2;

        if (memcmp(heads[mid], head, SLOT_HEAD) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo + k < n && memcmp(heads[lo + k], head, SLOT_HEAD) == 0)
        k++;
    return k;
}

static void check_store(const run *r)
{
    char reg[PATH_MAX + 32], box[PATH_MAX + 32], out[4096];
    long signatures, ballots, used, state, acked = 0;
    uint8_t (*heads)[SLOT_HEAD], head[SLOT_HEAD];
    size_t nheads, len;

    db_path(reg, sizeof reg, r, "registry.db");
    db_path(box, sizeof box, r, "ballots.db");
    signatures = sql_long(reg, "SELECT count(*) FROM signature WHERE scrutin = '%s'", SCRUTIN);
    /* the box's slots (protocol §14, Storage): a used slot starts with 1, then
     * the tracker, then 1 if it holds the ballot's credential */
    ballots = sql_long(box, "SELECT count(*) FROM slot JOIN region ON id BETWEEN first AND"
                       " first + nslots - 1 WHERE scrutin = '%s' AND substr(data, 1, 1) = x'01'",
                       SCRUTIN);
    used = sql_long(box, "SELECT count(*) FROM slot JOIN region ON id BETWEEN first AND"
                    " first + nslots - 1 WHERE scrutin = '%s' AND substr(data, 1, 1) = x'01'"
                    " AND substr(data, 34, 1) = x'01'", SCRUTIN);
    state = state_count(box, SCRUTIN);
    assert_int_equal(ballots, signatures);
    assert_int_equal(used, ballots);
    assert_int_equal(state, ballots);
    assert_int_equal(sql_long(reg, "SELECT count(*) FROM outbox"), r->outbox_opened + signatures);
    /* each acknowledged tracker heads exactly one slot of the box */
    heads = slot_heads(box, &nheads);
    head[0] = 1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->tracker[i][0] == '\0')
            continue;
        acked++;
        assert_int_equal(sodium_hex2bin(head + 1, SLOT_HEAD - 1, r->tracker[i], TRACKER_HEX, NULL,
                                        &len, NULL), 0);
        assert_int_equal(len, SLOT_HEAD - 1);
        assert_int_equal(heads_count(heads, nheads, head), 1);
        assert_int_equal(sql_long(reg, "SELECT count(*) FROM signature JOIN voter ON "
                                       "voter.id = voter_id WHERE number = '%s' AND "
                                       "scrutin = '%s'", r->numbers[i], SCRUTIN), 1);
    }
    free(heads);
    assert_true(acked <= signatures);
    if (tu_sh(out, sizeof out, "%s/voteaudit verify-log %s", r->bin, reg) != 0) {
        fprintf(stderr, "%s\n", out);
        fail_msg("the audit chain does not verify");
    }
    printf("   %ld ballots = %ld signatures, %ld acknowledged; audit chain verified\n", ballots,
           signatures, acked);
}

static void check_healthy(void)
{
    tu_reply rep;

    tu_http_internal(&rep, "GET", "/healthz");
    assert_int_equal(rep.status, 200);
}

/* ---- SIGKILL under load ---- */

static unsigned crash_cycles(void)
{
    const char *c = getenv("VOTESRV_CRASH_CYCLES");

    return c != NULL && atoi(c) > 0 ? (unsigned)atoi(c) : 25;
}

static void one_crash(run *r)
{
    char receipts[PATH_MAX + 48];
    size_t idx[SLICE], k, got;
    unsigned delay_ms = randombytes_uniform(400);
    int client, status;

    k = write_slice(r, idx);
    assert_true(k > 0);
    snprintf(receipts, sizeof receipts, "%s/receipts-%u.txt", r->work, r->cycle);
    client = load_start(r, receipts);
    /* the kill lands while ballots are being cast: after the first receipt */
    for (int i = 0; i < 3000 && file_size(receipts) == 0; i++)
        usleep(10 * 1000);
    usleep(delay_ms * 1000);
    daemon_kill(r);
    waitpid(client, &status, 0);
    got = read_receipts(r, receipts, idx, k);
    printf("== kill %u: %u ms after the first receipt, %zu receipts of %zu tried\n",
           r->cycle + 1, delay_ms, got, k);
    r->cycle++;
    daemon_start(r);
    check_healthy();
    check_store(r);
}

static void test_sigkill_under_load(void **state)
{
    unsigned cycles = crash_cycles();
    char *dir = tu_tmpdir(), name[32], err[4096], reg[PATH_MAX + 32];
    run r;
    long signatures;

    (void)state;
    run_open(&r, dir, dir, (size_t)cycles * 100 + SLICE);
    daemon_start(&r);
    for (unsigned c = 0; c < cycles; c++)
        one_crash(&r);
    /* the rest vote without a kill: everyone has voted once; the voters whose
     * ballot was stored but not acknowledged are refused a second ballot */
    for (unsigned round = 0; pending(&r) > 0; round++) {
        snprintf(name, sizeof name, "end-%u", round);
        if (cast_slice(&r, name, err, sizeof err) == 0)
            break;          /* all that remain voted already, unacknowledged */
    }
    check_store(&r);
    db_path(reg, sizeof reg, &r, "registry.db");
    signatures = sql_long(reg, "SELECT count(*) FROM signature WHERE scrutin = '%s'", SCRUTIN);
    assert_int_equal(signatures, (long)r.n);
    run_close(&r);
    tu_rmdir(dir);
    free(dir);
}

/* ---- the store's file system full, or turned read-only ---- */

/* The daemon's log of this cycle holds this text. */
static int log_has(const run *r, const char *text)
{
    char path[PATH_MAX + 64], buf[1 << 16];
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "%s/votesrv-%u.log", r->work, r->cycle);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, text) != NULL;
}

/* A file system of mb MB at dir/fs: tmpfs, or ext4 on a loop device that
 * turns read-only on error. 0, or -1 (said on stdout) if this machine cannot
 * make one: not root, or no tmpfs or loop device allowed here. */
static int fs_mount(const char *dir, int ext4, int mb, char *mnt, size_t len)
{
    char out[2048];
    int rc;

    snprintf(mnt, len, "%s/fs", dir);
    if (geteuid() != 0) {
        printf("   skipped: mounting a file system needs root\n");
        return -1;
    }
    if (ext4)
        rc = tu_sh(out, sizeof out, "truncate -s %dM %s/fs.img && mkfs.ext4 -q -F %s/fs.img && "
                   "mkdir %s && mount -o loop,errors=remount-ro %s/fs.img %s", mb, dir, dir, mnt,
                   dir, mnt);
    else
        rc = tu_sh(out, sizeof out, "mkdir %s && mount -t tmpfs -o size=%dm tmpfs %s", mnt, mb,
                   mnt);
    if (rc != 0)
        printf("   skipped: this machine refuses the mount: %s", out);
    return rc == 0 ? 0 : -1;
}

/* Fill the file system that holds path until a write fails with ENOSPC. */
static void fill(const char *path)
{
    static char chunk[64 * 1024];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t sizes[] = { sizeof chunk, 4096, 512 };

    assert_true(fd >= 0);
    for (size_t s = 0; s < 3; s++)
        while (write(fd, chunk, sizes[s]) == (ssize_t)sizes[s])
            ;
    assert_int_equal(errno, ENOSPC);
    close(fd);
}

/* An election on a file system of its own (see fs_mount), with a first
 * slice cast normally; -1 (skip) if this machine cannot mount one. */
static int fs_run_open(run *r, char **dir, int ext4, int mb, char *mnt, size_t len)
{
    char err[4096];

    *dir = tu_tmpdir();
    if (fs_mount(*dir, ext4, mb, mnt, len) != 0) {
        tu_rmdir(*dir);
        free(*dir);
        return -1;
    }
    run_open(r, mnt, *dir, 3 * SLICE);
    daemon_start(r);
    assert_int_equal(cast_slice(r, "before", err, sizeof err), SLICE);
    return 0;
}

/* The rest vote; everything is checked; the file system goes away. */
static void fs_run_close(run *r, char *dir, const char *mnt)
{
    char err[4096];

    cast_slice(r, "rest", err, sizeof err);
    check_store(r);
    run_close(r);
    assert_int_equal(tu_sh(err, sizeof err, "umount %s", mnt), 0);
    tu_rmdir(dir);
    free(dir);
}

static void test_disk_full(void **state)
{
    char *dir, mnt[PATH_MAX], filler[PATH_MAX + 16], err[4096];
    run r;

    (void)state;
    if (fs_run_open(&r, &dir, 0, 40, mnt, sizeof mnt) != 0)
        skip();
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    fill(filler);
    /* full: casts are refused with a clear error, the daemon stays up */
    assert_true(cast_slice(&r, "full", err, sizeof err) < SLICE / 2);
    assert_non_null(strstr(err, "503"));
    assert_non_null(strstr(err, "pas été enregistré"));
    assert_true(log_has(&r, "database or disk is full"));
    check_healthy();
    check_store(&r);
    /* space again: voting resumes without a restart, nothing was lost */
    assert_int_equal(unlink(filler), 0);
    cast_slice(&r, "after", err, sizeof err);
    fs_run_close(&r, dir, mnt);
}

/* ext4 turns itself read-only on an error (errors=remount-ro), as on a
 * failing disk; its sysfs knob triggers one. */
static void fs_error(const char *mnt)
{
    char out[512], dev[64];

    assert_int_equal(tu_sh(out, sizeof out, "basename $(findmnt -n -o SOURCE %s)", mnt), 0);
    snprintf(dev, sizeof dev, "%.*s", (int)strcspn(out, "\n"), out);
    assert_int_equal(tu_sh(out, sizeof out, "echo votesrv-test > /sys/fs/ext4/%s/trigger_fs_error",
                           dev), 0);
    assert_int_equal(tu_sh(out, sizeof out, "touch %s/probe", mnt), 1);
}

static void test_read_only(void **state)
{
    char *dir, mnt[PATH_MAX], err[4096];
    run r;

    (void)state;
    if (fs_run_open(&r, &dir, 1, 64, mnt, sizeof mnt) != 0)
        skip();
    fs_error(mnt);
    assert_int_equal(cast_slice(&r, "read-only", err, sizeof err), 0);
    assert_non_null(strstr(err, "503"));
    assert_true(log_has(&r, "\"event\":\"store\""));
    check_healthy();
    /* the operator stops the daemon, repairs the file system, restarts */
    kill(r.pid, SIGTERM);
    waitpid(r.pid, NULL, 0);
    r.pid = 0;
    assert_int_equal(tu_sh(err, sizeof err, "umount %s && fsck.ext4 -p %s/fs.img; "
                           "mount -o loop,errors=remount-ro %s/fs.img %s", mnt, dir, dir, mnt), 0);
    r.cycle++;
    daemon_start(&r);
    check_store(&r);
    cast_slice(&r, "repaired", err, sizeof err);
    fs_run_close(&r, dir, mnt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_under_load),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_read_only),
    };

    if (sodium_init() < 0)
        return 1;
    if (tu_pg()) {
        /* power cuts, a full disk and a read-only file system under SQLite's
         * files; with PostgreSQL the engine's own durability applies, and
         * test_ha (make check-ha) kills the primary instead */
        printf("test_crash: skipped with PostgreSQL (SQLite's files)\n");
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
