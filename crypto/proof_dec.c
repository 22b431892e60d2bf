/* proof_dec.c - Chaum-Pedersen proof of a correct (partial) decryption. */
#include "proof.h"
#include "transcript.h"

static void dec_challenge(group_scalar *c, const uint8_t ctx[PROOF_CTX_BYTES],
                          const uint8_t x_pub[GROUP_POINT_BYTES],
                          const uint8_t alpha[GROUP_POINT_BYTES],
                          const uint8_t d[GROUP_POINT_BYTES], const proof_dec *p)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/dec", GROUP_SCALAR_WIDE_BYTES);
    transcript_put(&t, ctx, PROOF_CTX_BYTES);
    transcript_put(&t, x_pub, GROUP_POINT_BYTES);
    transcript_put(&t, alpha, GROUP_POINT_BYTES);
    transcript_put(&t, d, GROUP_POINT_BYTES);
    transcript_put(&t, p->a, GROUP_POINT_BYTES);
    transcript_put(&t, p->b, GROUP_POINT_BYTES);
    transcript_challenge(&t, c);
}

int proof_dec_create(proof_dec *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const group_scalar *x, const uint8_t x_pub[GROUP_POINT_BYTES],
                     const group_point *alpha, uint8_t d_out[GROUP_POINT_BYTES],
                     rng_drbg *rng)
{
    group_scalar w, c;
    group_point b, d;
    uint8_t alpha_enc[GROUP_POINT_BYTES];

    if (proof_commit(&w, p->a, rng) != 0)
        return -1;
    group_point_mul(&d, alpha, x);
    group_point_encode(d_out, &d);
    group_point_mul(&b, alpha, &w);
    group_point_encode(p->b, &b);
    group_point_encode(alpha_enc, alpha);
    dec_challenge(&c, ctx, x_pub, alpha_enc, d_out, p);
    proof_respond(p->s, &w, &c, x);
    return 0;
}

int proof_dec_verify(const proof_dec *p, const uint8_t ctx[PROOF_CTX_BYTES],
                     const uint8_t x_pub[GROUP_POINT_BYTES],
                     const uint8_t alpha_enc[GROUP_POINT_BYTES],
                     const uint8_t d_enc[GROUP_POINT_BYTES])
{
    group_point x, alpha, d, a, b, r;
    group_scalar s, c;

    if (group_point_decode(&x, x_pub, GROUP_NO_IDENTITY) != 0 ||
        group_point_decode(&alpha, alpha_enc, GROUP_ALLOW_IDENTITY) != 0 ||
        group_point_decode(&d, d_enc, GROUP_ALLOW_IDENTITY) != 0 ||
        group_point_decode(&a, p->a, GROUP_NO_IDENTITY) != 0 ||
        group_point_decode(&b, p->b, GROUP_ALLOW_IDENTITY) != 0 ||
        group_scalar_decode(&s, p->s) != 0)
        return -1;
    dec_challenge(&c, ctx, x_pub, alpha_enc, d_enc, p);
    group_scalar_negate(&c, &c);
    /* s*G - c*X = A */
    group_point_mul2_base_vartime(&r, &s, &x, &c);
    if (!group_point_equal(&r, &a))
        return -1;
    /* s*alpha - c*D = B */
    group_point_mul2(&r, &alpha, &s, &d, &c);
    return group_point_equal(&r, &b) ? 0 : -1;
}
