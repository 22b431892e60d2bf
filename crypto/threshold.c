/* threshold.c - joint Feldman key generation, share checks, Lagrange combination. */
#include "threshold.h"

#include <string.h>

static void le64_put(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le64_get(const uint8_t in[8])
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

static int index_ok(uint64_t i)
{
    return i >= 1 && i <= THRESHOLD_MAX_TRUSTEES;
}

#define POK_AUX_MAX (8 + THRESHOLD_MAX_TRUSTEES * GROUP_POINT_BYTES)

/* aux = le64(i) || C_{i,0} || ... || C_{i,t-1}: the proof binds every commitment. */
static size_t pok_aux(uint8_t *aux, uint64_t i, const uint8_t *commitments, size_t t)
{
    le64_put(aux, i);
    memcpy(aux + 8, commitments, t * GROUP_POINT_BYTES);
    return 8 + t * GROUP_POINT_BYTES;
}

int threshold_deal(threshold_poly *f, uint8_t *commitments, proof_pok *pok,
                   const uint8_t ctx[PROOF_CTX_BYTES], uint64_t i, size_t t,
                   rng_drbg *rng)
{
    group_point c;
    uint8_t aux[POK_AUX_MAX];
    size_t auxlen;

    if (!index_ok(i) || t < 1 || t > THRESHOLD_MAX_TRUSTEES)
        return -1;
    f->t = t;
    for (size_t k = 0; k < t; k++) {
        if (rng_scalar(rng, &f->a[k]) != 0) {
            threshold_poly_wipe(f);
            return -1;
        }
    }
    for (size_t k = 0; k < t; k++) {
        group_table_mul(&c, group_table_generator(), &f->a[k]);
        group_point_encode(commitments + k * GROUP_POINT_BYTES, &c);
    }
    auxlen = pok_aux(aux, i, commitments, t);
    return proof_pok_create(pok, ctx, &f->a[0], commitments, aux, auxlen, rng);
}

void threshold_poly_wipe(threshold_poly *f)
{
    sodium_memzero(f, sizeof *f);
}

/* f(j) by Horner's rule. */
static void poly_eval(group_scalar *out, const threshold_poly *f, uint64_t j)
{
    group_scalar x;

    group_scalar_set_u64(&x, j);
    *out = f->a[f->t - 1];
    for (size_t k = f->t - 1; k-- > 0;) {
        group_scalar_mul(out, out, &x);
        group_scalar_add(out, out, &f->a[k]);
    }
}

int threshold_share_seal(uint8_t out[THRESHOLD_SHARE_SEALED_BYTES], const threshold_poly *f,
                         uint64_t i, uint64_t j, const uint8_t box_pk[THRESHOLD_BOX_PK_BYTES])
{
    uint8_t plain[THRESHOLD_SHARE_PLAIN_BYTES];
    group_scalar y;
    int rc;

    if (!index_ok(i) || !index_ok(j))
        return -1;
    poly_eval(&y, f, j);
    le64_put(plain, i);
    le64_put(plain + 8, j);
    group_scalar_encode(plain + 16, &y);
    rc = crypto_box_seal(out, plain, sizeof plain, box_pk);
    sodium_memzero(plain, sizeof plain);
    group_scalar_wipe(&y);
    return rc == 0 ? 0 : -1;
}

/* sum_k j^k C_k over decoded commitments; -1 on a bad encoding. */
static int commitments_eval(group_point *out, const uint8_t *commitments, size_t t, uint64_t j)
{
    group_point c;
    group_scalar x;

    group_scalar_set_u64(&x, j);
    group_point_identity(out);
    for (size_t k = t; k-- > 0;) {
        if (group_point_decode(&c, commitments + k * GROUP_POINT_BYTES, GROUP_NO_IDENTITY) != 0)
            return -1;
        group_point_mul(out, out, &x);      /* Horner: out = out*j + C_k */
        group_point_add(out, out, &c);
    }
    return 0;
}

int threshold_commitments_verify(const uint8_t *commitments, size_t t, const proof_pok *pok,
                                 const uint8_t ctx[PROOF_CTX_BYTES], uint64_t i)
{
    group_point c;
    uint8_t aux[POK_AUX_MAX];
    size_t auxlen;

    if (!index_ok(i) || t < 1 || t > THRESHOLD_MAX_TRUSTEES)
        return -1;
    for (size_t k = 0; k < t; k++)
        if (group_point_decode(&c, commitments + k * GROUP_POINT_BYTES, GROUP_NO_IDENTITY) != 0)
            return -1;
    auxlen = pok_aux(aux, i, commitments, t);
    return proof_pok_verify(pok, ctx, commitments, aux, auxlen);
}

int threshold_share_open(group_scalar *share, const uint8_t in[THRESHOLD_SHARE_SEALED_BYTES],
                         uint64_t i, uint64_t j, const uint8_t *commitments, size_t t,
                         const uint8_t box_pk[THRESHOLD_BOX_PK_BYTES],
                         const uint8_t box_sk[THRESHOLD_BOX_SK_BYTES])
{
    uint8_t plain[THRESHOLD_SHARE_PLAIN_BYTES];
    group_point expect, got;
    int rc = -1;

    if (!index_ok(i) || !index_ok(j) || t < 1 || t > THRESHOLD_MAX_TRUSTEES)
        return -1;
    if (crypto_box_seal_open(plain, in, THRESHOLD_SHARE_SEALED_BYTES, box_pk, box_sk) != 0)
        return -1;
    if (le64_get(plain) != i || le64_get(plain + 8) != j ||
        group_scalar_decode(share, plain + 16) != 0)
        goto out;
    if (commitments_eval(&expect, commitments, t, j) != 0)
        goto out;
    group_table_mul(&got, group_table_generator(), share);
    rc = group_point_equal(&got, &expect) ? 0 : -1;
out:
    sodium_memzero(plain, sizeof plain);
    if (rc != 0)
        group_scalar_wipe(share);
    return rc;
}

int threshold_joint_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t *all_commitments,
                        size_t n, size_t t)
{
    group_point h, c;

    if (n < 1 || n > THRESHOLD_MAX_TRUSTEES || t < 1 || t > n)
        return -1;
    group_point_identity(&h);
    for (size_t i = 0; i < n; i++) {
        if (group_point_decode(&c, all_commitments + i * t * GROUP_POINT_BYTES,
                               GROUP_NO_IDENTITY) != 0)
            return -1;
        group_point_add(&h, &h, &c);
    }
    if (group_point_is_identity(&h))
        return -1;
    group_point_encode(out, &h);
    return 0;
}

