/* board.c - the public bulletin board: ballots by tracker, published in
 * batches, and lookups.
 *
 * A board that showed each ballot as it came would time it (poll, see which
 * tracker is new), and the signature list times the voters. So the board
 * shows the box as it was at the start of the current period of
 * batch_seconds: at the first request of a period, every tracker then in the
 * box is published, all at once and sorted; a lookup finds a ballot at once
 * and says it is recorded and published at the next batch. */
#include "box.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "election/election.h"

static int64_t board_now(const box_ctx *b)
{
    return b->clock != NULL ? b->clock() : (int64_t)time(NULL);
}

typedef struct {
    uint8_t (*t)[BALLOT_TRACKER_BYTES];
    size_t n, cap;
    int page;                          /* trackers in the last page */
    uint8_t last[BALLOT_TRACKER_BYTES];
    const char *scrutin;
} collect_job;

static int collect_one(const uint8_t *tracker, const uint8_t *wire, size_t len, void *arg)
{
    collect_job *j = arg;

    (void)wire;
    (void)len;
    if (j->n == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 256;
        uint8_t (*more)[BALLOT_TRACKER_BYTES] = realloc(j->t, cap * sizeof *j->t);

        if (more == NULL)
            return STORE_ENOMEM;
        j->t = more;
        j->cap = cap;
    }
    memcpy(j->t[j->n++], tracker, BALLOT_TRACKER_BYTES);
    memcpy(j->last, tracker, sizeof j->last);
    j->page++;
    return 0;
}

static int run_collect(store_tx *tx, void *arg)
{
    collect_job *j = arg;
    int first = 1, rc;

    do {
        j->page = 0;
        rc = store_ballots_wire(tx, j->scrutin, first ? NULL : j->last, BOX_PAGE_MAX,
                                collect_one, j);
        first = 0;
    } while (rc == STORE_OK && j->page == BOX_PAGE_MAX);
    return rc;
}

static int cmp_tracker(const void *a, const void *b)
{
    return memcmp(a, b, BALLOT_TRACKER_BYTES);
}

/* With board_lock held: publish a new batch if a new period began. */
static int board_refresh(box_ctx *b)
{
    int64_t epoch = board_now(b) / b->batch_seconds;
    collect_job j = { NULL, 0, 0, 0, { 0 }, NULL };
    def_election d;
    char err[DEF_ERR_CHARS];
    int rc = STORE_OK;

    if (epoch == b->board_epoch)
        return STORE_OK;
    if (election_definition(b->store, &d, err, sizeof err) != 0)
        return STORE_EIO;
    for (size_t i = 0; rc == STORE_OK && i < d.nscrutins; i++) {
        j.scrutin = d.scrutins[i].id;
        rc = store_read(b->store, run_collect, &j);
    }
    def_free(&d);
    if (rc != STORE_OK) {
        free(j.t);
        return rc;
    }
    if (j.n > 1)                        /* qsort wants an array, even of none */
        qsort(j.t, j.n, sizeof *j.t, cmp_tracker);
    free(b->published);
    b->published = j.t;
    b->npublished = j.n;
    b->board_epoch = epoch;
    return STORE_OK;
}

/* With board_lock held (or without batches): whether the board shows it. */
static int board_shows(const box_ctx *b, const uint8_t *tracker)
{
    return b->batch_seconds <= 0 ||
           (b->npublished > 0 && bsearch(tracker, b->published, b->npublished,
                                         sizeof *b->published, cmp_tracker) != NULL);
}

/* A walk of a scrutin's published ballots by tracker, store page after store
 * page (the board may hide some of each): the part the list of ballots
 * (box_page) and the list of trackers (box_trackers) share. */
