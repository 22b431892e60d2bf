/*
 * log.h - structured logs: one JSON object per line on stderr. Callers pass
 * only non-secret fields; there is no free-text message that could carry one.
 */
#ifndef VOTESRV_LOG_H
#define VOTESRV_LOG_H

#include <jansson.h>

/* Events below this level ("debug", "info", "warn", "error") are dropped;
 * -1 for an unknown name. Info by default. */
int log_set_level(const char *name);
/* 1 if name is one of those levels. */
int log_level_valid(const char *name);
int log_debug_enabled(void);
/* Emit {"ts","level","event", ...fields}. fields (may be NULL) is consumed. */
void log_event(const char *level, const char *event, json_t *fields);

#endif
