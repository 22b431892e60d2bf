/*
 * test_proxy.c - votesrv behind a real HAProxy (Debian's haproxy, run in the
 * foreground from conf/haproxy.cfg with loopback ports; killed however the
 * test ends).
 *
 * Clients are told apart by their source address: all of 127.0.0.0/8 is
 * loopback, so a client socket bound to 127.0.1.1 and one bound to 127.0.2.1
 * are two clients in two /24 networks, with nothing added to any namespace.
 * HAProxy reaches votesrv on its Unix socket (listen.unix, in the test's
 * folder); no TCP peer is trusted, so a local account that connects to the
 * public port from 127.0.0.1 names no client.
 *
 * - the PROXY v2 reader on good and bad headers (IPv4, IPv6, LOCAL, TLVs);
 * - password spraying: 100 wrong logins from one client through
 *   the proxy do not hold up a voter from another client through it;
 * - PROXY v2 from a peer that is not a proxy is refused, and on the proxy's
 *   Unix socket a malformed or missing header is refused;
 * - a local process on the public port, with a forged PROXY v2 header or
 *   X-Forwarded-For, is not believed; the socket file's mode, an old socket
 *   replaced, anything else at its path left alone (start refused); a
 *   loopback trusted proxy refused at configuration load;
 * - X-Forwarded-For mode: a forged header from a non-proxy peer is ignored;
 * - /metrics and /healthz only on the internal listener, and a link request
 *   for a registered address leaves the metrics as one for an unknown address;
 * - strict HTTP: framing tricks refused by votesrv directly (400, JSON) and by
 *   HAProxy in front (JSON error pages, never libmicrohttpd's HTML);
 * - the TLS front: clients speak TLS to HAProxy (OpenSSL, trusting only the
 *   test's throw-away CA), plain HTTP is only redirected (301) to https, HSTS,
 *   HTTP/2 by ALPN, a slow client cut by timeout http-request, the health
 *   check on votesrv's internal listener marking the server down and up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <jansson.h>
#include "access/altcha.h"
#include "crypto/secret.h"
#include "votesrv/http.h"
#include "votesrv/server.h"
#include "testutil.h"

#define VOTERS 40
#define NET_FAILURES 10
#define PASSWORD "un cheval de trait rouge"
#define GENUINE 1                /* voters with a password */
#define GENUINE2 2
#define GENUINE3 3
#define GENUINE4 4
#define SPRAYED0 10              /* sprayed accounts: 10 .. VOTERS-1, no password */

static struct {
    char bin[PATH_MAX], *dir, cfg[PATH_MAX + 32], sock[108];
    int daemon;
    int port, internal, front, plain;   /* votesrv's public and internal ports, HAProxy's */
    tu_haproxy h;                       /* https on front, http on plain */
    SSL_CTX *tls;                       /* trusts only h.cacert */
} E;

/* ---- raw HTTP from a chosen source address ---- */

#define VIA_UNIX (-1)            /* a "port": votesrv's Unix socket, as HAProxy */

static int unix_to(void)
{
    struct sockaddr_un to = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    memcpy(to.sun_path, E.sock, strlen(E.sock) + 1);
    if (s >= 0 && connect(s, (struct sockaddr *)&to, sizeof to) != 0) {
        close(s);
        return -1;
    }
    return s;
}

static int tcp_from(const char *src, int port)
{
    return port == VIA_UNIX ? unix_to() : tu_tcp_connect(src, "127.0.0.1", port);
}

/* A connection: TLS (HTTP/1.1 by ALPN, the certificate checked for
 * 127.0.0.1) to HAProxy's https port, plain elsewhere. */
typedef struct {
    int s;
    SSL *ssl;
} conn;

static int conn_open(conn *c, const char *src, int port)
{
    c->ssl = NULL;
    if ((c->s = tcp_from(src, port)) < 0)
        return -1;
    if (port != E.front || E.front == 0)
        return 0;
    if ((c->ssl = SSL_new(E.tls)) == NULL || SSL_set_fd(c->ssl, c->s) != 1 ||
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), "127.0.0.1") != 1 ||
        SSL_connect(c->ssl) != 1) {
        SSL_free(c->ssl);
        close(c->s);
        return -1;
    }
    /* from here, reads and writes never block (conn_recv's time-outs) */
    return fcntl(c->s, F_SETFL, fcntl(c->s, F_GETFL) | O_NONBLOCK);
}

/* Wait until the TLS connection can go on after err (SSL_ERROR_WANT_*), at
 * most ms milliseconds: 0, or -1. */
static int conn_wait(conn *c, int err, int ms)
{
    struct pollfd p = { .fd = c->s, .events = err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN };

    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        return -1;
    return poll(&p, 1, ms) == 1 ? 0 : -1;
}

