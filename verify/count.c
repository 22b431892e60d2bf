/* count.c - the count (protocol.md §15, §16): the published sums are the sums
 * of the verified ballots; every partial decryption proves itself; the
 * president's and two delegates' factors give the counts; the results repeat
 * them, with the blank ballots and the seats at the highest average. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/bureau.h"
#include "crypto/dlog.h"
#include "verify.h"

/* The seats of one scrutin, worked out again: one seat at a time to the
 * highest average votes / (seats + 1), ties by the declared rules. Returns
 * the seats allocated (fewer than `seats` when a tie survives the rules). */
static uint32_t seats_again(const vv *v, const vv_scrutin *s, const uint64_t *votes,
                            const uint8_t seed[32], uint32_t *won)
{
    uint8_t best[32], ticket[32];
    transcript t;
    uint32_t seat;

    memset(won, 0, VV_MAX_LISTS * sizeof *won);
    for (seat = 1; seat <= s->seats; seat++) {
        size_t tied[VV_MAX_LISTS], n = 0;

        for (size_t l = 0; l < s->k; l++) {
            __uint128_t mine, theirs;

            if (votes[l] == 0)
                continue;
            if (n > 0) {
                mine = (__uint128_t)votes[l] * (won[tied[0]] + 1);
                theirs = (__uint128_t)votes[tied[0]] * (won[l] + 1);
                if (mine < theirs)
                    continue;
                if (mine > theirs)
                    n = 0;
            }
            tied[n++] = l;
        }
        if (n == 0)
            break;
        for (size_t r = 0; r < v->ntie && n > 1; r++) {
            size_t keep = 0;

            if (v->tie_rules[r] == 1) {             /* the most votes */
                uint64_t most = 0;

                for (size_t i = 0; i < n; i++)
                    most = votes[tied[i]] > most ? votes[tied[i]] : most;
                for (size_t i = 0; i < n; i++)
                    if (votes[tied[i]] == most)
                        tied[keep++] = tied[i];
            } else {                                /* the smallest lot ticket */
                for (size_t i = 0; i < n; i++) {
                    transcript_init(&t, "votesrv/v1/seat-lot", 32);
                    transcript_put(&t, seed, 32);
                    transcript_put_u64(&t, seat);
                    transcript_put_u64(&t, tied[i]);
                    transcript_digest(&t, ticket);
                    if (i == 0 || memcmp(ticket, best, 32) < 0) {
                        memcpy(best, ticket, 32);
                        tied[0] = tied[i];
                    }
                }
                keep = 1;
            }
            n = keep;
        }
        if (n > 1)
            break;
        won[tied[0]]++;
    }
    return seat - 1;
}

static json_t *one_doc(const vv *v, const char *kind)
{
    json_t *a = json_object_get(v->documents, kind);

    return json_array_size(a) == 1 ? json_array_get(a, 0) : NULL;
}

/* The sums document against the ballots' own sums. */
static int sums_check(vv *v, json_t *sums)
{
    uint8_t fp[32], ct[64];
    int ok = vv_hex(fp, 32, sums, "fingerprint") == 0 && memcmp(fp, v->fp, 32) == 0 &&
             json_array_size(json_object_get(sums, "scrutins")) == v->nsc;

    for (size_t i = 0; ok && i < v->nsc; i++) {
        vv_scrutin *s = &v->sc[i];
        json_t *e = json_array_get(json_object_get(sums, "scrutins"), i);
        json_t *list = json_object_get(e, "sums");

        ok = json_is_string(json_object_get(e, "id")) &&
             strcmp(json_string_value(json_object_get(e, "id")), s->id) == 0 &&
             (uint64_t)json_integer_value(json_object_get(e, "ballots")) == s->ballots &&
             json_array_size(list) == s->k;
        for (size_t l = 0; ok && l < s->k; l++) {
            elgamal_ct_encode(&s->sum[l]);
            ok = json_string_length(json_array_get(list, l)) == 128 &&
                 hex_decode(ct, 64, json_string_value(json_array_get(list, l))) == 0 &&
                 memcmp(ct, s->sum[l].bytes, 64) == 0;
        }
    }
    vv_report(v, ok, "sums: the published encrypted sums are the sums of the verified ballots");
    return ok;
}

