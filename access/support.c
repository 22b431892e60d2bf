/* support.c - the support cell's look-ups and actions on a voter's access. */
#include "access_internal.h"
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void card_free(support_card *c)
{
    free(c->number);
    free(c->surname);
    free(c->given_names);
    free(c->email);
    free(c->establishment);
    memset(c, 0, sizeof *c);
}

void support_cards_free(support_cards *c)
{
    for (size_t i = 0; i < c->n; i++)
        card_free(&c->cards[i]);
    c->n = 0;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int add_card(const store_voter_card *v, void *arg)
{
    support_cards *out = arg;
    support_card *c;

    if (out->n == SUPPORT_RESULTS_MAX)
        return STORE_OK;
    c = &out->cards[out->n++];
    c->number = dup_or_null(v->number);
    c->surname = dup_or_null(v->surname);
    c->given_names = dup_or_null(v->given_names);
    c->email = dup_or_null(v->identifier);
    c->establishment = dup_or_null(v->establishment);
    return c->number && c->surname && c->given_names && c->establishment &&
                   (c->email || !v->identifier)
               ? STORE_OK : STORE_ENOMEM;
}

typedef struct {
    const char *query;
    support_cards *list;
} find_job;

static int run_find(store_tx *tx, void *arg)
{
    find_job *j = arg;

    support_cards_free(j->list);        /* a job run again starts afresh */
    return store_voter_search(tx, j->query, SUPPORT_RESULTS_MAX, add_card, j->list);
}

int support_find(access_ctx *a, const char *query, support_cards *out)
{
    find_job j = { query, out };
    int rc;

    memset(out, 0, sizeof *out);
    if (query == NULL || query[0] == '\0' || strlen(query) > SUPPORT_QUERY_MAX)
        return ACCESS_REFUSED;
    rc = store_read(a->store, run_find, &j);
    if (rc != STORE_OK)
        support_cards_free(out);
    return rc;
}

/* ---- one voter ---- */

typedef struct {
    const char *number;
    int64_t id, now;
    int struck;
    store_access v;
    store_throttle login, code, defi;
    support_card card;
    uint64_t waiting;
    int in_window;
    store_tx *tx;
} status_job;

static int count_waiting(const char *address, void *arg)
{
    status_job *j = arg;
    uint64_t n = 0;
    int rc = store_outbox_waiting_to(j->tx, address, &n);

    j->waiting += n;
    return rc;
}

/* Whether the vote is open and inside its window (a new code is asked then). */
static int read_window(store_tx *tx, status_job *j)
{
    store_election e;
    def_election d;
    int rc = store_election_get(tx, &e), open;

    if (rc != STORE_OK)
        return rc;
    open = strcmp(e.state, "open") == 0 && !e.suspended;
    free(e.definition);
    if ((rc = access_definition(tx, &d)) != STORE_OK)
        return rc;
    j->in_window = open && j->now >= d.opens && j->now < d.closes;
    def_free(&d);
    return STORE_OK;
}

static int run_status(store_tx *tx, void *arg)
{
    status_job *j = arg;
    support_cards found = { .n = 0 };
    char key[THROTTLE_KEY_CHARS];
    int rc = store_voter_find(tx, j->number, &j->id, &j->struck);

    card_free(&j->card);                /* a job run again starts afresh */
    j->waiting = 0;
    j->tx = tx;
    if (rc == STORE_OK)
        rc = store_access_by_id(tx, j->id, &j->v);
    if (rc == STORE_OK)
        rc = store_voter_emails(tx, j->id, count_waiting, j);
    if (rc == STORE_OK)
        rc = read_window(tx, j);
    if (rc == STORE_OK)
        rc = store_voter_search(tx, j->number, SUPPORT_RESULTS_MAX, add_card, &found);
    for (size_t i = 0; rc == STORE_OK && i < found.n; i++)
        if (j->card.number == NULL && strcmp(found.cards[i].number, j->number) == 0) {
            j->card = found.cards[i];
            found.cards[i] = (support_card){ 0 };
        }
    support_cards_free(&found);
    snprintf(key, sizeof key, "acct:%lld", (long long)j->id);
    if (rc == STORE_OK)
        rc = store_throttle_get(tx, key, &j->login);
    snprintf(key, sizeof key, "code:%lld", (long long)j->id);
    if (rc == STORE_OK)
        rc = store_throttle_get(tx, key, &j->code);
    snprintf(key, sizeof key, "defi:%lld", (long long)j->id);
    if (rc == STORE_OK)
        rc = store_throttle_get(tx, key, &j->defi);
    return rc == STORE_OK && j->card.number == NULL ? STORE_ENOTFOUND : rc;
}

static int64_t locked_until(const store_throttle *t, int64_t now)
{
    return t->locked_until > now ? t->locked_until : 0;
}

void support_voter_free(support_voter *v)
{
    card_free(&v->card);
    for (size_t i = 0; i < v->nemails; i++)
        free(v->emails[i]);
    free(v->emails);
    free(v->scrutins);
    memset(v, 0, sizeof *v);
}

int support_status(access_ctx *a, const char *number, int64_t now, support_voter *out)
{
    status_job j = { .number = number, .now = now };
    access_account_info account;
    int rc;

    memset(out, 0, sizeof *out);
    if (number == NULL || strlen(number) > STORE_NUMBER_CHARS)
        return STORE_ENOTFOUND;
    rc = store_read(a->store, run_status, &j);
    if (rc == STORE_OK)
        rc = access_account(a, j.id, &account);
    if (rc != STORE_OK) {
        card_free(&j.card);
        return rc;
    }
    /* the account's addresses and scrutins; never which défi question is the
     * voter's own */
    out->card = j.card;
    free(out->card.email);
    out->card.email = NULL;
    out->emails = account.emails;
    out->nemails = account.nemails;
    out->scrutins = account.scrutins;
    out->nscrutins = account.nscrutins;
    account.emails = NULL;
    account.scrutins = NULL;
    account.nemails = account.nscrutins = 0;
    access_account_free(&account);
    out->struck = j.struck;
    out->activated = j.v.password_hash[0] != '\0';
    out->defi_set = j.v.defi_hash[0] != '\0';
    out->code_set = j.v.has_auth;
    out->login_locked_until = locked_until(&j.login, now);
    out->code_locked_until = locked_until(&j.code, now);
    out->defi_locked_until = locked_until(&j.defi, now);
    out->mail_waiting = j.waiting;
    out->code_window = j.in_window && a->authority_url != NULL && a->signer != NULL;
    return STORE_OK;
}

unsigned support_actions_useful(const support_voter *v)
{
    unsigned useful = 0;
    int some_unsigned = 0;

    if (v->struck)
        return 0;
    if (v->nemails > 0)
        useful |= 1u << SUPPORT_LINK;
    if (v->defi_set)
        useful |= 1u << SUPPORT_DEFI;
    for (size_t i = 0; i < v->nscrutins; i++)
        some_unsigned |= !v->scrutins[i].voted;
    if (some_unsigned && v->code_window)
        useful |= 1u << SUPPORT_CODE;
    if (v->login_locked_until > 0 || v->code_locked_until > 0 || v->defi_locked_until > 0)
        useful |= 1u << SUPPORT_UNLOCK;
    return useful;
}

/* ---- history ---- */

/* The events the support file shows; the rest of a voter's entries (casts,
 * wrong codes) stay for the auditors. */
static const char *const history_events[] = {
    "link-sent", "link-used", "link-refused", "password-set", "password-reset",
    "password-changed", "defi-changed", "account-locked", "defi-locked", "code-locked",
    "code-reissue-requested", "support-link", "support-defi-reset", "support-unlock",
};

/* Of the voter's latest entries, at most this many are looked at. */
#define HISTORY_SCAN 500

static int history_shown(const char *event)
{
    for (size_t i = 0; i < sizeof history_events / sizeof history_events[0]; i++)
        if (strcmp(event, history_events[i]) == 0)
            return 1;
    return 0;
}

static void copy_field(char *dst, size_t size, json_t *payload, const char *key)
{
    const char *v = json_string_value(json_object_get(payload, key));

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

static int add_event(const store_audit_entry *e, void *arg)
{
    support_history *h = arg;
    support_event *ev;
    json_t *p;

    if (!history_shown(e->event))
        return STORE_OK;
    if (h->n == SUPPORT_HISTORY_MAX) {
        h->more = 1;
        return 1;                       /* stop: the page is full */
    }
    ev = &h->ev[h->n++];
    memset(ev, 0, sizeof *ev);
    ev->seq = e->seq;
    snprintf(ev->time, sizeof ev->time, "%s", e->time);
    snprintf(ev->event, sizeof ev->event, "%s", e->event);
    if ((p = json_loads(e->payload, 0, NULL)) == NULL)
        return STORE_OK;
    if (json_is_string(json_object_get(p, "agent")))
        copy_field(ev->agent, sizeof ev->agent, p, "agent");
    copy_field(ev->reason, sizeof ev->reason, p, "reason");
    copy_field(ev->detail, sizeof ev->detail, p,
               strcmp(e->event, "link-refused") == 0 ? "why" : "purpose");
    json_decref(p);
    return STORE_OK;
}

static int run_history(store_tx *tx, void *arg)
{
    support_history *h = arg;
    store_audit_filter f = { .actor = h->number };
    int rc;

    h->n = 0;                           /* a job run again starts afresh */
    h->more = 0;
    rc = store_audit_page(tx, &f, HISTORY_SCAN, add_event, h);
    return rc == 1 ? STORE_OK : rc;
}

int support_history_get(access_ctx *a, const char *number, support_history *out)
{
    out->n = 0;
    out->more = 0;
    if (number == NULL || strlen(number) > STORE_NUMBER_CHARS)
        return STORE_ENOTFOUND;
    snprintf(out->number, sizeof out->number, "%s", number);
    return store_read(a->store, run_history, out);
}

/* ---- actions ---- */

typedef struct {
    access_ctx *a;
    int64_t id, now;
    support_action action;
    const char *agent, *reason;
    store_access v;
} act_job;

static int forget_throttle(store_tx *tx, const char *prefix, int64_t id)
{
    char key[THROTTLE_KEY_CHARS];

    snprintf(key, sizeof key, "%s:%lld", prefix, (long long)id);
    return throttle_reset(tx, key);
}

static int run_act(store_tx *tx, void *arg)
{
    act_job *j = arg;
    char token[ACCESS_TOKEN_CHARS + 1];
    const char *event = "support-unlock";
    int rc = store_access_by_id(tx, j->id, &j->v), purpose = STORE_LINK_ACTIVATION;

    if (rc != STORE_OK)
        return rc;
    if (j->action == SUPPORT_UNLOCK) {
        if ((rc = forget_throttle(tx, "acct", j->id)) != STORE_OK ||
            (rc = forget_throttle(tx, "code", j->id)) != STORE_OK ||
            (rc = forget_throttle(tx, "defi", j->id)) != STORE_OK)
            return rc;
    } else {
        if (j->action == SUPPORT_DEFI) {
            /* a défi change: the voter's sessions end, its wrong answers are moot */
            event = "support-defi-reset";
            if ((rc = store_access_set_defi(tx, j->id, -1, NULL)) == STORE_OK &&
                (rc = store_sessions_delete_voter(tx, j->id)) == STORE_OK)
                rc = forget_throttle(tx, "defi", j->id);
        } else {
            event = "support-link";
            purpose = j->v.password_hash[0] ? STORE_LINK_PASSWORD : STORE_LINK_ACTIVATION;
        }
        if (rc == STORE_OK)
            rc = access_link_issue_tx(tx, j->a, j->id, purpose, NULL, j->now, token);
        sodium_memzero(token, sizeof token);
        if (rc != STORE_OK)
            return rc;
    }
    return access_audit(tx, event, j->v.number,
                        json_pack("{s:s,s:s,s:s}", "by", "support", "agent", j->agent,
                                  "reason", j->reason));
}

typedef struct {
    const char *number;
    int64_t id;
    int struck;
} find_id_job;

static int run_find_id(store_tx *tx, void *arg)
{
    find_id_job *j = arg;

    return store_voter_find(tx, j->number, &j->id, &j->struck);
}

int support_act(access_ctx *a, const char *number, support_action action, const char *agent,
                const char *reason, int64_t now, access_result *res)
{
    act_job j = { .a = a, .now = now, .action = action, .agent = agent, .reason = reason };
    find_id_job f = { number, 0, 0 };
    int rc;

    memset(res, 0, sizeof *res);
    if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0' ||
        strlen(reason) > SUPPORT_REASON_MAX || agent == NULL ||
        action < SUPPORT_LINK || action > SUPPORT_UNLOCK) {
        res->code = ACCESS_E_REASON;
        return ACCESS_REFUSED;
    }
    if (number == NULL || strlen(number) > STORE_NUMBER_CHARS)
        return STORE_ENOTFOUND;
    if ((rc = store_read(a->store, run_find_id, &f)) != STORE_OK)
        return rc;
    j.id = f.id;
    if (f.struck) {
        res->code = ACCESS_E_NOT_OPEN;
        return ACCESS_REFUSED;
    }
    if (action == SUPPORT_CODE)
        return access_code_reissue_support(a, j.id, agent, reason, now, res);
    return store_write(a->store, run_act, &j);
}
