/*
 * bureau.h - the key holders of a bureau de vote (docs/protocol.md §6.1): the
 * access structure of French civil-service internet voting, built on the
 * threshold scheme of threshold.h.
 *
 * Holders: the president and m >= 2 delegates of the candidate lists (so at
 * least three holders, at least two thirds of them delegates). The election
 * secret is x = x_P + x_D: x_P is the president's alone (public X_P = x_P·G,
 * with a proof of knowledge bound to the role), x_D is shared 2-of-m among the
 * delegates by the DKG of threshold.h (delegates numbered 1..m). Hence:
 *   decrypting needs the president's factor and BUREAU_DELEGATE_QUORUM
 *   delegates' factors; no set of delegates without the president, and not the
 *   president with one delegate, learns anything about x;
 *   sealing (open, close) needs the president's signature and one delegate's.
 */
#ifndef VOTESRV_BUREAU_H
#define VOTESRV_BUREAU_H

#include <stddef.h>
#include <stdint.h>
#include "group.h"
#include "proof.h"
#include "rng.h"

#define BUREAU_DELEGATE_QUORUM 2          /* the delegates' DKG threshold t */
#define BUREAU_MIN_DELEGATES 2
#define BUREAU_MAX_DELEGATES 63

typedef enum { BUREAU_ACT_SEAL = 1, BUREAU_ACT_DECRYPT = 2 } bureau_act;

/* 0 if a bureau of one president and m delegates meets the rules. */
MUST_CHECK
int bureau_composition_check(size_t delegates);
/* 0 if the president (present: 1/0) and `delegates` distinct delegates may do act. */
MUST_CHECK
int bureau_quorum_check(bureau_act act, int president, size_t delegates);

/* The president's key: X_P and a proof of knowledge of x_P bound to the role. */
int bureau_president_keygen(group_scalar *x, uint8_t pub[GROUP_POINT_BYTES], proof_pok *pok,
                            const uint8_t ctx[PROOF_CTX_BYTES], rng_drbg *rng);
MUST_CHECK
int bureau_president_verify(const uint8_t pub[GROUP_POINT_BYTES], const proof_pok *pok,
                            const uint8_t ctx[PROOF_CTX_BYTES]);

/* The public key a holder's decryption factors are proved against: X_P for
 * the president (holder 0), the verification key X_j of delegate j. */
int bureau_holder_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t president[GROUP_POINT_BYTES],
                      const uint8_t *delegate_commitments, size_t m, uint64_t holder);
/* H = X_P + sum_i C_{i,0} over the m delegates' commitments (t = 2 each, in a row). */
int bureau_joint_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t president[GROUP_POINT_BYTES],
                     const uint8_t *delegate_commitments, size_t m);
/* M = beta - D_P - sum lambda_j D_j over the delegates of q (1-based, distinct);
 * -1 unless nq >= BUREAU_DELEGATE_QUORUM. The factors' proofs are checked apart. */
int bureau_combine(group_point *m_g, const group_point *beta,
                   const uint8_t president_factor[GROUP_POINT_BYTES], const uint64_t *q,
                   const uint8_t (*factors)[GROUP_POINT_BYTES], size_t nq);

#endif
