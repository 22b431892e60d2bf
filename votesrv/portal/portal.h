/*
 * portal.h - the voters' web portal: server-rendered pages in French (default)
 * or English that work without JavaScript, except the step that encrypts a
 * ballot on the voter's device. What every page shares lives here: the layout,
 * the CSRF token of forms, the voter's session, form fields tied to their
 * errors, and the HTML answer. Each page is one file (page_*.c).
 */
#ifndef VOTESRV_PORTAL_H
#define VOTESRV_PORTAL_H

#include <stdint.h>
#include "access/staff.h"
#include "election/definition.h"
#include "votesrv/http.h"
#include "html.h"

#define PORTAL_CSRF_COOKIE "votesrv_csrf"
#define PORTAL_CSRF_CHARS 64          /* hex of a keyed BLAKE2b-256 */

/* The catalogue's text id (votesrv/i18n_catalogue.def) in the request's language. */
#define L(req, id) i18n_text((id), (req)->lang)

/* What a page shows in its header and footer. */
typedef struct {
    const char *title;           /* the page's own title (also the h1) */
    int nav;                     /* 0 public pages, 1 voter pages (voting space menu) */
    const char *script;          /* a module under /static/, or NULL */
    const char *style;           /* a second style sheet under /static/, or NULL */
    const staff_member *staff;   /* console pages: the staff member (their menu) */
    const char *self;            /* the page's address for the language switch, its query
                                    included (NULL: the path alone) */
    def_election def;            /* read by portal_begin for the header and the footer */
    int has_def;
} portal_page;

/* Doctype, head, skip link, header, navigation, language switch, <main>, h1. */
void portal_begin(html *h, http_request *req, http_response *res, portal_page *p);
/* </main>, footer with the support cell's contact, end of page; frees p->def. */
void portal_end(html *h, http_request *req, portal_page *p);
/* A scrutin's title from the definition portal_begin read (else its id). */
const char *portal_scrutin_title(const portal_page *p, const char *id);
/* The page as the response (200 unless status), or a 500 if memory ran out. */
void portal_send(http_request *req, http_response *res, html *h, int status);
/* The error page http_error shows on portal pages. */
void portal_page_error(http_request *req, http_response *res, int status, int msg);

/* The form's hidden CSRF field (and the cookie it is bound to, if new). */
void portal_csrf_field(html *h, http_request *req, http_response *res);
/* 0 if a posted form carries a valid token and comes from this site; else
 * the response is an error page (403). */
MUST_CHECK
int portal_csrf_check(http_request *req, http_response *res);
/* The form token of a CSRF cookie value: hex of its keyed hash. */
void portal_csrf_token(char out[PORTAL_CSRF_CHARS + 1], const http_ctx *ctx, const char *cookie);

/* The voter of the session, or -1 after a redirect to the login page. */
int portal_voter(http_request *req, http_response *res, int64_t *voter);
/* The voter of the session, or -1 (no session, or expired): nothing answered. */
int portal_voter_or_none(http_request *req, int64_t *voter);

/* A labelled input. err (or NULL) is shown under it and tied with
 * aria-describedby; hint likewise. type "password", "email", "text"... */
typedef struct {
    const char *name, *label, *type, *autocomplete, *value, *hint, *err;
    int required;
} portal_input;
void portal_field(html *h, const portal_input *in);
/* The same, marked aria-invalid without a message of its own: the form was
 * refused by a message above it that names no one field. */
void portal_field_refused(html *h, const portal_input *in);
/* A new password and its confirmation (fields "password" and "password2"),
 * the first labelled label, with the policy as a hint. */
void portal_new_password_fields(html *h, http_request *req, const char *label,
                                const char *err, const char *confirm_err);
/* The posted new password; NULL with *err set (none given) or *confirm_err set
 * (the confirmation differs). */
const char *portal_new_password(http_request *req, const char **err, const char **confirm_err);
/* 1 if an access_* refusal is about the password policy: its message belongs
 * next to the new password. */
int portal_password_refused(int rc, int code);

/* The défi question menu (name "defi_question"), question sel selected (-1: none). */
void portal_defi_select(html *h, http_request *req, int sel, const char *err);
/* The posted défi question, or -1. */
int portal_defi_question(http_request *req);
/* A message box: kind "error" (role=alert), "ok" or "info" (role=status). */
void portal_notice(html *h, const char *kind, const char *text);
/* The refusal of an access_* call as a message in the request's language. */
const char *portal_access_message(http_request *req, int rc, int code);

/* "1 décembre 2026 à 09:00" in the process's time zone (the daemon sets the
 * election's), in a <time> element. */
void portal_instant(html *h, http_request *req, int64_t t);
/* An audit entry's time ("2026-12-07T15:37:41.123Z", UTC) as
 * "07/12/2026 16:37:41" in the process's time zone, in a <time> element. */
void portal_rfc3339(html *h, const char *rfc3339);
/* The same as text, without the markup ("7 décembre 2026 à 16:05"). */
#define PORTAL_INSTANT_CHARS 64
void portal_instant_text(char out[PORTAL_INSTANT_CHARS], const http_request *req, int64_t t);

/* A one-time link's token as the mail carries it, or NULL. */
const char *portal_link_token(const char *t);
/* The opening of the form a one-time link leads to: CSRF field and the token. */
void portal_link_form(html *h, http_request *req, http_response *res, const char *action,
                      const char *token);
/* A link that no longer works: the message and where to ask for a new one. */
void portal_link_invalid(html *h, http_request *req, const char *again);

/* The form field, or NULL if absent or longer than max bytes. */
const char *portal_form(http_request *req, const char *name, size_t max);

#endif
