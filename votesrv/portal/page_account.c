/* GET /compte - my account: number, addresses, défi question; POST
 * /compte/mot-de-passe and /compte/defi change them (the current password,
 * and for the défi the current answer too); either ends the voter's other
 * sessions. */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "votesrv/api.h"

typedef struct {
    const char *ok, *pw_top, *pw_current, *pw_new, *pw_confirm;
    const char *defi_top, *defi_pw, *defi_current, *defi_q, *defi_answer;
} account_msgs;

static void details(html *h, http_request *req, const access_account_info *acct)
{
    const char *lang = req->lang == LANG_EN ? "en" : "fr";

    html_fmt(h, "<dl><dt>%s</dt><dd>", L(req, MSG_ACCOUNT_VOTER_NUMBER));
    html_text(h, acct->number);
    html_fmt(h, "</dd><dt>%s</dt>", L(req, MSG_ACCOUNT_PROFESSIONAL_ADDRESSES));
    for (size_t i = 0; i < acct->nemails; i++) {
        html_raw(h, "<dd>");
        html_text(h, acct->emails[i]);
        html_raw(h, "</dd>");
    }
    html_fmt(h, "<dt>%s</dt><dd>", L(req, MSG_ACCOUNT_CHALLENGE_QUESTION));
    html_text(h, acct->defi_question >= 0
                 ? access_defi_question((size_t)acct->defi_question, lang)
                 : L(req, MSG_ACCOUNT_NONE_ACTIVATION_LINK_LETS));
    html_raw(h, "</dd></dl>");
}

static void password_form(html *h, http_request *req, http_response *res, const account_msgs *m)
{
    portal_input cur = { "current", L(req, MSG_ACCOUNT_CURRENT_PASSWORD),
                         "password", "current-password", NULL, NULL, m->pw_current, 1 };

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_ACCOUNT_CHANGE_PASSWORD));
    if (m->pw_top != NULL)
        portal_notice(h, "error", m->pw_top);
    html_raw(h, "<form method=\"post\" action=\"/compte/mot-de-passe\" novalidate>");
    portal_csrf_field(h, req, res);
    portal_field(h, &cur);
    portal_new_password_fields(h, req, L(req, MSG_ACCOUNT_NEW_PASSWORD), m->pw_new,
                               m->pw_confirm);
    html_fmt(h, "<button type=\"submit\">%s</button></form>",
             L(req, MSG_ACCOUNT_CHANGE_PASSWORD_BUTTON));
}

static void defi_form(html *h, http_request *req, http_response *res, const account_msgs *m,
                      const access_account_info *acct)
{
    /* a second form on the page: its fields get their own ids */
    portal_input cur = { "defi_password", L(req, MSG_ACCOUNT_CURRENT_PASSWORD),
                         "password", "current-password", NULL, NULL, m->defi_pw, 1 };
    int q = acct->defi_question;
    portal_input current = { "defi_current", NULL, "text", "off", NULL,
                             L(req, MSG_ACCOUNT_DEFI_CURRENT_HINT), m->defi_current, 1 };
    portal_input answer = { "defi_answer", L(req, MSG_ACCOUNT_NEW_ANSWER), "text",
                            "off", NULL, NULL, m->defi_answer, 1 };

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_ACCOUNT_CHANGE_CHALLENGE_QUESTION));
    if (m->defi_top != NULL)
        portal_notice(h, "error", m->defi_top);
    html_raw(h, "<form method=\"post\" action=\"/compte/defi\" novalidate>");
    portal_csrf_field(h, req, res);
    portal_field(h, &cur);
    if (q >= 0) {            /* none after the support cell reset it */
        current.label = access_defi_question((size_t)q, req->lang == LANG_EN ? "en" : "fr");
        portal_field(h, &current);
    }
    portal_defi_select(h, req, -1, m->defi_q);
    portal_field(h, &answer);
    html_fmt(h, "<button type=\"submit\">%s</button></form>",
             L(req, MSG_ACCOUNT_CHANGE_DEFI_BUTTON));
}

