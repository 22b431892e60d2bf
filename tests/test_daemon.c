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
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

static char *dir, cfg[700], bin[300];
static pid_t daemon_pid;

static int setup(void **state)
{
    char log[4096];
    json_t *j;
    int rc;

    (void)state;
    snprintf(bin, sizeof bin, "%s", getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN")
                                                          : "../build/rel/bin");
    dir = tu_tmpdir();
    if (tu_sh(log, sizeof log, "%s/votectl demo %s/demo", bin, dir) != 0)
        return -1;
    snprintf(cfg, sizeof cfg, "%s/demo/votesrv.json", dir);
    /* a login waits for Argon2id only while no hash is ahead of it: the
     * flood test's refusals then do not depend on the machine's speed */
    if ((j = json_load_file(cfg, 0, NULL)) == NULL)
        return -1;
    if (json_object_get(j, "limits") == NULL)
        json_object_set_new(j, "limits", json_object());
    json_object_set_new(json_object_get(j, "limits"), "login_queue_ms", json_integer(1));
    /* the flood's wrong passwords must not trip the loopback network */
    json_object_set_new(json_object_get(j, "limits"), "failures_per_network", json_integer(100000));
    rc = json_dump_file(j, cfg, JSON_INDENT(1));
    json_decref(j);
    snprintf(log, sizeof log, "%s/demo/votesrv.log", dir);
    daemon_pid = rc == 0 ? tu_daemon_start(bin, cfg, log) : -1;
    if (daemon_pid < 0)
        return -1;
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
    tu_reply r;
    json_t *j;

    (void)state;
    tu_http_internal(&r, "GET", "/healthz");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    tu_http(&r, "GET", "/healthz", NULL, 0, NULL);         /* not on the public port */
    assert_int_equal(r.status, 404);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
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
    tu_reply r;
    char *big = malloc(70000);

    (void)state;
    tu_http(&r, "GET", "/api/v1/nothing-here", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "Cette adresse n'existe pas."));
    tu_http(&r, "GET", "/api/v1/nothing-here?lang=en", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "There is nothing at this address."));
    tu_http(&r, "DELETE", "/api/v1/election", NULL, 0, "Accept-Language: en-GB,en;q=0.9");
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "GET");
    assert_non_null(strstr(r.body, "\"code\":\"method_not_allowed\""));
    tu_http(&r, "GET", "/api/v1/election", "{}", 2, NULL);    /* a body where none is taken */
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "unexpected_body"));
    memset(big, 'x', 70000);
    tu_http(&r, "POST", "/api/v1/election", big, 70000, NULL);  /* declared length too large */
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "payload_too_large"));
    tu_http(&r, "POST", "/api/v1/election", big, 70000, "Transfer-Encoding: chunked");
    assert_int_equal(r.status, 413);
    free(big);
    /* the daemon is still fine */
    tu_http_internal(&r, "GET", "/healthz");
    assert_int_equal(r.status, 200);
}

static void test_metrics(void **state)
{
    tu_reply r;

    (void)state;
    tu_http(&r, "GET", "/metrics", NULL, 0, NULL);         /* not on the public port */
    assert_int_equal(r.status, 404);
    tu_http_internal(&r, "GET", "/api/v1/election");       /* nor the API on the internal one */
    assert_int_equal(r.status, 404);
    tu_http_internal(&r, "GET", "/metrics");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\nvotesrv_up 1\n"));
    assert_non_null(strstr(r.body, "votesrv_election_state{state=\"open\"} 1\n"));
    assert_non_null(strstr(r.body, "votesrv_voters 1000\n"));
    assert_non_null(strstr(r.body, "# TYPE votesrv_http_requests_total counter\n"));
    assert_null(strstr(r.body, "audit"));                  /* moves with secret outcomes */
}

