/*
 * console.h - what the staff consoles (/gestion/...) share: the staff
 * session cookie, bound to the consoles' path, and the role check.
 */
#ifndef VOTESRV_CONSOLE_H
#define VOTESRV_CONSOLE_H

#include "portal.h"

#define CONSOLE_COOKIE "votesrv_staff"

/* The staff member of the request's session if their role is one of roles
 * (NULL-terminated): 0. Otherwise -1 after a redirect to the console's login
 * (no valid session) or a 403 page (another role). */
int console_staff(http_request *req, http_response *res, staff_member *who,
                  const char *const *roles);
/* Set (session) or clear (NULL) the console's session cookie. */
void console_cookie(http_response *res, const char *session);
/* Where a staff member's console starts. */
const char *console_home(const staff_member *who);

#endif
