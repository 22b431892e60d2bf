/*
 * server.h - everything a votesrv process opens from its configuration: keys,
 * store, mail templates, password lists, the access context. Shared by the
 * daemon and the officer CLI.
 */
#ifndef VOTESRV_SERVER_H
#define VOTESRV_SERVER_H

#include <pthread.h>
#include <sys/types.h>
#include "access/access.h"
#include "box/box.h"
#include "config.h"
#include "http.h"
#include "mail/mail.h"
#include "signer/signer.h"
#include "store/store.h"

typedef struct {
    config cfg;
    server_keys keys;       /* the audit public key only: the secrets stay in the signer */
    signer_keys derived;    /* the keys derived from the pepper, from the signer */
    signer *signer;
    store *store;
    mail_ctx *mail;
    access_wordlist *words;
    access_ctx access;
    int access_ready;
    int compact_on_close;   /* rewrite the ballot box in tracker order at close */
    box_ctx box;
} server;

/* 0, or -1 with a message in err (what failed, never a secret). With
 * create_keys, a missing keys file is created. The signer is in-process. */
int server_open(server *s, const char *config_path, int create_keys, int readers, char *err,
                size_t errlen);
/* The same with a signer of its own (signer_spawn), which s owns from now on,
 * even on failure. */
int server_open_signer(server *s, const char *config_path, signer *g, int readers, char *err,
                       size_t errlen);
/* The store configuration of cfg (box_key NULL: the signer derives it). */
store_config server_store_config(const config *cfg, int readers);
void server_close(server *s);
/* The HTTP layer's context for s: its store, keys, access and ballot box, the
 * portal's error pages, and the CSRF key derived from the pepper (by the signer). */
void server_http_ctx(server *s, http_ctx *ctx);

/* The election's public documents (documents.c): name, a path the definition
 * gives (profession_de_foi), opened beneath folder (the configuration's
 * "documents") with no "..", absolute path or symbolic link on the way, a
 * regular file named .pdf, .png, .jpg or .jpeg whose first bytes are of that
 * type. SERVER_DOCUMENT_OK: *fd (to close), *size and *type (its MIME type). */
enum { SERVER_DOCUMENT_OK = 0, SERVER_DOCUMENT_MISSING = 1, SERVER_DOCUMENT_REFUSED = 2 };
int server_document_open(const char *folder, const char *name, int *fd, uint64_t *size,
                         const char **type);
/* The same, the file closed again; a message in err unless OK. */
int server_document_check(const char *folder, const char *name, char *err, size_t errlen);
/* "PDF", "PNG" or "JPEG" as name's extension announces; NULL if none of them. */
const char *server_document_label(const char *name);

/* Privilege separation (privsep.c): the daemon forks a network-facing worker
 * before it opens anything secret; the worker speaks HTTP in a sandbox and
 * hands each request, typed and bounded, to the parent (the writer), whose
 * threads run the routes. Frame kinds on the channels: */
enum { PRIVSEP_REQUEST = 1, PRIVSEP_RESPONSE = 2, PRIVSEP_READY = 3 };
#define PRIVSEP_WORKER_NAME "votesrv-http"      /* the worker's name in /proc (comm) */

typedef struct {
    pid_t pid;                   /* the worker; 0 once reaped */
    int ctl, worker_ctl;         /* the control channel (the worker's port) */
    int *fds;                    /* the writer's ends of the request channels */
    size_t n;
    pthread_t *threads;          /* one writer thread per channel */
    size_t nthreads, started;
    pthread_mutex_t lock;
    http_ctx *ctx;
} privsep;

/* Fork the worker (one request channel per HTTP thread of cfg). In the parent:
 * 0, or -1 with a message in err. The worker never returns. */
int privsep_fork(privsep *ps, const config *cfg, char *err, size_t errlen);
/* Start the writer threads, which answer the worker's requests through ctx. */
int privsep_serve_start(privsep *ps, http_ctx *ctx);
/* Wait until the worker listens and is sandboxed: its public port (the
 * internal one in *internal_port), or -1 when it failed. */
int privsep_wait_ready(privsep *ps, int *internal_port);
/* 1 when the worker has ended (logged), else 0. */
int privsep_worker_gone(privsep *ps);
/* Stop the worker (it finishes the requests in flight), then the writer threads. */
void privsep_stop(privsep *ps);
/* Answer the requests that arrive on sock with the daemon's routes (public
 * or internal, as each request says) until its end (0) or a frame that
 * cannot be read (too large, cut: -1), then shut sock down. A malformed
 * request or one of another kind is logged and answered 400, and the stream
 * goes on. */
int privsep_serve(http_ctx *ctx, int sock);

/* Sandbox (sandbox.c). Close every descriptor above 2 but those of keep. */
void sandbox_close_fds(const int *keep, size_t n);
/* Enter the worker's sandbox for good, every thread of the process: as root,
 * chroot to an empty directory and become cfg->privsep_user (refused when it
 * is empty or root); then not dumpable, no new privileges, and the system
 * call filter (no open, exec, fork, ptrace, socket, connect...). 0, or -1 with a
 * message in err. */
int sandbox_enter_worker(const config *cfg, char *err, size_t errlen);
/* Enter the signer's sandbox for good, once it has read the keys: as root
 * with a user (privsep.signer_user; NULL or "": stay root), become that user
 * (refused when it is unknown or root); then not dumpable, no new privileges,
 * and the signer's filter: files opened read-only only, no exec, fork,
 * ptrace, kill of another process, and no socket unless postgresql (a Unix or
 * TCP connection to the database). 0, or -1 with a message in err. */
int sandbox_enter_signer(const char *user, int postgresql, char *err, size_t errlen);

#endif
