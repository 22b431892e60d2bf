/* test_cast.c - integration: voters activated through the mail they receive
 * cast ballots over HTTP with the reference client (library and voteclient
 * CLI): receipts and their acknowledgement mail, the board and tracker
 * lookups, every refusal (not eligible, wrong code, tampered ballot, copy,
 * second ballot, suspended vote, window ended: the vote page then says so
 * without its form), two concurrent casts by one voter, and the
 * unlinkability of the stored data once the daemon has stopped. */
#define _GNU_SOURCE                  /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"
#include "client/client.h"
#include "crypto/hex.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "W1,Martin,Camille,w1@ex.gouv.fr,E,,attache\n" \
            "W2,Petit,Léa,w2@ex.gouv.fr,E,,attache\n" \
            "W3,Durand,Hugo,w3@ex.gouv.fr,E,,secretaire\n" \
            "W4,Leroy,Inès,w4@ex.gouv.fr,F,,attache\n"
#define NVOTERS 4
#define PASSWORD "sous les pavés la plage"
#define CAP "cap-attaches"
#define CSA "csa-ministere"

static char *dir, bin[PATH_MAX], cfg[700], url[80], codes[NVOTERS][64];
static int daemon_pid;
static tu_smtp smtp;
static client_election election;
/* every accepted ballot, in the order cast */
static uint8_t cast_trackers[16][BALLOT_TRACKER_BYTES];
static int ncast;
static box_receipt first_receipt;          /* W1's in CAP, by voteclient */
static client_prepared w3_csa;             /* W3's ballot in CSA as sent (test_refusals) */
static box_receipt w3_receipt;             /* and its receipt */

static char out[8192];

static int said(int rc)
{
    if (rc != 0)
        fprintf(stderr, "%s\n", out);
    return rc;
}

static int read_codes(void)
{
    char path[800], line[256];
    FILE *f;
    int n = 0;

    snprintf(path, sizeof path, "%s/codes.csv", dir);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        int i = line[0] == 'W' ? atoi(line + 1) - 1 : -1;

        if (i >= 0 && i < NVOTERS && strchr(line, ',') != NULL) {
            snprintf(codes[i], sizeof codes[i], "%s", strchr(line, ',') + 1);
            codes[i][strcspn(codes[i], "\r\n")] = '\0';
            n++;
        }
    }
    fclose(f);
    return n == NVOTERS ? 0 : -1;
}

/* The activation token mailed to address (messages 1..NVOTERS). */
static int activation_token(const char *address, char token[64])
{
    char want[128];
    int found = 0;

    snprintf(want, sizeof want, "To: <%s>", address);
    for (int n = 1; n <= NVOTERS && !found; n++) {
        char *msg = tu_smtp_message(&smtp, n), *text = NULL, *t;

        if (msg != NULL && strstr(msg, want) != NULL && (text = tu_mail_text(msg)) != NULL &&
            (t = strstr(text, "/activation?t=")) != NULL) {
            snprintf(token, 44, "%s", t + strlen("/activation?t="));
            found = 1;
        }
        free(text);
        free(msg);
    }
    return found ? 0 : -1;
}

static int activate_all(void)
{
    char token[64], body[512], address[64];
    tu_reply r;

    for (int i = 1; i <= NVOTERS; i++) {
        snprintf(address, sizeof address, "w%d@ex.gouv.fr", i);
        if (activation_token(address, token) != 0)
            return -1;
        snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"" PASSWORD "\","
                 "\"defi_question\":0,\"defi_answer\":\"Rex\"}", token);
        tu_http(&r, "POST", "/api/v1/activation", body, (long)strlen(body),
                "Content-Type: application/json");
        if (r.status != 200)
            return -1;
    }
    return 0;
}

static int setup(void **state)
{
    char path[800];
    client_result r;
    client *c;

    (void)state;
    if (tu_start_with_smtp(bin, &dir, &smtp) != 0)
        return -1;
    if (tu_election_by_cli(dir, bin, &smtp, CSV, NULL, cfg, sizeof cfg) != 0 || read_codes() != 0)
        return -1;
    snprintf(path, sizeof path, "%s/votesrv.log", dir);
    {   /* log at debug level: every request is logged (test_log_holds_no_secret) */
        json_t *conf = json_load_file(cfg, 0, NULL);

        if (conf == NULL || json_object_set_new(conf, "log", json_pack("{s:s}", "level", "debug"))
            != 0 || json_dump_file(conf, cfg, JSON_INDENT(2)) != 0)
            return -1;
        json_decref(conf);
    }
    daemon_pid = tu_daemon_start(bin, cfg, path);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(url, sizeof url, "%s", tu_base_url);
    if (daemon_pid <= 0 || activate_all() != 0 || (c = client_new(url)) == NULL)
        return -1;
    if (client_election_fetch(c, &election, &r) != CLIENT_OK) {
        fprintf(stderr, "%s\n", r.message);
        client_free(c);
        return -1;
    }
    client_free(c);
    return 0;
}

static void stop_daemon(void)
{
    if (daemon_pid > 0) {
        kill(daemon_pid, SIGTERM);
        waitpid(daemon_pid, NULL, 0);
        daemon_pid = 0;
    }
}

static int teardown(void **state)
{
    (void)state;
    stop_daemon();
    tu_smtp_stop(&smtp);
    client_prepared_free(&w3_csa);
    client_election_free(&election);
    curl_global_cleanup();
    tu_rmdir(dir);
    free(dir);
    return 0;
}

static client *logged_in(int voter)
{
    char address[64];
    client_result r;
    client *c = client_new(url);

    assert_non_null(c);
    snprintf(address, sizeof address, "w%d@ex.gouv.fr", voter);
    assert_int_equal(client_login(c, address, PASSWORD, &r), CLIENT_OK);
    return c;
}

static void remember(const box_receipt *receipt)
{
    assert_true(ncast < 16);
    memcpy(cast_trackers[ncast++], receipt->tracker, BALLOT_TRACKER_BYTES);
}

/* A malformed ballot, through the worker (which reads the ballot's JSON)
 * and the writer (which checks the wire form it gets): a 400 naming the same
 * field as when the writer parsed the JSON itself, and nothing recorded (W3
 * casts in the CSA afterwards, test_refusals). */
