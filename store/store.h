/*
 * store.h - the election's storage: every record votesrv keeps, read and
 * written through the operations below, store_<record>_<verb>, each given the
 * transaction of a job.
 *
 * What it keeps, in two parts kept apart (CNIL separation):
 * - the registry: the election, the electoral list and the voters' access
 *   (accounts, links, sessions, throttles), credential bindings and reissue
 *   requests, the signature list, staff accounts, the mail outbox, the
 *   public documents and the audit log;
 * - the ballot box: public credentials and encrypted ballots only, keyed by
 *   hash (no voter id, no timestamp, no insertion order).
 * Either two SQLite files (the default) or two schemas of one PostgreSQL
 * database (store_config.postgresql); the operations are the same on both.
 *
 * How: a write is a job (store_write) run on the store's single writer
 * thread. Jobs queued together share one transaction and one durable commit
 * (group commit); each job runs in its own savepoint, so a job that fails
 * changes nothing and does not disturb the others. store_write() returns only
 * after the commit is on disk. A read is a job too (store_read), run on a
 * pool of read-only connections. store_audit_export copies the audit log out
 * into a file of its own, whatever the backend.
 *
 * Return values: STORE_OK, a negative STORE_E* code, or a job's own positive
 * code passed through unchanged.
 */
#ifndef VOTESRV_STORE_H
#define VOTESRV_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_OK 0
#define STORE_EIO (-1)        /* storage failure (disk full, read-only, corrupt) */
#define STORE_ENOTFOUND (-2)
#define STORE_ECONFLICT (-3)  /* a uniqueness constraint */
#define STORE_ENOMEM (-4)

#define STORE_EID_CHARS 36
#define STORE_STATE_CHARS 15
#define STORE_NUMBER_CHARS 32
#define STORE_SCRUTIN_CHARS 64
#define STORE_HASH_BYTES 32
#define STORE_NOTICE_CHARS 500
#define STORE_PWHASH_CHARS 127

typedef struct store store;
typedef struct store_tx store_tx;
typedef int (*store_job)(store_tx *tx, void *arg);

typedef struct {
    const char *registry_path;
    const char *ballot_box_path;
    int readers;              /* read connections; 0 = 4 */
    /* A libpq connection string: PostgreSQL instead of the two SQLite files
     * (NULL: SQLite). With several hosts and target_session_attrs=read-write,
     * the store follows the primary when the standby is promoted. */
    const char *postgresql;
    /* 32 bytes derived from the server's secret: where a ballot's slot is in
     * the SQLite box (NULL: an unkeyed hash). Never stored. */
    const uint8_t *box_key;
    /* Read connections only (the signer): creates and migrates nothing, and
     * every write answers STORE_EIO. */
    int readonly;
} store_config;

typedef struct {
    char eid[STORE_EID_CHARS + 1];
    char *definition;         /* canonical JSON, malloc'd */
    uint8_t fingerprint[STORE_HASH_BYTES];
    char state[STORE_STATE_CHARS + 1];
    int test_mode, suspended;
    char notice[STORE_NOTICE_CHARS + 1];
    int has_public_key;
    uint8_t public_key[32];
    uint8_t audit_key[32];    /* Ed25519 public key of the audit checkpoints */
} store_election;

typedef struct {
    int64_t id;
    char number[STORE_NUMBER_CHARS + 1];
    const char *surname, *given_names, *establishment, *postal_address;
    const char *attributes;   /* JSON object */
    const char *const *emails;
    size_t nemails;
    const char *const *scrutins;
    size_t nscrutins;
    int struck;
    uint8_t digest[STORE_HASH_BYTES]; /* of the fields above, for diffs */
} store_voter;

typedef struct {
    uint64_t seq;
    char time[32];            /* RFC 3339, UTC */
    const char *role, *actor, *event, *payload;
    uint8_t prev[STORE_HASH_BYTES], hash[STORE_HASH_BYTES];
} store_audit_entry;

typedef struct {
    uint64_t seq;
    uint8_t hash[STORE_HASH_BYTES];
    uint8_t signature[64];
} store_checkpoint;

