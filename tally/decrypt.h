/*
 * decrypt.h - decrypting a scrutin's sums with the bureau de vote
 * (crypto/bureau.h): each key holder makes one factor per list with a proof of
 * correct decryption; the server checks every proof (naming the holder whose
 * proof fails), combines the president's factors with at least two delegates'
 * and solves the discrete logarithms.
 */
#ifndef VOTESRV_TALLY_DECRYPT_H
#define VOTESRV_TALLY_DECRYPT_H

#include "tally.h"

#define TALLY_BAD_PARTIAL 2
#define TALLY_NO_QUORUM 3
#define TALLY_NO_DLOG 4
#define TALLY_PRESIDENT 0            /* holder index of the president; delegates 1..m */

typedef struct {
    uint64_t holder;
    size_t k;
    uint8_t factor[BALLOT_MAX_LISTS][GROUP_POINT_BYTES];
    proof_dec proof[BALLOT_MAX_LISTS];
} tally_partial;

/* The public keys of the bureau: X_P and the delegates' commitments (t = 2). */
typedef struct {
    const uint8_t *president;              /* GROUP_POINT_BYTES */
    const uint8_t *delegate_commitments;   /* m * 2 points */
    size_t m;
} tally_bureau;

/* A holder's factors for every list of s (run on the holder's machine). */
int tally_partial_make(tally_partial *out, const tally_sum *s, uint64_t holder,
                       const group_scalar *x, const uint8_t pub[GROUP_POINT_BYTES],
                       const uint8_t ctx[PROOF_CTX_BYTES]);
/* counts[l] for each list; TALLY_BAD_PARTIAL with *culprit the holder whose
 * proof fails (or who appears twice, or is unknown), TALLY_NO_QUORUM without
 * the president and two delegates, TALLY_NO_DLOG if a count exceeds the table. */
int tally_decrypt(uint64_t *counts, const tally_sum *s, const tally_partial *parts,
                  size_t nparts, const tally_bureau *b, const uint8_t ctx[PROOF_CTX_BYTES],
                  const dlog_table *dl, uint64_t *culprit);

#endif
