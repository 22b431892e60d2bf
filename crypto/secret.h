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
#include "hex.h"

#define SECRET_PEPPER_BYTES 32
#define SECRET_TOKEN_BYTES 32                     /* 256 bits */
#define SECRET_TOKEN_CHARS 43                     /* base64url, no padding */
#define SECRET_HASH_BYTES 32
#define SECRET_PWHASH_STR_BYTES crypto_pwhash_STRBYTES
#define SECRET_PWHASH_MAX_INPUT 1024
/* Argon2id cost: OWASP's baseline (m = 19 MiB, t = 2, p = 1), ~22 ms on the
 * reference machine. Callers bound how many run at once (one per core), so a
 * login burst costs at most cores x 19 MiB and queues instead of swapping. */
#define SECRET_PWHASH_OPSLIMIT 2
#define SECRET_PWHASH_MEMLIMIT (19u * 1024u * 1024u)

/* -1 on empty or oversized input or out of memory. */
int secret_pwhash(char out[SECRET_PWHASH_STR_BYTES], const char *secret, size_t len);
/* 0 if the secret matches the stored string, -1 otherwise. */
MUST_CHECK
int secret_pwhash_verify(const char stored[SECRET_PWHASH_STR_BYTES], const char *secret,
                         size_t len);
/* A fresh 256-bit token, as text. */
void secret_token_new(char out[SECRET_TOKEN_CHARS + 1]);
/* Keyed BLAKE2b-256 of a high-entropy secret (a token, an authenticator). */
void secret_keyed_hash(uint8_t out[SECRET_HASH_BYTES], const uint8_t pepper[SECRET_PEPPER_BYTES],
                       const void *secret, size_t len);
/* Constant-time equality of two equal-length buffers: 1 if equal. */
MUST_CHECK
int secret_equal(const void *a, const void *b, size_t len);

#endif
