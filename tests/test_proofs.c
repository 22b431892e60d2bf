/* test_proofs.c - Schnorr, disjunctive Chaum-Pedersen and decryption proofs:
 * valid proofs verify; any flipped bit, a proof moved to another statement,
 * context or key, and a false statement all fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static uint8_t ctx[PROOF_CTX_BYTES], ctx2[PROOF_CTX_BYTES];

static int setup(void **state)
{
    (void)state;
    if (crypto_init() != 0)
        return -1;
    crypto_generichash(ctx, sizeof ctx, (const uint8_t *)"election A", 10, NULL, 0);
    crypto_generichash(ctx2, sizeof ctx2, (const uint8_t *)"election B", 10, NULL, 0);
    return 0;
}

static void random_key(group_scalar *x, uint8_t pub[32])
{
    group_point p;

    assert_int_equal(rng_scalar(NULL, x), 0);
    group_point_mul_base(&p, x);
    group_point_encode(pub, &p);
}

static void test_pok(void **state)
{
    group_scalar x, y;
    uint8_t xpub[32], ypub[32], aux[8] = { 3 }, aux2[8] = { 4 };
    proof_pok p, q;

    (void)state;
    random_key(&x, xpub);
    random_key(&y, ypub);
    assert_int_equal(proof_pok_create(&p, ctx, &x, xpub, aux, 8, NULL), 0);
    assert_int_equal(proof_pok_verify(&p, ctx, xpub, aux, 8), 0);
    for (size_t bit = 0; bit < 8 * sizeof p; bit++) {
        q = p;
        tu_flip((uint8_t *)&q, bit);
        assert_int_equal(proof_pok_verify(&q, ctx, xpub, aux, 8), -1);
    }
    assert_int_equal(proof_pok_verify(&p, ctx2, xpub, aux, 8), -1);  /* other election */
    assert_int_equal(proof_pok_verify(&p, ctx, xpub, aux2, 8), -1);  /* other trustee */
    assert_int_equal(proof_pok_verify(&p, ctx, ypub, aux, 8), -1);   /* other key */
    /* a proof made with a secret that is not the key's */
    assert_int_equal(proof_pok_create(&q, ctx, &y, xpub, aux, 8, NULL), 0);
    assert_int_equal(proof_pok_verify(&q, ctx, xpub, aux, 8), -1);
}

typedef struct {
    elgamal_pk pk, pk2;
    group_scalar sk, sk2;
} keys;

static void keys_make(keys *k)
{
    assert_int_equal(elgamal_keypair(&k->pk, &k->sk, NULL), 0);
    assert_int_equal(elgamal_keypair(&k->pk2, &k->sk2, NULL), 0);
}

static void keys_clear(keys *k)
{
    elgamal_pk_clear(&k->pk);
    elgamal_pk_clear(&k->pk2);
}

static void test_disj_valid_for_every_value(void **state)
{
    keys k;
    uint8_t aux[] = "aux";
    const uint64_t ranges[][2] = { { 0, 1 }, { 1, 1 }, { 0, 0 }, { 0, 4 }, { 2, 5 } };

    (void)state;
    keys_make(&k);
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (uint64_t m = ranges[r][0]; m <= ranges[r][1]; m++) {
            elgamal_ct ct;
            group_scalar rr;
            proof_branch br[PROOF_DISJ_MAX_VALUES];
            proof_disj_statement st = { ctx, &k.pk, &ct, ranges[r][0], ranges[r][1], aux, 3 };

            assert_int_equal(elgamal_encrypt(&ct, &k.pk, m, &rr, NULL), 0);
            assert_int_equal(proof_disj_create(br, &st, m, &rr, NULL), 0);
            assert_int_equal(proof_disj_verify(br, &st), 0);
        }
    }
    keys_clear(&k);
}

static void test_disj_tampering(void **state)
{
    keys k;
    uint8_t aux[] = "aux", aux2[] = "xua";
    elgamal_ct ct, other;
    group_scalar r;
    proof_branch br[2], bad[2];
    proof_disj_statement st = { ctx, &k.pk, &ct, 0, 1, aux, 3 }, moved;

    (void)state;
    keys_make(&k);
    assert_int_equal(elgamal_encrypt(&ct, &k.pk, 1, &r, NULL), 0);
    assert_int_equal(proof_disj_create(br, &st, 1, &r, NULL), 0);
    assert_int_equal(proof_disj_verify(br, &st), 0);
    for (size_t bit = 0; bit < 8 * sizeof br; bit++) {
        memcpy(bad, br, sizeof br);
        tu_flip((uint8_t *)bad, bit);
        assert_int_equal(proof_disj_verify(bad, &st), -1);
    }
    /* branches swapped */
    bad[0] = br[1];
    bad[1] = br[0];
    assert_int_equal(proof_disj_verify(bad, &st), -1);
    /* moved to another ciphertext, election, aux string, key, range */
    assert_int_equal(elgamal_encrypt(&other, &k.pk, 1, NULL, NULL), 0);
    moved = st;
    moved.ct = &other;
    assert_int_equal(proof_disj_verify(br, &moved), -1);
    moved = st;
    moved.ctx = ctx2;
    assert_int_equal(proof_disj_verify(br, &moved), -1);
    moved = st;
    moved.aux = aux2;
    assert_int_equal(proof_disj_verify(br, &moved), -1);
    moved = st;
    moved.pk = &k.pk2;
    assert_int_equal(proof_disj_verify(br, &moved), -1);
    moved = st;
    moved.min = 1;
    moved.max = 2;
    assert_int_equal(proof_disj_verify(br, &moved), -1);
    keys_clear(&k);
}

