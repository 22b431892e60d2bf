/*
 * seats.h - seats by proportional representation at the highest average, the
 * rule of French staff elections (docs/protocol.md §15).
 *
 * Seats go one at a time to the list whose average votes / (seats won + 1) is
 * highest; this gives the same result as the quotient step followed by the
 * highest average. Averages are compared exactly (cross-multiplied integers).
 * A list with no vote wins no seat. When several lists share the highest
 * average for a seat, the policy's tie-break rules apply in order:
 *   SEATS_TIE_VOTES  the list with the most votes;
 *   SEATS_TIE_LOT    a drawing by lot that anyone can recompute: the tied list
 *                    with the smallest Hb("votesrv/v1/seat-lot"; seed, le64(seat),
 *                    le64(list)), the seed being seats_seed_make's: public
 *                    once the vote is closed, unknown to everyone before.
 * If a tie survives every rule (e.g. "the oldest candidate", which needs data
 * the bureau holds), allocation stops there: `contested` names the seat and the
 * tied lists, and the bureau settles it.
 */
#ifndef VOTESRV_SEATS_H
#define VOTESRV_SEATS_H

#include <stddef.h>
#include <stdint.h>

#define SEATS_MAX_LISTS 64
#define SEATS_MAX_SEATS 1000
#define SEATS_MAX_VOTES 4000000000ULL   /* per list: products stay within 64 bits */
#define SEATS_SEED_BYTES 32
#define SEATS_SEAL_BYTES 64             /* an Ed25519 signature */

typedef enum { SEATS_TIE_VOTES = 1, SEATS_TIE_LOT = 2 } seats_tie_rule;

typedef struct {
    seats_tie_rule rules[2];
    size_t nrules;
    uint8_t seed[SEATS_SEED_BYTES];   /* for SEATS_TIE_LOT */
} seats_policy;

typedef struct {
    uint32_t seats[SEATS_MAX_LISTS];
    uint32_t allocated;
    int contested;                    /* 1: seat number `allocated + 1` is tied */
    size_t ntied;
    size_t tied[SEATS_MAX_LISTS];     /* the lists tied for it, by index */
} seats_result;

/* -1 on bad input (k out of 1..SEATS_MAX_LISTS, seats over SEATS_MAX_SEATS,
 * votes over SEATS_MAX_VOTES, an unknown or repeated rule). */
/* seed = Hb("votesrv/v1/seat-seed"; fingerprint, scrutin id, σ_P, σ_D): σ_P and
 * σ_D the signatures of the president's and of a delegate's closing seals (the
 * delegate with the smallest number among the valid seals; tally/seed.c). */
void seats_seed_make(uint8_t out[SEATS_SEED_BYTES], const uint8_t fingerprint[32],
                     const char *scrutin, const uint8_t seal_president[SEATS_SEAL_BYTES],
                     const uint8_t seal_delegate[SEATS_SEAL_BYTES]);

int seats_allocate(seats_result *out, const uint64_t *votes, size_t k, uint32_t seats,
                   const seats_policy *p);

#endif
