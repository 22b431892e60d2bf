/* The auditors' console. GET /gestion/journal shows the audit log itself,
 * newest first, 50 entries a page (keyset: ?avant=SEQ), filtered by kind
 * (type), dates (du, au: the election's days, both included) and voter
 * number (numero: the entries the voter is the actor of), with the verdict
 * of the chain's check (up to the last entry: audit_log_verify checks the
 * entries added since the last view, in short reads) and the support actions' reasons in their own
 * column. GET /gestion/journal/export is the log as the SQLite file that
 * voteaudit verify-log reads. For auditors only: the log names voters. */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit/audit.h"
#include "console.h"
#include "votesrv/api.h"
#include "votesrv/log.h"

#define AUDIT_PAGE 50

static const char *const auditor_only[] = { STAFF_ROLE_AUDITOR, NULL };

/* The kinds the filter offers (any other well-formed kind is accepted too). */
static const char *const kinds[] = {
    "election-created", "public-key-set", "voters-imported", "voters-added", "voter-struck",
    "credentials-imported", "electoral-list-exported", "opened", "suspended", "resumed",
    "closed", "published", "purged", "checkpoint", "tally-sums", "tally-alarm",
    "ballot-cast", "link-sent", "link-used", "link-refused", "password-set", "password-reset",
    "password-changed", "defi-changed", "account-locked", "defi-locked", "code-refused",
    "code-locked", "code-reissue-requested", "code-reissued", "reissue-record-refused",
    "support-link", "support-defi-reset", "support-unlock", "network-throttled",
    "staff-added", "staff-login", "staff-login-refused", "staff-code-refused", "staff-locked",
    "staff-logout",
    "staff-second-factor-locked",
};

typedef struct {
    const char *type, *from, *to, *number;   /* as typed, for the form and the links */
    char since[24], until[24];               /* the dates as UTC instants */
    uint64_t before;
    const char *err;                         /* the field in error, or NULL */
} filter;

static int kind_valid(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz-") == n;
}

/* Midnight (the process's time zone: the election's) of day "YYYY-MM-DD"
 * plus days, as the UTC text the log's times compare with. -1 if malformed. */
static int day_start(char out[24], const char *day, int days)
{
    struct tm tm = { 0 }, utc;
    int y, m, d, n = 0;
    time_t t;

    if (strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        y < 2000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + days;
    tm.tm_isdst = -1;
    if ((t = mktime(&tm)) == (time_t)-1 || gmtime_r(&t, &utc) == NULL)
        return -1;
    strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &utc);
    return 0;
}

static const char *nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The query's filter; f->err names the first bad field. */
static void filter_read(http_request *req, filter *f)
{
    const char *before = nonempty(http_query(req, "avant"));

    memset(f, 0, sizeof *f);
    f->type = nonempty(http_query(req, "type"));
    f->from = nonempty(http_query(req, "du"));
    f->to = nonempty(http_query(req, "au"));
    f->number = nonempty(http_query(req, "numero"));
    if (f->type != NULL && !kind_valid(f->type))
        f->err = "type";
    else if (f->from != NULL && day_start(f->since, f->from, 0) != 0)
        f->err = "du";
    else if (f->to != NULL && day_start(f->until, f->to, 1) != 0)
        f->err = "au";
    else if (f->number != NULL && strlen(f->number) > STORE_NUMBER_CHARS)
        f->err = "numero";
    if (before != NULL) {
        char *end;
        unsigned long long v = strtoull(before, &end, 10);

        if (*end != '\0' || v == 0 || before[0] == '-')
            f->err = f->err ? f->err : "avant";
        else
            f->before = v;
    }
}

/* The query string of f's filters, for links ("" when none), with avant. */
static void filter_link(html *h, const filter *f, uint64_t before)
{
    const char *names[] = { "type", "du", "au", "numero" };
    const char *values[] = { f->type, f->from, f->to, f->number };
    char sep = '?';

    html_raw(h, "/gestion/journal");
    for (size_t i = 0; i < 4; i++) {
        if (values[i] == NULL)
            continue;
        html_fmt(h, "%c%s=", sep, names[i]);
        for (const char *p = values[i]; *p; p++)       /* all were checked: [a-z0-9-]... */
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_')
                html_fmt(h, "%c", *p);
            else
                html_fmt(h, "%%%02X", (unsigned char)*p);
        sep = '&';
    }
    if (before > 0)
        html_fmt(h, "%cavant=%llu", sep == '?' ? '?' : '&', (unsigned long long)before);
}

