/*
 * test_backup.c - votectl backup while the daemon casts (voteclient load),
 * votectl restore (docs/deployment.md, "Backups").
 *   - every ballot acknowledged before the backup started is in the copy,
 *     the copy checks (restore's checks), and the places of its ballots in
 *     the box file do not follow the acknowledgment order (Spearman rank
 *     correlation, as test_history.c measures it); the registry's copy holds
 *     no tracker;
 *   - restore refuses while the daemon runs, refuses existing files without
 *     --replace, and into a fresh folder puts the copy in place: a daemon
 *     started on it shows the manifest's box digest;
 *   - a tampered copy (one byte of a ballot, an audit entry, a signature
 *     removed, a manifest hash) is refused, and nothing is put in place.
 * SQLite only: with PostgreSQL, backup refuses (pg_basebackup, check-ha).
 */
#define _GNU_SOURCE                  /* memmem */
#include <fcntl.h>
#include <limits.h>
#include <math.h>
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

#define VOTERS 240
#define SCRUTIN "csa-ministere"
#define LISTS 4
#define MAX_ACKS VOTERS

typedef struct {
    char *dir;
    char bin[PATH_MAX], cfg[PATH_MAX + 32], backup[PATH_MAX + 32];
    int pid;                          /* the daemon */
    uint8_t acked[MAX_ACKS][32];      /* in acknowledgment order */
    size_t nacked, acked_before;
} fixture;

static fixture *fx;

static void cleanup(void)
{
    if (fx != NULL && fx->pid > 0) {
        kill(fx->pid, SIGTERM);
        waitpid(fx->pid, NULL, 0);
        fx->pid = 0;
    }
    if (fx != NULL && fx->dir != NULL) {
        tu_rmdir(fx->dir);
        free(fx->dir);
        fx->dir = NULL;
    }
}

static void on_signal(int sig)
{
    cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The daemon's real ports into the configuration (tu_daemon_start writes 0,
 * ephemeral): what restore probes, as in a deployment. */
static void config_ports(const char *cfg)
{
    json_t *j = json_load_file(cfg, 0, NULL);
    int port = atoi(strrchr(tu_base_url, ':') + 1), internal = atoi(strrchr(tu_internal_url,
                                                                              ':') + 1);

    assert_non_null(j);
    json_object_set_new(json_object_get(j, "listen"), "port", json_integer(port));
    json_object_set_new(json_object_get(j, "internal_listen"), "port", json_integer(internal));
    assert_int_equal(json_dump_file(j, cfg, JSON_INDENT(1)), 0);
    json_decref(j);
}

static void daemon_start(fixture *f, const char *cfg, const char *name)
{
    char log[PATH_MAX + 64];

    snprintf(log, sizeof log, "%s/%s.log", f->dir, name);
    f->pid = tu_daemon_start(f->bin, cfg, log);
    assert_true(f->pid > 0);
    config_ports(cfg);
}

static void daemon_stop(fixture *f)
{
    kill(f->pid, SIGTERM);
    waitpid(f->pid, NULL, 0);
    f->pid = 0;
}

static size_t read_receipts(fixture *f, const char *path)
{
    FILE *r = fopen(path, "r");
    char line[256];

    f->nacked = 0;
    if (r == NULL)
        return 0;
    while (fgets(line, sizeof line, r) != NULL && f->nacked < MAX_ACKS) {
        char hex[70];

        if (sscanf(line, "%*[0-9],%*[^,],%69s", hex) == 1 && strlen(hex) == 64)
            tu_unhex(f->acked[f->nacked++], 32, hex);
    }
    fclose(r);
    return f->nacked;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *r = fopen(path, "rb");
    uint8_t *buf;
    long n;

    assert_non_null(r);
    fseek(r, 0, SEEK_END);
    n = ftell(r);
    rewind(r);
    assert_non_null(buf = malloc((size_t)n + 1));
    assert_int_equal(fread(buf, 1, (size_t)n, r), (size_t)n);
    fclose(r);
    *len = (size_t)n;
    return buf;
}

static int group_setup(void **state)
{
    char out[8192], *bin = getenv("VOTESRV_BIN");
    double t0 = tu_seconds();

    (void)state;
    assert_non_null(fx = calloc(1, sizeof *fx));
    atexit(cleanup);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    assert_non_null(realpath(bin != NULL ? bin : "../build/rel/bin", fx->bin));
    fx->dir = tu_tmpdir();
    assert_int_equal(tu_election_generated(fx->dir, fx->bin, VOTERS, fx->cfg, sizeof fx->cfg), 0);
    if (tu_pg())
        return 0;                   /* test_postgresql_refused only */
    assert_int_equal(tu_load_file(fx->dir, fx->cfg, SCRUTIN, LISTS), 0);
    print_message("# election made in %.1f s\n", tu_seconds() - t0);
    daemon_start(fx, fx->cfg, "votesrv");
    (void)out;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    cleanup();
    free(fx);
    fx = NULL;
    return 0;
}

