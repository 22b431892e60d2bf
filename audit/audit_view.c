/* audit_view.c - the audit log as the auditors' console reads it: verified
 * in short chunks from where the last view stopped, paged and filtered,
 * exported for voteaudit. */
#include "audit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_VERIFY_CPS 1024        /* checkpoints loaded a chunk at most */

/* The state the last view reached, kept for the next (one store a process;
 * another store, or another audit key, starts afresh). */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    const store *s;
    int valid;
    audit_verifier v;
    uint64_t cp_next;           /* the checkpoints from this seq are not checked yet */
} kept;

typedef struct {
    audit_verifier v;           /* the state, copied from kept at each run */
    uint64_t cp_next;
    int first, done;
    store_checkpoint *cps;      /* AUDIT_VERIFY_CPS at most */
    size_t n;
    int rows;
    store_audit_entry one;      /* store_audit_chunk(seq, 1): the entry found */
    int found;
    size_t late;                /* the checkpoint late_checkpoint checks */
} chunk_job;

static int keep_checkpoint(const store_checkpoint *c, void *arg)
{
    chunk_job *j = arg;

    j->cps[j->n++] = *c;
    return STORE_OK;
}

/* Only the chained fields are kept: enough to compare hashes, not to rehash. */
static int note_hash(const store_audit_entry *e, void *arg)
{
    chunk_job *j = arg;

    j->one.seq = e->seq;
    memcpy(j->one.hash, e->hash, sizeof j->one.hash);
    j->found = 1;
    return STORE_OK;
}

static int late_checkpoint(const store_audit_entry *e, void *arg)
{
    chunk_job *j = arg;

    j->found = 1;
    audit_verifier_late_checkpoint(&j->v, &j->cps[j->late], e);
    return STORE_OK;
}

static int verify_entry(const store_audit_entry *e, void *arg)
{
    chunk_job *j = arg;

    j->rows++;
    audit_verifier_entry(&j->v, e);
    return STORE_OK;        /* a bad entry is the verdict, not an error: read on */
}

/* Where the state kept stands: the key is the same, the last entry checked
 * is still there with the hash it had (else everything is checked again). */
static int run_resume(store_tx *tx, chunk_job *j)
{
    store_election e;
    int rc;

    if ((rc = store_election_get(tx, &e)) != STORE_OK)
        return rc;
    free(e.definition);
    if (j->first && j->v.expect_seq > 1 && memcmp(j->v.pk, e.audit_key, AUDIT_PK_BYTES) == 0) {
        j->found = 0;
        if ((rc = store_audit_chunk(tx, j->v.expect_seq - 1, 1, note_hash, j)) != STORE_OK)
            return rc;
        if (j->found && j->one.seq == j->v.expect_seq - 1 &&
            sodium_memcmp(j->one.hash, j->v.prev, AUDIT_HASH_BYTES) == 0)
            return STORE_OK;
    }
    if (memcmp(j->v.pk, e.audit_key, AUDIT_PK_BYTES) != 0 || j->v.expect_seq != 1) {
        audit_verifier_init(&j->v, e.audit_key, NULL, 0);
        j->cp_next = 1;
    }
    return STORE_OK;
}

/* One chunk, in its own read: the checkpoints stored since the last chunk
 * (those of entries already chained checked alone, against the entry as it
 * is now), then up to AUDIT_VERIFY_CHUNK entries. The checkpoints checked
 * are those before cp_next: if the store has more there, one came late
 * (signed after a crash, at start) and they are all checked again. */