static void test_malformed_ballot_fields(void **state)
{
    static const char *const cases[][2] = {
        { "extra-key", "zz" }, { "authenticator", "authenticator" },
        { "ballot-not-object", "ballot" }, { "ballot-extra", "ballot" },
        { "version", "version" }, { "election", "election" }, { "scrutin", "scrutin" },
        { "credential", "credential" }, { "lists", "lists" }, { "range", "range" },
        { "signature", "signature" },
        /* two faults: the one ballot_from_json checks first is named */
        { "lists+signature", "lists" }, { "range+signature", "range" },
    };
    char body[512], cookie[300], *text;
    client_prepared p;
    client_result r;
    tu_reply reply;
    json_t *root, *err;

    (void)state;
    snprintf(body, sizeof body, "{\"identifier\":\"w3@ex.gouv.fr\",\"password\":\"%s\"}",
             PASSWORD);
    tu_http(&reply, "POST", "/api/v1/session", body, (long)strlen(body),
            "Content-Type: application/json");
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.set_cookie, "votesrv_session="));
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(reply.set_cookie, ";"),
             reply.set_cookie);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *how = cases[i][0];
        json_t *b;

        assert_int_equal(client_prepare(&p, &election, CSA, codes[2], 1, &r), CLIENT_OK);
        b = json_object_get(p.body, "ballot");
        if (strcmp(how, "extra-key") == 0)
            json_object_set_new(p.body, "zz", json_true());
        else if (strcmp(how, "authenticator") == 0)
            json_object_set_new(p.body, "authenticator", json_string("00"));
        else if (strcmp(how, "ballot-not-object") == 0)
            json_object_set_new(p.body, "ballot", json_integer(5));
        else if (strcmp(how, "ballot-extra") == 0)
            json_object_set_new(b, "zz", json_true());
        else if (strcmp(how, "version") == 0)
            json_object_set_new(b, "version", json_integer(2));
        else if (strcmp(how, "election") == 0)
            json_object_set(b, "election", json_object_get(b, "credential"));
        else if (strcmp(how, "scrutin") == 0)
            json_object_set_new(b, "scrutin", json_string(CAP));
        else if (strcmp(how, "credential") == 0)
            json_object_set_new(b, "credential", json_string("abc"));
        else if (strcmp(how, "lists") == 0)
            json_array_remove(json_object_get(b, "lists"), 0);
        else if (strcmp(how, "range") == 0)
            json_object_set_new(json_object_get(b, "range"), "max", json_integer(7));
        else if (strcmp(how, "lists+signature") == 0) {
            json_array_remove(json_object_get(b, "lists"), 0);
            json_object_set_new(json_object_get(b, "signature"), "a", json_string("zz"));
        } else if (strcmp(how, "range+signature") == 0) {
            json_t *range = json_object_get(b, "range");    /* a range of the right shape */

            json_object_set_new(range, "max", json_integer(0));
            json_object_set_new(range, "min", json_integer(0));
            json_array_remove(json_object_get(range, "proof"), 1);
            json_object_set_new(json_object_get(b, "signature"), "a", json_string("zz"));
        }
        else
            json_object_set_new(json_object_get(b, "signature"), "a", json_string("zz"));
        text = json_dumps(p.body, JSON_COMPACT);
        tu_http2(&reply, "POST", "/api/v1/scrutins/" CSA "/ballots", text, (long)strlen(text),
                 "Content-Type: application/json", cookie);
        free(text);
        client_prepared_free(&p);
        root = json_loads(reply.body, 0, NULL);
        err = json_object_get(root, "error");
        if (reply.status != 400 || !json_is_string(json_object_get(err, "field")) ||
            strcmp(json_string_value(json_object_get(err, "field")), cases[i][1]) != 0)
            fail_msg("%s: %ld %s", how, reply.status, reply.body);
        json_decref(root);
    }
}

/* The CLI end to end: vote, receipt, lookup; a second vote is refused. */
static void test_voteclient_cli(void **state)
{
    char tracker[BALLOT_TRACKER_CHARS + 1];
    const char *t;
    box_receipt receipt;
    json_t *j;

    (void)state;
    assert_int_equal(tu_sh(out, sizeof out, "printf '%%s\\n%%s\\n' '" PASSWORD "' '%s' | "
                           "%s/voteclient --url %s vote w1@ex.gouv.fr " CAP " 2 2>&1",
                           codes[0], bin, url), 0);
    j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_int_equal(client_receipt_parse(&receipt, j), 0);
    assert_int_equal(box_receipt_verify(&receipt, election.receipt_key), 0);
    assert_string_equal(receipt.scrutin, CAP);
    assert_int_equal(receipt.count, 1);
    first_receipt = receipt;
    t = json_string_value(json_object_get(j, "tracker_text"));
    assert_non_null(t);
    snprintf(tracker, sizeof tracker, "%s", t);
    json_decref(j);
    remember(&receipt);
    /* the printed tracker finds the ballot */
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient --url %s lookup " CAP " '%s' 2>&1",
                           bin, url, tracker), 0);
    assert_non_null(strstr(out, "present"));
    /* one ballot per scrutin, final */
    assert_int_equal(tu_sh(out, sizeof out, "printf '%%s\\n%%s\\n' '" PASSWORD "' '%s' | "
                           "%s/voteclient --url %s vote w1@ex.gouv.fr " CAP " 1 2>&1",
                           codes[0], bin, url), 1);
    assert_non_null(strstr(out, "409"));
    /* a secret on the command line is refused by design: usage */
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient --url %s vote w1@ex.gouv.fr " CAP
                           " 9 </dev/null 2>&1", bin, url), 2);
    /* a choice that is neither a list number from 1 nor blank says so */
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient --url %s vote w1@ex.gouv.fr " CAP
                           " 0 </dev/null 2>&1", bin, url), 2);
    assert_non_null(strstr(out, "CHOICE is a list number from 1, or \"blank\" (not \"0\")"));
    /* --help: every command, the choices and the exit codes, on stdout */
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient --help 2>/dev/null", bin), 0);
    for (const char *const *w = (const char *const[]){ "vote IDENTIFIER SCRUTIN CHOICE",
                                                       "lookup SCRUTIN TRACKER", "load FILE",
                                                       "the first list is 1", "blank",
                                                       "--url URL", "--concurrency N",
                                                       "--receipts OUT", "--retry SECONDS",
                                                       "--rate R",
                                                       "exit status", "  3  bad input", NULL };
         *w != NULL; w++)
        assert_non_null(strstr(out, *w));
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient vote -h 2>/dev/null", bin), 0);
    assert_non_null(strstr(out, "exit status"));
    assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient 2>&1", bin), 2);
    assert_non_null(strstr(out, "voteclient --help"));
    /* load --rate: casts per second offered, 1 to 100000; anything else is
     * refused before any connection (the URL goes nowhere) */
    for (const char *const *w = (const char *const[]){ "0", "0.5", "100001", "-5", "abc", "10x",
                                                       "", "nan", "inf", NULL };
         *w != NULL; w++) {
        char expect[64];

        assert_int_equal(tu_sh(out, sizeof out, "%s/voteclient --url http://127.0.0.1:9 load "
                               "/dev/null --rate '%s' 2>&1", bin, *w), 2);
        snprintf(expect, sizeof expect, "1 to 100000 (not \"%s\")", *w);
        if (strstr(out, "--rate is the casts per second offered") == NULL ||
            strstr(out, expect) == NULL)
            fail_msg("--rate '%s': %s", *w, out);
    }
}

/* load --rate: an open loop of 20 casts at 200 per second, by 4 connections,
 * on an election of its own (20 generated voters) served by a second daemon:
 * every cast accepted with a verified receipt (voteclient checks each), one
 * receipt line per voter; the figures' names, not their values (no timing). */
