/* GET / - the election: who organises it, when the vote is open, the scrutins
 * with their lists and professions de foi, and how to get in. */
#include "pages.h"

#include <string.h>
#include "election/election.h"
#include "votesrv/server.h"

static void state_line(html *h, http_request *req, const election_status *st)
{
    const char *s = st->state;

    if (st->suspended) {
        portal_notice(h, "info", L(req, MSG_HOME_VOTING_SUSPENDED_MOMENT));
        if (st->notice[0] != '\0') {
            html_raw(h, "<p>");
            html_text(h, st->notice);
            html_raw(h, "</p>");
        }
    } else if (strcmp(s, "open") == 0) {
        portal_notice(h, "ok", L(req, MSG_HOME_VOTING_OPEN));
    } else if (strcmp(s, "closed") == 0 || strcmp(s, "tallied") == 0) {
        portal_notice(h, "info", L(req, MSG_HOME_VOTING_CLOSED_COUNT_UNDER));
    } else if (strcmp(s, "published") == 0 || strcmp(s, "purged") == 0) {
        portal_notice(h, "info", L(req, MSG_HOME_VOTING_CLOSED_RESULTS_PUBLISHED));
    } else {
        portal_notice(h, "info", L(req, MSG_HOME_VOTING_NOT_OPEN_YET));
    }
}

static void scrutin_section(html *h, http_request *req, const def_scrutin *s)
{
    html_raw(h, "<section class=\"scrutin\"><h3>");
    html_text(h, s->title);
    html_fmt(h, "</h3><p>%s %d</p><ul class=\"lists\">", L(req, MSG_HOME_SEATS_FILL), s->seats);
    for (size_t l = 0; l < s->nlists; l++) {
        html_raw(h, "<li>");
        html_text(h, s->lists[l].name);
        if (s->lists[l].union_name != NULL) {
            html_raw(h, " <span class=\"union\">(");
            html_text(h, s->lists[l].union_name);
            html_raw(h, ")</span>");
        }
        if (s->lists[l].profession_de_foi != NULL) {
            html_raw(h, " — <a href=\"/professions/");
            html_text(h, s->id);
            html_fmt(h, "/%zu\">%s", l + 1, L(req, MSG_HOME_PROFESSION_DE_FOI));
            html_fmt(h, "<span class=\"sr\"> %s ", L(req, MSG_HOME_OF));
            html_text(h, s->lists[l].name);
            html_raw(h, "</span>");
            if (server_document_label(s->lists[l].profession_de_foi) != NULL)
                html_fmt(h, " (%s)", server_document_label(s->lists[l].profession_de_foi));
            html_raw(h, "</a>");
        }
        html_raw(h, "</li>");
    }
    html_raw(h, "</ul></section>");
}

void page_home(http_request *req, http_response *res)
{
    election_status st;
    def_election d;
    char err[DEF_ERR_CHARS];
    portal_page p = { .title = NULL };
    html h;

    if (election_status_get(req->ctx->store, &st) != STORE_OK ||
        election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    html_init(&h);
    p.title = L(req, MSG_HOME_WELCOME);
    portal_begin(&h, req, res, &p);
    state_line(&h, req, &st);
    if (req->ctx->cfg->mail.demo_mailbox)       /* the demo's mail stays on the server */
        html_fmt(&h, "<p class=\"demo\">%s <a href=\"/demo/courrier\">%s</a></p>",
                 L(req, MSG_DEMO_MAIL_HOME), L(req, MSG_DEMO_MAIL_TITLE));
    html_fmt(&h, "<p>%s ", L(req, MSG_HOME_VOTING_OPEN_FROM));
    portal_instant(&h, req, d.opens);
    html_fmt(&h, " %s ", L(req, MSG_HOME_TO));
    portal_instant(&h, req, d.closes);
    html_raw(&h, L(req, MSG_HOME_PARIS_TIME));
    html_fmt(&h, "<h2>%s</h2><ol class=\"steps\">", L(req, MSG_HOME_HOW_VOTE));
    html_fmt(&h, "<li>%s</li>", L(req, MSG_HOME_ACTIVATE_ACCOUNT_LINK_SENT));
    html_fmt(&h, "<li>%s</li>", L(req, MSG_HOME_KEEP_PAPER_NOTICE_HANDED));
    html_fmt(&h, "<li>%s</li></ol>", L(req, MSG_HOME_DURING_VOTE_LOG_CHOOSE));
    html_fmt(&h, "<p class=\"actions\"><a class=\"button\" href=\"/connexion\">%s</a> "
             "<a href=\"/acces\">%s</a></p>", L(req, MSG_PORTAL_LOG_IN),
             L(req, MSG_HOME_I_NO_LINK_EXPIRED));
    html_fmt(&h, "<h2>%s</h2>", L(req, MSG_HOME_SCRUTINS));
    for (size_t i = 0; i < d.nscrutins; i++)
        scrutin_section(&h, req, &d.scrutins[i]);
    def_free(&d);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
