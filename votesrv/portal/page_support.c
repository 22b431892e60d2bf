/* The support cell's console. GET /gestion/assistance?q= finds voters by
 * name, number or address; GET /gestion/assistance/{number} shows where one
 * stands (activation, locks, signature list) and POST to it acts: a new link,
 * a reset défi, a new vote code, unlocking. Each action needs a reason and is
 * audited under the agent's login; no page shows a secret or a choice. */
#include "pages.h"

#include <stdio.h>
#include <string.h>
#include "access/support.h"
#include "console.h"
#include "votesrv/api.h"

static const char *const support_only[] = { STAFF_ROLE_SUPPORT, NULL };

static const struct {
    const char *name;                 /* the form's "action" */
    support_action action;
    msg_id button, help;
} actions[] = {
    { "lien", SUPPORT_LINK, MSG_SUPPORT_ACTION_LINK, MSG_SUPPORT_ACTION_LINK_HELP },
    { "defi", SUPPORT_DEFI, MSG_SUPPORT_ACTION_DEFI, MSG_SUPPORT_ACTION_DEFI_HELP },
    { "code", SUPPORT_CODE, MSG_SUPPORT_ACTION_CODE, MSG_SUPPORT_ACTION_CODE_HELP },
    { "deblocage", SUPPORT_UNLOCK, MSG_SUPPORT_ACTION_UNLOCK, MSG_SUPPORT_ACTION_UNLOCK_HELP },
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

static void results(html *h, http_request *req, json_t *list)
{
    size_t i;
    json_t *v;

    if (json_array_size(list) == 0) {
        portal_notice(h, "info", L(req, MSG_SUPPORT_NO_VOTER_MATCHES));
        return;
    }
    html_fmt(h, "<table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "</tr></thead><tbody>", L(req, MSG_SUPPORT_VOTERS_FOUND),
             L(req, MSG_SUPPORT_NAME), L(req, MSG_SUPPORT_NUMBER),
             L(req, MSG_SUPPORT_ADDRESS), L(req, MSG_PORTAL_ESTABLISHMENT));
    json_array_foreach(list, i, v) {
        const char *number = json_string_value(json_object_get(v, "number"));

        html_raw(h, "<tr><td>");
        html_text(h, json_string_value(json_object_get(v, "surname")));
        html_raw(h, " ");
        html_text(h, json_string_value(json_object_get(v, "given_names")));
        html_raw(h, "</td><td><a href=\"/gestion/assistance/");
        html_text(h, number);
        html_raw(h, "\">");
        html_text(h, number);
        html_raw(h, "</a></td><td>");
        html_text(h, json_string_value(json_object_get(v, "email")));
        html_raw(h, "</td><td>");
        html_text(h, json_string_value(json_object_get(v, "establishment")));
        html_raw(h, "</td></tr>");
    }
    html_raw(h, "</tbody></table>");
}

int page_support(http_request *req, http_response *res)
{
    staff_member who;
    portal_page p = { .title = L(req, MSG_SUPPORT_SUPPORT_CELL), .staff = &who };
    const char *q = http_query(req, "q");
    json_t *list = NULL;
    int rc = 0;
    html h;

    if (console_staff(req, res, &who, support_only) != 0)
        return 0;
    if (q != NULL && q[0] != '\0' && (rc = support_find(req->ctx->access, q, &list)) < 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    search_form(&h, req, q);
    if (rc == ACCESS_REFUSED)
        portal_notice(&h, "error", L(req, MSG_BAD_QUERY));
    else if (list != NULL)
        results(&h, req, list);
    json_decref(list);
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, rc == ACCESS_REFUSED ? 400 : 200);
}

/* ---- one voter ---- */

static const char *yes_no(http_request *req, json_t *v, const char *key)
{
    return json_is_true(json_object_get(v, key)) ? L(req, MSG_SUPPORT_YES) : L(req, MSG_SUPPORT_NO);
}

static void row(html *h, const char *label, const char *value)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_raw(h, "</dt><dd>");
    html_text(h, value);
    html_raw(h, "</dd>");
}

