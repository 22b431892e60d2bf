/* config.c - the configuration file and the server keys file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "crypto/hex.h"

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

/* dir of `base` + rel, unless rel is absolute. */
static int resolve(char out[CONFIG_PATH_CHARS], const char *base, const char *rel)
{
    const char *slash = strrchr(base, '/');
    int n;

    if (rel[0] == '/' || slash == NULL)
        n = snprintf(out, CONFIG_PATH_CHARS, "%s", rel);
    else
        n = snprintf(out, CONFIG_PATH_CHARS, "%.*s/%s", (int)(slash - base), base, rel);
    return n > 0 && n < CONFIG_PATH_CHARS ? 0 : -1;
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

int config_load(config *c, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *listen = NULL,
           *store = NULL, *limits = NULL, *log = NULL;
    const char *addr = "127.0.0.1", *reg = NULL, *box = NULL, *keys = NULL, *level = "info";
    int port = 8080;
    unsigned body = 65536;
    int rc = -1;

    memset(c, 0, sizeof *c);
    c->max_connections = 1024;
    c->per_ip_connections = 64;
    c->connection_timeout_s = 30;
    if (root == NULL) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    if (json_unpack_ex(root, &je, JSON_STRICT, "{s?o,s:o,s:s,s?o,s?o}", "listen", &listen,
                       "store", &store, "keys", &keys, "limits", &limits, "log", &log) != 0 ||
        (listen && json_unpack_ex(listen, &je, JSON_STRICT, "{s?s,s?i}", "address", &addr,
                                  "port", &port) != 0) ||
        json_unpack_ex(store, &je, JSON_STRICT, "{s:s,s:s}", "registry", &reg,
                       "ballot_box", &box) != 0 ||
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
                   json_object_size(limits) > 5)) {
        fail(err, errlen, path, "limits: max_body_bytes (1024-16777216), max_connections, "
             "per_ip_connections, connection_timeout_s (1-3600), threads (0-256)");
        goto out;
    }
    if (port < 0 || port > 65535 || strlen(addr) >= sizeof c->listen_address ||
        (strcmp(level, "info") != 0 && strcmp(level, "debug") != 0)) {
        fail(err, errlen, path, "listen.port must be 0-65535, listen.address an IP address, "
             "log.level info or debug");
        goto out;
    }
    strcpy(c->listen_address, addr);
    c->port = port;
    c->max_body_bytes = body;
    c->log_debug = strcmp(level, "debug") == 0;
    if (resolve(c->registry, path, reg) != 0 || resolve(c->ballot_box, path, box) != 0 ||
        resolve(c->keys, path, keys) != 0) {
        fail(err, errlen, path, "a path is too long");
        goto out;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
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
