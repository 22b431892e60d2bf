/* store_sqlite.c - the embedded default backend: two SQLite files, the ballot
 * box attached to the registry's connection as "box".
 *
 * Rollback journals, not WAL: a cast writes the signature list (registry) and
 * the ballot (box) in one transaction, and SQLite commits attached files
 * atomically only with rollback journals (its super-journal); in WAL mode each
 * file commits on its own, and the recovery rule that would then be needed
 * would have to link a signature to its ballot. Group commit keeps the extra
 * fsyncs affordable. */
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int sq_exec(store_conn *c, const char *sql)
{
    return sq_map_rc(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

/* A prepared statement for a static SQL string, cached per connection. */
sqlite3_stmt *sq_stmt(store_conn *c, const char *sql)
{
    sqlite3_stmt *st;

    for (int i = 0; i < c->nstmt; i++)
        if (c->sql[i] == sql) {
            sqlite3_reset(c->stmt[i]);
            sqlite3_clear_bindings(c->stmt[i]);
            return c->stmt[i];
        }
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    if (c->nstmt < STMT_CACHE) {
        c->sql[c->nstmt] = sql;
        c->stmt[c->nstmt++] = st;
    }
    return st;
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

int sq_count_query(store_conn *c, const char *sql, uint64_t *count)
{
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *count = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : sq_map_rc(rc);
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

/* With rollback journals, readers and the committing writer exclude each other
 * for the few milliseconds of a commit. SQLite's own busy timeout backs off to
 * 100 ms sleeps, which turns each such wait into a latency spike; poll every
 * 250 us instead, up to BUSY_TIMEOUT_MS. */
static int on_busy(void *arg, int count)
{
    (void)arg;
    if ((int64_t)count * BUSY_POLL_US >= (int64_t)BUSY_TIMEOUT_MS * 1000)
        return 0;
    usleep(BUSY_POLL_US);
    return 1;
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
    if (sqlite3_open_v2(cfg->registry_path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", cfg->registry_path, sqlite3_errmsg(c->db));
        sq_disconnect(c);
        return NULL;
    }
    sqlite3_busy_handler(c->db, on_busy, NULL);
    attach = sqlite3_mprintf("ATTACH DATABASE %Q AS box", cfg->ballot_box_path);
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

static int sq_begin(store_conn *c)
{
    int rc = sq_exec(c, c->readonly ? "BEGIN" : "BEGIN IMMEDIATE");

    if (rc == STORE_OK && (rc = sq_slots_begin(c)) != STORE_OK) {
        sq_exec(c, "ROLLBACK");
        sq_slots_rolled_back(c);
    }
    return rc;
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

static int sq_election_get(store_conn *c, store_election *e)
{
    static const char sql[] =
        "SELECT eid, definition, fingerprint, state, test_mode, suspended, notice,"
        " public_key, audit_key FROM election WHERE id = 1";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    memset(e, 0, sizeof *e);
    if (st == NULL)
        return STORE_EIO;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? STORE_ENOTFOUND : sq_map_rc(rc);
    }
    sq_copy_text(e->eid, sizeof e->eid, st, 0);
    e->definition = strdup((const char *)sqlite3_column_text(st, 1));
    sq_copy_blob(e->fingerprint, sizeof e->fingerprint, st, 2);
    sq_copy_text(e->state, sizeof e->state, st, 3);
    e->test_mode = sqlite3_column_int(st, 4);
    e->suspended = sqlite3_column_int(st, 5);
    sq_copy_text(e->notice, sizeof e->notice, st, 6);
    e->has_public_key = sqlite3_column_type(st, 7) == SQLITE_BLOB;
    sq_copy_blob(e->public_key, sizeof e->public_key, st, 7);
    sq_copy_blob(e->audit_key, sizeof e->audit_key, st, 8);
    sqlite3_reset(st);
    return e->definition == NULL ? STORE_ENOMEM : STORE_OK;
}

static int sq_election_put(store_conn *c, const store_election *e)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO election(id, eid, definition, fingerprint, state, test_mode,"
        " suspended, notice, public_key, audit_key) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, e->eid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->definition, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, e->fingerprint, sizeof e->fingerprint, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, e->test_mode);
    sqlite3_bind_int(st, 6, e->suspended);
    sqlite3_bind_text(st, 7, e->notice, -1, SQLITE_STATIC);
    if (e->has_public_key)
        sqlite3_bind_blob(st, 8, e->public_key, sizeof e->public_key, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_blob(st, 9, e->audit_key, sizeof e->audit_key, SQLITE_STATIC);
    return sq_step_done(st);
}

static int sq_voter_add(store_conn *c, store_voter *v)
{
    static const char sql_v[] =
        "INSERT INTO voter(number, surname, given_names, establishment, postal_address,"
        " attributes, struck, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    static const char sql_e[] = "INSERT INTO voter_email(address, voter_id) VALUES (?, ?)";
    static const char sql_s[] = "INSERT INTO voter_scrutin(voter_id, scrutin) VALUES (?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql_v);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, v->number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v->surname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v->given_names, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, v->establishment, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, v->postal_address, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, v->attributes, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, v->struck);
    sqlite3_bind_blob(st, 8, v->digest, sizeof v->digest, SQLITE_STATIC);
    if ((rc = sq_step_done(st)) != STORE_OK)
        return rc;
    v->id = sqlite3_last_insert_rowid(c->db);
    for (size_t i = 0; i < v->nemails; i++) {
        st = sq_stmt(c, sql_e);
        if (st == NULL)
            return STORE_EIO;
        sqlite3_bind_text(st, 1, v->emails[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, v->id);
        if ((rc = sq_step_done(st)) != STORE_OK)
            return rc;
    }
    for (size_t i = 0; i < v->nscrutins; i++) {
        st = sq_stmt(c, sql_s);
        if (st == NULL)
            return STORE_EIO;
        sqlite3_bind_int64(st, 1, v->id);
        sqlite3_bind_text(st, 2, v->scrutins[i], -1, SQLITE_STATIC);
        if ((rc = sq_step_done(st)) != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

static int sq_voters_clear(store_conn *c)
{
    return sq_exec(c, "DELETE FROM voter_scrutin; DELETE FROM voter_email; DELETE FROM voter;");
}

static int sq_voter_strike(store_conn *c, const char *number)
{
    static const char sql[] = "UPDATE voter SET struck = 1 WHERE number = ? AND struck = 0";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    if ((rc = sq_step_done(st)) != STORE_OK)
        return rc;
    return sqlite3_changes(c->db) == 1 ? STORE_OK : STORE_ENOTFOUND;
}

static int sq_voter_find(store_conn *c, const char *number, int64_t *id, int *struck)
{
    static const char sql[] = "SELECT id, struck FROM voter WHERE number = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *struck = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return sq_row_result(rc);
}

static int sq_voter_count(store_conn *c, uint64_t *active, uint64_t *struck)
{
    int rc = sq_count_query(c, "SELECT count(*) FROM voter WHERE struck = 0", active);

    return rc != STORE_OK ? rc : sq_count_query(c, "SELECT count(*) FROM voter WHERE struck = 1",
                                             struck);
}

static int sq_voters_each(store_conn *c, store_voter_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc, stop = 0;

    if (sqlite3_prepare_v2(c->db, "SELECT number, digest, struck FROM voter ORDER BY number",
                           -1, &st, NULL) != SQLITE_OK)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t digest[STORE_HASH_BYTES];

        sq_copy_blob(digest, sizeof digest, st, 1);
        stop = fn((const char *)sqlite3_column_text(st, 0), digest, sqlite3_column_int(st, 2),
                  arg);
    }
    sqlite3_finalize(st);
    return stop ? stop : sq_map_rc(rc);
}

static int sq_voters_purge(store_conn *c)
{
    return sq_exec(c, "DELETE FROM voter_email; DELETE FROM session; DELETE FROM credential_binding; DELETE FROM access_link;"
                      "UPDATE voter SET surname = '', given_names = '', establishment = '',"
                      " postal_address = '', attributes = '{}',"
                      " password_hash = NULL, defi_question = NULL, defi_hash = NULL;");
}

static int sq_signature_count(store_conn *c, uint64_t *n)
{
    return sq_count_query(c, "SELECT count(*) FROM signature", n);
}

static int sq_test_wipe(store_conn *c, uint64_t *ballots, uint64_t *signatures)
{
    int rc = sq_ballot_count(c, ballots);

    if (rc == STORE_OK)
        rc = sq_signature_count(c, signatures);
    if (rc == STORE_OK)
        rc = sq_slots_wipe(c);
    if (rc == STORE_OK)
        rc = sq_exec(c, "DELETE FROM signature;");
    return rc;
}

static int sq_audit_last(store_conn *c, uint64_t *seq, uint8_t *hash)
{
    static const char sql[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    *seq = 0;
    memset(hash, 0, STORE_HASH_BYTES);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
        sq_copy_blob(hash, STORE_HASH_BYTES, st, 1);
    }
    sqlite3_reset(st);
    return sq_map_rc(rc);
}

static int sq_audit_insert(store_conn *c, const store_audit_entry *e)
{
    static const char sql[] =
        "INSERT INTO audit(seq, time, role, actor, event, payload, prev, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sq_bind_audit_entry(st, e);
    return sq_step_done(st);
}

void sq_bind_audit_entry(sqlite3_stmt *st, const store_audit_entry *e)
{
    sqlite3_bind_int64(st, 1, (sqlite3_int64)e->seq);
    sqlite3_bind_text(st, 2, e->time, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e->prev, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, e->hash, STORE_HASH_BYTES, SQLITE_STATIC);
}

static int sq_audit_count(store_conn *c, const char *event, uint64_t *n)
{
    static const char sql[] = "SELECT count(*) FROM audit WHERE event = ?";
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, event, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : sq_map_rc(rc);
}

static int sq_audit_each(store_conn *c, uint64_t from_seq, store_audit_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc, stop = 0;

    if (sqlite3_prepare_v2(c->db, "SELECT seq, time, role, actor, event, payload, prev, hash"
                                  " FROM audit WHERE seq >= ? ORDER BY seq", -1, &st,
                           NULL) != SQLITE_OK)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from_seq);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_audit_entry e;

        e.seq = (uint64_t)sqlite3_column_int64(st, 0);
        sq_copy_text(e.time, sizeof e.time, st, 1);
        e.role = (const char *)sqlite3_column_text(st, 2);
        e.actor = (const char *)sqlite3_column_text(st, 3);
        e.event = (const char *)sqlite3_column_text(st, 4);
        e.payload = (const char *)sqlite3_column_text(st, 5);
        sq_copy_blob(e.prev, sizeof e.prev, st, 6);
        sq_copy_blob(e.hash, sizeof e.hash, st, 7);
        stop = fn(&e, arg);
    }
    sqlite3_finalize(st);
    return stop ? stop : sq_map_rc(rc);
}

static int sq_checkpoint_insert(store_conn *c, const store_checkpoint *cp)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO audit_checkpoint(seq, hash, signature) VALUES (?, ?, ?)";
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sq_bind_checkpoint(st, cp);
    return sq_step_done(st);
}

void sq_bind_checkpoint(sqlite3_stmt *st, const store_checkpoint *cp)
{
    sqlite3_bind_int64(st, 1, (sqlite3_int64)cp->seq);
    sqlite3_bind_blob(st, 2, cp->hash, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, cp->signature, sizeof cp->signature, SQLITE_STATIC);
}

static int sq_checkpoints_each(store_conn *c, store_checkpoint_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc, stop = 0;

    if (sqlite3_prepare_v2(c->db, "SELECT seq, hash, signature FROM audit_checkpoint"
                                  " ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
        return STORE_EIO;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_checkpoint cp;

        cp.seq = (uint64_t)sqlite3_column_int64(st, 0);
        sq_copy_blob(cp.hash, sizeof cp.hash, st, 1);
        sq_copy_blob(cp.signature, sizeof cp.signature, st, 2);
        stop = fn(&cp, arg);
    }
    sqlite3_finalize(st);
    return stop ? stop : sq_map_rc(rc);
}

static const char *sq_errmsg(store_conn *c)
{
    return sqlite3_errmsg(c->db);
}

const store_backend store_backend_sqlite = {
    .name = "sqlite",
    .errmsg = sq_errmsg,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .compact = sq_compact,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .election_get = sq_election_get,
    .election_put = sq_election_put,
    .voter_add = sq_voter_add,
    .voters_clear = sq_voters_clear,
    .voter_strike = sq_voter_strike,
    .voter_find = sq_voter_find,
    .voter_count = sq_voter_count,
    .voters_each = sq_voters_each,
    .voters_purge = sq_voters_purge,
    .ballot_count = sq_ballot_count,
    .signature_count = sq_signature_count,
    .test_wipe = sq_test_wipe,
    .voters_without_auth = sq_voters_without_auth,
    .credential_add = sq_credential_add,
    .credential_revoke = sq_credential_revoke,
    .credential_state = sq_credential_state,
    .credential_count = sq_credential_count,
    .credentials_each = sq_credentials_each,
    .credentials_clear = sq_credentials_clear,
    .binding_put = sq_binding_put,
    .binding_get = sq_binding_get,
    .reissue_put = sq_reissue_put,
    .reissue_delete = sq_reissue_delete,
    .reissues_each = sq_reissues_each,
    .audit_last = sq_audit_last,
    .audit_insert = sq_audit_insert,
    .audit_count = sq_audit_count,
    .audit_each = sq_audit_each,
    .checkpoint_insert = sq_checkpoint_insert,
    .checkpoints_each = sq_checkpoints_each,
    .access_by_email = sq_access_by_email,
    .access_by_id = sq_access_by_id,
    .access_set_password = sq_access_set_password,
    .access_set_defi = sq_access_set_defi,
    .voter_emails = sq_voter_emails,
    .voter_scrutins = sq_voter_scrutins,
    .active_voters_each = sq_active_voters_each,
    .voter_cards_each = sq_voter_cards_each,
    .link_issue = sq_link_issue,
    .link_peek = sq_link_peek,
    .link_consume = sq_link_consume,
    .session_insert = sq_session_insert,
    .session_get = sq_session_get,
    .session_touch = sq_session_touch,
    .session_delete = sq_session_delete,
    .sessions_delete_voter = sq_sessions_delete_voter,
    .sessions_delete_others = sq_sessions_delete_others,
    .throttle_get = sq_throttle_get,
    .throttle_put = sq_throttle_put,
    .nonce_use = sq_nonce_use,
    .voter_eligible = sq_voter_eligible,
    .signature_exists = sq_signature_exists,
    .signature_add = sq_signature_add,
    .credential_use = sq_credential_use,
    .alpha_add = sq_alpha_add,
    .box_reserve = sq_box_reserve,
    .ballot_add = sq_ballot_add,
    .ballot_get = sq_ballot_get,
    .ballots_page = sq_ballots_page,
    .ballots_wire = sq_ballots_wire,
    .box_state_get = sq_box_state_get,
    .box_state_put = sq_box_state_put,
    .turnout_each = sq_turnout_each,
    .outbox_insert = sq_outbox_insert,
    .outbox_claim = sq_outbox_claim,
    .outbox_sent = sq_outbox_sent,
    .outbox_retry = sq_outbox_retry,
    .outbox_count = sq_outbox_count,
    .document_put = sq_document_put,
    .document_get = sq_document_get,
    .documents_each = sq_documents_each,
    .documents_clear = sq_documents_clear,
    .document_delete = sq_document_delete,
    .signatures_each = sq_signatures_each,
    .staff_add = sq_staff_add,
    .staff_get = sq_staff_get,
    .staff_by_session = sq_staff_by_session,
    .staff_totp_use = sq_staff_totp_use,
    .staff_password_set = sq_staff_password_set,
    .staff_session_set = sq_staff_session_set,
    .staff_session_touch = sq_staff_session_touch,
    .staff_each = sq_staff_each,
    .voter_search = sq_voter_search,
};
