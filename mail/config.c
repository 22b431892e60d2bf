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

/* "transport": "file": a folder in place of the relay. */
static int parse_file(mail_config *mc, json_t *m, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    const char *transport, *folder, *from = NULL;
    int demo = 0;

    if (json_unpack_ex(m, &je, JSON_STRICT, "{s:s,s:s,s?s,s?b}", "transport", &transport,
                       "folder", &folder, "from", &from, "demo_mailbox", &demo) != 0 ||
        (from != NULL && strlen(from) >= sizeof mc->from) || folder[0] == '\0')
        return fail(err, errlen, path, "mail: with \"transport\": \"file\", a folder and "
                    "optional from and demo_mailbox (no relay, starttls, ca_file, username, "
                    "password_file or timeout_s)");
    if (mail_path_resolve(mc->folder, path, folder) != 0)
        return fail(err, errlen, path, "mail.folder: path too long");
    if (from != NULL)
        strcpy(mc->from, from);
    mc->transport = MAIL_TRANSPORT_FILE;
    mc->demo_mailbox = demo;
    mc->timeout_s = 30;
    return 0;
}

int mail_config_parse(mail_config *mc, json_t *m, const char *path, char *err, size_t errlen)
{
    return mail_config_parse_with(mc, m, path, 1, err, errlen);
}

int mail_config_parse_with(mail_config *mc, json_t *m, const char *path, int read_password,
                           char *err, size_t errlen)
{
    json_error_t je;
    const char *relay, *from, *ca = NULL, *user = NULL, *pwfile = NULL, *transport = NULL;
    int starttls = 1, timeout = 30;

    if (json_is_object(m) && json_object_get(m, "transport") != NULL) {
        transport = json_string_value(json_object_get(m, "transport"));
        if (transport != NULL && strcmp(transport, "file") == 0)
            return parse_file(mc, m, path, err, errlen);
        if (transport == NULL || strcmp(transport, "smtp") != 0)
            return fail(err, errlen, path, "mail.transport: \"smtp\" (the default) or \"file\"");
    }
    if (json_is_object(m) && json_object_get(m, "demo_mailbox") != NULL)
        return fail(err, errlen, path, "mail.demo_mailbox: the demo's mailbox page shows the "
                    "messages of the file transport only, never with an SMTP relay");
    if (json_unpack_ex(m, &je, JSON_STRICT, "{s:s,s:s,s?b,s?s,s?s,s?s,s?i,s?s}", "relay", &relay,
                       "from", &from, "starttls", &starttls, "ca_file", &ca, "username", &user,
                       "password_file", &pwfile, "timeout_s", &timeout, "transport",
                       &transport) != 0 ||
        timeout < 1 || timeout > 600 || strlen(relay) >= sizeof mc->relay ||
        strlen(from) >= sizeof mc->from ||
        (strncmp(relay, "smtp://", 7) != 0 && strncmp(relay, "smtps://", 8) != 0) ||
        (user != NULL && strlen(user) >= sizeof mc->username))
        return fail(err, errlen, path, "mail: relay (smtp:// or smtps://), from, and optional "
                    "starttls, ca_file, username, password_file, timeout_s (1-600); or "
                    "\"transport\": \"file\" and a folder");
    strcpy(mc->relay, relay);
    strcpy(mc->from, from);
    mc->starttls = starttls;
    mc->timeout_s = (unsigned)timeout;
    if (user != NULL)
        strcpy(mc->username, user);
    if (ca != NULL && mail_path_resolve(mc->ca_file, path, ca) != 0)
        return fail(err, errlen, path, "mail.ca_file: path too long");
    if (pwfile != NULL && read_password) {
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
