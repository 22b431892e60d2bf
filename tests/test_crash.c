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
 * A crash at each step of one multi-file commit (test_commit_steps): the
 * store's files go through a VFS of this test over votesrv's own (its
 * journals kept open between transactions, store_sqlite_vfs.c) that stops the
 * process before its n-th write, truncate, sync or delete, as a kill would,
 * or as a power cut would (what was written since each file's last sync is
 * undone first). After each: a cast's ballot is never stored without its
 * signature nor the reverse, and a hot journal is rolled back by the next
 * opener. test_journals_kept_open: another process reads what was
 * committed while the writer holds its journals open, and a journal deleted
 * under the writer by another program (DELETE mode) is not lost.
 *
 * VOTESRV_CRASH_CYCLES sets the number of kills (25 by default; the
 * sanitizer pass of make check runs 3). The file-system tests need root
 * (tmpfs; ext4 on a loop device) and are skipped without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
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
#include "box/box.h"
#include "election/election.h"
#include "store/store_sqlite.h"
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

/* ---- a crash at each step of a commit, the journals kept open ---- */

#define STEP_VOTERS 12            /* the voters C001.. of the store-level tests */
#define STEP_BATCH 3              /* casts per commit, as group commit makes them */
#define STEP_MAX 2000             /* steps of one commit, at most */
#define EXIT_CRASHED 42           /* a child stopped at its step */
#define CV_FILES 64

enum { CRASH_KILL, CRASH_POWER };

/* What a write or a truncate changed, to undo it at a power cut unless the
 * file was synced since. */
typedef struct cv_undo {
    struct cv_undo *prev;
    sqlite3_int64 off, old_size;
    int len;
    uint8_t data[];
} cv_undo;

typedef struct {
    sqlite3_file base;
    sqlite3_file *real;           /* votesrv's VFS's file, after this struct */
    const char *name;
    cv_undo *undo;                /* newest first */
} cv_file;

static sqlite3_vfs cv_vfs, *cv_below;
static cv_file *cv_open_files[CV_FILES];
static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static long cv_step, cv_crash_at = -1;    /* -1: not armed */
static const char *cv_crash_on_sync;      /* or: before the first sync of this file */
static int cv_mode;

static int name_is(const char *path, const char *base)
{
    size_t n = path != NULL ? strlen(path) : 0, b = strlen(base);

    return n > b && path[n - b - 1] == '/' && strcmp(path + n - b, base) == 0;
}

/* The power cut or the kill: the process stops here. */
static void cv_crash(void)
{
    for (int i = 0; cv_mode == CRASH_POWER && i < CV_FILES; i++) {
        cv_file *f = cv_open_files[i];

        for (cv_undo *u = f != NULL ? f->undo : NULL; u != NULL; u = u->prev) {
            if (u->len > 0)
                f->real->pMethods->xWrite(f->real, u->data, u->len, u->off);
            f->real->pMethods->xTruncate(f->real, u->old_size);
        }
    }
    _exit(EXIT_CRASHED);
}

/* Before each step of f (NULL: a delete); sync: a sync of f. */
static void cv_tick(cv_file *f, int sync)
{
    pthread_mutex_lock(&cv_lock);
    if (cv_crash_at >= 0 && ++cv_step == cv_crash_at)
        cv_crash();
    if (sync && cv_crash_on_sync != NULL && f != NULL && name_is(f->name, cv_crash_on_sync))
        cv_crash();
    pthread_mutex_unlock(&cv_lock);
}

/* Remember what [off, off + len) holds and the size, then let go of that
 * region (len < 0: a truncate to off). */
static void cv_remember(cv_file *f, sqlite3_int64 off, int len)
{
    sqlite3_int64 size = 0;
    int keep;
    cv_undo *u;

    f->real->pMethods->xFileSize(f->real, &size);
    if (len < 0) {
        off = off < size ? off : size;
        len = (int)(size - off);
    }
    keep = off >= size ? 0 : (int)(off + len <= size ? len : size - off);
    u = malloc(sizeof *u + (size_t)keep);
    assert_non_null(u);
    u->off = off;
    u->old_size = size;
    u->len = keep;
    if (keep > 0)
        f->real->pMethods->xRead(f->real, u->data, keep, off);
    pthread_mutex_lock(&cv_lock);
    u->prev = f->undo;
    f->undo = u;
    pthread_mutex_unlock(&cv_lock);
}

