/* test_voter_access.c - integration: a small election opened by votectl sends
 * activation links through the daemon's mail sender to a real SMTP server
 * (STARTTLS); the test reads them out of the delivered messages and drives the
 * voter API over HTTP: activation, login, account, password reassort with the
 * ALTCHA proof of work, logout, bad input of every kind, the mailbox alone
 * trying to take an activated account's défi and vote code, and the code
 * reassort through the real credential authority's service, votecad, beside
 * the daemon with its own SMTP sink (the server never makes a code: it sends a
 * signed request and applies the authority's record; votecad mails the code to
 * the addresses of its own roster, even when the server's copy changed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <curl/curl.h>
#include <signal.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"
#include "access/altcha.h"
#include "client/client.h"
#include "notices/code.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "W1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n" \
            "W2,Petit,Léa,lea.petit@ex.gouv.fr,E,,attache\n"
#define PASSWORD "sous les pavés la plage"
#define JSON "Content-Type: application/json"

static char *dir, bin[PATH_MAX], cfg[700], cookie[300];
static int daemon_pid;
static tu_smtp smtp;
static tu_votecad cad;

/* votecad, which knows the daemon's public key from its own configuration,
 * with the roster `votectl credentials --demo` wrote; its address in the
 * daemon's configuration. */
static int start_authority(void)
{
    char path[800];

    snprintf(path, sizeof path, "%s/votecred-state.json", dir);
    return tu_votecad_for(&cad, bin, dir, cfg, path);
}

static int setup(void **state)
{
    (void)state;
    if (tu_start_with_smtp(bin, &dir, &smtp) != 0)
        return -1;
    if (tu_election_by_cli(dir, bin, &smtp, CSV, NULL, cfg, sizeof cfg) != 0 ||
        start_authority() != 0)
        return -1;
    daemon_pid = tu_daemon_up(bin, dir, cfg);
    return daemon_pid > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_votecad_stop(&cad);
    tu_daemon_teardown(daemon_pid, &smtp, dir);
    return 0;
}

/* The link token in the n-th delivered message, for the given recipient. */
static void token_from_mail(int n, const char *to, const char *path, char *token)
{
    char *msg = tu_smtp_message(&smtp, n), *text, *t, want[128];

    assert_non_null(msg);
    snprintf(want, sizeof want, "To: <%s>", to);
    assert_non_null(strstr(msg, want));
    text = tu_mail_text(msg);
    assert_non_null(text);
    t = strstr(text, path);
    assert_non_null(t);
    snprintf(token, 44, "%s", t + strlen(path));
    free(text);
    free(msg);
}

static void post(tu_reply *r, const char *path, const char *json)
{
    tu_http2(r, "POST", path, json, (long)strlen(json), JSON, cookie[0] ? cookie : NULL);
}

/* A code reissue request with this body, sent again (at most 30 times) while
 * it is refused with 429, after the delay the answer names. */
static void reissue_when_allowed(tu_reply *r, const char *json)
{
    for (int i = 0; i < 30; i++) {
        post(r, "/api/v1/account/code-reissue", json);
        if (r->status != 429)
            break;
        sleep((unsigned)atoi(r->retry_after) > 0 ? (unsigned)atoi(r->retry_after) : 1);
    }
}

/* An activation with this password is refused with this code, and its
 * message in French and in English holds fr and en. */
static void refused_because(const char *token, const char *password, const char *code,
                            const char *fr, const char *en)
{
    char body[512];
    tu_reply r;

    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\","
             "\"defi_question\":0,\"defi_answer\":\"Rex\"}", token, password);
    post(&r, "/api/v1/activation", body);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, code));
    assert_non_null(strstr(r.body, fr));
    post(&r, "/api/v1/activation?lang=en", body);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, en));
}

