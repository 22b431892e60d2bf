/* POST /api/v1/scrutins/{id}/ballots {ballot, authenticator} - cast a ballot
 * (the body read where it was parsed, HTTP_BODY_BALLOT: the ballot comes in
 * its wire form, which box_cast checks):
 * 201 with the signed receipt. The authenticator is derived from the vote code
 * on the voter's device; the code itself never reaches the server. The same
 * ballot sent again by its voter (an answer lost, a failover): 200 with a
 * fresh receipt marked "already_recorded" (box_cast); nothing is written. */
#include "endpoints.h"

#include "api.h"

void ep_ballot_cast(http_request *req, http_response *res)
{
    const http_ballot *hb = &req->ballot;     /* the body, read (HTTP_BODY_BALLOT) */
    box_ballot_in in = { hb->field, hb->election, hb->wire, hb->len };
    int64_t voter;
    box_receipt receipt;
    box_result r;
    int rc;

    if (api_voter(req, res, &voter) != 0)
        return;
    /* in the order api_only, api_string and hex_decode gave them */
    if (hb->extra != NULL || !hb->auth_ok || !hb->present) {
        http_field_error(req, res, hb->extra != NULL ? hb->extra
                                   : !hb->auth_ok  ? "authenticator" : "ballot");
        return;
    }
    rc = box_cast(req->ctx->box, voter, req->params[0], hb->auth, &in, req->client, api_now(),
                  &receipt, &r);
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
