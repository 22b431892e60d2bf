/* test_privsep.c - privilege separation (votesrv/privsep.c, sandbox.c):
 * the running daemon's network-facing worker is sandboxed and holds no store
 * or key file; attack code in a process sandboxed the same way can open no
 * file, read no other process, run no program and open no socket; the writer
 * refuses malformed, oversized and unknown frames on its channel without
 * crashing or changing the store. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"
#include "access/access_internal.h"
#include "crypto/crypto.h"
#include "signer/signer.h"
#include "votesrv/endpoints.h"
#include "votesrv/log.h"
#include "votesrv/server.h"

static char *dir, cfg_path[700], bin[PATH_MAX];
static config cfg;
static pid_t daemon_pid;
static char secret[64] = "a secret of the parent process";

static int setup(void **state)
{
    char err[CONFIG_ERR_CHARS];

    (void)state;
    if (tu_bin(bin) != 0)
        return -1;
    dir = tu_tmpdir();
    daemon_pid = tu_demo_start(bin, dir, cfg_path, sizeof cfg_path);
    if (daemon_pid < 0 || config_load(&cfg, cfg_path, err, sizeof err) != 0)
        return -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return crypto_init();
}

static int teardown(void **state)
{
    (void)state;
    if (daemon_pid > 0) {
        kill(daemon_pid, SIGTERM);
        waitpid(daemon_pid, NULL, 0);
    }
    curl_global_cleanup();
    tu_rmdir(dir);
    free(dir);
    return 0;
}

/* The value of a field of /proc/pid/status, or "". */
static void proc_status(int pid, const char *field, char *out, size_t len)
{
    char path[64], line[256];
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    out[0] = '\0';
    if ((f = fopen(path, "r")) == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, strlen(field)) == 0 && line[strlen(field)] == ':') {
            snprintf(out, len, "%s", line + strlen(field) + 1 + strspn(line + strlen(field) + 1,
                                                                        " \t"));
            out[strcspn(out, "\n")] = '\0';
        }
    fclose(f);
}

/* (1) The running daemon's worker: seccomp filter, no new privileges, no
 * capability, not root, and none of its descriptors is a store or key file. */
static void test_worker_is_sandboxed(void **state)
{
    char v[128], path[300], target[PATH_MAX];
    int pid = tu_proc_child_named(daemon_pid, PRIVSEP_WORKER_NAME), nfd = 0;
    DIR *d;
    struct dirent *e;
    tu_reply r;

    (void)state;
    assert_true(pid > 0);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);     /* it serves, through the writer */
    assert_int_equal(r.status, 200);
    proc_status(pid, "Seccomp", v, sizeof v);
    assert_string_equal(v, "2");
    proc_status(pid, "NoNewPrivs", v, sizeof v);
    assert_string_equal(v, "1");
    proc_status(pid, "CapEff", v, sizeof v);
    assert_string_equal(v, "0000000000000000");
    if (geteuid() == 0) {
        proc_status(pid, "Uid", v, sizeof v);
        assert_true(atoi(v) != 0);
        /* the demo's writer stays root (privsep.writer_stays_root):
         * test_writer_changes_user has it change user */
        proc_status(daemon_pid, "Uid", v, sizeof v);
        assert_int_equal(atoi(v), 0);
    }
    /* and the writer is not sandboxed: it opens the stores */
    proc_status(daemon_pid, "Seccomp", v, sizeof v);
    assert_string_equal(v, "0");
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char link[PATH_MAX + 300];
        ssize_t n;

        if (e->d_name[0] == '.')
            continue;
        snprintf(link, sizeof link, "/proc/%d/fd/%s", pid, e->d_name);
        n = readlink(link, target, sizeof target - 1);
        if (n < 0 && errno == ENOENT)
            continue;       /* closed since listed: the test's own connection, ending */
        assert_true(n > 0);
        target[n] = '\0';
        nfd++;
        assert_null(strstr(target, cfg.registry));
        assert_null(strstr(target, cfg.ballot_box));
        assert_null(strstr(target, cfg.keys));
        assert_null(strstr(target, ".db"));
        assert_null(strstr(target, "server-keys"));
    }
    closedir(d);
    assert_true(nfd > 3);       /* it was read: stdio, the listening socket, the channels */
    /* the writer, by contrast, has the store open */
    snprintf(path, sizeof path, "ls -l /proc/%d/fd | grep -c 'registry.db'", daemon_pid);
    assert_int_equal(tu_sh(v, sizeof v, "%s", path), 0);
}

/* Attack code in a process sandboxed as the worker is: bit i of the exit
 * status set means attempt i succeeded. */
enum {
    A_CONTROL = 1 << 0, A_ENTER = 1 << 1, A_KEYS = 1 << 2, A_REGISTRY = 1 << 3,
    A_BOX = 1 << 4, A_MEM = 1 << 5, A_PTRACE = 1 << 6, A_VM_READ = 1 << 7, A_EXEC = 1 << 8,
    A_SOCKET = 1 << 9, A_CONNECT = 1 << 10, A_RAW_OPEN = 1 << 11, A_ROOT = 1 << 12,
    A_SECRET = 1 << 13, A_FORK = 1 << 14, A_NO_THREAD = 1 << 15,
};

static void *thread_runs(void *arg)
{
    *(int *)arg = 1;
    return NULL;
}

static int attack(pid_t parent)
{
    char err[CONFIG_ERR_CHARS], mem[64], buf[sizeof secret];
    char *const argv[] = { "/bin/false", NULL }, *const envp[] = { NULL };
    struct iovec local = { buf, sizeof buf }, remote = { secret, sizeof secret };
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int got = 0, fd, s = socket(AF_INET, SOCK_STREAM, 0), keep[1] = { s };

    /* before: the keys are readable, so what follows tests the sandbox */
    fd = open(cfg.keys, O_RDONLY);
    if (fd < 0)
        got |= A_CONTROL;
    close(fd);
    sandbox_close_fds(keep, 1);
    if (sandbox_enter_worker(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "sandbox: %s\n", err);
        return A_ENTER;
    }
    if (open(cfg.keys, O_RDONLY) >= 0)
        got |= A_KEYS;
    if (open(cfg.registry, O_RDONLY) >= 0 || open(cfg.registry, O_RDWR) >= 0)
        got |= A_REGISTRY;
    if (open(cfg.ballot_box, O_RDONLY) >= 0)
        got |= A_BOX;
    snprintf(mem, sizeof mem, "/proc/%d/mem", (int)parent);
    if (open(mem, O_RDONLY) >= 0)
        got |= A_MEM;
    if (syscall(SYS_open, cfg.keys, O_RDONLY) >= 0 ||
        syscall(SYS_openat, AT_FDCWD, cfg.keys, O_RDONLY) >= 0 || errno != EACCES ||
        syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) >= 0 || open("/", O_RDONLY) >= 0)
        got |= A_RAW_OPEN;
    if (ptrace(PTRACE_ATTACH, parent, NULL, NULL) == 0) {
        got |= A_PTRACE;
        waitpid(parent, NULL, __WALL);      /* let the test go on, and fail */
        ptrace(PTRACE_DETACH, parent, NULL, NULL);
    }
    if (process_vm_readv(parent, &local, 1, &remote, 1, 0) >= 0)
        got |= A_VM_READ;
    if (memcmp(buf, secret, sizeof buf) == 0)
        got |= A_SECRET;
    execve(argv[0], argv, envp);        /* had it run, /bin/false would exit 1: a failure */
    if (errno != EACCES)
        got |= A_EXEC;
    if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || socket(AF_UNIX, SOCK_STREAM, 0) >= 0)
        got |= A_SOCKET;
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0 || errno != EACCES)
        got |= A_CONNECT;
    if (geteuid() == 0 || getuid() == 0 || (parent != 0 && setuid(0) == 0))
        got |= A_ROOT;
    {
        pthread_t t;
        int ran = 0;

        if (pthread_create(&t, NULL, thread_runs, &ran) != 0 || pthread_join(t, NULL) != 0 ||
            !ran)
            got |= A_NO_THREAD;     /* the worker needs threads (PROXY handshakes) */
    }
    fflush(NULL);
    pid_t child = fork();           /* a process of its own: refused (threads are not) */

    if (child == 0)
        _exit(0);
    if (child > 0) {
        got |= A_FORK;
        waitpid(child, NULL, 0);
    }
    return got;
}