static void test_activation_from_mail(void **state)
{
    char token[64], body[512];
    tu_reply r;

    (void)state;
    /* votectl open queued one activation message per voter; the daemon sent them */
    token_from_mail(1, "camille.martin@ex.gouv.fr", "/activation?t=", token);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"password12345\","
             "\"defi_question\":0,\"defi_answer\":\"Rex\"}", token);
    post(&r, "/api/v1/activation", body);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "password_too_common"));
    /* each refusal says why, in French and in English */
    refused_because(token, "qwertyqwerty", "password_pattern", "parcours du clavier",
                    "a walk on the keyboard");
    refused_because(token, "C@mille.M4rtin!!", "password_contains_identifier",
                    "vos informations", "built on your details");
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"" PASSWORD "\","
             "\"defi_question\":0,\"defi_answer\":\"Rex\"}", token);
    post(&r, "/api/v1/activation", body);
    assert_int_equal(r.status, 200);
    post(&r, "/api/v1/activation", body);                 /* a link serves once */
    assert_int_equal(r.status, 410);
    assert_non_null(strstr(r.body, "Ce lien n'est plus valable"));
}

static void test_login_and_account(void **state)
{
    tu_reply r, unknown;

    (void)state;
    post(&r, "/api/v1/session", "{\"identifier\":\"camille.martin@ex.gouv.fr\","
                                "\"password\":\"not the password\"}");
    post(&unknown, "/api/v1/session", "{\"identifier\":\"ghost@ex.gouv.fr\","
                                      "\"password\":\"not the password\"}");
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, unknown.body);            /* never says which was wrong */
    post(&r, "/api/v1/session", "{\"identifier\":\"Camille.Martin@ex.gouv.fr\","
                                "\"password\":\"" PASSWORD "\"}");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "votesrv_session="));
    assert_non_null(strstr(r.set_cookie, "HttpOnly"));
    assert_non_null(strstr(r.set_cookie, "Secure"));
    assert_non_null(strstr(r.set_cookie, "SameSite=Strict"));
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    tu_http2(&r, "GET", "/api/v1/account", NULL, 0, cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"number\":\"W1\""));
    assert_non_null(strstr(r.body, "\"voted\":false"));
    tu_http(&r, "GET", "/api/v1/account", NULL, 0, NULL);
    assert_int_equal(r.status, 401);
    tu_http(&r, "GET", "/api/v1/account", NULL, 0, "Cookie: votesrv_session=forged");
    assert_int_equal(r.status, 401);
}

static char *solved_challenge(void)
{
    tu_reply r;
    json_t *c;
    char *payload;

    tu_http(&r, "GET", "/api/v1/access/challenge", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    c = json_loads(r.body, 0, NULL);
    payload = altcha_solve(c);
    json_decref(c);
    assert_non_null(payload);
    return payload;
}

static void test_password_reassort(void **state)
{
    char body[2048], token[64], *altcha = solved_challenge();
    tu_reply r;
    int n = 3;           /* messages 1 and 2 were the activation links */

    (void)state;
    snprintf(body, sizeof body, "{\"identifier\":\"camille.martin@ex.gouv.fr\","
                                "\"altcha\":\"%s\"}", altcha);
    post(&r, "/api/v1/password/reassort", body);
    assert_int_equal(r.status, 202);
    assert_non_null(strstr(r.body, "Si cette adresse est celle d'un électeur"));
    post(&r, "/api/v1/password/reassort", body);          /* the same proof of work again */
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "challenge_failed"));
    free(altcha);
    /* an unknown address gets the very same answer */
    altcha = solved_challenge();
    snprintf(body, sizeof body, "{\"identifier\":\"ghost@ex.gouv.fr\",\"altcha\":\"%s\"}",
             altcha);
    post(&r, "/api/v1/password/reassort", body);
    assert_int_equal(r.status, 202);
    free(altcha);
    post(&r, "/api/v1/password/reassort", "{\"identifier\":\"camille.martin@ex.gouv.fr\"}");
    assert_int_equal(r.status, 400);                      /* no proof of work */
    token_from_mail(n, "camille.martin@ex.gouv.fr", "/mot-de-passe?t=", token);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"la plage sous les pavés\"}",
             token);
    post(&r, "/api/v1/password/reset", body);
    assert_int_equal(r.status, 200);
    /* the new password ended the session */
    tu_http2(&r, "GET", "/api/v1/account", NULL, 0, cookie, NULL);
    assert_int_equal(r.status, 401);
    cookie[0] = '\0';
    post(&r, "/api/v1/session", "{\"identifier\":\"camille.martin@ex.gouv.fr\","
                                "\"password\":\"la plage sous les pavés\"}");
    assert_int_equal(r.status, 200);
}

