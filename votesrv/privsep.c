/* privsep.c - privilege separation: the network-facing worker process, which
 * speaks HTTP in a sandbox, and the writer's side of the channels on which it
 * hands every request to the process that holds the stores.
 *
 * A channel is a Unix stream socket carrying frames (frame.c: a header, u32
 * kind and u32 payload length, then the payload; strings and byte strings
 * with a u32 length). The worker sends PRIVSEP_REQUEST and gets one
 * PRIVSEP_RESPONSE back, with a file descriptor (SCM_RIGHTS) for file bodies;
 * the control channel carries PRIVSEP_READY (the bound port) once. */
#define _GNU_SOURCE
#include "server.h"
#include "endpoints.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESPONSE_MAX ((size_t)256 << 20)
#define REQUEST_EXTRA ((size_t)64 << 10)    /* besides the body and the form: headers */
#define STOP_GRACE_S 10

/* ---- the writer's side ---- */

/* The daemon's routes of each listener: the writer routes with them, and a
 * response names its route by index in them, for the worker's log. */
static const http_route *table(int internal, size_t *n)
{
    *n = internal ? votesrv_internal_nroutes : votesrv_nroutes;
    return internal ? votesrv_internal_routes : votesrv_routes;
}

static void refused(const char *why)
{
    log_event("error", "privsep_refused", json_pack("{s:s}", "reason", why));
}

/* Decode a request into req, form, body; 0, or -1 when it is malformed. */
static int request_decode(frame_in *r, http_request *req, http_kv *kv, http_form *form,
                          const char **body, size_t *len, int *refuse, int *msg)
{
    uint32_t nkv, nform;

    req->internal = (int)frame_get_u32(r);
    *refuse = (int)frame_get_u32(r);
    *msg = (int)frame_get_u32(r);
    req->method = frame_get_str(r);
    req->path = frame_get_str(r);
    req->client = frame_get_str(r);
    nkv = frame_get_u32(r);
    if (r->bad || req->method == NULL || req->path == NULL || req->client == NULL ||
        req->internal < 0 || req->internal > 1 || nkv > HTTP_KV_MAX || (*refuse != 0 && (*refuse < 400 || *refuse > 599)) ||
        *msg < 0 || *msg >= MSG_COUNT)
        return -1;
    for (uint32_t i = 0; i < nkv; i++) {
        kv[i].kind = (int)frame_get_u32(r);
        kv[i].name = frame_get_str(r);
        kv[i].value = frame_get_str(r);
        if (r->bad || kv[i].name == NULL || kv[i].kind < HTTP_KV_QUERY ||
            kv[i].kind > HTTP_KV_COOKIE)
            return -1;
    }
    req->kv = kv;
    req->nkv = nkv;
    form->bad = (int)frame_get_u32(r);
    nform = frame_get_u32(r);
    if (r->bad || form->bad < 0 || form->bad > 1 || nform > HTTP_FORM_FIELDS)
        return -1;
    for (uint32_t i = 0; i < nform; i++) {
        form->f[i].name = frame_get_str(r);
        form->f[i].value = frame_get_str(r);
        if (r->bad || form->f[i].name == NULL || form->f[i].value == NULL)
            return -1;
        form->f[i].len = strlen(form->f[i].value);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(form->f[j].name, form->f[i].name) == 0)
                return -1;              /* the worker refuses a repeated field */
    }
    form->n = nform;
    *body = frame_get_bytes(r, len);
    return r->bad || r->off != r->len ? -1 : 0;
}

/* What the worker derives from the request itself, derived here again from
 * what it sent: a worker cannot claim another language or page kind. */
static void request_derive(http_request *req)
{
    const char *q = http_query(req, "lang");

    req->is_page = strncmp(req->path, "/api/", 5) != 0 && strcmp(req->path, "/healthz") != 0 &&
                   strcmp(req->path, "/metrics") != 0;
    req->lang_chosen = q != NULL;
    req->lang = i18n_pick(q != NULL ? q : http_cookie(req, "votesrv_lang"),
                          http_header(req, "Accept-Language"));
    req->session = http_cookie(req, "votesrv_session");
}