/* Holder h's partial decryption: signature, the sums it decrypts, every proof. */
static int partial_ok(const vv *v, json_t *p, size_t h, const uint8_t sums_digest[32])
{
    json_t *list = json_object_get(p, "scrutins");
    uint8_t d[32], pub[32], f[32], pr[96];
    int ok;

    ok = vv_message_ok(v, p, "partial", h, v->holder_keys[h]) &&
         vv_hex(d, 32, p, "sums") == 0 && memcmp(d, sums_digest, 32) == 0 &&
         json_array_size(list) == v->nsc &&
         bureau_holder_key(pub, v->president, &v->commitments[0][0][0], v->holders - 1, h) == 0;
    for (size_t i = 0; ok && i < v->nsc; i++) {
        json_t *e = json_array_get(list, i), *fs = json_object_get(e, "factors");
        json_t *ps = json_object_get(e, "proofs");

        ok = json_array_size(fs) == v->sc[i].k && json_array_size(ps) == v->sc[i].k;
        for (size_t l = 0; ok && l < v->sc[i].k; l++) {
            proof_dec dp;

            ok = hex_decode(f, 32, json_string_value(json_array_get(fs, l))) == 0 &&
                 json_string_length(json_array_get(ps, l)) == 192 &&
                 hex_decode(pr, 96, json_string_value(json_array_get(ps, l))) == 0;
            memcpy(dp.a, pr, 32);
            memcpy(dp.b, pr + 32, 32);
            memcpy(dp.s, pr + 64, 32);
            ok = ok && proof_dec_verify(&dp, v->fp, pub, v->sc[i].sum[l].bytes, f) == 0;
        }
    }
    return ok;
}

/* Counts of scrutin i from the quorum's factors; -1 if they do not decrypt. */
static int counts_of(const vv *v, size_t i, json_t **parts, const uint64_t *holders, size_t np,
                     uint64_t *counts)
{
    const vv_scrutin *s = &v->sc[i];
    dlog_table *dl = dlog_table_new(s->ballots > 0 ? s->ballots : 1);
    int rc = dl != NULL ? 0 : -1;

    for (size_t l = 0; rc == 0 && l < s->k; l++) {
        uint8_t dp[32], (*f)[32] = malloc(np * 32 + 1);
        group_point m;

        int hex_ok = f != NULL;

        for (size_t h = 0; hex_ok && h < np; h++) {
            json_t *fs = json_object_get(json_array_get(json_object_get(parts[h], "scrutins"), i),
                                         "factors");

            hex_ok = hex_decode(h == 0 ? dp : f[h - 1], 32,
                                json_string_value(json_array_get(fs, l))) == 0;
        }
        rc = hex_ok &&
                     bureau_combine(&m, &s->sum[l].b, dp, holders + 1, (const uint8_t(*)[32])f,
                                    np - 1) == 0 &&
                     dlog_solve(dl, &m, &counts[l]) == 0
                 ? 0
                 : -1;
        free(f);
    }
    dlog_table_free(dl);
    return rc;
}

/* The closing seals that make the seat seed (§15): the president's and that of
 * the delegate with the smallest number among the seals bureau.c accepted
 * (one per holder, over the verified closing state); the results must name
 * exactly these. 1 with their signatures, or 0. */
static int seed_seals(vv *v, json_t *results, uint8_t sig_p[64], uint8_t sig_d[64])
{
    json_t *named = json_object_get(results, "seed_seals");
    size_t delegate = 1;

    while (delegate < v->holders && !v->close_ok[delegate])
        delegate++;
    if (!v->close_ok[0] || delegate >= v->holders)
        return 0;
    memcpy(sig_p, v->close_sig[0], 64);
    memcpy(sig_d, v->close_sig[delegate], 64);
    return json_array_size(named) == 2 && json_integer_value(json_array_get(named, 0)) == 0 &&
           json_integer_value(json_array_get(named, 1)) == (json_int_t)delegate;
}

static void results_check(vv *v, json_t *results, json_t **parts, const uint64_t *holders,
                          size_t np)
{
    json_t *list = json_object_get(results, "scrutins");
    uint8_t sig_p[64], sig_d[64];
    int have_seals = seed_seals(v, results, sig_p, sig_d);

    vv_report(v, have_seals, "seat seed: made from the president's closing seal and that of "
              "the delegate with the smallest number, as the results name them");

    for (size_t i = 0; i < v->nsc; i++) {
        const vv_scrutin *s = &v->sc[i];
        json_t *r = json_array_get(list, i), *lists = json_object_get(r, "lists");
        uint64_t counts[VV_MAX_LISTS], expressed = 0;
        uint32_t won[VV_MAX_LISTS], allocated;
        uint8_t seed[32], published[32];
        int ok = counts_of(v, i, parts, holders, np, counts) == 0;
        transcript t;

        vv_report(v, ok, "scrutin %s: the quorum's factors decrypt the sums", s->id);
        if (!ok || !have_seals)
            continue;
        transcript_init(&t, "votesrv/v1/seat-seed", 32);
        transcript_put(&t, v->fp, 32);
        transcript_put(&t, s->id, strlen(s->id));
        transcript_put(&t, sig_p, 64);
        transcript_put(&t, sig_d, 64);
        transcript_digest(&t, seed);
        vv_report(v, vv_hex(published, 32, r, "seat_seed") == 0 && memcmp(published, seed, 32) == 0,
                  "scrutin %s: seat seed = Hb(seat-seed; fingerprint, scrutin, closing seals)",
                  s->id);
        allocated = seats_again(v, s, counts, seed, won);
        ok = json_is_string(json_object_get(r, "id")) &&
             strcmp(json_string_value(json_object_get(r, "id")), s->id) == 0 &&
             json_array_size(lists) == s->k &&
             (uint64_t)json_integer_value(json_object_get(r, "ballots")) == s->ballots &&
             (uint64_t)json_integer_value(json_object_get(r, "signatures")) == s->signatures_line &&
             json_integer_value(json_object_get(r, "seats_allocated")) == allocated;
        for (size_t l = 0; ok && l < s->k; l++) {
            json_t *e = json_array_get(lists, l);

            expressed += counts[l];
            ok = (uint64_t)json_integer_value(json_object_get(e, "votes")) == counts[l] &&
                 json_integer_value(json_object_get(e, "seats")) == won[l];
        }
        ok = ok && expressed <= s->ballots &&
             (uint64_t)json_integer_value(json_object_get(r, "blank")) == s->ballots - expressed;
        vv_report(v, ok, "scrutin %s: published votes, blank ballots and seats (%u) are the "
                  "decrypted counts and the highest average", s->id, allocated);
    }
}

