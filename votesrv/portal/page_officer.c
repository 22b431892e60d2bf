/* The officers' console, GET /gestion/bureau: the time the figures were read,
 * the election's state and figures, account activation and turnout per
 * scrutin and establishment (bars drawn with <meter>: the CSP allows no style
 * attribute), turnout hour by hour as an SVG chart drawn here (no script; the
 * same figures in a table), incidents, the codes and notices, the key
 * ceremony's progress and the results. Auditors see the same page without
 * the actions; observers (the délégués de liste) the figures only, without
 * the actions nor any staff login; officers POST to it to close, count,
 * suspend or resume, each audited under their login. Turnout comes from the
 * signature list and the hour of each émargement: who voted, never how. */
#include "pages.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include "box/box.h"
#include "console.h"
#include "election/ceremony.h"
#include "election/election.h"
#include "mail/mail.h"
#include "store/store.h"
#include "tally/tally.h"
#include "votesrv/api.h"

static const char *const readers[] = { STAFF_ROLE_OFFICER, STAFF_ROLE_AUDITOR,
                                       STAFF_ROLE_OBSERVER, NULL };
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
                          const election_status *st, int observer)
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
    /* not for observers: it rises when a link is sent to a registered
     * address (an observer is not one who may look anyone up) */
    if (!observer)
        figure(h, L(req, MSG_OFFICER_AUDIT_LOG_ENTRIES), st->audit_entries);
    html_raw(h, "</dl>");
    /* the authority's notices (a voter with a code in every scrutin has had
     * one), its reissues, and the public credentials these make */
    html_fmt(h, "<h2>%s</h2><dl class=\"status\">", L(req, MSG_OFFICER_VOTE_CODES_NOTICES));
    figure(h, L(req, MSG_OFFICER_VOTE_CODES_CREDENTIAL_AUTHORITY),
           st->voters > st->without_auth ? st->voters - st->without_auth : 0);
    figure(h, L(req, MSG_OFFICER_CODES_REISSUED_CREDENTIAL_AUTHORITY), st->reissues);
    figure(h, L(req, MSG_OFFICER_VOTERS_WITHOUT_VOTE_CODE),
           st->without_auth);
    figure(h, L(req, MSG_DASH_PUBLIC_CREDENTIALS), st->credentials);
    html_raw(h, "</dl>");
}

/* "12 / 40 (30,0 %)" in the request's language. */
static void ratio_text(char text[64], http_request *req, uint64_t n, uint64_t of)
{
    double pct = of > 0 ? 100.0 * (double)n / (double)of : 0.0;

    snprintf(text, 64, "%lld / %lld (%.1f %%)", (long long)n, (long long)of, pct);
    if (req->lang == LANG_FR)
        for (char *c = text; *c; c++)
            *c = *c == '.' ? ',' : *c;
}

/* "12 / 40 (30,0 %)" and its bar. */
static void turnout_bar(html *h, http_request *req, const char *what, uint64_t n,
                        uint64_t of)
{
    char text[64];

    ratio_text(text, req, n, of);
    html_fmt(h, "<meter min=\"0\" max=\"%lld\" value=\"%lld\" aria-label=\"", (long long)of,
             (long long)n);
    html_text(h, what);
    html_raw(h, "\">");
    html_text(h, text);
    html_raw(h, "</meter> <span>");
    html_text(h, text);
    html_raw(h, "</span>");
}

/* ---- turnout hour by hour ---- */

#define CHART_W 640
#define CHART_H 240
#define CHART_LEFT 56
#define CHART_RIGHT 16
#define CHART_TOP 12
#define CHART_BOTTOM 36
#define HOUR 3600

/* An hour's start (or end) in Paris time, "07/12 15:00" (the process runs in
 * its time zone). */
static void hour_label(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm loc;

    localtime_r(&tt, &loc);
    strftime(out, 32, "%d/%m %H:00", &loc);
}

static double chart_x(int64_t t, int64_t from, int64_t to)
{
    return CHART_LEFT + (double)(CHART_W - CHART_LEFT - CHART_RIGHT) * (double)(t - from) /
                        (double)(to - from);
}

/* A share of the voters (percent) on a scale up to top percent. */
static double chart_y(double pct, double top)
{
    return CHART_TOP + (double)(CHART_H - CHART_TOP - CHART_BOTTOM) * (1.0 - pct / top);
}