static int run_chunk(store_tx *tx, void *arg)
{
    chunk_job *j = arg;
    size_t late = 0;
    int rc, full = 0, limit = AUDIT_VERIFY_CHUNK;

    pthread_mutex_lock(&kept_lock);         /* a job run again starts afresh */
    j->v = kept.v;
    j->cp_next = kept.cp_next;
    pthread_mutex_unlock(&kept_lock);
    j->n = 0;
    j->rows = 0;
    j->done = 0;
    if (j->first && (rc = run_resume(tx, j)) != STORE_OK)
        return rc;
    if (j->v.failed) {
        j->done = 1;
        return STORE_OK;
    }
    if (j->first) {             /* one stored since below a checkpoint checked: all again */
        uint64_t below;

        if ((rc = store_checkpoints_count(tx, j->cp_next, &below)) != STORE_OK)
            return rc;
        if (below != j->v.checkpoints_ok) {
            j->cp_next = 1;
            j->v.checkpoints_ok = 0;
        }
    }
    if ((rc = store_checkpoints_from(tx, j->cp_next, AUDIT_VERIFY_CPS, keep_checkpoint, j)) !=
        STORE_OK)
        return rc;
    if (j->n == AUDIT_VERIFY_CPS) {     /* maybe more: no entry past the last one loaded */
        uint64_t last = j->cps[j->n - 1].seq;

        full = 1;
        if (last < j->v.expect_seq)
            limit = 0;
        else if (last - j->v.expect_seq + 1 < (uint64_t)limit)
            limit = (int)(last - j->v.expect_seq + 1);
    }
    for (; late < j->n && j->cps[late].seq < j->v.expect_seq; late++) {
        j->found = 0;
        j->late = late;
        if ((rc = store_audit_chunk(tx, j->cps[late].seq, 1, late_checkpoint, j)) != STORE_OK)
            return rc;
        if (!j->found)
            audit_verifier_late_checkpoint(&j->v, &j->cps[late], NULL);
        j->cp_next = j->cps[late].seq + 1;
    }
    audit_verifier_resume(&j->v, j->cps + late, j->n - late);
    if (!j->v.failed && limit > 0 &&
        (rc = store_audit_chunk(tx, j->v.expect_seq, limit, verify_entry, j)) != STORE_OK)
        return rc;
    if (j->v.next_cp > 0)
        j->cp_next = j->v.cps[j->v.next_cp - 1].seq + 1;
    if (j->v.failed || (!full && j->rows < AUDIT_VERIFY_CHUNK)) {
        audit_verifier_finish(&j->v);       /* in the snapshot that saw the end */
        j->done = 1;
    }
    j->v.cps = NULL;
    j->v.ncps = j->v.next_cp = 0;
    return STORE_OK;
}

int audit_log_verify(store *s, audit_verifier *v)
{
    static pthread_mutex_t one_view = PTHREAD_MUTEX_INITIALIZER;
    chunk_job j = { .first = 1 };
    int rc = STORE_OK;

    if ((j.cps = calloc(AUDIT_VERIFY_CPS, sizeof *j.cps)) == NULL)
        return STORE_ENOMEM;
    pthread_mutex_lock(&one_view);          /* two views would check the same entries */
    pthread_mutex_lock(&kept_lock);
    if (kept.s != s || !kept.valid) {
        memset(&kept, 0, sizeof kept);
        kept.s = s;
        kept.valid = 1;
        kept.cp_next = 1;
    }
    pthread_mutex_unlock(&kept_lock);
    while (!j.done) {
        if ((rc = store_read(s, run_chunk, &j)) != STORE_OK)
            break;
        pthread_mutex_lock(&kept_lock);
        kept.v = j.v;
        kept.cp_next = j.cp_next;
        pthread_mutex_unlock(&kept_lock);
        j.first = 0;
    }
    pthread_mutex_lock(&kept_lock);
    *v = kept.v;
    pthread_mutex_unlock(&kept_lock);
    pthread_mutex_unlock(&one_view);
    free(j.cps);
    return rc;
}

void audit_log_verify_reset(void)
{
    pthread_mutex_lock(&kept_lock);
    kept.valid = 0;
    pthread_mutex_unlock(&kept_lock);
}

static int run_page(store_tx *tx, void *arg)
{
    audit_log_query *q = arg;

    return store_audit_page(tx, &q->f, q->limit, q->fn, q->arg);
}

int audit_log_page(store *s, audit_log_query *q)
{
    return store_read(s, run_page, q);
}

int audit_log_export(store *s, int *fd, uint64_t *size, char *err, size_t errlen)
{
    return store_audit_export_fd(s, fd, size, err, errlen);
}
