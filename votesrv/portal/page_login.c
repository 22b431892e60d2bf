/* GET/POST /connexion - log in with the professional address and the
 * "elections" password; POST /deconnexion - log out. A refusal never says
 * whether the address or the password was wrong. */
#include "pages.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "access/access.h"
#include "election/election.h"
#include "votesrv/api.h"

/* The scrutin a voter comes back to after logging in (?scrutin= on the page,
 * the form's field "scrutin"): one of the election's, else NULL. */
static const def_scrutin *scrutin_back(const portal_page *p, const char *id)
{
    return id != NULL && p->has_def ? def_scrutin_find(&p->def, id) : NULL;
}

static void render(http_request *req, http_response *res, const char *identifier,
                   const char *top_err, int status)
{
    portal_page p = { .title = L(req, MSG_PORTAL_LOG_IN), .script = "login-wait.mjs" };
    const char *back = http_query(req, "scrutin"), *lost = http_query(req, "vote");
    const def_scrutin *s;
    char self[STORE_SCRUTIN_CHARS + 64];
    portal_input id = { "identifier", L(req, MSG_LOGIN_PROFESSIONAL_E_MAIL_ADDRESS),
                        "email", "username", identifier, NULL, NULL, 1 };
    portal_input pw = { "password", L(req, MSG_PORTAL_ELECTIONS_PASSWORD),
                        "password", "current-password", NULL, NULL, NULL, 1 };
    int refused = top_err != NULL && status < 500;    /* either field may be wrong */
    html h;

    if (back == NULL)
        back = portal_form(req, "scrutin", STORE_SCRUTIN_CHARS);
    lost = lost != NULL && strcmp(lost, "perdu") == 0 ? "&vote=perdu" : "";
    if (back != NULL && strlen(back) <= STORE_SCRUTIN_CHARS &&
        strspn(back, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
        strlen(back)) {                  /* the language switch keeps the way back */
        snprintf(self, sizeof self, "/connexion?scrutin=%s%s", back, lost);
        p.self = self;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    s = scrutin_back(&p, back);
    /* from a cast whose session had expired: nothing was recorded */
    if (s != NULL && top_err == NULL && lost[0] != '\0')
        portal_notice(&h, "error", L(req, MSG_LOGIN_VOTE_NOT_RECORDED));
    if (top_err != NULL)
        portal_notice(&h, "error", top_err);
    if (s != NULL) {
        html_fmt(&h, "<p>%s <strong>", L(req, MSG_LOGIN_BACK_TO_SCRUTIN));
        html_text(&h, s->title);
        html_raw(&h, "</strong></p>");
    }
    /* login-wait.mjs's words, in the page's language */
    html_raw(&h, "<form method=\"post\" action=\"/connexion\" novalidate id=\"login\" "
             "data-auto=\"");
    html_text(&h, L(req, MSG_LOGIN_BUSY_AUTO));
    html_raw(&h, "\" data-cancel=\"");
    html_text(&h, L(req, MSG_LOGIN_BUSY_CANCEL));
    html_raw(&h, "\" data-cancelled=\"");
    html_text(&h, L(req, MSG_LOGIN_BUSY_CANCELLED));
    html_raw(&h, "\">");
    portal_csrf_field(&h, req, res);
    if (s != NULL) {
        html_raw(&h, "<input type=\"hidden\" name=\"scrutin\" value=\"");
        html_text(&h, s->id);
        html_raw(&h, "\">");
    }
    (refused ? portal_field_refused : portal_field)(&h, &id);
    (refused ? portal_field_refused : portal_field)(&h, &pw);
    html_fmt(&h, "<button type=\"submit\">%s</button>"
             "<div id=\"login-wait\" role=\"status\"></div></form>", L(req, MSG_PORTAL_LOG_IN));
    html_fmt(&h, "<ul class=\"links\"><li><a href=\"/mot-de-passe-oublie\">%s</a></li>"
             "<li><a href=\"/acces\">%s</a></li></ul>",
             L(req, MSG_LOGIN_FORGOTTEN_REFUSED_PASSWORD),
             L(req, MSG_LOGIN_ACCOUNT_NOT_ACTIVATED_YET));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

/* A refusal for too many attempts says how long to wait, and the way out:
 * a password link logs the voter in whatever the count (access.h). */
static const char *wait_message(http_request *req, int code, int64_t wait, char *buf, size_t n)
{
    int64_t minutes = (wait + 59) / 60, hours = (wait + 3599) / 3600;
    int en = req->lang == LANG_EN;
    char span[64];

    if (wait < 60)
        snprintf(span, sizeof span, en ? "%lld second%s" : "%lld seconde%s", (long long)wait,
                 wait > 1 ? "s" : "");
    else if (minutes < 120)
        snprintf(span, sizeof span, "%lld minute%s", (long long)minutes, minutes > 1 ? "s" : "");
    else
        snprintf(span, sizeof span, en ? "%lld hours" : "%lld heures", (long long)hours);
    snprintf(buf, n, L(req, code == ACCESS_E_LOCKED ? MSG_LOGIN_LOCKED_WAIT
                                                     : MSG_LOGIN_THROTTLED_WAIT), span);
    return buf;
}

/* The login refused at once because Argon2id's queue is full (BUSY): a 503
 * with Retry-After, the form again (the address kept, never the password)
 * under a notice saying when to try again. With JavaScript (login-wait.mjs)
 * the form is sent by fetch, so a refusal keeps the password in its field
 * and the page sends it again by itself after Retry-After, which it counts
 * down and the voter may cancel. */
static void render_wait(http_request *req, http_response *res, const char *id, int64_t wait,
                        int64_t position)
{
    char span[64], msg[600], place[300];

    if (wait < 1)
        wait = 1;
    snprintf(span, sizeof span, req->lang == LANG_EN ? "%lld second%s" : "%lld seconde%s",
             (long long)wait, wait > 1 ? "s" : "");
    snprintf(msg, sizeof msg, L(req, MSG_LOGIN_BUSY_WAIT), span);
    if (position > 0) {                  /* a place is kept: say which */
        snprintf(place, sizeof place, L(req, MSG_LOGIN_QUEUE_PLACE), (long long)position);
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " %s", place);
    }
    res->retry_after = wait;
    render(req, res, id, msg, 503);
}

/* The place booked in a rush: its ticket in a cookie only POST /connexion
 * gets back (the JavaScript's fetch and the plain form alike), HttpOnly;
 * removed by any answer but another BUSY. */
static void wait_cookie(http_request *req, http_response *res, const access_login_place *p)
{
    if (p != NULL && p->ticket[0] != '\0')
        http_cookie_set(res, "votesrv_wait=%s; Path=/connexion; HttpOnly; Secure; "
                        "SameSite=Strict", p->ticket);
    else if (http_cookie(req, "votesrv_wait") != NULL)
        http_cookie_set(res, "votesrv_wait=; Path=/connexion; Max-Age=0; HttpOnly; Secure; "
                        "SameSite=Strict");
}

void page_login(http_request *req, http_response *res)
{
    render(req, res, NULL, NULL, 200);
}

/* After the login: back to the scrutin the voter came from, else the space. */
static void login_done(http_request *req, http_response *res)
{
    const char *id = portal_form(req, "scrutin", STORE_SCRUTIN_CHARS);
    char err[DEF_ERR_CHARS], to[160];
    def_election d;

    http_redirect(res, "/espace");
    if (id == NULL || election_definition(req->ctx->store, &d, err, sizeof err) != 0)
        return;
    if (def_scrutin_find(&d, id) != NULL) {
        snprintf(to, sizeof to, "/vote/%s", def_scrutin_find(&d, id)->id);
        http_redirect(res, to);
    }
    def_free(&d);
}

void page_login_post(http_request *req, http_response *res)
{
    const char *id = portal_form(req, "identifier", ACCESS_IDENTIFIER_MAX);
    const char *pw = portal_form(req, "password", ACCESS_PASSWORD_MAX);
    char session[ACCESS_TOKEN_CHARS + 1];
    access_login_place place;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0) {
        wait_cookie(req, res, NULL);
        return;
    }
    if (id == NULL || pw == NULL || id[0] == '\0' || pw[0] == '\0') {
        wait_cookie(req, res, NULL);
        render(req, res, id, L(req, MSG_CREDENTIALS), 400);
        return;
    }
    rc = access_login_queued(req->ctx->access, id, pw, req->client, api_now(),
                             http_cookie(req, "votesrv_wait"), &place, session, &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_BUSY) {
        wait_cookie(req, res, &place);
        render_wait(req, res, id, r.retry_after, place.ticket[0] != '\0' ? place.position : 0);
        return;
    }
    wait_cookie(req, res, NULL);
    if (rc != ACCESS_OK) {
        char msg[500];
        int wait = rc == ACCESS_REFUSED && r.retry_after > 0 &&
                   (r.code == ACCESS_E_THROTTLED || r.code == ACCESS_E_LOCKED);

        res->retry_after = rc == ACCESS_REFUSED ? r.retry_after : 0;
        render(req, res, id, wait ? wait_message(req, r.code, r.retry_after, msg, sizeof msg)
                                  : portal_access_message(req, rc, r.code),
               rc == ACCESS_REFUSED ? 401 : 503);
        return;
    }
    api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    login_done(req, res);
}

void page_logout_post(http_request *req, http_response *res)
{
    if (portal_csrf_check(req, res) != 0)
        return;
    if (req->session != NULL && access_logout(req->ctx->access, req->session) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    api_session_cookie(res, NULL);
    http_redirect(res, "/");
}
