/* staff.c - staff accounts: creation with a TOTP key (never under a
 * guessable login), login (password, then TOTP) throttled per network and per
 * account and network, the second factor's lock, one session per account.
 * Argon2id runs outside any transaction under the access context's bound, as
 * for voters. */
#include "access_internal.h"
#include "staff.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACTOR_KEY "staff-totp:"

static const char *const roles[] = { STAFF_ROLE_SUPPORT, STAFF_ROLE_OFFICER, STAFF_ROLE_AUDITOR,
                                     STAFF_ROLE_OBSERVER };

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

/* Roles, functions and generic account names an attacker tries first, French
 * and English, without accents (logins are [a-z0-9._-]). */
static const char *const guessable[] = {
    "admin", "administrateur", "administratrice", "administrator", "administration", "adm",
    "root", "superuser", "super", "sysadmin", "system", "systeme", "sys", "operator",
    "operateur", "operatrice", "op", "support", "assistance", "helpdesk", "help", "aide",
    "hotline", "service", "officer", "officier", "bureau", "bv", "president", "presidente",
    "presidence", "vice", "secretaire", "secretary", "secretariat", "assesseur", "assesseuse",
    "delegue", "deleguee", "delegate", "scrutateur", "scrutatrice", "auditor", "auditeur",
    "auditrice", "audit", "observer", "observateur", "observatrice", "controle", "controleur", "controleuse", "control", "controller",
    "gestion", "gestionnaire", "manager", "staff", "agent", "chef", "responsable", "directeur",
    "directrice", "director", "member", "membre", "user", "utilisateur", "guest", "invite",
    "test", "demo", "default", "defaut", "public", "anonymous", "anonyme", "vote", "votes",
    "voting", "votant", "election", "elections", "electoral", "electorale", "scrutin",
    "cellule", "equipe", "team", "contact", "info", "webmaster", "postmaster", "security",
    "securite", "master", "owner", "votesrv", "de", "du", "des", "la", "le", "les", "of",
    "the",
};

/* 1 if s is made only of words of the list, run together. */
static int only_guessable_words(const char *s)
{
    size_t n = strlen(s);
    unsigned char reach[STAFF_LOGIN_MAX + 1] = { 1 };

    for (size_t i = 0; i < n; i++) {
        if (!reach[i])
            continue;
        for (size_t w = 0; w < sizeof guessable / sizeof guessable[0]; w++) {
            size_t len = strlen(guessable[w]);

            if (i + len <= n && strncmp(s + i, guessable[w], len) == 0)
                reach[i + len] = 1;
        }
    }
    return reach[n];
}

