/*
 * access.h - access/, how people get in. Voters (here): one-time links to
 * their professional addresses, the "elections" password and the défi,
 * sessions, throttles, the reassorts (docs/glossary.md) and the check of a
 * vote code's authenticator. The support cell's actions for a voter
 * (support.h), the consoles' staff accounts (staff.h), the ALTCHA proof of
 * work (altcha.h). Every event is audited with the voter number, never a
 * secret.
 *
 * Results: ACCESS_OK, ACCESS_REFUSED (res->code says what to tell the person,
 * the same for every identifier where telling more would reveal one), or a
 * negative store error.
 */
#ifndef VOTESRV_ACCESS_H
#define VOTESRV_ACCESS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "crypto/secret.h"

/* The store (store/store.h) and the mail context (mail/mail.h) are opaque
 * here: votecred folds names with the défi normal form and links nothing else
 * of access/. */
typedef struct store store;
typedef struct store_tx store_tx;
typedef struct mail_ctx mail_ctx;

#define ACCESS_OK 0
#define ACCESS_REFUSED 1

#define ACCESS_PASSWORD_MIN 12          /* characters (code points) */
#define ACCESS_PASSWORD_MAX 256         /* bytes */
#define ACCESS_PASSWORD_MIN_BITS 40.0   /* zxcvbn's estimate, log2 of the guesses */
#define ACCESS_ANSWER_MAX 200           /* bytes */
#define ACCESS_IDENTIFIER_MAX 254
#define ACCESS_LINK_TTL_DEFAULT (72 * 3600)
#define ACCESS_WAIT_BOUND_MS 1000        /* admission: the longest estimated wait for a hash slot */
#define ACCESS_WAITING_MAX 16           /* admission: callers waiting for a slot, per hash slot */
#define ACCESS_SESSION_IDLE (15 * 60)
#define ACCESS_SESSION_ABSOLUTE (2 * 3600)
#define ACCESS_TOKEN_CHARS SECRET_TOKEN_CHARS
#define ACCESS_DEFI_MAX 16

/* What went wrong, as a stable code the API turns into a message. */
typedef enum {
    ACCESS_E_NONE = 0,
    ACCESS_E_LINK_INVALID,       /* unknown, used, voided, expired, altered */
    ACCESS_E_PASSWORD_SHORT,
    ACCESS_E_PASSWORD_LONG,
    ACCESS_E_PASSWORD_COMMON,
    ACCESS_E_PASSWORD_IDENTIFIER,
    ACCESS_E_PASSWORD_ENCODING,
    ACCESS_E_DEFI_QUESTION,
    ACCESS_E_DEFI_ANSWER,        /* empty, too long or not UTF-8 */
    ACCESS_E_CREDENTIALS,        /* identifier or password wrong: never which */
    ACCESS_E_THROTTLED,          /* wait retry_after seconds */
    ACCESS_E_LOCKED,             /* locked until retry_after; the support cell sees it */
    ACCESS_E_SESSION,            /* no valid session */
    ACCESS_E_NOT_ACTIVATED,
    ACCESS_E_CHALLENGE,          /* proof of work missing, wrong, expired or reused */
    ACCESS_E_BUSY,               /* too many password hashes under way: retry */
    ACCESS_E_DEFI_WRONG,         /* the défi answer does not match */
    ACCESS_E_REISSUE_LIMIT,      /* too many code reissues in 24 hours */
    ACCESS_E_NOT_OPEN,           /* only while the vote is open */
    ACCESS_E_CODE_WRONG,         /* not this voter's code */
    ACCESS_E_CODE_LOCKED,        /* too many wrong codes: support or a reissue unlocks */
    ACCESS_E_STAFF_ACCOUNT,      /* a staff login or role that is not acceptable */
    ACCESS_E_REASON,             /* a support action without its reason */
    ACCESS_E_DEFI_LOCKED,        /* too many wrong défi answers: locked until retry_after */
    ACCESS_E_REISSUE_WINDOW,     /* a new vote code only inside the voting window */
    ACCESS_E_REISSUE_UNAVAILABLE, /* no credential authority service configured */
    ACCESS_E_REISSUE_PENDING,    /* the authority did not answer yet: asked again later */
    ACCESS_E_REISSUE_NONE,       /* voted in every scrutin: no code to replace */
    ACCESS_E_PASSWORD_PATTERN,   /* repetitions, sequences or keyboard walks */
    ACCESS_E_LINK_RATE,          /* links asked for this address: wait retry_after seconds */
    ACCESS_E_FACTOR_LOCKED,      /* staff: too many wrong TOTP codes, until an officer unlocks */
    ACCESS_E_TOTP_WRONG          /* staff: the right password, a wrong or reused one-time code */
} access_error;

