/* mailer.c - SMTP and TLS out of the writer: the mailer process
 * (votesrv-mailer) and the writer's end of its channel.
 *
 * The writer starts it by fork and exec of its own program (votesrv --mailer
 * PARENT-PID, the channel on descriptor 3): a fresh memory, with nothing of
 * the writer's stores, keys or pepper, and the same process whenever it is
 * restarted from the threaded writer. It gets its settings once
 * (MAILER_CONFIG: the relay, the SMTP password, the CA certificates read by
 * the writer), enters its sandbox (sandbox_enter_mailer), says MAILER_READY,
 * then delivers one message per MAILER_SEND with libcurl and answers
 * MAILER_RESULT. docs/protocol.md section 18.4. */
#define _GNU_SOURCE
#include "server.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAILER_FD 3
/* beyond the relay's own timeout (libcurl's, in the mailer), what the writer
 * waits for an answer before it ends that mailer, unless answer_margin_s says */
#define MAILER_ANSWER_MARGIN_S 5
/* what mailer_free waits for a mailer to exit at the end of its channel */
#define MAILER_EXIT_WAIT_MS 2000u

struct mailer {
    pthread_mutex_t lock;        /* one message at a time */
    int fd;                      /* the writer's end; -1 when there is no mailer */
    pid_t pid;                   /* 0: none (or adopted: no process to restart) */
    int adopted;
    char exe[PATH_MAX];
    char user[64], log_level[8];
    mail_config mc;              /* the relay, with its password */
    char from[MAIL_ENVELOPE_CHARS];
    uint8_t *ca;
    size_t ca_len;
};

/* ---- shared checks ---- */

/* An address on the envelope: 1 to MAILER_ADDRESS_CHARS - 1 printable ASCII
 * characters, no space, no angle bracket (rcpt) or within one pair (from). */
static int address_ok(const char *a, int bracketed)
{
    size_t n = a != NULL ? strlen(a) : 0;

    if (n == 0 || n >= MAILER_ADDRESS_CHARS)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)a[i];
        int edge = bracketed && (i == 0 || i == n - 1);

        if (ch <= 0x20 || ch >= 0x7f || ((ch == '<' || ch == '>') && !edge))
            return 0;
    }
    return !bracketed || (n >= 2 && a[0] == '<' && a[n - 1] == '>');
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

/* ---- the writer's end ---- */

static void mailer_log(const char *event, const char *why, pid_t pid)
{
    log_event("error", event, json_pack("{s:s,s:i}", "reason", why, "pid", (int)pid));
}

/* The mailer ends: its channel closed, killed and reaped, within a bound
 * (child_end: one of another user is left to its parent-death signal). */
static void mailer_end(mailer *m)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
    if (m->pid > 0)
        child_end(m->pid, 0, MAILER_PROCESS_NAME);
    m->pid = 0;
}

static int ca_read(mailer *m, char *err, size_t errlen)
{
    char *dflt = NULL;
    const char *path = m->mc.ca_file;
    CURL *c = NULL;
    FILE *f;
    size_t n;

    if (path[0] == '\0') {          /* libcurl's own bundle, as in-process */
        c = curl_easy_init();
        if (c == NULL || curl_easy_getinfo(c, CURLINFO_CAINFO, &dflt) != CURLE_OK || dflt == NULL) {
            if (c != NULL)
                curl_easy_cleanup(c);
            return 0;               /* none: TLS cannot verify, and so fails */
        }
        path = dflt;
    }
    f = fopen(path, "rb");
    m->ca = f != NULL ? malloc(MAILER_CA_MAX + 1) : NULL;
    n = m->ca != NULL ? fread(m->ca, 1, MAILER_CA_MAX + 1, f) : 0;
    if (f != NULL)
        fclose(f);
    if (c != NULL)
        curl_easy_cleanup(c);
    if (m->ca == NULL || n == 0 || n > MAILER_CA_MAX) {
        snprintf(err, errlen, "mailer: the CA certificates cannot be read (at most %zu bytes)",
                 MAILER_CA_MAX);
        return -1;
    }
    m->ca_len = n;
    return 0;
}

/* Fork and exec the mailer, hand it its settings, wait until it is
 * sandboxed. 0, or -1 with err (no mailer). */