static void test_voteclient_open_loop(void **state)
{
    char saved[2][64], ocfg[800], log[900], receipts[900], line[256], *odir = tu_tmpdir();
    char seen[20] = { 0 };
    int pid, rc = -1, lines = 0, ok = 1;
    FILE *f;

    (void)state;
    memcpy(saved[0], tu_base_url, sizeof saved[0]);
    memcpy(saved[1], tu_internal_url, sizeof saved[1]);
    snprintf(log, sizeof log, "%s/votesrv.log", odir);
    snprintf(receipts, sizeof receipts, "%s/receipts.csv", odir);
    if (tu_election_generated(odir, bin, 20, ocfg, sizeof ocfg) == 0 &&
        tu_load_file(odir, ocfg, CSA, 4) == 0 && (pid = tu_daemon_start(bin, ocfg, log)) > 0) {
        rc = tu_sh(out, sizeof out, "%s/voteclient --url %s load %s/load.csv --concurrency 4 "
                   "--rate 200 --receipts %s 2>&1", bin, tu_base_url, odir, receipts);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    if ((f = fopen(receipts, "r")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL) {
            unsigned n = 0;
            char t[2 * BALLOT_TRACKER_BYTES + 2];

            if (sscanf(line, "%u," CSA ",%65[0-9a-f]", &n, t) != 2 || n < 1 || n > 20 ||
                strlen(t) != 2 * BALLOT_TRACKER_BYTES || seen[n - 1]++)
                ok = 0;
            lines++;
        }
        fclose(f);
    }
    memcpy(tu_base_url, saved[0], sizeof saved[0]);
    memcpy(tu_internal_url, saved[1], sizeof saved[1]);
    tu_rmdir(odir);
    free(odir);
    if (rc != 0 || strstr(out, "ballots 20 accepted 20 errors 0 ") == NULL ||
        strstr(out, " offered_per_s 200 late ") == NULL || strstr(out, " queued ") == NULL)
        fail_msg("voteclient load --rate 200 exited %d: %s", rc, out);
    assert_int_equal(lines, 20);
    assert_true(ok);
}

/* The acknowledgement: the tracker, never the choice. */
static void test_acknowledgement_mail(void **state)
{
    char tracker[BALLOT_TRACKER_CHARS + 1];
    int found = 0;

    (void)state;
    ballot_tracker_text(tracker, cast_trackers[0]);
    for (int n = NVOTERS + 1; n <= NVOTERS + 4 && !found; n++) {
        char *msg = tu_smtp_message(&smtp, n), *text;

        if (msg == NULL)
            break;
        text = tu_mail_text(msg);
        if (text != NULL && strstr(text, tracker) != NULL) {
            found = 1;
            assert_non_null(strstr(msg, "To: <w1@ex.gouv.fr>"));
            assert_non_null(strstr(text, "a bien été déposé"));
            assert_null(strstr(text, "Agir ensemble"));        /* the choice: never */
            assert_null(strstr(msg, "Agir ensemble"));
        }
        free(text);
        free(msg);
    }
    assert_true(found);
}

static void test_refusals(void **state)
{
    client *c = logged_in(3);
    client_prepared p;
    client_result r;
    box_receipt receipt;
    json_t *ct;
    char *s;

    (void)state;
    /* W3 (secretaire) is not in the CAP of attachés */
    assert_int_equal(client_cast(c, &election, CAP, codes[2], 0, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.message, "Vous ne remplissez pas les conditions"));
    /* another voter's code: the authenticator is refused */
    assert_int_equal(client_cast(c, &election, CSA, codes[1], 0, &receipt, &r), CLIENT_REFUSED);
    assert_true(r.status == 401 || r.status == 403);
    /* a mistyped code never leaves the device */
    assert_int_equal(client_cast(c, &election, CSA, "ABCD", 0, &receipt, &r), -1);
    /* a tampered ciphertext: the proofs fail */
    assert_int_equal(client_prepare(&p, &election, CSA, codes[2], 1, &r), CLIENT_OK);
    ct = json_object_get(json_array_get(json_object_get(json_object_get(p.body, "ballot"),
                                                        "lists"), 0), "ct");
    s = strdup(json_string_value(ct));
    s[10] = s[10] == '0' ? '1' : '0';
    json_string_set(ct, s);
    free(s);
    assert_int_equal(client_submit(c, &election, &p, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 400);
    client_prepared_free(&p);
    /* nothing was stored: the genuine ballot goes in */
    assert_int_equal(client_prepare(&p, &election, CSA, codes[2], 1, &r), CLIENT_OK);
    assert_int_equal(client_submit(c, &election, &p, &receipt, &r), CLIENT_OK);
    remember(&receipt);
    w3_csa = p;
    w3_csa.body = json_deep_copy(p.body);
    w3_receipt = receipt;
    client_free(c);
    /* W2 replays W3's ballot with W2's own authenticator: W3's credential is
     * not bound to W2's authenticator, refused before anything else */
    c = logged_in(2);
    {
        client_prepared mine;
        json_t *stolen = json_deep_copy(json_object_get(p.body, "ballot"));

        assert_int_equal(client_prepare(&mine, &election, CSA, codes[1], 0, &r), CLIENT_OK);
        json_object_set_new(mine.body, "ballot", stolen);
        assert_int_equal(client_submit(c, &election, &mine, &receipt, &r), CLIENT_REFUSED);
        assert_int_equal(r.status, 403);
        client_prepared_free(&mine);
    }
    client_prepared_free(&p);
    /* W2's own authenticator with a colleague's credential (a ballot
     * made from W4's paper code) is refused; W4's credential stays W4's */
    {
        client_prepared own, colleague;

        assert_int_equal(client_prepare(&own, &election, CSA, codes[1], 0, &r), CLIENT_OK);
        assert_int_equal(client_prepare(&colleague, &election, CSA, codes[3], 0, &r), CLIENT_OK);
        json_object_set(colleague.body, "authenticator",
                        json_object_get(own.body, "authenticator"));
        assert_int_equal(client_submit(c, &election, &colleague, &receipt, &r), CLIENT_REFUSED);
        assert_int_equal(r.status, 403);
        assert_non_null(strstr(r.message, "code"));
        client_prepared_free(&own);
        client_prepared_free(&colleague);
    }
    /* W2's own ballot is still welcome */
    assert_int_equal(client_cast(c, &election, CSA, codes[1], CLIENT_BLANK, &receipt, &r),
                     CLIENT_OK);
    remember(&receipt);
    client_free(c);
    /* and W4, from W4's account, casts with W4's credential */
    c = logged_in(4);
    assert_int_equal(client_cast(c, &election, CSA, codes[3], 1, &receipt, &r), CLIENT_OK);
    remember(&receipt);
    client_free(c);
}

typedef struct {
    const client_prepared *p;
    int rc;
    long status;
} racer;

static void *race(void *arg)
{
    racer *x = arg;
    client *c = logged_in(4);
    box_receipt receipt;
    client_result r;

    x->rc = client_submit(c, &election, x->p, &receipt, &r);
    x->status = r.status;
    if (x->rc == CLIENT_OK)
        remember(&receipt);
    client_free(c);
    return NULL;
}

/* W4 sends two different ballots at once: exactly one is accepted. */
static void test_concurrent_casts(void **state)
{
    client_prepared p[2];
    client_result r;
    racer x[2];
    pthread_t t[2];

    (void)state;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(client_prepare(&p[i], &election, CAP, codes[3], (size_t)i, &r), CLIENT_OK);
        x[i].p = &p[i];
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, race, &x[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal((x[0].rc == CLIENT_OK) + (x[1].rc == CLIENT_OK), 1);
    assert_int_equal(x[x[0].rc == CLIENT_OK ? 1 : 0].status, 409);
    for (int i = 0; i < 2; i++)
        client_prepared_free(&p[i]);
}

/* The board: every ballot, sorted by tracker, once its batch is published
 * (every second in tests); the lookup agrees. */
static void test_board(void **state)
{
    tu_reply r;
    json_t *j = NULL, *b;
    size_t i;
    const char *prev = "";

    (void)state;
    for (int tries = 0; tries < 300; tries++) {     /* the next batch, at most 60 s */
        json_decref(j);
        tu_http(&r, "GET", "/api/v1/scrutins/" CAP "/ballots", NULL, 0, NULL);
        assert_int_equal(r.status, 200);
        j = json_loads(r.body, 0, NULL);
        if (json_array_size(json_object_get(j, "ballots")) == 2)
            break;
        usleep(200000);
    }
    assert_int_equal(json_array_size(json_object_get(j, "ballots")), 2);
    json_array_foreach(json_object_get(j, "ballots"), i, b) {
        const char *t = json_string_value(json_object_get(b, "tracker"));

        assert_true(strcmp(prev, t) < 0);
        prev = t;
    }
    json_decref(j);
    tu_http(&r, "GET", "/api/v1/scrutins/" CSA "/ballots?limit=1", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    tu_http(&r, "GET", "/api/v1/scrutins/nope/ballots", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    tu_http(&r, "GET", "/api/v1/trackers/not-a-tracker", NULL, 0, NULL);
    assert_int_equal(r.status, 400);
    /* the whole archive comes with the close; the board is paged until then */
    tu_http(&r, "GET", "/api/v1/archive", NULL, 0, NULL);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "archive_later"));
}

static void session_cookie(int n, char cookie[160]);
static char *slurp(const char *name, size_t *len);

/* The vote form posted again by a voter who has voted (a reload of the old
 * receipt, a second tab): refused with its status (it was a garbage status,
 * hence an empty response, when the status was read before it was set), and
 * said once, not twice. */
static void posted_again(const char *session)
{
    static tu_reply r;
    char csrf[128], body[300], *page;
    const char *token;
    size_t len;
    int n = 0;

    tu_http(&r, "GET", "/connexion", NULL, 0, NULL);
    token = strstr(r.body, "name=\"csrf\" value=\"");
    assert_non_null(token);
    assert_int_equal(strncmp(r.set_cookie, "votesrv_csrf=", 13), 0);
    snprintf(csrf, sizeof csrf, "%.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    snprintf(body, sizeof body, "csrf=%.64s&ballot=%%7B%%7D&authenticator=%064d", token + 19, 0);
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -o %s/again.html -w '%%{http_code}' "
                           "-H 'Content-Type: application/x-www-form-urlencoded' -H '%s; %s' "
                           "-d '%s' %s/vote/" CAP, dir, session, csrf, body, url), 0);
    assert_string_equal(out, "409");
    page = slurp("again.html", &len);
    for (const char *p = page; (p = strstr(p, "Vous avez déjà voté")) != NULL; p++)
        n++;
    assert_int_equal(n, 1);
    assert_non_null(strstr(page, "<title>Erreur : "));
    free(page);
}

/* The receipt's address: its public fields (page_receipt.c). */
static void receipt_path(char *out, size_t len, const char *page, const box_receipt *r)
{
    char digest[65], sig[129];

    hex_encode(digest, r->digest, sizeof r->digest);
    hex_encode(sig, r->signature, sizeof r->signature);
    snprintf(out, len, "/%s?t=%s&n=%llu&d=%s&s=%s", page, r->tracker_text,
             (unsigned long long)r->count, digest, sig);
}

/* The receipt at its stable address reloads (200, the same tracker, twice),
 * downloads as JSON that verifies with the election's receipt key and as a
 * PDF; a tracker the box does not hold, a signature the server did not make
 * or a missing field is a 404 page that says so. The page stores nothing:
 * test_unlinkability then finds no tracker in the registry or the log. */
static void test_receipt_page(void **state)
{
    static tu_reply r;
    char path[600], cookie[160], want[200];
    box_receipt got, other = first_receipt;
    json_t *j;

    (void)state;
    assert_true(first_receipt.count == 1);
    receipt_path(path, sizeof path, "recu", &first_receipt);
    snprintf(want, sizeof want, "data-tracker=\"%s\"", first_receipt.tracker_text);
    session_cookie(1, cookie);
    for (int i = 0; i < 2; i++) {                       /* a reload: the same page */
        tu_http(&r, "GET", path, NULL, 0, i == 0 ? cookie : NULL);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, want));
        assert_non_null(strstr(r.body, "Votre vote est enregistré"));
        assert_non_null(strstr(r.body, "Commission administrative paritaire"));
        assert_null(strstr(r.body, "Vous avez déjà voté"));
        assert_int_equal(strstr(r.body, "data-who=") != NULL, i == 0);
    }
    snprintf(want, sizeof want, "class=\"lang\" href=\"/recu?t=%s&amp;n=1&amp;",
             first_receipt.tracker_text);                 /* English: the same receipt */
    assert_non_null(strstr(r.body, want));
    snprintf(want, sizeof want, "data-tracker=\"%s\"", first_receipt.tracker_text);
    strcat(path, "&lang=en");                           /* in English, the same receipt */
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Your vote is recorded"));
    assert_non_null(strstr(r.body, want));
    receipt_path(path, sizeof path, "recu.json", &first_receipt);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_int_equal(client_receipt_parse(&got, j), 0);
    json_decref(j);
    assert_int_equal(box_receipt_verify(&got, election.receipt_key), 0);
    assert_string_equal(got.tracker_text, first_receipt.tracker_text);
    assert_memory_equal(got.signature, first_receipt.signature, 64);
    receipt_path(path, sizeof path, "recu.pdf", &first_receipt);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 1000);
    assert_memory_equal(r.body, "%PDF-", 5);
    /* a tracker the box does not hold */
    memset(other.tracker, 0x5a, sizeof other.tracker);
    ballot_tracker_text(other.tracker_text, other.tracker);
    receipt_path(path, sizeof path, "recu", &other);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "<title>Erreur : "));
    assert_non_null(strstr(r.body, "Cette adresse ne correspond à aucun reçu"));
    /* the right tracker with a count or a signature the server never signed */
    other = first_receipt;
    other.count = 2;
    receipt_path(path, sizeof path, "recu.json", &other);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    other = first_receipt;
    other.signature[0] ^= 1;
    receipt_path(path, sizeof path, "recu.pdf", &other);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    snprintf(path, sizeof path, "/recu?t=%s", first_receipt.tracker_text);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    posted_again(cookie);
}

