/* POST /api/v1/scrutins/{id}/ballots {ballot, authenticator} - cast a ballot:
 * 201 with the signed receipt. The authenticator is derived from the vote code
 * on the voter's device; the code itself never reaches the server. The same
 * ballot sent again by its voter (an answer lost, a failover): 200 with a
 * fresh receipt marked "already_recorded" (box_cast); nothing is written. */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "ballot", "authenticator", NULL };

void ep_ballot_cast(http_request *req, http_response *res)
{
    const char *authhex;
    uint8_t auth[32];
    int64_t voter;
    box_receipt receipt;
    box_result r;
    int rc;

    if (api_voter(req, res, &voter) != 0 || api_only(req, res, fields) != 0 ||
        api_string(req, res, "authenticator", 64, &authhex) != 0)
        return;
    if (hex_decode(auth, sizeof auth, authhex) != 0) {
        http_field_error(req, res, "authenticator");
        return;
    }
    if (!json_is_object(json_object_get(req->json, "ballot"))) {
        http_field_error(req, res, "ballot");
        return;
    }
    rc = box_cast(req->ctx->box, voter, req->params[0], auth, json_object_get(req->json, "ballot"),
                  req->client, api_now(), &receipt, &r);
    if (rc == BOX_REFUSED && r.code == BOX_E_ACCESS) {
        api_access(req, res, ACCESS_REFUSED, &r.access);
        return;
    }
    if (rc == BOX_REFUSED) {
        int status;
        msg_id m = api_box_msg(r.code, &status);

        http_error(req, res, status, m);
        if (r.code == BOX_E_BALLOT)
            json_object_set_new(json_object_get(res->json, "error"), "field", json_string(r.field));
        return;
    }
    if (rc != STORE_OK) {
        atomic_fetch_add(&req->ctx->store_errors, 1);
        http_error(req, res, 503, MSG_CAST_UNAVAILABLE);
        res->retry_after = 5;
        return;
    }
    res->status = receipt.already_recorded ? 200 : 201;
    res->json = json_pack("{s:o}", "receipt", box_receipt_json(&receipt));
}