/* A prover whose ciphertext holds a value outside the range cannot convince. */
static void test_disj_false_statement(void **state)
{
    keys k;
    elgamal_ct ct;
    group_scalar r;
    proof_branch br[4];
    proof_disj_statement st = { ctx, &k.pk, &ct, 0, 1, NULL, 0 };

    (void)state;
    keys_make(&k);
    assert_int_equal(elgamal_encrypt(&ct, &k.pk, 2, &r, NULL), 0);
    assert_int_equal(proof_disj_create(br, &st, 2, &r, NULL), -1);   /* refused */
    for (uint64_t claim = 0; claim <= 1; claim++) {
        assert_int_equal(proof_disj_create(br, &st, claim, &r, NULL), 0);
        assert_int_equal(proof_disj_verify(br, &st), -1);
    }
    st.max = 3;
    assert_int_equal(elgamal_encrypt(&ct, &k.pk, 5, &r, NULL), 0);
    assert_int_equal(proof_disj_create(br, &st, 3, &r, NULL), 0);
    assert_int_equal(proof_disj_verify(br, &st), -1);
    /* the right value but the wrong randomness */
    assert_int_equal(elgamal_encrypt(&ct, &k.pk, 1, NULL, NULL), 0);
    assert_int_equal(proof_disj_create(br, &st, 1, &r, NULL), 0);
    assert_int_equal(proof_disj_verify(br, &st), -1);
    /* bad ranges are refused, not crashed on */
    st.min = 2;
    st.max = 1;
    assert_int_equal(proof_disj_create(br, &st, 1, &r, NULL), -1);
    assert_int_equal(proof_disj_verify(br, &st), -1);
    st.min = 0;
    st.max = PROOF_DISJ_MAX_VALUES;
    assert_int_equal(proof_disj_verify(br, &st), -1);
    keys_clear(&k);
}

static void test_dec(void **state)
{
    group_scalar x, y, a;
    uint8_t xpub[32], ypub[32], alpha[32], alpha2[32], d[32], d2[32], zero[32] = { 0 };
    group_point ap, o;
    proof_dec p, q;

    (void)state;
    random_key(&x, xpub);
    random_key(&y, ypub);
    random_key(&a, alpha);
    assert_int_equal(group_point_decode(&ap, alpha, GROUP_NO_IDENTITY), 0);
    assert_int_equal(proof_dec_create(&p, ctx, &x, xpub, &ap, d, NULL), 0);
    assert_int_equal(proof_dec_verify(&p, ctx, xpub, alpha, d), 0);
    for (size_t bit = 0; bit < 8 * sizeof p; bit++) {
        q = p;
        tu_flip((uint8_t *)&q, bit);
        assert_int_equal(proof_dec_verify(&q, ctx, xpub, alpha, d), -1);
    }
    for (size_t bit = 0; bit < 256; bit++) {
        memcpy(d2, d, 32);
        tu_flip(d2, bit);                    /* a wrong decryption factor */
        assert_int_equal(proof_dec_verify(&p, ctx, xpub, alpha, d2), -1);
    }
    random_key(&a, alpha2);
    assert_int_equal(proof_dec_verify(&p, ctx, xpub, alpha2, d), -1);
    assert_int_equal(proof_dec_verify(&p, ctx2, xpub, alpha, d), -1);
    assert_int_equal(proof_dec_verify(&p, ctx, ypub, alpha, d), -1);
    /* a trustee who decrypts with another key is caught */
    assert_int_equal(proof_dec_create(&q, ctx, &y, xpub, &ap, d2, NULL), 0);
    assert_int_equal(proof_dec_verify(&q, ctx, xpub, alpha, d2), -1);
    /* an empty aggregate: alpha = D = O */
    group_point_identity(&o);
    assert_int_equal(proof_dec_create(&p, ctx, &x, xpub, &o, d, NULL), 0);
    assert_memory_equal(d, zero, 32);
    assert_int_equal(proof_dec_verify(&p, ctx, xpub, zero, d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pok),
        cmocka_unit_test(test_disj_valid_for_every_value),
        cmocka_unit_test(test_disj_tampering),
        cmocka_unit_test(test_disj_false_statement),
        cmocka_unit_test(test_dec),
    };
    return cmocka_run_group_tests_name("proofs", tests, setup, NULL);
}
