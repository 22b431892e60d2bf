/* code.c - vote codes on the server side: reissue, check, unlock. A reissued
 * code is known to the server until its mail is delivered, so every reissue is
 * audited and counted with the results. */
#include "access_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/credential.h"
#include "notices/code.h"

#define CODE_LOCK_FOREVER ((int64_t)10 * 365 * 86400)

/* Wrong codes: delays from the 3rd, a lock at the 5th that lasts until the
 * support cell or a reissue lifts it. */
static const throttle_policy policy_code = { 3, 60, 5, CODE_LOCK_FOREVER };

/* The election id, whether the vote is open, and the voter's record. */
static int load_voter(store_tx *tx, int64_t voter, char eid[STORE_EID_CHARS + 1], int *open,
                      store_access *v)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    memcpy(eid, e.eid, STORE_EID_CHARS + 1);
    *open = strcmp(e.state, "open") == 0;
    free(e.definition);
    return store_access_by_id(tx, voter, v);
}

typedef struct {
    access_ctx *a;
    int64_t voter, now;
    const char *actor, *reason;
    store_access v;
    char eid[STORE_EID_CHARS + 1];
    int open, in_window;
    char code[CODE_SYMBOLS + 1];
    access_guard guard;
    guard_outcome defi;
    access_result *res;
} reissue_job;

static int run_reissue_read(store_tx *tx, void *arg)
{
    reissue_job *j = arg;
    def_election d;
    int rc = load_voter(tx, j->voter, j->eid, &j->open, &j->v);

    if (rc != STORE_OK || (rc = access_definition(tx, &d)) != STORE_OK)
        return rc;
    j->in_window = j->now >= d.opens && j->now < d.closes;
    def_free(&d);
    return STORE_OK;
}

/* The défi answer is counted before it is hashed (guard.c). */
static int run_reissue_enter(store_tx *tx, void *arg)
{
    reissue_job *j = arg;

    return guard_defi_enter(tx, j->a, &j->guard, j->now, j->res);
}

static int run_reissue_unchecked(store_tx *tx, void *arg)
{
    reissue_job *j = arg;

    return guard_defi_done(tx, &j->guard, GUARD_UNCHECKED, j->v.number);
}

typedef struct {
    store_tx *tx;
    reissue_job *j;
} code_mail;

static int mail_code(const char *address, void *arg)
{
    code_mail *m = arg;
    def_election d;
    char shown[CODE_DISPLAY_CHARS + 1];
    int rc = access_definition(m->tx, &d);

    if (rc != STORE_OK)
        return rc;
    code_display(shown, m->j->code);
    {
        const char *vars[] = { "election", d.name, "organiser", d.organiser, "code", shown,
                               "link", mail_portal_url(m->j->a->mail), "support_email",
                               d.support_email, "support_phone",
                               d.support_phone ? d.support_phone : "", NULL, NULL };

        rc = mail_queue_tx(m->tx, m->j->a->mail, MAIL_CODE, m->j->v.lang, address, vars, m->j->now);
    }
    sodium_memzero(shown, sizeof shown);
    def_free(&d);
    return rc;
}

static int run_reissue_write(store_tx *tx, void *arg)
{
    reissue_job *j = arg;
    char key[THROTTLE_KEY_CHARS];
    uint8_t check[CREDENTIAL_AUTH_BYTES], pub[32];
    int allowed, rc;
    json_t *extra;

    if (j->actor == NULL) {
        if ((rc = guard_defi_done(tx, &j->guard, j->defi, j->v.number)) != STORE_OK)
            return rc;
        if (j->defi != GUARD_RIGHT) {
            j->res->code = ACCESS_E_DEFI_WRONG;
            return STORE_OK;
        }
    }
    snprintf(key, sizeof key, "reissue:%lld", (long long)j->voter);
    if (j->actor == NULL &&
        ((rc = throttle_count(tx, key, j->a->reissues_per_day, 86400, j->now, &allowed)) != 0 ||
         !allowed)) {
        j->res->code = ACCESS_E_REISSUE_LIMIT;
        j->res->retry_after = 86400;
        return rc;
    }
    code_new(j->code);
    if (credential_from_code(check, pub, (const uint8_t *)j->eid, strlen(j->eid),
                             (const uint8_t *)j->code, CODE_SYMBOLS) != 0)
        return STORE_EIO;
    snprintf(key, sizeof key, "code:%lld", (long long)j->voter);
    if ((rc = store_voter_set_auth(tx, j->voter, check)) != STORE_OK ||
        (rc = store_credential_add(tx, pub)) != STORE_OK ||
        (rc = throttle_reset(tx, key)) != STORE_OK)
        return rc;
    if (j->a->mail != NULL) {
        code_mail m = { tx, j };

        if ((rc = store_voter_emails(tx, j->voter, mail_code, &m)) != STORE_OK)
            return rc;
    }
    extra = j->actor != NULL ? json_pack("{s:s,s:s,s:s}", "by", "support", "agent", j->actor,
                                         "reason", j->reason)
                             : json_pack("{s:s}", "by", "voter");
    return access_audit(tx, "code-reissued", j->v.number, extra);
}

