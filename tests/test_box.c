/* test_box.c - the cast's atomicity across the two files. A child process
 * commits casts (a signature in the registry, a ballot in the box, as box_cast
 * does) in a loop and is killed with SIGKILL at a random instant, many times;
 * after each kill the store is reopened (SQLite rolls back hot journals) and
 * every voter marked in the signature list must have their ballot in the box,
 * and every ballot its signature: both or neither, never one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "testutil.h"
#include "audit/audit.h"
#include "box/box.h"
#include "election/election.h"

#define VOTERS 1500
#define KILLS 25
#define SCRUTIN "csa-ministere"

typedef struct {
    int64_t voter;
    uint8_t tracker[32];
    int seen;
} pair_check;

static void tracker_of(uint8_t out[32], int64_t voter)
{
    crypto_generichash(out, 32, (const uint8_t *)&voter, sizeof voter, NULL, 0);
}

/* What box_cast writes, reduced to the two rows that must go together. */
static int job_cast(store_tx *tx, void *arg)
{
    int64_t voter = *(int64_t *)arg;
    uint8_t tracker[32];
    char body[256];
    int rc;

    tracker_of(tracker, voter);
    /* a body large enough that the box write spans several pages */
    snprintf(body, sizeof body, "{\"voter_free_body\":%lld,\"pad\":\"%0200d\"}",
             (long long)(voter * 7919 % 100003), 0);
    if ((rc = store_signature_add(tx, voter, SCRUTIN)) != STORE_OK)
        return rc;
    return store_ballot_add(tx, tracker, SCRUTIN, body, NULL, 0);
}

static int job_voted(store_tx *tx, void *arg)
{
    pair_check *p = arg;

    return store_signature_exists(tx, p->voter, SCRUTIN, &p->seen);
}

static int job_ballot(store_tx *tx, void *arg)
{
    pair_check *p = arg;
    char scrutin[STORE_SCRUTIN_CHARS + 1], *body = NULL;
    int rc = store_ballot_get(tx, p->tracker, scrutin, &body);

    free(body);
    p->seen = rc == STORE_OK;
    return rc == STORE_ENOTFOUND ? STORE_OK : rc;
}

static int job_counts(store_tx *tx, void *arg)
{
    uint64_t *n = arg;
    int rc = store_signature_count(tx, &n[0]);

    return rc == STORE_OK ? store_ballot_count(tx, &n[1]) : rc;
}

/* A non-empty rollback journal (or a super-journal) in dir: the kill landed
 * inside a transaction. */
static int hot_journal(const char *dir)
{
    char out[4096];

    return tu_sh(out, sizeof out, "cd %s && find . -maxdepth 1 -name '*-journal' -size +0c "
                 "-o -maxdepth 1 -name '*-mj*' | grep -q .", dir) == 0;
}

/* The child: casts for voters from..VOTERS until killed; writes one byte to
 * ready once its first cast has committed, so the parent's kill always lands
 * after the store is open and casting (not during the connection). */
static void caster(const char *dir, int64_t from, int ready)
{
    store *s = tu_store(dir);

    for (int64_t v = from; v <= VOTERS; v++) {
        if (store_write(s, job_cast, &v) != STORE_OK)
            _exit(2);
        if (v == from && write(ready, "c", 1) != 1)
            _exit(3);
    }
    _exit(0);
}

/* Waits (at most 120 s) for the child's first commit or its exit. */
static void wait_first_cast(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    char c;

    assert_true(poll(&p, 1, 120000) == 1);
    (void)!read(fd, &c, 1);
}

/* Both or neither for every voter; the number of complete casts. */
static int64_t check_pairs(const char *dir)
{
    store *s = tu_store(dir);
    int64_t complete = 0;
    uint64_t n[2];

    for (int64_t v = 1; v <= VOTERS; v++) {
        pair_check sig = { v, { 0 }, 0 }, box = { v, { 0 }, 0 };

        tracker_of(box.tracker, v);
        assert_int_equal(store_read(s, job_voted, &sig), STORE_OK);
        assert_int_equal(store_read(s, job_ballot, &box), STORE_OK);
        assert_int_equal(sig.seen, box.seen);
        complete += sig.seen;
    }
    assert_int_equal(store_read(s, job_counts, n), STORE_OK);
    assert_int_equal(n[0], n[1]);
    assert_int_equal(n[0], (uint64_t)complete);
    store_close(s);
    return complete;
}

