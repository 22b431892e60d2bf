/* GET /api/v1/access/challenge - an ALTCHA proof-of-work challenge. */
#include "endpoints.h"

#include "api.h"

void ep_challenge(http_request *req, http_response *res)
{
    res->json = access_challenge(req->ctx->access, api_now());
    res->status = 200;
}
