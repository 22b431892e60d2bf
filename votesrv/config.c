/* config.c - the configuration file and the server keys file. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "access/access.h"
#include "crypto/hex.h"
#include "portal/theme.h"
#include "log.h"

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

/* dir of `base` + rel, unless rel is absolute. */
static int resolve(char out[CONFIG_PATH_CHARS], const char *base, const char *rel)
{
    return mail_path_resolve(out, base, rel);
}

static int get_uint(json_t *obj, const char *key, unsigned min, unsigned max, unsigned *out)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return -1;
    *out = (unsigned)json_integer_value(v);
    return 0;
}

/* The optional "mail" object: the SMTP relay. */
static int load_mail(config *c, json_t *m, const char *path, int secrets, char *err,
                     size_t errlen)
{
    if (mail_config_parse_with(&c->mail, m, path, secrets, err, errlen) != 0)
        return -1;
    c->mail_relay = 1;
    return 0;
}

/* Portal address, templates, password lists, link lifetime. */
static int load_access(config *c, json_t *root, const char *path, char *err, size_t errlen)
{
    json_t *lists = json_object_get(root, "common_passwords"), *v;
    json_t *portal = json_object_get(root, "portal_url"), *ttl = json_object_get(root,
                                                                                "link_ttl_hours");
    json_t *reissues = json_object_get(root, "code_reissues_per_day");
    json_t *batch = json_object_get(root, "board_batch_seconds");
    const char *tmpl = json_string_value(json_object_get(root, "templates"));
    const char *assets = json_string_value(json_object_get(root, "assets"));
    const char *docs = json_string_value(json_object_get(root, "documents"));
    static const char *const default_lists[] = { "common-passwords.txt",
                                                 "common-passwords-fr.txt" };
    size_t i;

    if (portal != NULL && (!json_is_string(portal) ||
                           json_string_length(portal) >= sizeof c->mail.portal_url))
        return fail(err, errlen, path, "portal_url must be the portal's address");
    if (portal != NULL)
        strcpy(c->mail.portal_url, json_string_value(portal));
    else
        snprintf(c->mail.portal_url, sizeof c->mail.portal_url, "http://%s:%d",
                 c->listen_address, c->port);
    if (resolve(c->mail.templates, path, tmpl != NULL ? tmpl : "mail") != 0)
        return fail(err, errlen, path, "templates: path too long");
    if (resolve(c->assets, path, assets != NULL ? assets : "portal") != 0)
        return fail(err, errlen, path, "assets: path too long");
    if (resolve(c->documents, path, docs != NULL ? docs : "documents") != 0)
        return fail(err, errlen, path, "documents: path too long");
    if (ttl != NULL && (!json_is_integer(ttl) || json_integer_value(ttl) < 1 ||
                        json_integer_value(ttl) > 720))
        return fail(err, errlen, path, "link_ttl_hours must be 1-720");
    c->link_ttl = ttl != NULL ? (int64_t)json_integer_value(ttl) * 3600 : 72 * 3600;
    if (reissues != NULL && (!json_is_integer(reissues) || json_integer_value(reissues) < 0 ||
                             json_integer_value(reissues) > 100))
        return fail(err, errlen, path, "code_reissues_per_day must be 0-100");
    c->reissues_per_day = reissues != NULL ? (int)json_integer_value(reissues) : 3;
    if (batch != NULL && (!json_is_integer(batch) || json_integer_value(batch) < 1 ||
                          json_integer_value(batch) > 86400))
        return fail(err, errlen, path, "board_batch_seconds must be 1-86400");
    c->board_batch_seconds = batch != NULL ? (int64_t)json_integer_value(batch) : 600;
    if (lists == NULL) {
        for (i = 0; i < 2; i++)
            if (resolve(c->common_passwords[i], path, default_lists[i]) != 0)
                return fail(err, errlen, path, "path too long");
        c->ncommon = 2;
        return 0;
    }
    if (!json_is_array(lists) || json_array_size(lists) > CONFIG_LISTS)
        return fail(err, errlen, path, "common_passwords must list at most 4 files");
    json_array_foreach(lists, i, v)
        if (!json_is_string(v) || resolve(c->common_passwords[i], path, json_string_value(v)) != 0)
            return fail(err, errlen, path, "common_passwords: file paths");
    c->ncommon = json_array_size(lists);
    return 0;
}