/* (2) The attacks, each of which must fail (a new thread still starts); as root, a process that is not
 * sandboxed succeeds at the first ones (the control). */
static void test_attack_code_in_sandbox(void **state)
{
    pid_t parent = getpid(), pid;
    int status;

    (void)state;
    secret[0] = 'A';
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(attack(parent));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "succeeded attempts: 0x%x\n", WEXITSTATUS(status));
    /* the exit status has 8 bits: the later attempts are checked by their own bits too */
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* (2b) Limits: the sandboxed process reads its own, and cannot set those of
 * another process of its uid (the writer, when they share one: the mailer
 * of privsep.mode "units", or a daemon not started as root): prlimit64 on
 * another pid is refused. Run as root (skipped otherwise). */
static void test_sandbox_keeps_to_its_own_limits(void **state)
{
    struct passwd *pw;
    struct rlimit r;
    pid_t other, pid;
    int status;

    (void)state;
    if (geteuid() != 0)
        skip();
    assert_non_null(pw = getpwnam(cfg.privsep_user));
    fflush(NULL);
    other = fork();             /* a process of the sandbox's uid, unsandboxed */
    assert_true(other >= 0);
    if (other == 0) {
        if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
            _exit(1);
        for (int i = 0; i < 600; i++)      /* bounded: 60 s, killed before */
            usleep(100000);
        _exit(0);
    }
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[CONFIG_ERR_CHARS];

        if (sandbox_enter_worker(&cfg, err, sizeof err) != 0 || getuid() != pw->pw_uid)
            _exit(2);
        if (getrlimit(RLIMIT_NOFILE, &r) != 0)
            _exit(3);                   /* its own: read */
        if (syscall(SYS_prlimit64, other, RLIMIT_CORE, NULL, &r) == 0 &&
            syscall(SYS_prlimit64, other, RLIMIT_CORE, &r, NULL) == 0)
            _exit(4);                   /* another's: set */
        _exit(errno == EACCES ? 0 : 5);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_attack_later_bits(void **state)
{
    pid_t parent = getpid(), pid;
    int status;

    (void)state;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(attack(parent) >> 8);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* As root, the worker needs an unprivileged user: none, or root, is refused. */
static void test_root_needs_a_user(void **state)
{
    static const char *const users[] = { "", "root", "no-such-user-votesrv" };

    (void)state;
    if (geteuid() != 0)
        skip();
    for (size_t i = 0; i < 3; i++) {
        pid_t pid;
        int status;

        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            config c = cfg;
            char err[CONFIG_ERR_CHARS];

            snprintf(c.privsep_user, sizeof c.privsep_user, "%s", users[i]);
            _exit(sandbox_enter_worker(&c, err, sizeof err) == -1 &&
                  strstr(err, "unprivileged user") != NULL && getuid() == 0 ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

/* ---- the writer's boundary ---- */

typedef struct {
    char *b;
    size_t len, cap;
} frame;

static void put(frame *f, const void *d, size_t n)
{
    if (f->len + n > f->cap) {
        f->cap = (f->len + n) * 2 + 4096;
        f->b = realloc(f->b, f->cap);
        assert_non_null(f->b);
    }
    memcpy(f->b + f->len, d, n);
    f->len += n;
}

static void put_u32(frame *f, uint32_t v)
{
    put(f, &v, sizeof v);
}

static void put_u64(frame *f, uint64_t v)
{
    put(f, &v, sizeof v);
}

static void put_str(frame *f, const char *s)
{
    put_u32(f, (uint32_t)strlen(s) + 1);
    put(f, s, strlen(s) + 1);
}

/* Tree tags (protocol §18.2). */
enum { T_OBJECT = 1, T_ARRAY, T_STRING, T_INTEGER, T_REAL, T_TRUE, T_FALSE, T_NULL };

/* The index + 1 of the route method pattern in the public or internal table. */
static uint32_t route_no(int internal, const char *method, const char *pattern)
{
    const http_route *t = internal ? votesrv_internal_routes : votesrv_routes;
    size_t n = internal ? votesrv_internal_nroutes : votesrv_nroutes;

    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].method, method) == 0 && strcmp(t[i].pattern, pattern) == 0)
            return (uint32_t)i + 1;
    fail_msg("no route %s %s", method, pattern);
    return 0;
}

/* The client address typed_head sends (a test spoils it, then puts it back). */
static const char *typed_client = "192.0.2.7";

/* A typed request's payload (protocol §18.1) up to its body kind: the
 * listener, no refusal, route, French, not chosen, a page if the route is
 * one's, method, the client, the parameters given (NULL-ended), no header. */
static void typed_head(frame *f, int internal, uint32_t route, const char *method,
                       const char *const *params)
{
    const http_route *t = internal ? votesrv_internal_routes : votesrv_routes;
    size_t n = 0, nt = internal ? votesrv_internal_nroutes : votesrv_nroutes;
    int page = route > 0 && route <= nt && http_path_is_page(t[route - 1].pattern);

    f->len = 0;
    put_u32(f, (uint32_t)internal);
    put_u32(f, 0);
    put_u32(f, 0);
    put_u32(f, route);
    put_u32(f, 0);
    put_u32(f, 0);
    put_u32(f, (uint32_t)page);
    put_str(f, method);
    put_str(f, typed_client);
    while (params != NULL && params[n] != NULL)
        n++;
    put_u32(f, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        put_str(f, params[i]);
    put_u32(f, 0);          /* no query, header or cookie */
}

/* The offsets of the fields of typed_head, for the tests that spoil one. */
enum { OFF_INTERNAL = 0, OFF_REFUSE = 4, OFF_ROUTE = 12, OFF_LANG = 16, OFF_PAGE = 24,
       OFF_METHOD = 28 };

/* A login, typed: POST /api/v1/session with {identifier, password}. */
static void typed_login(frame *f, const char *identifier, const char *password)
{
    typed_head(f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(f, HTTP_BODY_JSON);
    put_u32(f, T_OBJECT);
    put_u32(f, 2);
    put_str(f, "identifier");
    put_u32(f, T_STRING);
    put_str(f, identifier);
    put_str(f, "password");
    put_u32(f, T_STRING);
    put_str(f, password);
}

/* The payload the writer read before requests were typed (method, path,
 * headers, the body's text): a login. */
static void old_login(frame *f, const char *body)
{
    f->len = 0;
    put_u32(f, 0);
    put_u32(f, 0);
    put_u32(f, 0);
    put_str(f, "POST");
    put_str(f, "/api/v1/session");
    put_str(f, "192.0.2.7");
    put_u32(f, 1);
    put_u32(f, HTTP_KV_HEADER);
    put_str(f, "Content-Type");
    put_str(f, "application/json");
    put_u32(f, 0);
    put_u32(f, 0);
    put_u32(f, (uint32_t)strlen(body));
    put(f, body, strlen(body));
}

static void send_frame(int s, uint32_t kind, uint32_t len, const frame *f)
{
    uint32_t head[2] = { kind, len };

    assert_int_equal(send(s, head, sizeof head, MSG_NOSIGNAL), sizeof head);
    if (f != NULL && f->len > 0)
        assert_int_equal(send(s, f->b, f->len, MSG_NOSIGNAL), (ssize_t)f->len);
}

static int read_all(int s, void *p, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t k = recv(s, (char *)p + got, n - got, 0);

        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

/* The status of the response frame on s, and in *route the route it names
 * (0: none, as for a refused frame); -1 at the end of the stream. */
static int response_read(int s, uint32_t *route)
{
    uint32_t head[2], status;
    char *p;

    if (read_all(s, head, sizeof head) != 0)
        return -1;
    assert_int_equal(head[0], PRIVSEP_RESPONSE);
    p = malloc(head[1]);
    assert_non_null(p);
    assert_int_equal(read_all(s, p, head[1]), 0);
    memcpy(&status, p, sizeof status);
    if (route != NULL)
        memcpy(route, p + 4, sizeof *route);
    free(p);
    return (int)status;
}

static int response_status(int s)
{
    return response_read(s, NULL);
}

/* Send f; 1 when the writer refused it (400, no route named), else 0. */
static int refused(int s, const frame *f)
{
    uint32_t route = 99;
    int status;

    send_frame(s, PRIVSEP_REQUEST, (uint32_t)f->len, f);
    status = response_read(s, &route);
    assert_true(status > 0);
    return status == 400 && route == 0;
}

typedef struct {
    http_ctx *ctx;
    int sock, rc;
} serve_arg;

static void *serve(void *arg)
{
    serve_arg *a = arg;

    a->rc = privsep_serve(a->ctx, a->sock);
    return NULL;
}

typedef struct {
    char key[THROTTLE_KEY_CHARS];
    store_throttle t;
} failures_job;

static int run_failures(store_tx *tx, void *arg)
{
    failures_job *j = arg;

    return store_throttle_get(tx, j->key, &j->t);
}

/* The failed logins counted for an identifier: state a login changes. */
static int64_t failures(server *srv, const char *identifier)
{
    failures_job j;

    memset(&j, 0, sizeof j);
    throttle_key_hashed(j.key, &srv->access, "ident", identifier);
    assert_int_equal(store_read(srv->store, run_failures, &j), STORE_OK);
    return j.t.failures;
}

/* A login whose extra member "x" is depth - 1 arrays around null (the tree
 * is depth + 1 levels deep), or an array of count nulls (2 + count values). */
static void typed_login_with(frame *f, int depth, int count)
{
    typed_head(f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(f, HTTP_BODY_JSON);
    put_u32(f, T_OBJECT);
    put_u32(f, 1);
    put_str(f, "x");
    if (count > 0) {
        put_u32(f, T_ARRAY);
        put_u32(f, (uint32_t)count);
        for (int i = 0; i < count; i++)
            put_u32(f, T_NULL);
        return;
    }
    for (int i = 0; i < depth - 1; i++) {
        put_u32(f, T_ARRAY);
        put_u32(f, 1);
    }
    put_u32(f, T_NULL);
}

/* The cast route's parameters (a scrutin of the demo election's). */
static const char *const cast_params[] = { "cse-titulaires", NULL };

/* A form's ballot part (protocol §18.1): present, the field, a zero
 * fingerprint, the wire form (n bytes). */
static void typed_ballot(frame *f, uint32_t field, const uint8_t *wire, size_t n)
{
    put_u32(f, 1);
    put_u32(f, field);
    put_u32(f, 32);
    put(f, (uint8_t[32]){ 0 }, 32);
    put_u32(f, (uint32_t)n);
    if (n > 0)
        put(f, wire, n);
}

/* POST /api/v1/scrutins/cse-titulaires/ballots as the worker sends it: the
 * unknown key extra (NULL: none), authenticator bytes (auth: 1 or 0s) with
 * auth_ok, then the ballot with a fingerprint of fp bytes (or 0s). */
static void cast_frame(frame *f, const char *extra, int auth, uint32_t auth_ok, uint32_t field,
                       int fp, const uint8_t *wire, size_t n)
{
    uint8_t bytes[32];

    typed_head(f, 0, route_no(0, "POST", "/api/v1/scrutins/{}/ballots"), "POST", cast_params);
    put_u32(f, HTTP_BODY_BALLOT);
    if (extra != NULL)
        put_str(f, extra);
    else
        put_u32(f, 0);
    put_u32(f, auth_ok);
    memset(bytes, auth, sizeof bytes);
    put_u32(f, 32);
    put(f, bytes, 32);
    put_u32(f, 1);
    put_u32(f, field);
    memset(bytes, fp, sizeof bytes);
    put_u32(f, 32);
    put(f, bytes, 32);
    put_u32(f, (uint32_t)n);
    if (n > 0)
        put(f, wire, n);
}

/* A wire form for cse-titulaires (14 bytes), k 4, min 0, max 1: its length. */
static size_t wire_sample(uint8_t *w)
{
    ballot *b = ballot_new(4, 0, 1);
    int n;

    assert_non_null(b);
    snprintf(b->scrutin_id, sizeof b->scrutin_id, "%s", cast_params[0]);
    memset(b->cred, 7, sizeof b->cred);
    n = ballot_wire_encode(w, BALLOT_WIRE_MAX, b);
    ballot_free(b);
    assert_true(n > 0);
    return (size_t)n;
}

/* (3) Frames a compromised worker could send: refused (400, no route) and
 * logged, the stream going on; a frame over the bound ends that channel; the
 * store is unchanged by any of them, while the same login well formed is
 * counted. */
static void test_writer_refuses_bad_frames(void **state)
{
    static const char login[] = "{\"identifier\":\"nobody@example.org\",\"password\":\"wrong\"}";
    static const char *const tracker[] = { "../registry.db", NULL };
    static const char *const two[] = { "a", "b", NULL };
    server srv;
    http_ctx ctx;
    serve_arg a;
    pthread_t t;
    frame f = { 0 };
    char err[CONFIG_ERR_CHARS];
    int sv[2];
    int64_t seq;
    uint32_t route = 0;

    (void)state;
    log_set_level("error");
    assert_int_equal(server_open(&srv, cfg_path, 0, 0, err, sizeof err), 0);
    server_http_ctx(&srv, &ctx);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a = (serve_arg){ &ctx, sv[1], 99 };
    assert_int_equal(pthread_create(&t, NULL, serve, &a), 0);

    typed_head(&f, 1, route_no(1, "GET", "/healthz"), "GET", NULL);
    put_u32(&f, HTTP_BODY_NONE);
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_read(sv[0], &route), 200);
    assert_int_equal(route, route_no(1, "GET", "/healthz"));
    /* a well-formed failed login is counted against its identifier */
    seq = failures(&srv, "nobody@example.org");
    typed_login(&f, "nobody@example.org", "wrong");
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 401);
    assert_true(failures(&srv, "nobody@example.org") > seq);
    seq = failures(&srv, "nobody@example.org");

    /* the same login: of an unknown kind, with a byte more, a byte less */
    send_frame(sv[0], 77, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    put(&f, "x", 1);
    assert_true(refused(sv[0], &f));
    f.len -= 2;
    assert_true(refused(sv[0], &f));
    /* a client that is not an address (it would be a ceremony post's audit
     * actor): refused; an address of either family, or "unknown", taken */
    {
        static char big[70000];
        const char *bad[] = { "officer dupont (signed)", "", "192.0.2.7 ", "\xff\xfe",
                              "::ffff:zz", "192.0.2.7\n", big };
        const char *good[] = { "unknown", "2001:db8::7", "198.51.100.1" };

        memset(big, '1', sizeof big - 1);
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            typed_client = bad[i];
            typed_login(&f, "nobody@example.org", "wrong");
            assert_true(refused(sv[0], &f));
        }
        for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
            typed_client = good[i];
            typed_login(&f, "nobody@example.org", "wrong");
            send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
            assert_int_equal(response_status(sv[0]), 401);
        }
        typed_client = "192.0.2.7";
        seq = failures(&srv, "nobody@example.org");
    }
    /* a string without its NUL; an impossible status to refuse with; a third
     * listener; a third language */
    typed_login(&f, "nobody@example.org", "wrong");
    f.b[OFF_METHOD + 4 + 4] = 'X';          /* "POST\0" -> "POSTX" */
    assert_true(refused(sv[0], &f));
    typed_login(&f, "nobody@example.org", "wrong");
    f.b[OFF_REFUSE] = (char)200;
    assert_true(refused(sv[0], &f));
    typed_login(&f, "nobody@example.org", "wrong");
    f.b[OFF_INTERNAL] = 2;
    assert_true(refused(sv[0], &f));
    typed_login(&f, "nobody@example.org", "wrong");
    f.b[OFF_LANG] = 2;
    assert_true(refused(sv[0], &f));
    /* an API route said to be a page (its errors would be HTML) */
    typed_login(&f, "nobody@example.org", "wrong");
    f.b[OFF_PAGE] = 1;
    assert_true(refused(sv[0], &f));
    /* a route index past the table, and the largest one */
    typed_login(&f, "nobody@example.org", "wrong");
    route = (uint32_t)votesrv_nroutes + 1;
    memcpy(f.b + OFF_ROUTE, &route, 4);
    assert_true(refused(sv[0], &f));
    memset(f.b + OFF_ROUTE, 0xff, 4);
    assert_true(refused(sv[0], &f));
    /* no route at all, and the internal listener's index 1 on the public one
     * (GET /api/v1/election there: its method and body are not these) */
    memset(f.b + OFF_ROUTE, 0, 4);
    assert_true(refused(sv[0], &f));
    route = 1;
    memcpy(f.b + OFF_ROUTE, &route, 4);
    assert_true(refused(sv[0], &f));
    /* the login's route with another method (DELETE /api/v1/session exists) */
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "DELETE", NULL);
    put_u32(&f, HTTP_BODY_NONE);
    assert_true(refused(sv[0], &f));
    /* the login's route with a body of another kind: none, a form, raw */
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_NONE);
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_FORM);
    put_u32(&f, 2);
    put_str(&f, "identifier");
    put_str(&f, "nobody@example.org");
    put_str(&f, "password");
    put_str(&f, "wrong");
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, 4);
    put_u32(&f, (uint32_t)strlen(login));
    put(&f, login, strlen(login));
    assert_true(refused(sv[0], &f));
    /* the vote form's ballot (its route's form_ballot field): as text among
     * the fields, or said present twice over, or a tree where its wire form
     * goes; read, the frame is accepted (the handler answers, naming its
     * route) */
    {
        static const char *const vote[] = { "cse-titulaires", NULL };
        const uint32_t r = route_no(0, "POST", "/vote/{}");

        for (int how = 0; how < 4; how++) {
            typed_head(&f, 0, r, "POST", vote);
            put_u32(&f, HTTP_BODY_FORM);
            put_u32(&f, how == 0 ? 2 : 1);
            put_str(&f, "authenticator");
            put_str(&f, "00");
            if (how == 0) {
                put_str(&f, "ballot");
                put_str(&f, "{\"answers\":[]}");
                put_u32(&f, 0);
            } else if (how == 1) {
                put_u32(&f, 2);
            } else if (how == 2) {
                put_u32(&f, 1);
                put_u32(&f, T_OBJECT);
                put_u32(&f, 0);
            } else {
                typed_ballot(&f, BALLOT_FIELD_BALLOT, NULL, 0);
            }
            assert_int_equal(refused(sv[0], &f), how < 3);
        }
    }
    /* the cast route (HTTP_BODY_BALLOT): a well-formed wire form is taken
     * (no session: 401, naming the route); each spoiled frame is refused */
    {
        uint8_t w[BALLOT_WIRE_MAX + 1];
        size_t n = wire_sample(w);

        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        assert_false(refused(sv[0], &f));
        cast_frame(&f, "x", 0, 1, BALLOT_FIELD_LISTS, 0, w, 0);
        assert_false(refused(sv[0], &f));
        /* a length off by one, either way */
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n + 1);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n - 1);
        assert_true(refused(sv[0], &f));
        /* an id not the path's (the writer checks it against its scrutin too) */
        w[2] = 'C';
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        assert_true(refused(sv[0], &f));
        w[2] = 'c';
        /* a version not 1; k, min, max out of their ranges */
        w[0] = 2;
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        assert_true(refused(sv[0], &f));
        w[0] = BALLOT_WIRE_VERSION;
        for (int i = 0; i < 3; i++) {
            uint8_t keep = w[2 + 14 + i];

            w[2 + 14 + i] = i == 0 ? 0 : 5;         /* k 0; min > max; max > k */
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n);
            assert_true(refused(sv[0], &f));
            w[2 + 14 + i] = keep;
        }
        /* the field enum out of range; a wire beside a fault; no wire without one */
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_COUNT, 0, w, 0);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 0, 1, 0xffffffffu, 0, w, 0);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_SIGNATURE, 0, w, n);
        assert_true(refused(sv[0], &f));
        /* beside a fault at range or signature, the head of what was read
         * (version, id, k, min, max: range's min and max 0), nothing more */
        {
            size_t head = BALLOT_WIRE_HEAD(cast_params[0]);

            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_SIGNATURE, 0, w, head);
            assert_false(refused(sv[0], &f));
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_SIGNATURE, 0, w, head + 1);
            assert_true(refused(sv[0], &f));
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_LISTS, 0, w, head);
            assert_true(refused(sv[0], &f));
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_RANGE, 0, w, head);     /* max 1 */
            assert_true(refused(sv[0], &f));
            w[head - 1] = 0;
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_RANGE, 0, w, head);
            assert_false(refused(sv[0], &f));
            w[head - 3] = 0;                                                /* k 0 */
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_RANGE, 0, w, head);
            assert_true(refused(sv[0], &f));
            w[head - 3] = 4;
            w[head - 1] = 1;
            w[2] = 'C';                                                     /* another id */
            cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_SIGNATURE, 0, w, head);
            assert_true(refused(sv[0], &f));
            w[2] = 'c';
        }
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, 0);
        assert_true(refused(sv[0], &f));
        /* a fingerprint beside a fault found before it was read; an
         * authenticator beside auth_ok 0; auth_ok 2; present 2 */
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_VERSION, 1, w, 0);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 1, 0, BALLOT_FIELD_NONE, 0, w, n);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 0, 2, BALLOT_FIELD_NONE, 0, w, n);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        memcpy(f.b + f.len - n - 4 - 32 - 4 - 4 - 4, &(uint32_t){ 2 }, 4);   /* present */
        assert_true(refused(sv[0], &f));
        /* an unknown key that is one of the route's, or not UTF-8; a byte after */
        cast_frame(&f, "ballot", 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, "\xff", 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        assert_true(refused(sv[0], &f));
        cast_frame(&f, NULL, 0, 1, BALLOT_FIELD_NONE, 0, w, n);
        put(&f, "", 1);
        assert_true(refused(sv[0], &f));
        /* the ballot sent as a tree on this route: in the JSON body kind, or
         * where its wire form goes */
        typed_head(&f, 0, route_no(0, "POST", "/api/v1/scrutins/{}/ballots"), "POST",
                   cast_params);
        put_u32(&f, HTTP_BODY_JSON);
        put_u32(&f, T_OBJECT);
        put_u32(&f, 1);
        put_str(&f, "ballot");
        put_u32(&f, T_OBJECT);
        put_u32(&f, 0);
        assert_true(refused(sv[0], &f));
        typed_head(&f, 0, route_no(0, "POST", "/api/v1/scrutins/{}/ballots"), "POST",
                   cast_params);
        put_u32(&f, HTTP_BODY_BALLOT);
        put_u32(&f, 0);
        put_u32(&f, 0);
        put_u32(&f, 32);
        put(&f, (uint8_t[32]){ 0 }, 32);
        put_u32(&f, 1);
        put_u32(&f, T_OBJECT);
        put_u32(&f, 0);
        assert_true(refused(sv[0], &f));
    }
    /* the JSON body as text: a string where the object must be, and the
     * whole request in the old format */
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_JSON);
    put_u32(&f, T_STRING);
    put_str(&f, login);
    assert_true(refused(sv[0], &f));
    old_login(&f, login);
    assert_true(refused(sv[0], &f));
    /* path parameters: not the route's count, outside the alphabet */
    typed_head(&f, 0, route_no(0, "GET", "/api/v1/trackers/{}"), "GET", NULL);
    put_u32(&f, HTTP_BODY_NONE);
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "GET", "/api/v1/trackers/{}"), "GET", two);
    put_u32(&f, HTTP_BODY_NONE);
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "GET", "/api/v1/trackers/{}"), "GET", tracker);
    put_u32(&f, HTTP_BODY_NONE);
    assert_true(refused(sv[0], &f));
    /* trees: as deep as allowed (the handler answers, naming its route), one
     * deeper; as many values as allowed, one more */
    typed_login_with(&f, HTTP_JSON_DEPTH - 1, 0);
    assert_false(refused(sv[0], &f));
    typed_login_with(&f, HTTP_JSON_DEPTH, 0);
    assert_true(refused(sv[0], &f));
    typed_login_with(&f, 0, HTTP_JSON_NODES - 2);
    assert_false(refused(sv[0], &f));
    typed_login_with(&f, 0, HTTP_JSON_NODES - 1);
    assert_true(refused(sv[0], &f));
    /* strings: a NUL inside, not UTF-8 (a value, a key), a key twice; an
     * unknown tag; a real that is not a number; an array at the top */
    {
        static const char *const bad[] = { "nobody@exa\0mple.org", "nobody\xff@example.org",
                                           "nobody\xc3@example.org", "\xed\xa0\x80" };

        for (size_t i = 0; i < 4; i++) {
            size_t n = i == 0 ? 20 : strlen(bad[i]) + 1;

            typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
            put_u32(&f, HTTP_BODY_JSON);
            put_u32(&f, T_OBJECT);
            put_u32(&f, 1);
            put_str(&f, "identifier");
            put_u32(&f, T_STRING);
            put_u32(&f, (uint32_t)n);
            put(&f, bad[i], n);
            assert_true(refused(sv[0], &f));
        }
    }
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_JSON);
    put_u32(&f, T_OBJECT);
    put_u32(&f, 1);
    put_str(&f, "identifi\xe9r");
    put_u32(&f, T_NULL);
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_JSON);
    put_u32(&f, T_OBJECT);
    put_u32(&f, 2);
    put_str(&f, "identifier");
    put_u32(&f, T_NULL);
    put_str(&f, "identifier");
    put_u32(&f, T_NULL);
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_JSON);
    put_u32(&f, T_OBJECT);
    put_u32(&f, 1);
    put_str(&f, "identifier");
    put_u32(&f, 9);
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_JSON);
    put_u32(&f, T_OBJECT);
    put_u32(&f, 1);
    put_str(&f, "identifier");
    put_u32(&f, T_REAL);
    put_u64(&f, 0x7ff8000000000000u);       /* NaN */
    assert_true(refused(sv[0], &f));
    typed_head(&f, 0, route_no(0, "POST", "/api/v1/session"), "POST", NULL);
    put_u32(&f, HTTP_BODY_JSON);
    put_u32(&f, T_ARRAY);
    put_u32(&f, 0);
    assert_true(refused(sv[0], &f));
    /* none of them logged anyone in or counted a failure */
    assert_int_equal(failures(&srv, "nobody@example.org"), seq);
    /* still answering */
    typed_login(&f, "nobody@example.org", "wrong");
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 401);
    assert_true(failures(&srv, "nobody@example.org") > seq);
    seq = failures(&srv, "nobody@example.org");

    /* a frame over the bound: the channel ends, nothing read or answered */
    send_frame(sv[0], PRIVSEP_REQUEST, 0xfffffff0u, NULL);
    assert_int_equal(response_status(sv[0]), -1);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(a.rc, -1);
    assert_int_equal(failures(&srv, "nobody@example.org"), seq);
    free(f.b);
    close(sv[0]);
    close(sv[1]);
    server_close(&srv);
}

