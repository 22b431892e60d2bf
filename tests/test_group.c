/* test_group.c - ristretto255 layer: RFC 9496 vectors, libdecaf against
 * libsodium byte for byte, strict decoding, the batch multi-scalar product. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static json_t *rfc;

static int setup(void **state)
{
    (void)state;
    if (crypto_init() != 0)
        return -1;
    rfc = json_load_file("vectors/ristretto255.json", 0, NULL);
    return rfc == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(rfc);
    return 0;
}

static void test_multiples_of_generator(void **state)
{
    json_t *m = json_object_get(rfc, "multiples_of_generator");
    group_point g, acc, byk;
    group_scalar k;
    uint8_t want[32], got[32], sod[32];
    size_t i;
    json_t *v;

    (void)state;
    assert_int_equal(json_array_size(m), 16);
    group_point_generator(&g);
    group_point_identity(&acc);
    json_array_foreach(m, i, v) {
        tu_unhex(want, 32, json_string_value(v));
        group_point_encode(got, &acc);             /* by repeated addition */
        assert_memory_equal(got, want, 32);
        group_scalar_set_u64(&k, i);
        group_point_mul_base(&byk, &k);            /* by the base table */
        group_point_encode(got, &byk);
        assert_memory_equal(got, want, 32);
        group_point_mul(&byk, &g, &k);             /* by variable-base mult */
        group_point_encode(got, &byk);
        assert_memory_equal(got, want, 32);
        if (i > 0) {                               /* libsodium agrees */
            uint8_t kb[32];

            group_scalar_encode(kb, &k);
            assert_int_equal(crypto_scalarmult_ristretto255_base(sod, kb), 0);
            assert_memory_equal(sod, want, 32);
        }
        assert_int_equal(group_point_decode(&byk, want, i == 0 ? GROUP_ALLOW_IDENTITY
                                                                : GROUP_NO_IDENTITY), 0);
        assert_true(group_point_equal(&byk, &acc));
        group_point_add(&acc, &acc, &g);
    }
}

static void test_invalid_encodings_rejected(void **state)
{
    json_t *bad = json_object_get(rfc, "invalid_encodings");
    group_point p;
    uint8_t enc[32];
    size_t i;
    json_t *v;

    (void)state;
    assert_true(json_array_size(bad) >= 29);
    json_array_foreach(bad, i, v) {
        tu_unhex(enc, 32, json_string_value(json_object_get(v, "encoding")));
        assert_int_equal(group_point_decode(&p, enc, GROUP_ALLOW_IDENTITY), -1);
        assert_int_equal(crypto_core_ristretto255_is_valid_point(enc), 0);
    }
}

static void test_identity_rules(void **state)
{
    uint8_t zero[32] = { 0 };
    group_point p;

    (void)state;
    assert_int_equal(group_point_decode(&p, zero, GROUP_NO_IDENTITY), -1);
    assert_int_equal(group_point_decode(&p, zero, GROUP_ALLOW_IDENTITY), 0);
    assert_true(group_point_is_identity(&p));
}

/* libsodium's one-way map (RFC 9496 section 4.3.4), which the protocol does not
 * use yet but a browser client may, gives the RFC outputs. */
static void test_one_way_map_libsodium(void **state)
{
    json_t *m = json_object_get(rfc, "one_way_map");
    uint8_t in[64], want[32], got[32];
    size_t i;
    json_t *v;

    (void)state;
    json_array_foreach(m, i, v) {
        tu_unhex(in, 64, json_string_value(json_object_get(v, "input")));
        tu_unhex(want, 32, json_string_value(json_object_get(v, "output")));
        assert_int_equal(crypto_core_ristretto255_from_hash(got, in), 0);
        assert_memory_equal(got, want, 32);
    }
}

/* group_point_from_hash (libdecaf's, no encoding) is the same map: the RFC
 * outputs, and libsodium's on random inputs and on all-zero/all-one ones. */
