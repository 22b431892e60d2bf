/* POST /api/v1/account/code-reissue {defi_answer} - "lost notice": after the
 * défi answer, a new vote code is mailed to the voter's professional address;
 * the old one stops working at once. At most 3 a day, only inside the voting
 * window; wrong answers are throttled per account and network. */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "defi_answer", NULL };

void ep_code_reissue(http_request *req, http_response *res)
{
    const char *answer;
    int64_t voter;
    access_result r;
    int rc;

    if (api_voter(req, res, &voter) != 0 || api_only(req, res, fields) != 0 ||
        api_string(req, res, "defi_answer", ACCESS_ANSWER_MAX, &answer) != 0)
        return;
    rc = access_code_reissue(req->ctx->access, voter, answer, req->client, api_now(), &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    res->status = 200;
    res->json = json_pack("{s:s,s:s}", "status", i18n_code(MSG_CODE_SENT), "message",
                          i18n_text(MSG_CODE_SENT, req->lang));
}