static void test_cli_while_serving(void **state)
{
    char out[8192], bad[700];
    tu_reply r;

    (void)state;
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s status --json", bin, cfg), 0);
    assert_non_null(strstr(out, "\"state\":\"open\""));
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s close", bin, cfg), 1);
    assert_non_null(strstr(out, "refused: voting is open until"));
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl frobnicate", bin), 2);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s suspend --reason x", bin, cfg), 2);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl import-voters --help", bin), 0);
    assert_non_null(strstr(out, "usage: votectl import-voters"));
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);
    free(tu_write(dir, "bad.csv", "number,surname,given_names,emails,establishment,"
                                  "postal_address,corps\nZ1,A,B,not-an-address,E,,attache\n"));
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s import-voters %s", bin, cfg, bad), 3);
    assert_non_null(strstr(out, "bad.csv:2: \"not-an-address\" is not a valid e-mail address"));
    /* a dry run streams the file through the diff and changes nothing, even while open */
    snprintf(bad, sizeof bad, "%s/one.csv", dir);
    free(tu_write(dir, "one.csv", "number,surname,given_names,emails,establishment,"
                                  "postal_address,corps\nZ1,A,B,z1@ex.fr,E,,attache\n"));
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s import-voters --dry-run %s", bin,
                           cfg, bad), 0);
    assert_non_null(strstr(out, "electoral list: 1 added, 1000 removed, 0 changed, 0 unchanged"));
    /* the bureau suspends voting; the public API shows the notice */
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s suspend --reason incident "
                        "--notice 'Vote suspendu'", bin, cfg), 0);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "\"suspended\":true"));
    assert_non_null(strstr(r.body, "\"notice\":\"Vote suspendu\""));
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s resume", bin, cfg), 0);
    /* the audit log verifies while the daemon runs */
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteaudit verify-log %s/demo/registry.db", bin,
                        dir), 0);
    assert_non_null(strstr(out, "audit log: OK"));
}

/* votectl version --hashes: the daemon's hash is b2sum's, every portal file is
 * listed, then the sealed digest; a portal folder that cannot be read is a
 * clear refusal, not a crash. */
static void test_version_hashes(void **state)
{
    char out[8192], sum[200], bad[800];
    json_t *c;

    (void)state;
    assert_int_equal(tu_sh(sum, sizeof sum, "b2sum -l 256 %s/votesrv | cut -d' ' -f1", bin), 0);
    sum[strcspn(sum, "\n")] = '\0';
    assert_int_equal(strlen(sum), 64);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s version --hashes", bin, cfg), 0);
    assert_non_null(strstr(out, "votesrv 0."));
    strcat(sum, "  votesrv\n");
    assert_non_null(strstr(out, sum));
    assert_non_null(strstr(out, "  portal/vote.mjs\n"));
    assert_non_null(strstr(out, "  portal/libsodium-sumo.mjs\n"));
    assert_non_null(strstr(out, "  software (the sealed digest"));
    assert_non_null(c = json_load_file(cfg, 0, NULL));
    json_object_set_new(c, "assets", json_string("/nonexistent/portal"));
    snprintf(bad, sizeof bad, "%s/no-portal.json", dir);
    assert_int_equal(json_dump_file(c, bad, 0), 0);
    json_decref(c);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s version --hashes", bin, bad), 3);
    assert_non_null(strstr(out, "cannot read the daemon beside votectl or the portal's files"));
}

/* The demo's officer account opens the officers' console (password + TOTP). */
static void test_demo_console_account(void **state)
{
    static char out[65536];
    char path[700], line[256], login[32], role[32], pw[64], secret[64], code[8], *p;
    uint8_t key[32];
    FILE *f;
    int found = 0;

    (void)state;
    snprintf(path, sizeof path, "%s/demo/demo-staff.txt", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = sscanf(line, "%31s %31s %63s %63s", login, role, pw, secret) == 4 &&
                strcmp(role, "officer") == 0;
    fclose(f);
    assert_true(found);
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -c %s/jar '%s/gestion/connexion'", dir,
                           tu_base_url), 0);
    p = strstr(out, "name=\"csrf\" value=\"");
    assert_non_null(p);
    tu_base32_key(key, secret);
    tu_totp(code, key, time(NULL));
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -D - -b %s/jar --data 'csrf=%.64s&login=%s"
                           "&password=%s&code=%s' '%s/gestion/connexion'", dir, p + 19, login,
                           pw, code, tu_base_url), 0);
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /gestion/bureau"));
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
    /* the whole log is longer than out (the reloads above): its end, then a count */
    assert_int_equal(tu_sh(out, sizeof out, "tail -n 2 %s/demo/votesrv.log", dir), 0);
    assert_non_null(strstr(out, "\"event\":\"stopped\""));
    assert_int_equal(tu_sh(out, sizeof out, "grep -c -e pepper -e secret %s/demo/votesrv.log "
                           "|| true", dir), 0);
    assert_string_equal(out, "0\n");
}

