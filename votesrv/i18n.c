/* i18n.c - the catalogue's table (i18n_catalogue.def) and the choice of language. */
#include "i18n.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *code, *fr, *en;
} catalogue[MSG_COUNT] = {
#define MSG(id, code, fr, en) [id] = { code, fr, en },
#include "i18n_catalogue.def"
#undef MSG
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