static int reissue(access_ctx *a, reissue_job *j, const char *answer)
{
    char norm[ACCESS_ANSWER_MAX + 1];
    int rc = store_read(a->store, run_reissue_read, j);

    memset(j->res, 0, sizeof *j->res);
    if (rc != STORE_OK)
        return rc;
    if (j->v.struck) {
        j->res->code = ACCESS_E_NOT_OPEN;
        return ACCESS_REFUSED;
    }
    if (!j->open || !j->in_window) {
        j->res->code = ACCESS_E_REISSUE_WINDOW;
        return ACCESS_REFUSED;
    }
    if (j->actor == NULL) {
        if (j->v.defi_hash[0] == '\0') {
            j->res->code = ACCESS_E_NOT_ACTIVATED;
            return ACCESS_REFUSED;
        }
        if (access_defi_normalize(norm, sizeof norm, answer ? answer : "") != 0) {
            j->res->code = ACCESS_E_DEFI_ANSWER;
            return ACCESS_REFUSED;
        }
        if ((rc = store_write(a->store, run_reissue_enter, j)) != STORE_OK ||
            j->res->code != ACCESS_E_NONE) {
            sodium_memzero(norm, sizeof norm);
            return rc != STORE_OK ? rc : ACCESS_REFUSED;
        }
        if (access_hash_enter(a, j->res) != 0) {
            sodium_memzero(norm, sizeof norm);
            rc = store_write(a->store, run_reissue_unchecked, j);
            return rc != STORE_OK ? rc : ACCESS_REFUSED;
        }
        j->defi = secret_pwhash_verify(j->v.defi_hash, norm, strlen(norm)) == 0 ? GUARD_RIGHT
                                                                                 : GUARD_WRONG;
        access_hash_leave(a);
        sodium_memzero(norm, sizeof norm);
    }
    rc = store_write(a->store, run_reissue_write, j);
    sodium_memzero(j->code, sizeof j->code);
    if (rc != STORE_OK)
        return rc;
    return j->res->code == ACCESS_E_NONE ? ACCESS_OK : ACCESS_REFUSED;
}

int access_code_reissue(access_ctx *a, int64_t voter, const char *defi_answer,
                        const char *client, int64_t now, access_result *res)
{
    reissue_job j = { .a = a, .voter = voter, .now = now, .res = res };

    guard_defi_init(&j.guard, voter, client);
    return reissue(a, &j, defi_answer);
}

int access_code_reissue_support(access_ctx *a, int64_t voter, const char *actor,
                                const char *reason, int64_t now, access_result *res)
{
    reissue_job j = { .a = a, .voter = voter, .now = now, .actor = actor, .reason = reason,
                      .res = res };

    if (actor == NULL || reason == NULL || reason[0] == '\0') {
        memset(res, 0, sizeof *res);
        res->code = ACCESS_E_DEFI_ANSWER;
        return ACCESS_REFUSED;
    }
    return reissue(a, &j, NULL);
}

typedef struct {
    access_ctx *a;
    int64_t voter, now;
    const char *client;
    store_access v;
    char eid[STORE_EID_CHARS + 1];
    char key[THROTTLE_KEY_CHARS], net_key[THROTTLE_KEY_CHARS];
    int ok, had_failures;
    access_result *res;
} check_job;

