/*
 * strmap.h - a string -> integer map (open addressing), for duplicate checks
 * and diffs over electoral lists of millions of rows: keys are copied into
 * blocks of their own (no allocation per key) and a slot takes 12 bytes, so
 * a million addresses cost some 60 MB.
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

#endif
