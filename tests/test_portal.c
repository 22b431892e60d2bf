/* test_portal.c - the voters' portal against a real daemon and SMTP sink, on
 * an election whose bureau (a president and two delegates) ran its key
 * ceremony with votetrustee:
 * - the pages over HTTP: security headers, CSRF and cross-origin refusals that
 *   change nothing, strict form bodies, redirects, static files, languages;
 * - in Chromium (tests/browser/journey.mjs, playwright-core and axe-core): a
 *   voter's whole journey, then the bureau closes and counts with the CLIs
 *   and the results page shows the votes cast. Screenshots go to
 *   build/screenshots. Run by `make check-browser` (VOTESRV_BROWSER=1), not
 *   yet by `make check`. The journey goes through HAProxy (conf/haproxy.cfg
 *   as shipped, tests/testutil_haproxy.c) over https and HTTP/2, Chromium
 *   trusting only the test server's key (its SPKI pinned), Node (the
 *   walks' own requests) only the test CA. (Its "one run in three" empty response to a refused
 *   cast was the vote page's status read before it was set: test_cast's
 *   test_receipt_page posts a refused cast again.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include "testutil.h"
#include "access/altcha.h"
#include "votesrv/portal/html.h"
#include "votesrv/config.h"

#define HEADER "number,surname,given_names,emails,establishment,postal_address,corps\n"
#define CSV HEADER "V1,Martin,Camille,v1@ex.fr,Siège,,attache\n" \
                   "V2,Petit,Louise,v2@ex.fr,Siège,,attache\n" \
                   "V3,Durand,Hugo,v3@ex.fr,Nord,,secretaire\n"
/* The voting window: long enough for the voter's journey on a loaded machine.
 * The test does not wait for its end: after the voter's phase the daemon and
 * the tools run with their clocks moved past the close (libfaketime). */
#define WINDOW_S 1800
#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

static char bin[PATH_MAX], cfg[PATH_MAX], *dir;
static tu_smtp smtp;
static int daemon_pid = -1;
static tu_votecad cad;
static time_t closes;
static tu_haproxy front;         /* HAProxy in front during the journey, or pid 0 */
static double front_s;           /* seconds spent starting it and waiting for it */

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Every request in the daemon's log, shown when the journey fails. */
static int debug_log(const char *path)
{
    json_t *c = json_load_file(path, 0, NULL);
    int rc;

    if (c == NULL)
        return -1;
    json_object_set_new(c, "log", json_pack("{s:s}", "level", "debug"));
    rc = json_dump_file(c, path, JSON_INDENT(1));
    json_decref(c);
    return rc;
}

/* The example definition with a bureau, opened after the ceremony and the
 * opening seals, all through the tools as the officer and holders use them. */
static int make_election(void)
{
    char out[16384], *def;
    time_t now = time(NULL);

    closes = now + WINDOW_S;
    if (tu_config(dir, bin, &smtp, cfg, sizeof cfg) != 0 || debug_log(cfg) != 0)
        return -1;
    def = tu_definition_bureau(now - 60, closes, 2);
    free(tu_write(dir, "e.json", def));
    free(def);
    free(tu_write(dir, "v.csv", CSV));
    free(tu_write(dir, "pass", "correct horse battery staple\n"));
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && mkdir -p documents/professions && "
              "printf '%%%%PDF-1.4\\n%%%%EOF\\n' > documents/professions/cap-attaches-union-a.pdf && "
              "V='%s/votectl -c votesrv.json' && "
              "T='%s/votetrustee --kdf interactive --passphrase-file pass' && "
              "$V init e.json && $V import-voters v.csv && "
              "$V ceremony export c.json && for i in 0 1 2; do $T keygen c.json $i k$i keys$i.json; done && "
              "$V ceremony post keys0.json keys1.json keys2.json && $V ceremony export c.json && "
              "$T shares c.json k1 sh1.json && $T shares c.json k2 sh2.json && "
              "$V ceremony post sh1.json sh2.json && $V ceremony export c.json && "
              "for i in 0 1 2; do $T verdict c.json k$i ver$i.json; done && "
              "$V ceremony post ver0.json ver1.json ver2.json && "
              "$V credentials --demo codes.csv --hr v.csv && "
              "$V seal-state open s.json && $V ceremony export c.json && "
              "$T seal c.json s.json k0 seal0.json && $T seal c.json s.json k1 seal1.json && "
              "$V ceremony post seal0.json seal1.json && $V open && "
              "$V staff-add c.lemoine support pass > c.lemoine.txt && "
              "$V staff-add a.roux officer pass > a.roux.txt && "
              "$V staff-add p.garnier auditor pass > p.garnier.txt && "
              "$V staff-add o.blanc observer pass > o.blanc.txt", dir, bin, bin) != 0) {
        fprintf(stderr, "%s\n", out);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    char roster[800];

    (void)state;
    if (tu_start_with_smtp(bin, &dir, &smtp) != 0 || make_election() != 0)
        return -1;
    /* the credential authority's service, votecad: it makes and mails reissued codes */
    snprintf(roster, sizeof roster, "%s/votecred-state.json", dir);
    if (tu_votecad_for(&cad, bin, dir, cfg, roster) != 0)
        return -1;
    daemon_pid = tu_daemon_up(bin, dir, cfg);
    return daemon_pid > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_votecad_stop(&cad);
    tu_haproxy_stop(&front);
    tu_daemon_teardown(daemon_pid, &smtp, dir);
    return 0;
}

/* GET path with curl: headers and the start of the body in out. */
static void get(char *out, size_t len, const char *path)
{
    assert_int_equal(tu_sh(out, len, "curl -s -D - '%s%s' | head -c %zu", tu_base_url, path,
                           len - 1), 0);
}

/* The CSRF token of the last page in out. */
static void form_token(char token[80], const char *out)
{
    const char *p = strstr(out, "name=\"csrf\" value=\"");

    assert_non_null(p);
    snprintf(token, 80, "%.64s", p + 19);
}

/* The login form's CSRF token and its cookie, from a fresh GET. */
static void csrf(char cookie[128], char token[80])
{
    char out[32768], *p;

    get(out, sizeof out, "/connexion");
    p = strstr(out, "Set-Cookie: votesrv_csrf=");
    assert_non_null(p);
    snprintf(cookie, 128, "Cookie: votesrv_csrf=%.*s", (int)strcspn(p + 25, ";"), p + 25);
    form_token(token, out);
}

