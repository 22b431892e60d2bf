/* session.c - login with throttles, sessions (idle and absolute limits),
 * logout, and the account page's operations. Argon2id runs outside any
 * transaction, under the concurrency bound; its result is recorded after. */
#include "access_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_TOUCH_EVERY 60

typedef struct {
    access_ctx *a;
    const char *identifier, *client;
    int64_t now;
    store_access v;
    int known;
    char acct_key[THROTTLE_KEY_CHARS], net_key[THROTTLE_KEY_CHARS];
    int ok, busy, locked, net_tripped;
    uint8_t session_hash[STORE_HASH_BYTES];
    access_result *res;
} login_job;

/* Write: the attempt is counted as a failure before Argon2id runs. */
static int run_login_enter(store_tx *tx, void *arg)
{
    login_job *j = arg;
    int rc = store_access_by_email(tx, j->identifier, &j->v);

    if (rc != STORE_OK && rc != STORE_ENOTFOUND)
        return rc;
    j->known = rc == STORE_OK && !j->v.struck && j->v.password_hash[0] != '\0';
    if (rc == STORE_OK)
        snprintf(j->acct_key, sizeof j->acct_key, "acct:%lld", (long long)j->v.id);
    else
        throttle_key_hashed(j->acct_key, j->a, "ident", j->identifier);
    return throttle_login_enter(tx, j->a, j->net_key, j->acct_key, j->now, j->res, &j->locked,
                                &j->net_tripped);
}

static int run_login_record(store_tx *tx, void *arg)
{
    login_job *j = arg;
    int rc = STORE_OK;

    if (j->busy)                 /* no password was checked: not a failure */
        return throttle_login_cancel(tx, j->net_key, j->acct_key, &access_policy_account,
                                    j->now);
    if (j->ok) {
        if ((rc = throttle_login_success(tx, j->net_key, j->acct_key)) != STORE_OK)
            return rc;
        return store_session_insert(tx, j->session_hash, j->v.id, j->now);
    }
    if (j->locked && j->known)
        rc = access_audit(tx, "account-locked", j->v.number,
                          json_pack("{s:I}", "seconds",
                                    (json_int_t)access_policy_account.lock_for));
    if (rc == STORE_OK && j->net_tripped)
        rc = throttle_network_audit(tx, j->net_key);
    return rc;
}

int access_session_open_tx(store_tx *tx, const access_ctx *a, int64_t voter, int64_t now,
                           char session_out[ACCESS_TOKEN_CHARS + 1])
{
    uint8_t hash[STORE_HASH_BYTES];

    secret_token_new(session_out);
    secret_keyed_hash(hash, a->hash_key, session_out, ACCESS_TOKEN_CHARS);
    return store_session_insert(tx, hash, voter, now);
}

static int login_run(access_ctx *a, const char *identifier, const char *password,
                     const char *client, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                     access_result *res);

static int64_t now_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int access_login(access_ctx *a, const char *identifier, const char *password, const char *client,
                 int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1], access_result *res)
{
    int64_t t0;
    int rc;

    memset(res, 0, sizeof *res);
    session_out[0] = '\0';
    /* a rush: refused before any store write when as many logins as can be
     * served in time are under way already (nothing counted, nothing to
     * give back) */
    if (access_login_admit(a, res) != 0)
        return ACCESS_REFUSED;
    t0 = now_us();
    rc = login_run(a, identifier, password, client, now, session_out, res);
    access_login_leave(a, now_us() - t0, res->code != ACCESS_E_BUSY);
    return rc;
}

