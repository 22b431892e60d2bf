/* POST /api/v1/account/defi {password, current_defi_answer, defi_question,
 * defi_answer} - change the défi question and answer: the current password and
 * the current answer (which an account without a défi, after the support cell
 * reset it, need not send). The voter's other sessions end. */
#include "endpoints.h"

#include "api.h"

static const char *const fields[] = { "password", "current_defi_answer", "defi_question",
                                      "defi_answer", NULL };

void ep_account_defi(http_request *req, http_response *res)
{
    const char *password, *answer, *current = NULL;
    access_caller who = { req->session, req->client };
    int64_t voter;
    int question, rc;
    access_result r;

    if (api_voter(req, res, &voter) != 0 || api_only(req, res, fields) != 0 ||
        api_string(req, res, "password", ACCESS_PASSWORD_MAX, &password) != 0 ||
        (json_object_get(req->json, "current_defi_answer") != NULL &&
         api_string(req, res, "current_defi_answer", ACCESS_ANSWER_MAX, &current) != 0) ||
        api_int(req, res, "defi_question", 0, ACCESS_DEFI_MAX - 1, &question) != 0 ||
        api_string(req, res, "defi_answer", ACCESS_ANSWER_MAX, &answer) != 0)
        return;
    rc = access_change_defi(req->ctx->access, voter, &who, password, current, question, answer,
                            api_now(), &r);
    if (api_access(req, res, rc, &r) != 0)
        return;
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "defi-changed");
}
