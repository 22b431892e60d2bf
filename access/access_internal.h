/* access_internal.h - shared by the files of access/ only. */
#ifndef VOTESRV_ACCESS_INTERNAL_H
#define VOTESRV_ACCESS_INTERNAL_H

#include <jansson.h>
#include "access.h"
#include "election/definition.h"
#include "mail/mail.h"
#include "store/store.h"

#define THROTTLE_KEY_CHARS 96

typedef struct {
    int64_t soft;          /* failures before delays start */
    int64_t max_delay;     /* seconds; delays double up to this */
    int64_t lock_after;    /* failures that lock */
    int64_t lock_for;      /* seconds */
} throttle_policy;

extern const throttle_policy access_policy_account;

/* ACCESS_OK, or ACCESS_REFUSED with res set (THROTTLED or LOCKED). */
MUST_CHECK
int throttle_check(store_tx *tx, const char *key, int64_t now, access_result *res);
/* A network's window (access.h): ACCESS_OK, or ACCESS_REFUSED with res set. */
MUST_CHECK
int throttle_network_check(store_tx *tx, const access_ctx *a, const char *key, int64_t now,
                           access_result *res);
/* Count a network's failure; *tripped when it is the one that reaches the limit. */
int throttle_network_fail(store_tx *tx, const access_ctx *a, const char *key, int64_t now,
                          int *tripped);
/* A login attempt, before its password is checked, in a write job: refused
 * (STORE_OK with res->code set) if the network or the account is throttled;
 * otherwise a failure is counted against both at once, so that attempts run
 * side by side cannot all pass the check before any failure is recorded.
 * *locked and *net_tripped: this failure locks the account / trips the network. */
int throttle_login_enter(store_tx *tx, const access_ctx *a, const char *net_key,
                         const char *acct_key, int64_t now, access_result *res, int *locked,
                         int *net_tripped);
/* The same for any key and policy (défi answers: guard.c). */
int throttle_enter(store_tx *tx, const access_ctx *a, const char *net_key, const char *key,
                   const throttle_policy *p, int64_t now, access_result *res, int *locked,
                   int *net_tripped);
/* The attempt succeeded: the account's count cleared, the network's failure returned. */
int throttle_login_success(store_tx *tx, const char *net_key, const char *acct_key);
/* Return one counted failure (an attempt that could not be checked). */
int throttle_unfail(store_tx *tx, const char *key);
/* An attempt entered at now but not checked (no hash slot): both failures
 * returned, and the account's delay or lock that its failure set (p: the
 * policy it was counted under). */
int throttle_login_cancel(store_tx *tx, const char *net_key, const char *acct_key,
                          const throttle_policy *p, int64_t now);
/* The audit entry of a network that reached its window's limit ("PREFIX:NETWORK" key). */
int throttle_network_audit(store_tx *tx, const char *net_key);
/* The same verdict on a record already read. */
int throttle_verdict(const store_throttle *t, int64_t now, access_result *res);
/* Count a failure; *locked set when this failure locks the key. */
int throttle_fail(store_tx *tx, const char *key, const throttle_policy *p, int64_t now,
                  int *locked);
int throttle_reset(store_tx *tx, const char *key);
/* A counting window: *allowed is 0 once more than limit events fall in window. */
int throttle_count(store_tx *tx, const char *key, int64_t limit, int64_t window, int64_t now,
                   int *allowed);
/* The same, and *ends: the end of the window (a time). */
int throttle_count_ends(store_tx *tx, const char *key, int64_t limit, int64_t window, int64_t now,
                        int *allowed, int64_t *ends);
/* Key of a secret-free label for an identifier: "PREFIX:" + hex keyed hash. */
void throttle_key_hashed(char out[THROTTLE_KEY_CHARS], const access_ctx *a, const char *prefix,
                         const char *value);

/* The défi answer's guard (guard.c): keys "defi:VOTER" and "definet:NETWORK". */
extern const throttle_policy access_policy_defi;
typedef struct {
    char key[THROTTLE_KEY_CHARS], net_key[THROTTLE_KEY_CHARS];
    int locked, net_tripped;
    int64_t now;                 /* guard_defi_enter's */
} access_guard;
typedef enum { GUARD_RIGHT, GUARD_WRONG, GUARD_UNCHECKED } guard_outcome;
void guard_defi_init(access_guard *g, int64_t voter, const char *client);
/* Whether an answer may be checked now, counting nothing: ACCESS_OK, or
 * ACCESS_REFUSED with res set (THROTTLED, DEFI_LOCKED), or a store error. */
MUST_CHECK
int guard_defi_check(store_tx *tx, const access_ctx *a, const access_guard *g, int64_t now,
                     access_result *res);
/* Before an answer is hashed, in a write job: refused (STORE_OK with res->code
 * set) or counted as a failure against the account and the network at once. */
int guard_defi_enter(store_tx *tx, const access_ctx *a, access_guard *g, int64_t now,
                     access_result *res);
