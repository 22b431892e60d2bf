/* testutil_netns.c - network namespaces of a test's own (tests/test_abuse.c):
 * made, entered, helper processes run in them, and removed however the test
 * ends, with what runs in them. Needs root (CAP_NET_ADMIN) and iproute2. */
#define _GNU_SOURCE
#include "testutil.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int tu_netns_sh(const char *fmt, ...)
{
    char cmd[1024], out[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (tu_sh(out, sizeof out, "%s", cmd) == 0)
        return 0;
    fprintf(stderr, "%s: %s: %s", program_invocation_short_name, cmd, out);
    return -1;
}

/* Remove namespace ns's name, as ip netns del does; the namespace and its
 * veth ends go once no process is left in it. Async-signal-safe. */
static void ns_remove(const char *ns)
{
    char path[64] = "/run/netns/";

    if (ns[0] == '\0')
        return;
    strncat(path, ns, sizeof path - strlen(path) - 1);
    umount2(path, MNT_DETACH);
    unlink(path);
}

void tu_netns_init(tu_netns *ns, const char *prefix, const char *roles)
{
    memset(ns, 0, sizeof *ns);
    ns->owner = getpid();
    ns->home = -1;
    snprintf(ns->prefix, sizeof ns->prefix, "%s", prefix);
    snprintf(ns->roles, sizeof ns->roles, "%s", roles);
    for (size_t i = 0; i < strlen(ns->roles); i++)
        snprintf(ns->name[i], sizeof ns->name[i], "%s%c%d", prefix, ns->roles[i], (int)ns->owner);
}

void tu_netns_cleanup(tu_netns *ns)
{
    if (getpid() != ns->owner || ns->cleaned)
        return;
    ns->cleaned = 1;
    for (int i = 0; i < TU_NETNS_KIDS; i++)
        if (ns->kids[i] > 0)
            kill(ns->kids[i], SIGKILL);
    if (ns->home >= 0)
        setns(ns->home, CLONE_NEWNET);
    for (size_t i = 0; i < TU_NETNS_MAX; i++)
        ns_remove(ns->name[i]);
}

/* The namespaces of earlier runs killed before they could remove them
 * (SIGKILL): PREFIX, a role letter and a pid that no longer runs. A namespace
 * of a run still going (its pid alive) is left alone. */
static void ns_remove_stale(const tu_netns *ns)
{
    DIR *d = opendir("/run/netns");
    size_t len = strlen(ns->prefix);
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        char *end;
        long pid;

        if (strncmp(n, ns->prefix, len) != 0 || strchr(ns->roles, n[len]) == NULL ||
            n[len] == '\0')
            continue;
        pid = strtol(n + len + 1, &end, 10);
        if (*end != '\0' || end == n + len + 1 || pid <= 0 || pid == (long)ns->owner ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        fprintf(stderr, "%s: removing %s, left by a killed run (pid %ld)\n",
                program_invocation_short_name, n, pid);
        ns_remove(n);
    }
    if (d != NULL)
        closedir(d);
}

int tu_netns_add(tu_netns *ns)
{
    char cmd[512] = "";

    if (geteuid() != 0)
        return -1;
    for (size_t i = 0; i < TU_NETNS_MAX; i++)
        ns_remove(ns->name[i]);     /* left by a run of the same pid that was killed */
    ns_remove_stale(ns);
    ns->cleaned = 0;
    for (size_t i = 0; i < TU_NETNS_MAX && ns->name[i][0] != '\0'; i++)
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%sip netns add %s",
                 i > 0 ? " && " : "", ns->name[i]);
    if (tu_netns_sh("%s", cmd) != 0) {
        tu_netns_cleanup(ns);
        return -1;
    }
    return 0;
}

int tu_netns_enter(const char *name)
{
    char path[64];
    int fd, rc;

    snprintf(path, sizeof path, "/run/netns/%s", name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    rc = setns(fd, CLONE_NEWNET);
    close(fd);
    return rc;
}

int tu_netns_move(tu_netns *ns, const char *name)
{
    if ((ns->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    return tu_netns_enter(name);
}

int tu_netns_run(tu_netns *ns, const char *name, void (*fn)(void *), void *arg)
{
    int pid = tu_fork();       /* a failed assertion in fn ends the child, not the suite */

    if (pid != 0) {
        for (int i = 0; pid > 0 && i < TU_NETNS_KIDS; i++)
            if (ns->kids[i] == 0) {
                ns->kids[i] = pid;
                break;
            }
        return pid;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != ns->owner ||
        tu_netns_enter(name) != 0)
        _exit(90);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fn(arg);
    _exit(0);
}

int tu_netns_join(tu_netns *ns, int pid, const char *what)
{
    int rc = tu_helper_join(pid, what);

    for (int i = 0; i < TU_NETNS_KIDS; i++)
        if (ns->kids[i] == pid)
            ns->kids[i] = 0;
    return rc;
}

void tu_netns_kids_stop(tu_netns *ns)
{
    for (int i = 0; i < TU_NETNS_KIDS; i++)
        if (ns->kids[i] > 0) {
            kill(ns->kids[i], SIGKILL);
            waitpid(ns->kids[i], NULL, 0);
            ns->kids[i] = 0;
        }
}
