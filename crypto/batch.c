/* batch.c - Straus multi-scalar multiplication with wNAF digits. */
#include "batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define NAF_DIGITS 256
#define VAR_WINDOW 5                       /* digits odd, |d| < 16 */
#define VAR_ENTRIES (1 << (VAR_WINDOW - 2)) /* P, 3P, ..., 15P */
#define FIX_WINDOW 8                       /* digits odd, |d| < 128 */
#define FIX_ENTRIES (1 << (FIX_WINDOW - 2)) /* P, 3P, ..., 127P */

struct batch_table {
    group_point odd[FIX_ENTRIES];
};

struct batch {
    const batch_table *fixed[2];
    size_t n, cap;          /* slots, including the two fixed ones */
    group_point *points;
    group_scalar *coef;
};

static void odd_multiples(group_point *out, size_t count, const group_point *p)
{
    group_point twice;

    out[0] = *p;
    group_point_double(&twice, p);
    for (size_t i = 1; i < count; i++)
        group_point_add(&out[i], &out[i - 1], &twice);
}

batch_table *batch_table_new(const group_point *p)
{
    batch_table *t = malloc(sizeof *t);

    if (t != NULL)
        odd_multiples(t->odd, FIX_ENTRIES, p);
    return t;
}

void batch_table_free(batch_table *t)
{
    free(t);
}

static batch_table *generator_table;
static pthread_once_t generator_once = PTHREAD_ONCE_INIT;

static void generator_table_build(void)
{
    group_point g;

    group_point_generator(&g);
    generator_table = batch_table_new(&g);
    if (generator_table == NULL)
        abort();
}

batch *batch_new(const batch_table *h)
{
    batch *b = calloc(1, sizeof *b);

    if (b == NULL)
        return NULL;
    pthread_once(&generator_once, generator_table_build);
    b->fixed[BATCH_G] = generator_table;
    b->fixed[BATCH_H] = h;
    b->cap = 64;
    b->points = malloc(b->cap * sizeof *b->points);
    b->coef = malloc(b->cap * sizeof *b->coef);
    if (b->points == NULL || b->coef == NULL) {
        batch_free(b);
        return NULL;
    }
    batch_reset(b);
    return b;
}

void batch_free(batch *b)
{
    if (b == NULL)
        return;
    free(b->points);
    free(b->coef);
    free(b);
}

void batch_reset(batch *b)
{
    b->n = 2;
    group_point_generator(&b->points[BATCH_G]);
    group_scalar_zero(&b->coef[BATCH_G]);
    if (b->fixed[BATCH_H] != NULL)
        b->points[BATCH_H] = b->fixed[BATCH_H]->odd[0];
    else
        group_point_identity(&b->points[BATCH_H]);
    group_scalar_zero(&b->coef[BATCH_H]);
}

static int grow(batch *b)
{
    size_t cap = b->cap * 2;
    group_point *p;
    group_scalar *c;

    if (b->n < b->cap)
        return 0;
    p = realloc(b->points, cap * sizeof *p);
    if (p == NULL)
        return -1;
    b->points = p;
    c = realloc(b->coef, cap * sizeof *c);
    if (c == NULL)
        return -1;
    b->coef = c;
    b->cap = cap;
    return 0;
}

int batch_point_decode(batch *b, const uint8_t in[GROUP_POINT_BYTES], int allow_identity)
{
    if (grow(b) != 0)
        return -1;
    if (group_point_decode(&b->points[b->n], in, allow_identity) != 0)
        return -1;
    group_scalar_zero(&b->coef[b->n]);
    return (int)b->n++;
}

int batch_point_add(batch *b, const group_point *p)
{
    if (grow(b) != 0)
        return -1;
    b->points[b->n] = *p;
    group_scalar_zero(&b->coef[b->n]);
    return (int)b->n++;
}

const group_point *batch_point_get(const batch *b, int slot)
{
    return &b->points[slot];
}

void batch_coef_add(batch *b, int slot, const group_scalar *k)
{
    group_scalar_add(&b->coef[slot], &b->coef[slot], k);
}

void batch_coef_muladd(batch *b, int slot, const group_scalar *k1, const group_scalar *k2)
{
    group_scalar t;

    group_scalar_mul(&t, k1, k2);
    group_scalar_add(&b->coef[slot], &b->coef[slot], &t);
}

/* Weights come from the system generator a kilobyte at a time, one call for
 * 64 weights instead of one system call each; each thread has its own pool,
 * and a weight's bytes are wiped from it once taken. */
