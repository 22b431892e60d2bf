/* signer.c - the signer in-process, or as a process of its own behind a
 * socketpair of typed, fixed-size requests. */
#include "signer_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "votesrv/config.h"
#include "votesrv/log.h"
#include "votesrv/server.h"

#define ANSWER_MAX (4 + sizeof(signer_keys))

int signer_refuse(signer *g, const char *kind, const char *why)
{
    (void)g;
    log_event("warn", "signer-refused", json_pack("{s:s,s:s}", "kind", kind, "why", why));
    return SIGNER_REFUSED;
}

static signer *signer_alloc(void)
{
    signer *g = calloc(1, sizeof *g);

    if (g == NULL)
        return NULL;
    g->fd = -1;
    pthread_mutex_init(&g->lock, NULL);
    return g;
}

signer *signer_local_new(const uint8_t sk[64], const uint8_t *pepper, store *s)
{
    signer *g = signer_alloc();

    if (g == NULL)
        return NULL;
    memcpy(g->sk, sk, 64);
    if (pepper != NULL) {
        uint8_t pk[32];

        crypto_sign_ed25519_sk_to_pk(pk, sk);
        signer_keys_derive(&g->keys, pepper, pk);
        g->has_keys = 1;
    }
    g->store = s;
    return g;
}

void signer_attach(signer *g, store *s)
{
    if (g != NULL && !g->remote)
        g->store = s;
}

pid_t signer_pid(const signer *g)
{
    return g != NULL ? g->pid : 0;
}

int signer_gone(signer *g)
{
    int st;

    if (g == NULL || !g->remote || g->pid <= 0 || waitpid(g->pid, &st, WNOHANG) != g->pid)
        return 0;
    log_event("error", "signer-gone", json_pack("{s:i,s:i}", "pid", (int)g->pid, "status", st));
    g->pid = 0;
    return 1;
}

