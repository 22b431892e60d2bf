/* GET /api/v1/archive - the public archive of the election (protocol.md §14,
 * box/archive.c), once voting is over: what an independent verifier needs,
 * and nothing personal. */
#include "endpoints.h"

#include "api.h"

void ep_archive(http_request *req, http_response *res)
{
    uint64_t size;
    int fd, rc = box_archive_fd(req->ctx->box, &fd, &size);

    if (rc == BOX_REFUSED) {
        http_error(req, res, 409, MSG_ARCHIVE_LATER);
        return;
    }
    if (rc != STORE_OK) {
        atomic_fetch_add(&req->ctx->store_errors, 1);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    http_answer_fd(res, fd, size, "application/json; charset=utf-8");
}
