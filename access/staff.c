/* staff.c - staff accounts: creation with a TOTP key, login (password, then
 * TOTP), one session per account. Argon2id runs outside any transaction under
 * the access context's bound, as for voters. */
#include "access_internal.h"
#include "staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = { STAFF_ROLE_SUPPORT, STAFF_ROLE_OFFICER, STAFF_ROLE_AUDITOR };

int staff_role_valid(const char *role)
{
    for (size_t i = 0; role != NULL && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i]) == 0)
            return 1;
    return 0;
}

static int login_valid(const char *login)
{
    size_t n = login != NULL ? strlen(login) : 0;

    return n >= 2 && n <= STAFF_LOGIN_MAX &&
           strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void totp_box_key(uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
                         const access_ctx *a)
{
    secret_keyed_hash(key, a->pepper, "votesrv/v1/staff-totp", 21);
}

static void totp_seal(uint8_t out[STORE_TOTP_SEALED_BYTES], const access_ctx *a,
                      const char *login, const uint8_t totp[TOTP_KEY_BYTES])
{
    uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    uint8_t *nonce = out, *c = out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

    totp_box_key(key, a);
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(c, NULL, totp, TOTP_KEY_BYTES,
                                               (const uint8_t *)login, strlen(login), NULL,
                                               nonce, key);
    sodium_memzero(key, sizeof key);
}

static int totp_open(uint8_t totp[TOTP_KEY_BYTES], const access_ctx *a, const store_staff *s)
{
    uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    const uint8_t *nonce = s->totp_sealed;
    int rc;

    totp_box_key(key, a);
    rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        totp, NULL, NULL, s->totp_sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
        STORE_TOTP_SEALED_BYTES - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
        (const uint8_t *)s->login, strlen(s->login), nonce, key);
    sodium_memzero(key, sizeof key);
    return rc == 0 ? 0 : -1;
}

static int run_add(store_tx *tx, void *arg)
{
    const store_staff *s = arg;
    int rc = store_staff_add(tx, s);

    if (rc != STORE_OK)
        return rc;
    return access_audit_as(tx, "officer", "votectl", "staff-added",
                        json_pack("{s:s,s:s}", "login", s->login, "role", s->role));
}

int staff_add(access_ctx *a, const char *login, const char *role, const char *password,
              const char *issuer, staff_enrolment *out, access_result *res)
{
    store_staff s;
    uint8_t totp[TOTP_KEY_BYTES];
    char hash[SECRET_PWHASH_STR_BYTES];
    int rc;

    memset(res, 0, sizeof *res);
    memset(out, 0, sizeof *out);
    if (!login_valid(login) || !staff_role_valid(role) || issuer == NULL ||
        strpbrk(issuer, ":&?#%/") != NULL) {
        res->code = ACCESS_E_STAFF_ACCOUNT;
        return ACCESS_REFUSED;
    }
    if ((res->code = access_password_check(a, password, (const char *[]){ login, issuer, NULL })) !=
        ACCESS_E_NONE)
        return ACCESS_REFUSED;
    if (secret_pwhash(hash, password, strlen(password)) != 0)
        return STORE_ENOMEM;
    memset(&s, 0, sizeof s);
    snprintf(s.login, sizeof s.login, "%s", login);
    snprintf(s.role, sizeof s.role, "%s", role);
    snprintf(s.password_hash, sizeof s.password_hash, "%s", hash);
    randombytes_buf(totp, sizeof totp);
    totp_seal(s.totp_sealed, a, login, totp);
    rc = store_write(a->store, run_add, &s);
    if (rc == STORE_OK) {
        totp_base32(out->secret, totp);
        snprintf(out->uri, sizeof out->uri,
                 "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA256&digits=%d&period=%d",
                 issuer, login, out->secret, issuer, TOTP_DIGITS, TOTP_PERIOD);
    }
    sodium_memzero(totp, sizeof totp);
    sodium_memzero(&s, sizeof s);
    return rc;
}

