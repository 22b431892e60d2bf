/*
 * server.h - votesrv/, the daemon, and here what every votesrv process opens
 * from its configuration (config.h): keys, store, mail templates, password
 * lists, the access context; shared by the daemon and the officer CLI. The
 * rest of the folder: the HTTP layer on libmicrohttpd (http.h), the JSON API,
 * one handler per endpoint (endpoints.h, ep_*.c, helpers in api.h), the
 * translation catalogue (i18n.h), logs (log.h), privilege separation (the
 * worker, the mailer, the sandbox), and the voters' portal (portal/).
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
    struct server_reload *reloads;  /* the configurations reloads published (reload.c) */
} server;

/* 0, or -1 with a message in err (what failed, never a secret). With
 * create_keys, a missing keys file is created. The signer is in-process. */
int server_open(server *s, const char *config_path, int create_keys, int readers, char *err,
                size_t errlen);
/* The same with the configuration cfg as loaded (before the writer's change of
 * user: not read again, since its mail password file may be root's) and a
 * signer of its own (signer_spawn), which s owns from now on, even on failure. */
int server_open_signer(server *s, const config *cfg, signer *g, int readers, char *err,
                       size_t errlen);
/* SIGHUP (reload.c): read path again; apply what may change while serving
 * (a new copy of the configuration published in ctx->cfg, the access limits
 * updated), name what needs a restart; one log line. A file that cannot be
 * read, parsed or validated changes nothing. server_reload_free: the copies,
 * once nothing serves (server_close). */
void server_reload(server *s, http_ctx *ctx, const char *path);
void server_reload_free(server *s);
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
MUST_CHECK
int server_document_check(const char *folder, const char *name, char *err, size_t errlen);
/* "PDF", "PNG" or "JPEG" as name's extension announces; NULL if none of them. */
const char *server_document_label(const char *name);

/* The frames of the internal channels (frame.c; docs/protocol.md section
 * 18): a header (u32 kind, u32 payload length, host order), then the
 * payload. Writing marks oom on failure; reading marks bad on a short or
 * malformed field (and then yields 0 or NULL). */
#define FRAME_HEAD_BYTES 8

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} frame_out;

typedef struct {
    char *mem;                   /* the frame as read (malloc'd), its payload at p */
    char *p;
    size_t len, off;
    int bad;
} frame_in;

void frame_put_u32(frame_out *b, uint32_t v);
void frame_put_u64(frame_out *b, uint64_t v);
/* A u32 length, then the bytes. */
void frame_put_bytes(frame_out *b, const void *d, size_t n);
/* A string with its NUL (its length counts it); NULL as length 0. */
void frame_put_str(frame_out *b, const char *s);
uint32_t frame_get_u32(frame_in *r);
uint64_t frame_get_u64(frame_in *r);
char *frame_get_bytes(frame_in *r, size_t *n);
/* A string: NUL-terminated, with no other NUL; NULL when absent (length 0). */
char *frame_get_str(frame_in *r);
/* Send one frame, with fd attached (SCM_RIGHTS) when fd >= 0. 0, or -1. */
int frame_send(int sock, uint32_t kind, const frame_out *b, int fd);
/* Receive one frame of at most max payload bytes into r (r->mem malloc'd,
 * to free). *fd: a descriptor that came with it, or -1 (fd NULL: any is
 * closed). 1 on a frame, 0 at the end of the stream, -1 on an error, a frame
 * over max, or bytes past the frame (the other side sent before it was
 * answered). */
int frame_recv(int sock, size_t max, uint32_t *kind, frame_in *r, int *fd);

/* The end of a child process (child.c), never waited for without a bound:
 * reaped within grace_ms, else killed (SIGKILL) and reaped within
 * CHILD_KILL_WAIT_MS; a child the caller may not kill (another user's: EPERM,
 * waited for as long) or that does not go is left, logged as child_left with
 * who, to its parent-death signal. 1 when reaped, 0 when left. */
#define CHILD_KILL_WAIT_MS 2000u
int child_end(pid_t pid, unsigned grace_ms, const char *who);

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
/* The JSON trees of request frames (protocol §18.2), for tests and fuzzing:
 * encode j (0, *out malloc'd; -1 past HTTP_JSON_DEPTH or HTTP_JSON_NODES or
 * for a NUL in a string), and decode exactly len bytes the way the writer
 * does (NULL when refused). */
int privsep_tree_encode(const json_t *j, char **out, size_t *len);
MUST_CHECK
json_t *privsep_tree_decode(const void *p, size_t len);
/* Decode a request payload the way the writer does, without answering it:
 * 0 when accepted (and written again byte for byte the same), -1 when
 * refused, -2 when accepted but written again differently (a bug). internal:
 * the listener it must name, or -1 for either. */
MUST_CHECK
int privsep_request_check(int internal, const void *payload, size_t len);