/* A random JSON value of at most depth levels, from the seeded generator. */
static json_t *random_json(uint64_t *x, int depth)
{
    static const char *const pieces[] = { "a", "é", "€", "𝄞", "\"", "\\", "\x01", " ", "z9" };
    uint64_t r;
    json_t *j;
    char s[64];
    size_t n;

    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;      /* xorshift64 */
    r = *x;
    switch (depth > 1 ? r % 8 : 2 + r % 6) {
    case 0:
        j = json_object();
        for (uint64_t i = 0, k = (r >> 8) % 5; i < k; i++) {
            snprintf(s, sizeof s, "k%llu%s", (unsigned long long)i, pieces[(r >> 16) % 9]);
            json_object_set_new(j, s, random_json(x, depth - 1));
        }
        return j;
    case 1:
        j = json_array();
        for (uint64_t i = 0, k = (r >> 8) % 5; i < k; i++)
            json_array_append_new(j, random_json(x, depth - 1));
        return j;
    case 2:
        s[0] = '\0';
        for (n = 0; n < (r >> 8) % 6; n++)
            strcat(s, pieces[(r >> (12 + 4 * n)) % 9]);
        return json_string(s);
    case 3:
        return json_integer((json_int_t)(r % 3 == 0 ? INT64_MIN : r % 3 == 1 ? INT64_MAX
                                          : (int64_t)(r >> 1) - (int64_t)(r >> 2)));
    case 4:
        return json_real((double)(int64_t)r / 1e9);
    case 5:
        return json_true();
    case 6:
        return json_false();
    default:
        return json_null();
    }
}