/* ---- i24: SIGHUP reloads what can change without a restart (votesrv/reload.c) ---- */

/* The log's reload lines: how many, and the last one in last. */
static int reload_lines(char *last, size_t len)
{
    char path[800];

    snprintf(path, sizeof path, "%s/demo/votesrv.log", dir);
    return tu_log_lines(path, "\"event\":\"reload\"", last, len);
}

/* SIGHUP, then the reload's log line (at most 10 s). */
static void reload(char *last, size_t len)
{
    int before = reload_lines(last, len);

    assert_int_equal(kill(daemon_pid, SIGHUP), 0);
    for (int i = 0; i < 1000 && reload_lines(last, len) == before; i++)
        usleep(10000);
    assert_int_equal(reload_lines(last, len), before + 1);
}

static void config_write(json_t *conf)
{
    assert_int_equal(json_dump_file(conf, cfg, JSON_INDENT(2)), 0);
}

/* A reloadable setting (personal_data) is served after SIGHUP and logged as
 * applied; a file that no longer parses changes nothing and the daemon keeps
 * serving; a listener's change is logged as needing a restart and not
 * applied, while a reloadable change beside it is. */
static void test_sighup_reloads(void **state)
{
    json_t *orig = json_load_file(cfg, 0, NULL), *conf;
    char last[4096];
    tu_reply r;
    FILE *f;

    (void)state;
    assert_non_null(orig);
    tu_http(&r, "GET", "/donnees-personnelles", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "Direction rechargée"));
    conf = json_deep_copy(orig);
    json_object_set_new(conf, "personal_data",
                        json_pack("{s:s,s:s,s:s}", "controller", "Direction rechargée", "dpo",
                                  "Déléguée rechargée", "dpo_contact", "dpo@ex.gouv.fr"));
    json_object_set_new(conf, "portal", json_pack("{s:s}", "theme", "dsfr"));
    assert_null(strstr(r.body, "/static/portal-dsfr.css"));
    config_write(conf);
    reload(last, sizeof last);
    assert_non_null(strstr(last, "\"applied\":[\"personal_data\",\"portal.theme\"]"));
    assert_non_null(strstr(last, "\"restart_needed\":[]"));
    tu_http(&r, "GET", "/donnees-personnelles", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Direction rechargée"));
    assert_non_null(strstr(r.body, "/static/portal-dsfr.css"));
    /* a broken file: logged (without what it holds), the old settings kept */
    f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("{ \"listen\": { \"port\": 1 }, \"secret-looking\" ", f);
    fclose(f);
    reload(last, sizeof last);
    assert_non_null(strstr(last, "\"level\":\"error\""));
    assert_non_null(strstr(last, "\"kept\""));
    assert_null(strstr(last, "secret-looking"));
    tu_http(&r, "GET", "/donnees-personnelles", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Direction rechargée"));
    /* an invalid one (parses, does not validate): the same */
    json_object_set_new(conf, "personal_data", json_pack("{s:s}", "controller", "Seul"));
    config_write(conf);
    reload(last, sizeof last);
    assert_non_null(strstr(last, "\"level\":\"error\""));
    tu_http(&r, "GET", "/donnees-personnelles", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "Direction rechargée"));
    /* the listener moved (restart needed, not applied) beside a new DPO (applied) */
    json_object_set_new(conf, "personal_data",
                        json_pack("{s:s,s:s,s:s}", "controller", "Direction rechargée", "dpo",
                                  "Délégué suivant", "dpo_contact", "dpo@ex.gouv.fr"));
    json_object_set_new(conf, "listen", json_pack("{s:s,s:i}", "address", "127.0.0.2", "port",
                                                  1));
    config_write(conf);
    reload(last, sizeof last);
    assert_non_null(strstr(last, "\"level\":\"warn\""));
    assert_non_null(strstr(last, "\"restart_needed\":[\"listen\"]"));
    assert_non_null(strstr(last, "\"applied\":[\"personal_data\"]"));
    tu_http(&r, "GET", "/donnees-personnelles", NULL, 0, NULL);   /* the same listener */
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Délégué suivant"));
    /* back as it was: the next tests and the stop see the daemon's own file */
    config_write(orig);
    json_decref(conf);
    json_decref(orig);
}

