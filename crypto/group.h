/*
 * group.h - ristretto255 points and scalars (RFC 9496), on libdecaf.
 *
 * Points stay decoded in memory; decoding is strict (canonical encodings only,
 * the identity only where the caller allows it) and scalar decoding refuses
 * values >= L. Functions that can fail return 0 on success, -1 on bad input.
 */
#ifndef VOTESRV_GROUP_H
#define VOTESRV_GROUP_H

#include <stddef.h>
#include <stdint.h>
#include <decaf/point_255.h>
#include "hex.h"

#define GROUP_POINT_BYTES 32
#define GROUP_SCALAR_BYTES 32
#define GROUP_SCALAR_WIDE_BYTES 64

typedef struct { decaf_255_point_t p; } group_point;
typedef struct { decaf_255_scalar_t s; } group_scalar;

/* A fixed-base table for constant-time multiplication of a long-lived point
 * (the generator, an election key). */
typedef struct group_table group_table;

enum { GROUP_NO_IDENTITY = 0, GROUP_ALLOW_IDENTITY = 1 };

MUST_CHECK
int  group_point_decode(group_point *p, const uint8_t in[GROUP_POINT_BYTES],
                        int allow_identity);
void group_point_encode(uint8_t out[GROUP_POINT_BYTES], const group_point *p);
void group_point_identity(group_point *p);
void group_point_generator(group_point *p);
int  group_point_is_identity(const group_point *p);
MUST_CHECK
int  group_point_equal(const group_point *a, const group_point *b);
void group_point_add(group_point *r, const group_point *a, const group_point *b);
void group_point_sub(group_point *r, const group_point *a, const group_point *b);
void group_point_negate(group_point *r, const group_point *a);
void group_point_double(group_point *r, const group_point *a);
/* RFC 9496's hash-to-group (section 4.3.4, libsodium's
 * crypto_core_ristretto255_from_hash) without encoding its result. */
void group_point_from_hash(group_point *p, const uint8_t in[GROUP_SCALAR_WIDE_BYTES]);
/* r = mask ? a : b, in constant time; mask is 0 or 1. */
void group_point_select(group_point *r, const group_point *a, const group_point *b,
                        unsigned mask);

/* Constant-time variable-base multiplication. */
void group_point_mul(group_point *r, const group_point *p, const group_scalar *k);
/* Constant-time k*G with libdecaf's precomputed base table. */
void group_point_mul_base(group_point *r, const group_scalar *k);
/* Variable time (public data only): a*G + b*P, a*P + b*Q. */
void group_point_mul2_base_vartime(group_point *r, const group_scalar *a,
                                   const group_point *p, const group_scalar *b);
void group_point_mul2(group_point *r, const group_point *p, const group_scalar *a,
                      const group_point *q, const group_scalar *b);

group_table *group_table_new(const group_point *base);
void group_table_free(group_table *t);
const group_point *group_table_base(const group_table *t);
/* Constant-time k*base. */
void group_table_mul(group_point *r, const group_table *t, const group_scalar *k);
/* The shared table for G (built on first use; thread-safe). */
const group_table *group_table_generator(void);

MUST_CHECK
int  group_scalar_decode(group_scalar *s, const uint8_t in[GROUP_SCALAR_BYTES]);
void group_scalar_encode(uint8_t out[GROUP_SCALAR_BYTES], const group_scalar *s);
void group_scalar_reduce(group_scalar *s, const uint8_t in[GROUP_SCALAR_WIDE_BYTES]);
void group_scalar_set_u64(group_scalar *s, uint64_t v);
void group_scalar_zero(group_scalar *s);
int  group_scalar_is_zero(const group_scalar *s);
MUST_CHECK
int  group_scalar_equal(const group_scalar *a, const group_scalar *b);
void group_scalar_add(group_scalar *r, const group_scalar *a, const group_scalar *b);
void group_scalar_sub(group_scalar *r, const group_scalar *a, const group_scalar *b);
void group_scalar_mul(group_scalar *r, const group_scalar *a, const group_scalar *b);
void group_scalar_negate(group_scalar *r, const group_scalar *a);
int  group_scalar_invert(group_scalar *r, const group_scalar *a);
void group_scalar_select(group_scalar *r, const group_scalar *a, const group_scalar *b,
                         unsigned mask);
void group_scalar_wipe(group_scalar *s);

#endif