void signer_free(signer *g)
{
    if (g == NULL)
        return;
    if (g->remote) {
        close(g->fd);                   /* the signer sees the end of its channel and exits */
        while (g->pid > 0 && waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (g->own_store)
        store_close(g->store);
    free(g->signed_seqs);
    pthread_mutex_destroy(&g->lock);
    sodium_memzero(g, sizeof *g);
    free(g);
}

/* ---- the checks, on a transaction of the holder's ---- */

typedef struct {
    signer *g;
    int kind;
    uint64_t seq;
    box_receipt *r;
    store_checkpoint *cp;
    const char *request;
    uint8_t *sig;
    signer_end_line *end;
    int result;
} core_job;

static int run_core(store_tx *tx, void *arg)
{
    core_job *j = arg;

    switch (j->kind) {
    case SIGNER_KIND_RECEIPT:
    case SIGNER_KIND_RECEIPT_AGAIN:
        j->result = signer_core_receipt(j->g, tx, j->r);
        break;
    case SIGNER_KIND_CHECKPOINT:
        j->result = signer_core_checkpoint(j->g, tx, j->seq, j->cp);
        break;
    case SIGNER_KIND_ARCHIVE_END:
        j->result = signer_core_archive_end(j->g, tx, j->end);
        break;
    default:
        j->result = signer_core_reissue(j->g, tx, j->request, j->sig);
        break;
    }
    return STORE_OK;
}

/* The holder runs j, on tx or on a read transaction of its store. */
static int core_run(signer *g, store_tx *tx, core_job *j)
{
    int rc;

    j->g = g;
    j->result = SIGNER_EIO;
    pthread_mutex_lock(&g->lock);
    if (tx != NULL)
        rc = run_core(tx, j);
    else if (g->store == NULL)
        rc = STORE_EIO;
    else
        rc = store_read(g->store, run_core, j);
    pthread_mutex_unlock(&g->lock);
    return rc == STORE_OK ? j->result : SIGNER_EIO;
}

/* ---- the writer's end of the channel ---- */

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Send msg and read the answer into ans (ANSWER_MAX bytes), under the lock:
 * the answer's length, or -1. */
static ssize_t signer_send_msg(signer *g, const void *msg, size_t len, uint8_t ans[ANSWER_MAX])
{
    ssize_t n;

    pthread_mutex_lock(&g->lock);
    n = send(g->fd, msg, len, MSG_NOSIGNAL);
    if (n == (ssize_t)len)
        do
            n = recv(g->fd, ans, ANSWER_MAX, 0);
        while (n < 0 && errno == EINTR);
    else
        n = -1;
    pthread_mutex_unlock(&g->lock);
    return n;
}

/* Send one request, read one answer: its status, and want bytes into out. */
static int ask(signer *g, uint32_t kind, const void *payload, size_t len, void *out,
               size_t want)
{
    uint8_t req[4 + SIGNER_REQUEST_MAX], ans[ANSWER_MAX];
    ssize_t n;
    int32_t status;

    if (len > SIGNER_REQUEST_MAX)
        return SIGNER_EIO;
    memcpy(req, &kind, 4);
    if (len > 0)
        memcpy(req + 4, payload, len);
    n = signer_send_msg(g, req, 4 + len, ans);
    if (n < 4)
        return SIGNER_EIO;
    memcpy(&status, ans, 4);
    if (status != SIGNER_OK)
        return status == SIGNER_REFUSED ? SIGNER_REFUSED : SIGNER_EIO;
    if ((size_t)n != 4 + want)
        return SIGNER_EIO;
    memcpy(out, ans + 4, want);
    return SIGNER_OK;
}

int signer_raw(signer *g, const void *msg, size_t len)
{
    uint8_t ans[ANSWER_MAX];
    ssize_t n;
    int32_t status;

    if (!g->remote)
        return SIGNER_EIO;
    n = signer_send_msg(g, msg, len, ans);
    if (n < 4)
        return SIGNER_EIO;
    memcpy(&status, ans, 4);
    return status;
}

/* ---- the interface ---- */

int signer_keys_get(signer *g, signer_keys *out)
{
    if (!g->has_keys)
        return SIGNER_EIO;
    *out = g->keys;
    return SIGNER_OK;
}

int signer_receipt(signer *g, store_tx *tx, box_receipt *r)
{
    uint8_t req[SIGNER_RECEIPT_FIXED + STORE_SCRUTIN_CHARS], ans[32 + 64];
    size_t sl = strnlen(r->scrutin, sizeof r->scrutin);
    uint32_t kind = r->already_recorded ? SIGNER_KIND_RECEIPT_AGAIN : SIGNER_KIND_RECEIPT;
    core_job j = { .kind = (int)kind, .r = r };
    int rc;

    if (!g->remote)
        return core_run(g, tx, &j);
    if (sl == 0 || sl > STORE_SCRUTIN_CHARS)
        return SIGNER_EIO;
    memcpy(req, r->tracker, 32);
    put_le64(req + 32, r->count);
    memcpy(req + 40, r->digest, 32);
    memcpy(req + SIGNER_RECEIPT_FIXED, r->scrutin, sl);
    rc = ask(g, kind, req, SIGNER_RECEIPT_FIXED + sl, ans, sizeof ans);
    if (rc == SIGNER_OK) {
        memcpy(r->fp, ans, 32);
        memcpy(r->signature, ans + 32, 64);
    }
    return rc;
}

int signer_checkpoint(signer *g, store_tx *tx, uint64_t seq, store_checkpoint *out)
{
    uint8_t req[8], ans[32 + 64];
    core_job j = { .kind = SIGNER_KIND_CHECKPOINT, .seq = seq, .cp = out };
    int rc;

    if (!g->remote)
        return core_run(g, tx, &j);
    put_le64(req, seq);
    rc = ask(g, SIGNER_KIND_CHECKPOINT, req, sizeof req, ans, sizeof ans);
    if (rc == SIGNER_OK) {
        out->seq = seq;
        memcpy(out->hash, ans, 32);
        memcpy(out->signature, ans + 32, 64);
    }
    return rc;
}

int signer_reissue(signer *g, store_tx *tx, const char request[SIGNER_REQUEST_ID_CHARS + 1],
                   uint8_t signature[64])
{
    core_job j = { .kind = SIGNER_KIND_REISSUE, .request = request, .sig = signature };

    if (strlen(request) != SIGNER_REQUEST_ID_CHARS)
        return SIGNER_EIO;
    if (!g->remote)
        return core_run(g, tx, &j);
    return ask(g, SIGNER_KIND_REISSUE, request, SIGNER_REQUEST_ID_CHARS, signature, 64);
}

int signer_archive_end(signer *g, store_tx *tx, signer_end_line *out)
{
    uint8_t ans[SIGNER_END_ANSWER];
    core_job j = { .kind = SIGNER_KIND_ARCHIVE_END, .end = out };
    size_t k = sizeof out->state;
    int rc;

    if (!g->remote)
        return core_run(g, tx, &j);
    rc = ask(g, SIGNER_KIND_ARCHIVE_END, NULL, 0, ans, sizeof ans);
    if (rc != SIGNER_OK)
        return rc;
    memset(out, 0, sizeof *out);
    memcpy(out->state, ans, k - 1);               /* NUL-terminated whatever it sent */
    out->checkpoints = get_le64(ans + k);
    out->last_seq = get_le64(ans + k + 8);
    memcpy(out->last_hash, ans + k + 16, 32);
    memcpy(out->signature, ans + k + 48, 64);
    return SIGNER_OK;
}

/* ---- the signer process ---- */

static int reply(int fd, int32_t status, const void *payload, size_t len)
{
    uint8_t ans[ANSWER_MAX];

    memcpy(ans, &status, 4);
    if (len > 0)
        memcpy(ans + 4, payload, len);
    return send(fd, ans, 4 + len, MSG_NOSIGNAL) == (ssize_t)(4 + len) ? 0 : -1;
}

/* The stores, opened read-only at the first request that needs them (the
 * writer creates them). */
static int own_store(signer *g)
{
    char err[300];

    if (g->store != NULL)
        return 0;
    g->sc.box_key = g->keys.box_key;
    g->sc.readers = 1;
    g->sc.readonly = 1;
    g->store = store_open(&g->sc, err, sizeof err);
    if (g->store == NULL) {
        log_event("error", "signer-store", json_pack("{s:s}", "error", err));
        return -1;
    }
    g->own_store = 1;
    return 0;
}

static int ok_name(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f)
            return 0;
    return 1;
}

static int ok_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    return 1;
}