static void filter_form(html *h, http_request *req, const filter *f)
{
    portal_input from = { "du", L(req, MSG_AUDIT_FROM), "date", "off", f->from, NULL,
                          f->err && strcmp(f->err, "du") == 0 ? L(req, MSG_AUDIT_BAD_DATE)
                                                              : NULL, 0 };
    portal_input to = { "au", L(req, MSG_AUDIT_TO), "date", "off", f->to, NULL,
                        f->err && strcmp(f->err, "au") == 0 ? L(req, MSG_AUDIT_BAD_DATE)
                                                            : NULL, 0 };
    portal_input number = { "numero", L(req, MSG_AUDIT_VOTER_NUMBER), "text", "off", f->number,
                            NULL, f->err && strcmp(f->err, "numero") == 0
                                      ? L(req, MSG_AUDIT_BAD_NUMBER) : NULL, 0 };
    int bad_kind = f->err != NULL && strcmp(f->err, "type") == 0;

    html_fmt(h, "<h2>%s</h2><form method=\"get\" action=\"/gestion/journal\" class=\"filter\">",
             L(req, MSG_AUDIT_FILTER));
    html_fmt(h, "<div class=\"field%s\"><label for=\"f-type\">%s</label>",
             bad_kind ? " invalid" : "", L(req, MSG_AUDIT_KIND));
    if (bad_kind)
        html_fmt(h, "<p class=\"error\" id=\"f-type-err\">%s</p>", L(req, MSG_AUDIT_BAD_KIND));
    html_fmt(h, "<select id=\"f-type\" name=\"type\"%s><option value=\"\">%s</option>",
             bad_kind ? " aria-invalid=\"true\" aria-describedby=\"f-type-err\"" : "",
             L(req, MSG_AUDIT_ALL_KINDS));
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        html_fmt(h, "<option%s>%s</option>",
                 f->type != NULL && strcmp(f->type, kinds[i]) == 0 ? " selected" : "", kinds[i]);
    html_raw(h, "</select></div>");
    portal_field(h, &from);
    portal_field(h, &to);
    portal_field(h, &number);
    html_fmt(h, "<p><button type=\"submit\">%s</button> <a href=\"/gestion/journal\">%s</a></p>"
             "</form>", L(req, MSG_AUDIT_APPLY), L(req, MSG_AUDIT_CLEAR));
}

static void verdict(html *h, http_request *req, const audit_verifier *v)
{
    char text[400], key[2 * AUDIT_PK_BYTES + 1];

    if (v->failed) {
        snprintf(text, sizeof text, L(req, MSG_AUDIT_CHAIN_BROKEN),
                 (unsigned long long)v->bad_seq, v->reason,
                 (unsigned long long)(v->bad_seq > 0 ? v->bad_seq - 1 : 0));
        portal_notice(h, "error", text);
    } else {
        snprintf(text, sizeof text, L(req, MSG_AUDIT_CHAIN_OK), (unsigned long long)v->entries,
                 (unsigned long long)v->checkpoints_ok);
        portal_notice(h, "ok", text);
    }
    html_fmt(h, "<p>%s</p>", L(req, MSG_AUDIT_CHAIN_SCOPE));
    sodium_bin2hex(key, sizeof key, v->pk, AUDIT_PK_BYTES);
    html_fmt(h, "<p>%s <code class=\"wrap\">%s</code></p>", L(req, MSG_AUDIT_KEY_STORED), key);
    html_fmt(h, "<p>%s</p><p><a href=\"/gestion/journal/export\" "
             "download=\"journal-audit.db\">%s</a></p>", L(req, MSG_AUDIT_INDEPENDENT),
             L(req, MSG_AUDIT_EXPORT));
}

typedef struct {
    html *h;
    http_request *req;
    int rows;
    uint64_t last;
} rows_job;

