/* GET /compte - my account: number, addresses, défi question; POST
 * /compte/mot-de-passe and /compte/defi change them (the current password,
 * and for the défi the current answer too); either ends the voter's other
 * sessions. */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "election/election.h"
#include "votesrv/api.h"

typedef struct {
    const char *ok, *pw_top, *pw_current, *pw_new, *pw_confirm;
    const char *defi_top, *defi_pw, *defi_current, *defi_q, *defi_answer;
    const char *current_value, *answer_value;   /* kept after a refusal of something else */
    int question;                               /* the question chosen, or -1 */
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

/* What one history event says, by its kind and details. */
static const char *history_text(http_request *req, const access_history_event *e)
{
    switch (e->kind) {
    case ACCESS_HISTORY_LINK_SENT:
        if (e->by_support)
            return L(req, e->activation ? MSG_HISTORY_ACTIVATION_LINK_SUPPORT
                                        : MSG_HISTORY_PASSWORD_LINK_SUPPORT);
        if (e->one_address)
            return L(req, e->activation ? MSG_HISTORY_ACTIVATION_LINK_ASKED
                                        : MSG_HISTORY_PASSWORD_LINK_ASKED);
        return L(req, e->activation ? MSG_HISTORY_ACTIVATION_LINK_SENT
                                    : MSG_HISTORY_PASSWORD_LINK_SENT);
    case ACCESS_HISTORY_ACTIVATED: return L(req, MSG_HISTORY_ACTIVATED);
    case ACCESS_HISTORY_PASSWORD_RESET: return L(req, MSG_HISTORY_PASSWORD_RESET);
    case ACCESS_HISTORY_PASSWORD_CHANGED: return L(req, MSG_HISTORY_PASSWORD_CHANGED);
    case ACCESS_HISTORY_DEFI_CHANGED: return L(req, MSG_HISTORY_DEFI_CHANGED);
    case ACCESS_HISTORY_DEFI_RESET: return L(req, MSG_HISTORY_DEFI_RESET);
    case ACCESS_HISTORY_UNLOCKED: return L(req, MSG_HISTORY_UNLOCKED);
    case ACCESS_HISTORY_LOCKED:
        return L(req, e->lock == ACCESS_LOCK_DEFI ? MSG_HISTORY_LOCKED_DEFI
                      : e->lock == ACCESS_LOCK_CODE ? MSG_HISTORY_LOCKED_CODE
                                                    : MSG_HISTORY_LOCKED_ACCOUNT);
    case ACCESS_HISTORY_CODE_REQUESTED:
        return L(req, e->by_support ? MSG_HISTORY_CODE_REQUESTED_SUPPORT
                                    : MSG_HISTORY_CODE_REQUESTED);
    case ACCESS_HISTORY_CODE_REISSUED: return L(req, MSG_HISTORY_CODE_REISSUED);
    case ACCESS_HISTORY_VOTED: return L(req, MSG_HISTORY_VOTED);
    }
    return "";
}

/* "Historique de mon compte": dated, oldest first; a vote names its scrutin
 * (its title) and never more. */
static void history_section(html *h, http_request *req, const access_history *hist,
                            const def_election *d)
{
    html_fmt(h, "<section aria-labelledby=\"history\"><h2 id=\"history\">%s</h2>",
             L(req, MSG_HISTORY_TITLE));
    if (hist->n == 0) {
        html_fmt(h, "<p>%s</p></section>", L(req, MSG_HISTORY_EMPTY));
        return;
    }
    html_fmt(h, "<p>%s</p><ol class=\"history\">", L(req, MSG_HISTORY_PARIS_TIME));
    for (size_t i = 0; i < hist->n; i++) {
        const access_history_event *e = &hist->events[i];

        html_raw(h, "<li>");
        portal_instant(h, req, e->time);
        html_raw(h, " — ");
        html_text(h, history_text(req, e));
        if (e->kind == ACCESS_HISTORY_VOTED) {
            const def_scrutin *s = d != NULL ? def_scrutin_find(d, e->scrutin) : NULL;

            html_raw(h, " « ");
            html_text(h, s != NULL ? s->title : e->scrutin);
            html_raw(h, " »");
        }
        html_raw(h, "</li>");
    }
    html_raw(h, "</ol></section>");
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
    portal_input current = { "defi_current", NULL, "text", "off",
                             m->defi_current == NULL ? m->current_value : NULL,
                             L(req, MSG_ACCOUNT_DEFI_CURRENT_HINT), m->defi_current, 1 };
    portal_input answer = { "defi_answer", L(req, MSG_ACCOUNT_NEW_ANSWER), "text",
                            "off", m->defi_answer == NULL ? m->answer_value : NULL, NULL,
                            m->defi_answer, 1 };

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
    portal_defi_select(h, req, m->question, m->defi_q);
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

static void render(http_request *req, http_response *res, const account_msgs *m, int status)
{
    portal_page p = { .title = L(req, MSG_PORTAL_MY_ACCOUNT), .nav = 1 };
    int64_t voter;
    access_account_info acct;
    access_history hist;
    def_election d;
    char err[DEF_ERR_CHARS];
    int have_def;
    html h;

    if (portal_voter(req, res, &voter) != 0)
        return;
    if (access_account(req->ctx->access, voter, &acct) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    if (access_history_read(req->ctx->access, voter, &hist) != STORE_OK) {
        access_account_free(&acct);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    have_def = election_definition(req->ctx->store, &d, err, sizeof err) == 0;
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (m->ok != NULL)
        portal_notice(&h, "ok", m->ok);
    details(&h, req, &acct);
    password_form(&h, req, res, m);
    defi_form(&h, req, res, m, &acct);
    history_section(&h, req, &hist, have_def ? &d : NULL);
    access_history_free(&hist);
    if (have_def)
        def_free(&d);
    access_account_free(&acct);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

void page_account(http_request *req, http_response *res)
{
    account_msgs m = { .question = -1 };

    render(req, res, &m, 200);
}

void page_account_password_post(http_request *req, http_response *res)
{
    const char *cur = portal_form(req, "current", ACCESS_PASSWORD_MAX);
    account_msgs m = { .question = -1 };
    const char *pw = portal_new_password(req, &m.pw_new, &m.pw_confirm);
    access_caller who = { req->session, req->client };
    int64_t voter;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0 || portal_voter(req, res, &voter) != 0)
        return;
    if (pw == NULL) {
        render(req, res, &m, 400);
        return;
    }
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
    render(req, res, &m, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}

void page_account_defi_post(http_request *req, http_response *res)
{
    const char *cur = portal_form(req, "defi_password", ACCESS_PASSWORD_MAX);
    const char *answer = portal_form(req, "defi_answer", ACCESS_ANSWER_MAX);
    const char *current = portal_form(req, "defi_current", ACCESS_ANSWER_MAX);
    int q = portal_defi_question(req);
    access_caller who = { req->session, req->client };
    account_msgs m = { .current_value = current, .answer_value = answer, .question = q };
    int64_t voter;
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0 || portal_voter(req, res, &voter) != 0)
        return;
    if (q < 0) {
        m.defi_q = i18n_text(MSG_DEFI_QUESTION, req->lang);
        render(req, res, &m, 400);
        return;
    }
    rc = access_change_defi(req->ctx->access, voter, &who, cur ? cur : "",
                            current ? current : "", q, answer ? answer : "", api_now(), &r);
    if (rc == ACCESS_OK) {
        m.ok = L(req, MSG_ACCOUNT_CHALLENGE_QUESTION_CHANGED_OTHER);
        m.current_value = m.answer_value = NULL;   /* done: the form starts afresh */
        m.question = -1;
    } else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_CREDENTIALS)
        m.defi_pw = wrong_current(req);
    else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_DEFI_WRONG)
        m.defi_current = portal_access_message(req, rc, r.code);
    else if (rc == ACCESS_REFUSED && r.code == ACCESS_E_DEFI_ANSWER)
        *(new_answer_ok(answer) ? &m.defi_current : &m.defi_answer) =
            portal_access_message(req, rc, r.code);
    else
        m.defi_top = portal_access_message(req, rc, r.code);
    render(req, res, &m, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}
