/* GET/POST /vote/{scrutin} - voting. The page lists the choices; its script
 * (static/vote.mjs) shows the review, takes the vote code, encrypts the ballot
 * with its proofs and signs it on the voter's device, and posts only the
 * ballot and the code's authenticator: neither the choice nor the code ever
 * reaches the server. Before any choice, the script checks the election it is
 * handed (key, canonical definition, fingerprint: docs/protocol.md section 12)
 * and shows the fingerprint's short form for the voter to compare with the
 * notice. Without JavaScript the page says why it is needed. */
#include "pages.h"

#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "access/access.h"
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"
#include "election/election.h"
#include "votesrv/api.h"
#include "votesrv/server.h"


typedef struct {
    int64_t voter;
    def_election d;
    const def_scrutin *s;
    election_status st;
    uint8_t pk[32];
    box_cast_verdict verdict;
    int code_refused;                 /* the cast was refused for its vote code */
} vote_ctx;

/* Without a session: the login page, which brings the voter back to this
 * scrutin; after a cast (lost != 0) it says first that nothing was recorded. */
static void to_login(http_request *req, http_response *res, int lost)
{
    char to[160];
    const char *id = req->params[0];
    int plain = id[0] != '\0' && strlen(id) <= STORE_SCRUTIN_CHARS;

    for (const char *c = id; plain && *c; c++)
        plain = isalnum((unsigned char)*c) || *c == '-' || *c == '_';
    if (!plain) {
        http_redirect(res, "/connexion");
        return;
    }
    snprintf(to, sizeof to, "/connexion?scrutin=%s%s", id, lost ? "&vote=perdu" : "");
    http_redirect(res, to);
}

/* The voter, the scrutin and whether they may vote in it now. 0, or -1 with
 * the response filled. */
static int load(http_request *req, http_response *res, vote_ctx *v, int posted)
{
    char err[DEF_ERR_CHARS];

    memset(v, 0, sizeof *v);
    if (portal_voter_or_none(req, &v->voter) != 0) {
        to_login(req, res, posted);
        return -1;
    }
    if (election_status_get(req->ctx->store, &v->st) != STORE_OK ||
        election_definition(req->ctx->store, &v->d, err, sizeof err) != 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return -1;
    }
    if (box_cast_check(req->ctx->store, &v->d, v->voter, req->params[0], api_now(),
                       &v->verdict) != STORE_OK) {
        def_free(&v->d);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return -1;
    }
    v->s = def_scrutin_find(&v->d, req->params[0]);
    if (v->verdict == BOX_CAST_UNKNOWN_SCRUTIN || v->verdict == BOX_CAST_NOT_ELIGIBLE) {
        def_free(&v->d);
        http_error(req, res, 404, api_cast_msg(v->verdict));
        return -1;
    }
    if (v->st.has_public_key)
        election_status_key(req->ctx->store, v->pk);
    return 0;
}

/* List l's profession de foi, beside its choice (not inside the label: the
 * script checks labels against the definition). */
static void profession(html *h, http_request *req, const def_scrutin *s, size_t l)
{
    const char *kind;

    if (s->lists[l].profession_de_foi == NULL)
        return;
    html_raw(h, " <a class=\"profession\" href=\"/professions/");
    html_text(h, s->id);
    html_fmt(h, "/%zu\" id=\"p%zu\">%s", l + 1, l, L(req, MSG_VOTE_PROFESSION_DE_FOI));
    if ((kind = server_document_label(s->lists[l].profession_de_foi)) != NULL)
        html_fmt(h, " (%s)", kind);
    html_raw(h, "<span class=\"sr\"> : ");
    html_text(h, s->lists[l].name);
    html_raw(h, "</span></a>");
}

static void choices(html *h, http_request *req, const def_scrutin *s)
{
    html_fmt(h, "<fieldset class=\"choices\"><legend>%s</legend>",
             L(req, MSG_VOTE_CHOOSE_LIST_BLANK_VOTE));
    for (size_t l = 0; l < s->nlists; l++) {
        html_fmt(h, "<div class=\"choice\"><input type=\"radio\" name=\"choice\" id=\"c%zu\" "
                    "value=\"%zu\"><label for=\"c%zu\">", l, l, l);
        html_text(h, s->lists[l].name);
        if (s->lists[l].union_name != NULL) {
            html_raw(h, " <span class=\"union\">(");
            html_text(h, s->lists[l].union_name);
            html_raw(h, ")</span>");
        }
        html_raw(h, "</label>");
        profession(h, req, s, l);
        html_raw(h, "</div>");
    }
    if (s->blank_allowed)
        html_fmt(h, "<div class=\"choice\"><input type=\"radio\" name=\"choice\" id=\"cb\" "
                    "value=\"blank\"><label for=\"cb\">%s</label></div>",
                 L(req, MSG_VOTE_BLANK_VOTE));
    html_raw(h, "</fieldset>");
}