/* (3b) Property: any JSON value within the bounds goes through the tree
 * encoding and comes back equal, and is written again to the same bytes;
 * every shorter prefix of an encoding, and the encoding with a byte more, is
 * refused; a byte changed anywhere is refused or decodes to a value that is
 * written again to exactly the changed bytes (the decoder accepts one
 * encoding per value). */
static void test_tree_round_trip(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15u;

    (void)state;
    for (int round = 0; round < 2000; round++) {
        json_t *j = random_json(&x, 1 + round % 7), *back;
        char *enc = NULL, *again = NULL, *more;
        size_t len = 0, len2 = 0;

        assert_int_equal(privsep_tree_encode(j, &enc, &len), 0);
        back = privsep_tree_decode(enc, len);
        assert_non_null(back);
        assert_true(json_equal(j, back));
        assert_int_equal(privsep_tree_encode(back, &again, &len2), 0);
        assert_int_equal(len2, len);
        assert_memory_equal(again, enc, len);
        free(again);
        json_decref(back);
        for (size_t cut = 0; cut < len; cut += 1 + len / 64)
            assert_null(privsep_tree_decode(enc, cut));
        more = malloc(len + 1);
        assert_non_null(more);
        memcpy(more, enc, len);
        more[len] = 0;
        assert_null(privsep_tree_decode(more, len + 1));
        for (int m = 0; m < 8; m++) {
            size_t at = (size_t)(x % len);

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            memcpy(more, enc, len);
            more[at] = (char)(more[at] ^ (1 + (int)(x % 255)));
            if ((back = privsep_tree_decode(more, len)) != NULL) {
                assert_int_equal(privsep_tree_encode(back, &again, &len2), 0);
                assert_int_equal(len2, len);
                assert_memory_equal(again, more, len);
                free(again);
                json_decref(back);
            }
        }
        free(more);
        free(enc);
        json_decref(j);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = malloc(1 << 16);

    assert_non_null(f);
    assert_non_null(p);
    *len = fread(p, 1, 1 << 16, f);
    assert_true(*len > 0 && *len < 1 << 16);
    fclose(f);
    return p;
}

/* (3e) The fuzz target's seeds (tests/fuzz/seeds_privsep.py, written from
 * protocol §18.1 in Python, route indexes read from votesrv/routes.c): each
 * is accepted by the writer's decoder and written again to the same bytes by
 * the worker's encoder; the same payload cut by a byte is refused. */
static void test_seed_frames_accepted(void **state)
{
    static const char *const names[] = { "healthz", "election", "login", "cast", "tracker",
                                         "profession", "form", "vote-form",
                                         "vote-form-no-ballot", "refused-405", "refused-404" };
    char path[256], *p;
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "fuzz/corpus/fuzz_privsep/seed-%s", names[i]);
        p = slurp(path, &len);
        assert_int_equal(privsep_request_check(i == 0 ? 1 : 0, p, len), 0);
        assert_int_equal(privsep_request_check(-1, p, len - 1), -1);
        free(p);
    }
}