typedef struct {
    access_error code;
    int64_t retry_after;         /* seconds, for THROTTLED, LOCKED, BUSY and LINK_RATE */
} access_result;

/* The common-password list (loaded once). */
typedef struct access_wordlist access_wordlist;
access_wordlist *access_wordlist_load(const char *const *paths, size_t n, char *err,
                                      size_t errlen);
void access_wordlist_free(access_wordlist *w);

typedef struct {
    store *store;
    uint8_t hash_key[32];              /* tokens, sessions, throttles (from the signer) */
    uint8_t totp_key[32];              /* seals staff TOTP secrets (from the signer) */
    const access_wordlist *common;
    const mail_ctx *mail;              /* NULL: links are issued but no mail is queued */
    int64_t link_ttl;                  /* seconds */
    pthread_mutex_t hash_lock;         /* bounds concurrent Argon2id computations */
    pthread_cond_t hash_free;
    int hashing, max_hashing;
    uint64_t hashes;                   /* Argon2id computations started (under hash_lock) */
    /* Admission ahead of the Argon2id queue (the opening rush): a caller
     * waits for a slot only while fewer than max_waiting wait and the
     * estimated wait (waiting + 1 hashes of hash_us each, max_hashing at a
     * time) stays within wait_bound_ms; else refused at once, BUSY with a
     * Retry-After from that estimate. hash_us: measured by access_init, then
     * a moving average of the hashes run (all under hash_lock). */
    int waiting, max_waiting;
    int64_t wait_bound_ms, hash_us;
    int64_t hash_wait_ms;              /* a queued caller's longest wait (HASH_WAIT_S) */
    uint64_t refused;                  /* callers refused at once (BUSY) */
    /* ... and ahead of a login's store writes: at most login_limit logins
     * under way at once. The limit adapts to a whole login's duration
     * (login_us, a moving average): a login that took longer than
     * wait_bound_ms lowers it by a tenth (not below max_hashing), a quicker
     * one raises it by 1/limit (not above max_hashing + max_waiting): a slow
     * disk or a loaded machine (the writes, not Argon2id, being the queue)
     * keeps fewer logins in flight, and their wait bounded. */
    int logins;
    double login_limit;
    int64_t login_us;
    char dummy_hash[SECRET_PWHASH_STR_BYTES];   /* verified for unknown identifiers */
    uint8_t altcha_key[32];
    int reissues_per_day;                         /* code reissues a voter may ask for */
    int64_t network_failures;          /* failed logins (or codes) per network and window */
    const char *authority_url;         /* the credential authority's service; NULL: none */
    struct signer *signer;             /* signs stored reissue requests (the audit key) */
    struct access_queue *queue;        /* the rush's calendar (ticket.c), under hash_lock */
} access_ctx;

/* The admission's figures now (for /metrics): hashes running and callers
 * waiting, the hashes started and the callers refused so far, a hash's
 * estimated cost. */
typedef struct {
    int hashing, waiting;
    uint64_t hashes, refused;
    int64_t hash_us;
    int logins, login_limit;           /* logins under way, and how many may be */
    int64_t login_us;                  /* a whole login's duration (moving average) */
} access_admission;
void access_admission_get(access_ctx *a, access_admission *out);