/* A backup while voteclient load casts: nothing acknowledged before it is
 * missing, the copy checks, and its box file does not order the ballots. */
static void test_backup_under_load(void **state)
{
    char receipts[PATH_MAX + 64], out[8192], path[PATH_MAX + 64];
    uint8_t *box, *reg;
    size_t boxlen, reglen, at[MAX_ACKS], n = 0;
    int client, status;
    double rho;

    (void)state;
    if (tu_pg()) {
        tu_sqlite_only("backup and restore copy the SQLite files");
        return;
    }
    snprintf(receipts, sizeof receipts, "%s/receipts.txt", fx->dir);
    client = fork();
    assert_true(client >= 0);
    if (client == 0) {
        char load[PATH_MAX + 32];

        snprintf(load, sizeof load, "%s/load.csv", fx->dir);
        if (freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        execl("/bin/sh", "sh", "-c", "exec \"$0\"/voteclient --url \"$1\" load \"$2\" "
              "--concurrency 4 --receipts \"$3\"", fx->bin, tu_base_url, load, receipts,
              (char *)NULL);
        _exit(127);
    }
    /* two thirds acknowledged (bounded: 60 s) */
    for (int i = 0; i < 3000 && read_receipts(fx, receipts) < 2 * VOTERS / 3; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };

        nanosleep(&t, NULL);
    }
    fx->acked_before = read_receipts(fx, receipts);
    assert_true(fx->acked_before >= 2 * VOTERS / 3);
    snprintf(fx->backup, sizeof fx->backup, "%s/backup", fx->dir);
    if (tu_sh(out, sizeof out, "%s/votectl -c %s backup %s", fx->bin, fx->cfg, fx->backup) != 0) {
        fprintf(stderr, "%s\n", out);
        fail();
    }
    printf("# %s", out);
    assert_int_equal(waitpid(client, &status, 0), client);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(read_receipts(fx, receipts), VOTERS);
    /* an existing folder that is not empty is refused */
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s backup %s", fx->bin, fx->cfg,
                           fx->backup), 1);
    assert_non_null(strstr(out, "not an empty folder"));

    snprintf(path, sizeof path, "%s/ballots.db", fx->backup);
    box = slurp(path, &boxlen);
    snprintf(path, sizeof path, "%s/registry.db", fx->backup);
    reg = slurp(path, &reglen);
    for (size_t k = 0; k < fx->nacked; k++) {
        const uint8_t *p = memmem(box, boxlen, fx->acked[k], 32);

        if (k < fx->acked_before)
            assert_non_null(p);           /* acknowledged before the backup: in it */
        assert_null(memmem(reg, reglen, fx->acked[k], 32));   /* no tracker in the registry */
        if (p != NULL)
            at[n++] = (size_t)(p - box);
    }
    assert_true(n >= fx->acked_before);
    rho = tu_spearman(at, n);
    printf("# the copy holds %zu ballots (%zu acknowledged before it); rank correlation of "
           "their places with the acknowledgment order %.3f\n", n, fx->acked_before, rho);
    assert_true(fabs(rho) < 0.3);
    free(box);
    free(reg);
    /* every file 0600 */
    for (int i = 0; i < 3; i++) {
        struct stat st;

        snprintf(path, sizeof path, "%s/%s", fx->backup,
                 (const char *[]){ "registry.db", "ballots.db", "manifest.json" }[i]);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
}

/* A configuration beside fx->cfg whose store is in folder `name` (absolute
 * paths; the rest resolves as fx->cfg's). */
static void config_for(char *cfg, size_t len, const char *name, char *store, size_t slen)
{
    json_t *j = json_load_file(fx->cfg, 0, NULL);
    char path[PATH_MAX + 128];

    assert_non_null(j);
    snprintf(store, slen, "%s/%s", fx->dir, name);
    mkdir(store, 0700);
    snprintf(path, sizeof path, "%s/registry.db", store);
    json_object_set_new(json_object_get(j, "store"), "registry", json_string(path));
    snprintf(path, sizeof path, "%s/ballots.db", store);
    json_object_set_new(json_object_get(j, "store"), "ballot_box", json_string(path));
    snprintf(cfg, len, "%s/%s.json", fx->dir, name);
    assert_int_equal(json_dump_file(j, cfg, JSON_INDENT(1)), 0);
    json_decref(j);
}

