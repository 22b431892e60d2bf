/* sandbox.c - the sandboxes of the network-facing worker (an empty root, an
 * unprivileged user, no core dumps or ptrace, and a system-call allowlist
 * (libseccomp) on every thread), of the mailer (the same, with Internet
 * sockets and connect, and the real root when its relay has a name to
 * resolve) and of the signer (its own user if configured, no core dumps or
 * ptrace, its own allowlist: files read-only, sockets only for PostgreSQL).
 * One filter loader, one list per process. *
 * Calls outside the list fail with EACCES rather than kill the process: a
 * library path nobody foresaw (glibc, the sanitizers) then fails like a
 * permission error instead of stopping the election's web service, while
 * every call an attacker needs to reach a file, a process or the network
 * (open, exec, ptrace, socket...) fails just the same (tests/test_privsep.c). */
#define _GNU_SOURCE
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>

/* libseccomp's SCMP_A0..A5 leave the second datum of a comparison to zero
 * (designated initializers); clang's -Wextra calls that a missing field. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

void sandbox_close_fds(const int *keep, size_t n)
{
    int sorted[n + 1];
    unsigned lo = 3;

    memcpy(sorted, keep, n * sizeof *keep);
    qsort(sorted, n, sizeof *sorted, cmp_int);
    for (size_t i = 0; i < n; i++) {
        if (sorted[i] < (int)lo)
            continue;
        if ((unsigned)sorted[i] > lo)
            close_range(lo, (unsigned)sorted[i] - 1, 0);
        lo = (unsigned)sorted[i] + 1;
    }
    close_range(lo, ~0U, 0);
}

/* chroot to a new empty directory, removed at once: nothing to read, and no
 * entry can be made in a removed directory. */
static int root_empty(char *err, size_t errlen)
{
    const char *tmp = "/tmp";
    char dir[64];
    int parent;

    snprintf(dir, sizeof dir, "%s/votesrv-empty-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL || (parent = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "sandbox: empty directory: %s", strerror(errno));
        return -1;
    }
    if (chroot(dir) != 0 || chdir("/") != 0) {
        snprintf(err, errlen, "sandbox: chroot: %s", strerror(errno));
        close(parent);
        return -1;
    }
    if (unlinkat(parent, dir + strlen(tmp) + 1, AT_REMOVEDIR) != 0) {
        snprintf(err, errlen, "sandbox: remove the empty root: %s", strerror(errno));
        close(parent);
        return -1;
    }
    close(parent);
    return 0;
}

/* Become user (not root, with a group that is not root's, no supplementary
 * group), after chroot to an empty root if empty_root. who names the process
 * in the message. */
static int user_drop(const char *user, int empty_root, const char *setting, const char *who,
                     char *err, size_t errlen)
{
    struct passwd *pw = user[0] != '\0' ? getpwnam(user) : NULL;
    uid_t uid;
    gid_t gid;

    if (pw == NULL || pw->pw_uid == 0 || pw->pw_gid == 0) {
        snprintf(err, errlen, "%s \"%s\": started as root, votesrv needs an "
                 "unprivileged user (not root) for its %s", setting, user, who);
        return -1;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (empty_root && root_empty(err, errlen) != 0)
        return -1;
    if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0 || setuid(0) == 0 ||
        getuid() != uid || geteuid() != uid || getegid() != gid) {
        snprintf(err, errlen, "sandbox: cannot become %s", user);
        return -1;
    }
    return 0;
}

/* The calls the worker makes once it serves: libmicrohttpd (epoll, accept,
 * send, sendfile for file bodies), threads, malloc, the clock, its channels. */
static const char *const worker_calls[] = {
    "read", "readv", "pread64", "write", "writev", "recvfrom", "recvmsg", "sendto", "sendmsg",
    "sendfile", "close", "shutdown", "accept", "accept4", "setsockopt", "getsockopt",
    "getsockname", "getpeername", "fcntl", "lseek", "fstat", "newfstatat", "epoll_wait",
    "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll", "select", "pselect6", "futex",
    "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "rt_sigprocmask",
    "rt_sigreturn", "rt_sigtimedwait", "sigaltstack", "munmap", "mremap", "madvise", "brk",
    "exit", "exit_group", "sched_yield", "sched_getaffinity", "getrandom", "restart_syscall",
    "set_robust_list", "rseq", "prlimit64", "getrlimit",
};

