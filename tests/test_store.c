/* test_store.c - the storage layer: durable group commit from many threads, a
 * failing job changes nothing and does not disturb its batch, reads cannot
 * write, conflicts are reported, data survives reopening, and the ballot box
 * has no rowid, timestamp or voter column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"

#define THREADS 8
#define PER_THREAD 150

typedef struct {
    store *s;
    int index;
    int ok, refused, audit_failed;
} worker;

static int job_credential(store_tx *tx, void *arg)
{
    worker *w = arg;
    uint8_t pub[32];
    int rc;

    randombytes_buf(pub, sizeof pub);
    rc = store_credential_add(tx, "s", pub);
    if (rc != STORE_OK)
        return rc;
    /* odd jobs fail after writing: their write must vanish */
    return w->index % 2 ? 7 : STORE_OK;
}

static int job_audit(store_tx *tx, void *arg)
{
    json_t *p = json_pack("{s:i}", "n", *(int *)arg);
    int rc = audit_append(tx, "test", "worker", "tick", p);

    json_decref(p);
    return rc;
}

static void *run_worker(void *arg)
{
    worker *w = arg;

    for (int i = 0; i < PER_THREAD; i++) {
        int rc = store_write(w->s, job_credential, w);

        if (rc == STORE_OK)
            w->ok++;
        else if (rc == 7)
            w->refused++;
        rc = store_write(w->s, job_audit, &i);
        if (rc != STORE_OK)     /* asserted by the main thread: cmocka's asserts jump */
            w->audit_failed++;
    }
    return NULL;
}

static int count_credentials(store_tx *tx, void *arg)
{
    return store_credential_count(tx, arg);
}

typedef struct {
    uint64_t expect;
    int broken;
    uint8_t prev[32];
} chain_check;

static int check_entry(const store_audit_entry *e, void *arg)
{
    chain_check *c = arg;
    uint8_t h[32];

    audit_entry_hash(h, e);
    if (e->seq != c->expect + 1 || memcmp(e->prev, c->prev, 32) != 0 ||
        memcmp(h, e->hash, 32) != 0)
        c->broken = 1;
    memcpy(c->prev, e->hash, 32);
    c->expect = e->seq;
    return 0;
}

static int walk_audit(store_tx *tx, void *arg)
{
    return store_audit_each(tx, 1, check_entry, arg);
}

static void test_group_commit_many_threads(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    worker w[THREADS];
    pthread_t t[THREADS];
    uint64_t n = 0;
    int ok = 0;
    chain_check c = { 0, 0, { 0 } };

    (void)state;
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){ s, i, 0, 0, 0 };
        pthread_create(&t[i], NULL, run_worker, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        assert_int_equal(w[i].ok + w[i].refused, PER_THREAD);
        assert_int_equal(w[i].audit_failed, 0);
    }
    assert_int_equal(store_read(s, count_credentials, &n), 0);
    assert_int_equal(n, (uint64_t)ok);
    assert_int_equal(ok, THREADS / 2 * PER_THREAD);
    /* audit appends from 8 threads: one unbroken chain, nothing lost */
    assert_int_equal(store_read(s, walk_audit, &c), 0);
    assert_false(c.broken);
    assert_int_equal(c.expect, THREADS * PER_THREAD);
    store_close(s);
    /* everything acknowledged survives a reopen */
    s = tu_store(dir);
    assert_int_equal(store_read(s, count_credentials, &n), 0);
    assert_int_equal(n, (uint64_t)ok);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

static int job_write_in_read(store_tx *tx, void *arg)
{
    (void)arg;
    return store_credential_add(tx, "s", (const uint8_t[32]){ 1 });
}

static int job_duplicate(store_tx *tx, void *arg)
{
    const uint8_t *pub = arg;
    int rc = store_credential_add(tx, "s", pub);

    return rc != STORE_OK ? rc : store_credential_add(tx, "s", pub);
}

