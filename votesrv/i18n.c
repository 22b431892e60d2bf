/* i18n.c - message catalogue. */
#include "i18n.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *code, *fr, *en;
} catalogue[MSG_COUNT] = {
    [MSG_NOT_FOUND] = { "not_found", "Cette adresse n'existe pas.",
                        "There is nothing at this address." },
    [MSG_METHOD] = { "method_not_allowed", "Cette méthode n'est pas permise à cette adresse.",
                     "This method is not allowed at this address." },
    [MSG_TOO_LARGE] = { "payload_too_large", "La requête est trop volumineuse.",
                        "The request is too large." },
    [MSG_NO_BODY] = { "unexpected_body", "Cette adresse n'accepte pas de contenu.",
                      "This address takes no request body." },
    [MSG_BAD_JSON] = { "invalid_json", "Le contenu de la requête n'est pas un JSON valide.",
                       "The request body is not valid JSON." },
    [MSG_BAD_QUERY] = { "invalid_query", "Un paramètre de la requête est invalide.",
                        "A query parameter is invalid." },
    [MSG_UNAVAILABLE] = { "unavailable",
                          "Le service est momentanément indisponible. Réessayez dans un instant.",
                          "The service is unavailable for a moment. Please try again shortly." },
    [MSG_CAST_UNAVAILABLE] = { "unavailable",
                               "Votre bulletin n'a pas été enregistré : le service est "
                               "momentanément indisponible. Réessayez dans un instant.",
                               "Your ballot was not recorded: the service is unavailable for "
                               "a moment. Please try again shortly." },
    [MSG_INTERNAL] = { "internal_error", "Une erreur interne est survenue ; rien n'a été modifié.",
                       "An internal error occurred; nothing was changed." },
    [MSG_CONTENT_TYPE] = { "unsupported_media_type",
                           "Le contenu doit être envoyé en JSON (application/json).",
                           "The request body must be sent as JSON (application/json)." },
    [MSG_FIELD] = { "invalid_field", "Un champ est manquant ou invalide.",
                    "A field is missing or invalid." },
    [MSG_LINK_SENT] = { "link_sent",
                        "Si cette adresse est celle d'un électeur, un lien vient d'y être envoyé. "
                        "Il est valable 72 heures et annule les liens précédents.",
                        "If this address belongs to a voter, a link has just been sent to it. "
                        "It is valid for 72 hours and cancels earlier links." },
    [MSG_LINK_INVALID] = { "link_invalid",
                           "Ce lien n'est plus valable : il a déjà servi, a été remplacé par un "
                           "lien plus récent ou a expiré. Demandez un nouveau lien.",
                           "This link is no longer valid: it was already used, replaced by a "
                           "newer link or has expired. Ask for a new link." },
    [MSG_PASSWORD_SHORT] = { "password_too_short",
                             "Le mot de passe doit compter au moins 12 caractères. Une phrase de "
                             "plusieurs mots est plus facile à retenir.",
                             "The password must have at least 12 characters. A phrase of several "
                             "words is easier to remember." },
    [MSG_PASSWORD_LONG] = { "password_too_long", "Le mot de passe est trop long.",
                            "The password is too long." },
    [MSG_PASSWORD_COMMON] = { "password_too_common",
                              "Ce mot de passe est trop courant ou trop facile à deviner (mots "
                              "de passe connus, même avec des chiffres ou des symboles à la "
                              "place de lettres, dates, années). Une phrase de plusieurs mots "
                              "est plus sûre.",
                              "This password is too common or too easy to guess (known "
                              "passwords, even with digits or symbols for letters, dates, "
                              "years). A phrase of several words is safer." },
    [MSG_PASSWORD_IDENTIFIER] = { "password_contains_identifier",
                                  "Le mot de passe ne doit pas reprendre vos informations : "
                                  "numéro d'électeur, nom, prénom, adresse électronique (ni "
                                  "son domaine), adresse postale, ni le nom de l'organisateur "
                                  "ou de l'élection.",
                                  "The password must not be built on your details: voter "
                                  "number, surname, given names, e-mail address (or its "
                                  "domain), postal address, nor the organiser's or the "
                                  "election's name." },
    [MSG_PASSWORD_ENCODING] = { "password_encoding",
                                "Le mot de passe contient des caractères invalides.",
                                "The password contains invalid characters." },
    [MSG_PASSWORD_PATTERN] = { "password_pattern",
                               "Le mot de passe est fait de répétitions, de suites ou d'un "
                               "parcours du clavier (comme « azerty » ou « 1q2w3e »). Une "
                               "phrase de plusieurs mots est plus sûre.",
                               "The password is made of repetitions, sequences or a walk on "
                               "the keyboard (like \"azerty\" or \"1q2w3e\"). A phrase of "
                               "several words is safer." },
    [MSG_DEFI_QUESTION] = { "defi_question_invalid", "Choisissez une question défi de la liste.",
                            "Choose a challenge question from the list." },
    [MSG_DEFI_ANSWER] = { "defi_answer_invalid",
                          "La réponse au défi doit compter de 1 à 200 caractères.",
                          "The challenge answer must have 1 to 200 characters." },
    [MSG_CREDENTIALS] = { "invalid_credentials", "Identifiant ou mot de passe incorrect.",
                          "Incorrect identifier or password." },
    [MSG_THROTTLED] = { "too_many_attempts",
                        "Trop de tentatives. Patientez avant de réessayer.",
                        "Too many attempts. Please wait before trying again." },
    [MSG_LOCKED] = { "account_locked",
                     "Après trop de tentatives, l'accès est bloqué pour un moment. Réessayez "
                     "plus tard ou contactez la cellule d'assistance.",
                     "After too many attempts, access is blocked for a while. Try again later "
                     "or contact the support cell." },
    [MSG_SESSION] = { "session_required", "Votre session a expiré. Reconnectez-vous.",
                      "Your session has expired. Please log in again." },
    [MSG_NOT_ACTIVATED] = { "not_activated", "Ce compte n'est pas encore activé.",
                            "This account is not activated yet." },
    [MSG_CHALLENGE] = { "challenge_failed",
                        "La vérification anti-robot a échoué ou a expiré. Recommencez.",
                        "The anti-robot check failed or expired. Please try again." },
    [MSG_DEFI_WRONG] = { "defi_wrong", "La réponse à votre question défi ne correspond pas.",
                         "The answer to your challenge question does not match." },
    [MSG_REISSUE_LIMIT] = { "reissue_limit",
                            "Vous avez demandé trop de nouveaux codes aujourd'hui. Contactez la "
                            "cellule d'assistance.",
                            "You asked for too many new codes today. Contact the support cell." },
    [MSG_REISSUE_WINDOW] = { "reissue_window",
                             "Un nouveau code de vote ne peut être demandé que pendant la période "
                             "de vote.",
                             "A new vote code can be asked for only while voting is open." },
    [MSG_DEFI_LOCKED] = { "defi_locked",
                          "Trop de réponses erronées à votre question défi : la demande de "
                          "nouveau code et le changement de question défi sont bloqués pour "
                          "24 heures. Contactez la cellule d'assistance.",
                          "Too many wrong answers to your challenge question: asking for a new "
                          "code and changing the challenge question are blocked for 24 hours. "
                          "Contact the support cell." },
    [MSG_NOT_OPEN] = { "vote_not_open", "Le vote n'est pas ouvert.", "The vote is not open." },
    [MSG_CODE_FORM] = { "code_invalid",
                        "Ce n'est pas un code de vote : il compte 28 caractères, en 7 groupes de 4.",
                        "This is not a vote code: it has 28 characters, in 7 groups of 4." },
    [MSG_CODE_TYPO] = { "code_typo",
                        "Le code saisi comporte une faute de frappe. Vérifiez-le sur votre notice.",
                        "The code you typed has a typo. Check it against your notice." },
    [MSG_CODE_WRONG] = { "code_wrong", "Ce code de vote n'est pas le vôtre.",
                         "This vote code is not yours." },
    [MSG_CODE_LOCKED] = { "code_locked",
                          "Trop de codes erronés : la saisie du code est bloquée. Demandez un "
                          "nouveau code ou contactez la cellule d'assistance.",
                          "Too many wrong codes: code entry is locked. Ask for a new code or "
                          "contact the support cell." },
    [MSG_CODE_SENT] = { "code_sent",
                        "Un nouveau code de vote vient d'être envoyé à votre adresse "
                        "professionnelle. L'ancien ne fonctionne plus.",
                        "A new vote code has just been sent to your professional address. The "
                        "old one no longer works." },
    [MSG_VOTE_CLOSED] = { "vote_closed", "Le vote n'est pas ouvert en ce moment.",
                          "Voting is not open at this time." },
    [MSG_VOTE_SUSPENDED] = { "vote_suspended",
                             "Le vote est momentanément suspendu. Réessayez plus tard.",
                             "Voting is suspended for the moment. Please try again later." },
    [MSG_VOTE_OVER] = { "vote_over", "Le vote est terminé.", "Voting is over." },
    [MSG_UNKNOWN_SCRUTIN] = { "unknown_scrutin", "Ce scrutin n'existe pas.",
                              "There is no such scrutin." },
    [MSG_NOT_ELIGIBLE] = { "not_eligible",
                           "Vous ne remplissez pas les conditions pour voter à ce scrutin.",
                           "You do not meet the criteria of this scrutin." },
    [MSG_ALREADY_VOTED] = { "already_voted",
                            "Vous avez déjà voté à ce scrutin ; un vote est définitif.",
                            "You have already voted in this scrutin; a vote is final." },
    [MSG_BALLOT_MALFORMED] = { "ballot_malformed", "Le bulletin est mal formé.",
                               "The ballot is malformed." },
    [MSG_BALLOT_INVALID] = { "ballot_invalid",
                             "Le bulletin ne porte pas de preuves valides ; il est refusé.",
                             "The ballot does not carry valid proofs; it is refused." },
    [MSG_CREDENTIAL_UNKNOWN] = { "credential_unknown",
                                 "Le bulletin n'est pas signé par un code de vote de cette "
                                 "élection.",
                                 "The ballot is not signed with a vote code of this election." },
    [MSG_CREDENTIAL_USED] = { "credential_used",
                              "Ce code de vote a déjà servi dans ce scrutin.",
                              "This vote code was already used in this scrutin." },
    [MSG_CREDENTIAL_REVOKED] = { "credential_revoked",
                                 "Ce code de vote a été remplacé par un nouveau code : utilisez "
                                 "le dernier code reçu.",
                                 "This vote code was replaced by a new one: use the last code "
                                 "you received." },
    [MSG_REISSUE_UNAVAILABLE] = { "reissue_unavailable",
                                  "L'envoi d'un nouveau code de vote n'est pas disponible : "
                                  "contactez la cellule d'assistance.",
                                  "Sending a new vote code is not available: contact the "
                                  "support cell." },
    [MSG_REISSUE_PENDING] = { "reissue_pending",
                              "Votre demande de nouveau code est transmise à l'autorité des "
                              "codes de vote, qui ne l'a pas encore traitée : réessayez dans "
                              "quelques minutes.",
                              "Your request for a new code was passed to the vote-code "
                              "authority, which has not handled it yet: try again in a few "
                              "minutes." },
    [MSG_REISSUE_NONE] = { "reissue_none",
                           "Vous avez déjà voté dans chacun de vos scrutins : aucun code à "
                           "remplacer.",
                           "You already voted in each of your scrutins: no code to replace." },
    [MSG_BALLOT_COPY] = { "ballot_copy",
                          "Ce bulletin, ou une partie, est déjà dans l'urne : il est refusé.",
                          "This ballot, or part of it, is already in the ballot box: it is "
                          "refused." },
    [MSG_ARCHIVE_LATER] = { "archive_later",
                            "L'archive complète est publiée à la clôture du vote ; d'ici là, "
                            "l'urne se consulte page par page.",
                            "The complete archive is published when the vote closes; until "
                            "then, the ballot box can be read page by page." },
    [MSG_NO_BUREAU] = { "no_bureau",
                        "Cette élection ne déclare pas de bureau de vote détenteur des clés.",
                        "This election declares no bureau de vote holding the keys." },
    [MSG_CEREMONY_REFUSED] = { "ceremony_refused",
                               "Le message a été refusé : le détail dit pourquoi.",
                               "The message was refused: the detail says why." },
    [MSG_CEREMONY_KEYS] = { "ceremony_keys",
                            "Les clés d'un détenteur sont remises au responsable du scrutin, qui "
                            "les dépose (votectl ceremony post).",
                            "A key holder's keys are handed to the officer, who posts them "
                            "(votectl ceremony post)." },
    [MSG_FORBIDDEN] = { "forbidden", "Cette page est réservée à un autre rôle.",
                        "This page is for another role." },
    [MSG_REASON] = { "reason_required",
                     "Indiquez le motif de l'action (200 caractères au plus).",
                     "Give the reason for this action (200 characters at most)." },
    [MSG_STAFF_ACCOUNT] = { "staff_account", "Identifiant ou rôle non valable.",
                            "Login or role not acceptable." },
    [MSG_DONE] = { "done", "C'est fait.", "Done." },
    [MSG_BAD_REQUEST] = { "bad_request", "La requête est mal formée.",
                          "The request is malformed." },
    [MSG_LINK_RATE] = { "link_rate",
                        "Plusieurs liens ont déjà été demandés pour cette adresse dans l'heure. "
                        "Si elle est inscrite, les liens déjà envoyés restent valables : "
                        "consultez votre messagerie, y compris les courriers indésirables. "
                        "Vous pourrez demander un nouveau lien après le délai indiqué.",
                        "Several links were already asked for this address in the last hour. "
                        "If it is registered, the links already sent remain valid: look in "
                        "your mailbox, including junk mail. You may ask for a new link after "
                        "the time shown." },
    [MSG_FACTOR_LOCKED] = { "second_factor_locked",
                            "Trop de codes à usage unique erronés : la connexion à ce compte "
                            "est bloquée et le bureau de vote est prévenu. Un membre du bureau "
                            "doit la débloquer.",
                            "Too many wrong one-time codes: logins to this account are blocked "
                            "and the election officers are alerted. An officer must unblock "
                            "it." },
    [MSG_FORM_EXPIRED] = { "form_expired",
                           "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la "
                           "page et recommencez ; rien n'a été modifié.",
                           "This form has expired or does not come from this site. Reload the "
                           "page and try again; nothing was changed." },
    [MSG_BUSY] = { "busy", "Le service est très sollicité. Réessayez dans quelques secondes.",
                   "The service is very busy. Please try again in a few seconds." },
};

const char *i18n_code(msg_id m)
{
    return catalogue[m].code;
}

const char *i18n_text(msg_id m, lang l)
{
    return l == LANG_EN ? catalogue[m].en : catalogue[m].fr;
}

lang i18n_pick(const char *query_lang, const char *accept_language)
{
    if (query_lang != NULL)
        return strcmp(query_lang, "en") == 0 ? LANG_EN : LANG_FR;
    if (accept_language != NULL && strncasecmp(accept_language, "en", 2) == 0)
        return LANG_EN;
    return LANG_FR;
}
