/* GET /api/v1/account - the voter's own account page: number, addresses, défi
 * question, and for each scrutin whether they voted (never how). */
#include "endpoints.h"

#include "api.h"

static json_t *account_json(const access_account_info *acct)
{
    json_t *emails = json_array(), *scrutins = json_array();

    for (size_t i = 0; i < acct->nemails; i++)
        json_array_append_new(emails, json_string(acct->emails[i]));
    for (size_t i = 0; i < acct->nscrutins; i++)
        json_array_append_new(scrutins, json_pack("{s:s,s:b}", "id", acct->scrutins[i].id,
                                                  "voted", acct->scrutins[i].voted));
    return json_pack("{s:s,s:o,s:i,s:s,s:o}", "number", acct->number, "emails", emails,
                     "defi_question", acct->defi_question, "lang", acct->lang, "scrutins",
                     scrutins);
}

int ep_account(http_request *req, http_response *res)
{
    int64_t voter;
    access_account_info acct;

    if (api_voter(req, res, &voter) != 0)
        return 0;
    if (access_account(req->ctx->access, voter, &acct) != STORE_OK) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    res->status = 200;
    res->json = account_json(&acct);
    access_account_free(&acct);
    return 0;
}
