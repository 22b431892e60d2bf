/* test_audit.c - the audit log is tamper-evident: voteaudit verify-log,
 * reading only the registry file, accepts the real log and names the first bad
 * entry when one byte is changed, an entry is removed, reordered or inserted,
 * the chain is recomputed by someone without the audit key, the log is
 * truncated, or a checkpoint signature is forged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"
#include "election/election.h"

static char *dir, tmpl[512], keyhex[65];

static int tick(store_tx *tx, void *arg)
{
    json_t *p = json_pack("{s:i}", "n", *(int *)arg);
    int rc = audit_append(tx, "officer", "test", "tick", p);

    json_decref(p);
    return rc;
}

/* 30 entries: 1 created (checkpoint), ticks, 13 checkpoint, ticks, 26 checkpoint, ticks. */
static int setup(void **state)
{
    uint8_t pk[32], sk[64];
    def_election d;
    election_ctx c = { "officer", "test", NULL, 0, "", NULL, ELECTION_WHY_OTHER };
    char err[DEF_ERR_CHARS], *text;
    store *s;
    int n = 0;

    (void)state;
    if (crypto_init() != 0)
        return -1;
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(keyhex, sizeof keyhex, pk, 32);
    audit_set_signing_key(sk);
    dir = tu_tmpdir();
    s = tu_store(dir);
    text = tu_definition(time(NULL) + 60, time(NULL) + 3600);
    if (def_parse(&d, text, strlen(text), err, sizeof err) != 0 ||
        election_create(s, &c, &d, pk) != ELECTION_OK)
        return -1;
    for (int seq = 2; seq <= 30; seq++) {
        if (seq == 13 || seq == 26) {
            if (election_audit_checkpoint(s, &c) != ELECTION_OK)
                return -1;
        } else if (store_write(s, tick, &n) != STORE_OK) {
            return -1;
        }
        n++;
    }
    tu_audit_file(s, dir);
    store_close(s);
    free(text);
    def_free(&d);
    snprintf(tmpl, sizeof tmpl, "%s/registry.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmdir(dir);
    free(dir);
    return 0;
}

/* Copy the template, apply sql, run voteaudit; return its exit code and output. */
static int run_case(const char *sql, const char *key, char *out, size_t outlen)
{
    char path[600], cmd[1400];
    const char *bin = getenv("VOTESRV_BIN");
    sqlite3 *db;
    FILE *p;
    size_t n;
    int status;

    snprintf(path, sizeof path, "%s/case.db", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s", tmpl, path);
    assert_int_equal(system(cmd), 0);
    if (sql != NULL) {
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
    snprintf(cmd, sizeof cmd, "%s/voteaudit verify-log %s%s%s 2>&1", bin ? bin : "../build/rel/bin",
             path, key ? " --key " : "", key ? key : "");
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_invalid(const char *sql, const char *key, const char *where)
{
    char out[2000];

    if (run_case(sql, key, out, sizeof out) != 1 || strstr(out, where) == NULL)
        fail_msg("expected \"%s\" from voteaudit, got: %s", where, out);
}

static void test_valid_log(void **state)
{
    char out[2000];

    (void)state;
    assert_int_equal(run_case(NULL, keyhex, out, sizeof out), 0);
    assert_non_null(strstr(out, "OK, 30 entries, 3 signed checkpoints"));
}

static void test_one_byte_changed(void **state)
{
    (void)state;
    expect_invalid("UPDATE audit SET payload = '{\"n\":4}' WHERE seq = 5", keyhex,
                   "INVALID at entry 5: content does not match");
    expect_invalid("UPDATE audit SET actor = 'tesT' WHERE seq = 9", keyhex, "entry 9");
    expect_invalid("UPDATE audit SET time = replace(time, '.', ',') WHERE seq = 30", keyhex,
                   "entry 30");
}

static void test_removed_reordered_inserted(void **state)
{
    (void)state;
    expect_invalid("DELETE FROM audit WHERE seq = 5", keyhex, "INVALID at entry 5: sequence");
    expect_invalid("UPDATE audit SET seq = -1 WHERE seq = 7; UPDATE audit SET seq = 7 "
                   "WHERE seq = 8; UPDATE audit SET seq = 8 WHERE seq = -1", keyhex,
                   "INVALID at entry 7");
    expect_invalid("UPDATE audit SET seq = seq + 100 WHERE seq >= 10;"
                   "UPDATE audit SET seq = seq - 99 WHERE seq >= 110;"
                   "INSERT INTO audit SELECT 10, time, role, actor, event, payload, prev, hash "
                   "FROM audit WHERE seq = 9", keyhex, "INVALID at entry 10");
}

static void test_truncated_and_forged(void **state)
{
    (void)state;
    expect_invalid("DELETE FROM audit WHERE seq >= 26", keyhex,
                   "INVALID at entry 26: a signed checkpoint names an entry past the end");
    expect_invalid("UPDATE audit_checkpoint SET signature = zeroblob(64) WHERE seq = 13",
                   keyhex, "INVALID at entry 13: checkpoint signature");
    /* the right log, checked with another key */
    expect_invalid(NULL, "0000000000000000000000000000000000000000000000000000000000000001",
                   "INVALID at entry 1");
}

/* Someone without the audit key alters entry 20 and recomputes every hash
 * after it: the chain is consistent again, but the checkpoint of 26 is not. */
static void test_recomputed_chain_caught_by_checkpoint(void **state)
{
    char path[600], cmd[1300], out[2000];
    sqlite3 *db;
    sqlite3_stmt *sel, *upd;
    uint8_t prev[32];

    (void)state;
    snprintf(path, sizeof path, "%s/case.db", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s", tmpl, path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE audit SET payload = '{\"n\":999}' WHERE seq = 20",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_prepare_v2(db, "SELECT seq, time, role, actor, event, payload, prev FROM audit "
                           "WHERE seq >= 20 ORDER BY seq", -1, &sel, NULL);
    sqlite3_prepare_v2(db, "UPDATE audit SET prev = ?, hash = ? WHERE seq = ?", -1, &upd, NULL);
    memset(prev, 0, sizeof prev);
    while (sqlite3_step(sel) == SQLITE_ROW) {
        store_audit_entry e;

        e.seq = (uint64_t)sqlite3_column_int64(sel, 0);
        snprintf(e.time, sizeof e.time, "%s", sqlite3_column_text(sel, 1));
        e.role = (const char *)sqlite3_column_text(sel, 2);
        e.actor = (const char *)sqlite3_column_text(sel, 3);
        e.event = (const char *)sqlite3_column_text(sel, 4);
        e.payload = (const char *)sqlite3_column_text(sel, 5);
        if (e.seq == 20)
            memcpy(prev, sqlite3_column_blob(sel, 6), 32);
        memcpy(e.prev, prev, 32);
        audit_entry_hash(e.hash, &e);
        sqlite3_bind_blob(upd, 1, e.prev, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(upd, 2, e.hash, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(upd, 3, (sqlite3_int64)e.seq);
        assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
        sqlite3_reset(upd);
        memcpy(prev, e.hash, 32);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_close(db);
    snprintf(cmd, sizeof cmd, "%s/voteaudit verify-log %s --key %s",
             getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin", path, keyhex);
    {
        FILE *p = popen(cmd, "r");
        size_t n = fread(out, 1, sizeof out - 1, p);

        out[n] = '\0';
        assert_int_equal(WEXITSTATUS(pclose(p)), 1);
    }
    assert_non_null(strstr(out, "INVALID at entry 26: entry differs from the one the signed "
                                "checkpoint covers"));
}

static void test_usage_and_unreadable(void **state)
{
    char out[2000], cmd[600];
    FILE *p;
    size_t n;
    const char *bin = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

    (void)state;
    snprintf(cmd, sizeof cmd, "%s/voteaudit verify-log 2>&1", bin);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(WEXITSTATUS(pclose(p)), 2);
    snprintf(cmd, sizeof cmd, "%s/voteaudit verify-log /nonexistent.db 2>&1", bin);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, p);
    assert_int_equal(WEXITSTATUS(pclose(p)), 3);
    assert_int_equal(run_case(NULL, "XYZ", out, sizeof out), 2);
}

/* ---- store_audit_page: the auditors' and the support file's view ---- */

typedef struct {
    store_audit_filter f;         /* what is asked */
    int limit;
    uint64_t seq[16];             /* what came */
    char actor[16][16], event[16][16];
    size_t n;
} page_seen;

static int page_entry(const store_audit_entry *e, void *arg)
{
    page_seen *p = arg;

    if (p->n == 16)
        return -1;
    p->seq[p->n] = e->seq;
    snprintf(p->actor[p->n], sizeof p->actor[0], "%s", e->actor);
    snprintf(p->event[p->n], sizeof p->event[0], "%s", e->event);
    p->n++;
    return 0;
}

static int append_mixed(store_tx *tx, void *arg)
{
    static const char *const actors[] = { "V1", "V2", "V3" };
    static const char *const events[] = { "link-sent", "support-link", "ballot-cast" };
    int rc = STORE_OK;

    (void)arg;
    for (int i = 0; rc == STORE_OK && i < 9; i++) {
        json_t *p = json_pack("{s:i}", "i", i);

        rc = audit_append(tx, "voter", actors[i % 3], events[i / 3], p);
        json_decref(p);
    }
    return rc;
}

/* A page of the log as the store gives it (what was seen before is dropped). */
static int run_page(store_tx *tx, void *arg)
{
    page_seen *p = arg;

    p->n = 0;
    return store_audit_page(tx, &p->f, p->limit, page_entry, p);
}

static void test_audit_page(void **state)
{
    char *d = tu_tmpdir();
    store *s = tu_store(d);
    page_seen j = { .limit = 4 };
    char now[11];
    time_t t = time(NULL);
    struct tm tm;

    (void)state;
    assert_int_equal(store_write(s, append_mixed, NULL), STORE_OK);
    /* newest first, four at a time, the next page after the last seq seen */
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 4);
    assert_int_equal(j.seq[0], 9);
    assert_int_equal(j.seq[3], 6);
    j.f.before = j.seq[3];
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 4);
    assert_int_equal(j.seq[0], 5);
    j.f.before = j.seq[3];
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 1);
    assert_int_equal(j.seq[0], 1);
    /* one voter's entries; one kind; both */
    j = (page_seen){ .limit = 16, .f = { .actor = "V2" } };
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 3);
    for (size_t i = 0; i < j.n; i++)
        assert_string_equal(j.actor[i], "V2");
    j.f = (store_audit_filter){ .event = "support-link" };
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 3);
    assert_int_equal(j.seq[0], 6);
    j.f.actor = "V3";
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 1);
    assert_int_equal(j.seq[0], 6);
    /* dates: today's entries from today on; none before; none from tomorrow */
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%d", &tm);
    j.f = (store_audit_filter){ .since = now };
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 9);
    j.f = (store_audit_filter){ .until = now };
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 0);
    t += 86400;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%d", &tm);
    j.f = (store_audit_filter){ .since = now };
    assert_int_equal(store_read(s, run_page, &j), STORE_OK);
    assert_int_equal(j.n, 0);
    store_close(s);
    tu_rmdir(d);
    free(d);
}

