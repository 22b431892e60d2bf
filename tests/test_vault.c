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

/* §6.2's layout, with libsodium alone: "VSV1", salt at 4, le64 limits at 20
 * and 28, the stream header at 36, the message at 60 with the 36 bytes before
 * the header as associated data. A file vault_seal wrote opens this way, and
 * one written this way opens with vault_open; 44 bytes of associated data (the
 * old text) open neither. */
static void test_layout_from_the_text(void **state)
{
    uint8_t sealed[sizeof secret + VAULT_OVERHEAD], plain[sizeof secret], key[32], tag = 0;
    crypto_secretstream_xchacha20poly1305_state st;
    uint64_t ops = 0, mem = 0;

    (void)state;
    assert_int_equal(VAULT_OVERHEAD, 77);
    assert_int_equal(vault_seal(sealed, secret, sizeof secret, pass, &fast), 0);
    assert_memory_equal(sealed, "VSV1", 4);
    for (int i = 7; i >= 0; i--) {
        ops = ops << 8 | sealed[20 + i];
        mem = mem << 8 | sealed[28 + i];
    }
    assert_true(ops == fast.opslimit && mem == fast.memlimit);
    assert_int_equal(crypto_pwhash(key, sizeof key, pass, strlen(pass), sealed + 4, ops,
                                   (size_t)mem, crypto_pwhash_ALG_ARGON2ID13), 0);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&st, sealed + 36, key), 0);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&st, plain, NULL, &tag,
                                                                sealed + 60, sizeof sealed - 60,
                                                                sealed, 36), 0);
    assert_int_equal(tag, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    assert_memory_equal(plain, secret, sizeof secret);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&st, sealed + 36, key), 0);
    assert_int_not_equal(crypto_secretstream_xchacha20poly1305_pull(&st, plain, NULL, &tag,
                                                                    sealed + 60,
                                                                    sizeof sealed - 60, sealed,
                                                                    44), 0);
    /* written from the text, opened by the code */
    randombytes_buf(sealed + 4, 16);
    assert_int_equal(crypto_pwhash(key, sizeof key, pass, strlen(pass), sealed + 4, ops,
                                   (size_t)mem, crypto_pwhash_ALG_ARGON2ID13), 0);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_init_push(&st, sealed + 36, key), 0);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_push(
                         &st, sealed + 60, NULL, secret, sizeof secret, sealed, 36,
                         crypto_secretstream_xchacha20poly1305_TAG_FINAL), 0);
    memset(plain, 0, sizeof plain);
    assert_int_equal(vault_open(plain, sealed, sizeof sealed, pass), 0);
    assert_memory_equal(plain, secret, sizeof secret);
    sodium_memzero(key, sizeof key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_layout_from_the_text),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
