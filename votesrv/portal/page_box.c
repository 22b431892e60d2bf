/* GET /urne[?tracker=T] - the public ballot box: is the ballot with this
 * tracking number in it? Anyone may ask; the answer shows the scrutin and
 * nothing about who cast it. */
#include "pages.h"

#include <ctype.h>
#include <string.h>
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"

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

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        n++;
        if (bad == 0 && (*p >= 0x80 || strchr(b32, toupper(*p)) == NULL || *p == '\0')) {
            bad = n;
            snprintf(badc, sizeof badc, "%c", *p >= 0x20 && *p < 0x7f ? *p : '?');
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

static void lookup(html *h, http_request *req, const char *text)
{
    uint8_t t[BALLOT_TRACKER_BYTES];
    char hex[2 * BALLOT_TRACKER_BYTES + 1];
    box_found found;
    int rc;

    if (strlen(text) > 2 * BALLOT_TRACKER_BYTES + 16 ||
        (hex_decode(t, sizeof t, text) != 0 && ballot_tracker_parse(t, text) != 0)) {
        if (strlen(text) > 2 * BALLOT_TRACKER_BYTES + 16)
            portal_notice(h, "error", L(req, MSG_BOX_NOT_TRACKING_NUMBER));
        else
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
    html_text(h, found.scrutin);
    html_fmt(h, "</dd><dt>%s</dt><dd><code class=\"wrap\">", L(req, MSG_BOX_TRACKING_NUMBER));
    hex_encode(hex, t, sizeof t);
    html_text(h, hex);
    html_raw(h, "</code></dd></dl>");
    box_found_free(&found);
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
        lookup(&h, req, tracker);
    html_raw(&h, "<form method=\"get\" action=\"/urne\">");
    portal_field(&h, &in);
    html_fmt(&h, "<button type=\"submit\">%s</button></form>", L(req, MSG_BOX_CHECK));
    html_fmt(&h, "<p><a href=\"/api/v1/archive\">%s</a></p>",
             L(req, MSG_BOX_COMPLETE_ARCHIVE));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