static int response_send(int sock, const http_request *req, http_response *res)
{
    size_t n, route = 0;
    const http_route *routes = table(req->internal, &n);
    frame_out b = { 0 };
    char *body = NULL;
    const char *type = res->content_type;
    int rc;

    if (res->has_fd) {
        /* the file goes as a descriptor, with its own content type */
    } else if (res->json != NULL) {
        body = json_dumps(res->json, JSON_COMPACT);
        type = "application/json; charset=utf-8";
    } else {
        body = res->text;
        res->text = NULL;
    }
    for (size_t i = 0; req->route != NULL && i < n; i++)
        if (routes[i].pattern == req->route)
            route = i + 1;
    frame_put_u32(&b, (uint32_t)res->status);
    frame_put_u32(&b, (uint32_t)route);
    frame_put_u32(&b, (uint32_t)(res->close_connection != 0));
    frame_put_u32(&b, (uint32_t)(res->cache_static != 0));
    frame_put_u32(&b, (uint32_t)(res->has_fd != 0));
    frame_put_u64(&b, res->fd_size);
    frame_put_str(&b, type);
    frame_put_str(&b, res->allow);
    frame_put_str(&b, res->location);
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        frame_put_str(&b, res->set_cookie[i]);
    frame_put_u64(&b, (uint64_t)res->retry_after);
    frame_put_str(&b, body);
    rc = frame_send(sock, PRIVSEP_RESPONSE, &b, res->has_fd ? res->fd : -1);
    free(body);
    free(b.p);
    return rc;
}

static void response_free(http_response *res)
{
    json_decref(res->json);
    free(res->text);
    if (res->has_fd)
        close(res->fd);
    memset(res, 0, sizeof *res);
}

int privsep_serve(http_ctx *ctx, int sock)
{
    size_t max = 2 * ctx->cfg->max_body_bytes + REQUEST_EXTRA;

    for (;;) {
        http_kv kv[HTTP_KV_MAX];
        http_form form;
        http_request req;
        http_response res;
        const char *body = NULL;
        size_t len = 0;
        int refuse = 0, msg = 0, got, rc;
        uint32_t kind = 0;
        frame_in r;

        got = frame_recv(sock, max, &kind, &r, NULL);
        if (got <= 0) {
            if (got < 0)
                refused("frame");       /* too large or cut: the stream cannot go on */
            free(r.mem);
            shutdown(sock, SHUT_RDWR);  /* the worker sees it: no request left waiting */
            return got;
        }
        memset(&req, 0, sizeof req);
        memset(&res, 0, sizeof res);
        memset(&form, 0, sizeof form);
        req.ctx = ctx;
        atomic_fetch_add(&ctx->in_flight, 1);
        if (kind != PRIVSEP_REQUEST) {
            refused("kind");
            req.path = "";
            http_refuse(ctx, &req, 400, MSG_FIELD, &res);
        } else if (request_decode(&r, &req, kv, &form, &body, &len, &refuse, &msg) != 0) {
            refused("request");
            memset(&req, 0, sizeof req);
            req.path = "";
            http_refuse(ctx, &req, 400, MSG_FIELD, &res);
        } else {
            size_t nroutes;
            const http_route *routes = table(req.internal, &nroutes);

            request_derive(&req);
            if (refuse != 0)
                http_refuse(ctx, &req, refuse, msg, &res);
            else
                http_dispatch(ctx, routes, nroutes, &req, body, len, &form, &res);
        }
        rc = response_send(sock, &req, &res);
        atomic_fetch_sub(&ctx->in_flight, 1);
        response_free(&res);
        sodium_memzero(r.mem, FRAME_HEAD_BYTES + r.len);     /* passwords pass through here */
        free(r.mem);
        if (rc != 0) {
            shutdown(sock, SHUT_RDWR);
            return -1;
        }
    }
}

