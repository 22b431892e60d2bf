/* GET /espace - the voter's voting space: their scrutins, whether they have
 * voted in each (never how), and the way to vote or to check. */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "election/election.h"

static void scrutin_row(html *h, http_request *req, const def_scrutin *s, int voted, int open)
{
    html_raw(h, "<li class=\"scrutin\"><h2>");
    html_text(h, s->title);
    html_raw(h, "</h2>");
    if (voted) {
        html_fmt(h, "<p class=\"status done\">%s</p>",
                 L(req, MSG_SPACE_VOTED_VOTE_FINAL));
    } else if (open) {
        html_fmt(h, "<p class=\"status\">%s</p><p><a class=\"button\" href=\"/vote/",
                 L(req, MSG_SPACE_NOT_VOTED_YET));
        html_text(h, s->id);
        html_fmt(h, "\">%s<span class=\"sr\"> : ", L(req, MSG_SPACE_VOTE));
        html_text(h, s->title);
        html_raw(h, "</span></a></p>");
    } else {
        html_fmt(h, "<p class=\"status\">%s</p>", L(req, MSG_SPACE_VOTING_NOT_OPEN));
    }
    html_raw(h, "</li>");
}

int page_space(http_request *req, http_response *res)
{
    int64_t voter;
    json_t *acct, *v;
    def_election d;
    election_status st;
    char err[DEF_ERR_CHARS];
    portal_page p = { .title = L(req, MSG_PORTAL_MY_VOTING_SPACE), .nav = 1 };
    size_t i;
    int open;
    html h;

    if (portal_voter(req, res, &voter) != 0)
        return 0;
    if (access_account(req->ctx->access, voter, &acct) != STORE_OK ||
        election_status_get(req->ctx->store, &st) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    if (election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        json_decref(acct);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    open = strcmp(st.state, "open") == 0 && !st.suspended;
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (st.suspended)
        portal_notice(&h, "info", i18n_text(MSG_VOTE_SUSPENDED, req->lang));
    html_raw(&h, "<ul class=\"scrutins\">");
    json_array_foreach(json_object_get(acct, "scrutins"), i, v) {
        const def_scrutin *s = def_scrutin_find(&d, json_string_value(json_object_get(v, "id")));

        if (s != NULL)
            scrutin_row(&h, req, s, json_is_true(json_object_get(v, "voted")), open);
    }
    html_raw(&h, "</ul>");
    if (json_array_size(json_object_get(acct, "scrutins")) == 0)
        html_fmt(&h, "<p>%s</p>", L(req, MSG_SPACE_NOT_CALLED_VOTE_ANY));
    html_fmt(&h, "<p><a href=\"/code\">%s</a></p>",
             L(req, MSG_SPACE_I_LOST_MY_NOTICE));
    json_decref(acct);
    def_free(&d);
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, 200);
}