static void test_bad_input(void **state)
{
    tu_reply r;
    char big[600];

    (void)state;
    tu_http(&r, "POST", "/api/v1/session", "{}", 2, "Content-Type: text/plain");
    assert_int_equal(r.status, 415);
    tu_http(&r, "POST", "/api/v1/session", "{\"identifier\":\"a\xff\"}", 18, JSON);
    assert_int_equal(r.status, 400);                       /* invalid UTF-8 */
    assert_non_null(strstr(r.body, "invalid_json"));
    tu_http(&r, "POST", "/api/v1/session", "[1,2]", 5, JSON);
    assert_int_equal(r.status, 400);
    memset(big, 'a', sizeof big);
    memcpy(big, "{\"identifier\":\"", 15);
    memcpy(big + sizeof big - 40, "@ex.fr\",\"password\":\"xxxxxxxxxxxxxx\"}", 37);
    tu_http(&r, "POST", "/api/v1/session", big, (long)strlen(big), JSON);
    assert_int_equal(r.status, 400);                       /* oversized identifier */
    assert_non_null(strstr(r.body, "\"field\":\"identifier\""));
    post(&r, "/api/v1/session", "{\"identifier\":\"x@ex.fr\",\"password\":\"p\",\"admin\":true}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"field\":\"admin\""));
    post(&r, "/api/v1/activation", "{\"token\":\"truncated\",\"password\":\"" PASSWORD "\","
                                   "\"defi_question\":0,\"defi_answer\":\"x\"}");
    assert_int_equal(r.status, 410);
    post(&r, "/api/v1/activation", "{\"token\":\"t\",\"password\":\"" PASSWORD "\","
                                   "\"defi_question\":99,\"defi_answer\":\"x\"}");
    assert_int_equal(r.status, 400);
    tu_http(&r, "GET", "/api/v1/defi-questions?lang=en", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "first pet"));
}

/* W1's code from codes.csv (the notice's). */
static void first_code(char code[64])
{
    char out[256];

    assert_int_equal(tu_sh(out, sizeof out, "grep ^W1, %s/codes.csv | cut -d, -f2", dir), 0);
    snprintf(code, 64, "%.*s", (int)strcspn(out, "\r\n"), out);
}

static int cast_as(const char *who, const char *password, const char *code, client_result *r)
{
    client *c = client_new(tu_base_url);
    client_election e;
    box_receipt receipt;
    int rc;

    assert_non_null(c);
    assert_int_equal(client_login(c, who, password, r), CLIENT_OK);
    assert_int_equal(client_election_fetch(c, &e, r), CLIENT_OK);
    rc = client_cast(c, &e, "csa-ministere", code, 0, &receipt, r);
    client_election_free(&e);
    client_free(c);
    return rc;
}

static int cast_csa(const char *code, client_result *r)
{
    return cast_as("camille.martin@ex.gouv.fr", "la plage sous les pavés", code, r);
}

/* The code reassort: the défi answer, then a request signed by the daemon to
 * votecad, which makes the new code, mails it itself and answers a signed
 * record; the server applies it: the old code is refused at once, the new one
 * casts. While votecad is down the request waits and goes again unchanged
 * (one record for it). The server mails no code. */
