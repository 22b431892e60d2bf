/* log.c - JSON-lines logging, serialised by a mutex. */
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int debug_on;

void log_set_debug(int on)
{
    debug_on = on;
}

int log_debug_enabled(void)
{
    return debug_on;
}

void log_event(const char *level, const char *event, json_t *fields)
{
    struct timespec ts;
    struct tm tm;
    char when[40], base[24];
    json_t *line;
    char *text;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when, sizeof when, "%.19s.%03uZ", base, (unsigned)(ts.tv_nsec / 1000000) % 1000u);
    line = json_pack("{s:s,s:s,s:s}", "ts", when, "level", level, "event", event);
    if (fields != NULL) {
        json_object_update_missing(line, fields);
        json_decref(fields);
    }
    text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text != NULL) {
        pthread_mutex_lock(&log_lock);
        fprintf(stderr, "%s\n", text);
        fflush(stderr);
        pthread_mutex_unlock(&log_lock);
        free(text);
    }
    json_decref(line);
}
