/* common.c - what the flows of access/ share: the context, the bound on
 * concurrent Argon2id computations, token and identifier forms, audit entries. */
#include "access_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "altcha.h"
#include "audit/audit.h"
#include "signer/signer.h"

#define HASH_WAIT_S 5
#define RETRY_AFTER_MAX 60

static _Thread_local int64_t hash_started_us;   /* access_hash_enter's, for the average */

static int64_t now_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int access_init(access_ctx *a, store *s, const struct signer_keys *keys,
                const access_wordlist *w, const mail_ctx *mail, int max_hashing)
{
    char random_pw[SECRET_TOKEN_CHARS + 1];
    int64_t t0;
    int rc;

    memset(a, 0, sizeof *a);
    a->store = s;
    memcpy(a->hash_key, keys->hash_key, sizeof a->hash_key);
    memcpy(a->totp_key, keys->totp_key, sizeof a->totp_key);
    memcpy(a->altcha_key, keys->altcha_key, sizeof a->altcha_key);
    a->common = w;
    a->mail = mail;
    a->link_ttl = ACCESS_LINK_TTL_DEFAULT;
    a->max_hashing = max_hashing > 0 ? max_hashing : 1;
    a->reissues_per_day = ACCESS_REISSUE_PER_DAY;
    a->network_failures = ACCESS_NETWORK_FAILURES;
    a->max_waiting = ACCESS_WAITING_MAX * a->max_hashing;
    a->wait_bound_ms = ACCESS_WAIT_BOUND_MS;
    a->hash_wait_ms = HASH_WAIT_S * 1000;
    pthread_mutex_init(&a->hash_lock, NULL);
    pthread_cond_init(&a->hash_free, NULL);
    secret_token_new(random_pw);
    t0 = now_us();
    rc = secret_pwhash(a->dummy_hash, random_pw, strlen(random_pw));
    a->hash_us = now_us() - t0;          /* the first estimate of a hash's cost here */
    if (a->hash_us < 1)
        a->hash_us = 1;
    if ((a->queue = queue_new()) == NULL)   /* its key: random, this process's only */
        return -1;
    return rc;
}

json_t *access_challenge(const access_ctx *a, int64_t now)
{
    return altcha_challenge(a->altcha_key, now);
}

typedef struct {
    uint8_t id[32];
    int64_t expires;
} nonce_job;

static int run_nonce(store_tx *tx, void *arg)
{
    nonce_job *j = arg;

    return store_nonce_use(tx, j->id, j->expires);
}

int access_challenge_use(access_ctx *a, const char *payload, int64_t now, access_result *res)
{
    nonce_job j;
    int rc;

    memset(res, 0, sizeof *res);
    if (altcha_verify(a->altcha_key, payload, now, j.id, &j.expires) != 0) {
        res->code = ACCESS_E_CHALLENGE;
        return ACCESS_REFUSED;
    }
    rc = store_write(a->store, run_nonce, &j);
    if (rc == STORE_ECONFLICT) {           /* solved once, presented twice */
        res->code = ACCESS_E_CHALLENGE;
        return ACCESS_REFUSED;
    }
    return rc;
}

void access_destroy(access_ctx *a)
{
    pthread_mutex_destroy(&a->hash_lock);
    pthread_cond_destroy(&a->hash_free);
    queue_free(a->queue);
    a->queue = NULL;
}

/* The estimated wait, in microseconds, of a caller behind ahead others
 * (waiting or hashing), max_hashing at a time: under hash_lock. */
static int64_t wait_estimate_us(const access_ctx *a, int ahead)
{
    return (int64_t)ahead * a->hash_us / a->max_hashing;
}

/* BUSY with a Retry-After of about s seconds, spread over as long again. */
static void busy(access_ctx *a, access_result *res, int64_t s)
{
    if (s < 1)
        s = 1;
    if (s > RETRY_AFTER_MAX)
        s = RETRY_AFTER_MAX;
    s += (int64_t)randombytes_uniform((uint32_t)s + 1);
    res->code = ACCESS_E_BUSY;
    res->retry_after = s < RETRY_AFTER_MAX ? s : RETRY_AFTER_MAX;
    a->refused++;
}

/* Whether a caller arriving now may queue for a hash slot (under hash_lock):
 * a slot free, or room in the queue and the estimated wait within the bound. */
static int hash_room(const access_ctx *a)
{
    return a->hashing < a->max_hashing ||
           (a->waiting < a->max_waiting &&
            wait_estimate_us(a, a->waiting + 1) <= a->wait_bound_ms * 1000);
}

/* Admission, under hash_lock: -1 (BUSY, counted) if a caller arriving now
 * would wait past the bound; 0 if it may queue. */
static int admission_refuse(access_ctx *a, access_result *res)
{
    int64_t s;

    if (hash_room(a))
        return 0;
    /* refused at once rather than queued past the bound; told to come back
     * once the queue ahead has drained, spread over as long again so that
     * the refused do not all come back together */
    s = (wait_estimate_us(a, a->waiting + a->hashing) + 999999) / 1000000;
    busy(a, res, s);
    return -1;
}

