/* store_export.c - the audit log copied out of any backend into a SQLite file
 * laid out as the registry's audit tables, which voteaudit and voteverify
 * --audit-log read: how an auditor gets the log of an election whose store is
 * PostgreSQL. One read transaction: a consistent snapshot. */
#include <sqlite3.h>
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *entry, *checkpoint;
} export_job;

static int put_entry(const store_audit_entry *e, void *arg)
{
    sqlite3_stmt *st = ((export_job *)arg)->entry;
    int rc;

    sqlite3_bind_int64(st, 1, (sqlite3_int64)e->seq);
    sqlite3_bind_text(st, 2, e->time, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e->prev, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, e->hash, STORE_HASH_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : STORE_EIO;
}

static int put_checkpoint(const store_checkpoint *cp, void *arg)
{
    sqlite3_stmt *st = ((export_job *)arg)->checkpoint;
    int rc;

    sqlite3_bind_int64(st, 1, (sqlite3_int64)cp->seq);
    sqlite3_bind_blob(st, 2, cp->hash, STORE_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, cp->signature, sizeof cp->signature, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : STORE_EIO;
}

static int run_export(store_tx *tx, void *arg)
{
    export_job *j = arg;
    store_election e;
    sqlite3_stmt *st;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    free(e.definition);
    if (sqlite3_prepare_v2(j->db, "INSERT INTO election(id, audit_key) VALUES (1, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, e.audit_key, sizeof e.audit_key, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_EIO;
    sqlite3_finalize(st);
    if (rc == STORE_OK)
        rc = store_checkpoints_each(tx, put_checkpoint, j);
    return rc != STORE_OK ? rc : store_audit_each(tx, 0, put_entry, j);
}

int store_audit_export(store *s, const char *path, char *err, size_t errlen)
{
    export_job j = { NULL, NULL, NULL };
    int rc = -1;

    if (access(path, F_OK) == 0) {
        snprintf(err, errlen, "%s exists already", path);
        return -1;
    }
    if (sqlite3_open_v2(path, &j.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(j.db, "BEGIN;"
                     "CREATE TABLE election(id INTEGER PRIMARY KEY, audit_key BLOB NOT NULL);"
                     "CREATE TABLE audit(seq INTEGER PRIMARY KEY, time TEXT NOT NULL,"
                     " role TEXT NOT NULL, actor TEXT NOT NULL, event TEXT NOT NULL,"
                     " payload TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);"
                     "CREATE TABLE audit_checkpoint(seq INTEGER PRIMARY KEY,"
                     " hash BLOB NOT NULL, signature BLOB NOT NULL);",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(j.db, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1,
                           &j.entry, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(j.db, "INSERT INTO audit_checkpoint VALUES (?, ?, ?)", -1,
                           &j.checkpoint, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(j.db));
    } else if (store_read(s, run_export, &j) != STORE_OK) {
        snprintf(err, errlen, "reading the audit log failed");
    } else if (sqlite3_exec(j.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(j.db));
    } else {
        rc = 0;
    }
    sqlite3_finalize(j.entry);
    sqlite3_finalize(j.checkpoint);
    sqlite3_close(j.db);
    if (rc != 0)
        unlink(path);
    return rc;
}

int store_audit_export_fd(store *s, int *fd, uint64_t *size, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[600];
    struct stat st;
    int rc;

    *fd = -1;
    *size = 0;
    snprintf(dir, sizeof dir, "%s/votesrv-audit-XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        snprintf(err, errlen, "%s: cannot make a temporary folder", dir);
        return -1;
    }
    snprintf(path, sizeof path, "%s/audit.db", dir);
    rc = store_audit_export(s, path, err, errlen);
    if (rc == 0 && ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(*fd, &st) != 0)) {
        snprintf(err, errlen, "%s: cannot read the export", path);
        rc = -1;
    }
    if (rc == 0)
        *size = (uint64_t)st.st_size;
    else if (*fd >= 0)
        close(*fd);
    if (rc != 0)
        *fd = -1;
    unlink(path);
    rmdir(dir);
    return rc;
}
