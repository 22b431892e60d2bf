/* test_vault.c - a key holder's sealed file: round trip, wrong passphrase,
 * every byte changed, truncation, header limits. */
#define _GNU_SOURCE                  /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/vault.h"

static const vault_params fast = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
static const char pass[] = "correct horse battery staple, bureau 12";
static const uint8_t secret[] = "{\"holder\":1,\"share\":\"0f1e2d3c...\"}";

static void test_round_trip(void **state)
{
    uint8_t sealed[sizeof secret + VAULT_OVERHEAD], again[sizeof sealed], plain[sizeof secret];

    (void)state;
    assert_int_equal(vault_seal(sealed, secret, sizeof secret, pass, &fast), 0);
    assert_null(memmem(sealed, sizeof sealed, "share", 5));        /* nothing in clear */
    assert_int_equal(vault_open(plain, sealed, sizeof sealed, pass), 0);
    assert_memory_equal(plain, secret, sizeof secret);
    /* a fresh salt and nonce each time */
    assert_int_equal(vault_seal(again, secret, sizeof secret, pass, &fast), 0);
    assert_memory_not_equal(again, sealed, sizeof sealed);
    /* the holders' default (Argon2id moderate) */
    assert_int_equal(vault_seal(again, secret, sizeof secret, pass, &vault_default), 0);
    assert_int_equal(vault_open(plain, again, sizeof again, pass), 0);
    assert_memory_equal(plain, secret, sizeof secret);
}

static void test_refusals(void **state)
{
    uint8_t sealed[sizeof secret + VAULT_OVERHEAD], plain[sizeof secret];
    vault_params huge = { 3, VAULT_MEMLIMIT_MAX * 2 };

    (void)state;
    assert_int_equal(vault_seal(sealed, secret, sizeof secret, pass, &fast), 0);
    assert_int_equal(vault_open(plain, sealed, sizeof sealed, "correct horse battery staple"),
                     -1);
    for (size_t i = 0; i < sizeof sealed; i++) {
        sealed[i] ^= 0x04;
        assert_int_equal(vault_open(plain, sealed, sizeof sealed, pass), -1);
        sealed[i] ^= 0x04;
    }
    assert_int_equal(vault_open(plain, sealed, sizeof sealed - 1, pass), -1);
    assert_int_equal(vault_open(plain, sealed, VAULT_OVERHEAD - 1, pass), -1);
    assert_int_equal(vault_seal(sealed, secret, sizeof secret, pass, &huge), -1);
    assert_int_equal(vault_open(plain, sealed, sizeof sealed, pass), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