static int login_run(access_ctx *a, const char *identifier, const char *password,
                     const char *client, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                     access_result *res)
{
    char id[ACCESS_IDENTIFIER_MAX + 1], net[64];
    login_job j;
    int rc, match;

    memset(res, 0, sizeof *res);
    memset(&j, 0, sizeof j);
    session_out[0] = '\0';
    if (access_identifier(id, identifier) != 0 || password == NULL ||
        strlen(password) > ACCESS_PASSWORD_MAX) {
        res->code = ACCESS_E_CREDENTIALS;
        return ACCESS_REFUSED;
    }
    j = (login_job){ .a = a, .identifier = id, .client = client, .now = now, .res = res };
    access_client_network(net, client);
    snprintf(j.net_key, sizeof j.net_key, "net:%s", net);
    if ((rc = store_write(a->store, run_login_enter, &j)) != STORE_OK)
        return rc;
    if (res->code != ACCESS_E_NONE)
        return ACCESS_REFUSED;
    if (access_hash_enter(a, res) != 0) {
        j.busy = 1;
        rc = store_write(a->store, run_login_record, &j);
        return rc != STORE_OK ? rc : ACCESS_REFUSED;
    }
    /* an unknown identifier costs the same Argon2id as a known one */
    match = secret_pwhash_verify(j.known ? j.v.password_hash : a->dummy_hash, password,
                                 strlen(password)) == 0;
    access_hash_leave(a);
    j.ok = j.known && match;
    if (j.ok) {
        secret_token_new(session_out);
        secret_keyed_hash(j.session_hash, a->hash_key, session_out, ACCESS_TOKEN_CHARS);
    }
    /* a failure is already counted: only its audit entries are left to write */
    if ((j.ok || (j.known && j.locked) || j.net_tripped) &&
        (rc = store_write(a->store, run_login_record, &j)) != STORE_OK) {
        sodium_memzero(session_out, ACCESS_TOKEN_CHARS + 1);
        return rc;
    }
    if (!j.ok) {
        res->code = ACCESS_E_CREDENTIALS;
        return ACCESS_REFUSED;
    }
    return ACCESS_OK;
}

typedef struct {
    uint8_t hash[STORE_HASH_BYTES];
    int64_t now, voter, created, last_seen;
    int expired, touch;
} session_job;

static int run_session_get(store_tx *tx, void *arg)
{
    session_job *j = arg;
    int rc = store_session_get(tx, j->hash, &j->voter, &j->created, &j->last_seen);

    if (rc != STORE_OK)
        return rc;
    j->expired = j->now - j->last_seen > ACCESS_SESSION_IDLE ||
                 j->now - j->created > ACCESS_SESSION_ABSOLUTE;
    j->touch = !j->expired && j->now - j->last_seen >= SESSION_TOUCH_EVERY;
    return STORE_OK;
}

static int run_session_update(store_tx *tx, void *arg)
{
    session_job *j = arg;

    return j->expired ? store_session_delete(tx, j->hash)
                      : store_session_touch(tx, j->hash, j->now);
}

int access_session(access_ctx *a, const char *session, int64_t now, int64_t *voter,
                   access_result *res)
{
    session_job j = { .now = now };
    int rc;

    memset(res, 0, sizeof *res);
    res->code = ACCESS_E_SESSION;
    if (access_token_hash(j.hash, a, session) != 0)
        return ACCESS_REFUSED;
    rc = store_read(a->store, run_session_get, &j);
    if (rc == STORE_ENOTFOUND)
        return ACCESS_REFUSED;
    if (rc != STORE_OK)
        return rc;
    /* an expiry is written before answering; a touch goes with the next group
     * commit (lost in a crash, it only shortens the session) */
    if (j.expired && (rc = store_write(a->store, run_session_update, &j)) != 0 &&
        rc != STORE_ENOTFOUND)
        return rc;
    if (j.touch && (rc = store_write_detached(a->store, run_session_update, &j, sizeof j)) != 0)
        return rc;
    if (j.expired)
        return ACCESS_REFUSED;
    res->code = ACCESS_E_NONE;
    *voter = j.voter;
    return ACCESS_OK;
}

static int run_logout(store_tx *tx, void *arg)
{
    return store_session_delete(tx, arg);
}

int access_logout(access_ctx *a, const char *session)
{
    uint8_t hash[STORE_HASH_BYTES];

    if (access_token_hash(hash, a, session) != 0)
        return STORE_OK;
    return store_write(a->store, run_logout, hash);
}