static void *writer_thread(void *arg)
{
    privsep *ps = arg;
    size_t i;

    pthread_mutex_lock(&ps->lock);
    i = ps->started++;
    pthread_mutex_unlock(&ps->lock);
    privsep_serve(ps->ctx, ps->fds[i]);
    return NULL;
}

/* ---- the worker ---- */

typedef struct {
    int *fds;
    unsigned char *busy;         /* taken, or dead */
    size_t n, alive;
    pthread_mutex_t lock;
    pthread_cond_t free;
} chan_pool;

static size_t chan_take(chan_pool *p)
{
    size_t i;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (i = 0; i < p->n && p->busy[i]; i++)
            ;
        if (i < p->n)
            break;
        pthread_cond_wait(&p->free, &p->lock);
    }
    p->busy[i] = 1;
    pthread_mutex_unlock(&p->lock);
    return i;
}

static void chan_give(chan_pool *p, size_t i)
{
    pthread_mutex_lock(&p->lock);
    p->busy[i] = 0;
    pthread_cond_signal(&p->free);
    pthread_mutex_unlock(&p->lock);
}

static void request_encode(frame_out *b, const http_request *req, const char *body, size_t len,
                           const http_form *form, int refuse, int msg)
{
    frame_put_u32(b, (uint32_t)(req->internal != 0));
    frame_put_u32(b, (uint32_t)refuse);
    frame_put_u32(b, (uint32_t)msg);
    frame_put_str(b, req->method);
    frame_put_str(b, req->path);
    frame_put_str(b, req->client != NULL ? req->client : "unknown");
    frame_put_u32(b, (uint32_t)req->nkv);
    for (size_t i = 0; i < req->nkv; i++) {
        frame_put_u32(b, (uint32_t)req->kv[i].kind);
        frame_put_str(b, req->kv[i].name);
        frame_put_str(b, req->kv[i].value);
    }
    frame_put_u32(b, (uint32_t)(form->bad != 0));
    frame_put_u32(b, form->bad ? 0 : (uint32_t)form->n);
    for (size_t i = 0; !form->bad && i < form->n; i++) {
        frame_put_str(b, form->f[i].name);
        frame_put_str(b, form->f[i].value);
    }
    frame_put_bytes(b, body != NULL ? body : "", len);
}

static int response_decode(frame_in *r, int fd, http_request *req, http_response *res)
{
    const char *type, *allow, *location, *cookie[HTTP_COOKIES], *body;
    size_t n;
    const http_route *routes = table(req->internal, &n);
    uint32_t route;

    res->status = (int)frame_get_u32(r);
    route = frame_get_u32(r);
    res->close_connection = (int)frame_get_u32(r);
    res->cache_static = (int)frame_get_u32(r);
    res->has_fd = (int)frame_get_u32(r);
    res->fd_size = frame_get_u64(r);
    type = frame_get_str(r);
    allow = frame_get_str(r);
    location = frame_get_str(r);
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        cookie[i] = frame_get_str(r);
    res->retry_after = (int64_t)frame_get_u64(r);
    body = frame_get_str(r);
    if (r->bad || r->off != r->len || (res->has_fd && fd < 0) || route > n)
        return -1;
    req->route = route > 0 ? routes[route - 1].pattern : NULL;
    if (res->has_fd)
        res->fd = fd;
    else if (fd >= 0)
        close(fd);
    if (type != NULL) {
        snprintf(res->type_buf, sizeof res->type_buf, "%s", type);
        res->content_type = res->type_buf;
    }
    snprintf(res->allow, sizeof res->allow, "%s", allow ? allow : "");
    snprintf(res->location, sizeof res->location, "%s", location ? location : "");
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        snprintf(res->set_cookie[i], HTTP_COOKIE_CHARS, "%s", cookie[i] ? cookie[i] : "");
    if (body != NULL && (res->text = strdup(body)) == NULL)
        return -1;
    return 0;
}

