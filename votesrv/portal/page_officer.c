/* The officers' console, GET /gestion/bureau: the election's state and
 * figures, turnout per scrutin and establishment (bars drawn with <meter>:
 * the CSP allows no style attribute), the codes and notices, the key
 * ceremony's progress and the results. Auditors see the same page without
 * the actions; officers POST to it to close, count, suspend or resume, each
 * audited under their login. Turnout comes from the signature list: who
 * voted, never how. */
#include "pages.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "box/box.h"
#include "console.h"
#include "election/ceremony.h"
#include "election/election.h"
#include "tally/tally.h"
#include "votesrv/api.h"

static const char *const readers[] = { STAFF_ROLE_OFFICER, STAFF_ROLE_AUDITOR, NULL };
static const char *const officers[] = { STAFF_ROLE_OFFICER, NULL };

static const char *state_name(http_request *req, const char *state)
{
    static const struct {
        const char *id;
        msg_id text;
    } names[] = {
        { "draft", MSG_OFFICER_STATE_DRAFT },
        { "keys-ready", MSG_OFFICER_STATE_KEYS_READY },
        { "open", MSG_OFFICER_STATE_OPEN },
        { "closed", MSG_OFFICER_STATE_CLOSED },
        { "tallied", MSG_OFFICER_STATE_TALLIED },
        { "published", MSG_OFFICER_STATE_PUBLISHED },
        { "purged", MSG_OFFICER_STATE_PURGED },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].id, state) == 0)
            return L(req, names[i].text);
    return state;
}

static void figure(html *h, const char *label, uint64_t v)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_fmt(h, "</dt><dd>%llu</dd>", (unsigned long long)v);
}

static void state_section(html *h, http_request *req, const portal_page *p,
                          const election_status *st)
{
    html_fmt(h, "<h2>%s</h2><dl class=\"status\"><dt>%s</dt><dd>", L(req, MSG_OFFICER_STATE),
             L(req, MSG_OFFICER_VOTE_STATE));
    html_text(h, state_name(req, st->state));
    if (st->test_mode)
        html_raw(h, L(req, MSG_OFFICER_MOCK_VOTE));
    html_raw(h, "</dd>");
    if (st->suspended) {
        html_fmt(h, "<dt>%s</dt><dd>", L(req, MSG_OFFICER_SUSPENDED));
        html_text(h, st->notice);
        html_raw(h, "</dd>");
    }
    if (p->has_def) {
        html_fmt(h, "<dt>%s</dt><dd>", L(req, MSG_OFFICER_OPENS));
        portal_instant(h, req, p->def.opens);
        html_fmt(h, "</dd><dt>%s</dt><dd>", L(req, MSG_OFFICER_CLOSES));
        portal_instant(h, req, p->def.closes);
        html_raw(h, "</dd>");
    }
    figure(h, L(req, MSG_OFFICER_REGISTERED_VOTERS), st->voters);
    figure(h, L(req, MSG_OFFICER_VOTERS_STRUCK_OFF), st->struck);
    figure(h, L(req, MSG_OFFICER_SIGNATURES), st->signatures);
    figure(h, L(req, MSG_OFFICER_BALLOTS_BOX), st->ballots);
    figure(h, L(req, MSG_OFFICER_AUDIT_LOG_ENTRIES), st->audit_entries);
    html_raw(h, "</dl>");
    html_fmt(h, "<h2>%s</h2><dl class=\"status\">", L(req, MSG_OFFICER_VOTE_CODES_NOTICES));
    figure(h, L(req, MSG_OFFICER_VOTE_CODES_CREDENTIAL_AUTHORITY), st->credentials);
    figure(h, L(req, MSG_OFFICER_VOTERS_WITHOUT_VOTE_CODE),
           st->without_auth);
    figure(h, L(req, MSG_OFFICER_CODES_REISSUED_CREDENTIAL_AUTHORITY), st->reissues);
    html_raw(h, "</dl>");
}

/* "12 / 40 (30,0 %)" and its bar. */
static void turnout_bar(html *h, http_request *req, const char *what, uint64_t n,
                        uint64_t of)
{
    double pct = of > 0 ? 100.0 * (double)n / (double)of : 0.0;
    char text[64];

    snprintf(text, sizeof text, "%lld / %lld (%.1f %%)", (long long)n, (long long)of, pct);
    if (req->lang == LANG_FR)
        for (char *c = text; *c; c++)
            *c = *c == '.' ? ',' : *c;
    html_fmt(h, "<meter min=\"0\" max=\"%lld\" value=\"%lld\" aria-label=\"", (long long)of,
             (long long)n);
    html_text(h, what);
    html_raw(h, "\">");
    html_text(h, text);
    html_raw(h, "</meter> <span>");
    html_text(h, text);
    html_raw(h, "</span>");
}