/* The signer's: its channel, malloc, the clock, logging to stderr, and
 * reading the stores with SQLite (file locks, stat and access of the
 * journal, getcwd for a relative path) or libpq (poll on its socket). Files
 * are opened read-only (SANDBOX_OPEN_READ); sockets only with
 * SANDBOX_CONNECT. */
static const char *const signer_calls[] = {
    "read", "readv", "pread64", "write", "writev", "recvfrom", "recvmsg", "sendto", "sendmsg",
    "close", "fcntl", "lseek", "fstat", "newfstatat", "statx", "access", "faccessat",
    "faccessat2", "getdents64", "readlink", "readlinkat", "getcwd", "poll", "ppoll", "futex", "nanosleep",
    "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time", "getpid",
    "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "rt_sigprocmask",
    "rt_sigreturn", "sigaltstack", "munmap", "mremap", "madvise", "brk", "exit", "exit_group",
    "sched_yield", "getrandom", "restart_syscall", "set_robust_list", "rseq", "prlimit64",
    "getrlimit", "uname",
};

/* With SANDBOX_ACCEPT (the signer's own unit): connections on its socket,
 * and the peer's uid. */
static const char *const accept_calls[] = { "accept", "accept4", "getsockopt" };

/* libpq's, with SANDBOX_CONNECT: a Unix or TCP socket to the server. */
static const char *const connect_calls[] = {
    "connect", "setsockopt", "getsockopt", "getsockname", "getpeername", "shutdown",
};

/* The mailer's, besides the worker's, with SANDBOX_NETWORK: libcurl's
 * connection to the relay (connect; socket below), the resolver's UDP
 * queries (sendmmsg), the host name in EHLO (uname), libcurl's wake-ups
 * (pipe2, eventfd2, and socketpair below); and stat, with which glibc sees
 * that /etc/resolv.conf, read before the sandbox, is unchanged. */
static const char *const network_calls[] = {
    "connect", "sendmmsg", "recvmmsg", "uname", "pipe2", "eventfd2", "statx", "sysinfo",
};

enum { SANDBOX_OPEN_READ = 1, SANDBOX_CONNECT = 2, SANDBOX_NETWORK = 4, SANDBOX_ACCEPT = 8 };

static int allow_all(scmp_filter_ctx f, const char *const *calls, size_t n)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        int nr = seccomp_syscall_resolve_name(calls[i]);

        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
    }
    return rc;
}

/* Load the allowlist calls[n] with the rules every sandboxed process has
 * (memory never executable, threads but no process, signals to itself only)
 * and those of flags, on every thread; anything else fails with EACCES. */
static int filter_load(const char *const *calls, size_t n, unsigned flags, char *err,
                       size_t errlen)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EACCES));
    int rc = f == NULL ? -1 : seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1);

    if (rc == 0)                 /* a binary tree: few comparisons per call */
        rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc == 0)
        rc = allow_all(f, calls, n);
    /* memory, never executable: no code of an attacker's own */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    /* threads (the PROXY handshakes' own), never a process: clone only with
     * CLONE_THREAD, and clone3, whose flags a filter cannot read, answers
     * ENOSYS so that glibc falls back to clone */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* signals to itself only (abort) */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_EQ, FIONREAD));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_EQ, FIONBIO));
    /* files for reading only: no write access, no creation, no truncation
     * (openat2, whose flags a filter cannot read, stays refused) */
    if (rc == 0 && (flags & SANDBOX_OPEN_READ))
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
                                      O_RDONLY));
    if (rc == 0 && (flags & SANDBOX_OPEN_READ))
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                              SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
                                      O_RDONLY));
    /* sockets of the families a database connection uses */
    for (size_t i = 0; rc == 0 && (flags & SANDBOX_CONNECT) && i < 3; i++) {
        static const int families[] = { AF_UNIX, AF_INET, AF_INET6 };

        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]));
    }
    if (rc == 0 && (flags & SANDBOX_ACCEPT))
        rc = allow_all(f, accept_calls, sizeof accept_calls / sizeof accept_calls[0]);
    if (rc == 0 && (flags & SANDBOX_CONNECT))
        rc = allow_all(f, connect_calls, sizeof connect_calls / sizeof connect_calls[0]);
    /* the network: Internet sockets only (no Unix socket of another
     * process's), and connected pairs of its own */
    for (size_t i = 0; rc == 0 && (flags & SANDBOX_NETWORK) && i < 2; i++) {
        static const int families[] = { AF_INET, AF_INET6 };

        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]));
    }
    if (rc == 0 && (flags & SANDBOX_NETWORK))
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
                              SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
    if (rc == 0 && (flags & SANDBOX_NETWORK))
        rc = allow_all(f, network_calls, sizeof network_calls / sizeof network_calls[0]);
    if (rc == 0)
        rc = seccomp_load(f);
    if (f != NULL)
        seccomp_release(f);
    if (rc != 0) {
        snprintf(err, errlen, "sandbox: system call filter: %s", strerror(rc < 0 ? -rc : EINVAL));
        return -1;
    }
    return 0;
}

