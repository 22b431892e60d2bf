/* history.c - the voter's own history on the account page, read from the
 * audit log: the entries whose actor is the voter's number (role "voter":
 * links, activation, password and défi, locks, support actions, casts) and
 * the authority's "code-reissued" records that name that number. Only the
 * kind, the date and, for a cast, the scrutin leave this file: the log has no
 * tracker or choice to give. */
#define _GNU_SOURCE                  /* timegm */
#include "access_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int64_t voter;
    store_access v;
    access_history *out;
    uint64_t last_seq;
} history_job;

/* "2026-12-07T15:34:56.123Z" -> Unix seconds; -1 if not that form. */
static int64_t rfc3339_seconds(const char *t)
{
    struct tm tm = { 0 };
    int n = 0;

    if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static access_history_event *push(access_history *h, int64_t time, access_history_kind kind)
{
    access_history_event *e;

    if (h->n == h->room) {
        size_t room = h->room ? 2 * h->room : 16;

        if ((e = realloc(h->events, room * sizeof *e)) == NULL)
            return NULL;
        h->events = e;
        h->room = room;
    }
    e = &h->events[h->n++];
    memset(e, 0, sizeof *e);
    e->time = time;
    e->kind = kind;
    return e;
}

static const char *field(json_t *p, const char *key)
{
    const char *s = json_string_value(json_object_get(p, key));

    return s != NULL ? s : "";
}

/* The kind of an entry of the voter's own (role "voter") trail; -1: not shown. */
static int voter_kind(const char *event)
{
    static const struct { const char *event; access_history_kind kind; } map[] = {
        { "link-sent", ACCESS_HISTORY_LINK_SENT },
        { "password-set", ACCESS_HISTORY_ACTIVATED },
        { "password-reset", ACCESS_HISTORY_PASSWORD_RESET },
        { "password-changed", ACCESS_HISTORY_PASSWORD_CHANGED },
        { "defi-changed", ACCESS_HISTORY_DEFI_CHANGED },
        { "support-defi-reset", ACCESS_HISTORY_DEFI_RESET },
        { "support-unlock", ACCESS_HISTORY_UNLOCKED },
        { "account-locked", ACCESS_HISTORY_LOCKED },
        { "defi-locked", ACCESS_HISTORY_LOCKED },
        { "code-locked", ACCESS_HISTORY_LOCKED },
        { "code-reissue-requested", ACCESS_HISTORY_CODE_REQUESTED },
        { "ballot-cast", ACCESS_HISTORY_VOTED },
    };

    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(event, map[i].event) == 0)
            return (int)map[i].kind;
    return -1;
}

static int add_entry(const store_audit_entry *e, void *arg)
{
    history_job *j = arg;
    access_history *h = j->out;
    int64_t t = rfc3339_seconds(e->time);
    json_t *p = json_loads(e->payload != NULL ? e->payload : "", 0, NULL);
    access_history_event *ev = NULL;
    int kind = -1;
    int rc = 0;

    if (t < 0 || p == NULL) {
        json_decref(p);
        return 0;                       /* not ours to read: left out */
    }
    if (strcmp(e->event, "code-reissued") == 0) {
        if (strcmp(field(p, "number"), j->v.number) == 0)
            kind = ACCESS_HISTORY_CODE_REISSUED;
    } else if (strcmp(e->role, "voter") == 0 && strcmp(e->actor, j->v.number) == 0) {
        /* a support action's link is audited just before the action */
        if (strncmp(e->event, "support-", 8) == 0 && h->n > 0 && e->seq == j->last_seq + 1 &&
            h->events[h->n - 1].kind == ACCESS_HISTORY_LINK_SENT)
            h->events[h->n - 1].by_support = 1;
        kind = voter_kind(e->event);
    }
    if (kind >= 0 && (ev = push(h, t, (access_history_kind)kind)) == NULL)
        rc = STORE_ENOMEM;
    if (ev != NULL) {
        ev->by_support = strcmp(field(p, "by"), "support") == 0 ||
                         strncmp(e->event, "support-", 8) == 0;
        ev->activation = strcmp(field(p, "purpose"), "activation") == 0;
        ev->one_address = strcmp(field(p, "to"), "one address") == 0;
        ev->lock = strcmp(e->event, "defi-locked") == 0 ? ACCESS_LOCK_DEFI
                   : strcmp(e->event, "code-locked") == 0 ? ACCESS_LOCK_CODE
                                                           : ACCESS_LOCK_ACCOUNT;
        if (kind == ACCESS_HISTORY_VOTED)
            snprintf(ev->scrutin, sizeof ev->scrutin, "%s", field(p, "scrutin"));
    }
    json_decref(p);
    j->last_seq = e->seq;
    return rc;
}

static int run_history(store_tx *tx, void *arg)
{
    history_job *j = arg;
    int rc = store_access_by_id(tx, j->voter, &j->v);

    j->out->n = 0;                      /* a job run again starts afresh */
    j->last_seq = 0;
    return rc == STORE_OK ? store_audit_voter_each(tx, j->v.number, add_entry, j) : rc;
}

int access_history_read(access_ctx *a, int64_t voter, access_history *out)
{
    history_job j = { .voter = voter, .out = out };
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = store_read(a->store, run_history, &j)) != STORE_OK)
        access_history_free(out);
    return rc;
}

void access_history_free(access_history *h)
{
    free(h->events);
    memset(h, 0, sizeof *h);
}
