/* test_mailer.c - the mailer process (votesrv/mailer.c) of a running daemon
 * with a mail relay: the activation links reach a real SMTP sink through
 * votesrv-mailer, which is sandboxed and holds no store or key file; attack
 * code in a process sandboxed as the mailer is can open no file (for reading
 * or writing), run no program, read no other process and open no Unix
 * socket, while it keeps the network; a killed mailer is restarted and the
 * next message is delivered; while a message is on its way to the relay, the
 * TCP connection is the mailer's and not the writer's, and a mailer killed
 * then leaves the message queued, to be sent again (at least once); a killed
 * writer takes its mailer with it. Without privsep, the writer still sends
 * mail itself. The daemon is started with PGPASSWORD in its environment: the
 * mailer's environment is empty. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"
#include "access/altcha.h"
#include "votesrv/server.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "W1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n" \
            "W2,Petit,Léa,lea.petit@ex.gouv.fr,E,,attache\n"
#define CAMILLE "camille.martin@ex.gouv.fr"

static char *dir, bin[PATH_MAX], cfg_path[700];
static config cfg;
static int daemon_pid;
static tu_smtp smtp;
static char secret[64] = "a secret of the parent process";
#define PG_SECRET "secret-xyz"

static int setup(void **state)
{
    char err[CONFIG_ERR_CHARS];

    (void)state;
    if (tu_start_with_smtp(bin, &dir, &smtp) != 0 ||
        tu_election_by_cli(dir, bin, &smtp, CSV, NULL, cfg_path, sizeof cfg_path) != 0)
        return -1;
    /* a secret of the writer's environment, which the mailer must not get */
    setenv("PGPASSWORD", PG_SECRET, 1);
    daemon_pid = tu_daemon_up(bin, dir, cfg_path);
    unsetenv("PGPASSWORD");
    if (daemon_pid <= 0 || config_load(&cfg, cfg_path, err, sizeof err) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_daemon_teardown(daemon_pid, &smtp, dir);
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

/* Whether pid has a descriptor whose link contains what. */
static int has_fd_to(int pid, const char *what)
{
    char path[64], link[PATH_MAX + 300], target[PATH_MAX];
    DIR *d;
    struct dirent *e;
    int found = 0;

    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        ssize_t n;

        if (e->d_name[0] == '.')
            continue;
        snprintf(link, sizeof link, "%s/%s", path, e->d_name);
        n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strstr(target, what) != NULL)
            found = 1;
    }
    closedir(d);
    return found;
}

/* The daemon's mailer, waiting (bounded) for one other than not. */
static int mailer_of(int writer, int not)
{
    int pid = -1;

    for (int i = 0; i < 600; i++) {
        pid = tu_proc_child_named(writer, MAILER_PROCESS_NAME);
        if (pid > 0 && pid != not)
            return pid;
        usleep(100 * 1000);
    }
    return -1;
}

