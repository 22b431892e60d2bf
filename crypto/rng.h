/*
 * rng.h - where random scalars come from.
 *
 * NULL means the system generator (randombytes_buf). A deterministic generator
 * exists only to reproduce the test vectors of docs/protocol.md section 10.
 */
#ifndef VOTESRV_RNG_H
#define VOTESRV_RNG_H

#include <stdint.h>
#include "group.h"

#define RNG_SEED_BYTES 32

typedef struct {
    uint8_t seed[RNG_SEED_BYTES];
    uint64_t counter;
} rng_drbg;

void rng_drbg_init(rng_drbg *d, const uint8_t seed[RNG_SEED_BYTES]);
/* 64 bytes: from the system when d is NULL, else draw number d->counter++. */
void rng_bytes64(rng_drbg *d, uint8_t out[64]);
/* A uniform scalar. Returns -1 if it is zero (a broken generator). */
int rng_scalar(rng_drbg *d, group_scalar *s);

#endif
