/* code.c - vote codes on the server side: the check of an authenticator
 * against the binding of (voter, scrutin), and the reissue request to the
 * credential authority, which alone makes and mails a new code: the server
 * never derives a credential (docs/protocol.md section 7). */
#include "access_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "election/credentials.h"
#include "election/election.h"
#include "signer/signer.h"

#define CODE_LOCK_FOREVER ((int64_t)10 * 365 * 86400)

/* Wrong codes: delays from the 3rd, a lock at the 5th that lasts until the
 * support cell or a reissue lifts it. */
static const throttle_policy policy_code = { 3, 60, 5, CODE_LOCK_FOREVER };

/* The election id, whether the vote is open, and the voter's record. */
static int load_voter(store_tx *tx, int64_t voter, char eid[STORE_EID_CHARS + 1], int *open,
                      store_access *v)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    memcpy(eid, e.eid, STORE_EID_CHARS + 1);
    *open = strcmp(e.state, "open") == 0;
    free(e.definition);
    return store_access_by_id(tx, voter, v);
}

typedef struct {
    access_ctx *a;
    int64_t voter, now;
    const char *actor, *reason;
    store_access v;
    char eid[STORE_EID_CHARS + 1];
    int open, in_window;
    access_guard guard;
    guard_outcome defi;
    char *body;                  /* the request sent to the authority */
    char pending[33];            /* its id, if it was waiting already */
    char id[33];                 /* its id, waiting or new */
    int leased;                  /* this attempt holds the exchange's lease */
    access_result *res;
} reissue_job;

/* One exchange with the authority at a time (protocol section 7.3): a request
 * is made with the number of records applied, and its record applied or
 * refused, before the next request is made, so the authority never sees a
 * request while a record it answered may still be applied. Across the
 * daemon's nodes a lease in the store (the writes are serialised) that ends
 * AUTHORITY_LEASE_S after it was taken if its holder never gives it back;
 * within a process a mutex, so that its threads wait rather than find the
 * lease taken. */
#define AUTHORITY_LEASE_KEY "authority:exchange"
#define AUTHORITY_LEASE_S 120          /* above the client's 25 s of connect and answer */
static pthread_mutex_t authority_lock = PTHREAD_MUTEX_INITIALIZER;

static int run_reissue_read(store_tx *tx, void *arg)
{
    reissue_job *j = arg;
    def_election d;
    int rc = load_voter(tx, j->voter, j->eid, &j->open, &j->v);

    if (rc != STORE_OK || (rc = access_definition(tx, &d)) != STORE_OK)
        return rc;
    j->in_window = j->now >= d.opens && j->now < d.closes;
    def_free(&d);
    return STORE_OK;
}

/* The défi answer is counted before it is hashed (guard.c). */
static int run_reissue_enter(store_tx *tx, void *arg)
{
    reissue_job *j = arg;

    return guard_defi_enter(tx, j->a, &j->guard, j->now, j->res);
}

static int run_reissue_unchecked(store_tx *tx, void *arg)
{
    reissue_job *j = arg;

    return guard_defi_done(tx, &j->guard, GUARD_UNCHECKED, j->v.number);
}

typedef struct {
    const char *list[DEF_MAX_SCRUTINS];
    char names[DEF_MAX_SCRUTINS][STORE_SCRUTIN_CHARS + 1];
    size_t n;
} open_scrutins;

static int add_open(const char *scrutin, int voted, void *arg)
{
    open_scrutins *o = arg;

    if (!voted && o->n < DEF_MAX_SCRUTINS) {
        snprintf(o->names[o->n], sizeof o->names[o->n], "%s", scrutin);
        o->list[o->n] = o->names[o->n];
        o->n++;
    }
    return 0;
}