static int conn_send(conn *c, const void *buf, size_t len)
{
    size_t n = 0, done = 0;

    if (c->ssl == NULL)
        return send(c->s, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
    while (done < len) {
        if (SSL_write_ex(c->ssl, (const char *)buf + done, len - done, &n) == 1)
            done += n;
        else if (conn_wait(c, SSL_get_error(c->ssl, 0), 20000) != 0)
            return -1;
    }
    return 0;
}

/* Up to len bytes within ms milliseconds: the count, 0 at the end, -1 on a
 * time-out or an error. */
static ssize_t conn_recv(conn *c, void *buf, size_t len, int ms)
{
    struct pollfd p = { .fd = c->s, .events = POLLIN };
    size_t n = 0;
    int err;

    if (c->ssl == NULL)
        return poll(&p, 1, ms) == 1 ? recv(c->s, buf, len, 0) : -1;
    for (;;) {          /* TLS records without data (tickets) come and go */
        if (SSL_read_ex(c->ssl, buf, len, &n) == 1)
            return (ssize_t)n;
        if ((err = SSL_get_error(c->ssl, 0)) == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (err == SSL_ERROR_SYSCALL || conn_wait(c, err, ms) != 0)
            return err == SSL_ERROR_SYSCALL ? 0 : -1;
    }
}

static void conn_close(conn *c)
{
    if (c->ssl != NULL) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->s);
}

/* Whether out (got bytes, NUL-terminated) holds a whole answer: its head and
 * the body its Content-Length announces. */
static int answer_whole(const char *out, size_t got)
{
    const char *end = strstr(out, "\r\n\r\n"), *cl;

    if (end == NULL || (cl = strcasestr(out, "\r\nContent-Length: ")) == NULL || cl > end)
        return 0;
    return (size_t)(end + 4 - out) + strtoul(cl + 18, NULL, 10) <= got;
}

/* Everything until the peer closes or a whole answer has come (a kept-alive
 * connection is not waited out), at most 20 s; the length, or -1. */
static long read_all(conn *c, char *out, size_t outlen)
{
    size_t got = 0;
    ssize_t n;

    out[0] = '\0';
    while (got + 1 < outlen && !answer_whole(out, got) &&
           (n = conn_recv(c, out + got, outlen - 1 - got, 20000)) > 0) {
        got += (size_t)n;
        out[got] = '\0';
    }
    out[got] = '\0';
    return (long)got;
}

/* Send prefix (plen bytes, may be NULL) then the request from src to port
 * (VIA_UNIX: on votesrv's Unix socket; E.front: over TLS);
 * the status of the answer, 0 when the connection was closed without one,
 * -1 if it could not connect. The answer in out. */
static int raw(const char *src, int port, const void *prefix, size_t plen, const char *req,
               size_t len, char *out, size_t outlen)
{
    conn c;
    int st = 0;

    out[0] = '\0';
    if (conn_open(&c, src, port) != 0)
        return -1;
    /* a refusal may come (and the connection close) before all is sent */
    if ((plen == 0 || conn_send(&c, prefix, plen) == 0) && conn_send(&c, req, len) != 0 &&
        c.ssl == NULL) {
        conn_close(&c);
        return 0;
    }
    read_all(&c, out, outlen);
    conn_close(&c);
    if (strncmp(out, "HTTP/1.", 7) == 0)
        st = atoi(out + 9);
    return st;
}

static int raw_text(const char *src, int port, const char *req, char *out, size_t outlen)
{
    return raw(src, port, NULL, 0, req, strlen(req), out, outlen);
}

/* The answer of the last http_get_election. */
static char get_answer[65536];

/* GET /api/v1/election, after prefix (plen bytes, may be NULL), as raw(). */
static int http_get_election(const char *src, int port, const void *prefix, size_t plen)
{
    static const char get[] = "GET /api/v1/election HTTP/1.1\r\nHost: vote.test\r\n"
                              "Connection: close\r\n\r\n";

    return raw(src, port, prefix, plen, get, strlen(get), get_answer, sizeof get_answer);
}

/* A login as voter i (b<i>@bench.example), with an extra header line or "". */
static int login(const char *src, int port, const void *prefix, size_t plen, int voter,
                 const char *password, const char *extra)
{
    char body[256], req[1024];
    static char out[65536];

    snprintf(body, sizeof body, "{\"identifier\":\"b%d@bench.example\",\"password\":\"%s\"}",
             voter, password);
    snprintf(req, sizeof req, "POST /api/v1/session HTTP/1.1\r\nHost: vote.test\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n%sConnection: close"
             "\r\n\r\n%s", strlen(body), extra, body);
    return raw(src, port, prefix, plen, req, strlen(req), out, sizeof out);
}

/* Wrong passwords on sprayed accounts from src until its network is refused
 * (429): how many were refused as wrong (401). */
static int spray(const char *src, int port, const void *prefix, size_t plen, int tries,
                 const char *extra)
{
    static int next;            /* each account gets few failures (no account delays) */
    int wrong = 0, refused = 0;

    for (int i = 0; i < tries; i++) {
        int st = login(src, port, prefix, plen, SPRAYED0 + next++ % (VOTERS - SPRAYED0),
                       "pas le bon mot de passe", extra);

        wrong += st == 401;
        refused += st == 429;
        assert_true(st == 401 || st == 429);
    }
    assert_true(refused > 0);           /* the network's window did close */
    return wrong;
}

/* A PROXY v2 header for a TCP client src:sport (IPv4) to 127.0.0.1. */
static size_t v2_header(uint8_t *out, const char *src, uint16_t sport)
{
    static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55,
                                     0x49, 0x54, 0x0a };

    memcpy(out, sig, 12);
    out[12] = 0x21;
    out[13] = 0x11;
    out[14] = 0;
    out[15] = 12;
    inet_pton(AF_INET, src, out + 16);
    inet_pton(AF_INET, "127.0.0.1", out + 20);
    out[24] = (uint8_t)(sport >> 8);
    out[25] = (uint8_t)sport;
    out[26] = 0x1f;
    out[27] = 0x90;
    return 28;
}

/* ---- the daemon and the proxy ---- */

/* votesrv with these proxy settings (proxies: a JSON array text; mode: the
 * Unix socket's listen.unix.mode, "" for the default, NULL for no socket).
 * The pid, or -1 if it did not start. */
static int per_ip = 64, max_conn = 1024, no_privsep;
static int daemon_try(const char *proxies, int v2, const char *mode)
{
    json_t *c, *u;
    char log[PATH_MAX + 32];
    int pid;

    assert_non_null(c = json_load_file(E.cfg, 0, NULL));
    json_object_del(json_object_get(c, "listen"), "unix");
    if (mode != NULL) {
        u = json_pack("{s:s}", "path", E.sock);
        if (mode[0] != '\0')
            json_object_set_new(u, "mode", json_string(mode));
        json_object_set_new(json_object_get(c, "listen"), "unix", u);
    }
    json_object_set_new(c, "trusted_proxies", json_loads(proxies, 0, NULL));
    json_object_set_new(c, "proxy_protocol_v2", json_boolean(v2));
    if (no_privsep)
        json_object_set_new(c, "privsep", json_pack("{s:b}", "enabled", 0));
    else        /* the demo's: started as root, the writer may stay root */
        json_object_set_new(c, "privsep", json_pack("{s:b}", "writer_stays_root", 1));
    json_object_set_new(c, "limits", json_pack("{s:i,s:i,s:i,s:i}", "threads", 2,
                                               "failures_per_network", NET_FAILURES,
                                               "per_ip_connections", per_ip,
                                               "max_connections", max_conn));
    assert_int_equal(json_dump_file(c, E.cfg, JSON_INDENT(1)), 0);
    json_decref(c);
    snprintf(log, sizeof log, "%s/votesrv.log", E.dir);
    if ((pid = tu_daemon_start(E.bin, E.cfg, log)) <= 0)
        return -1;
    E.port = atoi(strrchr(tu_base_url, ':') + 1);
    E.internal = atoi(strrchr(tu_internal_url, ':') + 1);
    return pid;
}

static void daemon_up(const char *proxies, int v2, const char *mode)
{
    assert_true((E.daemon = daemon_try(proxies, v2, mode)) > 0);
}

/* HAProxy in front (conf/haproxy.cfg), to votesrv's Unix socket, its health
 * check on votesrv's internal listener; tu_http goes through its https port. */
static int quick = TU_HAPROXY_QUICK_REQUEST | TU_HAPROXY_QUICK_CHECK;
static void haproxy_up(void)
{
    assert_int_equal(tu_haproxy_start(&E.h, E.sock, E.internal, quick), 0);
    E.front = E.h.port;
    E.plain = E.h.plain_port;
    snprintf(tu_base_url, sizeof tu_base_url, "%s", E.h.url);
}

/* Kill what a test started (also after a failed assertion). */
static int both_down(void **state)
{
    (void)state;
    tu_haproxy_stop(&E.h);
    E.front = E.plain = 0;
    if (E.daemon > 0) {
        kill(E.daemon, SIGTERM);
        waitpid(E.daemon, NULL, 0);
        E.daemon = 0;
    }
    return 0;
}

