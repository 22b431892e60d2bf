/* count.c - after closing: verify every ballot again, add them up per list,
 * check ballots = signatures, publish the encrypted sums. */
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"
#include "ballot/ballot_json.h"
#include "crypto/hex.h"
#include "election/ceremony.h"
#include "election/election.h"

typedef struct {
    election_ctx *c;
    store_election e;
    def_election d;
    int have_e, have_d;
    json_t *signatures;              /* scrutin -> signatures */
} head;

static int sum_signatures(const char *scrutin, const char *est, uint64_t signed_,
                          uint64_t registered, void *arg)
{
    head *h = arg;
    json_int_t had = json_integer_value(json_object_get(h->signatures, scrutin));

    (void)est;
    (void)registered;
    return json_object_set_new(h->signatures, scrutin, json_integer(had + (json_int_t)signed_));
}

static int run_head(store_tx *tx, void *arg)
{
    head *h = arg;
    char err[DEF_ERR_CHARS], *sums = NULL;
    int rc = store_election_get(tx, &h->e);

    if (rc != STORE_OK)
        return rc;
    h->have_e = 1;
    if (def_parse(&h->d, h->e.definition, strlen(h->e.definition), err, sizeof err) != 0)
        return STORE_EIO;
    h->have_d = 1;
    if (strcmp(h->e.state, "closed") != 0)
        return election_refuse_why(h->c, ELECTION_WHY_STATE,
                                   "the count starts once the election is closed");
    rc = store_document_get(tx, "sums", 0, &sums);
    free(sums);
    if (rc == STORE_OK)
        return election_refuse_why(h->c, ELECTION_WHY_COUNTED, "the ballots are already counted");
    if (rc != STORE_ENOTFOUND)
        return rc;
    return store_turnout_each(tx, sum_signatures, h);
}

/* One scrutin's ballots, a chunk at a time. */
typedef struct {
    const ballot_scrutin *sc;
    store_tx *tx;
    ballot *chunk[TALLY_CHUNK];
    uint8_t trackers[TALLY_CHUNK][BALLOT_TRACKER_BYTES];
    size_t n;
    uint8_t after[BALLOT_TRACKER_BYTES];
    int have_after;
} pager;

/* A ballot stored before the compact form existed: from its JSON. */
static ballot *from_json(pager *p, const uint8_t *tracker)
{
    char scrutin[STORE_SCRUTIN_CHARS + 1], *body = NULL, err[64];
    json_t *j;
    ballot *b = NULL;

    if (store_ballot_get(p->tx, tracker, scrutin, &body) == STORE_OK &&
        (j = json_loads(body, 0, NULL)) != NULL) {
        b = ballot_from_json(j, p->sc, err, sizeof err);
        json_decref(j);
    }
    free(body);
    return b;
}

/* The compact form decodes in about a microsecond (JSON: 80). */
static int add_ballot(const uint8_t *tracker, const uint8_t *wire, size_t len, void *arg)
{
    pager *p = arg;

    p->chunk[p->n] = len > 0 ? ballot_wire_decode(wire, len, p->sc) : from_json(p, tracker);
    memcpy(p->trackers[p->n++], tracker, BALLOT_TRACKER_BYTES);
    memcpy(p->after, tracker, BALLOT_TRACKER_BYTES);
    p->have_after = 1;
    return 0;
}

typedef struct {
    pager *p;
    const char *scrutin;
    int limit;
} page_job;

static int run_page(store_tx *tx, void *arg)
{
    page_job *j = arg;

    j->p->tx = tx;
    return store_ballots_wire(tx, j->scrutin, j->p->have_after ? j->p->after : NULL, j->limit,
                              add_ballot, j->p);
}

static void chunk_free(pager *p)
{
    for (size_t i = 0; i < p->n; i++)
        ballot_free(p->chunk[i]);
    p->n = 0;
}

/* The index of the first ballot that does not decode, or p->n. */
static size_t first_malformed(const pager *p)
{
    size_t i;

    for (i = 0; i < p->n && p->chunk[i] != NULL; i++)
        ;
    return i;
}