/* One request: its kind, its exact size, then the checks. */
static void serve_one(signer *g, int fd, const uint8_t *msg, size_t n)
{
    uint32_t kind;
    size_t len;
    core_job j = { .kind = 0 };
    int rc;

    if (n < 4 || n > 4 + SIGNER_REQUEST_MAX) {
        reply(fd, signer_refuse(g, "malformed", n < 4 ? "shorter than a kind" : "oversized"),
              NULL, 0);
        return;
    }
    memcpy(&kind, msg, 4);
    msg += 4;
    len = n - 4;
    if (kind == SIGNER_KIND_KEYS && len == 0) {
        reply(fd, SIGNER_OK, &g->keys, sizeof g->keys);
        return;
    }
    if ((kind == SIGNER_KIND_RECEIPT || kind == SIGNER_KIND_RECEIPT_AGAIN) &&
        len > SIGNER_RECEIPT_FIXED &&
        len <= SIGNER_RECEIPT_FIXED + STORE_SCRUTIN_CHARS &&
        ok_name(msg + SIGNER_RECEIPT_FIXED, len - SIGNER_RECEIPT_FIXED)) {
        box_receipt r;
        uint8_t ans[32 + 64];

        memset(&r, 0, sizeof r);
        memcpy(r.tracker, msg, 32);
        r.count = get_le64(msg + 32);
        memcpy(r.digest, msg + 40, 32);
        memcpy(r.scrutin, msg + SIGNER_RECEIPT_FIXED, len - SIGNER_RECEIPT_FIXED);
        r.already_recorded = kind == SIGNER_KIND_RECEIPT_AGAIN;
        j = (core_job){ .kind = (int)kind, .r = &r };
        rc = own_store(g) == 0 ? core_run(g, NULL, &j) : SIGNER_EIO;
        memcpy(ans, r.fp, 32);
        memcpy(ans + 32, r.signature, 64);
        reply(fd, rc, ans, rc == SIGNER_OK ? sizeof ans : 0);
        return;
    }
    if (kind == SIGNER_KIND_CHECKPOINT && len == 8) {
        store_checkpoint cp;
        uint8_t ans[32 + 64];

        j = (core_job){ .kind = SIGNER_KIND_CHECKPOINT, .seq = get_le64(msg), .cp = &cp };
        rc = own_store(g) == 0 ? core_run(g, NULL, &j) : SIGNER_EIO;
        memcpy(ans, cp.hash, 32);
        memcpy(ans + 32, cp.signature, 64);
        reply(fd, rc, ans, rc == SIGNER_OK ? sizeof ans : 0);
        return;
    }
    if (kind == SIGNER_KIND_REISSUE && len == SIGNER_REQUEST_ID_CHARS &&
        ok_hex(msg, len)) {
        char request[SIGNER_REQUEST_ID_CHARS + 1];
        uint8_t sig[64];

        memcpy(request, msg, len);
        request[len] = '\0';
        j = (core_job){ .kind = SIGNER_KIND_REISSUE, .request = request, .sig = sig };
        rc = own_store(g) == 0 ? core_run(g, NULL, &j) : SIGNER_EIO;
        reply(fd, rc, sig, rc == SIGNER_OK ? sizeof sig : 0);
        return;
    }
    if (kind == SIGNER_KIND_ARCHIVE_END && len == 0) {
        signer_end_line e;
        uint8_t ans[SIGNER_END_ANSWER];
        size_t k = sizeof e.state;

        memset(&e, 0, sizeof e);
        j = (core_job){ .kind = SIGNER_KIND_ARCHIVE_END, .end = &e };
        rc = own_store(g) == 0 ? core_run(g, NULL, &j) : SIGNER_EIO;
        memcpy(ans, e.state, k);
        put_le64(ans + k, e.checkpoints);
        put_le64(ans + k + 8, e.last_seq);
        memcpy(ans + k + 16, e.last_hash, 32);
        memcpy(ans + k + 48, e.signature, 64);
        reply(fd, rc, ans, rc == SIGNER_OK ? sizeof ans : 0);
        return;
    }
    reply(fd, signer_refuse(g, "unknown", kind >= SIGNER_KIND_KEYS && kind <= SIGNER_KIND_ARCHIVE_END
                                              ? "a known kind of the wrong size or form"
                                              : "not one of the signer's kinds"),
          NULL, 0);
}

