/* GET /recu?t=TRACKER&n=COUNT&d=DIGEST&s=SIGNATURE[&a=1] - a vote's receipt at a
 * stable address, where the vote page sends the voter once the ballot is in
 * the box (303): it reloads, prints and bookmarks. The address carries the
 * signed receipt's public fields only; the page finds the ballot by its
 * tracker (its scrutin), takes the election's fingerprint, and shows the
 * receipt only if the server's receipt key (the audit key) verifies its
 * signature. Nothing is stored: the server keeps no voter -> tracker link
 * (docs/threat-model.md), and the request log names the route, never the
 * query. GET /recu.json and /recu.pdf, same query: the signed receipt as JSON
 * (box_receipt_json) and as a PDF (report/receipt.c). a=1: a receipt "already
 * recorded" (the same ballot sent again, box_cast), signed as such: the page
 * says so. */
#define _GNU_SOURCE                     /* memfd_create */
#include "pages.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"
#include "election/election.h"
#include "report/report.h"
#include "votesrv/api.h"

typedef struct {
    box_receipt r;
    int published;
    char url[400];          /* the receipt's address, query included */
    char digest[65], sig[129], fp[65];
} receipt_view;

/* The receipt the query describes, if the box holds its ballot and the
 * signature verifies. 0, else -1 with *status 404 (no such receipt: a field
 * missing or malformed, no such ballot, a signature the server did not make)
 * or 503 (the store did not answer). */
static int receipt_load(http_request *req, receipt_view *v, int *status)
{
    const char *t = http_query(req, "t"), *n = http_query(req, "n");
    const char *d = http_query(req, "d"), *s = http_query(req, "s"), *a = http_query(req, "a");
    election_status st;
    box_found found;
    char *end;
    int rc;

    memset(v, 0, sizeof *v);
    *status = 404;
    if (t == NULL || n == NULL || d == NULL || s == NULL || strlen(t) > BALLOT_TRACKER_CHARS ||
        ballot_tracker_parse(v->r.tracker, t) != 0 || n[0] < '0' || n[0] > '9' ||
        strlen(n) > 19 || hex_decode(v->r.digest, sizeof v->r.digest, d) != 0 ||
        hex_decode(v->r.signature, sizeof v->r.signature, s) != 0)
        return -1;
    v->r.count = strtoull(n, &end, 10);
    if (*end != '\0' || (a != NULL && strcmp(a, "1") != 0))
        return -1;
    v->r.already_recorded = a != NULL;
    rc = box_lookup(req->ctx->box, v->r.tracker, &found);
    if (rc == STORE_ENOTFOUND)
        return -1;
    if (rc != STORE_OK || election_status_get(req->ctx->store, &st) != STORE_OK) {
        if (rc == STORE_OK)
            box_found_free(&found);
        *status = 503;
        return -1;
    }
    snprintf(v->r.scrutin, sizeof v->r.scrutin, "%s", found.scrutin);
    v->published = found.published;
    box_found_free(&found);
    memcpy(v->r.fp, st.fingerprint, sizeof v->r.fp);
    ballot_tracker_text(v->r.tracker_text, v->r.tracker);
    if (box_receipt_verify(&v->r, req->ctx->keys->audit_pk) != 0)
        return -1;
    hex_encode(v->digest, v->r.digest, sizeof v->r.digest);
    hex_encode(v->sig, v->r.signature, sizeof v->r.signature);
    hex_encode(v->fp, v->r.fp, sizeof v->r.fp);
    snprintf(v->url, sizeof v->url, "?t=%s&n=%" PRIu64 "&d=%s&s=%s%s", v->r.tracker_text,
             v->r.count, v->digest, v->sig, v->r.already_recorded ? "&a=1" : "");
    return 0;
}

/* The error page of a receipt that cannot be shown: where to look instead. */
static void receipt_missing(http_request *req, http_response *res, int status)
{
    portal_page p = { .title = L(req, MSG_RECEIPT_NOT_FOUND_TITLE) };
    int64_t voter;
    html h;

    if (status != 404) {
        http_error(req, res, status, MSG_UNAVAILABLE);
        return;
    }
    p.nav = portal_voter_or_none(req, &voter) == 0;
    html_init(&h);
    portal_begin(&h, req, res, &p);
    portal_notice(&h, "error", L(req, MSG_RECEIPT_NOT_FOUND));
    html_fmt(&h, "<p><a href=\"/urne\">%s</a></p>", L(req, MSG_VOTE_CHECK_MY_BALLOT_BALLOT));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 404);
}

