/* proof_disj.c - disjunctive Chaum-Pedersen proof that a ciphertext encrypts
 * a value in [min, max] (docs/protocol.md section 5.2). */
#include "proof.h"
#include "transcript.h"

#include <sodium.h>

int proof_disj_branches(uint64_t min, uint64_t max)
{
    if (max < min || max - min >= PROOF_DISJ_MAX_VALUES)
        return -1;
    return (int)(max - min + 1);
}

/* 1 if a == b, else 0, without branches. */
static unsigned ct_eq_u64(uint64_t a, uint64_t b)
{
    uint64_t d = a ^ b;

    return (unsigned)(1 ^ ((d | (0 - d)) >> 63));
}

static void disj_challenge(group_scalar *c, const proof_branch *br, int n,
                           const proof_disj_statement *st)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/disj", GROUP_SCALAR_WIDE_BYTES);
    transcript_put(&t, st->ctx, PROOF_CTX_BYTES);
    transcript_put(&t, st->pk->bytes, ELGAMAL_PK_BYTES);
    transcript_put(&t, st->ct->bytes, GROUP_POINT_BYTES);
    transcript_put(&t, st->ct->bytes + GROUP_POINT_BYTES, GROUP_POINT_BYTES);
    transcript_put_u64(&t, (uint64_t)n);
    for (int j = 0; j < n; j++)
        transcript_put_u64(&t, st->min + (uint64_t)j);
    for (int j = 0; j < n; j++) {
        transcript_put(&t, br[j].a, GROUP_POINT_BYTES);
        transcript_put(&t, br[j].b, GROUP_POINT_BYTES);
    }
    transcript_put(&t, st->aux, st->auxlen);
    transcript_challenge(&t, c);
}

/* B_j = u_j*H + e_j*G for every j. With two branches only the simulated one
 * has e_j != 0: compute (e_0 + e_1)*G once and select where it goes. */
static void disj_commit_b(group_point *bp, const group_point *uh,
                          const group_scalar *e, const unsigned *real, int n)
{
    const group_table *gt = group_table_generator();
    group_point eg, o, add;

    if (n == 2) {
        group_scalar sum;

        group_scalar_add(&sum, &e[0], &e[1]);
        group_table_mul(&eg, gt, &sum);
        group_point_identity(&o);
        for (int j = 0; j < 2; j++) {
            group_point_select(&add, &o, &eg, real[j]);
            group_point_add(&bp[j], &uh[j], &add);
        }
        return;
    }
    for (int j = 0; j < n; j++) {
        group_table_mul(&eg, gt, &e[j]);
        group_point_add(&bp[j], &uh[j], &eg);
    }
}

int proof_disj_create(proof_branch *br, const proof_disj_statement *st,
                      uint64_t m, const group_scalar *r, rng_drbg *rng)
{
    int n = proof_disj_branches(st->min, st->max);
    group_scalar u[PROOF_DISJ_MAX_VALUES], c[PROOF_DISJ_MAX_VALUES];
    group_scalar e[PROOF_DISJ_MAX_VALUES], ms, mj, ch, sum, t;
    group_point uh[PROOF_DISJ_MAX_VALUES], bp[PROOF_DISJ_MAX_VALUES], ap;
    unsigned real[PROOF_DISJ_MAX_VALUES];
    int rc = -1;

    if (n < 0 || m < st->min || m > st->max)
        return -1;
    for (int j = 0; j < n; j++)
        if (rng_scalar(rng, &u[j]) != 0 || rng_scalar(rng, &c[j]) != 0)
            goto out;
    group_scalar_set_u64(&ms, m);
    for (int j = 0; j < n; j++) {
        real[j] = ct_eq_u64(m, st->min + (uint64_t)j);
        group_scalar_set_u64(&mj, st->min + (uint64_t)j);
        group_scalar_sub(&t, &mj, &ms);
        group_scalar_mul(&e[j], &c[j], &t);
        group_table_mul(&ap, group_table_generator(), &u[j]);
        group_table_mul(&uh[j], st->pk->table, &u[j]);
        group_point_encode(br[j].a, &ap);
    }
    disj_commit_b(bp, uh, e, real, n);
    for (int j = 0; j < n; j++)
        group_point_encode(br[j].b, &bp[j]);
    disj_challenge(&ch, br, n, st);
    group_scalar_zero(&sum);
    for (int j = 0; j < n; j++)
        group_scalar_add(&sum, &sum, &c[j]);
    for (int j = 0; j < n; j++) {
        /* for the real branch: c_k = ch - (sum - c_k) */
        group_scalar_sub(&t, &sum, &c[j]);
        group_scalar_sub(&t, &ch, &t);
        group_scalar_select(&c[j], &t, &c[j], real[j]);
        group_scalar_mul(&t, &c[j], r);
        group_scalar_add(&t, &t, &u[j]);
        group_scalar_encode(br[j].c, &c[j]);
        group_scalar_encode(br[j].s, &t);
    }
    rc = 0;
out:
    sodium_memzero(u, sizeof u);
    sodium_memzero(e, sizeof e);
    sodium_memzero(real, sizeof real);
    return rc;
}