#define WEIGHT_POOL_BYTES (64 * BATCH_WEIGHT_BYTES)
static _Thread_local uint8_t weight_pool[WEIGHT_POOL_BYTES];
static _Thread_local size_t weight_used = WEIGHT_POOL_BYTES;

void batch_weight(group_scalar *z)
{
    uint8_t buf[GROUP_SCALAR_BYTES] = { 0 };

    if (weight_used == WEIGHT_POOL_BYTES) {
        randombytes_buf(weight_pool, WEIGHT_POOL_BYTES);
        weight_used = 0;
    }
    memcpy(buf, weight_pool + weight_used, BATCH_WEIGHT_BYTES);
    sodium_memzero(weight_pool + weight_used, BATCH_WEIGHT_BYTES);
    weight_used += BATCH_WEIGHT_BYTES;
    if (group_scalar_decode(z, buf) != 0)
        abort(); /* cannot happen: 2^128 < L */
}

void batch_eq(batch *b, const group_scalar *z, int slot_a, const group_scalar *c,
              int slot_x, const group_scalar *s, int slot_p)
{
    group_scalar zs;

    batch_coef_add(b, slot_a, z);
    batch_coef_muladd(b, slot_x, z, c);
    group_scalar_mul(&zs, z, s);
    group_scalar_negate(&zs, &zs);
    batch_coef_add(b, slot_p, &zs);
}

int batch_has_h(const batch *b, const batch_table *h)
{
    return h != NULL && b->fixed[BATCH_H] == h;
}

size_t batch_size(const batch *b)
{
    return b->n - 2;
}

/* Width-w non-adjacent form of a scalar < 2^255: odd digits in (-2^(w-1), 2^(w-1)).
 * Returns one more than the index of the highest non-zero digit (0 if none). */
static int wnaf(int8_t naf[NAF_DIGITS], const group_scalar *k, int w)
{
    uint8_t bytes[GROUP_SCALAR_BYTES];
    uint64_t x[5] = { 0 };
    uint64_t width = 1ull << w, mask = width - 1, carry = 0;
    int pos = 0, top = 0;

    group_scalar_encode(bytes, k);
    for (int i = 0; i < 32; i++)
        x[i / 8] |= (uint64_t)bytes[i] << (8 * (i % 8));
    memset(naf, 0, NAF_DIGITS);
    while (pos < NAF_DIGITS) {
        int idx = pos / 64, bit = pos % 64;
        uint64_t buf, window;

        if (bit < 64 - w)
            buf = x[idx] >> bit;
        else
            buf = (x[idx] >> bit) | (x[idx + 1] << (64 - bit));
        window = carry + (buf & mask);
        if ((window & 1) == 0) {
            pos++;
            continue;
        }
        if (window < width / 2) {
            carry = 0;
            naf[pos] = (int8_t)window;
        } else {
            carry = 1;
            naf[pos] = (int8_t)((int64_t)window - (int64_t)width);
        }
        top = pos + 1;
        pos += w;
    }
    return top;
}

static void add_digit(group_point *acc, const group_point *odd, int8_t d)
{
    if (d > 0)
        group_point_add(acc, acc, &odd[d / 2]);
    else if (d < 0)
        group_point_sub(acc, acc, &odd[(-d) / 2]);
}

int batch_check(batch *b)
{
    size_t nvar = b->n - 2;
    int8_t (*naf)[NAF_DIGITS] = malloc((b->n) * sizeof *naf);
    group_point (*odd)[VAR_ENTRIES] = malloc((nvar ? nvar : 1) * sizeof *odd);
    group_point acc;
    int top = 0, rc = -1;

    if (naf == NULL || odd == NULL)
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        int w = i < 2 ? FIX_WINDOW : VAR_WINDOW, t;

        if (i < 2 && b->fixed[i] == NULL && !group_scalar_is_zero(&b->coef[i]))
            goto out; /* a coefficient on H without a table for H */
        t = wnaf(naf[i], &b->coef[i], w);
        if (t > top)
            top = t;
        if (i >= 2 && t > 0)
            odd_multiples(odd[i - 2], VAR_ENTRIES, &b->points[i]);
    }
    group_point_identity(&acc);
    for (int pos = top - 1; pos >= 0; pos--) {
        group_point_double(&acc, &acc);
        for (size_t i = 0; i < 2; i++)
            if (naf[i][pos] != 0)
                add_digit(&acc, b->fixed[i]->odd, naf[i][pos]);
        for (size_t i = 2; i < b->n; i++)
            if (naf[i][pos] != 0)
                add_digit(&acc, odd[i - 2], naf[i][pos]);
    }
    rc = group_point_is_identity(&acc) ? 0 : -1;
out:
    free(naf);
    free(odd);
    return rc;
}
