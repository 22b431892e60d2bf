/* account.c - the voter's account page: what they may see of their record,
 * and changing the password (needs the current one) or the défi (needs the
 * current password and the current answer). Both end the voter's other
 * sessions. */
#include "access_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ACCESS_SCRUTIN_CHARS == STORE_SCRUTIN_CHARS &&
               ACCESS_NUMBER_CHARS == STORE_NUMBER_CHARS, "the account's fields are the store's");

typedef struct {
    int64_t voter;
    store_access v;
    access_account_info *out;
    size_t email_room, scrutin_room;
} account_job;

/* Room for one more of n items of size each in *items (room of them). */
static int grow(void *items, size_t n, size_t *room, size_t size)
{
    void *p;

    if (n < *room)
        return 0;
    if ((p = realloc(*(void **)items, (*room ? 2 * *room : 4) * size)) == NULL)
        return -1;
    *(void **)items = p;
    *room = *room ? 2 * *room : 4;
    return 0;
}

static int add_email(const char *address, void *arg)
{
    account_job *j = arg;
    access_account_info *o = j->out;

    if (grow(&o->emails, o->nemails, &j->email_room, sizeof *o->emails) != 0 ||
        (o->emails[o->nemails] = strdup(address)) == NULL)
        return STORE_ENOMEM;
    o->nemails++;
    return 0;
}

static int add_scrutin(const char *scrutin, int voted, void *arg)
{
    account_job *j = arg;
    access_account_info *o = j->out;

    if (grow(&o->scrutins, o->nscrutins, &j->scrutin_room, sizeof *o->scrutins) != 0)
        return STORE_ENOMEM;
    snprintf(o->scrutins[o->nscrutins].id, sizeof o->scrutins[0].id, "%s", scrutin);
    o->scrutins[o->nscrutins++].voted = voted;
    return 0;
}

static void drop_lists(access_account_info *o)
{
    for (size_t i = 0; i < o->nemails; i++)
        free(o->emails[i]);
    o->nemails = 0;
    o->nscrutins = 0;
}

static int run_account(store_tx *tx, void *arg)
{
    account_job *j = arg;
    int rc = store_access_by_id(tx, j->voter, &j->v);

    drop_lists(j->out);                 /* a job run again starts afresh */
    if (rc == STORE_OK)
        rc = store_voter_emails(tx, j->voter, add_email, j);
    if (rc == STORE_OK)
        rc = store_voter_scrutins(tx, j->voter, add_scrutin, j);
    return rc;
}

void access_account_free(access_account_info *acct)
{
    drop_lists(acct);
    free(acct->emails);
    free(acct->scrutins);
    memset(acct, 0, sizeof *acct);
}

int access_account(access_ctx *a, int64_t voter, access_account_info *out)
{
    account_job j = { .voter = voter, .out = out };
    int rc;

    memset(out, 0, sizeof *out);
    rc = store_read(a->store, run_account, &j);
    if (rc != STORE_OK) {
        access_account_free(out);
        return rc;
    }
    snprintf(out->number, sizeof out->number, "%s", j.v.number);
    snprintf(out->lang, sizeof out->lang, "%s", j.v.lang);
    out->defi_question = j.v.defi_question;
    return STORE_OK;
}

typedef struct {
    access_ctx *a;
    int64_t voter, now;
    const access_caller *who;
    store_access v;
    access_context context;      /* what a new password must not be built on */
    const char *pw_hash, *defi_hash;
    int question, defi_change, want_defi;
    char acct_key[THROTTLE_KEY_CHARS], net_key[THROTTLE_KEY_CHARS];
    access_guard guard;
    int locked, net_tripped, busy, pw_ok;
    guard_outcome defi;
    access_result *res;
} change_job;

static int run_change_read(store_tx *tx, void *arg)
{
    change_job *j = arg;
    int rc = store_access_by_id(tx, j->voter, &j->v);

    if (rc == STORE_OK && !j->defi_change)
        rc = access_context_load(tx, j->v.number, j->voter, &j->context);
    return rc;
}

/* Write: both throttles are looked at before either counts; then the
 * password (and the current défi answer) are counted as failures before any
 * Argon2id runs, as a login is. */
static int run_change_enter(store_tx *tx, void *arg)
{
    change_job *j = arg;
    int rc;

    if (j->want_defi && (rc = guard_defi_check(tx, j->a, &j->guard, j->now, j->res)) != 0)
        return rc == ACCESS_REFUSED ? STORE_OK : rc;
    rc = throttle_login_enter(tx, j->a, j->net_key, j->acct_key, j->now, j->res, &j->locked,
                              &j->net_tripped);
    if (rc != STORE_OK || j->res->code != ACCESS_E_NONE || !j->want_defi)
        return rc;
    return guard_defi_enter(tx, j->a, &j->guard, j->now, j->res);
}