int config_net_parse(config_net *n, const char *text)
{
    char addr[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
    unsigned max;
    char *end;

    memset(n, 0, sizeof *n);
    if (alen == 0 || alen >= sizeof addr)
        return -1;
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    if (inet_pton(AF_INET, addr, n->addr) == 1)
        n->family = AF_INET;
    else if (inet_pton(AF_INET6, addr, n->addr) == 1)
        n->family = AF_INET6;
    else
        return -1;
    max = n->family == AF_INET ? 32 : 128;
    n->bits = max;
    if (slash != NULL) {
        unsigned long b;

        if (slash[1] < '0' || slash[1] > '9')
            return -1;
        errno = 0;
        b = strtoul(slash + 1, &end, 10);
        if (errno != 0 || *end != '\0' || b > max)
            return -1;
        n->bits = (unsigned)b;
    }
    for (unsigned i = n->bits; i < max; i++)      /* "10.1.2.3/8" is a typing error */
        if (n->addr[i / 8] & (0x80u >> (i % 8)))
            return -1;
    return 0;
}

int config_net_contains(const config_net *n, int family, const uint8_t *addr)
{
    if (family != n->family)
        return 0;
    for (unsigned i = 0; i < n->bits; i++)
        if ((n->addr[i / 8] ^ addr[i / 8]) & (0x80u >> (i % 8)))
            return 0;
    return 1;
}

int config_proxy_trusted(const config *c, const struct sockaddr *sa)
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    const uint8_t *a;
    int family;

    if (sa == NULL)
        return 0;
    if (sa->sa_family == AF_INET) {
        family = AF_INET;
        a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    } else if (sa->sa_family == AF_INET6) {
        family = AF_INET6;
        a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (memcmp(a, mapped, sizeof mapped) == 0) {
            family = AF_INET;
            a += 12;
        }
    } else {
        return 0;
    }
    for (size_t i = 0; i < c->nproxies; i++)
        if (config_net_contains(&c->proxies[i], family, a))
            return 1;
    return 0;
}

/* Whether a network holds a loopback address: 127.0.0.1, ::1 or
 * ::ffff:127.0.0.1 (a network holding any of 127/8 holds 127.0.0.1 unless it
 * is inside 127/8, which is all loopback). */
static int net_holds_loopback(const config_net *n)
{
    static const uint8_t v4[16] = { 127, 0, 0, 1 };
    static const uint8_t v6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };

    if (n->family == AF_INET)
        return n->addr[0] == 127 || config_net_contains(n, AF_INET, v4);
    return config_net_contains(n, AF_INET6, v6) || config_net_contains(n, AF_INET6, mapped) ||
           (n->bits >= 104 && memcmp(n->addr, mapped, 13) == 0);
}

/* listen.unix: {"path": absolute, "mode": "0660" (octal text; never writable
 * by others), "group": a group name}. */
static int load_unix(config *c, json_t *u, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    const char *sock = NULL, *mode = "0660", *group = "";
    char *end;
    unsigned long m;

    c->unix_mode = 0660;
    if (u == NULL)
        return 0;
    if (json_unpack_ex(u, &je, JSON_STRICT, "{s:s,s?s,s?s}", "path", &sock, "mode", &mode,
                       "group", &group) != 0 ||
        sock[0] != '/' || strlen(sock) >= sizeof c->unix_path ||
        strlen(group) >= sizeof c->unix_group)
        return fail(err, errlen, path, "listen.unix: {\"path\": an absolute path of at most "
                    "107 bytes, \"mode\": \"0660\", \"group\": a group name}");
    errno = 0;
    m = strtoul(mode, &end, 8);
    if (mode[0] < '0' || mode[0] > '7' || *end != '\0' || errno != 0 || m > 0777 ||
        (m & 0002) != 0 || (m & 0600) != 0600)
        return fail(err, errlen, path, "listen.unix.mode: octal, such as \"0660\", readable "
                    "and writable by its owner and never writable by other accounts");
    strcpy(c->unix_path, sock);
    c->unix_mode = (unsigned)m;
    strcpy(c->unix_group, group);
    return 0;
}