/* What voter access needs of a voter's record. */
typedef struct {
    int64_t id;
    char number[STORE_NUMBER_CHARS + 1];
    int struck;
    char password_hash[STORE_PWHASH_CHARS + 1];   /* "" before activation */
    int defi_question;                            /* -1 before activation */
    char defi_hash[STORE_PWHASH_CHARS + 1];
    char lang[3];                                 /* "fr" or "en" */
    int has_auth;                                 /* holds a credential binding */
} store_access;

/* A voter as the credential authority needs it (export for votecred). */
typedef struct {
    const char *number, *surname, *given_names, *identifier, *establishment, *postal_address;
} store_voter_card;
typedef int (*store_card_fn)(const store_voter_card *v, void *arg);

#define STORE_LINK_ACTIVATION 1
#define STORE_LINK_PASSWORD 2

typedef struct {
    int64_t failures, next_allowed, locked_until;
} store_throttle;

typedef struct {
    int64_t id;
    const char *recipient;
    const uint8_t *message;
    size_t len;
    int attempts;
} store_mail;

typedef int (*store_text_fn)(const char *text, void *arg);
typedef int (*store_id_fn)(int64_t id, void *arg);
typedef int (*store_mail_fn)(const store_mail *m, void *arg);
typedef int (*store_scrutin_fn)(const char *scrutin, int voted, void *arg);

/* NULL with a message in err on failure. Creates and migrates the files. */
store *store_open(const store_config *cfg, char *err, size_t errlen);
void store_close(store *s);
/* fn is called (from the writer thread) with the backend's words each time a
 * write batch fails on storage ("database or disk is full", "attempt to
 * write a readonly database"...), so that the daemon can log why. */
typedef void (*store_error_fn)(const char *detail);
void store_on_error(store *s, store_error_fn fn);
/* Close, first rewriting the ballot box file (SQLite's VACUUM: the tables
 * that are B-trees, laid out in key order; the ballots' slots stay where
 * their keyed hash put them). -1 if the rewrite failed (the store is closed). */
int store_close_compact(store *s);
int store_write(store *s, store_job fn, void *arg);
/* Copy the audit log (entries, checkpoints, the audit key) into a new SQLite
 * file at path, laid out as the registry's audit tables, for voteaudit and
 * voteverify --audit-log, whatever the backend. -1 with err. */
int store_audit_export(store *s, const char *path, char *err, size_t errlen);
/* The same file, made in a private temporary folder ($TMPDIR or /tmp) and
 * unlinked at once: *fd reads it from its start, *size bytes. */
int store_audit_export_fd(store *s, int *fd, uint64_t *size, char *err, size_t errlen);
int store_read(store *s, store_job fn, void *arg);
/* Inside a write job: run fn(tx, copy of arg) in a transaction of its own
 * right after this job's transaction committed (not at all if it rolled
 * back), before store_write returns to this job's caller. */
int store_after_commit(store_tx *tx, store_job fn, const void *arg, size_t arg_size);
/* Queue a write nobody waits for; arg_size bytes of arg are copied and the
 * result is dropped. Only for writes whose loss in a crash is harmless (a
 * session's last-seen time): it is committed with the next group. */
int store_write_detached(store *s, store_job fn, const void *arg, size_t arg_size);

/* The election row. election_get fills e (free e->definition with free()). */
int store_election_get(store_tx *tx, store_election *e);
int store_election_put(store_tx *tx, const store_election *e);

/* The electoral list. */
int store_voter_add(store_tx *tx, store_voter *v);         /* sets v->id */
/* n voters at once (an import's chunk), in multi-row statements; sets their
 * ids. STORE_ECONFLICT if a number or an address was already there (which
 * is not said). */
int store_voters_add(store_tx *tx, store_voter *v, size_t n);
int store_voters_clear(store_tx *tx);
int store_voter_strike(store_tx *tx, const char *number);
int store_voter_find(store_tx *tx, const char *number, int64_t *id, int *struck);
int store_voter_count(store_tx *tx, uint64_t *active, uint64_t *struck);
/* Calls fn for every voter: number, digest, struck. Stops on a non-zero return. */
typedef int (*store_voter_fn)(const char *number, const uint8_t *digest, int struck, void *arg);
int store_voters_each(store_tx *tx, store_voter_fn fn, void *arg);
/* Active voters lacking a credential binding for a scrutin they may vote in. */
int store_voters_without_auth(store_tx *tx, uint64_t *count);
/* Erase personal data (names, addresses, attributes, e-mails); keep numbers. */
int store_voters_purge(store_tx *tx);

