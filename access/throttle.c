/* throttle.c - failure counters with doubling delays and temporary locks, and
 * counting windows for requests. Keys never hold a secret or an address in
 * clear. */
#include "access_internal.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

/* An account: delays from the 5th failure (1 s, 2 s, 4 s ... 15 min), a one-hour
 * lock at the 20th. Networks count in windows (access.h). */
const throttle_policy access_policy_account = { 5, 900, 20, 3600 };

int throttle_verdict(const store_throttle *t, int64_t now, access_result *res)
{
    if (t->locked_until > now) {
        res->code = ACCESS_E_LOCKED;
        res->retry_after = t->locked_until - now;
        return ACCESS_REFUSED;
    }
    if (t->next_allowed > now) {
        res->code = ACCESS_E_THROTTLED;
        res->retry_after = t->next_allowed - now;
        return ACCESS_REFUSED;
    }
    return ACCESS_OK;
}

int throttle_check(store_tx *tx, const char *key, int64_t now, access_result *res)
{
    store_throttle t;
    int rc = store_throttle_get(tx, key, &t);

    return rc != STORE_OK ? rc : throttle_verdict(&t, now, res);
}

/* The delay the failures-th failure sets (from p->soft on). */
static int64_t fail_delay(const throttle_policy *p, int64_t failures)
{
    int64_t shift = failures - p->soft, delay = shift >= 20 ? p->max_delay : (int64_t)1 << shift;

    return delay < p->max_delay ? delay : p->max_delay;
}

int throttle_fail(store_tx *tx, const char *key, const throttle_policy *p, int64_t now,
                  int *locked)
{
    store_throttle t;
    int rc = store_throttle_get(tx, key, &t);

    *locked = 0;
    if (rc != STORE_OK)
        return rc;
    t.failures++;
    if (t.failures >= p->soft)
        t.next_allowed = now + fail_delay(p, t.failures);
    if (t.failures >= p->lock_after && t.locked_until <= now) {
        t.locked_until = now + p->lock_for;
        *locked = 1;
    }
    return store_throttle_put(tx, key, &t);
}

int throttle_reset(store_tx *tx, const char *key)
{
    store_throttle t = { 0, 0, 0 };

    return store_throttle_put(tx, key, &t);
}

/* Count an event in key's window (its end in next_allowed, and in *ends if
 * not NULL); *count: events so far. */
static int count_in_window(store_tx *tx, const char *key, int64_t window, int64_t now,
                           int64_t *count, int64_t *ends)
{
    store_throttle t;
    int rc = store_throttle_get(tx, key, &t);

    if (rc != STORE_OK)
        return rc;
    if (t.next_allowed <= now) {
        t.failures = 0;
        t.next_allowed = now + window;
    }
    *count = ++t.failures;
    if (ends != NULL)
        *ends = t.next_allowed;
    return store_throttle_put(tx, key, &t);
}

int throttle_count_ends(store_tx *tx, const char *key, int64_t limit, int64_t window, int64_t now,
                        int *allowed, int64_t *ends)
{
    int64_t count = 0;
    int rc = count_in_window(tx, key, window, now, &count, ends);

    *allowed = count <= limit;
    return rc;
}

int throttle_count(store_tx *tx, const char *key, int64_t limit, int64_t window, int64_t now,
                   int *allowed)
{
    return throttle_count_ends(tx, key, limit, window, now, allowed, NULL);
}

void throttle_key_hashed(char out[THROTTLE_KEY_CHARS], const access_ctx *a, const char *prefix,
                         const char *value)
{
    uint8_t h[16];
    char hex[33];

    crypto_generichash(h, sizeof h, (const uint8_t *)value, strlen(value), a->hash_key,
                       sizeof a->hash_key);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, THROTTLE_KEY_CHARS, "%s:%s", prefix, hex);
}

