/* store_sqlite.c - the embedded default backend: two SQLite files, the ballot
 * box attached to the registry's connection as "box". Here: migrations,
 * connections, transactions, the statement layer (store_backend.h) and what
 * SQLite's dialect needs of its own; the box's slots are in
 * store_sqlite_slots.c.
 *
 * Rollback journals, not WAL: a cast writes the signature list (registry) and
 * the ballot (box) in one transaction, and SQLite commits attached files
 * atomically only with rollback journals (its super-journal); in WAL mode each
 * file commits on its own, and the recovery rule that would then be needed
 * would have to link a signature to its ballot. Group commit keeps the extra
 * fsyncs affordable, and the connections' VFS (store_sqlite_vfs.c) keeps the
 * journals open between transactions: 11 syncs per cast commit, not 13.
 *
 * Both journals are TRUNCATE: empty between commits. Not PERSIST. The box's
 * would keep, until the next commit, the pre-images of the pages the last
 * commit changed, whose numbers name the slots it filled: the last batch's
 * ballots, which the audit log's last entries name by voter. The
 * registry's would gain nothing: a journal that named a super-journal (every
 * cast commit spans both files) is truncated at commit whatever the mode
 * (SQLite's pager), so only commits of the registry alone would keep theirs,
 * and with it the pre-images of rows secure_delete erased. */
#include "store_sqlite.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *registry_migrations[] = {
    /* 1 */
    "CREATE TABLE election("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " eid TEXT NOT NULL, definition TEXT NOT NULL, fingerprint BLOB NOT NULL,"
    " state TEXT NOT NULL, test_mode INTEGER NOT NULL, suspended INTEGER NOT NULL,"
    " notice TEXT NOT NULL, public_key BLOB, audit_key BLOB NOT NULL);"
    "CREATE TABLE voter("
    " id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
    " surname TEXT NOT NULL, given_names TEXT NOT NULL, establishment TEXT NOT NULL,"
    " postal_address TEXT NOT NULL, attributes TEXT NOT NULL,"
    " struck INTEGER NOT NULL DEFAULT 0, digest BLOB NOT NULL, auth_hash BLOB);"
    "CREATE TABLE voter_email("
    " address TEXT PRIMARY KEY,"
    " voter_id INTEGER NOT NULL REFERENCES voter(id) ON DELETE CASCADE) WITHOUT ROWID;"
    "CREATE INDEX voter_email_voter ON voter_email(voter_id);"
    "CREATE TABLE voter_scrutin("
    " voter_id INTEGER NOT NULL REFERENCES voter(id) ON DELETE CASCADE,"
    " scrutin TEXT NOT NULL, PRIMARY KEY (voter_id, scrutin)) WITHOUT ROWID;"
    "CREATE TABLE signature("
    " voter_id INTEGER NOT NULL REFERENCES voter(id),"
    " scrutin TEXT NOT NULL, PRIMARY KEY (voter_id, scrutin)) WITHOUT ROWID;"
    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY, time TEXT NOT NULL, role TEXT NOT NULL, actor TEXT NOT NULL,"
    " event TEXT NOT NULL, payload TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE TABLE audit_checkpoint("
    " seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, signature BLOB NOT NULL);",
    /* 2: voter access and the mail outbox */
    "ALTER TABLE voter ADD COLUMN password_hash TEXT;"
    "ALTER TABLE voter ADD COLUMN defi_question INTEGER;"
    "ALTER TABLE voter ADD COLUMN defi_hash TEXT;"
    "ALTER TABLE voter ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';"
    "CREATE TABLE access_link("
    " token_hash BLOB PRIMARY KEY,"
    " voter_id INTEGER NOT NULL REFERENCES voter(id) ON DELETE CASCADE,"
    " purpose INTEGER NOT NULL, expires INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE INDEX access_link_voter ON access_link(voter_id, used);"
    "CREATE TABLE session("
    " id_hash BLOB PRIMARY KEY,"
    " voter_id INTEGER NOT NULL REFERENCES voter(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX session_voter ON session(voter_id);"
    "CREATE TABLE throttle(key TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
    " next_allowed INTEGER NOT NULL, locked_until INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE nonce(hash BLOB PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY, recipient TEXT NOT NULL, message BLOB,"
    " state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt INTEGER NOT NULL, last_error TEXT);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt);",
    /* 2: public documents: ceremony messages, seals, sums, partials, results */
    "CREATE TABLE document(kind TEXT NOT NULL, holder INTEGER NOT NULL,"
    " body TEXT NOT NULL, PRIMARY KEY (kind, holder)) WITHOUT ROWID;",
    /* 4: staff accounts (support, officers, auditors), one session each */
    "CREATE TABLE staff(login TEXT PRIMARY KEY, role TEXT NOT NULL,"
    " password_hash TEXT NOT NULL, totp_sealed BLOB NOT NULL,"
    " totp_last INTEGER NOT NULL DEFAULT 0, session_hash BLOB UNIQUE,"
    " session_created INTEGER NOT NULL DEFAULT 0,"
    " session_seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE INDEX voter_surname ON voter(surname COLLATE NOCASE);",
    /* 5: per voter and scrutin, what binds the authenticator to a credential;
     * the reissue requests sent to the credential authority until their
     * signed record is applied */
    "CREATE TABLE credential_binding("
    " voter_id INTEGER NOT NULL REFERENCES voter(id) ON DELETE CASCADE,"
    " scrutin TEXT NOT NULL, bind BLOB NOT NULL, PRIMARY KEY (voter_id, scrutin)) WITHOUT ROWID;"
    "CREATE TABLE reissue_request(request TEXT PRIMARY KEY,"
    " voter_id INTEGER NOT NULL REFERENCES voter(id), body TEXT NOT NULL) WITHOUT ROWID;"
    "UPDATE voter SET auth_hash = NULL;",
    /* 6: when a waiting message was queued (the outbox's oldest waiting age;
     * erased with its body once delivered or given up) */
    "ALTER TABLE outbox ADD COLUMN queued_at INTEGER;"
    "UPDATE outbox SET queued_at = next_attempt WHERE state = 'queued';",
    /* 7: a voter's own trail in the audit log (the account page's history) */
    "CREATE INDEX audit_actor ON audit(actor, role);"
    "CREATE INDEX audit_event ON audit(event);",
    /* 8: a voter's audit entries newest first and their waiting mail, for the
     * support file and the auditors' filter */
    "CREATE INDEX audit_actor_seq ON audit(actor, seq);"
    "CREATE INDEX outbox_recipient ON outbox(recipient, state);",
    /* 9: the outbox's figures (/healthz, /metrics, the dashboard) read from
     * an index holding every column they need, never from the rows, whose
     * waiting messages make the table large: a health check polled during
     * an opening rush scanned every queued body and held the writer back */
    "CREATE INDEX outbox_figures ON outbox(state, attempts, queued_at, next_attempt);",
};

