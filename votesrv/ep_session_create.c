/* POST /api/v1/session {identifier, password[, retry_ticket]} - log in: a
 * session cookie (HttpOnly, Secure, SameSite=Strict; idle 15 min, absolute
 * 2 h). A refusal never says whether the identifier or the password was
 * wrong. In a rush, 503 busy with Retry-After and, in error, the place booked
 * for the identifier: retry_ticket (to send back as retry_ticket, that place
 * is then kept) and position (1 = next). */
#include "endpoints.h"

#include <stdio.h>
#include <string.h>
#include "api.h"

#define TICKET_FIELD_MAX 128             /* longer is malformed; shorter and wrong counts as none */

static const char *const fields[] = { "identifier", "password", "retry_ticket", NULL };

/* Add the place to a 503 busy's error object. */
static void api_login_place(http_response *res, const access_result *r, const access_login_place *p)
{
    json_t *e = json_object_get(res->json, "error");

    if (r->code != ACCESS_E_BUSY || p->ticket[0] == '\0' || !json_is_object(e))
        return;
    json_object_set_new(e, "retry_ticket", json_string(p->ticket));
    json_object_set_new(e, "position", json_integer((json_int_t)p->position));
}

void ep_session_create(http_request *req, http_response *res)
{
    const char *id, *password, *ticket = NULL;
    char session[ACCESS_TOKEN_CHARS + 1];
    json_t *t = json_object_get(req->json, "retry_ticket");
    access_login_place place;
    access_result r;
    int rc;

    if (api_only(req, res, fields) != 0 ||
        api_string(req, res, "identifier", ACCESS_IDENTIFIER_MAX, &id) != 0 ||
        api_string(req, res, "password", ACCESS_PASSWORD_MAX, &password) != 0 ||
        (t != NULL && api_string(req, res, "retry_ticket", TICKET_FIELD_MAX, &ticket) != 0))
        return;
    rc = access_login_queued(req->ctx->access, id, password, req->client, api_now(), ticket,
                             &place, session, &r);
    if (api_access(req, res, rc, &r) != 0) {
        api_login_place(res, &r, &place);
        return;
    }
    api_session_cookie(res, session);
    sodium_memzero(session, sizeof session);
    res->status = 200;
    res->json = json_pack("{s:s}", "status", "logged-in");
}
