/* GET /donnees-personnelles - personal data, said plainly: who is
 * responsible (the controller and the data-protection officer, from the
 * configuration's personal_data; else the organiser and the support cell),
 * what is kept and why, on what legal basis, who receives it, until when
 * (the end of the recourse period, then the purge), the voter's rights and
 * how to use them, and the cookies the portal sets (all strictly necessary). */
#include "pages.h"

#include <stdio.h>
#include <string.h>
#include "console.h"
#include "election/election.h"

static void section(html *h, http_request *req, msg_id title, const msg_id *paras, size_t n)
{
    html_fmt(h, "<h2>%s</h2>", L(req, title));
    for (size_t i = 0; i < n; i++) {
        html_raw(h, "<p>");
        html_text(h, L(req, paras[i]));
        html_raw(h, "</p>");
    }
}

static void contact(html *h, const char *c)
{
    html_raw(h, "<a href=\"");
    if (strncmp(c, "https://", 8) != 0)
        html_raw(h, "mailto:");
    html_text(h, c);
    html_raw(h, "\">");
    html_text(h, c);
    html_raw(h, "</a>");
}

static void who(html *h, http_request *req, const config *cfg, const def_election *d)
{
    html_fmt(h, "<h2>%s</h2><dl><dt>%s</dt><dd>", L(req, MSG_PD_WHO),
             L(req, MSG_PD_CONTROLLER));
    html_text(h, cfg->pd_controller[0] ? cfg->pd_controller : d != NULL ? d->organiser : "");
    html_fmt(h, "</dd><dt>%s</dt><dd>", L(req, MSG_PD_DPO));
    if (cfg->pd_dpo[0]) {
        html_text(h, cfg->pd_dpo);
        html_raw(h, " — ");
        contact(h, cfg->pd_dpo_contact);
    } else {
        html_text(h, L(req, MSG_PD_DPO_UNSET));
        if (d != NULL) {
            html_raw(h, " ");
            contact(h, d->support_email);
        }
    }
    html_raw(h, "</dd></dl>");
}

static void retention(html *h, http_request *req, const def_election *d)
{
    char date[PORTAL_INSTANT_CHARS], msg[300];

    html_fmt(h, "<h2>%s</h2><p>", L(req, MSG_PD_RETENTION));
    if (d != NULL) {
        portal_instant_text(date, req, d->closes + (int64_t)d->recourse_days * 86400);
        snprintf(msg, sizeof msg, L(req, MSG_PD_RETENTION_DATE), date);
        html_text(h, msg);
    } else {
        html_text(h, L(req, MSG_PD_RETENTION_UNTIL));
        html_raw(h, ".");
    }
    html_fmt(h, " %s</p><p>%s</p>", L(req, MSG_PD_RETENTION_PURGE),
             L(req, MSG_PD_RETENTION_KEPT));
}

static void cookies(html *h, http_request *req)
{
    static const struct {
        const char *name;
        msg_id what, lasts;
    } c[] = {
        { "votesrv_session", MSG_PD_COOKIE_SESSION, MSG_PD_COOKIE_SESSION_LASTS },
        { PORTAL_CSRF_COOKIE, MSG_PD_COOKIE_CSRF, MSG_PD_COOKIE_CSRF_LASTS },
        { "votesrv_lang", MSG_PD_COOKIE_LANG, MSG_PD_COOKIE_LANG_LASTS },
        { CONSOLE_COOKIE, MSG_PD_COOKIE_STAFF, MSG_PD_COOKIE_STAFF_LASTS },
    };

    html_fmt(h, "<h2 id=\"cookies\">%s</h2><p>%s</p><table><caption>%s</caption><thead><tr>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "</tr></thead><tbody>", L(req, MSG_PD_COOKIES), L(req, MSG_PD_COOKIES_INTRO),
             L(req, MSG_PD_COOKIES_CAPTION), L(req, MSG_PD_COOKIE_NAME),
             L(req, MSG_PD_COOKIE_PURPOSE), L(req, MSG_PD_COOKIE_LASTS));
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        html_fmt(h, "<tr><th scope=\"row\"><code>%s</code></th><td>%s</td><td>%s</td></tr>",
                 c[i].name, L(req, c[i].what), L(req, c[i].lasts));
    html_raw(h, "</tbody></table>");
}

void page_privacy(http_request *req, http_response *res)
{
    static const msg_id purposes[] = { MSG_PD_PURPOSES_1, MSG_PD_PURPOSES_2 };
    static const msg_id data[] = { MSG_PD_DATA_1, MSG_PD_DATA_2 };
    static const msg_id basis[] = { MSG_PD_BASIS_1 };
    static const msg_id recipients[] = { MSG_PD_RECIPIENTS_1, MSG_PD_RECIPIENTS_2 };
    static const msg_id rights[] = { MSG_PD_RIGHTS_1, MSG_PD_RIGHTS_2, MSG_PD_RIGHTS_3 };
    portal_page p = { .title = L(req, MSG_PD_TITLE) };
    def_election d;
    char err[DEF_ERR_CHARS];
    int have = election_definition(req->ctx->store, &d, err, sizeof err) == 0;
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    who(&h, req, req->ctx->cfg, have ? &d : NULL);
    section(&h, req, MSG_PD_PURPOSES, purposes, sizeof purposes / sizeof purposes[0]);
    section(&h, req, MSG_PD_DATA, data, sizeof data / sizeof data[0]);
    section(&h, req, MSG_PD_BASIS, basis, sizeof basis / sizeof basis[0]);
    section(&h, req, MSG_PD_RECIPIENTS, recipients, sizeof recipients / sizeof recipients[0]);
    retention(&h, req, have ? &d : NULL);
    section(&h, req, MSG_PD_RIGHTS, rights, sizeof rights / sizeof rights[0]);
    cookies(&h, req);
    if (have)
        def_free(&d);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
