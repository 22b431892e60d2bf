/*
 * threshold.h - t-of-n threshold ElGamal keys without a trusted dealer:
 * Pedersen's DKG (joint Feldman VSS), docs/protocol.md section 6.
 *
 * Trustees are numbered 1..n. Commitments are arrays of t encoded points.
 * Functions return 0 on success, -1 on bad input (naming the culprit is the
 * caller's job: every function checks one dealer's material).
 */
#ifndef VOTESRV_THRESHOLD_H
#define VOTESRV_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include "group.h"
#include "proof.h"
#include "rng.h"

#define THRESHOLD_MAX_TRUSTEES 64
#define THRESHOLD_SHARE_PLAIN_BYTES (8 + 8 + GROUP_SCALAR_BYTES)
#define THRESHOLD_SHARE_SEALED_BYTES (THRESHOLD_SHARE_PLAIN_BYTES + crypto_box_SEALBYTES)
#define THRESHOLD_BOX_PK_BYTES crypto_box_PUBLICKEYBYTES
#define THRESHOLD_BOX_SK_BYTES crypto_box_SECRETKEYBYTES

/* Dealer i's secret polynomial; wipe with threshold_poly_wipe. */
typedef struct {
    size_t t;
    group_scalar a[THRESHOLD_MAX_TRUSTEES];
} threshold_poly;

/* Draw the polynomial (t coefficients in order), write its commitments
 * (t * 32 bytes) and the proof of knowledge of a_0, whose aux string
 * le64(i) || C_0 || ... || C_{t-1} binds all the commitments to dealer i. */
int threshold_deal(threshold_poly *f, uint8_t *commitments, proof_pok *pok,
                   const uint8_t ctx[PROOF_CTX_BYTES], uint64_t i, size_t t,
                   rng_drbg *rng);
void threshold_poly_wipe(threshold_poly *f);
/* Dealer i's share for trustee j, sealed to j's box public key. */
int threshold_share_seal(uint8_t out[THRESHOLD_SHARE_SEALED_BYTES], const threshold_poly *f,
                         uint64_t i, uint64_t j, const uint8_t box_pk[THRESHOLD_BOX_PK_BYTES]);
/* Check dealer i's commitments and proof. */
MUST_CHECK
int threshold_commitments_verify(const uint8_t *commitments, size_t t, const proof_pok *pok,
                                 const uint8_t ctx[PROOF_CTX_BYTES], uint64_t i);
/* Trustee j opens dealer i's sealed share and checks it against i's commitments. */
MUST_CHECK
int threshold_share_open(group_scalar *share, const uint8_t in[THRESHOLD_SHARE_SEALED_BYTES],
                         uint64_t i, uint64_t j, const uint8_t *commitments, size_t t,
                         const uint8_t box_pk[THRESHOLD_BOX_PK_BYTES],
                         const uint8_t box_sk[THRESHOLD_BOX_SK_BYTES]);
/* H = sum_i C_{i,0}; all_commitments holds n dealers' t commitments in a row. */
int threshold_joint_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t *all_commitments,
                        size_t n, size_t t);
/* X_j = sum_i sum_k j^k C_{i,k}. */
int threshold_verification_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t *all_commitments,
                               size_t n, size_t t, uint64_t j);
/* Lagrange coefficient at 0 of index j within the quorum q[0..nq). */
int threshold_lagrange(group_scalar *lambda, const uint64_t *q, size_t nq, uint64_t j);
/* M = beta - sum lambda_j D_j over the quorum; D_j are encoded factors. */
int threshold_combine(group_point *m_g, const group_point *beta, const uint64_t *q,
                      const uint8_t (*factors)[GROUP_POINT_BYTES], size_t nq);

#endif
