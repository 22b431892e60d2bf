/* accept.c - votesrv's own listening socket when trusted proxies speak the
 * PROXY protocol v2: libmicrohttpd (which has no support for it) gets each
 * connection through MHD_add_connection under the real client's address, so
 * that its per-address connection limit, the throttles and the logs all key
 * on the client, not on the proxy.
 *
 * A proxy on this host (HAProxy) reaches votesrv on a Unix-domain socket
 * (listen.unix): every connection there must start with a PROXY v2 header,
 * and the socket file's mode and group are what make its peer trusted. No TCP
 * peer is trusted then (config.c refuses trusted_proxies beside it, and a
 * loopback address in trusted_proxies always): a local account connecting to
 * the TCP port is served under its own address, whatever it sends.
 *
 * One thread per listening socket accepts; each connection's header is read by a short-lived
 * thread of its own, within HTTP_PROXY_TIMEOUT_S, and exactly the header's
 * bytes are read: what follows is HTTP, for libmicrohttpd. */
#define _GNU_SOURCE             /* accept4 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "log.h"

#define HANDSHAKE_STACK (64 * 1024)

typedef struct {
    http_acceptor *a;
    int fd;
    int unix_sock;                /* the proxy's Unix socket: every peer trusted */
    int running;                  /* its thread was started */
    pthread_t thread;
} listener;

struct http_acceptor {
    struct MHD_Daemon *daemon;
    const config *cfg;
    listener tcp, unix_sock;
    ino_t unix_ino;               /* the socket file made at start (removed at stop) */
    atomic_uint pending;          /* connections whose first bytes are being read */
    atomic_uint pending_other;    /* of which from peers that are not proxies */
    atomic_int stopping;
};

typedef struct {
    http_acceptor *a;
    int fd;
    int trusted;                  /* the peer is a configured proxy */
    struct sockaddr_storage peer;
    socklen_t peerlen;
} pending_conn;

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait until fd is readable before the deadline: 1, 0 on time out, -1. */
static int wait_readable(int fd, int64_t deadline)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int64_t left;
    int rc;

    while ((left = deadline - now_ms()) > 0) {
        rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

/* Exactly len bytes, never more (what follows is the client's request). */
static int read_exact(int fd, uint8_t *buf, size_t len, int64_t deadline)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n;

        if (wait_readable(fd, deadline) != 1)
            return -1;
        n = recv(fd, buf + got, len - got, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return -1;
        if (n > 0)
            got += (size_t)n;
    }
    return 0;
}

/* From a trusted proxy: the header, then the client's address in *addr
 * (a LOCAL header: the proxy's own, left as it is). 0, or -1 (why in *why). */
static int header_read(int fd, struct sockaddr_storage *addr, socklen_t *addrlen,
                       const char **why)
{
    uint8_t buf[PROXY_V2_HEAD + PROXY_V2_BODY_MAX];
    int64_t deadline = now_ms() + HTTP_PROXY_TIMEOUT_S * 1000;
    proxy_v2_header h;
    long total;

    *why = "no PROXY v2 header in time";
    if (read_exact(fd, buf, PROXY_V2_HEAD, deadline) != 0)
        return -1;
    *why = "malformed PROXY v2 header";
    if ((total = proxy_v2_length(buf)) < 0)
        return -1;
    *why = "truncated PROXY v2 header";
    if (read_exact(fd, buf + PROXY_V2_HEAD, (size_t)total - PROXY_V2_HEAD, deadline) != 0)
        return -1;
    *why = "malformed PROXY v2 header";
    if (proxy_v2_parse(buf, (size_t)total, &h) != 0)
        return -1;
    if (!h.local) {
        memcpy(addr, &h.src, h.srclen);
        *addrlen = h.srclen;
    }
    return 0;
}

/* From anyone else: refused if it starts with a PROXY header (it could name
 * any address); the bytes are only looked at, left for libmicrohttpd. */
static int no_header(int fd, const char **why)
{
    uint8_t buf[PROXY_V2_SIGNATURE];
    int64_t deadline = now_ms() + HTTP_PROXY_TIMEOUT_S * 1000;
    struct timespec pause = { 0, 10 * 1000 * 1000 };

    *why = "PROXY header from a peer that is not a trusted proxy";
    for (;;) {
        ssize_t n;
        int r = wait_readable(fd, deadline);

        if (r == 0)
            return 0;           /* nothing yet: libmicrohttpd times it out */
        if (r < 0)
            return -1;
        n = recv(fd, buf, sizeof buf, MSG_PEEK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;          /* closed before a byte */
        if (!proxy_v2_signature_prefix(buf, (size_t)n))
            return 0;
        if ((size_t)n == sizeof buf)
            return -1;
        if (now_ms() >= deadline)
            return -1;          /* a beginning of signature, then nothing */
        nanosleep(&pause, NULL);
    }
}

static void peer_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
    snprintf(out, len, ss->ss_family == AF_UNIX ? "unix" : "unknown");
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)len);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)len);
}

