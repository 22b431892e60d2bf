/*
 * support.h - what the support cell may do for a voter who calls: find them,
 * see where they stand (activated, locked, signed in which scrutin), and
 * send a new link, reset the défi, reissue the vote code or lift the locks.
 * Nothing here reads or returns a secret or a choice. Each action needs a
 * reason and is audited with the agent's login and that reason.
 *
 * Results as in access.h: ACCESS_OK, ACCESS_REFUSED with res->code, or a
 * negative store error (STORE_ENOTFOUND for an unknown voter number).
 */
#ifndef VOTESRV_SUPPORT_H
#define VOTESRV_SUPPORT_H

#include "access.h"

#define SUPPORT_RESULTS_MAX 20
#define SUPPORT_QUERY_MAX 128
#define SUPPORT_REASON_MAX 200

typedef enum {
    SUPPORT_LINK = 1,     /* activation link, or password link once activated */
    SUPPORT_DEFI,         /* forget the défi (the voter's sessions end); an activation
                           * link sets a new one */
    SUPPORT_CODE,         /* a new vote code, mailed (while the vote is open) */
    SUPPORT_UNLOCK        /* lift the login, vote-code and défi locks */
} support_action;

/* Voters matching a number, an address or the start of a surname:
 * [{number, surname, given_names, email, establishment}], at most
 * SUPPORT_RESULTS_MAX. ACCESS_REFUSED for an empty or oversized query. */
int support_find(access_ctx *a, const char *query, json_t **out);
/* One voter: {number, surname, given_names, establishment, emails, struck,
 * activated, defi_set, code_set, login_locked_until, code_locked_until, defi_locked_until,
 * scrutins: [{id, voted}]} (times 0 when not locked). */
int support_status(access_ctx *a, const char *number, int64_t now, json_t **out);
int support_act(access_ctx *a, const char *number, support_action action, const char *agent,
                const char *reason, int64_t now, access_result *res);

#endif
