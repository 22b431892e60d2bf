/*
 * altcha.h - the ALTCHA proof-of-work protocol, server side: challenges for
 * the portal's widget (npm "altcha"), and verification of its payload.
 *
 * challenge = hex SHA-256(salt || decimal number), signature = hex
 * HMAC-SHA-256(key, challenge); salt carries "?expires=UNIX". The client finds
 * the number and sends base64(JSON {algorithm, challenge, number, salt,
 * signature}). A solved challenge is accepted once (the caller records it).
 */
#ifndef VOTESRV_ALTCHA_H
#define VOTESRV_ALTCHA_H

#include <stdint.h>
#include <jansson.h>
#include "crypto/hex.h"

#define ALTCHA_KEY_BYTES 32
#define ALTCHA_MAXNUMBER 50000       /* ~25,000 hashes on average: a fraction of a second */
#define ALTCHA_TTL 600
#define ALTCHA_PAYLOAD_MAX 1024

/* A fresh challenge object for the widget. */
json_t *altcha_challenge(const uint8_t key[ALTCHA_KEY_BYTES], int64_t now);
/* 0 if the payload solves a challenge of ours that has not expired; its
 * single-use id (SHA-256 of the challenge) and expiry for replay protection. */
MUST_CHECK
int altcha_verify(const uint8_t key[ALTCHA_KEY_BYTES], const char *payload, int64_t now,
                  uint8_t id[32], int64_t *expires);
/* For tests and the reference client: solve a challenge object. */
char *altcha_solve(const json_t *challenge);

#endif
