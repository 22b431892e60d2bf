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

static int render(http_request *req, http_response *res, const password_form *f, int status)
{
    portal_page p = { L(req, "Choisir un nouveau mot de passe", "Choose a new password"), 0,
                      NULL, NULL };
    portal_input pw = { "password", L(req, "Nouveau mot de passe « élections »",
                                      "New \"elections\" password"),
                        "password", "new-password", NULL,
                        L(req, "Au moins 12 caractères ; une phrase de plusieurs mots est plus "
                               "facile à retenir.",
                          "At least 12 characters; a phrase of several words is easier to "
                          "remember."), f->pw_err, 1 };
    portal_input confirm = { "password2", L(req, "Confirmez le mot de passe",
                                            "Confirm the password"),
                             "password", "new-password", NULL, NULL, f->confirm_err, 1 };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (f->done) {
        portal_notice(&h, "ok", L(req, "Votre mot de passe est changé.",
                                  "Your password is changed."));
        html_fmt(&h, "<p><a class=\"button\" href=\"/connexion\">%s</a></p>",
                 L(req, "Se connecter", "Log in"));
    } else if (f->token == NULL) {
        portal_notice(&h, "error", i18n_text(MSG_LINK_INVALID, req->lang));
        html_fmt(&h, "<p><a href=\"/mot-de-passe-oublie\">%s</a></p>",
                 L(req, "Demander un nouveau lien", "Ask for a new link"));
    } else {
        if (f->top_err != NULL)
            portal_notice(&h, "error", f->top_err);
        html_raw(&h, "<form method=\"post\" action=\"/mot-de-passe\" novalidate>");
        portal_csrf_field(&h, req, res);
        html_raw(&h, "<input type=\"hidden\" name=\"t\" value=\"");
        html_text(&h, f->token);
        html_raw(&h, "\">");
        portal_field(&h, &pw);
        portal_field(&h, &confirm);
        html_fmt(&h, "<button type=\"submit\">%s</button></form>",
                 L(req, "Enregistrer", "Save"));
    }
    portal_end(&h, req);
    return portal_send(req, res, &h, status);
}

int pg_password(http_request *req, http_response *res)
{
    password_form f = { portal_link_token(http_query(req, "t")), NULL, NULL, NULL, 0 };

    return render(req, res, &f, f.token ? 200 : 410);
}

int pg_password_post(http_request *req, http_response *res)
{
    password_form f = { portal_link_token(portal_form(req, "t", ACCESS_TOKEN_CHARS)), NULL, NULL, NULL,
                        0 };
    const char *pw = portal_form(req, "password", ACCESS_PASSWORD_MAX);
    const char *pw2 = portal_form(req, "password2", ACCESS_PASSWORD_MAX);
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0)
        return 0;
    if (f.token == NULL)
        return render(req, res, &f, 410);
    if (pw == NULL || pw[0] == '\0')
        f.pw_err = L(req, "Choisissez un mot de passe.", "Choose a password.");
    else if (pw2 == NULL || strcmp(pw, pw2) != 0)
        f.confirm_err = L(req, "Les deux mots de passe ne sont pas identiques.",
                          "The two passwords differ.");
    if (f.pw_err || f.confirm_err)
        return render(req, res, &f, 400);
    rc = access_reset_password(req->ctx->access, f.token, pw, api_now(), &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_LINK_INVALID)
        f.token = NULL;
    else if (rc == ACCESS_REFUSED && r.code >= ACCESS_E_PASSWORD_SHORT &&
             r.code <= ACCESS_E_PASSWORD_ENCODING)
        f.pw_err = portal_access_message(req, rc, r.code);
    else if (rc != ACCESS_OK)
        f.top_err = portal_access_message(req, rc, r.code);
    f.done = rc == ACCESS_OK;
    return render(req, res, &f, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}
