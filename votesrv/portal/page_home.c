/* GET / - the election: who organises it, when the vote is open, the scrutins
 * with their lists and professions de foi, and how to get in. */
#include "pages.h"

#include <string.h>
#include "election/election.h"
#include "votesrv/server.h"

static void state_line(html *h, http_request *req, const election_status *st)
{
    const char *s = st->state;

    if (st->suspended) {
        portal_notice(h, "info", L(req, "Le vote est momentanément suspendu.",
                                   "Voting is suspended for the moment."));
        if (st->notice[0] != '\0') {
            html_raw(h, "<p>");
            html_text(h, st->notice);
            html_raw(h, "</p>");
        }
    } else if (strcmp(s, "open") == 0) {
        portal_notice(h, "ok", L(req, "Le vote est ouvert.", "Voting is open."));
    } else if (strcmp(s, "closed") == 0 || strcmp(s, "tallied") == 0) {
        portal_notice(h, "info", L(req, "Le vote est clos ; le dépouillement est en cours.",
                                   "Voting is closed; the count is under way."));
    } else if (strcmp(s, "published") == 0 || strcmp(s, "purged") == 0) {
        portal_notice(h, "info", L(req, "Le vote est clos ; les résultats sont publiés.",
                                   "Voting is closed; the results are published."));
    } else {
        portal_notice(h, "info", L(req, "Le vote n'est pas encore ouvert.",
                                   "Voting is not open yet."));
    }
}

static void scrutin_section(html *h, http_request *req, const def_scrutin *s)
{
    html_raw(h, "<section class=\"scrutin\"><h3>");
    html_text(h, s->title);
    html_fmt(h, "</h3><p>%s %d</p><ul class=\"lists\">", L(req, "Sièges à pourvoir :",
                                                           "Seats to fill:"), s->seats);
    for (size_t l = 0; l < s->nlists; l++) {
        html_raw(h, "<li>");
        html_text(h, s->lists[l].name);
        if (s->lists[l].union_name != NULL) {
            html_raw(h, " <span class=\"union\">(");
            html_text(h, s->lists[l].union_name);
            html_raw(h, ")</span>");
        }
        if (s->lists[l].profession_de_foi != NULL) {
            html_raw(h, " — <a href=\"/professions/");
            html_text(h, s->id);
            html_fmt(h, "/%zu\">%s", l + 1, L(req, "profession de foi", "profession de foi"));
            html_fmt(h, "<span class=\"sr\"> %s ", L(req, "de", "of"));
            html_text(h, s->lists[l].name);
            html_raw(h, "</span>");
            if (server_document_label(s->lists[l].profession_de_foi) != NULL)
                html_fmt(h, " (%s)", server_document_label(s->lists[l].profession_de_foi));
            html_raw(h, "</a>");
        }
        html_raw(h, "</li>");
    }
    html_raw(h, "</ul></section>");
}

int page_home(http_request *req, http_response *res)
{
    election_status st;
    def_election d;
    char err[DEF_ERR_CHARS];
    portal_page p = { .title = NULL };
    html h;

    if (election_status_get(req->ctx->store, &st) != STORE_OK ||
        election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    html_init(&h);
    p.title = L(req, "Bienvenue", "Welcome");
    portal_begin(&h, req, res, &p);
    state_line(&h, req, &st);
    html_fmt(&h, "<p>%s ", L(req, "Le vote est ouvert du", "Voting is open from"));
    portal_instant(&h, req, d.opens);
    html_fmt(&h, " %s ", L(req, "au", "to"));
    portal_instant(&h, req, d.closes);
    html_raw(&h, L(req, " (heure de Paris).</p>", " (Paris time).</p>"));
    html_fmt(&h, "<h2>%s</h2><ol class=\"steps\">", L(req, "Comment voter", "How to vote"));
    html_fmt(&h, "<li>%s</li>", L(req, "Activez votre compte avec le lien reçu sur votre "
                                       "adresse professionnelle : vous y créez votre mot de "
                                       "passe « élections » et votre question défi.",
                                  "Activate your account with the link sent to your work "
                                  "address: you create your \"elections\" password and your "
                                  "challenge question there."));
    html_fmt(&h, "<li>%s</li>", L(req, "Gardez la notice papier qui vous est remise : elle "
                                       "porte votre code de vote secret.",
                                  "Keep the paper notice handed to you: it carries your "
                                  "secret vote code."));
    html_fmt(&h, "<li>%s</li></ol>", L(req, "Pendant le vote, connectez-vous, choisissez une "
                                            "liste ou le vote blanc, saisissez votre code de "
                                            "vote et confirmez. Votre bulletin est chiffré sur "
                                            "votre appareil.",
                                       "During the vote, log in, choose a list or a blank "
                                       "vote, type your vote code and confirm. Your ballot is "
                                       "encrypted on your device."));
    html_fmt(&h, "<p class=\"actions\"><a class=\"button\" href=\"/connexion\">%s</a> "
             "<a href=\"/acces\">%s</a></p>", L(req, "Se connecter", "Log in"),
             L(req, "Je n'ai pas reçu de lien, ou il a expiré", "I have no link, or it expired"));
    html_fmt(&h, "<h2>%s</h2>", L(req, "Les scrutins", "The scrutins"));
    for (size_t i = 0; i < d.nscrutins; i++)
        scrutin_section(&h, req, &d.scrutins[i]);
    def_free(&d);
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, 200);
}
