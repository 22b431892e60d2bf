/*
 * hex.h - strict lowercase hexadecimal, the byte encoding of votesrv's JSON.
 */
#ifndef VOTESRV_HEX_H
#define VOTESRV_HEX_H

#include <stddef.h>
#include <stdint.h>

/* On the functions that verify, check, decode or parse (here and in every
 * module): a caller that ignores their result does not compile, as in
 * libsodium. Dependency-free, so that any header can have it. */
#define MUST_CHECK __attribute__((warn_unused_result))

/* out must hold 2 * len + 1 characters. */
void hex_encode(char *out, const uint8_t *in, size_t len);
/* Exactly 2 * len lowercase hex digits, nothing else: 0, else -1. */
MUST_CHECK
int hex_decode(uint8_t *out, size_t len, const char *in);
/* The 2 * len characters at in (the caller has them; no terminator needed)
 * as lowercase hex, table-driven and variable-time: for public data only (a
 * ballot's fields, an archive's lines). 0, else -1 (out then undefined). */
MUST_CHECK
int hex_decode_public(uint8_t *out, size_t len, const char *in);

#endif