static int mailer_start(mailer *m, char *err, size_t errlen)
{
    char ppid[24];
    char *argv[] = { MAILER_PROCESS_NAME, MAILER_ARG, ppid, NULL };
    char *envp[] = { NULL };
    frame_out b = { 0 };
    frame_in r;
    uint32_t kind = 0;
    int sv[2], got;
    pid_t pid;

    snprintf(ppid, sizeof ppid, "%d", (int)getpid());
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "mailer: socketpair: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        /* async-signal-safe calls only: the writer may have threads */
        if (sv[1] == MAILER_FD ? fcntl(MAILER_FD, F_SETFD, 0) != 0
                               : dup2(sv[1], MAILER_FD) != MAILER_FD)
            _exit(126);
        syscall(SYS_close_range, (unsigned)MAILER_FD + 1, ~0u, 0u);
        /* an empty environment: nothing of the writer's (PGPASSWORD, PGHOST,
         * proxies...); its settings all come on its channel */
        execve(m->exe, argv, envp);
        _exit(127);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        snprintf(err, errlen, "mailer: fork: %s", strerror(errno));
        return -1;
    }
    m->fd = sv[0];
    m->pid = pid;
    frame_put_str(&b, m->mc.relay);
    frame_put_u32(&b, (uint32_t)(m->mc.starttls != 0));
    frame_put_u32(&b, m->mc.timeout_s);
    frame_put_str(&b, m->mc.username);
    frame_put_str(&b, m->mc.password);
    frame_put_str(&b, m->user);
    frame_put_str(&b, m->log_level);
    frame_put_bytes(&b, m->ca != NULL ? m->ca : (const uint8_t *)"", m->ca_len);
    got = frame_send(m->fd, MAILER_CONFIG, &b, -1) == 0
              ? frame_recv(m->fd, 0, &kind, &r, NULL) : -1;
    if (b.p != NULL)
        sodium_memzero(b.p, b.len);         /* the SMTP password */
    free(b.p);
    if (got == 1)
        free(r.mem);
    if (got != 1 || kind != MAILER_READY) {
        mailer_end(m);
        snprintf(err, errlen, "mailer: the mailer process did not start (see its log)");
        return -1;
    }
    return 0;
}

static mailer *mailer_alloc(const mail_config *mc)
{
    mailer *m = calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
    pthread_mutex_init(&m->lock, NULL);
    m->fd = -1;
    m->mc = *mc;
    m->mc.ca_blob = NULL;
    mail_envelope_from(m->from, mc->from);
    return m;
}

mailer *mailer_spawn(const char *exe, const mail_config *mc, const char *user,
                     const char *log_level, char *err, size_t errlen)
{
    mailer *m = mailer_alloc(mc);

    if (m == NULL) {
        snprintf(err, errlen, "mailer: out of memory");
        return NULL;
    }
    snprintf(m->exe, sizeof m->exe, "%s", exe);
    snprintf(m->user, sizeof m->user, "%s", user);
    snprintf(m->log_level, sizeof m->log_level, "%s", log_level);
    if (!address_ok(m->from, 1)) {
        snprintf(err, errlen, "mail.from: not an address the mailer can send from");
        mailer_free(m);
        return NULL;
    }
    if (ca_read(m, err, errlen) != 0 || mailer_start(m, err, errlen) != 0) {
        mailer_free(m);
        return NULL;
    }
    return m;
}

mailer *mailer_adopt(int fd, const mail_config *mc)
{
    mailer *m = mailer_alloc(mc);

    if (m != NULL) {
        m->fd = fd;
        m->adopted = 1;
    }
    return m;
}

pid_t mailer_pid(mailer *m)
{
    pid_t pid;

    if (m == NULL)
        return 0;
    pthread_mutex_lock(&m->lock);
    pid = m->pid;
    pthread_mutex_unlock(&m->lock);
    return pid;
}

