/* The support cell's console. GET /gestion/assistance?q= finds voters by
 * name, number or address; GET /gestion/assistance/{number} shows where one
 * stands (activation, locks, mail waiting, signature list), their history
 * from the audit log and the actions that apply to them: a new link, a reset
 * défi, a new vote code, unlocking. An action's form (its reason) POSTs to
 * the file, which answers a confirmation page; its "Confirmer" POSTs again
 * with confirm=1 and acts ("Annuler" is a link back). Each action needs a
 * reason and is audited under the agent's login; the page then says what was
 * done, and that a mail is queued, not delivered. No page shows a secret, a
 * tracker or a choice. */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "access/support.h"
#include "console.h"
#include "votesrv/api.h"

static const char *const support_only[] = { STAFF_ROLE_SUPPORT, NULL };

static const struct {
    const char *name;                 /* the form's "action" */
    support_action action;
    msg_id button, help, confirm, why_not;
} actions[] = {
    { "lien", SUPPORT_LINK, MSG_SUPPORT_ACTION_LINK, MSG_SUPPORT_ACTION_LINK_HELP,
      MSG_SUPPORT_CONFIRM_LINK, MSG_SUPPORT_WHY_NO_LINK },
    { "defi", SUPPORT_DEFI, MSG_SUPPORT_ACTION_DEFI, MSG_SUPPORT_ACTION_DEFI_HELP,
      MSG_SUPPORT_CONFIRM_DEFI, MSG_SUPPORT_WHY_NO_DEFI },
    { "code", SUPPORT_CODE, MSG_SUPPORT_ACTION_CODE, MSG_SUPPORT_ACTION_CODE_HELP,
      MSG_SUPPORT_CONFIRM_CODE, MSG_SUPPORT_WHY_NO_CODE },
    { "deblocage", SUPPORT_UNLOCK, MSG_SUPPORT_ACTION_UNLOCK, MSG_SUPPORT_ACTION_UNLOCK_HELP,
      MSG_SUPPORT_CONFIRM_UNLOCK, MSG_SUPPORT_WHY_NO_UNLOCK },
};
#define NACTIONS (sizeof actions / sizeof actions[0])

/* The history's events and how the file names them. */
static const struct {
    const char *event, *detail;       /* detail: NULL for any */
    msg_id label;
} history_labels[] = {
    { "link-sent", "password", MSG_SUPPORT_EV_LINK_PASSWORD },
    { "link-sent", NULL, MSG_SUPPORT_EV_LINK_ACTIVATION },
    { "link-used", NULL, MSG_SUPPORT_EV_LINK_USED },
    { "link-refused", NULL, MSG_SUPPORT_EV_LINK_REFUSED },
    { "password-set", NULL, MSG_SUPPORT_EV_PASSWORD_SET },
    { "password-reset", NULL, MSG_SUPPORT_EV_PASSWORD_RESET },
    { "password-changed", NULL, MSG_SUPPORT_EV_PASSWORD_CHANGED },
    { "defi-changed", NULL, MSG_SUPPORT_EV_DEFI_CHANGED },
    { "account-locked", NULL, MSG_SUPPORT_EV_ACCOUNT_LOCKED },
    { "defi-locked", NULL, MSG_SUPPORT_EV_DEFI_LOCKED },
    { "code-locked", NULL, MSG_SUPPORT_EV_CODE_LOCKED },
    { "code-reissue-requested", NULL, MSG_SUPPORT_EV_CODE_REQUESTED },
    { "support-link", NULL, MSG_SUPPORT_EV_SUPPORT_LINK },
    { "support-defi-reset", NULL, MSG_SUPPORT_EV_SUPPORT_DEFI },
    { "support-unlock", NULL, MSG_SUPPORT_EV_SUPPORT_UNLOCK },
};

static void search_form(html *h, http_request *req, const char *q)
{
    portal_input in = { "q", L(req, MSG_SUPPORT_SURNAME_VOTER_NUMBER_E),
                        "search", "off", q,
                        L(req, MSG_SUPPORT_START_SURNAME_DO),
                        NULL, 1 };

    html_raw(h, "<form method=\"get\" action=\"/gestion/assistance\" role=\"search\">");
    portal_field(h, &in);
    html_fmt(h, "<button type=\"submit\">%s</button></form>", L(req, MSG_SUPPORT_SEARCH));
}

