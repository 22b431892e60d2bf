/*
 * box.h - box/, the ballot box: casting (cast.c), receipts and the box digest
 * (receipt.c), the public bulletin board and tracker lookups (board.c), the
 * officers' turnout from the signature list (turnout.c), and the public
 * archive (archive.c).
 *
 * A cast needs the voter's session (the caller checks it), the authenticator
 * derived from their vote code, a ballot that is well formed, valid (every
 * proof and the credential's signature) and signed by a public credential of
 * the list not yet used in this scrutin, no ciphertext or ballot already in the
 * box, an eligible voter who has not voted in this scrutin, and an open,
 * unsuspended vote within its window. Then one transaction marks the signature
 * list and stores the ballot (both files commit atomically), updates the box's
 * order-free digest, audits the cast (voter number and scrutin, never the
 * tracker) and queues an acknowledgement mail. The receipt is signed by the
 * server over the tracker and the box's state after the insertion.
 */
#ifndef VOTESRV_BOX_H
#define VOTESRV_BOX_H

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <jansson.h>
#include "access/access.h"
#include "ballot/ballot_json.h"
#include "mail/mail.h"
#include "store/store.h"

#define BOX_OK 0
#define BOX_REFUSED 1
#define BOX_RETRY 2           /* the election moved while the archive was written */
#define BOX_PAGE_MAX 500

typedef enum {
    BOX_E_NONE = 0,
    BOX_E_NOT_OPEN,          /* not open, or outside the voting window */
    BOX_E_SUSPENDED,
    BOX_E_UNKNOWN_SCRUTIN,
    BOX_E_NOT_ELIGIBLE,      /* "you do not meet the criteria of this scrutin" */
    BOX_E_ALREADY_VOTED,
    BOX_E_BALLOT,            /* malformed: err_field says where */
    BOX_E_INVALID,           /* a proof or the signature does not verify */
    BOX_E_CREDENTIAL,        /* not in the published list */
    BOX_E_CREDENTIAL_USED,
    BOX_E_CREDENTIAL_REVOKED, /* replaced by a reissued code (the authority's record) */
    BOX_E_COPY,              /* a ballot or ciphertext already in the box */
    BOX_E_ACCESS             /* the authenticator was refused: see access */
} box_error;

typedef struct {
    box_error code;
    char field[32];
    access_result access;
} box_result;

typedef struct {
    uint8_t tracker[BALLOT_TRACKER_BYTES];
    char tracker_text[BALLOT_TRACKER_CHARS + 1];
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    uint64_t count;                   /* ballots in this scrutin after the insertion */
    uint8_t digest[32];               /* the box digest after the insertion */
    uint8_t fp[32];
    uint8_t signature[64];
    /* "déjà enregistré": the same ballot sent again by its voter (box_cast);
     * count and digest are then the box's state when it was sent again, not
     * right after its insertion, and the signed message has its own label */
    int already_recorded;
} box_receipt;

typedef struct {
    store *store;
    access_ctx *access;
    const mail_ctx *mail;
    struct signer *signer;            /* signs receipts with the audit key (signer/) */
    pthread_mutex_t lock;             /* guards the cached election key and definition */
    int have_pk;
    elgamal_pk pk;
    struct box_def *def;              /* the definition last parsed for a cast, with its
                                       * text (cast.c; shared by the casts, refcounted) */
    pthread_mutex_t archive_lock;     /* guards the archive made at the close */
    int archive_fd;
    uint64_t archive_size;
    char archive_state[STORE_STATE_CHARS + 1];   /* the state it was made in */
    /* The board publishes the box in batches (board.c): at the first request
     * of each period of batch_seconds, every ballot then in the box; until
     * the next, nothing more. 0: every ballot at once (box_init's default;
     * the daemon takes board_batch_seconds from its configuration). */
    int64_t batch_seconds;
    int64_t (*clock)(void);           /* NULL: time() */
    pthread_mutex_t board_lock;       /* guards what follows */
    int64_t board_epoch;              /* the period last published; -1: none */
    uint8_t (*published)[BALLOT_TRACKER_BYTES];   /* its trackers, sorted */
    size_t npublished;
} box_ctx;

struct def_election;                  /* election/definition.h */