/* Whether the page links to CAP's list page key=tracker as rel, labelled so. */
static int has_link(const char *body, const char *key, const char *tracker, const char *rel,
                    const char *label)
{
    char want[300];

    snprintf(want, sizeof want, "href=\"/urne/" CAP "?%s=%s\" rel=\"%s\">%s</a>", key, tracker,
             rel, label);
    return strstr(body, want) != NULL;
}

/* The portal's public ballot box: every published tracker of a scrutin, by
 * tracker, in the receipt's grouped form; the lookup names the scrutin; the
 * archive's link says when it will exist. */
static void test_board_pages(void **state)
{
    static tu_reply r;
    char text[2][BALLOT_TRACKER_CHARS + 1], path[300], hex[65], *a, *b;
    uint8_t t[BALLOT_TRACKER_BYTES];
    json_t *j;
    size_t i;
    json_t *e;

    (void)state;
    tu_http(&r, "GET", "/api/v1/scrutins/" CAP "/ballots", NULL, 0, NULL);   /* published */
    j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "ballots")), 2);
    json_array_foreach(json_object_get(j, "ballots"), i, e) {
        tu_unhex(t, sizeof t, json_string_value(json_object_get(e, "tracker")));
        ballot_tracker_text(text[i], t);
    }
    json_decref(j);
    tu_http(&r, "GET", "/urne", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<h2>Tous les bulletins de l'urne</h2>"));
    assert_non_null(strstr(r.body, "<a href=\"/urne/" CAP "\">Commission administrative "
                                   "paritaire des attachés</a>"));
    assert_non_null(strstr(r.body, "sera publiée ici à la clôture du vote, après la fin du "
                                   "scrutin le <time datetime="));
    assert_null(strstr(r.body, "href=\"/api/v1/archive\""));       /* no raw 409 to follow */
    tu_http(&r, "GET", "/urne/" CAP, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<strong>Commission administrative paritaire des attachés"));
    a = strstr(r.body, text[0]);
    b = strstr(r.body, text[1]);
    assert_true(a != NULL && b != NULL && a < b);           /* by tracker */
    assert_null(strstr(r.body, "rel=\"next\""));               /* one page */
    assert_null(strstr(r.body, "rel=\"first\""));
    snprintf(path, sizeof path, "/urne/" CAP "?apres=%s", text[0]);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    a = strstr(r.body, text[0]);                            /* the cursor, said once */
    assert_non_null(a);
    assert_null(strstr(a + 1, text[0]));                    /* and not listed */
    assert_non_null(strstr(r.body, text[1]));
    assert_non_null(strstr(r.body, "href=\"/urne/" CAP "\" rel=\"first\">Première page</a>"));
    assert_true(has_link(r.body, "avant", text[1], "prev", "Page précédente"));
    assert_null(strstr(r.body, "rel=\"next\""));
    /* the page before the second: the first alone, then the way forward */
    snprintf(path, sizeof path, "/urne/" CAP "?avant=%s", text[1]);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, text[0]));
    assert_null(strstr(r.body, "rel=\"prev\""));
    assert_true(has_link(r.body, "apres", text[0], "next", "Page suivante"));
    assert_non_null(strstr(r.body, "Bulletins avant le numéro de suivi"));
    snprintf(path, sizeof path, "/urne/" CAP "?apres=%s&lang=en", text[1]);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "No published ballot after this tracking number."));
    assert_non_null(strstr(r.body, ">First page</a>"));
    tu_http(&r, "GET", "/urne/nope", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "pas de scrutin de ce nom"));
    tu_http(&r, "GET", "/urne/" CAP "?apres=ZZZ", NULL, 0, NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "<!DOCTYPE html>"));
    /* the lookup, by the hex form too: the scrutin's title, the grouped form */
    hex_encode(hex, t, 32);
    snprintf(path, sizeof path, "/urne?tracker=%s", hex);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<dd>Commission administrative paritaire des attachés</dd>"));
    assert_non_null(strstr(r.body, text[1]));
    /* the API stays JSON */
    tu_http(&r, "GET", "/api/v1/archive", NULL, 0, NULL);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "archive_later"));
}

