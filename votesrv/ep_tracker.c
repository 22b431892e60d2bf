/* GET /api/v1/trackers/{tracker} - "is my ballot in?": the tracker as printed
 * on the receipt (base32 groups) or in hex. */
#include "endpoints.h"

#include "api.h"

int ep_tracker(http_request *req, http_response *res)
{
    uint8_t t[BALLOT_TRACKER_BYTES];
    json_t *found;
    int rc;

    if (hex_decode(t, sizeof t, req->params[0]) != 0 &&
        ballot_tracker_parse(t, req->params[0]) != 0) {
        http_error(req, res, 400, MSG_BAD_QUERY);
        return 0;
    }
    rc = box_lookup(req->ctx->box, t, &found);
    if (rc == STORE_ENOTFOUND) {
        res->status = 404;
        res->json = json_pack("{s:b}", "present", 0);
        return 0;
    }
    if (rc != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    res->status = 200;
    res->json = found;
    return 0;
}
