/* DELETE /api/v1/session - log out: the session ends and the cookie is cleared. */
#include "endpoints.h"

#include <stdio.h>
#include "api.h"

void ep_session_delete(http_request *req, http_response *res)
{
    if (req->session != NULL && access_logout(req->ctx->access, req->session) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    api_session_cookie(res, NULL);
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "logged-out");
}