/* http_ctx.forward in the worker: one exchange on a free channel. */
static void worker_forward(void *cls, http_request *req, const char *body, size_t len,
                           const http_form *form, int refuse, int msg, http_response *res)
{
    chan_pool *p = cls;
    size_t i = chan_take(p);
    frame_out b = { 0 };
    frame_in r = { 0 };
    uint32_t kind = 0;
    int fd = -1, ok = 0;

    request_encode(&b, req, body, len, form, refuse, msg);
    if (frame_send(p->fds[i], PRIVSEP_REQUEST, &b, -1) == 0 &&
        frame_recv(p->fds[i], RESPONSE_MAX, &kind, &r, &fd) == 1 && kind == PRIVSEP_RESPONSE)
        ok = response_decode(&r, fd, req, res) == 0;
    else if (fd >= 0)
        close(fd);
    if (b.p != NULL)
        sodium_memzero(b.p, b.len);
    free(b.p);
    free(r.mem);
    if (ok) {
        chan_give(p, i);
        return;
    }
    /* its writer thread has gone: this channel stays taken; none left, the
     * writer is gone and so is the worker */
    log_event("error", "privsep_channel", NULL);
    pthread_mutex_lock(&p->lock);
    if (--p->alive == 0)
        _exit(1);
    pthread_mutex_unlock(&p->lock);
    free(res->text);
    memset(res, 0, sizeof *res);
    http_error(req, res, 503, MSG_INTERNAL);
}

static volatile sig_atomic_t worker_stop;

static void on_stop(int sig)
{
    worker_stop = sig;
}

/* Until SIGTERM or SIGINT, or the end of the control channel: the writer,
 * once it has changed user, may not signal a worker of another user, and
 * closes the channel instead. */
static void stop_wait(int ctl)
{
    struct pollfd p = { .fd = ctl, .events = POLLIN };
    sigset_t open;

    pthread_sigmask(SIG_SETMASK, NULL, &open);
    sigdelset(&open, SIGTERM);
    sigdelset(&open, SIGINT);
    while (!worker_stop && ppoll(&p, 1, NULL, &open) < 0 && errno == EINTR)
        ;
}

static void worker_main(const config *cfg, int ctl, int *fds, size_t n, pid_t parent)
{
    static chan_pool pool;
    static http_ctx ctx;
    http_server *http, *internal;
    struct sigaction sa = { .sa_handler = on_stop };
    char err[CONFIG_ERR_CHARS];
    int *keep = malloc((n + 1) * sizeof *keep);
    frame_out b = { 0 };

    /* ps and /proc show it apart from the writer; its threads inherit the name */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || keep == NULL ||
        prctl(PR_SET_NAME, PRIVSEP_WORKER_NAME) != 0)
        _exit(1);
    keep[0] = ctl;
    memcpy(keep + 1, fds, n * sizeof *fds);
    sandbox_close_fds(keep, n + 1);
    free(keep);
    pool.fds = fds;
    pool.n = pool.alive = n;
    pool.busy = calloc(n, 1);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.free, NULL);
    ctx.cfg = cfg;
    ctx.started = (int64_t)time(NULL);
    ctx.forward = worker_forward;
    ctx.forward_cls = &pool;
    sigemptyset(&sa.sa_mask);
    if (pool.busy == NULL || sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0)
        _exit(1);
    http = http_start(&ctx, votesrv_routes, votesrv_nroutes, err, sizeof err);
    internal = http == NULL ? NULL
                            : http_start_internal(&ctx, votesrv_internal_routes,
                                                  votesrv_internal_nroutes, err, sizeof err);
    if (internal == NULL) {
        log_event("error", "listen", json_pack("{s:s}", "error", err));
        _exit(1);
    }
    if (sandbox_enter_worker(cfg, err, sizeof err) != 0) {
        log_event("error", "sandbox", json_pack("{s:s}", "error", err));
        _exit(1);
    }
    frame_put_u32(&b, (uint32_t)http_port(http));
    frame_put_u32(&b, (uint32_t)http_port(internal));
    if (frame_send(ctl, PRIVSEP_READY, &b, -1) != 0)
        _exit(1);
    free(b.p);
    stop_wait(ctl);
    http_stop(http, STOP_GRACE_S);
    http_stop(internal, 0);
    _exit(0);           /* no exit handlers: the sanitizers' leak check cannot run here */
}

