/*
 * tally.h - the homomorphic count of one scrutin: every ballot is verified
 * again (all its proofs and its credential's signature, on all cores), and
 * the ciphertexts it carries are added list by list. Nothing is decrypted
 * here: the sums go to the key holders.
 */
#ifndef VOTESRV_TALLY_H
#define VOTESRV_TALLY_H

#include <stddef.h>
#include <stdint.h>
#include "ballot/ballot.h"

#define TALLY_MAX_THREADS 64
#define TALLY_BAD_BALLOT 1

typedef struct {
    size_t k;
    uint64_t ballots;
    elgamal_ct sum[BALLOT_MAX_LISTS];     /* encoded: sum[l].bytes is the wire form */
} tally_sum;

/* Verify ballots[0..n) against sc on `threads` threads and add them up.
 * TALLY_BAD_BALLOT, with *bad the smallest index of a ballot that fails, and
 * no sum; -1 on bad parameters. */
int tally_aggregate(tally_sum *out, ballot *const *ballots, size_t n, const ballot_scrutin *sc,
                    int threads, size_t *bad);

#endif
