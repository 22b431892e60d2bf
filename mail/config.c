/* config.c - the "mail" object of a configuration file (the SMTP relay), read
 * the same way by votesrv and votecad. */
#include "mail_internal.h"

#include <stdio.h>
#include <string.h>

int mail_path_resolve(char out[MAIL_PATH_CHARS], const char *base, const char *rel)
{
    const char *slash = strrchr(base, '/');
    int n;

    if (rel[0] == '/' || slash == NULL)
        n = snprintf(out, MAIL_PATH_CHARS, "%s", rel);
    else
        n = snprintf(out, MAIL_PATH_CHARS, "%.*s/%s", (int)(slash - base), base, rel);
    return n > 0 && n < MAIL_PATH_CHARS ? 0 : -1;
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

int mail_config_parse(mail_config *mc, json_t *m, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    const char *relay, *from, *ca = NULL, *user = NULL, *pwfile = NULL;
    int starttls = 1, timeout = 30;

    if (json_unpack_ex(m, &je, JSON_STRICT, "{s:s,s:s,s?b,s?s,s?s,s?s,s?i}", "relay", &relay,
                       "from", &from, "starttls", &starttls, "ca_file", &ca, "username", &user,
                       "password_file", &pwfile, "timeout_s", &timeout) != 0 ||
        timeout < 1 || timeout > 600 || strlen(relay) >= sizeof mc->relay ||
        strlen(from) >= sizeof mc->from ||
        (strncmp(relay, "smtp://", 7) != 0 && strncmp(relay, "smtps://", 8) != 0) ||
        (user != NULL && strlen(user) >= sizeof mc->username))
        return fail(err, errlen, path, "mail: relay (smtp:// or smtps://), from, and optional "
                    "starttls, ca_file, username, password_file, timeout_s (1-600)");
    strcpy(mc->relay, relay);
    strcpy(mc->from, from);
    mc->starttls = starttls;
    mc->timeout_s = (unsigned)timeout;
    if (user != NULL)
        strcpy(mc->username, user);
    if (ca != NULL && mail_path_resolve(mc->ca_file, path, ca) != 0)
        return fail(err, errlen, path, "mail.ca_file: path too long");
    if (pwfile != NULL) {
        char pw[MAIL_PATH_CHARS];
        FILE *f;

        if (mail_path_resolve(pw, path, pwfile) != 0 || (f = fopen(pw, "r")) == NULL)
            return fail(err, errlen, path, "mail.password_file cannot be read");
        if (fgets(mc->password, sizeof mc->password, f) == NULL)
            mc->password[0] = '\0';
        mc->password[strcspn(mc->password, "\r\n")] = '\0';
        fclose(f);
    }
    return 0;
}