static char *solved_challenge(void)
{
    tu_reply r;
    json_t *c;
    char *payload;

    tu_http(&r, "GET", "/api/v1/access/challenge", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    c = json_loads(r.body, 0, NULL);
    payload = altcha_solve(c);
    json_decref(c);
    assert_non_null(payload);
    return payload;
}

/* "Link not received" for an address, with a fresh proof of work: 202. */
static void ask_link(const char *address)
{
    char body[2048], *altcha = solved_challenge();
    tu_reply r;

    snprintf(body, sizeof body, "{\"identifier\":\"%s\",\"altcha\":\"%s\"}", address, altcha);
    free(altcha);
    tu_http(&r, "POST", "/api/v1/access/link", body, (long)strlen(body),
            "Content-Type: application/json");
    assert_int_equal(r.status, 202);
}

/* Messages the sink got for addr, waiting (bounded) for more than before. */
static int mails_beyond(const char *addr, int before)
{
    int last = 0, n = 0;

    for (int i = 0; i < 600; i++) {
        n = tu_smtp_mails_to(&smtp, addr, &last);
        if (n > before)
            break;
        usleep(100 * 1000);
    }
    return n;
}

/* (1) The links of `votectl open` went out through votesrv-mailer: it runs
 * sandboxed (seccomp, no new privileges, no capability, not root), holds no
 * store or key file; the writer is not sandboxed and holds the store. */
static void test_mail_goes_through_the_mailer(void **state)
{
    int pid = mailer_of(daemon_pid, 0);
    char v[128], *msg, *text;

    (void)state;
    assert_true(pid > 0);
    msg = tu_smtp_message(&smtp, 1);
    assert_non_null(msg);
    text = tu_mail_text(msg);
    assert_non_null(text);
    assert_non_null(strstr(text, "/activation?t="));
    free(text);
    free(msg);
    proc_status(pid, "Seccomp", v, sizeof v);
    assert_string_equal(v, "2");
    proc_status(pid, "NoNewPrivs", v, sizeof v);
    assert_string_equal(v, "1");
    proc_status(pid, "CapEff", v, sizeof v);
    assert_string_equal(v, "0000000000000000");
    if (geteuid() == 0) {
        proc_status(pid, "Uid", v, sizeof v);
        assert_true(atoi(v) != 0);
    }
    proc_status(daemon_pid, "Seccomp", v, sizeof v);
    assert_string_equal(v, "0");
    assert_false(has_fd_to(pid, "registry"));
    assert_false(has_fd_to(pid, "ballots"));
    assert_false(has_fd_to(pid, ".db"));
    assert_false(has_fd_to(pid, "server-keys"));
    assert_false(has_fd_to(pid, cfg.keys));
    assert_true(has_fd_to(pid, "socket:"));         /* it was read: its channel */
    if (!tu_pg())
        assert_true(has_fd_to(daemon_pid, "registry.db"));
}

/* The environment of pid (read as root: its /proc entries are not
 * dumpable) holds name=value. -1 when it cannot be read. */
static int environ_has(int pid, const char *entry)
{
    char path[64], buf[65536];
    size_t n, len = strlen(entry);
    FILE *f;
    int found = 0;

    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (size_t o = 0; o < n; o += strlen(buf + o) + 1)
        if (strncmp(buf + o, entry, len) == 0 && buf[o + len] == '\0')
            found = 1;
    return found;
}

/* (1b) The daemon started with PGPASSWORD in its environment: the writer has
 * it (the control), its mailer, network-enabled, does not: it is exec'd with
 * an empty environment. */
static void test_mailer_environment_is_empty(void **state)
{
    int pid = mailer_of(daemon_pid, 0);
    char path[64], b[16];
    FILE *f;

    (void)state;
    if (geteuid() != 0)
        skip();                         /* their /proc entries: root's to read */
    assert_true(pid > 0);
    assert_int_equal(environ_has(daemon_pid, "PGPASSWORD=" PG_SECRET), 1);
    assert_int_equal(environ_has(pid, "PGPASSWORD=" PG_SECRET), 0);
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fread(b, 1, sizeof b, f), 0);     /* nothing at all */
    fclose(f);
}

/* Attack code in a process sandboxed as the mailer is (with and without
 * the empty root): bit i of the result set means attempt i succeeded. */
enum {
    A_CONTROL = 1 << 0, A_ENTER = 1 << 1, A_KEYS = 1 << 2, A_REGISTRY = 1 << 3,
    A_BOX = 1 << 4, A_WRITE = 1 << 5, A_MEM = 1 << 6, A_PTRACE = 1 << 7, A_VM_READ = 1 << 8,
    A_SECRET = 1 << 9, A_EXEC = 1 << 10, A_UNIX = 1 << 11, A_FORK = 1 << 12, A_ROOT = 1 << 13,
    A_NO_NETWORK = 1 << 14, A_RAW_OPEN = 1 << 15, A_CONFIG = 1 << 16,
};

