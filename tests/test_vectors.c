/* test_vectors.c - tests/vectors/protocol.json: (1) the code regenerates it
 * byte for byte from its seeds; (2) an independent reference written only with
 * libsodium's ristretto255 API (what the browser client uses) recomputes or
 * verifies every value from docs/protocol.md alone, and rejects tampering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "ballot/ballot_json.h"
#include "notices/code.h"

typedef uint8_t pt[32];
static json_t *vec;

static int setup(void **state)
{
    (void)state;
    if (crypto_init() != 0)
        return -1;
    vec = json_load_file("vectors/protocol.json", 0, NULL);
    return vec == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(vec);
    return 0;
}

/* ---- the reference: libsodium only, straight from docs/protocol.md ---- */

static void get(uint8_t *out, size_t len, json_t *obj, const char *key)
{
    tu_unhex(out, len, json_string_value(json_object_get(obj, key)));
}

static void le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

typedef struct { const void *p; size_t len; } item;

static void ref_hash(uint8_t *out, size_t outlen, const char *tag, const item *it, size_t n)
{
    crypto_generichash_state st;
    uint8_t l[8];

    crypto_generichash_init(&st, NULL, 0, outlen);
    le64(l, strlen(tag));
    crypto_generichash_update(&st, l, 8);
    crypto_generichash_update(&st, (const uint8_t *)tag, strlen(tag));
    for (size_t i = 0; i < n; i++) {
        le64(l, it[i].len);
        crypto_generichash_update(&st, l, 8);
        crypto_generichash_update(&st, it[i].p, it[i].len);
    }
    crypto_generichash_final(&st, out, outlen);
}

static void ref_hs(uint8_t c[32], const char *tag, const item *it, size_t n)
{
    uint8_t wide[64];

    ref_hash(wide, 64, tag, it, n);
    crypto_core_ristretto255_scalar_reduce(c, wide);
}