/* Credentials (docs/protocol.md section 7). The box holds per scrutin the
 * public credentials the authority signed, active or revoked, with no voter;
 * the registry holds per voter and scrutin only the binding
 * Hb(auth-bind; authenticator, S), which names no S. */
#define STORE_CRED_UNKNOWN 0
#define STORE_CRED_ACTIVE 1
#define STORE_CRED_REVOKED 2
/* STORE_ECONFLICT if (scrutin, pub) is already there (active or revoked). */
int store_credential_add(store_tx *tx, const char *scrutin, const uint8_t pub[32]);
/* STORE_ENOTFOUND unless (scrutin, pub) is there and active. */
int store_credential_revoke(store_tx *tx, const char *scrutin, const uint8_t pub[32]);
int store_credential_state(store_tx *tx, const char *scrutin, const uint8_t pub[32], int *state);
int store_credential_count(store_tx *tx, uint64_t *count);
/* Every public credential by scrutin then bytes. */
typedef int (*store_cred_fn)(const char *scrutin, const uint8_t *pub, int revoked, void *arg);
int store_credentials_each(store_tx *tx, store_cred_fn fn, void *arg);
/* Every public credential and binding gone (a new import before opening). */
int store_credentials_clear(store_tx *tx);
/* Set (or replace) the binding of (voter, scrutin); get: STORE_ENOTFOUND if none. */
int store_binding_put(store_tx *tx, int64_t voter, const char *scrutin,
                      const uint8_t bind[STORE_HASH_BYTES]);
int store_binding_get(store_tx *tx, int64_t voter, const char *scrutin,
                      uint8_t bind[STORE_HASH_BYTES]);
/* Reissue requests waiting for the authority's record (request id: 32 hex).
 * put: STORE_ECONFLICT if the id is taken. */
typedef int (*store_reissue_fn)(const char *request, int64_t voter, const char *body, void *arg);
int store_reissue_put(store_tx *tx, const char *request, int64_t voter, const char *body);
int store_reissue_delete(store_tx *tx, const char *request);
int store_reissues_each(store_tx *tx, store_reissue_fn fn, void *arg);
int store_ballot_count(store_tx *tx, uint64_t *count);
int store_signature_count(store_tx *tx, uint64_t *count);
/* The test-mode wipe: ballots and signatures. */
int store_test_wipe(store_tx *tx, uint64_t *ballots, uint64_t *signatures);

/* The audit log. audit_last gives seq 0 and a zero hash when empty. */
int store_audit_last(store_tx *tx, uint64_t *seq, uint8_t hash[STORE_HASH_BYTES]);
int store_audit_insert(store_tx *tx, const store_audit_entry *e);
/* How many entries of one event type the log holds. */
int store_audit_count(store_tx *tx, const char *event, uint64_t *n);
typedef int (*store_audit_fn)(const store_audit_entry *e, void *arg);
int store_audit_each(store_tx *tx, uint64_t from_seq, store_audit_fn fn, void *arg);
/* One page of the log, newest first, keyset-paged: entries with seq < before
 * (0: from the newest), at most limit, that match every filter set (NULL or
 * "": any): this event, time >= since and time < until (RFC 3339 text, so a
 * date "2026-12-07" or a prefix of one works), this actor (a voter's number). */
typedef struct {
    const char *event, *since, *until, *actor;
    uint64_t before;
} store_audit_filter;
int store_audit_page(store_tx *tx, const store_audit_filter *f, int limit, store_audit_fn fn,
                     void *arg);
/* One voter's own trail, by seq: the entries of role "voter" whose actor is
 * the number, and every "code-reissued" (the authority's, whose payload names
 * the voter: the caller keeps its own). */
