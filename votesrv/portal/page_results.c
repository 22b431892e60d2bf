/* GET /resultats - the results once the bureau has decrypted the sums: per
 * scrutin, the turnout, the votes and seats of each list; marked provisional
 * until the officer publishes them (votectl publish). */
#include "pages.h"

#include <string.h>
#include "election/election.h"
#include "tally/tally.h"

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void figure(html *h, const char *label, json_int_t v)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_fmt(h, "</dt><dd>%lld</dd>", (long long)v);
}

static void scrutin_results(html *h, http_request *req, json_t *s)
{
    json_t *l, *contested = json_object_get(s, "contested");
    size_t i;

    html_raw(h, "<section class=\"scrutin\"><h2>");
    html_text(h, json_string_value(json_object_get(s, "title")));
    html_raw(h, "</h2><dl>");
    figure(h, L(req, MSG_RESULTS_REGISTERED), num(s, "registered"));
    figure(h, L(req, MSG_RESULTS_VOTERS), num(s, "signatures"));
    figure(h, L(req, MSG_RESULTS_BLANK_BALLOTS), num(s, "blank"));
    figure(h, L(req, MSG_RESULTS_VALID_VOTES), num(s, "expressed"));
    html_fmt(h, "<dt>%s</dt><dd>", L(req, MSG_PORTAL_TURNOUT));
    html_text(h, json_string_value(json_object_get(s, "turnout_percent")));
    html_fmt(h, " %%</dd></dl><table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "</tr></thead><tbody>",
             L(req, MSG_RESULTS_VOTES_SEATS_LIST), L(req, MSG_RESULTS_LIST),
             L(req, MSG_RESULTS_UNION), L(req, MSG_RESULTS_VOTES),
             L(req, MSG_RESULTS_SEATS));
    json_array_foreach(json_object_get(s, "lists"), i, l) {
        html_raw(h, "<tr><th scope=\"row\">");
        html_text(h, json_string_value(json_object_get(l, "name")));
        html_raw(h, "</th><td>");
        html_text(h, json_string_value(json_object_get(l, "union")));
        html_fmt(h, "</td><td>%lld</td><td>%lld</td></tr>", (long long)num(l, "votes"),
                 (long long)num(l, "seats"));
    }
    html_raw(h, "</tbody></table>");
    if (json_is_object(contested))
        html_fmt(h, "<p>%s</p>", L(req, MSG_RESULTS_ONE_SEAT_REMAINS_LISTS));
    html_raw(h, "</section>");
}

int page_results(http_request *req, http_response *res)
{
    portal_page p = { .title = L(req, MSG_PORTAL_RESULTS) };
    election_status st;
    json_t *r = NULL, *s;
    size_t i;
    int rc;
    html h;

    if (election_status_get(req->ctx->store, &st) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    rc = tally_document(req->ctx->store, "results", &r);
    if (rc != STORE_OK && rc != STORE_ENOTFOUND) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (r == NULL) {
        portal_notice(&h, "info", L(req, MSG_RESULTS_RESULTS_SHOWN_HERE_ONCE));
    } else {
        portal_notice(&h, "info", strcmp(st.state, "tallied") == 0
                      ? L(req, MSG_RESULTS_RESULTS_COUNT_BEFORE_OFFICIAL)
                      : L(req, MSG_RESULTS_PROCLAIMED_RESULTS));
        json_array_foreach(json_object_get(r, "scrutins"), i, s)
            scrutin_results(&h, req, s);
        json_decref(r);
    }
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, 200);
}
