/* GET /urne[?tracker=T] - the public ballot box: is the ballot with this
 * tracking number in it? Anyone may ask; the answer shows the scrutin and
 * nothing about who cast it.
 * GET /urne/{scrutin}[?apres=T | ?avant=T] - every published tracker of a
 * scrutin, a fixed number per page, by tracker (never by arrival:
 * docs/threat-model.md), the next page starting after the last tracker shown,
 * the previous one ending before the first (no page number, no position, no
 * count: nothing that could order the ballots by time). */
#include "pages.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"

#define BOX_LIST_PAGE 100       /* trackers per page of the list */

/* A tracker as typed: its grouped text (with or without dashes, any case,
 * box/ballot_json.c) or 64 hex digits. */
static int tracker_read(uint8_t t[BALLOT_TRACKER_BYTES], const char *text)
{
    return strlen(text) <= 2 * BALLOT_TRACKER_BYTES + 16 &&
                   (hex_decode(t, BALLOT_TRACKER_BYTES, text) == 0 ||
                    ballot_tracker_parse(t, text) == 0)
               ? 0
               : -1;
}

/* Why text is no tracking number, said so that a typo can be found: its
 * length, the first character no tracker has (O, I, L, U...), or a last
 * character that cannot end one. */
#define BALLOT_TRACKER_SYMBOLS 52

static void tracker_refusal(html *h, http_request *req, const char *text)
{
    static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    char msg[400];
    size_t n = 0, bad = 0;
    char badc[8] = "";

    if (strlen(text) > 2 * BALLOT_TRACKER_BYTES + 16) {
        portal_notice(h, "error", L(req, MSG_BOX_NOT_TRACKING_NUMBER));
        return;
    }
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '-' || *c == ' ')
            continue;
        n++;
        if (bad == 0 && (*c >= 0x80 || strchr(b32, toupper(*c)) == NULL)) {
            bad = n;
            snprintf(badc, sizeof badc, "%c", *c >= 0x20 && *c < 0x7f ? *c : '?');
        }
    }
    if (n != BALLOT_TRACKER_SYMBOLS)
        snprintf(msg, sizeof msg, L(req, MSG_BOX_TRACKER_LENGTH), n);
    else if (bad != 0)
        snprintf(msg, sizeof msg, L(req, MSG_BOX_TRACKER_SYMBOL), badc, bad);
    else
        snprintf(msg, sizeof msg, "%s", L(req, MSG_BOX_TRACKER_LAST));
    portal_notice(h, "error", msg);
}

static void lookup(html *h, http_request *req, const portal_page *p, const char *text)
{
    uint8_t t[BALLOT_TRACKER_BYTES];
    char grouped[BALLOT_TRACKER_CHARS + 1];
    box_found found;
    int rc;

    if (tracker_read(t, text) != 0) {
        tracker_refusal(h, req, text);
        return;
    }
    rc = box_lookup(req->ctx->box, t, &found);
    if (rc == STORE_ENOTFOUND) {
        portal_notice(h, "error", L(req, MSG_BOX_NO_BALLOT_BOX_TRACKING));
        return;
    }
    if (rc != STORE_OK) {
        portal_notice(h, "error", i18n_text(MSG_UNAVAILABLE, req->lang));
        return;
    }
    if (!found.published)
        portal_notice(h, "ok", L(req, MSG_BOX_BALLOT_BOX_RECORDED_PUBLISHED));
    else
        portal_notice(h, "ok", L(req, MSG_BOX_BALLOT_BOX));
    html_fmt(h, "<dl><dt>%s</dt><dd>", L(req, MSG_BOX_SCRUTIN));
    html_text(h, portal_scrutin_title(p, found.scrutin));
    html_fmt(h, "</dd><dt>%s</dt><dd><code class=\"wrap\">", L(req, MSG_BOX_TRACKING_NUMBER));
    ballot_tracker_text(grouped, t);
    html_text(h, grouped);
    html_raw(h, "</code></dd></dl>");
    box_found_free(&found);
}

/* The archive's link once it exists; before, when it will. */
static void archive_link(html *h, http_request *req, const portal_page *p)
{
    int rc = box_archive_ready(req->ctx->box);

    if (rc == STORE_OK) {
        html_fmt(h, "<p><a href=\"/api/v1/archive\">%s</a></p>", L(req, MSG_BOX_COMPLETE_ARCHIVE));
    } else if (p->has_def) {
        html_fmt(h, "<p>%s", L(req, MSG_BOXL_ARCHIVE_AFTER));
        portal_instant(h, req, p->def.closes);
        html_raw(h, ".</p>");
    } else {
        html_fmt(h, "<p>%s</p>", L(req, MSG_BOXL_ARCHIVE_LATER));
    }
}

void page_box(http_request *req, http_response *res)
{
    const char *tracker = http_query(req, "tracker");
    portal_page p = { .title = L(req, MSG_PORTAL_PUBLIC_BALLOT_BOX),
                      .nav = req->session != NULL };
    portal_input in = { "tracker", L(req, MSG_BOX_TRACKING_NUMBER), "text", "off",
                        tracker, L(req, MSG_BOX_RECEIPT_ACKNOWLEDGEMENT_SENT_E), NULL, 1 };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    html_fmt(&h, "<p>%s</p>", L(req, MSG_BOX_BOX_HOLDS_ENCRYPTED_BALLOTS));
    if (tracker != NULL && tracker[0] != '\0')
        lookup(&h, req, &p, tracker);
    html_raw(&h, "<form method=\"get\" action=\"/urne\">");
    portal_field(&h, &in);
    html_fmt(&h, "<button type=\"submit\">%s</button></form>", L(req, MSG_BOX_CHECK));
    if (p.has_def && p.def.nscrutins > 0) {
        html_fmt(&h, "<h2>%s</h2><p>%s</p><ul>", L(req, MSG_BOXL_EVERY_BALLOT),
                 L(req, MSG_BOXL_LIST_INTRO));
        for (size_t i = 0; i < p.def.nscrutins; i++) {
            html_raw(&h, "<li><a href=\"/urne/");
            html_text(&h, p.def.scrutins[i].id);
            html_raw(&h, "\">");
            html_text(&h, p.def.scrutins[i].title);
            html_raw(&h, "</a></li>");
        }
        html_raw(&h, "</ul>");
    }
    archive_link(&h, req, &p);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}