static int is_zero(const uint8_t *b, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* k*P with the identity (all zeros) as a normal value. */
static void ref_mul(pt out, const uint8_t k[32], const pt p)
{
    if (is_zero(k, 32) || is_zero(p, 32) || crypto_scalarmult_ristretto255(out, k, p) != 0)
        memset(out, 0, 32);
}

static void ref_base(pt out, const uint8_t k[32])
{
    if (is_zero(k, 32) || crypto_scalarmult_ristretto255_base(out, k) != 0)
        memset(out, 0, 32);
}

static void ref_u64_scalar(uint8_t s[32], uint64_t v)
{
    memset(s, 0, 32);
    le64(s, v);
}

static int ref_point_ok(const pt p)
{
    return !is_zero(p, 32) && crypto_core_ristretto255_is_valid_point(p);
}

/* s*G == A + c*X */
static int ref_schnorr(const uint8_t s[32], const pt a, const uint8_t c[32], const pt x)
{
    pt lhs, cx, rhs;

    ref_base(lhs, s);
    ref_mul(cx, c, x);
    if (crypto_core_ristretto255_add(rhs, a, cx) != 0)
        return -1;
    return memcmp(lhs, rhs, 32) == 0 ? 0 : -1;
}

static int ref_disj(json_t *proof, const uint8_t ctx[32], const pt h, const uint8_t ct[64],
                    uint64_t min, uint64_t max, const uint8_t *aux, size_t auxlen)
{
    size_t n = (size_t)(max - min + 1), ni = 0;
    item it[8 + 2 * 64 + 64];
    uint8_t nb[8], mb[64][8], a[64][32], b[64][32], c[64][32], s[64][32], ch[32], sum[32] = { 0 };

    if (json_array_size(proof) != n || n > 64)
        return -1;
    it[ni++] = (item){ ctx, 32 };
    it[ni++] = (item){ h, 32 };
    it[ni++] = (item){ ct, 32 };
    it[ni++] = (item){ ct + 32, 32 };
    le64(nb, n);
    it[ni++] = (item){ nb, 8 };
    for (size_t j = 0; j < n; j++) {
        le64(mb[j], min + j);
        it[ni++] = (item){ mb[j], 8 };
    }
    for (size_t j = 0; j < n; j++) {
        json_t *br = json_array_get(proof, j);

        get(a[j], 32, br, "a");
        get(b[j], 32, br, "b");
        get(c[j], 32, br, "c");
        get(s[j], 32, br, "s");
        if (!ref_point_ok(a[j]) || !ref_point_ok(b[j]))
            return -1;
        it[ni++] = (item){ a[j], 32 };
        it[ni++] = (item){ b[j], 32 };
        crypto_core_ristretto255_scalar_add(sum, sum, c[j]);
    }
    it[ni++] = (item){ aux, auxlen };
    ref_hs(ch, "votesrv/v1/disj", it, ni);
    if (memcmp(ch, sum, 32) != 0)
        return -1;
    for (size_t j = 0; j < n; j++) {
        uint8_t msc[32];
        pt mg, shifted, lhs, cb, rhs;

        if (ref_schnorr(s[j], a[j], c[j], ct) != 0)            /* s G = A + c alpha */
            return -1;
        ref_u64_scalar(msc, min + j);                           /* s H = B + c (beta - m G) */
        ref_base(mg, msc);
        if (crypto_core_ristretto255_sub(shifted, ct + 32, mg) != 0)
            return -1;
        ref_mul(lhs, s[j], h);
        ref_mul(cb, c[j], shifted);
        if (crypto_core_ristretto255_add(rhs, b[j], cb) != 0 || memcmp(lhs, rhs, 32) != 0)
            return -1;
    }
    return 0;
}

/* ---- the tests ---- */

static void test_regenerated_byte_for_byte(void **state)
{
    json_t *again = tu_vectors_generate();

    (void)state;
    assert_non_null(again);
    assert_true(json_equal(again, vec));
    json_decref(again);
}

static void test_drbg_and_hash(void **state)
{
    json_t *d = json_object_get(vec, "drbg"), *h = json_object_get(vec, "hash"), *v;
    uint8_t seed[32], want[64], sub[32], got[64], n[8], c[32], dg[32];
    item it[3];
    uint8_t raw[3][16];
    size_t i;

    (void)state;
    get(seed, 32, d, "seed");
    json_array_foreach(json_object_get(d, "draws"), i, v) {
        tu_unhex(want, 64, json_string_value(v));
        le64(n, i);
        crypto_generichash(sub, 32, n, 8, seed, 32);
        randombytes_buf_deterministic(got, 64, sub);
        assert_memory_equal(got, want, 64);
    }
    json_array_foreach(json_object_get(h, "items"), i, v) {
        size_t len = strlen(json_string_value(v)) / 2;

        tu_unhex(raw[i], len, json_string_value(v));
        it[i] = (item){ raw[i], len };
    }
    ref_hs(c, json_string_value(json_object_get(h, "tag")), it, 3);
    get(want, 32, h, "hs");
    assert_memory_equal(c, want, 32);
    ref_hash(dg, 32, json_string_value(json_object_get(h, "tag")), it, 3);
    get(want, 32, h, "hb");
    assert_memory_equal(dg, want, 32);
}

static void test_elgamal(void **state)
{
    json_t *e = json_object_get(vec, "elgamal"), *v;
    uint8_t sk[32], r[32], ms[32], ct[64], want[64];
    pt h, rh, mg, sum_a = { 0 }, sum_b = { 0 }, xa, m6;
    size_t i;

    (void)state;
    get(sk, 32, e, "sk");
    ref_base(h, sk);
    get(want, 32, e, "pk");
    assert_memory_equal(h, want, 32);
    json_array_foreach(json_object_get(e, "encryptions"), i, v) {
        get(r, 32, v, "r");
        ref_u64_scalar(ms, (uint64_t)json_integer_value(json_object_get(v, "m")));
        ref_base(ct, r);
        ref_mul(rh, r, h);
        ref_base(mg, ms);
        assert_int_equal(crypto_core_ristretto255_add(ct + 32, mg, rh), 0);
        get(want, 64, v, "ct");
        assert_memory_equal(ct, want, 64);
        assert_int_equal(crypto_core_ristretto255_add(sum_a, sum_a, ct), 0);
        assert_int_equal(crypto_core_ristretto255_add(sum_b, sum_b, ct + 32), 0);
    }
    get(want, 64, e, "sum");
    assert_memory_equal(sum_a, want, 32);
    assert_memory_equal(sum_b, want + 32, 32);
    ref_mul(xa, sk, sum_a);
    assert_int_equal(crypto_core_ristretto255_sub(mg, sum_b, xa), 0);
    ref_u64_scalar(ms, 6);                                   /* 0 + 1 + 5 */
    ref_base(m6, ms);
    assert_memory_equal(mg, m6, 32);
    get(want, 32, e, "decrypted_sum");
    assert_memory_equal(mg, want, 32);
}

static void test_pok_and_dec(void **state)
{
    json_t *p = json_object_get(vec, "pok"), *d = json_object_get(vec, "dec");
    uint8_t ctx[32], x[32], aux[8], a[32], s[32], c[32], b[32], alpha[32], dd[32];
    pt xp, want, sa, rhs, cd;

    (void)state;
    get(ctx, 32, p, "ctx");
    get(x, 32, p, "x");
    get(aux, 8, p, "aux");
    get(a, 32, json_object_get(p, "proof"), "a");
    get(s, 32, json_object_get(p, "proof"), "s");
    ref_base(xp, x);
    get(want, 32, p, "X");
    assert_memory_equal(xp, want, 32);
    ref_hs(c, "votesrv/v1/pok", (item[]){ { ctx, 32 }, { xp, 32 }, { a, 32 }, { aux, 8 } }, 4);
    assert_int_equal(ref_schnorr(s, a, c, xp), 0);
    s[0] ^= 1;
    assert_int_equal(ref_schnorr(s, a, c, xp), -1);

    get(ctx, 32, d, "ctx");
    get(x, 32, d, "x");
    get(alpha, 32, d, "alpha");
    get(dd, 32, d, "d");
    get(a, 32, json_object_get(d, "proof"), "a");
    get(b, 32, json_object_get(d, "proof"), "b");
    get(s, 32, json_object_get(d, "proof"), "s");
    ref_base(xp, x);
    ref_mul(want, x, alpha);
    assert_memory_equal(want, dd, 32);                       /* D = x alpha */
    ref_hs(c, "votesrv/v1/dec", (item[]){ { ctx, 32 }, { xp, 32 }, { alpha, 32 }, { dd, 32 },
                                          { a, 32 }, { b, 32 } }, 6);
    assert_int_equal(ref_schnorr(s, a, c, xp), 0);
    ref_mul(sa, s, alpha);                                   /* s alpha = B + c D */
    ref_mul(cd, c, dd);
    assert_int_equal(crypto_core_ristretto255_add(rhs, b, cd), 0);
    assert_memory_equal(sa, rhs, 32);
}

static void test_disjunctive(void **state)
{
    json_t *v;
    size_t i;

    (void)state;
    json_array_foreach(json_object_get(vec, "disj"), i, v) {
        uint8_t ctx[32], h[32], ct[64], aux[64];
        const char *auxhex = json_string_value(json_object_get(v, "aux"));
        size_t auxlen = strlen(auxhex) / 2;
        uint64_t min = (uint64_t)json_integer_value(json_object_get(v, "min"));
        uint64_t max = (uint64_t)json_integer_value(json_object_get(v, "max"));
        json_t *proof = json_object_get(v, "proof"), *bad;
        char flipped[65];

        get(ctx, 32, v, "ctx");
        get(h, 32, v, "pk");
        get(ct, 64, v, "ct");
        tu_unhex(aux, auxlen, auxhex);
        assert_int_equal(ref_disj(proof, ctx, h, ct, min, max, aux, auxlen), 0);
        /* the reference is not vacuous: a changed response fails */
        bad = json_deep_copy(proof);
        strcpy(flipped, json_string_value(json_object_get(json_array_get(bad, 0), "s")));
        flipped[0] = flipped[0] == '0' ? '1' : '0';
        json_object_set_new(json_array_get(bad, 0), "s", json_string(flipped));
        assert_int_equal(ref_disj(bad, ctx, h, ct, min, max, aux, auxlen), -1);
        json_decref(bad);
        assert_int_equal(ref_disj(proof, ctx, h, ct, min, max + 1, aux, auxlen), -1);
    }
}

static void test_threshold(void **state)
{
    json_t *t = json_object_get(vec, "threshold"), *dealers = json_object_get(t, "dealers"), *v;
    size_t n = (size_t)json_integer_value(json_object_get(t, "n"));
    size_t tt = (size_t)json_integer_value(json_object_get(t, "t"));
    uint8_t ctx[32], com[8][8][32], a[32], s[32], c[32], aux[8 + 8 * 32];
    pt h = { 0 }, want;
    size_t i;

    (void)state;
    get(ctx, 32, t, "ctx");
    json_array_foreach(dealers, i, v) {
        json_t *cm = json_object_get(v, "commitments");

        for (size_t k = 0; k < tt; k++)
            tu_unhex(com[i][k], 32, json_string_value(json_array_get(cm, k)));
        le64(aux, i + 1);
        memcpy(aux + 8, com[i], tt * 32);
        get(a, 32, json_object_get(v, "pok"), "a");
        get(s, 32, json_object_get(v, "pok"), "s");
        ref_hs(c, "votesrv/v1/pok", (item[]){ { ctx, 32 }, { com[i][0], 32 }, { a, 32 },
                                              { aux, 8 + tt * 32 } }, 4);
        assert_int_equal(ref_schnorr(s, a, c, com[i][0]), 0);
        assert_int_equal(crypto_core_ristretto255_add(h, h, com[i][0]), 0);
    }
    get(want, 32, t, "joint_key");
    assert_memory_equal(h, want, 32);
    json_array_foreach(json_object_get(t, "verification_keys"), i, v) {
        pt x = { 0 }, term;
        uint8_t jk[32];

        for (size_t d = 0; d < n; d++) {
            for (size_t k = 0; k < tt; k++) {
                uint64_t pw = 1;

                for (size_t e = 0; e < k; e++)
                    pw *= i + 1;
                ref_u64_scalar(jk, pw);
                ref_mul(term, jk, com[d][k]);
                assert_int_equal(crypto_core_ristretto255_add(x, x, term), 0);
            }
        }
        tu_unhex(want, 32, json_string_value(v));
        assert_memory_equal(x, want, 32);
    }
}

/* §7's vote code, read from the text alone: 28 symbols of Crockford's base32
 * (0-9A-Z without I L O U) whose values v_i, as elements of GF(2^5) modulo
 * x^5 + x^2 + 1, satisfy sum x^i * v_i = 0. */
static int ref_code_valid(const char *code)
{
    static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    unsigned sum = 0, weight = 1;

    if (strlen(code) != 28)
        return 0;
    for (size_t i = 0; i < 28; i++) {
        const char *p = code[i] != '\0' ? strchr(b32, code[i]) : NULL;
        unsigned v = p != NULL ? (unsigned)(p - b32) : 32, prod = 0, w = weight;

        if (v > 31)
            return 0;
        for (int b = 0; b < 5; b++, w = (w << 1) ^ ((w & 0x10) ? 0x25 : 0))
            if (v & (1u << b))
                prod ^= w;
        sum ^= prod;
        weight = (weight << 1) ^ ((weight & 0x10) ? 0x25 : 0);
    }
    return sum == 0;
}

static void test_ballot(void **state)
{
    json_t *v = json_object_get(vec, "ballot"), *b = json_object_get(v, "ballot");
    const char *eid = json_string_value(json_object_get(v, "eid"));
    const char *code = json_string_value(json_object_get(v, "code"));
    const char *sid = json_string_value(json_object_get(v, "scrutin_id"));
    size_t k = (size_t)json_integer_value(json_object_get(v, "k")), ai = 0;
    uint8_t fp[32], h[32], s[32], want[32], cred[32], ct[8][64], sum[64] = { 0 }, aux[128];
    uint8_t digest[32], a[32], sig[32], c[32], kb[8], mnb[8], mxb[8], bits[8][256], rng[256];
    item it[64];
    size_t ni = 0;

    (void)state;
    /* the vector's code is a real one (§7), hashed in its canonical form: the
     * 28 symbols, no separator, as the notices print it and the C code and the
     * browser parse what a voter types */
    {
        char canon[CODE_SYMBOLS + 1], typo[CODE_SYMBOLS + 1];

        assert_true(ref_code_valid(code));
        assert_int_equal(code_parse(canon, code), CODE_OK);
        assert_string_equal(canon, code);
        for (size_t i = 0; i < CODE_SYMBOLS; i++) {    /* the reference can fail */
            snprintf(typo, sizeof typo, "%s", code);
            typo[i] = typo[i] == '7' ? '8' : '7';
            assert_false(ref_code_valid(typo));
            assert_int_equal(code_parse(canon, typo), CODE_TYPO);
        }
    }
    get(fp, 32, v, "fp");
    get(h, 32, v, "pk");
    ref_hash(want, 32, "votesrv/v1/authenticator",
             (item[]){ { eid, strlen(eid) }, { code, strlen(code) } }, 2);
    get(a, 32, v, "auth");
    assert_memory_equal(want, a, 32);
    /* one credential per voter and scrutin (§7) */
    ref_hs(s, "votesrv/v1/credential",
           (item[]){ { eid, strlen(eid) }, { code, strlen(code) }, { sid, strlen(sid) } }, 3);
    ref_base(cred, s);
    get(want, 32, v, "credential");
    assert_memory_equal(cred, want, 32);
    ref_hash(h, 32, "votesrv/v1/auth-bind", (item[]){ { a, 32 }, { cred, 32 } }, 2);
    get(want, 32, v, "auth_bind");
    assert_memory_equal(h, want, 32);
    get(h, 32, v, "pk");
    le64(aux, 32);                                     /* aux = enc(S) || enc(scrutin_id) */
    memcpy(aux + 8, cred, 32);
    le64(aux + 40, strlen(sid));
    memcpy(aux + 48, sid, strlen(sid));
    ai = 48 + strlen(sid);
    for (size_t i = 0; i < k; i++) {
        json_t *bp = json_array_get(json_object_get(b, "bits"), i);

        tu_unhex(ct[i], 64, json_string_value(json_array_get(json_object_get(b, "ct"), i)));
        assert_int_equal(ref_disj(bp, fp, h, ct[i], 0, 1, aux, ai), 0);
        assert_int_equal(crypto_core_ristretto255_add(sum, sum, ct[i]), 0);
        assert_int_equal(crypto_core_ristretto255_add(sum + 32, sum + 32, ct[i] + 32), 0);
        for (size_t j = 0; j < 2; j++) {
            json_t *br = json_array_get(bp, j);

            get(bits[i] + 128 * j, 32, br, "a");
            get(bits[i] + 128 * j + 32, 32, br, "b");
            get(bits[i] + 128 * j + 64, 32, br, "c");
            get(bits[i] + 128 * j + 96, 32, br, "s");
        }
    }
    assert_int_equal(ref_disj(json_object_get(b, "range"), fp, h, sum, 0, 1, aux, ai), 0);
    for (size_t j = 0; j < 2; j++) {
        json_t *br = json_array_get(json_object_get(b, "range"), j);

        get(rng + 128 * j, 32, br, "a");
        get(rng + 128 * j + 32, 32, br, "b");
        get(rng + 128 * j + 64, 32, br, "c");
        get(rng + 128 * j + 96, 32, br, "s");
    }
    it[ni++] = (item){ fp, 32 };
    it[ni++] = (item){ sid, strlen(sid) };
    it[ni++] = (item){ cred, 32 };
    le64(kb, k);
    it[ni++] = (item){ kb, 8 };
    for (size_t i = 0; i < k; i++) {
        it[ni++] = (item){ ct[i], 32 };
        it[ni++] = (item){ ct[i] + 32, 32 };
        it[ni++] = (item){ bits[i], 256 };
    }
    le64(mnb, 0);
    le64(mxb, 1);
    it[ni++] = (item){ mnb, 8 };
    it[ni++] = (item){ mxb, 8 };
    it[ni++] = (item){ rng, 256 };
    ref_hash(digest, 32, "votesrv/v1/ballot", it, ni);
    get(want, 32, v, "digest");
    assert_memory_equal(digest, want, 32);
    get(a, 32, json_object_get(b, "sig"), "a");
    get(sig, 32, json_object_get(b, "sig"), "s");
    ref_hs(c, "votesrv/v1/sig", (item[]){ { fp, 32 }, { cred, 32 }, { a, 32 }, { digest, 32 } }, 4);
    assert_int_equal(ref_schnorr(sig, a, c, cred), 0);
}

/* The credential authority's signed digests (§7), recomputed from their
 * definitions with the reference hash; Ed25519 checked with the demo key,
 * itself Ed25519(seed = Hb("votesrv/v1/demo-credential-authority")). */
static void test_authority(void **state)
{
    json_t *v = json_object_get(vec, "authority");
    const char *eid = json_string_value(json_object_get(v, "eid"));
    const char *sc = json_string_value(json_object_get(v, "scrutin"));
    uint8_t seed[32], pk[32], sk[64], want[32], d[32], s1[32], s2[32], sig[64], n[8], one[8];
    uint8_t t[8], applied[8];

    (void)state;
    ref_hash(seed, 32, "votesrv/v1/demo-credential-authority", NULL, 0);
    get(want, 32, v, "seed");
    assert_memory_equal(seed, want, 32);
    crypto_sign_seed_keypair(pk, sk, seed);
    get(want, 32, v, "public_key");
    assert_memory_equal(pk, want, 32);
    tu_unhex(s1, 32, json_string_value(json_array_get(json_object_get(v, "credentials"), 0)));
    tu_unhex(s2, 32, json_string_value(json_array_get(json_object_get(v, "credentials"), 1)));
    assert_true(memcmp(s1, s2, 32) < 0);                       /* sorted by bytes */
    le64(n, 2);
    ref_hash(d, 32, "votesrv/v1/credential-list",
             (item[]){ { eid, strlen(eid) }, { sc, strlen(sc) }, { n, 8 }, { s1, 32 }, { s2, 32 } },
             5);
    get(want, 32, v, "list_digest");
    assert_memory_equal(d, want, 32);
    get(sig, 64, v, "list_signature");
    assert_int_equal(crypto_sign_verify_detached(sig, d, 32, pk), 0);
    le64(one, 1);
    ref_hash(d, 32, "votesrv/v1/credential-reissue",
             (item[]){ { eid, strlen(eid) }, { one, 8 }, { one, 8 }, { sc, strlen(sc) },
                       { s1, 32 }, { s2, 32 } }, 6);
    get(want, 32, v, "reissue_digest");
    assert_memory_equal(d, want, 32);
    get(sig, 64, v, "reissue_signature");
    assert_int_equal(crypto_sign_verify_detached(sig, d, 32, pk), 0);
    sig[0] ^= 1;
    assert_int_equal(crypto_sign_verify_detached(sig, d, 32, pk), -1);
    le64(t, 1764576000);
    le64(applied, 7);
    ref_hash(d, 32, "votesrv/v1/reissue-request",
             (item[]){ { eid, strlen(eid) }, { "00112233445566778899aabbccddeeff", 32 },
                       { "D00042", 6 }, { n, 8 }, { "cap-ministere", 13 }, { "csa", 3 },
                       { t, 8 }, { applied, 8 } }, 8);
    get(want, 32, v, "request_digest");
    assert_memory_equal(d, want, 32);
    sodium_memzero(sk, sizeof sk);
}

/* A ballot made by the browser's code (votesrv/portal/js, run by node) with
 * fresh randomness verifies in C; one byte changed does not. */
static void test_browser_ballot(void **state)
{
    json_t *v = json_object_get(vec, "ballot"), *j;
    uint8_t fp[32], pkb[32];
    elgamal_pk pk;
    ballot_scrutin sc = { fp, &pk, "cap-ministere", 3, 0, 1 };
    char *out = malloc(65536), err[64];
    ballot *b;

    (void)state;
    get(fp, 32, v, "fp");
    get(pkb, 32, v, "pk");
    assert_int_equal(elgamal_pk_load(&pk, pkb), 0);
    for (int choice = -1; choice < 3; choice++) {
        assert_int_equal(tu_sh(out, 65536, "node js/make-ballot.mjs %d", choice), 0);
        j = json_loads(out, 0, NULL);
        assert_non_null(j);
        b = ballot_from_json(j, &sc, err, sizeof err);
        assert_non_null(b);
        assert_int_equal(ballot_verify(b, &sc), 0);
        b->sig.s[0] ^= 1;
        assert_int_equal(ballot_verify(b, &sc), -1);
        ballot_free(b);
        json_decref(j);
    }
    elgamal_pk_clear(&pk);
    free(out);
}

/* §2's table names every domain string of the code: each "votesrv/..."
 * literal of the C and browser sources (not the tests) appears in
 * docs/protocol.md as `tag`. */
static void test_tags_documented(void **state)
{
    char *tags = malloc(65536), *doc = malloc(1 << 20), *save = NULL, want[200];
    FILE *f = fopen("../docs/protocol.md", "r");
    size_t n = 0, found = 0;

    (void)state;
    assert_non_null(tags);
    assert_non_null(doc);
    assert_non_null(f);
    n = fread(doc, 1, (1 << 20) - 1, f);
    doc[n] = '\0';
    fclose(f);
    assert_int_equal(tu_sh(tags, 65536, "cd .. && grep -rhoE \"[\\\"']votesrv/[A-Za-z0-9/_-]*[\\\"']\" "
                           "--include='*.c' --include='*.h' --include='*.mjs' "
                           "--exclude-dir=node_modules --exclude-dir=build --exclude-dir=tests . "
                           "| tr -d \"\\\"'\" | sort -u"), 0);
    for (char *t = strtok_r(tags, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
        snprintf(want, sizeof want, "`%s`", t);
        if (strstr(doc, want) == NULL)
            fail_msg("%s is used by the code but missing from docs/protocol.md section 2", t);
        found++;
    }
    assert_true(found >= 30);               /* the grep did find the code's tags */
    free(tags);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regenerated_byte_for_byte),
        cmocka_unit_test(test_drbg_and_hash),
        cmocka_unit_test(test_elgamal),
        cmocka_unit_test(test_pok_and_dec),
        cmocka_unit_test(test_disjunctive),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_ballot),
        cmocka_unit_test(test_authority),
        cmocka_unit_test(test_browser_ballot),
        cmocka_unit_test(test_tags_documented),
    };
    return cmocka_run_group_tests_name("vectors", tests, setup, teardown);
}
