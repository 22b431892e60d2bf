/* account.c - the voter's account page: what they may see of their record,
 * and changing the password or the défi (both need the current password). */
#include "access_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t voter;
    store_access v;
    json_t *out, *emails, *scrutins;
} account_job;

static int add_email(const char *address, void *arg)
{
    return json_array_append_new(((account_job *)arg)->emails, json_string(address));
}

static int add_scrutin(const char *scrutin, int voted, void *arg)
{
    return json_array_append_new(((account_job *)arg)->scrutins,
                                 json_pack("{s:s,s:b}", "id", scrutin, "voted", voted));
}

static int run_account(store_tx *tx, void *arg)
{
    account_job *j = arg;
    int rc = store_access_by_id(tx, j->voter, &j->v);

    if (rc == STORE_OK)
        rc = store_voter_emails(tx, j->voter, add_email, j);
    if (rc == STORE_OK)
        rc = store_voter_scrutins(tx, j->voter, add_scrutin, j);
    return rc;
}

int access_account(access_ctx *a, int64_t voter, json_t **out)
{
    account_job j = { .voter = voter, .emails = json_array(), .scrutins = json_array() };
    int rc = store_read(a->store, run_account, &j);

    if (rc != STORE_OK) {
        json_decref(j.emails);
        json_decref(j.scrutins);
        return rc;
    }
    *out = json_pack("{s:s,s:o,s:i,s:s,s:o}", "number", j.v.number, "emails", j.emails,
                     "defi_question", j.v.defi_question, "lang", j.v.lang, "scrutins",
                     j.scrutins);
    return *out != NULL ? STORE_OK : STORE_ENOMEM;
}

typedef struct {
    int64_t voter;
    store_access v;
    char email[ACCESS_IDENTIFIER_MAX + 1];
    const char *pw_hash, *defi_hash;
    int question;
    char key[THROTTLE_KEY_CHARS];
    int64_t now;
    int ok;
    access_result *res;
} change_job;

static int first_email(const char *address, void *arg)
{
    change_job *j = arg;

    snprintf(j->email, sizeof j->email, "%s", address);
    return 1;
}

static int run_change_read(store_tx *tx, void *arg)
{
    change_job *j = arg;
    int rc = store_access_by_id(tx, j->voter, &j->v);

    if (rc == STORE_OK)
        rc = store_voter_emails(tx, j->voter, first_email, j);
    if (rc == 1 || rc == STORE_OK) {
        snprintf(j->key, sizeof j->key, "acct:%lld", (long long)j->voter);
        rc = throttle_check(tx, j->key, j->now, j->res);
    }
    return rc == ACCESS_REFUSED ? STORE_OK : rc;
}

static int run_change_write(store_tx *tx, void *arg)
{
    change_job *j = arg;
    int locked, rc;

    if (!j->ok) {
        rc = throttle_fail(tx, j->key, &access_policy_account, j->now, &locked);
        if (rc == STORE_OK && locked)
            rc = access_audit(tx, "account-locked", j->v.number, NULL);
        return rc;
    }
    if (j->pw_hash != NULL && (rc = store_access_set_password(tx, j->voter, j->pw_hash)) != 0)
        return rc;
    if (j->defi_hash != NULL &&
        (rc = store_access_set_defi(tx, j->voter, j->question, j->defi_hash)) != STORE_OK)
        return rc;
    return access_audit(tx, j->defi_hash ? "defi-changed" : "password-changed", j->v.number,
                        NULL);
}

/* Verify the current password under the account's throttle; then hash what
 * changes and record it. */
static int change(access_ctx *a, change_job *j, const char *current, const char *password,
                  const char *answer, access_result *res)
{
    char pw_hash[SECRET_PWHASH_STR_BYTES], defi_hash[SECRET_PWHASH_STR_BYTES];
    char norm[ACCESS_ANSWER_MAX + 1] = "";
    int rc;

    memset(res, 0, sizeof *res);
    j->res = res;
    if ((rc = store_read(a->store, run_change_read, j)) != STORE_OK)
        return rc;
    if (res->code != ACCESS_E_NONE)
        return ACCESS_REFUSED;
    if (password != NULL && (res->code = access_password_check(a, password, j->email)) != 0)
        return ACCESS_REFUSED;
    if (answer != NULL && ((size_t)j->question >= access_defi_count() || j->question < 0))
        res->code = ACCESS_E_DEFI_QUESTION;
    else if (answer != NULL && access_defi_normalize(norm, sizeof norm, answer) != 0)
        res->code = ACCESS_E_DEFI_ANSWER;
    if (res->code != ACCESS_E_NONE)
        return ACCESS_REFUSED;
    if (access_hash_enter(a, res) != 0)
        return ACCESS_REFUSED;
    j->ok = current != NULL && strlen(current) <= ACCESS_PASSWORD_MAX &&
            secret_pwhash_verify(j->v.password_hash, current, strlen(current)) == 0;
    if (j->ok && password != NULL) {
        j->ok = secret_pwhash(pw_hash, password, strlen(password)) == 0;
        j->pw_hash = pw_hash;
    }
    if (j->ok && answer != NULL) {
        j->ok = secret_pwhash(defi_hash, norm, strlen(norm)) == 0;
        j->defi_hash = defi_hash;
    }
    access_hash_leave(a);
    sodium_memzero(norm, sizeof norm);
    rc = store_write(a->store, run_change_write, j);
    if (rc == STORE_OK && !j->ok) {
        res->code = ACCESS_E_CREDENTIALS;
        return ACCESS_REFUSED;
    }
    return rc;
}

int access_change_password(access_ctx *a, int64_t voter, const char *current,
                           const char *password, int64_t now, access_result *res)
{
    change_job j = { .voter = voter, .now = now, .question = -1 };

    return change(a, &j, current, password, NULL, res);
}

int access_change_defi(access_ctx *a, int64_t voter, const char *password, int question,
                       const char *answer, int64_t now, access_result *res)
{
    change_job j = { .voter = voter, .now = now, .question = question };

    return change(a, &j, password, NULL, answer ? answer : "", res);
}
