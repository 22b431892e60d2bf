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
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
    char b[4096];
    size_t len;
} frame;

static void put(frame *f, const void *d, size_t n)
{
    assert_true(f->len + n <= sizeof f->b);
    memcpy(f->b + f->len, d, n);
    f->len += n;
}

static void put_u32(frame *f, uint32_t v)
{
    put(f, &v, sizeof v);
}

static void put_str(frame *f, const char *s)
{
    put_u32(f, (uint32_t)strlen(s) + 1);
    put(f, s, strlen(s) + 1);
}

/* A request frame's payload (protocol §18): the listener, method, path, a
 * Content-Type header, body. */
static void request(frame *f, int internal, const char *method, const char *path,
                    const char *content_type, const char *body)
{
    f->len = 0;
    put_u32(f, (uint32_t)internal);
    put_u32(f, 0);
    put_u32(f, 0);
    put_str(f, method);
    put_str(f, path);
    put_str(f, "192.0.2.7");
    put_u32(f, content_type != NULL ? 1 : 0);
    if (content_type != NULL) {
        put_u32(f, HTTP_KV_HEADER);
        put_str(f, "Content-Type");
        put_str(f, content_type);
    }
    put_u32(f, 0);          /* form: not bad, no field */
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

/* The status of the response frame on s; -1 at the end of the stream. */
static int response_status(int s)
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
    free(p);
    return (int)status;
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

/* (3) Frames a compromised worker could send: refused (400) and logged, the
 * stream going on; a frame over the bound ends that channel; the store is
 * unchanged by any of them, while the same login well formed is counted. */
static void test_writer_refuses_bad_frames(void **state)
{
    static const char login[] = "{\"identifier\":\"nobody@example.org\",\"password\":\"wrong\"}";
    server srv;
    http_ctx ctx;
    serve_arg a;
    pthread_t t;
    frame f;
    char err[CONFIG_ERR_CHARS];
    int sv[2];
    int64_t seq;

    (void)state;
    log_set_level("error");
    assert_int_equal(server_open(&srv, cfg_path, 0, 0, err, sizeof err), 0);
    server_http_ctx(&srv, &ctx);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a = (serve_arg){ &ctx, sv[1], 99 };
    assert_int_equal(pthread_create(&t, NULL, serve, &a), 0);

    request(&f, 1, "GET", "/healthz", NULL, "");
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 200);
    /* a well-formed failed login is counted against its identifier */
    seq = failures(&srv, "nobody@example.org");
    request(&f, 0, "POST", "/api/v1/session", "application/json", login);
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 401);
    assert_true(failures(&srv, "nobody@example.org") > seq);
    seq = failures(&srv, "nobody@example.org");

    /* the same login: of an unknown kind, with a byte more, a byte less,
     * a string without its NUL, an impossible status to refuse with */
    send_frame(sv[0], 77, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    f.b[f.len++] = 'x';
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    f.len -= 2;
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    request(&f, 0, "POST", "/api/v1/session", "application/json", login);
    f.b[12 + 4 + 4] = 'X';          /* "POST\0" -> "POSTX": no NUL */
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    request(&f, 0, "POST", "/api/v1/session", "application/json", login);
    f.b[4] = (char)200;             /* refuse with 200: not an error status */
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    request(&f, 0, "POST", "/api/v1/session", "application/json", login);
    memset(f.b + 12 + 9 + 20 + 14, 0xff, 4);   /* the count of headers: 2^32 - 1 */
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    request(&f, 0, "POST", "/api/v1/session", "application/json", login);
    f.b[0] = 2;                     /* a third listener */
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 400);
    assert_int_equal(failures(&srv, "nobody@example.org"), seq);
    /* still answering */
    request(&f, 1, "GET", "/healthz", NULL, "");
    send_frame(sv[0], PRIVSEP_REQUEST, (uint32_t)f.len, &f);
    assert_int_equal(response_status(sv[0]), 200);

    /* a frame over the bound: the channel ends, nothing read or answered */
    send_frame(sv[0], PRIVSEP_REQUEST, 0xfffffff0u, NULL);
    assert_int_equal(response_status(sv[0]), -1);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(a.rc, -1);
    assert_int_equal(failures(&srv, "nobody@example.org"), seq);
    close(sv[0]);
    close(sv[1]);
    server_close(&srv);
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