/* ---- login ---- */

static void member_of(staff_member *who, const store_staff *s)
{
    snprintf(who->login, sizeof who->login, "%s", s->login);
    snprintf(who->role, sizeof who->role, "%s", s->role);
}

typedef struct {
    access_ctx *a;
    const char *login;
    int64_t now;
    store_staff s;
    int known, ok, locked, net_tripped;
    uint64_t step;
    char acct_key[THROTTLE_KEY_CHARS], net_key[THROTTLE_KEY_CHARS];
    uint8_t session_hash[STORE_HASH_BYTES];
    access_result *res;
} login_job;

/* Write: the attempt is counted as a failure before Argon2id runs (session.c). */
static int run_login_enter(store_tx *tx, void *arg)
{
    login_job *j = arg;
    int rc = store_staff_get(tx, j->login, &j->s);

    if (rc != STORE_OK && rc != STORE_ENOTFOUND)
        return rc;
    j->known = rc == STORE_OK;
    return throttle_login_enter(tx, j->a, j->net_key, j->acct_key, j->now, j->res, &j->locked,
                                &j->net_tripped);
}

static int run_login_record(store_tx *tx, void *arg)
{
    login_job *j = arg;
    int rc = STORE_OK;

    if (j->ok < 0)               /* no password was checked: not a failure */
        return throttle_login_cancel(tx, j->net_key, j->acct_key);
    /* the step is claimed here: of two logins with one code, one wins */
    if (j->ok && store_staff_totp_use(tx, j->login, j->step) == STORE_ECONFLICT)
        j->ok = 0;
    if (j->ok) {
        if ((rc = throttle_login_success(tx, j->net_key, j->acct_key)) != STORE_OK ||
            (rc = store_staff_session_set(tx, j->login, j->session_hash, j->now)) != STORE_OK)
            return rc;
        return access_audit_as(tx, j->s.role, j->login, "staff-login", NULL);
    }
    if (j->known)
        rc = access_audit_as(tx, j->s.role, j->login, j->locked ? "staff-locked"
                                                                : "staff-login-refused", NULL);
    if (rc == STORE_OK && j->net_tripped)
        rc = throttle_network_audit(tx, j->net_key);
    return rc;
}

/* Password (Argon2id, also for an unknown login) and then the TOTP code. */
static int login_verify(login_job *j, const char *password, const char *code)
{
    uint8_t totp[TOTP_KEY_BYTES];
    int match;

    if (access_hash_enter(j->a, j->res) != 0)
        return -1;
    match = secret_pwhash_verify(j->known ? j->s.password_hash : j->a->dummy_hash, password,
                                 strlen(password)) == 0;
    access_hash_leave(j->a);
    if (!j->known || !match || totp_open(totp, j->a, &j->s) != 0)
        return 0;
    match = totp_verify(totp, code, j->now, j->s.totp_last, &j->step) == 0;
    sodium_memzero(totp, sizeof totp);
    return match;
}