/* A login-like object whose member holds arrays down to depth levels in all. */
static char *nested_text(int depth)
{
    char *t = malloc(2 * (size_t)depth + 64);
    size_t n = 0;

    assert_non_null(t);
    n += (size_t)sprintf(t, "{\"identifier\":");
    for (int i = 0; i < depth - 2; i++)
        t[n++] = '[';
    t[n++] = '1';
    for (int i = 0; i < depth - 2; i++)
        t[n++] = ']';
    strcpy(t + n, "}");
    return t;
}

/* The error code of a JSON error response, or "". */
static const char *error_code(const http_response *res)
{
    const char *c = json_string_value(json_object_get(json_object_get(res->json, "error"),
                                                      "code"));

    return c != NULL ? c : "";
}

/* Memory ran out in a handler: http_answer_internal answers a 500
 * (internal_error; an HTML page on a portal page), unless the handler had
 * already chosen a status (test_dispatch_resolves). */
static void oom_handler(http_request *req, http_response *res)
{
    http_answer_internal(req, res);
}

static void oom_after_status(http_request *req, http_response *res)
{
    res->status = 202;
    http_answer_internal(req, res);
}

static const http_route oom_routes[] = {
    { "GET", "/a", oom_handler, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/b", oom_after_status, HTTP_BODY_NONE, NULL, 0 },
};

/* (3c) Without privilege separation the same resolution is used
 * (http_dispatch = http_resolve + http_answer): a JSON body deeper than
 * HTTP_JSON_DEPTH is a bad JSON body, one as deep as allowed reaches the
 * handler; a path parameter outside the alphabet is no route's; a 405 names
 * the path's methods; a handler that runs out of memory gets a 500 (oom_routes). */
static void test_dispatch_resolves(void **state)
{
    server srv;
    http_ctx ctx;
    http_kv kv[] = { { HTTP_KV_HEADER, "Content-Type", "application/json" } };
    char err[CONFIG_ERR_CHARS], *body;
    http_request req;
    http_response res;

    (void)state;
    log_set_level("error");
    assert_int_equal(server_open(&srv, cfg_path, 0, 0, err, sizeof err), 0);
    server_http_ctx(&srv, &ctx);
    for (int depth = HTTP_JSON_DEPTH; depth <= HTTP_JSON_DEPTH + 1; depth++) {
        memset(&req, 0, sizeof req);
        memset(&res, 0, sizeof res);
        req.method = "POST";
        req.path = "/api/v1/session";
        req.client = "192.0.2.7";
        req.kv = kv;
        req.nkv = 1;
        body = nested_text(depth);
        http_dispatch(&ctx, votesrv_routes, votesrv_nroutes, &req, body, strlen(body), NULL,
                      &res);
        assert_int_equal(res.status, 400);
        if (depth > HTTP_JSON_DEPTH)
            assert_string_equal(error_code(&res), "invalid_json");
        else
            assert_string_not_equal(error_code(&res), "invalid_json");
        json_decref(res.json);
        free(body);
    }
    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    req.method = "GET";
    req.path = "/api/v1/trackers/a+b";
    req.client = "192.0.2.7";
    http_dispatch(&ctx, votesrv_routes, votesrv_nroutes, &req, NULL, 0, NULL, &res);
    assert_int_equal(res.status, 404);
    json_decref(res.json);
    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    req.method = "PUT";
    req.path = "/api/v1/session";
    req.client = "192.0.2.7";
    http_dispatch(&ctx, votesrv_routes, votesrv_nroutes, &req, NULL, 0, NULL, &res);
    assert_int_equal(res.status, 405);
    assert_string_equal(res.allow, "POST, DELETE");
    json_decref(res.json);
    for (int i = 0; i < 3; i++) {            /* http_answer_internal: /a, /b, /a as a page */
        memset(&req, 0, sizeof req);
        memset(&res, 0, sizeof res);
        req.method = "GET";
        req.path = i == 1 ? "/b" : "/a";
        req.client = "192.0.2.7";
        req.is_page = i == 2;
        http_dispatch(&ctx, oom_routes, 2, &req, NULL, 0, NULL, &res);
        assert_int_equal(res.status, i == 1 ? 202 : 500);
        if (i == 0)
            assert_string_equal(error_code(&res), "internal_error");
        if (i == 1)
            assert_null(res.json);
        if (i == 2)
            assert_non_null(strstr(res.text, "<html"));
        json_decref(res.json);
        free(res.text);
    }
    server_close(&srv);
}

/* (3d) Through the running daemon (privilege separation on): the worker
 * resolves and refuses what the writer would, with the same answers. */
static void test_worker_resolves(void **state)
{
    tu_reply r;
    char *deep = nested_text(HTTP_JSON_DEPTH + 1);

    (void)state;
    tu_http(&r, "POST", "/api/v1/session", deep, (long)strlen(deep),
            "Content-Type: application/json");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "invalid_json"));
    tu_http(&r, "PUT", "/api/v1/session", "{}", 2, "Content-Type: application/json");
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "POST, DELETE");
    tu_http(&r, "GET", "/api/v1/trackers/a+b", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    free(deep);
}