static void cv_forget(cv_file *f)
{
    pthread_mutex_lock(&cv_lock);
    while (f->undo != NULL) {
        cv_undo *u = f->undo;

        f->undo = u->prev;
        free(u);
    }
    pthread_mutex_unlock(&cv_lock);
}

#define CV_REAL(file) (((cv_file *)(file))->real)

static int cv_close(sqlite3_file *file)
{
    cv_file *f = (cv_file *)file;

    pthread_mutex_lock(&cv_lock);
    for (int i = 0; i < CV_FILES; i++)
        if (cv_open_files[i] == f)
            cv_open_files[i] = NULL;
    pthread_mutex_unlock(&cv_lock);
    cv_forget(f);
    return f->real->pMethods->xClose(f->real);
}

static int cv_read(sqlite3_file *file, void *buf, int n, sqlite3_int64 off)
{
    return CV_REAL(file)->pMethods->xRead(CV_REAL(file), buf, n, off);
}

static int cv_write(sqlite3_file *file, const void *buf, int n, sqlite3_int64 off)
{
    cv_tick((cv_file *)file, 0);
    cv_remember((cv_file *)file, off, n);
    return CV_REAL(file)->pMethods->xWrite(CV_REAL(file), buf, n, off);
}

static int cv_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    cv_tick((cv_file *)file, 0);
    cv_remember((cv_file *)file, size, -1);
    return CV_REAL(file)->pMethods->xTruncate(CV_REAL(file), size);
}

static int cv_sync(sqlite3_file *file, int flags)
{
    int rc;

    cv_tick((cv_file *)file, 1);
    if ((rc = CV_REAL(file)->pMethods->xSync(CV_REAL(file), flags)) == SQLITE_OK)
        cv_forget((cv_file *)file);
    return rc;
}

static int cv_size(sqlite3_file *file, sqlite3_int64 *size)
{
    return CV_REAL(file)->pMethods->xFileSize(CV_REAL(file), size);
}

static int cv_lock_(sqlite3_file *file, int lock)
{
    return CV_REAL(file)->pMethods->xLock(CV_REAL(file), lock);
}

static int cv_unlock(sqlite3_file *file, int lock)
{
    return CV_REAL(file)->pMethods->xUnlock(CV_REAL(file), lock);
}

static int cv_reserved(sqlite3_file *file, int *out)
{
    return CV_REAL(file)->pMethods->xCheckReservedLock(CV_REAL(file), out);
}

static int cv_control(sqlite3_file *file, int op, void *arg)
{
    return CV_REAL(file)->pMethods->xFileControl(CV_REAL(file), op, arg);
}

static int cv_sector(sqlite3_file *file)
{
    return CV_REAL(file)->pMethods->xSectorSize(CV_REAL(file));
}

static int cv_device(sqlite3_file *file)
{
    return CV_REAL(file)->pMethods->xDeviceCharacteristics(CV_REAL(file));
}

/* Version 1, in sqlite3_io_methods' order: no shared memory (no WAL), no mmap. */
static const sqlite3_io_methods cv_methods = {
    1, cv_close, cv_read, cv_write, cv_truncate, cv_sync, cv_size, cv_lock_, cv_unlock,
    cv_reserved, cv_control, cv_sector, cv_device, NULL, NULL, NULL, NULL, NULL, NULL,
};

static int cv_open(sqlite3_vfs *v, const char *name, sqlite3_file *file, int flags, int *out)
{
    cv_file *f = (cv_file *)file;
    int rc;

    (void)v;
    *f = (cv_file){ .real = (sqlite3_file *)&f[1], .name = name };
    rc = cv_below->xOpen(cv_below, name, f->real, flags, out);
    file->pMethods = f->real->pMethods != NULL ? &cv_methods : NULL;
    if (rc == SQLITE_OK) {
        pthread_mutex_lock(&cv_lock);
        for (int i = 0; i < CV_FILES; i++)
            if (cv_open_files[i] == NULL) {
                cv_open_files[i] = f;
                break;
            }
        pthread_mutex_unlock(&cv_lock);
    }
    return rc;
}

