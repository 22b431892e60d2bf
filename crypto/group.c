/* group.c - ristretto255 on libdecaf: strict decoding and thin wrappers. */
#include "group.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

struct group_table {
    group_point base;
    decaf_255_precomputed_s *pre;
};

/* libdecaf's cond_sel picks its second input when the last argument is
 * non-zero; it turns that word into a mask itself, in constant time. */
static decaf_word_t mask_to_word(unsigned mask)
{
    return (decaf_word_t)(mask & 1u);
}

int group_point_decode(group_point *p, const uint8_t in[GROUP_POINT_BYTES],
                       int allow_identity)
{
    decaf_bool_t allow = allow_identity ? DECAF_TRUE : DECAF_FALSE;
    if (decaf_255_point_decode(p->p, in, allow) != DECAF_SUCCESS)
        return -1;
    return 0;
}

void group_point_from_hash(group_point *p, const uint8_t in[GROUP_SCALAR_WIDE_BYTES])
{
    decaf_255_point_from_hash_uniform(p->p, in);
}

void group_point_encode(uint8_t out[GROUP_POINT_BYTES], const group_point *p)
{
    decaf_255_point_encode(out, p->p);
}

void group_point_identity(group_point *p)
{
    decaf_255_point_copy(p->p, decaf_255_point_identity);
}

void group_point_generator(group_point *p)
{
    decaf_255_point_copy(p->p, decaf_255_point_base);
}

int group_point_is_identity(const group_point *p)
{
    return decaf_255_point_eq(p->p, decaf_255_point_identity) == DECAF_TRUE;
}

int group_point_equal(const group_point *a, const group_point *b)
{
    return decaf_255_point_eq(a->p, b->p) == DECAF_TRUE;
}

void group_point_add(group_point *r, const group_point *a, const group_point *b)
{
    decaf_255_point_add(r->p, a->p, b->p);
}

void group_point_sub(group_point *r, const group_point *a, const group_point *b)
{
    decaf_255_point_sub(r->p, a->p, b->p);
}

void group_point_negate(group_point *r, const group_point *a)
{
    decaf_255_point_negate(r->p, a->p);
}

void group_point_double(group_point *r, const group_point *a)
{
    decaf_255_point_double(r->p, a->p);
}

void group_point_select(group_point *r, const group_point *a, const group_point *b,
                        unsigned mask)
{
    /* decaf_255_point_cond_sel(out, a, b, pick_b) */
    decaf_255_point_cond_sel(r->p, b->p, a->p, mask_to_word(mask));
}

void group_point_mul(group_point *r, const group_point *p, const group_scalar *k)
{
    decaf_255_point_scalarmul(r->p, p->p, k->s);
}

void group_point_mul_base(group_point *r, const group_scalar *k)
{
    decaf_255_precomputed_scalarmul(r->p, decaf_255_precomputed_base, k->s);
}

void group_point_mul2_base_vartime(group_point *r, const group_scalar *a,
                                   const group_point *p, const group_scalar *b)
{
    decaf_255_base_double_scalarmul_non_secret(r->p, a->s, p->p, b->s);
}

void group_point_mul2(group_point *r, const group_point *p, const group_scalar *a,
                      const group_point *q, const group_scalar *b)
{
    decaf_255_point_double_scalarmul(r->p, p->p, a->s, q->p, b->s);
}

group_table *group_table_new(const group_point *base)
{
    group_table *t = calloc(1, sizeof *t);
    size_t align = decaf_255_alignof_precomputed_s;
    size_t size = decaf_255_sizeof_precomputed_s;

    if (t == NULL)
        return NULL;
    if (align < sizeof(void *))
        align = sizeof(void *);
    size = (size + align - 1) / align * align;
    t->pre = aligned_alloc(align, size);
    if (t->pre == NULL) {
        free(t);
        return NULL;
    }
    t->base = *base;
    decaf_255_precompute(t->pre, base->p);
    return t;
}

void group_table_free(group_table *t)
{
    if (t == NULL)
        return;
    decaf_255_precomputed_destroy(t->pre);
    free(t->pre);
    free(t);
}