/* May this voter cast in this scrutin now? The one answer: box_cast asks it
 * on its read and again in its write; the vote page and the voting space ask
 * it to show the form or say why not. The voter's own facts come first (the
 * scrutin, their eligibility, their vote), then the election's (its state,
 * the window, a suspension). */
typedef enum {
    BOX_CAST_ALLOWED = 0,
    BOX_CAST_UNKNOWN_SCRUTIN,
    BOX_CAST_NOT_ELIGIBLE,       /* not on the scrutin's list, or struck */
    BOX_CAST_ALREADY_VOTED,
    BOX_CAST_NOT_OPEN,           /* the election is not open yet */
    BOX_CAST_CLOSED,             /* closed (votectl close), or later */
    BOX_CAST_NOT_STARTED,        /* open, before the window */
    BOX_CAST_ENDED,              /* open, but the window has ended */
    BOX_CAST_SUSPENDED
} box_cast_verdict;

typedef struct {
    const char *state;           /* the election's */
    int suspended;
    int64_t opens, closes;       /* the voting window: opens <= now < closes */
    int known;                   /* the election has the scrutin */
    int eligible;                /* the voter is on its list and not struck */
    int voted;                   /* the voter is in its signature list */
} box_cast_facts;

/* The decision, from the facts alone. */
box_cast_verdict box_cast_allowed(const box_cast_facts *f, int64_t now);
/* A verdict as box_cast's refusal: every reason the election gives but the
 * suspension is BOX_E_NOT_OPEN. */
box_error box_cast_error(box_cast_verdict verdict);
/* The facts in one read of the store (d: the election's definition), then
 * the decision. */
MUST_CHECK int box_cast_check(store *s, const struct def_election *d, int64_t voter,
                   const char *scrutin, int64_t now, box_cast_verdict *out);

/* g: the signer of receipts (NULL: box_cast refuses to make one). */
void box_init(box_ctx *b, store *s, access_ctx *a, const mail_ctx *m, struct signer *g);
void box_destroy(box_ctx *b);

/* A voter who has voted and sends the same ballot again (its canonical form
 * is the one the box holds under its tracker in this scrutin, and the
 * authenticator binds her to its credential) gets a fresh receipt over the
 * box's current state, already_recorded set: nothing is written (no ballot,
 * no audit entry, no mail). Any other ballot of hers: BOX_E_ALREADY_VOTED.
 * Only while the box takes ballots: suspended, ended or closed, a cast's
 * refusal (BOX_E_SUSPENDED, BOX_E_NOT_OPEN) and nothing signed. */
/* The ballot comes as the network-facing worker read it (docs/protocol.md
 * section 18.1): field, what ballot_from_json_shape found at fault in its
 * JSON (BALLOT_FIELD_NONE: nothing); fp, the "election" it claims (zero when
 * not read); wire, its ballot_wire_encode bytes (field NONE; at RANGE or
 * SIGNATURE their head, ballot_wire_take). Nothing of it
 * is taken on trust: the fingerprint is compared with the election's, the
 * wire checked against this scrutin's own id, k, min and max
 * (ballot_wire_check), and the canonical bytes and tracker computed here.
 * A fault is BOX_E_BALLOT naming the field ballot_from_json would name. */
typedef struct {
    int field;
    const uint8_t *fp;               /* BALLOT_FP_BYTES */
    const uint8_t *wire;
    size_t len;
} box_ballot_in;

int box_cast(box_ctx *b, int64_t voter, const char *scrutin, const uint8_t auth[32],
             const box_ballot_in *in, const char *client, int64_t now, box_receipt *out,
             box_result *res);

/* The receipt's signed message: Hb("votesrv/v1/receipt"; fp, scrutin, tracker,
 * le64(count), digest); for a receipt already_recorded, the same fields under
 * the label "votesrv/v1/receipt-again". */
void box_receipt_message(uint8_t out[32], const box_receipt *r);
MUST_CHECK
int box_receipt_verify(const box_receipt *r, const uint8_t server_pk[32]);
json_t *box_receipt_json(const box_receipt *r);
/* The box digest's step: the digest plus the group element of a tracker. */
int box_digest_add(uint8_t digest[32], const uint8_t tracker[BALLOT_TRACKER_BYTES]);

