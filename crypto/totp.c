/* totp.c - RFC 6238 one-time passwords on libsodium's HMAC-SHA-256. */
#include "totp.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

static const uint32_t powers[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                  100000000, 1000000000 };

int totp_hotp(uint32_t *out, const uint8_t *key, size_t keylen, uint64_t counter,
              unsigned digits)
{
    crypto_auth_hmacsha256_state st;
    uint8_t msg[8], mac[crypto_auth_hmacsha256_BYTES];
    unsigned off;
    uint32_t bin;

    if (key == NULL || keylen < 16 || digits < 6 || digits > 9)
        return -1;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)(counter & 0xff);
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, msg, sizeof msg);
    crypto_auth_hmacsha256_final(&st, mac);
    off = mac[sizeof mac - 1] & 0x0f;          /* dynamic truncation, RFC 4226 5.3 */
    bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
          (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    *out = bin % powers[digits];
    sodium_memzero(mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
    return 0;
}

uint64_t totp_step(int64_t now)
{
    return now > 0 ? (uint64_t)now / TOTP_PERIOD : 0;
}

int totp_verify(const uint8_t key[TOTP_KEY_BYTES], const char *code, int64_t now,
                uint64_t last, uint64_t *step)
{
    char want[TOTP_DIGITS + 1], typed[TOTP_DIGITS + 1];
    uint64_t s = totp_step(now), found = 0;
    int ok = 0;

    if (code == NULL || strlen(code) != TOTP_DIGITS ||
        strspn(code, "0123456789") != TOTP_DIGITS)
        return -1;
    memcpy(typed, code, sizeof typed);
    for (uint64_t c = s >= TOTP_SKEW ? s - TOTP_SKEW : 0; c <= s + TOTP_SKEW; c++) {
        uint32_t v;
        int eq;

        if (totp_hotp(&v, key, TOTP_KEY_BYTES, c, TOTP_DIGITS) != 0)
            return -1;
        snprintf(want, sizeof want, "%0*u", TOTP_DIGITS, (unsigned)v);
        eq = sodium_memcmp(want, typed, TOTP_DIGITS) == 0 && c > last;
        found = eq ? c : found;             /* every candidate is computed */
        ok |= eq;
    }
    sodium_memzero(want, sizeof want);
    sodium_memzero(typed, sizeof typed);
    if (!ok)
        return -1;
    *step = found;
    return 0;
}

void totp_base32(char out[TOTP_BASE32_CHARS + 1], const uint8_t key[TOTP_KEY_BYTES])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;

    for (size_t i = 0; i < TOTP_KEY_BYTES; i++) {
        acc = (acc << 8) | key[i];
        bits += 8;
        while (bits >= 5) {
            out[n++] = alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[n++] = alphabet[(acc << (5 - bits)) & 31];
    out[n] = '\0';
}
