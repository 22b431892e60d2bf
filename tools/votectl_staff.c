/* votectl_staff.c - "votectl staff-add LOGIN ROLE PASSWORD_FILE": a support
 * agent's, officer's or auditor's account for the consoles. The TOTP key is
 * printed once, for the person's authenticator app, and kept only sealed. */
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

int cmd_staff_add(votectl *v, int argc, char **argv)
{
    char password[ACCESS_PASSWORD_MAX + 2];
    staff_enrolment e;
    access_result r;
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "", 3,
                             "expects LOGIN, ROLE (support, officer or auditor), PASSWORD_FILE");

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
                : r.code == ACCESS_E_STAFF_ACCOUNT
                ? "the login is 2-64 characters a-z 0-9 . _ - and the role support, officer "
                  "or auditor"
                : "the password does not meet the policy (12 characters or more, not common, "
                  "not the login)");
        rc = EXIT_REFUSED;
    } else {
        rc = EXIT_STORE;
    }
    sodium_memzero(&e, sizeof e);
    votectl_close(v);
    return rc;
}
