/*
 * i18n.h - the server's texts in French (default) and English: every message
 * of the API and every text of the portal, by id, from one catalogue
 * (i18n_catalogue.def); and the choice of the request's language.
 */
#ifndef VOTESRV_I18N_H
#define VOTESRV_I18N_H

typedef enum { LANG_FR = 0, LANG_EN = 1 } lang;

/* Every text's id, in the order of i18n_catalogue.def. */
typedef enum {
#define MSG(id, code, fr, en) id,
#include "i18n_catalogue.def"
#undef MSG
    MSG_COUNT
} msg_id;

/* The message's stable code (e.g. "not_found"; NULL for the portal's own
 * texts) and its text in l. */
const char *i18n_code(msg_id m);
const char *i18n_text(msg_id m, lang l);
/* "fr" or "en" from ?lang= or Accept-Language; French when unknown. */
lang i18n_pick(const char *query_lang, const char *accept_language);

#endif
