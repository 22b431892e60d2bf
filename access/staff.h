/*
 * staff.h - the accounts of the people who run the election: support agents,
 * officers and auditors. A password (the voters' policy) and a TOTP code
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

#define STAFF_ROLE_SUPPORT "support"
#define STAFF_ROLE_OFFICER "officer"
#define STAFF_ROLE_AUDITOR "auditor"
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

/* 1 if the role is one of the three. */
int staff_role_valid(const char *role);
/* Create an account: login of 2-64 characters [a-z0-9._-], a known role, a
 * password meeting the policy. ACCESS_REFUSED with ACCESS_E_STAFF_ACCOUNT or a
 * password code; STORE_ECONFLICT if the login exists. */
int staff_add(access_ctx *a, const char *login, const char *role, const char *password,
              const char *issuer, staff_enrolment *out, access_result *res);
/* Log in with password and TOTP code; a session token and who logged in
 * (who may be NULL) on success. Wrong login, password or code are one answer
 * (ACCESS_E_CREDENTIALS), throttled per account and per network. A code is
 * good once. */
int staff_login(access_ctx *a, const char *login, const char *password, const char *code,
                const char *client, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                staff_member *who, access_result *res);
/* Who holds a valid session (touching it); ACCESS_E_SESSION otherwise. */
int staff_session(access_ctx *a, const char *session, int64_t now, staff_member *who,
                  access_result *res);
int staff_logout(access_ctx *a, const char *session);

#endif
