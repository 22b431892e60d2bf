/* GET /api/v1/account - the voter's own account page: number, addresses, défi
 * question, and for each scrutin whether they voted (never how). */
#include "endpoints.h"

#include "api.h"

int ep_account(http_request *req, http_response *res)
{
    int64_t voter;
    json_t *acct;

    if (api_voter(req, res, &voter) != 0)
        return 0;
    if (access_account(req->ctx->access, voter, &acct) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    res->status = 200;
    res->json = acct;
    return 0;
}
