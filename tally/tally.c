/* tally.c - re-verification and aggregation, in parallel slices. */
#include "tally.h"

#include <pthread.h>
#include <string.h>

typedef struct {
    ballot *const *ballots;
    size_t from, to;
    const ballot_scrutin *sc;
    elgamal_ct sum[BALLOT_MAX_LISTS];
    size_t bad;                       /* first bad index in the slice, or to */
    int failed;                       /* not a ballot's fault: memory */
} slice;

static void *verify_slice(void *arg)
{
    slice *w = arg;
    elgamal_ct cts[BALLOT_MAX_LISTS];
    batch *bt = batch_new(w->sc->pk->vtable);

    w->bad = w->to;
    for (size_t l = 0; l < w->sc->k; l++)
        elgamal_ct_zero(&w->sum[l]);
    if (bt == NULL) {
        w->failed = 1;
        return NULL;
    }
    for (size_t i = w->from; i < w->to; i++) {
        batch_reset(bt);
        if (ballot_batch(bt, w->ballots[i], w->sc, cts) != 0 || batch_check(bt) != 0) {
            w->bad = i;
            break;
        }
        for (size_t l = 0; l < w->sc->k; l++)
            elgamal_ct_add(&w->sum[l], &w->sum[l], &cts[l]);
    }
    batch_free(bt);
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