static void test_headers_and_pages(void **state)
{
    static char out[65536];

    (void)state;
    get(out, sizeof out, "/");
    assert_non_null(strstr(out, "HTTP/1.1 200"));
    assert_non_null(strstr(out, "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(out, "Content-Security-Policy: default-src 'none'; script-src 'self' "
                                "'wasm-unsafe-eval'; style-src 'self';"));
    assert_non_null(strstr(out, "frame-ancestors 'none'"));
    assert_non_null(strstr(out, "X-Frame-Options: DENY"));
    assert_non_null(strstr(out, "X-Content-Type-Options: nosniff"));
    assert_null(strstr(out, "Strict-Transport-Security"));       /* plain http here */
    assert_null(strstr(out, "<script>"));                          /* nothing inline */
    assert_null(strstr(out, " style=\""));
    assert_non_null(strstr(out, "<html lang=\"fr\">"));
    assert_non_null(strstr(out, "Commission administrative paritaire des attachés"));
    assert_non_null(strstr(out, "href=\"/professions/cap-attaches/1\""));
    /* English on request, remembered in a cookie */
    get(out, sizeof out, "/connexion?lang=en");
    assert_non_null(strstr(out, "<html lang=\"en\">"));
    assert_non_null(strstr(out, "Set-Cookie: votesrv_lang=en;"));
    assert_non_null(strstr(out, "Professional e-mail address"));
    /* errors are pages in the reader's language */
    get(out, sizeof out, "/nulle-part");
    assert_non_null(strstr(out, "HTTP/1.1 404"));
    assert_non_null(strstr(out, "Cette adresse n&#39;existe pas."));
    /* static files: flat names from the assets folder, cacheable */
    get(out, sizeof out, "/static/portal.css");
    assert_non_null(strstr(out, "Content-Type: text/css"));
    assert_non_null(strstr(out, "Cache-Control: public, max-age=86400"));
    get(out, sizeof out, "/static/libsodium-wrappers.mjs");
    assert_non_null(strstr(out, "from\"./libsodium-sumo.mjs\""));
    get(out, sizeof out, "/static/.stamp");
    assert_non_null(strstr(out, "HTTP/1.1 404"));
    get(out, sizeof out, "/static/%2e%2e%2fvotesrv.json");
    assert_non_null(strstr(out, "HTTP/1.1 404"));
    /* professions de foi */
    get(out, sizeof out, "/professions/cap-attaches/1");
    assert_non_null(strstr(out, "Content-Type: application/pdf"));
    assert_non_null(strstr(out, "%PDF-1.4"));
    get(out, sizeof out, "/professions/cap-attaches/2");
    assert_non_null(strstr(out, "HTTP/1.1 404"));
    get(out, sizeof out, "/professions/cap-attaches/0");
    assert_non_null(strstr(out, "HTTP/1.1 404"));
    /* pages behind a session send to the login page */
    get(out, sizeof out, "/vote/csa-ministere");
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /connexion"));
    /* a link that is not a token */
    get(out, sizeof out, "/activation?t=abc");
    assert_non_null(strstr(out, "HTTP/1.1 410"));
    assert_non_null(strstr(out, "Ce lien n&#39;est plus valable"));
}

static void test_forms_refused(void **state)
{
    char cookie[128], token[80], body[512], out[8192];
    tu_reply *r = malloc(sizeof *r);
    const char *form = "Content-Type: application/x-www-form-urlencoded";

    (void)state;
    assert_non_null(r);
    csrf(cookie, token);
    /* no token, a wrong one, or a token without its cookie: 403, no session */
    tu_http(r, "POST", "/connexion", "identifier=v1%40ex.fr&password=x", -1, form);
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(r->body, "Ce formulaire a expiré"));
    assert_string_equal(r->set_cookie, "");
    snprintf(body, sizeof body, "csrf=%.63s%c&identifier=v1%%40ex.fr&password=x", token,
             token[63] == '0' ? '1' : '0');             /* the last digit changed */
    tu_http2(r, "POST", "/connexion", body, -1, form, cookie);
    assert_int_equal(r->status, 403);
    snprintf(body, sizeof body, "csrf=%s&identifier=v1%%40ex.fr&password=x", token);
    tu_http(r, "POST", "/connexion", body, -1, form);
    assert_int_equal(r->status, 403);
    /* from another site: refused even with a valid pair */
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -o /dev/null -w '%%{http_code}' -H '%s' "
                           "-H 'Origin: https://evil.example' -d '%s' '%s/connexion'", cookie,
                           body, tu_base_url), 0);
    assert_string_equal(out, "403");
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -o /dev/null -w '%%{http_code}' -H '%s' "
                           "-H 'Sec-Fetch-Site: cross-site' -d '%s' '%s/connexion'", cookie,
                           body, tu_base_url), 0);
    assert_string_equal(out, "403");
    /* the same pair from this site reaches the login (and fails on the password) */
    tu_http2(r, "POST", "/connexion", body, -1, form, cookie);
    assert_int_equal(r->status, 401);
    assert_non_null(strstr(r->body, "Identifiant ou mot de passe incorrect."));
    assert_string_equal(r->set_cookie, "");
    /* a field given twice, JSON where a form is expected */
    snprintf(body, sizeof body, "csrf=%s&identifier=a%%40ex.fr&identifier=b%%40ex.fr&password=x",
             token);
    tu_http2(r, "POST", "/connexion", body, -1, form, cookie);
    assert_int_equal(r->status, 400);
    tu_http2(r, "POST", "/connexion", "{\"identifier\":\"v1@ex.fr\"}", -1,
             "Content-Type: application/json", cookie);
    assert_int_equal(r->status, 415);
    /* a vote posted without a session goes to the login page; with a bad
     * ballot, nothing is cast (the count below would not match) */
    snprintf(body, sizeof body, "csrf=%s&ballot=%%7B%%7D&authenticator=00", token);
    tu_http2(r, "POST", "/vote/csa-ministere", body, -1, form, cookie);
    assert_int_equal(r->status, 303);
    /* an anti-robot check is required for links */
    snprintf(body, sizeof body, "csrf=%s&identifier=v1%%40ex.fr", token);
    tu_http2(r, "POST", "/acces", body, -1, form, cookie);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "vérification anti-robot a échoué"));
    free(r);
}

/* The place kept in a rush (cookie votesrv_wait) is removed by any answer
 * of POST /connexion but another BUSY: an empty field (400) or an expired
 * form (403) kept it before. */
static void test_login_wait_cookie_cleared(void **state)
{
    static const char form[] = "Content-Type: application/x-www-form-urlencoded";
    static const char gone[] = "Set-Cookie: votesrv_wait=; Path=/connexion; Max-Age=0;";
    char cookie[128], token[80], body[512], out[8192];

    (void)state;
    csrf(cookie, token);
    snprintf(body, sizeof body, "csrf=%s&identifier=v1%%40ex.fr&password=", token);
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -D - -o /dev/null -H '%s; votesrv_wait=x' "
                           "-H '%s' -d '%s' '%s/connexion'", cookie, form, body, tu_base_url), 0);
    assert_non_null(strstr(out, "HTTP/1.1 400"));
    assert_non_null(strstr(out, gone));
    snprintf(body, sizeof body, "csrf=%.63s%c&identifier=v1%%40ex.fr&password=x", token,
             token[63] == '0' ? '1' : '0');
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -D - -o /dev/null -H '%s; votesrv_wait=x' "
                           "-H '%s' -d '%s' '%s/connexion'", cookie, form, body, tu_base_url), 0);
    assert_non_null(strstr(out, "HTTP/1.1 403"));
    assert_non_null(strstr(out, gone));
}

/* A vote page without a session, or a vote confirmed after the session
 * expired (no JavaScript needed to see it): the login page, which says that
 * nothing was recorded and brings the voter back to the same scrutin; a
 * refused login keeps the way back, says "Erreur" in its title and marks both
 * fields invalid. */
