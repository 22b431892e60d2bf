/* results.c - from the partial decryptions of a quorum to the published
 * results: counts per list, blank ballots, turnout and seats per scrutin. */
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/bureau.h"
#include "crypto/hex.h"
#include "crypto/transcript.h"
#include "election/election.h"

static int add_registered(const char *scrutin, const char *est, uint64_t signed_,
                          uint64_t registered, void *arg)
{
    json_t *r = arg;
    json_int_t had = json_integer_value(json_object_get(r, scrutin));

    (void)est;
    (void)signed_;
    return json_object_set_new(r, scrutin, json_integer(had + (json_int_t)registered));
}

/* The closing seals that make the seat seed: the president's and the valid
 * one of the delegate with the smallest number. */
typedef struct {
    const ceremony_keys *k;
    uint8_t president[SEATS_SEAL_BYTES], delegate[SEATS_SEAL_BYTES];
    int have_president;
    uint64_t delegate_holder;          /* 0: none yet */
} seed_seals;

static int seal_take(const char *kind, int64_t holder, const char *body, void *arg)
{
    seed_seals *ss = arg;
    json_t *m = json_loads(body, 0, NULL);
    uint8_t sig[SEATS_SEAL_BYTES];

    (void)kind;
    if (m != NULL && holder >= 0 && (uint64_t)holder < ss->k->n &&
        ceremony_message_verify(m, ss->k->sign_pk[holder]) == 0 &&
        ceremony_hex_get(sig, sizeof sig, m, "signature") == 0) {
        if (holder == 0) {
            memcpy(ss->president, sig, sizeof sig);
            ss->have_president = 1;
        } else if (ss->delegate_holder == 0 || (uint64_t)holder < ss->delegate_holder) {
            memcpy(ss->delegate, sig, sizeof sig);
            ss->delegate_holder = (uint64_t)holder;
        }
    }
    json_decref(m);
    return 0;
}

/* "12.34": basis points, no floating point in an official figure. */
json_t *tally_percent(uint64_t part, uint64_t whole)
{
    uint64_t bp = whole == 0 ? 0 : (uint64_t)(((__uint128_t)part * 10000 + whole / 2) / whole);
    char text[32];

    snprintf(text, sizeof text, "%llu.%02llu", (unsigned long long)(bp / 100),
             (unsigned long long)(bp % 100));
    return json_string(text);
}

static json_t *scrutin_results(const def_scrutin *ds, const tally_sum *sum, const uint64_t *counts,
                               uint64_t signatures, uint64_t registered,
                               const seats_result *sr)
{
    json_t *lists = json_array(), *contested = json_null();
    uint64_t expressed = 0;

    for (size_t l = 0; l < sum->k; l++) {
        expressed += counts[l];
        json_array_append_new(lists, json_pack("{sssssIsI}", "name", ds->lists[l].name, "union",
                                               ds->lists[l].union_name ? ds->lists[l].union_name
                                                                       : "",
                                               "votes", (json_int_t)counts[l], "seats",
                                               (json_int_t)sr->seats[l]));
    }
    if (sr->contested) {
        json_t *tied = json_array();

        for (size_t i = 0; i < sr->ntied; i++)
            json_array_append_new(tied, json_string(ds->lists[sr->tied[i]].name));
        contested = json_pack("{sIso}", "seat", (json_int_t)sr->allocated + 1, "lists", tied);
    }
    return json_pack("{sssssIsIsIsIsIsIsosososo}", "id", ds->id, "title", ds->title, "seats",
                     (json_int_t)ds->seats, "registered", (json_int_t)registered, "signatures",
                     (json_int_t)signatures, "ballots", (json_int_t)sum->ballots, "blank",
                     (json_int_t)(sum->ballots - expressed), "expressed", (json_int_t)expressed,
                     "turnout_percent", tally_percent(signatures, registered), "lists", lists,
                     "seats_allocated", json_integer(sr->allocated), "contested", contested);
}

/* Decrypt, count and allocate one scrutin. ELECTION_REFUSED with c->msg on a
 * fault (which the proofs make impossible unless a holder cheated). */