static void test_code_reissue(void **state)
{
    const char *camille = "camille.martin@ex.gouv.fr";
    tu_reply r;
    client_result cr;
    char old[64], fresh[CODE_SYMBOLS + 1], latest[CODE_SYMBOLS + 1], out[4096];
    int last;

    (void)state;
    first_code(old);
    post(&r, "/api/v1/session", "{\"identifier\":\"camille.martin@ex.gouv.fr\","
                                "\"password\":\"la plage sous les pavés\"}");
    assert_int_equal(r.status, 200);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    post(&r, "/api/v1/account/code-reissue", "{\"defi_answer\":\"Médor\"}");
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "defi_wrong"));
    assert_int_equal(tu_votecad_status(&cad, "reissues"), 0);
    /* votecad is down: the request waits, the old code still works */
    assert_int_equal(tu_votecad_halt(&cad), 0);
    post(&r, "/api/v1/account/code-reissue", "{\"defi_answer\":\"  REX \"}");
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "reissue_pending"));
    /* back up: the same request again, one record for it, applied */
    assert_int_equal(tu_votecad_serve(&cad), 0);
    post(&r, "/api/v1/account/code-reissue", "{\"defi_answer\":\"rex\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(tu_votecad_status(&cad, "reissues"), 1);
    assert_int_equal(tu_votecad_code(&cad, camille, fresh), 0);
    post(&r, "/api/v1/account/code-reissue", "{\"defi_answer\":\"rex\"}");
    assert_int_equal(r.status, 200);                   /* a second one: a new request */
    assert_int_equal(tu_votecad_status(&cad, "reissues"), 2);
    post(&r, "/api/v1/account/code-reissue", "{\"defi_answer\":\"rex\"}");
    assert_int_equal(r.status, 429);                    /* three a day */
    assert_non_null(strstr(r.body, "reissue_limit"));
    assert_int_equal(tu_votecad_status(&cad, "reissues"), 2);
    assert_int_equal(tu_votecad_code(&cad, camille, latest), 0);
    assert_string_not_equal(fresh, latest);
    assert_int_equal(tu_smtp_mails_to(&cad.smtp, camille, &last), 2);   /* one per reissue */
    cookie[0] = '\0';
    /* the first new code and the notice's are dead, the latest casts */
    assert_int_equal(cast_csa(old, &cr), CLIENT_REFUSED);
    assert_int_equal(cr.status, 403);
    assert_int_equal(cast_csa(fresh, &cr), CLIENT_REFUSED);
    assert_int_equal(cast_csa(latest, &cr), CLIENT_OK);
    /* no vote code went through the server's mail */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && grep -l 'nouveau code' mail/*.eml | wc -l; "
                           "%s/votectl -c votesrv.json status --json", dir, bin), 0);
    assert_int_equal(atoi(out), 0);
    assert_non_null(strstr(out, "\"reissues\":2"));
}

/* Messages delivered so far. */
static int mail_count(void)
{
    DIR *d = opendir(smtp.maildir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".eml") != NULL;
    closedir(d);
    return n;
}

/* The text of the first message to `to` from the from-th on (waiting for it). */
static char *mail_to(int from, const char *to)
{
    char want[128];

    snprintf(want, sizeof want, "To: <%s>", to);
    for (int n = from; n < from + 20; n++) {
        char *msg = tu_smtp_message(&smtp, n), *text;

        if (msg == NULL)
            break;
        text = strstr(msg, want) != NULL ? tu_mail_text(msg) : NULL;
        free(msg);
        if (text != NULL)
            return text;
    }
    fail_msg("no message to %s", to);
    return NULL;
}

/* Whether any message delivered so far mails a new vote code to `to`. */
static int code_mailed_to(const char *to)
{
    char want[128];
    int found = 0;

    snprintf(want, sizeof want, "To: <%s>", to);
    for (int n = 1, last = mail_count(); n <= last && !found; n++) {
        char *msg = tu_smtp_message(&smtp, n), *text;

        assert_non_null(msg);
        text = strstr(msg, want) != NULL ? tu_mail_text(msg) : NULL;
        found = text != NULL && strstr(text, "Votre nouveau code de vote") != NULL;
        free(text);
        free(msg);
    }
    return found;
}

/* Someone who reads Léa's mailbox, and only that, after she activated: every
 * link they can have mailed is a password link; with the password it sets
 * they cannot change the défi nor get a new vote code; the défi stays hers. */
static void test_mailbox_only_attack(void **state)
{
    const char *lea = "lea.petit@ex.gouv.fr";
    char token[64], body[2048], *text, *t, *altcha;
    char code_now[CODE_SYMBOLS + 1];
    tu_reply r;
    int n0, mailed;
    long long requests = tu_votecad_status(&cad, "reissues");

    (void)state;
    assert_int_equal(tu_smtp_mails_to(&cad.smtp, lea, &mailed), 0);
    /* Léa activates from the opening's mail (message 2) */
    cookie[0] = '\0';
    token_from_mail(2, lea, "/activation?t=", token);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"le vent se lève à l'aube\","
             "\"defi_question\":0,\"defi_answer\":\"Minou\"}", token);
    post(&r, "/api/v1/activation", body);
    assert_int_equal(r.status, 200);
    /* the attacker: "link not received" for her address */
    n0 = mail_count();
    altcha = solved_challenge();
    snprintf(body, sizeof body, "{\"identifier\":\"%s\",\"altcha\":\"%s\"}", lea, altcha);
    free(altcha);
    post(&r, "/api/v1/access/link", body);
    assert_int_equal(r.status, 202);
    text = mail_to(n0 + 1, lea);
    assert_null(strstr(text, "/activation?t="));        /* not an activation link */
    t = strstr(text, "/mot-de-passe?t=");
    assert_non_null(t);
    snprintf(token, 44, "%s", t + strlen("/mot-de-passe?t="));
    free(text);
    /* it cannot serve as an activation link (which would set a défi) */
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"le pirate lit le courrier\","
             "\"defi_question\":3,\"defi_answer\":\"Paris\"}", token);
    post(&r, "/api/v1/activation", body);
    assert_int_equal(r.status, 410);
    /* it sets a password: the mailbox's power, by design */
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"le pirate lit le courrier\"}",
             token);
    post(&r, "/api/v1/password/reset", body);
    assert_int_equal(r.status, 200);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    /* a new défi needs the current answer */
    post(&r, "/api/v1/account/defi", "{\"password\":\"le pirate lit le courrier\","
                                     "\"defi_question\":3,\"defi_answer\":\"Paris\"}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "defi_answer_invalid"));
    post(&r, "/api/v1/account/defi", "{\"password\":\"le pirate lit le courrier\","
                                     "\"current_defi_answer\":\"Rex\",\"defi_question\":3,"
                                     "\"defi_answer\":\"Paris\"}");
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "defi_wrong"));
    /* and so does a new vote code: guesses are refused, then throttled */
    for (int i = 0; i < 2; i++) {
        post(&r, "/api/v1/account/code-reissue", i ? "{\"defi_answer\":\"Félix\"}"
                                                   : "{\"defi_answer\":\"Médor\"}");
        assert_int_equal(r.status, 403);
    }
    post(&r, "/api/v1/account/code-reissue", "{\"defi_answer\":\"Tom\"}");
    assert_true(r.status == 403 || r.status == 429);
    tu_http2(&r, "GET", "/api/v1/account", NULL, 0, cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"defi_question\":0"));
    assert_false(code_mailed_to(lea));
    assert_int_equal(tu_votecad_status(&cad, "reissues"), requests);  /* nor the authority */
    /* the défi is still Léa's own: her answer gets the code (once the delays pass) */
    reissue_when_allowed(&r, "{\"defi_answer\":\"minou\"}");
    assert_int_equal(r.status, 200);
    /* the authority made her a new code, and mailed it itself */
    assert_int_equal(tu_votecad_status(&cad, "reissues"), requests + 1);
    assert_int_equal(tu_votecad_code(&cad, lea, code_now), 0);
    assert_false(code_mailed_to(lea));
    cookie[0] = '\0';
}