static void add_to_slots(batch *b, const int *slots, size_t nslots, const group_scalar *k)
{
    for (size_t i = 0; i < nslots; i++)
        batch_coef_add(b, slots[i], k);
}

int proof_disj_batch(batch *b, const proof_branch *br, const proof_disj_statement *st,
                     const int *slots_a, const int *slots_b, size_t nslots)
{
    int n = proof_disj_branches(st->min, st->max);
    group_scalar c[PROOF_DISJ_MAX_VALUES], s[PROOF_DISJ_MAX_VALUES];
    group_scalar ch, sum, z, zc, t, mj, gsum, hsum;
    int sa[PROOF_DISJ_MAX_VALUES], sb[PROOF_DISJ_MAX_VALUES];

    if (n < 0 || !batch_has_h(b, st->pk->vtable))
        return -1;
    group_scalar_zero(&sum);
    for (int j = 0; j < n; j++) {
        sa[j] = batch_point_decode(b, br[j].a, GROUP_NO_IDENTITY);
        sb[j] = batch_point_decode(b, br[j].b, GROUP_NO_IDENTITY);
        if (sa[j] < 0 || sb[j] < 0 || group_scalar_decode(&c[j], br[j].c) != 0 ||
            group_scalar_decode(&s[j], br[j].s) != 0)
            return -1;
        group_scalar_add(&sum, &sum, &c[j]);
    }
    disj_challenge(&ch, br, n, st);
    if (!group_scalar_equal(&sum, &ch))
        return -1;
    /* the G and H coefficients summed here, added once: -(sum of z*s_j +
     * z'*c_j*m_j) on G, -(sum of z'*s_j) on H; m_j = 0 adds nothing to G,
     * m_j = 1 adds z'*c_j itself */
    group_scalar_zero(&gsum);
    group_scalar_zero(&hsum);
    for (int j = 0; j < n; j++) {
        uint64_t m = st->min + (uint64_t)j;

        /* A_j + c_j*alpha - s_j*G = O */
        batch_weight(&z);
        batch_coef_add(b, sa[j], &z);
        group_scalar_mul(&zc, &z, &c[j]);
        add_to_slots(b, slots_a, nslots, &zc);
        group_scalar_mul(&t, &z, &s[j]);
        group_scalar_add(&gsum, &gsum, &t);
        /* B_j + c_j*beta - c_j*m_j*G - s_j*H = O */
        batch_weight(&z);
        batch_coef_add(b, sb[j], &z);
        group_scalar_mul(&zc, &z, &c[j]);
        add_to_slots(b, slots_b, nslots, &zc);
        if (m == 1) {
            group_scalar_add(&gsum, &gsum, &zc);
        } else if (m > 1) {
            group_scalar_set_u64(&mj, m);
            group_scalar_mul(&t, &zc, &mj);
            group_scalar_add(&gsum, &gsum, &t);
        }
        group_scalar_mul(&t, &z, &s[j]);
        group_scalar_add(&hsum, &hsum, &t);
    }
    group_scalar_negate(&gsum, &gsum);
    group_scalar_negate(&hsum, &hsum);
    batch_coef_add(b, BATCH_G, &gsum);
    batch_coef_add(b, BATCH_H, &hsum);
    return 0;
}

int proof_disj_verify(const proof_branch *br, const proof_disj_statement *st)
{
    batch *b = batch_new(st->pk->vtable);
    int sa, sb, rc = -1;

    if (b == NULL)
        return -1;
    sa = batch_point_add(b, &st->ct->a);
    sb = batch_point_add(b, &st->ct->b);
    if (sa >= 0 && sb >= 0 && proof_disj_batch(b, br, st, &sa, &sb, 1) == 0)
        rc = batch_check(b);
    batch_free(b);
    return rc;
}