/* (4) The worker killed: the writer logs it, closes the stores and exits 1
 * (its supervisor restarts the daemon); nothing is left listening. */
static void test_worker_death_stops_the_daemon(void **state)
{
    char out[4096], cmd[800];
    int pid = tu_proc_child_named(daemon_pid, PRIVSEP_WORKER_NAME), status;
    tu_reply r;

    (void)state;
    assert_true(pid > 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    /* a generous bound, so that a daemon that goes on serving fails the test */
    for (int i = 0; i < 1200 && waitpid(daemon_pid, &status, WNOHANG) == 0; i++)
        usleep(100 * 1000);
    assert_int_equal(kill(daemon_pid, 0), -1);
    daemon_pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    snprintf(cmd, sizeof cmd, "grep -c '\"event\":\"worker_died\"' %s/demo/votesrv.log", dir);
    assert_int_equal(tu_sh(out, sizeof out, "%s", cmd), 0);
    snprintf(cmd, sizeof cmd, "grep -c '\"event\":\"stopped\"' %s/demo/votesrv.log", dir);
    assert_int_equal(tu_sh(out, sizeof out, "%s", cmd), 0);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
    assert_int_equal(r.status, -1);         /* no answer: no one listens */
}

/* A process has ended: no /proc entry, or a zombie waiting for its reaper. */
static int process_gone(int pid)
{
    char state[64];

    proc_status(pid, "State", state, sizeof state);
    return state[0] == '\0' || state[0] == 'Z' || state[0] == 'X';
}

/* (5) The writer killed outright (SIGKILL: no clean stop): its worker and its
 * signer end with it, even though the worker changed user (which clears a
 * parent-death signal set before) - nothing is left listening or holding keys. */
static void test_writer_death_ends_its_children(void **state)
{
    char log[800];
    int writer, worker, signer, status;

    (void)state;
    snprintf(log, sizeof log, "%s/demo/votesrv-2.log", dir);
    writer = tu_daemon_start(bin, cfg_path, log);
    assert_true(writer > 0);
    worker = tu_proc_child_named(writer, PRIVSEP_WORKER_NAME);
    signer = tu_proc_child_named(writer, SIGNER_PROCESS_NAME);
    assert_true(worker > 0);
    assert_true(signer > 0);
    assert_int_equal(kill(writer, SIGKILL), 0);
    assert_int_equal(waitpid(writer, &status, 0), writer);
    /* bounded: a child that outlives its parent fails the test */
    for (int i = 0; i < 600 && !(process_gone(worker) && process_gone(signer)); i++)
        usleep(100 * 1000);
    if (!process_gone(worker))
        kill(worker, SIGKILL);              /* leave nothing behind */
    if (!process_gone(signer))
        kill(signer, SIGKILL);
    assert_true(process_gone(worker));
    assert_true(process_gone(signer));
}

/* ---- the writer's own user (privsep.writer_user) ---- */

/* Attack code as the writer's uid after its change of user: bit i of the
 * exit status set means attempt i succeeded. */
enum {
    W_CONTROL = 1 << 0, W_KEYS = 1 << 1, W_KEYS_REPLACE = 1 << 2, W_TRACE_SIGNER = 1 << 3,
    W_SIGNER_MEM = 1 << 4, W_TRACE_WRITER = 1 << 5, W_WRITER_ENVIRON = 1 << 6,
    W_ROOT = 1 << 7,
};

static int attack_as(uid_t uid, gid_t gid, const char *keys, const char *registry, int signer,
                     int writer)
{
    char path[CONFIG_PATH_CHARS + 16];
    int got = 0, fd;

    if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
        return 0xff;
    /* the control: the stores are its own */
    if ((fd = open(registry, O_RDWR)) >= 0) {
        got |= W_CONTROL;
        close(fd);
    }
    if ((fd = open(keys, O_RDONLY)) >= 0) {
        got |= W_KEYS;
        close(fd);
    }
    snprintf(path, sizeof path, "%s.old", keys);
    if (rename(keys, path) == 0)
        got |= W_KEYS_REPLACE;
    if (ptrace(PTRACE_ATTACH, signer, NULL, NULL) == 0)
        got |= W_TRACE_SIGNER;
    snprintf(path, sizeof path, "/proc/%d/mem", signer);
    if ((fd = open(path, O_RDONLY)) >= 0) {
        got |= W_SIGNER_MEM;
        close(fd);
    }
    /* the writer itself, of the same uid: not dumpable, so not its worker or
     * mailer either */
    if (ptrace(PTRACE_ATTACH, writer, NULL, NULL) == 0)
        got |= W_TRACE_WRITER;
    snprintf(path, sizeof path, "/proc/%d/environ", writer);
    if ((fd = open(path, O_RDONLY)) >= 0) {
        got |= W_WRITER_ENVIRON;
        close(fd);
    }
    if (setuid(0) == 0)
        got |= W_ROOT;
    return got;
}

/* The reload lines of wdir/votesrv.log: how many, the last in last. */
static int reload_count(const char *wdir, char *last, size_t len)
{
    char path[800];

    snprintf(path, sizeof path, "%s/votesrv.log", wdir);
    return tu_log_lines(path, "\"event\":\"reload\"", last, len);
}

/* i24: SIGHUP to a writer that is no longer root: a file it can read is
 * applied (portal.theme); once the file is root's alone, the reload is logged
 * and changes nothing, and the daemon serves on. */
static void reload_as_writer(const char *wdir, const char *cfgpath, int writer)
{
    char last[4096];
    json_t *j = json_load_file(cfgpath, 0, NULL);
    tu_reply r;
    int n;

    assert_non_null(j);
    json_object_set_new(j, "portal", json_pack("{s:s}", "theme", "dsfr"));
    assert_int_equal(json_dump_file(j, cfgpath, JSON_INDENT(1)), 0);
    json_decref(j);
    assert_int_equal(chmod(cfgpath, 0644), 0);
    for (int round = 0; round < 2; round++) {
        n = reload_count(wdir, last, sizeof last);
        assert_int_equal(kill(writer, SIGHUP), 0);
        for (int i = 0; i < 1000 && reload_count(wdir, last, sizeof last) == n; i++)
            usleep(10000);
        assert_int_equal(reload_count(wdir, last, sizeof last), n + 1);
        if (round == 0) {
            assert_non_null(strstr(last, "\"applied\":[\"portal.theme\"]"));
            assert_non_null(strstr(last, "\"restart_needed\":[]"));
            assert_int_equal(chmod(cfgpath, 0600), 0);     /* root's alone from now on */
        } else {
            assert_non_null(strstr(last, "\"level\":\"error\""));
            assert_non_null(strstr(last, "\"kept\""));
        }
        tu_http(&r, "GET", "/", NULL, 0, NULL);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "/static/portal-dsfr.css"));
    }
    assert_int_equal(chmod(cfgpath, 0644), 0);
}