static int entry_row(const store_audit_entry *e, void *arg)
{
    rows_job *j = arg;
    json_t *p = json_loads(e->payload, 0, NULL);
    const char *reason = json_string_value(json_object_get(p, "reason"));

    if (j->rows++ == AUDIT_PAGE) {          /* one more than a page: there is a next one */
        json_decref(p);
        return 0;
    }
    j->last = e->seq;
    html_fmt(j->h, "<tr><th scope=\"row\">%llu</th><td>", (unsigned long long)e->seq);
    portal_rfc3339(j->h, e->time);
    html_raw(j->h, "</td><td>");
    html_text(j->h, e->role);
    html_raw(j->h, "</td><td>");
    html_text(j->h, e->actor);
    html_raw(j->h, "</td><td>");
    html_text(j->h, e->event);
    html_raw(j->h, "</td><td>");
    html_text(j->h, reason != NULL ? reason : "");
    html_raw(j->h, "</td><td class=\"payload\">");
    html_text(j->h, e->payload);
    html_raw(j->h, "</td></tr>");
    json_decref(p);
    return 0;
}

void page_audit(http_request *req, http_response *res)
{
    staff_member who;
    portal_page p = { .title = L(req, MSG_AUDIT_TITLE), .staff = &who };
    audit_log_query q;
    audit_verifier v;
    filter f;
    html h;
    rows_job j;
    int rc;

    if (console_staff(req, res, &who, auditor_only) != 0)
        return;
    filter_read(req, &f);
    if ((rc = audit_log_verify(req->ctx->store, &v)) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    verdict(&h, req, &v);
    if (f.err != NULL && strcmp(f.err, "avant") == 0)
        portal_notice(&h, "error", L(req, MSG_BAD_QUERY));
    filter_form(&h, req, &f);
    j = (rows_job){ &h, req, 0, 0 };
    if (f.err == NULL) {
        q = (audit_log_query){ { f.type, f.since, f.until, f.number, f.before }, AUDIT_PAGE + 1,
                               entry_row, &j };
        html_fmt(&h, "<h2>%s</h2><div class=\"scroll\" tabindex=\"0\" role=\"region\" "
                 "aria-labelledby=\"log-caption\"><table class=\"log\"><caption id=\"log-caption\">"
                 "%s</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                 "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                 "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                 L(req, MSG_AUDIT_ENTRIES), L(req, MSG_AUDIT_CAPTION), L(req, MSG_AUDIT_SEQ),
                 L(req, MSG_SUPPORT_DATE), L(req, MSG_AUDIT_ROLE), L(req, MSG_AUDIT_ACTOR),
                 L(req, MSG_SUPPORT_EVENT), L(req, MSG_SUPPORT_REASON), L(req, MSG_AUDIT_DATA));
        rc = audit_log_page(req->ctx->store, &q);
        html_raw(&h, "</tbody></table></div>");
        if (rc != STORE_OK) {
            html_free(&h);
            http_error(req, res, 503, MSG_UNAVAILABLE);
            return;
        }
        if (j.rows == 0)
            html_fmt(&h, "<p>%s</p>", L(req, MSG_AUDIT_NONE));
        html_raw(&h, "<p class=\"pages\">");
        if (j.rows > AUDIT_PAGE) {
            html_raw(&h, "<a rel=\"next\" href=\"");
            filter_link(&h, &f, j.last);
            html_fmt(&h, "\">%s</a> ", L(req, MSG_AUDIT_OLDER));
        }
        if (f.before > 0) {
            html_raw(&h, "<a href=\"");
            filter_link(&h, &f, 0);
            html_fmt(&h, "\">%s</a>", L(req, MSG_AUDIT_NEWEST));
        }
        html_raw(&h, "</p>");
    }
    portal_end(&h, req, &p);
    portal_send(req, res, &h, f.err != NULL ? 400 : 200);
}

void page_audit_export(http_request *req, http_response *res)
{
    staff_member who;
    char err[300];
    uint64_t size;
    int fd;

    if (console_staff(req, res, &who, auditor_only) != 0)
        return;
    if (audit_log_export(req->ctx->store, &fd, &size, err, sizeof err) != 0) {
        log_event("error", "audit-export-failed", json_pack("{s:s}", "error", err));
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    http_answer_fd(res, fd, size, "application/vnd.sqlite3");
}
