/* child.c - the end of a child process (the HTTP worker, the mailer), bounded
 * in time: the writer never waits for a child without a limit. A child of
 * another user (privsep.user, once the writer is privsep.writer_user) cannot
 * be killed by the writer (EPERM); it is then left to its parent-death signal,
 * set again after its own change of user (sandbox.c, process_lock), which
 * ends it when the writer exits. */
#define _GNU_SOURCE
#include "server.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reap pid within ms milliseconds: 1 when reaped (or not our child any
 * more), 0 when it still runs. */
static int reap_within(pid_t pid, int64_t ms)
{
    int64_t until = now_ms() + ms;

    for (;;) {
        pid_t got = waitpid(pid, NULL, WNOHANG);

        if (got == pid || (got < 0 && errno == ECHILD))
            return 1;
        if (now_ms() >= until)
            return 0;
        {
            struct timespec t = { 0, 20 * 1000 * 1000 };

            nanosleep(&t, NULL);
        }
    }
}

int child_end(pid_t pid, unsigned grace_ms, const char *who)
{
    int killed, e;

    if (pid <= 0 || reap_within(pid, grace_ms))
        return 1;
    killed = kill(pid, SIGKILL) == 0;
    e = errno;
    /* killed, or (EPERM: another user's) it may still exit by itself */
    if (reap_within(pid, CHILD_KILL_WAIT_MS))
        return 1;
    log_event("error", "child_left",
              json_pack("{s:s,s:i,s:s}", "process", who, "pid", (int)pid, "reason",
                        killed ? "still there after SIGKILL"
                               : e == EPERM ? "not permitted to kill it (left to its "
                                              "parent-death signal)" : "kill failed"));
    return 0;
}