/* Reloads that apply something keep a copy of the configuration each until
 * the stop: bounded (32 in the daemon's life, two of them above). Past that,
 * a reload with a change applies nothing, logs an error naming the setting
 * and restart; one without a change is never refused. Before the bound, a
 * loop of edits and SIGHUPs grew the writer for ever. */
static void test_sighup_bounded(void **state)
{
    json_t *orig = json_load_file(cfg, 0, NULL), *conf = json_deep_copy(orig);
    char last[4096];
    int applied = 0, refused = 0;

    (void)state;
    assert_non_null(conf);
    for (int i = 0; i < 40 && !refused; i++) {
        json_object_set_new(conf, "link_ttl_hours", json_integer(1 + i));
        config_write(conf);
        reload(last, sizeof last);
        if (strstr(last, "\"level\":\"error\"") != NULL)
            refused = 1;
        else
            applied += strstr(last, "\"applied\":[]") == NULL;
    }
    assert_true(refused);
    assert_int_equal(applied, 30);
    assert_non_null(strstr(last, "restart"));
    assert_non_null(strstr(last, "\"not_applied\":[\"link_ttl_hours\"]"));
    assert_null(strstr(last, "\"applied\""));
    /* the same file again: nothing to apply, an ordinary reload */
    json_object_set_new(conf, "link_ttl_hours", json_integer(applied));
    config_write(conf);
    reload(last, sizeof last);
    assert_non_null(strstr(last, "\"level\":\"info\""));
    assert_non_null(strstr(last, "\"applied\":[]"));
    {
        tu_reply r;

        tu_http(&r, "GET", "/donnees-personnelles", NULL, 0, NULL);
        assert_int_equal(r.status, 200);
    }
    config_write(orig);
    json_decref(conf);
    json_decref(orig);
}

/* The opening rush (issue 25): a burst of logins, API and portal alike, more
 * than the Argon2id slots and their bounded queue hold, all sent at once on
 * connections of their own. While they are under way /healthz (internal
 * listener) and a public page answer; every login then gets an answer,
 * either a refusal of the credentials (401) or an announced 503 with a
 * Retry-After (the API's "busy", the portal's form again saying when to try),
 * nothing else (no time-out, no reset), and some were refused at once (the
 * daemon runs with limits.login_queue_ms at 1: no login waits behind a
 * hash). Outcomes are counted, no speed is asserted. */
/* One request on a new connection, the whole answer in buf (bounded by a
 * 30 s time-out). */
static void raw_exchange(int port, const char *req, char *buf, size_t size)
{
    int fd = tu_tcp_connect("127.0.0.1", "127.0.0.1", port);
    struct timeval tv = { 30, 0 };
    size_t got = 0;
    ssize_t n;

    assert_true(fd >= 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fd);
}

/* The place a 503 gave (its ticket and position), if before the best kept. */
typedef struct {
    int who, position;
    char ticket[80];
} flood_place;

static void place_keep(flood_place *best, int who, const char *ticket, size_t len, int position)
{
    assert_int_equal(len, 66);                              /* ACCESS_TICKET_CHARS */
    assert_true(position >= 1);
    if (best->ticket[0] != '\0' && best->position <= position)
        return;
    *best = (flood_place){ who, position, "" };
    snprintf(best->ticket, sizeof best->ticket, "%.*s", (int)len, ticket);
}