static void test_cast_atomic_under_kill(void **state)
{
    char *dir = tu_tmpdir(), *csv = malloc(VOTERS * 80 + 200);
    size_t len;
    int64_t done = 0, last = -1;
    int torn = 0;

    (void)state;
    len = (size_t)sprintf(csv, "number,surname,given_names,emails,establishment,"
                               "postal_address,corps\n");
    for (int i = 1; i <= VOTERS; i++)
        len += (size_t)sprintf(csv + len, "K%05d,Nom,Prénom,k%d@ex.gouv.fr,E,,attache\n", i, i);
    store_close(tu_election(dir, csv, time(NULL) - 60, time(NULL) + 3600));
    free(csv);
    srand((unsigned)time(NULL));
    for (int k = 0; k < KILLS && done < VOTERS; k++) {
        int ready[2];
        pid_t pid;

        assert_int_equal(pipe(ready), 0);
        pid = tu_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(ready[0]);
            caster(dir, done + 1, ready[1]);
        }
        close(ready[1]);
        wait_first_cast(ready[0]);
        close(ready[0]);
        usleep((useconds_t)(rand() % 40000));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        torn += hot_journal(dir);
        done = check_pairs(dir);
        assert_true(done >= last);          /* what was committed stays */
        last = done;
    }
    /* every child committed at least one cast before its kill */
    assert_true(done > 0);
    if (!tu_pg())                       /* hot journals are SQLite's */
        assert_true(torn > 0);
    print_message("# %lld casts committed; %d of the kills left a hot journal\n",
                  (long long)done, torn);
    tu_rmdir(dir);
    free(dir);
}

static int job_alpha(store_tx *tx, void *arg)
{
    return store_alpha_add(tx, arg);
}

/* The copy check's ground: a ciphertext's first component enters the box once,
 * whatever the scrutin; the second time is a conflict and writes nothing. */
static void test_alpha_once(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_store(dir);
    uint8_t alpha[32] = { 7, 7, 7 };

    (void)state;
    assert_int_equal(store_write(s, job_alpha, alpha), STORE_OK);
    assert_int_equal(store_write(s, job_alpha, alpha), STORE_ECONFLICT);
    alpha[31] = 1;
    assert_int_equal(store_write(s, job_alpha, alpha), STORE_OK);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

static int job_close(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    (void)arg;
    if (rc == STORE_OK) {
        snprintf(e.state, sizeof e.state, "closed");
        rc = store_election_put(tx, &e);
    }
    free(e.definition);
    return rc;
}

/* The archive is served only once the box can no longer change, then kept. */
static void test_archive_after_close(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_election(dir, "number,surname,given_names,emails,establishment,"
                                "postal_address,corps\nA1,N,P,a1@ex.gouv.fr,E,,attache\n",
                           time(NULL) - 60, time(NULL) + 3600);
    box_ctx b;
    uint64_t size, size2;
    int fd, fd2;
    FILE *f;
    json_t *a;

    (void)state;
    box_init(&b, s, NULL, NULL, audit_signer_get());
    assert_int_equal(box_archive_fd(&b, &fd, &size), BOX_REFUSED);
    assert_int_equal(store_write(s, job_close, NULL), STORE_OK);
    assert_int_equal(box_archive_fd(&b, &fd, &size), STORE_OK);
    assert_int_equal(box_archive_fd(&b, &fd2, &size2), STORE_OK);
    assert_int_equal(size, size2);
    f = fdopen(fd, "r");
    assert_non_null(f);
    a = tu_archive_read(f);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "election"),
                                                          "state")), "closed");
    assert_int_equal(json_array_size(json_object_get(a, "scrutins")), 2);
    {
        char *text = json_dumps(a, 0);

        assert_null(strstr(text, "a1@ex.gouv.fr"));      /* nothing personal */
        free(text);
    }
    json_decref(a);
    fclose(f);
    close(fd2);
    box_destroy(&b);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* ---- the board's list of trackers (store_trackers_page, box_trackers) ---- */

#define LIST_BALLOTS 230               /* in SCRUTIN; some in the other scrutin too */
#define OTHER "cap-attaches"

typedef struct {
    const char *scrutin;
    int from, to;                      /* voters whose ballots go in */
} fill_job;

