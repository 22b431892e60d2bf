/* POST /api/v1/session {identifier, password} - log in: a session cookie
 * (HttpOnly, Secure, SameSite=Strict; idle 15 min, absolute 2 h). A refusal
 * never says whether the identifier or the password was wrong. */
#include "endpoints.h"

#include <stdio.h>
#include "api.h"

static const char *const fields[] = { "identifier", "password", NULL };

void ep_session_create(http_request *req, http_response *res)
{
    const char *id, *password;
    char session[ACCESS_TOKEN_CHARS + 1];
    access_result r;
    int rc;

    if (api_only(req, res, fields) != 0 ||
        api_string(req, res, "identifier", ACCESS_IDENTIFIER_MAX, &id) != 0 ||
        api_string(req, res, "password", ACCESS_PASSWORD_MAX, &password) != 0)
        return;
    rc = access_login(req->ctx->access, id, password, req->client, api_now(), session, &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "logged-in");
}