/* The tracker in its groups of four: a line breaks between groups only. */
void portal_tracker(html *h, const char *text)
{
    size_t n = strlen(text);

    html_raw(h, "<span class=\"tracker\">");
    for (size_t at = 0; at < n; at += 5)      /* "ABCD-" then a break opportunity */
        html_fmt(h, "<span class=\"group\">%.*s</span>%s", at + 4 < n ? 5 : 4, text + at,
                 at + 4 < n ? "<wbr>" : "");
    html_raw(h, "</span>");
}

void portal_voter_tag(char out[33], http_request *req, int64_t voter)
{
    uint8_t tag[16], in[8];
    crypto_generichash_state st;

    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)((uint64_t)voter >> (8 * i));
    crypto_generichash_init(&st, req->ctx->csrf_key, sizeof req->ctx->csrf_key, sizeof tag);
    crypto_generichash_update(&st, (const uint8_t *)"votesrv/v1/device-tag", 21);
    crypto_generichash_update(&st, in, sizeof in);
    crypto_generichash_final(&st, tag, sizeof tag);
    hex_encode(out, tag, sizeof tag);
}

static void dd_code(html *h, const char *label, const char *value)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_raw(h, "</dt><dd><code class=\"wrap\">");
    html_text(h, value);
    html_raw(h, "</code></dd>");
}

void page_receipt(http_request *req, http_response *res)
{
    portal_page p = { .title = L(req, MSG_VOTE_RECORDED), .script = "receipt.mjs" };
    receipt_view v;
    char key[65], count[24], who[33], self[sizeof v.url + 8];
    int64_t voter;
    int status, logged_in;
    html h;

    if (receipt_load(req, &v, &status) != 0) {
        receipt_missing(req, res, status);
        return;
    }
    logged_in = portal_voter_or_none(req, &voter) == 0;
    p.nav = logged_in;
    snprintf(self, sizeof self, "/recu%s", v.url);
    p.self = self;
    hex_encode(key, req->ctx->keys->audit_pk, 32);
    snprintf(count, sizeof count, "%" PRIu64, v.r.count);
    html_init(&h);
    portal_begin(&h, req, res, &p);
    portal_steps(&h, req, 4);
    if (v.r.already_recorded)
        portal_notice(&h, "info", L(req, MSG_RECEIPT_ALREADY_RECORDED));
    portal_notice(&h, "ok", L(req, v.published ? MSG_BOX_BALLOT_BOX
                                                : MSG_BOX_BALLOT_BOX_RECORDED_PUBLISHED));
    html_raw(&h, "<section id=\"receipt\" data-scrutin=\"");
    html_text(&h, v.r.scrutin);
    html_raw(&h, "\" data-title=\"");
    html_text(&h, portal_scrutin_title(&p, v.r.scrutin));
    html_raw(&h, "\" data-tracker=\"");
    html_text(&h, v.r.tracker_text);
    if (logged_in) {
        portal_voter_tag(who, req, voter);
        html_fmt(&h, "\" data-who=\"%s", who);
    }
    html_raw(&h, "\" data-href=\"/recu");
    html_text(&h, v.url);
    html_fmt(&h, "\" aria-labelledby=\"receipt-scrutin\"><h2 id=\"receipt-scrutin\">");
    html_text(&h, portal_scrutin_title(&p, v.r.scrutin));
    html_fmt(&h, "</h2><h3>%s</h3><p id=\"tracker\">", L(req, MSG_VOTE_TRACKING_NUMBER));
    portal_tracker(&h, v.r.tracker_text);
    html_fmt(&h, "</p><p>%s</p>", L(req, MSG_VOTE_WRITE_DOWN_LETS_CHECK));
    html_raw(&h, "<ul class=\"actions no-print\"><li><a class=\"button\" href=\"/urne?tracker=");
    html_text(&h, v.r.tracker_text);
    html_fmt(&h, "\">%s</a></li>", L(req, MSG_VOTE_CHECK_MY_BALLOT_BALLOT));
    html_raw(&h, "<li><a href=\"/recu.pdf");
    html_text(&h, v.url);
    html_fmt(&h, "\" download=\"recu-%.9s.pdf\" id=\"receipt-pdf\">%s</a></li>", v.r.tracker_text,
             L(req, MSG_RECEIPT_DOWNLOAD_PDF));
    html_raw(&h, "<li><a href=\"/recu.json");
    html_text(&h, v.url);
    html_fmt(&h, "\" download=\"recu-%.9s.json\" id=\"receipt-json\">%s</a></li>",
             v.r.tracker_text, L(req, MSG_RECEIPT_DOWNLOAD_JSON));
    html_fmt(&h, "<li><button type=\"button\" id=\"receipt-print\" class=\"secondary\" hidden>"
                 "%s</button></li></ul>", L(req, MSG_RECEIPT_PRINT));
    html_fmt(&h, "<h3>%s</h3><p>%s</p><dl class=\"receipt\">",
             L(req, MSG_VOTE_RECEIPT_SIGNED_SERVER), L(req, MSG_RECEIPT_SIGNED_EXPLAINED));
    dd_code(&h, L(req, MSG_RECEIPT_COUNT), count);
    dd_code(&h, L(req, MSG_VOTE_FINGERPRINT_LABEL), v.fp);
    dd_code(&h, L(req, MSG_RECEIPT_DIGEST), v.digest);
    dd_code(&h, L(req, MSG_VOTE_SIGNATURE_ED25519), v.sig);
    dd_code(&h, L(req, MSG_RECEIPT_KEY), key);
    html_raw(&h, "</dl></section>");
    html_fmt(&h, "<p class=\"no-print\"><a href=\"/espace\">%s</a></p>",
             L(req, MSG_PORTAL_BACK_MY_VOTING_SPACE));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}