/* After a change of user: the parent-death signal again (the change clears
 * it; then make sure the parent did not die in between, we would be
 * orphaned), not dumpable (the change resets it to fs.suid_dumpable), no new
 * privileges. */
static int process_lock(pid_t parent, char *err, size_t errlen)
{
    if (parent > 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)) {
        snprintf(err, errlen, "sandbox: the parent ended or its death cannot be followed");
        return -1;
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, errlen, "sandbox: prctl: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int sandbox_enter_worker(const config *cfg, char *err, size_t errlen)
{
    pid_t parent = cfg->privsep_units ? 0 : getppid();    /* units: systemd's, not ours */

    if (geteuid() == 0 && user_drop(cfg->privsep_user, 1, "privsep.user",
                                    "network-facing process", err, errlen) != 0)
        return -1;
    if (process_lock(parent, err, errlen) != 0)
        return -1;
    return filter_load(worker_calls, sizeof worker_calls / sizeof worker_calls[0], 0, err,
                       errlen);
}

int sandbox_enter_mailer(const char *user, int chroot_empty, char *err, size_t errlen)
{
    pid_t parent = getppid();

    if (geteuid() == 0 && user_drop(user, chroot_empty, "privsep.user", "mailer", err,
                                    errlen) != 0)
        return -1;
    if (process_lock(parent, err, errlen) != 0)
        return -1;
    return filter_load(worker_calls, sizeof worker_calls / sizeof worker_calls[0],
                       SANDBOX_NETWORK, err, errlen);
}

int sandbox_enter_signer(const char *user, int postgresql, char *err, size_t errlen)
{
    pid_t parent = getppid();

    if (geteuid() == 0 && user != NULL && user[0] != '\0' &&
        user_drop(user, 0, "privsep.signer_user", "signer", err, errlen) != 0)
        return -1;
    if (process_lock(parent, err, errlen) != 0)
        return -1;
    return filter_load(signer_calls, sizeof signer_calls / sizeof signer_calls[0],
                       SANDBOX_OPEN_READ | (postgresql ? SANDBOX_CONNECT : 0), err, errlen);
}

int sandbox_enter_signer_units(int postgresql, char *err, size_t errlen)
{
    /* started by systemd as its own user: no change of user, no parent to follow */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, errlen, "sandbox: prctl: %s", strerror(errno));
        return -1;
    }
    return filter_load(signer_calls, sizeof signer_calls / sizeof signer_calls[0],
                       SANDBOX_OPEN_READ | SANDBOX_ACCEPT | (postgresql ? SANDBOX_CONNECT : 0),
                       err, errlen);
}

/* ---- the writer ---- */

/* The uid and gid of user, unprivileged (not root's uid or group); -1 with a
 * message naming setting when it is unknown or root. */
