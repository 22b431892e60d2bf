/* dlog.c - baby-step giant-step over an open-addressing table of encodings. */
#include "dlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t enc[GROUP_POINT_BYTES];
    uint32_t j;
    uint32_t used;
} dlog_slot;

struct dlog_table {
    uint64_t bound, baby;     /* baby steps j*G for 0 <= j < baby */
    size_t mask;
    dlog_slot *slots;
    group_point giant;        /* baby * G */
};

static size_t slot_hash(const uint8_t enc[GROUP_POINT_BYTES])
{
    uint64_t h;

    memcpy(&h, enc + 1, sizeof h); /* encodings are uniform; byte 0 is even */
    return (size_t)h;
}

static void table_put(dlog_table *t, const uint8_t enc[GROUP_POINT_BYTES], uint32_t j)
{
    size_t i = slot_hash(enc) & t->mask;

    while (t->slots[i].used)
        i = (i + 1) & t->mask;
    memcpy(t->slots[i].enc, enc, GROUP_POINT_BYTES);
    t->slots[i].j = j;
    t->slots[i].used = 1;
}

static int table_get(const dlog_table *t, const uint8_t enc[GROUP_POINT_BYTES], uint32_t *j)
{
    size_t i = slot_hash(enc) & t->mask;

    while (t->slots[i].used) {
        if (memcmp(t->slots[i].enc, enc, GROUP_POINT_BYTES) == 0) {
            *j = t->slots[i].j;
            return 0;
        }
        i = (i + 1) & t->mask;
    }
    return -1;
}

dlog_table *dlog_table_new(uint64_t bound)
{
    dlog_table *t;
    size_t size = 1;
    group_point p, g;
    uint8_t enc[GROUP_POINT_BYTES];

    if (bound > DLOG_MAX_BOUND || (t = calloc(1, sizeof *t)) == NULL)
        return NULL;
    t->bound = bound;
    t->baby = (uint64_t)ceil(sqrt((double)bound + 1.0));
    while (size < 2 * t->baby)
        size <<= 1;
    t->mask = size - 1;
    t->slots = calloc(size, sizeof *t->slots);
    if (t->slots == NULL) {
        free(t);
        return NULL;
    }
    group_point_identity(&p);
    group_point_generator(&g);
    for (uint64_t j = 0; j < t->baby; j++) {
        group_point_encode(enc, &p);
        table_put(t, enc, (uint32_t)j);
        group_point_add(&p, &p, &g);
    }
    t->giant = p;
    return t;
}

void dlog_table_free(dlog_table *t)
{
    if (t == NULL)
        return;
    free(t->slots);
    free(t);
}

int dlog_solve(const dlog_table *t, const group_point *m_g, uint64_t *m)
{
    group_point cur = *m_g;
    uint8_t enc[GROUP_POINT_BYTES];
    uint32_t j;

    for (uint64_t i = 0; i * t->baby <= t->bound; i++) {
        group_point_encode(enc, &cur);
        if (table_get(t, enc, &j) == 0) {
            uint64_t v = i * t->baby + j;

            if (v > t->bound)
                return -1;
            *m = v;
            return 0;
        }
        group_point_sub(&cur, &cur, &t->giant);
    }
    return -1;
}