static int cv_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    cv_tick(NULL, 0);
    return cv_below->xDelete(cv_below, name, sync_dir);
}

/* In a child: the store's VFS ("votesrv", registered by the parent's first
 * store_open) goes through this one from now on. */
static void cv_install(void)
{
    cv_below = sqlite3_vfs_find("votesrv");
    if (cv_below == NULL)
        _exit(3);
    cv_vfs = *cv_below;
    cv_vfs.szOsFile = (int)sizeof(cv_file) + cv_below->szOsFile;
    cv_vfs.xOpen = cv_open;
    cv_vfs.xDelete = cv_delete;
    cv_vfs.pNext = NULL;
    if (sqlite3_vfs_unregister(cv_below) != SQLITE_OK || sqlite3_vfs_register(&cv_vfs, 0) !=
        SQLITE_OK)
        _exit(3);
}

/* ---- the store-level election ---- */

typedef struct {
    int from, n;                  /* voters C<from+1>.. cast in one commit */
} step_batch;

static void step_tracker(uint8_t tracker[32], int voter)
{
    char seed[32];

    snprintf(seed, sizeof seed, "tracker %d", voter);
    crypto_generichash(tracker, 32, (const uint8_t *)seed, strlen(seed), NULL, 0);
}

/* A batch of casts, each with what box_cast stores: its credential used, its
 * ballot, its signature, the box state. */
static int job_step_casts(store_tx *tx, void *arg)
{
    const step_batch *b = arg;
    int rc = STORE_OK;

    for (int v = b->from; rc == STORE_OK && v < b->from + b->n; v++) {
        uint8_t tracker[32], cred[32], digest[32];
        char number[16], body[600];
        uint64_t count;
        int64_t id;
        int struck;

        step_tracker(tracker, v);
        crypto_generichash(cred, sizeof cred, tracker, sizeof tracker, (const uint8_t *)"c", 1);
        snprintf(number, sizeof number, "C%03d", v + 1);
        snprintf(body, sizeof body, "{\"v\":%d,\"pad\":\"%0400d\"}", v, 0);
        if ((rc = store_voter_find(tx, number, &id, &struck)) == STORE_OK &&
            (rc = store_credential_use(tx, SCRUTIN, cred)) == STORE_OK &&
            (rc = store_ballot_add(tx, tracker, SCRUTIN, body, tracker, sizeof tracker)) ==
                STORE_OK &&
            (rc = store_signature_add(tx, id, SCRUTIN)) == STORE_OK &&
            (rc = store_box_state_get(tx, SCRUTIN, &count, digest)) == STORE_OK)
            rc = box_digest_add(digest, tracker) == 0
                     ? store_box_state_put(tx, SCRUTIN, count + 1, digest) : STORE_EIO;
    }
    return rc;
}

typedef struct {
    int ballots, signatures;      /* of voters 0..STEP_VOTERS-1 */
    int mixed;                    /* voters with one and not the other */
    uint64_t state;               /* the box state's count */
} step_view;

static int job_step_view(store_tx *tx, void *arg)
{
    step_view *w = arg;
    uint8_t digest[32];
    int rc;

    memset(w, 0, sizeof *w);
    for (int v = 0; v < STEP_VOTERS; v++) {
        char number[16], scrutin[STORE_SCRUTIN_CHARS + 1], *body = NULL;
        uint8_t tracker[32];
        int64_t id;
        int struck, signed_, stored;

        snprintf(number, sizeof number, "C%03d", v + 1);
        step_tracker(tracker, v);
        if ((rc = store_voter_find(tx, number, &id, &struck)) != STORE_OK ||
            (rc = store_signature_exists(tx, id, SCRUTIN, &signed_)) != STORE_OK)
            return rc;
        rc = store_ballot_get(tx, tracker, scrutin, &body);
        free(body);
        if (rc != STORE_OK && rc != STORE_ENOTFOUND)
            return rc;
        stored = rc == STORE_OK;
        w->ballots += stored;
        w->signatures += signed_ != 0;
        w->mixed += stored != (signed_ != 0);
    }
    rc = store_box_state_get(tx, SCRUTIN, &w->state, digest);
    return rc == STORE_ENOTFOUND ? STORE_OK : rc;
}