static void results(html *h, http_request *req, const support_cards *list)
{
    if (list->n == 0) {
        portal_notice(h, "info", L(req, MSG_SUPPORT_NO_VOTER_MATCHES));
        return;
    }
    html_fmt(h, "<table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "</tr></thead><tbody>", L(req, MSG_SUPPORT_VOTERS_FOUND),
             L(req, MSG_SUPPORT_NAME), L(req, MSG_SUPPORT_NUMBER),
             L(req, MSG_SUPPORT_ADDRESS), L(req, MSG_PORTAL_ESTABLISHMENT));
    for (size_t i = 0; i < list->n; i++) {
        const support_card *v = &list->cards[i];

        html_raw(h, "<tr><td>");
        html_text(h, v->surname);
        html_raw(h, " ");
        html_text(h, v->given_names);
        html_raw(h, "</td><td><a href=\"/gestion/assistance/");
        html_text(h, v->number);
        html_raw(h, "\">");
        html_text(h, v->number);
        html_raw(h, "</a></td><td>");
        html_text(h, v->email);
        html_raw(h, "</td><td>");
        html_text(h, v->establishment);
        html_raw(h, "</td></tr>");
    }
    html_raw(h, "</tbody></table>");
}

void page_support(http_request *req, http_response *res)
{
    staff_member who;
    portal_page p = { .title = L(req, MSG_SUPPORT_SUPPORT_CELL), .staff = &who };
    const char *q = http_query(req, "q");
    support_cards list = { .n = 0 };
    int rc = 0;
    html h;

    if (console_staff(req, res, &who, support_only) != 0)
        return;
    if (q != NULL && q[0] != '\0' && (rc = support_find(req->ctx->access, q, &list)) < 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    search_form(&h, req, q);
    if (rc == ACCESS_REFUSED)
        portal_notice(&h, "error", L(req, MSG_BAD_QUERY));
    else if (q != NULL && q[0] != '\0')
        results(&h, req, &list);
    support_cards_free(&list);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, rc == ACCESS_REFUSED ? 400 : 200);
}

/* ---- one voter ---- */

static const char *yes_no(http_request *req, int yes)
{
    return yes ? L(req, MSG_SUPPORT_YES) : L(req, MSG_SUPPORT_NO);
}

static void row(html *h, const char *label, const char *value)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_raw(h, "</dt><dd>");
    html_text(h, value);
    html_raw(h, "</dd>");
}

static void lock_row(html *h, http_request *req, const char *label, int64_t until)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_raw(h, "</dt><dd>");
    if (until > 0) {
        html_raw(h, L(req, MSG_SUPPORT_LOCKED_UNTIL));
        portal_instant(h, req, until);
    } else {
        html_raw(h, L(req, MSG_SUPPORT_NOT_LOCKED));
    }
    html_raw(h, "</dd>");
}

static void status_list(html *h, http_request *req, const portal_page *p, const support_voter *v)
{
    char name[512];

    snprintf(name, sizeof name, "%s %s", v->card.surname, v->card.given_names);
    html_fmt(h, "<h2>%s</h2><dl class=\"status\">", L(req, MSG_SUPPORT_STATUS));
    row(h, L(req, MSG_SUPPORT_NAME), name);
    row(h, L(req, MSG_SUPPORT_NUMBER), v->card.number);
    row(h, L(req, MSG_PORTAL_ESTABLISHMENT), v->card.establishment);
    for (size_t i = 0; i < v->nemails; i++)
        row(h, L(req, MSG_SUPPORT_ADDRESS), v->emails[i]);
    row(h, L(req, MSG_SUPPORT_STRUCK_OFF_LIST), yes_no(req, v->struck));
    row(h, L(req, MSG_SUPPORT_ACCOUNT_ACTIVATED), yes_no(req, v->activated));
    row(h, L(req, MSG_SUPPORT_DEFI_QUESTION_CHOSEN), yes_no(req, v->defi_set));
    row(h, L(req, MSG_SUPPORT_VOTE_CODE_ISSUED), yes_no(req, v->code_set));
    lock_row(h, req, L(req, MSG_SUPPORT_LOGIN), v->login_locked_until);
    lock_row(h, req, L(req, MSG_SUPPORT_VOTE_CODE_ENTRY), v->code_locked_until);
    lock_row(h, req, L(req, MSG_SUPPORT_CHALLENGE_ANSWER), v->defi_locked_until);
    if (v->mail_waiting > 0) {
        char waiting[160];

        snprintf(waiting, sizeof waiting, L(req, MSG_SUPPORT_MAIL_WAITING_N),
                 (unsigned long long)v->mail_waiting);
        row(h, L(req, MSG_SUPPORT_MAIL_WAITING), waiting);
    } else {
        row(h, L(req, MSG_SUPPORT_MAIL_WAITING), L(req, MSG_SUPPORT_MAIL_WAITING_NONE));
    }
    html_raw(h, "</dl>");
    html_fmt(h, "<h2>%s</h2><ul>", L(req, MSG_SUPPORT_SIGNATURE_LIST));
    for (size_t i = 0; i < v->nscrutins; i++) {
        html_raw(h, "<li>");
        html_text(h, portal_scrutin_title(p, v->scrutins[i].id));
        html_raw(h, " : ");
        html_raw(h, v->scrutins[i].voted ? L(req, MSG_SUPPORT_VOTED) : L(req, MSG_SUPPORT_NOT_VOTED));
        html_raw(h, "</li>");
    }
    html_raw(h, "</ul>");
}

