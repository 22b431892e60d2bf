/* store_sqlite_vfs.c - the VFS the stores' connections open their files with
 * ("votesrv"): SQLite's own "unix" VFS, whose files say they cannot be
 * deleted while open (SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN).
 *
 * Why: at each unlock, SQLite's pager closes a rollback journal unless the
 * file system promises that nobody deletes an open file, because a
 * connection in journal_mode DELETE could unlink it while we hold it. It
 * then reopens it at the next write transaction and, the file being opened
 * with O_CREAT, syncs its folder on its first sync: per cast commit, two
 * openat and two folder syncs (one per file). With the promise, a journal in
 * TRUNCATE (or PERSIST) mode stays open from one transaction to the next:
 * created and its folder synced once per connection. What a commit writes,
 * syncs and truncates is unchanged, and so is its crash safety
 * (tests/test_crash.c, test_commit_steps).
 *
 * Keeping the promise. Every read-write connection votesrv makes (the
 * writer, votectl, the tools, through store_sqlite.c) uses TRUNCATE
 * journals, which are truncated, never deleted; readers never delete one.
 * Another program could still (sqlite3's shell writing in its default
 * DELETE mode, or a person): a journal it deleted or replaced while the
 * writer held it open would leave the writer's next journal in an unlinked
 * file, and a crash during that commit without the journal the next opener
 * needs to roll it back; worse, the deleted file still holds that program's
 * own journal, which the writer's next hot-journal probe would read through
 * its open file and "roll back", undoing a committed transaction
 * (tests/test_crash.c, test_journals_kept_open). So before each read of a
 * journal's header (the probe at a transaction's start, a rollback) and the
 * first write of each transaction to it (at offset 0 of an empty file) the
 * path is checked against the open file (one stat); if they differ, the
 * journal is opened again at its path (created if it is gone). Another SQLite
 * connection cannot change the journal between the check and its use: the
 * probe is made again under the EXCLUSIVE lock before any rollback, and a
 * write needs this connection's RESERVED lock, without which nobody writes,
 * rolls back or deletes that journal. The connection's own rollback (a
 * failed commit, a ROLLBACK after a cache spill), made while it holds at
 * least RESERVED on its database, reads the journal it wrote through its open
 * file without that check, as the unix VFS would: a path unlinked meanwhile
 * must not hand it an empty file and leave the transaction's pages in the
 * database (tests/test_crash.c, test_rollback_journal_unlinked). */
#include "store_sqlite.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>

typedef struct vfs_file {
    sqlite3_file base;
    const char *name;       /* valid until xClose (SQLite's guarantee) */
    int flags;
    int journal;            /* a main journal opened for writing: its identity is checked */
    int empty;              /* size 0 as far as this connection knows */
    dev_t dev;
    ino_t ino;
    int lock;               /* a main database: the lock level this connection holds */
    const char *db_name;    /* a journal: its database's name, as SQLite passed it */
    struct vfs_file *next;  /* a main database: the list of open ones (dbs) */
    sqlite3_file *real;     /* the unix VFS's file, right after this struct */
} vfs_file;

static sqlite3_vfs vfs;
static sqlite3_vfs *unix_vfs;
static pthread_once_t vfs_once = PTHREAD_ONCE_INIT;
static int vfs_rc = SQLITE_ERROR;
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static vfs_file *dbs;       /* the open main databases, for their journals */

#define REAL(file) (((vfs_file *)(file))->real)
/* Forward a call to the unix VFS's file; an I/O error if it could not be
 * opened again (journal_follow). */
#define FORWARD(file, method, ...)                                              \
    (REAL(file)->pMethods != NULL ? REAL(file)->pMethods->method(REAL(file), __VA_ARGS__) \
                                  : SQLITE_IOERR)

static int identity(vfs_file *f)
{
    struct stat st;

    if (stat(f->name, &st) != 0)
        return -1;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->empty = st.st_size == 0;
    return 0;
}

/* The path still names the journal this connection holds open, or is opened
 * again (created) so that this transaction's journal is where the next
 * opener looks for it. */
