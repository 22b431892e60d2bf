/* turnout.c - the officers' view of the signature list: who voted, counted per
 * scrutin and establishment, and per hour; never how. And of the accounts
 * activated per establishment. */
#include "box.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "election/definition.h"

_Static_assert(BOX_TURNOUT_SCRUTINS == DEF_MAX_SCRUTINS, "a turnout row per scrutin");

/* Append an establishment's row. */
static int row_append(box_turnout_row **rows, size_t *n, const char *establishment, uint64_t done,
                      uint64_t registered)
{
    box_turnout_row *r = realloc(*rows, (*n + 1) * sizeof *r);

    if (r == NULL)
        return STORE_ENOMEM;
    *rows = r;
    r[*n] = (box_turnout_row){ strdup(establishment), done, registered };
    if (r[*n].establishment == NULL)
        return STORE_ENOMEM;
    (*n)++;
    return 0;
}

/* One row of the store (by scrutin, then establishment). */
static int add_row(const char *scrutin, const char *establishment, uint64_t signed_,
                   uint64_t registered, void *arg)
{
    box_turnout_info *t = arg;
    box_turnout_scrutin *c = t->nscrutins ? &t->scrutins[t->nscrutins - 1] : NULL;

    if (c == NULL || strcmp(c->id, scrutin) != 0) {
        if (t->nscrutins == BOX_TURNOUT_SCRUTINS)
            return STORE_EIO;
        c = &t->scrutins[t->nscrutins++];
        snprintf(c->id, sizeof c->id, "%s", scrutin);
    }
    c->signatures += signed_;
    c->registered += registered;
    return row_append(&c->establishments, &c->nestablishments, establishment, signed_,
                      registered);
}

/* One establishment's accounts: activated, registered. */
static int add_accounts(const char *establishment, const char *none, uint64_t activated,
                        uint64_t registered, void *arg)
{
    box_turnout_accounts *a = &((box_turnout_info *)arg)->accounts;

    (void)none;
    a->activated += activated;
    a->registered += registered;
    return row_append(&a->establishments, &a->nestablishments, establishment, activated,
                      registered);
}

void box_turnout_free(box_turnout_info *t)
{
    for (size_t i = 0; i < t->nscrutins; i++) {
        for (size_t k = 0; k < t->scrutins[i].nestablishments; k++)
            free(t->scrutins[i].establishments[k].establishment);
        free(t->scrutins[i].establishments);
        free(t->scrutins[i].hours);
    }
    for (size_t k = 0; k < t->accounts.nestablishments; k++)
        free(t->accounts.establishments[k].establishment);
    free(t->accounts.establishments);
    memset(t, 0, sizeof *t);
}

/* One hour of a scrutin's émargements ("YYYY-MM-DDTHH", UTC). */
static int add_hour(const char *scrutin, const char *hour, uint64_t signatures,
                    uint64_t none, void *arg)
{
    box_turnout_info *t = arg;
    box_turnout_scrutin *c = NULL;
    box_turnout_hour *hours;
    struct tm tm = { 0 };
    char *end;

    for (size_t i = 0; i < t->nscrutins && c == NULL; i++)
        if (strcmp(t->scrutins[i].id, scrutin) == 0)
            c = &t->scrutins[i];
    (void)none;
    end = strptime(hour, "%Y-%m-%dT%H", &tm);
    if (c == NULL || end == NULL || *end != '\0')
        return STORE_EIO;
    hours = realloc(c->hours, (c->nhours + 1) * sizeof *hours);
    if (hours == NULL)
        return STORE_ENOMEM;
    c->hours = hours;
    hours[c->nhours++] = (box_turnout_hour){ (int64_t)timegm(&tm), signatures };
    return 0;
}

static int run_turnout(store_tx *tx, void *arg)
{
    int rc;

    box_turnout_free(arg);              /* a job run again starts afresh */
    rc = store_turnout_each(tx, add_row, arg);
    if (rc == STORE_OK)
        rc = store_turnout_hours_each(tx, add_hour, arg);
    return rc != STORE_OK ? rc : store_activation_each(tx, add_accounts, arg);
}

int box_turnout(store *s, box_turnout_info *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    rc = store_read(s, run_turnout, out);
    if (rc != STORE_OK)
        box_turnout_free(out);
    return rc;
}
