/*
 * proof.h - non-interactive zero-knowledge proofs (docs/protocol.md section 5).
 *
 * Proofs are kept in wire form (encoded bytes). `ctx` is the 32-byte election
 * (or ceremony) fingerprint. Creation returns -1 only on randomness failure;
 * verification returns 0 if the proof is valid, -1 on any bad encoding or
 * failed check. The *_batch variants decode into a batch and add the weighted
 * equations; they check the exact scalar conditions themselves, and the caller
 * runs batch_check() once for everything it added.
 */
#ifndef VOTESRV_PROOF_H
#define VOTESRV_PROOF_H

#include <stddef.h>
#include <stdint.h>
#include "batch.h"
#include "elgamal.h"
#include "group.h"
#include "rng.h"

#define PROOF_CTX_BYTES 32
#define PROOF_POK_BYTES 64
#define PROOF_DEC_BYTES 96
#define PROOF_BRANCH_BYTES 128
#define PROOF_DISJ_MAX_VALUES 64

/* Schnorr proof of knowledge of x with X = x*G. */
typedef struct {
    uint8_t a[GROUP_POINT_BYTES];
    uint8_t s[GROUP_SCALAR_BYTES];
} proof_pok;

/* One branch (A_j, B_j, c_j, s_j) of a disjunctive proof. */
typedef struct {
    uint8_t a[GROUP_POINT_BYTES];
    uint8_t b[GROUP_POINT_BYTES];
    uint8_t c[GROUP_SCALAR_BYTES];
    uint8_t s[GROUP_SCALAR_BYTES];
} proof_branch;

/* Proof that D = x*alpha with X = x*G. */
typedef struct {
    uint8_t a[GROUP_POINT_BYTES];
    uint8_t b[GROUP_POINT_BYTES];
    uint8_t s[GROUP_SCALAR_BYTES];
} proof_dec;

/* What a disjunctive proof is about: ct under pk encrypts a value in [min, max]. */
typedef struct {
    const uint8_t *ctx;
    const elgamal_pk *pk;
    const elgamal_ct *ct;       /* points and bytes */
    uint64_t min, max;          /* max - min < PROOF_DISJ_MAX_VALUES */
    const uint8_t *aux;
    size_t auxlen;
} proof_disj_statement;

/* The two halves of every Schnorr-type prover: draw w and write A = w*G
 * (-1 on randomness failure); then write s = w + c*x and wipe w. */
int  proof_commit(group_scalar *w, uint8_t a[GROUP_POINT_BYTES], rng_drbg *rng);
void proof_respond(uint8_t s[GROUP_SCALAR_BYTES], group_scalar *w, const group_scalar *c,
                   const group_scalar *x);

int proof_pok_create(proof_pok *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const group_scalar *x, const uint8_t x_pub[GROUP_POINT_BYTES],
                     const uint8_t *aux, size_t auxlen, rng_drbg *rng);
MUST_CHECK
int proof_pok_verify(const proof_pok *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const uint8_t x_pub[GROUP_POINT_BYTES],
                     const uint8_t *aux, size_t auxlen);

/* Number of branches, or -1 if the range is empty or too wide. */
int proof_disj_branches(uint64_t min, uint64_t max);
/* br has proof_disj_branches(min, max) entries; m in [min, max] and r are the
 * secrets of st->ct. Constant time with respect to m and r. */
int proof_disj_create(proof_branch *br, const proof_disj_statement *st,
                      uint64_t m, const group_scalar *r, rng_drbg *rng);
/* The ciphertext's coefficients go to every slot of slots_a / slots_b (one slot
 * each for a plain ciphertext; the parts of a sum for a sum ciphertext). */
MUST_CHECK
int proof_disj_batch(batch *b, const proof_branch *br, const proof_disj_statement *st,
                     const int *slots_a, const int *slots_b, size_t nslots);
MUST_CHECK
int proof_disj_verify(const proof_branch *br, const proof_disj_statement *st);

/* alpha, D and B may be the identity; X and A may not. */
int proof_dec_create(proof_dec *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const group_scalar *x, const uint8_t x_pub[GROUP_POINT_BYTES],
                     const group_point *alpha, uint8_t d_out[GROUP_POINT_BYTES],
                     rng_drbg *rng);
MUST_CHECK
int proof_dec_verify(const proof_dec *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const uint8_t x_pub[GROUP_POINT_BYTES],
                     const uint8_t alpha[GROUP_POINT_BYTES],
                     const uint8_t d[GROUP_POINT_BYTES]);

#endif