static int attack(pid_t parent, int chroot_empty)
{
    char err[CONFIG_ERR_CHARS], mem[64], buf[sizeof secret], written[PATH_MAX];
    char *const argv[] = { "/bin/false", NULL }, *const envp[] = { NULL };
    struct iovec local = { buf, sizeof buf }, remote = { secret, sizeof secret };
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)smtp.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/run/postgresql/.s.PGSQL.5432" };
    int got = 0, fd, s;

    fd = open(cfg.keys, O_RDONLY);              /* before: readable */
    if (fd < 0)
        got |= A_CONTROL;
    close(fd);
    snprintf(written, sizeof written, "%s/written-by-the-mailer", dir);
    if (sandbox_enter_mailer(cfg.privsep_user, chroot_empty, err, sizeof err) != 0) {
        fprintf(stderr, "sandbox: %s\n", err);
        return A_ENTER;
    }
    if (open(cfg.keys, O_RDONLY) >= 0)
        got |= A_KEYS;
    if (open(cfg.registry, O_RDONLY) >= 0 || open(cfg.registry, O_RDWR) >= 0)
        got |= A_REGISTRY;
    if (open(cfg.ballot_box, O_RDONLY) >= 0)
        got |= A_BOX;
    if (open(cfg_path, O_RDONLY) >= 0)
        got |= A_CONFIG;
    if (open(written, O_WRONLY | O_CREAT | O_TRUNC, 0600) >= 0 ||
        open("/tmp/votesrv-mailer-attack", O_WRONLY | O_CREAT, 0600) >= 0 ||
        creat(written, 0600) >= 0)
        got |= A_WRITE;
    if (syscall(SYS_open, cfg.keys, O_RDONLY) >= 0 ||
        syscall(SYS_openat, AT_FDCWD, cfg.keys, O_RDONLY) >= 0 ||
        syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) >= 0 || open("/", O_RDONLY) >= 0)
        got |= A_RAW_OPEN;
    snprintf(mem, sizeof mem, "/proc/%d/mem", (int)parent);
    if (open(mem, O_RDONLY) >= 0)
        got |= A_MEM;
    if (ptrace(PTRACE_ATTACH, parent, NULL, NULL) == 0) {
        got |= A_PTRACE;
        waitpid(parent, NULL, __WALL);
        ptrace(PTRACE_DETACH, parent, NULL, NULL);
    }
    memset(buf, 0, sizeof buf);
    if (process_vm_readv(parent, &local, 1, &remote, 1, 0) >= 0)
        got |= A_VM_READ;
    if (memcmp(buf, secret, sizeof buf) == 0)
        got |= A_SECRET;
    execve(argv[0], argv, envp);        /* had it run, no result would come: a failure */
    if (errno != EACCES)
        got |= A_EXEC;
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s >= 0) {
        got |= A_UNIX;
        connect(s, (struct sockaddr *)&un, sizeof un);
    }
    if (geteuid() == 0 || getuid() == 0 || setuid(0) == 0)
        got |= A_ROOT;
    fflush(NULL);
    pid_t child = fork();

    if (child == 0)
        _exit(0);
    if (child > 0) {
        got |= A_FORK;
        waitpid(child, NULL, 0);
    }
    /* what it is for: a TCP connection to the relay */
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        got |= A_NO_NETWORK;
    close(s);
    return got;
}

/* (2) Every attack fails, with and without the empty root; the network
 * stays (the control: as root, the keys are readable before). */
static void test_attack_code_in_mailer_sandbox(void **state)
{
    (void)state;
    secret[0] = 'A';
    for (int chroot_empty = 0; chroot_empty < 2; chroot_empty++) {
        pid_t parent = getpid(), pid;
        int p[2], got = -1, status;

        assert_int_equal(pipe(p), 0);
        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int r = attack(parent, chroot_empty);

            _exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 1);
        }
        close(p[1]);
        assert_int_equal(read(p[0], &got, sizeof got), sizeof got);
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        if (got != 0)
            fprintf(stderr, "chroot %d: succeeded attempts: 0x%x\n", chroot_empty, got);
        assert_int_equal(got, 0);
    }
    assert_int_equal(access("/tmp/votesrv-mailer-attack", F_OK), -1);
}

/* (3) The mailer killed: the writer logs it and starts another, and a link
 * asked for afterwards is delivered through it. */
