/* GET /healthz - 200 when the store answers, 503 otherwise. */
#include "endpoints.h"

#include "election/election.h"

void ep_healthz(http_request *req, http_response *res)
{
    election_status st;
    int rc = election_status_get(req->ctx->store, &st);

    if (rc != STORE_OK && rc != STORE_ENOTFOUND) {
        atomic_fetch_add(&req->ctx->store_errors, 1);
        res->status = 503;
        res->json = json_pack("{s:s}", "status", "unavailable");
        return;
    }
    res->status = 200;
    res->json = json_pack("{s:s,s:s}", "status", "ok", "state",
                          rc == STORE_OK ? st.state : "none");
}
