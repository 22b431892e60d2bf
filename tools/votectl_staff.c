/* votectl_staff.c - "votectl staff-add LOGIN ROLE PASSWORD_FILE": a support
 * agent's, officer's, auditor's or observer's account for the consoles, never under a
 * guessable login (staff.h). The TOTP key is printed once, for the person's
 * authenticator app, and kept only sealed. "votectl staff-unlock --reason TEXT
 * LOGIN": lift the second factor's lock after too many wrong codes.
 * "votectl staff-password --reason TEXT LOGIN PASSWORD_FILE": a new password
 * for a staff member who forgot it (the session ends, the second factor's
 * lock and count are cleared). */
#include "votectl.h"

#include <stdio.h>
#include <string.h>
#include "access/staff.h"

/* The first line of a file, without its newline; -1 if unreadable or empty. */
static int read_password(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    int ok = f != NULL && fgets(out, (int)len, f) != NULL;

    if (f != NULL)
        fclose(f);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] != '\0' ? 0 : -1;
}

/* Why the policy refused a password. */
static const char *password_refusal(int code)
{
    return code == ACCESS_E_PASSWORD_PATTERN
           ? "the password is made of repetitions, sequences or a keyboard walk"
           : code == ACCESS_E_PASSWORD_IDENTIFIER
           ? "the password is built on the login or the issuer's name"
           : "the password does not meet the policy (12 characters or more, not common "
             "nor easy to guess)";
}

int cmd_staff_add(votectl *v, int argc, char **argv)
{
    char password[ACCESS_PASSWORD_MAX + 2];
    staff_enrolment e;
    access_result r;
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "", 3,
                             "expects LOGIN, ROLE (support, officer, auditor or observer), PASSWORD_FILE");

    if (rc != 0)
        return rc;
    if (read_password(o.pos[2], password, sizeof password) != 0) {
        fprintf(stderr, "votectl staff-add: cannot read a password from %s\n", o.pos[2]);
        votectl_close(v);
        return EXIT_INPUT;
    }
    rc = staff_add(&v->srv.access, o.pos[0], o.pos[1], password, "votesrv", &e, &r);
    sodium_memzero(password, sizeof password);
    if (rc == ACCESS_OK) {
        printf("account %s (%s) created.\nTOTP key (shown once): %s\nenrolment URI: %s\n",
               o.pos[0], o.pos[1], e.secret, e.uri);
    } else if (rc == ACCESS_REFUSED || rc == STORE_ECONFLICT) {
        fprintf(stderr, "votectl staff-add: refused: %s\n",
                rc == STORE_ECONFLICT ? "this login exists"
                : r.code == ACCESS_E_STAFF_ACCOUNT && staff_login_guessable(o.pos[0])
                ? "the login is guessable (a role or generic word such as bureau, president, "
                  "admin, support, officer, root, alone or with digits): use a personal login "
                  "such as c.martin"
                : r.code == ACCESS_E_STAFF_ACCOUNT
                ? "the login is 2-64 characters a-z 0-9 . _ - and the role support, officer, "
                  "auditor or observer"
                : password_refusal(r.code));
        rc = EXIT_REFUSED;
    } else {
        rc = EXIT_STORE;
    }
    sodium_memzero(&e, sizeof e);
    votectl_close(v);
    return rc;
}

int cmd_staff_unlock(votectl *v, int argc, char **argv)
{
    access_result r;
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "r", 1, "expects --reason TEXT LOGIN");

    if (rc != 0)
        return rc;
    rc = staff_factor_unlock(&v->srv.access, o.pos[0], v->ctx.actor, o.reason, &r);
    if (rc == ACCESS_OK) {
        printf("second factor of %s unlocked.\n", o.pos[0]);
    } else if (rc == ACCESS_REFUSED || rc == STORE_ENOTFOUND) {
        fprintf(stderr, "votectl staff-unlock: refused: %s\n",
                rc == STORE_ENOTFOUND ? "no such login" : "give the reason (--reason TEXT)");
        rc = EXIT_REFUSED;
    } else {
        rc = EXIT_STORE;
    }
    votectl_close(v);
    return rc;
}

int cmd_staff_password(votectl *v, int argc, char **argv)
{
    char password[ACCESS_PASSWORD_MAX + 2];
    access_result r;
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "r", 2, "expects --reason TEXT LOGIN PASSWORD_FILE");

    if (rc != 0)
        return rc;
    if (read_password(o.pos[1], password, sizeof password) != 0) {
        fprintf(stderr, "votectl staff-password: cannot read a password from %s\n", o.pos[1]);
        votectl_close(v);
        return EXIT_INPUT;
    }
    rc = staff_password_reset(&v->srv.access, o.pos[0], password, "votesrv", v->ctx.actor,
                              o.reason, &r);
    sodium_memzero(password, sizeof password);
    if (rc == ACCESS_OK) {
        printf("password of %s replaced; its session ended and its second factor unlocked.\n",
               o.pos[0]);
    } else if (rc == ACCESS_REFUSED || rc == STORE_ENOTFOUND) {
        fprintf(stderr, "votectl staff-password: refused: %s\n",
                rc == STORE_ENOTFOUND ? "no such login"
                : r.code == ACCESS_E_REASON ? "give the reason (--reason TEXT)"
                : password_refusal(r.code));
        rc = EXIT_REFUSED;
    } else {
        rc = EXIT_STORE;
    }
    votectl_close(v);
    return rc;
}

int votectl_demo_staff(votectl *v, const char *path)
{
    static const char *const accounts[][2] = {
        { "c.lemoine", STAFF_ROLE_SUPPORT }, { "a.roux", STAFF_ROLE_OFFICER },
        { "p.garnier", STAFF_ROLE_AUDITOR },
    };
    char password[SECRET_TOKEN_CHARS + 1];
    staff_enrolment e;
    access_result r;
    FILE *f = fopen(path, "wx");
    int rc = 0;

    if (f == NULL) {
        fprintf(stderr, "votectl demo: cannot create %s\n", path);
        return EXIT_INPUT;
    }
    fprintf(f, "# demo console accounts (/gestion): login role password TOTP-key\n");
    for (size_t i = 0; rc == 0 && i < sizeof accounts / sizeof accounts[0]; i++) {
        secret_token_new(password);
        rc = staff_add(&v->srv.access, accounts[i][0], accounts[i][1], password, "votesrv-demo",
                       &e, &r) == ACCESS_OK ? 0 : EXIT_STORE;
        if (rc == 0)
            fprintf(f, "%s %s %s %s\n", accounts[i][0], accounts[i][1], password, e.secret);
    }
    sodium_memzero(password, sizeof password);
    sodium_memzero(&e, sizeof e);
    if (fclose(f) != 0 && rc == 0)
        rc = EXIT_STORE;
    return rc;
}
