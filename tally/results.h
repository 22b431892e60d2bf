/*
 * results.h - the results of a count, from a quorum's partial decryptions
 * (docs/protocol.md §16): per scrutin, registered voters, signatures,
 * ballots, blank ballots, votes and seats per list, turnout, and a seat left
 * to the bureau when a tie survives the tie-break rules.
 */
#ifndef VOTESRV_TALLY_RESULTS_H
#define VOTESRV_TALLY_RESULTS_H

#include "count.h"
#include "election/ceremony.h"

typedef struct {
    const def_election *d;
    const ceremony_keys *k;
    const uint8_t *fp;                 /* the election fingerprint (proofs' context) */
    json_t *sums;                      /* the sums document */
    json_t *parts[CEREMONY_MAX_HOLDERS];   /* partial messages, president first */
    uint64_t holders[CEREMONY_MAX_HOLDERS];
    size_t nparts;
} tally_quorum;

/* turnout_percent (§16): 100·part/whole as "D.DD", the basis points
 * ⌊(part·10000 + ⌊whole/2⌋) / whole⌋ (half up), "0.00" when whole is 0. */
json_t *tally_percent(uint64_t part, uint64_t whole);

/* Within the count's write job: the results document, or ELECTION_REFUSED. */
int tally_results_make(store_tx *tx, const tally_quorum *q, election_ctx *c, json_t **out);

#endif