typedef struct walk {
    const box_ctx *b;
    const char *scrutin;
    const uint8_t *after;
    /* one store page of up to want after `after`, each ballot through
     * walk_saw; how many more the walk wants (0: done) */
    int (*fetch)(store_tx *tx, struct walk *w, const uint8_t *after, int want);
    int (*wanted)(const struct walk *w);
    void (*restart)(struct walk *w);    /* a job run again starts afresh */
    int seen;                           /* ballots of the last store page */
    uint8_t seen_last[BALLOT_TRACKER_BYTES];
} walk;

/* Each ballot a store page hands over: whether the board shows it. */
static int walk_saw(walk *w, const uint8_t *tracker)
{
    w->seen++;
    memcpy(w->seen_last, tracker, sizeof w->seen_last);
    return board_shows(w->b, tracker);
}

static int run_walk(store_tx *tx, void *arg)
{
    walk *w = arg;
    const uint8_t *after = w->after;
    uint8_t cursor[BALLOT_TRACKER_BYTES];
    int rc;

    w->restart(w);
    for (;;) {
        int want = w->wanted(w);

        w->seen = 0;
        rc = w->fetch(tx, w, after, want);
        if (rc != STORE_OK || w->wanted(w) <= 0 || w->seen < want)
            return rc;
        memcpy(cursor, w->seen_last, sizeof cursor);
        after = cursor;
    }
}

/* The walk in one read, under the board's lock with batches (a batch
 * published first if a new period began). */
static int walk_read(box_ctx *b, walk *w)
{
    int rc;

    if (b->batch_seconds <= 0)
        return store_read(b->store, run_walk, w);
    pthread_mutex_lock(&b->board_lock);
    if ((rc = board_refresh(b)) == STORE_OK)
        rc = store_read(b->store, run_walk, w);
    pthread_mutex_unlock(&b->board_lock);
    return rc;
}

typedef struct {
    walk w;                             /* first */
    int limit;
    box_board_page *out;
} page_job;

static int add_ballot(const uint8_t *tracker, const char *body, void *arg)
{
    page_job *j = arg;
    box_board_entry *e = &j->out->ballots[j->out->n];

    if (!walk_saw(&j->w, tracker))
        return 0;
    if ((e->ballot = strdup(body)) == NULL)
        return STORE_ENOMEM;
    memcpy(e->tracker, tracker, sizeof e->tracker);
    j->out->n++;
    return 0;
}

static int page_fetch(store_tx *tx, walk *w, const uint8_t *after, int want)
{
    return store_ballots_page(tx, w->scrutin, after, want, add_ballot, w);
}

static int page_wanted(const walk *w)
{
    const page_job *j = (const page_job *)w;

    return j->limit - (int)j->out->n;
}

static void page_restart(walk *w)
{
    page_job *j = (page_job *)w;

    while (j->out->n > 0)
        free(j->out->ballots[--j->out->n].ballot);
}

/* STORE_ENOTFOUND if the election has no such scrutin. */
static int scrutin_known(box_ctx *b, const char *scrutin)
{
    def_election d;
    char err[DEF_ERR_CHARS];
    int known;

    if (election_definition(b->store, &d, err, sizeof err) != 0)
        return STORE_EIO;
    known = def_scrutin_find(&d, scrutin) != NULL;
    def_free(&d);
    return known ? STORE_OK : STORE_ENOTFOUND;
}

void box_page_free(box_board_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->ballots[i].ballot);
    free(p->ballots);
    memset(p, 0, sizeof *p);
}

int box_page(box_ctx *b, const char *scrutin, const uint8_t *after, int limit,
             box_board_page *out)
{
    page_job j = { { b, scrutin, after, page_fetch, page_wanted, page_restart, 0, { 0 } },
                   limit < 1 || limit > BOX_PAGE_MAX ? BOX_PAGE_MAX : limit, out };
    int rc = scrutin_known(b, scrutin);

    memset(out, 0, sizeof *out);
    if (rc != STORE_OK)
        return rc;
    if ((out->ballots = calloc((size_t)j.limit, sizeof *out->ballots)) == NULL)
        return STORE_ENOMEM;
    rc = walk_read(b, &j.w);
    if (rc != STORE_OK) {
        box_page_free(out);
        return rc;
    }
    out->more = (int)out->n == j.limit;
    return STORE_OK;
}