/* BUSY with a place in the calendar: its ticket, position and time. */
static void refuse_place(access_ctx *a, uint64_t seq, int64_t now, int64_t retry,
                         access_login_place *place, access_result *res)
{
    if (retry < 1)
        retry = (queue_not_before(a->queue, seq) - now + 999) / 1000;
    res->code = ACCESS_E_BUSY;
    res->retry_after = retry < 1 ? 1 : retry > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : retry;
    queue_ticket(a->queue, seq, place->ticket);
    place->position = queue_position(a->queue, seq);
    a->refused++;
}

/* The logins/s Argon2id allows, before any is measured under a rush. */
static double rate_estimate(const access_ctx *a)
{
    return (double)a->max_hashing * 1e6 / (double)a->hash_us;
}

int access_login_admit_at(access_ctx *a, const char *identifier, const char *ticket, int64_t now,
                          access_login_place *place, access_result *res)
{
    access_queue *q = a->queue;
    uint8_t idh[16];
    uint64_t held = 0, mine = 0;
    int cap = a->max_hashing + a->max_waiting, rc = -1;

    if (place == NULL)
        identifier = NULL;               /* nowhere to give a ticket: none booked */
    pthread_mutex_lock(&a->hash_lock);
    if (a->login_limit < 1)              /* first use: as many as the queue holds */
        a->login_limit = cap;
    queue_advance(q, now);
    if (identifier != NULL) {
        queue_identifier(q, idh, identifier);
        held = queue_check(q, idh, ticket, now);
        mine = held != 0 ? held : queue_find(q, idh);
    }
    if (held != 0 && queue_is_due(q, held, now)) {
        /* a holder whose time has come: above the adaptive limit, up to the
         * hard cap (the writer threads logins may hold) */
        if (a->logins < cap) {
            queue_take(q, held);
            place->taken = held;
            a->logins++;
            rc = 0;
        } else {
            refuse_place(a, held, now, 1, place, res);
        }
    } else if ((a->logins < (int)a->login_limit - (int64_t)queue_reserved(q) ||
                (a->logins < (int)a->login_limit && a->hashing < a->max_hashing &&
                 a->waiting == 0)) && hash_room(a)) {
        /* fresh, early, or a ticket that counts as none: only in the room
         * the holders whose time has come leave, or while an Argon2id slot
         * is idle with nobody waiting (capacity is never left unused, so the
         * rate measured is the capacity, not the booking's own rate); the
         * identifier's place is freed */
        if (mine != 0)
            queue_take(q, mine);
        a->logins++;
        rc = 0;
    } else if (identifier != NULL &&
               (mine != 0 || (mine = queue_book(q, idh, now, rate_estimate(a))) != 0)) {
        refuse_place(a, mine, now, 0, place, res);   /* one place per identifier */
    } else if (a->logins >= (int)a->login_limit - (int64_t)queue_reserved(q)) {
        /* the ones under way drain max_hashing at a time, a login's time each */
        busy(a, res, (a->login_us * (a->logins / a->max_hashing + 1) + 999999) / 1000000);
    } else {
        admission_refuse(a, res);
    }
    if (rc != 0)
        queue_done(q, 1);
    pthread_mutex_unlock(&a->hash_lock);
    return rc;
}

int access_login_admit(access_ctx *a, access_result *res)
{
    const char *identifier, *ticket;
    access_login_place *place;

    queue_current(&identifier, &ticket, &place);
    return access_login_admit_at(a, identifier, ticket, queue_now_ms(a->queue), place, res);
}

void access_login_rebook(access_ctx *a, const char *identifier, access_login_place *place,
                         access_result *res)
{
    access_queue *q = a->queue;
    int64_t now = queue_now_ms(q);
    uint8_t idh[16];
    uint64_t seq;

    pthread_mutex_lock(&a->hash_lock);
    queue_advance(q, now);
    if (place->taken != 0) {             /* admitted on its place: given back, due */
        queue_restore(q, place->taken);
        refuse_place(a, place->taken, now, 1, place, res);
        a->refused--;                    /* counted once already, by access_hash_enter */
    } else {
        queue_identifier(q, idh, identifier);
        if ((seq = queue_find(q, idh)) != 0 ||
            (seq = queue_book(q, idh, now, rate_estimate(a))) != 0) {
            refuse_place(a, seq, now, 0, place, res);
            a->refused--;
        }
    }
    pthread_mutex_unlock(&a->hash_lock);
}

void access_queue_get(access_ctx *a, access_queue_figures *out)
{
    pthread_mutex_lock(&a->hash_lock);
    queue_advance(a->queue, queue_now_ms(a->queue));
    queue_figures(a->queue, out);
    pthread_mutex_unlock(&a->hash_lock);
}

