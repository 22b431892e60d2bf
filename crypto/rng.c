/* rng.c - system and deterministic (test-vector) randomness. */
#include "rng.h"

#include <string.h>
#include <sodium.h>

void rng_drbg_init(rng_drbg *d, const uint8_t seed[RNG_SEED_BYTES])
{
    memcpy(d->seed, seed, RNG_SEED_BYTES);
    d->counter = 0;
}

void rng_bytes64(rng_drbg *d, uint8_t out[64])
{
    uint8_t n[8], sub[randombytes_SEEDBYTES];

    if (d == NULL) {
        randombytes_buf(out, 64);
        return;
    }
    for (int i = 0; i < 8; i++)
        n[i] = (uint8_t)(d->counter >> (8 * i));
    d->counter++;
    crypto_generichash(sub, sizeof sub, n, sizeof n, d->seed, RNG_SEED_BYTES);
    randombytes_buf_deterministic(out, 64, sub);
    sodium_memzero(sub, sizeof sub);
}

int rng_scalar(rng_drbg *d, group_scalar *s)
{
    uint8_t wide[64];

    rng_bytes64(d, wide);
    group_scalar_reduce(s, wide);
    sodium_memzero(wide, sizeof wide);
    return group_scalar_is_zero(s) ? -1 : 0;
}