typedef struct {
    walk w;                             /* first */
    int before;                         /* descending from w.after */
    size_t want;                        /* limit + 1: whether a next page has any */
    box_tracker_page *out;
    uint8_t held[BALLOT_TRACKER_BYTES];   /* the one past the page */
    size_t n;
} trackers_job;

static int add_tracker(const uint8_t *tracker, void *arg)
{
    trackers_job *j = arg;

    if (!walk_saw(&j->w, tracker) || j->n >= j->want)
        return 0;
    memcpy(j->n < j->want - 1 ? j->out->trackers[j->n] : j->held, tracker, BALLOT_TRACKER_BYTES);
    j->n++;
    return 0;
}

static int trackers_fetch(store_tx *tx, walk *w, const uint8_t *after, int want)
{
    return store_trackers_page(tx, w->scrutin, after, ((trackers_job *)w)->before, want,
                               add_tracker, w);
}

static int trackers_wanted(const walk *w)
{
    const trackers_job *j = (const trackers_job *)w;

    return (int)(j->want - j->n);
}

static void trackers_restart(walk *w)
{
    ((trackers_job *)w)->n = 0;
}

int box_trackers(box_ctx *b, const char *scrutin, const uint8_t *from, int before, int limit,
                 box_tracker_page *out)
{
    trackers_job j = { { b, scrutin, from, trackers_fetch, trackers_wanted, trackers_restart, 0,
                         { 0 } },
                       before,
                       (size_t)(limit < 1 || limit > BOX_TRACKERS_MAX ? BOX_TRACKERS_MAX : limit) + 1,
                       out, { 0 }, 0 };
    int rc = scrutin_known(b, scrutin);

    out->n = 0;
    out->more = 0;
    if (rc != STORE_OK)
        return rc;
    if ((rc = walk_read(b, &j.w)) != STORE_OK)
        return rc;
    out->more = j.n == j.want;
    out->n = out->more ? j.n - 1 : j.n;
    for (size_t i = 0; before && i < out->n / 2; i++) {     /* in tracker order */
        uint8_t t[BALLOT_TRACKER_BYTES];

        memcpy(t, out->trackers[i], sizeof t);
        memcpy(out->trackers[i], out->trackers[out->n - 1 - i], sizeof t);
        memcpy(out->trackers[out->n - 1 - i], t, sizeof t);
    }
    return STORE_OK;
}

typedef struct {
    const uint8_t *tracker;
    box_found *out;
} lookup_job;

static int run_lookup(store_tx *tx, void *arg)
{
    lookup_job *j = arg;
    int rc;

    free(j->out->ballot);               /* a job run again starts afresh */
    j->out->ballot = NULL;
    rc = store_ballot_get(tx, j->tracker, j->out->scrutin, &j->out->ballot);
    if (rc == STORE_OK)
        rc = store_box_state_get(tx, j->out->scrutin, &j->out->count, j->out->digest);
    return rc;
}

void box_found_free(box_found *f)
{
    free(f->ballot);
    memset(f, 0, sizeof *f);
}

int box_lookup(box_ctx *b, const uint8_t tracker[BALLOT_TRACKER_BYTES], box_found *out)
{
    lookup_job j = { tracker, out };
    int rc;

    memset(out, 0, sizeof *out);
    out->published = 1;
    rc = store_read(b->store, run_lookup, &j);
    if (rc == STORE_OK && b->batch_seconds > 0) {
        pthread_mutex_lock(&b->board_lock);
        if ((rc = board_refresh(b)) == STORE_OK) {
            out->published = board_shows(b, tracker);
            out->next_batch = out->published ? 0 : (b->board_epoch + 1) * b->batch_seconds;
        }
        pthread_mutex_unlock(&b->board_lock);
    }
    if (rc != STORE_OK)
        box_found_free(out);
    return rc;
}
