/* guard.c - the défi answer's throttle. An answer is counted as a failure
 * against the account ("defi:VOTER") and the client network ("definet:NET")
 * before its Argon2id runs, like a login (throttle.c), so answers sent side by
 * side cannot all pass the check; a right one gives its count back. */
#include "access_internal.h"

#include <stdio.h>
#include <string.h>

/* Delays from the 3rd wrong answer (1 s, 2 s, 4 s ... 15 min), a lock of a day
 * at the 10th that the support cell can lift. */
const throttle_policy access_policy_defi = { ACCESS_DEFI_SOFT, 900, ACCESS_DEFI_LOCK_AFTER,
                                             ACCESS_DEFI_LOCK_S };

void guard_defi_init(access_guard *g, int64_t voter, const char *client)
{
    char net[64];

    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "defi:%lld", (long long)voter);
    access_client_network(net, client);
    snprintf(g->net_key, sizeof g->net_key, "definet:%s", net);
}

static void name_lock(access_result *res)
{
    if (res->code == ACCESS_E_LOCKED)
        res->code = ACCESS_E_DEFI_LOCKED;
}

int guard_defi_check(store_tx *tx, const access_ctx *a, const access_guard *g, int64_t now,
                     access_result *res)
{
    int rc = throttle_network_check(tx, a, g->net_key, now, res);

    if (rc == ACCESS_OK)
        rc = throttle_check(tx, g->key, now, res);
    name_lock(res);
    return rc;
}

int guard_defi_enter(store_tx *tx, const access_ctx *a, access_guard *g, int64_t now,
                     access_result *res)
{
    int rc = throttle_enter(tx, a, g->net_key, g->key, &access_policy_defi, now, res,
                            &g->locked, &g->net_tripped);

    g->now = now;
    name_lock(res);
    return rc;
}

int guard_defi_done(store_tx *tx, const access_guard *g, guard_outcome outcome,
                    const char *number)
{
    int rc = STORE_OK;

    if (outcome == GUARD_RIGHT)
        return throttle_login_success(tx, g->net_key, g->key);
    if (outcome == GUARD_UNCHECKED)
        return throttle_login_cancel(tx, g->net_key, g->key, &access_policy_defi, g->now);
    if (g->locked)
        rc = access_audit(tx, "defi-locked", number,
                          json_pack("{s:I}", "seconds", (json_int_t)access_policy_defi.lock_for));
    if (rc == STORE_OK && g->net_tripped)
        rc = throttle_network_audit(tx, g->net_key);
    return rc;
}
