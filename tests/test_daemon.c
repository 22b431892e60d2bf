/* test_daemon.c - integration: votectl builds a demo election, the real
 * votesrv serves it on a free loopback port, and the test drives it over HTTP
 * (libcurl) and through the CLIs, then stops it with SIGTERM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

static char *dir, cfg[700], bin[300], base_url[64];
static pid_t daemon_pid;

typedef struct {
    long status;
    char body[65536];
    size_t len;
    char allow[64];
} reply;

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    size_t take = size * n;

    if (r->len + take >= sizeof r->body)
        take = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, take);
    r->len += take;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    reply *r = arg;

    if (strncasecmp(p, "Allow: ", 7) == 0)
        snprintf(r->allow, sizeof r->allow, "%.*s", (int)strcspn(p + 7, "\r\n"), p + 7);
    return size * n;
}

/* method, path, optional body (len may exceed what is sent when chunked), header */
static void http(reply *r, const char *method, const char *path, const char *body, long len,
                 const char *header)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = header ? curl_slist_append(NULL, header) : NULL;
    char url[256];

    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s%s", base_url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, len);
    }
    if (h != NULL)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

/* Run a shell command; return its exit code, output in out. */
static int sh(char *out, size_t outlen, const char *fmt, ...)
{
    char cmd[2000];
    va_list ap;
    FILE *p;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    strcat(cmd, " 2>&1");
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    return WEXITSTATUS(pclose(p));
}

static int setup(void **state)
{
    char out[4096], portfile[700], demo[500];
    json_t *c;
    FILE *f;
    int port = 0;

    (void)state;
    snprintf(bin, sizeof bin, "%s", getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN")
                                                          : "../build/rel/bin");
    dir = tu_tmpdir();
    snprintf(demo, sizeof demo, "%s/demo", dir);
    if (sh(out, sizeof out, "%s/votectl demo %s", bin, demo) != 0) {
        fprintf(stderr, "votectl demo failed: %s\n", out);
        return -1;
    }
    snprintf(cfg, sizeof cfg, "%s/votesrv.json", demo);
    c = json_load_file(cfg, 0, NULL);                  /* a free port, chosen by the kernel */
    json_object_set_new(json_object_get(c, "listen"), "port", json_integer(0));
    json_dump_file(c, cfg, 0);
    json_decref(c);
    snprintf(portfile, sizeof portfile, "%s/port", demo);
    daemon_pid = fork();
    if (daemon_pid == 0) {
        char log[700];

        snprintf(log, sizeof log, "%s/votesrv.log", demo);
        freopen(log, "w", stderr);
        freopen("/dev/null", "w", stdout);
        execl("/bin/sh", "sh", "-c",
              "exec \"$0\"/votesrv -c \"$1\" --port-file \"$2\"", bin, cfg, portfile,
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && port == 0; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };

        nanosleep(&t, NULL);
        if ((f = fopen(portfile, "r")) != NULL) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
    }
    if (port <= 0)
        return -1;
    snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", port);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (daemon_pid > 0)
        kill(daemon_pid, SIGKILL);
    curl_global_cleanup();
    tu_rmdir(dir);
    free(dir);
    return 0;
}

static void test_health_and_election(void **state)
{
    reply r;
    json_t *j;

    (void)state;
    http(&r, "GET", "/healthz", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "open");
    assert_int_equal(json_array_size(json_object_get(j, "scrutins")), 2);
    assert_int_equal(strlen(json_string_value(json_object_get(j, "fingerprint"))), 64);
    assert_null(json_object_get(j, "voters"));     /* no turnout for the public */
    json_decref(j);
}

