/* test_threshold.c - distributed key generation and threshold decryption,
 * for random t-of-n up to 5-of-7, with faulty dealers and trustees caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define MAXN TU_MAXN

static uint8_t ctx[PROOF_CTX_BYTES];


static int setup(void **state)
{
    (void)state;
    if (crypto_init() != 0)
        return -1;
    crypto_generichash(ctx, sizeof ctx, (const uint8_t *)"ceremony", 8, NULL, 0);
    return 0;
}

/* Decrypt ct with the trustees of quorum q (1-based), all proofs checked. */
static int quorum_decrypt(const tu_ceremony *c, const elgamal_ct *ct, const uint64_t *q,
                          size_t nq, const dlog_table *dl, uint64_t *m)
{
    uint8_t flat[MAXN * MAXN * GROUP_POINT_BYTES], d[MAXN][GROUP_POINT_BYTES], xk[32];
    uint8_t alpha[32];
    group_point m_g;

    tu_flat_commitments(flat, c);
    group_point_encode(alpha, &ct->a);
    for (size_t a = 0; a < nq; a++) {
        proof_dec p;

        assert_int_equal(threshold_verification_key(xk, flat, c->n, c->t, q[a]), 0);
        assert_int_equal(proof_dec_create(&p, ctx, &c->share[q[a] - 1], xk, &ct->a, d[a],
                                          NULL), 0);
        assert_int_equal(proof_dec_verify(&p, ctx, xk, alpha, d[a]), 0);
    }
    assert_int_equal(threshold_combine(&m_g, &ct->b, q, (const uint8_t (*)[32])d, nq), 0);
    return dlog_solve(dl, &m_g, m);
}

static void random_quorum(uint64_t *q, size_t n, size_t size)
{
    uint64_t all[MAXN];

    for (size_t i = 0; i < n; i++)
        all[i] = i + 1;
    for (size_t i = 0; i < size; i++) {
        size_t pick = i + randombytes_uniform((uint32_t)(n - i));
        uint64_t tmp = all[i];

        all[i] = all[pick];
        all[pick] = tmp;
        q[i] = all[i];
    }
}

static void test_random_t_of_n(void **state)
{
    static tu_ceremony c;
    dlog_table *dl = dlog_table_new(1000);

    (void)state;
    for (size_t n = 1; n <= MAXN; n++) {
        for (size_t t = 1; t <= n && t <= 5; t++) {
            elgamal_pk pk;
            elgamal_ct ct, sum;
            uint64_t q[MAXN], m, expect = 0;
            size_t nq = t + randombytes_uniform((uint32_t)(n - t + 1));

            assert_int_equal(tu_run_ceremony(&c, n, t, ctx), 0);
            assert_int_equal(elgamal_pk_load(&pk, c.joint), 0);
            elgamal_ct_zero(&sum);
            for (int v = 0; v < 7; v++) {
                uint64_t val = randombytes_uniform(30);

                assert_int_equal(elgamal_encrypt(&ct, &pk, val, NULL, NULL), 0);
                elgamal_ct_add(&sum, &sum, &ct);
                expect += val;
            }
            random_quorum(q, n, nq);
            assert_int_equal(quorum_decrypt(&c, &sum, q, nq, dl, &m), 0);
            assert_int_equal(m, expect);
            if (t > 1) { /* fewer than t trustees learn nothing usable */
                int rc = quorum_decrypt(&c, &sum, q, t - 1, dl, &m);

                assert_true(rc != 0 || m != expect);
            }
            elgamal_pk_clear(&pk);
        }
    }
    dlog_table_free(dl);
}