static int job_fill(store_tx *tx, void *arg)
{
    fill_job *j = arg;
    int rc = STORE_OK;

    for (int64_t v = j->from; rc == STORE_OK && v < j->to; v++) {
        uint8_t tracker[32];

        tracker_of(tracker, v);
        rc = store_ballot_add(tx, tracker, j->scrutin, "{}", NULL, 0);
    }
    return rc;
}

typedef struct {
    const char *scrutin;
    const uint8_t *after;
    int descending;
    int limit;
    uint8_t got[LIST_BALLOTS + 8][32];
    size_t n;
} list_job;

static int take_tracker(const uint8_t *tracker, void *arg)
{
    list_job *j = arg;

    assert_true(j->n < LIST_BALLOTS + 8);
    memcpy(j->got[j->n++], tracker, 32);
    return 0;
}

static int job_list(store_tx *tx, void *arg)
{
    list_job *j = arg;

    j->n = 0;
    return store_trackers_page(tx, j->scrutin, j->after, j->descending, j->limit, take_tracker, j);
}

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static int64_t fixed_now;
static int64_t fixed_clock(void)
{
    return fixed_now;
}

/* How many trackers the board lists in SCRUTIN, page after page, each after
 * the one before; + 1000 if `extra` is one of them. */
static size_t listed(box_ctx *b, box_tracker_page *page, const uint8_t *extra)
{
    uint8_t after[32], prev[32] = { 0 };
    size_t n = 0, seen = 0;

    assert_int_equal(box_trackers(b, SCRUTIN, NULL, 0, BOX_TRACKERS_MAX, page), STORE_OK);
    for (;;) {
        for (size_t i = 0; i < page->n; i++, n++) {
            assert_true(n == 0 || memcmp(prev, page->trackers[i], 32) < 0);
            memcpy(prev, page->trackers[i], 32);
            seen += memcmp(page->trackers[i], extra, 32) == 0;
        }
        if (!page->more)
            return n + 1000 * seen;
        memcpy(after, page->trackers[page->n - 1], 32);
        assert_int_equal(box_trackers(b, SCRUTIN, after, 0, BOX_TRACKERS_MAX, page), STORE_OK);
    }
}

/* Every tracker of a scrutin, page after page by tracker, none of another
 * scrutin; the board's list shows only what a batch published. */
