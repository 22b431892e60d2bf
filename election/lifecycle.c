/* lifecycle.c - state transitions with their preconditions, each audited. */
#include "election.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "audit/audit.h"
#include "election_internal.h"

/* A check decides whether the operation may happen, and if so changes e and
 * adds details to the audit payload. It returns ELECTION_OK, ELECTION_REFUSED
 * (after refuse()), or a store error. */
typedef int (*check_fn)(store_tx *tx, store_election *e, const def_election *d,
                        election_ctx *c, json_t *payload, const void *arg);

typedef struct {
    election_ctx *c;
    const char *event;
    check_fn check;
    const void *arg;
} transition;

int election_refuse(election_ctx *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->why = ELECTION_WHY_OTHER;
    return ELECTION_REFUSED;
}

int election_refuse_why(election_ctx *c, election_why why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->why = why;
    return ELECTION_REFUSED;
}

static void fmt_instant(char out[40], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int run_transition(store_tx *tx, void *arg)
{
    transition *t = arg;
    store_election e;
    def_election d;
    char err[DEF_ERR_CHARS];
    json_t *payload = json_object();
    int rc = store_election_get(tx, &e);

    if (rc == STORE_ENOTFOUND)
        rc = election_refuse(t->c, "no election in this store: run votectl init first");
    if (rc != STORE_OK || payload == NULL) {
        json_decref(payload);
        return rc != STORE_OK ? rc : STORE_ENOMEM;
    }
    if (def_parse(&d, e.definition, strlen(e.definition), err, sizeof err) != 0) {
        rc = election_refuse(t->c, "the stored definition is invalid: %s", err);
    } else {
        json_object_set_new(payload, "from", json_string(e.state));
        rc = t->check(tx, &e, &d, t->c, payload, t->arg);
        json_object_set_new(payload, "to", json_string(e.state));
        if (t->c->reason != NULL)
            json_object_set_new(payload, "reason", json_string(t->c->reason));
        if (rc == ELECTION_OK)
            rc = store_election_put(tx, &e);
        if (rc == ELECTION_OK)
            rc = audit_append(tx, t->c->role, t->c->actor, t->event, payload);   /* checkpointed */
        def_free(&d);
    }
    json_decref(payload);
    free(e.definition);
    return rc;
}

static int transition_do(store *s, election_ctx *c, const char *event, check_fn check,
                         const void *arg)
{
    transition t = { c, event, check, arg };

    c->msg[0] = '\0';
    if (c->reason != NULL && strlen(c->reason) > ELECTION_REASON_MAX)
        return election_refuse_why(c, ELECTION_WHY_REASON, "the reason is longer than %d characters",
                                   ELECTION_REASON_MAX);
    return store_write(s, run_transition, &t);
}

static int in_state(const store_election *e, const char *state)
{
    return strcmp(e->state, state) == 0;
}

/* ---- the transitions ---- */

typedef struct {
    uint8_t pk[32];
    int ceremony;           /* 1: the joint key of a completed key ceremony */
} key_arg;

static int check_set_key(store_tx *tx, store_election *e, const def_election *d,
                         election_ctx *c, json_t *payload, const void *arg)
{
    const key_arg *k = arg;
    const uint8_t *pk = k->pk;
    char *canon;
    char hex[65];

    (void)tx;
    if (d->has_bureau && !k->ceremony)
        return election_refuse(c, "this election has a bureau de vote: its key comes from the "
                               "key ceremony (votetrustee), not from a demo key");
    if (!in_state(e, "draft"))
        return election_refuse(c, "the public key can only be set in state draft (now %s)", e->state);
    if (e->test_mode)
        return election_refuse(c, "end the test run first (votectl test end)");
    canon = def_canonical(d);
    if (canon == NULL)
        return STORE_ENOMEM;
    memcpy(e->public_key, pk, 32);
    e->has_public_key = 1;
    def_fingerprint(e->fingerprint, e->eid, canon, pk);
    free(canon);
    strcpy(e->state, "keys-ready");
    sodium_bin2hex(hex, sizeof hex, pk, 32);
    json_object_set_new(payload, "public_key", json_string(hex));
    sodium_bin2hex(hex, sizeof hex, e->fingerprint, 32);
    json_object_set_new(payload, "fingerprint", json_string(hex));
    return ELECTION_OK;
}

static int check_open(store_tx *tx, store_election *e, const def_election *d,
                      election_ctx *c, json_t *payload, const void *arg)
{
    uint64_t active, struck, noauth, creds, ballots, sigs;
    char when[40];
    int rc;

    (void)arg;
    if (!in_state(e, "keys-ready"))
        return election_refuse(c, "cannot open in state %s: the election must be keys-ready "
                      "(joint public key set)", e->state);
    if (e->test_mode)
        return election_refuse(c, "a test run is in progress: end it (votectl test end) so its "
                      "data is wiped before opening");
    if ((rc = store_voter_count(tx, &active, &struck)) != STORE_OK ||
        (rc = store_voters_without_auth(tx, &noauth)) != STORE_OK ||
        (rc = store_credential_count(tx, &creds)) != STORE_OK ||
        (rc = store_ballot_count(tx, &ballots)) != STORE_OK ||
        (rc = store_signature_count(tx, &sigs)) != STORE_OK)
        return rc;
    if (ballots != 0 || sigs != 0)
        return election_refuse(c, "the ballot box or the signature list is not empty (%llu ballots, "
                      "%llu signatures): wipe the test data first",
                      (unsigned long long)ballots, (unsigned long long)sigs);
    if (active == 0)
        return election_refuse(c, "the electoral list is empty: import the voters first");
    if (noauth != 0 || creds == 0)
        return election_refuse(c, "notices are not generated for every voter (%llu voters without "
                      "a credential for a scrutin they may vote in, %llu public credentials "
                      "for %llu voters): import the credential authority's file",
                      (unsigned long long)noauth, (unsigned long long)creds,
                      (unsigned long long)active);
    if (c->now >= d->closes) {
        fmt_instant(when, d->closes);
        return election_refuse(c, "the voting window closed at %s", when);
    }
    if ((rc = election_seals_check_tx(tx, c, "open", payload)) != ELECTION_OK ||
        (rc = election_box_reserve(tx, d, NULL)) != STORE_OK)
        return rc;
    strcpy(e->state, "open");
    json_object_set_new(payload, "voters", json_integer((json_int_t)active));
    json_object_set_new(payload, "credentials", json_integer((json_int_t)creds));
    return ELECTION_OK;
}

static int check_close(store_tx *tx, store_election *e, const def_election *d,
                       election_ctx *c, json_t *payload, const void *arg)
{
    char when[40];
    uint64_t ballots, sigs;
    int rc;

    (void)arg;
    if (!in_state(e, "open"))
        return election_refuse_why(c, ELECTION_WHY_STATE,
                                   "cannot close in state %s: only an open election closes",
                                   e->state);
    if (c->now < d->closes) {
        fmt_instant(when, d->closes);
        return election_refuse_why(c, ELECTION_WHY_TOO_EARLY,
                                   "voting is open until %s: the election cannot close before",
                                   when);
    }
    if ((rc = store_ballot_count(tx, &ballots)) != STORE_OK ||
        (rc = store_signature_count(tx, &sigs)) != STORE_OK ||
        (rc = election_seals_check_tx(tx, c, "close", payload)) != ELECTION_OK)
        return rc;
    e->suspended = 0;
    e->notice[0] = '\0';
    strcpy(e->state, "closed");
    json_object_set_new(payload, "ballots", json_integer((json_int_t)ballots));
    json_object_set_new(payload, "signatures", json_integer((json_int_t)sigs));
    return ELECTION_OK;
}

static int check_suspend(store_tx *tx, store_election *e, const def_election *d,
                         election_ctx *c, json_t *payload, const void *arg)
{
    const char *notice = arg;

    (void)tx;
    (void)d;
    if (!in_state(e, "open"))
        return election_refuse_why(c, ELECTION_WHY_STATE,
                                   "only an open election can be suspended (now %s)", e->state);
    if (e->suspended)
        return election_refuse_why(c, ELECTION_WHY_SUSPENDED, "voting is already suspended");
    if (c->reason == NULL || c->reason[0] == '\0')
        return election_refuse_why(c, ELECTION_WHY_REASON, "a suspension needs a reason");
    if (notice == NULL || notice[0] == '\0' || strlen(notice) > STORE_NOTICE_CHARS)
        return election_refuse_why(c, ELECTION_WHY_NOTICE,
                                   "the notice shown to voters must be 1-%d characters",
                                   STORE_NOTICE_CHARS);
    e->suspended = 1;
    snprintf(e->notice, sizeof e->notice, "%s", notice);
    json_object_set_new(payload, "notice", json_string(notice));
    return ELECTION_OK;
}

static int check_resume(store_tx *tx, store_election *e, const def_election *d,
                        election_ctx *c, json_t *payload, const void *arg)
{
    (void)tx;
    (void)d;
    (void)payload;
    (void)arg;
    if (!in_state(e, "open") || !e->suspended)
        return election_refuse_why(c, ELECTION_WHY_NOT_SUSPENDED, "voting is not suspended");
    e->suspended = 0;
    e->notice[0] = '\0';
    return ELECTION_OK;
}

static int check_test_start(store_tx *tx, store_election *e, const def_election *d,
                            election_ctx *c, json_t *payload, const void *arg)
{
    (void)tx;
    (void)d;
    (void)payload;
    (void)arg;
    if (!in_state(e, "draft") && !in_state(e, "keys-ready"))
        return election_refuse(c, "test runs happen before sealing (draft or keys-ready), not in %s",
                      e->state);
    if (e->test_mode)
        return election_refuse(c, "a test run is already in progress");
    e->test_mode = 1;
    return ELECTION_OK;
}

static int check_test_end(store_tx *tx, store_election *e, const def_election *d,
                          election_ctx *c, json_t *payload, const void *arg)
{
    uint64_t ballots, sigs;
    int rc;

    (void)d;
    (void)arg;
    if (!e->test_mode)
        return election_refuse(c, "no test run is in progress");
    if ((rc = store_test_wipe(tx, &ballots, &sigs)) != STORE_OK)
        return rc;
    e->test_mode = 0;
    json_object_set_new(payload, "wiped_ballots", json_integer((json_int_t)ballots));
    json_object_set_new(payload, "wiped_signatures", json_integer((json_int_t)sigs));
    return ELECTION_OK;
}

static int check_publish(store_tx *tx, store_election *e, const def_election *d,
                         election_ctx *c, json_t *payload, const void *arg)
{
    (void)tx;
    (void)d;
    (void)payload;
    (void)arg;
    if (!in_state(e, "tallied"))
        return election_refuse(c, "only tallied results are published (now %s)", e->state);
    strcpy(e->state, "published");
    return ELECTION_OK;
}

static int check_purge(store_tx *tx, store_election *e, const def_election *d,
                       election_ctx *c, json_t *payload, const void *arg)
{
    int64_t after = d->closes + (int64_t)d->recourse_days * 86400;
    char when[40];
    int rc;

    (void)payload;
    (void)arg;
    if (!in_state(e, "published"))
        return election_refuse(c, "personal data is purged only after the results are published "
                      "(now %s)", e->state);
    if (c->now < after) {
        fmt_instant(when, after);
        return election_refuse(c, "the recourse period runs until %s", when);
    }
    if ((rc = store_voters_purge(tx)) != STORE_OK)
        return rc;
    strcpy(e->state, "purged");
    return ELECTION_OK;
}

static int check_checkpoint(store_tx *tx, store_election *e, const def_election *d,
                            election_ctx *c, json_t *payload, const void *arg)
{
    (void)tx;
    (void)e;
    (void)d;
    (void)c;
    (void)payload;
    (void)arg;
    return ELECTION_OK;
}

int election_set_public_key(store *s, election_ctx *c, const uint8_t pk[32])
{
    key_arg k = { .ceremony = 0 };

    if (crypto_core_ristretto255_is_valid_point(pk) != 1 || sodium_is_zero(pk, 32))
        return election_refuse(c, "the public key is not a valid ristretto255 point");
    memcpy(k.pk, pk, 32);
    return transition_do(s, c, "public-key-set", check_set_key, &k);
}

static int check_tallied(store_tx *tx, store_election *e, const def_election *d,
                         election_ctx *c, json_t *payload, const void *arg)
{
    (void)tx;
    (void)d;
    if (!in_state(e, "closed"))
        return election_refuse(c, "only a closed election is tallied (now %s)", e->state);
    json_object_update(payload, (json_t *)arg);
    strcpy(e->state, "tallied");
    return ELECTION_OK;
}

int election_tallied_tx(store_tx *tx, election_ctx *c, json_t *details)
{
    transition t = { c, "tallied", check_tallied, details };

    return run_transition(tx, &t);
}

int election_set_ceremony_key_tx(store_tx *tx, election_ctx *c, const uint8_t pk[32])
{
    key_arg k = { .ceremony = 1 };
    transition t = { c, "public-key-set", check_set_key, &k };

    memcpy(k.pk, pk, 32);
    return run_transition(tx, &t);
}

int election_open(store *s, election_ctx *c)
{
    return transition_do(s, c, "opened", check_open, NULL);
}

int election_close(store *s, election_ctx *c)
{
    return transition_do(s, c, "closed", check_close, NULL);
}

int election_suspend(store *s, election_ctx *c, const char *notice)
{
    return transition_do(s, c, "suspended", check_suspend, notice);
}

int election_resume(store *s, election_ctx *c)
{
    return transition_do(s, c, "resumed", check_resume, NULL);
}

int election_test_start(store *s, election_ctx *c)
{
    return transition_do(s, c, "test-started", check_test_start, NULL);
}

int election_test_end(store *s, election_ctx *c)
{
    return transition_do(s, c, "test-wiped", check_test_end, NULL);
}

int election_publish(store *s, election_ctx *c)
{
    return transition_do(s, c, "published", check_publish, NULL);
}

int election_purge(store *s, election_ctx *c)
{
    return transition_do(s, c, "purged", check_purge, NULL);
}

int election_audit_checkpoint(store *s, election_ctx *c)
{
    return transition_do(s, c, "checkpoint", check_checkpoint, NULL);
}

/* ---- whether ballots can still come ---- */

static int run_voting_over(store_tx *tx, void *arg)
{
    election_ctx *c = arg;
    store_election e;
    def_election d;
    char err[DEF_ERR_CHARS], when[40];
    int rc = store_election_get(tx, &e);

    if (rc == STORE_ENOTFOUND)
        return election_refuse(c, "no election in this store: run votectl init first");
    if (rc != STORE_OK)
        return rc;
    if (!in_state(&e, "open")) {
        rc = ELECTION_OK;
    } else if (def_parse(&d, e.definition, strlen(e.definition), err, sizeof err) != 0) {
        rc = election_refuse(c, "the stored definition is invalid: %s", err);
    } else {
        fmt_instant(when, d.closes);
        rc = c->now < d.closes
                 ? election_refuse(c, "voting is open until %s%s: wait for the end of the "
                                   "window (the box can still change)", when,
                                   e.suspended ? " (suspended now)" : "")
                 : ELECTION_OK;
        def_free(&d);
    }
    free(e.definition);
    return rc;
}

int election_voting_over(store *s, election_ctx *c)
{
    c->msg[0] = '\0';
    return store_read(s, run_voting_over, c);
}