static int exists(const char *dir, const char *name)
{
    char path[2 * PATH_MAX];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static void test_restore(void **state)
{
    char out[8192], cfg[PATH_MAX + 64], store[PATH_MAX + 64], path[PATH_MAX + 64], url[128];
    json_t *man, *box;
    tu_reply r;
    char hex[65];

    (void)state;
    if (tu_pg()) {
        tu_sqlite_only("backup and restore copy the SQLite files");
        return;
    }
    assert_true(fx->backup[0] != '\0');
    /* onto the live store while the daemon runs: refused */
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s restore %s --replace", fx->bin,
                           fx->cfg, fx->backup), 1);
    assert_non_null(strstr(out, "daemon is running"));
    /* into a fresh folder, the daemon stopped */
    config_for(cfg, sizeof cfg, "restored", store, sizeof store);
    daemon_stop(fx);
    if (tu_sh(out, sizeof out, "%s/votectl -c %s restore %s", fx->bin, cfg, fx->backup) != 0) {
        fprintf(stderr, "%s\n", out);
        fail();
    }
    assert_true(exists(store, "registry.db") && exists(store, "ballots.db"));
    /* again, without --replace: the files are there */
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s restore %s", fx->bin, cfg,
                           fx->backup), 1);
    assert_non_null(strstr(out, "--replace"));
    /* with --replace: the same election, done again */
    if (tu_sh(out, sizeof out, "%s/votectl -c %s restore %s --replace", fx->bin, cfg,
              fx->backup) != 0) {
        fprintf(stderr, "%s\n", out);
        fail();
    }
    /* a daemon on the restored store shows the manifest's box */
    snprintf(path, sizeof path, "%s/manifest.json", fx->backup);
    assert_non_null(man = json_load_file(path, 0, NULL));
    box = NULL;
    for (size_t i = 0; i < json_array_size(json_object_get(man, "box")); i++) {
        json_t *e = json_array_get(json_object_get(man, "box"), i);

        if (strcmp(json_string_value(json_object_get(e, "scrutin")), SCRUTIN) == 0)
            box = e;
    }
    assert_non_null(box);
    assert_true(json_integer_value(json_object_get(box, "ballots")) >= (json_int_t)fx->acked_before);
    daemon_start(fx, cfg, "restored");
    hex_encode(hex, fx->acked[0], 32);
    snprintf(url, sizeof url, "/api/v1/trackers/%s", hex);
    tu_http(&r, "GET", url, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    {
        json_t *j = json_loads(r.body, 0, NULL), *b = json_object_get(j, "box");

        assert_non_null(b);
        assert_int_equal(json_integer_value(json_object_get(b, "count")),
                         json_integer_value(json_object_get(box, "ballots")));
        assert_string_equal(json_string_value(json_object_get(b, "digest")),
                            json_string_value(json_object_get(box, "digest")));
        json_decref(j);
    }
    daemon_stop(fx);
    json_decref(man);
}

/* ---- tampered copies ---- */

/* The manifest's record of name set to the file as it is now. */
static void rehash(const char *dir, const char *name)
{
    char path[PATH_MAX + 64], hex[65];
    uint8_t h[32], *buf;
    size_t len;
    json_t *m;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    buf = slurp(path, &len);
    crypto_hash_sha256(h, buf, len);
    free(buf);
    hex_encode(hex, h, 32);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    assert_non_null(m = json_load_file(path, 0, NULL));
    json_object_set_new(json_object_get(m, "files"), name,
                        json_pack("{sIss}", "bytes", (json_int_t)len, "sha256", hex));
    assert_int_equal(json_dump_file(m, path, JSON_INDENT(2)), 0);
    json_decref(m);
}

