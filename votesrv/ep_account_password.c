/* POST /api/v1/account/password {current, password} - change the password;
 * the voter's other sessions end. */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "current", "password", NULL };

void ep_account_password(http_request *req, http_response *res)
{
    const char *current, *password;
    access_caller who = { req->session, req->client };
    int64_t voter;
    access_result r;
    int rc;

    if (api_voter(req, res, &voter) != 0 || api_only(req, res, fields) != 0 ||
        api_string(req, res, "current", ACCESS_PASSWORD_MAX, &current) != 0 ||
        api_string(req, res, "password", ACCESS_PASSWORD_MAX, &password) != 0)
        return;
    rc = access_change_password(req->ctx->access, voter, &who, current, password, api_now(), &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "password-changed");
}
