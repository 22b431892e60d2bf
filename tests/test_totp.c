/* test_totp.c - one-time passwords: RFC 6238's SHA-256 answers, base32,
 * and every way a code must be refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/totp.h"
#include "testutil.h"

/* RFC 6238, appendix B: the SHA-256 seed is "1234567890" repeated to 32 bytes. */
static const uint8_t *rfc_key = (const uint8_t *)"12345678901234567890123456789012";

static void test_rfc6238_sha256(void **state)
{
    static const struct {
        int64_t time;
        uint32_t code;
    } kat[] = {
        { 59, 46119246 }, { 1111111109, 68084774 }, { 1111111111, 67062674 },
        { 1234567890, 91819424 }, { 2000000000, 90698825 }, { 20000000000, 77737706 },
    };
    uint32_t v;

    (void)state;
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        assert_int_equal(totp_hotp(&v, rfc_key, 32, totp_step(kat[i].time), 8), 0);
        assert_int_equal(v, kat[i].code);
        /* six digits are the last six of the same value */
        assert_int_equal(totp_hotp(&v, rfc_key, 32, totp_step(kat[i].time), 6), 0);
        assert_int_equal(v, kat[i].code % 1000000);
    }
    assert_int_equal(totp_hotp(&v, rfc_key, 15, 1, 6), -1);     /* key too short */
    assert_int_equal(totp_hotp(&v, rfc_key, 32, 1, 5), -1);
    assert_int_equal(totp_hotp(&v, rfc_key, 32, 1, 10), -1);
}

static void code_at(char out[TOTP_DIGITS + 1], int64_t t)
{
    uint32_t v;

    assert_int_equal(totp_hotp(&v, rfc_key, 32, totp_step(t), TOTP_DIGITS), 0);
    snprintf(out, TOTP_DIGITS + 1, "%06u", (unsigned)v);
}

static void test_verify(void **state)
{
    const int64_t now = 1234567890;
    char code[TOTP_DIGITS + 1], bad[TOTP_DIGITS + 1];
    uint64_t step = 0;

    (void)state;
    code_at(code, now);
    assert_int_equal(totp_verify(rfc_key, code, now, 0, &step), 0);
    assert_int_equal(step, totp_step(now));
    /* once used, the same step is refused, and so is an earlier one */
    assert_int_equal(totp_verify(rfc_key, code, now, step, &step), -1);
    code_at(code, now - TOTP_PERIOD);
    assert_int_equal(totp_verify(rfc_key, code, now, totp_step(now), &step), -1);
    /* one step of clock drift either way is accepted, two are not */
    assert_int_equal(totp_verify(rfc_key, code, now, 0, &step), 0);
    assert_int_equal(step, totp_step(now) - 1);
    code_at(code, now + TOTP_PERIOD);
    assert_int_equal(totp_verify(rfc_key, code, now, 0, &step), 0);
    code_at(code, now + 2 * TOTP_PERIOD);
    assert_int_equal(totp_verify(rfc_key, code, now, 0, &step), -1);
    code_at(code, now - 2 * TOTP_PERIOD);
    assert_int_equal(totp_verify(rfc_key, code, now, 0, &step), -1);
    /* a wrong digit, the wrong key, malformed input */
    code_at(code, now);
    memcpy(bad, code, sizeof bad);
    bad[5] = bad[5] == '9' ? '0' : (char)(bad[5] + 1);
    assert_int_equal(totp_verify(rfc_key, bad, now, 0, &step), -1);
    assert_int_equal(totp_verify((const uint8_t *)"12345678901234567890123456789013", code, now,
                                 0, &step), -1);
    assert_int_equal(totp_verify(rfc_key, "12345", now, 0, &step), -1);
    assert_int_equal(totp_verify(rfc_key, "1234567", now, 0, &step), -1);
    assert_int_equal(totp_verify(rfc_key, "12 456", now, 0, &step), -1);
    assert_int_equal(totp_verify(rfc_key, "", now, 0, &step), -1);
    assert_int_equal(totp_verify(rfc_key, NULL, now, 0, &step), -1);
}

static void test_base32(void **state)
{
    char out[TOTP_BASE32_CHARS + 1];
    uint8_t key[TOTP_KEY_BYTES];

    (void)state;
    /* answers from Python's base64.b32encode, padding removed */
    totp_base32(out, rfc_key);
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA");
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)i;
    totp_base32(out, key);
    assert_string_equal(out, "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_sha256),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_base32),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