/* Step 2, shown by the script: the review, the code and the confirmation. */
static void review(html *h, http_request *req, int code_refused)
{
    html_fmt(h, "<section id=\"review\" hidden aria-labelledby=\"review-title\">"
                "<h2 id=\"review-title\" tabindex=\"-1\">%s</h2><p>%s <strong id=\"chosen\">"
                "</strong></p><p><button type=\"button\" id=\"change\" class=\"secondary\">%s"
                "</button></p>",
             L(req, MSG_VOTE_CHECK_CHOICE),
             L(req, MSG_VOTE_CHOSE),
             L(req, MSG_VOTE_CHANGE_MY_CHOICE));
    html_fmt(h, "<div class=\"field\"><label for=\"code\">%s</label><p class=\"hint\" "
                "id=\"code-hint\">%s</p><p class=\"error\" id=\"code-err\" hidden></p>"
                "<input id=\"code\" type=\"text\" autocomplete=\"off\" autocapitalize=\"characters\" "
                "spellcheck=\"false\" aria-describedby=\"code-hint code-err\"%s></div>",
             L(req, MSG_VOTE_CODE_LABEL),
             L(req, MSG_VOTE_CODE_HINT), code_refused ? " aria-invalid=\"true\"" : "");
    html_fmt(h, "<div class=\"field check\"><input type=\"checkbox\" id=\"final\">"
                "<label for=\"final\">%s</label></div>",
             L(req, MSG_VOTE_I_UNDERSTAND_MY_VOTE));
    html_fmt(h, "<p class=\"error\" id=\"final-err\" hidden>%s</p>",
             L(req, MSG_VOTE_TICK_BOX_CONFIRM));
    html_fmt(h, "<p><button type=\"button\" id=\"confirm\">%s</button></p></section>",
             L(req, MSG_VOTE_CONFIRM_MY_VOTE));
}

/* The rest of #vote's attributes: the canonical definition, from which the
 * script recomputes the fingerprint (with data-eid and data-pk) and refuses
 * to encrypt if it is not data-fp; then where the script shows the
 * fingerprint's short form it computed, for the voter to compare with the
 * notice, or says why it refuses (docs/protocol.md section 12). */
static void election_data(html *h, http_request *req, const def_election *d)
{
    char *canon = def_canonical(d);

    html_raw(h, "\" data-definition=\"");
    html_text(h, canon != NULL ? canon : "");
    free(canon);
    html_fmt(h, "\"><div id=\"election-check\" hidden><p>%s <strong id=\"fp-text\" "
                "class=\"tracker\"></strong></p><p class=\"hint\">%s</p></div>"
                "<p class=\"error\" id=\"election-err\" role=\"alert\" hidden></p>",
             L(req, MSG_VOTE_ELECTION_FINGERPRINT),
             L(req, MSG_VOTE_CHECK_SAME_ONE_PRINTED));
}

static void render(http_request *req, http_response *res, vote_ctx *v, const char *err,
                   int status)
{
    portal_page p = { .title = NULL, .nav = 1, .script = "vote.mjs" };
    char fp[65], pk[65], who[33];
    html h;

    p.title = v->s->title;
    html_init(&h);
    portal_begin(&h, req, res, &p);
    /* a refusal that is the verdict itself (already voted) is said once */
    if (err != NULL && (v->verdict == BOX_CAST_ALLOWED ||
                        strcmp(err, i18n_text(api_cast_msg(v->verdict), req->lang)) != 0))
        portal_notice(&h, "error", err);
    if (v->verdict != BOX_CAST_ALLOWED) {
        portal_notice(&h, "info", i18n_text(api_cast_msg(v->verdict), req->lang));
    } else {
        portal_steps(&h, req, 1);
        sodium_bin2hex(fp, sizeof fp, v->st.fingerprint, 32);
        sodium_bin2hex(pk, sizeof pk, v->pk, 32);
        html_raw(&h, "<noscript>");
        portal_notice(&h, "info", L(req, MSG_VOTE_BALLOT_ENCRYPTED_DEVICE_BEFORE));
        html_raw(&h, "</noscript>");
        /* not a form: nothing here can be submitted, the choice stays in the browser */
        /* the voter's opaque tag (as the receipt's): the choice kept in this
         * tab for a new login comes back to this voter only (vote.mjs) */
        portal_voter_tag(who, req, v->voter);
        html_fmt(&h, "<div id=\"vote\" data-who=\"%s\" data-eid=\"%s\" data-fp=\"%s\" "
                     "data-pk=\"%s\" data-min=\"%d\" data-max=\"1\" data-k=\"%zu\" "
                     "data-scrutin=\"", who, v->st.eid, fp, pk, v->s->blank_allowed ? 0 : 1,
                 v->s->nlists);
        html_text(&h, v->s->id);
        election_data(&h, req, &v->d);
        html_raw(&h, "<div id=\"step-choose\">");
        choices(&h, req, v->s);
        html_fmt(&h, "<p class=\"error\" id=\"choice-err\" hidden>%s</p><p><button "
                     "type=\"button\" id=\"next\" disabled>%s</button></p></div>",
                 L(req, MSG_VOTE_CHOOSE_LIST_ERROR), L(req, MSG_VOTE_CONTINUE));
        review(&h, req, v->code_refused);
        html_raw(&h, "<p id=\"vote-status\" role=\"status\" aria-live=\"polite\"></p></div>");
        html_raw(&h, "<form id=\"cast\" method=\"post\" action=\"/vote/");
        html_text(&h, v->s->id);
        html_raw(&h, "\" hidden>");
        portal_csrf_field(&h, req, res);
        html_raw(&h, "<input type=\"hidden\" name=\"ballot\"><input type=\"hidden\" "
                     "name=\"authenticator\"></form>");
    }
    html_fmt(&h, "<p><a href=\"/espace\">%s</a></p>", L(req, MSG_PORTAL_BACK_MY_VOTING_SPACE));
    portal_end(&h, req, &p);
    def_free(&v->d);
    portal_send(req, res, &h, status);
}