static void test_vote_without_session(void **state)
{
    static tu_reply r;
    static const char form[] = "Content-Type: application/x-www-form-urlencoded";
    char cookie[128], token[80], body[512], out[32768];

    (void)state;
    get(out, sizeof out, "/vote/cap-attaches");
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /connexion?scrutin=cap-attaches\r\n"));
    csrf(cookie, token);
    snprintf(body, sizeof body, "csrf=%s&ballot=%%7B%%7D&authenticator=%064d", token, 0);
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -D - -o /dev/null -H '%s' -H '%s' -d '%s' "
                           "'%s/vote/cap-attaches'", cookie, form, body, tu_base_url), 0);
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /connexion?scrutin=cap-attaches&vote=perdu\r\n"));
    tu_http(&r, "GET", "/connexion?scrutin=cap-attaches&vote=perdu", NULL, 0, NULL);
    assert_non_null(strstr(r.body, "Votre vote n&#39;a pas été enregistré"));
    assert_non_null(strstr(r.body, "Commission administrative paritaire des attachés"));
    assert_non_null(strstr(r.body, "name=\"scrutin\" value=\"cap-attaches\""));
    assert_non_null(strstr(r.body, "href=\"/connexion?scrutin=cap-attaches&amp;vote=perdu&amp;"
                                   "lang=en\""));              /* the language keeps both */
    tu_http(&r, "GET", "/connexion?scrutin=nope&vote=perdu", NULL, 0, NULL);  /* not a scrutin */
    assert_null(strstr(r.body, "Votre vote n&#39;a pas été enregistré"));
    assert_null(strstr(r.body, "name=\"scrutin\""));
    tu_http(&r, "GET", "/connexion?scrutin=cap-attaches", NULL, 0, NULL);     /* from a GET */
    assert_null(strstr(r.body, "Votre vote n&#39;a pas été enregistré"));
    assert_non_null(strstr(r.body, "name=\"scrutin\" value=\"cap-attaches\""));
    snprintf(body, sizeof body, "csrf=%s&scrutin=cap-attaches&identifier=v3%%40ex.fr&password=x",
             token);
    tu_http2(&r, "POST", "/connexion", body, -1, form, cookie);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.body, "<title>Erreur : Se connecter"));
    assert_non_null(strstr(r.body, "name=\"scrutin\" value=\"cap-attaches\""));
    assert_non_null(strstr(r.body, "id=\"f-identifier\" name=\"identifier\" type=\"email\" "
                                "autocomplete=\"username\" required aria-invalid=\"true\""));
    assert_non_null(strstr(r.body, "id=\"f-password\" name=\"password\" type=\"password\" "
                                "autocomplete=\"current-password\" required "
                                "aria-invalid=\"true\""));
}

/* A fresh ALTCHA challenge, solved (r is used for the request). */
static char *solved_challenge(tu_reply *r)
{
    char *payload;
    json_t *c;

    tu_http(r, "GET", "/api/v1/access/challenge", NULL, 0, NULL);
    assert_int_equal(r->status, 200);
    c = json_loads(r->body, 0, NULL);
    payload = altcha_solve(c);
    json_decref(c);
    assert_non_null(payload);
    return payload;
}

/* Past the hourly rate of link requests for an address (here one that is no
 * voter's: the answer is the same for all), the page says to wait and for how
 * long (429, Retry-After), rather than "sent" with nothing sent. */
static void test_link_rate_page(void **state)
{
    char cookie[128], token[80], body[4096];
    tu_reply *r = malloc(sizeof *r);
    const char *form = "Content-Type: application/x-www-form-urlencoded";

    (void)state;
    assert_non_null(r);
    csrf(cookie, token);
    for (int i = 0; i <= 3; i++) {
        char *payload = solved_challenge(r), *escaped;

        escaped = curl_easy_escape(NULL, payload, 0);
        snprintf(body, sizeof body, "csrf=%s&identifier=quelqu.un%%40ex.gouv.fr&altcha=%s",
                 token, escaped);
        curl_free(escaped);
        free(payload);
        tu_http2(r, "POST", "/acces", body, -1, form, cookie);
        if (i < 3)
            assert_int_equal(r->status, 200);
    }
    assert_int_equal(r->status, 429);
    assert_true(atoll(r->retry_after) > 0 && atoll(r->retry_after) <= 3600);
    assert_non_null(strstr(r->body, "les liens déjà envoyés restent valables"));
    assert_non_null(strstr(r->body, "Vous pourrez réessayer dans"));
    free(r);
}

/* Too many wrong passwords: the login page says how long to wait and the way
 * out (a password link logs in whatever the count), not only "too many". */
static void test_login_throttle_page(void **state)
{
    char cookie[128], token[80], body[512];
    tu_reply *r = malloc(sizeof *r);
    const char *form = "Content-Type: application/x-www-form-urlencoded";
    int seen = 0;

    (void)state;
    assert_non_null(r);
    csrf(cookie, token);
    snprintf(body, sizeof body, "csrf=%s&identifier=personne%%40ex.gouv.fr&password=rien", token);
    for (int i = 0; i < 8 && !seen; i++) {
        tu_http2(r, "POST", "/connexion", body, -1, form, cookie);
        assert_int_equal(r->status, 401);
        seen = strstr(r->body, "Trop de tentatives : réessayez dans ") != NULL;
    }
    assert_true(seen);
    assert_non_null(strstr(r->body, " seconde"));
    assert_non_null(strstr(r->body, "demandez un lien de nouveau mot de passe"));
    assert_true(atoll(r->retry_after) > 0);
    free(r);
}

/* curl with the consoles' cookie jar: headers and body in out. */
/* The cookie jar of console(): one per staff member a test keeps logged in. */
static const char *jar = "jar";

static void console(char *out, size_t len, const char *method, const char *path,
                    const char *form)
{
    assert_int_equal(tu_sh(out, len, "curl -s -D - -b %s/%s -c %s/%s -X %s %s%s%s '%s%s' | "
                           "head -c %zu", dir, jar, dir, jar, method, form ? "--data '" : "",
                           form ? form : "", form ? "'" : "", tu_base_url, path, len - 1), 0);
}

/* The console's login form sent with token: login, the demo password, code. */
static void console_login(char *out, size_t len, const char *token, const char *login,
                          const char *code)
{
    char form[512];

    snprintf(form, sizeof form, "csrf=%s&login=%s&password=correct+horse+battery+staple"
             "&code=%s", token, login, code);
    console(out, len, "POST", "/gestion/connexion", form);
}

/* A staff member's TOTP key, as votectl staff-add printed it in LOGIN.txt. */
static void staff_key(uint8_t key[32], const char *login)
{
    char path[700], line[256] = "", *p;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.txt", dir, login);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL && strncmp(line, "TOTP key", 8) != 0)
        ;
    fclose(f);
    p = strstr(line, ": ");
    assert_non_null(p);
    p[2 + strcspn(p + 2, "\n")] = '\0';
    tu_base32_key(key, p + 2);
}

/* Log in as login now, from a fresh form: the answer in out. */
static void console_login_now(char *out, size_t len, const char *login)
{
    char token[80], code[8];
    uint8_t key[32];

    staff_key(key, login);
    console(out, len, "GET", "/gestion/connexion", NULL);
    form_token(token, out);
    tu_totp(code, key, time(NULL));
    console_login(out, len, token, login, code);
}

/* The consoles over HTTP: login with password and TOTP, roles enforced; an
 * account whose second factor locked (100 wrong codes after the right
 * password, test_staff.c) is refused with the right password
 * and code, shown to the officers as an alert, logged at error, until
 * "votectl staff-unlock". */
