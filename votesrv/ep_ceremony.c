/* GET /api/v1/ceremony - the bureau's public messages (ceremony, seals, sums):
 * what each key holder reads, what anyone may watch.
 * POST /api/v1/ceremony - a key holder's signed message (shares, verdict,
 * seal, partial decryption), checked like votectl ceremony post. A holder's
 * first message, its keys, is self-signed: only the officer, who knows whom
 * it came from, posts it (votectl ceremony post). */
#include "endpoints.h"

#include <string.h>
#include <time.h>
#include "election/ceremony.h"
#include "election/election.h"
#include "tally/tally.h"

/* The store failed: 503, counted. */
static void unavailable(http_request *req, http_response *res)
{
    atomic_fetch_add(&req->ctx->store_errors, 1);
    http_error(req, res, 503, MSG_UNAVAILABLE);
}

void ep_ceremony_get(http_request *req, http_response *res)
{
    json_t *out;
    int rc = ceremony_export(req->ctx->box->store, &out);

    if (rc == ELECTION_REFUSED) {
        http_error(req, res, 404, MSG_NO_BUREAU);
        return;
    }
    if (rc != ELECTION_OK) {
        unavailable(req, res);
        return;
    }
    res->status = 200;
    res->json = out;
}

void ep_ceremony_post(http_request *req, http_response *res)
{
    const char *kind = json_string_value(json_object_get(req->json, "kind"));
    election_ctx c = { "trustee", req->client, NULL, (int64_t)time(NULL), "",
                       req->ctx->cfg->assets, ELECTION_WHY_OTHER };
    char *text;
    int rc;

    if (kind != NULL && strcmp(kind, "keys") == 0) {
        http_error(req, res, 403, MSG_CEREMONY_KEYS);
        return;
    }
    if ((text = json_dumps(req->json, JSON_COMPACT)) == NULL) {
        http_answer_internal(req, res);
        return;
    }
    rc = tally_post_message(req->ctx->box->store, &c, text, strlen(text));
    free(text);
    if (rc == ELECTION_REFUSED) {
        http_error(req, res, 409, MSG_CEREMONY_REFUSED);
        json_object_set_new(res->json, "detail", json_string(c.msg));
        return;
    }
    if (rc != ELECTION_OK) {
        unavailable(req, res);
        return;
    }
    res->status = 200;
    res->json = json_pack("{s:b,s:s}", "accepted", 1, "detail", c.msg);
}