/* -1 if the Argon2id parameters cannot run here (memory). */
/* keys: the signer's derived keys (signer/signer.h), copied. */
struct signer_keys;
int access_init(access_ctx *a, store *s, const struct signer_keys *keys,
                const access_wordlist *w, const mail_ctx *mail, int max_hashing);
void access_destroy(access_ctx *a);

/* The policy (NIST SP 800-63B): length, common list, repetitions and
 * keyboard walks, and nothing built on the context: a NULL-terminated list of
 * the account's words, its identifier first (the voter's number, then her
 * addresses, names, postal address, the organiser's and election's names; a
 * staff member's login, then the issuer). The password must not contain the
 * identifier, a field with digits, an address or its local part, and must
 * reach ACCESS_PASSWORD_MIN_BITS in zxcvbn's estimate with every context word
 * and piece of one (address labels, words of names) as its user dictionary.
 * ACCESS_E_PASSWORD_IDENTIFIER: built on the context; _PATTERN: repetitions,
 * sequences, keyboard walks; _COMMON: common words, passwords, dates. */
MUST_CHECK
access_error access_password_check(const access_ctx *a, const char *password,
                                   const char *const *context);
/* The défi menu and the normal form of answers (case, accents, spaces). A
 * question has an id (0 to ACCESS_DEFI_MAX - 1, stored with the account);
 * the menu offers access_defi_count() of them, the i-th being
 * access_defi_id(i). Without configuration, the built-in menu, which no
 * longer offers a question anyone can look up (birth town, id 1). The
 * configuration's defi_questions replace the menu: set once at start,
 * before any thread (-1: an id out of range or twice, an empty text). An id
 * no longer offered keeps its text (built-in) for the accounts that chose
 * it; access_defi_question is NULL for an id no one knows. */
#define ACCESS_DEFI_TEXT_CHARS 201
typedef struct {
    int id;
    char fr[ACCESS_DEFI_TEXT_CHARS], en[ACCESS_DEFI_TEXT_CHARS];
} access_defi_entry;
int access_defi_configure(const access_defi_entry *list, size_t n);
size_t access_defi_count(void);
int access_defi_id(size_t i);
int access_defi_offered(int id);
const char *access_defi_question(size_t id, const char *lang);
/* 0 and the normal form in out (at most outlen), or -1 if empty/invalid. */
int access_defi_normalize(char *out, size_t outlen, const char *answer);

/* Issue one link (purpose STORE_LINK_*) for a voter, mailed to one address or,
 * with address NULL, to each of the voter's addresses. Inside a write job. */
int access_link_issue_tx(store_tx *tx, const access_ctx *a, int64_t voter, int purpose,
                         const char *address, int64_t now, char token_out[ACCESS_TOKEN_CHARS + 1]);
/* Send activation links to every active voter not yet activated (at opening). */
int access_send_activations(access_ctx *a, int64_t now, uint64_t *sent);
/* "Link not received" and "password reassort": a new link to that address if it
 * belongs to a voter. The answer is the same either way. Whatever was asked, an
 * account that has a password gets a password link (which never touches the
 * défi), one that has none an activation link. A new link leaves the voter's
 * earlier unused links valid (at most ACCESS_LINKS_LIVE live; past that the
 * oldest is voided); following one voids the others. Each address string,
 * registered or not, gets at most ACCESS_LINKS_PER_ADDRESS requests an hour:
 * past that, ACCESS_E_LINK_RATE with retry_after (the end of the hour), for
 * every address alike, so that it tells nothing about registration; each
 * network at most ACCESS_LINKS_PER_NETWORK (ACCESS_E_THROTTLED). */
#define ACCESS_LINKS_PER_ADDRESS 3
#define ACCESS_LINKS_PER_NETWORK 30
#define ACCESS_LINKS_LIVE 8
int access_request_link(access_ctx *a, const char *identifier, int purpose, const char *client,
                        int64_t now, access_result *res);