/* A network's record: failures in the window that ends at next_allowed. */
int throttle_network_check(store_tx *tx, const access_ctx *a, const char *key, int64_t now,
                           access_result *res)
{
    store_throttle t;
    int rc = store_throttle_get(tx, key, &t);

    if (rc != STORE_OK)
        return rc;
    /* a reload (SIGHUP) may change the limit while requests run */
    if (t.next_allowed > now &&
        t.failures >= __atomic_load_n(&a->network_failures, __ATOMIC_RELAXED)) {
        res->code = ACCESS_E_THROTTLED;
        res->retry_after = t.next_allowed - now;
        return ACCESS_REFUSED;
    }
    return ACCESS_OK;
}

int throttle_network_fail(store_tx *tx, const access_ctx *a, const char *key, int64_t now,
                          int *tripped)
{
    int64_t count = 0;
    int rc = count_in_window(tx, key, ACCESS_NETWORK_WINDOW, now, &count, NULL);

    *tripped = count == __atomic_load_n(&a->network_failures, __ATOMIC_RELAXED);
    return rc;
}

int throttle_unfail(store_tx *tx, const char *key)
{
    store_throttle t;
    int rc = store_throttle_get(tx, key, &t);

    if (rc != STORE_OK || t.failures == 0)
        return rc;
    t.failures--;
    return store_throttle_put(tx, key, &t);
}

int throttle_enter(store_tx *tx, const access_ctx *a, const char *net_key, const char *key,
                   const throttle_policy *p, int64_t now, access_result *res, int *locked,
                   int *net_tripped)
{
    int rc = throttle_network_check(tx, a, net_key, now, res);

    *locked = *net_tripped = 0;
    if (rc == ACCESS_OK)
        rc = throttle_check(tx, key, now, res);
    if (rc != ACCESS_OK)
        return rc == ACCESS_REFUSED ? STORE_OK : rc;
    rc = throttle_fail(tx, key, p, now, locked);
    return rc != STORE_OK ? rc : throttle_network_fail(tx, a, net_key, now, net_tripped);
}

int throttle_login_enter(store_tx *tx, const access_ctx *a, const char *net_key,
                         const char *acct_key, int64_t now, access_result *res, int *locked,
                         int *net_tripped)
{
    return throttle_enter(tx, a, net_key, acct_key, &access_policy_account, now, res, locked,
                          net_tripped);
}

/* Give back the failure an unchecked attempt counted at now, with the delay
 * and the lock it set: it passed throttle_check, so neither was in force
 * before it (one set since by another attempt differs, and stays). */
static int throttle_unfail_at(store_tx *tx, const char *key, const throttle_policy *p,
                              int64_t now)
{
    store_throttle t;
    int rc = store_throttle_get(tx, key, &t);

    if (rc != STORE_OK || t.failures == 0)
        return rc;
    if (t.failures >= p->soft && t.next_allowed == now + fail_delay(p, t.failures))
        t.next_allowed = now;
    if (t.failures >= p->lock_after && t.locked_until == now + p->lock_for)
        t.locked_until = now;
    t.failures--;
    return store_throttle_put(tx, key, &t);
}

int throttle_login_cancel(store_tx *tx, const char *net_key, const char *acct_key,
                          const throttle_policy *p, int64_t now)
{
    int rc = throttle_unfail_at(tx, acct_key, p, now);

    return rc != STORE_OK ? rc : throttle_unfail(tx, net_key);
}

int throttle_network_audit(store_tx *tx, const char *net_key)
{
    return access_audit(tx, "network-throttled", NULL,
                        json_pack("{s:s,s:I}", "network", strchr(net_key, ':') + 1, "seconds",
                                  (json_int_t)ACCESS_NETWORK_WINDOW));
}

int throttle_login_success(store_tx *tx, const char *net_key, const char *acct_key)
{
    int rc = throttle_reset(tx, acct_key);

    return rc != STORE_OK ? rc : throttle_unfail(tx, net_key);
}
