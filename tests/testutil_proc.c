/* testutil_proc.c - helper processes, shell commands, /proc, clocks and
 * quantiles. */
#include "testutil.h"
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void helper_aborted(int sig)
{
    static const char msg[] = "test helper process: failed assertion (above), ending it\n";

    (void)sig;
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(TU_HELPER_FAILED);
}

int tu_fork(void)
{
    int pid;

    fflush(NULL);                       /* no buffered output printed twice */
    pid = fork();
    if (pid == 0) {
        static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS };

        for (size_t i = 0; i < sizeof crashes / sizeof *crashes; i++)
            signal(crashes[i], SIG_DFL);
        signal(SIGABRT, helper_aborted);
        setenv("CMOCKA_TEST_ABORT", "1", 1);        /* a failure aborts, never longjmps */
    }
    return pid;
}

int tu_helper_join(int pid, const char *what)
{
    int st;

    if (waitpid(pid, &st, 0) != pid) {
        fprintf(stderr, "%s (pid %d): cannot wait for it\n", what, pid);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st))
        fprintf(stderr, "%s (pid %d) failed: exit status %d%s\n", what, pid, WEXITSTATUS(st),
                WEXITSTATUS(st) == TU_HELPER_FAILED ? " (a failed assertion)" : "");
    else
        fprintf(stderr, "%s (pid %d) died of signal %d\n", what, pid,
                WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;
}

int tu_sh(char *out, size_t outlen, const char *fmt, ...)
{
    char cmd[4000];
    va_list ap;
    FILE *p;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    return WEXITSTATUS(pclose(p));
}

double tu_proc_mb(int pid, const char *field)
{
    char path[64], line[256];
    size_t n = strlen(field);
    double kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0)
            kb = strtod(line + n, NULL);
    fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

double tu_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double tu_quantile(double *v, size_t n, int percent)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[(n * (size_t)percent) / 100];
}

double tu_median(double *v, size_t n)
{
    return tu_quantile(v, n, 50);
}

double tu_spearman(const size_t *x, size_t n)
{
    double d2 = 0;

    for (size_t i = 0; i < n; i++) {
        size_t rank = 0;

        for (size_t k = 0; k < n; k++)
            rank += x[k] < x[i];
        d2 += ((double)rank - (double)i) * ((double)rank - (double)i);
    }
    return 1 - 6 * d2 / ((double)n * ((double)n * (double)n - 1));
}

size_t tu_proc_children(int pid, int *out, size_t max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    size_t n = 0;

    while (d != NULL && (e = readdir(d)) != NULL && n < max) {
        char path[300], buf[512], *paren;
        int ppid;
        FILE *f;

        if (atoi(e->d_name) <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(buf, sizeof buf, f) != NULL && (paren = strrchr(buf, ')')) != NULL &&
            sscanf(paren + 2, "%*c %d", &ppid) == 1 && ppid == pid)
            out[n++] = atoi(e->d_name);
        fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return n;
}

int tu_proc_child_named(int parent, const char *name)
{
    int kids[256];
    size_t n = tu_proc_children(parent, kids, 256);

    for (size_t i = 0; i < n; i++) {
        char path[64], comm[64] = "";
        FILE *f;

        snprintf(path, sizeof path, "/proc/%d/comm", kids[i]);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(comm, sizeof comm, f) == NULL)
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        if (strcmp(comm, name) == 0)
            return kids[i];
    }
    return -1;
}