/* "trusted_proxies": addresses or networks; "internal_listen": where
 * /metrics and /healthz are served. */
static int load_proxies(config *c, json_t *proxies, json_t *internal, const char *path,
                        char *err, size_t errlen)
{
    json_error_t je;
    const char *addr = "127.0.0.1";
    int port = 8081;
    struct in_addr a4;
    size_t i;
    json_t *v;

    if (proxies != NULL && (!json_is_array(proxies) ||
                            json_array_size(proxies) > CONFIG_PROXIES))
        return fail(err, errlen, path, "trusted_proxies must list at most 16 addresses or "
                    "networks");
    json_array_foreach(proxies, i, v) {
        if (!json_is_string(v) || config_net_parse(&c->proxies[i], json_string_value(v)) != 0)
            return fail(err, errlen, path, "trusted_proxies: each an IPv4 or IPv6 address, "
                        "or a network (\"10.0.0.0/8\")");
        if (net_holds_loopback(&c->proxies[i]))
            return fail(err, errlen, path, "trusted_proxies must not name a loopback address "
                        "(any local account could connect from it and name any client): "
                        "a proxy on this host reaches votesrv on listen.unix");
    }
    c->nproxies = proxies != NULL ? json_array_size(proxies) : 0;
    if (c->unix_path[0] != '\0' && c->nproxies > 0)
        return fail(err, errlen, path, "with listen.unix, no TCP peer is trusted: leave "
                    "trusted_proxies empty");
    if (c->proxy_v2 && c->nproxies == 0 && c->unix_path[0] == '\0')
        return fail(err, errlen, path, "proxy_protocol_v2 needs trusted_proxies or listen.unix");
    if (internal != NULL &&
        json_unpack_ex(internal, &je, JSON_STRICT, "{s?s,s?i}", "address", &addr,
                       "port", &port) != 0)
        return fail(err, errlen, path, "internal_listen: {\"address\", \"port\"}");
    if (port < 0 || port > 65535 || strlen(addr) >= sizeof c->internal_address ||
        inet_pton(AF_INET, addr, &a4) != 1)
        return fail(err, errlen, path, "internal_listen: an IPv4 address and a port (0-65535)");
    strcpy(c->internal_address, addr);
    c->internal_port = port;
    if (strcmp(c->internal_address, c->listen_address) == 0 && c->internal_port == c->port &&
        c->port != 0)
        return fail(err, errlen, path, "internal_listen must not be the public listen address");
    return 0;
}

/* Whether file's folder is folder or lies under it (real paths; a folder
 * that does not exist holds nothing). */
static int folder_holds(const char *folder, const char *file)
{
    char real[PATH_MAX], dir[CONFIG_PATH_CHARS], real_dir[PATH_MAX];
    const char *slash = strrchr(file, '/');
    size_t n;

    if (file[0] == '\0' || realpath(folder, real) == NULL)
        return 0;
    snprintf(dir, sizeof dir, "%.*s", slash == NULL ? 1 : slash == file ? 1 : (int)(slash - file),
             slash == NULL ? "." : file);
    if (realpath(dir, real_dir) == NULL)
        return 0;
    n = strlen(real);
    return strncmp(real_dir, real, n) == 0 &&
           (real_dir[n] == '\0' || real_dir[n] == '/' || (n == 1 && real[0] == '/'));
}

/* The documents folder is served to the public: it must hold neither the
 * keys, nor the SQLite stores, nor this configuration (its SMTP settings). */
static int documents_apart(const config *c, const char *path, char *err, size_t errlen)
{
    const char *const files[] = { c->keys, c->registry, c->ballot_box, path };

    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (folder_holds(c->documents, files[i]))
            return fail(err, errlen, path, "documents: the public documents' folder must not "
                        "hold the keys, the stores or the configuration (give it its own "
                        "folder, by default \"documents\" beside the configuration)");
    return 0;
}

