/* tally.c - re-verification and aggregation, in parallel slices. */
#include "tally.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Ballots per multi-scalar product: at most TALLY_GROUP, and at most
 * TALLY_GROUP_POINTS variable points (6k + 2R + 2 per ballot, R the range
 * proof's branches) so that a thread's group stays within ~12 MB whatever k
 * (a point is 256 bytes + its 32-byte coefficient + its digits; peak RSS of a
 * one-thread count measured 5.9 MB more than with 14,000 points): 777
 * ballots at k = 5, R = 2 (Pippenger, window 12; about 2 % faster than 388
 * ballots at window 11), 54 at k = 64, R = 64 (1,024 ballots there would be
 * 526,000 points, ~200 MB a thread). A failed group is verified again one
 * ballot at a time to name the first bad one. */
#define TALLY_GROUP 1024
#define TALLY_GROUP_POINTS 28000

size_t tally_group_ballots(const ballot_scrutin *sc)
{
    int r = proof_disj_branches(sc->min, sc->max);
    size_t per = 6 * sc->k + 2 * (size_t)(r > 0 ? r : 1) + 2, g = TALLY_GROUP_POINTS / per;

    return g < 1 ? 1 : g > TALLY_GROUP ? TALLY_GROUP : g;
}

typedef struct {
    ballot *const *ballots;
    size_t from, to;
    const ballot_scrutin *sc;
    elgamal_ct sum[BALLOT_MAX_LISTS];
    size_t bad;                       /* first bad index in the slice, or to */
    int failed;                       /* not a ballot's fault: memory */
} slice;

/* Ballots [from, to) in one batch: one multi-scalar product shares its
 * doublings among them (protocol.md §9). 0, or -1 if one of them fails. */
static int verify_group(batch *bt, ballot *const *ballots, size_t from, size_t to,
                        const ballot_scrutin *sc, elgamal_ct *cts)
{
    batch_reset(bt);
    for (size_t i = from; i < to; i++)
        if (ballot_batch(bt, ballots[i], sc, cts + (i - from) * sc->k) != 0)
            return -1;
    return batch_check(bt);
}

static void *verify_slice(void *arg)
{
    slice *w = arg;
    size_t group = tally_group_ballots(w->sc), k = w->sc->k;
    elgamal_ct *cts = malloc(group * k * sizeof *cts);
    batch *bt = batch_new(w->sc->pk->vtable);

    w->bad = w->to;
    for (size_t l = 0; l < w->sc->k; l++)
        elgamal_ct_zero(&w->sum[l]);
    if (bt == NULL || cts == NULL) {
        w->failed = 1;
        batch_free(bt);
        free(cts);
        return NULL;
    }
    for (size_t i = w->from; i < w->to && w->bad == w->to; i += group) {
        size_t end = i + group < w->to ? i + group : w->to;
        int one_by_one = verify_group(bt, w->ballots, i, end, w->sc, cts) != 0;

        for (size_t j = i; j < end && w->bad == w->to; j++) {
            if (one_by_one && verify_group(bt, w->ballots, j, j + 1, w->sc, cts + (j - i) * k) != 0)
                w->bad = j;                    /* the first bad one, named */
            for (size_t l = 0; l < w->sc->k && w->bad == w->to; l++)
                elgamal_ct_add(&w->sum[l], &w->sum[l], &cts[(j - i) * k + l]);
        }
    }
    batch_free(bt);
    free(cts);
    return NULL;
}

int tally_aggregate(tally_sum *out, ballot *const *ballots, size_t n, const ballot_scrutin *sc,
                    int threads, size_t *bad)
{
    pthread_t tid[TALLY_MAX_THREADS];
    slice w[TALLY_MAX_THREADS];
    int spawned[TALLY_MAX_THREADS], rc = 0;

    memset(out, 0, sizeof *out);
    *bad = n;
    if (ballot_scrutin_check(sc) != 0 || threads < 1 || threads > TALLY_MAX_THREADS)
        return -1;
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ballots = ballots;
        w[i].from = n * (size_t)i / (size_t)threads;
        w[i].to = n * (size_t)(i + 1) / (size_t)threads;
        w[i].sc = sc;
        spawned[i] = pthread_create(&tid[i], NULL, verify_slice, &w[i]) == 0;
        if (!spawned[i])
            verify_slice(&w[i]);              /* no thread: do it here */
    }
    out->k = sc->k;
    for (size_t l = 0; l < sc->k; l++)
        elgamal_ct_zero(&out->sum[l]);
    for (int i = 0; i < threads; i++)
        if (spawned[i])
            pthread_join(tid[i], NULL);
    for (int i = 0; i < threads; i++) {
        if (w[i].failed)
            rc = -1;
        if (w[i].bad < w[i].to && w[i].bad < *bad)
            *bad = w[i].bad;
        for (size_t l = 0; l < sc->k; l++)
            elgamal_ct_add(&out->sum[l], &out->sum[l], &w[i].sum[l]);
    }
    if (rc == 0 && *bad < n)
        rc = TALLY_BAD_BALLOT;
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    for (size_t l = 0; l < sc->k; l++)
        elgamal_ct_encode(&out->sum[l]);
    out->ballots = n;
    return 0;
}
