/* test_demo.c - the README's first command, as a newcomer meets it:
 * `votectl demo DIR` run from another folder (conf/ found from the
 * program's own place) prints the portal, a voter's address and vote code
 * and where the mail is; a failed run leaves nothing, and a retry works; the
 * daemon on it, on loopback ports the test chose, writes the activation mails
 * as .eml files in DIR/mailbox (From: the organiser, links to the portal's
 * configured address) from the writer, with no mailer process (whose
 * sandbox has no file to write); the demo's mailbox page lists them;
 * /healthz and /metrics show the outbox. Then, in Chromium
 * (VOTESRV_BROWSER=1, tests/browser/demo.mjs), the README's "Vote in the
 * demo" steps to a receipt, axe-clean. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "testutil.h"

static char bin[PATH_MAX], *dir, demo[800];
static int port, daemon_pid = -1;

/* A port p with p and p + 1 free on loopback (the portal and the internal
 * listener), chosen by the kernel. */
static int free_port_pair(void)
{
    for (int tries = 0; tries < 50; tries++) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        int s = socket(AF_INET, SOCK_STREAM, 0), t = socket(AF_INET, SOCK_STREAM, 0), p = -1;

        if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(s, (struct sockaddr *)&a, &len) == 0 && ntohs(a.sin_port) < 65000) {
            p = ntohs(a.sin_port);
            a.sin_port = htons((uint16_t)(p + 1));
            if (bind(t, (struct sockaddr *)&a, sizeof a) != 0 || p + 1 == 8090 || p == 8090)
                p = -1;
        }
        close(s);
        close(t);
        if (p > 0)
            return p;
    }
    return -1;
}

static int setup(void **state)
{
    (void)state;
    if (tu_bin(bin) != 0)
        return -1;
    dir = tu_tmpdir();
    snprintf(demo, sizeof demo, "%s/demo-election", dir);
    port = free_port_pair();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    static tu_smtp none;               /* no SMTP sink: the demo writes files */

    (void)state;
    tu_daemon_teardown(daemon_pid, &none, dir);
    return 0;
}

/* Entries of d whose name starts with prefix (and ends with suffix if not
 * NULL); hidden ones only if prefix starts with a dot. */
static int entries(const char *d, const char *prefix, const char *suffix)
{
    DIR *dd = opendir(d);
    struct dirent *e;
    int n = 0;

    if (dd == NULL)
        return -1;
    while ((e = readdir(dd)) != NULL) {
        size_t len = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;

        if (e->d_name[0] == '.' && prefix[0] != '.')
            continue;                   /* a temporary .tmp-NAME.eml is not a message */
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
            (suffix == NULL || (len >= sl && strcmp(e->d_name + len - sl, suffix) == 0)))
            n++;
    }
    closedir(dd);
    return n;
}

static void test_demo_made_whole_from_any_folder(void **state)
{
    static char out[16384];
    char expect[1200];

    (void)state;
    /* conf/ missing where it is said to be: refused, nothing left beside */
    assert_int_not_equal(tu_sh(out, sizeof out, "cd / && VOTESRV_CONF='%s' %s/votectl demo '%s' "
                               "--port %d", dir, bin, demo, port), 0);
    assert_non_null(strstr(out, "nothing was made"));
    assert_int_equal(entries(dir, "demo-election", NULL), 0);
    /* a retry, from another folder, without VOTESRV_CONF: conf/ is found from
     * the program's place */
    assert_int_equal(tu_sh(out, sizeof out, "cd / && unset VOTESRV_CONF && %s/votectl demo '%s' "
                           "--port %d", bin, demo, port), 0);
    assert_int_equal(entries(dir, "demo-election", NULL), 1);        /* no partial folder */
    snprintf(expect, sizeof expect, "portal:      http://127.0.0.1:%d/", port);
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, "a voter:     agent00001@demo.example, vote code "));
    snprintf(expect, sizeof expect, "http://127.0.0.1:%d/demo/courrier", port);
    assert_non_null(strstr(out, expect));
    snprintf(expect, sizeof expect, "%s/mailbox/", demo);
    assert_non_null(strstr(out, expect));
    free(tu_write(dir, "votectl-demo.out", out));
    /* DIR there already: refused, and left as it was */
    assert_int_not_equal(tu_sh(out, sizeof out, "%s/votectl demo '%s'", bin, demo), 0);
    assert_non_null(strstr(out, "already exists"));
    assert_int_equal(entries(demo, "votesrv.json", NULL), 1);
}

