/* GET /aide - help: the questions voters ask the support cell most. */
#include "pages.h"

static const struct {
    const char *q_fr, *a_fr, *q_en, *a_en;
} faq[] = {
    { "Je n'ai pas reçu le lien d'activation.",
      "Regardez dans vos courriers indésirables, puis demandez un nouveau lien sur la page "
      "« Recevoir un lien d'accès » avec votre adresse professionnelle. Chaque nouveau lien "
      "annule les précédents.",
      "I did not receive the activation link.",
      "Look in your junk mail, then ask for a new link on the \"Get an access link\" page with "
      "your professional address. Each new link cancels earlier ones." },
    { "Mon mot de passe est refusé.",
      "Après quelques essais, l'accès est ralenti puis bloqué un moment. Utilisez « Mot de "
      "passe oublié ou refusé » : un lien vous permet d'en choisir un nouveau.",
      "My password is refused.",
      "After a few attempts, access is slowed down then blocked for a while. Use \"Forgotten "
      "or refused password\": a link lets you choose a new one." },
    { "J'ai perdu ma notice ou mon code de vote.",
      "Connectez-vous, puis « J'ai perdu ma notice » dans votre espace de vote : après la "
      "réponse à votre question défi, un nouveau code vous est envoyé par courriel et l'ancien "
      "ne fonctionne plus.",
      "I lost my notice or my vote code.",
      "Log in, then \"I lost my notice\" in your voting space: after the answer to your "
      "challenge question, a new code is sent to you by e-mail and the old one stops working." },
    { "Qui peut connaître mon vote ?",
      "Personne. Votre bulletin est chiffré sur votre appareil ; il est rangé dans l'urne sans "
      "lien avec votre nom. Seul le total est déchiffré, après la clôture, par le président et "
      "deux délégués du bureau de vote réunis.",
      "Who can know my vote?",
      "No one. Your ballot is encrypted on your device; it is stored in the box with no link "
      "to your name. Only the total is decrypted, after closing, by the president and two "
      "delegates of the bureau de vote together." },
    { "Comment vérifier que mon vote a été compté ?",
      "Votre reçu porte un numéro de suivi. La page « Urne publique » dit si un bulletin de "
      "l'urne porte ce numéro ; après la clôture, l'archive publiée permet à quiconque de "
      "vérifier le dépouillement.",
      "How can I check that my vote was counted?",
      "Your receipt carries a tracking number. The \"Public ballot box\" page says whether a "
      "ballot in the box has this number; after closing, the published archive lets anyone "
      "check the count." },
};

int page_help(http_request *req, http_response *res)
{
    portal_page p = { .title = L(req, "Aide", "Help") };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    for (size_t i = 0; i < sizeof faq / sizeof faq[0]; i++) {
        html_raw(&h, "<h2>");
        html_text(&h, L(req, faq[i].q_fr, faq[i].q_en));
        html_raw(&h, "</h2><p>");
        html_text(&h, L(req, faq[i].a_fr, faq[i].a_en));
        html_raw(&h, "</p>");
    }
    portal_end(&h, req, &p);
    return portal_send(req, res, &h, 200);
}