static void sql(const char *db, const char *text)
{
    sqlite3 *h;

    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    if (sqlite3_exec(h, text, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", text, sqlite3_errmsg(h));
        fail();
    }
    sqlite3_close(h);
}

/* One byte of the first acknowledged ballot's canonical body (slot layout,
 * docs/protocol.md §14 Storage: 1, tracker, c, S, le16(k), k hashes,
 * le32(|body|), body). */
static void flip_ballot_byte(const char *dir)
{
    char path[PATH_MAX + 64];
    uint8_t *box, *p;
    size_t len;
    unsigned k;
    FILE *w;

    snprintf(path, sizeof path, "%s/ballots.db", dir);
    box = slurp(path, &len);
    assert_non_null(p = memmem(box, len, fx->acked[0], 32));
    k = (unsigned)p[32 + 1 + 32] | (unsigned)p[32 + 1 + 32 + 1] << 8;
    p += 32 + 1 + 32 + 2 + 32 * k + 4 + 10;          /* the body's eleventh byte */
    *p ^= 1;
    assert_non_null(w = fopen(path, "wb"));
    assert_int_equal(fwrite(box, 1, len, w), len);
    fclose(w);
    free(box);
}

static void refused(const char *what, const char *expect, void (*tamper)(const char *dir))
{
    char out[8192], cfg[PATH_MAX + 64], store[PATH_MAX + 64], copy[PATH_MAX + 64];
    char name[64];

    snprintf(name, sizeof name, "target-%s", what);
    config_for(cfg, sizeof cfg, name, store, sizeof store);
    snprintf(copy, sizeof copy, "%s/copy-%s", fx->dir, what);
    assert_int_equal(tu_sh(out, sizeof out, "cp -a %s %s", fx->backup, copy), 0);
    tamper(copy);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s restore %s", fx->bin, cfg, copy),
                     1);
    printf("# %s: %s", what, out);
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, "nothing was changed"));
    assert_false(exists(store, "registry.db"));
    assert_false(exists(store, "ballots.db"));
    assert_false(exists(store, "registry.db.restore-tmp"));
    assert_false(exists(store, "ballots.db.restore-tmp"));
}

static void tamper_ballot(const char *dir)
{
    flip_ballot_byte(dir);
    rehash(dir, "ballots.db");
}

static void tamper_ballot_unhashed(const char *dir)
{
    flip_ballot_byte(dir);
}

static void tamper_audit(const char *dir)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/registry.db", dir);
    sql(path, "UPDATE audit SET actor = actor || 'x' WHERE seq = (SELECT max(seq) / 2 FROM audit)");
    rehash(dir, "registry.db");
}

static void tamper_signature(const char *dir)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/registry.db", dir);
    sql(path, "DELETE FROM signature WHERE voter_id = (SELECT min(voter_id) FROM signature)");
    rehash(dir, "registry.db");
}

static void tamper_manifest(const char *dir)
{
    char path[PATH_MAX + 64];
    json_t *m, *rec;
    char hex[65];

    snprintf(path, sizeof path, "%s/manifest.json", dir);
    assert_non_null(m = json_load_file(path, 0, NULL));
    rec = json_object_get(json_object_get(m, "files"), "registry.db");
    snprintf(hex, sizeof hex, "%s", json_string_value(json_object_get(rec, "sha256")));
    hex[0] = hex[0] == '0' ? '1' : '0';
    json_object_set_new(rec, "sha256", json_string(hex));
    assert_int_equal(json_dump_file(m, path, JSON_INDENT(2)), 0);
    json_decref(m);
}

static void test_tampered_refused(void **state)
{
    (void)state;
    if (tu_pg()) {
        tu_sqlite_only("backup and restore copy the SQLite files");
        return;
    }
    assert_true(fx->backup[0] != '\0');
    refused("ballot", "does not match its tracker", tamper_ballot);
    refused("ballot-unhashed", "SHA-256 differs", tamper_ballot_unhashed);
    refused("audit", "audit chain does not verify", tamper_audit);
    refused("signature", "signatures on the list", tamper_signature);
    refused("manifest", "SHA-256 differs", tamper_manifest);
}

/* With PostgreSQL, backup and restore refuse and name pg_basebackup. */
static void test_postgresql_refused(void **state)
{
    char out[8192], dir[PATH_MAX + 32];

    (void)state;
    if (!tu_pg()) {
        print_message("# SQLite store: the PostgreSQL refusal runs under make test-pg\n");
        return;
    }
    snprintf(dir, sizeof dir, "%s/backup", fx->dir);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s backup %s", fx->bin, fx->cfg, dir),
                     1);
    assert_non_null(strstr(out, "pg_basebackup"));
    assert_false(exists(fx->dir, "backup"));
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s restore %s", fx->bin, fx->cfg, dir),
                     1);
    assert_non_null(strstr(out, "pg_basebackup"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_under_load),
        cmocka_unit_test(test_restore),
        cmocka_unit_test(test_tampered_refused),
        cmocka_unit_test(test_postgresql_refused),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
