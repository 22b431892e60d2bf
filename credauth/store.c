/* store.c - votecad's SQLite store: its roster (voters, addresses, current
 * credentials), the credentials it revoked, the answers it gave by request id,
 * and the outbox of code mails (sealed, erased once sent). Durable (WAL,
 * synchronous FULL), secure_delete on, the file made 0600 before SQLite opens
 * it (its -wal and -shm files take the same mode). */
#include "credauth_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char schema[] =
    "CREATE TABLE meta(id INTEGER PRIMARY KEY CHECK (id = 1), election TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL, authority TEXT NOT NULL, next_seq INTEGER NOT NULL);"
    "CREATE TABLE voter(number TEXT PRIMARY KEY, emails TEXT NOT NULL,"
    " reissues INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE credential(voter TEXT NOT NULL REFERENCES voter(number), scrutin TEXT NOT NULL,"
    " pub BLOB NOT NULL UNIQUE, PRIMARY KEY (voter, scrutin));"
    "CREATE TABLE revoked(pub BLOB PRIMARY KEY, voter TEXT NOT NULL, scrutin TEXT NOT NULL,"
    " seq INTEGER NOT NULL);"
    "CREATE TABLE request(id TEXT PRIMARY KEY, digest BLOB NOT NULL, voter TEXT NOT NULL,"
    " seq INTEGER NOT NULL UNIQUE, answer TEXT NOT NULL, received INTEGER NOT NULL);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, recipient TEXT NOT NULL,"
    " message BLOB, due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL DEFAULT 'queued', error TEXT);";

static int setup(sqlite3 *db)
{
    return sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            " PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;",
                        NULL, NULL, NULL) == SQLITE_OK &&
                   sqlite3_busy_timeout(db, 10000) == SQLITE_OK
               ? CAS_OK : CAS_ERROR;
}

int cas_create(sqlite3 **db, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    *db = NULL;
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 errno == EEXIST ? "exists already (votecad init makes a new store only)"
                                 : strerror(errno));
        return CAS_ERROR;
    }
    close(fd);
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
            SQLITE_OK ||
        setup(*db) != CAS_OK || sqlite3_exec(*db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
        sqlite3_close(*db);
        *db = NULL;
        unlink(path);
        return CAS_ERROR;
    }
    return CAS_OK;
}

int cas_open(sqlite3 **db, const char *path, char *err, size_t errlen)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
            SQLITE_OK ||
        setup(*db) != CAS_OK) {
        snprintf(err, errlen, "%s: %s (made by votecad init?)", path,
                 *db ? sqlite3_errmsg(*db) : "cannot open");
        sqlite3_close(*db);
        *db = NULL;
        return CAS_ERROR;
    }
    return CAS_OK;
}

int cas_begin(sqlite3 *db)
{
    return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? CAS_OK
                                                                               : CAS_ERROR;
}

int cas_commit(sqlite3 *db)
{
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return CAS_OK;
    cas_rollback(db);
    return CAS_ERROR;
}

void cas_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Prepare sql and bind the arguments described by fmt: 't' text, 'b' blob of
 * 32 bytes, 'B' blob and its length (size_t), 'i' int64. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc = SQLITE_OK, i = 1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && rc == SQLITE_OK; f++, i++) {
        if (*f == 't') {
            rc = sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
        } else if (*f == 'b') {
            rc = sqlite3_bind_blob(st, i, va_arg(ap, const uint8_t *), 32, SQLITE_STATIC);
        } else if (*f == 'B') {
            const uint8_t *p = va_arg(ap, const uint8_t *);

            rc = sqlite3_bind_blob(st, i, p, (int)va_arg(ap, size_t), SQLITE_STATIC);
        } else {
            rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
        }
    }
    va_end(ap);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Run a statement that returns no row; CAS_NOTFOUND if it changed none. */
static int run(sqlite3 *db, sqlite3_stmt *st)
{
    int rc;

    if (st == NULL)
        return CAS_ERROR;
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return CAS_ERROR;
    return sqlite3_changes(db) > 0 ? CAS_OK : CAS_NOTFOUND;
}

/* Step to the one row of st: CAS_OK (st still open), CAS_NOTFOUND or CAS_ERROR
 * (st finalized). */
static int one_row(sqlite3_stmt *st)
{
    int rc;

    if (st == NULL)
        return CAS_ERROR;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return CAS_OK;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CAS_NOTFOUND : CAS_ERROR;
}

static int copy_blob(uint8_t *out, size_t len, sqlite3_stmt *st, int col)
{
    if ((size_t)sqlite3_column_bytes(st, col) != len)
        return CAS_ERROR;
    memcpy(out, sqlite3_column_blob(st, col), len);
    return CAS_OK;
}