static int run_accounts(store_tx *tx, void *arg)
{
    const int with_pw[] = { GENUINE, GENUINE2, GENUINE3, GENUINE4 };
    char number[16];
    int64_t id;
    int struck, rc;

    for (size_t i = 0; i < sizeof with_pw / sizeof *with_pw; i++) {
        snprintf(number, sizeof number, "B%06d", with_pw[i]);
        if ((rc = store_voter_find(tx, number, &id, &struck)) != STORE_OK ||
            (rc = store_access_set_password(tx, id, arg)) != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

static int setup(void **state)
{
    server srv;
    char err[256], hash[SECRET_PWHASH_STR_BYTES];

    (void)state;
    memset(&E, 0, sizeof E);
    if (access("/usr/sbin/haproxy", X_OK) != 0) {
        fprintf(stderr, "test_proxy: /usr/sbin/haproxy is missing (scripts/install-deps "
                        "installs Debian's haproxy)\n");
        return -1;
    }
    if (tu_bin(E.bin) != 0)
        return -1;
    E.dir = tu_tmpdir();
    if (snprintf(E.sock, sizeof E.sock, "%s/proxy.sock", E.dir) >= (int)sizeof E.sock)
        return -1;
    if (tu_election_generated(E.dir, E.bin, VOTERS, E.cfg, sizeof E.cfg) != 0 ||
        server_open(&srv, E.cfg, 0, 1, err, sizeof err) != 0)
        return -1;
    if (secret_pwhash(hash, PASSWORD, strlen(PASSWORD)) != 0 ||
        store_write(srv.store, run_accounts, hash) != STORE_OK)
        return -1;
    server_close(&srv);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);       /* TLS writes to a peer that has closed */
    /* the throw-away CA and server certificate; clients trust that CA only */
    if (tu_tls_make(&E.h, E.dir) != 0 || (E.tls = SSL_CTX_new(TLS_client_method())) == NULL ||
        SSL_CTX_load_verify_locations(E.tls, E.h.cacert, NULL) != 1 ||
        SSL_CTX_set_alpn_protos(E.tls, (const unsigned char *)"\x08http/1.1", 9) != 0)
        return -1;
    SSL_CTX_set_verify(E.tls, SSL_VERIFY_PEER, NULL);
    snprintf(tu_cacert, sizeof tu_cacert, "%s", E.h.cacert);
    return 0;
}

static int teardown(void **state)
{
    both_down(state);
    SSL_CTX_free(E.tls);
    curl_global_cleanup();
    tu_rmdir(E.dir);
    free(E.dir);
    return 0;
}

/* A file's text (free it), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = calloc(1, (size_t)n + 1)) != NULL && fread(text, 1, (size_t)n, f) != (size_t)n) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* E.cfg with these proxy settings, written to path (sock: listen.unix.path
 * or NULL, mode: its mode or NULL). */
static void config_write(const char *path, const char *proxies, int v2, const char *sock,
                         const char *mode)
{
    json_t *c;

    assert_non_null(c = json_load_file(E.cfg, 0, NULL));
    json_object_del(json_object_get(c, "listen"), "unix");
    if (sock != NULL) {
        json_t *u = json_pack("{s:s}", "path", sock);

        if (mode != NULL)
            json_object_set_new(u, "mode", json_string(mode));
        json_object_set_new(json_object_get(c, "listen"), "unix", u);
    }
    json_object_set_new(c, "trusted_proxies", json_loads(proxies, 0, NULL));
    json_object_set_new(c, "proxy_protocol_v2", json_boolean(v2));
    assert_int_equal(json_dump_file(c, path, JSON_INDENT(1)), 0);
    json_decref(c);
}

/* ---- the PROXY v2 reader ---- */

static void test_v2_reader(void **state)
{
    uint8_t h[PROXY_V2_HEAD + PROXY_V2_BODY_MAX + 8];
    proxy_v2_header out;
    char text[INET6_ADDRSTRLEN];
    size_t n;

    (void)state;
    n = v2_header(h, "192.0.2.7", 40000);                 /* TCP over IPv4 */
    assert_int_equal(proxy_v2_length(h), 28);
    assert_int_equal(proxy_v2_parse(h, n, &out), 0);
    assert_int_equal(out.local, 0);
    assert_int_equal(out.src.ss_family, AF_INET);
    inet_ntop(AF_INET, &((struct sockaddr_in *)&out.src)->sin_addr, text, sizeof text);
    assert_string_equal(text, "192.0.2.7");
    assert_int_equal(ntohs(((struct sockaddr_in *)&out.src)->sin_port), 40000);
    assert_int_equal(proxy_v2_parse(h, n - 1, &out), -1);          /* one byte short */
    assert_true(proxy_v2_signature_prefix(h, 5));
    assert_true(proxy_v2_signature_prefix(h, 12));
    assert_false(proxy_v2_signature_prefix((const uint8_t *)"GET / HTTP/1.1", 12));
    /* TCP over IPv6, with a TLV (PP2_TYPE_AUTHORITY) after the addresses */
    h[13] = 0x21;
    h[14] = 0;
    h[15] = 36 + 7;
    memset(h + 16, 0, 36);
    inet_pton(AF_INET6, "2001:db8::42", h + 16);
    h[48] = 0x01;
    h[49] = 0xbb;
    memcpy(h + 52, "\x02\x00\x04vote", 7);
    assert_int_equal(proxy_v2_length(h), 16 + 43);
    assert_int_equal(proxy_v2_parse(h, 16 + 43, &out), 0);
    assert_int_equal(out.src.ss_family, AF_INET6);
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&out.src)->sin6_addr, text, sizeof text);
    assert_string_equal(text, "2001:db8::42");
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&out.src)->sin6_port), 443);
    h[54] = 5;                                             /* a TLV longer than what is left */
    assert_int_equal(proxy_v2_parse(h, 16 + 43, &out), -1);
    h[54] = 4;
    h[15] = 36 + 2;                                        /* a TLV cut in its header */
    assert_int_equal(proxy_v2_parse(h, 16 + 38, &out), -1);
    h[15] = 35;                                            /* addresses cut short */
    assert_int_equal(proxy_v2_parse(h, 16 + 35, &out), -1);
    /* LOCAL: the proxy's own connection (health checks), any address block */
    n = v2_header(h, "192.0.2.7", 1);
    h[12] = 0x20;
    assert_int_equal(proxy_v2_parse(h, n, &out), 0);
    assert_int_equal(out.local, 1);
    h[13] = 0x00;
    h[15] = 0;
    assert_int_equal(proxy_v2_parse(h, 16, &out), 0);
    h[13] = 0x45;                                          /* no such family */
    assert_int_equal(proxy_v2_parse(h, 16, &out), -1);
    /* refused: a PROXY command without TCP addresses, other versions and
     * commands, a changed signature, a length past the bound */
    n = v2_header(h, "192.0.2.7", 1);
    h[13] = 0x00;
    assert_int_equal(proxy_v2_parse(h, n, &out), -1);      /* UNSPEC */
    h[13] = 0x12;
    assert_int_equal(proxy_v2_parse(h, n, &out), -1);      /* UDP */
    h[13] = 0x31;
    assert_int_equal(proxy_v2_parse(h, n, &out), -1);      /* a Unix socket */
    h[13] = 0x11;
    for (int b = 0; b < 256; b++) {
        h[12] = (uint8_t)b;
        assert_int_equal(proxy_v2_length(h) > 0, b == 0x20 || b == 0x21);
    }
    h[12] = 0x21;
    for (int i = 0; i < 12; i++) {
        h[i] ^= 0x40;
        assert_int_equal(proxy_v2_length(h), -1);
        assert_int_equal(proxy_v2_parse(h, n, &out), -1);
        h[i] ^= 0x40;
    }
    h[14] = (PROXY_V2_BODY_MAX + 1) >> 8;
    h[15] = (PROXY_V2_BODY_MAX + 1) & 0xff;
    assert_int_equal(proxy_v2_length(h), -1);
    h[14] = PROXY_V2_BODY_MAX >> 8;
    h[15] = PROXY_V2_BODY_MAX & 0xff;
    memset(h + 28, 0, PROXY_V2_BODY_MAX - 12);             /* TLVs of type 0, length 0 ... */
    assert_int_equal(proxy_v2_parse(h, PROXY_V2_HEAD + PROXY_V2_BODY_MAX, &out), -1);
    h[28 + 1] = (PROXY_V2_BODY_MAX - 15) >> 8;             /* ... now one TLV filling it */
    h[28 + 2] = (PROXY_V2_BODY_MAX - 15) & 0xff;
    assert_int_equal(proxy_v2_parse(h, PROXY_V2_HEAD + PROXY_V2_BODY_MAX, &out), 0);
}