/* Follow an activation link: password, défi question and answer; refused
 * (LINK_INVALID) once the account has a défi, so the mailbox alone never sets
 * one over another. Following a link proves the mailbox: the account's login
 * throttle is cleared and, if session_out is not NULL, the voter is logged in
 * (a new session token). */
int access_activate(access_ctx *a, const char *token, const char *password, int question,
                    const char *answer, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                    access_result *res);
/* Follow a password-reassort link: a new password; every other session of the
 * voter ends (session_out as for access_activate). */
int access_reset_password(access_ctx *a, const char *token, const char *password, int64_t now,
                          char session_out[ACCESS_TOKEN_CHARS + 1], access_result *res);

/* What a link's page says before its form is filled (reads only, audits
 * nothing): a link for another purpose or altered is UNKNOWN; an activation
 * link of an account that has its défi is ACTIVATED; expires_out (may be
 * NULL) the link's expiry. Whoever holds a live token learns no more than
 * what following it would tell. */
typedef enum {
    ACCESS_LINK_LIVE = 0,
    ACCESS_LINK_UNKNOWN,
    ACCESS_LINK_USED,            /* it served */
    ACCESS_LINK_REPLACED,        /* voided: another of the voter's links served, or newer ones */
    ACCESS_LINK_EXPIRED,
    ACCESS_LINK_ACTIVATED        /* an activation link of an activated account */
} access_link_state;
int access_link_check(access_ctx *a, const char *token, int purpose, int64_t now,
                      access_link_state *state, int64_t *expires_out);
/* Login: a session token (the cookie value) on success. */
int access_login(access_ctx *a, const char *identifier, const char *password, const char *client,
                 int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1], access_result *res);
/* A session for a voter whose identity was proven elsewhere, inside a write
 * job: for load tests that must not measure Argon2id. No endpoint calls it. */
int access_session_open_tx(store_tx *tx, const access_ctx *a, int64_t voter, int64_t now,
                           char session_out[ACCESS_TOKEN_CHARS + 1]);
/* The voter of a valid session (touching it), or ACCESS_REFUSED/ACCESS_E_SESSION. */
int access_session(access_ctx *a, const char *session, int64_t now, int64_t *voter,
                   access_result *res);
int access_logout(access_ctx *a, const char *session);
/* The account page: number, addresses, défi question (-1 before activation),
 * language, and the scrutins the voter is called to, by id, with whether they
 * voted in each (never how). access_account_free releases what it holds. */
#define ACCESS_SCRUTIN_CHARS 64         /* STORE_SCRUTIN_CHARS */
#define ACCESS_NUMBER_CHARS 32          /* STORE_NUMBER_CHARS */
typedef struct {
    char id[ACCESS_SCRUTIN_CHARS + 1];
    int voted;
} access_account_scrutin;
typedef struct {
    char number[ACCESS_NUMBER_CHARS + 1];
    int defi_question;
    char lang[3];
    char **emails;
    size_t nemails;
    access_account_scrutin *scrutins;
    size_t nscrutins;
} access_account_info;
int access_account(access_ctx *a, int64_t voter, access_account_info *out);
void access_account_free(access_account_info *acct);
/* The voter's own history, for the account page: what the audit log says of
 * the account, oldest first, dated (Unix seconds, UTC). A vote is its
 * scrutin and date only: the log holds no tracker or choice, nor does this. */
