/* log.c - JSON-lines logging, serialised by a mutex. */
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const levels[] = { "debug", "info", "warn", "error" };
static int threshold = 1;       /* info */

static int level_rank(const char *name)
{
    for (int i = 0; i < (int)(sizeof levels / sizeof levels[0]); i++)
        if (strcmp(name, levels[i]) == 0)
            return i;
    return -1;
}

int log_set_level(const char *name)
{
    int r = level_rank(name);

    if (r < 0)
        return -1;
    threshold = r;
    return 0;
}

int log_level_valid(const char *name)
{
    return level_rank(name) >= 0;
}

int log_debug_enabled(void)
{
    return threshold == 0;
}

void log_event(const char *level, const char *event, json_t *fields)
{
    struct timespec ts;
    struct tm tm;
    char when[40], base[24];
    json_t *line;
    char *text;

    if (level_rank(level) < threshold) {
        json_decref(fields);
        return;
    }
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