static void test_xff_and_networks(void **state)
{
    char out[INET6_ADDRSTRLEN];
    config_net n;
    uint8_t a[16];

    (void)state;
    assert_int_equal(proxy_xff_pick("203.0.113.9, 127.0.7.7", out, sizeof out), 0);
    assert_string_equal(out, "127.0.7.7");                  /* the right-most only */
    assert_int_equal(proxy_xff_pick("127.0.7.7", out, sizeof out), 0);
    assert_int_equal(proxy_xff_pick("1.2.3.4,2001:DB8:0:0::1 ", out, sizeof out), 0);
    assert_string_equal(out, "2001:db8::1");
    assert_int_equal(proxy_xff_pick("127.0.7.7, ", out, sizeof out), -1);
    assert_int_equal(proxy_xff_pick("127.0.7.7, unknown", out, sizeof out), -1);
    assert_int_equal(proxy_xff_pick("127.0.7.7:80", out, sizeof out), -1);
    assert_int_equal(proxy_xff_pick("127.0.7.7 127.0.8.8", out, sizeof out), -1);
    assert_int_equal(proxy_xff_pick("", out, sizeof out), -1);
    /* a dual-stack proxy's IPv4 client, "::ffff:a.b.c.d": that IPv4 client */
    assert_int_equal(proxy_xff_pick("::ffff:127.0.40.1", out, sizeof out), 0);
    assert_string_equal(out, "127.0.40.1");
    assert_int_equal(config_net_parse(&n, "10.0.0.0/8"), 0);
    inet_pton(AF_INET, "10.200.3.4", a);
    assert_true(config_net_contains(&n, AF_INET, a));
    inet_pton(AF_INET, "11.0.0.1", a);
    assert_false(config_net_contains(&n, AF_INET, a));
    assert_int_equal(config_net_parse(&n, "2001:db8::/32"), 0);
    inet_pton(AF_INET6, "2001:db8:ffff::1", a);
    assert_true(config_net_contains(&n, AF_INET6, a));
    assert_false(config_net_contains(&n, AF_INET, a));
    assert_int_equal(config_net_parse(&n, "127.0.0.1"), 0);
    assert_int_equal(n.bits, 32);
    assert_int_equal(config_net_parse(&n, "10.1.2.3/8"), -1);      /* host bits set */
    assert_int_equal(config_net_parse(&n, "10.0.0.0/33"), -1);
    assert_int_equal(config_net_parse(&n, "10.0.0.0/"), -1);
    assert_int_equal(config_net_parse(&n, "10.0.0.0/-1"), -1);
    assert_int_equal(config_net_parse(&n, "proxy.example"), -1);
    assert_int_equal(config_net_parse(&n, "/8"), -1);
}

/* ---- behind HAProxy with PROXY v2 ---- */

/* The attack of the issue: sprayed wrong logins from one client through the
 * proxy close that client's network, not the proxy's: a voter elsewhere
 * logs in through the same proxy at once. */
static void test_spray_through_proxy(void **state)
{
    int wrong;

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    wrong = spray("127.0.1.1", E.front, NULL, 0, 100, "");
    assert_int_equal(wrong, NET_FAILURES);
    assert_int_equal(login("127.0.2.1", E.front, NULL, 0, GENUINE, PASSWORD, ""), 200);
    /* and the sprayer's own network is the one closed */
    assert_int_equal(login("127.0.1.9", E.front, NULL, 0, GENUINE2, PASSWORD, ""), 429);
}

/* PROXY v2 only from the proxy's Unix socket, and always there. */
static void test_v2_refusals(void **state)
{
    uint8_t h[64];
    size_t n = v2_header(h, "127.0.9.9", 5555);

    (void)state;
    daemon_up("[]", 1, "");
    /* the proxy with a good header, and with LOCAL (its own health check) */
    assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 200);
    h[12] = 0x20;
    assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 200);
    h[12] = 0x21;
    /* a TCP client: served as itself, refused with a header, from 127.0.0.1 too */
    assert_int_equal(http_get_election("127.0.3.1", E.port, NULL, 0), 200);
    assert_int_equal(http_get_election("127.0.3.1", E.port, h, n), 0);
    assert_int_equal(http_get_election("127.0.3.1", E.port, h, 12), 0);
    assert_int_equal(http_get_election("127.0.0.1", E.port, h, n), 0);
    /* the Unix socket without a header (closed unanswered), with a malformed
     * or cut one */
    assert_int_equal(http_get_election("-", VIA_UNIX, NULL, 0), 0);
    assert_string_equal(get_answer, "");
    h[12] = 0x11;                                          /* version 1 */
    assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 0);
    h[12] = 0x21;
    h[13] = 0x00;                                          /* PROXY without an address */
    assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 0);
    h[13] = 0x11;
    h[15] = 40;                                            /* longer than what is sent: the */
    assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 0);
    h[15] = 12;                                            /* request is not taken as header */
    /* the client a header names is the one throttled: a sprayer from
     * 127.0.4.1 closes 127.0.4.0/24, not the proxy */
    n = v2_header(h, "127.0.4.1", 5555);
    spray("-", VIA_UNIX, h, n, NET_FAILURES + 1, "");
    n = v2_header(h, "127.0.4.2", 5555);
    assert_int_equal(login("-", VIA_UNIX, h, n, GENUINE, PASSWORD, ""), 429);
    n = v2_header(h, "127.0.5.2", 5555);
    assert_int_equal(login("-", VIA_UNIX, h, n, GENUINE, PASSWORD, ""), 200);
}

/* One answer on a kept-alive connection: its status (0: closed first). */
static int answer_on(int s)
{
    static char buf[65536];
    size_t got = 0;
    struct pollfd p = { .fd = s, .events = POLLIN };
    char *end = NULL;

    while (got + 1 < sizeof buf && poll(&p, 1, 20000) == 1) {
        ssize_t n = recv(s, buf + got, sizeof buf - 1 - got, 0);
        char *cl;

        if (n <= 0)
            return 0;
        got += (size_t)n;
        buf[got] = '\0';
        if (end == NULL && (end = strstr(buf, "\r\n\r\n")) == NULL)
            continue;
        cl = strcasestr(buf, "\r\nContent-Length: ");
        if (cl != NULL && (size_t)(end + 4 - buf) + strtoul(cl + 18, NULL, 10) <= got)
            return atoi(buf + 9);
    }
    return 0;
}

/* A connection from the proxy for client src (PROXY v2), with one request
 * answered and kept open: the socket, its answer's status in *st. */
static int kept(const char *src, int *st)
{
    static const char get[] = "GET /api/v1/election HTTP/1.1\r\nHost: vote.test\r\n\r\n";
    uint8_t h[64];
    size_t n = v2_header(h, src, 5555);
    int s = unix_to();

    assert_true(s >= 0);
    assert_int_equal(send(s, h, n, MSG_NOSIGNAL), (ssize_t)n);
    /* a refused connection may be closed as soon as its header is read,
     * before the request is sent: closed, as when no answer comes */
    if (send(s, get, strlen(get), MSG_NOSIGNAL) != (ssize_t)strlen(get)) {
        *st = 0;
        return s;
    }
    *st = answer_on(s);
    return s;
}

/* libmicrohttpd's per-address connection limit counts the client a PROXY
 * header names, not the proxy: a client at its limit gets no more, another
 * client through the same proxy does. */