static void test_reads_cannot_write_and_conflicts(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    uint8_t pub[32] = { 9 };
    uint64_t n = 1;

    (void)state;
    assert_int_equal(store_read(s, job_write_in_read, NULL), STORE_EIO);
    assert_int_equal(store_write(s, job_duplicate, pub), STORE_ECONFLICT);
    assert_int_equal(store_read(s, count_credentials, &n), 0);
    assert_int_equal(n, 0);          /* the first insert of the failed job is gone too */
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* ---- voters in bulk ---- */

static int job_voter_count(store_tx *tx, void *arg)
{
    uint64_t struck;

    return store_voter_count(tx, arg, &struck);
}

#define BULK_N 101                /* three statements of 32 voters and five one by one */

typedef struct {
    char number[BULK_N][32], surname[BULK_N][32], mail[BULK_N][2][64];
    const char *emails[BULK_N][2], *scrutins[2];
    store_voter v[BULK_N];
    size_t n;
} bulk;

static void bulk_make(bulk *b, size_t n, const char *prefix)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    b->scrutins[0] = "cap";
    b->scrutins[1] = "csa";
    for (size_t i = 0; i < n; i++) {
        store_voter *v = &b->v[i];

        snprintf(b->number[i], sizeof b->number[i], "%.8s%03u", prefix, (unsigned)i);
        snprintf(b->surname[i], sizeof b->surname[i], "Nom%u", (unsigned)i);
        snprintf(v->number, sizeof v->number, "%s", b->number[i]);
        v->surname = b->surname[i];
        v->given_names = "Prénom";
        v->establishment = "Lyon";
        v->postal_address = "";
        v->attributes = "{}";
        for (size_t k = 0; k < 2; k++) {
            snprintf(b->mail[i][k], sizeof b->mail[i][k], "%.8s%u.%u@ex.fr", prefix, (unsigned)i,
                     (unsigned)k);
            b->emails[i][k] = b->mail[i][k];
        }
        v->emails = b->emails[i];
        v->nemails = 1 + i % 2;        /* 151 addresses: pairs past a statement of 64 */
        v->scrutins = b->scrutins;
        v->nscrutins = 1 + (i % 3 == 0);
        v->digest[0] = (uint8_t)i;
    }
}

static int job_bulk_add(store_tx *tx, void *arg)
{
    bulk *b = arg;

    return store_voters_add(tx, b->v, b->n);
}

static int count_text(const char *text, void *arg)
{
    (void)text;
    ++*(size_t *)arg;
    return 0;
}

static int count_scrutin(const char *scrutin, int voted, void *arg)
{
    (void)scrutin;
    (void)voted;
    ++*(size_t *)arg;
    return 0;
}

static int check_bulk(store_tx *tx, void *arg)
{
    bulk *b = arg;

    for (size_t i = 0; i < b->n; i++) {
        int64_t id;
        int struck;
        size_t emails = 0, scrutins = 0;

        if (store_voter_find(tx, b->number[i], &id, &struck) != STORE_OK || id != b->v[i].id ||
            store_voter_emails(tx, id, count_text, &emails) != STORE_OK ||
            store_voter_scrutins(tx, id, count_scrutin, &scrutins) != STORE_OK ||
            emails != b->v[i].nemails || scrutins != b->v[i].nscrutins)
            return STORE_EIO;
    }
    return STORE_OK;
}

/* store_voters_add (an import's chunk, in multi-row statements): every voter
 * with its addresses and scrutins, numbered after those there; a number or
 * an address already there is a conflict that undoes the whole job. */