/* What a new store on dir (read-write: it rolls back a hot journal, or
 * read-only as the signer opens it) holds. */
static step_view step_look(const char *dir, int readonly)
{
    char reg[PATH_MAX], box[PATH_MAX], err[256];
    store_config c = { reg, box, 1, NULL, NULL, readonly };
    step_view w;
    store *s;

    snprintf(reg, sizeof reg, "%s/registry.db", dir);
    snprintf(box, sizeof box, "%s/ballots.db", dir);
    s = store_open(&c, err, sizeof err);
    if (s == NULL)
        fail_msg("%s", err);
    assert_int_equal(store_read(s, job_step_view, &w), STORE_OK);
    store_close(s);
    return w;
}

static int job_step_reserve(store_tx *tx, void *arg)
{
    return election_box_reserve(tx, arg, NULL);
}

/* A folder for the store-level tests: in memory (tmpfs) if this machine
 * has one, since their crashes are made by the crash VFS, not the disk, and
 * each of their ~140 commits would otherwise wait for a dozen real syncs. */
static char *step_dirs[2];        /* removed by step_teardown, the test failed or not */
static int step_child_pid;        /* killed by it */

static char *step_tmpdir(void)
{
    char *d = strdup("/dev/shm/votesrv-test-XXXXXX");

    assert_non_null(d);
    if (mkdtemp(d) == NULL) {
        free(d);
        d = tu_tmpdir();
    }
    for (int i = 0; i < 2; i++)
        if (step_dirs[i] == NULL) {
            step_dirs[i] = d;
            return d;
        }
    fail_msg("step_tmpdir: two folders at most");
    return NULL;
}

static int step_teardown(void **state)
{
    (void)state;
    if (step_child_pid > 0) {
        kill(step_child_pid, SIGKILL);
        waitpid(step_child_pid, NULL, 0);
        step_child_pid = 0;
    }
    for (int i = 0; i < 2; i++) {
        if (step_dirs[i] != NULL)
            tu_rmdir(step_dirs[i]);
        free(step_dirs[i]);
        step_dirs[i] = NULL;
    }
    return 0;
}

/* The example election with STEP_VOTERS voters, its box reserved, and a
 * first batch cast: committed before the commits that crash. */
static char *step_election(void)
{
    char *dir = step_tmpdir(), csv[STEP_VOTERS * 64 + 100], err[DEF_ERR_CHARS];
    size_t len = (size_t)sprintf(csv, "number,surname,given_names,emails,establishment,"
                                      "postal_address,corps\n");
    step_batch first = { 0, STEP_BATCH };
    def_election d;
    store *s;

    for (int v = 1; v <= STEP_VOTERS; v++)
        len += (size_t)sprintf(csv + len, "C%03d,Nom,Prénom,c%d@ex.gouv.fr,E,,attache\n", v, v);
    s = tu_election(dir, csv, time(NULL) - 60, time(NULL) + 3600);
    assert_int_equal(election_definition(s, &d, err, sizeof err), 0);
    assert_int_equal(store_write(s, job_step_reserve, &d), STORE_OK);
    def_free(&d);
    assert_int_equal(store_write(s, job_step_casts, &first), STORE_OK);
    store_close(s);
    return dir;
}

/* Is this journal hot: there, and with a header (its first byte not zero)? */
static int journal_hot(const char *dir, const char *name)
{
    char path[PATH_MAX];
    unsigned char first = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen(path, "rb")) == NULL)
        return 0;
    if (fread(&first, 1, 1, f) != 1)
        first = 0;
    fclose(f);
    return first != 0;
}