static char *slurp(const char *name, size_t *len);

/* At debug level every request is logged, by its route's pattern: never a
 * tracker from the path (it would tie a ballot to a time and a client), nor
 * a link's token, nor a secret in a path no route matches. */
static void test_log_holds_no_secret(void **state)
{
    char text[BALLOT_TRACKER_CHARS + 1], hex[2 * BALLOT_TRACKER_BYTES + 1], path[300];
    static const char token[] = "Zq3VtT8mL2cR9wXyB4nK6pHs";
    size_t loglen;
    char *log;
    tu_reply r;

    (void)state;
    ballot_tracker_text(text, cast_trackers[0]);
    hex_encode(hex, cast_trackers[0], BALLOT_TRACKER_BYTES);
    snprintf(path, sizeof path, "/api/v1/trackers/%s", text);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    snprintf(path, sizeof path, "/api/v1/trackers/%s", hex);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    snprintf(path, sizeof path, "/api/v1/trackerz/%s", hex);           /* no route */
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    snprintf(path, sizeof path, "/activation?t=%s", token);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    snprintf(path, sizeof path, "/mot-de-passe/%s", token);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    log = slurp("votesrv.log", &loglen);
    assert_null(memmem(log, loglen, text, strlen(text)));
    assert_null(memmem(log, loglen, hex, strlen(hex)));
    assert_null(memmem(log, loglen, token, strlen(token)));
    /* yet the look-ups were logged, by route */
    {
        static const char logged[] = "\"route\":\"/api/v1/trackers/{}\"";

        assert_non_null(memmem(log, loglen, logged, strlen(logged)));
    }
    free(log);
}

/* An incident: while voting is suspended, no ballot goes in; then it does. */
static void test_suspended(void **state)
{
    client *c = logged_in(1);
    box_receipt receipt;
    client_result r;

    (void)state;
    assert_int_equal(said(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json suspend "
                                "--reason 'test incident' --notice 'Maintenance'", dir, bin)), 0);
    assert_int_equal(client_cast(c, &election, CSA, codes[0], 2, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 503);
    /* the same ballot sent again meanwhile: no receipt signed while the box
     * is stopped, the cast's answer (try again later), then its receipt */
    {
        client *w3 = logged_in(3);

        assert_int_equal(client_submit(w3, &election, &w3_csa, &receipt, &r), CLIENT_REFUSED);
        assert_int_equal(r.status, 503);
        assert_non_null(strstr(r.message, "suspen"));
        assert_int_equal(said(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json "
                                    "resume", dir, bin)), 0);
        assert_int_equal(client_submit(w3, &election, &w3_csa, &receipt, &r), CLIENT_OK);
        assert_true(receipt.already_recorded);
        client_free(w3);
    }
    assert_int_equal(client_cast(c, &election, CSA, codes[0], 2, &receipt, &r), CLIENT_OK);
    assert_int_equal(receipt.count, 4);
    remember(&receipt);
    client_free(c);
}

/* The daemon again, its clock moved by offset seconds (libfaketime, ahead of
 * the sanitizers' runtime in a sanitized build; 0: on time). */
static void restart_daemon(long offset)
{
    char path[800], shift[32], asan[512], was[480];
    int had = getenv("ASAN_OPTIONS") != NULL;

    stop_daemon();
    snprintf(path, sizeof path, "%s/votesrv.log", dir);
    snprintf(shift, sizeof shift, "+%ld", offset);
    snprintf(was, sizeof was, "%s", had ? getenv("ASAN_OPTIONS") : "");
    snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", was, had ? ":" : "");
    if (offset != 0) {
        setenv("FAKETIME", shift, 1);
        setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
        setenv("LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", 1);
        setenv("ASAN_OPTIONS", asan, 1);
    }
    daemon_pid = tu_daemon_start(bin, cfg, path);
    unsetenv("LD_PRELOAD");
    if (offset != 0 && had)
        setenv("ASAN_OPTIONS", was, 1);
    else if (offset != 0)
        unsetenv("ASAN_OPTIONS");
    assert_true(daemon_pid > 0);
    snprintf(url, sizeof url, "%s", tu_base_url);
}