static void turnout_section(html *h, http_request *req, const portal_page *p,
                            const box_turnout_info *t)
{
    char label[300];

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_PORTAL_TURNOUT));
    for (size_t i = 0; i < t->nscrutins; i++) {
        const box_turnout_scrutin *s = &t->scrutins[i];
        const char *title = portal_scrutin_title(p, s->id);

        html_raw(h, "<section class=\"turnout\"><h3>");
        html_text(h, title);
        html_raw(h, "</h3><p>");
        snprintf(label, sizeof label, "%s %s", L(req, MSG_OFFICER_TURNOUT), title);
        turnout_bar(h, req, label, s->signatures, s->registered);
        html_fmt(h, "</p><table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
                 "<th scope=\"col\">%s</th></tr></thead><tbody>",
                 L(req, MSG_OFFICER_BY_ESTABLISHMENT),
                 L(req, MSG_PORTAL_ESTABLISHMENT),
                 L(req, MSG_OFFICER_SIGNATURES_REGISTERED));
        for (size_t k = 0; k < s->nestablishments; k++) {
            const box_turnout_row *e = &s->establishments[k];
            const char *estab = e->establishment;

            html_raw(h, "<tr><th scope=\"row\">");
            html_text(h, estab);
            html_raw(h, "</th><td>");
            snprintf(label, sizeof label, "%s — %s", title, estab);
            turnout_bar(h, req, label, e->signatures, e->registered);
            html_raw(h, "</td></tr>");
        }
        html_raw(h, "</tbody></table></section>");
    }
}

/* The bureau's documents so far, by kind. */
static void ceremony_section(html *h, http_request *req, const portal_page *p, json_t *c)
{
    static const struct {
        const char *key;
        msg_id text;
    } kinds[] = {
        { "keys", MSG_OFFICER_CEREMONY_KEYS },
        { "shares", MSG_OFFICER_CEREMONY_SHARES },
        { "verdicts", MSG_OFFICER_CEREMONY_VERDICTS },
    };
    const char *key;
    json_t *v;

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_OFFICER_KEY_CEREMONY));
    if (c == NULL) {
        html_fmt(h, "<p>%s</p>", L(req, MSG_OFFICER_NO_KEY_HOLDING_BUREAU));
        return;
    }
    html_raw(h, "<dl class=\"status\">");
    if (p->has_def)
        figure(h, L(req, MSG_OFFICER_BUREAU_MEMBERS), 1 + p->def.ndelegates);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        figure(h, L(req, kinds[i].text),
               json_array_size(json_object_get(c, kinds[i].key)));
    figure(h, L(req, MSG_OFFICER_SCRUTINS_COUNTED_ENCRYPTED_SUMS),
           json_array_size(json_object_get(json_object_get(c, "sums"), "scrutins")));
    json_object_foreach(json_object_get(c, "seals"), key, v) {
        char label[80];

        snprintf(label, sizeof label, "%s « %s »", L(req, MSG_OFFICER_SEALS), key);
        figure(h, label, json_is_array(v) ? json_array_size(v) : json_object_size(v));
    }
    html_raw(h, "</dl>");
}

static void action(html *h, http_request *req, http_response *res, const char *name,
                   const char *button, const char *help, int with_reason, const char *err)
{
    html_fmt(h, "<form method=\"post\" class=\"action\" novalidate action=\"/gestion/bureau\">"
             "<input type=\"hidden\" name=\"action\" value=\"%s\">", name);
    portal_csrf_field(h, req, res);
    html_fmt(h, "<h3>%s</h3><p class=\"hint\" id=\"a-%s-hint\">%s</p>", button, name, help);
    if (with_reason) {
        portal_input reason = { "notice", L(req, MSG_OFFICER_MESSAGE_SHOWN_VOTERS), "text", "off",
                                NULL, NULL, err, 1 };

        portal_field(h, &reason);
    }
    html_fmt(h, "<button type=\"submit\" aria-describedby=\"a-%s-hint\">%s</button></form>",
             name, button);
}

static void actions_section(html *h, http_request *req, http_response *res,
                            const election_status *st, json_t *ceremony, const char *err)
{
    int counted = json_object_get(ceremony, "sums") != NULL;

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_OFFICER_OFFICERS_ACTIONS));
    if (strcmp(st->state, "open") == 0 && !st->suspended) {
        action(h, req, res, "clore", L(req, MSG_OFFICER_CLOSE_VOTE),
               L(req, MSG_OFFICER_AFTER_CLOSING_TIME_ONCE), 0,
               NULL);
        action(h, req, res, "suspendre", L(req, MSG_OFFICER_SUSPEND_VOTE),
               L(req, MSG_OFFICER_DURING_INCIDENT_MESSAGE_SHOWN), 1, err);
    }
    if (st->suspended)
        action(h, req, res, "reprendre", L(req, MSG_OFFICER_RESUME_VOTE),
               L(req, MSG_OFFICER_VOTERS_VOTE_AGAIN), 0,
               NULL);
    if (strcmp(st->state, "closed") == 0 && counted)
        html_fmt(h, "<p>%s</p>", L(req, MSG_OFFICER_ENCRYPTED_SUMS_PUBLISHED_PRESIDENT));
    if (strcmp(st->state, "closed") == 0 && !counted)
        action(h, req, res, "depouiller", L(req, MSG_OFFICER_COUNT),
               L(req, MSG_OFFICER_CHECKS_EVERY_BALLOT_BALLOTS), 0, NULL);
}