static void test_killed_mailer_is_restarted(void **state)
{
    int first = mailer_of(daemon_pid, 0), second, last = 0, before;
    char out[4096];

    (void)state;
    assert_true(first > 0);
    before = tu_smtp_mails_to(&smtp, CAMILLE, &last);
    assert_int_equal(kill(first, SIGKILL), 0);
    second = mailer_of(daemon_pid, first);
    assert_true(second > 0);
    assert_int_equal(kill(daemon_pid, 0), 0);             /* the daemon goes on */
    ask_link(CAMILLE);
    assert_int_equal(mails_beyond(CAMILLE, before), before + 1);
    assert_int_equal(tu_sh(out, sizeof out, "grep -c '\"event\":\"mailer_died\"' %s/votesrv.log",
                           dir), 0);
}

/* The inode of the TCP connection from local port lport to rport, in the
 * network namespace of pid (/proc/pid/net/tcp), or 0. */
static unsigned long tcp_inode(int pid, unsigned lport, unsigned rport)
{
    char path[64], line[512];
    unsigned long inode = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/net/tcp", pid);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned la, lp, ra, rp, st;
        unsigned long ino;

        if (sscanf(line, " %*d: %x:%x %x:%x %x %*x:%*x %*x:%*x %*x %*u %*u %lu", &la, &lp, &ra,
                   &rp, &st, &ino) == 6 && lp == lport && rp == rport)
            inode = ino;
    }
    fclose(f);
    return inode;
}

/* A connection on the tarpit (it never answers), waiting up to s seconds. */
static int tarpit_accept(int l, int s, unsigned *peer_port)
{
    struct pollfd p = { .fd = l, .events = POLLIN };
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int c;

    if (poll(&p, 1, s * 1000) != 1)
        return -1;
    c = accept(l, (struct sockaddr *)&a, &al);
    if (c >= 0)
        *peer_port = ntohs(a.sin_port);
    return c;
}

/* (4) A relay that never answers (the test's tarpit): while a message is
 * on its way, the TCP connection to the relay belongs to the mailer and not
 * to the writer. The mailer killed then: its message stays queued (its
 * answer never came) and is sent again to the relay by the next mailer. */
static void test_writer_never_connects_to_the_relay(void **state)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    char relay[64], log[PATH_MAX], sock[64], out[4096];
    unsigned peer = 0, port;
    unsigned long inode;
    int l = socket(AF_INET, SOCK_STREAM, 0), c, c2 = -1, writer, mailer, status;
    json_t *j;

    (void)state;
    /* the daemon of the other tests stops; this one, on the same election,
     * has the tarpit for relay */
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, &status, 0);
    daemon_pid = 0;
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 8), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
    port = ntohs(a.sin_port);
    j = json_load_file(cfg_path, 0, NULL);
    assert_non_null(j);
    snprintf(relay, sizeof relay, "smtp://127.0.0.1:%u", port);
    json_object_set_new(json_object_get(j, "mail"), "relay", json_string(relay));
    json_object_set_new(json_object_get(j, "mail"), "timeout_s", json_integer(600));
    assert_int_equal(json_dump_file(j, cfg_path, JSON_INDENT(1)), 0);
    json_decref(j);
    snprintf(log, sizeof log, "%s/votesrv-tarpit.log", dir);
    writer = daemon_pid = tu_daemon_start(bin, cfg_path, log);
    assert_true(writer > 0);
    mailer = mailer_of(writer, 0);
    assert_true(mailer > 0);
    ask_link(CAMILLE);
    c = tarpit_accept(l, 60, &peer);
    assert_true(c >= 0);
    inode = tcp_inode(mailer, peer, port);
    assert_true(inode != 0);
    snprintf(sock, sizeof sock, "socket:[%lu]", inode);
    assert_true(has_fd_to(mailer, sock));
    assert_false(has_fd_to(writer, sock));
    /* no other connection of the writer's to the relay either */
    for (int i = 0; i < 2; i++) {
        int pid = i == 0 ? writer : tu_proc_child_named(writer, PRIVSEP_WORKER_NAME);

        assert_true(pid > 0);
        assert_false(has_fd_to(pid, sock));
    }
    /* the mailer dies with the message on its way: kept, and sent again */
    assert_int_equal(kill(mailer, SIGKILL), 0);
    for (int i = 0; i < 600 && tu_sh(out, sizeof out, "grep -c mailer_refused %s", log) != 0; i++)
        usleep(100 * 1000);
    assert_int_equal(tu_sh(out, sizeof out, "grep -c mailer_refused %s", log), 0);
    close(c);
    /* its back-off cut short: the next mailer connects again for it */
    for (int i = 0; i < 60 && c2 < 0; i++) {
        assert_int_equal(tu_registry_sql(dir, "UPDATE outbox SET next_attempt = 0"
                                              " WHERE state = 'queued';"), 0);
        c2 = tarpit_accept(l, 1, &peer);
    }
    assert_true(c2 >= 0);
    assert_true(mailer_of(writer, mailer) > 0);
    close(c2);
    close(l);
}

