/* strmap.c - open addressing with linear probing; keys hashed with FNV-1a. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    uint64_t value;
} slot;

struct strmap {
    slot *slots;
    size_t cap, n;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

strmap *strmap_new(void)
{
    strmap *m = calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
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
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static slot *find(slot *slots, size_t cap, const char *key)
{
    size_t i = (size_t)hash(key) & (cap - 1);

    while (slots[i].key != NULL && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(strmap *m)
{
    size_t cap = m->cap * 2;
    slot *s = calloc(cap, sizeof *s);

    if (s == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != NULL)
            *find(s, cap, m->slots[i].key) = m->slots[i];
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

int strmap_put(strmap *m, const char *key, uint64_t value, uint64_t *old)
{
    slot *s;

    if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    s = find(m->slots, m->cap, key);
    if (s->key != NULL) {
        if (old != NULL)
            *old = s->value;
        return 1;
    }
    s->key = strdup(key);
    if (s->key == NULL)
        return -1;
    s->value = value;
    m->n++;
    return 0;
}

int strmap_get(const strmap *m, const char *key, uint64_t *value)
{
    slot *s = find(m->slots, m->cap, key);

    if (s->key == NULL)
        return -1;
    *value = s->value;
    return 0;
}

size_t strmap_size(const strmap *m)
{
    return m->n;
}