/* Bulletin board: a page of a scrutin's published ballots by tracker, at
 * most limit after the tracker after (NULL: from the start; STORE_ENOTFOUND
 * for an unknown scrutin; box_page_free releases it); a tracker lookup, which
 * finds every ballot in the box and says whether it is published yet
 * ("published", and "next_batch", the Unix time of the next batch, when it
 * is not). */
typedef struct {
    uint8_t tracker[BALLOT_TRACKER_BYTES];
    char *ballot;                     /* as stored: canonical JSON */
} box_board_entry;
typedef struct {
    box_board_entry *ballots;
    size_t n;
    int more;                         /* the page is full: the next starts after the last */
} box_board_page;
int box_page(box_ctx *b, const char *scrutin, const uint8_t *after, int limit,
             box_board_page *out);
void box_page_free(box_board_page *p);
/* The board's list: trackers alone, the same published ones by tracker
 * (never by arrival), at most limit after `from` (NULL: from the first), or
 * with before set the limit ones just before `from` (NULL: the last ones),
 * always listed in tracker order; more says whether a page further on in
 * that direction has any (STORE_ENOTFOUND for an unknown scrutin). */
#define BOX_TRACKERS_MAX 200
typedef struct {
    uint8_t trackers[BOX_TRACKERS_MAX][BALLOT_TRACKER_BYTES];
    size_t n;
    int more;
} box_tracker_page;
int box_trackers(box_ctx *b, const char *scrutin, const uint8_t *from, int before, int limit,
                 box_tracker_page *out);
typedef struct {
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    char *ballot;                     /* as stored: canonical JSON */
    uint64_t count;                   /* the box of its scrutin: ballots, */
    uint8_t digest[32];               /* and digest */
    int published;
    int64_t next_batch;               /* when not published yet */
} box_found;
int box_lookup(box_ctx *b, const uint8_t tracker[BALLOT_TRACKER_BYTES], box_found *out);
void box_found_free(box_found *f);

/* Officers' turnout, from the signature list: per scrutin (by id) and per
 * establishment in it, the voters who signed and those registered; and over
 * time, the émargements of each hour since the vote opened (hours without one
 * left out), counted from the audit log's casts: counts per hour only, which
 * order no ballot (docs/threat-model.md). Read with it, the accounts
 * activated per establishment. box_turnout_free releases what it holds. */
typedef struct {
    char *establishment;
    uint64_t signatures, registered;
} box_turnout_row;
typedef struct {
    int64_t start;                    /* the hour's first second, Unix time */
    uint64_t signatures;
} box_turnout_hour;
typedef struct {
    char id[STORE_SCRUTIN_CHARS + 1];
    uint64_t signatures, registered;
    box_turnout_row *establishments;
    size_t nestablishments;
    box_turnout_hour *hours;          /* in order */
    size_t nhours;
} box_turnout_scrutin;
#define BOX_TURNOUT_SCRUTINS 32       /* DEF_MAX_SCRUTINS */
typedef struct {
    box_turnout_row *establishments;  /* signatures: the accounts activated (a password set) */
    size_t nestablishments;
    uint64_t activated, registered;
} box_turnout_accounts;
typedef struct {
    box_turnout_scrutin scrutins[BOX_TURNOUT_SCRUTINS];
    size_t nscrutins;
    box_turnout_accounts accounts;
} box_turnout_info;
int box_turnout(store *s, box_turnout_info *out);
void box_turnout_free(box_turnout_info *t);
/* The public archive (archive.c, docs/protocol.md §14): election, board of
 * every scrutin by tracker, signature counts, box digests, credentials, the
 * bureau's documents and the count, audit checkpoints, and the end line signed
 * by g (signer_archive_end; NULL: STORE_EIO); JSON Lines to out. BOX_RETRY if
 * the signer read another state or other checkpoints than the archive holds
 * (out is then incomplete: write it again). */
int box_archive_write(store *s, struct signer *g, FILE *out);
/* Once the vote is over: a descriptor of the archive (the caller closes it),
 * made on first use in an unlinked temporary file and kept while the state
 * stays the same (the box no longer changes; the count adds documents).
 * BOX_REFUSED while voting is possible (the board is paged). */
int box_archive_fd(box_ctx *b, int *fd, uint64_t *size);
/* Whether box_archive_fd would give the archive now (STORE_OK) or not yet
 * (BOX_REFUSED), without making it. */
int box_archive_ready(box_ctx *b);

#endif
