/*
 * strmap.h - a string -> integer map (open addressing), for duplicate checks
 * and diffs over electoral lists of millions of rows: keys are copied into
 * blocks of their own (no allocation per key) and a slot takes 12 bytes, so
 * a million addresses cost some 60 MB. Keys are hashed under a random key of
 * the map's own: no list can be crafted to make them collide.
 */
#ifndef VOTESRV_STRMAP_H
#define VOTESRV_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#define STRMAP_KEY_MAX 4096      /* longer keys are refused (-1) */

typedef struct strmap strmap;

strmap *strmap_new(void);
void strmap_free(strmap *m);
/* Insert key -> value (the key is copied). 0 if new, 1 if present (*old set),
 * -1 on no memory or a key longer than STRMAP_KEY_MAX. */
int strmap_put(strmap *m, const char *key, uint32_t value, uint32_t *old);
/* 0 and *value if present, -1 otherwise. */
int strmap_get(const strmap *m, const char *key, uint32_t *value);
size_t strmap_size(const strmap *m);
/* The slots strmap_put passed over before finding its key's (a measure of
 * the collisions: some 1 a key at most half full, whatever the keys). */
size_t strmap_probes(const strmap *m);

#endif