static void test_login_flood_admission(void **state)
{
    enum { N = 48, ROUNDS = 3 };
    int fd[N], port = atoi(strrchr(tu_base_url, ':') + 1), refused = 0, denied = 0, waited = 0,
        rounds = 0;
    char req[1024], body[256], cookie[128], token[80];
    static char buf[65536];
    static struct { char text[1024]; int len; } reqs[N];
    const char *p;
    tu_reply r;
    flood_place api = { 0 }, portal = { 0 };

    (void)state;
    tu_http(&r, "GET", "/connexion", NULL, 0, NULL);   /* the portal form's CSRF pair */
    assert_int_equal(r.status, 200);
    assert_non_null(p = strstr(r.body, "name=\"csrf\" value=\""));
    snprintf(token, sizeof token, "%.64s", p + 19);
    assert_int_equal(strncmp(r.set_cookie, "votesrv_csrf=", 13), 0);
    snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    /* up to ROUNDS bursts: libmicrohttpd may accept a burst's connections on
     * few of its threads, which then serve them one by one */
    for (int round = 0; round < ROUNDS && refused == 0; round++, rounds++) {
        for (int i = 0; i < N; i++) {
            int portal = i % 2, len, blen;

            if (portal)
                blen = snprintf(body, sizeof body, "csrf=%s&identifier=rush.%d%%40example.org"
                                "&password=pas+le+bon+mot", token, i);
            else
                blen = snprintf(body, sizeof body, "{\"identifier\":\"rush.%d@example.org\","
                                "\"password\":\"pas le bon mot\"}", i);
            len = snprintf(req, sizeof req,
                           "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n%s%s%s"
                           "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                           portal ? "/connexion" : "/api/v1/session",
                           portal ? "application/x-www-form-urlencoded" : "application/json",
                           portal ? "Cookie: " : "", portal ? cookie : "", portal ? "\r\n" : "",
                           blen, body);
            fd[i] = tu_tcp_connect("127.0.0.1", "127.0.0.1", port);
            assert_true(fd[i] >= 0);
            reqs[i].len = len;
            memcpy(reqs[i].text, req, (size_t)len + 1);
        }
        for (int i = 0; i < N; i++)     /* connected first, then sent together */
            assert_int_equal(write(fd[i], reqs[i].text, (size_t)reqs[i].len), reqs[i].len);
        tu_http_internal(&r, "GET", "/healthz");
        assert_int_equal(r.status, 200);
        tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
        assert_int_equal(r.status, 200);
        for (int i = 0; i < N; i++) {
            size_t got = 0;
            ssize_t n;
            struct timeval tv = { 30, 0 };          /* bounded: a time-out is an error */

            assert_int_equal(setsockopt(fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
            while (got < sizeof buf - 1 && (n = read(fd[i], buf + got, sizeof buf - 1 - got)) > 0)
                got += (size_t)n;
            buf[got] = '\0';
            close(fd[i]);
            if (strncmp(buf, "HTTP/1.1 401", 12) == 0) {
                if (strstr(buf, i % 2 ? "Identifiant ou mot de passe incorrect"
                                      : "\"code\":\"invalid_credentials\"") == NULL)
                    fail_msg("login %d, 401: %.300s", i, buf);
                denied++;
            } else if (strncmp(buf, "HTTP/1.1 503", 12) == 0) {
                assert_non_null(strstr(buf, "\r\nRetry-After: "));
                if (i % 2) {                          /* the waiting page */
                    char kept[64];

                    snprintf(kept, sizeof kept, "value=\"rush.%d@example.org\"", i);
                    assert_non_null(strstr(buf, "Réessayez dans "));
                    assert_non_null(strstr(buf, "<form method=\"post\" action=\"/connexion\""));
                    assert_non_null(strstr(buf, kept));             /* the address kept */
                    assert_null(strstr(buf, "pas le bon mot"));     /* never the password */
                    /* the place booked: its ticket in a cookie for /connexion
                     * only, its position on the page */
                    assert_non_null(p = strstr(buf, "\r\nSet-Cookie: votesrv_wait="));
                    p += strlen("\r\nSet-Cookie: votesrv_wait=");
                    assert_int_equal(strncmp(p + strcspn(p, ";"), "; Path=/connexion; HttpOnly; "
                                             "Secure; SameSite=Strict\r\n", 50), 0);
                    assert_non_null(strstr(buf, "Votre place dans la file d&#39;attente : "));
                    place_keep(&portal, i, p, strcspn(p, ";"),
                               atoi(strstr(buf, "attente : ") + 10));
                    waited++;
                } else {
                    assert_non_null(strstr(buf, "\"code\":\"busy\""));
                    assert_non_null(p = strstr(buf, "\"retry_ticket\":\""));
                    p += strlen("\"retry_ticket\":\"");
                    assert_non_null(strstr(buf, "\"position\":"));
                    place_keep(&api, i, p, strcspn(p, "\""),
                               atoi(strstr(buf, "\"position\":") + 11));
                }
                refused++;
            } else {
                fail_msg("login %d of the flood: %.300s", i, buf);
            }
        }
    }
    assert_int_equal(denied + refused, N * rounds);
    /* admission, not a queue: 48 Argon2id hashes at once are more than the
     * slots and the queue's bound hold on any machine (a hash is tens of
     * ms, the burst is sent in well under one), so some were refused at
     * once. Before admission control every login waited its turn (and past
     * 5 s, the portal answered 401 for a full queue). */
    if (refused == 0)
        fail_msg("login flood: all %d queued for Argon2id, none refused at once", N * rounds);
    /* the first places, due now: sent back, the API's field and the
     * portal's cookie get their login checked (a wrong password: 401), and
     * the portal's answer removes the cookie */
    if (api.ticket[0] != '\0') {
        snprintf(body, sizeof body, "{\"identifier\":\"rush.%d@example.org\",\"password\":"
                 "\"pas le bon mot\",\"retry_ticket\":\"%s\"}", api.who, api.ticket);
        tu_http(&r, "POST", "/api/v1/session", body, (long)strlen(body),
                "Content-Type: application/json");
        assert_int_equal(r.status, 401);
        assert_non_null(strstr(r.body, "\"code\":\"invalid_credentials\""));
    }
    if (portal.ticket[0] != '\0') {
        int blen = snprintf(body, sizeof body, "csrf=%s&identifier=rush.%d%%40example.org"
                            "&password=pas+le+bon+mot", token, portal.who);

        snprintf(req, sizeof req, "POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nCookie: %s; "
                 "votesrv_wait=%s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                 cookie, portal.ticket, blen, body);
        raw_exchange(port, req, buf, sizeof buf);
        if (strncmp(buf, "HTTP/1.1 401", 12) != 0)
            fail_msg("the portal's first place sent back: %.300s", buf);
        assert_non_null(strstr(buf, "\r\nSet-Cookie: votesrv_wait=; Path=/connexion; Max-Age=0;"));
    }
    /* a ticket must be a string: anything else is the field's error */
    snprintf(body, sizeof body, "{\"identifier\":\"rush.0@example.org\",\"password\":"
             "\"pas le bon mot\",\"retry_ticket\":7}");
    tu_http(&r, "POST", "/api/v1/session", body, (long)strlen(body),
            "Content-Type: application/json");
    assert_int_equal(r.status, 400);
    tu_http_internal(&r, "GET", "/metrics");   /* the refusals counted, none waiting now */
    assert_int_equal(r.status, 200);
    assert_non_null(p = strstr(r.body, "\nvotesrv_password_busy_total "));
    assert_true(atoi(p + 29) >= refused);
    assert_non_null(strstr(r.body, "\nvotesrv_password_hashes_waiting 0\n"));
    assert_non_null(p = strstr(r.body, "\nvotesrv_login_tickets_booked_total "));
    assert_true(atoi(p + 36) >= 1);
    assert_non_null(p = strstr(r.body, "\nvotesrv_login_tickets_admitted_total "));
    assert_true(atoi(p + 38) >= (api.ticket[0] != '\0') + (portal.ticket[0] != '\0'));
    print_message("login flood: %d round(s), %d checked, %d refused at once (503), %d of them on "
                  "the portal\n", rounds, denied, refused, waited);
    tu_http_internal(&r, "GET", "/healthz");
    assert_int_equal(r.status, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_and_election),
        cmocka_unit_test(test_refusals_are_clean_json),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_cli_while_serving),
        cmocka_unit_test(test_version_hashes),
        cmocka_unit_test(test_demo_console_account),
        cmocka_unit_test(test_sighup_reloads),
        cmocka_unit_test(test_sighup_bounded),
        cmocka_unit_test(test_login_flood_admission),
        cmocka_unit_test(test_sigterm_stops_cleanly),
    };
    return cmocka_run_group_tests_name("daemon", tests, setup, teardown);
}