void mailer_check(mailer *m)
{
    char err[CONFIG_ERR_CHARS];
    int st;

    /* busy delivering: that delivery sees the end of a dead mailer itself */
    if (m == NULL || pthread_mutex_trylock(&m->lock) != 0)
        return;
    if (m->pid > 0 && waitpid(m->pid, &st, WNOHANG) == m->pid) {
        log_event("error", "mailer_died",
                  json_pack("{s:i,s:i,s:i}", "pid", (int)m->pid, "exit",
                            WIFEXITED(st) ? WEXITSTATUS(st) : -1, "signal",
                            WIFSIGNALED(st) ? WTERMSIG(st) : 0));
        m->pid = 0;
        mailer_end(m);
        if (mailer_start(m, err, sizeof err) != 0)   /* else at the next message */
            log_event("error", "mailer", json_pack("{s:s}", "error", err));
    }
    pthread_mutex_unlock(&m->lock);
}

void mailer_free(mailer *m)
{
    if (m == NULL)
        return;
    if (m->fd >= 0)
        close(m->fd);               /* the mailer sees the end of its channel and exits */
    m->fd = -1;
    if (m->pid > 0)                 /* else it is killed, or left (bounded) */
        child_end(m->pid, MAILER_EXIT_WAIT_MS, MAILER_PROCESS_NAME);
    free(m->ca);
    pthread_mutex_destroy(&m->lock);
    sodium_memzero(m, sizeof *m);
    free(m);
}

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait until fd is ready for events, or until the deadline: 1, or 0. */
static int ready_until(int fd, short events, int64_t until)
{
    struct pollfd p = { .fd = fd, .events = events };
    int64_t left = until - now_ms();
    int n;

    if (left <= 0)
        return 0;
    n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
    return n > 0 || (n < 0 && errno == EINTR && now_ms() < until);
}

/* frame_send, bounded in time: a mailer that does not read cannot hold the
 * writer. 0, or -1. */
static int send_until(int fd, uint32_t kind, const frame_out *b, int64_t until)
{
    uint32_t head[2] = { kind, (uint32_t)b->len };
    struct iovec iov[2] = { { head, sizeof head }, { b->p, b->len } };
    struct msghdr h = { .msg_iov = iov, .msg_iovlen = 2 };

    if (b->oom || b->len > UINT32_MAX)
        return -1;
    while (h.msg_iovlen > 0) {
        ssize_t n = sendmsg(fd, &h, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!ready_until(fd, POLLOUT, until))
                return -1;
            continue;
        }
        if (n <= 0)
            return -1;
        while (n > 0 && h.msg_iovlen > 0) {
            size_t step = (size_t)n < h.msg_iov->iov_len ? (size_t)n : h.msg_iov->iov_len;

            h.msg_iov->iov_base = (char *)h.msg_iov->iov_base + step;
            h.msg_iov->iov_len -= step;
            n -= (ssize_t)step;
            if (h.msg_iov->iov_len == 0) {
                h.msg_iov++;
                h.msg_iovlen--;
            }
        }
    }
    return 0;
}

/* frame_recv of an answer (at most max payload bytes), bounded in time: it is
 * read only once it is all there (or the stream ended), so a mailer that says
 * nothing, or half a frame, cannot hold the writer. 1, 0 at the end, -1 on an
 * error or a frame over max, -3 past the deadline. */
static int recv_until(int fd, size_t max, uint32_t *kind, frame_in *r, int64_t until)
{
    char peek[FRAME_HEAD_BYTES + MAILER_RESULT_MAX + 1];
    struct timespec pause = { 0, 20 * 1000 * 1000 };

    for (;;) {
        uint32_t head[2];
        ssize_t n;

        if (!ready_until(fd, POLLIN, until))
            return -3;
        n = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            return n == 0 ? 0 : -1;
        if ((size_t)n >= FRAME_HEAD_BYTES) {
            memcpy(head, peek, sizeof head);
            if (head[1] > max)
                return -1;
            if ((size_t)n >= FRAME_HEAD_BYTES + (size_t)head[1])
                return frame_recv(fd, max, kind, r, NULL);  /* all there: it does not block */
        }
        /* part of a frame: poll() would say ready again at once */
        if (now_ms() >= until)
            return -3;
        nanosleep(&pause, NULL);
    }
}