static void test_trackers_list(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_election(dir, "number,surname,given_names,emails,establishment,"
                                "postal_address,corps\nA1,N,P,a1@ex.gouv.fr,E,,attache\n",
                           time(NULL) - 60, time(NULL) + 3600);
    static uint8_t want[LIST_BALLOTS][32];
    static list_job j;
    static box_tracker_page page;
    fill_job fill = { SCRUTIN, 1, LIST_BALLOTS + 1 }, other = { OTHER, 5000, 5040 };
    uint8_t last[32], extra[32];
    size_t total = 0;
    box_ctx b;

    (void)state;
    assert_int_equal(store_write(s, job_fill, &fill), STORE_OK);
    assert_int_equal(store_write(s, job_fill, &other), STORE_OK);
    for (int64_t v = 1; v <= LIST_BALLOTS; v++)
        tracker_of(want[v - 1], v);
    qsort(want, LIST_BALLOTS, 32, cmp32);
    /* the store: keyset pages of 100, by tracker, exactly the scrutin's;
     * backwards from the last, the nearest first */
    j.scrutin = SCRUTIN;
    j.limit = 100;
    for (j.descending = 0; j.descending <= 1; j.descending++) {
        j.after = NULL;
        total = 0;
        do {
            assert_int_equal(store_read(s, job_list, &j), STORE_OK);
            for (size_t i = 0; i < j.n; i++)
                assert_memory_equal(j.got[i], want[j.descending ? LIST_BALLOTS - 1 - total - i
                                                                : total + i], 32);
            total += j.n;
            if (j.n > 0) {
                memcpy(last, j.got[j.n - 1], 32);
                j.after = last;
            }
        } while (j.n == 100);
        assert_int_equal(total, LIST_BALLOTS);
    }
    j.descending = 1;
    j.after = want[0];
    assert_int_equal(store_read(s, job_list, &j), STORE_OK);
    assert_int_equal(j.n, 0);                        /* nothing before the first */
    j.descending = 0;
    j.scrutin = "nope";
    j.after = NULL;
    assert_int_equal(store_read(s, job_list, &j), STORE_OK);
    assert_int_equal(j.n, 0);
    /* the board's list: the same pages; "more" only when a next page has some */
    box_init(&b, s, NULL, NULL, NULL);
    assert_int_equal(box_trackers(&b, SCRUTIN, NULL, 0, 100, &page), STORE_OK);
    assert_int_equal(page.n, 100);
    assert_true(page.more);
    assert_memory_equal(page.trackers, want, 100 * 32);
    assert_int_equal(box_trackers(&b, SCRUTIN, want[99], 0, 100, &page), STORE_OK);
    assert_int_equal(page.n, 100);
    assert_true(page.more);
    assert_memory_equal(page.trackers, want[100], 100 * 32);
    assert_int_equal(box_trackers(&b, SCRUTIN, want[199], 0, 100, &page), STORE_OK);
    assert_int_equal(page.n, LIST_BALLOTS - 200);
    assert_false(page.more);
    assert_int_equal(box_trackers(&b, SCRUTIN, want[LIST_BALLOTS - 31], 0, 30, &page), STORE_OK);
    assert_int_equal(page.n, 30);
    assert_false(page.more);                 /* exactly the last 30: no empty next page */
    assert_int_equal(box_trackers(&b, "nope", NULL, 0, 100, &page), STORE_ENOTFOUND);
    /* the page before a tracker: the limit just before it, in tracker order */
    assert_int_equal(box_trackers(&b, SCRUTIN, want[150], 1, 100, &page), STORE_OK);
    assert_int_equal(page.n, 100);
    assert_true(page.more);
    assert_memory_equal(page.trackers, want[50], 100 * 32);
    assert_int_equal(box_trackers(&b, SCRUTIN, want[50], 1, 100, &page), STORE_OK);
    assert_int_equal(page.n, 50);
    assert_false(page.more);
    assert_memory_equal(page.trackers, want[0], 50 * 32);
    assert_int_equal(box_trackers(&b, SCRUTIN, NULL, 1, 30, &page), STORE_OK);
    assert_int_equal(page.n, 30);                     /* the last page */
    assert_true(page.more);
    assert_memory_equal(page.trackers, want[LIST_BALLOTS - 30], 30 * 32);
    /* in batches: a ballot cast after the batch's start waits for the next */
    b.batch_seconds = 600;
    b.clock = fixed_clock;
    fixed_now = 6000;
    assert_int_equal(box_trackers(&b, SCRUTIN, want[LIST_BALLOTS - 1], 0, 100, &page), STORE_OK);
    fill.from = 9000;
    fill.to = 9001;
    assert_int_equal(store_write(s, job_fill, &fill), STORE_OK);
    tracker_of(extra, 9000);
    assert_int_equal(listed(&b, &page, extra), LIST_BALLOTS);            /* not yet shown */
    fixed_now += 600;                                                   /* the next batch */
    assert_int_equal(listed(&b, &page, extra), LIST_BALLOTS + 1 + 1000);
    /* the archive: not before the close */
    assert_int_equal(box_archive_ready(&b), BOX_REFUSED);
    assert_int_equal(store_write(s, job_close, NULL), STORE_OK);
    assert_int_equal(box_archive_ready(&b), STORE_OK);
    box_destroy(&b);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

/* Each reason of box_cast_allowed, from the facts alone: the voter's own
 * facts before the election's, the window [opens, closes). */
static void test_cast_allowed(void **state)
{
    const box_cast_facts open = { "open", 0, 1000, 2000, 1, 1, 0 };
    box_cast_facts f;

    (void)state;
    assert_int_equal(box_cast_allowed(&open, 1000), BOX_CAST_ALLOWED);
    assert_int_equal(box_cast_allowed(&open, 1999), BOX_CAST_ALLOWED);
    assert_int_equal(box_cast_allowed(&open, 999), BOX_CAST_NOT_STARTED);
    assert_int_equal(box_cast_allowed(&open, 2000), BOX_CAST_ENDED);
    f = open, f.suspended = 1;
    assert_int_equal(box_cast_allowed(&f, 1500), BOX_CAST_SUSPENDED);
    assert_int_equal(box_cast_allowed(&f, 2000), BOX_CAST_ENDED);
    for (size_t i = 0; i < 2; i++) {
        f = open, f.state = (const char *[]){ "draft", "keys-ready" }[i];
        assert_int_equal(box_cast_allowed(&f, 1500), BOX_CAST_NOT_OPEN);
    }
    for (size_t i = 0; i < 4; i++) {
        f = open, f.state = (const char *[]){ "closed", "tallied", "published", "purged" }[i];
        assert_int_equal(box_cast_allowed(&f, 1500), BOX_CAST_CLOSED);
    }
    f = open, f.voted = 1;
    assert_int_equal(box_cast_allowed(&f, 1500), BOX_CAST_ALREADY_VOTED);
    f.state = "closed";
    assert_int_equal(box_cast_allowed(&f, 2500), BOX_CAST_ALREADY_VOTED);
    f = open, f.eligible = 0, f.voted = 1;
    assert_int_equal(box_cast_allowed(&f, 1500), BOX_CAST_NOT_ELIGIBLE);
    f.known = 0;
    assert_int_equal(box_cast_allowed(&f, 1500), BOX_CAST_UNKNOWN_SCRUTIN);
}

typedef struct {
    const char *state;
    int suspended;
} state_set;

static int job_state(store_tx *tx, void *arg)
{
    const state_set *w = arg;
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK) {
        snprintf(e.state, sizeof e.state, "%s", w->state);
        e.suspended = w->suspended;
        rc = store_election_put(tx, &e);
    }
    free(e.definition);
    return rc;
}

