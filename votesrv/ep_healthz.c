/* GET /healthz - 200 when the store answers, 503 otherwise; "mail":
 * "degraded" (with "mail_reason") when messages wait too long, wait after a
 * failure or were given up (mail_outbox_status), else "ok". The status code
 * stays 200: the daemon serves, and a proxy's health check keeps it. */
#include "endpoints.h"

#include <time.h>
#include "election/election.h"
#include "mail/mail.h"
#include "store/store.h"

void ep_healthz(http_request *req, http_response *res)
{
    char state[STORE_STATE_CHARS + 1];
    store_outbox_figures o;
    const char *why = "";
    /* the state alone: counting the box on every check would hold the
     * store's readers long enough to stall the writer during a rush */
    int degraded = 0, rc = election_state_get(req->ctx->store, state);

    if (rc != STORE_OK && rc != STORE_ENOTFOUND) {
        atomic_fetch_add(&req->ctx->store_errors, 1);
        res->status = 503;
        res->json = json_pack("{s:s}", "status", "unavailable");
        return;
    }
    res->status = 200;
    res->json = json_pack("{s:s,s:s}", "status", "ok", "state",
                          rc == STORE_OK ? state : "none");
    if (mail_outbox_status(req->ctx->store, (int64_t)time(NULL), &o, &degraded,
                           &why) == STORE_OK && res->json != NULL) {
        json_object_set_new(res->json, "mail", json_string(degraded ? "degraded" : "ok"));
        if (degraded)
            json_object_set_new(res->json, "mail_reason", json_string(why));
    }
}