/* The dashboard for an officer or auditor console_staff let in. */
static int add_login(const char *login, void *arg)
{
    return json_array_append_new(arg, json_string(login)) == 0 ? 0 : STORE_ENOMEM;
}

/* The alert: console accounts whose second factor locked after too many
 * wrong codes (someone holding the password guessed), until unlocked. */
static void alerts_section(html *h, http_request *req, json_t *locked)
{
    size_t i;
    json_t *v;

    if (json_array_size(locked) == 0)
        return;
    html_fmt(h, "<section class=\"notice error\" role=\"alert\" id=\"staff-alerts\"><h2>%s</h2>"
                "<p>%s</p><ul>",
             L(req, MSG_OFFICER_ALERT_CONSOLE_ACCOUNTS_BLOCKED),
             L(req, MSG_OFFICER_TOO_MANY_WRONG_ONE));
    json_array_foreach(locked, i, v) {
        html_raw(h, "<li>");
        html_text(h, json_string_value(v));
        html_raw(h, "</li>");
    }
    html_raw(h, "</ul></section>");
}

static int render(http_request *req, http_response *res, const staff_member *who,
                  const char *done, const char *top_err, const char *notice_err, int status)
{
    portal_page p = { .title = L(req, MSG_OFFICER_OFFICERS_DASHBOARD),
                      .staff = who };
    election_status st;
    box_turnout_info turnout = { .nscrutins = 0 };
    json_t *ceremony = NULL, *results = NULL, *locked = json_array();
    int rc;
    html h;

    rc = locked != NULL ? staff_factor_locked_each(req->ctx->access, add_login, locked)
                        : STORE_ENOMEM;
    if (rc == STORE_OK)
        rc = election_status_get(req->ctx->store, &st);
    if (rc == STORE_OK)
        rc = box_turnout(req->ctx->store, &turnout);
    if (rc == STORE_OK && ceremony_export(req->ctx->store, &ceremony) < 0)
        rc = STORE_EIO;
    if (rc != STORE_OK) {
        box_turnout_free(&turnout);
        json_decref(ceremony);
        json_decref(locked);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (done != NULL)
        portal_notice(&h, "ok", done);
    if (top_err != NULL)
        portal_notice(&h, "error", top_err);
    alerts_section(&h, req, locked);
    state_section(&h, req, &p, &st);
    turnout_section(&h, req, &p, &turnout);
    ceremony_section(&h, req, &p, ceremony);
    if (tally_document(req->ctx->store, "results", &results) == STORE_OK)
        html_fmt(&h, "<h2>%s</h2><p><a href=\"/resultats\">%s</a></p>",
                 L(req, MSG_PORTAL_RESULTS), L(req, MSG_OFFICER_SEE_RESULTS));
    if (strcmp(who->role, STAFF_ROLE_OFFICER) == 0)
        actions_section(&h, req, res, &st, ceremony, notice_err);
    box_turnout_free(&turnout);
    json_decref(ceremony);
    json_decref(results);
    json_decref(locked);
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, status);
}

int page_officer(http_request *req, http_response *res)
{
    staff_member who;

    if (console_staff(req, res, &who, readers) != 0)
        return 0;
    return render(req, res, &who, NULL, NULL, NULL, 200);
}

int page_officer_post(http_request *req, http_response *res)
{
    const char *name = portal_form(req, "action", 16);
    const char *notice = portal_form(req, "notice", STORE_NOTICE_CHARS);
    staff_member who;
    election_ctx c;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    if (portal_csrf_check(req, res) != 0 || console_staff(req, res, &who, officers) != 0)
        return 0;
    c = (election_ctx){ .role = "officer", .actor = who.login, .now = api_now(),
                        .assets = req->ctx->cfg->assets };
    if (name != NULL && strcmp(name, "clore") == 0) {
        rc = election_close(req->ctx->store, &c);
    } else if (name != NULL && strcmp(name, "reprendre") == 0) {
        rc = election_resume(req->ctx->store, &c);
    } else if (name != NULL && strcmp(name, "depouiller") == 0) {
        rc = tally_count(req->ctx->store, &c, cores < 1 ? 1 : cores > 8 ? 8 : (int)cores);
    } else if (name != NULL && strcmp(name, "suspendre") == 0) {
        if (notice == NULL || notice[strspn(notice, " ")] == '\0')
            return render(req, res, &who, NULL, NULL, i18n_text(MSG_REASON, req->lang), 400);
        c.reason = notice;
        rc = election_suspend(req->ctx->store, &c, notice);
    } else {
        http_error(req, res, 400, MSG_FIELD);
        return 0;
    }
    if (rc == ELECTION_REFUSED)
        return render(req, res, &who, NULL, c.msg, NULL, 409);
    if (rc != ELECTION_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    return render(req, res, &who, i18n_text(MSG_DONE, req->lang), NULL, NULL, 200);
}