/* A scrutin's émargements added up hour by hour, from the opening's hour to
 * the current one (or the close's), as a share of its registered voters: an
 * SVG line whose title and description say it, then the same figures, hour
 * by hour, in a table. Shapes only take classes (portal.css): the CSP allows
 * no style attribute. */
static void turnout_chart(html *h, http_request *req, const portal_page *p,
                          const box_turnout_scrutin *s, const char *title, size_t index,
                          int64_t now)
{
    int64_t end = p->has_def && p->def.closes < now ? p->def.closes : now;
    int64_t from = (p->has_def ? p->def.opens : now) / HOUR * HOUR, to = end / HOUR * HOUR + HOUR;
    double reg = (double)s->registered, top;
    uint64_t sum = 0;
    char a[32], b[32], total[64];
    size_t k = 0;

    html_fmt(h, "<h4>%s</h4>", L(req, MSG_DASH_TURNOUT_OVER_TIME));
    if (s->nhours == 0 || s->registered == 0) {
        html_fmt(h, "<p>%s</p>", L(req, MSG_DASH_NO_SIGNATURE_YET));
        return;
    }
    if (s->hours[0].start < from)
        from = s->hours[0].start;
    if (s->hours[s->nhours - 1].start + HOUR > to)
        to = s->hours[s->nhours - 1].start + HOUR;
    /* the scale: the turnout reached, rounded up to ten percent */
    for (k = 0; k < s->nhours; k++)
        sum += s->hours[k].signatures;
    top = 10.0 * ceil(10.0 * (double)(sum > s->signatures ? sum : s->signatures) / reg);
    top = top < 10.0 ? 10.0 : top > 100.0 ? 100.0 : top;
    hour_label(a, from);
    hour_label(b, to);
    ratio_text(total, req, s->signatures, s->registered);
    html_fmt(h, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
             "aria-labelledby=\"chart-%zu-t chart-%zu-d\"><title id=\"chart-%zu-t\">",
             CHART_W, CHART_H, index, index, index);
    html_text(h, L(req, MSG_DASH_TURNOUT_OVER_TIME));
    html_raw(h, " — ");
    html_text(h, title);
    html_fmt(h, "</title><desc id=\"chart-%zu-d\">", index);
    html_fmt(h, L(req, MSG_DASH_CHART_DESC), a, b, total);
    html_raw(h, "</desc>");
    /* the axes, the scale's top and its middle */
    html_fmt(h, "<g class=\"chart-axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
             "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>",
             CHART_LEFT, CHART_TOP, CHART_LEFT, CHART_H - CHART_BOTTOM,
             CHART_LEFT, CHART_H - CHART_BOTTOM, CHART_W - CHART_RIGHT, CHART_H - CHART_BOTTOM);
    for (int i = 1; i <= 2; i++) {
        double y = chart_y(top * i / 2, top);

        html_fmt(h, "<line class=\"chart-grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                 "<text class=\"chart-label end\" x=\"%d\" y=\"%.1f\">%.0f %%</text>",
                 CHART_LEFT, y, CHART_W - CHART_RIGHT, y, CHART_LEFT - 6, y + 4, top * i / 2);
    }
    html_fmt(h, "<text class=\"chart-label end\" x=\"%d\" y=\"%d\">0 %%</text>",
             CHART_LEFT - 6, CHART_H - CHART_BOTTOM + 4);
    html_fmt(h, "<text class=\"chart-label\" x=\"%d\" y=\"%d\">%s</text>"
             "<text class=\"chart-label end\" x=\"%d\" y=\"%d\">%s</text>",
             CHART_LEFT, CHART_H - 12, a, CHART_W - CHART_RIGHT, CHART_H - 12, b);
    /* the line: 0 at the opening's hour, then the total at each hour's end */
    html_fmt(h, "<polyline class=\"chart-line\" points=\"%.1f,%.1f", chart_x(from, from, to),
             chart_y(0.0, top));
    sum = 0;
    k = 0;
    for (int64_t t = from; t < to; t += HOUR) {
        for (; k < s->nhours && s->hours[k].start <= t; k++)
            sum += s->hours[k].signatures;
        html_fmt(h, " %.1f,%.1f", chart_x(t + HOUR, from, to),
                 chart_y(100.0 * (double)sum / reg, top));
    }
    html_raw(h, "\"/></svg>");
    /* the figures */
    html_fmt(h, "<details class=\"chart-table\"><summary>%s</summary><table><caption>",
             L(req, MSG_DASH_HOURS_TABLE));
    html_text(h, title);
    html_fmt(h, "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th></tr></thead><tbody>", L(req, MSG_DASH_HOUR_PARIS),
             L(req, MSG_DASH_SIGNATURES_IN_HOUR), L(req, MSG_DASH_TURNOUT_AT_HOUR_END));
    sum = 0;
    for (k = 0; k < s->nhours; k++) {
        sum += s->hours[k].signatures;
        hour_label(a, s->hours[k].start);
        hour_label(b, s->hours[k].start + HOUR);
        ratio_text(total, req, sum, s->registered);
        html_fmt(h, "<tr><th scope=\"row\">%s – %s</th><td>%llu</td><td>%s</td></tr>", a,
                 b + 6, (unsigned long long)s->hours[k].signatures, total);
    }
    html_raw(h, "</tbody></table></details>");
}