/* obj is an object with exactly the keys listed (NULL-terminated): §16 "no
 * other field is present". */
static int keys_exact(json_t *obj, const char *const *keys)
{
    size_t n = 0;

    if (!json_is_object(obj))
        return 0;
    for (; keys[n] != NULL; n++)
        if (json_object_get(obj, keys[n]) == NULL)
            return 0;
    return json_object_size(obj) == n;
}

/* Every object of the results holds §16's fields and no other. */
static int results_keys_ok(json_t *results)
{
    static const char *const top[] = { "format", "eid", "fingerprint", "sums", "decrypted_by",
                                       "tie_break", "seed_seals", "scrutins", NULL };
    static const char *const scrutin[] = { "id", "title", "seats", "registered", "signatures",
                                           "ballots", "lists", "expressed", "blank",
                                           "turnout_percent", "seats_allocated", "contested",
                                           "seat_seed", NULL };
    static const char *const list[] = { "name", "union", "votes", "seats", NULL };
    static const char *const holder[] = { "holder", "name", NULL };
    static const char *const contested[] = { "seat", "lists", NULL };
    json_t *e, *r, *c;
    size_t i, j;
    int ok = keys_exact(results, top);

    json_array_foreach(json_object_get(results, "decrypted_by"), i, e)
        ok = ok && keys_exact(e, holder);
    json_array_foreach(json_object_get(results, "scrutins"), i, r) {
        ok = ok && keys_exact(r, scrutin);
        json_array_foreach(json_object_get(r, "lists"), j, e)
            ok = ok && keys_exact(e, list);
        c = json_object_get(r, "contested");
        ok = ok && (json_is_null(c) || keys_exact(c, contested));
    }
    return ok;
}

/* "12.34" (§16): 100·part/whole in basis points rounded half up, "0.00" when
 * whole is 0. */
static void percent_text(char out[32], uint64_t part, uint64_t whole)
{
    uint64_t bp = whole == 0 ? 0 : (uint64_t)(((__uint128_t)part * 10000 + whole / 2) / whole);

    snprintf(out, 32, "%llu.%02llu", (unsigned long long)(bp / 100),
             (unsigned long long)(bp % 100));
}

/* The results' fields that are not counts (§16): their format, election,
 * the digest of the sums they decrypt, who decrypted, the tie rules, and per
 * scrutin the figures derived from the others. */