static void test_one_way_map_group(void **state)
{
    json_t *m = json_object_get(rfc, "one_way_map");
    uint8_t in[64], want[32], got[32];
    group_point p;
    size_t i;
    json_t *v;

    (void)state;
    assert_true(json_array_size(m) > 0);
    json_array_foreach(m, i, v) {
        tu_unhex(in, 64, json_string_value(json_object_get(v, "input")));
        tu_unhex(want, 32, json_string_value(json_object_get(v, "output")));
        group_point_from_hash(&p, in);
        group_point_encode(got, &p);
        assert_memory_equal(got, want, 32);
    }
    for (int k = 0; k < 2000; k++) {
        if (k < 2)
            memset(in, k ? 0xff : 0, sizeof in);
        else
            randombytes_buf(in, sizeof in);
        assert_int_equal(crypto_core_ristretto255_from_hash(want, in), 0);
        group_point_from_hash(&p, in);
        group_point_encode(got, &p);
        assert_memory_equal(got, want, 32);
    }
}

static void test_random_agreement_with_libsodium(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        uint8_t a[32], b[32], pa[32], pb[32], sum[32], mine[32], prod[32];
        group_point x, y, z;
        group_scalar sb;

        crypto_core_ristretto255_scalar_random(a);
        crypto_core_ristretto255_scalar_random(b);
        assert_int_equal(crypto_scalarmult_ristretto255_base(pa, a), 0);
        assert_int_equal(crypto_scalarmult_ristretto255_base(pb, b), 0);
        assert_int_equal(crypto_core_ristretto255_add(sum, pa, pb), 0);
        assert_int_equal(group_point_decode(&x, pa, GROUP_NO_IDENTITY), 0);
        assert_int_equal(group_point_decode(&y, pb, GROUP_NO_IDENTITY), 0);
        group_point_add(&z, &x, &y);
        group_point_encode(mine, &z);
        assert_memory_equal(mine, sum, 32);
        assert_int_equal(crypto_scalarmult_ristretto255(prod, b, pa), 0);
        assert_int_equal(group_scalar_decode(&sb, b), 0);
        group_point_mul(&z, &x, &sb);
        group_point_encode(mine, &z);
        assert_memory_equal(mine, prod, 32);
    }
}

/* b = L + d (little-endian), |d| < 2^8. */
static void order_plus(uint8_t b[32], int d)
{
    static const uint8_t l[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                   0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10 };
    int carry = d;

    for (int i = 0; i < 32; i++) {
        int v = l[i] + carry;

        b[i] = (uint8_t)(v & 0xff);
        carry = v >> 8;                /* -1, 0 or 1 */
    }
}

static void test_scalar_decoding_is_strict(void **state)
{
    json_t *s = json_object_get(rfc, "scalars");
    uint8_t b[32], back[32];
    group_scalar k;

    (void)state;
    tu_unhex(b, 32, json_string_value(json_object_get(s, "L_minus_1")));
    assert_int_equal(group_scalar_decode(&k, b), 0);
    group_scalar_encode(back, &k);
    assert_memory_equal(back, b, 32);
    tu_unhex(b, 32, json_string_value(json_object_get(s, "L")));
    assert_int_equal(group_scalar_decode(&k, b), -1);
    tu_unhex(b, 32, json_string_value(json_object_get(s, "max_256")));
    assert_int_equal(group_scalar_decode(&k, b), -1);
}

/* group_scalar_decode (the limbs read without libdecaf's multiplication by
 * one) accepts exactly what libdecaf's decode accepts, as the same scalar:
 * around L and 2^252, 0, 2^128 - 1, and random values below and above L. */