void access_login_leave(access_ctx *a, int64_t took_us, int served)
{
    double hi = a->max_hashing + a->max_waiting, lo = a->max_hashing;

    pthread_mutex_lock(&a->hash_lock);
    a->logins--;
    if (served)
        queue_done(a->queue, 0);
    /* refused BUSY after all: at once, it says nothing of a login's time;
     * after waiting past the bound (the wait ran out), it was a slow login */
    if ((served || took_us > a->wait_bound_ms * 1000) && took_us > 0) {
        a->login_us += (took_us - a->login_us) / 8;
        if (took_us > a->wait_bound_ms * 1000)
            a->login_limit *= 0.9;
        else
            a->login_limit += 1.0 / a->login_limit;
        a->login_limit = a->login_limit < lo ? lo : a->login_limit > hi ? hi : a->login_limit;
    }
    pthread_mutex_unlock(&a->hash_lock);
}

int access_hash_enter(access_ctx *a, access_result *res)
{
    struct timespec until;
    int rc = 0;

    pthread_mutex_lock(&a->hash_lock);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += a->hash_wait_ms / 1000;
    until.tv_nsec += (long)(a->hash_wait_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    if (admission_refuse(a, res) != 0) {
        pthread_mutex_unlock(&a->hash_lock);
        return -1;
    }
    a->waiting++;
    while (a->hashing >= a->max_hashing && rc == 0)
        rc = pthread_cond_timedwait(&a->hash_free, &a->hash_lock, &until);
    a->waiting--;
    if (a->hashing < a->max_hashing) {
        a->hashing++;
        a->hashes++;
        rc = 0;
    } else {
        res->code = ACCESS_E_BUSY;
        res->retry_after = a->hash_wait_ms / 1000 > 0 ? a->hash_wait_ms / 1000 : 1;
        a->refused++;
        rc = -1;
    }
    pthread_mutex_unlock(&a->hash_lock);
    if (rc == 0)
        hash_started_us = now_us();
    return rc;
}

void access_admission_get(access_ctx *a, access_admission *out)
{
    pthread_mutex_lock(&a->hash_lock);
    *out = (access_admission){ a->hashing, a->waiting, a->hashes, a->refused, a->hash_us,
                               a->logins,
                               a->login_limit < 1 ? a->max_hashing + a->max_waiting
                                                  : (int)a->login_limit,
                               a->login_us };
    pthread_mutex_unlock(&a->hash_lock);
}

void access_hash_leave(access_ctx *a)
{
    int64_t took = now_us() - hash_started_us;

    pthread_mutex_lock(&a->hash_lock);
    a->hashing--;
    if (took > 0)                        /* a moving average, 1/8 of the new */
        a->hash_us += (took - a->hash_us) / 8;
    if (a->hash_us < 1)
        a->hash_us = 1;
    pthread_cond_signal(&a->hash_free);
    pthread_mutex_unlock(&a->hash_lock);
}

int access_token_hash(uint8_t out[STORE_HASH_BYTES], const access_ctx *a, const char *token)
{
    if (token == NULL || strlen(token) != ACCESS_TOKEN_CHARS)
        return -1;
    for (const char *c = token; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_'))
            return -1;
    secret_keyed_hash(out, a->hash_key, token, ACCESS_TOKEN_CHARS);
    return 0;
}

int access_identifier(char out[ACCESS_IDENTIFIER_MAX + 1], const char *in)
{
    size_t start = 0, n;

    if (in == NULL)
        return -1;
    while (isspace((unsigned char)in[start]))
        start++;
    n = strlen(in + start);
    while (n > 0 && isspace((unsigned char)in[start + n - 1]))
        n--;
    if (n == 0 || n > ACCESS_IDENTIFIER_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[start + i];

        if (c < 0x21 || c > 0x7e)   /* professional addresses are ASCII */
            return -1;
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
    return strchr(out, '@') != NULL ? 0 : -1;
}

int access_definition(store_tx *tx, def_election *d)
{
    store_election e;
    char err[DEF_ERR_CHARS];
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK && def_parse(d, e.definition, strlen(e.definition), err, sizeof err) != 0)
        rc = STORE_EIO;
    free(e.definition);
    return rc;
}

int access_audit(store_tx *tx, const char *event, const char *number, json_t *extra)
{
    json_t *p = extra != NULL ? extra : json_object();

    if (number != NULL)
        json_object_set_new(p, "number", json_string(number));
    return access_audit_as(tx, "voter", number != NULL ? number : "-", event, p);
}

int access_audit_as(store_tx *tx, const char *role, const char *actor, const char *event,
                    json_t *payload)
{
    json_t *p = payload != NULL ? payload : json_object();
    int rc = audit_append(tx, role, actor, event, p);

    json_decref(p);
    return rc;
}

void access_client_network(char out[64], const char *client)
{
    unsigned char b[16];

    if (client != NULL && inet_pton(AF_INET, client, b) == 1) {
        snprintf(out, 64, "%u.%u.%u.0/24", b[0], b[1], b[2]);
    } else if (client != NULL && inet_pton(AF_INET6, client, b) == 1) {
        char txt[INET6_ADDRSTRLEN];

        memset(b + 7, 0, 9);
        inet_ntop(AF_INET6, b, txt, sizeof txt);
        snprintf(out, 64, "%s/56", txt);
    } else {
        snprintf(out, 64, "unknown");
    }
}
