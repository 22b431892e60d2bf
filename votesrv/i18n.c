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
    [MSG_INTERNAL] = { "internal_error", "Une erreur interne est survenue ; rien n'a été modifié.",
                       "An internal error occurred; nothing was changed." },
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
