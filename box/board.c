/* board.c - the public bulletin board: ballots by tracker, and lookups. */
#include "box.h"

#include <stdlib.h>
#include <string.h>
#include "election/election.h"

typedef struct {
    const char *scrutin;
    const uint8_t *after;
    int limit;
    json_t *ballots;
    uint8_t last[BALLOT_TRACKER_BYTES];
    int n;
} page_job;

static int add_ballot(const uint8_t *tracker, const char *body, void *arg)
{
    page_job *j = arg;
    char hex[65];
    json_t *ballot = json_loads(body, 0, NULL);

    hex_encode(hex, tracker, BALLOT_TRACKER_BYTES);
    memcpy(j->last, tracker, sizeof j->last);
    j->n++;
    return json_array_append_new(j->ballots, json_pack("{s:s,s:o}", "tracker", hex, "ballot",
                                                       ballot ? ballot : json_null()));
}

static int run_page(store_tx *tx, void *arg)
{
    page_job *j = arg;

    return store_ballots_page(tx, j->scrutin, j->after, j->limit, add_ballot, j);
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

int box_page(box_ctx *b, const char *scrutin, const uint8_t *after, int limit, json_t **out)
{
    page_job j = { scrutin, after, limit < 1 || limit > BOX_PAGE_MAX ? BOX_PAGE_MAX : limit,
                   NULL, { 0 }, 0 };
    int rc = scrutin_known(b, scrutin);
    char next[65];

    if (rc != STORE_OK)
        return rc;
    j.ballots = json_array();
    if ((rc = store_read(b->store, run_page, &j)) != STORE_OK) {
        json_decref(j.ballots);
        return rc;
    }
    hex_encode(next, j.last, sizeof j.last);
    *out = json_pack("{s:s,s:o,s:o}", "scrutin", scrutin, "ballots", j.ballots, "next",
                     j.n == j.limit ? json_string(next) : json_null());
    return STORE_OK;
}

typedef struct {
    const uint8_t *tracker;
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    char *body;
    uint64_t count;
    uint8_t digest[32];
} lookup_job;

static int run_lookup(store_tx *tx, void *arg)
{
    lookup_job *j = arg;
    int rc = store_ballot_get(tx, j->tracker, j->scrutin, &j->body);

    if (rc == STORE_OK)
        rc = store_box_state_get(tx, j->scrutin, &j->count, j->digest);
    return rc;
}

int box_lookup(box_ctx *b, const uint8_t tracker[BALLOT_TRACKER_BYTES], json_t **out)
{
    lookup_job j = { tracker, "", NULL, 0, { 0 } };
    int rc = store_read(b->store, run_lookup, &j);
    char hex[65], digest[65];

    if (rc != STORE_OK) {
        free(j.body);
        return rc;
    }
    hex_encode(hex, tracker, BALLOT_TRACKER_BYTES);
    hex_encode(digest, j.digest, 32);
    *out = json_pack("{s:b,s:s,s:s,s:o,s:{s:I,s:s}}", "present", 1, "tracker", hex, "scrutin",
                     j.scrutin, "ballot", json_loads(j.body, 0, NULL), "box", "count",
                     (json_int_t)j.count, "digest", digest);
    free(j.body);
    return STORE_OK;
}