static int run_check_read(store_tx *tx, void *arg)
{
    check_job *j = arg;
    store_throttle t;
    int open, rc = load_voter(tx, j->voter, j->eid, &open, &j->v);

    if (rc != STORE_OK)
        return rc;
    /* the voter's record is read once: its verdict, and whether a right code
     * must clear earlier failures */
    if ((rc = store_throttle_get(tx, j->key, &t)) != STORE_OK)
        return rc;
    j->had_failures = t.failures > 0;
    if ((rc = throttle_verdict(&t, j->now, j->res)) != ACCESS_OK ||
        (rc = throttle_network_check(tx, j->a, j->net_key, j->now, j->res)) != ACCESS_OK)
        return rc == ACCESS_REFUSED ? STORE_OK : rc;
    return STORE_OK;
}

static int run_check_write(store_tx *tx, void *arg)
{
    check_job *j = arg;
    int locked = 0, net_tripped = 0, rc;

    if (j->ok)
        return throttle_reset(tx, j->key);
    if ((rc = throttle_fail(tx, j->key, &policy_code, j->now, &locked)) != STORE_OK ||
        (rc = throttle_network_fail(tx, j->a, j->net_key, j->now, &net_tripped)) != STORE_OK)
        return rc;
    rc = access_audit(tx, locked ? "code-locked" : "code-refused", j->v.number, NULL);
    if (rc == STORE_OK && net_tripped)
        rc = throttle_network_audit(tx, j->net_key);
    return rc;
}

int access_auth_check(access_ctx *a, int64_t voter, const uint8_t auth[32], const char *client,
                      int64_t now, access_result *res)
{
    char net[64];
    uint8_t check[CREDENTIAL_AUTH_BYTES];
    check_job j = { .a = a, .voter = voter, .now = now, .client = client, .res = res };
    int rc;

    memset(res, 0, sizeof *res);
    snprintf(j.key, sizeof j.key, "code:%lld", (long long)voter);
    access_client_network(net, client);
    snprintf(j.net_key, sizeof j.net_key, "codenet:%s", net);
    if ((rc = store_read(a->store, run_check_read, &j)) != STORE_OK)
        return rc;
    if (res->code != ACCESS_E_NONE) {
        if (res->code == ACCESS_E_LOCKED)
            res->code = ACCESS_E_CODE_LOCKED;
        return ACCESS_REFUSED;
    }
    credential_auth_check(check, auth);
    j.ok = j.v.has_auth && !j.v.struck && secret_equal(check, j.v.auth_hash, sizeof check);
    /* a success writes only to clear earlier failures: the cast's own
     * transaction is the durable record of a right code */
    if ((!j.ok || j.had_failures) && (rc = store_write(a->store, run_check_write, &j)) != STORE_OK)
        return rc;
    if (!j.ok) {
        res->code = ACCESS_E_CODE_WRONG;
        return ACCESS_REFUSED;
    }
    return ACCESS_OK;
}

/* The eid, for deriving an authenticator from a typed code. */
static int run_eid(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK)
        memcpy(arg, e.eid, STORE_EID_CHARS + 1);
    free(e.definition);
    return rc;
}

int access_code_check(access_ctx *a, int64_t voter, const char *typed, const char *client,
                      int64_t now, uint8_t auth[32], access_result *res)
{
    char code[CODE_SYMBOLS + 1], eid[STORE_EID_CHARS + 1];
    code_status form;
    int rc;

    memset(res, 0, sizeof *res);
    form = code_parse(code, typed ? typed : "");
    if (form != CODE_OK) {              /* caught before anything is counted */
        res->code = form == CODE_TYPO ? ACCESS_E_CODE_TYPO : ACCESS_E_CODE_FORM;
        return ACCESS_REFUSED;
    }
    if ((rc = store_read(a->store, run_eid, eid)) != STORE_OK)
        return rc;
    rc = credential_derive_auth(auth, (const uint8_t *)eid, strlen(eid), (const uint8_t *)code,
                                CODE_SYMBOLS);
    sodium_memzero(code, sizeof code);
    if (rc != 0)
        return STORE_EIO;
    rc = access_auth_check(a, voter, auth, client, now, res);
    if (rc != ACCESS_OK)
        sodium_memzero(auth, 32);
    return rc;
}