static int one_scrutin(const tally_quorum *q, const seed_seals *ss, size_t i,
                       json_t *registered, json_t **out, election_ctx *c)
{
    const def_scrutin *ds = &q->d->scrutins[i];
    json_t *entry = json_array_get(json_object_get(q->sums, "scrutins"), i);
    tally_sum *sum = malloc(sizeof *sum);
    tally_partial *parts = calloc(q->nparts, sizeof *parts);
    tally_bureau b = { q->k->president, &q->k->commitments[0][0][0], q->k->n - 1 };
    uint64_t counts[BALLOT_MAX_LISTS], culprit = 0, expressed = 0, sigs;
    seats_policy policy = { { 0 }, q->d->ntie_rules, { 0 } };
    seats_result sr;
    dlog_table *dl = NULL;
    int rc = ELECTION_REFUSED;

    if (sum == NULL || parts == NULL)
        goto done;
    if (tally_sum_from_json(sum, entry) != 0 || sum->k != ds->nlists ||
        strcmp(json_string_value(json_object_get(entry, "id")), ds->id) != 0) {
        snprintf(c->msg, sizeof c->msg, "the sums of scrutin %s are malformed", ds->id);
        goto done;
    }
    for (size_t h = 0; h < q->nparts; h++)
        if (tally_partial_from_json(&parts[h], json_array_get(json_object_get(q->parts[h],
                                    "scrutins"), i), q->holders[h], sum->k) != 0)
            goto done;
    dl = dlog_table_new(sum->ballots > 0 ? sum->ballots : 1);
    if (dl == NULL || tally_decrypt(counts, sum, parts, q->nparts, &b, q->fp, dl, &culprit) != 0) {
        snprintf(c->msg, sizeof c->msg, "scrutin %s: decryption failed (holder %llu)", ds->id,
                 (unsigned long long)culprit);
        goto done;
    }
    for (size_t l = 0; l < sum->k; l++)
        expressed += counts[l];
    for (size_t r = 0; r < q->d->ntie_rules; r++)
        policy.rules[r] = (seats_tie_rule)q->d->tie_rules[r];
    seats_seed_make(policy.seed, q->fp, ds->id, ss->president, ss->delegate);
    sigs = (uint64_t)json_integer_value(json_object_get(entry, "signatures"));
    if (expressed > sum->ballots ||
        seats_allocate(&sr, counts, sum->k, (uint32_t)ds->seats, &policy) != 0) {
        snprintf(c->msg, sizeof c->msg, "ALARM: scrutin %s: %llu votes for %llu ballots",
                 ds->id, (unsigned long long)expressed, (unsigned long long)sum->ballots);
        goto done;
    }
    *out = scrutin_results(ds, sum, counts, sigs,
                           (uint64_t)json_integer_value(json_object_get(registered, ds->id)),
                           &sr);
    if (*out != NULL)
        ceremony_hex_set(*out, "seat_seed", policy.seed, SEATS_SEED_BYTES);
    rc = *out != NULL ? ELECTION_OK : STORE_ENOMEM;
done:
    dlog_table_free(dl);
    free(sum);
    free(parts);
    return rc;
}

int tally_results_make(store_tx *tx, const tally_quorum *q, election_ctx *c, json_t **out)
{
    json_t *registered = json_object(), *list = json_array(), *by = json_array(), *r;
    json_t *ties = json_array();
    char hex[65];
    uint8_t digest[32];
    seed_seals ss = { .k = q->k };
    int rc = store_turnout_each(tx, add_registered, registered);

    *out = NULL;
    if (rc == STORE_OK)
        rc = store_documents_each(tx, "seal-close", seal_take, &ss);
    if (rc == STORE_OK && (!ss.have_president || ss.delegate_holder == 0))
        rc = election_refuse(c, "the seat seed needs the president's and a delegate's closing "
                             "seals, which the store does not hold");
    for (size_t i = 0; rc == STORE_OK && i < q->d->nscrutins; i++)
        if ((rc = one_scrutin(q, &ss, i, registered, &r, c)) == ELECTION_OK)
            json_array_append_new(list, r);
    for (size_t h = 0; h < q->nparts; h++)
        json_array_append_new(by, json_pack("{sIss}", "holder", (json_int_t)q->holders[h],
                                            "name", def_holder_name(q->d, q->holders[h])));
    for (size_t t = 0; t < q->d->ntie_rules; t++)
        json_array_append_new(ties, json_string(q->d->tie_rules[t] == DEF_TIE_VOTES ? "votes"
                                                                                      : "lot"));
    if (rc == ELECTION_OK) {
        tally_doc_digest(digest, TALLY_SUMS_TAG, q->sums);
        hex_encode(hex, digest, 32);
        *out = json_pack("{sssssssOsOsOsOs[II]}", "format", TALLY_RESULTS_FORMAT, "eid",
                         json_string_value(json_object_get(q->sums, "eid")), "sums", hex,
                         "fingerprint", json_object_get(q->sums, "fingerprint"), "decrypted_by",
                         by, "tie_break", ties, "scrutins", list, "seed_seals",
                         (json_int_t)0, (json_int_t)ss.delegate_holder);
        rc = *out != NULL ? ELECTION_OK : STORE_ENOMEM;
    }
    json_decref(registered);
    json_decref(list);
    json_decref(by);
    json_decref(ties);
    return rc;
}