static void turnout_section(html *h, http_request *req, const portal_page *p,
                            const box_turnout_info *t, int64_t now)
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
        html_raw(h, "</tbody></table>");
        turnout_chart(h, req, p, s, title, i, now);
        html_raw(h, "</section>");
    }
}

/* Accounts activated out of those registered, overall and per establishment. */
static void activation_section(html *h, http_request *req, const box_turnout_accounts *a)
{
    html_fmt(h, "<h2>%s</h2><p>", L(req, MSG_DASH_ACTIVATION));
    turnout_bar(h, req, L(req, MSG_DASH_ACCOUNTS_ACTIVATED), a->activated, a->registered);
    html_fmt(h, "</p><table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th></tr></thead><tbody>",
             L(req, MSG_OFFICER_BY_ESTABLISHMENT), L(req, MSG_PORTAL_ESTABLISHMENT),
             L(req, MSG_DASH_ACTIVATED_REGISTERED));
    for (size_t i = 0; i < a->nestablishments; i++) {
        char label[300];

        html_raw(h, "<tr><th scope=\"row\">");
        html_text(h, a->establishments[i].establishment);
        html_raw(h, "</th><td>");
        snprintf(label, sizeof label, "%s — %s", L(req, MSG_DASH_ACCOUNTS_ACTIVATED),
                 a->establishments[i].establishment);
        turnout_bar(h, req, label, a->establishments[i].signatures,
                    a->establishments[i].registered);
        html_raw(h, "</td></tr>");
    }
    html_raw(h, "</tbody></table>");
}

/* Suspensions (now and since the start), the count's alarms and the console
 * accounts whose second factor locked (their logins are in the alert above,
 * for officers and auditors). */
static void incidents_section(html *h, http_request *req, const election_status *st,
                              size_t locked)
{
    html_fmt(h, "<h2>%s</h2>", L(req, MSG_DASH_INCIDENTS));
    if (st->suspended)
        html_fmt(h, "<p class=\"error\">%s</p>", L(req, MSG_DASH_SUSPENDED_NOW));
    if (st->suspensions == 0 && st->alarms == 0 && locked == 0) {
        html_fmt(h, "<p>%s</p>", L(req, MSG_DASH_NO_INCIDENT));
        return;
    }
    html_raw(h, "<dl class=\"status\">");
    figure(h, L(req, MSG_DASH_SUSPENSIONS), st->suspensions);
    figure(h, L(req, MSG_DASH_ALARMS), st->alarms);
    figure(h, L(req, MSG_DASH_STAFF_LOCKED), locked);
    html_raw(h, "</dl>");
}

/* Mail delivery: what waits, what left, what was given up, the oldest wait;
 * a warning when mail cannot leave (mail_outbox_judge, as /healthz says). */