typedef enum {
    ACCESS_HISTORY_LINK_SENT,        /* .activation, .one_address, .by_support */
    ACCESS_HISTORY_ACTIVATED,        /* password and défi set by an activation link */
    ACCESS_HISTORY_PASSWORD_RESET,   /* a new password by a password link */
    ACCESS_HISTORY_PASSWORD_CHANGED, /* on the account page */
    ACCESS_HISTORY_DEFI_CHANGED,     /* on the account page */
    ACCESS_HISTORY_DEFI_RESET,       /* by the support cell */
    ACCESS_HISTORY_UNLOCKED,         /* by the support cell */
    ACCESS_HISTORY_LOCKED,           /* .lock: what was locked after wrong attempts */
    ACCESS_HISTORY_CODE_REQUESTED,   /* a new vote code asked for (.by_support) */
    ACCESS_HISTORY_CODE_REISSUED,    /* mailed by the credential authority to the
                                      * addresses of its own copy of the list */
    ACCESS_HISTORY_VOTED             /* .scrutin */
} access_history_kind;
typedef enum { ACCESS_LOCK_ACCOUNT, ACCESS_LOCK_DEFI, ACCESS_LOCK_CODE } access_lock_kind;
typedef struct {
    int64_t time;
    access_history_kind kind;
    int activation, one_address, by_support;
    access_lock_kind lock;
    char scrutin[ACCESS_SCRUTIN_CHARS + 1];
} access_history_event;
typedef struct {
    access_history_event *events;
    size_t n, room;
} access_history;
int access_history_read(access_ctx *a, int64_t voter, access_history *out);
void access_history_free(access_history *h);
/* Who asks for an account page operation: the session it comes from (kept
 * when the others end; NULL: none kept) and the client address (throttles). */
typedef struct {
    const char *session;
    const char *client;
} access_caller;
/* Account page operations, for the voter of a valid session. A change of the
 * password needs the current one; a change of the défi needs the current
 * password AND the current défi answer (current_answer; ignored when the
 * account has no défi, after the support cell reset it). The password counts
 * against the login throttles, the answer against the défi's, both before
 * any hash runs. On success every other session of the voter ends. */
int access_change_password(access_ctx *a, int64_t voter, const access_caller *who,
                           const char *current, const char *password, int64_t now,
                           access_result *res);
int access_change_defi(access_ctx *a, int64_t voter, const access_caller *who,
                       const char *password, const char *current_answer, int question,
                       const char *answer, int64_t now, access_result *res);

/* Vote codes. A reissue sends a signed request to the credential authority's
 * service (authority_url), which makes the new code, mails it itself to the
 * addresses of its own roster, and answers a signed reissue record; once the
 * record is applied the old credentials are revoked (refused at once) and
 * code entry is unlocked. The request is kept until its record is applied and
 * sent again, unchanged, at the voter's next attempt (ACCESS_E_REISSUE_PENDING
 * meanwhile). Without authority_url: ACCESS_E_REISSUE_UNAVAILABLE; the server
 * never makes a code. From the voter (défi answer, throttled like passwords:
 * ACCESS_DEFI_*; at most ACCESS_REISSUE_PER_DAY a day) or the support cell
 * (reason; support.h); only while the vote is open and inside its window
 * (else REISSUE_WINDOW). */
#define ACCESS_REISSUE_PER_DAY 3
int access_code_reissue(access_ctx *a, int64_t voter, const char *defi_answer,
                        const char *client, int64_t now, access_result *res);
int access_code_reissue_support(access_ctx *a, int64_t voter, const char *actor,
                                const char *reason, int64_t now, access_result *res);
/* The check a cast makes, before any proof: Hb(auth-bind; auth, pub) equals,
 * in constant time, the binding stored for (voter, scrutin); so a code casts
 * only from its own voter's account. Throttled as wrong codes. */
MUST_CHECK
int access_auth_check(access_ctx *a, int64_t voter, const char *scrutin, const uint8_t auth[32],
                      const uint8_t pub[32], const char *client, int64_t now,
                      access_result *res);
/* access_auth_check in two halves, for a cast that reads its own facts and
 * these in one transaction: access_auth_read inside that read (the voter's
 * number and whether struck, as the caller read them: the binding, the wrong
 * codes' throttles), then access_auth_decide with the ballot's credential
 * (the comparison, and the write of a wrong or first right code). Together
 * they are access_auth_check: the same reads, checks, writes and answers. */
