/* store_backup.c - the SQLite store copied while the daemon runs
 * (votectl backup), and a copy's files checked (votectl restore).
 *
 * Both files come from one read transaction: one read-only connection opens
 * the registry, attaches the box, and takes its SHARED lock on each (in the
 * order the writer's commit locks them: registry, then box); then SQLite's
 * online backup API copies each schema whole, in one sqlite3_backup_step(-1),
 * into a new file. The stores use rollback journals (store_sqlite.c), so no
 * other connection can commit while these locks are held: the backup cannot
 * be restarted by a write, and the copies are the same snapshot. The daemon's
 * writer meanwhile builds its next group commit and then waits, at COMMIT, for
 * the locks to go (its busy handler polls for BUSY_TIMEOUT_MS): that wait is
 * the pause casting sees, *hold_s. The copies are written without syncing
 * while the locks are held, and synced after. */
#include <sqlite3.h>
#include "store.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BACKUP_BUSY_MS 30000
#define BACKUP_BOX_WAIT_MS 100

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, db != NULL ? sqlite3_errmsg(db) : "out of memory");
    return -1;
}

static int file_sync(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;

    if (fd >= 0)
        close(fd);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot sync", path);
    return rc;
}

/* Copy schema `name` of src into a new file at path (which must not exist). */
static int copy_schema(sqlite3 *src, const char *name, const char *path, char *err,
                       size_t errlen)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b;
    int rc;

    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_EXCLUSIVE, NULL) != SQLITE_OK ||
        sqlite3_exec(dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL,
                     NULL) != SQLITE_OK) {
        fail(dst, path, err, errlen);
        sqlite3_close(dst);
        return -1;
    }
    if ((b = sqlite3_backup_init(dst, "main", src, name)) == NULL) {
        fail(dst, path, err, errlen);
        sqlite3_close(dst);
        return -1;
    }
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: backup of %s: %s", path, name, sqlite3_errstr(rc));
        sqlite3_close(dst);
        return -1;
    }
    return sqlite3_close(dst) == SQLITE_OK ? 0 : fail(NULL, path, err, errlen);
}

/* The read transaction: SHARED on the registry (waiting for a commit in
 * flight), then on the box. The box's lock is never waited for long while
 * the registry's is held: a writer that already holds the box exclusively
 * (a cache spill) would wait for ours on the registry; let go and try again. */
static int read_locks(sqlite3 *src)
{
    for (int attempt = 0; attempt < BACKUP_BUSY_MS / BACKUP_BOX_WAIT_MS; attempt++) {
        int rc;

        sqlite3_busy_timeout(src, BACKUP_BUSY_MS);
        if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM main.sqlite_master", NULL, NULL,
                         NULL) != SQLITE_OK)
            return -1;
        sqlite3_busy_timeout(src, BACKUP_BOX_WAIT_MS);
        rc = sqlite3_exec(src, "SELECT count(*) FROM box.sqlite_master", NULL, NULL, NULL);
        sqlite3_busy_timeout(src, BACKUP_BUSY_MS);
        if (rc == SQLITE_OK)
            return 0;
        sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY)
            return -1;
        usleep(BACKUP_BOX_WAIT_MS * 1000);
    }
    return -1;
}

int store_backup_copy(const store_config *cfg, const char *registry_out, const char *box_out,
                      double *hold_s, char *err, size_t errlen)
{
    sqlite3 *src = NULL;
    char *attach = NULL;
    double t0 = 0;
    int rc = -1;

    *hold_s = 0;
    if (cfg->postgresql != NULL) {
        snprintf(err, errlen, "the store is PostgreSQL: no SQLite files to copy");
        return -1;
    }
    if (store_restore_pending(cfg->registry_path, err, errlen))
        return -1;
    if (sqlite3_open_v2(cfg->registry_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(src, BACKUP_BUSY_MS) != SQLITE_OK ||
        (attach = sqlite3_mprintf("ATTACH DATABASE %Q AS box", cfg->ballot_box_path)) == NULL ||
        sqlite3_exec(src, attach, NULL, NULL, NULL) != SQLITE_OK) {
        fail(src, cfg->registry_path, err, errlen);
        goto out;
    }
    if (read_locks(src) != 0) {
        fail(src, "read transaction", err, errlen);
        goto out;
    }
    t0 = now_s();
    rc = copy_schema(src, "main", registry_out, err, errlen) != 0 ||
         copy_schema(src, "box", box_out, err, errlen) != 0 ? -1 : 0;
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    *hold_s = now_s() - t0;
    if (rc == 0)
        rc = file_sync(registry_out, err, errlen) != 0 ||
             file_sync(box_out, err, errlen) != 0 ? -1 : 0;
out:
    sqlite3_free(attach);
    sqlite3_close(src);
    return rc;
}

int store_restore_pending(const char *registry_path, char *err, size_t errlen)
{
    char path[4096];

    snprintf(path, sizeof path, "%s" STORE_RESTORE_PENDING, registry_path);
    if (access(path, F_OK) != 0)
        return 0;
    snprintf(err, errlen, "%s: a votectl restore was interrupted (%s is there): the registry "
             "and the box may be from different times; run the restore again", registry_path,
             path);
    return 1;
}

int store_file_check(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
        fail(db, path, err, errlen);
    } else if (sqlite3_step(st) != SQLITE_ROW) {
        fail(db, path, err, errlen);
    } else {
        const char *r = (const char *)sqlite3_column_text(st, 0);

        if (r != NULL && strcmp(r, "ok") == 0)
            rc = 0;
        else
            snprintf(err, errlen, "%s: integrity check: %s", path, r != NULL ? r : "?");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
