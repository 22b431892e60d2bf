/* GET/POST /code - "I lost my notice": after the défi answer, a new vote code
 * is mailed to the voter's professional address; the old one stops working.
 * Only inside the voting window: outside it the page says so, without a form. */
#include "pages.h"

#include "access/access.h"
#include "votesrv/api.h"

static void render(http_request *req, http_response *res, const char *err, const char *top_err,
                   int done, int status)
{
    portal_page p = { .title = L(req, MSG_NEWCODE_GET_NEW_VOTE_CODE),
                      .nav = 1 };
    access_account_info acct = { 0 };
    int64_t voter;
    const char *lang = req->lang == LANG_EN ? "en" : "fr";
    portal_input answer = { "defi_answer", NULL, "text", "off", NULL,
                            L(req, MSG_PORTAL_DEFI_ANSWER_HINT), err, 1 };
    html h;

    if (portal_voter(req, res, &voter) != 0)
        return;
    if (!done && access_account(req->ctx->access, voter, &acct) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (done) {
        portal_notice(&h, "ok", i18n_text(MSG_CODE_SENT, req->lang));
    } else if (p.has_def && (api_now() < p.def.opens || api_now() >= p.def.closes)) {
        portal_notice(&h, "error", top_err != NULL ? top_err
                                                   : i18n_text(MSG_REISSUE_WINDOW, req->lang));
    } else {
        if (top_err != NULL)
            portal_notice(&h, "error", top_err);
        html_fmt(&h, "<p>%s</p>", L(req, MSG_NEWCODE_CODE_SENT_BY_MAIL));
        answer.label = access_defi_question(
            (size_t)acct.defi_question, lang);
        html_raw(&h, "<form method=\"post\" action=\"/code\" novalidate>");
        portal_csrf_field(&h, req, res);
        portal_field(&h, &answer);
        html_fmt(&h, "<button type=\"submit\">%s</button></form>",
                 L(req, MSG_NEWCODE_SEND_ME_NEW_CODE));
    }
    html_fmt(&h, "<p><a href=\"/espace\">%s</a></p>", L(req, MSG_PORTAL_BACK_MY_VOTING_SPACE));
    access_account_free(&acct);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

void page_code(http_request *req, http_response *res)
{
    render(req, res, NULL, NULL, 0, 200);
}

void page_code_post(http_request *req, http_response *res)
{
    const char *answer = portal_form(req, "defi_answer", ACCESS_ANSWER_MAX);
    int64_t voter;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0 || portal_voter(req, res, &voter) != 0)
        return;
    if (answer == NULL || answer[0] == '\0') {
        render(req, res, i18n_text(MSG_DEFI_ANSWER, req->lang), NULL, 0, 400);
        return;
    }
    rc = access_code_reissue(req->ctx->access, voter, answer, req->client, api_now(), &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_DEFI_WRONG)
        render(req, res, i18n_text(MSG_DEFI_WRONG, req->lang), NULL, 0, 403);
    else if (rc != ACCESS_OK)
        render(req, res, NULL, portal_access_message(req, rc, r.code), 0,
               rc == ACCESS_REFUSED ? 400 : 503);
    else
        render(req, res, NULL, NULL, 1, 200);
}

const char *page_code_wrong_message(http_request *req, int64_t voter, char *buf, size_t n)
{
    access_history hist;
    int64_t when = -1;
    char date[PORTAL_INSTANT_CHARS];

    if (access_history_read(req->ctx->access, voter, &hist) == STORE_OK) {
        for (size_t i = 0; i < hist.n; i++)
            if (hist.events[i].kind == ACCESS_HISTORY_CODE_REISSUED)
                when = hist.events[i].time;
        access_history_free(&hist);
    }
    if (when < 0)
        return portal_access_message(req, ACCESS_REFUSED, ACCESS_E_CODE_WRONG);
    portal_instant_text(date, req, when);
    snprintf(buf, n, L(req, MSG_CODE_REPLACED_ON), date);
    return buf;
}
