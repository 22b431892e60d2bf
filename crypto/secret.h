/*
 * secret.h - storing and comparing secrets: Argon2id for low-entropy secrets
 * (passwords, defi answers), keyed BLAKE2b for high-entropy ones (tokens,
 * authenticators), random tokens, constant-time comparison.
 */
#ifndef VOTESRV_SECRET_H
#define VOTESRV_SECRET_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#define SECRET_PEPPER_BYTES 32
#define SECRET_TOKEN_BYTES 32                     /* 256 bits */
#define SECRET_TOKEN_CHARS 43                     /* base64url, no padding */
#define SECRET_HASH_BYTES 32
#define SECRET_PWHASH_STR_BYTES crypto_pwhash_STRBYTES
#define SECRET_PWHASH_MAX_INPUT 1024
/* Argon2id cost: libsodium's "interactive" level (2 passes, 64 MiB). */
#define SECRET_PWHASH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define SECRET_PWHASH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* -1 on empty or oversized input or out of memory. */
int secret_pwhash(char out[SECRET_PWHASH_STR_BYTES], const char *secret, size_t len);
/* 0 if the secret matches the stored string, -1 otherwise. */
int secret_pwhash_verify(const char stored[SECRET_PWHASH_STR_BYTES], const char *secret,
                         size_t len);
/* A fresh 256-bit token, as text. */
void secret_token_new(char out[SECRET_TOKEN_CHARS + 1]);
/* Keyed BLAKE2b-256 of a high-entropy secret (a token, an authenticator). */
void secret_keyed_hash(uint8_t out[SECRET_HASH_BYTES], const uint8_t pepper[SECRET_PEPPER_BYTES],
                       const void *secret, size_t len);
/* Constant-time equality of two equal-length buffers: 1 if equal. */
int secret_equal(const void *a, const void *b, size_t len);

#endif
