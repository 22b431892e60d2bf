/* proof_pok.c - Schnorr proof of knowledge of a discrete log. */
#include "proof.h"
#include "transcript.h"

static void pok_challenge(group_scalar *c, const uint8_t ctx[PROOF_CTX_BYTES],
                          const uint8_t x_pub[GROUP_POINT_BYTES],
                          const uint8_t a[GROUP_POINT_BYTES],
                          const uint8_t *aux, size_t auxlen)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/pok", GROUP_SCALAR_WIDE_BYTES);
    transcript_put(&t, ctx, PROOF_CTX_BYTES);
    transcript_put(&t, x_pub, GROUP_POINT_BYTES);
    transcript_put(&t, a, GROUP_POINT_BYTES);
    transcript_put(&t, aux, auxlen);
    transcript_challenge(&t, c);
}

int proof_commit(group_scalar *w, uint8_t a[GROUP_POINT_BYTES], rng_drbg *rng)
{
    group_point p;

    if (rng_scalar(rng, w) != 0)
        return -1;
    group_table_mul(&p, group_table_generator(), w);
    group_point_encode(a, &p);
    return 0;
}

void proof_respond(uint8_t s[GROUP_SCALAR_BYTES], group_scalar *w, const group_scalar *c,
                   const group_scalar *x)
{
    group_scalar t;

    group_scalar_mul(&t, c, x);
    group_scalar_add(&t, &t, w);
    group_scalar_encode(s, &t);
    group_scalar_wipe(&t);
    group_scalar_wipe(w);
}

int proof_pok_create(proof_pok *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const group_scalar *x, const uint8_t x_pub[GROUP_POINT_BYTES],
                     const uint8_t *aux, size_t auxlen, rng_drbg *rng)
{
    group_scalar w, c;

    if (proof_commit(&w, p->a, rng) != 0)
        return -1;
    pok_challenge(&c, ctx, x_pub, p->a, aux, auxlen);
    proof_respond(p->s, &w, &c, x);
    return 0;
}

int proof_pok_verify(const proof_pok *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const uint8_t x_pub[GROUP_POINT_BYTES],
                     const uint8_t *aux, size_t auxlen)
{
    group_point x, a, r;
    group_scalar s, c;

    if (group_point_decode(&x, x_pub, GROUP_NO_IDENTITY) != 0 ||
        group_point_decode(&a, p->a, GROUP_NO_IDENTITY) != 0 ||
        group_scalar_decode(&s, p->s) != 0)
        return -1;
    pok_challenge(&c, ctx, x_pub, p->a, aux, auxlen);
    /* s*G - c*X must equal A */
    group_scalar_negate(&c, &c);
    group_point_mul2_base_vartime(&r, &s, &x, &c);
    return group_point_equal(&r, &a) ? 0 : -1;
}
