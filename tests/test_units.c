/* test_units.c - privsep.mode "units" (votesrv/units.c, conf/systemd/): the
 * signer, the writer and the worker started by hand as three users, as
 * systemd starts them (bin, daemon, nobody), serve a whole flow through the
 * API; and a fourth uid, in the sockets' groups, gets nothing from either
 * socket: the signer closes on it unanswered (no derived key, nothing
 * signed), the writer hands it no request channel, and a second connection
 * of the worker's own uid is refused while the worker is there. Each attack
 * succeeds against ends that do not check their peer's uid. Run as root
 * (skipped otherwise). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "votesrv/config.h"

#define ATTACKER_UID 4242       /* no account: a local process of another uid */
#define NPROCS 3

static char bin[PATH_MAX], *wdir;
static pid_t procs[NPROCS];     /* signer, writer, worker */
enum { SIGNER, WRITER, WORKER };

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&t, NULL);
}

/* Run bin/votesrv with args as uid:gid (no supplementary group), stderr to
 * wdir/log. */
static pid_t run_as(uid_t uid, gid_t gid, const char *log, const char *a1, const char *a2,
                    const char *a3, const char *a4, const char *a5)
{
    char exe[PATH_MAX + 16], path[PATH_MAX + 64];
    pid_t pid;

    snprintf(exe, sizeof exe, "%s/votesrv", bin);
    snprintf(path, sizeof path, "%s/%s", wdir, log);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

        if (fd < 0 || dup2(fd, 2) != 2 || freopen("/dev/null", "w", stdout) == NULL ||
            setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
            _exit(126);
        execl(exe, exe, a1, a2, a3, a4, a5, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* A process that ends within ms: its exit status, or -1 (then killed). */
static int ended_within(pid_t pid, long ms)
{
    int st;

    for (long i = 0; i < ms / 20; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void stop(int i)
{
    if (procs[i] > 0) {
        kill(procs[i], SIGTERM);
        ended_within(procs[i], 15000);
        procs[i] = 0;
    }
}

static int teardown(void **state)
{
    (void)state;
    for (int i = NPROCS - 1; i >= 0; i--)
        stop(i);
    if (wdir != NULL) {
        tu_rmdir(wdir);
        free(wdir);
        wdir = NULL;
    }
    return 0;
}

/* Whether wdir/log has a line with both a and b, within ms. */
static int logged(const char *log, const char *a, const char *b, long ms)
{
    char path[PATH_MAX + 64], line[4096];

    snprintf(path, sizeof path, "%s/%s", wdir, log);
    for (long i = 0; i <= ms / 20; i++) {
        FILE *f = fopen(path, "r");
        int found = 0;

        while (f != NULL && !found && fgets(line, sizeof line, f) != NULL)
            found = strstr(line, a) != NULL && strstr(line, b) != NULL;
        if (f != NULL)
            fclose(f);
        if (found)
            return 1;
        sleep_ms(20);
    }
    return 0;
}

/* The file at path appears within ms. */
static int appears(const char *path, long ms)
{
    for (long i = 0; i <= ms / 20; i++) {
        if (access(path, F_OK) == 0)
            return 1;
        sleep_ms(20);
    }
    return 0;
}

/* The public port the writer writes in path once the worker serves (10 s
 * at most), or 0. */
static int port_read(const char *path)
{
    int port = 0, internal = 0;

    for (int i = 0; i < 500 && port == 0; i++) {
        FILE *f;

        sleep_ms(20);
        if ((f = fopen(path, "r")) != NULL) {
            if (fscanf(f, "%d %d", &port, &internal) != 2)
                port = 0;
            fclose(f);
        }
    }
    return port;
}

/* What a process of uid:gid gets from the socket at path. */
enum { GOT_CLOSED = 0, GOT_NO_CONNECT = 1, GOT_BYTES = 2, GOT_NOTHING_YET = 3, GOT_ERROR = 4 };

static int attack_socket(const char *path, int type, uid_t uid, gid_t gid)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    pid_t pid;
    int st;

    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        struct pollfd p;
        char buf[4096];
        int fd;
        ssize_t n;

        if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
            _exit(GOT_ERROR);
        if ((fd = socket(AF_UNIX, type, 0)) < 0)
            _exit(GOT_ERROR);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
            _exit(GOT_NO_CONNECT);
        /* a signer request too: a checkpoint for seq 1 */
        if (type == SOCK_SEQPACKET) {
            uint8_t req[12] = { 3, 0, 0, 0, 1 };

            (void)!send(fd, req, sizeof req, MSG_NOSIGNAL);
        }
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1)
            _exit(GOT_NOTHING_YET);
        n = recv(fd, buf, sizeof buf, 0);
        _exit(n > 0 ? GOT_BYTES : n == 0 || errno == ECONNRESET ? GOT_CLOSED : GOT_ERROR);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void folder(const char *path, uid_t owner, gid_t group)
{
    assert_int_equal(mkdir(path, 0750), 0);
    assert_int_equal(chown(path, owner, group), 0);
    /* setgid: the socket made in it has the folder's group, as with
     * conf/systemd/tmpfiles.d/votesrv.conf */
    assert_int_equal(chmod(path, 02750), 0);
}

static void test_three_units(void **state)
{
    struct passwd s, w, h, *p;
    char cfgpath[700], privsep[2400], sdir[800], hdir[800], ssock[900], hsock[900],
         port_file[900], keys[CONFIG_PATH_CHARS], out[4096], v[800], err[CONFIG_ERR_CHARS];
    config c;
    int port, password = 0;

    (void)state;
    if (geteuid() != 0)
        skip();
    tu_sqlite_only("the writer's ownership of its store files");
    /* copies: getpwnam's answer is overwritten by the next call */
    for (int i = 0; i < 3; i++) {
        assert_non_null(p = getpwnam(i == 0 ? "bin" : i == 1 ? "daemon" : "nobody"));
        *(i == 0 ? &s : i == 1 ? &w : &h) = *p;
    }
    /* the stores the writer's (daemon), readable by the signer's group (bin) */
    wdir = tu_writer_election(bin, cfgpath, sizeof cfgpath, "{}", w.pw_uid, s.pw_gid, s.pw_uid);
    snprintf(sdir, sizeof sdir, "%s/signer", wdir);
    snprintf(hdir, sizeof hdir, "%s/writer", wdir);
    folder(sdir, s.pw_uid, w.pw_gid);
    folder(hdir, w.pw_uid, h.pw_gid);
    snprintf(ssock, sizeof ssock, "%s/signer.sock", sdir);
    snprintf(hsock, sizeof hsock, "%s/worker.sock", hdir);
    snprintf(privsep, sizeof privsep,
             "{\"mode\": \"units\", \"user\": \"nobody\", \"signer_user\": \"bin\", "
             "\"writer_user\": \"daemon\", \"signer_socket\": \"%s\", \"worker_socket\": \"%s\"}",
             ssock, hsock);
    {
        json_t *j = json_load_file(cfgpath, 0, NULL);
        char *pw;

        assert_non_null(j);
        json_object_set_new(j, "privsep", json_loads(privsep, 0, NULL));
        /* a relay (nothing listens there) whose password is the writer's
         * alone: the signer and the worker start without reading it */
        pw = tu_write(wdir, "smtp-password", "relay secret\n");
        assert_non_null(pw);
        snprintf(v, sizeof v, "%s", pw);
        free(pw);
        assert_int_equal(chown(v, w.pw_uid, w.pw_gid), 0);
        assert_int_equal(chmod(v, 0600), 0);
        json_object_set_new(j, "mail", json_pack("{s:s,s:s,s:s,s:s}", "relay",
                                                 "smtp://127.0.0.1:9", "from",
                                                 "Bureau de vote <elections@ex.gouv.fr>",
                                                 "username", "votesrv", "password_file", v));
        password = 1;
        json_object_set_new(json_object_get(j, "listen"), "port", json_integer(0));
        if (json_object_get(j, "internal_listen") == NULL)
            json_object_set_new(j, "internal_listen", json_object());
        json_object_set_new(json_object_get(j, "internal_listen"), "port", json_integer(0));
        assert_int_equal(json_dump_file(j, cfgpath, JSON_INDENT(1)), 0);
        json_decref(j);
    }
    assert_int_equal(chmod(cfgpath, 0644), 0);
    assert_int_equal(config_load(&c, cfgpath, err, sizeof err), 0);
    assert_true(c.privsep_units);
    assert_true(password);
    snprintf(keys, sizeof keys, "%s", c.keys);
    snprintf(port_file, sizeof port_file, "%s/port", hdir);

    /* the signer, as bin, with the keys file (the unit's credential) */
    procs[SIGNER] = run_as(s.pw_uid, s.pw_gid, "signer.log", "--signer", "-c", cfgpath,
                           "--keys", keys);
    assert_true(appears(ssock, 10000));
    /* (1) another uid, in the writer's group (the socket's), before any
     * writer: connected, then closed unanswered, logged */
    assert_int_equal(attack_socket(ssock, SOCK_SEQPACKET, ATTACKER_UID, w.pw_gid), GOT_CLOSED);
    assert_true(logged("signer.log", "privsep_peer_refused", "\"uid\":4242", 2000));
    /* the worker, as root: refused, it is not privsep.user */
    assert_int_equal(tu_sh(out, sizeof out, "'%s/votesrv' --worker -c '%s'", bin, cfgpath), 2);
    assert_non_null(strstr(out, "start it as that user"));

    /* the writer, as daemon */
    procs[WRITER] = run_as(w.pw_uid, w.pw_gid, "votesrv.log", "-c", cfgpath, "--port-file",
                           port_file, NULL);
    assert_true(appears(hsock, 10000));
    /* (2) another uid, in the worker's group, before the worker: no channel */
    assert_int_equal(attack_socket(hsock, SOCK_STREAM, ATTACKER_UID, h.pw_gid), GOT_CLOSED);
    assert_true(logged("votesrv.log", "privsep_peer_refused", "\"uid\":4242", 2000));
    /* a stop while it waits for its worker: exit 0, its socket removed */
    kill(procs[WRITER], SIGTERM);
    assert_int_equal(ended_within(procs[WRITER], 10000), 0);
    procs[WRITER] = 0;
    assert_true(logged("votesrv.log", "stopped", "waiting for the worker", 2000));
    assert_int_equal(access(hsock, F_OK), -1);
    procs[WRITER] = run_as(w.pw_uid, w.pw_gid, "votesrv.log", "-c", cfgpath, "--port-file",
                           port_file, NULL);
    assert_true(appears(hsock, 10000));

    /* the worker, as nobody */
    procs[WORKER] = run_as(h.pw_uid, h.pw_gid, "worker.log", "--worker", "-c", cfgpath, NULL,
                           NULL);
    port = port_read(port_file);
    assert_true(port > 0);
    snprintf(tu_base_url, sizeof tu_base_url, "http://127.0.0.1:%d", port);
    /* (3) a second connection of the worker's own uid: refused, logged */
    assert_int_equal(attack_socket(hsock, SOCK_STREAM, h.pw_uid, h.pw_gid), GOT_CLOSED);
    assert_true(logged("votesrv.log", "privsep_peer_refused", "already", 2000));

    /* a whole flow: sessions, ballots, receipts signed by the signer's unit */
    snprintf(v, sizeof v, "%s/load.csv", wdir);
    assert_int_equal(tu_sh(out, sizeof out, "'%s/voteclient' --url %s load '%s' --concurrency 1",
                           bin, tu_base_url, v), 0);
    assert_non_null(strstr(out, "ballots 4 accepted 4 errors 0"));

    /* the writer stops: the worker sees its connection end and exits; the
     * signer lets that writer go and waits for the next */
    kill(procs[WRITER], SIGTERM);
    assert_int_equal(ended_within(procs[WRITER], 15000), 0);
    procs[WRITER] = 0;
    assert_true(ended_within(procs[WORKER], 15000) >= 0);
    procs[WORKER] = 0;
    assert_true(logged("signer.log", "signer-writer-gone", "pid", 2000));
    /* (1) again, between two writers */
    assert_int_equal(attack_socket(ssock, SOCK_SEQPACKET, ATTACKER_UID, w.pw_gid), GOT_CLOSED);
    /* the next writer is served (its greeting: the derived keys) */
    remove(port_file);
    procs[WRITER] = run_as(w.pw_uid, w.pw_gid, "votesrv.log", "-c", cfgpath, "--port-file",
                           port_file, NULL);
    procs[WORKER] = run_as(h.pw_uid, h.pw_gid, "worker.log", "--worker", "-c", cfgpath, NULL,
                           NULL);
    port = port_read(port_file);
    assert_true(port > 0);
    /* the worker gone, the writer sees its connection end and exits 1
     * (systemd restarts both) */
    kill(procs[WORKER], SIGTERM);
    assert_true(ended_within(procs[WORKER], 15000) >= 0);
    procs[WORKER] = 0;
    assert_int_equal(ended_within(procs[WRITER], 15000), 1);
    procs[WRITER] = 0;
    assert_true(logged("votesrv.log", "worker_died", "closed", 2000));
    teardown(state);
}

/* The configuration of the units mode: three users, all different, named;
 * an unknown mode and relative sockets refused; and the roles refused out
 * of it (run as root here: the worker and the signer of the units mode are
 * never root). */
static void test_units_config(void **state)
{
    static const struct {
        const char *privsep, *want;     /* want NULL: accepted */
    } cases[] = {
        { "{\"mode\": \"units\", \"user\": \"h\", \"signer_user\": \"s\", "
          "\"writer_user\": \"w\"}", NULL },
        { "{\"mode\": \"units\", \"user\": \"h\", \"signer_user\": \"s\"}",
          "three different users" },
        { "{\"mode\": \"units\", \"user\": \"h\", \"signer_user\": \"h\", "
          "\"writer_user\": \"w\"}", "three different users" },
        { "{\"mode\": \"units\", \"user\": \"h\", \"signer_user\": \"s\", "
          "\"writer_user\": \"s\"}", "three different users" },
        { "{\"mode\": \"units\", \"enabled\": false, \"user\": \"h\", "
          "\"signer_user\": \"s\", \"writer_user\": \"w\"}", "three different users" },
        { "{\"mode\": \"systemd\"}", "privsep.mode" },
        { "{\"signer_socket\": \"run/s.sock\"}", "absolute paths" },
        { "{}", NULL },
    };
    char text[1024], err[CONFIG_ERR_CHARS], out[4096];
    config c;

    (void)state;
    wdir = tu_tmpdir();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path;
        int rc;

        snprintf(text, sizeof text, "{\"store\": {\"registry\": \"r.db\", "
                 "\"ballot_box\": \"b.db\"}, \"keys\": \"k.json\", \"privsep\": %s}",
                 cases[i].privsep);
        path = tu_write(wdir, "votesrv.json", text);
        assert_non_null(path);
        rc = config_load(&c, path, err, sizeof err);
        if (cases[i].want == NULL) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, cases[i].want));
        }
        free(path);
    }
    /* the fork mode's configuration ({} above): --signer and --worker refused */
    snprintf(text, sizeof text, "%s/votesrv.json", wdir);
    assert_int_equal(tu_sh(out, sizeof out, "'%s/votesrv' --signer -c '%s'", bin, text), 2);
    assert_non_null(strstr(out, "needs \\\"privsep\\\": {\\\"mode\\\": \\\"units\\\"}"));
    assert_int_equal(tu_sh(out, sizeof out, "'%s/votesrv' --worker -c '%s'", bin, text), 2);
    assert_non_null(strstr(out, "in the fork mode the writer starts it"));
    assert_int_equal(tu_sh(out, sizeof out, "'%s/votesrv' --keys k -c '%s'", bin, text), 2);
    assert_non_null(strstr(out, "--keys is the signer's"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_units_config, teardown),
        cmocka_unit_test_teardown(test_three_units, teardown),
    };

    if (tu_bin(bin) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
