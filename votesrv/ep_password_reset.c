/* POST /api/v1/password/reset {token, password} - follow a password-reassort
 * link: a new password; every other session of the voter ends and this one
 * is logged in (the link proved the mailbox, guesses made at the old
 * password no longer hold the account). */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "token", "password", NULL };

void ep_password_reset(http_request *req, http_response *res)
{
    const char *token, *password;
    char session[ACCESS_TOKEN_CHARS + 1];
    access_result r;
    int rc;

    if (api_only(req, res, fields) != 0 ||
        api_string(req, res, "token", ACCESS_TOKEN_CHARS + 16, &token) != 0 ||
        api_string(req, res, "password", ACCESS_PASSWORD_MAX, &password) != 0)
        return;
    rc = access_reset_password(req->ctx->access, token, password, api_now(), session, &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "password-set");
}
