/* POST /api/v1/activation {token, password, defi_question, defi_answer} -
 * follow an activation link: create the password and the défi; the voter is
 * logged in (a session cookie, as POST /api/v1/session gives). */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "token", "password", "defi_question", "defi_answer", NULL };

void ep_activation(http_request *req, http_response *res)
{
    const char *token, *password, *answer;
    int question, rc;
    char session[ACCESS_TOKEN_CHARS + 1];
    access_result r;

    if (api_only(req, res, fields) != 0 ||
        api_string(req, res, "token", ACCESS_TOKEN_CHARS + 16, &token) != 0 ||
        api_string(req, res, "password", ACCESS_PASSWORD_MAX, &password) != 0 ||
        api_int(req, res, "defi_question", 0, ACCESS_DEFI_MAX - 1, &question) != 0 ||
        api_string(req, res, "defi_answer", ACCESS_ANSWER_MAX, &answer) != 0)
        return;
    rc = access_activate(req->ctx->access, token, password, question, answer, api_now(),
                         session, &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "activated");
}