/* A portal session of voter n as a Cookie header. */
static void session_cookie(int n, char cookie[160])
{
    char body[256];
    tu_reply r;

    snprintf(body, sizeof body, "{\"identifier\":\"w%d@ex.gouv.fr\",\"password\":\"" PASSWORD
             "\"}", n);
    tu_http(&r, "POST", "/api/v1/session", body, -1, "Content-Type: application/json");
    assert_int_equal(r.status, 200);
    snprintf(cookie, 160, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
}

/* Past the window's end, before `votectl close`: W2, who has not voted in
 * CAP, is told that voting is over (in French, in English on request) where
 * the vote page showed its form, the voting space offers no vote, and a cast
 * is refused as before. */
static void test_window_ended(void **state)
{
    static tu_reply r;
    char cookie[160];
    client *c;
    box_receipt receipt;
    client_result res;

    (void)state;
    session_cookie(2, cookie);
    tu_http(&r, "GET", "/vote/" CAP, NULL, 0, cookie);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<div id=\"vote\""));
    tu_http(&r, "GET", "/espace", NULL, 0, cookie);
    assert_non_null(strstr(r.body, "href=\"/vote/" CAP "\""));
    restart_daemon(86400 + 120);                /* the window closes a day after the setup */
    session_cookie(2, cookie);
    tu_http(&r, "GET", "/vote/" CAP, NULL, 0, cookie);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "<div id=\"vote\""));
    assert_null(strstr(r.body, "<form id=\"cast\""));
    assert_non_null(strstr(r.body, "Le vote est terminé."));
    tu_http(&r, "GET", "/vote/" CAP "?lang=en", NULL, 0, cookie);
    assert_null(strstr(r.body, "<div id=\"vote\""));
    assert_non_null(strstr(r.body, "Voting is over."));
    tu_http(&r, "GET", "/espace", NULL, 0, cookie);
    assert_null(strstr(r.body, "href=\"/vote/"));
    assert_non_null(strstr(r.body, "Le vote est terminé."));
    assert_non_null(strstr(r.body, "Vous avez voté."));           /* in CSA */
    c = logged_in(2);
    assert_int_equal(client_cast(c, &election, CAP, codes[1], 0, &receipt, &res), CLIENT_REFUSED);
    assert_int_equal(res.status, 409);
    client_free(c);
    /* W3's ballot sent again once the window has ended: refused as a cast
     * ("not open"), no receipt signed after the end (the board has it) */
    c = logged_in(3);
    assert_int_equal(client_submit(c, &election, &w3_csa, &receipt, &res), CLIENT_REFUSED);
    assert_int_equal(res.status, 409);
    assert_null(strstr(res.message, "déjà voté"));
    assert_null(strstr(res.message, "already voted"));
    client_free(c);
    restart_daemon(0);
}

static char *slurp(const char *name, size_t *len)
{
    char path[800];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int cmp_tracker(const void *a, const void *b) { return memcmp(a, b, BALLOT_TRACKER_BYTES); }

/* The box's tables: no rowid, and no column that could time or order a ballot. */
static void check_box_schema(void)
{
    char path[800];
    sqlite3 *db;
    sqlite3_stmt *st;
    int tables = 0;

    snprintf(path, sizeof path, "%s/ballots.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema WHERE type = "
                                        "'table'", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *sql = (const char *)sqlite3_column_text(st, 1);

        if (strcmp((const char *)sqlite3_column_text(st, 0), "schema_version") == 0)
            continue;
        tables++;
        if (strcmp((const char *)sqlite3_column_text(st, 0), "slot") == 0)
            assert_string_equal(sql, "CREATE TABLE slot(id INTEGER PRIMARY KEY, "
                                     "data BLOB NOT NULL)");      /* numbered by place */
        else
            assert_non_null(strstr(sql, "WITHOUT ROWID"));
        assert_null(strstr(sql, "time"));
        assert_null(strstr(sql, "voter"));
        assert_null(strstr(sql, "seq"));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(tables >= 4);
}

/* After the daemon stops: nothing stored, logged or mailed links the ballots
 * to voters (test_history: nothing in the box orders them by arrival). */
static void test_unlinkability(void **state)
{
    uint8_t sorted[16][BALLOT_TRACKER_BYTES];
    char hex[65], text[BALLOT_TRACKER_CHARS + 1], *box, *reg, *log;
    size_t boxlen, reglen, loglen, at[16];

    (void)state;
    assert_int_equal(ncast, 6);
    sleep(1);                                   /* let the last acknowledgements go */
    stop_daemon();
    /* PostgreSQL: test_store checks the box's columns and roles */
    tu_sqlite_only("the files' bytes: each ballot in its slot, no tracker in the registry");
    check_box_schema();
    box = slurp("ballots.db", &boxlen);
    reg = slurp("registry.db", &reglen);
    log = slurp("votesrv.log", &loglen);
    memcpy(sorted, cast_trackers, sizeof sorted);
    qsort(sorted, (size_t)ncast, BALLOT_TRACKER_BYTES, cmp_tracker);
    for (int i = 0; i < ncast; i++) {
        const char *p = memmem(box, boxlen, sorted[i], BALLOT_TRACKER_BYTES);

        assert_non_null(p);
        at[i] = (size_t)(p - box);
        /* neither the registry (audit log, outbox, sessions) nor the log holds it */
        hex_encode(hex, sorted[i], BALLOT_TRACKER_BYTES);
        ballot_tracker_text(text, sorted[i]);
        assert_null(memmem(reg, reglen, sorted[i], BALLOT_TRACKER_BYTES));
        assert_null(memmem(reg, reglen, hex, 64));
        assert_null(memmem(reg, reglen, text, strlen(text)));
        assert_null(memmem(log, loglen, hex, 64));
        assert_null(memmem(log, loglen, text, strlen(text)));
    }
    /* each ballot once, in its own slot (where a keyed hash of its tracker
     * puts it, whatever the order of arrival: test_history) */
    for (int i = 1; i < ncast; i++)
        for (int k = 0; k < i; k++)
            assert_true(at[i] != at[k]);
    free(box);
    free(reg);
    free(log);
}

/* The officers' turnout: who voted where, per establishment; never how. */
static void test_turnout(void **state)
{
    (void)state;
    assert_int_equal(said(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json turnout",
                                dir, bin)), 0);
    assert_string_equal(out, "scrutin,establishment,signed,registered\n"
                             "\"cap-attaches\",\"E\",1,2\n\"cap-attaches\",\"F\",1,1\n"
                             "\"csa-ministere\",\"E\",3,3\n\"csa-ministere\",\"F\",1,1\n");
    assert_int_equal(said(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json turnout "
                                "--json", dir, bin)), 0);
    assert_non_null(strstr(out, "\"signed\": 4"));
    assert_non_null(strstr(out, "\"registered\": 4"));
}

/* The public archive: every ballot's tracker is the hash of its canonical
 * form, the boards are sorted, ballots = signatures, and each box digest is
 * recomputed from the trackers alone. */
static void test_archive(void **state)
{
    char path[800];
    json_t *a, *sc, *entry;
    size_t i, k, total = 0;

    (void)state;
    /* while voting is open the box still changes: refused, nothing written */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json archive "
                           "archive.json 2>&1", dir, bin), 1);
    assert_non_null(strstr(out, "votectl archive: refused: voting is open until "));
    snprintf(path, sizeof path, "%s/archive.json", dir);
    assert_int_equal(access(path, F_OK), -1);
    /* past the window's end (the clock moved, before votectl close) */
