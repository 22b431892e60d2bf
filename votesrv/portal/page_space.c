/* GET /espace - the voter's voting space: their scrutins, whether they have
 * voted in each (never how), and the way to vote or to check. */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "box/box.h"
#include "election/election.h"
#include "votesrv/api.h"

static void scrutin_row(html *h, http_request *req, const def_scrutin *s,
                        box_cast_verdict verdict, const char *who)
{
    /* data-*: the receipt this device kept (space.mjs) */
    html_fmt(h, "<li class=\"scrutin\" data-who=\"%s\"%s data-scrutin=\"", who,
             verdict == BOX_CAST_ALREADY_VOTED ? " data-voted" : "");
    html_text(h, s->id);
    html_raw(h, "\"><h2>");
    html_text(h, s->title);
    html_raw(h, "</h2>");
    if (verdict == BOX_CAST_ALREADY_VOTED) {
        html_fmt(h, "<p class=\"status done\">%s</p>",
                 L(req, MSG_SPACE_VOTED_VOTE_FINAL));
    } else if (verdict == BOX_CAST_ALLOWED) {
        html_fmt(h, "<p class=\"status\">%s</p><p><a class=\"button\" href=\"/vote/",
                 L(req, MSG_SPACE_NOT_VOTED_YET));
        html_text(h, s->id);
        html_fmt(h, "\">%s<span class=\"sr\"> : ", L(req, MSG_SPACE_VOTE));
        html_text(h, s->title);
        html_raw(h, "</span></a></p>");
    } else if (verdict == BOX_CAST_ENDED || verdict == BOX_CAST_CLOSED) {
        html_fmt(h, "<p class=\"status\">%s</p>", i18n_text(api_cast_msg(verdict), req->lang));
    } else {
        html_fmt(h, "<p class=\"status\">%s</p>", L(req, MSG_SPACE_VOTING_NOT_OPEN));
    }
    html_raw(h, "</li>");
}

void page_space(http_request *req, http_response *res)
{
    int64_t voter;
    access_account_info acct;
    def_election d;
    election_status st;
    char err[DEF_ERR_CHARS];
    portal_page p = { .title = L(req, MSG_PORTAL_MY_VOTING_SPACE), .nav = 1,
                      .script = "space.mjs" };
    char who[33];
    box_cast_verdict verdict;
    html h;

    if (portal_voter(req, res, &voter) != 0)
        return;
    if (access_account(req->ctx->access, voter, &acct) != STORE_OK ||
        election_status_get(req->ctx->store, &st) != STORE_OK) {
        access_account_free(&acct);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    if (election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        access_account_free(&acct);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    portal_voter_tag(who, req, voter);
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (st.suspended)
        portal_notice(&h, "info", i18n_text(MSG_VOTE_SUSPENDED, req->lang));
    html_raw(&h, "<ul class=\"scrutins\">");
    for (size_t i = 0; i < acct.nscrutins; i++) {
        const def_scrutin *s = def_scrutin_find(&d, acct.scrutins[i].id);

        if (s == NULL)
            continue;
        if (box_cast_check(req->ctx->store, &d, voter, s->id, api_now(), &verdict) != STORE_OK)
            verdict = BOX_CAST_NOT_OPEN;        /* no way to vote shown without an answer */
        scrutin_row(&h, req, s, verdict, who);
    }
    html_raw(&h, "</ul>");
    if (acct.nscrutins == 0)
        html_fmt(&h, "<p>%s</p>", L(req, MSG_SPACE_NOT_CALLED_VOTE_ANY));
    html_fmt(&h, "<p><a href=\"/code\">%s</a></p>",
             L(req, MSG_SPACE_I_LOST_MY_NOTICE));
    access_account_free(&acct);
    def_free(&d);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