static void test_faulty_dealer_is_caught(void **state)
{
    static tu_ceremony c;
    threshold_poly f;
    group_scalar y;
    uint8_t sealed[THRESHOLD_SHARE_SEALED_BYTES], com2[3][32];
    proof_pok pok2;

    (void)state;
    assert_int_equal(tu_run_ceremony(&c, 4, 3, ctx), 0);
    /* a share that does not match its dealer's commitments */
    assert_int_equal(threshold_deal(&f, com2[0], &pok2, ctx, 2, 3, NULL), 0);
    assert_int_equal(threshold_share_seal(sealed, &f, 2, 1, c.box_pk[0]), 0);
    threshold_poly_wipe(&f);
    assert_int_equal(threshold_share_open(&y, sealed, 2, 1, c.com[1][0], 3, c.box_pk[0],
                                          c.box_sk[0]), -1);
    /* the right share, announced for another recipient or dealer */
    assert_int_equal(threshold_share_open(&y, c.sealed[1][0], 2, 2, c.com[1][0], 3,
                                          c.box_pk[0], c.box_sk[0]), -1);
    assert_int_equal(threshold_share_open(&y, c.sealed[1][0], 3, 1, c.com[1][0], 3,
                                          c.box_pk[0], c.box_sk[0]), -1);
    /* a sealed share altered in transit, or opened by someone else */
    memcpy(sealed, c.sealed[1][0], sizeof sealed);
    tu_flip(sealed, 8 * 40);
    assert_int_equal(threshold_share_open(&y, sealed, 2, 1, c.com[1][0], 3, c.box_pk[0],
                                          c.box_sk[0]), -1);
    assert_int_equal(threshold_share_open(&y, c.sealed[1][0], 2, 1, c.com[1][0], 3,
                                          c.box_pk[1], c.box_sk[1]), -1);
    /* commitments with a proof that belongs to another dealer or election */
    assert_int_equal(threshold_commitments_verify(c.com[1][0], 3, &c.pok[2], ctx, 2), -1);
    assert_int_equal(threshold_commitments_verify(c.com[1][0], 3, &c.pok[1], ctx, 3), -1);
    memcpy(com2, c.com[1], sizeof com2);
    memcpy(com2[1], c.com[2][1], 32); /* a valid point, but not the dealer's */
    assert_int_equal(threshold_commitments_verify(com2[0], 3, &c.pok[1], ctx, 2), -1);
}

static void test_lagrange_edge_cases(void **state)
{
    group_scalar l;
    const uint64_t q[] = { 1, 3, 3 }, q1[] = { 1 }, zero[] = { 0, 2 };

    (void)state;
    assert_int_equal(threshold_lagrange(&l, q, 3, 1), -1);      /* duplicate index */
    assert_int_equal(threshold_lagrange(&l, q, 2, 2), -1);      /* not in quorum */
    assert_int_equal(threshold_lagrange(&l, zero, 2, 2), -1);   /* index 0 */
    assert_int_equal(threshold_lagrange(&l, q1, 1, 1), 0);
    {
        group_scalar one;

        group_scalar_set_u64(&one, 1);
        assert_true(group_scalar_equal(&l, &one));
    }
}

/* Factors of the delegates of q (proofs checked against their verification
 * keys) and of the president (checked against X_P). */
static void bureau_factors(const tu_ceremony *c, const group_scalar *xp,
                           const uint8_t xp_pub[32],
                           const elgamal_ct *ct, const uint64_t *q, size_t nq,
                           uint8_t dp[32], uint8_t (*d)[GROUP_POINT_BYTES])
{
    uint8_t flat[MAXN * MAXN * GROUP_POINT_BYTES], xk[32], alpha[32];
    proof_dec p;

    tu_flat_commitments(flat, c);
    group_point_encode(alpha, &ct->a);
    for (size_t a = 0; a < nq; a++) {
        assert_int_equal(threshold_verification_key(xk, flat, c->n, c->t, q[a]), 0);
        assert_int_equal(proof_dec_create(&p, ctx, &c->share[q[a] - 1], xk, &ct->a, d[a], NULL),
                         0);
        assert_int_equal(proof_dec_verify(&p, ctx, xk, alpha, d[a]), 0);
    }
    assert_int_equal(proof_dec_create(&p, ctx, xp, xp_pub, &ct->a, dp, NULL), 0);
    assert_int_equal(proof_dec_verify(&p, ctx, xp_pub, alpha, dp), 0);
}