static void mail_section(html *h, http_request *req, const store_outbox_figures *f)
{
    static const msg_id warnings[] = {
        [MAIL_OUTBOX_STUCK] = MSG_DASH_MAIL_STUCK,
        [MAIL_OUTBOX_RETRYING] = MSG_DASH_MAIL_RETRYING,
        [MAIL_OUTBOX_GIVEN_UP] = MSG_DASH_MAIL_GIVEN_UP,
    };
    mail_outbox_verdict v = mail_outbox_judge(f);

    html_fmt(h, "<h2>%s</h2>", L(req, MSG_DASH_MAIL));
    if (v != MAIL_OUTBOX_OK) {
        html_raw(h, "<div class=\"notice error\" id=\"mail-alert\" role=\"alert\"><p>");
        html_text(h, L(req, warnings[v]));
        html_raw(h, "</p></div>");
    }
    html_raw(h, "<dl class=\"status\" id=\"mail-figures\">");
    figure(h, L(req, MSG_DASH_MAIL_QUEUED), f->queued);
    figure(h, L(req, MSG_DASH_MAIL_RETRYING_N), f->retrying);
    figure(h, L(req, MSG_DASH_MAIL_SENT), f->sent);
    figure(h, L(req, MSG_DASH_MAIL_GIVEN_UP_N), f->failed);
    figure(h, L(req, MSG_DASH_MAIL_OLDEST_MIN), (uint64_t)(f->oldest_waiting_s / 60));
    html_raw(h, "</dl>");
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
        const char *named = strcmp(key, "open") == 0    ? L(req, MSG_DASH_SEALS_OPEN)
                            : strcmp(key, "close") == 0 ? L(req, MSG_DASH_SEALS_CLOSE)
                                                        : NULL;

        if (named == NULL)
            snprintf(label, sizeof label, "%s « %s »", L(req, MSG_OFFICER_SEALS), key);
        figure(h, named != NULL ? named : label,
               json_is_array(v) ? json_array_size(v) : json_object_size(v));
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

/* What the page says above its figures: an action done, or why it was
 * refused (an officer's action), in the request's language. */
typedef struct {
    const char *done;            /* what was done */
    const election_ctx *refused; /* why it was refused */
    const char *notice_err;      /* the suspension's message is missing */
} outcome;

/* An operation's refusal, said in the reader's language: the closing time
 * when it is too early (Paris time), the generic word for a refusal this
 * page does not expect. */
static void refusal_notice(html *h, http_request *req, const portal_page *p,
                           const election_ctx *c)
{
    static const struct {
        election_why why;
        msg_id text;
    } texts[] = {
        { ELECTION_WHY_STATE, MSG_DASH_REFUSED_STATE },
        { ELECTION_WHY_SEALS, MSG_DASH_REFUSED_SEALS },
        { ELECTION_WHY_SUSPENDED, MSG_DASH_REFUSED_SUSPENDED },
        { ELECTION_WHY_NOT_SUSPENDED, MSG_DASH_REFUSED_NOT_SUSPENDED },
        { ELECTION_WHY_REASON, MSG_DASH_REFUSED_REASON },
        { ELECTION_WHY_NOTICE, MSG_DASH_REFUSED_NOTICE },
        { ELECTION_WHY_COUNTED, MSG_DASH_REFUSED_COUNTED },
        { ELECTION_WHY_ALARM, MSG_DASH_REFUSED_ALARM },
    };
    msg_id text = MSG_DASH_REFUSED_OTHER;

    html_raw(h, "<div class=\"notice error\" role=\"alert\"><p>");
    if (c->why == ELECTION_WHY_TOO_EARLY && p->has_def) {
        html_text(h, L(req, MSG_DASH_REFUSED_TOO_EARLY));
        portal_instant(h, req, p->def.closes);
        html_text(h, L(req, MSG_DASH_NOTHING_CHANGED));
        html_raw(h, "</p></div>");
        return;
    }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].why == c->why)
            text = texts[i].text;
    html_text(h, L(req, text));
    html_raw(h, "</p></div>");
}