/* One text of personal_data or defi_questions: 1 to 200 bytes, no control
 * character. */
static int pd_text(char out[CONFIG_TEXT_CHARS], json_t *pd, const char *key)
{
    const char *v = json_string_value(json_object_get(pd, key));
    size_t n = v != NULL ? strlen(v) : 0;

    if (n == 0 || n >= CONFIG_TEXT_CHARS)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return -1;
    memcpy(out, v, n + 1);
    return 0;
}

/* personal_data: {controller, dpo, dpo_contact}, all three or none; the
 * contact an e-mail address or an https address. */
static int load_personal_data(config *c, json_t *pd, const char *path, char *err, size_t errlen)
{
    const char *ct;

    if (pd == NULL)
        return 0;
    if (!json_is_object(pd) || json_object_size(pd) != 3 ||
        pd_text(c->pd_controller, pd, "controller") != 0 ||
        pd_text(c->pd_dpo, pd, "dpo") != 0 ||
        pd_text(c->pd_dpo_contact, pd, "dpo_contact") != 0 ||
        ((ct = c->pd_dpo_contact, strncmp(ct, "https://", 8) != 0) &&
         (strchr(ct, '@') == NULL || strchr(ct, '@') == ct || strchr(ct, ' ') != NULL ||
          strchr(strchr(ct, '@') + 1, '.') == NULL))) {
        c->pd_controller[0] = c->pd_dpo[0] = c->pd_dpo_contact[0] = '\0';
        return fail(err, errlen, path, "personal_data: \"controller\" and \"dpo\" (names, 1-200 "
                    "characters) and \"dpo_contact\" (the officer's e-mail address or https "
                    "page)");
    }
    return 0;
}

/* defi_questions: the défi menu, 2 to ACCESS_DEFI_MAX questions, each
 * {"id", "fr", "en"}: a distinct id 0-15 (stored with the accounts: keep an
 * id's meaning for the whole election) and the question in both languages
 * (1-200 bytes, no control character). Absent: the built-in menu. Applied
 * process-wide (access_defi_configure) once the file is accepted. */
static int load_defi(access_defi_entry *out, size_t *n, json_t *list, const char *path,
                     char *err, size_t errlen)
{
    size_t i;
    json_t *q;

    *n = 0;
    if (list == NULL)
        return 0;
    if (!json_is_array(list) || json_array_size(list) < 2 ||
        json_array_size(list) > ACCESS_DEFI_MAX)
        goto bad;
    json_array_foreach(list, i, q) {
        json_t *id = json_object_get(q, "id");

        if (!json_is_object(q) || json_object_size(q) != 3 || !json_is_integer(id) ||
            json_integer_value(id) < 0 || json_integer_value(id) >= ACCESS_DEFI_MAX ||
            pd_text(out[i].fr, q, "fr") != 0 || pd_text(out[i].en, q, "en") != 0)
            goto bad;
        out[i].id = (int)json_integer_value(id);
        for (size_t k = 0; k < i; k++)
            if (out[k].id == out[i].id)
                goto bad;
    }
    *n = json_array_size(list);
    return 0;
bad:
    return fail(err, errlen, path, "defi_questions: 2 to 16 questions, each {\"id\" (0-15, "
                "each once), \"fr\", \"en\" (the question, 1-200 characters)}");
}

/* The demo's mailbox page shows every voter's one-time links to whoever
 * opens it: only on a portal that listens on loopback alone (no proxy's
 * socket, no trusted proxy: nothing reaches it from another machine), so a
 * demo setting copied into a real configuration stops the daemon. */
static int demo_mailbox_local(const config *c, const char *path, char *err, size_t errlen)
{
    struct in_addr a4;

    if (!c->mail.demo_mailbox)
        return 0;
    if (c->unix_path[0] != '\0' || c->nproxies > 0 ||
        inet_pton(AF_INET, c->listen_address, &a4) != 1 || (ntohl(a4.s_addr) >> 24) != 127)
        return fail(err, errlen, path, "mail.demo_mailbox shows every voter's links to anyone "
                    "who can reach the portal: the demo only, with the portal listening on a "
                    "loopback address (127.0.0.0/8), no listen.unix and no trusted_proxies");
    return 0;
}

