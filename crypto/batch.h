/*
 * batch.h - batched verification of linear equations over public points
 * (docs/protocol.md section 9).
 *
 * A batch holds points (decoded into its own storage) and one accumulated
 * coefficient per point. Each equation E = O is added multiplied by a fresh
 * random 128-bit weight; batch_check() then tests sum(coef_i * P_i) = O with one
 * variable-time multi-scalar multiplication (Straus for small batches,
 * Pippenger's buckets for the variable points of large ones). Slot BATCH_G is the
 * generator; slot BATCH_H is the fixed point given to batch_new (if any). Both
 * use precomputed wide tables.
 */
#ifndef VOTESRV_BATCH_H
#define VOTESRV_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "group.h"

#define BATCH_G 0
#define BATCH_H 1
#define BATCH_WEIGHT_BYTES 16

/* Odd multiples of a long-lived point for the variable-time MSM. */
typedef struct batch_table batch_table;

batch_table *batch_table_new(const group_point *p);
void batch_table_free(batch_table *t);

typedef struct batch batch;

/* h may be NULL when no equation uses BATCH_H. */
batch *batch_new(const batch_table *h);
void batch_free(batch *b);
/* Forget every point and coefficient; keep the memory. */
void batch_reset(batch *b);
/* Decode a point into the batch: its slot, or -1 on a bad encoding or no memory. */
MUST_CHECK
int batch_point_decode(batch *b, const uint8_t in[GROUP_POINT_BYTES], int allow_identity);
/* Copy an already-decoded point into the batch: its slot, or -1 on no memory. */
int batch_point_add(batch *b, const group_point *p);
const group_point *batch_point_get(const batch *b, int slot);
/* coef[slot] += k */
void batch_coef_add(batch *b, int slot, const group_scalar *k);
/* coef[slot] += k1 * k2 */
void batch_coef_muladd(batch *b, int slot, const group_scalar *k1, const group_scalar *k2);
/* A fresh uniform weight in [0, 2^128), from the system generator. */
void batch_weight(group_scalar *z);
/* Add z * (A + c*X - s*P) = O, the form of every Schnorr-type equation. */
void batch_eq(batch *b, const group_scalar *z, int slot_a, const group_scalar *c,
              int slot_x, const group_scalar *s, int slot_p);
/* 0 if the weighted sum is the identity, -1 otherwise. */
MUST_CHECK
int batch_check(batch *b);
/* Pippenger's bucket method, variable time (public data only):
 * r = sum(k[i] * points[i]) for i < n; -1 on no memory. batch_check uses it
 * for the variable points once there are BATCH_MSM_MIN_POINTS of them (Straus
 * below), and batch_msm_window(n) is the window width it picks for n points. */
#define BATCH_MSM_MIN_POINTS 512
#define BATCH_MSM_MAX_WINDOW 16
MUST_CHECK
int batch_msm(group_point *r, const group_point *points, const group_scalar *k, size_t n);
unsigned batch_msm_window(size_t n);
/* 1 if slot BATCH_H of this batch is the point of table h. */
int batch_has_h(const batch *b, const batch_table *h);
/* Number of variable points (for statistics and tests). */
size_t batch_size(const batch *b);

#endif