#define PAST_END "FAKETIME=+86520 FAKETIME_DONT_FAKE_MONOTONIC=1 " \
                 "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 " \
                 "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0\" "
    assert_int_equal(said(tu_sh(out, sizeof out, "cd %s && " PAST_END "%s/votectl -c "
                                "votesrv.json archive archive.json", dir, bin)), 0);
    assert_int_not_equal(tu_sh(out, sizeof out, "cd %s && " PAST_END "%s/votectl -c "
                               "votesrv.json archive archive.json", dir, bin), 0);  /* never overwrites */
    snprintf(path, sizeof path, "%s/archive.json", dir);
    a = tu_archive_load(path);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "format")), "votesrv-archive/2");
    assert_int_equal(json_array_size(json_object_get(a, "scrutins")), 2);
    assert_true(json_array_size(json_object_get(a, "credentials")) > 0);
    assert_true(json_array_size(json_object_get(a, "checkpoints")) >= 2);
    json_array_foreach(json_object_get(a, "scrutins"), i, sc) {
        uint8_t digest[32] = { 0 }, want[32], t[32], prev[32] = { 0 };
        json_t *board = json_object_get(sc, "board");

        assert_int_equal(json_integer_value(json_object_get(sc, "signatures")),
                         json_array_size(board));
        assert_int_equal(json_integer_value(json_object_get(sc, "ballots")),
                         json_array_size(board));
        json_array_foreach(board, k, entry) {
            char *text = json_dumps(json_object_get(entry, "ballot"),
                                    JSON_COMPACT | JSON_SORT_KEYS);

            ballot_tracker(t, text);
            free(text);
            {   /* its credential is in its scrutin's published list, active */
                json_t *cred = json_object_get(json_object_get(entry, "ballot"), "credential");
                size_t c;
                json_t *pub;
                int found = 0;

                json_array_foreach(json_object_get(a, "credentials"), c, pub)
                    found |= json_equal(json_object_get(pub, "credential"), cred) &&
                             json_equal(json_object_get(pub, "scrutin"),
                                        json_object_get(sc, "id")) &&
                             json_is_false(json_object_get(pub, "revoked"));
                assert_true(found);
            }
            tu_unhex(want, 32, json_string_value(json_object_get(entry, "tracker")));
            assert_memory_equal(t, want, 32);
            assert_true(k == 0 || memcmp(prev, t, 32) < 0);
            memcpy(prev, t, 32);
            assert_int_equal(box_digest_add(digest, t), 0);
            total++;
        }
        tu_unhex(want, 32, json_string_value(json_object_get(sc, "box_digest")));
        assert_memory_equal(digest, want, 32);
    }
    assert_int_equal(total, (size_t)ncast);
    /* nothing personal */
    assert_null(strstr(out, "@ex.gouv.fr"));
    {
        char *text = json_dumps(a, 0);

        assert_null(strstr(text, "ex.gouv.fr"));
        assert_null(strstr(text, "Martin"));
        free(text);
    }
    json_decref(a);
}

/* ---- i24: the same ballot sent again gets its receipt, "déjà enregistré" ---- */

/* The box of a scrutin as anyone sees it: the tracker lookup's count and
 * digest (a tracker of that scrutin). */
static void box_state(const uint8_t tracker[BALLOT_TRACKER_BYTES], uint64_t *count,
                      uint8_t digest[32])
{
    char path[120], hex[65];
    tu_reply r;
    json_t *j;

    hex_encode(hex, tracker, BALLOT_TRACKER_BYTES);
    snprintf(path, sizeof path, "/api/v1/trackers/%s", hex);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    *count = (uint64_t)json_integer_value(json_object_get(json_object_get(j, "box"), "count"));
    assert_int_equal(hex_decode(digest, 32, json_string_value(json_object_get(
                                                json_object_get(j, "box"), "digest"))), 0);
    json_decref(j);
}

/* The audit log's entries (SQLite: the registry, read-only; -1 on PostgreSQL,
 * whose own tests see the same statements). */