static int user_find(const char *user, const char *setting, uid_t *uid, gid_t *gid, char *err,
                     size_t errlen)
{
    struct passwd *pw = user[0] != '\0' ? getpwnam(user) : NULL;

    if (pw == NULL || pw->pw_uid == 0 || pw->pw_gid == 0) {
        snprintf(err, errlen, "%s \"%s\": started as root, votesrv needs an unprivileged user "
                 "(known, not root, not in root's group) for its writer", setting, user);
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

/* path, if it exists (or, when must_exist, in any case), owned by uid. */
static int owned_by(const char *path, int must_exist, uid_t uid, const char *user, char *err,
                    size_t errlen)
{
    struct stat st;
    struct passwd *pw;

    if (lstat(path, &st) != 0) {
        if (errno == ENOENT && !must_exist)
            return 0;
        snprintf(err, errlen, "privsep.writer_user \"%s\": %s: %s", user, path, strerror(errno));
        return -1;
    }
    if (st.st_uid == uid && !S_ISLNK(st.st_mode))
        return 0;
    pw = getpwuid(st.st_uid);
    snprintf(err, errlen, "privsep.writer_user \"%s\": %s is %s by %s (uid %u); the writer "
             "must own its stores, their journals and their folder (chown %s)", user, path,
             S_ISLNK(st.st_mode) ? "a symbolic link, owned" : "owned",
             pw != NULL ? pw->pw_name : "?", (unsigned)st.st_uid, user);
    return -1;
}

/* Each SQLite store, its journals and its folder owned by uid. */
static int stores_owned(const config *cfg, uid_t uid, char *err, size_t errlen)
{
    const char *const files[] = { cfg->registry, cfg->ballot_box };
    const char *const ends[] = { "", "-journal", "-wal", "-shm" };

    for (size_t i = 0; cfg->postgresql[0] == '\0' && i < 2; i++) {
        char path[CONFIG_PATH_CHARS + 16], *slash;

        snprintf(path, sizeof path, "%s", files[i]);
        if ((slash = strrchr(path, '/')) != NULL)
            *(slash == path ? slash + 1 : slash) = '\0';
        else
            snprintf(path, sizeof path, ".");
        if (owned_by(path, 1, uid, cfg->privsep_writer_user, err, errlen) != 0)
            return -1;
        for (size_t j = 0; j < sizeof ends / sizeof ends[0]; j++) {
            snprintf(path, sizeof path, "%s%s", files[i], ends[j]);
            if (owned_by(path, j == 0, uid, cfg->privsep_writer_user, err, errlen) != 0)
                return -1;
        }
    }
    return 0;
}

int sandbox_check_writer(const config *cfg, char *err, size_t errlen)
{
    uid_t uid, signer_uid;
    gid_t gid, signer_gid;

    if (!cfg->privsep || geteuid() != 0 || cfg->privsep_writer_root)
        return 0;
    if (cfg->privsep_writer_user[0] == '\0') {
        snprintf(err, errlen, "privsep.writer_user: started as root, the writer would stay "
                 "root; name the unprivileged user that owns the stores (or set "
                 "privsep.writer_stays_root, for a demonstration only)");
        return -1;
    }
    if (user_find(cfg->privsep_writer_user, "privsep.writer_user", &uid, &gid, err, errlen) != 0)
        return -1;
    if (cfg->privsep_signer_user[0] != '\0' &&
        user_find(cfg->privsep_signer_user, "privsep.signer_user", &signer_uid, &signer_gid,
                  err, errlen) == 0 && signer_uid == uid) {
        snprintf(err, errlen, "privsep.writer_user \"%s\" and privsep.signer_user \"%s\" are "
                 "the same user: the writer could read the keys file", cfg->privsep_writer_user,
                 cfg->privsep_signer_user);
        return -1;
    }
    if (stores_owned(cfg, uid, err, errlen) != 0)
        return -1;
    if (cfg->privsep_signer_user[0] == '\0') {
        snprintf(err, errlen, "privsep.signer_user: started as root, the signer would stay "
                 "root (it could read every file and the writer's memory); name the "
                 "unprivileged user that owns the keys file");
        return -1;
    }
    return 0;
}

int sandbox_enter_writer(const config *cfg, char *err, size_t errlen)
{
    if (!cfg->privsep || geteuid() != 0)
        return 0;
    if (!cfg->privsep_writer_root &&
        (sandbox_check_writer(cfg, err, errlen) != 0 ||
         user_drop(cfg->privsep_writer_user, 0, "privsep.writer_user", "writer", err,
                   errlen) != 0))
        return -1;
    /* the change of user resets it to fs.suid_dumpable: its children, the
     * same user or not, cannot trace it or read its memory */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, errlen, "sandbox: prctl: %s", strerror(errno));
        return -1;
    }
    return 0;
}
