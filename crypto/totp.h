/*
 * totp.h - time-based one-time passwords (RFC 6238, HOTP of RFC 4226) with
 * HMAC-SHA-256, the variant libsodium computes (crypto_auth_hmacsha256):
 * authenticator apps take it from the enrolment URI's "algorithm=SHA256".
 * Pure computation: the caller gives the time and stores the last step used.
 */
#ifndef VOTESRV_TOTP_H
#define VOTESRV_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include "hex.h"

#define TOTP_KEY_BYTES 32          /* RFC 4226 asks at least 128 bits; RFC 6238's SHA-256 key size */
#define TOTP_DIGITS 6
#define TOTP_PERIOD 30             /* seconds per step */
#define TOTP_SKEW 1                /* steps accepted either side of now */
#define TOTP_BASE32_CHARS 52       /* ceil(32 * 8 / 5), no padding */

/* The HOTP value of counter, digits (6-9) decimal digits; -1 on bad sizes. */
int totp_hotp(uint32_t *out, const uint8_t *key, size_t keylen, uint64_t counter,
              unsigned digits);
/* The step of a Unix time. */
uint64_t totp_step(int64_t now);
/* Check a typed code (exactly TOTP_DIGITS digits) against the steps around
 * now, in constant time over the candidates; a step at or before `last` is
 * refused (a code is good once). 0 and the matching step in *step, else -1. */
MUST_CHECK
int totp_verify(const uint8_t key[TOTP_KEY_BYTES], const char *code, int64_t now,
                uint64_t last, uint64_t *step);
/* The key in RFC 4648 base32 without padding, as enrolment URIs carry it. */
void totp_base32(char out[TOTP_BASE32_CHARS + 1], const uint8_t key[TOTP_KEY_BYTES]);

#endif
