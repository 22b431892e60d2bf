/* GET /api/v1/scrutins/{id}/ballots?after=TRACKER&limit=N - the public ballot
 * box of a scrutin, by tracker (never by time or order of arrival). */
#include "endpoints.h"

#include <stdlib.h>
#include "api.h"

int ep_ballots_list(http_request *req, http_response *res)
{
    const char *after = http_query(req, "after"), *limit = http_query(req, "limit");
    uint8_t from[BALLOT_TRACKER_BYTES];
    char *end = NULL;
    long n = limit ? strtol(limit, &end, 10) : BOX_PAGE_MAX;
    box_board_page page;
    json_t *ballots;
    char hex[2 * BALLOT_TRACKER_BYTES + 1];
    int rc;

    if ((after != NULL && hex_decode(from, sizeof from, after) != 0) ||
        (limit != NULL && (*end != '\0' || n < 1 || n > BOX_PAGE_MAX))) {
        http_error(req, res, 400, MSG_BAD_QUERY);
        return 0;
    }
    rc = box_page(req->ctx->box, req->params[0], after ? from : NULL, (int)n, &page);
    if (rc == STORE_ENOTFOUND) {
        http_error(req, res, 404, MSG_UNKNOWN_SCRUTIN);
        return 0;
    }
    if (rc != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    ballots = json_array();
    for (size_t i = 0; i < page.n; i++) {
        json_t *ballot = json_loads(page.ballots[i].ballot, 0, NULL);

        hex_encode(hex, page.ballots[i].tracker, BALLOT_TRACKER_BYTES);
        json_array_append_new(ballots, json_pack("{s:s,s:o}", "tracker", hex, "ballot",
                                                 ballot ? ballot : json_null()));
    }
    if (page.more)
        hex_encode(hex, page.ballots[page.n - 1].tracker, BALLOT_TRACKER_BYTES);
    res->status = 200;
    res->json = json_pack("{s:s,s:o,s:o}", "scrutin", req->params[0], "ballots", ballots, "next",
                          page.more ? json_string(hex) : json_null());
    box_page_free(&page);
    return 0;
}
