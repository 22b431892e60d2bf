/* units.c - privsep.mode "units": the signer, the writer and the worker are
 * three programs systemd starts, each as its own user (conf/systemd/), and
 * they meet on Unix sockets instead of socketpairs. Each end checks the uid
 * of the other (SO_PEERCRED): the socket file's mode and folder keep other
 * accounts away, and the uid check keeps away whatever gets past them (a
 * process in the socket's group, a folder left open). What travels on a
 * socket once the two ends have met is exactly what travels on the
 * socketpairs of the fork mode. */
#define _GNU_SOURCE
#include "server.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define UNITS_RETRY_MS 100

static int unix_address(struct sockaddr_un *a, const char *path, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path) {
        snprintf(err, errlen, "%s: path too long for a Unix socket", path);
        return -1;
    }
    strcpy(a->sun_path, path);
    return 0;
}

int units_listen(const char *path, int type, char *err, size_t errlen)
{
    struct sockaddr_un a;
    struct stat st;
    char tmp[sizeof a.sun_path];
    int fd;

    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "%s: path too long for a Unix socket", path);
        return -1;
    }
    if (unix_address(&a, tmp, err, errlen) != 0)
        return -1;
    /* only a socket left by a process of ours that ended is replaced */
    if (lstat(path, &st) == 0 && (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())) {
        snprintf(err, errlen, "%s: exists, and is not a socket of this user's", path);
        return -1;
    }
    if (lstat(tmp, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == geteuid())
        unlink(tmp);
    /* made under another name, then given its mode, then renamed: nobody
     * meets it at its path before it is 0660 and listening */
    fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (chmod(tmp, 0660) != 0 || listen(fd, 8) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    return fd;
}

static void pause_ms(unsigned ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

int units_connect(const char *path, int type, unsigned wait_ms, char *err, size_t errlen)
{
    struct sockaddr_un a;
    int fd, e = 0;

    if (unix_address(&a, path, err, errlen) != 0)
        return -1;
    for (unsigned waited = 0;; waited += UNITS_RETRY_MS) {
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
            break;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        e = errno;
        close(fd);
        /* the other unit may not be listening yet: bounded retries */
        if ((e != ENOENT && e != ECONNREFUSED && e != EAGAIN) || waited >= wait_ms)
            break;
        pause_ms(UNITS_RETRY_MS);
    }
    snprintf(err, errlen, "%s: %s", path, strerror(fd < 0 ? errno : e));
    return -1;
}

int units_peer(int fd, uid_t *uid, pid_t *pid)
{
    struct ucred c;
    socklen_t len = sizeof c;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0 || len != sizeof c)
        return -1;
    *uid = c.uid;
    *pid = c.pid;
    return 0;
}

int units_peer_is(int fd, uid_t want, const char *role)
{
    uid_t uid = (uid_t)-1;
    pid_t pid = 0;

    if (units_peer(fd, &uid, &pid) == 0 && uid == want)
        return 1;
    log_event("error", "privsep_peer_refused",
              json_pack("{s:s,s:i,s:i,s:i}", "expected", role, "uid", (int)uid, "want",
                        (int)want, "pid", (int)pid));
    return 0;
}

int units_user(const char *user, uid_t *uid)
{
    struct passwd *pw = user[0] != '\0' ? getpwnam(user) : NULL;

    if (pw == NULL || pw->pw_uid == 0)
        return -1;
    *uid = pw->pw_uid;
    return 0;
}

int units_check_self(const config *cfg, const char *user, const char *setting, char *err,
                     size_t errlen)
{
    uid_t uid;

    if (!cfg->privsep_units) {
        snprintf(err, errlen, "this role needs \"privsep\": {\"mode\": \"units\"} in the "
                 "configuration (in the fork mode the writer starts it)");
        return -1;
    }
    if (units_user(user, &uid) != 0) {
        snprintf(err, errlen, "%s \"%s\": an unknown user, or root", setting, user);
        return -1;
    }
    if (geteuid() == 0 || getuid() != uid || geteuid() != uid) {
        snprintf(err, errlen, "privsep.mode \"units\": this process runs as uid %u, not as %s "
                 "\"%s\" (uid %u): start it as that user (systemd User=)", (unsigned)geteuid(),
                 setting, user, (unsigned)uid);
        return -1;
    }
    return 0;
}

int units_stop_asked(void)
{
    sigset_t p;

    return sigpending(&p) == 0 && (sigismember(&p, SIGTERM) == 1 || sigismember(&p, SIGINT) == 1);
}

int units_wait_readable(int fd, unsigned ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int rc;

    do
        rc = poll(&p, 1, (int)ms);
    while (rc < 0 && errno == EINTR);
    return rc;
}
