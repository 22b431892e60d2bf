/*
 * elgamal.h - exponential ElGamal over ristretto255 (docs/protocol.md section 3).
 */
#ifndef VOTESRV_ELGAMAL_H
#define VOTESRV_ELGAMAL_H

#include <stdint.h>
#include "batch.h"
#include "group.h"
#include "rng.h"

#define ELGAMAL_PK_BYTES GROUP_POINT_BYTES
#define ELGAMAL_SK_BYTES GROUP_SCALAR_BYTES
#define ELGAMAL_CT_BYTES (2 * GROUP_POINT_BYTES)

/* A public key with its tables: constant-time encryption, fast verification. */
typedef struct {
    group_point h;
    uint8_t bytes[ELGAMAL_PK_BYTES];
    group_table *table;
    batch_table *vtable;
} elgamal_pk;

/* A ciphertext. `bytes` is its encoding, valid after elgamal_encrypt*,
 * elgamal_ct_decode and elgamal_ct_encode (not after elgamal_ct_add). */
typedef struct {
    group_point a, b;
    uint8_t bytes[ELGAMAL_CT_BYTES];
} elgamal_ct;

/* Load a public key (identity refused) and build its tables. -1 on bad input. */
MUST_CHECK
int  elgamal_pk_load(elgamal_pk *pk, const uint8_t in[ELGAMAL_PK_BYTES]);
void elgamal_pk_clear(elgamal_pk *pk);
/* A fresh key pair; the public key is loaded. -1 on randomness failure. */
int  elgamal_keypair(elgamal_pk *pk, group_scalar *sk, rng_drbg *rng);

/* Encrypt m with fresh r (returned in r_out if not NULL). -1 on randomness failure. */
int  elgamal_encrypt(elgamal_ct *ct, const elgamal_pk *pk, uint64_t m,
                     group_scalar *r_out, rng_drbg *rng);
/* Encrypt a bit in constant time with respect to the bit. */
int  elgamal_encrypt_bit(elgamal_ct *ct, const elgamal_pk *pk, unsigned bit,
                         group_scalar *r_out, rng_drbg *rng);

/* Strict decoding: the identity is refused unless allow_identity. */
MUST_CHECK
int  elgamal_ct_decode(elgamal_ct *ct, const uint8_t in[ELGAMAL_CT_BYTES], int allow_identity);
void elgamal_ct_encode(elgamal_ct *ct);
void elgamal_ct_zero(elgamal_ct *ct);
void elgamal_ct_add(elgamal_ct *r, const elgamal_ct *x, const elgamal_ct *y);

/* M = b - sk*a = m*G. */
void elgamal_decrypt(group_point *m_g, const group_scalar *sk, const elgamal_ct *ct);

#endif