static int pending_of(const char *request, int64_t voter, const char *body, void *arg)
{
    reissue_job *j = arg;

    if (voter != j->voter || j->body != NULL)
        return 0;
    snprintf(j->pending, sizeof j->pending, "%s", request);
    snprintf(j->id, sizeof j->id, "%s", request);
    return (j->body = strdup(body)) != NULL ? 0 : STORE_ENOMEM;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A new request (docs/protocol.md section 7.3), signed with the daemon's key,
 * persisted until the authority's record is applied. */
static int request_new(store_tx *tx, reissue_job *j)
{
    open_scrutins o = { .n = 0 };
    char request[33];
    uint64_t applied = 0;
    int rc = store_voter_scrutins(tx, j->voter, add_open, &o);

    if (rc != STORE_OK || (rc = election_documents_count(tx, REISSUE_KIND, &applied)) != STORE_OK)
        return rc;
    if (o.n == 0) {
        j->res->code = ACCESS_E_REISSUE_NONE;
        return STORE_OK;
    }
    qsort(o.list, o.n, sizeof o.list[0], by_bytes);   /* bytewise, whatever the collation */
    /* unsigned here: the signer signs the row once it is committed */
    j->body = election_reissue_request_make(j->eid, j->v.number, o.list, o.n,
                                            (uint64_t)j->now, applied, NULL, request);
    if (j->body == NULL)
        return STORE_ENOMEM;
    memcpy(j->id, request, sizeof j->id);
    return store_reissue_put(tx, request, j->voter, j->body);
}

/* The waiting request counts the records applied now, or it is dropped. */
static int pending_current(store_tx *tx, reissue_job *j)
{
    json_t *doc = json_loads(j->body, 0, NULL);
    json_t *applied = json_object_get(doc, "applied");
    uint64_t have = 0;
    int rc = election_documents_count(tx, REISSUE_KIND, &have);

    if (rc == STORE_OK && (!json_is_integer(applied) ||
                           (uint64_t)json_integer_value(applied) != have)) {
        rc = store_reissue_delete(tx, j->pending);
        free(j->body);
        j->body = NULL;
    }
    json_decref(doc);
    return rc;
}

static int run_reissue_write(store_tx *tx, void *arg)
{
    reissue_job *j = arg;
    char key[THROTTLE_KEY_CHARS];
    int allowed, rc;
    json_t *extra;

    if (j->actor == NULL) {
        if ((rc = guard_defi_done(tx, &j->guard, j->defi, j->v.number)) != STORE_OK)
            return rc;
        if (j->defi != GUARD_RIGHT) {
            j->res->code = ACCESS_E_DEFI_WRONG;
            return STORE_OK;
        }
    }
    if ((rc = throttle_count(tx, AUTHORITY_LEASE_KEY, 1, AUTHORITY_LEASE_S, j->now,
                             &j->leased)) != STORE_OK)
        return rc;
    if (!j->leased) {                   /* another node is talking to the authority */
        j->res->code = ACCESS_E_REISSUE_PENDING;
        return STORE_OK;
    }
    snprintf(key, sizeof key, "reissue:%lld", (long long)j->voter);
    if (j->actor == NULL &&
        ((rc = throttle_count(tx, key, __atomic_load_n(&j->a->reissues_per_day, __ATOMIC_RELAXED),
                              86400, j->now, &allowed)) != 0 ||
         !allowed)) {
        j->res->code = ACCESS_E_REISSUE_LIMIT;
        j->res->retry_after = 86400;
        return rc;
    }
    /* a request still waiting for its record goes again, unchanged, while the
     * records applied are still those it counts; else a new one replaces it */
    free(j->body);
    j->body = NULL;
    if ((rc = store_reissues_each(tx, pending_of, j)) != STORE_OK ||
        (j->body != NULL && (rc = pending_current(tx, j)) != STORE_OK) ||
        (j->body == NULL && (rc = request_new(tx, j)) != STORE_OK) || j->body == NULL)
        return rc;
    extra = j->actor != NULL ? json_pack("{s:s,s:s,s:s}", "by", "support", "agent", j->actor,
                                         "reason", j->reason)
                             : json_pack("{s:s}", "by", "voter");
    return access_audit(tx, "code-reissue-requested", j->v.number, extra);
}

static int run_lease_end(store_tx *tx, void *arg)
{
    (void)arg;
    return throttle_reset(tx, AUTHORITY_LEASE_KEY);
}

static int run_unlock(store_tx *tx, void *arg)
{
    char key[THROTTLE_KEY_CHARS];

    snprintf(key, sizeof key, "code:%lld", (long long)*(int64_t *)arg);
    return throttle_reset(tx, key);
}

typedef struct {
    reissue_job *j;
    const char *why;
    store_tx *tx;
} drop_job;

static int drop_pending(const char *request, int64_t voter, const char *body, void *arg)
{
    drop_job *d = arg;

    (void)body;
    return voter == d->j->voter ? store_reissue_delete(d->tx, request) : 0;
}

/* The authority answered a record the server refuses: the request is dropped
 * (the next attempt makes a new one) and the refusal audited. */
static int run_refused(store_tx *tx, void *arg)
{
    drop_job *d = arg;
    int rc;

    d->tx = tx;
    if ((rc = store_reissues_each(tx, drop_pending, d)) != STORE_OK)
        return rc;
    return access_audit(tx, "reissue-record-refused", d->j->v.number,
                        json_pack("{s:s}", "reason", d->why));
}

typedef struct {
    const reissue_job *j;
    const char *body;
} replace_job;

static int run_replace(store_tx *tx, void *arg)
{
    replace_job *r = arg;
    int rc = store_reissue_delete(tx, r->j->id);

    return rc == STORE_OK ? store_reissue_put(tx, r->j->id, r->j->voter, r->body) : rc;
}

/* A request stored unsigned (all-zero signature) is signed by the signer,
 * which reads the committed row itself, and stored signed. */
static int request_sign(access_ctx *a, reissue_job *j)
{
    json_t *doc = json_loads(j->body, 0, NULL);
    const char *have = json_string_value(json_object_get(doc, "signature"));
    uint8_t sig[64];
    char hex[129], *text = NULL;
    int rc = STORE_OK;

    if (have == NULL) {
        rc = STORE_EIO;
    } else if (strspn(have, "0") == 128) {
        if (signer_reissue(a->signer, NULL, j->id, sig) != SIGNER_OK) {
            rc = STORE_EIO;             /* the signer logged why */
        } else {
            hex_encode(hex, sig, sizeof sig);
            json_object_set_new(doc, "signature", json_string(hex));
            text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
            rc = text == NULL ? STORE_ENOMEM
                              : store_write(a->store, run_replace, &(replace_job){ j, text });
        }
    }
    json_decref(doc);
    if (rc == STORE_OK && text != NULL) {
        free(j->body);
        j->body = text;
    } else {
        free(text);
    }
    return rc;
}

/* The request to the authority; its record applied. */
static int send_request(access_ctx *a, reissue_job *j)
{
    election_ctx ec = { .role = "authority", .actor = "credential-authority", .now = j->now };
    char err[300], *reply = NULL;
    json_t *doc;
    int64_t who = 0;
    int rc, mine;

    if (election_authority_post(a->authority_url, j->body, &reply, err, sizeof err) != 0) {
        free(reply);                /* a refusal or no answer: the request stays, unchanged */
        j->res->code = ACCESS_E_REISSUE_PENDING;
        return ACCESS_REFUSED;
    }
    doc = json_loads(reply, 0, NULL);
    mine = json_is_string(json_object_get(doc, "voter")) &&
           strcmp(json_string_value(json_object_get(doc, "voter")), j->v.number) == 0;
    json_decref(doc);
    rc = mine ? election_reissue_apply(a->store, &ec, reply, strlen(reply), &who)
              : ELECTION_REFUSED;
    free(reply);
    if (rc == ELECTION_OK && who == j->voter) {
        rc = store_write(a->store, run_unlock, &j->voter);
    } else if (rc >= 0) {
        drop_job d = { j, mine ? ec.msg : "the record is for another voter", NULL };

        rc = store_write(a->store, run_refused, &d);
        rc = rc == STORE_OK ? ACCESS_REFUSED : rc;
    }
    if (rc == ACCESS_REFUSED)
        j->res->code = ACCESS_E_REISSUE_PENDING;
    return rc;
}

static int reissue(access_ctx *a, reissue_job *j, const char *answer)
{
    char norm[ACCESS_ANSWER_MAX + 1];
    int rc;

    memset(j->res, 0, sizeof *j->res);
    if ((rc = store_read(a->store, run_reissue_read, j)) != STORE_OK)
        return rc;
    if (j->v.struck) {
        j->res->code = ACCESS_E_NOT_OPEN;
        return ACCESS_REFUSED;
    }
    if (!j->open || !j->in_window) {
        j->res->code = ACCESS_E_REISSUE_WINDOW;
        return ACCESS_REFUSED;
    }
    if (a->authority_url == NULL || a->signer == NULL) {
        j->res->code = ACCESS_E_REISSUE_UNAVAILABLE;     /* the server never makes a code */
        return ACCESS_REFUSED;
    }
    if (j->actor == NULL) {
        if (j->v.defi_hash[0] == '\0') {
            j->res->code = ACCESS_E_NOT_ACTIVATED;
            return ACCESS_REFUSED;
        }
        if (access_defi_normalize(norm, sizeof norm, answer ? answer : "") != 0) {
            j->res->code = ACCESS_E_DEFI_ANSWER;
            return ACCESS_REFUSED;
        }
        if ((rc = store_write(a->store, run_reissue_enter, j)) != STORE_OK ||
            j->res->code != ACCESS_E_NONE) {
            sodium_memzero(norm, sizeof norm);
            return rc != STORE_OK ? rc : ACCESS_REFUSED;
        }
        if (access_hash_enter(a, j->res) != 0) {
            sodium_memzero(norm, sizeof norm);
            rc = store_write(a->store, run_reissue_unchecked, j);
            return rc != STORE_OK ? rc : ACCESS_REFUSED;
        }
        j->defi = secret_pwhash_verify(j->v.defi_hash, norm, strlen(norm)) == 0 ? GUARD_RIGHT
                                                                                 : GUARD_WRONG;
        access_hash_leave(a);
        sodium_memzero(norm, sizeof norm);
    }
    pthread_mutex_lock(&authority_lock);
    rc = store_write(a->store, run_reissue_write, j);
    j->leased = rc == STORE_OK && j->leased;
    if (rc == STORE_OK && j->res->code == ACCESS_E_NONE)
        rc = request_sign(a, j);
    if (rc == STORE_OK && j->res->code == ACCESS_E_NONE)
        rc = send_request(a, j);
    if (j->leased) {                    /* if this fails, the lease ends by itself */
        int end = store_write(a->store, run_lease_end, NULL);

        rc = rc == STORE_OK ? end : rc;
    }
    pthread_mutex_unlock(&authority_lock);
    free(j->body);
    if (rc != STORE_OK)
        return rc;
    return j->res->code == ACCESS_E_NONE ? ACCESS_OK : ACCESS_REFUSED;
}

int access_code_reissue(access_ctx *a, int64_t voter, const char *defi_answer,
                        const char *client, int64_t now, access_result *res)
{
    reissue_job j = { .a = a, .voter = voter, .now = now, .res = res };

    guard_defi_init(&j.guard, voter, client);
    return reissue(a, &j, defi_answer);
}

int access_code_reissue_support(access_ctx *a, int64_t voter, const char *actor,
                                const char *reason, int64_t now, access_result *res)
{
    reissue_job j = { .a = a, .voter = voter, .now = now, .actor = actor, .reason = reason,
                      .res = res };

    if (actor == NULL || reason == NULL || reason[0] == '\0') {
        memset(res, 0, sizeof *res);
        res->code = ACCESS_E_DEFI_ANSWER;
        return ACCESS_REFUSED;
    }
    return reissue(a, &j, NULL);
}

_Static_assert(sizeof ((access_auth *)0)->number == STORE_NUMBER_CHARS + 1, "voter number");
_Static_assert(sizeof ((access_auth *)0)->key == THROTTLE_KEY_CHARS, "throttle key");
_Static_assert(sizeof ((access_auth *)0)->bind == CREDENTIAL_AUTH_BYTES, "binding");

int access_auth_read(store_tx *tx, const access_ctx *a, int64_t voter, const char *number,
                     int struck, const char *scrutin, const char *client, int64_t now,
                     access_auth *j)
{
    char net[64];
    store_throttle t;
    int rc;

    memset(j, 0, sizeof *j);
    j->voter = voter;
    j->now = now;
    snprintf(j->number, sizeof j->number, "%s", number);
    j->struck = struck;
    snprintf(j->key, sizeof j->key, "code:%lld", (long long)voter);
    access_client_network(net, client);
    snprintf(j->net_key, sizeof j->net_key, "codenet:%s", net);
    rc = store_binding_get(tx, voter, scrutin, j->bind);
    j->has_bind = rc == STORE_OK;
    if (rc != STORE_OK && rc != STORE_ENOTFOUND)
        return rc;
    /* the voter's record is read once: its verdict, and whether a right code
     * must clear earlier failures */
    if ((rc = store_throttle_get(tx, j->key, &t)) != STORE_OK)
        return rc;
    j->had_failures = t.failures > 0;
    if ((rc = throttle_verdict(&t, now, &j->res)) != ACCESS_OK ||
        (rc = throttle_network_check(tx, a, j->net_key, now, &j->res)) != ACCESS_OK)
        return rc == ACCESS_REFUSED ? STORE_OK : rc;
    return STORE_OK;
}

typedef struct {
    access_ctx *a;
    access_auth *j;
} check_write;

static int run_check_write(store_tx *tx, void *arg)
{
    check_write *w = arg;
    access_auth *j = w->j;
    int locked = 0, net_tripped = 0, rc;

    if (j->ok)
        return throttle_reset(tx, j->key);
    if ((rc = throttle_fail(tx, j->key, &policy_code, j->now, &locked)) != STORE_OK ||
        (rc = throttle_network_fail(tx, w->a, j->net_key, j->now, &net_tripped)) != STORE_OK)
        return rc;
    rc = access_audit(tx, locked ? "code-locked" : "code-refused", j->number, NULL);
    if (rc == STORE_OK && net_tripped)
        rc = throttle_network_audit(tx, j->net_key);
    return rc;
}

int access_auth_decide(access_ctx *a, access_auth *j, const uint8_t auth[32],
                       const uint8_t pub[32], access_result *res)
{
    uint8_t check[CREDENTIAL_AUTH_BYTES];
    check_write w = { a, j };
    int rc;

    *res = j->res;
    if (res->code != ACCESS_E_NONE) {
        if (res->code == ACCESS_E_LOCKED)
            res->code = ACCESS_E_CODE_LOCKED;
        return ACCESS_REFUSED;
    }
    credential_auth_bind(check, auth, pub);
    j->ok = j->has_bind && !j->struck && secret_equal(check, j->bind, sizeof check);
    /* a success writes only to clear earlier failures: the cast's own
     * transaction is the durable record of a right code */
    if ((!j->ok || j->had_failures) && (rc = store_write(a->store, run_check_write, &w)) != STORE_OK)
        return rc;
    if (!j->ok) {
        res->code = ACCESS_E_CODE_WRONG;
        return ACCESS_REFUSED;
    }
    return ACCESS_OK;
}

typedef struct {
    access_ctx *a;
    int64_t voter, now;
    const char *scrutin, *client;
    access_auth *j;
} check_job;

static int run_check_read(store_tx *tx, void *arg)
{
    check_job *c = arg;
    store_access v;
    int rc = store_access_by_id(tx, c->voter, &v);

    if (rc != STORE_OK)
        return rc;
    return access_auth_read(tx, c->a, c->voter, v.number, v.struck, c->scrutin, c->client,
                            c->now, c->j);
}

int access_auth_check(access_ctx *a, int64_t voter, const char *scrutin, const uint8_t auth[32],
                      const uint8_t pub[32], const char *client, int64_t now,
                      access_result *res)
{
    access_auth j;
    check_job c = { a, voter, now, scrutin, client, &j };
    int rc;

    memset(res, 0, sizeof *res);
    if ((rc = store_read(a->store, run_check_read, &c)) != STORE_OK)
        return rc;
    return access_auth_decide(a, &j, auth, pub, res);
}
