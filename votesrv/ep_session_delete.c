/* DELETE /api/v1/session - log out: the session ends and the cookie is cleared. */
#include "endpoints.h"

#include <stdio.h>
#include "api.h"

int ep_session_delete(http_request *req, http_response *res)
{
    if (req->session != NULL && access_logout(req->ctx->access, req->session) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    snprintf(res->set_cookie, sizeof res->set_cookie,
             "votesrv_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "logged-out");
    return 0;
}