/* In a child, through the crash VFS: a store on dir; crash_at or
 * crash_on_sync arm the crash for the batch's commit. Exits 0 if the batch
 * was committed, EXIT_CRASHED if it stopped at its step. */
static void step_child(const char *dir, const step_batch *b, long crash_at, const char *on_sync,
                       int mode)
{
    char reg[PATH_MAX], box[PATH_MAX], err[256];
    store_config c = { reg, box, 1, NULL, NULL, 0 };
    store *s;

    cv_install();
    snprintf(reg, sizeof reg, "%s/registry.db", dir);
    snprintf(box, sizeof box, "%s/ballots.db", dir);
    if ((s = store_open(&c, err, sizeof err)) == NULL)
        _exit(4);
    pthread_mutex_lock(&cv_lock);
    cv_mode = mode;
    cv_step = 0;
    cv_crash_at = crash_at;
    cv_crash_on_sync = on_sync;
    pthread_mutex_unlock(&cv_lock);
    if (store_write(s, job_step_casts, (void *)b) != STORE_OK)
        _exit(5);
    pthread_mutex_lock(&cv_lock);
    cv_crash_at = -1;
    cv_crash_on_sync = NULL;
    pthread_mutex_unlock(&cv_lock);
    store_close(s);
    _exit(0);
}