/* Verify and add one scrutin. 0; 1 with the culprit in why; or a store error. */
static int count_scrutin(store *s, const ballot_scrutin *sc, int threads, tally_sum *total,
                         char *why, size_t whylen)
{
    pager *p = calloc(1, sizeof *p);
    page_job j = { p, sc->scrutin_id, TALLY_CHUNK };
    tally_sum part;
    size_t bad, got;
    char text[BALLOT_TRACKER_CHARS + 1];
    int rc = STORE_OK;

    if (p == NULL)
        return STORE_ENOMEM;
    p->sc = sc;
    memset(total, 0, sizeof *total);
    total->k = sc->k;
    for (size_t l = 0; l < sc->k; l++)
        elgamal_ct_zero(&total->sum[l]);
    for (;;) {
        rc = store_read(s, run_page, &j);
        got = p->n;
        if (rc == STORE_OK && (bad = first_malformed(p)) < got) {
            ballot_tracker_text(text, p->trackers[bad]);
            snprintf(why, whylen, "ballot %s in the box is malformed", text);
            rc = 1;
        } else if (rc == STORE_OK && tally_aggregate(&part, p->chunk, got, sc, threads,
                                                     &bad) != 0) {
            ballot_tracker_text(text, p->trackers[bad]);
            snprintf(why, whylen, "ballot %s in the box fails its proofs", text);
            rc = 1;
        } else if (rc == STORE_OK) {
            for (size_t l = 0; l < sc->k; l++)
                elgamal_ct_add(&total->sum[l], &total->sum[l], &part.sum[l]);
            total->ballots += part.ballots;
        }
        chunk_free(p);
        if (rc != STORE_OK || got < TALLY_CHUNK)
            break;
    }
    for (size_t l = 0; l < sc->k; l++)
        elgamal_ct_encode(&total->sum[l]);
    free(p);
    return rc;
}

typedef struct {
    election_ctx *c;
    const char *event;
    json_t *payload;
    const char *doc;                 /* the sums document, or NULL for an alarm */
} write_job;

static int run_write(store_tx *tx, void *arg)
{
    write_job *w = arg;
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    if (strcmp(e.state, "closed") != 0)
        rc = election_refuse_why(w->c, ELECTION_WHY_STATE, "the election is no longer closed");
    free(e.definition);
    if (rc == STORE_OK && w->doc != NULL)
        rc = store_document_put(tx, "sums", 0, w->doc);
    if (rc == STORE_ECONFLICT)
        rc = election_refuse_why(w->c, ELECTION_WHY_COUNTED, "the ballots are already counted");
    if (rc == STORE_OK)
        rc = audit_append(tx, w->c->role, w->c->actor, w->event, w->payload);   /* checkpointed */
    return rc;
}

/* Commit the alarm, then refuse with it. */
static int alarm_raise(store *s, election_ctx *c, const char *scrutin, uint64_t ballots,
                       uint64_t signatures, const char *why)
{
    write_job w = { c, "tally-alarm", NULL, NULL };
    int rc;

    w.payload = json_pack("{sssIsIss}", "scrutin", scrutin, "ballots", (json_int_t)ballots,
                          "signatures", (json_int_t)signatures, "alarm", why);
    rc = store_write(s, run_write, &w);
    json_decref(w.payload);
    if (rc != STORE_OK)
        return rc;
    return election_refuse_why(c, ELECTION_WHY_ALARM, "ALARM: scrutin %s: %s; the count is stopped",
                               scrutin, why);
}

static json_t *sums_json(const tally_sum *t, const def_scrutin *ds, uint64_t signatures)
{
    json_t *sums = json_array();
    char hex[2 * ELGAMAL_CT_BYTES + 1];

    for (size_t l = 0; l < t->k; l++) {
        hex_encode(hex, t->sum[l].bytes, ELGAMAL_CT_BYTES);
        json_array_append_new(sums, json_string(hex));
    }
    return json_pack("{sssIsIsIso}", "id", ds->id, "lists", (json_int_t)t->k, "ballots",
                     (json_int_t)t->ballots, "signatures", (json_int_t)signatures, "sums", sums);
}