static int job_sign(store_tx *tx, void *arg)
{
    return store_signature_add(tx, *(int64_t *)arg, SCRUTIN);
}

static int job_strike(store_tx *tx, void *arg)
{
    return store_voter_strike(tx, arg);
}

static box_cast_verdict checked(store *s, const def_election *d, int64_t voter,
                                const char *scrutin, int64_t now)
{
    box_cast_verdict v;

    assert_int_equal(box_cast_check(s, d, voter, scrutin, now, &v), STORE_OK);
    return v;
}

/* The same answers from the store's facts: the election's row and window,
 * the voter's lists, signature and strike. */
static void test_cast_check(void **state)
{
    char *dir = tu_tmpdir(), err[DEF_ERR_CHARS];
    int64_t t = time(NULL), a1 = 1, s1 = 2;
    store *s = tu_election(dir, "number,surname,given_names,emails,establishment,"
                                "postal_address,corps\nA1,N,P,a1@ex.gouv.fr,E,,attache\n"
                                "S1,N,P,s1@ex.gouv.fr,E,,secretaire\n", t - 60, t + 3600);
    def_election d;

    (void)state;
    assert_int_equal(election_definition(s, &d, err, sizeof err), 0);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t), BOX_CAST_NOT_OPEN);
    assert_int_equal(store_write(s, job_state, &(state_set){ "open", 0 }), STORE_OK);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t), BOX_CAST_ALLOWED);
    assert_int_equal(checked(s, &d, a1, "cap-attaches", t), BOX_CAST_ALLOWED);
    assert_int_equal(checked(s, &d, s1, "cap-attaches", t), BOX_CAST_NOT_ELIGIBLE);
    assert_int_equal(checked(s, &d, a1, "nope", t), BOX_CAST_UNKNOWN_SCRUTIN);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t - 61), BOX_CAST_NOT_STARTED);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t + 3600), BOX_CAST_ENDED);
    assert_int_equal(store_write(s, job_state, &(state_set){ "open", 1 }), STORE_OK);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t), BOX_CAST_SUSPENDED);
    assert_int_equal(store_write(s, job_state, &(state_set){ "closed", 0 }), STORE_OK);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t), BOX_CAST_CLOSED);
    assert_int_equal(store_write(s, job_sign, &a1), STORE_OK);
    assert_int_equal(checked(s, &d, a1, SCRUTIN, t), BOX_CAST_ALREADY_VOTED);
    assert_int_equal(checked(s, &d, a1, "cap-attaches", t), BOX_CAST_CLOSED);
    assert_int_equal(store_write(s, job_strike, "S1"), STORE_OK);
    assert_int_equal(checked(s, &d, s1, SCRUTIN, t), BOX_CAST_NOT_ELIGIBLE);
    def_free(&d);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cast_atomic_under_kill),
        cmocka_unit_test(test_archive_after_close),
        cmocka_unit_test(test_alpha_once),
        cmocka_unit_test(test_cast_allowed),
        cmocka_unit_test(test_cast_check),
        cmocka_unit_test(test_trackers_list),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
