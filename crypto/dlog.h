/*
 * dlog.h - discrete logarithm of m*G for 0 <= m <= bound, by baby-step
 * giant-step with a table of ceil(sqrt(bound + 1)) baby steps built once.
 * The identity (m = 0) is found like any other value.
 */
#ifndef VOTESRV_DLOG_H
#define VOTESRV_DLOG_H

#include <stdint.h>
#include "group.h"

#define DLOG_MAX_BOUND 4000000000ull

typedef struct dlog_table dlog_table;

/* NULL if bound > DLOG_MAX_BOUND or out of memory. */
dlog_table *dlog_table_new(uint64_t bound);
void dlog_table_free(dlog_table *t);
/* 0 and *m set if m_g = m*G with m <= bound; -1 otherwise. */
MUST_CHECK
int dlog_solve(const dlog_table *t, const group_point *m_g, uint64_t *m);

#endif