static void results_fields_check(vv *v, json_t *results, const uint8_t sums_digest[32],
                                 const uint64_t *holders, size_t np)
{
    json_t *by = json_object_get(results, "decrypted_by"), *tb = json_object_get(results,
                                                                                 "tie_break");
    uint8_t d[32];
    int ok = json_is_string(json_object_get(results, "format")) &&
             strcmp(json_string_value(json_object_get(results, "format")),
                    "votesrv-results/1") == 0 &&
             json_is_string(json_object_get(results, "eid")) &&
             strcmp(json_string_value(json_object_get(results, "eid")), v->eid) == 0 &&
             vv_hex(d, 32, results, "fingerprint") == 0 && memcmp(d, v->fp, 32) == 0;

    vv_report(v, ok, "results: format, election and fingerprint are the archive's");
    vv_report(v, results_keys_ok(results), "results: every object holds exactly the fields "
              "of protocol §16, no other");
    vv_report(v, vv_hex(d, 32, results, "sums") == 0 && memcmp(d, sums_digest, 32) == 0,
              "results: sums = Hb(votesrv/v1/sums; the published sums document)");
    ok = json_array_size(by) == np;
    for (size_t i = 0; ok && i < np; i++)
        ok = json_integer_value(json_object_get(json_array_get(by, i), "holder")) ==
                 (json_int_t)holders[i] &&
             json_is_string(json_object_get(json_array_get(by, i), "name"));
    vv_report(v, ok, "results: decrypted_by names the holders of the partial decryptions, "
              "in order");
    ok = json_array_size(tb) == v->ntie;
    for (size_t i = 0; ok && i < v->ntie; i++)
        ok = json_is_string(json_array_get(tb, i)) &&
             strcmp(json_string_value(json_array_get(tb, i)),
                    v->tie_rules[i] == 1 ? "votes" : "lot") == 0;
    vv_report(v, ok, "results: tie_break is the definition's (default [\"votes\", \"lot\"])");
    ok = json_array_size(json_object_get(results, "scrutins")) == v->nsc;
    for (size_t i = 0; ok && i < v->nsc; i++) {
        json_t *r = json_array_get(json_object_get(results, "scrutins"), i), *l;
        json_t *reg = json_object_get(r, "registered"), *c = json_object_get(r, "contested");
        uint64_t expressed = 0;
        char want[32];
        size_t j;

        json_array_foreach(json_object_get(r, "lists"), j, l)
            expressed += (uint64_t)json_integer_value(json_object_get(l, "votes"));
        ok = json_is_integer(reg) && json_integer_value(reg) >= 0 &&
             json_integer_value(json_object_get(r, "seats")) == (json_int_t)v->sc[i].seats &&
             (uint64_t)json_integer_value(json_object_get(r, "expressed")) == expressed &&
             json_is_string(json_object_get(r, "turnout_percent"));
        if (ok) {
            percent_text(want, v->sc[i].signatures_line, (uint64_t)json_integer_value(reg));
            ok = strcmp(json_string_value(json_object_get(r, "turnout_percent")), want) == 0;
        }
        ok = ok && (json_is_null(c) ||
                    (json_integer_value(json_object_get(c, "seat")) ==
                         json_integer_value(json_object_get(r, "seats_allocated")) + 1 &&
                     json_array_size(json_object_get(c, "lists")) >= 2));
    }
    vv_report(v, ok, "results: seats, expressed (the sum of the votes), turnout_percent "
              "(signatures / registered) and contested, per scrutin");
}

void vv_count(vv *v)
{
    json_t *sums = one_doc(v, "sums"), *results = one_doc(v, "results");
    json_t *partials = json_object_get(v->documents, "partial"), *p, *parts[VV_MAX_HOLDERS];
    uint64_t holders[VV_MAX_HOLDERS];
    uint8_t digest[32];
    size_t i, np = 0, delegates = 0;
    size_t nsums = json_array_size(json_object_get(v->documents, "sums"));
    size_t nresults = json_array_size(json_object_get(v->documents, "results"));
    char *text;
    transcript t;
    int counted = strcmp(v->state, "tallied") == 0 || strcmp(v->state, "published") == 0 ||
                  strcmp(v->state, "purged") == 0;

    if (nsums > 1 || nresults > 1) {
        vv_report(v, 0, "count: at most one sums and one results document (%zu, %zu)", nsums,
                  nresults);
        return;
    }
    if (sums == NULL) {
        vv_report(v, !counted && nresults == 0, "count: none published yet (state %s)",
                  v->state);
        return;
    }
    if (!sums_check(v, sums) || v->holders < 3)
        return;
    text = json_dumps(sums, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return;
    transcript_init(&t, "votesrv/v1/sums", 32);         /* §16 */
    transcript_put(&t, text, strlen(text));
    transcript_digest(&t, digest);
    free(text);
    json_array_foreach(partials, i, p) {
        json_int_t h = json_integer_value(json_object_get(p, "holder"));
        int ok = h >= 0 && (size_t)h < v->holders && (np == 0 || (uint64_t)h > holders[np - 1]) &&
                 partial_ok(v, p, (size_t)h, digest);

        vv_report(v, ok, "partial decryption of holder %lld: signature and proofs of correct "
                  "decryption", (long long)h);
        if (ok && np < VV_MAX_HOLDERS) {
            parts[np] = p;
            holders[np++] = (uint64_t)h;
            delegates += h != 0;
        }
    }
    if (results == NULL) {              /* made in the transaction that enters tallied */
        vv_report(v, !counted, "results: none published yet (state %s)", v->state);
        return;
    }
    if (np == 0 || holders[0] != 0 || delegates < 2) {
        vv_report(v, 0, "results: published without the president and two delegates");
        return;
    }
    results_check(v, results, parts, holders, np);
    results_fields_check(v, results, digest, holders, np);
}
