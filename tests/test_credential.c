/* test_credential.c - vote-code credentials, their signatures, and the
 * storage of secrets (Argon2id, keyed hashes, tokens, comparison). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static const uint8_t eid[] = "election-2026";
static const uint8_t code[] = "K7QX2-MHV9D-4TPCE-WN8RA-3YF6B";

static int setup(void **state)
{
    (void)state;
    return crypto_init();
}

static void test_derivations(void **state)
{
    uint8_t a1[32], a2[32], p1[32], p2[32], other[] = "K7QX2-MHV9D-4TPCE-WN8RA-3YF6C";
    group_scalar s1, s2;
    group_point sp, pp;

    (void)state;
    assert_int_equal(credential_derive_auth(a1, eid, sizeof eid - 1, code, sizeof code - 1), 0);
    assert_int_equal(credential_derive_auth(a2, eid, sizeof eid - 1, code, sizeof code - 1), 0);
    assert_memory_equal(a1, a2, 32);                           /* deterministic */
    assert_int_equal(credential_derive_scrutin(&s1, p1, eid, sizeof eid - 1, code,
                                              sizeof code - 1, "csa"), 0);
    group_point_mul_base(&sp, &s1);
    assert_int_equal(group_point_decode(&pp, p1, GROUP_NO_IDENTITY), 0);
    assert_true(group_point_equal(&sp, &pp));                  /* S = s*G */
    /* the authenticator is not an encoding of the credential */
    assert_memory_not_equal(a1, p1, 32);
    group_scalar_encode(a2, &s1);
    assert_memory_not_equal(a1, a2, 32);
    /* one character or another election changes everything */
    assert_int_equal(credential_derive_auth(a2, eid, sizeof eid - 1, other, sizeof other - 1), 0);
    assert_memory_not_equal(a1, a2, 32);
    assert_int_equal(credential_derive_scrutin(&s2, p2, (const uint8_t *)"election-2027", 13,
                                              code, sizeof code - 1, "csa"), 0);
    assert_memory_not_equal(p1, p2, 32);
    /* lengths out of range */
    assert_int_equal(credential_derive_auth(a1, eid, sizeof eid - 1, code, 15), -1);
    assert_int_equal(credential_derive_auth(a1, eid, 0, code, sizeof code - 1), -1);
    assert_int_equal(credential_derive_scrutin(&s2, p2, eid, sizeof eid - 1, code,
                                               sizeof code - 1, ""), -1);
}

/* One credential per scrutin, and the binding the server keeps: another
 * scrutin, another authenticator or another credential binds differently. */
static void test_scrutin_credentials_and_binding(void **state)
{
    uint8_t auth[32], a2[32], p1[32], p2[32], b1[32], b2[32], b3[32], pub[32], bind[32];
    group_scalar s1, s2;

    (void)state;
    assert_int_equal(credential_derive_auth(auth, eid, sizeof eid - 1, code, sizeof code - 1), 0);
    assert_int_equal(credential_derive_scrutin(&s1, p1, eid, sizeof eid - 1, code,
                                               sizeof code - 1, "csa"), 0);
    assert_int_equal(credential_derive_scrutin(&s2, p2, eid, sizeof eid - 1, code,
                                               sizeof code - 1, "cap"), 0);
    assert_memory_not_equal(p1, p2, 32);          /* nothing groups a voter's ballots */
    credential_auth_bind(b1, auth, p1);
    credential_auth_bind(b2, auth, p2);
    assert_memory_not_equal(b1, b2, 32);
    assert_int_equal(credential_derive_auth(a2, eid, sizeof eid - 1,
                                            (const uint8_t *)"another code, 128+ bits", 23), 0);
    credential_auth_bind(b3, a2, p1);             /* a colleague's authenticator */
    assert_memory_not_equal(b1, b3, 32);
    assert_int_equal(credential_from_code_scrutin(bind, pub, eid, sizeof eid - 1, code,
                                                  sizeof code - 1, "csa"), 0);
    assert_memory_equal(pub, p1, 32);
    assert_memory_equal(bind, b1, 32);
    assert_int_equal(credential_from_code_scrutin(bind, pub, eid, sizeof eid - 1, code, 3,
                                                  "csa"), -1);
    assert_int_equal(credential_derive_scrutin(&s2, p2, eid, 65, code, sizeof code - 1, "csa"), -1);
}