static void history_table(html *h, http_request *req, const support_history *hist)
{
    html_fmt(h, "<h2>%s</h2>", L(req, MSG_SUPPORT_HISTORY));
    if (hist->n == 0) {
        html_fmt(h, "<p>%s</p>", L(req, MSG_SUPPORT_HISTORY_EMPTY));
        return;
    }
    html_fmt(h, "<table class=\"history\"><caption>%s</caption><thead><tr>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th></tr></thead><tbody>",
             L(req, MSG_SUPPORT_HISTORY_CAPTION), L(req, MSG_SUPPORT_DATE),
             L(req, MSG_SUPPORT_EVENT), L(req, MSG_SUPPORT_BY), L(req, MSG_SUPPORT_REASON));
    for (size_t i = 0; i < hist->n; i++) {
        const support_event *e = &hist->ev[i];
        const char *label = e->event;

        for (size_t k = 0; k < sizeof history_labels / sizeof history_labels[0]; k++)
            if (strcmp(e->event, history_labels[k].event) == 0 &&
                (history_labels[k].detail == NULL ||
                 strcmp(e->detail, history_labels[k].detail) == 0)) {
                label = L(req, history_labels[k].label);
                break;
            }
        html_raw(h, "<tr><td>");
        portal_rfc3339(h, e->time);
        html_raw(h, "</td><td>");
        html_text(h, label);
        if (strcmp(e->event, "link-refused") == 0 && e->detail[0] != '\0') {
            html_raw(h, " (");
            html_text(h, e->detail);
            html_raw(h, ")");
        }
        html_raw(h, "</td><td>");
        html_text(h, e->agent[0] != '\0' ? e->agent : "\xe2\x80\x94");
        html_raw(h, "</td><td>");
        html_text(h, e->reason[0] != '\0' ? e->reason : "\xe2\x80\x94");
        html_raw(h, "</td></tr>");
    }
    html_raw(h, "</tbody></table>");
    if (hist->more)
        html_fmt(h, "<p class=\"hint\">%s</p>", L(req, MSG_SUPPORT_HISTORY_MORE));
}

/* One form per action that applies, each with its own reason field; then
 * why the others do not. */