/* The mailer (mailer.c): SMTP and TLS in a process of their own,
 * votesrv-mailer, started by fork and exec of the daemon's program (a fresh
 * memory: no store, key or pepper of the writer's), sandboxed like the HTTP
 * worker but allowed the network. The writer keeps the outbox and hands it
 * one composed message at a time on a socketpair (frames of frame.c):
 *   writer -> mailer  MAILER_CONFIG once: relay, starttls, timeout_s, username,
 *                     password, privsep user, log level, CA certificates (PEM)
 *   mailer -> writer  MAILER_READY once, when sandboxed (empty)
 *   writer -> mailer  MAILER_SEND: envelope sender, recipient, message bytes
 *   mailer -> writer  MAILER_RESULT: u32 outcome (0 delivered, 1 temporary,
 *                     2 permanent), a short reason (printable ASCII)
 * docs/protocol.md section 18.4. */
enum { MAILER_CONFIG = 16, MAILER_READY = 17, MAILER_SEND = 18, MAILER_RESULT = 19 };
#define MAILER_PROCESS_NAME "votesrv-mailer"    /* its name in /proc (comm) */
#define MAILER_ARG "--mailer"                   /* votesrv --mailer PARENT-PID: the mailer */
#define MAILER_MESSAGE_MAX ((size_t)1 << 20)    /* a composed message, at most */
#define MAILER_ADDRESS_CHARS 320                /* an address, its NUL included */
#define MAILER_REASON_CHARS 160                 /* a result's reason, its NUL included */
#define MAILER_CA_MAX ((size_t)4 << 20)         /* the CA certificates, at most */
#define MAILER_SEND_MAX (MAILER_MESSAGE_MAX + 2 * MAILER_ADDRESS_CHARS + 16)
#define MAILER_RESULT_MAX (8 + MAILER_REASON_CHARS)
#define MAILER_CONFIG_MAX (MAILER_CA_MAX + 4096)

typedef struct mailer mailer;

/* Start the mailer: exe (the daemon's program, "/proc/self/exe" in the
 * daemon) run as votesrv-mailer with mc's relay and the CA file mc names (or
 * libcurl's default bundle), read here; user: privsep.user. Returns once it
 * is sandboxed. NULL with a message in err. */
mailer *mailer_spawn(const char *exe, const mail_config *mc, const char *user,
                     const char *log_level, char *err, size_t errlen);
/* A mailer already connected on fd, with no process of its own to restart
 * (tests that play a broken mailer). */
mailer *mailer_adopt(int fd, const mail_config *mc);
/* The mail transport (mail_transport_set): one message through the mailer,
 * restarted once if it has gone; an answer that is missing, malformed or
 * oversized ends that mailer (a new one starts for the next message) and
 * counts as a temporary failure: the message stays queued (at-least-once). */
int mailer_transport(void *cls, const char *rcpt_to, const uint8_t *msg, size_t len,
                     char *err, size_t errlen);
/* After a SIGCHLD: if the mailer has ended, log it, reap it and start
 * another (unless a delivery is under way: it sees the end itself). */
void mailer_check(mailer *m);
pid_t mailer_pid(mailer *m);
/* Stop the mailer (it sees the end of its channel) and free m. */
void mailer_free(mailer *m);
/* The mailer process: votesrv --mailer PARENT-PID, its channel on fd 3. Never returns. */
int mailer_main(const char *parent);

/* Sandbox (sandbox.c). Close every descriptor above 2 but those of keep. */
void sandbox_close_fds(const int *keep, size_t n);
/* Enter the worker's sandbox for good, every thread of the process: as root,
 * chroot to an empty directory and become cfg->privsep_user (refused when it
 * is empty or root); then not dumpable, no new privileges, and the system
 * call filter (no open, exec, fork, ptrace, socket, connect...). 0, or -1 with a
 * message in err. */
int sandbox_enter_worker(const config *cfg, char *err, size_t errlen);
/* The mailer's sandbox: as root, become user (refused when it is empty or
 * root), in an empty root when chroot_empty (a relay named by its address:
 * no resolver file needed); then not dumpable, no new privileges, and a
 * filter that allows the network (sockets of AF_INET and AF_INET6, connect)
 * but no open of any file, exec, fork, ptrace. 0, or -1 with a message. */
int sandbox_enter_mailer(const char *user, int chroot_empty, char *err, size_t errlen);
/* Enter the signer's sandbox for good, once it has read the keys: as root
 * with a user (privsep.signer_user; NULL or "": stay root), become that user
 * (refused when it is unknown or root); then not dumpable, no new privileges,
 * and the signer's filter: files opened read-only only, no exec, fork,
 * ptrace, kill of another process, and no socket unless postgresql (a Unix or
 * TCP connection to the database). 0, or -1 with a message in err. */
int sandbox_enter_signer(const char *user, int postgresql, char *err, size_t errlen);
/* The writer's user (privsep.writer_user), checked before anything is forked:
 * started as root with privsep, the user must be named (unless
 * privsep.writer_stays_root), known, not root, not privsep.signer_user, and
 * own each SQLite store, its journals and its folder. 0, or -1 with a message
 * naming the setting, and the file and its owner. */
MUST_CHECK
int sandbox_check_writer(const config *cfg, char *err, size_t errlen);
/* Started as root with privsep, once the children are forked and before any
 * store is opened: check again, become privsep.writer_user (no
 * supplementary group), then not dumpable and no new privileges (also when
 * privsep.writer_stays_root). Otherwise nothing. 0, or -1 with a message. */
int sandbox_enter_writer(const config *cfg, char *err, size_t errlen);

#endif