/* An election of 4 voters in a folder of its own (load.csv for voteclient),
 * its configuration's privsep set to privsep (a JSON object); the SQLite
 * stores moved to wdir/data, owned by owner (-1: left root's) and readable by
 * the signer's group gid, the keys file given to the signer's user, 0600. */
static char *writer_election(char *cfgpath, size_t len, const char *privsep, uid_t owner,
                             gid_t gid, uid_t keys_owner)
{
    char *wdir = tu_tmpdir(), data[700], err[CONFIG_ERR_CHARS];
    const char *const ends[] = { "", "-journal", "-wal", "-shm" };
    config c;
    json_t *j;

    assert_int_equal(tu_election_generated(wdir, bin, 4, cfgpath, len), 0);
    assert_int_equal(tu_load_file(wdir, cfgpath, "csa-ministere", 4), 0);
    assert_int_equal(config_load(&c, cfgpath, err, sizeof err), 0);
    snprintf(data, sizeof data, "%s/data", wdir);
    assert_int_equal(mkdir(data, 0711), 0);
    assert_int_equal(chmod(data, 0711), 0);
    assert_int_equal(chown(data, owner, gid), 0);
    assert_non_null(j = json_load_file(cfgpath, 0, NULL));
    for (size_t i = 0; i < 2; i++) {
        const char *from = i == 0 ? c.registry : c.ballot_box;
        char to[800];

        for (size_t k = 0; k < 4; k++) {
            char a[CONFIG_PATH_CHARS + 16], b[900];

            snprintf(a, sizeof a, "%s%s", from, ends[k]);
            snprintf(b, sizeof b, "%s/%s%s", data, i == 0 ? "registry.db" : "ballots.db",
                     ends[k]);
            if (access(a, F_OK) != 0)
                continue;
            assert_int_equal(rename(a, b), 0);
            assert_int_equal(chown(b, owner, gid), 0);
            assert_int_equal(chmod(b, 0640), 0);
        }
        snprintf(to, sizeof to, "%s/%s", data, i == 0 ? "registry.db" : "ballots.db");
        json_object_set_new(json_object_get(j, "store"), i == 0 ? "registry" : "ballot_box",
                            json_string(to));
    }
    json_object_set_new(j, "privsep", json_loads(privsep, 0, NULL));
    assert_int_equal(json_dump_file(j, cfgpath, JSON_INDENT(1)), 0);
    json_decref(j);
    /* the writer reads its configuration and the election's files after its
     * change of user; the keys file is the signer's alone */
    assert_int_equal(chmod(cfgpath, 0644), 0);
    assert_int_equal(chmod(wdir, 0711), 0);
    assert_int_equal(chown(c.keys, keys_owner, (gid_t)-1), 0);
    assert_int_equal(chmod(c.keys, 0600), 0);
    return wdir;
}

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
    wdir = writer_election(cfgpath, sizeof cfgpath,
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
        { "{\"writer_user\": \"daemon\"}", "is owned by root (uid 0)", 1 },
    };
    struct passwd *w = getpwnam("daemon");

    (void)state;
    if (geteuid() != 0)
        skip();
    tu_sqlite_only("the writer's ownership of its store files");
    assert_non_null(w);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cfgpath[700], out[8192], want[900];
        char *wdir = writer_election(cfgpath, sizeof cfgpath, cases[i].privsep,
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_is_sandboxed),
        cmocka_unit_test(test_attack_code_in_sandbox),
        cmocka_unit_test(test_attack_later_bits),
        cmocka_unit_test(test_root_needs_a_user),
        cmocka_unit_test(test_writer_refuses_bad_frames),
        cmocka_unit_test(test_worker_death_stops_the_daemon),       /* ends the daemon */
        cmocka_unit_test(test_writer_death_ends_its_children),      /* a daemon of its own */
        cmocka_unit_test(test_writer_changes_user),                 /* an election of its own */
        cmocka_unit_test(test_writer_user_refusals),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
