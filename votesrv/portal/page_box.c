/* GET /urne[?tracker=T] - the public ballot box: is the ballot with this
 * tracking number in it? Anyone may ask; the answer shows the scrutin and
 * nothing about who cast it. */
#include "pages.h"

#include <string.h>
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"

static void lookup(html *h, http_request *req, const char *text)
{
    uint8_t t[BALLOT_TRACKER_BYTES];
    char hex[2 * BALLOT_TRACKER_BYTES + 1];
    box_found found;
    int rc;

    if (strlen(text) > 2 * BALLOT_TRACKER_BYTES + 16 ||
        (hex_decode(t, sizeof t, text) != 0 && ballot_tracker_parse(t, text) != 0)) {
        portal_notice(h, "error", L(req, "Ce n'est pas un numéro de suivi : il compte 52 "
                                         "caractères en groupes de 4.",
                                    "This is not a tracking number: it has 52 characters in "
                                    "groups of 4."));
        return;
    }
    rc = box_lookup(req->ctx->box, t, &found);
    if (rc == STORE_ENOTFOUND) {
        portal_notice(h, "error", L(req, "Aucun bulletin de l'urne ne porte ce numéro de "
                                         "suivi. Vérifiez votre saisie ; si le numéro est "
                                         "exact, contactez la cellule d'assistance.",
                                    "No ballot in the box has this tracking number. Check what "
                                    "you typed; if the number is right, contact the support "
                                    "cell."));
        return;
    }
    if (rc != STORE_OK) {
        portal_notice(h, "error", i18n_text(MSG_UNAVAILABLE, req->lang));
        return;
    }
    if (!found.published)
        portal_notice(h, "ok", L(req, "Ce bulletin est dans l'urne. Il est enregistré et sera "
                                      "publié sur le tableau de l'urne au prochain lot : les "
                                      "nouveaux bulletins y paraissent ensemble, à intervalles "
                                      "réguliers, pour que nul ne puisse dater un bulletin.",
                                 "This ballot is in the box. It is recorded, and published on "
                                 "the board at the next batch: new ballots appear there "
                                 "together, at regular intervals, so that no one can time a "
                                 "ballot."));
    else
        portal_notice(h, "ok", L(req, "Ce bulletin est dans l'urne.",
                                 "This ballot is in the box."));
    html_fmt(h, "<dl><dt>%s</dt><dd>", L(req, "Scrutin", "Scrutin"));
    html_text(h, found.scrutin);
    html_fmt(h, "</dd><dt>%s</dt><dd><code class=\"wrap\">", L(req, "Numéro de suivi",
                                                              "Tracking number"));
    hex_encode(hex, t, sizeof t);
    html_text(h, hex);
    html_raw(h, "</code></dd></dl>");
    box_found_free(&found);
}

int page_box(http_request *req, http_response *res)
{
    const char *tracker = http_query(req, "tracker");
    portal_page p = { .title = L(req, "Urne publique", "Public ballot box"),
                      .nav = req->session != NULL };
    portal_input in = { "tracker", L(req, "Numéro de suivi", "Tracking number"), "text", "off",
                        tracker, L(req, "Il figure sur votre reçu et dans l'accusé de réception "
                                        "envoyé par courriel.",
                                   "It is on your receipt and in the acknowledgement sent by "
                                   "e-mail."), NULL, 1 };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    html_fmt(&h, "<p>%s</p>", L(req, "L'urne contient les bulletins chiffrés, sans lien avec les "
                                     "électeurs. Vérifiez que le vôtre y est.",
                                "The box holds the encrypted ballots, with no link to the "
                                "voters. Check that yours is there."));
    if (tracker != NULL && tracker[0] != '\0')
        lookup(&h, req, tracker);
    html_raw(&h, "<form method=\"get\" action=\"/urne\">");
    portal_field(&h, &in);
    html_fmt(&h, "<button type=\"submit\">%s</button></form>", L(req, "Vérifier", "Check"));
    html_fmt(&h, "<p><a href=\"/api/v1/archive\">%s</a></p>",
             L(req, "Archive complète de l'élection (après la clôture), pour les vérificateurs",
               "The election's complete archive (after closing), for verifiers"));
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, 200);
}
