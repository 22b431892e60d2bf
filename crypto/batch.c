/* batch.c - multi-scalar multiplication: Straus with wNAF digits, and
 * Pippenger's bucket method for many points. */
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

/* Straus over slots [0, upto): the fixed tables for slots 0 and 1, odd
 * multiples built here for the others. acc gets the sum; -1 on no memory. */
static int straus(group_point *acc, const batch *b, size_t upto)
{
    size_t nvar = upto - 2;
    int8_t (*naf)[NAF_DIGITS] = malloc(upto * sizeof *naf);
    group_point (*odd)[VAR_ENTRIES] = malloc((nvar ? nvar : 1) * sizeof *odd);
    int top = 0, rc = -1;

    if (naf == NULL || odd == NULL)
        goto out;
    for (size_t i = 0; i < upto; i++) {
        int w = i < 2 ? FIX_WINDOW : VAR_WINDOW, t;

        t = wnaf(naf[i], &b->coef[i], w);
        if (t > top)
            top = t;
        if (i >= 2 && t > 0)
            odd_multiples(odd[i - 2], VAR_ENTRIES, &b->points[i]);
    }
    group_point_identity(acc);
    for (int pos = top - 1; pos >= 0; pos--) {
        group_point_double(acc, acc);
        for (size_t i = 0; i < 2; i++)
            if (naf[i][pos] != 0)
                add_digit(acc, b->fixed[i]->odd, naf[i][pos]);
        for (size_t i = 2; i < upto; i++)
            if (naf[i][pos] != 0)
                add_digit(acc, odd[i - 2], naf[i][pos]);
    }
    rc = 0;
out:
    free(naf);
    free(odd);
    return rc;
}

/* Bits [pos, pos + c) of a 256-bit little-endian number held in x[0..4]
 * (x[4] = 0), c <= 16. */
static unsigned bits_at(const uint64_t x[5], unsigned pos, unsigned c)
{
    unsigned idx = pos / 64, bit = pos % 64;
    uint64_t v = x[idx] >> bit;

    if (bit + c > 64)
        v |= x[idx + 1] << (64 - bit);
    return (unsigned)(v & ((1u << c) - 1));
}

/* The window width minimising the additions of Pippenger for n points:
 * (256/c + 1) windows, each n bucket additions and 2^c to sum the buckets. */
unsigned batch_msm_window(size_t n)
{
    unsigned best = 4;
    double best_cost = 0;

    for (unsigned c = 4; c <= BATCH_MSM_MAX_WINDOW; c++) {
        double cost = (double)(256 / c + 1) * ((double)n + (double)(1u << c));

        if (c == 4 || cost < best_cost) {
            best = c;
            best_cost = cost;
        }
    }
    return best;
}

int batch_msm(group_point *r, const group_point *points, const group_scalar *k, size_t n)
{
    unsigned c = batch_msm_window(n), nwin = 256 / c + 1, half = 1u << (c - 1);
    int16_t *dig = malloc((n ? n : 1) * nwin * sizeof *dig);
    group_point *bucket = malloc(half * sizeof *bucket);
    uint8_t *used = malloc(half);
    int rc = -1;

    group_point_identity(r);
    if (dig == NULL || bucket == NULL || used == NULL)
        goto out;
    /* signed digits in [-2^(c-1), 2^(c-1)): k = sum d_w 2^(cw) */
    for (size_t i = 0; i < n; i++) {
        uint8_t bytes[GROUP_SCALAR_BYTES];
        uint64_t x[5] = { 0 };
        unsigned carry = 0;

        group_scalar_encode(bytes, &k[i]);
        for (int j = 0; j < 32; j++)
            x[j / 8] |= (uint64_t)bytes[j] << (8 * (j % 8));
        for (unsigned w = 0; w < nwin; w++) {
            unsigned v = (w * c < 256 ? bits_at(x, w * c, c) : 0) + carry;

            carry = v >= half;
            dig[(size_t)w * n + i] = (int16_t)((int)v - (int)(carry << c));
        }
        if (carry != 0)
            abort(); /* cannot happen: k < L < 2^253 and nwin * c > 256 */
    }
    for (unsigned w = nwin; w-- > 0;) {
        const int16_t *d = dig + (size_t)w * n;
        unsigned top = 0;
        group_point sum, tot;

        for (unsigned j = 0; j < c; j++)
            group_point_double(r, r);
        memset(used, 0, half);
        for (size_t i = 0; i < n; i++) {
            unsigned m;

            if (d[i] == 0)
                continue;
            m = (unsigned)(d[i] > 0 ? d[i] : -d[i]) - 1;   /* bucket of |d| */
            if (!used[m]) {
                if (d[i] > 0)
                    bucket[m] = points[i];
                else
                    group_point_negate(&bucket[m], &points[i]);
                used[m] = 1;
            } else if (d[i] > 0) {
                group_point_add(&bucket[m], &bucket[m], &points[i]);
            } else {
                group_point_sub(&bucket[m], &bucket[m], &points[i]);
            }
            if (m + 1 > top)
                top = m + 1;
        }
        if (top == 0)
            continue;
        /* sum_m (m+1) B_m as running sums from the top bucket down */
        group_point_identity(&sum);
        group_point_identity(&tot);
        for (unsigned m = top; m-- > 0;) {
            if (used[m])
                group_point_add(&sum, &sum, &bucket[m]);
            group_point_add(&tot, &tot, &sum);
        }
        group_point_add(r, r, &tot);
    }
    rc = 0;
out:
    free(dig);
    free(bucket);
    free(used);
    return rc;
}

int batch_check(batch *b)
{
    size_t nvar = b->n - 2;
    group_point acc, var;

    for (size_t i = 0; i < 2; i++)
        if (b->fixed[i] == NULL && !group_scalar_is_zero(&b->coef[i]))
            return -1; /* a coefficient on H without a table for H */
    if (nvar < BATCH_MSM_MIN_POINTS)
        return straus(&acc, b, b->n) == 0 && group_point_is_identity(&acc) ? 0 : -1;
    if (straus(&acc, b, 2) != 0 || batch_msm(&var, b->points + 2, b->coef + 2, nvar) != 0)
        return -1;
    group_point_add(&acc, &acc, &var);
    return group_point_is_identity(&acc) ? 0 : -1;
}