static void test_per_client_connections(void **state)
{
    int a, b, c, d, st;

    (void)state;
    per_ip = 2;
    daemon_up("[]", 1, "");
    per_ip = 64;
    a = kept("127.0.12.1", &st);
    assert_int_equal(st, 200);
    b = kept("127.0.12.1", &st);
    assert_int_equal(st, 200);
    c = kept("127.0.12.1", &st);             /* a third from that client: closed */
    assert_int_equal(st, 0);
    close(c);
    d = kept("127.0.13.1", &st);             /* another client, the same proxy */
    assert_int_equal(st, 200);
    close(a);
    close(b);
    close(d);
}

/* Silent connections from peers that are not proxies wait out the header
 * timeout; they get half the room for connections being read at most, so the
 * proxy's connections are still taken. */
static void test_silent_peers(void **state)
{
    int silent[8], s, st;

    (void)state;
    max_conn = 8;
    daemon_up("[]", 1, "");
    max_conn = 1024;
    for (int i = 0; i < 8; i++)
        assert_true((silent[i] = tcp_from("127.0.14.1", E.port)) >= 0);
    s = kept("127.0.15.1", &st);
    assert_int_equal(st, 200);
    close(s);
    for (int i = 0; i < 8; i++)
        close(silent[i]);
}

/* X-Forwarded-For mode, a proxy on another host (192.0.2.1, never seen
 * here): a peer that is not that proxy names another client in vain. */
static void test_forwarded_for(void **state)
{
    (void)state;
    daemon_up("[\"192.0.2.1\"]", 0, NULL);
    spray("127.0.3.1", E.port, NULL, 0, NET_FAILURES + 1, "X-Forwarded-For: 127.0.5.5\r\n");
    assert_int_equal(login("127.0.3.2", E.port, NULL, 0, GENUINE, PASSWORD, ""), 429);
    assert_int_equal(login("127.0.5.5", E.port, NULL, 0, GENUINE, PASSWORD, ""), 200);
}

/* Were a TCP peer such as 127.0.0.1 a trusted proxy, any local account could
 * connect from loopback and name any client (escaping the per-network
 * throttles, or filling a voter's). With the Unix socket, a local process on the public port is itself, whatever
 * its PROXY v2 header or X-Forwarded-For says; the real proxy still names
 * its clients. */
static void test_local_forgery(void **state)
{
    uint8_t h[64];
    size_t n = v2_header(h, "127.0.20.1", 5555);

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    /* a forged PROXY v2 header from HAProxy's old address: closed */
    assert_int_equal(http_get_election("127.0.0.1", E.port, h, n), 0);
    /* forged X-Forwarded-For entries: the local process's own network closes,
     * not the ones named, which the proxy still serves */
    spray("127.0.0.1", E.port, NULL, 0, NET_FAILURES + 1,
          "X-Forwarded-For: 127.0.21.1\r\nX-Forwarded-For: 127.0.22.1\r\n");
    assert_int_equal(login("127.0.0.2", E.port, NULL, 0, GENUINE, PASSWORD,
                           "X-Forwarded-For: 127.0.23.1\r\n"), 429);
    assert_int_equal(login("127.0.21.1", E.front, NULL, 0, GENUINE, PASSWORD, ""), 200);
    assert_int_equal(login("127.0.22.1", E.front, NULL, 0, GENUINE, PASSWORD, ""), 200);
    both_down(NULL);
    /* the same without proxy_protocol_v2 (the Unix socket still speaks it):
     * X-Forwarded-For from a TCP peer names no one either (the throttles
     * live in the store: 127.0.0.0/24 is still closed, 127.0.24.0/24 not) */
    daemon_up("[]", 0, "");
    assert_int_equal(http_get_election("127.0.0.1", E.port, h, n), 0);
    assert_int_equal(login("127.0.0.1", E.port, NULL, 0, GENUINE, PASSWORD,
                           "X-Forwarded-For: 127.0.24.1\r\n"), 429);
    assert_int_equal(login("-", VIA_UNIX, h, n, GENUINE, PASSWORD, ""), 200);
}

/* The Unix socket's file: the configured mode (0660 by default), made anew
 * over an old socket left by a killed daemon, removed at stop; a file that is
 * not a socket at its path is left alone and votesrv does not start. */