/* Which of the two answers a DEFI_ANSWER refusal is about. */
static int new_answer_ok(const char *answer)
{
    char norm[ACCESS_ANSWER_MAX + 1];
    int ok = answer != NULL && access_defi_normalize(norm, sizeof norm, answer) == 0;

    sodium_memzero(norm, sizeof norm);
    return ok;
}

static const char *wrong_current(http_request *req)
{
    return L(req, MSG_ACCOUNT_CURRENT_PASSWORD_WRONG);
}

static int render(http_request *req, http_response *res, const account_msgs *m, int status)
{
    portal_page p = { .title = L(req, MSG_PORTAL_MY_ACCOUNT), .nav = 1 };
    int64_t voter;
    access_account_info acct;
    html h;

    if (portal_voter(req, res, &voter) != 0)
        return 0;
    if (access_account(req->ctx->access, voter, &acct) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (m->ok != NULL)
        portal_notice(&h, "ok", m->ok);
    details(&h, req, &acct);
    password_form(&h, req, res, m);
    defi_form(&h, req, res, m, &acct);
    access_account_free(&acct);
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, status);
}

int page_account(http_request *req, http_response *res)
{
    account_msgs m = { 0 };

    return render(req, res, &m, 200);
}

int page_account_password_post(http_request *req, http_response *res)
{
    const char *cur = portal_form(req, "current", ACCESS_PASSWORD_MAX);
    account_msgs m = { 0 };
    const char *pw = portal_new_password(req, &m.pw_new, &m.pw_confirm);
    access_caller who = { req->session, req->client };
    int64_t voter;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0 || portal_voter(req, res, &voter) != 0)
        return 0;
    if (pw == NULL)
        return render(req, res, &m, 400);
    rc = access_change_password(req->ctx->access, voter, &who, cur ? cur : "", pw, api_now(),
                                &r);
    if (rc == ACCESS_OK)
        m.ok = L(req, MSG_ACCOUNT_PASSWORD_CHANGED_OTHER_SESSIONS);
    else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_CREDENTIALS)
        m.pw_current = wrong_current(req);
    else if (portal_password_refused(rc, r.code))
        m.pw_new = portal_access_message(req, rc, r.code);
    else
        m.pw_top = portal_access_message(req, rc, r.code);
    return render(req, res, &m, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}

int page_account_defi_post(http_request *req, http_response *res)
{
    const char *cur = portal_form(req, "defi_password", ACCESS_PASSWORD_MAX);
    const char *answer = portal_form(req, "defi_answer", ACCESS_ANSWER_MAX);
    const char *current = portal_form(req, "defi_current", ACCESS_ANSWER_MAX);
    int q = portal_defi_question(req);
    access_caller who = { req->session, req->client };
    account_msgs m = { 0 };
    int64_t voter;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0 || portal_voter(req, res, &voter) != 0)
        return 0;
    if (q < 0) {
        m.defi_q = i18n_text(MSG_DEFI_QUESTION, req->lang);
        return render(req, res, &m, 400);
    }
    rc = access_change_defi(req->ctx->access, voter, &who, cur ? cur : "",
                            current ? current : "", q, answer ? answer : "", api_now(), &r);
    if (rc == ACCESS_OK)
        m.ok = L(req, MSG_ACCOUNT_CHALLENGE_QUESTION_CHANGED_OTHER);
    else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_CREDENTIALS)
        m.defi_pw = wrong_current(req);
    else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_DEFI_WRONG)
        m.defi_current = portal_access_message(req, rc, r.code);
    else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_DEFI_ANSWER)
        *(new_answer_ok(answer) ? &m.defi_current : &m.defi_answer) =
            portal_access_message(req, rc, r.code);
    else
        m.defi_top = portal_access_message(req, rc, r.code);
    return render(req, res, &m, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}
