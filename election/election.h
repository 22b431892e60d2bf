/*
 * election.h - election/, the election as the officer runs it: its lifecycle
 * and the officers' operations (here); the definition (definition.h); the
 * electoral list, its CSV import and its check against the HR file
 * (voters.h); the credential authority's files, its reissue records and the
 * daemon's requests to votecad (credentials.h); the key ceremony and the
 * seals (ceremony.h); the digest of the software the seals cover
 * (software.h); the demo's server-made key and codes (demo.h).
 *
 * draft -> keys-ready -> open -> closed -> tallied -> published -> purged.
 * Every operation is one write job: it checks its preconditions, changes the
 * store, and appends its audit entry (and a signed checkpoint) in the same
 * transaction, or changes nothing. Operations return ELECTION_OK,
 * ELECTION_REFUSED (ctx->msg says why, for the officer), or a negative store
 * error.
 */
#ifndef VOTESRV_ELECTION_H
#define VOTESRV_ELECTION_H

#include <stdint.h>
#include "definition.h"
#include "store/store.h"
#include "voters.h"

#define ELECTION_OK 0
#define ELECTION_REFUSED 1
#define ELECTION_MSG_CHARS 400
#define ELECTION_REASON_MAX 500

/* Why an operation was refused, for a page to say it in the reader's
 * language (msg stays the English detail, for the tools and the logs). */
typedef enum {
    ELECTION_WHY_OTHER = 0,     /* msg only */
    ELECTION_WHY_STATE,         /* not in a state where this operation applies */
    ELECTION_WHY_TOO_EARLY,     /* closing before the end of the voting window */
    ELECTION_WHY_SEALS,         /* the bureau's seals over the state are missing */
    ELECTION_WHY_SUSPENDED,     /* already suspended */
    ELECTION_WHY_NOT_SUSPENDED,
    ELECTION_WHY_REASON,        /* a reason is missing or too long */
    ELECTION_WHY_NOTICE,        /* the notice shown to voters is empty or too long */
    ELECTION_WHY_COUNTED,       /* the ballots are already counted */
    ELECTION_WHY_ALARM          /* the count found a difference and stopped (msg: where) */
} election_why;

typedef struct election_ctx {
    const char *role, *actor;   /* who acts, e.g. "officer", "dupont" */
    const char *reason;         /* required by amendments, suspension, test wipe */
    int64_t now;                /* Unix seconds, the server's clock */
    char msg[ELECTION_MSG_CHARS];
    const char *assets;         /* the portal's static files, which seals cover; NULL: none */
    election_why why;           /* with ELECTION_REFUSED */
} election_ctx;

typedef struct {
    char eid[STORE_EID_CHARS + 1];
    char state[STORE_STATE_CHARS + 1];
    int test_mode, suspended, has_public_key;
    char notice[STORE_NOTICE_CHARS + 1];
    uint8_t fingerprint[32];
    uint64_t voters, struck, without_auth, credentials, ballots, signatures, audit_entries;
    uint64_t reissues;          /* the authority's reissue records applied */
    uint64_t suspensions, alarms;   /* suspensions and count alarms, in the audit log */
} election_status;

typedef void (*election_progress)(uint64_t done, uint64_t total, void *arg);

/* Fill c->msg and return ELECTION_REFUSED: for every operation on the election.
 * election_refuse_why also says why (c->why), election_refuse leaves it OTHER. */
int election_refuse(election_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int election_refuse_why(election_ctx *c, election_why why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int election_create(store *s, election_ctx *c, const def_election *d,
                    const uint8_t audit_pk[32]);
/* The stored definition, parsed (def_free it). */
int election_definition(store *s, def_election *d, char *err, size_t errlen);
int election_status_get(store *s, election_status *st);
/* The election's state alone ("setup", "open"...: one row, no counting), for
 * a health check that must stay cheap while the box is written (i25 rush). */
int election_state_get(store *s, char state[STORE_STATE_CHARS + 1]);
/* The joint public key (-1 if none yet). */
int election_status_key(store *s, uint8_t pk[32]);

int election_import_voters(store *s, election_ctx *c, const voter_list *list,
                           const voters_diff *diff, election_progress progress, void *arg);
/* The list streamed from a CSV file (voters_stream_open), replacing the
 * stored one in one transaction as its chunks come (the progress's total is
 * 0: not known); *diff says what changed. A file with any error changes
 * nothing: ELECTION_REFUSED, voters_stream_errors says why. dry_run: the
 * diff only, nothing written (the election's state is not checked). */
int election_import_stream(store *s, election_ctx *c, voters_stream *st, int dry_run,
                           voters_diff *diff, election_progress progress, void *arg);
int election_amend_add(store *s, election_ctx *c, const voter_list *list);
int election_amend_strike(store *s, election_ctx *c, const char *number);

int election_set_public_key(store *s, election_ctx *c, const uint8_t pk[32]);
int election_open(store *s, election_ctx *c);
int election_close(store *s, election_ctx *c);
int election_suspend(store *s, election_ctx *c, const char *notice);
int election_resume(store *s, election_ctx *c);
int election_test_start(store *s, election_ctx *c);
int election_test_end(store *s, election_ctx *c);
/* tallied -> published: the results and the official reports are final. */
int election_publish(store *s, election_ctx *c);
int election_purge(store *s, election_ctx *c);
int election_audit_checkpoint(store *s, election_ctx *c);
/* ELECTION_OK once no ballot can come any more (not yet open, or the window
 * has ended, or closed and after); ELECTION_REFUSED while the election is
 * open (suspended too) before the end of its window, c->msg saying until when. */
int election_voting_over(store *s, election_ctx *c);
/* Within the count's write job: closed -> tallied, details in the audit entry. */
int election_tallied_tx(store_tx *tx, election_ctx *c, json_t *details);

/* Room in the ballot box for every scrutin of d, in d's order, before any
 * ballot (store_box_reserve: a slot per eligible voter and slack, each as
 * large as the scrutin's largest ballot, room[i] bytes for scrutin i as
 * election_box_room computes them; NULL: computed here). At the opening, and
 * again, to no effect, before each cast. */
void election_box_room(const def_election *d, size_t room[DEF_MAX_SCRUTINS]);
int election_box_reserve(store_tx *tx, const def_election *d, const size_t *room);

#endif