void page_vote(http_request *req, http_response *res)
{
    vote_ctx v;

    if (load(req, res, &v, 0) != 0)
        return;
    render(req, res, &v, NULL, 200);
}

/* The steps of a vote, the current one marked (1-based; the script moves
 * the mark as the voter goes on). */
void portal_steps(html *h, http_request *req, int current)
{
    const msg_id steps[] = { MSG_VOTE_STEP_CHOOSE, MSG_VOTE_STEP_CHECK, MSG_VOTE_STEP_CODE,
                             MSG_VOTE_STEP_RECEIPT };

    html_fmt(h, "<ol class=\"steps\" id=\"steps\" aria-label=\"%s\">", L(req, MSG_VOTE_STEPS));
    for (int i = 0; i < 4; i++)
        html_fmt(h, "<li%s><span class=\"n\">%d</span> %s</li>",
                 i + 1 == current ? " aria-current=\"step\"" : "", i + 1, L(req, steps[i]));
    html_raw(h, "</ol>");
}

/* The receipt's address: its public fields, for page_receipt (a=1: the
 * same ballot sent again, "already recorded", whose signature says so). */
static void to_receipt(http_response *res, const box_receipt *r)
{
    char to[400], digest[65], sig[129];

    hex_encode(digest, r->digest, sizeof r->digest);
    hex_encode(sig, r->signature, sizeof r->signature);
    snprintf(to, sizeof to, "/recu?t=%s&n=%" PRIu64 "&d=%s&s=%s%s", r->tracker_text, r->count,
             digest, sig, r->already_recorded ? "&a=1" : "");
    http_redirect(res, to);
}

/* The refusal of a cast as a message. */
static const char *cast_error(http_request *req, int rc, const box_result *r, int *status,
                              int64_t voter, char *buf, size_t n)
{
    if (rc == BOX_REFUSED && r->code == BOX_E_ACCESS && r->access.code == ACCESS_E_CODE_WRONG)
        return *status = 403, page_code_wrong_message(req, voter, buf, n);
    if (rc == BOX_REFUSED && r->code == BOX_E_ACCESS)
        return *status = 403, portal_access_message(req, ACCESS_REFUSED, r->access.code);
    if (rc == BOX_REFUSED)
        return i18n_text(api_box_msg(r->code, status), req->lang);
    *status = 503;
    return i18n_text(MSG_CAST_UNAVAILABLE, req->lang);
}

void page_vote_post(http_request *req, http_response *res)
{
    const http_ballot *b = &req->ballot;    /* "ballot", read (routes.c: form_ballot) */
    box_ballot_in in = { b->field, b->election, b->wire, b->len };
    const char *authhex = portal_form(req, "authenticator", 64);
    uint8_t auth[32];
    box_receipt receipt;
    box_result r;
    vote_ctx v;
    const char *err;
    int rc, status;
    char msg[400];

    if (portal_csrf_check(req, res) != 0 || load(req, res, &v, 1) != 0)
        return;
    if (!b->present || authhex == NULL || hex_decode(auth, sizeof auth, authhex) != 0) {
        render(req, res, &v, L(req, MSG_VOTE_BALLOT_NOT_ENCRYPTED_DEVICE), 400);
        return;
    }
    rc = box_cast(req->ctx->box, v.voter, v.s->id, auth, &in, req->client, api_now(), &receipt,
                  &r);
    sodium_memzero(auth, sizeof auth);
    if (rc == STORE_OK) {
        def_free(&v.d);
        to_receipt(res, &receipt);
        return;
    }
    /* the page says why, without the form if it must */
    if (rc == BOX_REFUSED && box_cast_check(req->ctx->store, &v.d, v.voter, v.s->id, api_now(),
                                            &v.verdict) != STORE_OK) {
        def_free(&v.d);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    /* the message first: an argument's order of evaluation is unspecified, and
     * status read before cast_error set it gave libmicrohttpd a garbage status
     * (an empty response: the "one run in three" of test_portal) */
    err = cast_error(req, rc, &r, &status, v.voter, msg, sizeof msg);
    v.code_refused = rc == BOX_REFUSED && r.code == BOX_E_ACCESS;
    render(req, res, &v, err, status);
}