/* A link to the page of id's list after (or before) tracker t (NULL: the first). */
static void list_link(html *h, const char *id, const char *key, const uint8_t *t,
                      const char *label, const char *rel)
{
    char grouped[BALLOT_TRACKER_CHARS + 1];

    html_raw(h, "<li><a href=\"/urne/");
    html_text(h, id);
    if (t != NULL) {
        ballot_tracker_text(grouped, t);
        html_fmt(h, "?%s=%s", key, grouped);
    }
    html_fmt(h, "\" rel=\"%s\">%s</a></li>", rel, label);
}

/* First, previous and next pages: a previous page if anything may come before
 * the first shown, a next one if anything may come after the last. */
static void list_nav(html *h, http_request *req, const box_tracker_page *page, int before,
                     const uint8_t *cursor)
{
    const char *id = req->params[0];
    const uint8_t *first = page->n > 0 ? page->trackers[0] : cursor,
                  *last = page->n > 0 ? page->trackers[page->n - 1] : cursor;
    int prev = cursor != NULL && (before ? page->more : 1), next = before ? 1 : page->more;

    if (cursor == NULL && !next)
        return;
    html_fmt(h, "<nav aria-label=\"%s\"><ul class=\"pages\">", L(req, MSG_BOXL_PAGES));
    if (cursor != NULL)
        list_link(h, id, NULL, NULL, L(req, MSG_BOXL_FIRST_PAGE), "first");
    if (prev && first != NULL)
        list_link(h, id, "avant", first, L(req, MSG_BOXL_PREVIOUS_PAGE), "prev");
    if (next && last != NULL)
        list_link(h, id, "apres", last, L(req, MSG_BOXL_NEXT_PAGE), "next");
    html_raw(h, "</ul></nav>");
}

void page_box_list(http_request *req, http_response *res)
{
    box_tracker_page *page;
    const char *after_text = http_query(req, "apres"), *before_text = http_query(req, "avant");
    const char *cursor_text = after_text != NULL && after_text[0] ? after_text : before_text;
    uint8_t cursor[BALLOT_TRACKER_BYTES];
    char grouped[BALLOT_TRACKER_CHARS + 1];
    portal_page p = { .title = L(req, MSG_BOXL_TRACKERS_OF), .nav = req->session != NULL };
    const def_scrutin *s;
    int has_cursor = cursor_text != NULL && cursor_text[0] != '\0', rc,
        before = has_cursor && cursor_text == before_text;
    html h;

    if (has_cursor && tracker_read(cursor, cursor_text) != 0) {
        http_error(req, res, 400, MSG_BOX_NOT_TRACKING_NUMBER);
        return;
    }
    if ((page = malloc(sizeof *page)) == NULL) {
        http_answer_internal(req, res);
        return;
    }
    rc = box_trackers(req->ctx->box, req->params[0], has_cursor ? cursor : NULL, before,
                      BOX_LIST_PAGE, page);
    if (rc != STORE_OK) {           /* no such scrutin, or the store's trouble */
        free(page);
        http_error(req, res, rc == STORE_ENOTFOUND ? 404 : 503,
                   rc == STORE_ENOTFOUND ? MSG_BOXL_UNKNOWN_SCRUTIN : MSG_UNAVAILABLE);
        return;
    }
    html_init(&h);
    portal_begin(&h, req, res, &p);
    s = p.has_def ? def_scrutin_find(&p.def, req->params[0]) : NULL;
    html_raw(&h, "<p><strong>");
    html_text(&h, s != NULL ? s->title : req->params[0]);
    html_fmt(&h, "</strong></p><p>%s</p>", L(req, MSG_BOXL_PAGE_INTRO));
    if (has_cursor) {
        ballot_tracker_text(grouped, cursor);
        html_fmt(&h, "<p>%s <code class=\"wrap\">%s</code></p>",
                 L(req, before ? MSG_BOXL_UNTIL : MSG_BOXL_FROM), grouped);
    }
    if (page->n == 0) {
        html_fmt(&h, "<p>%s</p>", L(req, !has_cursor ? MSG_BOXL_NONE : before ? MSG_BOXL_NONE_BEFORE
                                                                      : MSG_BOXL_NONE_AFTER));
    } else {
        html_raw(&h, "<ul class=\"trackers\">");
        for (size_t i = 0; i < page->n; i++) {
            ballot_tracker_text(grouped, page->trackers[i]);
            html_fmt(&h, "<li><code>%s</code></li>", grouped);
        }
        html_raw(&h, "</ul>");
    }
    list_nav(&h, req, page, before, has_cursor ? cursor : NULL);
    html_fmt(&h, "<p><a href=\"/urne\">%s</a></p>", L(req, MSG_BOXL_BACK));
    free(page);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