static void test_voters_added_in_bulk(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    bulk *b = malloc(sizeof *b), *clash = malloc(sizeof *clash);
    uint64_t active;

    (void)state;
    assert_non_null(b);
    assert_non_null(clash);
    bulk_make(b, 3, "A");
    assert_int_equal(store_write(s, job_bulk_add, b), STORE_OK);
    assert_int_equal(b->v[2].id, 3);
    bulk_make(b, BULK_N, "B");
    assert_int_equal(store_write(s, job_bulk_add, b), STORE_OK);
    assert_int_equal(b->v[0].id, 4);
    assert_int_equal(b->v[BULK_N - 1].id, 3 + BULK_N);
    assert_int_equal(store_read(s, check_bulk, b), STORE_OK);
    bulk_make(clash, BULK_N, "C");
    snprintf(clash->v[70].number, sizeof clash->v[70].number, "B007");   /* a number */
    assert_int_equal(store_write(s, job_bulk_add, clash), STORE_ECONFLICT);
    bulk_make(clash, BULK_N, "C");
    clash->emails[99][0] = b->emails[5][0];                               /* an address */
    assert_int_equal(store_write(s, job_bulk_add, clash), STORE_ECONFLICT);
    assert_int_equal(store_read(s, job_voter_count, &active), STORE_OK);
    assert_int_equal(active, 3 + BULK_N);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
    free(b);
    free(clash);
}

static int job_add_credential(store_tx *tx, void *arg)
{
    return store_credential_add(tx, "s", arg);
}

/* A detached write is committed in queue order, before a later waited write
 * returns, and by store_close; its argument is copied at once. */