static void test_consoles(void **state)
{
    static char out[65536];
    char token[80], form[512], code[8], *p;
    uint8_t key[32];

    (void)state;
    /* the support agent's second factor locked (as staff_login leaves it) */
    assert_int_equal(tu_registry_sql(dir, "INSERT INTO throttle(key, failures, next_allowed, "
                                          "locked_until) VALUES ('staff-totp:c.lemoine', 100, "
                                          "0, 9223372036854775807);\n"), 0);
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /gestion/connexion"));
    staff_key(key, "p.garnier");          /* the auditor's */
    /* a wrong code: refused, no session */
    console(out, sizeof out, "GET", "/gestion/connexion", NULL);
    form_token(token, out);
    tu_totp(code, key, time(NULL));
    code[5] = code[5] == '9' ? '0' : (char)(code[5] + 1);
    console_login(out, sizeof out, token, "p.garnier", code);
    assert_non_null(strstr(out, "HTTP/1.1 401"));
    assert_null(strstr(out, "votesrv_staff="));
    /* after the right password, the code is what was wrong: said so */
    assert_non_null(strstr(out, "Code à usage unique incorrect ou déjà utilisé"));
    assert_null(strstr(out, "Identifiant ou mot de passe incorrect"));
    /* a wrong password, or a login nobody has, with the right code: one answer,
     * that says nothing of the code */
    tu_totp(code, key, time(NULL));
    snprintf(form, sizeof form, "csrf=%s&login=p.garnier&password=wrong+horse+battery+staple"
             "&code=%s", token, code);
    console(out, sizeof out, "POST", "/gestion/connexion", form);
    assert_non_null(strstr(out, "HTTP/1.1 401"));
    assert_non_null(strstr(out, "Identifiant ou mot de passe incorrect"));
    assert_null(strstr(out, "incorrect ou déjà utilisé"));
    console_login(out, sizeof out, token, "p.nobody", code);
    assert_non_null(strstr(out, "HTTP/1.1 401"));
    assert_non_null(strstr(out, "Identifiant ou mot de passe incorrect"));
    assert_null(strstr(out, "incorrect ou déjà utilisé"));
    /* the right one: the dashboard, read only */
    tu_totp(code, key, time(NULL));
    console_login(out, sizeof out, token, "p.garnier", code);
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /gestion/bureau"));
    assert_non_null(strstr(out, "Set-Cookie: votesrv_staff="));
    assert_non_null(strstr(out, "Path=/gestion; Max-Age=36000; HttpOnly; Secure; SameSite=Strict"));
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 200"));
    assert_non_null(strstr(out, "<meter min=\"0\" max=\"3\""));   /* csa-ministere: 3 voters */
    p = strstr(out, "id=\"staff-alerts\"");                        /* the officers' alert */
    assert_non_null(p);
    assert_non_null(strstr(p, "<li>c.lemoine</li>"));
    assert_null(strstr(out, "Clore le vote"));
    assert_null(strstr(out, " style=\""));
    /* mail delivery: the figures, and no warning while mail leaves; a message
     * given up (the relay refused it every time) is said to the officers */
    assert_non_null(strstr(out, "id=\"mail-figures\""));
    assert_null(strstr(out, "id=\"mail-alert\""));
    assert_int_equal(tu_registry_sql(dir, "INSERT INTO outbox(recipient, message, state, "
                                          "attempts, next_attempt) VALUES ('lost@ex.fr', NULL, "
                                          "'failed', 8, 0);\n"), 0);
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    p = strstr(out, "id=\"mail-alert\"");
    assert_non_null(p);
    assert_non_null(strstr(p, "ont été abandonnés après plusieurs échecs"));
    assert_int_equal(tu_registry_sql(dir, "DELETE FROM outbox WHERE recipient = 'lost@ex.fr';\n"),
                     0);
    /* an auditor cannot act, nor use the support console */
    form_token(token, out);
    snprintf(form, sizeof form, "csrf=%s&action=suspendre&notice=x", token);
    console(out, sizeof out, "POST", "/gestion/bureau", form);
    assert_non_null(strstr(out, "HTTP/1.1 403"));
    assert_non_null(strstr(out, "réservée à un autre rôle"));
    console(out, sizeof out, "GET", "/gestion/assistance?q=V1", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 403"));
    /* the code just used cannot open a second session */
    console(out, sizeof out, "GET", "/gestion/connexion", NULL);
    form_token(token, out);
    console_login(out, sizeof out, token, "p.garnier", code);
    assert_non_null(strstr(out, "HTTP/1.1 401"));
    assert_non_null(strstr(out, "Code à usage unique incorrect ou déjà utilisé"));
    /* the locked agent: the right password and code are refused, and say why */
    console_login_now(out, sizeof out, "c.lemoine");
    assert_non_null(strstr(out, "HTTP/1.1 423"));
    assert_non_null(strstr(out, "la connexion à ce compte est bloquée"));
    assert_null(strstr(out, "votesrv_staff="));
    assert_int_equal(tu_sh(out, sizeof out, "grep '\"staff-second-factor-locked\"' %s/votesrv.log",
                           dir), 0);
    assert_non_null(strstr(out, "\"level\":\"error\""));
    assert_non_null(strstr(out, "\"login\":\"c.lemoine\""));
    /* an officer unlocks it: the alert goes, the agent gets in (in the journey) */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json staff-unlock "
                           "--reason 'code perdu, appel du 7/12' c.lemoine", dir, bin), 0);
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 200"));
    assert_null(strstr(out, "staff-alerts"));
}

