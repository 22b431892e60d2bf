/*
 * strmap.h - a string -> integer map (open addressing), for duplicate checks
 * and diffs over electoral lists of millions of rows.
 */
#ifndef VOTESRV_STRMAP_H
#define VOTESRV_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap strmap;

strmap *strmap_new(void);
void strmap_free(strmap *m);
/* Insert key -> value (the key is copied). 0 if new, 1 if present (*old set),
 * -1 on no memory. */
int strmap_put(strmap *m, const char *key, uint64_t value, uint64_t *old);
/* 0 and *value if present, -1 otherwise. */
int strmap_get(const strmap *m, const char *key, uint64_t *value);
size_t strmap_size(const strmap *m);

#endif
