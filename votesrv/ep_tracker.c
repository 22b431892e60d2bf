/* GET /api/v1/trackers/{tracker} - "is my ballot in?": the tracker as printed
 * on the receipt (base32 groups) or in hex. */
#include "endpoints.h"

#include "api.h"

int ep_tracker(http_request *req, http_response *res)
{
    uint8_t t[BALLOT_TRACKER_BYTES];
    char hex[2 * BALLOT_TRACKER_BYTES + 1], digest[65];
    box_found found;
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
    hex_encode(hex, t, BALLOT_TRACKER_BYTES);
    hex_encode(digest, found.digest, sizeof found.digest);
    res->status = 200;
    res->json = json_pack("{s:b,s:s,s:s,s:o,s:{s:I,s:s}}", "present", 1, "tracker", hex,
                          "scrutin", found.scrutin, "ballot", json_loads(found.ballot, 0, NULL),
                          "box", "count", (json_int_t)found.count, "digest", digest);
    json_object_set_new(res->json, "published", json_boolean(found.published));
    if (!found.published)
        json_object_set_new(res->json, "next_batch", json_integer((json_int_t)found.next_batch));
    box_found_free(&found);
    return 0;
}