/* (6) Started as root with privsep.writer_user, the writer becomes that user
 * before it opens a store: no capability, not dumpable; as its uid, the keys
 * file (the signer's, 0600) can be neither read nor replaced, nor the signer
 * or the writer traced; and the daemon serves a whole flow and stops cleanly. */
static void test_writer_changes_user(void **state)
{
    char cfgpath[700], err[CONFIG_ERR_CHARS], v[128], out[4096];
    struct passwd w, s, *p;     /* copies: getpwnam's answer is overwritten by the next */
    char *wdir;
    config c;
    int writer, signer, worker, status;
    pid_t pid;

    (void)state;
    if (geteuid() != 0)
        skip();
    tu_sqlite_only("the writer's ownership of its store files");
    assert_non_null(p = getpwnam("daemon"));
    w = *p;
    assert_non_null(p = getpwnam("bin"));
    s = *p;
    wdir = tu_writer_election(bin, cfgpath, sizeof cfgpath,
                           "{\"writer_user\": \"daemon\", \"signer_user\": \"bin\"}", w.pw_uid,
                           s.pw_gid, s.pw_uid);
    assert_int_equal(config_load(&c, cfgpath, err, sizeof err), 0);
    writer = tu_daemon_up(bin, wdir, cfgpath);
    assert_true(writer > 0);
    signer = tu_proc_child_named(writer, SIGNER_PROCESS_NAME);
    worker = tu_proc_child_named(writer, PRIVSEP_WORKER_NAME);
    assert_true(signer > 0);
    assert_true(worker > 0);
    proc_status(writer, "Uid", v, sizeof v);
    snprintf(out, sizeof out, "%u\t%u\t%u\t%u", w.pw_uid, w.pw_uid, w.pw_uid, w.pw_uid);
    assert_string_equal(v, out);
    proc_status(writer, "Gid", v, sizeof v);
    assert_int_equal(atoi(v), (int)w.pw_gid);
    proc_status(writer, "Groups", v, sizeof v);
    assert_string_equal(v, "");
    proc_status(writer, "CapEff", v, sizeof v);
    assert_string_equal(v, "0000000000000000");
    proc_status(writer, "CapPrm", v, sizeof v);
    assert_string_equal(v, "0000000000000000");
    proc_status(writer, "NoNewPrivs", v, sizeof v);
    assert_string_equal(v, "1");
    proc_status(signer, "Uid", v, sizeof v);
    assert_int_equal(atoi(v), (int)s.pw_uid);
    /* as root, the keys file is there and readable: the control */
    assert_int_equal(access(c.keys, R_OK), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(attack_as(w.pw_uid, w.pw_gid, c.keys, c.registry, signer, writer));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != W_CONTROL)
        fprintf(stderr, "attempts: 0x%x\n", WEXITSTATUS(status));
    assert_int_equal(WEXITSTATUS(status), W_CONTROL);
    /* a whole flow: sessions, ballots, receipts from the signer */
    snprintf(v, sizeof v, "%s/load.csv", wdir);
    assert_int_equal(tu_sh(out, sizeof out, "'%s/voteclient' --url %s load '%s' --concurrency 1",
                           bin, tu_base_url, v), 0);
    assert_non_null(strstr(out, "ballots 4 accepted 4 errors 0"));
    reload_as_writer(wdir, cfgpath, writer);
    /* it stops its worker (of another user, which it cannot signal) and exits 0 */
    assert_int_equal(kill(writer, SIGTERM), 0);
    assert_int_equal(waitpid(writer, &status, 0), writer);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(process_gone(worker));
    tu_daemon_teardown(-1, &(tu_smtp){ .pid = 0 }, wdir);
}