static int journal_follow(vfs_file *f)
{
    struct stat st;
    int out, rc;

    if (stat(f->name, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
        return SQLITE_OK;
    if (f->real->pMethods != NULL)
        f->real->pMethods->xClose(f->real);
    f->real->pMethods = NULL;
    rc = unix_vfs->xOpen(unix_vfs, f->name, f->real, f->flags | SQLITE_OPEN_CREATE, &out);
    if (rc == SQLITE_OK && (f->real->pMethods == NULL || identity(f) != 0))
        rc = SQLITE_IOERR_WRITE;
    return rc;
}

/* The lock level the journal's own connection holds on its database. */
static int journal_db_lock(const vfs_file *f)
{
    int lock = SQLITE_LOCK_NONE;

    pthread_mutex_lock(&dbs_lock);
    for (const vfs_file *d = dbs; d != NULL; d = d->next)
        if (d->name == f->db_name)
            lock = d->lock;
    pthread_mutex_unlock(&dbs_lock);
    return lock;
}

static int vf_close(sqlite3_file *file)
{
    pthread_mutex_lock(&dbs_lock);
    for (vfs_file **d = &dbs; *d != NULL; d = &(*d)->next)
        if (*d == (vfs_file *)file) {
            *d = (*d)->next;
            break;
        }
    pthread_mutex_unlock(&dbs_lock);
    int rc = REAL(file)->pMethods != NULL ? REAL(file)->pMethods->xClose(REAL(file)) : SQLITE_OK;

    REAL(file)->pMethods = NULL;
    return rc;
}

static int vf_read(sqlite3_file *file, void *buf, int n, sqlite3_int64 off)
{
    vfs_file *f = (vfs_file *)file;
    int rc;

    /* the hot-journal probe at each transaction's start reads the first
     * byte: of the journal at the path, not of one deleted since; the
     * connection's own rollback reads the journal it wrote */
    if (f->journal && off == 0 && journal_db_lock(f) < SQLITE_LOCK_RESERVED &&
        (rc = journal_follow(f)) != SQLITE_OK)
        return rc;
    return FORWARD(file, xRead, buf, n, off);
}

static int vf_write(sqlite3_file *file, const void *buf, int n, sqlite3_int64 off)
{
    vfs_file *f = (vfs_file *)file;
    int rc;

    if (f->journal && f->empty && off == 0 && (rc = journal_follow(f)) != SQLITE_OK)
        return rc;
    rc = FORWARD(file, xWrite, buf, n, off);
    if (rc == SQLITE_OK)
        f->empty = 0;
    return rc;
}

static int vf_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    int rc = FORWARD(file, xTruncate, size);

    if (rc == SQLITE_OK && size == 0)
        ((vfs_file *)file)->empty = 1;
    return rc;
}

static int vf_sync(sqlite3_file *file, int flags) { return FORWARD(file, xSync, flags); }

static int vf_size(sqlite3_file *file, sqlite3_int64 *size) { return FORWARD(file, xFileSize, size); }

static int vf_lock(sqlite3_file *file, int lock)
{
    int rc = FORWARD(file, xLock, lock);

    if (rc == SQLITE_OK) {
        pthread_mutex_lock(&dbs_lock);
        ((vfs_file *)file)->lock = lock;
        pthread_mutex_unlock(&dbs_lock);
    }
    return rc;
}

static int vf_unlock(sqlite3_file *file, int lock)
{
    int rc = FORWARD(file, xUnlock, lock);

    pthread_mutex_lock(&dbs_lock);
    if (((vfs_file *)file)->lock > lock)
        ((vfs_file *)file)->lock = lock;
    pthread_mutex_unlock(&dbs_lock);
    return rc;
}

static int vf_reserved(sqlite3_file *file, int *out) { return FORWARD(file, xCheckReservedLock, out); }

static int vf_control(sqlite3_file *file, int op, void *arg) { return FORWARD(file, xFileControl, op, arg); }

static int vf_sector(sqlite3_file *file)
{
    return REAL(file)->pMethods != NULL ? REAL(file)->pMethods->xSectorSize(REAL(file)) : 4096;
}

/* The point of this VFS (see the head of this file). */
static int vf_device(sqlite3_file *file)
{
    return (REAL(file)->pMethods != NULL
                ? REAL(file)->pMethods->xDeviceCharacteristics(REAL(file)) : 0) |
           SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN;
}

static int vf_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **p)
{
    return FORWARD(file, xShmMap, page, size, extend, p);
}

static int vf_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    return FORWARD(file, xShmLock, offset, n, flags);
}