/* Count the occurrences of needle in hay. */
static int occurrences(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Every string of has (NULL-terminated) is in out, none of lacks. */
static void page_shows(const char *out, const char *const *has, const char *const *lacks)
{
    for (; has != NULL && *has != NULL; has++)
        if (strstr(out, *has) == NULL)
            fail_msg("missing: %s\nin: %.3000s", *has, out);
    for (; lacks != NULL && *lacks != NULL; lacks++)
        if (strstr(out, *lacks) != NULL)
            fail_msg("unexpected: %s", *lacks);
}
#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define REASON_FORM "Appel+du+7%%2F12+%%3A+%%22lien+jamais+re%%C3%%A7u%%22"
#define REASON_HTML "Appel du 7/12 : &quot;lien jamais reçu&quot;"
#define QUEUED_LINK "Lien d&#39;activation mis en file d&#39;envoi"

/* The support file: its history, only the actions that apply, a confirmation
 * before acting, a result that says a mail is queued; the auditors' log with
 * its verified chain, filters and pages, and an export voteaudit verifies. */
static void test_support_and_audit(void **state)
{
    static char out[1 << 20];
    char token[80], form[1024], *p;
    int links;

    (void)state;
    /* the agent logs in with a jar of their own (the auditor's session stays) */
    jar = "jar-support";
    console_login_now(out, sizeof out, "c.lemoine");
    assert_non_null(strstr(out, "Location: /gestion/assistance"));
    /* V3 never activated: a link and a code apply; no défi to reset, no lock */
    console(out, sizeof out, "GET", "/gestion/assistance/V3", NULL);
    page_shows(out, LIST("HTTP/1.1 200", "<dt>Courriels en attente d&#39;envoi</dt><dd>aucun</dd>",
                         "name=\"action\" value=\"lien\"", "name=\"action\" value=\"code\"",
                         "Réinitialiser le défi : aucun défi choisi.",
                         "Débloquer : aucun blocage en cours."),
               LIST("name=\"action\" value=\"defi\"", "name=\"action\" value=\"deblocage\"",
                    "Assistance : nouveau lien"));
    links = occurrences(out, QUEUED_LINK);
    form_token(token, out);
    /* a reason, then the confirmation page: nothing is done yet */
    snprintf(form, sizeof form, "csrf=%s&action=lien&reason=" REASON_FORM, token);
    console(out, sizeof out, "POST", "/gestion/assistance/V3", form);
    page_shows(out, LIST("HTTP/1.1 200",
                         "<h2>Confirmer : envoyer un nouveau lien à V3 (Durand Hugo)</h2>",
                         "<dd>" REASON_HTML "</dd>", "name=\"confirm\" value=\"1\"",
                         "value=\"" REASON_HTML "\"",
                         "href=\"/gestion/assistance/V3\">Annuler</a>"), NULL);
    console(out, sizeof out, "GET", "/gestion/assistance/V3", NULL);
    page_shows(out, NULL, LIST("Assistance : nouveau lien"));
    assert_int_equal(occurrences(out, QUEUED_LINK), links);
    /* confirmed: done, and said to be queued, not delivered */
    snprintf(form, sizeof form, "csrf=%s&action=lien&confirm=1&reason=" REASON_FORM, token);
    console(out, sizeof out, "POST", "/gestion/assistance/V3", form);
    page_shows(out, LIST("HTTP/1.1 200",
                         "Fait : un nouveau lien d&#39;activation est en file d&#39;envoi"),
               LIST("Action effectuée"));
    p = strstr(out, "<table class=\"history\">");
    assert_non_null(p);
    page_shows(p, LIST("<td>Assistance : nouveau lien</td><td>c.lemoine</td><td>" REASON_HTML
                       "</td>"), NULL);
    assert_int_equal(occurrences(p, QUEUED_LINK), links + 1);
    /* an action that does not apply, or without its reason: nothing done */
    snprintf(form, sizeof form, "csrf=%s&action=defi&confirm=1&reason=essai", token);
    console(out, sizeof out, "POST", "/gestion/assistance/V3", form);
    page_shows(out, LIST("HTTP/1.1 409", "sans objet pour cet électeur : rien n&#39;a été fait"),
               NULL);
    snprintf(form, sizeof form, "csrf=%s&action=lien&reason=+", token);
    console(out, sizeof out, "POST", "/gestion/assistance/V3", form);
    page_shows(out, LIST("HTTP/1.1 400", "id=\"r-lien\" name=\"reason\"", "aria-invalid=\"true\""),
               NULL);
    /* a voter who signed in every scrutin: no new code offered, and why */
    assert_int_equal(tu_registry_sql(dir, "INSERT INTO signature(voter_id, scrutin) "
                                          "SELECT voter_id, scrutin FROM voter_scrutin WHERE "
                                          "voter_id = (SELECT id FROM voter WHERE number = 'V2');\n"),
                     0);
    console(out, sizeof out, "GET", "/gestion/assistance/V2", NULL);
    assert_int_equal(tu_registry_sql(dir, "DELETE FROM signature WHERE voter_id = "
                                          "(SELECT id FROM voter WHERE number = 'V2');\n"), 0);
    page_shows(out, LIST("Envoyer un nouveau code de vote : l'électeur a voté dans chacun de ses "
                         "scrutins."), LIST("name=\"action\" value=\"code\""));
    /* in English too (the choice stays with the agent's session) */
    console(out, sizeof out, "GET", "/gestion/assistance/V3?lang=en", NULL);
    page_shows(out, LIST("<h2>History</h2>", "Support: new link", "Mail waiting to be sent",
                         "Actions that do not apply to this voter:"),
               LIST("Historique", "Assistance : nouveau lien"));
    /* the agent cannot read the audit log */
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 403"));

    /* the auditor: the chain verified, the support action with its reason */
    jar = "jar";
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    page_shows(out, LIST("HTTP/1.1 200", "Chaîne vérifiée jusqu&#39;à l&#39;entrée ",
                         "href=\"/gestion/journal\" aria-current=\"page\">Journal d'audit</a>"), LIST(" style=\""));
    p = strstr(out, "<td>support-link</td>");
    assert_non_null(p);
    assert_non_null(strstr(p, "<td>" REASON_HTML "</td>"));
    /* filters: a kind; a voter; days with nothing; a bad date */
    console(out, sizeof out, "GET", "/gestion/journal?type=staff-login", NULL);
    page_shows(out, LIST("<td>staff-login</td>", "<option selected>staff-login</option>"),
               LIST("<td>support-link</td>", "<td>voters-imported</td>"));
    console(out, sizeof out, "GET", "/gestion/journal?numero=V3", NULL);
    page_shows(out, LIST("<td>support-link</td>"), LIST("<td>V1</td>", "<td>c.lemoine</td>"));
    console(out, sizeof out, "GET", "/gestion/journal?du=2001-01-01&au=2001-01-02", NULL);
    page_shows(out, LIST("Aucune entrée ne correspond à ces filtres."), NULL);
    console(out, sizeof out, "GET", "/gestion/journal?du=demain", NULL);
    page_shows(out, LIST("HTTP/1.1 400", "Indiquez une date au format AAAA-MM-JJ."), NULL);
    /* pages: 50 entries, then the older ones from where the first page stopped
     * (the officer's checkpoints make the log longer than a page) */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && for i in $(seq 25); do "
                           "%s/votectl -c votesrv.json checkpoint || exit 1; done", dir, bin), 0);
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    assert_int_equal(occurrences(out, "<tr><th scope=\"row\">"), 50);
    p = strstr(out, "<a rel=\"next\" href=\"/gestion/journal?avant=");
    assert_non_null(p);
    p = strstr(p, "avant=") + strlen("avant=");
    snprintf(form, sizeof form, "/gestion/journal?avant=%llu", strtoull(p, NULL, 10));
    console(out, sizeof out, "GET", form, NULL);
    page_shows(out, LIST("HTTP/1.1 200", "<tr><th scope=\"row\">1</th>",   /* the creation */
                         "Revenir aux plus récentes"), NULL);
    /* the export: what voteaudit reads, verified whole */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && rm -f exported.db && curl -s -f -b jar "
                           "-o exported.db '%s/gestion/journal/export' && %s/voteaudit verify-log "
                           "exported.db", dir, tu_base_url, bin), 0);
    assert_non_null(strstr(out, "audit log: OK, "));
    /* in English too (the choice stays with the session: last) */
    console(out, sizeof out, "GET", "/gestion/journal?lang=en", NULL);
    page_shows(out, LIST("Chain verified up to entry ", "Older entries", "Event kind"),
               LIST("Chaîne vérifiée"));
    console(out, sizeof out, "GET", "/gestion/journal?lang=fr", NULL);   /* back to French */
    page_shows(out, LIST("Chaîne vérifiée"), NULL);
    /* an agent's session cannot export */
    assert_int_not_equal(tu_sh(out, sizeof out, "curl -s -f -b %s/jar-support -o /dev/null "
                               "'%s/gestion/journal/export'", dir, tu_base_url), 0);
}

/* The configuration's portal theme (NULL: none, the default neutral one). */
static void theme_config(const char *theme)
{
    json_t *c = json_load_file(cfg, 0, NULL);

    assert_non_null(c);
    if (theme != NULL)
        json_object_set_new(c, "portal", json_pack("{s:s}", "theme", theme));
    else
        json_object_del(c, "portal");
    assert_int_equal(json_dump_file(c, cfg, JSON_INDENT(1)), 0);
    json_decref(c);
}

/* A daemon restart behind HAProxy, as operators do it: the server is put
 * in maintenance first (no request sent to a stopping daemon) and back
 * after, up once a health check has passed. */
static void front_pause(void)
{
    char out[256];

    if (front.pid > 0)
        assert_int_equal(tu_haproxy_cmd(&front, "disable server votesrv/votesrv", out,
                                        sizeof out), 0);
}

static void front_resume(void)
{
    char out[256], st[32] = "";
    double t0 = now_s();

    if (front.pid <= 0)
        return;
    assert_int_equal(tu_haproxy_cmd(&front, "enable server votesrv/votesrv", out, sizeof out), 0);
    for (int i = 0; i < 200 && strcmp(st, "UP") != 0; i++) {        /* 20 s at most */
        struct timespec t = { 0, 100 * 1000 * 1000 };

        if (tu_haproxy_server_state(&front, st, sizeof st) != 0)
            st[0] = '\0';
        if (strcmp(st, "UP") != 0)
            nanosleep(&t, NULL);
    }
    assert_string_equal(st, "UP");
    front_s += now_s() - t0;
}

/* The daemon started again on its configuration. */
static void daemon_restart(void)
{
    char log[PATH_MAX + 32];

    front_pause();
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, NULL, 0);
    snprintf(log, sizeof log, "%s/votesrv.log", dir);
    daemon_pid = tu_daemon_start(bin, cfg, log);
    assert_true(daemon_pid > 0);
    front_resume();
}