/* One exchange: 0 with *outcome and err; -1 when the request could not be
 * sent (the mailer had gone); -2 when the answer is missing or refused
 * (why says what). The whole exchange is bounded: the relay's timeout and a
 * margin (a mailer that does not answer in time is ended, the message stays
 * queued). */
static int exchange(mailer *m, const char *rcpt, const uint8_t *msg, size_t len, int *outcome,
                    char *err, size_t errlen, const char **why)
{
    frame_out b = { 0 };
    frame_in r;
    uint32_t kind = 0, oc;
    const char *reason;
    unsigned margin = m->mc.answer_margin_s ? m->mc.answer_margin_s : MAILER_ANSWER_MARGIN_S;
    int64_t until = now_ms() + ((int64_t)m->mc.timeout_s + margin) * 1000;
    int got, sent;

    frame_put_str(&b, m->from);
    frame_put_str(&b, rcpt);
    frame_put_bytes(&b, msg, len);
    sent = send_until(m->fd, MAILER_SEND, &b, until);
    if (b.p != NULL)
        sodium_memzero(b.p, b.len);         /* one-time links */
    free(b.p);
    if (sent != 0) {
        *why = "the request could not be sent";
        return -1;
    }
    got = recv_until(m->fd, MAILER_RESULT_MAX, &kind, &r, until);
    if (got != 1) {
        *why = got == 0 ? "no answer" : got == -3 ? "no answer in time"
                                                  : "an answer too large or cut";
        return -2;
    }
    oc = frame_get_u32(&r);
    reason = frame_get_str(&r);
    if (kind != MAILER_RESULT || r.bad || r.off != r.len || oc > 2 ||
        (reason != NULL && !printable(reason))) {
        free(r.mem);
        *why = kind != MAILER_RESULT ? "an answer of another kind" : "a malformed answer";
        return -2;
    }
    *outcome = (int)oc;
    snprintf(err, errlen, "%s", reason != NULL ? reason : "");
    free(r.mem);
    return 0;
}

int mailer_transport(void *cls, const char *rcpt_to, const uint8_t *msg, size_t len,
                     char *err, size_t errlen)
{
    mailer *m = cls;
    int outcome = 1, rc = -1;
    const char *why = "";

    if (!address_ok(rcpt_to, 0) || len == 0 || len > MAILER_MESSAGE_MAX) {
        snprintf(err, errlen, "message or recipient beyond the mailer's bounds");
        return 2;
    }
    pthread_mutex_lock(&m->lock);
    /* a mailer gone before it had the message: a new one gets it, once */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (m->fd < 0 && (m->adopted || mailer_start(m, err, errlen) != 0))
            break;
        rc = exchange(m, rcpt_to, msg, len, &outcome, err, errlen, &why);
        if (rc == 0)
            break;
        mailer_log(rc == -1 ? "mailer_gone" : "mailer_refused", why, m->pid);
        mailer_end(m);
        if (rc == -2)
            break;          /* it may have sent it: retried later, at least once */
    }
    pthread_mutex_unlock(&m->lock);
    if (rc != 0) {
        snprintf(err, errlen, "the mailer process failed");
        return 1;
    }
    return outcome;
}

/* ---- the mailer process ---- */

static void answer(int fd, int outcome, const char *reason)
{
    char r[MAILER_REASON_CHARS];
    frame_out b = { 0 };

    snprintf(r, sizeof r, "%s", reason);
    for (char *p = r; *p; p++)              /* printable ASCII only */
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    frame_put_u32(&b, (uint32_t)outcome);
    frame_put_str(&b, r);
    if (frame_send(fd, MAILER_RESULT, &b, -1) != 0)
        _exit(1);
    free(b.p);
}

/* The relay's host is an address (no resolver needed, so an empty root). */
static int relay_is_address(const char *relay)
{
    CURLU *u = curl_url();
    char *host = NULL;
    unsigned char a[16];
    int ip = 0;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, relay, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        size_t n = strlen(host);

        if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
            host[n - 1] = '\0';
            ip = inet_pton(AF_INET6, host + 1, a) == 1;
        } else {
            ip = inet_pton(AF_INET, host, a) == 1;
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return ip;
}

/* Load the resolver's configuration (resolv.conf, nsswitch.conf, gai.conf)
 * before the sandbox, by resolving the relay's host once: inside, glibc
 * finds resolv.conf unchanged (stat) and opens no file. */