static void test_detached_writes(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    uint8_t pub[32] = { 1 };
    uint64_t n = 0;

    (void)state;
    for (int i = 0; i < 20; i++) {
        pub[1] = (uint8_t)i;
        assert_int_equal(store_write_detached(s, job_add_credential, pub, sizeof pub), STORE_OK);
    }
    pub[1] = 200;
    assert_int_equal(store_write(s, job_add_credential, pub), STORE_OK);
    assert_int_equal(store_read(s, count_credentials, &n), STORE_OK);
    assert_int_equal(n, 21);
    pub[1] = 201;
    assert_int_equal(store_write_detached(s, job_add_credential, pub, sizeof pub), STORE_OK);
    store_close(s);
    s = tu_store(dir);
    assert_int_equal(store_read(s, count_credentials, &n), STORE_OK);
    assert_int_equal(n, 22);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

#define AFTER_JOBS 600     /* more than a batch's room (256): they run in several */

static int job_after_count(store_tx *tx, void *arg)
{
    (void)tx;
    (**(int **)arg)++;
    return STORE_OK;
}

static int job_queue_after(store_tx *tx, void *arg)
{
    int rc = STORE_OK;

    for (int i = 0; rc == STORE_OK && i < AFTER_JOBS; i++)
        rc = store_after_commit(tx, job_after_count, &arg, sizeof arg);
    return rc;
}

/* Every job queued with store_after_commit runs once the write has committed
 * and before store_write returns, however many (a cast's receipt is one: a
 * dropped one is a committed ballot without its receipt). */
static void test_after_commit_jobs_all_run(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    int ran = 0;

    (void)state;
    assert_int_equal(store_write(s, job_queue_after, &ran), STORE_OK);
    assert_int_equal(ran, AFTER_JOBS);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* The jobs after a commit (a receipt, an audit checkpoint) run in a deferred
 * transaction (SQLite): one that reads a file and then writes it meets a
 * write lock taken meanwhile by another process (votectl runs beside the
 * daemon) with SQLITE_BUSY at once, without the busy handler. Such a job is
 * run again in a transaction that waits for the lock: nothing is lost. */
typedef struct {
    pthread_t t;
    int started, rc;            /* the thread's, and its last SQLite answer */
    atomic_int locked;
    const char *path;
} outside_writer;

static void *run_outside_writer(void *arg)
{
    outside_writer *w = arg;
    sqlite3 *db = NULL;
    struct timespec hold = { 0, 50000000 };     /* 50 ms */

    w->rc = sqlite3_open_v2(w->path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (w->rc == SQLITE_OK)
        w->rc = sqlite3_busy_timeout(db, 5000);
    if (w->rc == SQLITE_OK)
        w->rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    atomic_store(&w->locked, 1);
    if (w->rc == SQLITE_OK) {
        nanosleep(&hold, NULL);
        w->rc = sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return NULL;
}

/* First of the jobs after the commit: another connection takes the
 * registry's write lock (waited for, 150 ms at most, if it cannot). */
static int job_outside_lock(store_tx *tx, void *arg)
{
    outside_writer *o = *(outside_writer **)arg;

    (void)tx;
    o->started = pthread_create(&o->t, NULL, run_outside_writer, o) == 0;
    for (int i = 0; o->started && i < 150 && !atomic_load(&o->locked); i++) {
        struct timespec pause = { 0, 1000000 };

        nanosleep(&pause, NULL);
    }
    return STORE_OK;
}

/* Then: reads the registry (the audit log's head), then writes it. */
static int job_audit_after(store_tx *tx, void *arg)
{
    json_t *payload = json_pack("{s:s}", "what", "after-commit");
    int rc = audit_append(tx, "system", "test", "after-commit", payload);

    (void)arg;
    json_decref(payload);
    return rc;
}

static int job_queue_outside(store_tx *tx, void *arg)
{
    int rc = store_after_commit(tx, job_audit_after, &arg, sizeof arg);

    /* queued last, run first */
    return rc != STORE_OK ? rc : store_after_commit(tx, job_outside_lock, &arg, sizeof arg);
}

static int read_audit_head(store_tx *tx, void *arg)
{
    uint8_t hash[STORE_HASH_BYTES];

    return store_audit_last(tx, arg, hash);
}

static void test_after_commit_waits_for_an_outside_writer(void **state)
{
    char *dir, path[600];
    store *s;
    outside_writer o = { .path = path, .rc = SQLITE_OK };
    uint64_t seq = 0;

    (void)state;
    if (tu_pg())
        skip();                         /* SQLite's locks */
    dir = tu_tmpdir();
    s = tu_store(dir);
    snprintf(path, sizeof path, "%s/registry.db", dir);
    assert_int_equal(store_write(s, job_queue_outside, &o), STORE_OK);
    if (o.started)
        pthread_join(o.t, NULL);
    assert_true(o.started);
    assert_int_equal(o.rc, SQLITE_OK);
    assert_int_equal(store_read(s, read_audit_head, &seq), STORE_OK);
    assert_int_equal(seq, 1);           /* the job after the commit wrote its entry */
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* Group commit across a cast's proofs (issue 25): while a write is announced
 * (store_write_expect), a write already queued waits for it, and both commit
 * in one transaction; an announcement withdrawn lets the queued one go. */
#define GATHER_SCRUTIN "gather"

typedef struct {
    store *s;
    int rc;
    atomic_int started;                 /* run_first is about to queue its write */
    uint64_t in_tx, committed;          /* job_second: what it saw */
} gather;

static int job_gather_add(store_tx *tx, void *arg)
{
    uint8_t pub[32];

    (void)arg;
    randombytes_buf(pub, sizeof pub);
    return store_credential_add(tx, GATHER_SCRUTIN, pub);
}

static int count_gathered(store_tx *tx, void *arg)
{
    return store_credential_count(tx, arg);
}

/* The announced write: it sees the first write in its own transaction, and
 * a read connection does not see it committed yet. */
static int job_second(store_tx *tx, void *arg)
{
    gather *g = arg;
    int rc = store_credential_count(tx, &g->in_tx);

    if (rc == STORE_OK)
        rc = store_read(g->s, count_gathered, &g->committed);
    return rc == STORE_OK ? job_gather_add(tx, NULL) : rc;
}

static void *run_first(void *arg)
{
    gather *g = arg;

    atomic_store(&g->started, 1);
    g->rc = store_write(g->s, job_gather_add, NULL);
    return NULL;
}

static void test_announced_write_shares_the_commit(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    gather g = { 0 };
    pthread_t t;
    uint64_t n = 1;
    struct timespec t0, now;
    int token;

    (void)state;
    store_write_gather_set(s, 30000000);    /* 30 s: the test's bound */
    g.s = s;
    token = store_write_expect(s);
    assert_int_equal(pthread_create(&t, NULL, run_first, &g), 0);
    /* once its thread runs, for 100 ms, the first write stays uncommitted:
     * it waits for the second */
    for (int i = 0; i < 10000 && !atomic_load(&g.started); i++) {
        struct timespec pause = { 0, 1000000 };

        nanosleep(&pause, NULL);
    }
    assert_true(atomic_load(&g.started));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        struct timespec pause = { 0, 2000000 };

        assert_int_equal(store_read(s, count_gathered, &n), STORE_OK);
        assert_int_equal(n, 0);
        nanosleep(&pause, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 < 100);
    assert_int_equal(store_write_expected(s, token, job_second, &g), STORE_OK);
    pthread_join(t, NULL);
    assert_int_equal(g.rc, STORE_OK);
    assert_int_equal(g.in_tx, 1);       /* the first write, in the same transaction */
    assert_int_equal(g.committed, 0);   /* and not committed before it */
    assert_int_equal(store_read(s, count_gathered, &n), STORE_OK);
    assert_int_equal(n, 2);
    /* withdrawn: the queued write commits without waiting out the 30 s */
    token = store_write_expect(s);
    assert_int_equal(pthread_create(&t, NULL, run_first, &g), 0);
    store_write_unexpect(s, token);
    pthread_join(t, NULL);
    assert_int_equal(g.rc, STORE_OK);
    assert_int_equal(store_read(s, count_gathered, &n), STORE_OK);
    assert_int_equal(n, 3);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* The jobs after a commit that write nothing (a cast's receipt: the signer
 * reads with its own connection) cost no super-journal (SQLite): only the
 * batch's own commit makes one, a file "...-mj..." created beside the
 * registry and deleted (inotify counts them). */
static int job_nothing(store_tx *tx, void *arg)
{
    (void)tx;
    (void)arg;
    return STORE_OK;
}

static int job_after_nothing(store_tx *tx, void *arg)
{
    return store_after_commit(tx, job_nothing, &arg, sizeof arg);
}

static int super_journals(int fd)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    int count = 0;

    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;

            count += e->len > 0 && strstr(e->name, "-mj") != NULL;
            p += sizeof *e + e->len;
        }
    return count;
}

static void test_after_commit_writing_nothing_syncs_nothing(void **state)
{
    char *dir = tu_tmpdir();
    store *s;
    int fd;

    (void)state;
    if (tu_pg()) {
        tu_rmdir(dir);
        free(dir);
        skip();
    }
    s = tu_store(dir);
    assert_true((fd = inotify_init1(IN_NONBLOCK)) >= 0);
    assert_true(inotify_add_watch(fd, dir, IN_CREATE) >= 0);
    assert_int_equal(store_write(s, job_after_nothing, NULL), STORE_OK);
    assert_int_equal(super_journals(fd), 1);    /* the batch's; none after it */
    close(fd);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

static void test_open_errors(void **state)
{
    char err[256];
    store_config c = { "/nonexistent/dir/registry.db", "/nonexistent/dir/ballots.db", 1, NULL,
                       NULL, 0 };
    store_config pg = { NULL, NULL, 1, "host=127.0.0.1 port=1 connect_timeout=2", NULL, 0 };

    (void)state;
    assert_null(store_open(&c, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/dir/registry.db"));
    assert_null(store_open(&pg, err, sizeof err));
    assert_non_null(strstr(err, "PostgreSQL"));
}

/* One query on dir's database as votesrv playing `role`: whether it ran and gave a row. */
static int pg_as(const char *dir, const char *role, const char *sql)
{
    char conninfo[600], set[80];
    PGconn *c;
    PGresult *r;
    int ok;

    assert_int_equal(tu_pg_conninfo(dir, conninfo, sizeof conninfo), 0);
    c = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    snprintf(set, sizeof set, "SET ROLE %s", role);
    PQclear(PQexec(c, set));
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    PQclear(r);
    PQfinish(c);
    return ok;
}

/* PostgreSQL: the box's tables have no serial, time or voter column, and the
 * box's role cannot read the registry, nor the registry's role the box. */
static void test_pg_schemas_and_roles(void **state)
{
    char *dir = tu_tmpdir();
    store *s;

    (void)state;
    if (!tu_pg()) {
        rmdir(dir);                     /* made empty, left behind before */
        free(dir);
        skip();
    }
    s = tu_store(dir);
    store_close(s);
    assert_true(pg_as(dir, "votesrv_box", "SELECT count(*) FROM box.ballot"));
    assert_false(pg_as(dir, "votesrv_box", "SELECT count(*) FROM registry.voter"));
    assert_false(pg_as(dir, "votesrv_box", "SELECT count(*) FROM registry.signature"));
    assert_true(pg_as(dir, "votesrv_registry", "SELECT count(*) FROM registry.signature"));
    assert_false(pg_as(dir, "votesrv_registry", "SELECT count(*) FROM box.ballot"));
    assert_false(pg_as(dir, "votesrv_registry", "SELECT count(*) FROM box.credential"));
    /* columns of the box: none says time, voter or serial; no identity */
    assert_true(pg_as(dir, "votesrv_box",
                      "SELECT 1 WHERE 6 = (SELECT count(*) FROM information_schema.tables"
                      " WHERE table_schema = 'box')"));      /* 5 tables and schema_version */
    assert_false(pg_as(dir, "votesrv_box",
                       "SELECT 1 FROM information_schema.columns WHERE table_schema = 'box'"
                       " HAVING bool_or(column_name ~ 'time|voter|seq|id$'"
                       " OR is_identity = 'YES' OR column_default IS NOT NULL)"));
    tu_rmdir(dir);
    free(dir);
}

static void test_ballot_box_schema_links_nothing(void **state)
{
    char *dir = tu_tmpdir(), path[512];
    store *s = tu_store(dir);
    sqlite3 *db;
    sqlite3_stmt *st;
    int tables = 0;

    (void)state;
    store_close(s);
    if (tu_pg()) {
        tu_rmdir(dir);
        free(dir);
        tu_sqlite_only("the ballot box file's schema");
    }
    snprintf(path, sizeof path, "%s/ballots.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE "
                                            "type = 'table'", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *sql = (const char *)sqlite3_column_text(st, 1);

        tables++;
        /* the one rowid table: the slots, numbered by place (a keyed hash of
         * the tracker), never by arrival (test_history) */
        if (strcmp((const char *)sqlite3_column_text(st, 0), "slot") == 0)
            assert_string_equal(sql, "CREATE TABLE slot(id INTEGER PRIMARY KEY, "
                                     "data BLOB NOT NULL)");
        else
            assert_non_null(strstr(sql, "WITHOUT ROWID"));
        assert_null(strstr(sql, "time"));
        assert_null(strstr(sql, "voter"));
        assert_null(strstr(sql, "AUTOINCREMENT"));
    }
    /* scrutin_credential, region, slot; ballot, used_credential, alpha and
     * state, empty but for a box from before the slots */
    assert_int_equal(tables, 7);
    sqlite3_finalize(st);
    sqlite3_close(db);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_commit_many_threads),
        cmocka_unit_test(test_reads_cannot_write_and_conflicts),
        cmocka_unit_test(test_detached_writes),
        cmocka_unit_test(test_voters_added_in_bulk),
        cmocka_unit_test(test_after_commit_jobs_all_run),
        cmocka_unit_test(test_announced_write_shares_the_commit),
        cmocka_unit_test(test_after_commit_waits_for_an_outside_writer),
        cmocka_unit_test(test_after_commit_writing_nothing_syncs_nothing),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_ballot_box_schema_links_nothing),
        cmocka_unit_test(test_pg_schemas_and_roles),
    };

    if (crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