typedef struct {
    int64_t voter, now;
    char number[33];                   /* STORE_NUMBER_CHARS + 1 */
    int struck, has_bind, had_failures, ok;
    uint8_t bind[32];
    char key[96], net_key[96];         /* THROTTLE_KEY_CHARS */
    access_result res;                 /* the throttles' verdict */
} access_auth;
MUST_CHECK
int access_auth_read(store_tx *tx, const access_ctx *a, int64_t voter, const char *number,
                     int struck, const char *scrutin, const char *client, int64_t now,
                     access_auth *out);
MUST_CHECK
int access_auth_decide(access_ctx *a, access_auth *st, const uint8_t auth[32],
                       const uint8_t pub[32], access_result *res);

/* A fresh ALTCHA challenge; and the check of a solved one, accepted once. */
json_t *access_challenge(const access_ctx *a, int64_t now);
int access_challenge_use(access_ctx *a, const char *payload, int64_t now, access_result *res);

/* The client network a throttle counts against: IPv4 /24, IPv6 /56. A
 * network may fail ACCESS_NETWORK_FAILURES logins (or vote codes) in each
 * window of ACCESS_NETWORK_WINDOW seconds (config: limits.failures_per_network);
 * past that it is refused until the window ends. Windows, not a count for
 * ever: a workplace behind one address must never add its typos up to a lock. */
#define ACCESS_NETWORK_FAILURES 100
#define ACCESS_NETWORK_WINDOW 600
/* Défi answers (guard.c): per account, delays (1 s, 2 s ... 15 min) from the
 * ACCESS_DEFI_SOFT-th wrong answer and a lock of ACCESS_DEFI_LOCK_S at the
 * ACCESS_DEFI_LOCK_AFTER-th, lifted by the support cell; per network, the
 * same window as logins (a count of its own). Each answer is counted before
 * its Argon2id runs. */
#define ACCESS_DEFI_SOFT 3
#define ACCESS_DEFI_LOCK_AFTER 10
#define ACCESS_DEFI_LOCK_S (24 * 3600)
void access_client_network(char out[64], const char *client);

/* The opening rush's calendar (ticket.c). A login refused BUSY for want of
 * room is booked a place: a time, at the rate logins are being served, after
 * every place booked before it; its Retry-After says when, and a retry
 * ticket (base64url, ACCESS_TICKET_CHARS) proves the place. Shown again with
 * the same identifier from 1 s before its time for 30 s, the ticket admits
 * once, before fresh arrivals (which only get the room the due holders
 * leave) and above the adaptive limit, up to the hard one. Early, it is
 * given back unchanged with the time left. One live place per identifier:
 * a refusal without (a valid) ticket gets the identifier's place again.
 * Places nobody came for stop holding room 5 s after their time. A ticket
 * from another identifier, another start of the writer (a random key and
 * epoch each), used, altered or expired counts as none. Nothing is stored
 * or logged; a ticket holds no voter id, and unknown identifiers get places
 * the same way (admission runs before any look-up). */
#define ACCESS_TICKET_CHARS 66
typedef struct {
    char ticket[ACCESS_TICKET_CHARS + 1];   /* BUSY: the place's ticket ("" if none) */
    int64_t position;                       /* BUSY: 1 = next; the live places ahead + 1 */
    uint64_t taken;                         /* the place this login was admitted on */
} access_login_place;
typedef struct access_queue access_queue;
/* access_login with the ticket the client sent back (NULL or "": none);
 * place filled when BUSY (cleared otherwise). */
int access_login_queued(access_ctx *a, const char *identifier, const char *password,
                        const char *client, int64_t now, const char *ticket,
                        access_login_place *place, char session_out[ACCESS_TOKEN_CHARS + 1],
                        access_result *res);
/* /metrics: places booked, admitted, released unused (no-shows), live in
 * the calendar, due now (holding room), and the login rate measured. */
typedef struct {
    uint64_t booked, admitted, noshow;
    int64_t live, due;
    double rate;
} access_queue_figures;
void access_queue_get(access_ctx *a, access_queue_figures *out);

#endif