static void test_scalar_decoding_is_libdecafs(void **state)
{
    uint8_t b[32], back[32], mine[32];
    decaf_255_scalar_t ref;
    group_scalar k;

    (void)state;
    for (int i = 0; i < 20000; i++) {
        int want, got;

        randombytes_buf(b, sizeof b);
        if (i < 512) {                 /* L + d for d in [-256, 256) */
            order_plus(b, i - 256);
        } else if (i < 520) {
            memset(b, i & 1 ? 0xff : 0, sizeof b);
            if (i >= 516)
                memset(b + 16, 0, 16); /* 2^128 - 1, and 0 */
        } else if (i % 2) {
            b[31] &= 0x1f;             /* around L, most below it */
        }
        want = decaf_255_scalar_decode(ref, b) == DECAF_SUCCESS ? 0 : -1;
        got = group_scalar_decode(&k, b);
        assert_int_equal(got, want);
        if (want == 0) {
            decaf_255_scalar_encode(back, ref);
            group_scalar_encode(mine, &k);
            assert_memory_equal(mine, back, 32);
            assert_memory_equal(mine, b, 32);
            assert_true(decaf_255_scalar_eq(ref, k.s) == DECAF_TRUE);
        }
    }
}

static void test_hex_is_strict(void **state)
{
    uint8_t b[2];

    (void)state;
    assert_int_equal(hex_decode(b, 2, "00ff"), 0);
    assert_int_equal(b[1], 0xff);
    assert_int_equal(hex_decode(b, 2, "00FF"), -1);   /* uppercase */
    assert_int_equal(hex_decode(b, 2, "00f"), -1);    /* short */
    assert_int_equal(hex_decode(b, 2, "00ff00"), -1); /* long */
    assert_int_equal(hex_decode(b, 2, "0 ff"), -1);   /* space */
    assert_int_equal(hex_decode(b, 2, "0xff"), -1);
    assert_int_equal(hex_decode(b, 2, NULL), -1);
}

/* sum(k_i * P_i) computed naively must be what batch_check sees as O. */
static void test_batch_matches_naive_sum(void **state)
{
    group_point g, p[40], naive, t, h;
    group_scalar k[40], kh, kg, neg;
    batch_table *ht;
    batch *b;

    (void)state;
    group_point_generator(&g);
    group_scalar_set_u64(&kh, 12345);
    group_point_mul_base(&h, &kh);
    ht = batch_table_new(&h);
    b = batch_new(ht);
    assert_non_null(b);
    for (int round = 0; round < 20; round++) {
        int n = 1 + round * 2;

        batch_reset(b);
        group_point_identity(&naive);
        for (int i = 0; i < n; i++) {
            uint8_t r[32];

            crypto_core_ristretto255_scalar_random(r);
            assert_int_equal(group_scalar_decode(&k[i], r), 0);
            crypto_core_ristretto255_scalar_random(r);
            assert_int_equal(group_scalar_decode(&kg, r), 0);
            group_point_mul_base(&p[i], &kg);
            if (i % 3 == 0) /* some 128-bit coefficients, like commitments */
                batch_weight(&k[i]);
            batch_coef_add(b, batch_point_add(b, &p[i]), &k[i]);
            group_point_mul(&t, &p[i], &k[i]);
            group_point_add(&naive, &naive, &t);
        }
        /* cancel the sum through G and H: naive = a*G + c*H for known a, c */
        {
            uint8_t r[32];
            group_scalar a, c;
            group_point ag, ch;

            crypto_core_ristretto255_scalar_random(r);
            assert_int_equal(group_scalar_decode(&c, r), 0);
            group_point_mul(&ch, &h, &c);
            group_point_sub(&ag, &naive, &ch);   /* ag = naive - c*H, added as a point */
            group_scalar_set_u64(&a, 1);
            group_scalar_negate(&neg, &a);
            batch_coef_add(b, batch_point_add(b, &ag), &neg);
            group_scalar_negate(&neg, &c);
            batch_coef_add(b, BATCH_H, &neg);
            assert_int_equal(batch_check(b), 0);
            /* one unit more of G breaks it */
            batch_coef_add(b, BATCH_G, &a);
            assert_int_equal(batch_check(b), -1);
        }
    }
    batch_free(b);
    batch_table_free(ht);
}