static int run_change_record(store_tx *tx, void *arg)
{
    change_job *j = arg;
    uint8_t keep[STORE_HASH_BYTES];
    int rc;

    if (j->busy || !j->pw_ok) {          /* the défi answer was not checked */
        if (j->want_defi && (rc = guard_defi_done(tx, &j->guard, GUARD_UNCHECKED, NULL)) != 0)
            return rc;
    }
    if (j->busy)
        return throttle_login_cancel(tx, j->net_key, j->acct_key, &access_policy_account,
                                    j->now);
    if (!j->pw_ok) {
        rc = j->locked ? access_audit(tx, "account-locked", j->v.number,
                                      json_pack("{s:I}", "seconds",
                                                (json_int_t)access_policy_account.lock_for))
                       : STORE_OK;
        return rc == STORE_OK && j->net_tripped ? throttle_network_audit(tx, j->net_key) : rc;
    }
    if ((rc = throttle_login_success(tx, j->net_key, j->acct_key)) != STORE_OK ||
        (j->want_defi && (rc = guard_defi_done(tx, &j->guard, j->defi, j->v.number)) != 0))
        return rc;
    if (j->want_defi && j->defi != GUARD_RIGHT)
        return STORE_OK;                 /* the counts stay; nothing changes */
    if (j->pw_hash != NULL && (rc = store_access_set_password(tx, j->voter, j->pw_hash)) != 0)
        return rc;
    if (j->defi_hash != NULL &&
        (rc = store_access_set_defi(tx, j->voter, j->question, j->defi_hash)) != STORE_OK)
        return rc;
    rc = store_sessions_delete_others(tx, j->voter,
                                      access_token_hash(keep, j->a, j->who->session) == 0
                                      ? keep : NULL);
    if (rc != STORE_OK)
        return rc;
    return access_audit(tx, j->defi_hash ? "defi-changed" : "password-changed", j->v.number,
                        NULL);
}

static const access_caller nobody = { NULL, NULL };

/* The form first (free), then the attempt counted, then Argon2id under the
 * concurrency bound, then the outcome recorded. */
static int change(access_ctx *a, change_job *j, const char *current, const char *password,
                  const char *current_answer, const char *answer, access_result *res)
{
    char pw_hash[SECRET_PWHASH_STR_BYTES], defi_hash[SECRET_PWHASH_STR_BYTES];
    char norm[ACCESS_ANSWER_MAX + 1] = "", cur_norm[ACCESS_ANSWER_MAX + 1] = "", net[64];
    int rc, made = 1;

    memset(res, 0, sizeof *res);
    j->res = res;
    if ((rc = store_read(a->store, run_change_read, j)) != STORE_OK) {
        access_context_free(&j->context);
        return rc;
    }
    j->want_defi = j->defi_change && j->v.defi_hash[0] != '\0';
    if (current == NULL || current[0] == '\0' || strlen(current) > ACCESS_PASSWORD_MAX ||
        j->v.password_hash[0] == '\0')
        res->code = ACCESS_E_CREDENTIALS;
    else if (password != NULL)
        res->code = access_password_check(a, password, (const char *const *)j->context.words);
    else if (!access_defi_offered(j->question))
        res->code = ACCESS_E_DEFI_QUESTION;
    else if (access_defi_normalize(norm, sizeof norm, answer ? answer : "") != 0 ||
             (j->want_defi && access_defi_normalize(cur_norm, sizeof cur_norm,
                                                    current_answer ? current_answer : "") != 0))
        res->code = ACCESS_E_DEFI_ANSWER;
    if (res->code != ACCESS_E_NONE)
        goto out;
    snprintf(j->acct_key, sizeof j->acct_key, "acct:%lld", (long long)j->voter);
    access_client_network(net, j->who->client);
    snprintf(j->net_key, sizeof j->net_key, "net:%s", net);
    guard_defi_init(&j->guard, j->voter, j->who->client);
    if ((rc = store_write(a->store, run_change_enter, j)) != STORE_OK ||
        res->code != ACCESS_E_NONE)
        goto out;
    if (access_hash_enter(a, res) != 0) {
        j->busy = 1;
    } else {
        j->pw_ok = secret_pwhash_verify(j->v.password_hash, current, strlen(current)) == 0;
        if (j->pw_ok && j->want_defi)
            j->defi = secret_pwhash_verify(j->v.defi_hash, cur_norm, strlen(cur_norm)) == 0
                      ? GUARD_RIGHT : GUARD_WRONG;
        if (j->pw_ok && (!j->want_defi || j->defi == GUARD_RIGHT)) {
            if (password != NULL)
                made = secret_pwhash(pw_hash, password, strlen(password)) == 0;
            else
                made = secret_pwhash(defi_hash, norm, strlen(norm)) == 0;
            j->pw_hash = password != NULL ? pw_hash : NULL;
            j->defi_hash = password == NULL ? defi_hash : NULL;
        }
        access_hash_leave(a);
        j->busy = !made;                 /* out of memory: as if not checked */
    }
    rc = store_write(a->store, run_change_record, j);
    if (rc == STORE_OK && !made)
        rc = STORE_ENOMEM;
    else if (rc == STORE_OK && res->code == ACCESS_E_NONE && !j->pw_ok)
        res->code = ACCESS_E_CREDENTIALS;
    else if (rc == STORE_OK && res->code == ACCESS_E_NONE && j->want_defi &&
             j->defi != GUARD_RIGHT)
        res->code = ACCESS_E_DEFI_WRONG;
out:
    sodium_memzero(norm, sizeof norm);
    sodium_memzero(cur_norm, sizeof cur_norm);
    access_context_free(&j->context);
    if (rc != STORE_OK)
        return rc;
    return res->code == ACCESS_E_NONE ? ACCESS_OK : ACCESS_REFUSED;
}

int access_change_password(access_ctx *a, int64_t voter, const access_caller *who,
                           const char *current, const char *password, int64_t now,
                           access_result *res)
{
    change_job j = { .a = a, .voter = voter, .now = now, .who = who ? who : &nobody,
                     .question = -1 };

    return change(a, &j, current, password, NULL, NULL, res);
}

int access_change_defi(access_ctx *a, int64_t voter, const access_caller *who,
                       const char *password, const char *current_answer, int question,
                       const char *answer, int64_t now, access_result *res)
{
    change_job j = { .a = a, .voter = voter, .now = now, .who = who ? who : &nobody,
                     .question = question, .defi_change = 1 };

    return change(a, &j, password, NULL, current_answer, answer, res);
}