int store_audit_voter_each(store_tx *tx, const char *number, store_audit_fn fn, void *arg);
int store_checkpoint_insert(store_tx *tx, const store_checkpoint *c);
typedef int (*store_checkpoint_fn)(const store_checkpoint *c, void *arg);
int store_checkpoints_each(store_tx *tx, store_checkpoint_fn fn, void *arg);
/* The auditors' console's chunked check: at most limit entries from from_seq
 * by seq; at most limit checkpoints from from_seq by seq; how many are before
 * before_seq. */
int store_audit_chunk(store_tx *tx, uint64_t from_seq, int limit, store_audit_fn fn, void *arg);
int store_checkpoints_from(store_tx *tx, uint64_t from_seq, int limit, store_checkpoint_fn fn,
                           void *arg);
int store_checkpoints_count(store_tx *tx, uint64_t before_seq, uint64_t *n);

/* Voter access: accounts, one-time links, sessions, throttles. */
int store_access_by_email(store_tx *tx, const char *address, store_access *a);
int store_access_by_id(store_tx *tx, int64_t id, store_access *a);
int store_access_set_password(store_tx *tx, int64_t id, const char *hash);
int store_access_set_defi(store_tx *tx, int64_t id, int question, const char *hash);
int store_voter_emails(store_tx *tx, int64_t id, store_text_fn fn, void *arg);
int store_voter_scrutins(store_tx *tx, int64_t id, store_scrutin_fn fn, void *arg);
int store_active_voters_each(store_tx *tx, store_id_fn fn, void *arg);
/* Every active voter with the first of their addresses, by number. */
int store_voter_cards_each(store_tx *tx, store_card_fn fn, void *arg);
/* A new link, which keeps at most `keep` of the voter's unused, unexpired
 * links (the latest by expiry; ties by hash) and voids the others, so that
 * the voter has at most keep + 1 live links. */
int store_link_issue(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t voter,
                     int purpose, int64_t expires, int64_t now, int keep);
/* Look a link up without using it: 0 with its state, or STORE_ENOTFOUND. */
int store_link_peek(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t *voter,
                    int *purpose, int *used, int64_t *expires);
/* Mark the link used and void every other unused link of its voter;
 * STORE_ENOTFOUND if unknown, used, voided or expired. */
int store_link_consume(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t now,
                       int64_t *voter, int *purpose);
int store_session_insert(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t voter,
                         int64_t now);
int store_session_get(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t *voter,
                      int64_t *created, int64_t *last_seen);
int store_session_touch(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t now);
int store_session_delete(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES]);
int store_sessions_delete_voter(store_tx *tx, int64_t voter);
/* Every session of the voter but the one whose hash is keep (NULL: none kept). */
int store_sessions_delete_others(store_tx *tx, int64_t voter,
                                 const uint8_t keep[STORE_HASH_BYTES]);
/* A throttle record; all zero when the key was never seen. */
int store_throttle_get(store_tx *tx, const char *key, store_throttle *t);
int store_throttle_put(store_tx *tx, const char *key, const store_throttle *t);
/* Remember a single-use value until expires; STORE_ECONFLICT if already used. */
int store_nonce_use(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t expires);

/* Staff accounts: support agents, officers, auditors. The TOTP key is stored
 * sealed (AEAD) under a key derived from the server's pepper; each account
 * has at most one session, stored as a keyed hash. */
#define STORE_LOGIN_CHARS 64
#define STORE_ROLE_CHARS 15
#define STORE_TOTP_SEALED_BYTES 72      /* nonce 24 + key 32 + tag 16 */
typedef struct {
    char login[STORE_LOGIN_CHARS + 1];
    char role[STORE_ROLE_CHARS + 1];
    char password_hash[STORE_PWHASH_CHARS + 1];
    uint8_t totp_sealed[STORE_TOTP_SEALED_BYTES];
    uint64_t totp_last;                 /* the last TOTP step accepted */
    int64_t session_created, session_seen;
} store_staff;
/* STORE_ECONFLICT if the login exists. */
int store_staff_add(store_tx *tx, const store_staff *s);
int store_staff_get(store_tx *tx, const char *login, store_staff *s);
int store_staff_by_session(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], store_staff *s);
/* Record a TOTP step as used: STORE_ECONFLICT unless it is after the last one. */
int store_staff_totp_use(store_tx *tx, const char *login, uint64_t step);
/* Replace the account's password hash: STORE_ENOTFOUND for no such login. */
int store_staff_password_set(store_tx *tx, const char *login, const char *password_hash);
/* Replace the account's session (hash NULL: none). */
int store_staff_session_set(store_tx *tx, const char *login,
                            const uint8_t hash[STORE_HASH_BYTES], int64_t now);