static void test_signature(void **state)
{
    uint8_t ctx[32] = { 1 }, ctx2[32] = { 2 }, pub[32], pub2[32], d[32] = { 9 }, d2[32] = { 8 };
    group_scalar s, s2;
    credential_sig sig, bad;

    (void)state;
    assert_int_equal(credential_derive_scrutin(&s, pub, eid, sizeof eid - 1, code,
                                              sizeof code - 1, "csa"), 0);
    assert_int_equal(credential_derive_scrutin(&s2, pub2, eid, sizeof eid - 1,
                                              (const uint8_t *)"another code, 128+ bits", 23, "csa"), 0);
    assert_int_equal(credential_sign(&sig, ctx, &s, pub, d, NULL), 0);
    assert_int_equal(credential_sig_verify(&sig, ctx, pub, d), 0);
    for (size_t bit = 0; bit < 8 * sizeof sig; bit++) {
        bad = sig;
        tu_flip((uint8_t *)&bad, bit);
        assert_int_equal(credential_sig_verify(&bad, ctx, pub, d), -1);
    }
    assert_int_equal(credential_sig_verify(&sig, ctx2, pub, d), -1);
    assert_int_equal(credential_sig_verify(&sig, ctx, pub, d2), -1);
    assert_int_equal(credential_sig_verify(&sig, ctx, pub2, d), -1);
    /* signed with another credential, presented as this one */
    assert_int_equal(credential_sign(&bad, ctx, &s2, pub, d, NULL), 0);
    assert_int_equal(credential_sig_verify(&bad, ctx, pub, d), -1);
}

static void test_password_hash(void **state)
{
    char stored[SECRET_PWHASH_STR_BYTES], big[SECRET_PWHASH_MAX_INPUT + 1];
    const char *pw = "correct horse battery staple";

    (void)state;
    assert_int_equal(secret_pwhash(stored, pw, strlen(pw)), 0);
    assert_non_null(strstr(stored, "$argon2id$"));
    assert_null(strstr(stored, pw));                     /* never stored in clear */
    assert_int_equal(secret_pwhash_verify(stored, pw, strlen(pw)), 0);
    assert_int_equal(secret_pwhash_verify(stored, "correct horse battery stapl", 27), -1);
    assert_int_equal(secret_pwhash_verify(stored, "", 0), -1);
    assert_int_equal(secret_pwhash(stored, "", 0), -1);
    memset(big, 'a', sizeof big);
    assert_int_equal(secret_pwhash(stored, big, sizeof big), -1);
    /* a corrupted stored string refuses everything */
    stored[20] ^= 1;
    assert_int_equal(secret_pwhash_verify(stored, pw, strlen(pw)), -1);
    memset(stored, 'x', sizeof stored);                  /* no terminator */
    assert_int_equal(secret_pwhash_verify(stored, pw, strlen(pw)), -1);
}

static void test_tokens_and_keyed_hash(void **state)
{
    char t1[SECRET_TOKEN_CHARS + 1], t2[SECRET_TOKEN_CHARS + 1];
    uint8_t pepper[SECRET_PEPPER_BYTES] = { 1 }, pepper2[SECRET_PEPPER_BYTES] = { 2 };
    uint8_t h1[32], h2[32], raw[SECRET_TOKEN_BYTES];
    size_t len;

    (void)state;
    secret_token_new(t1);
    secret_token_new(t2);
    assert_int_equal(strlen(t1), SECRET_TOKEN_CHARS);
    assert_string_not_equal(t1, t2);
    assert_int_equal(sodium_base642bin(raw, sizeof raw, t1, strlen(t1), NULL, &len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    assert_int_equal(len, SECRET_TOKEN_BYTES);           /* 256 bits */
    secret_keyed_hash(h1, pepper, t1, strlen(t1));
    secret_keyed_hash(h2, pepper, t1, strlen(t1));
    assert_true(secret_equal(h1, h2, 32));
    secret_keyed_hash(h2, pepper2, t1, strlen(t1));      /* depends on the pepper */
    assert_false(secret_equal(h1, h2, 32));
    secret_keyed_hash(h2, pepper, t2, strlen(t2));
    assert_false(secret_equal(h1, h2, 32));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derivations),
        cmocka_unit_test(test_scrutin_credentials_and_binding),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test(test_tokens_and_keyed_hash),
    };
    return cmocka_run_group_tests_name("credential", tests, setup, NULL);
}