/* After: a right answer clears the account's count and returns the network's
 * failure; an unchecked one returns both; a wrong one stays counted (audited
 * when it locks the account or trips the network; number: the voter's). */
int guard_defi_done(store_tx *tx, const access_guard *g, guard_outcome outcome,
                    const char *number);

/* Argon2id under the concurrency bound: -1 with res set to BUSY and a
 * Retry-After when the queue is past the admission bound (at once) or the
 * wait ran out. */
int access_hash_enter(access_ctx *a, access_result *res);
/* Admission of a login, ahead of its store writes: -1 with res BUSY (and a
 * Retry-After) if login_limit logins are under way or the Argon2id queue is
 * past its bound already (access_hash_enter decides again when the login
 * gets there); 0: admitted, to be followed by access_login_leave with the
 * login's duration, served 0 if it was refused BUSY after all (counted as
 * slow all the same if it took longer than the bound: its wait ran out). */
int access_login_admit(access_ctx *a, access_result *res);
void access_login_leave(access_ctx *a, int64_t took_us, int served);
void access_hash_leave(access_ctx *a);

/* The keyed hash under which a link or session token is stored; -1 if the
 * token is not of the right form (length, alphabet). */
int access_token_hash(uint8_t out[STORE_HASH_BYTES], const access_ctx *a, const char *token);
/* Trimmed, lower-cased identifier; -1 if empty, too long or not plausible. */
int access_identifier(char out[ACCESS_IDENTIFIER_MAX + 1], const char *in);
/* The stored election definition (def_free it). */
int access_definition(store_tx *tx, def_election *d);
/* Append an audit entry {"number": number, ...extra} (extra consumed, may be NULL). */
int access_audit(store_tx *tx, const char *event, const char *number, json_t *extra);
/* Append an entry by someone else than a voter (payload consumed, may be NULL). */
int access_audit_as(store_tx *tx, const char *role, const char *actor, const char *event,
                    json_t *payload);

/* A voter's password context (access_password_check): number, addresses,
 * names, postal address, the organiser's and the election's names. */
#define ACCESS_CONTEXT_MAX 24
typedef struct {
    char *words[ACCESS_CONTEXT_MAX + 1];   /* NULL-terminated */
    size_t n;
} access_context;
int access_context_load(store_tx *tx, const char *number, int64_t voter, access_context *c);
void access_context_free(access_context *c);

int access_link_issue_def(store_tx *tx, const access_ctx *a, const def_election *d,
                          const store_access *v, int purpose, const char *address, int64_t now,
                          char token_out[ACCESS_TOKEN_CHARS + 1]);

/* The calendar (ticket.c), under hash_lock but queue_new/queue_free and
 * queue_now_ms (ms since queue_new, the clock of its tickets). Seqs start
 * at 1; 0 means none. */
access_queue *queue_new(void);
void queue_free(access_queue *q);
int64_t queue_now_ms(const access_queue *q);
void queue_identifier(const access_queue *q, uint8_t idh[16], const char *identifier);
void queue_advance(access_queue *q, int64_t now);
/* The live place of a valid, unexpired ticket for idh, or 0. */
uint64_t queue_check(access_queue *q, const uint8_t idh[16], const char *ticket, int64_t now);
uint64_t queue_find(access_queue *q, const uint8_t idh[16]);
/* A new place at the back (0: the calendar is full). */
uint64_t queue_book(access_queue *q, const uint8_t idh[16], int64_t now, double fallback_rate);
void queue_take(access_queue *q, uint64_t seq);
void queue_restore(access_queue *q, uint64_t seq);
int64_t queue_not_before(access_queue *q, uint64_t seq);
int queue_is_due(access_queue *q, uint64_t seq, int64_t now);
uint64_t queue_reserved(const access_queue *q);
void queue_ticket(access_queue *q, uint64_t seq, char out[ACCESS_TICKET_CHARS + 1]);
int64_t queue_position(const access_queue *q, uint64_t seq);
/* A login served (refused_now 0) or refused: the rate measured. */
void queue_done(access_queue *q, int refused_now);
/* queue_done at t, microseconds of CLOCK_MONOTONIC (tests drive it). */
void queue_done_at(access_queue *q, int refused_now, int64_t t);
void queue_figures(const access_queue *q, access_queue_figures *out);
/* The identifier, ticket and place of the login access_login_queued runs
 * in this thread (NULLs otherwise). */
void queue_current(const char **identifier, const char **ticket, access_login_place **place);
/* access_login_admit at a time of the calendar's clock (tests drive it). */
int access_login_admit_at(access_ctx *a, const char *identifier, const char *ticket, int64_t now,
                          access_login_place *place, access_result *res);
/* A login admitted and then refused BUSY (no hash slot): its place given
 * back (due), or one booked; place and res filled. */
void access_login_rebook(access_ctx *a, const char *identifier, access_login_place *place,
                         access_result *res);

#endif