static int step_run(const char *dir, const step_batch *b, long crash_at, int mode)
{
    int status, pid;

    fflush(stdout);
    if ((pid = fork()) == 0)
        step_child(dir, b, crash_at, NULL, mode);
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* The two files of from into to, whose journals go (no shell: ~140 times). */
static void step_files(const char *from, const char *to)
{
    static const char *const names[] = { "registry.db", "ballots.db" };
    static char buf[1 << 16];

    for (int i = 0; i < 2; i++) {
        char src[PATH_MAX], dst[PATH_MAX];
        int in, out;
        ssize_t n;

        snprintf(dst, sizeof dst, "%s/%s-journal", to, names[i]);
        assert_true(unlink(dst) == 0 || errno == ENOENT);
        snprintf(src, sizeof src, "%s/%s", from, names[i]);
        snprintf(dst, sizeof dst, "%s/%s", to, names[i]);
        assert_true((in = open(src, O_RDONLY)) >= 0);
        assert_true((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
        while ((n = read(in, buf, sizeof buf)) > 0)
            assert_int_equal(write(out, buf, (size_t)n), n);
        assert_int_equal(n, 0);
        close(in);
        assert_int_equal(close(out), 0);
    }
}

/* Crash the second batch's commit before its step n, for every n (every
 * 4th in the sanitizer pass, which runs fewer kills), in both modes, each
 * time from the same files: afterwards, either the whole batch is stored or
 * nothing of it, the first batch always. */
static void test_commit_steps(void **state)
{
    char *base = step_election(), *dir = step_tmpdir();
    step_batch second = { STEP_BATCH, STEP_BATCH };
    const char *mode_name[] = { "kill", "power cut" };
    long stride = crash_cycles() < 25 ? 4 : 1;

    (void)state;
    for (int mode = CRASH_KILL; mode <= CRASH_POWER; mode++) {
        int hot = 0, stored = 0, rc = EXIT_CRASHED;
        long last = 0;

        for (long n = 1; n <= STEP_MAX && rc == EXIT_CRASHED; n += stride) {
            step_view w;

            step_files(base, dir);
            rc = step_run(dir, &second, n, mode);
            assert_true(rc == EXIT_CRASHED || rc == 0);
            last = rc == EXIT_CRASHED ? n : last;
            hot += journal_hot(dir, "registry.db-journal") || journal_hot(dir, "ballots.db-journal");
            w = step_look(dir, 0);
            assert_int_equal(w.mixed, 0);
            assert_int_equal(w.ballots, w.signatures);
            assert_int_equal(w.state, (uint64_t)w.ballots);
            assert_true(w.ballots == STEP_BATCH || w.ballots == 2 * STEP_BATCH);
            stored += rc == EXIT_CRASHED && w.ballots == 2 * STEP_BATCH;
            /* recovered: no journal is hot any more */
            assert_false(journal_hot(dir, "registry.db-journal"));
            assert_false(journal_hot(dir, "ballots.db-journal"));
        }
        assert_int_equal(rc, 0);           /* the last run committed, uncrashed */
        printf("   %s: a commit of %d casts crashed before its step 1 to %ld (every %ld); %d "
               "crashes left a hot journal, rolled back; %d after the commit point kept the "
               "batch\n", mode_name[mode], STEP_BATCH, last, stride, hot, stored);
        assert_true(hot > 0);
        assert_true(last >= 10);
    }
    /* base and dir: removed by step_teardown */
}

/* Does process pid hold the file dir/name open (its path, or once deleted,
 * its path followed by " (deleted)")? */
static int holds_open(int pid, const char *dir, const char *name)
{
    char fds[64], link[PATH_MAX + 64], target[PATH_MAX + 64], path[PATH_MAX];
    DIR *d;
    struct dirent *e;
    int found = 0;

    snprintf(fds, sizeof fds, "/proc/%d/fd", pid);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_non_null(d = opendir(fds));
    while (!found && (e = readdir(d)) != NULL) {
        ssize_t n;

        snprintf(link, sizeof link, "%s/%s", fds, e->d_name);
        if ((n = readlink(link, target, sizeof target - 1)) <= 0)
            continue;
        target[n] = '\0';
        found = strncmp(target, path, strlen(path)) == 0 && (target[strlen(path)] == '\0' ||
                                                              target[strlen(path)] == ' ');
    }
    closedir(d);
    return found;
}

/* Another program writes the registry in journal_mode DELETE, as sqlite3's
 * shell does: it writes its journal into the file the writer holds open,
 * then deletes it. The notice's length after. */
static long foreign_write(const char *dir)
{
    char path[PATH_MAX];
    sqlite3 *h;

    snprintf(path, sizeof path, "%s/registry.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = DELETE;"
                                     "UPDATE election SET notice = notice || ' '", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(h);
    return sql_long(path, "SELECT length(notice) FROM election");
}

static void test_journals_kept_open(void **state)
{
    char *dir = step_election(), path[PATH_MAX], go;
    step_batch second = { STEP_BATCH, STEP_BATCH };
    int to_child[2], from_child[2], pid, status;
    step_view w;
    long notice;

    (void)state;
    assert_int_equal(pipe(to_child), 0);
    assert_int_equal(pipe(from_child), 0);
    fflush(stdout);
    if ((pid = fork()) == 0) {
        /* the writer: its store open, a batch committed (its journals stay
         * open), then another crashed before the registry file's sync:
         * its pages written, not yet synced, the box's not yet written */
        char reg[PATH_MAX], box[PATH_MAX], err[256];
        store_config c = { reg, box, 1, NULL, NULL, 0 };
        step_batch third = { 2 * STEP_BATCH, STEP_BATCH };
        store *s;

        close(to_child[1]);
        close(from_child[0]);
        cv_install();
        snprintf(reg, sizeof reg, "%s/registry.db", dir);
        snprintf(box, sizeof box, "%s/ballots.db", dir);
        if ((s = store_open(&c, err, sizeof err)) == NULL ||
            store_write(s, job_step_casts, &third) != STORE_OK)
            _exit(4);
        if (write(from_child[1], "w", 1) != 1 || read(to_child[0], &go, 1) != 1)
            _exit(6);
        pthread_mutex_lock(&cv_lock);
        cv_mode = CRASH_KILL;
        cv_crash_on_sync = "registry.db";
        pthread_mutex_unlock(&cv_lock);
        store_write(s, job_step_casts, &second);
        _exit(7);                  /* not reached: the crash comes first */
    }
    assert_true(pid > 0);
    step_child_pid = pid;
    close(to_child[0]);
    close(from_child[1]);
    if (read(from_child[0], &go, 1) != 1) {
        waitpid(pid, &status, 0);
        step_child_pid = 0;
        fail_msg("the writer stopped: %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    /* the writer holds both journals open between its transactions */
    assert_true(holds_open(pid, dir, "registry.db-journal"));
    assert_true(holds_open(pid, dir, "ballots.db-journal"));
    /* a reader in another process (the signer's read-only store, and a
     * read-write one as votectl's) sees what was committed */
    w = step_look(dir, 1);
    assert_int_equal(w.ballots, 2 * STEP_BATCH);
    assert_int_equal(w.signatures, 2 * STEP_BATCH);
    w = step_look(dir, 0);
    assert_int_equal(w.ballots, 2 * STEP_BATCH);
    assert_int_equal(w.mixed, 0);
    /* another program deletes the registry's journal under the writer */
    notice = foreign_write(dir);
    snprintf(path, sizeof path, "%s/registry.db-journal", dir);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(write(to_child[1], "g", 1), 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    step_child_pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), EXIT_CRASHED);
    /* the registry's journal of that commit is where the next opener looks */
    assert_true(journal_hot(dir, "registry.db-journal"));
    w = step_look(dir, 0);
    assert_int_equal(w.mixed, 0);
    assert_int_equal(w.ballots, 2 * STEP_BATCH);
    assert_int_equal(w.signatures, 2 * STEP_BATCH);
    assert_int_equal(w.state, (uint64_t)(2 * STEP_BATCH));
    assert_false(journal_hot(dir, "registry.db-journal"));
    /* and the other program's committed write was not "rolled back" by the
     * writer from the journal it had deleted */
    snprintf(path, sizeof path, "%s/registry.db", dir);
    assert_int_equal(sql_long(path, "SELECT length(notice) FROM election"), notice);
    close(to_child[1]);
    close(from_child[0]);
}

/* The writer's own rollback (a failed commit, a cache spill then ROLLBACK)
 * reads the journal it wrote through its open file, as SQLite's unix VFS
 * does: a journal path unlinked meanwhile (a person, another program) must
 * not make it read an empty file at that path and leave the transaction's
 * spilled pages in the database. */
static long vfs_rollback_sum(sqlite3 *db)
{
    sqlite3_stmt *st;
    long sum = -1;

    if (sqlite3_prepare_v2(db, "SELECT sum(unicode(x)) FROM t", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        sum = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return sum;
}

static int rollback_teardown(void **state)
{
    if (*state != NULL)
        tu_rmdir(*state);
    free(*state);
    return 0;
}

static void test_rollback_journal_unlinked(void **state)
{
    char *dir = tu_tmpdir(), db_path[PATH_MAX], journal[PATH_MAX];
    sqlite3 *db = NULL;
    long before;

    *state = dir;
    snprintf(db_path, sizeof db_path, "%s/spill.db", dir);
    snprintf(journal, sizeof journal, "%s/spill.db-journal", dir);
    assert_int_equal(sq_vfs_register(), STORE_OK);
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     SQ_VFS_NAME), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = TRUNCATE; PRAGMA cache_size = 2;"
                                      "CREATE TABLE t(x);"
                                      "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                      "FROM c WHERE i < 200) "
                                      "INSERT INTO t SELECT randomblob(3000) FROM c;",
                                  NULL, NULL, NULL), SQLITE_OK);
    before = vfs_rollback_sum(db);
    /* the update spills pages into the database file (a 2-page cache) */
    assert_int_equal(sqlite3_exec(db, "BEGIN; UPDATE t SET x = randomblob(3000);", NULL, NULL,
                                  NULL), SQLITE_OK);
    assert_int_equal(unlink(journal), 0);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(vfs_rollback_sum(db), before);
    sqlite3_close(db);
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, SQ_VFS_NAME), SQLITE_OK);
    assert_int_equal(vfs_rollback_sum(db), before);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_under_load),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test_teardown(test_commit_steps, step_teardown),
        cmocka_unit_test_teardown(test_journals_kept_open, step_teardown),
        cmocka_unit_test_teardown(test_rollback_journal_unlinked, rollback_teardown),
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
