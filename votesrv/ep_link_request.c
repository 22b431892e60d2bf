/* POST /api/v1/access/link {identifier, altcha} - "link not received": a new
 * one-time link to that address if it is a voter's: an activation link before
 * activation, a password link after. The answer is the same whether or not it
 * is, also past the address's hourly rate: 429 link_rate with Retry-After
 * (the links already sent stay valid), never a silent 202. */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "identifier", "altcha", NULL };

void ep_link_request_purpose(http_request *req, http_response *res, int purpose)
{
    const char *id, *altcha;
    access_result r;
    int rc;

    if (api_only(req, res, fields) != 0 ||
        api_string(req, res, "identifier", ACCESS_IDENTIFIER_MAX, &id) != 0 ||
        api_string(req, res, "altcha", 2048, &altcha) != 0)
        return;
    rc = access_challenge_use(req->ctx->access, altcha, api_now(), &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    rc = access_request_link(req->ctx->access, id, purpose, req->client, api_now(), &r);
    if (rc == ACCESS_REFUSED && r.code == ACCESS_E_CREDENTIALS) {
        http_field_error(req, res, "identifier");       /* not an address at all */
        return;
    }
    if (api_access(req, res, rc, &r) != 0)
        return;
    res->status = 202;
    res->json = json_pack("{s:s,s:s}", "status", i18n_code(MSG_LINK_SENT), "message",
                          i18n_text(MSG_LINK_SENT, req->lang));
}

void ep_link_request(http_request *req, http_response *res)
{
    ep_link_request_purpose(req, res, STORE_LINK_ACTIVATION);
}
