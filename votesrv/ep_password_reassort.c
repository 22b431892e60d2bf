/* POST /api/v1/password/reassort {identifier, altcha} - "password refused":
 * a one-time link to choose a new password (an activation link for a voter who
 * never activated). The same answer for every address. */
#include "endpoints.h"

void ep_password_reassort(http_request *req, http_response *res)
{
    ep_link_request_purpose(req, res, STORE_LINK_PASSWORD);
}