void page_receipt_json(http_request *req, http_response *res)
{
    receipt_view v;
    int status;

    if (receipt_load(req, &v, &status) != 0) {
        receipt_missing(req, res, status);
        return;
    }
    res->json = box_receipt_json(&v.r);
    if (res->json == NULL) {
        http_answer_internal(req, res);
        return;
    }
    res->status = 200;
}

void page_receipt_pdf(http_request *req, http_response *res)
{
    report_receipt pr = {
        .texts = { L(req, MSG_RECEIPT_TITLE), L(req, MSG_BOX_SCRUTIN),
                   L(req, MSG_VOTE_TRACKING_NUMBER), L(req, MSG_RECEIPT_COUNT),
                   L(req, MSG_VOTE_FINGERPRINT_LABEL), L(req, MSG_RECEIPT_DIGEST),
                   L(req, MSG_VOTE_SIGNATURE_ED25519), L(req, MSG_RECEIPT_KEY),
                   L(req, MSG_RECEIPT_PDF_CHECK) }
    };
    char key[65], url[sizeof ((mail_config *)0)->portal_url + 400 + 8], err[DEF_ERR_CHARS];
    def_election d;
    receipt_view v;
    const def_scrutin *s;
    int status, fd, rc;
    off_t size;

    if (receipt_load(req, &v, &status) != 0) {
        receipt_missing(req, res, status);
        return;
    }
    if (election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    s = def_scrutin_find(&d, v.r.scrutin);
    hex_encode(key, req->ctx->keys->audit_pk, 32);
    snprintf(url, sizeof url, "%s/recu%s", req->ctx->cfg->mail.portal_url, v.url);
    pr.election = d.name;
    pr.organiser = d.organiser;
    pr.scrutin_title = s != NULL ? s->title : v.r.scrutin;
    pr.tracker_text = v.r.tracker_text;
    pr.fingerprint = v.fp;
    pr.digest = v.digest;
    pr.signature = v.sig;
    pr.key = key;
    pr.count = v.r.count;
    pr.url = url;
    pr.note = v.r.already_recorded ? L(req, MSG_RECEIPT_ALREADY_RECORDED) : NULL;
    fd = memfd_create("receipt.pdf", MFD_CLOEXEC);
    rc = fd < 0 ? -1 : report_receipt_pdf(fd, &pr);
    def_free(&d);
    size = rc == 0 ? lseek(fd, 0, SEEK_CUR) : -1;
    if (size <= 0) {
        if (fd >= 0)
            close(fd);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    http_answer_fd(res, fd, (uint64_t)size, "application/pdf");
}