static void test_unix_socket_file(void **state)
{
    char log[PATH_MAX + 32], *text;
    struct stat st;
    uint8_t h[64];
    size_t n = v2_header(h, "127.0.25.1", 5555);
    FILE *f;

    (void)state;
    /* made by the sandboxed worker (privsep) or by votesrv itself; removed
     * at stop by the parent or by votesrv */
    for (no_privsep = 0; no_privsep < 2; no_privsep++) {
        daemon_up("[]", 1, "0640");
        assert_int_equal(lstat(E.sock, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 200);
        both_down(NULL);
        assert_int_equal(lstat(E.sock, &st), -1);
    }
    no_privsep = 0;
    daemon_up("[]", 1, "");
    assert_int_equal(lstat(E.sock, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0660);
    kill(E.daemon, SIGKILL);                                  /* leaves its socket */
    waitpid(E.daemon, NULL, 0);
    E.daemon = 0;
    assert_int_equal(lstat(E.sock, &st), 0);
    daemon_up("[]", 1, "");
    assert_int_equal(http_get_election("-", VIA_UNIX, h, n), 200);
    both_down(NULL);
    /* a regular file there: kept, and the start refused with the reason */
    assert_non_null(f = fopen(E.sock, "w"));
    fputs("not a socket\n", f);
    fclose(f);
    assert_int_equal(daemon_try("[]", 1, ""), -1);
    assert_int_equal(lstat(E.sock, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 13);
    snprintf(log, sizeof log, "%s/votesrv.log", E.dir);
    assert_non_null(text = slurp(log));
    if (strstr(text, "exists and is not a socket") == NULL)
        fail_msg("votesrv's log does not say why:\n%s", text);
    free(text);
    unlink(E.sock);
}

/* A configuration that trusts a loopback address (any local account could
 * connect from it), or TCP proxies beside the Unix socket, or a socket any
 * account may write to, is refused at load. */
static void test_config_refusals(void **state)
{
    static const char *const loopback[] = {
        "[\"127.0.0.1\"]", "[\"127.0.0.0/8\"]", "[\"127.3.0.0/16\"]", "[\"0.0.0.0/0\"]",
        "[\"::1\"]", "[\"::/0\"]", "[\"::ffff:127.0.0.1\"]", "[\"::ffff:0:0/96\"]",
        "[\"10.0.0.5\", \"127.0.0.2\"]",
    };
    char path[PATH_MAX + 64], err[CONFIG_ERR_CHARS];
    config cfg;

    (void)state;
    snprintf(path, sizeof path, "%s.bad.json", E.cfg);
    for (size_t i = 0; i < sizeof loopback / sizeof *loopback; i++) {
        config_write(path, loopback[i], 1, NULL, NULL);
        assert_int_equal(config_load(&cfg, path, err, sizeof err), -1);
        if (strstr(err, "loopback") == NULL)
            fail_msg("%s: %s", loopback[i], err);
    }
    config_write(path, "[\"10.0.0.5\", \"2001:db8::/32\"]", 1, NULL, NULL);
    assert_int_equal(config_load(&cfg, path, err, sizeof err), 0);
    config_write(path, "[\"10.0.0.5\"]", 1, E.sock, NULL);         /* both */
    assert_int_equal(config_load(&cfg, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "trusted_proxies empty"));
    config_write(path, "[]", 1, E.sock, NULL);
    assert_int_equal(config_load(&cfg, path, err, sizeof err), 0);
    assert_string_equal(cfg.unix_path, E.sock);
    assert_int_equal(cfg.unix_mode, 0660);
    config_write(path, "[]", 0, E.sock, "0600");
    assert_int_equal(config_load(&cfg, path, err, sizeof err), 0);
    assert_int_equal(cfg.unix_mode, 0600);
    for (int i = 0; i < 4; i++) {
        static const char *const bad[] = { "0662", "0666", "0460", "66o" };

        config_write(path, "[]", 1, E.sock, bad[i]);
        assert_int_equal(config_load(&cfg, path, err, sizeof err), -1);
        assert_non_null(strstr(err, "listen.unix.mode"));
    }
    config_write(path, "[]", 1, "proxy.sock", NULL);                 /* relative */
    assert_int_equal(config_load(&cfg, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "absolute"));
    unlink(path);
}

/* ---- HAProxy's log ---- */

/* HAProxy's request log (syslog in production) holds neither a one-time
 * link's token (in the query of the link a voter follows) nor a tracker (in
 * the path of a look-up): with the client's address and the time, either
 * would take an account or tie a ballot to a client. */
static void test_haproxy_log_no_secrets(void **state)
{
    static const char token[] = "Tk7qZr2LinkTokenSeenInTheLog0000000000000000";
    static const char tracker[] = "c0ffee11223344556677889900aabbccddeeff00112233445566778899aabbcc";
    char path[PATH_MAX + 16], url[256], *log;
    tu_reply r;
    FILE *f;
    long n;

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    snprintf(url, sizeof url, "/activation?t=%s", token);
    tu_http(&r, "GET", url, NULL, 0, NULL);
    snprintf(url, sizeof url, "/api/v1/trackers/%s", tracker);
    tu_http(&r, "GET", url, NULL, 0, NULL);
    snprintf(url, sizeof url, "/api/v1/%%74rackers/%s", tracker);     /* the same route */
    tu_http(&r, "GET", url, NULL, 0, NULL);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    /* HAProxy stopped softly (SIGUSR1: its streams end, each logged) */
    kill(E.h.pid, SIGUSR1);
    assert_int_equal(waitpid(E.h.pid, NULL, 0), E.h.pid);
    E.h.pid = 0;
    snprintf(path, sizeof path, "%s/haproxy.log", E.dir);
    assert_non_null(f = fopen(path, "r"));
    fseek(f, 0, SEEK_END);
    assert_true((n = ftell(f)) > 0);
    rewind(f);
    assert_non_null(log = calloc(1, (size_t)n + 1));
    assert_int_equal(fread(log, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    if (strstr(log, "/api/v1/election") == NULL)             /* requests are logged */
        fail_msg("no request in HAProxy's log:\n%s", log);
    if (strstr(log, token) != NULL || strstr(log, tracker) != NULL)
        fail_msg("HAProxy's log holds a token or a tracker:\n%s", log);
    free(log);
}

/* ---- monitoring off the public port ---- */

static char *metrics_sans_counters(void)
{
    tu_reply r;
    char *out, *o;

    tu_http_internal(&r, "GET", "/metrics");
    assert_int_equal(r.status, 200);
    assert_non_null(out = malloc(r.len + 1));
    o = out;
    for (char *line = strtok(r.body, "\n"); line != NULL; line = strtok(NULL, "\n"))
        /* the outbox's figures move with a link sent to a registered address:
         * they are the operators' own, like the outbox (docs/threat-model.md) */
        if (strncmp(line, "votesrv_uptime", 14) != 0 && strncmp(line, "votesrv_http_", 13) != 0 &&
            strncmp(line, "votesrv_mail_", 13) != 0)
            o += sprintf(o, "%s\n", line);
    return out;
}

static long link_request(const char *identifier)
{
    tu_reply r;
    json_t *c;
    char *payload, body[4096];

    tu_http(&r, "GET", "/api/v1/access/challenge", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(c = json_loads(r.body, 0, NULL));
    assert_non_null(payload = altcha_solve(c));
    json_decref(c);
    snprintf(body, sizeof body, "{\"identifier\":\"%s\",\"altcha\":\"%s\"}", identifier, payload);
    free(payload);
    tu_http(&r, "POST", "/api/v1/access/link", body, (long)strlen(body),
            "Content-Type: application/json");
    return r.status;
}

static void test_internal_listener(void **state)
{
    tu_reply r;
    char *before, *known, *unknown;

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    for (int i = 0; i < 2; i++) {
        const char *path = i == 0 ? "/metrics" : "/healthz";
        char direct[PATH_MAX];

        tu_http_internal(&r, "GET", path);
        assert_int_equal(r.status, 200);
        tu_http(&r, "GET", path, NULL, 0, NULL);                   /* through HAProxy */
        assert_int_equal(r.status, 404);
        assert_non_null(strstr(r.body, "\"error\":{\"code\":"));
        snprintf(direct, sizeof direct, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "\r\n", path);                                     /* votesrv's public port */
        assert_int_equal(raw_text("127.0.3.1", E.port, direct, r.body, sizeof r.body), 404);
        assert_non_null(strstr(r.body, "\"code\":\"not_found\""));
    }
    /* "link not received" for a voter's address, then for nobody's: the
     * metrics move alike (they did: the audit-entry count rose for a voter) */
    before = metrics_sans_counters();
    assert_int_equal(link_request("b20@bench.example"), 202);
    known = metrics_sans_counters();
    assert_int_equal(link_request("nobody@bench.example"), 202);
    unknown = metrics_sans_counters();
    assert_string_equal(before, known);
    assert_string_equal(known, unknown);
    free(before);
    free(known);
    free(unknown);
}

/* ---- strict HTTP ---- */

/* An answer is a JSON error of ours or HAProxy's: {"error":{"code":...}}. */
static int json_error(const char *answer)
{
    const char *body = strstr(answer, "\r\n\r\n");

    return strcasestr(answer, "\r\nContent-Type: application/json") != NULL && body != NULL &&
           strstr(body, "{\"error\":{\"code\":\"") != NULL && strcasestr(answer, "<html") == NULL;
}

/* HAProxy 2.6's own page for what its HTTP parser refuses: its errorfile is
 * not used there (haproxy/haproxy#3032, fixed in 3.2). Never libmicrohttpd's
 * pages (which have a <title>). */
static int parser_page(const char *answer)
{
    return strstr(answer, "<h1>400 Bad request</h1>") != NULL && strstr(answer, "<title>") == NULL;
}

/* How HAProxy answers a case: J a JSON refusal (its rules, our error pages),
 * P its parser's refusal (400, its own page), N normalized (rewritten with
 * CRLF and unfolded, then served: votesrv never sees the original form). */
typedef struct {
    const char *request;
    char votesrv;                /* 'B': votesrv alone answers 400 bad_request; '-': not tried */
    char haproxy;
} http_case;

static void test_strict_http(void **state)
{
    static const http_case cases[] = {
        { "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}", 'B', 'P' },
        { "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 'B', 'J' },
        { "GET /metrics%00.css HTTP/1.1\r\nHost: x\r\n\r\n", 'B', 'J' },
        { "GET /api/v1/election%0a HTTP/1.1\r\nHost: x\r\n\r\n", 'B', 'J' },
        { "GET /api%7F/v1/election HTTP/1.1\r\nHost: x\r\n\r\n", 'B', 'J' },
        { "GET /api/v1/election HTTP/1.1\r\n\r\n", 'B', 'J' },                  /* no Host */
        { "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 'B', 'P' },
        { "GET /api/v1/election HTTP/1.1\nHost: x\n\n", '-', 'N' },            /* bare LF */
        { "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", '-', 'N' },
        { "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: 1.2.3.4\r\n\r\n", '-',
          'J' },                                                              /* 403 */
        { "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", '-', 'P' },
        { "GET /api/v1/election HTTP/2.0\r\nHost: x\r\n\r\n", '-', 'J' },       /* 505 */
        { "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab", '-',
          'P' },
        { "FROB /api/v1/election HTTP/1.1\r\nHost: x\r\n\r\n", '-', 'J' },      /* 405 */
    };
    static char out[1 << 17], big[1 << 17];
    const char *ok = "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    int st;

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    assert_int_equal(raw_text("127.0.3.1", E.port, ok, out, sizeof out), 200);
    assert_int_equal(raw_text("127.0.3.1", E.front, ok, out, sizeof out), 200);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const http_case *c = &cases[i];

        if (c->votesrv == 'B') {            /* votesrv directly, from a non-proxy peer */
            st = raw_text("127.0.3.1", E.port, c->request, out, sizeof out);
            if (st != 400 || !json_error(out) || strstr(out, "\"code\":\"bad_request\"") == NULL ||
                strcasestr(out, "\r\nConnection: close\r\n") == NULL)
                fail_msg("votesrv answered case %zu with %.300s", i, out);
        }
        st = raw_text("127.0.3.1", E.front, c->request, out, sizeof out);
        if ((c->haproxy == 'J' && !(st >= 400 && st < 506 && json_error(out))) ||
            (c->haproxy == 'P' && !(st == 400 && parser_page(out))) ||
            (c->haproxy == 'N' && !(st == 200 && strstr(out, "\"scrutins\"") != NULL)))
            fail_msg("HAProxy answered case %zu with %.300s", i, out);
        assert_null(strstr(out, "votesrv_up"));
    }
    /* a path and a header section past libmicrohttpd's limits (which answer
     * 414 and 431 in English HTML): HAProxy's parser refuses them first */
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', 20000);
    strcpy(big + 20005, " HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(raw_text("127.0.3.1", E.front, big, out, sizeof out), 400);
    assert_true(parser_page(out));
    strcpy(big, "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(big + strlen(big), 'b', 60000);
    strcpy(big + strlen(big), "\r\n\r\n");
    assert_int_equal(raw_text("127.0.3.1", E.front, big, out, sizeof out), 400);
    assert_true(parser_page(out));
    /* the daemon behind is still fine */
    assert_int_equal(raw_text("127.0.3.1", E.front, ok, out, sizeof out), 200);
}

/* ---- the TLS front ---- */

static size_t on_header_line(char *p, size_t size, size_t n, void *arg)
{
    char *headers = arg;
    size_t have = strlen(headers);

    if (have + n < 8192)
        memcpy(headers + have, p, n), headers[have + n] = '\0';
    (void)size;
    return n;
}

static size_t on_discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)size, (void)arg;
    return n;
}

/* GET path through the https port with libcurl (HTTP/2 offered by ALPN,
 * only the test CA trusted): the status, the HTTP version used in *version,
 * the header lines in headers (8 KiB). */
static long h2_get(const char *path, long *version, char headers[8192])
{
    CURL *c = curl_easy_init();
    char url[256];
    long st = -1;

    headers[0] = '\0';
    snprintf(url, sizeof url, "%s%s", E.h.url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, E.h.cacert);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header_line);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
        curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, version);
    }
    curl_easy_cleanup(c);
    return st;
}

/* TLS only: plain HTTP gets a redirect to the same URL over https (and
 * nothing of votesrv's), https answers with HSTS; HTTP/2 is negotiated by
 * ALPN and held to the same rules (monitoring refused); TLS 1.2 and 1.3
 * with AEAD ciphers only (Mozilla's intermediate profile). */
static void test_tls_front(void **state)
{
    static char out[65536], headers[8192];
    const char *get = "GET /api/v1/election?lang=en HTTP/1.1\r\nHost: vote.test\r\n"
                      "Connection: close\r\n\r\n";
    const char *post = "POST /api/v1/session HTTP/1.1\r\nHost: vote.test\r\n"
                       "Content-Type: application/json\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\n{}";
    long version = 0;
    SSL_CTX *other;
    conn c;

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    assert_int_equal(raw_text("127.0.3.1", E.plain, get, out, sizeof out), 301);
    assert_non_null(strcasestr(out, "\r\nLocation: https://vote.test/api/v1/election?lang=en\r\n"));
    assert_null(strstr(out, "\"scrutins\""));
    assert_null(strcasestr(out, "Strict-Transport-Security"));
    assert_int_equal(raw_text("127.0.3.1", E.plain, post, out, sizeof out), 301);
    assert_non_null(strcasestr(out, "\r\nLocation: https://vote.test/api/v1/session\r\n"));
    /* https, HTTP/1.1 */
    assert_int_equal(raw_text("127.0.3.1", E.front, get, out, sizeof out), 200);
    assert_non_null(strstr(out, "\"scrutins\""));
    assert_non_null(strcasestr(out, "\r\nStrict-Transport-Security: max-age=31536000\r\n"));
    /* HTTP/2 */
    assert_int_equal(h2_get("/api/v1/election", &version, headers), 200);
    assert_int_equal(version, CURL_HTTP_VERSION_2_0);
    assert_non_null(strcasestr(headers, "\nstrict-transport-security: max-age=31536000\r\n"));
    assert_non_null(strcasestr(headers, "\ncontent-security-policy: "));    /* votesrv's */
    assert_int_equal(h2_get("/healthz", &version, headers), 404);
    assert_int_equal(h2_get("/metrics", &version, headers), 404);
    /* HTTP/2 was chosen by ALPN: an HTTP/1.1-only client still gets 1.1 */
    assert_int_equal(conn_open(&c, "127.0.3.1", E.front), 0);
    {
        const unsigned char *alpn;
        unsigned int len;

        SSL_get0_alpn_selected(c.ssl, &alpn, &len);
        assert_int_equal(len, 8);
        assert_memory_equal(alpn, "http/1.1", 8);
        assert_true(SSL_version(c.ssl) >= TLS1_2_VERSION);
    }
    conn_close(&c);
    /* a client trusting the system's CAs only: the test certificate is not
     * one of theirs (the handshake fails); TLS 1.1; TLS 1.2 with CBC ciphers
     * only; and TLS 1.2 with the intermediate profile's ciphers: accepted */
    for (int i = 0; i < 4; i++) {
        assert_non_null(other = SSL_CTX_new(TLS_client_method()));
        if (i == 0) {
            SSL_CTX_set_default_verify_paths(other);
        } else {
            SSL_CTX_load_verify_locations(other, E.h.cacert, NULL);
            SSL_CTX_set_security_level(other, 0);
            SSL_CTX_set_min_proto_version(other, i == 1 ? TLS1_1_VERSION : TLS1_2_VERSION);
            SSL_CTX_set_max_proto_version(other, i == 1 ? TLS1_1_VERSION : TLS1_2_VERSION);
            if (i == 2)
                assert_int_equal(SSL_CTX_set_cipher_list(other, "ECDHE-ECDSA-AES128-SHA:"
                                                         "ECDHE-ECDSA-AES256-SHA:AES128-SHA"), 1);
        }
        SSL_CTX_set_verify(other, SSL_VERIFY_PEER, NULL);
        assert_true((c.s = tcp_from("127.0.3.1", E.front)) >= 0);
        assert_non_null(c.ssl = SSL_new(other));
        SSL_set_fd(c.ssl, c.s);
        if ((SSL_connect(c.ssl) == 1) != (i == 3))
            fail_msg("TLS client %d: %s", i, i == 3 ? "refused" : "accepted");
        if (i == 3)
            assert_int_equal(SSL_version(c.ssl), TLS1_2_VERSION);
        SSL_free(c.ssl);
        close(c.s);
        SSL_CTX_free(other);
    }
}

/* A slow client (slowloris) cut by timeout http-request: a request's head
 * sent a line at a time, each well within the timeout, is answered 408 once
 * the head has taken the whole timeout, however it trickles. A client that
 * never starts its TLS handshake is closed by timeout client. */
static void test_slow_client(void **state)
{
    static const char head[] = "GET /api/v1/election HTTP/1.1\r\nHost: vote.test\r\n";
    static char out[8192];
    struct pollfd silent = { .fd = -1 };
    conn c;
    int lines = 0;
    long got = 0;
    ssize_t n = -1;

    (void)state;
    daemon_up("[]", 1, "");
    haproxy_up();
    /* a client that connects and never starts its TLS handshake */
    assert_true((silent.fd = tcp_from("127.0.3.3", E.front)) >= 0);
    assert_int_equal(conn_open(&c, "127.0.3.1", E.front), 0);
    assert_int_equal(conn_send(&c, head, strlen(head)), 0);
    /* a header line every 400 ms (the test's timeout: 2 s), at most 25
     * (10 s): the proxy answers before they run out */
    while (lines < 25 && (n = conn_recv(&c, out, sizeof out - 1, 400)) < 0) {
        char line[32];

        snprintf(line, sizeof line, "X-Slow-%d: 1\r\n", lines++);
        if (conn_send(&c, line, strlen(line)) != 0)
            break;
    }
    if (n > 0)
        got = n + read_all(&c, out + n, sizeof out - (size_t)n);
    out[got > 0 ? got : 0] = '\0';
    conn_close(&c);
    /* HAProxy 2.6's own short page: its errorfile is not used for what its
     * HTTP/1 layer answers itself (haproxy/haproxy#3032, as parser errors) */
    if (lines >= 25 || strncmp(out, "HTTP/1.1 408", 12) != 0 ||
        strstr(out, "<h1>408 Request Time-out</h1>") == NULL)
        fail_msg("after %d lines: %.300s", lines, out);
    assert_true(got > 0);
    /* the silent one is closed by timeout client (the test's 2 s, as long as
     * the trickle above took at least): at most 10 s more */
    silent.events = POLLIN;
    assert_int_equal(poll(&silent, 1, 10000), 1);
    assert_int_equal(recv(silent.fd, out, sizeof out, 0), 0);
    close(silent.fd);
    /* the daemon was never given the half request; others are served */
    assert_int_equal(http_get_election("127.0.3.2", E.front, NULL, 0), 200);
}

/* Whether HAProxy's votesrv server comes to state (its runtime API, polled
 * every 100 ms for 10 s at most). */
static int server_becomes(const char *state)
{
    char st[32] = "";

    for (int i = 0; i < 100; i++) {
        struct timespec t = { 0, 100 * 1000 * 1000 };

        if (tu_haproxy_server_state(&E.h, st, sizeof st) == 0 &&
            strncmp(st, state, strlen(state)) == 0)
            return 1;
        nanosleep(&t, NULL);
    }
    fprintf(stderr, "server state: %s, not %s\n", st, state);
    return 0;
}

/* The health check reads /healthz on votesrv's internal listener: the server
 * is up while votesrv runs, down soon after it stops (requests then get the
 * JSON 503 at once), and up again when it is back on the same port. */
static void test_health_check(void **state)
{
    static char out[8192];

    (void)state;
    tu_internal_port = tu_free_port();
    daemon_up("[]", 1, "");
    haproxy_up();
    assert_true(server_becomes("UP"));
    assert_int_equal(http_get_election("127.0.3.1", E.front, NULL, 0), 200);
    kill(E.daemon, SIGTERM);
    waitpid(E.daemon, NULL, 0);
    E.daemon = 0;
    assert_true(server_becomes("DOWN"));
    assert_int_equal(raw_text("127.0.3.1", E.front, "GET /api/v1/election HTTP/1.1\r\n"
                              "Host: vote.test\r\n\r\n", out, sizeof out), 503);
    assert_true(json_error(out));
    daemon_up("[]", 1, "");
    assert_int_equal(E.internal, tu_internal_port);
    assert_true(server_becomes("UP"));
    assert_int_equal(http_get_election("127.0.3.1", E.front, NULL, 0), 200);
    tu_internal_port = 0;
}

/* A load run through the TLS front (voteclient load over https, HTTP/2,
 * trusting the test CA): every ballot acknowledged with a verified receipt,
 * and each receipt's tracker on the board, looked up through the front. */
static void test_load_through_tls(void **state)
{
    static char out[16384];
    char path[PATH_MAX + 32], line[256], url[160];
    FILE *f;
    int n = 0;
    tu_reply r;

    (void)state;
    assert_int_equal(tu_load_file(E.dir, E.cfg, "csa-ministere", 4), 0);
    daemon_up("[]", 1, "");
    quick = 0;                  /* the file's timings */
    haproxy_up();
    quick = TU_HAPROXY_QUICK_REQUEST | TU_HAPROXY_QUICK_CHECK;
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && %s/voteclient --url %s --cacert %s load "
              "load.csv --concurrency 4 --receipts receipts.csv", E.dir, E.bin, E.h.url,
              E.h.cacert) != 0) {
        static char log[16384];

        tu_sh(log, sizeof log, "grep -v ' 200 ' %s/haproxy.log | tail -c 8000", E.dir);
        fail_msg("voteclient load through HAProxy: %s\nHAProxy's log:\n%s", out, log);
    }
    snprintf(path, sizeof path, "%s/receipts.csv", E.dir);
    assert_non_null(f = fopen(path, "r"));
    while (fgets(line, sizeof line, f) != NULL) {
        char *tracker = strrchr(line, ',');

        assert_non_null(tracker);
        tracker[1 + strcspn(tracker + 1, "\n")] = '\0';
        snprintf(url, sizeof url, "/api/v1/trackers/%s", tracker + 1);
        tu_http(&r, "GET", url, NULL, 0, NULL);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "\"present\":true"));
        n++;
    }
    fclose(f);
    assert_int_equal(n, VOTERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_reader),
        cmocka_unit_test(test_xff_and_networks),
        cmocka_unit_test_teardown(test_spray_through_proxy, both_down),
        cmocka_unit_test_teardown(test_v2_refusals, both_down),
        cmocka_unit_test_teardown(test_per_client_connections, both_down),
        cmocka_unit_test_teardown(test_silent_peers, both_down),
        cmocka_unit_test_teardown(test_forwarded_for, both_down),
        cmocka_unit_test_teardown(test_haproxy_log_no_secrets, both_down),
        cmocka_unit_test_teardown(test_internal_listener, both_down),
        cmocka_unit_test_teardown(test_strict_http, both_down),
        cmocka_unit_test_teardown(test_tls_front, both_down),
        cmocka_unit_test_teardown(test_slow_client, both_down),
        cmocka_unit_test_teardown(test_health_check, both_down),
        cmocka_unit_test_teardown(test_load_through_tls, both_down),
        cmocka_unit_test(test_config_refusals),
        cmocka_unit_test_teardown(test_unix_socket_file, both_down),
        /* last: it closes 127.0.0.0/24, the address tu_http goes through HAProxy from */
        cmocka_unit_test_teardown(test_local_forgery, both_down),
    };
    return cmocka_run_group_tests_name("proxy", tests, setup, teardown);
}
