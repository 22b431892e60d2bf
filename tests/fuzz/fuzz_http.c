/* fuzz_http.c - the daemon as the network sees it: raw bytes on a TCP
 * connection to an in-process votesrv (libmicrohttpd, our routing, cookies,
 * headers, query strings, JSON and form bodies, every endpoint and page)
 * serving the demo election (votectl demo, in a temporary directory).
 *
 * So that inputs get past the doors, four placeholders in an input are
 * replaced before it is sent: $S a voter's session, $T a support agent's
 * console session, $C a CSRF cookie and $F its form token.
 *
 * The oracle, besides the sanitizers: the daemon answers (or closes) within
 * 10 s, and never with a 5xx of its own. */
#define _GNU_SOURCE             /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "access/access.h"
#include "access/staff.h"
#include "crypto/crypto.h"
#include "crypto/totp.h"
#include "tests/testutil.h"
#include "votesrv/endpoints.h"
#include "votesrv/log.h"
#include "votesrv/portal/portal.h"
#include "votesrv/server.h"

#define REQUEST_MAX (256 * 1024)
#define ANSWER_WAIT_MS 10000

static server srv;
static http_ctx ctx;
static http_server *http;
static int port;
static char *dir;
static char voter_session[ACCESS_TOKEN_CHARS + 1], agent_session[ACCESS_TOKEN_CHARS + 1];
static const char csrf_cookie[] = "fuzzCSRFcookie0123456789abcdefghijklmnopqrs";
static char csrf_form[PORTAL_CSRF_CHARS + 1];

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_http: %s\n", what);
    abort();
}

/* The demo's configuration, on a free port with two worker threads. */
static void make_election(char *cfg, size_t len)
{
    const char *bin = getenv("VOTESRV_BIN");
    char cmd[1024];
    json_t *j;

    dir = tu_tmpdir();
    snprintf(cmd, sizeof cmd, "\"%s/votectl\" demo \"%s/demo\" >/dev/null",
             bin != NULL ? bin : "build/rel/bin", dir);
    if (system(cmd) != 0)
        fail("votectl demo failed (set VOTESRV_BIN)");
    snprintf(cfg, len, "%s/demo/votesrv.json", dir);
    if ((j = json_load_file(cfg, 0, NULL)) == NULL)
        fail("no demo configuration");
    json_object_set_new(json_object_get(j, "listen"), "port", json_integer(0));
    json_object_set_new(json_object_get(j, "limits"), "threads", json_integer(2));
    json_object_set_new(json_object_get(j, "limits"), "connection_timeout_s", json_integer(2));
    json_object_set_new(j, "log", json_pack("{s:s}", "level", "error"));
    if (json_dump_file(j, cfg, 0) != 0)
        fail("cannot write the configuration");
    json_decref(j);
}

static int run_session(store_tx *tx, void *arg)
{
    (void)arg;
    return access_session_open_tx(tx, &srv.access, 1, (int64_t)time(NULL), voter_session);
}

/* The demo's support agent logs in with its password and TOTP key. */
static void staff_log_in(void)
{
    char path[600], line[512], login[64], role[32], password[128], key32[128], code[8];
    uint8_t key[32];
    staff_member who;
    access_result r;
    FILE *f;
    int found = 0;

    snprintf(path, sizeof path, "%s/demo/demo-staff.txt", dir);
    if ((f = fopen(path, "r")) == NULL)
        fail("no demo-staff.txt");
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = line[0] != '#' &&
                sscanf(line, "%63s %31s %127s %127s", login, role, password, key32) == 4 &&
                strcmp(role, "support") == 0;
    fclose(f);
    if (!found)
        fail("no support account in the demo");
    tu_base32_key(key, key32);
    tu_totp(code, key, (int64_t)time(NULL));
    if (staff_login(&srv.access, login, password, code, "192.0.2.1", (int64_t)time(NULL),
                    agent_session, &who, &r) != ACCESS_OK)
        fail("the support agent cannot log in");
}

static void stop(void)
{
    http_stop(http, 1);
    server_close(&srv);
    tu_rmdir(dir);
    free(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char cfg[600], err[CONFIG_ERR_CHARS];

    (void)argc;
    (void)argv;
    if (crypto_init() != 0)
        fail("crypto_init");
    make_election(cfg, sizeof cfg);
    if (server_open(&srv, cfg, 0, 0, err, sizeof err) != 0)
        fail(err);
    log_set_level(srv.cfg.log_level);
    server_http_ctx(&srv, &ctx);
    if ((http = http_start(&ctx, votesrv_routes, votesrv_nroutes, err, sizeof err)) == NULL)
        fail(err);
    port = http_port(http);
    if (store_write(srv.store, run_session, NULL) != STORE_OK)
        fail("no voter session");
    staff_log_in();
    portal_csrf_token(csrf_form, &ctx, csrf_cookie);
    atexit(stop);
    return 0;
}

static const char *placeholder(const uint8_t *p, size_t left)
{
    if (left < 2 || p[0] != '$')
        return NULL;
    switch (p[1]) {
    case 'S': return voter_session;
    case 'T': return agent_session;
    case 'C': return csrf_cookie;
    case 'F': return csrf_form;
    default: return NULL;
    }
}

/* in[0..size) with its placeholders replaced, appended to out at *n. */
static void expand_part(char *out, size_t *n, const uint8_t *in, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        const char *with = placeholder(in + i, size - i);

        if (with != NULL) {
            memcpy(out + *n, with, strlen(with));
            *n += strlen(with);
            i++;
        } else {
            out[(*n)++] = (char)in[i];
        }
    }
}