const group_point *group_table_base(const group_table *t)
{
    return &t->base;
}

void group_table_mul(group_point *r, const group_table *t, const group_scalar *k)
{
    decaf_255_precomputed_scalarmul(r->p, t->pre, k->s);
}

static group_table *generator_table;
static pthread_once_t generator_once = PTHREAD_ONCE_INIT;

static void generator_table_build(void)
{
    group_point g;

    group_point_generator(&g);
    generator_table = group_table_new(&g);
    if (generator_table == NULL)
        abort(); /* out of memory at start-up: nothing sensible to do */
}

const group_table *group_table_generator(void)
{
    pthread_once(&generator_once, generator_table_build);
    return generator_table;
}

/* The group order L, little-endian. */
static const uint8_t group_order[GROUP_SCALAR_BYTES] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
};

/* libdecaf's decode reads the limbs, checks in < L, then multiplies by one
 * (a no-op on a reduced scalar, about 0.1 us): the same limbs here, without
 * it; in < L by the borrow of in - L, in constant time. test_group checks
 * that both agree. */
int group_scalar_decode(group_scalar *s, const uint8_t in[GROUP_SCALAR_BYTES])
{
    const unsigned wb = DECAF_WORD_BITS / 8;
    unsigned borrow = 0;

    for (size_t i = 0; i < GROUP_SCALAR_BYTES; i++)
        borrow = ((unsigned)in[i] - group_order[i] - borrow) >> 31;
    for (size_t l = 0; l < DECAF_255_SCALAR_LIMBS; l++) {
        decaf_word_t w = 0;

        for (size_t j = 0; j < wb && l * wb + j < GROUP_SCALAR_BYTES; j++)
            w |= (decaf_word_t)in[l * wb + j] << (8 * j);
        s->s->limb[l] = w;
    }
    return borrow ? 0 : -1;
}

void group_scalar_encode(uint8_t out[GROUP_SCALAR_BYTES], const group_scalar *s)
{
    decaf_255_scalar_encode(out, s->s);
}

void group_scalar_reduce(group_scalar *s, const uint8_t in[GROUP_SCALAR_WIDE_BYTES])
{
    decaf_255_scalar_decode_long(s->s, in, GROUP_SCALAR_WIDE_BYTES);
}

void group_scalar_set_u64(group_scalar *s, uint64_t v)
{
    decaf_255_scalar_set_unsigned(s->s, v);
}

void group_scalar_zero(group_scalar *s)
{
    decaf_255_scalar_copy(s->s, decaf_255_scalar_zero);
}

int group_scalar_is_zero(const group_scalar *s)
{
    return decaf_255_scalar_eq(s->s, decaf_255_scalar_zero) == DECAF_TRUE;
}

int group_scalar_equal(const group_scalar *a, const group_scalar *b)
{
    return decaf_255_scalar_eq(a->s, b->s) == DECAF_TRUE;
}

void group_scalar_add(group_scalar *r, const group_scalar *a, const group_scalar *b)
{
    decaf_255_scalar_add(r->s, a->s, b->s);
}

void group_scalar_sub(group_scalar *r, const group_scalar *a, const group_scalar *b)
{
    decaf_255_scalar_sub(r->s, a->s, b->s);
}

void group_scalar_mul(group_scalar *r, const group_scalar *a, const group_scalar *b)
{
    decaf_255_scalar_mul(r->s, a->s, b->s);
}

void group_scalar_negate(group_scalar *r, const group_scalar *a)
{
    decaf_255_scalar_sub(r->s, decaf_255_scalar_zero, a->s);
}

int group_scalar_invert(group_scalar *r, const group_scalar *a)
{
    return decaf_255_scalar_invert(r->s, a->s) == DECAF_SUCCESS ? 0 : -1;
}

void group_scalar_select(group_scalar *r, const group_scalar *a, const group_scalar *b,
                         unsigned mask)
{
    decaf_255_scalar_cond_sel(r->s, b->s, a->s, mask_to_word(mask));
}

void group_scalar_wipe(group_scalar *s)
{
    decaf_255_scalar_destroy(s->s);
}