/* (7) Started as root, the refusals, each before anything is forked or
 * opened, with exit status 2 and a message naming the setting (and for the
 * stores, the file and the owners): no writer_user; writer_user root, unknown,
 * or the signer's user; stores owned by another user. */
static void test_writer_user_refusals(void **state)
{
    static const struct {
        const char *privsep, *expect;
        int stores_root;
    } cases[] = {
        { "{}", "the writer would stay root", 0 },
        { "{\"writer_user\": \"root\"}", "privsep.writer_user \\\"root\\\"", 0 },
        { "{\"writer_user\": \"no-such-user-votesrv\"}", "unprivileged user", 0 },
        { "{\"writer_user\": \"daemon\", \"signer_user\": \"daemon\"}", "the same user", 0 },
        { "{\"writer_user\": \"daemon\", \"writer_stays_root\": true}", "one or the other", 0 },
        { "{\"writer_user\": \"daemon\", \"signer_user\": \"bin\"}",
          "is owned by root (uid 0)", 1 },
        { "{\"writer_user\": \"daemon\"}", "the signer would stay root", 0 },
    };
    struct passwd *w = getpwnam("daemon");

    (void)state;
    if (geteuid() != 0)
        skip();
    tu_sqlite_only("the writer's ownership of its store files");
    assert_non_null(w);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cfgpath[700], out[8192], want[900];
        char *wdir = tu_writer_election(bin, cfgpath, sizeof cfgpath, cases[i].privsep,
                                     cases[i].stores_root ? 0 : w->pw_uid, 0, 0);

        assert_int_not_equal(tu_sh(out, sizeof out, "'%s/votesrv' -c '%s' 2>&1", bin, cfgpath),
                             0);
        if (strstr(out, cases[i].expect) == NULL)
            fprintf(stderr, "case %zu: %s\n", i, out);
        assert_non_null(strstr(out, cases[i].expect));
        if (cases[i].stores_root) {         /* the file, and the owner it needs */
            snprintf(want, sizeof want, "%s/data", wdir);
            assert_non_null(strstr(out, want));
            assert_non_null(strstr(out, "chown daemon"));
        }
        assert_null(strstr(out, "listening"));
        tu_rmdir(wdir);
        free(wdir);
    }
}

/* ---- a worker that does not exit (protocol: privsep_stop is bounded) ---- */

/* A compromised worker (forked here): it holds the control channel and its
 * request channel, ignores SIGTERM and the end of both, and stays; as uid
 * (0: the writer's own) after it has said it ignores SIGTERM on ready. */
static pid_t stubborn_worker(int ctl, int chan, uid_t uid, int *ready)
{
    int rv[2];
    pid_t pid;
    char r;

    assert_int_equal(pipe(rv), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        if (uid != 0 && (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0))
            _exit(3);
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* nothing left behind by the test */
        if (write(rv[1], "r", 1) != 1)
            _exit(1);
        (void)ctl;
        (void)chan;
        for (;;)
            pause();
    }
    close(rv[1]);
    *ready = read(rv[0], &r, 1) == 1;
    close(rv[0]);
    return pid;
}

/* A privsep of one request channel, its worker stubborn_worker(uid), with
 * one writer thread waiting on the channel (privsep_serve_start). */
static pid_t stubborn_privsep(privsep *ps, http_ctx *ctx, uid_t uid)
{
    int c[2], q[2], ready = 0;
    pid_t worker;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, q), 0);
    worker = stubborn_worker(c[1], q[1], uid, &ready);
    assert_true(ready);
    close(c[1]);
    close(q[1]);
    memset(ps, 0, sizeof *ps);
    pthread_mutex_init(&ps->lock, NULL);
    ps->pid = worker;
    ps->ctl = c[0];
    ps->worker_ctl = -1;
    ps->fds = calloc(1, sizeof *ps->fds);
    assert_non_null(ps->fds);
    ps->fds[0] = q[0];
    ps->n = 1;
    memset(ctx, 0, sizeof *ctx);
    ctx->cfg = &cfg;
    assert_int_equal(privsep_serve_start(ps, ctx), 0);
    return worker;
}

static void on_alarm(int sig)
{
    static const char m[] = "the stop hung: alarm\n";

    (void)sig;
    (void)!write(2, m, sizeof m - 1);
    _exit(99);
}

/* (6) A worker that ignores SIGTERM and the end of its channels (attack code
 * keeping it from its _exit): privsep_stop does not wait for it without a
 * bound; the writer may kill it (same user) and does, then the stop goes on
 * (its writer thread ends). alarm(): a hang fails the test. */
static void test_worker_that_stays_is_killed_at_the_stop(void **state)
{
    privsep ps;
    http_ctx ctx;
    pid_t worker;

    (void)state;
    worker = stubborn_privsep(&ps, &ctx, 0);
    signal(SIGALRM, on_alarm);
    alarm(120);
    privsep_stop(&ps);                      /* on the old code: never returns */
    alarm(0);
    assert_int_equal(ps.pid, 0);
    assert_int_equal(kill(worker, 0), -1);  /* killed and reaped */
    assert_int_equal(errno, ESRCH);
}

/* (7) The same worker of privsep.user, the writer of another user (as with
 * privsep.writer_user): the writer may not even signal it (EPERM); the stop
 * still ends, in a bounded time, and the writer exits (the real worker's
 * parent-death signal then ends it: test_writer_death_ends_its_children). */
static void test_worker_of_another_user_does_not_hang_the_stop(void **state)
{
    int st = 0, done = 0, p[2];
    pid_t writer, worker = 0;

    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    writer = fork();
    assert_true(writer >= 0);
    if (writer == 0) {
        privsep ps;
        http_ctx ctx;
        pid_t w;

        close(p[0]);
        w = stubborn_privsep(&ps, &ctx, 65534);
        if (write(p[1], &w, sizeof w) != sizeof w)
            _exit(3);
        if (setgroups(0, NULL) != 0 || setgid(1) != 0 || setuid(1) != 0)
            _exit(4);                       /* as sandbox_enter_writer */
        if (kill(w, SIGKILL) == 0 || errno != EPERM)
            _exit(5);                       /* the premise: it may not */
        privsep_stop(&ps);
        _exit(0);
    }
    close(p[1]);
    assert_int_equal(read(p[0], &worker, sizeof worker), sizeof worker);
    close(p[0]);
    /* bounded by the writer's own wait (STOP_GRACE_S and a margin, then
     * CHILD_KILL_WAIT_MS): 120 s is far beyond, and only a hang reaches it */
    for (int i = 0; i < 1200 && !done; i++) {
        done = waitpid(writer, &st, WNOHANG) == writer;
        if (!done)
            usleep(100 * 1000);
    }
    if (!done) {
        kill(writer, SIGKILL);
        waitpid(writer, &st, 0);
    }
    kill(worker, SIGKILL);                  /* its parent-death signal may have done it */
    assert_true(done);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_is_sandboxed),
        cmocka_unit_test(test_attack_code_in_sandbox),
        cmocka_unit_test(test_attack_later_bits),
        cmocka_unit_test(test_sandbox_keeps_to_its_own_limits),
        cmocka_unit_test(test_root_needs_a_user),
        cmocka_unit_test(test_writer_refuses_bad_frames),
        cmocka_unit_test(test_tree_round_trip),
        cmocka_unit_test(test_seed_frames_accepted),
        cmocka_unit_test(test_dispatch_resolves),
        cmocka_unit_test(test_worker_resolves),
        cmocka_unit_test(test_worker_death_stops_the_daemon),       /* ends the daemon */
        cmocka_unit_test(test_writer_death_ends_its_children),      /* a daemon of its own */
        cmocka_unit_test(test_writer_changes_user),                 /* an election of its own */
        cmocka_unit_test(test_writer_user_refusals),
        cmocka_unit_test(test_worker_that_stays_is_killed_at_the_stop),
        cmocka_unit_test(test_worker_of_another_user_does_not_hang_the_stop),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