/* HAProxy in front for the journey: votesrv restarted with its Unix socket
 * for HAProxy (PROXY v2) and an internal listener on a fixed port (the
 * health check's, kept across the journey's restarts); the throw-away
 * certificate made. */
static void front_up(void)
{
    char sock[PATH_MAX];
    json_t *c = json_load_file(cfg, 0, NULL);
    double t0;

    assert_non_null(c);
    assert_true(snprintf(sock, sizeof sock, "%s/proxy.sock", dir) < 100);
    json_object_set_new(json_object_get(c, "listen"), "unix", json_pack("{s:s}", "path", sock));
    json_object_set_new(c, "trusted_proxies", json_array());
    json_object_set_new(c, "proxy_protocol_v2", json_true());
    /* rush.mjs's bursts of unknown addresses must not trip the loopback network */
    json_object_set_new(c, "limits", json_pack("{s:i}", "failures_per_network", 100000));
    assert_int_equal(json_dump_file(c, cfg, JSON_INDENT(1)), 0);
    json_decref(c);
    tu_internal_port = tu_free_port();
    daemon_restart();
    t0 = now_s();
    assert_int_equal(tu_tls_make(&front, dir), 0);
    /* the file's timings, but for a health check every 300 ms: the
     * restarts below wait for one */
    assert_int_equal(tu_haproxy_start(&front, sock, tu_internal_port, TU_HAPROXY_QUICK_CHECK), 0);
    front_s += now_s() - t0;
    front_resume();
}

/* The entry the auditors' page says the chain is verified up to (0 if it
 * does not say so). */
static unsigned long long verified_up_to(const char *out)
{
    const char *p = strstr(out, "Chaîne vérifiée jusqu&#39;à l&#39;entrée ");

    return p != NULL ? strtoull(p + strlen("Chaîne vérifiée jusqu&#39;à l&#39;entrée "), NULL, 10)
                     : 0;
}

/* The auditors' page checks only what was added since its last view: an
 * entry edited once checked is left to voteaudit (the page says so), a new
 * entry edited breaks the chain on the page. */
static void test_audit_chain_incremental(void **state)
{
    static char out[1 << 20];
    unsigned long long first, next;

    (void)state;
    jar = "jar";
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    first = verified_up_to(out);
    assert_true(first > 1);
    page_shows(out, LIST("une entrée déjà vérifiée puis modifiée n'est pas signalée ici",
                         "voteaudit"), LIST("Chaîne rompue"));
    /* new entries: the next view goes further */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && for i in 1 2 3; do "
                           "%s/votectl -c votesrv.json checkpoint || exit 1; done", dir, bin), 0);
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    next = verified_up_to(out);
    assert_true(next >= first + 3);
    /* an entry already verified, edited: not this page's to see (it says how
     * far it verified, no more), but voteaudit's on the export */
    assert_int_equal(tu_registry_sql(dir, "UPDATE audit SET actor = actor || 'x' WHERE seq = 2;\n"),
                     0);
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    assert_true(verified_up_to(out) >= next);
    page_shows(out, NULL, LIST("Chaîne rompue"));
    assert_int_not_equal(tu_sh(out, sizeof out, "cd %s && rm -f exported.db && curl -s -f -b jar "
                               "-o exported.db '%s/gestion/journal/export' && %s/voteaudit "
                               "verify-log exported.db", dir, tu_base_url, bin), 0);
    assert_int_equal(tu_registry_sql(dir, "UPDATE audit SET actor = substr(actor, 1, "
                                          "length(actor) - 1) WHERE seq = 2;\n"), 0);
    /* an entry added since, edited before the page saw it: the chain is broken there */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s && %s/votectl -c votesrv.json checkpoint",
                           dir, bin), 0);
    assert_int_equal(tu_registry_sql(dir, "UPDATE audit SET actor = actor || '~edited' "
                                          "WHERE seq = (SELECT max(seq) FROM audit);\n"), 0);
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    page_shows(out, LIST("Chaîne rompue à l&#39;entrée ", "entry altered"), NULL);
    assert_int_equal(tu_registry_sql(dir, "UPDATE audit SET actor = replace(actor, '~edited', "
                                          "'') WHERE actor LIKE '%~edited';\n"), 0);
    /* the log as it was, and a daemon that forgets the verdict: sound again */
    daemon_restart();
    console(out, sizeof out, "GET", "/gestion/journal", NULL);
    page_shows(out, LIST("Chaîne vérifiée jusqu&#39;à l&#39;entrée "), LIST("Chaîne rompue"));
}

/* The response's Content-Security-Policy header line. */
static void csp_of(char csp[512], const char *out)
{
    const char *p = strstr(out, "Content-Security-Policy: ");

    assert_non_null(p);
    snprintf(csp, 512, "%.*s", (int)strcspn(p, "\r\n"), p);
}

/* GET path: its answer has both lines. */
static void static_served(const char *path, const char *line1, const char *line2)
{
    static char out[65536];

    get(out, sizeof out, path);
    assert_non_null(strstr(out, line1));
    assert_non_null(strstr(out, line2));
}

/* The dsfr theme ("portal": {"theme": "dsfr"}): the pages link the State's
 * design system's style sheet, served from this origin with the integrity
 * the page names, its font and icons too, under the same CSP; the neutral
 * theme (the default) links none of it and its /static/ does not serve it;
 * an unknown theme is refused when the configuration is read. */