static void test_refusals_are_clean_json(void **state)
{
    reply r;
    char *big = malloc(70000);

    (void)state;
    http(&r, "GET", "/api/v1/nothing-here", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "Cette adresse n'existe pas."));
    http(&r, "GET", "/api/v1/nothing-here?lang=en", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "There is nothing at this address."));
    http(&r, "DELETE", "/api/v1/election", NULL, 0, "Accept-Language: en-GB,en;q=0.9");
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "GET");
    assert_non_null(strstr(r.body, "\"code\":\"method_not_allowed\""));
    http(&r, "GET", "/healthz", "{}", 2, NULL);             /* a body where none is taken */
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "unexpected_body"));
    memset(big, 'x', 70000);
    http(&r, "POST", "/api/v1/election", big, 70000, NULL);  /* declared length too large */
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "payload_too_large"));
    http(&r, "POST", "/api/v1/election", big, 70000, "Transfer-Encoding: chunked");
    assert_int_equal(r.status, 413);
    free(big);
    /* the daemon is still fine */
    http(&r, "GET", "/healthz", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
}

static void test_metrics(void **state)
{
    reply r;

    (void)state;
    http(&r, "GET", "/metrics", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\nvotesrv_up 1\n"));
    assert_non_null(strstr(r.body, "votesrv_election_state{state=\"open\"} 1\n"));
    assert_non_null(strstr(r.body, "votesrv_voters 1000\n"));
    assert_non_null(strstr(r.body, "# TYPE votesrv_http_requests_total counter\n"));
}

static void test_cli_while_serving(void **state)
{
    char out[8192], bad[700];
    reply r;

    (void)state;
    assert_int_equal(sh(out, sizeof out, "%s/votectl -c %s status --json", bin, cfg), 0);
    assert_non_null(strstr(out, "\"state\":\"open\""));
    assert_int_equal(sh(out, sizeof out, "%s/votectl -c %s close", bin, cfg), 1);
    assert_non_null(strstr(out, "refused: voting is open until"));
    assert_int_equal(sh(out, sizeof out, "%s/votectl frobnicate", bin), 2);
    assert_int_equal(sh(out, sizeof out, "%s/votectl -c %s suspend --reason x", bin, cfg), 2);
    assert_int_equal(sh(out, sizeof out, "%s/votectl import-voters --help", bin), 0);
    assert_non_null(strstr(out, "usage: votectl import-voters"));
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);
    free(tu_write(dir, "bad.csv", "number,surname,given_names,emails,establishment,"
                                  "postal_address,corps\nZ1,A,B,not-an-address,E,,attache\n"));
    assert_int_equal(sh(out, sizeof out, "%s/votectl -c %s import-voters %s", bin, cfg, bad), 3);
    assert_non_null(strstr(out, "bad.csv:2: \"not-an-address\" is not a valid e-mail address"));
    /* the bureau suspends voting; the public API shows the notice */
    assert_int_equal(sh(out, sizeof out, "%s/votectl -c %s suspend --reason incident "
                        "--notice 'Vote suspendu'", bin, cfg), 0);
    http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "\"suspended\":true"));
    assert_non_null(strstr(r.body, "\"notice\":\"Vote suspendu\""));
    assert_int_equal(sh(out, sizeof out, "%s/votectl -c %s resume", bin, cfg), 0);
    /* the audit log verifies while the daemon runs */
    assert_int_equal(sh(out, sizeof out, "%s/voteaudit verify-log %s/demo/registry.db", bin,
                        dir), 0);
    assert_non_null(strstr(out, "audit log: OK"));
}

static void test_sigterm_stops_cleanly(void **state)
{
    int status;
    char out[4096];

    (void)state;
    assert_int_equal(kill(daemon_pid, SIGTERM), 0);
    assert_int_equal(waitpid(daemon_pid, &status, 0), daemon_pid);
    daemon_pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(sh(out, sizeof out, "cat %s/demo/votesrv.log", dir), 0);
    assert_non_null(strstr(out, "\"event\":\"stopped\""));
    assert_null(strstr(out, "pepper"));
    assert_null(strstr(out, "secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_and_election),
        cmocka_unit_test(test_refusals_are_clean_json),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_cli_while_serving),
        cmocka_unit_test(test_sigterm_stops_cleanly),
    };
    return cmocka_run_group_tests_name("daemon", tests, setup, teardown);
}