int threshold_verification_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t *all_commitments,
                               size_t n, size_t t, uint64_t j)
{
    group_point x, e;

    if (n < 1 || n > THRESHOLD_MAX_TRUSTEES || t < 1 || t > n || !index_ok(j))
        return -1;
    group_point_identity(&x);
    for (size_t i = 0; i < n; i++) {
        if (commitments_eval(&e, all_commitments + i * t * GROUP_POINT_BYTES, t, j) != 0)
            return -1;
        group_point_add(&x, &x, &e);
    }
    if (group_point_is_identity(&x))
        return -1;
    group_point_encode(out, &x);
    return 0;
}

int threshold_lagrange(group_scalar *lambda, const uint64_t *q, size_t nq, uint64_t j)
{
    group_scalar num, den, m, d, inv;
    int found = 0;

    group_scalar_set_u64(&num, 1);
    group_scalar_set_u64(&den, 1);
    for (size_t a = 0; a < nq; a++) {
        if (!index_ok(q[a]))
            return -1;
        for (size_t b = a + 1; b < nq; b++)
            if (q[a] == q[b])
                return -1;
        if (q[a] == j) {
            found = 1;
            continue;
        }
        group_scalar_set_u64(&m, q[a]);
        group_scalar_set_u64(&d, j);
        group_scalar_sub(&d, &m, &d);     /* m - j */
        group_scalar_mul(&num, &num, &m);
        group_scalar_mul(&den, &den, &d);
    }
    if (!found || group_scalar_invert(&inv, &den) != 0)
        return -1;
    group_scalar_mul(lambda, &num, &inv);
    return 0;
}

int threshold_combine(group_point *m_g, const group_point *beta, const uint64_t *q,
                      const uint8_t (*factors)[GROUP_POINT_BYTES], size_t nq)
{
    group_point d, sum;
    group_scalar lambda;

    group_point_identity(&sum);
    for (size_t a = 0; a < nq; a++) {
        if (threshold_lagrange(&lambda, q, nq, q[a]) != 0 ||
            group_point_decode(&d, factors[a], GROUP_ALLOW_IDENTITY) != 0)
            return -1;
        group_point_mul(&d, &d, &lambda);
        group_point_add(&sum, &sum, &d);
    }
    group_point_sub(m_g, beta, &sum);
    return 0;
}
