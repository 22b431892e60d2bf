/*
 * staff.h - the accounts of the people who run the election: support agents,
 * officers, auditors, and observers (the délégués de liste, who follow the
 * vote on the officers' dashboard and can do nothing else). A password (the voters' policy) and a TOTP code
 * (RFC 6238, HMAC-SHA-256) at every login; one session per account, which a
 * new login replaces. The TOTP key is kept sealed (XChaCha20-Poly1305) under a
 * key derived from the server's pepper (by the signer), with the login as associated data.
 * Account creation and every login are audited under the staff member's role.
 *
 * Results as in access.h: ACCESS_OK, ACCESS_REFUSED with res->code, or a
 * negative store error.
 */
#ifndef VOTESRV_STAFF_H
#define VOTESRV_STAFF_H

#include "access.h"
#include "crypto/totp.h"
#include "store/store.h"

#define STAFF_ROLE_SUPPORT "support"
#define STAFF_ROLE_OFFICER "officer"
#define STAFF_ROLE_AUDITOR "auditor"
#define STAFF_ROLE_OBSERVER "observer"
#define STAFF_LOGIN_MAX STORE_LOGIN_CHARS
#define STAFF_SESSION_IDLE (30 * 60)
#define STAFF_SESSION_ABSOLUTE (10 * 3600)
#define STAFF_URI_CHARS 400

typedef struct {
    char login[STORE_LOGIN_CHARS + 1];
    char role[STORE_ROLE_CHARS + 1];
} staff_member;

/* What the new staff member enters in an authenticator app, shown once. */
typedef struct {
    char secret[TOTP_BASE32_CHARS + 1];
    char uri[STAFF_URI_CHARS];             /* otpauth://totp/... */
} staff_enrolment;

/* 1 if the role is one of the four. */
MUST_CHECK
int staff_role_valid(const char *role);
/* 1 if a login is guessable: once its digits and separators (. _ -) are
 * dropped, nothing is left or only role and generic words, in French or
 * English (admin, root, bureau, president, support, officer, controle,
 * auditeur, vote, election, test...; staff.c has the list), alone or run
 * together ("bureau", "admin2", "super-admin", "bureau.vote", "123"). */
int staff_login_guessable(const char *login);
/* Create an account: login of 2-64 characters [a-z0-9._-] that is not
 * guessable, a known role, a password meeting the policy. ACCESS_REFUSED with
 * ACCESS_E_STAFF_ACCOUNT or a password code; STORE_ECONFLICT if the login
 * exists. */
int staff_add(access_ctx *a, const char *login, const char *role, const char *password,
              const char *issuer, staff_enrolment *out, access_result *res);
/* Log in with password and TOTP code; a session token and who logged in
 * (who may be NULL) on success. A wrong login or a wrong password are one
 * answer (ACCESS_E_CREDENTIALS), whatever the code: whether a login exists is
 * never told. The right password with a wrong or replayed code gets
 * ACCESS_E_TOTP_WRONG. That tells whoever typed the right password that it
 * was right, which is no oracle worth having: the password is the factor the
 * TOTP code assumes may be known (phished, reused), guesses at it are
 * throttled as before whatever the answer, and each wrong code after it
 * counts towards the lock below and is audited as a kind of its own
 * ("staff-code-refused", not "staff-login-refused": the auditors' log filters
 * on it), so a stolen password confirmed this way buys no TOTP guesses and
 * leaves a trace from the first attempt; the officers' alert comes with the
 * lock (STAFF_TOTP_FAILURES).
 * Telling the agent who mistyped a code, the common case, that their code
 * was wrong or used already spares them a reset of a good password.
 * Failures are throttled per network (a window,
 * access.h) and per account AND network (delays, then a lock: access.h's
 * account policy), so that guesses from elsewhere never hold back the right
 * password and code from a network that has not failed. After the right
 * password, wrong codes also count per account (a right code clears the
 * count): at the STAFF_TOTP_FAILURES-th in a row the second factor locks,
 * for every network, until an officer unlocks it (staff_factor_unlock,
 * "votectl staff-unlock"); "staff-second-factor-locked" is audited then.
 * While it is locked the right password gets ACCESS_E_FACTOR_LOCKED (only
 * someone holding the password learns it), anything else CREDENTIALS. A code
 * is good once. */
int staff_login(access_ctx *a, const char *login, const char *password, const char *code,
                const char *client, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                staff_member *who, access_result *res);
/* Who holds a valid session (touching it); ACCESS_E_SESSION otherwise. */
int staff_session(access_ctx *a, const char *session, int64_t now, staff_member *who,
                  access_result *res);
int staff_logout(access_ctx *a, const char *session);

#define STAFF_TOTP_FAILURES 100
/* Lift the second factor's lock (and its count) of a login, audited under
 * the officer's actor name with the reason: ACCESS_OK, ACCESS_REFUSED
 * (ACCESS_E_REASON without a reason), STORE_ENOTFOUND for no such login. */
int staff_factor_unlock(access_ctx *a, const char *login, const char *actor, const char *reason,
                        access_result *res);
/* An officer sets a new password for a staff account (the person forgot
 * it): the password policy as for staff_add (issuer as there), audited under
 * the actor with the reason; the account's session ends, and the second
 * factor's lock and its count of wrong codes are cleared with the old
 * password (whoever locked it must not get to guess codes against the new
 * one). ACCESS_OK, ACCESS_REFUSED (ACCESS_E_REASON, a password code),
 * STORE_ENOTFOUND for no such login. */
int staff_password_reset(access_ctx *a, const char *login, const char *password,
                         const char *issuer, const char *actor, const char *reason,
                         access_result *res);
/* Each login whose second factor is locked, in order (fn as store_text_fn). */
int staff_factor_locked_each(access_ctx *a, store_text_fn fn, void *arg);

#endif
