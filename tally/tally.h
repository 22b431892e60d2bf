/*
 * tally.h - what tally/ offers: the count of an election (docs/protocol.md
 * §15-16), from the verified ballots to the published results.
 *
 *   tally_aggregate     the homomorphic count of one scrutin: every ballot
 *                       verified again (its proofs and its credential's
 *                       signature, on all cores) and its ciphertexts added list
 *                       by list; nothing is decrypted here (tally/tally.c);
 *   tally_count         after closing, for the election in the store: every
 *                       scrutin counted, the sums published as the "sums"
 *                       document, ballots = signatures checked per scrutin;
 *   tally_partial_make  a key holder's factors with proofs of correct
 *                       decryption (on the holder's machine: trustee/trustee.h);
 *   tally_post_partial  a holder's partial decryption, checked; once the
 *   tally_decrypt       president and two delegates have posted, their factors
 *                       combined, the discrete logarithms solved, seats
 *                       allocated (seats_allocate) and the results published,
 *                       the election moving to "tallied";
 *   tally_results       the published results.
 *
 * The key holders' tool links only the part without the store (decrypt.c,
 * sums.c): store and election_ctx are opaque here (election/election.h).
 */
#ifndef VOTESRV_TALLY_H
#define VOTESRV_TALLY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "ballot/ballot.h"
#include "election/ceremony.h"

typedef struct store store;
typedef struct store_tx store_tx;
typedef struct election_ctx election_ctx;

#define TALLY_MAX_THREADS 64
#define TALLY_BAD_BALLOT 1
#define TALLY_BAD_PARTIAL 2
#define TALLY_NO_QUORUM 3
#define TALLY_NO_DLOG 4
#define TALLY_PRESIDENT 0            /* holder index of the president; delegates 1..m */

#define TALLY_SUMS_FORMAT "votesrv-sums/1"
#define TALLY_RESULTS_FORMAT "votesrv-results/1"
#define TALLY_SUMS_TAG "votesrv/v1/sums"           /* the digests of these documents (§16) */
#define TALLY_RESULTS_TAG "votesrv/v1/results"
#define TALLY_CHUNK 8192                /* ballots in memory at a time */

/* --- One scrutin's sum (tally/tally.c) --- */

typedef struct {
    size_t k;
    uint64_t ballots;
    elgamal_ct sum[BALLOT_MAX_LISTS];     /* encoded: sum[l].bytes is the wire form */
} tally_sum;

/* Ballots per multi-scalar product of the count for sc's ballots: at most
 * 1,024 and at most 28,000 variable points, so a thread's memory is bounded
 * (~12 MB) whatever k and the range (tests). */
size_t tally_group_ballots(const ballot_scrutin *sc);
/* Verify ballots[0..n) against sc on `threads` threads and add them up.
 * TALLY_BAD_BALLOT, with *bad the smallest index of a ballot that fails, and
 * no sum; -1 on bad parameters. */
int tally_aggregate(tally_sum *out, ballot *const *ballots, size_t n, const ballot_scrutin *sc,
                    int threads, size_t *bad);

/* --- Decrypting the sums with the bureau de vote (crypto/bureau.h;
 * tally/decrypt.c): each key holder makes one factor per list with a proof of
 * correct decryption; the server checks every proof (naming the holder whose
 * proof fails), combines the president's factors with at least two delegates'
 * and solves the discrete logarithms. --- */

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
MUST_CHECK
int tally_decrypt(uint64_t *counts, const tally_sum *s, const tally_partial *parts,
                  size_t nparts, const tally_bureau *b, const uint8_t ctx[PROOF_CTX_BYTES],
                  const dlog_table *dl, uint64_t *culprit);

/* --- The documents, shared by the server and the key holders (tally/sums.c) --- */

/* Hb(tag; the document's canonical form (sorted keys, compact)), tag
 * TALLY_SUMS_TAG or TALLY_RESULTS_TAG. */
int tally_doc_digest(uint8_t out[32], const char *tag, json_t *doc);
/* Entry i of a sums document ({"id", "lists", "ballots", "signatures", "sums"}). */
MUST_CHECK
int tally_sum_from_json(tally_sum *out, json_t *entry);
/* A holder's factors and proofs for one scrutin: {"id", "factors", "proofs"}. */
json_t *tally_partial_to_json(const tally_partial *p, const char *id);
MUST_CHECK
int tally_partial_from_json(tally_partial *p, json_t *entry, uint64_t holder, size_t k);

/* --- The count of the election held in the store (tally/count.c,
 * tally/partial.c) --- */

/* ELECTION_OK; ELECTION_REFUSED (c->msg) if the election is not closed, is
 * already counted, or a scrutin's ballots differ from its signatures or hold
 * an invalid ballot: then an alarm is committed to the audit log first. */
int tally_count(store *s, election_ctx *c, int threads);
int tally_post_partial(store *s, election_ctx *c, const char *text, size_t len);
/* Any message of the bureau: a partial decryption to tally_post_partial, the
 * others (ceremony, seals) to ceremony_post. */
int tally_post_message(store *s, election_ctx *c, const char *text, size_t len);
/* The "sums" or "results" document (STORE_ENOTFOUND before it exists). */
int tally_document(store *s, const char *kind, json_t **out);

/* --- Seats by proportional representation at the highest average, the rule
 * of French staff elections (docs/protocol.md §15; tally/seats.c, seed.c).
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
 * tied lists, and the bureau settles it. --- */

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

/* seed = Hb("votesrv/v1/seat-seed"; fingerprint, scrutin id, σ_P, σ_D): σ_P and
 * σ_D the signatures of the president's and of a delegate's closing seals (the
 * delegate with the smallest number among the valid seals; tally/seed.c). */
void seats_seed_make(uint8_t out[SEATS_SEED_BYTES], const uint8_t fingerprint[32],
                     const char *scrutin, const uint8_t seal_president[SEATS_SEAL_BYTES],
                     const uint8_t seal_delegate[SEATS_SEAL_BYTES]);
/* -1 on bad input (k out of 1..SEATS_MAX_LISTS, seats over SEATS_MAX_SEATS,
 * votes over SEATS_MAX_VOTES, an unknown or repeated rule). */
int seats_allocate(seats_result *out, const uint64_t *votes, size_t k, uint32_t seats,
                   const seats_policy *p);

/* --- The results of a count, from a quorum's partial decryptions
 * (docs/protocol.md §16; tally/results.c): per scrutin, registered voters,
 * signatures, ballots, blank ballots, votes and seats per list, turnout, and a
 * seat left to the bureau when a tie survives the tie-break rules. --- */

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