int staff_login_guessable(const char *login)
{
    char core[STAFF_LOGIN_MAX + 1];
    size_t n = 0;

    if (!login_valid(login))
        return 1;
    for (const char *p = login; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            core[n++] = *p;
    core[n] = '\0';
    return n == 0 || only_guessable_words(core);
}

static void totp_box_key(uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
                         const access_ctx *a)
{
    memcpy(key, a->totp_key, sizeof a->totp_key);
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
    if (!login_valid(login) || staff_login_guessable(login) || !staff_role_valid(role) ||
        issuer == NULL ||
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
    int factor_locked;           /* the second factor was locked before this attempt */
    int factor_refused;          /* the right password, refused for that lock */
    int code_wrong;              /* the right password, a wrong (or replayed) code */
    int factor_tripped;          /* this attempt locked the second factor */
    uint64_t step;
    char acct_key[THROTTLE_KEY_CHARS], net_key[THROTTLE_KEY_CHARS];
    char factor_key[THROTTLE_KEY_CHARS];
    uint8_t session_hash[STORE_HASH_BYTES];
    access_result *res;
} login_job;

/* Write: the attempt is counted as a failure before Argon2id runs (session.c),
 * against the network and against this account from this network. */
static int run_login_enter(store_tx *tx, void *arg)
{
    login_job *j = arg;
    store_throttle t;
    int rc = store_staff_get(tx, j->login, &j->s);

    if (rc != STORE_OK && rc != STORE_ENOTFOUND)
        return rc;
    j->known = rc == STORE_OK;
    if (j->known && (rc = store_throttle_get(tx, j->factor_key, &t)) != STORE_OK)
        return rc;
    j->factor_locked = j->known && t.locked_until > 0;
    return throttle_login_enter(tx, j->a, j->net_key, j->acct_key, j->now, j->res, &j->locked,
                                &j->net_tripped);
}

/* A wrong code after the right password: counted for the account from every
 * network; the STAFF_TOTP_FAILURES-th in a row locks the second factor. */
static int factor_fail(store_tx *tx, login_job *j)
{
    store_throttle t;
    int rc = store_throttle_get(tx, j->factor_key, &t);

    if (rc != STORE_OK)
        return rc;
    t.failures++;
    if (t.failures >= STAFF_TOTP_FAILURES && t.locked_until == 0) {
        t.locked_until = INT64_MAX;              /* until an officer unlocks it */
        j->factor_tripped = 1;
    }
    if ((rc = store_throttle_put(tx, j->factor_key, &t)) != STORE_OK || !j->factor_tripped)
        return rc;
    return access_audit_as(tx, j->s.role, j->login, "staff-second-factor-locked",
                           json_pack("{s:I}", "failures", (json_int_t)t.failures));
}

static int run_login_record(store_tx *tx, void *arg)
{
    login_job *j = arg;
    int rc = STORE_OK;

    if (j->ok < 0)               /* no password was checked: not a failure */
        return throttle_login_cancel(tx, j->net_key, j->acct_key, &access_policy_account,
                                    j->now);
    /* the step is claimed here: of two logins with one code, one wins */
    if (j->ok && store_staff_totp_use(tx, j->login, j->step) == STORE_ECONFLICT) {
        j->ok = 0;
        j->code_wrong = 1;
    }
    if (j->ok) {
        if ((rc = throttle_login_success(tx, j->net_key, j->acct_key)) != STORE_OK ||
            (rc = throttle_reset(tx, j->factor_key)) != STORE_OK ||
            (rc = store_staff_session_set(tx, j->login, j->session_hash, j->now)) != STORE_OK)
            return rc;
        return access_audit_as(tx, j->s.role, j->login, "staff-login", NULL);
    }
    if (j->code_wrong && (rc = factor_fail(tx, j)) != STORE_OK)
        return rc;
    if (j->known)
        /* the right password with a wrong or used code is a kind of its own:
         * a confirmed password is what the auditors look for */
        rc = access_audit_as(tx, j->s.role, j->login,
                             j->locked       ? "staff-locked"
                             : j->code_wrong ? "staff-code-refused"
                                             : "staff-login-refused", NULL);
    if (rc == STORE_OK && j->net_tripped)
        rc = throttle_network_audit(tx, j->net_key);
    return rc;
}

/* Password (Argon2id, also for an unknown login) and then, unless the second
 * factor is locked, the TOTP code. */
static int login_verify(login_job *j, const char *password, const char *code)
{
    uint8_t totp[TOTP_KEY_BYTES];
    int match;

    if (access_hash_enter(j->a, j->res) != 0)
        return -1;
    match = secret_pwhash_verify(j->known ? j->s.password_hash : j->a->dummy_hash, password,
                                 strlen(password)) == 0;
    access_hash_leave(j->a);
    if (!j->known || !match)
        return 0;
    if (j->factor_locked) {
        j->factor_refused = 1;
        return 0;
    }
    if (totp_open(totp, j->a, &j->s) != 0)
        return 0;
    match = totp_verify(totp, code, j->now, j->s.totp_last, &j->step) == 0;
    sodium_memzero(totp, sizeof totp);
    j->code_wrong = !match;
    return match;
}

int staff_login(access_ctx *a, const char *login, const char *password, const char *code,
                const char *client, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                staff_member *who, access_result *res)
{
    char net[64], acct[STAFF_LOGIN_MAX + 80];
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
    snprintf(acct, sizeof acct, "%s %s", login, net);
    throttle_key_hashed(j->acct_key, a, "staff", acct);
    snprintf(j->factor_key, sizeof j->factor_key, FACTOR_KEY "%s", login);
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
            secret_keyed_hash(j->session_hash, a->hash_key, session_out, ACCESS_TOKEN_CHARS);
        }
        rc = store_write(a->store, run_login_record, j);
        if (rc == STORE_OK && !j->ok) {
            /* only the right password learns that the second factor is locked, or
             * that the code was wrong or used already (see staff.h) */
            res->code = j->factor_refused || j->factor_tripped ? ACCESS_E_FACTOR_LOCKED
                        : j->code_wrong                        ? ACCESS_E_TOTP_WRONG
                                                               : ACCESS_E_CREDENTIALS;
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

/* ---- an officer's act on another account ---- */

/* memset res; STORE_ENOTFOUND for a malformed login, ACCESS_REFUSED
 * (ACCESS_E_REASON) without an actor and a reason, else ACCESS_OK. */
static int staff_check_officer_act(const char *login, const char *actor, const char *reason,
                                   access_result *res)
{
    memset(res, 0, sizeof *res);
    if (!login_valid(login))
        return STORE_ENOTFOUND;
    if (reason == NULL || reason[0] == '\0' || actor == NULL || actor[0] == '\0') {
        res->code = ACCESS_E_REASON;
        return ACCESS_REFUSED;
    }
    return ACCESS_OK;
}

/* The audit entry of an officer's act on login, with its reason. */
static int staff_audit_officer_act(store_tx *tx, const char *event, const char *login,
                                   const char *actor, const char *reason)
{
    return access_audit_as(tx, STAFF_ROLE_OFFICER, actor, event,
                           json_pack("{s:s,s:s}", "login", login, "reason", reason));
}

/* ---- the second factor's lock ---- */

typedef struct {
    const char *login, *actor, *reason;
    char key[THROTTLE_KEY_CHARS];
    store_staff s;
    store_tx *tx;
    store_text_fn fn;
    void *arg;
} factor_job;

static int run_unlock(store_tx *tx, void *arg)
{
    factor_job *j = arg;
    int rc = store_staff_get(tx, j->login, &j->s);

    if (rc != STORE_OK || (rc = throttle_reset(tx, j->key)) != STORE_OK)
        return rc;
    return staff_audit_officer_act(tx, "staff-second-factor-unlocked", j->login, j->actor,
                                   j->reason);
}

int staff_factor_unlock(access_ctx *a, const char *login, const char *actor, const char *reason,
                        access_result *res)
{
    factor_job j = { .login = login, .actor = actor, .reason = reason };
    int rc;

    if ((rc = staff_check_officer_act(login, actor, reason, res)) != ACCESS_OK)
        return rc;
    snprintf(j.key, sizeof j.key, FACTOR_KEY "%s", login);
    rc = store_write(a->store, run_unlock, &j);
    sodium_memzero(&j.s, sizeof j.s);
    return rc;
}

static int locked_login(const char *login, void *arg)
{
    factor_job *j = arg;
    store_throttle t;
    char key[THROTTLE_KEY_CHARS];
    int rc;

    snprintf(key, sizeof key, FACTOR_KEY "%s", login);
    if ((rc = store_throttle_get(j->tx, key, &t)) != STORE_OK)
        return rc;
    return t.locked_until > 0 ? j->fn(login, j->arg) : 0;
}

static int run_locked_each(store_tx *tx, void *arg)
{
    factor_job *j = arg;

    j->tx = tx;
    return store_staff_each(tx, locked_login, j);
}

int staff_factor_locked_each(access_ctx *a, store_text_fn fn, void *arg)
{
    factor_job j = { .fn = fn, .arg = arg };

    return store_read(a->store, run_locked_each, &j);
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

/* ---- an officer's password reset ---- */

typedef struct {
    const char *login, *actor, *reason, *hash;
    char key[THROTTLE_KEY_CHARS];
} reset_job;

static int run_password_reset(store_tx *tx, void *arg)
{
    reset_job *j = arg;
    int rc;

    if ((rc = store_staff_password_set(tx, j->login, j->hash)) != STORE_OK ||
        (rc = store_staff_session_set(tx, j->login, NULL, 0)) != STORE_OK ||
        (rc = throttle_reset(tx, j->key)) != STORE_OK)
        return rc;
    return staff_audit_officer_act(tx, "staff-password-reset", j->login, j->actor, j->reason);
}

int staff_password_reset(access_ctx *a, const char *login, const char *password,
                         const char *issuer, const char *actor, const char *reason,
                         access_result *res)
{
    char hash[SECRET_PWHASH_STR_BYTES];
    reset_job j = { .login = login, .actor = actor, .reason = reason, .hash = hash };
    int rc;

    if ((rc = staff_check_officer_act(login, actor, reason, res)) != ACCESS_OK)
        return rc;
    if ((res->code = access_password_check(a, password, (const char *[]){ login, issuer, NULL })) !=
        ACCESS_E_NONE)
        return ACCESS_REFUSED;
    if (secret_pwhash(hash, password, strlen(password)) != 0)
        return STORE_ENOMEM;
    snprintf(j.key, sizeof j.key, FACTOR_KEY "%s", login);
    rc = store_write(a->store, run_password_reset, &j);
    sodium_memzero(hash, sizeof hash);
    return rc;
}