int staff_login(access_ctx *a, const char *login, const char *password, const char *code,
                const char *client, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                staff_member *who, access_result *res)
{
    char net[64];
    login_job *j;
    int rc;

    memset(res, 0, sizeof *res);
    session_out[0] = '\0';
    if (!login_valid(login) || password == NULL || strlen(password) > ACCESS_PASSWORD_MAX ||
        code == NULL) {
        res->code = ACCESS_E_CREDENTIALS;
        return ACCESS_REFUSED;
    }
    if ((j = calloc(1, sizeof *j)) == NULL)
        return STORE_ENOMEM;
    *j = (login_job){ .a = a, .login = login, .now = now, .res = res };
    access_client_network(net, client);
    snprintf(j->net_key, sizeof j->net_key, "staff-net:%s", net);
    snprintf(j->acct_key, sizeof j->acct_key, "staff:%s", login);
    rc = store_write(a->store, run_login_enter, j);
    if (rc == STORE_OK && res->code == ACCESS_E_NONE) {
        j->ok = login_verify(j, password, code);
        if (j->ok < 0) {
            rc = store_write(a->store, run_login_record, j);
            rc = rc != STORE_OK ? rc : ACCESS_REFUSED;
            goto out;
        }
        if (j->ok) {
            secret_token_new(session_out);
            secret_keyed_hash(j->session_hash, a->pepper, session_out, ACCESS_TOKEN_CHARS);
        }
        rc = store_write(a->store, run_login_record, j);
        if (rc == STORE_OK && !j->ok) {
            res->code = ACCESS_E_CREDENTIALS;
            rc = ACCESS_REFUSED;
        }
    } else if (rc == STORE_OK) {
        rc = ACCESS_REFUSED;
    }
out:
    if (rc != ACCESS_OK)
        sodium_memzero(session_out, ACCESS_TOKEN_CHARS + 1);
    else if (who != NULL)
        member_of(who, &j->s);
    sodium_memzero(j, sizeof *j);
    free(j);
    return rc;
}

/* ---- sessions ---- */

typedef struct {
    uint8_t hash[STORE_HASH_BYTES];
    int64_t now;
    store_staff s;
    int expired;
} session_job;

static int run_session_get(store_tx *tx, void *arg)
{
    session_job *j = arg;
    int rc = store_staff_by_session(tx, j->hash, &j->s);

    j->expired = rc == STORE_OK && (j->now - j->s.session_seen > STAFF_SESSION_IDLE ||
                                    j->now - j->s.session_created > STAFF_SESSION_ABSOLUTE);
    return rc;
}

static int run_session_update(store_tx *tx, void *arg)
{
    session_job *j = arg;

    return j->expired ? store_staff_session_set(tx, j->s.login, NULL, j->now)
                      : store_staff_session_touch(tx, j->s.login, j->now);
}

int staff_session(access_ctx *a, const char *session, int64_t now, staff_member *who,
                  access_result *res)
{
    session_job j = { .now = now };
    int rc;

    memset(res, 0, sizeof *res);
    memset(who, 0, sizeof *who);
    res->code = ACCESS_E_SESSION;
    if (access_token_hash(j.hash, a, session) != 0)
        return ACCESS_REFUSED;
    rc = store_read(a->store, run_session_get, &j);
    if (rc == STORE_ENOTFOUND)
        return ACCESS_REFUSED;
    if (rc == STORE_OK && (j.expired || now - j.s.session_seen >= 60))
        rc = j.expired ? store_write(a->store, run_session_update, &j)
                       : store_write_detached(a->store, run_session_update, &j, sizeof j);
    if (rc != STORE_OK || j.expired) {
        sodium_memzero(&j, sizeof j);
        return rc != STORE_OK ? rc : ACCESS_REFUSED;
    }
    member_of(who, &j.s);
    sodium_memzero(&j, sizeof j);
    res->code = ACCESS_E_NONE;
    return ACCESS_OK;
}

typedef struct {
    uint8_t hash[STORE_HASH_BYTES];
    store_staff s;
} logout_job;

static int run_logout(store_tx *tx, void *arg)
{
    logout_job *j = arg;
    int rc = store_staff_by_session(tx, j->hash, &j->s);

    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_OK : rc;
    if ((rc = store_staff_session_set(tx, j->s.login, NULL, 0)) != STORE_OK)
        return rc;
    return access_audit_as(tx, j->s.role, j->s.login, "staff-logout", NULL);
}

int staff_logout(access_ctx *a, const char *session)
{
    logout_job j;
    int rc;

    if (access_token_hash(j.hash, a, session) != 0)
        return STORE_OK;
    rc = store_write(a->store, run_logout, &j);
    sodium_memzero(&j, sizeof j);
    return rc;
}