static const char *box_migrations[] = {
    /* 1: no rowid, no time, no voter: ballots are keyed by their hash */
    "CREATE TABLE box.credential(pub BLOB PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE box.ballot(tracker BLOB PRIMARY KEY, scrutin TEXT NOT NULL,"
    " body BLOB NOT NULL) WITHOUT ROWID;",
    /* 2: what a cast checks, keyed by hashes and public values only */
    "CREATE INDEX box.ballot_scrutin ON ballot(scrutin, tracker);"
    "CREATE TABLE box.used_credential(scrutin TEXT NOT NULL, pub BLOB NOT NULL,"
    " PRIMARY KEY (scrutin, pub)) WITHOUT ROWID;"
    "CREATE TABLE box.alpha(hash BLOB PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE box.state(scrutin TEXT PRIMARY KEY, count INTEGER NOT NULL,"
    " digest BLOB NOT NULL) WITHOUT ROWID;",
    /* 3: the ballot's compact form, which the count reads (ballot_wire_*) */
    "ALTER TABLE box.ballot ADD COLUMN wire BLOB;",
    /* 4: public credentials per scrutin, revoked by the authority's records */
    "DROP TABLE box.credential;"
    "CREATE TABLE box.scrutin_credential(scrutin TEXT NOT NULL, pub BLOB NOT NULL,"
    " revoked INTEGER NOT NULL, PRIMARY KEY (scrutin, pub)) WITHOUT ROWID;",
    /* 5: ballots in fixed slots written in place (store_sqlite_slots.c); the
     * rows of box.ballot and box.state move there when the writer connects,
     * and the tables above keep only what a box from before held */
    "CREATE TABLE box.region(scrutin TEXT PRIMARY KEY, first INTEGER NOT NULL,"
    " nslots INTEGER NOT NULL, slot_bytes INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE box.slot(id INTEGER PRIMARY KEY, data BLOB NOT NULL);",
};

