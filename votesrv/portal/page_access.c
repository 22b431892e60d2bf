/* GET/POST /acces - "I have no link": a new one-time activation link to a
 * voter's professional address; GET/POST /mot-de-passe-oublie - the password
 * reassort, a one-time link to set a new password. Both behind the ALTCHA
 * proof of work, and both answer the same whether or not the address is a
 * voter's; past the address's hourly rate, both say to wait and for how long
 * (429, Retry-After). */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "votesrv/api.h"

typedef struct {
    const char *identifier;      /* what was typed, shown again */
    const char *field_err, *top_err;
    int done;
    int64_t retry_after;         /* seconds before asking again, or 0 */
} access_form;

/* The ALTCHA widget (npm "altcha", served from /static with its French
 * strings: static/access.mjs), in the page's language. */
static void altcha_widget(html *h, http_request *req)
{
    html_fmt(h, "<div class=\"field\"><altcha-widget challengeurl=\"/api/v1/access/challenge\" "
                "name=\"altcha\" hidelogo hidefooter language=\"%s\"></altcha-widget>"
                "<noscript><p class=\"hint\">%s</p></noscript></div>",
             L(req, MSG_ACCESS_WIDGET_LANGUAGE),
             L(req, MSG_ACCESS_ANTI_ROBOT_CHECK_NEEDS));
}

static int render(http_request *req, http_response *res, int purpose, const access_form *f,
                  int status)
{
    int activation = purpose == STORE_LINK_ACTIVATION;
    portal_page p = {
        .title = activation ? L(req, MSG_PORTAL_GET_ACCESS_LINK)
                            : L(req, MSG_ACCESS_FORGOTTEN_REFUSED_PASSWORD),
        .script = "access.mjs", .style = "altcha.css" };
    portal_input id = { "identifier", L(req, MSG_ACCESS_PROFESSIONAL_E_MAIL_ADDRESS),
                        "email", "email", f->identifier, NULL, f->field_err, 1 };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (f->done) {
        portal_notice(&h, "ok", L(req, MSG_LINK_SENT));
        html_fmt(&h, "<p>%s</p>", L(req, MSG_ACCESS_REMEMBER_LOOK_JUNK_MAIL));
        portal_end(&h, req, &p);
        return portal_send(req, res, &h, status);
    }
    if (f->top_err != NULL)
        portal_notice(&h, "error", f->top_err);
    if (f->retry_after > 0) {
        long long minutes = (f->retry_after + 59) / 60;

        html_fmt(&h, "<p class=\"error\" id=\"retry-after\">%s %lld %s</p>",
                 L(req, MSG_ACCESS_MAY_TRY_AGAIN), minutes,
                 minutes > 1 ? "minutes" : "minute");
    }
    html_fmt(&h, "<p>%s</p>",
             activation ? L(req, MSG_ACCESS_NEW_ACTIVATION_LINK_SENT)
                        : L(req, MSG_ACCESS_LINK_CHOOSE_NEW_PASSWORD));
    html_fmt(&h, "<form method=\"post\" action=\"%s\" novalidate>",
             activation ? "/acces" : "/mot-de-passe-oublie");
    portal_csrf_field(&h, req, res);
    portal_field(&h, &id);
    altcha_widget(&h, req);
    html_fmt(&h, "<button type=\"submit\">%s</button></form>",
             L(req, MSG_ACCESS_SEND_ME_LINK));
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, status);
}

static int show(http_request *req, http_response *res, int purpose)
{
    access_form f = { NULL, NULL, NULL, 0, 0 };

    return render(req, res, purpose, &f, 200);
}

static int post(http_request *req, http_response *res, int purpose)
{
    access_form f = { portal_form(req, "identifier", ACCESS_IDENTIFIER_MAX), NULL, NULL, 0, 0 };
    const char *altcha = portal_form(req, "altcha", 2048);
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0)
        return 0;
    if (f.identifier == NULL || f.identifier[0] == '\0') {
        f.field_err = L(req, MSG_ACCESS_TYPE_PROFESSIONAL_ADDRESS);
        return render(req, res, purpose, &f, 400);
    }
    r.code = ACCESS_E_CHALLENGE;                  /* no solution sent */
    rc = altcha != NULL ? access_challenge_use(req->ctx->access, altcha, api_now(), &r)
                        : ACCESS_REFUSED;
    if (rc == ACCESS_OK)
        rc = access_request_link(req->ctx->access, f.identifier, purpose, req->client,
                                 api_now(), &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_CREDENTIALS) {
        f.field_err = L(req, MSG_ACCESS_NOT_E_MAIL_ADDRESS);
        return render(req, res, purpose, &f, 400);
    }
    if (rc == ACCESS_REFUSED && (r.code == ACCESS_E_LINK_RATE || r.code == ACCESS_E_THROTTLED)) {
        /* never silence: the voter is told to wait, and for how long */
        f.top_err = portal_access_message(req, rc, r.code);
        f.retry_after = res->retry_after = r.retry_after;
        return render(req, res, purpose, &f, 429);
    }
    if (rc != ACCESS_OK) {
        f.top_err = portal_access_message(req, rc, r.code);
        return render(req, res, purpose, &f, rc == ACCESS_REFUSED ? 400 : 503);
    }
    f.done = 1;
    return render(req, res, purpose, &f, 200);
}

int page_access(http_request *req, http_response *res)
{
    return show(req, res, STORE_LINK_ACTIVATION);
}

int page_access_post(http_request *req, http_response *res)
{
    return post(req, res, STORE_LINK_ACTIVATION);
}

int page_reassort(http_request *req, http_response *res)
{
    return show(req, res, STORE_LINK_PASSWORD);
}

int page_reassort_post(http_request *req, http_response *res)
{
    return post(req, res, STORE_LINK_PASSWORD);
}