static void action_forms(html *h, http_request *req, http_response *res, const char *number,
                         const support_voter *v, const char *failed, const char *err)
{
    unsigned useful = support_actions_useful(v);
    int skipped = 0;

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_SUPPORT_ACTIONS));
    if (v->struck) {
        html_fmt(h, "<p>%s</p>", L(req, MSG_SUPPORT_NONE_STRUCK));
        return;
    }
    html_fmt(h, "<p>%s</p>", L(req, MSG_SUPPORT_EACH_ACTION_RECORDED_AUDIT));
    for (size_t i = 0; i < NACTIONS; i++) {
        int bad = failed != NULL && strcmp(failed, actions[i].name) == 0;

        if (!(useful & (1u << actions[i].action)))
            continue;
        html_raw(h, "<form method=\"post\" class=\"action\" novalidate action=\"/gestion/assistance/");
        html_text(h, number);
        html_raw(h, "\">");
        portal_csrf_field(h, req, res);
        html_fmt(h, "<input type=\"hidden\" name=\"action\" value=\"%s\">", actions[i].name);
        html_fmt(h, "<h3>%s</h3><p class=\"hint\" id=\"r-%s-hint\">%s</p>",
                 L(req, actions[i].button), actions[i].name,
                 L(req, actions[i].help));
        html_fmt(h, "<div class=\"field%s\"><label for=\"r-%s\">%s</label>", bad ? " invalid" : "",
                 actions[i].name, L(req, MSG_SUPPORT_REASON));
        if (bad) {
            html_fmt(h, "<p class=\"error\" id=\"r-%s-err\">", actions[i].name);
            html_text(h, err);
            html_raw(h, "</p>");
        }
        html_fmt(h, "<textarea id=\"r-%s\" name=\"reason\" rows=\"2\" maxlength=\"%d\" required "
                 "aria-describedby=\"r-%s-hint%s%s%s\"%s></textarea></div>",
                 actions[i].name, SUPPORT_REASON_MAX, actions[i].name, bad ? " r-" : "",
                 bad ? actions[i].name : "", bad ? "-err" : "",
                 bad ? " aria-invalid=\"true\"" : "");
        html_fmt(h, "<button type=\"submit\">%s</button></form>",
                 L(req, actions[i].button));
    }
    for (size_t i = 0; i < NACTIONS; i++) {
        if (useful & (1u << actions[i].action))
            continue;
        if (!skipped++)
            html_fmt(h, "<h3>%s</h3><ul class=\"not-useful\">", L(req, MSG_SUPPORT_NOT_USEFUL));
        html_fmt(h, "<li>%s : %s</li>", L(req, actions[i].button),
                 L(req, actions[i].action == SUPPORT_CODE && !v->code_window
                            ? MSG_SUPPORT_WHY_NO_CODE_WINDOW : actions[i].why_not));
    }
    if (skipped)
        html_raw(h, "</ul>");
}

/* A voter's file that cannot be read: 404 for a number nobody has, else 503. */
static void voter_unknown_or_unavailable(http_request *req, http_response *res, int rc)
{
    http_error(req, res, rc == STORE_ENOTFOUND ? 404 : 503,
               rc == STORE_ENOTFOUND ? MSG_NOT_FOUND : MSG_UNAVAILABLE);
}