/* The bureau: president + m delegates (2-of-m). The president with any two
 * delegates decrypts; the president with one, or every delegate without the
 * president, does not. */
static void test_bureau_access_structure(void **state)
{
    static tu_ceremony c;
    dlog_table *dl = dlog_table_new(1000);
    group_scalar xp;
    uint8_t xp_pub[32], flat[MAXN * MAXN * GROUP_POINT_BYTES], joint[32], dp[32], d[MAXN][32];
    proof_pok pok;
    elgamal_pk pk;
    elgamal_ct ct;
    group_point m_g, beta_minus;
    uint64_t q[MAXN], m;

    (void)state;
    assert_int_equal(bureau_composition_check(1), -1);      /* two holders: too few */
    assert_int_equal(bureau_composition_check(2), 0);
    assert_int_equal(bureau_quorum_check(BUREAU_ACT_DECRYPT, 1, 2), 0);
    assert_int_equal(bureau_quorum_check(BUREAU_ACT_DECRYPT, 1, 1), -1);
    assert_int_equal(bureau_quorum_check(BUREAU_ACT_DECRYPT, 0, 5), -1);
    assert_int_equal(bureau_quorum_check(BUREAU_ACT_SEAL, 1, 1), 0);
    assert_int_equal(bureau_quorum_check(BUREAU_ACT_SEAL, 0, 3), -1);
    for (size_t n = 2; n <= 5; n++) {
        assert_int_equal(tu_run_ceremony(&c, n, BUREAU_DELEGATE_QUORUM, ctx), 0);
        assert_int_equal(bureau_president_keygen(&xp, xp_pub, &pok, ctx, NULL), 0);
        assert_int_equal(bureau_president_verify(xp_pub, &pok, ctx), 0);
        tu_flat_commitments(flat, &c);
        assert_int_equal(bureau_joint_key(joint, xp_pub, flat, n), 0);
        assert_int_equal(elgamal_pk_load(&pk, joint), 0);
        assert_int_equal(elgamal_encrypt(&ct, &pk, 42, NULL, NULL), 0);
        random_quorum(q, n, 2);
        bureau_factors(&c, &xp, xp_pub, &ct, q, 2, dp, d);
        assert_int_equal(bureau_combine(&m_g, &ct.b, dp, q, (const uint8_t (*)[32])d, 2), 0);
        assert_int_equal(dlog_solve(dl, &m_g, &m), 0);
        assert_int_equal(m, 42);
        /* one delegate is refused outright */
        assert_int_equal(bureau_combine(&m_g, &ct.b, dp, q, (const uint8_t (*)[32])d, 1), -1);
        /* all the delegates without the president's factor: wrong plaintext */
        random_quorum(q, n, n);
        bureau_factors(&c, &xp, xp_pub, &ct, q, n, dp, d);
        assert_int_equal(threshold_combine(&beta_minus, &ct.b, q, (const uint8_t (*)[32])d, n),
                         0);
        assert_true(dlog_solve(dl, &beta_minus, &m) != 0 || m != 42);
        /* the president's proof is bound to the role and the context */
        assert_int_equal(bureau_president_verify(c.com[0][0], &pok, ctx), -1);
        elgamal_pk_clear(&pk);
        group_scalar_wipe(&xp);
    }
    assert_int_equal(bureau_joint_key(joint, xp_pub, flat, 1), -1);
    dlog_table_free(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_t_of_n),
        cmocka_unit_test(test_faulty_dealer_is_caught),
        cmocka_unit_test(test_lagrange_edge_cases),
        cmocka_unit_test(test_bureau_access_structure),
    };
    return cmocka_run_group_tests_name("threshold", tests, setup, NULL);
}
