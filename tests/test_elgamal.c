/* test_elgamal.c - exponential ElGamal and the baby-step giant-step discrete log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static int setup(void **state)
{
    (void)state;
    return crypto_init();
}

static uint64_t small_random(uint64_t bound)
{
    return randombytes_uniform((uint32_t)bound);
}

static void test_roundtrip_and_identity(void **state)
{
    elgamal_pk pk;
    group_scalar sk;
    elgamal_ct ct, back;
    group_point m_g, expect;
    group_scalar ms;
    dlog_table *t = dlog_table_new(1000);
    uint64_t m;

    (void)state;
    assert_non_null(t);
    assert_int_equal(elgamal_keypair(&pk, &sk, NULL), 0);
    for (uint64_t v = 0; v < 20; v++) {
        assert_int_equal(elgamal_encrypt(&ct, &pk, v, NULL, NULL), 0);
        assert_int_equal(elgamal_ct_decode(&back, ct.bytes, GROUP_NO_IDENTITY), 0);
        elgamal_decrypt(&m_g, &sk, &back);
        group_scalar_set_u64(&ms, v);
        group_point_mul_base(&expect, &ms);
        assert_true(group_point_equal(&m_g, &expect));
        assert_int_equal(group_point_is_identity(&m_g), v == 0); /* g^0 is O */
        assert_int_equal(dlog_solve(t, &m_g, &m), 0);
        assert_int_equal(m, v);
    }
    /* a ciphertext whose alpha is O is refused unless aggregates are allowed */
    elgamal_ct_zero(&ct);
    assert_int_equal(elgamal_ct_decode(&back, ct.bytes, GROUP_NO_IDENTITY), -1);
    assert_int_equal(elgamal_ct_decode(&back, ct.bytes, GROUP_ALLOW_IDENTITY), 0);
    elgamal_decrypt(&m_g, &sk, &back);
    assert_int_equal(dlog_solve(t, &m_g, &m), 0);
    assert_int_equal(m, 0);
    dlog_table_free(t);
    elgamal_pk_clear(&pk);
}

static void test_bits_and_homomorphic_sum(void **state)
{
    elgamal_pk pk;
    group_scalar sk;
    elgamal_ct ct, sum;
    group_point m_g;
    dlog_table *t = dlog_table_new(500);
    uint64_t expect = 0, m;

    (void)state;
    assert_int_equal(elgamal_keypair(&pk, &sk, NULL), 0);
    elgamal_ct_zero(&sum);
    for (int i = 0; i < 300; i++) {
        unsigned bit = (unsigned)small_random(2);

        assert_int_equal(elgamal_encrypt_bit(&ct, &pk, bit, NULL, NULL), 0);
        elgamal_ct_add(&sum, &sum, &ct);
        expect += bit;
    }
    elgamal_decrypt(&m_g, &sk, &sum);
    assert_int_equal(dlog_solve(t, &m_g, &m), 0);
    assert_int_equal(m, expect);
    dlog_table_free(t);
    elgamal_pk_clear(&pk);
}

static void test_public_key_loading(void **state)
{
    elgamal_pk pk;
    uint8_t zero[32] = { 0 }, bad[32];

    (void)state;
    assert_int_equal(elgamal_pk_load(&pk, zero), -1);          /* identity key */
    memset(bad, 0xff, sizeof bad);
    assert_int_equal(elgamal_pk_load(&pk, bad), -1);           /* not a point */
}

static void test_dlog_bounds(void **state)
{
    const uint64_t bound = 10000000;  /* 10^7, table of sqrt size */
    dlog_table *t = dlog_table_new(bound);
    group_scalar s;
    group_point p;
    uint64_t m, cases[] = { 0, 1, 3161, 3162, 3163, 999999, 1000000, bound - 1, bound };

    (void)state;
    assert_non_null(t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        group_scalar_set_u64(&s, cases[i]);
        group_point_mul_base(&p, &s);
        assert_int_equal(dlog_solve(t, &p, &m), 0);
        assert_int_equal(m, cases[i]);
    }
    for (int i = 0; i < 20; i++) {
        uint64_t v = ((uint64_t)randombytes_random() << 8) % (bound + 1);

        group_scalar_set_u64(&s, v);
        group_point_mul_base(&p, &s);
        assert_int_equal(dlog_solve(t, &p, &m), 0);
        assert_int_equal(m, v);
    }
    /* out of range: bound + 1 and a "negative" value are not found */
    group_scalar_set_u64(&s, bound + 1);
    group_point_mul_base(&p, &s);
    assert_int_equal(dlog_solve(t, &p, &m), -1);
    group_scalar_set_u64(&s, 1);
    group_scalar_negate(&s, &s);
    group_point_mul_base(&p, &s);
    assert_int_equal(dlog_solve(t, &p, &m), -1);
    dlog_table_free(t);
    assert_null(dlog_table_new(DLOG_MAX_BOUND + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_and_identity),
        cmocka_unit_test(test_bits_and_homomorphic_sum),
        cmocka_unit_test(test_public_key_loading),
        cmocka_unit_test(test_dlog_bounds),
    };
    return cmocka_run_group_tests_name("elgamal", tests, setup, NULL);
}