/* The input with its placeholders replaced, and a Content-Length header
 * grown by what the body grew (so that a seed's length stays right); its
 * length in *len. */
static char *expand(const uint8_t *data, size_t size, size_t *len)
{
    size_t head = size, n = 0, body_at;
    char *out = malloc(size * ACCESS_TOKEN_CHARS + 32), *cl;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i + 3 < size && head == size; i++)
        if (memcmp(data + i, "\r\n\r\n", 4) == 0)
            head = i + 4;
    expand_part(out, &n, data, head);
    out[n] = '\0';
    body_at = n;
    cl = strcasestr(out, "\r\nContent-Length: ");
    expand_part(out, &n, data + head, size - head);
    if (cl != NULL) {
        char *digits = cl + 18, *stop;
        unsigned long long v = strtoull(digits, &stop, 10);
        char fixed[24];
        int w;

        if (stop > digits && stop - digits < 20 && v == size - head) {
            w = snprintf(fixed, sizeof fixed, "%zu", n - body_at);
            memmove(digits + w, stop, n - (size_t)(stop - out));
            memcpy(digits, fixed, (size_t)w);
            n = n + (size_t)w - (size_t)(stop - digits);
        }
    }
    *len = n;
    return out;
}

/* The answer is whole: its head and Content-Length bytes of body (none for
 * HEAD, or without a length). libmicrohttpd keeps a connection open after
 * answering, even once the client closed its side, until the connection
 * timeout, so "until it closes" would wait that long. */
static int answer_complete(const char *buf, size_t got, int head_only)
{
    const char *end = NULL, *cl;
    size_t hlen;

    for (size_t i = 0; i + 3 < got && end == NULL; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            end = buf + i + 4;
    if (end == NULL)
        return 0;
    hlen = (size_t)(end - buf);
    if (head_only)
        return 1;
    for (cl = buf; cl < end; cl++)
        if (strncasecmp(cl, "\r\nContent-Length:", 17) == 0)
            return got >= hlen + strtoull(cl + 17, NULL, 10);
    return 1;           /* libmicrohttpd's own error pages: the head is enough */
}

/* Send the request, close our side, read the answer (its first bytes in
 * head) until it is whole or the daemon closes. */
static void exchange(const char *req, size_t len, char *head, size_t headlen)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0), head_only = len >= 5 && memcmp(req, "HEAD ", 5) == 0;
    static char answer[1 << 20];
    size_t got = 0;

    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        fail("cannot connect to the daemon");
    for (size_t sent = 0; sent < len;) {
        ssize_t w = send(fd, req + sent, len - sent, MSG_NOSIGNAL);

        if (w <= 0)
            break;          /* the daemon may close early (413, bad request line) */
        sent += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    while (!answer_complete(answer, got, head_only)) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t r;

        if (poll(&p, 1, ANSWER_WAIT_MS) != 1)
            fail("no answer within 10 s");
        if (got == sizeof answer || (r = recv(fd, answer + got, sizeof answer - got, 0)) <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    snprintf(head, headlen, "%.*s", (int)got, answer);
}

static int has_voter_session(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == '$' && data[i + 1] == 'S')
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char head[64], *req;
    size_t len;
    int64_t voter;
    access_result r;

    if (size > REQUEST_MAX)
        return 0;
    if (has_voter_session(data, size) &&
        access_session(&srv.access, voter_session, (int64_t)time(NULL), &voter, &r) != ACCESS_OK &&
        store_write(srv.store, run_session, NULL) != STORE_OK)
        fail("cannot renew the voter's session");
    if ((req = expand(data, size, &len)) == NULL)
        return 0;
    exchange(req, len, head, sizeof head);
    free(req);
    if (getenv("FUZZ_HTTP_VERBOSE") != NULL)
        fprintf(stderr, "fuzz_http: %.*s\n", (int)strcspn(head, "\r\n"), head);
    /* 5xx is a fault, but for libmicrohttpd's own protocol answers: 505 (an
     * HTTP version it does not speak) and 501 (a method it does not know);
     * votesrv's handlers never send those. */
    if (strncmp(head, "HTTP/1.", 7) == 0 && strlen(head) >= 12 && head[9] == '5' &&
        strncmp(head + 9, "505", 3) != 0 && strncmp(head + 9, "501", 3) != 0) {
        fprintf(stderr, "fuzz_http: the daemon answered %.12s\n", head);
        abort();
    }
    return 0;
}