static void vf_shm_barrier(sqlite3_file *file)
{
    if (REAL(file)->pMethods != NULL)
        REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int vf_shm_unmap(sqlite3_file *file, int delete) { return FORWARD(file, xShmUnmap, delete); }

static int vf_fetch(sqlite3_file *file, sqlite3_int64 off, int n, void **p)
{
    *p = NULL;
    return REAL(file)->pMethods != NULL && REAL(file)->pMethods->iVersion >= 3
               ? REAL(file)->pMethods->xFetch(REAL(file), off, n, p) : SQLITE_OK;
}

static int vf_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
    return REAL(file)->pMethods != NULL && REAL(file)->pMethods->iVersion >= 3
               ? REAL(file)->pMethods->xUnfetch(REAL(file), off, p) : SQLITE_OK;
}

static const sqlite3_io_methods vf_methods = {
    .iVersion = 3,
    .xClose = vf_close,
    .xRead = vf_read,
    .xWrite = vf_write,
    .xTruncate = vf_truncate,
    .xSync = vf_sync,
    .xFileSize = vf_size,
    .xLock = vf_lock,
    .xUnlock = vf_unlock,
    .xCheckReservedLock = vf_reserved,
    .xFileControl = vf_control,
    .xSectorSize = vf_sector,
    .xDeviceCharacteristics = vf_device,
    .xShmMap = vf_shm_map,
    .xShmLock = vf_shm_lock,
    .xShmBarrier = vf_shm_barrier,
    .xShmUnmap = vf_shm_unmap,
    .xFetch = vf_fetch,
    .xUnfetch = vf_unfetch,
};

static int vfs_open(sqlite3_vfs *v, const char *name, sqlite3_file *file, int flags, int *out)
{
    vfs_file *f = (vfs_file *)file;
    int rc;

    (void)v;
    f->name = name;
    f->flags = flags;
    f->journal = 0;
    f->empty = 0;
    f->lock = SQLITE_LOCK_NONE;
    f->db_name = NULL;
    f->next = NULL;
    f->real = (sqlite3_file *)&f[1];
    f->real->pMethods = NULL;
    rc = unix_vfs->xOpen(unix_vfs, name, f->real, flags, out);
    file->pMethods = f->real->pMethods != NULL ? &vf_methods : NULL;
    if (rc == SQLITE_OK && name != NULL && (flags & SQLITE_OPEN_MAIN_JOURNAL) &&
        (flags & SQLITE_OPEN_READWRITE) && identity(f) == 0) {
        f->journal = 1;
        f->db_name = sqlite3_filename_database(name);
    }
    if (rc == SQLITE_OK && file->pMethods != NULL && name != NULL &&
        (flags & SQLITE_OPEN_MAIN_DB)) {
        pthread_mutex_lock(&dbs_lock);
        f->next = dbs;
        dbs = f;
        pthread_mutex_unlock(&dbs_lock);
    }
    return rc;
}

static int vfs_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return unix_vfs->xDelete(unix_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return unix_vfs->xAccess(unix_vfs, name, flags, out);
}

static int vfs_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return unix_vfs->xFullPathname(unix_vfs, name, n, out);
}

static void *vfs_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return unix_vfs->xDlOpen(unix_vfs, name);
}

static void vfs_dlerror(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    unix_vfs->xDlError(unix_vfs, n, out);
}

static void (*vfs_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return unix_vfs->xDlSym(unix_vfs, h, sym);
}

static void vfs_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    unix_vfs->xDlClose(unix_vfs, h);
}

static int vfs_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return unix_vfs->xRandomness(unix_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return unix_vfs->xSleep(unix_vfs, us);
}

static int vfs_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return unix_vfs->xCurrentTime(unix_vfs, out);
}

static int vfs_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return unix_vfs->xGetLastError(unix_vfs, n, out);
}

static int vfs_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return unix_vfs->xCurrentTimeInt64(unix_vfs, out);
}

static void vfs_init(void)
{
    if ((unix_vfs = sqlite3_vfs_find("unix")) == NULL || unix_vfs->iVersion < 2)
        return;
    vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(sizeof(vfs_file) + (size_t)unix_vfs->szOsFile),
        .mxPathname = unix_vfs->mxPathname,
        .zName = SQ_VFS_NAME,
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full,
        .xDlOpen = vfs_dlopen,
        .xDlError = vfs_dlerror,
        .xDlSym = vfs_dlsym,
        .xDlClose = vfs_dlclose,
        .xRandomness = vfs_random,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_time,
        .xGetLastError = vfs_error,
        .xCurrentTimeInt64 = vfs_time64,
    };
    vfs_rc = sqlite3_vfs_register(&vfs, 0);
}

int sq_vfs_register(void)
{
    pthread_once(&vfs_once, vfs_init);
    return vfs_rc == SQLITE_OK ? STORE_OK : STORE_EIO;
}
