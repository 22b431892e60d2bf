/* console.c - the staff consoles' session and role check. */
#include "console.h"

#include <string.h>
#include "votesrv/api.h"

int console_staff(http_request *req, http_response *res, staff_member *who,
                  const char *const *roles)
{
    const char *session = http_cookie(req, CONSOLE_COOKIE);
    access_result r;

    if (session == NULL ||
        staff_session(req->ctx->access, session, api_now(), who, &r) != ACCESS_OK) {
        http_redirect(res, "/gestion/connexion");
        return -1;
    }
    for (size_t i = 0; roles[i] != NULL; i++)
        if (strcmp(who->role, roles[i]) == 0)
            return 0;
    http_error(req, res, 403, MSG_FORBIDDEN);
    return -1;
}

void console_cookie(http_response *res, const char *session)
{
    if (session != NULL)
        http_cookie_set(res, CONSOLE_COOKIE "=%s; Path=/gestion; Max-Age=%d; HttpOnly; Secure; "
                        "SameSite=Strict", session, STAFF_SESSION_ABSOLUTE);
    else
        http_cookie_set(res, CONSOLE_COOKIE "=; Path=/gestion; Max-Age=0; HttpOnly; Secure; "
                        "SameSite=Strict");
}

const char *console_home(const staff_member *who)
{
    return strcmp(who->role, STAFF_ROLE_SUPPORT) == 0 ? "/gestion/assistance"
                                                      : "/gestion/bureau";
}
