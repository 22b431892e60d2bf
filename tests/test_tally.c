/* test_tally.c - re-verification and aggregation: the sums decrypt to the
 * counts of the choices made, whatever the number of threads; a ballot with
 * one tampered byte stops the tally and is named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "tally/tally.h"

#define N 60
#define K 3

static ballot *b[N];
static uint64_t counts[K + 1];          /* [K] = blank */
static elgamal_pk pk;
static group_scalar sk;
static uint8_t fp[32];

static int setup(void **state)
{
    ballot_scrutin sc = { fp, &pk, "cap-attaches", K, 0, 1 };

    (void)state;
    if (crypto_init() != 0 || elgamal_keypair(&pk, &sk, NULL) != 0)
        return -1;
    randombytes_buf(fp, sizeof fp);
    for (size_t i = 0; i < N; i++) {
        uint8_t choices[K] = { 0 }, pub[32], code[20];
        size_t pick = randombytes_uniform(K + 1);
        group_scalar cred;

        randombytes_buf(code, sizeof code);
        if (pick < K)
            choices[pick] = 1;
        counts[pick]++;
        if ((b[i] = ballot_new(K, 0, 1)) == NULL ||
            credential_derive_scrutin(&cred, pub, (const uint8_t *)"eid", 3, code, sizeof code, "t") ||
            ballot_create(b[i], &sc, choices, &cred, pub, NULL) != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < N; i++)
        ballot_free(b[i]);
    elgamal_pk_clear(&pk);
    return 0;
}

static void test_sums_decrypt_to_counts(void **state)
{
    ballot_scrutin sc = { fp, &pk, "cap-attaches", K, 0, 1 };
    dlog_table *dl = dlog_table_new(1000);
    tally_sum one, many;
    size_t bad;
    uint64_t total = 0;

    (void)state;
    assert_int_equal(tally_aggregate(&one, b, N, &sc, 1, &bad), 0);
    assert_int_equal(tally_aggregate(&many, b, N, &sc, 7, &bad), 0);
    assert_int_equal(one.ballots, N);
    for (size_t l = 0; l < K; l++) {
        group_point m_g;
        uint64_t m;

        assert_memory_equal(one.sum[l].bytes, many.sum[l].bytes, ELGAMAL_CT_BYTES);
        elgamal_decrypt(&m_g, &sk, &one.sum[l]);
        assert_int_equal(dlog_solve(dl, &m_g, &m), 0);
        assert_int_equal(m, counts[l]);
        total += m;
    }
    assert_int_equal(N - total, counts[K]);      /* the blank ballots */
    /* no ballot: zero sums */
    assert_int_equal(tally_aggregate(&one, b, 0, &sc, 2, &bad), 0);
    assert_int_equal(one.ballots, 0);
    dlog_table_free(dl);
}

static void test_tampered_ballot_is_named(void **state)
{
    ballot_scrutin sc = { fp, &pk, "cap-attaches", K, 0, 1 };
    tally_sum s;
    size_t bad, victim = 37;
    uint8_t keep = b[victim]->bits[1][0].s[3];

    (void)state;
    b[victim]->bits[1][0].s[3] ^= 0x10;
    assert_int_equal(tally_aggregate(&s, b, N, &sc, 4, &bad), TALLY_BAD_BALLOT);
    assert_int_equal(bad, victim);
    assert_int_equal(s.ballots, 0);
    b[victim]->bits[1][0].s[3] = keep;
    /* wrong scrutin parameters: every ballot fails, the first is named */
    sc.scrutin_id = "csa-ministere";
    assert_int_equal(tally_aggregate(&s, b, N, &sc, 4, &bad), TALLY_BAD_BALLOT);
    assert_int_equal(bad, 0);
    sc.scrutin_id = "cap-attaches";
    assert_int_equal(tally_aggregate(&s, b, N, &sc, 0, &bad), -1);
    assert_int_equal(tally_aggregate(&s, b, N, &sc, TALLY_MAX_THREADS + 1, &bad), -1);
}

/* A thousand ballots go through the multi-scalar product of a whole group
 * (Pippenger's buckets; groups of 1,024 and 76): all good, they are counted;
 * one with a tampered response in the second group (the proof's encoding still
 * valid, so only the product can catch it) stops the tally and is named. One
 * thread: test_sums_decrypt_to_counts and the test above cover the others. */
static void test_one_bad_in_a_thousand_is_named(void **state)
{
    enum { MANY = 1100, VICTIM = 1050 };
    ballot_scrutin sc = { fp, &pk, "cap-attaches", K, 0, 1 };
    ballot **bb = malloc(MANY * sizeof *bb), *evil = ballot_new(K, 0, 1);
    uint8_t choices[K] = { 0, 1, 0 }, pub[32], code[20];
    group_scalar cred;
    tally_sum one;
    size_t bad;

    (void)state;
    assert_non_null(bb);
    assert_non_null(evil);
    randombytes_buf(code, sizeof code);
    assert_int_equal(credential_derive_scrutin(&cred, pub, (const uint8_t *)"eid", 3, code,
                                               sizeof code, "t"), 0);
    assert_int_equal(ballot_create(evil, &sc, choices, &cred, pub, NULL), 0);
    for (size_t i = 0; i < MANY; i++)
        bb[i] = i == VICTIM ? evil : b[i % N];
    assert_int_equal(tally_aggregate(&one, bb, MANY, &sc, 1, &bad), 0);
    assert_int_equal(one.ballots, MANY);
    evil->bits[2][1].s[3] ^= 0x10;
    assert_int_equal(tally_aggregate(&one, bb, MANY, &sc, 1, &bad), TALLY_BAD_BALLOT);
    assert_int_equal(bad, VICTIM);
    assert_int_equal(one.ballots, 0);
    ballot_free(evil);
    free(bb);
}

/* The group is bounded by its points, not only its ballots: at k = 64 and a
 * 64-branch range proof (514 points a ballot), 1,024 ballots would hold 526,000
 * points (~200 MB a thread); the group keeps at most 28,000. A tally over three such
 * groups counts every ballot and names a bad one in the second group. */
static void test_big_ballots_small_groups(void **state)
{
    enum { BIGK = 64, MANY = 120, VICTIM = 70 };
    ballot_scrutin small = { fp, &pk, "cap-attaches", K, 0, 1 };
    ballot_scrutin sc = { fp, &pk, "cap-attaches", BIGK, 0, BIGK - 1 };
    ballot **bb = malloc(MANY * sizeof *bb), *good = ballot_new(BIGK, 0, BIGK - 1),
           *evil = ballot_new(BIGK, 0, BIGK - 1);
    uint8_t choices[BIGK] = { 0 }, pub[32], code[20];
    size_t g = tally_group_ballots(&sc), bad;
    group_scalar cred;
    tally_sum one;

    (void)state;
    assert_int_equal(tally_group_ballots(&small), 1024);
    assert_true(g >= 1 && g * (6 * BIGK + 2 * BIGK + 2) <= 28000);
    assert_true(MANY > 2 * g);
    assert_non_null(bb);
    assert_non_null(good);
    assert_non_null(evil);
    choices[7] = choices[9] = 1;
    randombytes_buf(code, sizeof code);
    assert_int_equal(credential_derive_scrutin(&cred, pub, (const uint8_t *)"eid", 3, code,
                                               sizeof code, "t"), 0);
    assert_int_equal(ballot_create(good, &sc, choices, &cred, pub, NULL), 0);
    assert_int_equal(ballot_create(evil, &sc, choices, &cred, pub, NULL), 0);
    for (size_t i = 0; i < MANY; i++)
        bb[i] = i == VICTIM ? evil : good;
    assert_int_equal(tally_aggregate(&one, bb, MANY, &sc, 1, &bad), 0);
    assert_int_equal(one.ballots, MANY);
    evil->range[5].s[3] ^= 0x10;
    assert_int_equal(tally_aggregate(&one, bb, MANY, &sc, 1, &bad), TALLY_BAD_BALLOT);
    assert_int_equal(bad, VICTIM);
    ballot_free(good);
    ballot_free(evil);
    free(bb);
}

/* The bureau decrypts: the president with delegates 1 and 3 of three; every
 * faulty or missing part is named or refused. */
static void test_bureau_decrypts(void **state)
{
    static tu_ceremony c;
    uint8_t ctx[PROOF_CTX_BYTES] = { 9 }, xp_pub[32], flat[TU_MAXN * TU_MAXN * 32], joint[32];
    uint8_t vk[32];
    group_scalar xp;
    proof_pok pok;
    elgamal_pk bpk;
    ballot *bb[8];
    uint64_t want[K] = { 0 }, got[K], culprit;
    tally_partial parts[4];
    tally_bureau bureau = { xp_pub, flat, 3 };
    tally_sum sum;
    size_t bad;
    dlog_table *dl = dlog_table_new(100);
    ballot_scrutin sc = { fp, &bpk, "cap-attaches", K, 0, 1 };

    (void)state;
    assert_int_equal(tu_run_ceremony(&c, 3, BUREAU_DELEGATE_QUORUM, ctx), 0);
    assert_int_equal(bureau_president_keygen(&xp, xp_pub, &pok, ctx, NULL), 0);
    tu_flat_commitments(flat, &c);
    assert_int_equal(bureau_joint_key(joint, xp_pub, flat, 3), 0);
    assert_int_equal(elgamal_pk_load(&bpk, joint), 0);
    for (size_t i = 0; i < 8; i++) {
        uint8_t choices[K] = { 0 }, pub[32], code[20] = { (uint8_t)i };
        group_scalar cred;

        choices[i % K] = 1;
        want[i % K]++;
        assert_non_null(bb[i] = ballot_new(K, 0, 1));
        assert_int_equal(credential_derive_scrutin(&cred, pub, (const uint8_t *)"e", 1, code,
                                                  sizeof code, "t"), 0);
        assert_int_equal(ballot_create(bb[i], &sc, choices, &cred, pub, NULL), 0);
    }
    assert_int_equal(tally_aggregate(&sum, bb, 8, &sc, 2, &bad), 0);
    assert_int_equal(tally_partial_make(&parts[0], &sum, TALLY_PRESIDENT, &xp, xp_pub, ctx), 0);
    assert_int_equal(threshold_verification_key(vk, flat, 3, 2, 1), 0);
    assert_int_equal(tally_partial_make(&parts[1], &sum, 1, &c.share[0], vk, ctx), 0);
    assert_int_equal(threshold_verification_key(vk, flat, 3, 2, 3), 0);
    assert_int_equal(tally_partial_make(&parts[2], &sum, 3, &c.share[2], vk, ctx), 0);
    assert_int_equal(tally_decrypt(got, &sum, parts, 3, &bureau, ctx, dl, &culprit), 0);
    assert_memory_equal(got, want, sizeof want);
    /* without the president, or with one delegate: no quorum */
    assert_int_equal(tally_decrypt(got, &sum, parts + 1, 2, &bureau, ctx, dl, &culprit),
                     TALLY_NO_QUORUM);
    assert_int_equal(tally_decrypt(got, &sum, parts, 2, &bureau, ctx, dl, &culprit),
                     TALLY_NO_QUORUM);
    /* a factor altered: its holder is named */
    parts[2].factor[1][0] ^= 1;
    assert_int_equal(tally_decrypt(got, &sum, parts, 3, &bureau, ctx, dl, &culprit),
                     TALLY_BAD_PARTIAL);
    assert_int_equal(culprit, 3);
    parts[2].factor[1][0] ^= 1;
    /* a delegate's factors presented as another's, or twice */
    parts[3] = parts[2];
    parts[3].holder = 2;
    assert_int_equal(tally_decrypt(got, &sum, parts, 4, &bureau, ctx, dl, &culprit),
                     TALLY_BAD_PARTIAL);
    assert_int_equal(culprit, 2);
    parts[3].holder = 3;
    assert_int_equal(tally_decrypt(got, &sum, parts, 4, &bureau, ctx, dl, &culprit),
                     TALLY_BAD_PARTIAL);
    parts[3].holder = 9;
    assert_int_equal(tally_decrypt(got, &sum, parts, 4, &bureau, ctx, dl, &culprit),
                     TALLY_BAD_PARTIAL);
    assert_int_equal(culprit, 9);
    for (size_t i = 0; i < 8; i++)
        ballot_free(bb[i]);
    elgamal_pk_clear(&bpk);
    group_scalar_wipe(&xp);
    dlog_table_free(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_decrypt_to_counts),
        cmocka_unit_test(test_tampered_ballot_is_named),
        cmocka_unit_test(test_one_bad_in_a_thousand_is_named),
        cmocka_unit_test(test_big_ballots_small_groups),
        cmocka_unit_test(test_bureau_decrypts),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