static void render(http_request *req, http_response *res, const staff_member *who,
                   const outcome *o, int status)
{
    portal_page p = { .title = L(req, MSG_OFFICER_OFFICERS_DASHBOARD),
                      .staff = who };
    int observer = strcmp(who->role, STAFF_ROLE_OBSERVER) == 0;
    int64_t now = api_now();
    election_status st;
    box_turnout_info turnout = { .nscrutins = 0 };
    store_outbox_figures mail;
    int degraded;
    json_t *ceremony = NULL, *results = NULL, *locked = json_array();
    int rc;
    html h;

    rc = locked != NULL ? staff_factor_locked_each(req->ctx->access, add_login, locked)
                        : STORE_ENOMEM;
    if (rc == STORE_OK)
        rc = election_status_get(req->ctx->store, &st);
    if (rc == STORE_OK)
        rc = box_turnout(req->ctx->store, &turnout);
    if (rc == STORE_OK)
        rc = mail_outbox_status(req->ctx->store, now, &mail, &degraded, NULL);
    if (rc == STORE_OK && ceremony_export(req->ctx->store, &ceremony) < 0)
        rc = STORE_EIO;
    if (rc != STORE_OK) {
        box_turnout_free(&turnout);
        json_decref(ceremony);
        json_decref(locked);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (o->done != NULL)
        portal_notice(&h, "ok", o->done);
    if (o->refused != NULL)
        refusal_notice(&h, req, &p, o->refused);
    html_raw(&h, "<p class=\"read-at\">");
    html_text(&h, L(req, MSG_DASH_READ_AT));
    portal_instant(&h, req, now);
    html_text(&h, L(req, MSG_DASH_PARIS_TIME));
    html_raw(&h, "</p>");
    if (!observer)                      /* staff logins: not for observers */
        alerts_section(&h, req, locked);
    state_section(&h, req, &p, &st, observer);
    activation_section(&h, req, &turnout.accounts);
    turnout_section(&h, req, &p, &turnout, now);
    incidents_section(&h, req, &st, json_array_size(locked));
    if (!observer)                      /* moves with a link to a registered address */
        mail_section(&h, req, &mail);
    ceremony_section(&h, req, &p, ceremony);
    if (tally_document(req->ctx->store, "results", &results) == STORE_OK)
        html_fmt(&h, "<h2>%s</h2><p><a href=\"/resultats\">%s</a></p>",
                 L(req, MSG_PORTAL_RESULTS), L(req, MSG_OFFICER_SEE_RESULTS));
    if (strcmp(who->role, STAFF_ROLE_OFFICER) == 0)
        actions_section(&h, req, res, &st, ceremony, o->notice_err);
    box_turnout_free(&turnout);
    json_decref(ceremony);
    json_decref(results);
    json_decref(locked);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, status);
}

void page_officer(http_request *req, http_response *res)
{
    staff_member who;
    outcome o = { NULL, NULL, NULL };

    if (console_staff(req, res, &who, readers) != 0)
        return;
    render(req, res, &who, &o, 200);
}

void page_officer_post(http_request *req, http_response *res)
{
    const char *name = portal_form(req, "action", 16);
    const char *notice = portal_form(req, "notice", STORE_NOTICE_CHARS);
    staff_member who;
    election_ctx c;
    outcome o = { NULL, NULL, NULL };
    msg_id done;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    if (portal_csrf_check(req, res) != 0 || console_staff(req, res, &who, officers) != 0)
        return;
    c = (election_ctx){ .role = "officer", .actor = who.login, .now = api_now(),
                        .assets = req->ctx->cfg->assets };
    if (name != NULL && strcmp(name, "clore") == 0) {
        rc = election_close(req->ctx->store, &c);
        done = MSG_DASH_DONE_CLOSED;
    } else if (name != NULL && strcmp(name, "reprendre") == 0) {
        rc = election_resume(req->ctx->store, &c);
        done = MSG_DASH_DONE_RESUMED;
    } else if (name != NULL && strcmp(name, "depouiller") == 0) {
        rc = tally_count(req->ctx->store, &c, cores < 1 ? 1 : cores > 8 ? 8 : (int)cores);
        done = MSG_DASH_DONE_COUNTED;
    } else if (name != NULL && strcmp(name, "suspendre") == 0) {
        if (notice == NULL || notice[strspn(notice, " ")] == '\0') {
            o.notice_err = L(req, MSG_DASH_REFUSED_NOTICE);
            render(req, res, &who, &o, 400);
            return;
        }
        c.reason = notice;
        rc = election_suspend(req->ctx->store, &c, notice);
        done = MSG_DASH_DONE_SUSPENDED;
    } else {
        http_error(req, res, 400, MSG_FIELD);
        return;
    }
    if (rc == ELECTION_REFUSED) {
        o.refused = &c;
        render(req, res, &who, &o, 409);
    } else if (rc != ELECTION_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
    } else {
        o.done = L(req, done);
        render(req, res, &who, &o, 200);
    }
}
