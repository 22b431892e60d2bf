/* strmap.c - open addressing with linear probing; keys hashed with
 * SipHash-2-4 under a random key of the map's own (a list crafted to crowd a
 * fixed hash's slots, FNV-1a's, made each insertion walk all the keys before
 * it: quadratic), and kept, NUL-terminated, in 1 MiB blocks that a slot names
 * by offset. */
#include "strmap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_BITS 20
#define BLOCK_BYTES ((size_t)1 << BLOCK_BITS)
#define BLOCKS_MAX 4095           /* refs stay below 2^32 */

typedef struct {
    uint32_t ref;                 /* 0: empty; else 1 + block << BLOCK_BITS | offset */
    uint32_t hash, value;
} slot;

struct strmap {
    slot *slots;
    size_t cap, n;
    char **blocks;
    size_t nblocks, used;         /* bytes used in the last block */
    size_t probes;                /* slots passed over by strmap_put */
    unsigned char key[crypto_shorthash_KEYBYTES];
};

static uint32_t hash(const strmap *m, const char *s, size_t *len)
{
    unsigned char h[crypto_shorthash_BYTES];

    *len = strlen(s);
    crypto_shorthash(h, (const unsigned char *)s, *len, m->key);
    return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
}

static const char *key_of(const strmap *m, uint32_t ref)
{
    ref--;
    return m->blocks[ref >> BLOCK_BITS] + (ref & (BLOCK_BYTES - 1));
}

strmap *strmap_new(void)
{
    strmap *m = calloc(1, sizeof *m);

    if (m == NULL || sodium_init() < 0) {
        free(m);
        return NULL;
    }
    crypto_shorthash_keygen(m->key);
    m->cap = 1024;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (m->slots == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

void strmap_free(strmap *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nblocks; i++)
        free(m->blocks[i]);
    free(m->blocks);
    free(m->slots);
    free(m);
}

/* The slot of key, or the empty one where it would go; *probes counts the
 * slots passed over. */
static slot *find(const strmap *m, const char *key, uint32_t h, size_t *probes)
{
    size_t i = h & (m->cap - 1);

    while (m->slots[i].ref != 0 &&
           (m->slots[i].hash != h || strcmp(key_of(m, m->slots[i].ref), key) != 0)) {
        i = (i + 1) & (m->cap - 1);
        ++*probes;
    }
    return &m->slots[i];
}

static int grow(strmap *m)
{
    size_t cap = m->cap * 2;
    slot *s = calloc(cap, sizeof *s);

    if (s == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].ref != 0) {
            size_t j = m->slots[i].hash & (cap - 1);

            while (s[j].ref != 0)
                j = (j + 1) & (cap - 1);
            s[j] = m->slots[i];
        }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

/* A copy of key (len bytes and its NUL) in the blocks: its ref, or 0. */
static uint32_t key_copy(strmap *m, const char *key, size_t len)
{
    if (m->nblocks == 0 || m->used + len + 1 > BLOCK_BYTES) {
        char **b;

        if (m->nblocks == BLOCKS_MAX ||
            (b = realloc(m->blocks, (m->nblocks + 1) * sizeof *b)) == NULL)
            return 0;
        m->blocks = b;
        if ((b[m->nblocks] = malloc(BLOCK_BYTES)) == NULL)
            return 0;
        m->nblocks++;
        m->used = 0;
    }
    memcpy(m->blocks[m->nblocks - 1] + m->used, key, len + 1);
    m->used += len + 1;
    return (uint32_t)(((m->nblocks - 1) << BLOCK_BITS | (m->used - len - 1)) + 1);
}

int strmap_put(strmap *m, const char *key, uint32_t value, uint32_t *old)
{
    size_t len;
    uint32_t h = hash(m, key, &len), ref;
    slot *s;

    if (len > STRMAP_KEY_MAX || ((m->n + 1) * 2 > m->cap && grow(m) != 0))
        return -1;
    s = find(m, key, h, &m->probes);
    if (s->ref != 0) {
        if (old != NULL)
            *old = s->value;
        return 1;
    }
    if ((ref = key_copy(m, key, len)) == 0)
        return -1;
    s->ref = ref;
    s->hash = h;
    s->value = value;
    m->n++;
    return 0;
}

int strmap_get(const strmap *m, const char *key, uint32_t *value)
{
    size_t len;
    size_t probes = 0;
    uint32_t h = hash(m, key, &len);
    const slot *s = find(m, key, h, &probes);

    if (s->ref == 0)
        return -1;
    *value = s->value;
    return 0;
}

size_t strmap_size(const strmap *m)
{
    return m->n;
}

size_t strmap_probes(const strmap *m)
{
    return m->probes;
}