static int daemon_start(void)
{
    char cfg[900], portfile[900];
    int pid, got = 0;

    snprintf(cfg, sizeof cfg, "%s/votesrv.json", demo);
    snprintf(portfile, sizeof portfile, "%s/votesrv.port", dir);
    pid = fork();
    if (pid == 0) {
        char log[900];

        snprintf(log, sizeof log, "%s/votesrv.log", dir);
        if (freopen(log, "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        execl("/bin/sh", "sh", "-c", "exec \"$0\"/votesrv -c \"$1\" --port-file \"$2\"", bin,
              cfg, portfile, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && !got; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };
        FILE *f;
        int p, q;

        nanosleep(&t, NULL);
        if ((f = fopen(portfile, "r")) != NULL) {
            got = fscanf(f, "%d %d", &p, &q) == 2 && p == port && q == port + 1;
            fclose(f);
        }
    }
    if (!got) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    snprintf(tu_base_url, sizeof tu_base_url, "http://127.0.0.1:%d", port);
    snprintf(tu_internal_url, sizeof tu_internal_url, "http://127.0.0.1:%d", port + 1);
    return pid;
}

static void test_demo_mailbox(void **state)
{
    static const char *const metrics[] = {
        "\nvotesrv_mail_messages{state=\"sent\"} 1000\n",
        "\nvotesrv_mail_messages{state=\"queued\"} 0\n",
        "\nvotesrv_mail_messages{state=\"failed\"} 0\n",
        "\nvotesrv_mail_oldest_waiting_seconds 0\n", "\nvotesrv_mail_degraded 0\n",
    };
    static tu_reply r;
    static char out[65536];
    char mailbox[900], expect[300], name[300] = "";
    int n = 0;

    (void)state;
    daemon_pid = daemon_start();
    assert_true(daemon_pid > 0);
    snprintf(mailbox, sizeof mailbox, "%s/mailbox", demo);
    for (int i = 0; i < 1200 && (n = entries(mailbox, "", ".eml")) < 1000; i++) {
        struct timespec t = { 0, 50 * 1000 * 1000 };

        nanosleep(&t, NULL);
    }
    assert_int_equal(n, 1000);
    assert_int_equal(entries(mailbox, ".", NULL) - 2, 0);         /* no temporary file */
    /* written by the writer: no mailer process, whose sandbox stays as it is
     * (no file written from it); the network-facing worker is sandboxed */
    assert_int_equal(tu_proc_child_named(daemon_pid, "votesrv-mailer"), -1);
    assert_true(tu_proc_child_named(daemon_pid, "votesrv-http") > 0);
    /* a message as the SMTP path would send it, From the organiser */
    assert_int_equal(tu_sh(out, sizeof out, "cd '%s' && grep -l '^To: <agent00001@demo.example>' "
                           "*.eml | head -1", mailbox), 0);
    snprintf(name, sizeof name, "%.*s", (int)strcspn(out, "\n"), out);
    assert_int_equal(tu_sh(out, sizeof out, "cat '%s/%s'", mailbox, name), 0);
    assert_non_null(strstr(out, "From: =?UTF-8?B?"));
    assert_non_null(strstr(out, "?= <support-elections@demo.example>\r\n"));
    /* the mailbox page: its messages and their links to the configured portal */
    tu_http(&r, "GET", "/demo/courrier?a=agent00001%40demo.example", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    snprintf(expect, sizeof expect, "<a href=\"http://127.0.0.1:%d/activation?t=", port);
    assert_non_null(strstr(r.body, expect));
    assert_non_null(strstr(r.body, "activez votre compte de vote"));
    assert_null(strstr(r.body, "agent00002@"));
    tu_http(&r, "GET", "/?lang=en", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "href=\"/demo/courrier\""));
    /* the outbox in /healthz and /metrics */
    tu_http_internal(&r, "GET", "/healthz");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    assert_non_null(strstr(r.body, "\"mail\":\"ok\""));
    tu_http_internal(&r, "GET", "/metrics");
    assert_int_equal(r.status, 200);
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
        if (strstr(r.body, metrics[i]) == NULL)
            fail_msg("/metrics has no %s", metrics[i]);
}

/* /healthz until its body holds what, for up to 10 s: 1 if it did. */
static int healthz_says(const char *what)
{
    static tu_reply r;

    for (int i = 0; i < 200; i++) {
        struct timespec t = { 0, 50 * 1000 * 1000 };

        tu_http_internal(&r, "GET", "/healthz");
        if (r.status == 200 && strstr(r.body, what) != NULL)
            return 1;
        nanosleep(&t, NULL);
    }
    return 0;
}

/* The mailbox folder gone (an operator's spool unmounted): a link sent
 * meanwhile is not marked sent, /healthz says mail is degraded, and the
 * message lands once the folder is back. */
static void test_unwritable_mailbox_degrades(void **state)
{
    static char out[4096];
    static tu_reply r;
    char mailbox[900], away[900];
    int before;

    (void)state;
    assert_true(daemon_pid > 0);
    snprintf(mailbox, sizeof mailbox, "%s/mailbox", demo);
    snprintf(away, sizeof away, "%s/mailbox.away", demo);
    before = entries(mailbox, "", ".eml");
    assert_int_equal(rename(mailbox, away), 0);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c '%s/votesrv.json' send-links D00002",
                           bin, demo), 0);
    assert_true(healthz_says("\"mail\":\"degraded\",\"mail_reason\":\"messages wait after a "
                             "failed attempt\""));
    assert_int_equal(entries(away, "", ".eml"), before);
    /* not marked sent: it waits, retried */
    tu_http_internal(&r, "GET", "/metrics");
    snprintf(out, sizeof out, "\nvotesrv_mail_messages{state=\"sent\"} %d\n", before);
    assert_non_null(strstr(r.body, out));
    assert_non_null(strstr(r.body, "\nvotesrv_mail_messages{state=\"queued\"} 1\n"));
    assert_non_null(strstr(r.body, "\nvotesrv_mail_retrying 1\n"));
    assert_non_null(strstr(r.body, "\nvotesrv_mail_degraded 1\n"));
    assert_int_equal(rename(away, mailbox), 0);
    /* tried again after its back-off (60 s): not waited for here; the
     * delivery itself is test_mail_file's. The outbox still holds it. */
    assert_true(healthz_says("\"mail\":\"degraded\""));
}

/* The README's "Vote in the demo", in Chromium. */
static void test_demo_in_browser(void **state)
{
    static char out[65536], log[16384];

    (void)state;
    if (getenv("VOTESRV_BROWSER") == NULL)
        skip();
    assert_true(daemon_pid > 0);
    if (tu_sh(out, sizeof out, "cd .. && VOTESRV_URL='%s' VOTESRV_MAIL='%s/mailbox' "
              "VOTESRV_DEMO_OUT='%s/votectl-demo.out' VOTESRV_SHOTS=build/screenshots "
              "VOTESRV_STATE='%s/demo-walk.json' node tests/browser/demo.mjs", tu_base_url, demo,
              dir, dir) != 0) {
        tu_sh(log, sizeof log, "tail -c 6000 %s/votesrv.log", dir);
        fail_msg("demo walk:\n%s\ndaemon log:\n%s", out, log);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_made_whole_from_any_folder),
        cmocka_unit_test(test_demo_mailbox),
        cmocka_unit_test(test_demo_in_browser),
        cmocka_unit_test(test_unwritable_mailbox_degrades),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