/* The server's copy of a voter's address changed (as a compromised server
 * would, straight in its registry): Léa's reissue request names her, and
 * votecad mails the code only to the address of its own roster, never to the
 * server's; the previous credential is refused at once, the new code casts. */
static void test_reissue_roster_address_only(void **state)
{
    const char *lea = "lea.petit@ex.gouv.fr", *mallory = "mallory@evil.example";
    const char *password = "le pirate lit le courrier";
    char before[CODE_SYMBOLS + 1], now[CODE_SYMBOLS + 1], body[300];
    long long reissues = tu_votecad_status(&cad, "reissues");
    int to_lea, to_mallory, last;
    client_result cr;
    tu_reply r;

    (void)state;
    assert_int_equal(tu_votecad_code(&cad, lea, before), 0);     /* her current code */
    to_lea = tu_smtp_mails_to(&cad.smtp, lea, &last);
    assert_int_equal(tu_registry_sql(dir, "UPDATE voter_email SET address = "
                                          "'mallory@evil.example' WHERE address = "
                                          "'lea.petit@ex.gouv.fr';\n"), 0);
    /* the server now knows her as mallory: the account page says so */
    snprintf(body, sizeof body, "{\"identifier\":\"%s\",\"password\":\"%s\"}", mallory,
             password);
    post(&r, "/api/v1/session", body);
    assert_int_equal(r.status, 200);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    reissue_when_allowed(&r, "{\"defi_answer\":\"minou\"}");
    assert_int_equal(r.status, 200);
    cookie[0] = '\0';
    assert_int_equal(tu_votecad_status(&cad, "reissues"), reissues + 1);
    assert_int_equal(tu_votecad_code(&cad, lea, now), 0);
    assert_string_not_equal(now, before);
    /* envelope recipients at the authority's relay: Léa's roster address once more,
     * mallory never; and nothing went through the server's relay */
    assert_int_equal(tu_smtp_mails_to(&cad.smtp, lea, &last), to_lea + 1);
    assert_int_equal(tu_smtp_mails_to(&cad.smtp, mallory, &last), 0);
    assert_int_equal(tu_smtp_mails_to(&smtp, mallory, &to_mallory), 0);
    assert_false(code_mailed_to(mallory));
    /* the previous credential is refused at once; the new code casts */
    assert_int_equal(cast_as(mallory, password, before, &cr), CLIENT_REFUSED);
    assert_int_equal(cr.status, 403);
    assert_int_equal(cast_as(mallory, password, now, &cr), CLIENT_OK);
}

