/* GET/POST /gestion/connexion - staff log in with their login, password and
 * the code of their authenticator app; POST /gestion/deconnexion. GET
 * /gestion sends a staff member to their console. */
#include "pages.h"

#include <sodium.h>
#include "console.h"
#include "votesrv/api.h"
#include "votesrv/log.h"

static void render(http_request *req, http_response *res, const char *login, const char *top_err,
                   int status)
{
    portal_page p = { .title = L(req, MSG_STAFF_LOGIN_MANAGEMENT_CONSOLE_LOG) };
    portal_input id = { "login", L(req, MSG_STAFF_LOGIN_LOGIN), "text", "username", login,
                        NULL, NULL, 1 };
    portal_input pw = { "password", L(req, MSG_STAFF_LOGIN_PASSWORD), "password",
                        "current-password", NULL, NULL, NULL, 1 };
    portal_input otp = { "code", L(req, MSG_STAFF_LOGIN_ONE_TIME_CODE), "text",
                         "one-time-code", NULL,
                         L(req, MSG_STAFF_LOGIN_6_DIGITS_AUTHENTICATOR_APP), NULL, 1 };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (top_err != NULL)
        portal_notice(&h, "error", top_err);
    html_fmt(&h, "<p>%s</p>", L(req, MSG_STAFF_LOGIN_SUPPORT_CELL_ELECTION_OFFICERS));
    html_raw(&h, "<form method=\"post\" action=\"/gestion/connexion\" novalidate>");
    portal_csrf_field(&h, req, res);
    portal_field(&h, &id);
    portal_field(&h, &pw);
    portal_field(&h, &otp);
    html_fmt(&h, "<button type=\"submit\">%s</button></form>", L(req, MSG_PORTAL_LOG_IN));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

void page_staff_login(http_request *req, http_response *res)
{
    render(req, res, NULL, NULL, 200);
}

void page_staff_login_post(http_request *req, http_response *res)
{
    const char *login = portal_form(req, "login", STAFF_LOGIN_MAX);
    const char *pw = portal_form(req, "password", ACCESS_PASSWORD_MAX);
    const char *code = portal_form(req, "code", 16);
    char session[ACCESS_TOKEN_CHARS + 1];
    staff_member who;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0)
        return;
    if (login == NULL || pw == NULL || code == NULL) {
        render(req, res, login, L(req, MSG_CREDENTIALS), 400);
        return;
    }
    rc = staff_login(req->ctx->access, login, pw, code, req->client, api_now(), session, &who,
                     &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_FACTOR_LOCKED)   /* the officers' alert */
        log_event("error", "staff-second-factor-locked", json_pack("{s:s}", "login", login));
    if (rc != ACCESS_OK) {
        res->retry_after = rc == ACCESS_REFUSED ? r.retry_after : 0;
        render(req, res, login, portal_access_message(req, rc, r.code),
               rc != ACCESS_REFUSED ? 503 : r.code == ACCESS_E_FACTOR_LOCKED ? 423 : 401);
        return;
    }
    console_cookie(res, session);
    sodium_memzero(session, sizeof session);
    http_redirect(res, console_home(&who));
}

void page_staff_logout_post(http_request *req, http_response *res)
{
    const char *session = http_cookie(req, CONSOLE_COOKIE);

    if (portal_csrf_check(req, res) != 0)
        return;
    if (session != NULL && staff_logout(req->ctx->access, session) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    console_cookie(res, NULL);
    http_redirect(res, "/gestion/connexion");
}

void page_staff_home(http_request *req, http_response *res)
{
    static const char *const any[] = { STAFF_ROLE_SUPPORT, STAFF_ROLE_OFFICER,
                                       STAFF_ROLE_AUDITOR, STAFF_ROLE_OBSERVER, NULL };
    staff_member who;

    if (console_staff(req, res, &who, any) == 0)
        http_redirect(res, console_home(&who));
}
