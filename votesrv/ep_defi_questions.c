/* GET /api/v1/defi-questions - the menu of défi questions, in the caller's language. */
#include "endpoints.h"

void ep_defi_questions(http_request *req, http_response *res)
{
    json_t *list = json_array();

    for (size_t i = 0; i < access_defi_count(); i++)
        json_array_append_new(list, json_pack("{s:i,s:s}", "id", access_defi_id(i), "question",
                                              access_defi_question((size_t)access_defi_id(i),
                                                                   req->lang == LANG_EN
                                                                       ? "en" : "fr")));
    res->status = 200;
    res->json = json_pack("{s:o}", "questions", list);
}