/* A session cookie for Camille (her password), in out. */
static void camille_session(char *out, size_t len, const char *password)
{
    char body[256];
    tu_reply r;

    snprintf(body, sizeof body, "{\"identifier\":\"camille.martin@ex.gouv.fr\","
                                "\"password\":\"%s\"}", password);
    tu_http2(&r, "POST", "/api/v1/session", body, (long)strlen(body), JSON, NULL);
    assert_int_equal(r.status, 200);
    snprintf(out, len, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
}

static int account_status(const char *session_cookie)
{
    tu_reply r;

    tu_http2(&r, "GET", "/api/v1/account", NULL, 0, session_cookie, NULL);
    return (int)r.status;
}

/* A password or défi change made with the current
 * password ends every other session of the account (a stolen cookie dies);
 * the session that made it stays. */
static void test_credential_change_ends_other_sessions(void **state)
{
    const char *pw = "la plage sous les pavés", *pw2 = "les pavés sous la plage";
    char mine[300], thief[300];
    tu_reply r;

    (void)state;
    camille_session(mine, sizeof mine, pw);
    camille_session(thief, sizeof thief, pw);
    assert_int_equal(account_status(thief), 200);
    snprintf(cookie, sizeof cookie, "%s", mine);
    post(&r, "/api/v1/account/password", "{\"current\":\"la plage sous les pavés\","
                                         "\"password\":\"les pavés sous la plage\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(account_status(thief), 401);
    assert_int_equal(account_status(mine), 200);
    /* the same for a défi change */
    camille_session(thief, sizeof thief, pw2);
    assert_int_equal(account_status(thief), 200);
    post(&r, "/api/v1/account/defi", "{\"password\":\"les pavés sous la plage\","
                                     "\"current_defi_answer\":\"rex\",\"defi_question\":2,"
                                     "\"defi_answer\":\"Jean Jaurès\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(account_status(thief), 401);
    assert_int_equal(account_status(mine), 200);
    /* back to the password the next tests use */
    post(&r, "/api/v1/account/password", "{\"current\":\"les pavés sous la plage\","
                                         "\"password\":\"la plage sous les pavés\"}");
    assert_int_equal(r.status, 200);
    cookie[0] = '\0';
}

/* "Link not received" for an address, with a fresh proof of work. */
static void ask_link(tu_reply *r, const char *address)
{
    char body[2048], *altcha = solved_challenge();

    snprintf(body, sizeof body, "{\"identifier\":\"%s\",\"altcha\":\"%s\"}", address, altcha);
    free(altcha);
    tu_http(r, "POST", "/api/v1/access/link", body, (long)strlen(body), JSON);
}

/* Someone asks for links to Camille's address until the
 * hourly rate is reached; the link she got first still works, and her own
 * request is told to wait (429, Retry-After) rather than silently dropped;
 * an unregistered address gets the very same answer. */
static void test_link_requests_never_silenced(void **state)
{
    const char *camille = "camille.martin@ex.gouv.fr";
    char token[64], body[512], *text, *t;
    static char first_body[sizeof ((tu_reply *)0)->body];
    int n0 = mail_count(), sent = 0;
    long long wait;
    tu_reply r;

    (void)state;
    cookie[0] = '\0';
    /* the earlier reassort counts in this hour: ask until refused */
    for (int i = 0; i < 4; i++) {
        ask_link(&r, camille);
        if (r.status != 202)
            break;
        sent++;
    }
    assert_true(sent >= 1 && sent <= 3);
    assert_int_equal(r.status, 429);
    assert_non_null(strstr(r.body, "link_rate"));
    assert_non_null(strstr(r.body, "les liens déjà envoyés restent valables"));
    wait = atoll(r.retry_after);
    assert_true(wait > 0 && wait <= 3600);
    snprintf(first_body, sizeof first_body, "%s", r.body);
    /* an address that is no voter's: the same answer once its rate is reached */
    for (int i = 0; i < 3; i++) {
        ask_link(&r, "personne@ex.gouv.fr");
        assert_int_equal(r.status, 202);
    }
    ask_link(&r, "personne@ex.gouv.fr");
    assert_int_equal(r.status, 429);
    assert_string_equal(r.body, first_body);
    wait = atoll(r.retry_after);
    assert_true(wait > 0 && wait <= 3600);
    /* the first of those links still works, though others were sent after it */
    text = mail_to(n0 + 1, camille);
    t = strstr(text, "/mot-de-passe?t=");
    assert_non_null(t);
    snprintf(token, 44, "%s", t + strlen("/mot-de-passe?t="));
    free(text);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"la plage sous les pavés\"}",
             token);
    post(&r, "/api/v1/password/reset", body);
    assert_int_equal(r.status, 200);
}

static void test_logout_and_logs(void **state)
{
    tu_reply r;
    char out[65536];

    (void)state;
    post(&r, "/api/v1/session", "{\"identifier\":\"camille.martin@ex.gouv.fr\","
                                "\"password\":\"la plage sous les pavés\"}");
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    tu_http2(&r, "DELETE", "/api/v1/session", NULL, 0, cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
    tu_http2(&r, "GET", "/api/v1/account", NULL, 0, cookie, NULL);
    assert_int_equal(r.status, 401);
    /* no password, token or address in the daemon's log */
    assert_int_equal(tu_sh(out, sizeof out, "cat %s/votesrv.log", dir), 0);
    assert_null(strstr(out, "pavés"));
    assert_null(strstr(out, "votesrv_session="));
    assert_null(strstr(out, "camille"));
    assert_null(strstr(out, "t="));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_from_mail),
        cmocka_unit_test(test_login_and_account),
        cmocka_unit_test(test_password_reassort),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_code_reissue),
        cmocka_unit_test(test_mailbox_only_attack),
        cmocka_unit_test(test_reissue_roster_address_only),
        cmocka_unit_test(test_credential_change_ends_other_sessions),
        cmocka_unit_test(test_link_requests_never_silenced),
        cmocka_unit_test(test_logout_and_logs),
    };
    return cmocka_run_group_tests_name("voter_access", tests, setup, teardown);
}