int sq_map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return STORE_OK;
    case SQLITE_CONSTRAINT:
        return STORE_ECONFLICT;
    case SQLITE_NOMEM:
        return STORE_ENOMEM;
    default:
        return STORE_EIO;
    }
}

/* With rollback journals, readers and the committing writer exclude each other
 * for the few milliseconds of a commit. SQLite's own busy timeout backs off to
 * 100 ms sleeps, which turns each such wait into a latency spike; polling
 * every 250 us instead cost a tenth of a cast's CPU in wake-ups (perf, issue
 * 25). A connection of this process that ends a transaction (its locks go)
 * says so on busy_cond; the waiting ones wake then, or after BUSY_WAIT_US at
 * most (a lock of another process, or one released between SQLite's try and
 * the wait, is not signalled), up to BUSY_TIMEOUT_MS in all. */
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t busy_cond = PTHREAD_COND_INITIALIZER;
static uint64_t busy_gen;
static int busy_waiters;
static _Thread_local struct timespec busy_since;

static void busy_released(void)
{
    pthread_mutex_lock(&busy_lock);
    busy_gen++;
    if (busy_waiters > 0)
        pthread_cond_broadcast(&busy_cond);
    pthread_mutex_unlock(&busy_lock);
}

static int on_busy(void *arg, int count)
{
    struct timespec now, until;
    uint64_t gen;

    (void)arg;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        busy_since = now;
    else if ((now.tv_sec - busy_since.tv_sec) * 1000 +
             (now.tv_nsec - busy_since.tv_nsec) / 1000000 >= BUSY_TIMEOUT_MS)
        return 0;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += BUSY_WAIT_US * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&busy_lock);
    gen = busy_gen;
    busy_waiters++;
    while (gen == busy_gen &&
           pthread_cond_timedwait(&busy_cond, &busy_lock, &until) == 0)
        ;
    busy_waiters--;
    pthread_mutex_unlock(&busy_lock);
    return 1;
}

int sq_exec(store_conn *c, const char *sql)
{
    int in_tx = !sqlite3_get_autocommit(c->db);
    int rc = sq_map_rc(sqlite3_exec(c->db, sql, NULL, NULL, NULL));

    if (in_tx && sqlite3_get_autocommit(c->db))     /* committed or rolled back */
        busy_released();
    return rc;
}

/* Step a statement that returns no row; reset it. */
int sq_step_done(sqlite3_stmt *st)
{
    int rc;

    if (st == NULL)
        return STORE_EIO;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : sq_map_rc(rc);
}

int sq_row_result(int rc)
{
    return rc ==  SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sq_map_rc(rc);
}

static int migrate(store_conn *c, const char *schema, const char **steps, int nsteps)
{
    char sql[64];
    sqlite3_stmt *st;
    int version = 0;

    snprintf(sql, sizeof sql, "PRAGMA %s.user_version", schema);
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return STORE_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > nsteps)
        return STORE_EIO;   /* written by a newer votesrv */
    for (int v = version; v < nsteps; v++) {
        snprintf(sql, sizeof sql, "PRAGMA %s.user_version = %d", schema, v + 1);
        if (sq_exec(c, "BEGIN IMMEDIATE") != STORE_OK)
            return STORE_EIO;
        if (sq_exec(c, steps[v]) != STORE_OK || sq_exec(c, sql) != STORE_OK) {
            sq_exec(c, "ROLLBACK");
            return STORE_EIO;
        }
        if (sq_exec(c, "COMMIT") != STORE_OK)
            return STORE_EIO;
    }
    return STORE_OK;
}