static void test_theme(void **state)
{
    static char out[65536];
    static const char *const absent[] = { "/static/portal.css", "<script>", " style=\"" };
    static const char *const dsfr[] = {
        "<header class=\"fr-header\">", "<footer class=\"fr-footer\" id=\"pied\">",
        "<div class=\"fr-skiplinks\">",
        "<div class=\"fr-input-group\"><label for=\"f-identifier\" class=\"fr-label\">",
        "class=\"fr-input\"",
    };
    char csp[512], csp_dsfr[512], sri[120], err[CONFIG_ERR_CHARS];
    const char *p;
    config *c = malloc(sizeof *c);

    (void)state;
    assert_non_null(c);
    get(out, sizeof out, "/");
    csp_of(csp, out);
    assert_string_equal(csp, "Content-Security-Policy: default-src 'none'; script-src 'self' "
                             "'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
                             "font-src 'self'; connect-src 'self'; worker-src 'self'; "
                             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    assert_non_null(strstr(out, "<link rel=\"stylesheet\" href=\"/static/portal.css\">"));
    assert_null(strstr(out, "dsfr"));
    assert_null(strstr(out, "fr-header"));
    static_served("/static/dsfr.min.css", "HTTP/1.1 404", "Cache-Control: no-store");
    static_served("/static/marianne-regular.woff2", "HTTP/1.1 404", "Cache-Control: no-store");

    theme_config("dsfr");
    daemon_restart();
    get(out, sizeof out, "/connexion");
    csp_of(csp_dsfr, out);
    assert_string_equal(csp_dsfr, csp);
    p = strstr(out, "<link rel=\"stylesheet\" href=\"/static/dsfr.min.css\" integrity=\"");
    assert_non_null(p);
    p += strlen("<link rel=\"stylesheet\" href=\"/static/dsfr.min.css\" integrity=\"");
    snprintf(sri, sizeof sri, "%.*s", (int)strcspn(p, "\""), p);
    assert_int_equal(strncmp(sri, "sha384-", 7), 0);
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
        assert_null(strstr(out, absent[i]));
    for (size_t i = 0; i < sizeof dsfr / sizeof *dsfr; i++)
        assert_non_null(strstr(out, dsfr[i]));
    /* the style sheet served is the one the page names */
    assert_int_equal(tu_sh(out, sizeof out, "curl -sf '%s/static/dsfr.min.css' | "
                           "openssl dgst -sha384 -binary | base64 -w0", tu_base_url), 0);
    assert_string_equal(out, sri + 7);
    static_served("/static/dsfr.min.css", "HTTP/1.1 200", "Content-Type: text/css");
    static_served("/static/marianne-regular.woff2", "HTTP/1.1 200", "Content-Type: font/woff2");
    static_served("/static/dsfr-fr--error-fill.svg", "HTTP/1.1 200",
                  "Content-Type: image/svg+xml");
    /* a refusal is a DSFR alert */
    static_served("/nulle-part", "HTTP/1.1 404", "<div class=\"fr-alert fr-alert--error "
                  "fr-alert--sm\" role=\"alert\">");

    theme_config("bleu");
    assert_int_equal(config_load(c, cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "portal.theme must be \"neutral\" or \"dsfr\""));
    theme_config(NULL);
    assert_int_equal(config_load(c, cfg, err, sizeof err), 0);
    assert_int_equal(c->portal_theme, 0);
    daemon_restart();
    get(out, sizeof out, "/");
    assert_null(strstr(out, "dsfr"));
    free(c);
}

/* Log the console's cookie jar in as login (a fresh CSRF token, the current code). */
static void console_as(char *out, size_t len, const char *login)
{
    console_login_now(out, len, login);
    assert_non_null(strstr(out, "HTTP/1.1 303"));
    assert_non_null(strstr(out, "Location: /gestion/bureau"));
}

/* POST form (after csrf=TOKEN&) to path as the jar's staff member. */
static void console_post(char *out, size_t len, const char *token, const char *path,
                         const char *form)
{
    char body[512];

    snprintf(body, sizeof body, "csrf=%s&%s", token, form);
    console(out, len, "POST", path, body);
}

/* Observers (the délégués de liste) follow the vote on the dashboard: the
 * figures, the chart, the incidents without a staff login; every action and
 * the support console are refused them (403), server-side. */
/* "Link not received" for an address, through the JSON API, with a fresh
 * proof of work: 202 whether the address is a voter's or not. */
static void ask_link(const char *address)
{
    tu_reply *r = malloc(sizeof *r);
    char body[2048], *payload;

    assert_non_null(r);
    payload = solved_challenge(r);
    snprintf(body, sizeof body, "{\"identifier\":\"%s\",\"altcha\":\"%s\"}", address, payload);
    free(payload);
    tu_http(r, "POST", "/api/v1/access/link", body, (long)strlen(body),
            "Content-Type: application/json");
    assert_int_equal(r->status, 202);
    free(r);
}

/* A dashboard's main part, without the time it was read. */
static void observer_view(char *view, size_t len, const char *page)
{
    const char *main = strstr(page, "<main"), *at, *end;

    assert_non_null(main);
    at = strstr(main, "<p class=\"read-at\">");
    assert_non_null(at);
    end = strstr(at, "</p>");
    assert_non_null(end);
    assert_true((size_t)(at - main) + strlen(end) < len);
    snprintf(view, len, "%.*s%s", (int)(at - main), main, end + 4);
}

static void test_observer(void **state)
{
    static char out[262144], page[4096], before[131072], after[131072];
    static const char *const actions[] = {
        "action=clore", "action=suspendre&notice=Incident", "action=reprendre",
        "action=depouiller",
    };
    /* the figures; the authority's notices (one a voter), its reissues and
     * the public credentials (one a voter and scrutin: 2 + 3) counted apart */
    static const char *const shown[] = {
        "HTTP/1.1 200", "Chiffres lus le <time datetime=\"", "<h2>Activation des comptes</h2>",
        "<h4>Participation heure par heure</h4>", "<dt>Comptes de gestion bloqués</dt><dd>1</dd>",
        "<dt>Notices de vote de l&#39;autorité des codes (électeurs dotés d&#39;un code)</dt>"
        "<dd>3</dd>",
        "<dt>Codes réédités par l&#39;autorité des codes</dt><dd>0</dd>",
        "rééditions comprises)</dt><dd>5</dd>", "href=\"/gestion/bureau\"",
    };
    /* no staff login, no action, no inline style, not the wrong term */
    static const char *const hidden[] = {
        "c.lemoine", "staff-alerts", "class=\"action\"", "Actions du bureau", " style=\"",
        "autorité de certification",
    };
    char token[80];

    (void)state;
    assert_int_equal(tu_registry_sql(dir, "DELETE FROM throttle WHERE key = "
                                          "'staff-totp:c.lemoine'; INSERT INTO throttle(key, "
                                          "failures, next_allowed, locked_until) VALUES "
                                          "('staff-totp:c.lemoine', 100, 0, "
                                          "9223372036854775807);\n"), 0);
    console_as(out, sizeof out, "o.blanc");
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    assert_int_equal(tu_sh(page, sizeof page, "cd %s && %s/votectl -c votesrv.json staff-unlock "
                           "--reason 'essai des observateurs' c.lemoine", dir, bin), 0);
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if (strstr(out, shown[i]) == NULL)
            fail_msg("the observer's dashboard lacks %s", shown[i]);
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strstr(out, hidden[i]) != NULL)
            fail_msg("the observer's dashboard shows %s", hidden[i]);
    /* nothing on it moves with a link sent to a registered address (the
     * mail figures and the audit-entry count did: an observer could learn
     * who is on the list); "link not received" for a registered and an
     * unknown address leave the page as it was, but for the time it was read */
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    observer_view(before, sizeof before, out);
    ask_link("v3@ex.fr");
    ask_link("personne@ex.fr");
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    observer_view(after, sizeof after, out);
    for (size_t i = 0; before[i] != '\0' || after[i] != '\0'; i++)
        if (before[i] != after[i])
            fail_msg("the observer's page changed at %zu: %.200s\nnow: %.200s", i,
                     before + (i > 80 ? i - 80 : 0), after + (i > 80 ? i - 80 : 0));
    form_token(token, out);
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        console_post(out, sizeof out, token, "/gestion/bureau", actions[i]);
        assert_non_null(strstr(out, "HTTP/1.1 403"));
        assert_non_null(strstr(out, "réservée à un autre rôle"));
    }
    console(out, sizeof out, "GET", "/gestion/assistance?q=V1", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 403"));
    console(out, sizeof out, "GET", "/gestion/assistance/V1", NULL);
    assert_non_null(strstr(out, "HTTP/1.1 403"));
    assert_null(strstr(out, "Martin"));
    console_post(out, sizeof out, token, "/gestion/assistance/V1", "action=lien&reason=appel");
    assert_non_null(strstr(out, "HTTP/1.1 403"));
    /* nothing was done: still open, not suspended */
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    assert_non_null(strstr(out, "vote ouvert"));
    assert_null(strstr(out, "Le vote est suspendu"));
}

/* An officer's action refused, in French or English (never the election
 * module's English detail), or done, saying what was done. */
