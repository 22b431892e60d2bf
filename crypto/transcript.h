/*
 * transcript.h - hashing of length-prefixed items (docs/protocol.md section 2).
 *
 * transcript_init(t, tag); transcript_put*(...); then transcript_challenge()
 * (BLAKE2b-512 reduced mod L) or transcript_digest() (BLAKE2b-256).
 */
#ifndef VOTESRV_TRANSCRIPT_H
#define VOTESRV_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include "group.h"

#define TRANSCRIPT_DIGEST_BYTES 32

typedef struct {
    crypto_generichash_state h;
    size_t outlen;
} transcript;

void transcript_init(transcript *t, const char *tag, size_t outlen);
void transcript_put(transcript *t, const void *data, size_t len);
void transcript_put_u64(transcript *t, uint64_t v);
void transcript_put_point(transcript *t, const group_point *p);
void transcript_put_scalar(transcript *t, const group_scalar *s);
/* For a transcript made with outlen = 64. */
void transcript_challenge(transcript *t, group_scalar *c);
/* For a transcript made with outlen = TRANSCRIPT_DIGEST_BYTES. */
void transcript_digest(transcript *t, uint8_t out[TRANSCRIPT_DIGEST_BYTES]);

#endif
