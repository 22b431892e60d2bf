/* GET/POST /activation?t=TOKEN - the activation link of the mail: the voter
 * creates the "elections" password and chooses a défi question and answer. */
#include "pages.h"

#include <string.h>
#include "access/access.h"
#include "votesrv/api.h"

typedef struct {
    const char *token;
    int question;
    const char *pw_err, *confirm_err, *q_err, *answer_err, *top_err;
    int done;
    const char *answer;          /* kept after a refusal of something else */
} activation_form;

static void form(html *h, http_request *req, http_response *res, const activation_form *f)
{
    portal_input answer = { "defi_answer", L(req, MSG_ACTIVATION_ANSWER_CHALLENGE_QUESTION),
                            "text", "off", f->answer_err == NULL ? f->answer : NULL,
                            L(req, MSG_PORTAL_DEFI_ANSWER_HINT), f->answer_err, 1 };

    portal_link_form(h, req, res, "/activation", f->token);
    portal_new_password_fields(h, req, L(req, MSG_PORTAL_ELECTIONS_PASSWORD), f->pw_err,
                               f->confirm_err);
    portal_defi_select(h, req, f->question, f->q_err);
    portal_field(h, &answer);
    html_fmt(h, "<button type=\"submit\">%s</button></form>",
             L(req, MSG_ACTIVATION_ACTIVATE_MY_ACCOUNT));
}

static void render(http_request *req, http_response *res, const activation_form *f, int status)
{
    portal_page p = { .title = L(req, MSG_ACTIVATION_ACTIVATE_MY_ACCOUNT) };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (f->done) {
        portal_notice(&h, "ok", L(req, MSG_ACTIVATION_ACCOUNT_ACTIVATED_VOTE_ADDRESS));
        html_fmt(&h, "<p><a class=\"button\" href=\"/espace\">%s</a></p>",
                 L(req, MSG_PORTAL_MY_VOTING_SPACE));
    } else if (f->token == NULL) {
        portal_link_invalid(&h, req, "/acces");
    } else {
        if (f->top_err != NULL)
            portal_notice(&h, "error", f->top_err);
        form(&h, req, res, f);
    }
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

/* A link that no longer works says why, before its form is filled: used,
 * replaced by another, expired (when), or an account already activated. */
int page_link_dead(http_request *req, http_response *res, const char *token, int purpose,
                   const char *title, const char *again)
{
    portal_page p = { .title = title };
    access_link_state st;
    int64_t expires = 0;
    char date[PORTAL_INSTANT_CHARS], msg[400];
    html h;

    if (token == NULL ||
        access_link_check(req->ctx->access, token, purpose, api_now(), &st, &expires) != STORE_OK ||
        st == ACCESS_LINK_LIVE || st == ACCESS_LINK_UNKNOWN)
        return 0;                       /* the form, or the usual refusal */
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (st == ACCESS_LINK_EXPIRED) {
        portal_instant_text(date, req, expires);
        snprintf(msg, sizeof msg, L(req, MSG_LINK_EXPIRED_ON), date);
        portal_notice(&h, "error", msg);
    } else {
        portal_notice(&h, "error", L(req, st == ACCESS_LINK_USED ? MSG_LINK_USED
                                          : st == ACCESS_LINK_REPLACED ? MSG_LINK_REPLACED
                                                                       : MSG_LINK_ACTIVATED));
    }
    if (st == ACCESS_LINK_USED || st == ACCESS_LINK_ACTIVATED)
        html_fmt(&h, "<p><a class=\"button\" href=\"/connexion\">%s</a> <a href=\"%s\">%s</a></p>",
                 L(req, MSG_PORTAL_LOG_IN), "/mot-de-passe-oublie",
                 L(req, MSG_LINK_FORGOT_PASSWORD));
    else
        html_fmt(&h, "<p><a href=\"%s\">%s</a></p>", again, L(req, MSG_PORTAL_ASK_NEW_LINK));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 410);
    return 1;
}

void page_activation(http_request *req, http_response *res)
{
    activation_form f = { portal_link_token(http_query(req, "t")), -1, NULL, NULL, NULL, NULL,
                          NULL, 0, NULL };

    if (page_link_dead(req, res, f.token, STORE_LINK_ACTIVATION,
                       L(req, MSG_ACTIVATION_ACTIVATE_MY_ACCOUNT), "/acces"))
        return;
    render(req, res, &f, f.token ? 200 : 410);
}

/* Put the refusal next to the field it is about. */
static void place_error(http_request *req, activation_form *f, int rc, int code)
{
    const char *m = portal_access_message(req, rc, code);

    if (rc != ACCESS_REFUSED)
        f->top_err = m;
    else if (portal_password_refused(rc, code))
        f->pw_err = m;
    else if (code == ACCESS_E_DEFI_QUESTION)
        f->q_err = m;
    else if (code == ACCESS_E_DEFI_ANSWER)
        f->answer_err = m;
    else
        f->top_err = m;
}

void page_activation_post(http_request *req, http_response *res)
{
    activation_form f = { portal_link_token(portal_form(req, "t", ACCESS_TOKEN_CHARS)),
                          portal_defi_question(req), NULL, NULL, NULL, NULL, NULL, 0, NULL };
    const char *pw = portal_new_password(req, &f.pw_err, &f.confirm_err);
    const char *answer = portal_form(req, "defi_answer", ACCESS_ANSWER_MAX);
    char session[ACCESS_TOKEN_CHARS + 1] = "";
    access_result r;
    int rc;

    if (portal_csrf_check(req, res) != 0)
        return;
    if (f.token == NULL) {
        render(req, res, &f, 410);
        return;
    }
    f.answer = answer;
    if (f.question < 0)
        f.q_err = L(req, MSG_DEFI_QUESTION);
    if (answer == NULL || answer[0] == '\0')
        f.answer_err = L(req, MSG_DEFI_ANSWER);
    if (pw == NULL || f.q_err || f.answer_err) {
        render(req, res, &f, 400);
        return;
    }
    rc = access_activate(req->ctx->access, f.token, pw, f.question, answer, api_now(), session,
                         &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_LINK_INVALID)
        f.token = NULL;
    else if (rc != ACCESS_OK)
        place_error(req, &f, rc, r.code);
    f.done = rc == ACCESS_OK;
    if (f.done)                  /* the link proved the mailbox: the voter is in */
        api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    render(req, res, &f, rc == ACCESS_OK ? 200 : rc == ACCESS_REFUSED ? 400 : 503);
}