/* ---- audit_log_verify: the auditors' page, in chunks, from where it stopped ---- */

static int ticks(store_tx *tx, void *arg)
{
    int rc = STORE_OK;

    for (int i = 0; rc == STORE_OK && i < *(int *)arg; i++)
        rc = tick(tx, &i);
    return rc;
}

static int last_seq(store_tx *tx, void *arg)
{
    uint8_t h[STORE_HASH_BYTES];

    return store_audit_last(tx, arg, h);
}

static int forge_checkpoint(store_tx *tx, void *arg)
{
    store_checkpoint cp = { .seq = 3 };

    (void)arg;
    memset(cp.hash, 7, sizeof cp.hash);
    memset(cp.signature, 9, sizeof cp.signature);
    return store_checkpoint_insert(tx, &cp);
}

static void test_log_verify_chunks(void **state)
{
    char *d = tu_tmpdir(), err[DEF_ERR_CHARS], *text;
    store *s = tu_store(d);
    uint8_t pk[32], sk[64];
    def_election def;
    election_ctx c = { "officer", "test", NULL, 0, "", NULL, ELECTION_WHY_OTHER };
    audit_verifier v;
    uint64_t last;
    int n = AUDIT_VERIFY_CHUNK + 10;

    (void)state;
    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    audit_log_verify_reset();
    text = tu_definition(time(NULL) + 60, time(NULL) + 3600);
    assert_int_equal(def_parse(&def, text, strlen(text), err, sizeof err), 0);
    assert_int_equal(election_create(s, &c, &def, pk), ELECTION_OK);
    /* more than a chunk, with the periodic checkpoints: all verified */
    assert_int_equal(store_write(s, ticks, &n), STORE_OK);
    assert_int_equal(store_read(s, last_seq, &last), STORE_OK);
    assert_int_equal(last, (uint64_t)n + 1);
    assert_int_equal(audit_log_verify(s, &v), STORE_OK);
    assert_false(v.failed);
    assert_int_equal(v.entries, last);
    assert_int_equal(v.checkpoints_ok, 1 + (uint64_t)n / AUDIT_CHECKPOINT_EVERY);
    /* new entries: the next view goes on from there */
    n = 3;
    assert_int_equal(store_write(s, ticks, &n), STORE_OK);
    assert_int_equal(audit_log_verify(s, &v), STORE_OK);
    assert_false(v.failed);
    assert_int_equal(v.entries, last + 3);
    /* more checkpoints than a chunk loads: read in turn */
    for (int i = 0; i < 1030; i++)
        assert_int_equal(election_audit_checkpoint(s, &c), ELECTION_OK);
    assert_int_equal(audit_log_verify(s, &v), STORE_OK);
    assert_false(v.failed);
    assert_int_equal(v.entries, last + 3 + 1030);
    assert_int_equal(v.checkpoints_ok, 1 + (uint64_t)(AUDIT_VERIFY_CHUNK + 10) /
                                               AUDIT_CHECKPOINT_EVERY + 1030);
    /* a checkpoint stored after its entry was verified is checked too */
    assert_int_equal(store_write(s, forge_checkpoint, NULL), STORE_OK);
    assert_int_equal(audit_log_verify(s, &v), STORE_OK);
    assert_true(v.failed);
    assert_int_equal(v.bad_seq, 3);
    assert_non_null(strstr(v.reason, "checkpoint signature does not verify"));
    audit_log_verify_reset();
    store_close(s);
    free(text);
    def_free(&def);
    tu_rmdir(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_log),
        cmocka_unit_test(test_one_byte_changed),
        cmocka_unit_test(test_removed_reordered_inserted),
        cmocka_unit_test(test_truncated_and_forged),
        cmocka_unit_test(test_recomputed_chain_caught_by_checkpoint),
        cmocka_unit_test(test_usage_and_unreadable),
        cmocka_unit_test(test_audit_page),
        cmocka_unit_test(test_log_verify_chunks),
    };
    return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