static void serve(signer *g, int fd)
{
    uint8_t msg[4 + SIGNER_REQUEST_MAX + 1];

    for (;;) {
        ssize_t n = recv(fd, msg, sizeof msg, 0);

        if (n == 0)
            return;                     /* the writer is gone */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;
        serve_one(g, fd, msg, (size_t)n);
    }
}

static void child_main(signer *g, int fd, const char *keys_path, int create, const char *user)
{
    server_keys k;
    char err[300];

    signal(SIGINT, SIG_IGN);            /* the daemon stops it by closing the channel */
    signal(SIGTERM, SIG_IGN);
    prctl(PR_SET_DUMPABLE, 0);          /* no ptrace, no /proc/PID/mem, no core, from now */
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, SIGNER_PROCESS_NAME);    /* ps and /proc show it apart */
    /* nothing of the daemon's but its channel (another process's sockets) */
    if (fd > 3)
        syscall(SYS_close_range, 3u, (unsigned)fd - 1, 0u);
    syscall(SYS_close_range, (unsigned)fd + 1, ~0u, 0u);
    if (server_keys_load(&k, keys_path, create, err, sizeof err) != 0) {
        reply(fd, SIGNER_EIO, err, strnlen(err, sizeof err - 1) + 1);
        _exit(2);
    }
    memcpy(g->sk, k.audit_sk, 64);
    signer_keys_derive(&g->keys, k.pepper, k.audit_pk);
    sodium_memzero(&k, sizeof k);
    /* the keys read (as root if started so): its own user, and its filter,
     * before the first request is read; the stores are opened under it */
    if (sandbox_enter_signer(user, g->sc.postgresql != NULL, err, sizeof err) != 0) {
        reply(fd, SIGNER_EIO, err, strnlen(err, sizeof err - 1) + 1);
        _exit(2);
    }
    g->has_keys = 1;
    g->remember = 1;
    reply(fd, SIGNER_OK, &g->keys, sizeof g->keys);
    serve(g, fd);
    if (g->store != NULL)
        store_close(g->store);
    sodium_memzero(g, sizeof *g);
    _exit(0);
}

signer *signer_spawn(const char *keys_path, int create, const store_config *sc,
                     const char *user, char *err, size_t errlen)
{
    signer *g = signer_alloc();
    uint8_t ans[ANSWER_MAX];
    int sv[2];
    ssize_t n;
    int32_t status = SIGNER_EIO;

    if (g == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "signer: %s", g == NULL ? "out of memory" : strerror(errno));
        free(g);
        return NULL;
    }
    g->sc = *sc;
    fflush(NULL);
    g->pid = fork();
    if (g->pid < 0) {
        snprintf(err, errlen, "signer: fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        free(g);
        return NULL;
    }
    if (g->pid == 0) {
        close(sv[0]);
        child_main(g, sv[1], keys_path, create, user);
    }
    close(sv[1]);
    g->fd = sv[0];
    g->remote = 1;
    do
        n = recv(g->fd, ans, sizeof ans, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 4)
        memcpy(&status, ans, 4);
    if (n == (ssize_t)(4 + sizeof g->keys) && status == SIGNER_OK) {
        memcpy(&g->keys, ans + 4, sizeof g->keys);
        g->has_keys = 1;
        return g;
    }
    if (n > 4) {
        ans[n - 1] = '\0';
        snprintf(err, errlen, "%s", (const char *)ans + 4);
    } else {
        snprintf(err, errlen, "signer: the signer process did not start");
    }
    signer_free(g);
    return NULL;
}