static void sq_disconnect(store_conn *c)
{
    if (c == NULL)
        return;
    sq_slots_disconnect(c);
    for (int i = 0; i < c->nstmt; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static store_conn *sq_connect(const store_config *cfg, int readonly, char *err, size_t errlen)
{
    store_conn *c = calloc(1, sizeof *c);
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    char *attach;

    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->readonly = readonly;
    if (store_restore_pending(cfg->registry_path, err, errlen)) {
        free(c);
        return NULL;
    }
    if (sq_vfs_register() != STORE_OK) {
        snprintf(err, errlen, "SQLite: cannot register the %s VFS", SQ_VFS_NAME);
        free(c);
        return NULL;
    }
    if (sqlite3_open_v2(cfg->registry_path, &c->db, flags | SQLITE_OPEN_NOMUTEX, SQ_VFS_NAME) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", cfg->registry_path, sqlite3_errmsg(c->db));
        sq_disconnect(c);
        return NULL;
    }
    sqlite3_busy_handler(c->db, on_busy, NULL);
    attach = sqlite3_mprintf("ATTACH DATABASE %Q AS box", cfg->ballot_box_path);
    /* TRUNCATE, never PERSIST (see the head of this file) */
    if (attach == NULL || sq_exec(c, attach) != STORE_OK ||
        (!readonly && (sq_exec(c, "PRAGMA main.journal_mode = TRUNCATE") != STORE_OK ||
                       sq_exec(c, "PRAGMA box.journal_mode = TRUNCATE") != STORE_OK ||
                       sq_exec(c, "PRAGMA box.secure_delete = ON") != STORE_OK ||
                       sq_exec(c, "PRAGMA main.secure_delete = ON") != STORE_OK)) ||
        sq_exec(c, "PRAGMA synchronous = FULL") != STORE_OK ||
        sq_exec(c, "PRAGMA foreign_keys = ON") != STORE_OK ||
        (!readonly &&
         (migrate(c, "main", registry_migrations,
                  (int)(sizeof registry_migrations / sizeof *registry_migrations)) != STORE_OK ||
          migrate(c, "box", box_migrations,
                  (int)(sizeof box_migrations / sizeof *box_migrations)) != STORE_OK)) ||
        sq_slots_connect(c, cfg) != STORE_OK) {
        snprintf(err, errlen, "%s, %s: %s", cfg->registry_path, cfg->ballot_box_path,
                 sqlite3_errmsg(c->db));
        sqlite3_free(attach);
        sq_disconnect(c);
        return NULL;
    }
    sqlite3_free(attach);
    return c;
}

/* VACUUM rebuilds each table and index by walking it in key order, so the
 * rewritten file keeps no trace of the insertion order. */
static int sq_compact(store_conn *c)
{
    return c->readonly ? STORE_EIO : sq_exec(c, "VACUUM box");
}

static int begin_as(store_conn *c, const char *sql)
{
    int rc = sq_exec(c, sql);

    if (rc == STORE_OK && (rc = sq_slots_begin(c)) != STORE_OK) {
        sq_exec(c, "ROLLBACK");
        sq_slots_rolled_back(c);
    }
    return rc;
}

static int sq_begin(store_conn *c)
{
    return begin_as(c, c->readonly ? "BEGIN" : "BEGIN IMMEDIATE");
}

/* BEGIN IMMEDIATE opens a write transaction on both files, and COMMIT then
 * writes, syncs and deletes a super-journal even when nothing changed: the
 * jobs after a cast's commit (its receipt, signed by the signer, which reads
 * with its own connection) write nothing, and a checkpoint writes the
 * registry alone. A deferred transaction locks for writing only the files
 * it writes: nothing to sync for the one, one journal for the other. Its
 * first write waits for a lock held elsewhere as BEGIN IMMEDIATE would (the
 * busy handler), unless the job read that file first in the transaction
 * (SQLite then answers busy at once): those jobs are best effort
 * (store_after_commit). */
static int sq_begin_after(store_conn *c)
{
    return begin_as(c, "BEGIN DEFERRED");
}

static int sq_commit(store_conn *c) { return sq_exec(c, "COMMIT"); }

static int sq_rollback(store_conn *c)
{
    int rc = sq_exec(c, "ROLLBACK");

    sq_slots_rolled_back(c);
    return rc;
}

static int sq_savepoint(store_conn *c)
{
    sq_slots_job(c);
    return sq_exec(c, "SAVEPOINT job");
}

static int sq_release(store_conn *c) { return sq_exec(c, "RELEASE job"); }

/* A job's changes go, the indexes' with them (they are in the transaction);
 * the readers' orders are read again. */
static int sq_rollback_to(store_conn *c)
{
    sq_slots_job(c);
    c->local_gen++;
    return sq_exec(c, "ROLLBACK TO job");
}

void sq_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

void sq_copy_blob(uint8_t *dst, size_t size, sqlite3_stmt *st, int col)
{
    const void *b = sqlite3_column_blob(st, col);

    memset(dst, 0, size);
    if (b != NULL && (size_t)sqlite3_column_bytes(st, col) == size)
        memcpy(dst, b, size);
}

/* ---- the statement layer (store_backend.h) ---- */

/* SQLite's dialect: the statements' $1-style parameters become ?1 (outside
 * quoted text); NULL if out of memory. */
static char *sq_dialect(const char *sql)
{
    char *s = strdup(sql);
    int quoted = 0;

    for (char *p = s; p != NULL && *p; p++) {
        if (*p == '\'')
            quoted = !quoted;
        else if (!quoted && *p == '$' && p[1] >= '0' && p[1] <= '9')
            *p = '?';
    }
    return s;
}

/* A prepared statement for a static SQL string, cached per connection. */
sqlite3_stmt *sq_stmt(store_conn *c, const char *sql)
{
    sqlite3_stmt *st;
    char *text;
    int rc;

    for (int i = 0; i < c->nstmt; i++)
        if (c->sql[i] == sql) {
            sqlite3_reset(c->stmt[i]);
            sqlite3_clear_bindings(c->stmt[i]);
            return c->stmt[i];
        }
    if ((text = sq_dialect(sql)) == NULL)
        return NULL;
    rc = sqlite3_prepare_v3(c->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    free(text);
    if (rc != SQLITE_OK)
        return NULL;
    if (c->nstmt < STMT_CACHE) {
        c->sql[c->nstmt] = sql;
        c->stmt[c->nstmt++] = st;
    }
    return st;
}

static sqlite3_stmt *sq_scan_stmt(store_conn *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *text = sq_dialect(sql);

    if (text != NULL && sqlite3_prepare_v2(c->db, text, -1, &st, NULL) != SQLITE_OK)
        st = NULL;
    free(text);
    return st;
}

static void sq_bind(sqlite3_stmt *st, int i, const store_sql_arg *a)
{
    if (a->type == STORE_ARG_INT)
        sqlite3_bind_int64(st, i, a->i);
    else if (a->p == NULL)
        sqlite3_bind_null(st, i);
    else if (a->type == STORE_ARG_TEXT)
        sqlite3_bind_text(st, i, a->p, -1, SQLITE_STATIC);
    else
        sqlite3_bind_blob(st, i, a->p, (int)a->len, SQLITE_STATIC);
}

static int sq_step(store_sql *q)
{
    int rc;

    if (!q->started) {
        q->started = 1;
        q->h = q->scan ? sq_scan_stmt(q->c, q->sql) : sq_stmt(q->c, q->sql);
        for (int i = 0; q->h != NULL && i < q->nargs; i++)
            sq_bind(q->h, i + 1, &store_sql_args(q)[i]);
    }
    if (q->h == NULL)
        return STORE_EIO;
    rc = sqlite3_step(q->h);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    q->changes = sqlite3_changes(q->c->db);
    return sq_map_rc(rc);
}

static void sq_end(store_sql *q)
{
    if (q->h != NULL && q->scan)
        sqlite3_finalize(q->h);
    else if (q->h != NULL)
        sqlite3_reset(q->h);
    q->h = NULL;
}

static int64_t sq_column_int(store_sql *q, int col)
{
    return sqlite3_column_int64(q->h, col);
}

static const char *sq_column_text(store_sql *q, int col)
{
    return (const char *)sqlite3_column_text(q->h, col);
}

static const void *sq_column_blob(store_sql *q, int col, size_t *len)
{
    const void *b = sqlite3_column_blob(q->h, col);

    *len = (size_t)sqlite3_column_bytes(q->h, col);
    return b;
}

static int sq_column_null(store_sql *q, int col)
{
    return sqlite3_column_type(q->h, col) == SQLITE_NULL;
}

static const char *sq_errmsg(store_conn *c)
{
    return sqlite3_errmsg(c->db);
}

#define SQ_BOX_OP(name, params, args) .name = sq_##name,

const store_backend store_backend_sqlite = {
    .name = "sqlite",
    STORE_BACKEND_FUNCTIONS(sq),
    .begin_after = sq_begin_after,
    /* LIKE and NOCASE fold ASCII letters, as the index voter_surname does */
    .sql_voter_search =
        "SELECT " STORE_CARD_COLUMNS " FROM voter v"
        " WHERE v.number = $1 OR v.surname LIKE $2 ESCAPE '\\'"
        " OR v.id IN (SELECT voter_id FROM voter_email WHERE address = lower($1))"
        " ORDER BY v.number = $1 DESC, v.surname COLLATE NOCASE, v.number LIMIT $3",
    /* one writer: nothing to skip */
    .sql_outbox_claim =
        "UPDATE outbox SET next_attempt = $3 WHERE id IN (SELECT id FROM outbox"
        " WHERE state = 'queued' AND next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2)"
        " RETURNING id, recipient, message, attempts",
    STORE_BOX_OPS(SQ_BOX_OP)
};
