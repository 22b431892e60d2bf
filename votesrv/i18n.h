/*
 * i18n.h - the messages the API and portal show people, in French (default)
 * and English.
 */
#ifndef VOTESRV_I18N_H
#define VOTESRV_I18N_H

typedef enum { LANG_FR = 0, LANG_EN = 1 } lang;

typedef enum {
    MSG_NOT_FOUND,
    MSG_METHOD,
    MSG_TOO_LARGE,
    MSG_NO_BODY,
    MSG_BAD_JSON,
    MSG_BAD_QUERY,
    MSG_UNAVAILABLE,
    MSG_CAST_UNAVAILABLE,
    MSG_INTERNAL,
    MSG_CONTENT_TYPE,
    MSG_FIELD,
    MSG_LINK_SENT,
    MSG_LINK_INVALID,
    MSG_PASSWORD_SHORT,
    MSG_PASSWORD_LONG,
    MSG_PASSWORD_COMMON,
    MSG_PASSWORD_IDENTIFIER,
    MSG_PASSWORD_ENCODING,
    MSG_PASSWORD_PATTERN,
    MSG_DEFI_QUESTION,
    MSG_DEFI_ANSWER,
    MSG_CREDENTIALS,
    MSG_THROTTLED,
    MSG_LOCKED,
    MSG_SESSION,
    MSG_NOT_ACTIVATED,
    MSG_CHALLENGE,
    MSG_BUSY,
    MSG_DEFI_WRONG,
    MSG_REISSUE_LIMIT,
    MSG_REISSUE_WINDOW,
    MSG_DEFI_LOCKED,
    MSG_NOT_OPEN,
    MSG_CODE_FORM,
    MSG_CODE_TYPO,
    MSG_CODE_WRONG,
    MSG_CODE_LOCKED,
    MSG_CODE_SENT,
    MSG_VOTE_CLOSED,
    MSG_VOTE_SUSPENDED,
    MSG_VOTE_OVER,
    MSG_UNKNOWN_SCRUTIN,
    MSG_NOT_ELIGIBLE,
    MSG_ALREADY_VOTED,
    MSG_BALLOT_MALFORMED,
    MSG_BALLOT_INVALID,
    MSG_CREDENTIAL_UNKNOWN,
    MSG_CREDENTIAL_USED,
    MSG_CREDENTIAL_REVOKED,
    MSG_REISSUE_UNAVAILABLE,
    MSG_REISSUE_PENDING,
    MSG_REISSUE_NONE,
    MSG_BALLOT_COPY,
    MSG_ARCHIVE_LATER,
    MSG_NO_BUREAU,
    MSG_CEREMONY_REFUSED,
    MSG_CEREMONY_KEYS,
    MSG_FORM_EXPIRED,
    MSG_FORBIDDEN,
    MSG_REASON,
    MSG_STAFF_ACCOUNT,
    MSG_DONE,
    MSG_BAD_REQUEST,
    MSG_LINK_RATE,
    MSG_FACTOR_LOCKED,
    MSG_COUNT
} msg_id;

/* The message's stable code (e.g. "not_found") and its text in l. */
const char *i18n_code(msg_id m);
const char *i18n_text(msg_id m, lang l);
/* "fr" or "en" from ?lang= or Accept-Language; French when unknown. */
lang i18n_pick(const char *query_lang, const char *accept_language);

#endif