int cas_meta_put(sqlite3 *db, const char *election, const char *fingerprint,
                 const char *authority)
{
    return run(db, prepare(db, "INSERT INTO meta(id, election, fingerprint, authority, next_seq)"
                               " VALUES (1, ?, ?, ?, 1)", "ttt", election, fingerprint,
                           authority));
}

int cas_meta_get(sqlite3 *db, char election[CREDAUTH_NAME_CHARS + 1], char authority[65],
                 uint64_t *next_seq)
{
    sqlite3_stmt *st = prepare(db, "SELECT election, authority, next_seq FROM meta", "");
    int rc = one_row(st);

    if (rc != CAS_OK)
        return rc;
    snprintf(election, CREDAUTH_NAME_CHARS + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(authority, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    *next_seq = (uint64_t)sqlite3_column_int64(st, 2);
    sqlite3_finalize(st);
    return CAS_OK;
}

int cas_voter_put(sqlite3 *db, const char *number, const char *emails_json)
{
    return run(db, prepare(db, "INSERT INTO voter(number, emails) VALUES (?, ?)", "tt", number,
                           emails_json));
}

int cas_voter_get(sqlite3 *db, const char *number, char **emails_json, uint64_t *reissues)
{
    sqlite3_stmt *st = prepare(db, "SELECT emails, reissues FROM voter WHERE number = ?", "t",
                               number);
    int rc = one_row(st);

    if (rc != CAS_OK)
        return rc;
    *emails_json = strdup((const char *)sqlite3_column_text(st, 0));
    *reissues = (uint64_t)sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return *emails_json != NULL ? CAS_OK : CAS_ERROR;
}

int cas_credential_put(sqlite3 *db, const char *voter, const char *scrutin,
                       const uint8_t pub[32])
{
    return run(db, prepare(db, "INSERT INTO credential(voter, scrutin, pub) VALUES (?, ?, ?)",
                           "ttb", voter, scrutin, pub));
}

int cas_credential_get(sqlite3 *db, const char *voter, const char *scrutin, uint8_t pub[32])
{
    sqlite3_stmt *st = prepare(db, "SELECT pub FROM credential WHERE voter = ? AND scrutin = ?",
                               "tt", voter, scrutin);
    int rc = one_row(st);

    if (rc != CAS_OK)
        return rc;
    rc = copy_blob(pub, 32, st, 0);
    sqlite3_finalize(st);
    return rc;
}

int cas_credential_replace(sqlite3 *db, const char *voter, const char *scrutin,
                           const uint8_t revoked[32], const uint8_t fresh[32], uint64_t seq)
{
    int rc = run(db, prepare(db, "UPDATE credential SET pub = ? WHERE voter = ? AND scrutin = ?"
                                 " AND pub = ?", "bttb", fresh, voter, scrutin, revoked));

    if (rc != CAS_OK)
        return CAS_ERROR;
    return run(db, prepare(db, "INSERT INTO revoked(pub, voter, scrutin, seq) VALUES (?, ?, ?, ?)",
                           "btti", revoked, voter, scrutin, (int64_t)seq)) == CAS_OK
               ? CAS_OK : CAS_ERROR;
}

int cas_request_get(sqlite3 *db, const char *id, uint8_t digest[32], char **answer)
{
    sqlite3_stmt *st = prepare(db, "SELECT digest, answer FROM request WHERE id = ?", "t", id);
    int rc = one_row(st);

    if (rc != CAS_OK)
        return rc;
    rc = copy_blob(digest, 32, st, 0);
    *answer = strdup((const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return rc == CAS_OK && *answer != NULL ? CAS_OK : CAS_ERROR;
}

int cas_request_put(sqlite3 *db, const char *id, const uint8_t digest[32], const char *voter,
                    uint64_t seq, const char *answer, int64_t now)
{
    if (run(db, prepare(db, "INSERT INTO request(id, digest, voter, seq, answer, received)"
                            " VALUES (?, ?, ?, ?, ?, ?)", "tbtiti", id, digest, voter,
                        (int64_t)seq, answer, now)) != CAS_OK ||
        run(db, prepare(db, "UPDATE meta SET next_seq = ? WHERE next_seq = ?", "ii",
                        (int64_t)seq + 1, (int64_t)seq)) != CAS_OK ||
        run(db, prepare(db, "UPDATE voter SET reissues = reissues + 1 WHERE number = ?", "t",
                        voter)) != CAS_OK)
        return CAS_ERROR;
    return CAS_OK;
}

/* A statement that may change no row: CAS_OK either way. */
static int run_any(sqlite3 *db, sqlite3_stmt *st)
{
    return run(db, st) == CAS_ERROR ? CAS_ERROR : CAS_OK;
}

int cas_records_undo(sqlite3 *db, uint64_t applied, uint64_t next_seq)
{
    for (int64_t seq = (int64_t)next_seq - 1; seq > (int64_t)applied; seq--)
        if (run(db, prepare(db, "UPDATE voter SET reissues = reissues - 1 WHERE number ="
                                " (SELECT voter FROM request WHERE seq = ?)", "i", seq)) !=
                CAS_OK ||
            run_any(db, prepare(db, "UPDATE credential SET pub = (SELECT r.pub FROM revoked r"
                                    " WHERE r.voter = credential.voter AND r.scrutin ="
                                    " credential.scrutin AND r.seq = ?1) WHERE EXISTS (SELECT 1"
                                    " FROM revoked r WHERE r.voter = credential.voter AND"
                                    " r.scrutin = credential.scrutin AND r.seq = ?1)", "i",
                                seq)) != CAS_OK ||
            run_any(db, prepare(db, "DELETE FROM revoked WHERE seq = ?", "i", seq)) != CAS_OK ||
            run(db, prepare(db, "DELETE FROM request WHERE seq = ?", "i", seq)) != CAS_OK ||
            run_any(db, prepare(db, "DELETE FROM outbox WHERE seq = ? AND state = 'queued'", "i",
                                seq)) != CAS_OK)
            return CAS_ERROR;
    return run(db, prepare(db, "UPDATE meta SET next_seq = ?", "i", (int64_t)applied + 1)) ==
                   CAS_OK ? CAS_OK : CAS_ERROR;
}

int cas_outbox_put(sqlite3 *db, uint64_t seq, const char *to, const uint8_t *sealed,
                   size_t len, int64_t now)
{
    return run(db, prepare(db, "INSERT INTO outbox(seq, recipient, message, due)"
                               " VALUES (?, ?, ?, ?)", "itBi", (int64_t)seq, to, sealed, len,
                           now)) == CAS_OK ? CAS_OK : CAS_ERROR;
}

int cas_outbox_due(sqlite3 *db, int64_t now, cas_mail *out, int max, int *n)
{
    sqlite3_stmt *st = prepare(db, "SELECT id, recipient, message, attempts FROM outbox"
                                   " WHERE state = 'queued' AND due <= ? ORDER BY id LIMIT ?",
                               "ii", now, (int64_t)max);
    int rc;

    *n = 0;
    if (st == NULL)
        return CAS_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        cas_mail *m = &out[(*n)++];

        m->id = sqlite3_column_int64(st, 0);
        m->to = strdup((const char *)sqlite3_column_text(st, 1));
        m->len = (size_t)sqlite3_column_bytes(st, 2);
        m->sealed = malloc(m->len + 1);
        m->attempts = sqlite3_column_int(st, 3);
        if (m->to == NULL || m->sealed == NULL) {
            sqlite3_finalize(st);
            return CAS_ERROR;
        }
        if (m->len > 0)
            memcpy(m->sealed, sqlite3_column_blob(st, 2), m->len);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? CAS_OK : CAS_ERROR;
}

void cas_mail_free(cas_mail *m)
{
    if (m->sealed != NULL)
        sodium_memzero(m->sealed, m->len);
    free(m->sealed);
    free(m->to);
    memset(m, 0, sizeof *m);
}

int cas_outbox_done(sqlite3 *db, int64_t id, int sent, const char *error)
{
    return run(db, prepare(db, "UPDATE outbox SET message = NULL, state = ?, error = ?,"
                               " attempts = attempts + 1 WHERE id = ?", "tti",
                           sent ? "sent" : "failed", error, id)) == CAS_OK ? CAS_OK : CAS_ERROR;
}

int cas_outbox_retry(sqlite3 *db, int64_t id, int64_t due, const char *error)
{
    return run(db, prepare(db, "UPDATE outbox SET due = ?, error = ?, attempts = attempts + 1"
                               " WHERE id = ?", "iti", due, error, id)) == CAS_OK
               ? CAS_OK : CAS_ERROR;
}

static int count(sqlite3 *db, const char *sql, uint64_t *out)
{
    sqlite3_stmt *st = prepare(db, sql, "");
    int rc = one_row(st);

    if (rc != CAS_OK)
        return CAS_ERROR;
    *out = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return CAS_OK;
}

int cas_counts(sqlite3 *db, credauth_status *st)
{
    return count(db, "SELECT count(*) FROM voter", &st->voters) == CAS_OK &&
                   count(db, "SELECT count(*) FROM request", &st->reissues) == CAS_OK &&
                   count(db, "SELECT count(*) FROM outbox WHERE state = 'queued'",
                         &st->mail_queued) == CAS_OK &&
                   count(db, "SELECT count(*) FROM outbox WHERE state = 'sent'",
                         &st->mail_sent) == CAS_OK &&
                   count(db, "SELECT count(*) FROM outbox WHERE state = 'failed'",
                         &st->mail_failed) == CAS_OK
               ? CAS_OK : CAS_ERROR;
}