static void *handshake(void *arg)
{
    pending_conn *p = arg;
    http_acceptor *a = p->a;
    struct sockaddr_storage addr = p->peer;
    socklen_t addrlen = p->peerlen;
    const char *why = NULL;
    int rc;

    if (p->trusted)
        rc = header_read(p->fd, &addr, &addrlen, &why);
    else
        rc = no_header(p->fd, &why);
    if (rc != 0) {
        char peer[INET6_ADDRSTRLEN];

        peer_text(&p->peer, peer, sizeof peer);
        log_event("warn", "proxy_refused", json_pack("{s:s,s:s}", "peer", peer, "reason", why));
        close(p->fd);
    } else if (fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK) != 0 ||
               atomic_load(&a->stopping)) {
        close(p->fd);
    } else {
        /* closes the socket itself when it cannot take it (limits) */
        MHD_add_connection(a->daemon, p->fd, (const struct sockaddr *)&addr, addrlen);
    }
    if (!p->trusted)
        atomic_fetch_sub(&a->pending_other, 1);
    free(p);
    atomic_fetch_sub(&a->pending, 1);
    return NULL;
}

static void *accept_loop(void *arg)
{
    listener *l = arg;
    http_acceptor *a = l->a;
    pthread_attr_t attr;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, HANDSHAKE_STACK);
    while (!atomic_load(&a->stopping)) {
        pending_conn *p = calloc(1, sizeof *p);
        pthread_t t;

        if (p == NULL)
            break;
        p->a = a;
        p->peerlen = sizeof p->peer;
        p->fd = accept4(l->fd, (struct sockaddr *)&p->peer, &p->peerlen, SOCK_CLOEXEC);
        if (p->fd < 0) {
            struct timespec pause = { 0, 50 * 1000 * 1000 };

            free(p);
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                nanosleep(&pause, NULL);        /* out of descriptors: let some close */
            else if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
                break;                          /* the socket was shut down */
            continue;
        }
        /* the Unix socket's peers are the proxy; over TCP, a configured
         * proxy only when there is no Unix socket (config.c refuses both) */
        p->trusted = l->unix_sock ||
                     (a->cfg->unix_path[0] == '\0' &&
                      config_proxy_trusted(a->cfg, (const struct sockaddr *)&p->peer));
        /* too many connections being read at once: closed; peers that are not
         * proxies (silent ones wait out the timeout) get half the room at most,
         * so that they cannot shut the proxies out */
        if (atomic_load(&a->stopping) || atomic_load(&a->pending) >= a->cfg->max_connections ||
            (!p->trusted && atomic_load(&a->pending_other) >= a->cfg->max_connections / 2)) {
            close(p->fd);
            free(p);
            continue;
        }
        atomic_fetch_add(&a->pending, 1);
        if (!p->trusted)
            atomic_fetch_add(&a->pending_other, 1);
        if (pthread_create(&t, &attr, handshake, p) != 0) {
            if (!p->trusted)
                atomic_fetch_sub(&a->pending_other, 1);
            atomic_fetch_sub(&a->pending, 1);
            close(p->fd);
            free(p);
        }
    }
    pthread_attr_destroy(&attr);
    return NULL;
}

/* The proxy's Unix socket at cfg->unix_path, with its mode and group set
 * before it listens. A socket file left there by an earlier run is removed;
 * anything else at the path is left alone and the start refused. */