/* The voter's file for an agent console_staff let in. */
static void render_voter(http_request *req, http_response *res, const staff_member *who,
                         const char *done, const char *failed, const char *err, int status)
{
    portal_page p = { .title = L(req, MSG_SUPPORT_VOTER_FILE), .staff = who };
    const char *number = req->params[0];
    support_history *hist;
    support_voter v;
    int rc;
    html h;

    if ((hist = malloc(sizeof *hist)) == NULL) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    rc = support_status(req->ctx->access, number, api_now(), &v);
    if (rc == STORE_OK)
        rc = support_history_get(req->ctx->access, number, hist);
    if (rc != STORE_OK) {
        support_voter_free(&v);
        free(hist);
        voter_unknown_or_unavailable(req, res, rc);
        return;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (done != NULL)
        portal_notice(&h, "ok", done);
    else if (err != NULL && failed == NULL)
        portal_notice(&h, "error", err);
    status_list(&h, req, &p, &v);
    action_forms(&h, req, res, number, &v, failed, err);
    history_table(&h, req, hist);
    html_fmt(&h, "<p><a href=\"/gestion/assistance\">%s</a></p>",
             L(req, MSG_SUPPORT_NEW_SEARCH));
    support_voter_free(&v);
    free(hist);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

void page_support_voter(http_request *req, http_response *res)
{
    staff_member who;

    if (console_staff(req, res, &who, support_only) != 0)
        return;
    render_voter(req, res, &who, NULL, NULL, NULL, 200);
}

/* The second step: what will be done, to whom, for what reason; Confirmer
 * posts the same action and reason with confirm=1, Annuler goes back. */
static void render_confirm(http_request *req, http_response *res, const staff_member *who,
                           size_t i, const support_voter *v, const char *reason)
{
    portal_page p = { .title = L(req, MSG_SUPPORT_CONFIRM_TITLE), .staff = who };
    char whom[600], lead[800];
    html h;

    snprintf(whom, sizeof whom, "%s (%s %s)", v->card.number, v->card.surname,
             v->card.given_names);
    snprintf(lead, sizeof lead, L(req, actions[i].confirm), whom);
    html_init(&h);
    portal_begin(&h, req, res, &p);
    html_raw(&h, "<form method=\"post\" class=\"confirm\" action=\"/gestion/assistance/");
    html_text(&h, v->card.number);
    html_raw(&h, "\">");
    portal_csrf_field(&h, req, res);
    html_fmt(&h, "<input type=\"hidden\" name=\"action\" value=\"%s\">"
             "<input type=\"hidden\" name=\"confirm\" value=\"1\">", actions[i].name);
    html_raw(&h, "<input type=\"hidden\" name=\"reason\" value=\"");
    html_text(&h, reason);
    html_raw(&h, "\"><h2>");
    html_text(&h, lead);
    html_fmt(&h, "</h2><dl class=\"status\"><dt>%s</dt><dd>", L(req, MSG_SUPPORT_REASON));
    html_text(&h, reason);
    html_fmt(&h, "</dd></dl><p>%s</p><p>%s</p>", L(req, actions[i].help),
             L(req, MSG_SUPPORT_CONFIRM_NOTHING_YET));
    html_fmt(&h, "<p class=\"actions\"><button type=\"submit\">%s</button> "
             "<a class=\"button secondary\" href=\"/gestion/assistance/", L(req, MSG_SUPPORT_CONFIRM));
    html_text(&h, v->card.number);
    html_fmt(&h, "\">%s</a></p></form>", L(req, MSG_SUPPORT_CANCEL));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}

/* What was done, truly: a link is queued, not delivered. */
static msg_id done_message(support_action action, int activated)
{
    switch (action) {
    case SUPPORT_LINK:
        return activated ? MSG_SUPPORT_DONE_LINK_PASSWORD : MSG_SUPPORT_DONE_LINK_ACTIVATION;
    case SUPPORT_DEFI:
        return MSG_SUPPORT_DONE_DEFI;
    case SUPPORT_CODE:
        return MSG_SUPPORT_DONE_CODE;
    default:
        return MSG_SUPPORT_DONE_UNLOCK;
    }
}

void page_support_voter_post(http_request *req, http_response *res)
{
    const char *name = portal_form(req, "action", 16);
    const char *reason = portal_form(req, "reason", 4 * SUPPORT_REASON_MAX);
    const char *confirm = portal_form(req, "confirm", 1);
    staff_member who;
    support_voter v;
    access_result r;
    unsigned useful;
    int rc, activated;
    size_t i;

    if (portal_csrf_check(req, res) != 0 || console_staff(req, res, &who, support_only) != 0)
        return;
    for (i = 0; name != NULL && i < NACTIONS; i++)
        if (strcmp(name, actions[i].name) == 0)
            break;
    if (name == NULL || i == NACTIONS) {
        http_error(req, res, 400, MSG_FIELD);
        return;
    }
    if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0' ||
        strlen(reason) > SUPPORT_REASON_MAX) {
        render_voter(req, res, &who, NULL, name, L(req, MSG_REASON), 400);
        return;
    }
    rc = support_status(req->ctx->access, req->params[0], api_now(), &v);
    if (rc != STORE_OK) {
        support_voter_free(&v);
        voter_unknown_or_unavailable(req, res, rc);
        return;
    }
    useful = support_actions_useful(&v);
    activated = v.activated;
    if (!(useful & (1u << actions[i].action))) {
        support_voter_free(&v);
        render_voter(req, res, &who, NULL, NULL, L(req, MSG_SUPPORT_NOT_APPLICABLE), 409);
        return;
    }
    if (confirm == NULL || strcmp(confirm, "1") != 0) {
        render_confirm(req, res, &who, i, &v, reason);
        support_voter_free(&v);
        return;
    }
    support_voter_free(&v);
    rc = support_act(req->ctx->access, req->params[0], actions[i].action, who.login,
                     reason, api_now(), &r);
    if (rc == STORE_ENOTFOUND) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return;
    }
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_REASON) {
        render_voter(req, res, &who, NULL, name, L(req, MSG_REASON), 400);
        return;
    }
    if (rc != ACCESS_OK) {
        render_voter(req, res, &who, NULL, NULL, portal_access_message(req, rc, r.code),
                     rc == ACCESS_REFUSED ? 409 : 503);
        return;
    }
    render_voter(req, res, &who, L(req, done_message(actions[i].action, activated)), NULL, NULL,
                 200);
}