/* batch_msm against the naive sum of products, across window widths (from
 * 1 point to 2,000: windows 4 to 9), with the scalars that stress the signed
 * digits: 0, 1, L - 1, 2^128 - 1 (a weight), 2^252 and runs of 0x7f/0x80 bytes;
 * then batch_check on the Pippenger path cancels only the exact sum. */
static void test_msm_matches_naive_sum(void **state)
{
    static const size_t sizes[] = { 0, 1, 2, 3, 17, 100, 600, 2000 };
    enum { MAX = 2000 };
    group_point *p = malloc(MAX * sizeof *p), naive, r, t, g;
    group_scalar *k = malloc(MAX * sizeof *k), one, minus;
    unsigned last_window = 0;
    batch *b = batch_new(NULL);

    (void)state;
    assert_non_null(p);
    assert_non_null(k);
    assert_non_null(b);
    group_point_generator(&g);
    group_scalar_set_u64(&one, 1);
    group_scalar_negate(&minus, &one);                    /* L - 1 */
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];

        group_point_identity(&naive);
        for (size_t i = 0; i < n; i++) {
            uint8_t r32[32] = { 0 };

            crypto_core_ristretto255_scalar_random(r32);
            assert_int_equal(group_scalar_decode(&k[i], r32), 0);
            group_point_mul_base(&p[i], &k[i]);
            switch (i % 7) {
            case 0: crypto_core_ristretto255_scalar_random(r32);
                    assert_int_equal(group_scalar_decode(&k[i], r32), 0); break;
            case 1: group_scalar_zero(&k[i]); break;
            case 2: k[i] = one; break;
            case 3: k[i] = minus; break;
            case 4: memset(r32, 0, 32); memset(r32, 0xff, 16);
                    assert_int_equal(group_scalar_decode(&k[i], r32), 0); break;
            case 5: memset(r32, 0, 32); r32[31] = 0x10;     /* 2^252 */
                    assert_int_equal(group_scalar_decode(&k[i], r32), 0); break;
            default: for (int j = 0; j < 31; j++) r32[j] = j % 2 ? 0x80 : 0x7f;
                    r32[31] = 0x0f;
                    assert_int_equal(group_scalar_decode(&k[i], r32), 0); break;
            }
            group_point_mul(&t, &p[i], &k[i]);
            group_point_add(&naive, &naive, &t);
        }
        assert_int_equal(batch_msm(&r, p, k, n), 0);
        assert_true(group_point_equal(&r, &naive));
        if (n > 0) {                                      /* one unit off is seen */
            group_scalar_add(&k[0], &k[0], &one);
            assert_int_equal(batch_msm(&r, p, k, n), 0);
            assert_false(group_point_equal(&r, &naive));
            group_scalar_sub(&k[0], &k[0], &one);
        }
        assert_true(batch_msm_window(n) >= last_window);
        last_window = batch_msm_window(n);
        /* batch_check: sum k_i P_i - naive = O, through buckets when n is large */
        batch_reset(b);
        for (size_t i = 0; i < n; i++)
            batch_coef_add(b, batch_point_add(b, &p[i]), &k[i]);
        batch_coef_add(b, batch_point_add(b, &naive), &minus);
        assert_int_equal(batch_check(b), 0);
        batch_coef_add(b, BATCH_G, &one);
        assert_int_equal(batch_check(b), -1);
    }
    assert_true(batch_msm_window(600) > 4 && batch_msm_window(2000) > batch_msm_window(600));
    batch_free(b);
    free(p);
    free(k);
}

/* batch_msm at the sizes the count's groups reach (windows 10 to 12, up to
 * 28,000 points), checked against one multiplication: the points are
 * P_i = (i + 1) Q for a random Q (made by additions), so the sum is
 * (sum of k_i (i + 1)) Q; the scalars cycle through the same hard cases. */
