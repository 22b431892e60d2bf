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

/* A voter as a search finds them (email NULL when they have no address). */
typedef struct {
    char *number, *surname, *given_names, *email, *establishment;
} support_card;
typedef struct {
    support_card cards[SUPPORT_RESULTS_MAX];
    size_t n;
} support_cards;
/* Voters matching a number, an address or the start of a surname, at most
 * SUPPORT_RESULTS_MAX. ACCESS_REFUSED for an empty or oversized query.
 * support_cards_free releases what out holds, whatever the result. */
int support_find(access_ctx *a, const char *query, support_cards *out);
void support_cards_free(support_cards *c);
/* Where one voter stands: never a secret, nor which défi question is theirs.
 * support_voter_free releases what out holds, whatever the result. */
typedef struct {
    support_card card;                  /* card.email unused: see emails */
    char **emails;
    size_t nemails;
    access_account_scrutin *scrutins;   /* the scrutins they are called to */
    size_t nscrutins;
    int struck, activated, defi_set, code_set;
    int64_t login_locked_until, code_locked_until, defi_locked_until;   /* 0: not locked */
    int code_window;                    /* a new vote code can be asked now: the vote is
                                         * open, in its window, with an authority */
    uint64_t mail_waiting;              /* messages to their addresses not yet handed to
                                         * the relay (delivered ones are erased: none
                                         * names its recipient any more) */
} support_voter;
int support_status(access_ctx *a, const char *number, int64_t now, support_voter *out);
void support_voter_free(support_voter *v);
int support_act(access_ctx *a, const char *number, support_action action, const char *agent,
                const char *reason, int64_t now, access_result *res);

/* The actions that apply to a voter where they stand (a bit per action,
 * 1 << SUPPORT_*): none for a voter struck off; a new link if they have an
 * address; a défi reset once one is set; a new vote code while a scrutin
 * they are called to has no signature of theirs and code_window holds;
 * unlocking while a lock holds. support_act does not ask this: what it refuses, it refuses itself. */
unsigned support_actions_useful(const support_voter *v);

/* A voter's history as the support cell sees it, newest first, from the
 * audit log: links sent and used, passwords and défis set, locks, support
 * actions with their agent and reason, vote-code requests. Never a secret,
 * a tracker or a ballot: casts are not in it (the signature list says
 * where they voted). A number nobody has gets an empty history
 * (support_status is what says it is unknown). */
#define SUPPORT_HISTORY_MAX 50
typedef struct {
    uint64_t seq;
    char time[32];                      /* RFC 3339, UTC */
    char event[32];                     /* the audit event */
    char agent[STORE_LOGIN_CHARS + 1];  /* "" unless a support agent acted */
    char reason[SUPPORT_REASON_MAX + 1];
    char detail[32];                    /* link-sent: "activation" or "password";
                                         * link-refused: why */
} support_event;
typedef struct {
    char number[STORE_NUMBER_CHARS + 1]; /* whose (an unknown number has none) */
    support_event ev[SUPPORT_HISTORY_MAX];
    size_t n;
    int more;                           /* older entries were left out */
} support_history;
int support_history_get(access_ctx *a, const char *number, support_history *out);

#endif