/* A process has ended: no /proc entry, or a zombie waiting for its reaper. */
static int process_gone(int pid)
{
    char state[64];

    proc_status(pid, "State", state, sizeof state);
    return state[0] == '\0' || state[0] == 'Z' || state[0] == 'X';
}

/* (5) The writer killed outright: its mailer ends with it, though it changed
 * user (which clears a parent-death signal set before). */
static void test_writer_death_ends_the_mailer(void **state)
{
    int writer = daemon_pid, mailer = mailer_of(writer, 0), status;

    (void)state;
    assert_true(writer > 0);
    assert_true(mailer > 0);
    assert_int_equal(kill(writer, SIGKILL), 0);
    assert_int_equal(waitpid(writer, &status, 0), writer);
    daemon_pid = 0;
    for (int i = 0; i < 600 && !process_gone(mailer); i++)
        usleep(100 * 1000);
    if (!process_gone(mailer))
        kill(mailer, SIGKILL);              /* leave nothing behind */
    assert_true(process_gone(mailer));
}

/* (6) privsep.enabled false: no mailer, the writer's own thread delivers,
 * as before the split. */
static void test_without_privsep_mail_stays_in_process(void **state)
{
    char log[PATH_MAX], relay[64];
    int last = 0, before;
    json_t *j;

    (void)state;
    j = json_load_file(cfg_path, 0, NULL);
    assert_non_null(j);
    snprintf(relay, sizeof relay, "smtp://127.0.0.1:%d", smtp.port);
    json_object_set_new(json_object_get(j, "mail"), "relay", json_string(relay));
    json_object_set_new(json_object_get(j, "mail"), "timeout_s", json_integer(30));
    json_object_set_new(j, "privsep", json_pack("{s:b}", "enabled", 0));
    assert_int_equal(json_dump_file(j, cfg_path, JSON_INDENT(1)), 0);
    json_decref(j);
    snprintf(log, sizeof log, "%s/votesrv-single.log", dir);
    daemon_pid = tu_daemon_start(bin, cfg_path, log);
    assert_true(daemon_pid > 0);
    before = tu_smtp_mails_to(&smtp, "lea.petit@ex.gouv.fr", &last);
    ask_link("lea.petit@ex.gouv.fr");
    assert_int_equal(mails_beyond("lea.petit@ex.gouv.fr", before), before + 1);
    assert_int_equal(tu_proc_child_named(daemon_pid, MAILER_PROCESS_NAME), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mail_goes_through_the_mailer),
        cmocka_unit_test(test_mailer_environment_is_empty),
        cmocka_unit_test(test_attack_code_in_mailer_sandbox),
        cmocka_unit_test(test_killed_mailer_is_restarted),
        cmocka_unit_test(test_writer_never_connects_to_the_relay),  /* a daemon of its own */
        cmocka_unit_test(test_writer_death_ends_the_mailer),        /* ends that daemon */
        cmocka_unit_test(test_without_privsep_mail_stays_in_process),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
