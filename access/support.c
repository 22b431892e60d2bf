/* support.c - the support cell's look-ups and actions on a voter's access. */
#include "access_internal.h"
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_card(const store_voter_card *v, void *arg)
{
    return json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:s?,s:s}", "number", v->number,
                                                "surname", v->surname, "given_names",
                                                v->given_names, "email", v->identifier,
                                                "establishment", v->establishment));
}

typedef struct {
    const char *query;
    json_t *list;
} find_job;

static int run_find(store_tx *tx, void *arg)
{
    find_job *j = arg;

    return store_voter_search(tx, j->query, SUPPORT_RESULTS_MAX, add_card, j->list);
}

int support_find(access_ctx *a, const char *query, json_t **out)
{
    find_job j = { query, json_array() };
    int rc;

    *out = NULL;
    if (query == NULL || query[0] == '\0' || strlen(query) > SUPPORT_QUERY_MAX) {
        json_decref(j.list);
        return ACCESS_REFUSED;
    }
    rc = store_read(a->store, run_find, &j);
    if (rc != STORE_OK) {
        json_decref(j.list);
        return rc;
    }
    *out = j.list;
    return STORE_OK;
}

/* ---- one voter ---- */

typedef struct {
    const char *number;
    int64_t id, now;
    int struck;
    store_access v;
    store_throttle login, code, defi;
    json_t *card;
} status_job;

static int run_status(store_tx *tx, void *arg)
{
    status_job *j = arg;
    json_t *found = json_array();
    char key[THROTTLE_KEY_CHARS];
    int rc = store_voter_find(tx, j->number, &j->id, &j->struck);

    if (rc == STORE_OK)
        rc = store_access_by_id(tx, j->id, &j->v);
    if (rc == STORE_OK)
        rc = store_voter_search(tx, j->number, SUPPORT_RESULTS_MAX, add_card, found);
    for (size_t i = 0; rc == STORE_OK && i < json_array_size(found); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(found, i), "number")),
                   j->number) == 0)
            j->card = json_incref(json_array_get(found, i));
    json_decref(found);
    snprintf(key, sizeof key, "acct:%lld", (long long)j->id);
    if (rc == STORE_OK)
        rc = store_throttle_get(tx, key, &j->login);
    snprintf(key, sizeof key, "code:%lld", (long long)j->id);
    if (rc == STORE_OK)
        rc = store_throttle_get(tx, key, &j->code);
    snprintf(key, sizeof key, "defi:%lld", (long long)j->id);
    if (rc == STORE_OK)
        rc = store_throttle_get(tx, key, &j->defi);
    return rc == STORE_OK && j->card == NULL ? STORE_ENOTFOUND : rc;
}

static json_int_t locked_until(const store_throttle *t, int64_t now)
{
    return t->locked_until > now ? (json_int_t)t->locked_until : 0;
}

int support_status(access_ctx *a, const char *number, int64_t now, json_t **out)
{
    status_job j = { .number = number, .now = now };
    access_account_info account;
    json_t *emails, *scrutins;
    int rc;

    *out = NULL;
    if (number == NULL || strlen(number) > STORE_NUMBER_CHARS)
        return STORE_ENOTFOUND;
    rc = store_read(a->store, run_status, &j);
    if (rc == STORE_OK)
        rc = access_account(a, j.id, &account);
    if (rc != STORE_OK) {
        json_decref(j.card);
        return rc;
    }
    /* the account's number, addresses, language and scrutins; never which défi
     * question is the voter's own */
    emails = json_array();
    scrutins = json_array();
    for (size_t i = 0; i < account.nemails; i++)
        json_array_append_new(emails, json_string(account.emails[i]));
    for (size_t i = 0; i < account.nscrutins; i++)
        json_array_append_new(scrutins, json_pack("{s:s,s:b}", "id", account.scrutins[i].id,
                                                  "voted", account.scrutins[i].voted));
    json_object_update_new(j.card, json_pack("{s:s,s:o,s:s,s:o}", "number", account.number,
                                             "emails", emails, "lang", account.lang,
                                             "scrutins", scrutins));
    json_object_del(j.card, "email");
    access_account_free(&account);
    json_object_set_new(j.card, "struck", json_boolean(j.struck));
    json_object_set_new(j.card, "activated", json_boolean(j.v.password_hash[0] != '\0'));
    json_object_set_new(j.card, "defi_set", json_boolean(j.v.defi_hash[0] != '\0'));
    json_object_set_new(j.card, "code_set", json_boolean(j.v.has_auth));
    json_object_set_new(j.card, "login_locked_until", json_integer(locked_until(&j.login, now)));
    json_object_set_new(j.card, "code_locked_until", json_integer(locked_until(&j.code, now)));
    json_object_set_new(j.card, "defi_locked_until", json_integer(locked_until(&j.defi, now)));
    *out = j.card;
    return STORE_OK;
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