static void resolver_warm(const char *relay)
{
    CURLU *u = curl_url();
    char *host = NULL;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, relay, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        getaddrinfo(host, NULL, &hints, &res) == 0)
        freeaddrinfo(res);
    curl_free(host);
    curl_url_cleanup(u);
}

int mailer_main(const char *parent)
{
    char err[CONFIG_ERR_CHARS], *relay, *user, *pass, *sandbox_user, *level, *ca;
    mail_config mc;
    frame_in r;
    frame_out ready = { 0 };
    uint32_t kind = 0;
    sigset_t none;
    size_t ca_len = 0;
    CURL *c;
    int fd = MAILER_FD;

    /* first of all: a name apart, and no life beyond the writer's */
    if (prctl(PR_SET_NAME, MAILER_PROCESS_NAME) != 0 ||
        prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != (pid_t)atoi(parent))
        _exit(1);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);  /* the writer's mask came through exec */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_IGN);                /* the daemon stops it by closing the channel */
    signal(SIGPIPE, SIG_IGN);
    if (frame_recv(fd, MAILER_CONFIG_MAX, &kind, &r, NULL) != 1 || kind != MAILER_CONFIG)
        _exit(1);
    memset(&mc, 0, sizeof mc);
    relay = frame_get_str(&r);
    mc.starttls = (int)frame_get_u32(&r);
    mc.timeout_s = frame_get_u32(&r);
    user = frame_get_str(&r);
    pass = frame_get_str(&r);
    sandbox_user = frame_get_str(&r);
    level = frame_get_str(&r);
    ca = frame_get_bytes(&r, &ca_len);
    if (r.bad || r.off != r.len || relay == NULL || strlen(relay) >= sizeof mc.relay ||
        (user != NULL && strlen(user) >= sizeof mc.username) ||
        (pass != NULL && strlen(pass) >= sizeof mc.password) || sandbox_user == NULL ||
        level == NULL || mc.timeout_s < 1 || mc.timeout_s > 600) {
        log_event("error", "mailer", json_pack("{s:s}", "error", "malformed settings"));
        _exit(1);
    }
    strcpy(mc.relay, relay);
    snprintf(mc.username, sizeof mc.username, "%s", user != NULL ? user : "");
    snprintf(mc.password, sizeof mc.password, "%s", pass != NULL ? pass : "");
    mc.ca_blob = (const uint8_t *)ca;       /* in r.mem, kept for the process's life */
    mc.ca_blob_len = ca_len;
    if (pass != NULL)
        sodium_memzero(pass, strlen(pass));
    log_set_level(level);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (c = curl_easy_init()) == NULL)
        _exit(1);
    resolver_warm(mc.relay);
    if (sandbox_enter_mailer(sandbox_user, relay_is_address(mc.relay), err, sizeof err) != 0) {
        log_event("error", "mailer_sandbox", json_pack("{s:s}", "error", err));
        _exit(1);
    }
    if (frame_send(fd, MAILER_READY, &ready, -1) != 0)
        _exit(1);
    for (;;) {
        frame_in q;
        char *from, *rcpt, *msg, why[MAILER_REASON_CHARS] = "";
        size_t len = 0;
        int got = frame_recv(fd, MAILER_SEND_MAX, &kind, &q, NULL), outcome;

        if (got <= 0)
            _exit(got == 0 ? 0 : 1);        /* the writer is gone, or the stream is broken */
        from = frame_get_str(&q);
        rcpt = frame_get_str(&q);
        msg = frame_get_bytes(&q, &len);
        if (kind != MAILER_SEND || q.bad || q.off != q.len || !address_ok(from, 1) ||
            !address_ok(rcpt, 0) || len == 0 || len > MAILER_MESSAGE_MAX) {
            answer(fd, 2, "malformed request");
        } else {
            outcome = mail_smtp_deliver(c, &mc, from, rcpt, (const uint8_t *)msg, len, why,
                                        sizeof why);
            answer(fd, outcome, why);
        }
        sodium_memzero(q.mem, FRAME_HEAD_BYTES + q.len);
        free(q.mem);
    }
}