/* ---- the parent ---- */

int privsep_fork(privsep *ps, const config *cfg, char *err, size_t errlen)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cfg->threads != 0 ? cfg->threads : 16 * (size_t)(cores > 0 ? cores : 1);
    int sv[2], *worker_fds;
    pid_t parent = getpid();

    memset(ps, 0, sizeof *ps);
    ps->ctl = -1;
    pthread_mutex_init(&ps->lock, NULL);
    ps->fds = calloc(n, sizeof *ps->fds);
    worker_fds = calloc(n, sizeof *worker_fds);
    if (ps->fds == NULL || worker_fds == NULL) {
        free(worker_fds);
        snprintf(err, errlen, "privsep: out of memory");
        return -1;
    }
    for (size_t i = 0; i <= n; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            snprintf(err, errlen, "privsep: socketpair: %s", strerror(errno));
            return -1;
        }
        if (i == n) {
            ps->ctl = sv[0];
            ps->worker_ctl = sv[1];
        } else {
            ps->fds[i] = sv[0];
            worker_fds[i] = sv[1];
        }
        ps->n = i < n ? i + 1 : n;
    }
    fflush(NULL);
    ps->pid = fork();
    if (ps->pid < 0) {
        snprintf(err, errlen, "privsep: fork: %s", strerror(errno));
        return -1;
    }
    if (ps->pid == 0)
        worker_main(cfg, ps->worker_ctl, worker_fds, n, parent);
    for (size_t i = 0; i < n; i++)
        close(worker_fds[i]);
    close(ps->worker_ctl);
    ps->worker_ctl = -1;
    free(worker_fds);
    return 0;
}

int privsep_serve_start(privsep *ps, http_ctx *ctx)
{
    ps->ctx = ctx;
    ps->threads = calloc(ps->n, sizeof *ps->threads);
    if (ps->threads == NULL)
        return -1;
    for (size_t i = 0; i < ps->n; i++) {
        if (pthread_create(&ps->threads[i], NULL, writer_thread, ps) != 0)
            return -1;
        ps->nthreads++;
    }
    return 0;
}

int privsep_wait_ready(privsep *ps, int *internal_port)
{
    uint32_t kind = 0, port = 0, internal = 0;
    frame_in r;
    int got = frame_recv(ps->ctl, 64, &kind, &r, NULL);

    if (got == 1 && kind == PRIVSEP_READY) {
        port = frame_get_u32(&r);
        internal = frame_get_u32(&r);
    }
    free(r.mem);
    if (got != 1 || kind != PRIVSEP_READY || r.bad || port == 0 || port > 65535 ||
        internal == 0 || internal > 65535)
        return -1;
    *internal_port = (int)internal;
    return (int)port;
}

int privsep_worker_gone(privsep *ps)
{
    int status;

    if (ps->pid <= 0 || waitpid(ps->pid, &status, WNOHANG) != ps->pid)
        return 0;
    log_event("error", "worker_died",
              json_pack("{s:i,s:i}", "exit", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                        "signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0));
    ps->pid = 0;
    return 1;
}

void privsep_stop(privsep *ps)
{
    if (ps->pid > 0) {
        /* it finishes the requests in flight, then exits; a writer that changed
         * user cannot signal it, and ends the control channel instead */
        kill(ps->pid, SIGTERM);
        if (ps->ctl >= 0)
            shutdown(ps->ctl, SHUT_RDWR);
        while (waitpid(ps->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        ps->pid = 0;
    }
    /* the worker's ends are closed: each writer thread sees the end of its stream */
    for (size_t i = 0; i < ps->nthreads; i++)
        pthread_join(ps->threads[i], NULL);
    for (size_t i = 0; i < ps->n; i++)
        close(ps->fds[i]);
    if (ps->ctl >= 0)
        close(ps->ctl);
    free(ps->threads);
    free(ps->fds);
    pthread_mutex_destroy(&ps->lock);
    memset(ps, 0, sizeof *ps);
    ps->ctl = -1;
}