int store_staff_session_touch(store_tx *tx, const char *login, int64_t now);
/* Every staff login, in order. */
int store_staff_each(store_tx *tx, store_text_fn fn, void *arg);
/* Voters whose number or address is query, or whose surname starts with it
 * (any case), at most limit: the voter numbered query first, then by surname
 * and number; struck voters too. */
int store_voter_search(store_tx *tx, const char *query, int limit, store_card_fn fn, void *arg);

/* The ballot box. Each call is one check-and-insert; a cast calls them all in
 * one job, so that either everything or nothing of it is stored. */
int store_voter_eligible(store_tx *tx, int64_t voter, const char *scrutin, int *eligible);
int store_signature_exists(store_tx *tx, int64_t voter, const char *scrutin, int *exists);
int store_signature_add(store_tx *tx, int64_t voter, const char *scrutin);
/* STORE_ECONFLICT if the credential already signed a ballot of this scrutin. */
int store_credential_use(store_tx *tx, const char *scrutin, const uint8_t pub[32]);
/* Room in the box for the scrutin's ballots, before the first: slots for its
 * eligible voters and slack, each of payload bytes (the largest canonical
 * body + wire form + 32 per ciphertext); grows what is there if smaller.
 * SQLite's box only (its fixed slots); nothing to do on PostgreSQL. */
int store_box_reserve(store_tx *tx, const char *scrutin, size_t payload);
/* STORE_ECONFLICT if a ciphertext with this alpha is already in the box. */
int store_alpha_add(store_tx *tx, const uint8_t hash[STORE_HASH_BYTES]);
/* STORE_ECONFLICT if the tracker is already in the box. */
int store_ballot_add(store_tx *tx, const uint8_t tracker[STORE_HASH_BYTES], const char *scrutin,
                     const char *body, const uint8_t *wire, size_t wirelen);
int store_ballot_get(store_tx *tx, const uint8_t tracker[STORE_HASH_BYTES],
                     char scrutin[STORE_SCRUTIN_CHARS + 1], char **body);
/* Ballots of a scrutin by tracker, after `after` (NULL: from the start). */
typedef int (*store_ballot_fn)(const uint8_t *tracker, const char *body, void *arg);
int store_ballots_page(store_tx *tx, const char *scrutin, const uint8_t *after, int limit,
                       store_ballot_fn fn, void *arg);
/* The same ballots in their compact form (ballot_wire_*; len 0 if none). */
typedef int (*store_wire_fn)(const uint8_t *tracker, const uint8_t *wire, size_t len, void *arg);
int store_ballots_wire(store_tx *tx, const char *scrutin, const uint8_t *after, int limit,
                       store_wire_fn fn, void *arg);
/* The box's order-free digest per scrutin: count and 32-byte accumulator. */
int store_box_state_get(store_tx *tx, const char *scrutin, uint64_t *count, uint8_t digest[32]);
int store_box_state_put(store_tx *tx, const char *scrutin, uint64_t count,
                        const uint8_t digest[32]);
/* Turnout: signatures per scrutin and establishment (officers only). */
typedef int (*store_turnout_fn)(const char *scrutin, const char *establishment,
                                uint64_t signed_, uint64_t registered, void *arg);
int store_turnout_each(store_tx *tx, store_turnout_fn fn, void *arg);

/* The durable mail outbox. */
int store_outbox_insert(store_tx *tx, const char *recipient, const uint8_t *message, size_t len,
                        int64_t now);
/* Claim up to limit due messages for this sender (a write): they are not due
 * again, for any node, before now + lease; fn gets each one. */
