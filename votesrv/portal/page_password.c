/* GET/POST /mot-de-passe?t=TOKEN - the password reassort link of the mail: a
 * new "elections" password; every open session of the voter ends. */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "votesrv/api.h"

typedef struct {
    const char *token, *pw_err, *confirm_err, *top_err;
    int done;
} password_form;

static void render(http_request *req, http_response *res, const password_form *f, int status)
{
    portal_page p = { .title = L(req, MSG_REASSORT_CHOOSE_NEW_PASSWORD) };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (f->done) {
        portal_notice(&h, "ok", L(req, MSG_REASSORT_PASSWORD_CHANGED));
        html_fmt(&h, "<p><a class=\"button\" href=\"/espace\">%s</a></p>",
                 L(req, MSG_PORTAL_MY_VOTING_SPACE));
    } else if (f->token == NULL) {
        portal_link_invalid(&h, req, "/mot-de-passe-oublie");
    } else {
        if (f->top_err != NULL)
            portal_notice(&h, "error", f->top_err);
        portal_link_form(&h, req, res, "/mot-de-passe", f->token);
        portal_new_password_fields(&h, req, L(req, MSG_REASSORT_NEW_ELECTIONS_PASSWORD),
                                   f->pw_err, f->confirm_err);
        html_fmt(&h, "<button type=\"submit\">%s</button></form>",
                 L(req, MSG_REASSORT_SAVE));
    }
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

void page_password(http_request *req, http_response *res)
{
    password_form f = { portal_link_token(http_query(req, "t")), NULL, NULL, NULL, 0 };

    if (page_link_dead(req, res, f.token, STORE_LINK_PASSWORD,
                       L(req, MSG_REASSORT_CHOOSE_NEW_PASSWORD), "/mot-de-passe-oublie"))
        return;
    render(req, res, &f, f.token ? 200 : 410);
}

void page_password_post(http_request *req, http_response *res)
{
    password_form f = { portal_link_token(portal_form(req, "t", ACCESS_TOKEN_CHARS)), NULL,
                        NULL, NULL, 0 };
    const char *pw = portal_new_password(req, &f.pw_err, &f.confirm_err);
    char session[ACCESS_TOKEN_CHARS + 1] = "";
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0)
        return;
    if (f.token == NULL) {
        render(req, res, &f, 410);
        return;
    }
    if (pw == NULL) {
        render(req, res, &f, 400);
        return;
    }
    rc = access_reset_password(req->ctx->access, f.token, pw, api_now(), session, &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_LINK_INVALID)
        f.token = NULL;
    else if (portal_password_refused(rc, r.code))
        f.pw_err = portal_access_message(req, rc, r.code);
    else if (rc != ACCESS_OK)
        f.top_err = portal_access_message(req, rc, r.code);
    f.done = rc == ACCESS_OK;
    if (f.done)                  /* the link proved the mailbox: the voter is in */
        api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    render(req, res, &f, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}