static void lock_row(html *h, http_request *req, const char *label, json_t *v, const char *key)
{
    int64_t until = (int64_t)json_integer_value(json_object_get(v, key));

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

static void status_list(html *h, http_request *req, const portal_page *p, json_t *v)
{
    size_t i;
    json_t *e;
    char name[512];

    snprintf(name, sizeof name, "%s %s", json_string_value(json_object_get(v, "surname")),
             json_string_value(json_object_get(v, "given_names")));
    html_fmt(h, "<h2>%s</h2><dl class=\"status\">", L(req, MSG_SUPPORT_STATUS));
    row(h, L(req, MSG_SUPPORT_NAME), name);
    row(h, L(req, MSG_SUPPORT_NUMBER), json_string_value(json_object_get(v, "number")));
    row(h, L(req, MSG_PORTAL_ESTABLISHMENT),
        json_string_value(json_object_get(v, "establishment")));
    json_array_foreach(json_object_get(v, "emails"), i, e)
        row(h, L(req, MSG_SUPPORT_ADDRESS), json_string_value(e));
    row(h, L(req, MSG_SUPPORT_STRUCK_OFF_LIST), yes_no(req, v, "struck"));
    row(h, L(req, MSG_SUPPORT_ACCOUNT_ACTIVATED), yes_no(req, v, "activated"));
    row(h, L(req, MSG_SUPPORT_DEFI_QUESTION_CHOSEN), yes_no(req, v, "defi_set"));
    row(h, L(req, MSG_SUPPORT_VOTE_CODE_ISSUED), yes_no(req, v, "code_set"));
    lock_row(h, req, L(req, MSG_SUPPORT_LOGIN), v, "login_locked_until");
    lock_row(h, req, L(req, MSG_SUPPORT_VOTE_CODE_ENTRY), v, "code_locked_until");
    lock_row(h, req, L(req, MSG_SUPPORT_CHALLENGE_ANSWER), v, "defi_locked_until");
    html_raw(h, "</dl>");
    html_fmt(h, "<h2>%s</h2><ul>", L(req, MSG_SUPPORT_SIGNATURE_LIST));
    json_array_foreach(json_object_get(v, "scrutins"), i, e) {
        html_raw(h, "<li>");
        html_text(h, portal_scrutin_title(p, json_string_value(json_object_get(e, "id"))));
        html_raw(h, " : ");
        html_raw(h, json_is_true(json_object_get(e, "voted"))
                        ? L(req, MSG_SUPPORT_VOTED) : L(req, MSG_SUPPORT_NOT_VOTED));
        html_raw(h, "</li>");
    }
    html_raw(h, "</ul>");
}

/* One form per action, each with its own reason field. */
static void action_forms(html *h, http_request *req, http_response *res, const char *number,
                         const char *failed, const char *err)
{
    html_fmt(h, "<h2>%s</h2><p>%s</p>", L(req, MSG_SUPPORT_ACTIONS),
             L(req, MSG_SUPPORT_EACH_ACTION_RECORDED_AUDIT));
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        int bad = failed != NULL && strcmp(failed, actions[i].name) == 0;

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
}

/* The voter's file for an agent console_staff let in. */
static int render_voter(http_request *req, http_response *res, const staff_member *who,
                        const char *done, const char *failed, const char *err, int status)
{
    portal_page p = { .title = L(req, MSG_SUPPORT_VOTER_FILE), .staff = who };
    const char *number = req->params[0];
    json_t *v = NULL;
    int rc;
    html h;

    rc = support_status(req->ctx->access, number, api_now(), &v);
    if (rc != STORE_OK) {
        http_error(req, res, rc == STORE_ENOTFOUND ? 404 : 503,
                   rc == STORE_ENOTFOUND ? MSG_NOT_FOUND : MSG_UNAVAILABLE);
        return 0;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (done != NULL)
        portal_notice(&h, "ok", done);
    else if (err != NULL && failed == NULL)
        portal_notice(&h, "error", err);
    status_list(&h, req, &p, v);
    action_forms(&h, req, res, number, failed, err);
    html_fmt(&h, "<p><a href=\"/gestion/assistance\">%s</a></p>",
             L(req, MSG_SUPPORT_NEW_SEARCH));
    json_decref(v);
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, status);
}

int page_support_voter(http_request *req, http_response *res)
{
    staff_member who;

    if (console_staff(req, res, &who, support_only) != 0)
        return 0;
    return render_voter(req, res, &who, NULL, NULL, NULL, 200);
}

int page_support_voter_post(http_request *req, http_response *res)
{
    const char *name = portal_form(req, "action", 16);
    const char *reason = portal_form(req, "reason", 4 * SUPPORT_REASON_MAX);
    staff_member who;
    access_result r;
    size_t i;
    int rc;

    if (portal_csrf_check(req, res) != 0 || console_staff(req, res, &who, support_only) != 0)
        return 0;
    for (i = 0; name != NULL && i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(name, actions[i].name) == 0)
            break;
    if (name == NULL || i == sizeof actions / sizeof actions[0]) {
        http_error(req, res, 400, MSG_FIELD);
        return 0;
    }
    rc = support_act(req->ctx->access, req->params[0], actions[i].action, who.login,
                     reason, api_now(), &r);
    if (rc == STORE_ENOTFOUND) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return 0;
    }
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_REASON)
        return render_voter(req, res, &who, NULL, name, L(req, MSG_REASON), 400);
    if (rc != ACCESS_OK)
        return render_voter(req, res, &who, NULL, NULL, portal_access_message(req, rc, r.code),
                            rc == ACCESS_REFUSED ? 409 : 503);
    {
        char done[200];

        snprintf(done, sizeof done, L(req, MSG_SUPPORT_ACTION_DONE),
                 L(req, actions[i].button));
        return render_voter(req, res, &who, done, NULL, NULL, 200);
    }
}