int store_outbox_claim(store_tx *tx, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                       void *arg);
/* Delivered: the recipient, the body and the time are erased (state and
 * attempts stay, for the counts); given up (retry with permanent) alike. */
int store_outbox_sent(store_tx *tx, int64_t id);
int store_outbox_retry(store_tx *tx, int64_t id, int64_t next, const char *error, int permanent);
int store_outbox_count(store_tx *tx, const char *state, uint64_t *n);
/* Messages to this address still waiting to leave (state queued). */
int store_outbox_waiting_to(store_tx *tx, const char *recipient, uint64_t *n);
/* The outbox's figures (issue 23, the demo: /metrics, /healthz and the
 * officers' dashboard): messages waiting (queued, of which retrying after a
 * failure), delivered, given up, and how long the oldest waiting one has
 * waited (0 if none), at now. */
typedef struct store_outbox_figures {
    uint64_t queued, sent, failed, retrying;
    int64_t oldest_waiting_s;
} store_outbox_figures;
int store_outbox_stats(store_tx *tx, int64_t now, store_outbox_figures *out);

/* The election's public documents by kind and holder: the key ceremony's
 * messages, the trustees' seals, the encrypted sums, partial decryptions and
 * results (JSON text). store_document_put: STORE_ECONFLICT if (kind, holder)
 * is already there. Documents of a kind come back by holder. */
#define STORE_KIND_CHARS 32
typedef int (*store_document_fn)(const char *kind, int64_t holder, const char *body, void *arg);
int store_document_put(store_tx *tx, const char *kind, int64_t holder, const char *body);
int store_document_get(store_tx *tx, const char *kind, int64_t holder, char **body);
int store_documents_each(store_tx *tx, const char *kind, store_document_fn fn, void *arg);
int store_documents_clear(store_tx *tx, const char *kind);
int store_document_delete(store_tx *tx, const char *kind, int64_t holder);
/* The signature list: (scrutin, voter number) in that order. */
typedef int (*store_signature_fn)(const char *scrutin, const char *number, void *arg);
int store_signatures_each(store_tx *tx, store_signature_fn fn, void *arg);

/* The public board's list (issue 23, box/board.c): up to limit trackers of a
 * scrutin after `from` (NULL: from the first) by tracker, or if descending
 * before it (NULL: from the last) the nearest first; without the ballots
 * (SQLite: from the box's order alone, no slot read). */
typedef int (*store_tracker_fn)(const uint8_t *tracker, void *arg);
int store_trackers_page(store_tx *tx, const char *scrutin, const uint8_t *from, int descending,
                        int limit, store_tracker_fn fn, void *arg);

/* The officers' dashboard, rows of counts as for store_turnout_each.
 * store_activation_each: (establishment, "", accounts activated (a password
 * set), registered voters), per establishment, struck voters aside.
 * store_turnout_hours_each: (scrutin, hour "YYYY-MM-DDTHH" in UTC,
 * émargements in that hour, 0), by scrutin then hour: counts of the audit
 * log's ballot-cast entries since the vote opened (a test run's are before),
 * struck voters aside. Counts only, never a voter. */
int store_activation_each(store_tx *tx, store_turnout_fn fn, void *arg);
int store_turnout_hours_each(store_tx *tx, store_turnout_fn fn, void *arg);

/* Backups of the SQLite store (issue 24, store_backup.c). backup_copy
 * copies both files from one read transaction with SQLite's online backup
 * API into new files at registry_out and box_out (which must not exist),
 * synced; *hold_s: how long its locks were held, which is how long the
 * daemon's commits waited. file_check: PRAGMA integrity_check of one file.
 * 0, or -1 with err. */
int store_backup_copy(const store_config *cfg, const char *registry_out, const char *box_out,
                      double *hold_s, char *err, size_t errlen);
int store_file_check(const char *path, char *err, size_t errlen);
/* votectl restore creates registry_path STORE_RESTORE_PENDING before its
 * first rename and removes it after its last: while it is there, the two
 * files may be from different times, and every open refuses them.
 * restore_pending: 1 (with err) if it is there, else 0. */
#define STORE_RESTORE_PENDING ".restore-pending"
int store_restore_pending(const char *registry_path, char *err, size_t errlen);

#endif
