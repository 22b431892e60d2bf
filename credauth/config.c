/* config.c - votecad's configuration file (conf/votecad.example.json). */
#include "credauth_internal.h"

#include <stdio.h>
#include <string.h>
#include "crypto/hex.h"

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

static int copy(char *out, size_t outlen, const char *in)
{
    if (strlen(in) >= outlen)
        return -1;
    strcpy(out, in);
    return 0;
}

int credauth_config_load(credauth_config *c, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *listen = NULL,
           *mail = NULL;
    const char *key, *store, *roster, *server_key, *name, *organiser = "", *email, *phone = "";
    const char *portal, *templates = "mail", *lang = "fr", *addr = "127.0.0.1";
    int port = 8090, max_reissues = 5, max_conn = 64, timeout = 30, rc = -1;

    memset(c, 0, sizeof *c);
    if (root == NULL) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    if (json_unpack_ex(root, &je, JSON_STRICT,
                       "{s?o,s:s,s:s,s:s,s:s,s:s,s?s,s:s,s?s,s:s,s?s,s?s,s?o,s?i,s?i,s?i}",
                       "listen", &listen, "key", &key, "store", &store, "roster", &roster,
                       "server_key", &server_key, "election_name", &name,
                       "organiser", &organiser, "support_email", &email,
                       "support_phone", &phone, "portal_url", &portal,
                       "templates", &templates, "lang", &lang, "mail", &mail,
                       "max_reissues_per_voter", &max_reissues,
                       "max_connections", &max_conn, "connection_timeout_s", &timeout) != 0 ||
        (listen != NULL && json_unpack_ex(listen, &je, JSON_STRICT, "{s?s,s?i}", "address",
                                          &addr, "port", &port) != 0)) {
        snprintf(err, errlen, "%s: %s", path, je.text);
        goto out;
    }
    if (port < 0 || port > 65535 || copy(c->listen_address, sizeof c->listen_address, addr)) {
        fail(err, errlen, path, "listen: address (IPv4) and port (0-65535)");
        goto out;
    }
    c->port = port;
    if (mail_path_resolve(c->key_file, path, key) != 0 ||
        mail_path_resolve(c->store_path, path, store) != 0 ||
        mail_path_resolve(c->roster, path, roster) != 0 ||
        mail_path_resolve(c->mail.templates, path, templates) != 0) {
        fail(err, errlen, path, "key, store, roster, templates: paths too long");
        goto out;
    }
    if (strlen(server_key) != 64 || hex_decode(c->server_pk, 32, server_key) != 0) {
        fail(err, errlen, path, "server_key must be the daemon's audit public key (64 lowercase "
             "hex digits)");
        goto out;
    }
    if (copy(c->election_name, sizeof c->election_name, name) ||
        copy(c->organiser, sizeof c->organiser, organiser) ||
        copy(c->support_email, sizeof c->support_email, email) ||
        copy(c->support_phone, sizeof c->support_phone, phone) ||
        copy(c->mail.portal_url, sizeof c->mail.portal_url, portal) ||
        (strcmp(lang, "fr") != 0 && strcmp(lang, "en") != 0)) {
        fail(err, errlen, path, "election_name, organiser, support_email, support_phone, "
             "portal_url: too long; lang: fr or en");
        goto out;
    }
    strcpy(c->lang, lang);
    if (max_reissues < 1 || max_reissues > 100 || max_conn < 1 || max_conn > 10000 ||
        timeout < 1 || timeout > 3600) {
        fail(err, errlen, path, "max_reissues_per_voter 1-100, max_connections 1-10000, "
             "connection_timeout_s 1-3600");
        goto out;
    }
    c->max_reissues_per_voter = (unsigned)max_reissues;
    c->max_connections = (unsigned)max_conn;
    c->connection_timeout_s = (unsigned)timeout;
    if (mail != NULL) {
        if (mail_config_parse(&c->mail, mail, path, err, errlen) != 0)
            goto out;
        c->mail_relay = 1;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}