static long audit_entries(void)
{
    char path[800];
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = -1;

    if (tu_pg())
        return -1;
    snprintf(path, sizeof path, "%s/registry.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit", -1, &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A cast committed whose answer was lost (a failover, a dropped connection),
 * sent again byte for byte by its voter: a fresh receipt (200) over the box's
 * state now, marked already_recorded, which the signature covers; one ballot
 * in the box, its state and the audit log unchanged. Before this, the answer
 * was 409 "already voted". Twice more: the same answer. */
static void test_sent_again(void **state)
{
    client *c = logged_in(3);
    box_receipt again, forged;
    client_result r;
    uint64_t count, count2;
    uint8_t digest[32], digest2[32];
    long entries;
    json_t *j;

    (void)state;
    box_state(w3_receipt.tracker, &count, digest);
    assert_true(count >= w3_receipt.count);
    entries = audit_entries();
    for (int i = 0; i < 2; i++) {
        assert_int_equal(client_submit(c, &election, &w3_csa, &again, &r), CLIENT_OK);
        assert_int_equal(r.status, 200);
        assert_true(again.already_recorded);
        /* the same ballot, the box now: its count and digest, which include it */
        assert_memory_equal(again.tracker, w3_receipt.tracker, BALLOT_TRACKER_BYTES);
        assert_string_equal(again.scrutin, CSA);
        assert_int_equal(again.count, count);
        assert_memory_equal(again.digest, digest, 32);
        assert_int_equal(box_receipt_verify(&again, election.receipt_key), 0);
        /* the mark is signed: without it (a fresh cast's message) it verifies not */
        forged = again;
        forged.already_recorded = 0;
        assert_int_equal(box_receipt_verify(&forged, election.receipt_key), -1);
        /* nor does a fresh cast's receipt pass for one already recorded */
        forged = w3_receipt;
        forged.already_recorded = 1;
        assert_int_equal(box_receipt_verify(&forged, election.receipt_key), -1);
        /* nothing counted twice, nothing written */
        box_state(w3_receipt.tracker, &count2, digest2);
        assert_int_equal(count2, count);
        assert_memory_equal(digest2, digest, 32);
        assert_int_equal(audit_entries(), entries);
    }
    j = box_receipt_json(&again);
    assert_true(json_is_true(json_object_get(j, "already_recorded")));
    json_decref(j);
    j = box_receipt_json(&w3_receipt);                  /* a fresh cast's: unchanged */
    assert_null(json_object_get(j, "already_recorded"));
    json_decref(j);
    /* voteclient's JSON answer of a cast says so too (client_submit above
     * refuses a 200 whose receipt is not marked, and the other way round) */
    client_free(c);
}

/* Another ballot of the same voter is refused as before (409), and changes
 * nothing; the same ballot from another voter's session, with her own
 * authenticator or with the ballot's, or without a session, is refused:
 * a ballot copied off the board (its tracker is public, a lookup finds it)
 * gets no receipt, and the refusal is a wrong code like any other cast with
 * a credential not hers. */
static void test_sent_again_by_others(void **state)
{
    client *c = logged_in(3);
    client_prepared other, mine;
    box_receipt receipt;
    client_result r;
    uint64_t count, count2;
    uint8_t digest[32], digest2[32];
    long entries;

    (void)state;
    box_state(w3_receipt.tracker, &count, digest);
    /* W3's other ballot (another choice, the same credential) */
    assert_int_equal(client_prepare(&other, &election, CSA, codes[2], 0, &r), CLIENT_OK);
    assert_int_equal(client_submit(c, &election, &other, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 409);
    /* W3's ballot with its wrong authenticator (a session without the code):
     * no receipt; counted as a wrong code */
    {
        client_prepared bad = w3_csa;
        char zeros[65];

        memset(zeros, '0', 64);
        zeros[64] = '\0';
        bad.body = json_deep_copy(w3_csa.body);
        json_object_set_new(bad.body, "authenticator", json_string(zeros));
        assert_int_equal(client_submit(c, &election, &bad, &receipt, &r), CLIENT_REFUSED);
        assert_int_equal(r.status, 403);
        client_prepared_free(&bad);
    }
    client_free(c);
    entries = audit_entries();
    /* W2, who voted in CSA, sends W3's ballot: with W3's authenticator, then
     * with her own */
    c = logged_in(2);
    assert_int_equal(client_submit(c, &election, &w3_csa, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 403);
    assert_int_equal(client_prepare(&mine, &election, CSA, codes[1], 0, &r), CLIENT_OK);
    json_object_set_new(mine.body, "ballot",
                        json_deep_copy(json_object_get(w3_csa.body, "ballot")));
    memcpy(mine.tracker, w3_csa.tracker, sizeof mine.tracker);
    assert_int_equal(client_submit(c, &election, &mine, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 403);
    client_prepared_free(&mine);
    client_free(c);
    /* W1, who has not voted in CSA, sends it: refused as any stolen ballot */
    c = logged_in(1);
    assert_int_equal(client_submit(c, &election, &w3_csa, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 403);
    client_free(c);
    /* no session at all */
    c = client_new(url);
    assert_int_equal(client_submit(c, &election, &w3_csa, &receipt, &r), CLIENT_REFUSED);
    assert_int_equal(r.status, 401);
    client_free(c);
    /* the box is as it was; the log has the wrong codes (code-refused), no cast */
    box_state(w3_receipt.tracker, &count2, digest2);
    assert_int_equal(count2, count);
    assert_memory_equal(digest2, digest, 32);
    if (entries >= 0)
        assert_true(audit_entries() >= entries);
    client_prepared_free(&other);
}

/* The portal: the vote form posted again with the same ballot (the answer
 * lost, "send" clicked again) goes to the receipt, which says in French or
 * English that the ballot was already recorded; its JSON carries the mark;
 * the same address without the mark is no receipt (the signature covers it). */
static void test_sent_again_portal(void **state)
{
    static tu_reply r;
    char cookie[160], csrf[128], token[80], ballot[4096], location[600], path[700];
    const char *t;
    char *ballot_json;
    FILE *f;

    (void)state;
    session_cookie(3, cookie);
    tu_http(&r, "GET", "/connexion", NULL, 0, NULL);
    t = strstr(r.body, "name=\"csrf\" value=\"");
    assert_non_null(t);
    snprintf(token, sizeof token, "%.64s", t + 19);
    snprintf(csrf, sizeof csrf, "%.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    ballot_json = json_dumps(json_object_get(w3_csa.body, "ballot"), JSON_COMPACT);
    assert_non_null(ballot_json);
    snprintf(ballot, sizeof ballot, "%s/ballot.json", dir);
    f = fopen(ballot, "w");
    assert_non_null(f);
    fputs(ballot_json, f);
    fclose(f);
    free(ballot_json);
    assert_int_equal(tu_sh(location, sizeof location,
                           "curl -s -o /dev/null -w '%%{http_code} %%{redirect_url}' "
                           "-H '%s; %s' --data-urlencode 'csrf=%s' "
                           "--data-urlencode 'ballot@%s' --data-urlencode 'authenticator=%s' "
                           "%s/vote/" CSA, cookie, csrf, token, ballot,
                           json_string_value(json_object_get(w3_csa.body, "authenticator")),
                           url), 0);
    assert_int_equal(strncmp(location, "303 ", 4), 0);
    t = strstr(location, "/recu?");
    assert_non_null(t);
    assert_non_null(strstr(t, "&a=1"));
    snprintf(path, sizeof path, "%s", t);
    tu_http(&r, "GET", path, NULL, 0, cookie);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Votre bulletin était déjà enregistré"));
    assert_non_null(strstr(r.body, w3_receipt.tracker_text));
    snprintf(path + strlen(path), sizeof path - strlen(path), "&lang=en");
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Your ballot was already recorded"));
    snprintf(path, sizeof path, "/recu.json?%s", strchr(t, '?') + 1);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    {
        json_t *j = json_loads(r.body, 0, NULL);

        assert_true(json_is_true(json_object_get(j, "already_recorded")));
        json_decref(j);
    }
    snprintf(path, sizeof path, "/recu.pdf?%s", strchr(t, '?') + 1);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "%PDF-", 5);
    /* without the mark: the signature is not a fresh cast's, no receipt */
    snprintf(path, sizeof path, "%.*s", (int)(strstr(t, "&a=1") - t), t);
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    /* and a fresh cast's receipt with the mark added is none either */
    receipt_path(path, sizeof path, "recu", &w3_receipt);
    strcat(path, "&a=1");
    tu_http(&r, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
}

/* A session without the vote code (a colleague at her desk, a support agent)
 * sends ballots of the board again, hers and another's: the same answer for
 * each (403, wrong code), so no ballot of the board is linked to the
 * session's voter, and nothing is signed. After each, her own right code
 * (the receipt again) clears the failure, so each probe starts alike. */
static void test_sent_again_probe(void **state)
{
    client *c = logged_in(3);
    client_result r, seen[2];
    box_receipt receipt;
    tu_reply reply;
    json_t *j = NULL, *b, *probe[2] = { NULL, NULL };
    size_t i;
    char zeros[65];

    (void)state;
    memset(zeros, '0', 64);
    zeros[64] = '\0';
    for (int tries = 0; tries < 300 && (probe[0] == NULL || probe[1] == NULL); tries++) {
        json_decref(j);                 /* W3's batch and another's, at most 60 s */
        tu_http(&reply, "GET", "/api/v1/scrutins/" CSA "/ballots", NULL, 0, NULL);
        assert_int_equal(reply.status, 200);
        j = json_loads(reply.body, 0, NULL);
        probe[0] = probe[1] = NULL;
        json_array_foreach(json_object_get(j, "ballots"), i, b) {
            uint8_t t[BALLOT_TRACKER_BYTES];

            assert_int_equal(hex_decode(t, sizeof t, json_string_value(
                                            json_object_get(b, "tracker"))), 0);
            probe[memcmp(t, w3_receipt.tracker, sizeof t) == 0 ? 0 : 1] = b;
        }
        if (probe[0] == NULL || probe[1] == NULL)
            usleep(200000);
    }
    assert_non_null(probe[0]);          /* hers */
    assert_non_null(probe[1]);          /* another voter's */
    for (int k = 0; k < 2; k++) {
        client_prepared p = w3_csa;

        p.body = json_pack("{s:O,s:s}", "ballot", json_object_get(probe[k], "ballot"),
                           "authenticator", zeros);
        assert_int_equal(client_submit(c, &election, &p, &receipt, &seen[k]), CLIENT_REFUSED);
        json_decref(p.body);
        assert_int_equal(client_submit(c, &election, &w3_csa, &receipt, &r), CLIENT_OK);
        assert_true(receipt.already_recorded);
    }
    assert_int_equal(seen[0].status, 403);
    assert_int_equal(seen[1].status, seen[0].status);
    assert_string_equal(seen[1].message, seen[0].message);
    json_decref(j);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_ballot_fields),
        cmocka_unit_test(test_voteclient_cli),
        cmocka_unit_test(test_voteclient_open_loop),
        cmocka_unit_test(test_acknowledgement_mail),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_concurrent_casts),
        cmocka_unit_test(test_sent_again),
        cmocka_unit_test(test_sent_again_by_others),
        cmocka_unit_test(test_sent_again_portal),
        cmocka_unit_test(test_board),
        cmocka_unit_test(test_sent_again_probe),
        cmocka_unit_test(test_receipt_page),
        cmocka_unit_test(test_board_pages),
        cmocka_unit_test(test_log_holds_no_secret),
        cmocka_unit_test(test_suspended),
        cmocka_unit_test(test_window_ended),
        cmocka_unit_test(test_unlinkability),
        cmocka_unit_test(test_turnout),
        cmocka_unit_test(test_archive),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