static void test_officer_outcomes(void **state)
{
    static const struct {
        const char *path, *form, *status, *says;
    } steps[] = {
        { "/gestion/bureau?lang=en", "action=clore", "HTTP/1.1 409",
          "The vote cannot be closed before its closing time, " },
        { "/gestion/bureau?lang=fr", "action=depouiller", "HTTP/1.1 409",
          "Cette action ne s&#39;applique pas à l&#39;état actuel du vote" },
        { "/gestion/bureau", "action=suspendre&notice=", "HTTP/1.1 400",
          "Le message affiché aux électeurs doit compter de 1 à 500 caractères." },
        { "/gestion/bureau", "action=suspendre&notice=Panne", "HTTP/1.1 200",
          "C&#39;est fait : le vote est suspendu, le message est affiché aux électeurs." },
        { "/gestion/bureau", "action=suspendre&notice=Panne", "HTTP/1.1 409",
          "<dt>Suspensions du vote</dt><dd>1</dd>" },
        { "/gestion/bureau", "action=suspendre&notice=Panne", "HTTP/1.1 409",
          "Le vote est déjà suspendu." },
        { "/gestion/bureau", "action=reprendre", "HTTP/1.1 200",
          "C&#39;est fait : le vote a repris." },
        { "/gestion/bureau", "action=reprendre", "HTTP/1.1 409", "Le vote n&#39;est pas suspendu." },
        { "/gestion/bureau", "action=clore", "HTTP/1.1 409",
          "Le vote ne peut pas être clos avant l&#39;heure de clôture, le <time datetime=\"" },
        { "/gestion/bureau", "action=clore", "HTTP/1.1 409", "Rien n&#39;a été modifié." },
    };
    static char out[262144];
    char token[80];

    (void)state;
    console_as(out, sizeof out, "a.roux");
    console(out, sizeof out, "GET", "/gestion/bureau", NULL);
    form_token(token, out);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        console_post(out, sizeof out, token, steps[i].path, steps[i].form);
        assert_non_null(strstr(out, steps[i].status));
        assert_non_null(strstr(out, steps[i].says));
        assert_null(strstr(out, "voting is"));          /* the election module's English */
        assert_null(strstr(out, "the count starts"));
    }
}

/* Seconds the daemon's and the tools' clocks run ahead of the real one. */
static long clock_offset;

/* Run a phase of the browser journey; on a failure, show the daemon's log too. */
static void journey(const char *phase)
{
    static char out[65536], log[16384];

    if (tu_sh(out, sizeof out, "cd .. && VOTESRV_URL='%s' VOTESRV_MAIL='%s' "
              "VOTESRV_CODES='%s/codes.csv' VOTESRV_CA_MAIL='%s' "
              "VOTESRV_SHOTS=build/screenshots VOTESRV_SPKI='%s' NODE_EXTRA_CA_CERTS='%s' "
              "VOTESRV_STATE='%s/journey.json' VOTESRV_STAFF='%s' VOTESRV_CLOCK_OFFSET=%ld "
              "node tests/browser/journey.mjs %s",
              front.url, smtp.maildir, dir, cad.smtp.maildir, front.spki, front.cacert, dir, dir,
              clock_offset, phase) != 0) {
        tu_sh(log, sizeof log, "tail -c 8000 %s/votesrv.log", dir);
        fail_msg("journey %s:\n%s\ndaemon log:\n%s", phase, out, log);
    }
}

static void test_browser_journey(void **state)
{
    char out[16384];

    (void)state;
    if (getenv("VOTESRV_BROWSER") == NULL)
        skip();
    front_up();
    journey("voter");
    {   /* the turnout chart, from the journey's casts (the officer's session above) */
        static char page[262144];

        console(page, sizeof page, "GET", "/gestion/bureau", NULL);
        assert_non_null(strstr(page, "<svg class=\"chart\" viewBox=\"0 0 640 240\" role=\"img\""));
        assert_non_null(strstr(page, "<polyline class=\"chart-line\" points=\""));
    }
    /* the same portal in the dsfr theme (tests/browser/theme.mjs) */
    theme_config("dsfr");
    daemon_restart();
    journey("theme");
    theme_config(NULL);
    /* the window's end, without waiting for it: the daemon starts again with
     * its clock past the close, and so do the tools below */
    clock_offset = (long)(closes - time(NULL)) + 2;
    front_pause();
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, NULL, 0);
    snprintf(out, sizeof out, "+%ld", clock_offset);
    setenv("FAKETIME", out, 1);
    setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
    setenv("LD_PRELOAD", FAKETIME_LIB, 1);
    snprintf(out, sizeof out, "%s/votesrv.log", dir);
    daemon_pid = tu_daemon_start(bin, cfg, out);
    unsetenv("LD_PRELOAD");
    assert_true(daemon_pid > 0);
    front_resume();
    /* the bureau seals the closing state; the officer closes and counts in the
     * console; the president and two delegates decrypt the sums */
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && export LD_PRELOAD=" FAKETIME_LIB " && "
              "V='%s/votectl -c votesrv.json' && "
              "T='%s/votetrustee --kdf interactive --passphrase-file pass' && "
              "$V seal-state close s2.json sig2.json && $V archive box.jsonl && "
              "$V ceremony export c.json && for i in 0 1 2; do "
              "$T seal c.json s2.json k$i cl$i.json box.jsonl sig2.json || exit 1; done && "
              "$V ceremony post cl0.json cl1.json cl2.json", dir, bin, bin) != 0)
        fail_msg("%s", out);
    journey("close");
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && export LD_PRELOAD=" FAKETIME_LIB " && "
              "V='%s/votectl -c votesrv.json' && "
              "T='%s/votetrustee --kdf interactive --passphrase-file pass' && "
              "$V archive final.jsonl && $V ceremony export c.json && "
              "for i in 0 1 2; do $T decrypt c.json final.jsonl k$i p$i.json || exit 1; done && "
              "$V ceremony post p0.json p1.json p2.json && $V results -", dir, bin, bin) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "\"signatures\": 1"));
    /* with a file: written, and the results printed for a person */
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && %s/votectl -c votesrv.json results r.json "
              "&& test -s r.json", dir, bin) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "results written to r.json\n"));
    assert_non_null(strstr(out, "decrypted by "));
    assert_non_null(strstr(out, ", signatures 1 (turnout "));
    assert_non_null(strstr(out, " votes   "));
    assert_null(strstr(out, "\"format\""));               /* not the JSON */
    journey("results");
    /* the browser spoke HTTP/2 to HAProxy (its request log: "%HV") */
    assert_int_equal(tu_sh(out, sizeof out, "grep -c ' HTTP/2.0$' %s/haproxy.log", dir), 0);
    assert_true(atoi(out) > 0);
    printf("   HAProxy in front: %.1f s to start it (certificate included) and wait for its "
           "health checks after restarts\n", front_s);
}

/* A name stored before the import refused them: its bidi controls and other
 * invisible characters are shown as U+FFFD, never passed to the page. */
static void test_invisible_neutralised(void **state)
{
    html h;
    char *out;

    (void)state;
    html_init(&h);
    html_text(&h, "\xe2\x80\xae" "nitraM <b>\xe2\x81\xa6" "x\xe2\x81\xa9 L\xc3\xa9" "a\xe2\x80\x8f"
                  "\xef\xbb\xbf\xc2\xad\xf3\xa0\x80\x81 N\xe2\x80\x99" "Diaye");
    out = html_finish(&h);
    assert_non_null(out);
    assert_string_equal(out, "\xef\xbf\xbd" "nitraM &lt;b&gt;\xef\xbf\xbd" "x\xef\xbf\xbd L\xc3\xa9"
                             "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd N\xe2\x80\x99"
                             "Diaye");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invisible_neutralised),
        cmocka_unit_test(test_headers_and_pages),
        cmocka_unit_test(test_forms_refused),
        cmocka_unit_test(test_link_rate_page),
        cmocka_unit_test(test_vote_without_session),
        cmocka_unit_test(test_login_throttle_page),
        cmocka_unit_test(test_consoles),
        cmocka_unit_test(test_support_and_audit),
        cmocka_unit_test(test_audit_chain_incremental),
        cmocka_unit_test(test_observer),
        cmocka_unit_test(test_officer_outcomes),
        cmocka_unit_test(test_theme),
        cmocka_unit_test(test_login_wait_cookie_cleared),
        cmocka_unit_test(test_browser_journey),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
