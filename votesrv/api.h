/*
 * api.h - what the JSON endpoints share: strict field extraction, the session
 * of the request, and access results turned into responses in the caller's
 * language. Each helper fills the response and returns -1 when it refuses.
 */
#ifndef VOTESRV_API_H
#define VOTESRV_API_H

#include <stddef.h>
#include <stdint.h>
#include "http.h"

/* A string field of at most max bytes (UTF-8 already checked by the parser). */
int api_string(http_request *req, http_response *res, const char *field, size_t max,
               const char **out);
int api_int(http_request *req, http_response *res, const char *field, int min, int max,
            int *out);
/* Refuse any field not listed (NULL-terminated). */
int api_only(http_request *req, http_response *res, const char *const *fields);
/* The voter of the request's session, or 401. */
int api_voter(http_request *req, http_response *res, int64_t *voter);
/* The message and HTTP status of a refusal's access_error code. */
msg_id api_access_msg(int code, int *status);
/* The message and HTTP status of a box_cast refusal (box_error, not BOX_E_ACCESS). */
msg_id api_box_msg(int code, int *status);
/* Why a voter may not cast now: box_cast_allowed's verdict (box_cast_verdict,
 * not BOX_CAST_ALLOWED) as the message the pages show. */
msg_id api_cast_msg(int verdict);
/* Map an access_* result: 0 when ACCESS_OK, else the response is filled. */
int api_access(http_request *req, http_response *res, int rc, const access_result *r);
int64_t api_now(void);
/* The session cookie (HttpOnly, Secure, SameSite=Strict), or its removal with NULL. */
void api_session_cookie(http_response *res, const char *session);

#endif