static int unix_listen(http_acceptor *a, char *err, size_t errlen)
{
    const config *cfg = a->cfg;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    gid_t gid = (gid_t)-1;

    if (cfg->unix_group[0] != '\0') {
        const struct group *g = getgrnam(cfg->unix_group);

        if (g == NULL) {
            snprintf(err, errlen, "listen.unix.group: no group %s", cfg->unix_group);
            return -1;
        }
        gid = g->gr_gid;
    }
    if (lstat(cfg->unix_path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "listen.unix.path %s exists and is not a socket: not removed, "
                     "votesrv not started", cfg->unix_path);
            return -1;
        }
        if (unlink(cfg->unix_path) != 0) {
            snprintf(err, errlen, "cannot remove the old socket %s", cfg->unix_path);
            return -1;
        }
    }
    memcpy(addr.sun_path, cfg->unix_path, strlen(cfg->unix_path) + 1);
    if ((a->unix_sock.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(a->unix_sock.fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        snprintf(err, errlen, "cannot listen on %s", cfg->unix_path);
        return -1;
    }
    /* made private by the umask; group, then mode, before anyone can connect */
    if (lstat(cfg->unix_path, &st) != 0 ||
        (gid != (gid_t)-1 && chown(cfg->unix_path, (uid_t)-1, gid) != 0) ||
        chmod(cfg->unix_path, (mode_t)cfg->unix_mode) != 0) {
        snprintf(err, errlen, "cannot set the group or mode of %s", cfg->unix_path);
        unlink(cfg->unix_path);
        return -1;
    }
    a->unix_ino = st.st_ino;
    if (listen(a->unix_sock.fd, 511) != 0) {
        snprintf(err, errlen, "cannot listen on %s", cfg->unix_path);
        unlink(cfg->unix_path);
        return -1;
    }
    return 0;
}

ino_t http_unix_inode(const config *cfg)
{
    struct stat st;

    return cfg->unix_path[0] != '\0' && lstat(cfg->unix_path, &st) == 0 && S_ISSOCK(st.st_mode)
           ? st.st_ino : 0;
}

void http_unix_remove(const config *cfg, ino_t ino)
{
    /* only the socket this run made (a later run may have made its own) */
    if (ino != 0 && http_unix_inode(cfg) == ino)
        unlink(cfg->unix_path);
}

static void unix_remove(http_acceptor *a)
{
    /* in a sandboxed worker (privsep.c) this fails quietly: the parent removes it */
    http_unix_remove(a->cfg, a->unix_ino);
}

static void listeners_close(http_acceptor *a)
{
    if (a->tcp.fd >= 0)
        close(a->tcp.fd);
    if (a->unix_sock.fd >= 0)
        close(a->unix_sock.fd);
}

/* Stop accepting: the threads end, the headers being read end within
 * HTTP_PROXY_TIMEOUT_S. */
static void listeners_stop(http_acceptor *a)
{
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    listener *ls[] = { &a->tcp, &a->unix_sock };

    atomic_store(&a->stopping, 1);
    for (size_t i = 0; i < 2; i++)
        if (ls[i]->running) {
            shutdown(ls[i]->fd, SHUT_RDWR);         /* wakes accept() */
            pthread_join(ls[i]->thread, NULL);
        }
    while (atomic_load(&a->pending) > 0)
        nanosleep(&pause, NULL);
}

http_acceptor *http_acceptor_start(struct MHD_Daemon *d, const config *cfg, char *err,
                                   size_t errlen)
{
    http_acceptor *a = calloc(1, sizeof *a);
    struct sockaddr_in addr;
    int one = 1;

    if (a == NULL)
        return NULL;
    a->daemon = d;
    a->cfg = cfg;
    a->tcp = (listener){ .a = a, .fd = -1 };
    a->unix_sock = (listener){ .a = a, .fd = -1, .unix_sock = 1 };
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->listen_address, &addr.sin_addr) != 1 ||
        (a->tcp.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(a->tcp.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(a->tcp.fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(a->tcp.fd, 511) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d", cfg->listen_address, cfg->port);
        listeners_close(a);
        free(a);
        return NULL;
    }
    if (cfg->unix_path[0] != '\0' && unix_listen(a, err, errlen) != 0) {
        listeners_close(a);
        free(a);
        return NULL;
    }
    if (pthread_create(&a->tcp.thread, NULL, accept_loop, &a->tcp) != 0 ||
        !(a->tcp.running = 1) ||
        (cfg->unix_path[0] != '\0' &&
         (pthread_create(&a->unix_sock.thread, NULL, accept_loop, &a->unix_sock) != 0 ||
          !(a->unix_sock.running = 1)))) {
        snprintf(err, errlen, "cannot start accepting connections");
        listeners_stop(a);
        unix_remove(a);
        listeners_close(a);
        free(a);
        return NULL;
    }
    return a;
}

int http_acceptor_port(const http_acceptor *a)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;

    if (getsockname(a->tcp.fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    return ntohs(addr.sin_port);
}

void http_acceptor_stop(http_acceptor *a)
{
    if (a == NULL)
        return;
    listeners_stop(a);
    unix_remove(a);
    listeners_close(a);
    free(a);
}