static void test_msm_large_windows(void **state)
{
    static const size_t sizes[] = { 9000, 16000, 28000 };
    enum { MAX = 28000 };
    group_point *p = malloc(MAX * sizeof *p), q, want, r;
    group_scalar *k = malloc(MAX * sizeof *k), one, minus, sum, idx, t;
    unsigned windows[3];
    uint8_t r32[32];

    (void)state;
    assert_non_null(p);
    assert_non_null(k);
    group_scalar_set_u64(&one, 1);
    group_scalar_negate(&minus, &one);
    crypto_core_ristretto255_scalar_random(r32);
    assert_int_equal(group_scalar_decode(&t, r32), 0);
    group_point_mul_base(&q, &t);
    p[0] = q;
    for (size_t i = 1; i < MAX; i++)
        group_point_add(&p[i], &p[i - 1], &q);
    for (size_t i = 0; i < MAX; i++) {
        memset(r32, 0, sizeof r32);
        switch (i % 7) {
        case 0: crypto_core_ristretto255_scalar_random(r32); break;
        case 1: break;
        case 2: r32[0] = 1; break;
        case 3: group_scalar_encode(r32, &minus); break;
        case 4: memset(r32, 0xff, 16); break;
        case 5: r32[31] = 0x10; break;
        default: for (int j = 0; j < 31; j++) r32[j] = j % 2 ? 0x80 : 0x7f;
                 r32[31] = 0x0f; break;
        }
        assert_int_equal(group_scalar_decode(&k[i], r32), 0);
    }
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];

        group_scalar_zero(&sum);
        for (size_t i = 0; i < n; i++) {
            group_scalar_set_u64(&idx, (uint64_t)i + 1);
            group_scalar_mul(&t, &k[i], &idx);
            group_scalar_add(&sum, &sum, &t);
        }
        group_point_mul(&want, &q, &sum);
        assert_int_equal(batch_msm(&r, p, k, n), 0);
        assert_true(group_point_equal(&r, &want));
        windows[s] = batch_msm_window(n);
    }
    group_scalar_add(&k[MAX - 1], &k[MAX - 1], &one);     /* the last point's digit off */
    assert_int_equal(batch_msm(&r, p, k, MAX), 0);
    assert_false(group_point_equal(&r, &want));
    assert_true(windows[0] < windows[1] && windows[1] < windows[2] && windows[2] >= 12);
    free(p);
    free(k);
}

static void test_batch_zero_and_extreme_coefficients(void **state)
{
    json_t *s = json_object_get(rfc, "scalars");
    uint8_t lm1[32];
    group_scalar big, one;
    group_point g;
    batch *b = batch_new(NULL);

    (void)state;
    assert_int_equal(batch_check(b), 0);               /* empty sum */
    tu_unhex(lm1, 32, json_string_value(json_object_get(s, "L_minus_1")));
    assert_int_equal(group_scalar_decode(&big, lm1), 0);  /* -1 */
    group_scalar_set_u64(&one, 1);
    group_point_generator(&g);
    batch_coef_add(b, batch_point_add(b, &g), &big);   /* -G as a variable point */
    batch_coef_add(b, BATCH_G, &one);                  /* + G from the table */
    assert_int_equal(batch_check(b), 0);
    batch_coef_add(b, BATCH_H, &one);                  /* H without a table */
    assert_int_equal(batch_check(b), -1);
    batch_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multiples_of_generator),
        cmocka_unit_test(test_invalid_encodings_rejected),
        cmocka_unit_test(test_identity_rules),
        cmocka_unit_test(test_one_way_map_libsodium),
        cmocka_unit_test(test_one_way_map_group),
        cmocka_unit_test(test_random_agreement_with_libsodium),
        cmocka_unit_test(test_scalar_decoding_is_strict),
        cmocka_unit_test(test_scalar_decoding_is_libdecafs),
        cmocka_unit_test(test_hex_is_strict),
        cmocka_unit_test(test_batch_matches_naive_sum),
        cmocka_unit_test(test_msm_matches_naive_sum),
        cmocka_unit_test(test_msm_large_windows),
        cmocka_unit_test(test_batch_zero_and_extreme_coefficients),
    };
    return cmocka_run_group_tests_name("group", tests, setup, teardown);
}