static int count_all(store *s, election_ctx *c, head *h, const elgamal_pk *pk, int threads,
                     json_t *out)
{
    char why[200];
    tally_sum *t = malloc(sizeof *t);
    int rc = STORE_OK;

    if (t == NULL)
        return STORE_ENOMEM;
    for (size_t i = 0; i < h->d.nscrutins && rc == STORE_OK; i++) {
        const def_scrutin *ds = &h->d.scrutins[i];
        ballot_scrutin sc = { h->e.fingerprint, pk, ds->id, ds->nlists, ds->blank_allowed ? 0 : 1,
                              1 };
        uint64_t sigs = (uint64_t)json_integer_value(json_object_get(h->signatures, ds->id));

        rc = count_scrutin(s, &sc, threads, t, why, sizeof why);
        if (rc == 1)
            rc = alarm_raise(s, c, ds->id, t->ballots, sigs, why);
        else if (rc == STORE_OK && t->ballots != sigs) {
            snprintf(why, sizeof why, "%llu ballots in the box but %llu signatures on the list",
                     (unsigned long long)t->ballots, (unsigned long long)sigs);
            rc = alarm_raise(s, c, ds->id, t->ballots, sigs, why);
        } else if (rc == STORE_OK) {
            json_array_append_new(json_object_get(out, "scrutins"), sums_json(t, ds, sigs));
        }
    }
    free(t);
    return rc;
}

int tally_count(store *s, election_ctx *c, int threads)
{
    head h = { .c = c };
    elgamal_pk pk;
    json_t *out = NULL;
    char fp[65], *doc = NULL;
    write_job w = { c, "tally-sums", NULL, NULL };
    int rc;

    c->msg[0] = '\0';
    memset(&pk, 0, sizeof pk);
    h.signatures = json_object();
    rc = store_read(s, run_head, &h);
    if (rc == STORE_OK && elgamal_pk_load(&pk, h.e.public_key) != 0)
        rc = election_refuse(c, "the election's public key is invalid");
    if (rc == STORE_OK) {
        hex_encode(fp, h.e.fingerprint, 32);
        out = json_pack("{sssssss[]}", "format", TALLY_SUMS_FORMAT, "eid", h.e.eid,
                        "fingerprint", fp, "scrutins");
        rc = count_all(s, c, &h, &pk, threads, out);
    }
    if (rc == STORE_OK && (doc = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        rc = STORE_ENOMEM;
    if (rc == STORE_OK) {
        uint8_t d[32];

        tally_doc_digest(d, TALLY_SUMS_TAG, out);
        hex_encode(fp, d, 32);
        w.doc = doc;
        w.payload = json_pack("{ssso}", "sums_blake2b", fp, "scrutins",
                              json_deep_copy(json_object_get(out, "scrutins")));
        rc = store_write(s, run_write, &w);
        json_decref(w.payload);
        if (rc == STORE_OK)
            snprintf(c->msg, sizeof c->msg, "every ballot verified, ballots = signatures in "
                     "every scrutin: the encrypted sums await the key holders");
    }
    free(doc);
    json_decref(out);
    json_decref(h.signatures);
    elgamal_pk_clear(&pk);
    if (h.have_d)
        def_free(&h.d);
    if (h.have_e)
        free(h.e.definition);
    return rc;
}

typedef struct {
    const char *kind;
    char *body;
} doc_job;

static int run_doc(store_tx *tx, void *arg)
{
    doc_job *j = arg;

    return store_document_get(tx, j->kind, 0, &j->body);
}

int tally_document(store *s, const char *kind, json_t **out)
{
    doc_job j = { kind, NULL };
    int rc = store_read(s, run_doc, &j);

    *out = NULL;
    if (rc == STORE_OK) {
        *out = json_loads(j.body, 0, NULL);
        rc = *out != NULL ? STORE_OK : STORE_EIO;
    }
    free(j.body);
    return rc;
}