static int parse(config *c, const char *path, int secrets, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *listen = NULL,
           *store = NULL, *limits = NULL, *log = NULL, *mail = NULL, *lists = NULL, *ttl = NULL,
           *reissues = NULL, *authority = NULL, *batch = NULL, *proxies = NULL,
           *internal = NULL, *privsep = NULL, *unix_sock = NULL, *look = NULL, *pd = NULL,
           *defi = NULL;
    const char *theme = "neutral";
    const char *portal = NULL, *tmpl = NULL, *assets = NULL, *docs = NULL;
    const char *addr = "127.0.0.1", *reg = NULL, *box = NULL, *pg = NULL, *keys = NULL;
    const char *level = "info", *ps_user = "nobody", *signer_user = "",
               *writer_user = "", *ps_mode = "fork",
               *signer_sock = "/run/votesrv-signer/signer.sock",
               *worker_sock = "/run/votesrv/worker.sock";
    int port = 8080, ps_enabled = 1, writer_root = 0;
    unsigned body = 65536;
    int rc = -1;

    memset(c, 0, sizeof *c);
    c->max_connections = 1024;
    c->per_ip_connections = 64;
    c->connection_timeout_s = 30;
    c->failures_per_network = ACCESS_NETWORK_FAILURES;
    c->login_queue_ms = ACCESS_WAIT_BOUND_MS;
    if (root == NULL) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    if (json_unpack_ex(root, &je, JSON_STRICT,
                       "{s?o,s:o,s:s,s?o,s?o,s?o,s?s,s?s,s?s,s?s,s?o,s?o,s?o,s?o,s?o,"
                       "s?o,s?b,s?o,s?o,s?o,s?o,s?o}",
                       "listen", &listen, "store", &store, "keys", &keys, "limits", &limits,
                       "log", &log, "mail", &mail, "portal_url", &portal, "templates", &tmpl,
                       "assets", &assets, "documents", &docs,
                       "common_passwords", &lists, "link_ttl_hours", &ttl,
                       "code_reissues_per_day", &reissues,
                       "credential_authority_url", &authority,
                       "board_batch_seconds", &batch, "trusted_proxies", &proxies,
                       "proxy_protocol_v2", &c->proxy_v2, "internal_listen", &internal,
                       "privsep", &privsep, "portal", &look, "personal_data", &pd,
                       "defi_questions", &defi) != 0 ||
        (look && json_unpack_ex(look, &je, JSON_STRICT, "{s?s}", "theme", &theme) != 0) ||
        (privsep && json_unpack_ex(privsep, &je, JSON_STRICT, "{s?b,s?s,s?s,s?s,s?b,s?s,s?s,s?s}",
                                   "enabled", &ps_enabled, "user", &ps_user, "signer_user",
                                   &signer_user, "writer_user", &writer_user,
                                   "writer_stays_root", &writer_root, "mode", &ps_mode,
                                   "signer_socket", &signer_sock, "worker_socket",
                                   &worker_sock) != 0) ||
        (listen && json_unpack_ex(listen, &je, JSON_STRICT, "{s?s,s?i,s?o}", "address", &addr,
                                  "port", &port, "unix", &unix_sock) != 0) ||
        json_unpack_ex(store, &je, JSON_STRICT, "{s?s,s?s,s?s}", "registry", &reg,
                       "ballot_box", &box, "postgresql", &pg) != 0 ||
        (log && json_unpack_ex(log, &je, JSON_STRICT, "{s?s}", "level", &level) != 0)) {
        snprintf(err, errlen, "%s: %s", path, je.text);
        goto out;
    }
    if (limits && (get_uint(limits, "max_body_bytes", 1024, 16 << 20, &body) != 0 ||
                   get_uint(limits, "max_connections", 1, 100000, &c->max_connections) != 0 ||
                   get_uint(limits, "per_ip_connections", 1, 100000,
                            &c->per_ip_connections) != 0 ||
                   get_uint(limits, "connection_timeout_s", 1, 3600,
                            &c->connection_timeout_s) != 0 ||
                   get_uint(limits, "threads", 0, 256, &c->threads) != 0 ||
                   get_uint(limits, "failures_per_network", 1, 1000000,
                            &c->failures_per_network) != 0 ||
                   get_uint(limits, "login_queue_ms", 1, 60000, &c->login_queue_ms) != 0 ||
                   json_object_size(limits) > 7)) {
        fail(err, errlen, path, "limits: max_body_bytes (1024-16777216), max_connections, "
             "per_ip_connections, connection_timeout_s (1-3600), threads (0-256), "
             "failures_per_network (1-1000000), login_queue_ms (1-60000)");
        goto out;
    }
    if (authority != NULL &&
        (!json_is_string(authority) || json_string_length(authority) >= sizeof c->authority_url ||
         (strncmp(json_string_value(authority), "https://", 8) != 0 &&
          strncmp(json_string_value(authority), "http://", 7) != 0))) {
        fail(err, errlen, path, "credential_authority_url must be the http(s) address of the "
             "credential authority's service (votecad)");
        goto out;
    }
    if (authority != NULL)
        strcpy(c->authority_url, json_string_value(authority));
    if (port < 0 || port > 65535 || strlen(addr) >= sizeof c->listen_address ||
        !log_level_valid(level)) {
        fail(err, errlen, path, "listen.port must be 0-65535, listen.address an IP address, "
             "log.level debug, info, warn or error");
        goto out;
    }
    /* Either the two SQLite files or a PostgreSQL connection string. */
    if ((pg == NULL) != (reg != NULL && box != NULL) || (pg != NULL && (reg || box)) ||
        (pg != NULL && (strlen(pg) >= sizeof c->postgresql || pg[0] == '\0'))) {
        fail(err, errlen, path, "store: either \"registry\" and \"ballot_box\" (SQLite files) "
             "or \"postgresql\" (a libpq connection string, under 1024 characters)");
        goto out;
    }
    if (pg != NULL)
        strcpy(c->postgresql, pg);          /* never empty: checked above */
    if (strlen(ps_user) >= sizeof c->privsep_user ||
        strlen(signer_user) >= sizeof c->privsep_signer_user ||
        strlen(writer_user) >= sizeof c->privsep_writer_user) {
        fail(err, errlen, path, "privsep.user, privsep.signer_user, privsep.writer_user: a user "
             "name");
        goto out;
    }
    if (writer_root && writer_user[0] != '\0') {
        fail(err, errlen, path, "privsep.writer_user and privsep.writer_stays_root: one or the "
             "other");
        goto out;
    }
    if ((strcmp(ps_mode, "fork") != 0 && strcmp(ps_mode, "units") != 0) ||
        strlen(signer_sock) >= sizeof c->privsep_signer_socket || signer_sock[0] != '/' ||
        strlen(worker_sock) >= sizeof c->privsep_worker_socket || worker_sock[0] != '/') {
        fail(err, errlen, path, "privsep.mode must be \"fork\" or \"units\", "
             "privsep.signer_socket and privsep.worker_socket absolute paths under 108 bytes");
        goto out;
    }
    if (strcmp(ps_mode, "units") == 0 &&
        (!ps_enabled || writer_root || ps_user[0] == '\0' || signer_user[0] == '\0' ||
         writer_user[0] == '\0' || strcmp(ps_user, signer_user) == 0 ||
         strcmp(ps_user, writer_user) == 0 || strcmp(signer_user, writer_user) == 0)) {
        fail(err, errlen, path, "privsep.mode \"units\": privsep.user, signer_user and "
             "writer_user name three different users (each process checks the others' uid), "
             "privsep enabled, no writer_stays_root");
        goto out;
    }
    if ((c->portal_theme = portal_theme_find(theme)) < 0) {
        fail(err, errlen, path, "portal.theme must be \"neutral\" or \"dsfr\" (the State's design "
             "system, for State services only)");
        goto out;
    }
    c->privsep = ps_enabled;
    strcpy(c->privsep_user, ps_user);
    strcpy(c->privsep_signer_user, signer_user);
    strcpy(c->privsep_writer_user, writer_user);
    c->privsep_writer_root = writer_root;
    c->privsep_units = strcmp(ps_mode, "units") == 0;
    strcpy(c->privsep_signer_socket, signer_sock);
    strcpy(c->privsep_worker_socket, worker_sock);
    strcpy(c->listen_address, addr);
    c->port = port;
    c->max_body_bytes = body;
    snprintf(c->log_level, sizeof c->log_level, "%s", level);
    if ((pg == NULL && (resolve(c->registry, path, reg) != 0 ||
                        resolve(c->ballot_box, path, box) != 0)) ||
        resolve(c->keys, path, keys) != 0) {
        fail(err, errlen, path, "a path is too long");
        goto out;
    }
    if (load_unix(c, unix_sock, path, err, errlen) != 0 ||
        load_proxies(c, proxies, internal, path, err, errlen) != 0 ||
        load_access(c, root, path, err, errlen) != 0 ||
        documents_apart(c, path, err, errlen) != 0 ||
        load_personal_data(c, pd, path, err, errlen) != 0 ||
        load_defi(c->defi, &c->ndefi, defi, path, err, errlen) != 0 ||
        (mail != NULL && load_mail(c, mail, path, secrets, err, errlen) != 0) ||
        demo_mailbox_local(c, path, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int config_read(config *c, const char *path, char *err, size_t errlen)
{
    return parse(c, path, 0, err, errlen);
}

int config_load(config *c, const char *path, char *err, size_t errlen)
{
    if (parse(c, path, 1, err, errlen) != 0)
        return -1;
    return access_defi_configure(c->defi, c->ndefi);      /* checked by config_read: 0 */
}

int config_load_role(config *c, const char *path, int no_mail_password, char *err,
                     size_t errlen)
{
    if (!no_mail_password)
        return config_load(c, path, err, errlen);
    if (parse(c, path, 0, err, errlen) != 0)
        return -1;
    return access_defi_configure(c->defi, c->ndefi);
}

static int keys_create(server_keys *k, const char *path, char *err, size_t errlen)
{
    char sk[2 * AUDIT_SK_BYTES + 1], pep[2 * SECRET_PEPPER_BYTES + 1];
    int fd;
    FILE *f;

    crypto_sign_keypair(k->audit_pk, k->audit_sk);
    randombytes_buf(k->pepper, sizeof k->pepper);
    hex_encode(sk, k->audit_sk, AUDIT_SK_BYTES);
    hex_encode(pep, k->pepper, SECRET_PEPPER_BYTES);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return fail(err, errlen, path, strerror(errno));
    }
    fprintf(f, "{\n  \"audit_secret_key\": \"%s\",\n  \"pepper\": \"%s\"\n}\n", sk, pep);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(pep, sizeof pep);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        return fail(err, errlen, path, "cannot be written");
    }
    fclose(f);
    return 0;
}

int server_keys_load(server_keys *k, const char *path, int create, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root;
    const char *sk, *pep;
    int rc = -1;

    if (create && access(path, F_OK) != 0)
        return keys_create(k, path, err, errlen);
    root = json_load_file(path, 0, &je);
    if (root == NULL)
        return fail(err, errlen, path, je.text);
    if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s,s:s}", "audit_secret_key", &sk,
                       "pepper", &pep) != 0 ||
        hex_decode(k->audit_sk, AUDIT_SK_BYTES, sk) != 0 ||
        hex_decode(k->pepper, SECRET_PEPPER_BYTES, pep) != 0 ||
        crypto_sign_ed25519_sk_to_pk(k->audit_pk, k->audit_sk) != 0)
        fail(err, errlen, path, "must hold audit_secret_key (128 hex) and pepper (64 hex)");
    else
        rc = 0;
    json_decref(root);
    return rc;
}
