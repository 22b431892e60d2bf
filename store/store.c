/* store.c - the writer thread (group commit), the read pool, and the
 * ballot box's dispatch to the backend. */
#include "store_backend.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STORE_BATCH_MAX 256
#define STORE_READERS_DEFAULT 4
/* How long the store keeps trying to reach a server that takes writes after
 * losing its own (a failover), and how often. */
#define STORE_FAILOVER_S 60
#define STORE_RECONNECT_POLL_US 100000
/* How long the writer, holding queued jobs, waits at most for the writes
 * announced with store_write_expect before it commits without them, unless
 * store_write_gather_set says otherwise. */
#define STORE_GATHER_US 10000

typedef struct job {
    store_job fn;
    void *arg;
    int result;
    int done;
    int detached;            /* nobody waits: the writer frees it (arg follows) */
    struct job *next;
    struct job *after;       /* detached jobs to run once this one has committed */
} job;

static void after_free(job *j)
{
    while (j->after != NULL) {
        job *a = j->after;

        j->after = a->next;
        free(a);
    }
}

struct store {
    const store_backend *b;
    store_conn *writer;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t queued, finished, reader_free;
    job *head, *tail;
    int stopping;
    /* Writes announced (store_write_expect), not queued yet, by the parity
     * of the batch count when they were: a batch waits for those announced
     * before it was taken, not for those that keep coming after. */
    int expected[2];
    unsigned batches;
    long gather_us;          /* the longest wait for them */
    store_conn **readers;
    int *reader_busy;
    int nreaders;
    store_error_fn on_error;
};

/* Run a batch of jobs in one transaction; each in its own savepoint. 0 if
 * it committed; else every job's result is STORE_EIO and why says why.
 * after: the jobs queued by store_after_commit (begin_after). */
static int try_batch(store *s, job **batch, int n, int after, char *why, size_t whylen)
{
    store_tx tx = { s->b, s->writer, NULL };
    int failed = (after && s->b->begin_after != NULL ? s->b->begin_after(s->writer)
                                                      : s->b->begin(s->writer)) != STORE_OK;

    why[0] = '\0';
    for (int i = 0; i < n; i++)
        after_free(batch[i]);           /* a batch run again queues them again */
    for (int i = 0; i < n && !failed; i++) {
        if (s->b->savepoint(s->writer) != STORE_OK) {
            failed = 1;
            break;
        }
        tx.cur = batch[i];
        batch[i]->result = batch[i]->fn(&tx, batch[i]->arg);
        if (batch[i]->result != STORE_OK)
            after_free(batch[i]);       /* rolled back: nothing to follow it */
        if (batch[i]->result == STORE_EIO && why[0] == '\0')
            snprintf(why, whylen, "%s", s->b->errmsg(s->writer));
        if (batch[i]->result == STORE_OK)
            failed = s->b->release(s->writer) != STORE_OK;
        else
            failed = s->b->rollback_to(s->writer) != STORE_OK ||
                     s->b->release(s->writer) != STORE_OK;
    }
    if (!failed)
        failed = s->b->commit(s->writer) != STORE_OK;
    if (failed) {
        if (why[0] == '\0')
            snprintf(why, whylen, "%s", s->b->errmsg(s->writer));
        s->b->rollback(s->writer);
        for (int i = 0; i < n; i++) {
            batch[i]->result = STORE_EIO;   /* nothing of this batch is durable */
            after_free(batch[i]);
        }
    }
    return failed;
}

/* The jobs the batch's jobs queued with store_after_commit, in more
 * transactions of at most STORE_BATCH_MAX jobs each (a job may queue several:
 * a cast its receipt and a checkpoint), before anyone waiting on the batch is
 * woken. What they add is best effort: if they fail, the next start repairs
 * (see audit); none is dropped for want of room. */
static void run_after(store *s, job **batch, int n)
{
    job *after[STORE_BATCH_MAX];
    char why[160];
    int i = 0;

    for (;;) {
        int m = 0;

        while (i < n && m < STORE_BATCH_MAX) {
            job *a = batch[i]->after;

            if (a == NULL) {
                i++;
                continue;
            }
            batch[i]->after = a->next;
            a->next = NULL;
            after[m++] = a;
        }
        if (m == 0)
            return;
        try_batch(s, after, m, 1, why, sizeof why);
        if (s->b->begin_after != NULL) {
            /* a deferred transaction's read-to-write upgrade meets another
             * process's write lock with SQLITE_BUSY at once (no busy
             * handler): the jobs that failed run again in one that waits
             * for the lock, so that a checkpoint is not lost for it */
            job *again[STORE_BATCH_MAX];
            int r = 0;

            for (int k = 0; k < m; k++)
                if (after[k]->result != STORE_OK)
                    again[r++] = after[k];
            if (r > 0)
                try_batch(s, again, r, 0, why, sizeof why);
        }
        if (why[0] != '\0' && s->on_error != NULL)
            s->on_error(why);
        for (int k = 0; k < m; k++) {
            after_free(after[k]);
            free(after[k]);
        }
    }
}

int store_after_commit(store_tx *tx, store_job fn, const void *arg, size_t arg_size)
{
    job *j;

    if (tx->cur == NULL)
        return STORE_EIO;               /* a read commits nothing */
    j = malloc(sizeof *j + arg_size);
    if (j == NULL)
        return STORE_ENOMEM;
    *j = (job){ fn, (char *)(j + 1), STORE_EIO, 0, 1, tx->cur->after, NULL };
    memcpy(j + 1, arg, arg_size);
    tx->cur->after = j;
    return STORE_OK;
}

static int conn_lost(store *s, store_conn *c)
{
    return s->b->lost != NULL && s->b->lost(c);
}

/* Connect again until a server takes the connection or the deadline passes. */
static int reconnect(store *s, store_conn *c, time_t deadline)
{
    while (s->b->reconnect(c) != STORE_OK) {
        if (time(NULL) >= deadline)
            return -1;
        usleep(STORE_RECONNECT_POLL_US);
    }
    return 0;
}

/* A batch that failed because the server went away (the primary died) is run
 * again, whole, on the server that took over: none of it was acknowledged.
 * If the connection broke during COMMIT, the first run may have been durable
 * after all; its jobs then meet their own rows (a signature, a used link) and
 * answer as for a repeated request. */
static void run_batch(store *s, job **batch, int n)
{
    time_t deadline = time(NULL) + STORE_FAILOVER_S;
    char why[160];

    while (try_batch(s, batch, n, 0, why, sizeof why) && conn_lost(s, s->writer)) {
        if (s->on_error != NULL)
            s->on_error(why);               /* the server went away */
        if (reconnect(s, s->writer, deadline) != 0)
            return;                         /* reported: the batch's jobs answer STORE_EIO */
    }
    if (why[0] != '\0' && s->on_error != NULL)
        s->on_error(why);
    run_after(s, batch, n);
}

void store_on_error(store *s, store_error_fn fn)
{
    pthread_mutex_lock(&s->lock);
    s->on_error = fn;
    pthread_mutex_unlock(&s->lock);
}

/* Move queued jobs into batch (n there already), up to STORE_BATCH_MAX; the
 * lock is held. The new count. */
static int take(store *s, job **batch, int n)
{
    while (s->head != NULL && n < STORE_BATCH_MAX) {
        batch[n++] = s->head;
        s->head = s->head->next;
    }
    if (s->head == NULL)
        s->tail = NULL;
    return n;
}

/* Group commit: the jobs queued while the last batch ran make the next
 * batch; while writes announced with store_write_expect before it was taken
 * are still on their way (casts verifying their proofs), the writer waits
 * for them, at most gather_us, so that one durable commit serves them all
 * (and takes in whatever else is queued meanwhile). */
static void *writer_main(void *arg)
{
    store *s = arg;
    job *batch[STORE_BATCH_MAX];

    pthread_mutex_lock(&s->lock);
    for (;;) {
        int n = 0, older;

        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->queued, &s->lock);
        if (s->head == NULL && s->stopping)
            break;
        n = take(s, batch, n);
        older = s->batches++ & 1;
        if (s->expected[older] > 0 && n < STORE_BATCH_MAX && !s->stopping) {
            struct timespec until;

            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += s->gather_us / 1000000;
            until.tv_nsec += s->gather_us % 1000000 * 1000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (s->expected[older] > 0 && n < STORE_BATCH_MAX && !s->stopping &&
                   pthread_cond_timedwait(&s->queued, &s->lock, &until) == 0)
                n = take(s, batch, n);
            n = take(s, batch, n);
        }
        pthread_mutex_unlock(&s->lock);
        run_batch(s, batch, n);
        pthread_mutex_lock(&s->lock);
        for (int i = 0; i < n; i++) {
            if (batch[i]->detached)
                free(batch[i]);
            else
                batch[i]->done = 1;
        }
        pthread_cond_broadcast(&s->finished);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Append j to the queue; the lock is held. -1 if the store is stopping. */
static int enqueue(store *s, job *j)
{
    if (s->stopping)
        return -1;
    if (s->tail != NULL)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->queued);
    return 0;
}

int store_write_detached(store *s, store_job fn, const void *arg, size_t arg_size)
{
    job *j = malloc(sizeof *j + arg_size);

    if (j == NULL)
        return STORE_ENOMEM;
    *j = (job){ fn, (char *)(j + 1), STORE_EIO, 0, 1, NULL, NULL };
    memcpy(j + 1, arg, arg_size);
    pthread_mutex_lock(&s->lock);
    if (enqueue(s, j) != 0) {
        pthread_mutex_unlock(&s->lock);
        free(j);
        return STORE_EIO;
    }
    pthread_mutex_unlock(&s->lock);
    return STORE_OK;
}

/* Queue fn and wait for its commit; token >= 0: it ends that
 * store_write_expect. */
static int write_wait(store *s, store_job fn, void *arg, int token)
{
    job j = { fn, arg, STORE_EIO, 0, 0, NULL, NULL };

    pthread_mutex_lock(&s->lock);
    if (token >= 0 && s->expected[token & 1] > 0)
        s->expected[token & 1]--;
    if (enqueue(s, &j) != 0) {
        pthread_mutex_unlock(&s->lock);
        return STORE_EIO;
    }
    while (!j.done)
        pthread_cond_wait(&s->finished, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return j.result;
}

int store_write(store *s, store_job fn, void *arg)
{
    return write_wait(s, fn, arg, -1);
}

int store_write_expect(store *s)
{
    int token;

    pthread_mutex_lock(&s->lock);
    token = (int)(s->batches & 1);
    s->expected[token]++;
    pthread_mutex_unlock(&s->lock);
    return token;
}

void store_write_unexpect(store *s, int token)
{
    pthread_mutex_lock(&s->lock);
    if (s->expected[token & 1] > 0 && --s->expected[token & 1] == 0)
        pthread_cond_signal(&s->queued);        /* the writer may wait no more */
    pthread_mutex_unlock(&s->lock);
}

int store_write_expected(store *s, int token, store_job fn, void *arg)
{
    return write_wait(s, fn, arg, token & 1);
}

void store_write_gather_set(store *s, long us)
{
    pthread_mutex_lock(&s->lock);
    if (us > 0)
        s->gather_us = us;
    pthread_mutex_unlock(&s->lock);
}

int store_read(store *s, store_job fn, void *arg)
{
    store_tx tx = { s->b, NULL, NULL };
    int slot = -1, rc;

    pthread_mutex_lock(&s->lock);
    while (slot < 0) {
        for (int i = 0; i < s->nreaders && slot < 0; i++)
            if (!s->reader_busy[i])
                slot = i;
        if (slot < 0)
            pthread_cond_wait(&s->reader_free, &s->lock);
    }
    s->reader_busy[slot] = 1;
    pthread_mutex_unlock(&s->lock);
    tx.c = s->readers[slot];
    rc = s->b->begin(tx.c);
    if (rc != STORE_OK && conn_lost(s, tx.c) &&
        reconnect(s, tx.c, time(NULL) + STORE_FAILOVER_S) == 0)
        rc = s->b->begin(tx.c);
    if (rc == STORE_OK) {
        rc = fn(&tx, arg);
        s->b->rollback(tx.c);  /* a read changes nothing */
    }
    pthread_mutex_lock(&s->lock);
    s->reader_busy[slot] = 0;
    pthread_cond_signal(&s->reader_free);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

store *store_open(const store_config *cfg, char *err, size_t errlen)
{
    store *s = calloc(1, sizeof *s);
    pthread_condattr_t mono;

    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->b = cfg->postgresql != NULL ? &store_backend_pg : &store_backend_sqlite;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&mono);
    pthread_condattr_setclock(&mono, CLOCK_MONOTONIC);
    pthread_cond_init(&s->queued, &mono);
    pthread_condattr_destroy(&mono);
    pthread_cond_init(&s->finished, NULL);
    pthread_cond_init(&s->reader_free, NULL);
    s->gather_us = STORE_GATHER_US;
    s->stopping = cfg->readonly;       /* read-only: no writer, every write refused */
    s->writer = cfg->readonly ? NULL : s->b->connect(cfg, 0, err, errlen);
    if (s->writer == NULL && !cfg->readonly) {
        free(s);
        return NULL;
    }
    s->nreaders = cfg->readers > 0 ? cfg->readers : STORE_READERS_DEFAULT;
    s->readers = calloc((size_t)s->nreaders, sizeof *s->readers);
    s->reader_busy = calloc((size_t)s->nreaders, sizeof *s->reader_busy);
    for (int i = 0; s->readers != NULL && s->reader_busy != NULL && i < s->nreaders; i++) {
        s->readers[i] = s->b->connect(cfg, 1, err, errlen);
        if (s->readers[i] == NULL)
            break;
    }
    if (s->readers == NULL || s->reader_busy == NULL ||
        s->readers[s->nreaders - 1] == NULL ||
        (s->writer != NULL && pthread_create(&s->thread, NULL, writer_main, s) != 0)) {
        if (s->readers == NULL || s->reader_busy == NULL)
            snprintf(err, errlen, "out of memory");
        for (int i = 0; s->readers != NULL && i < s->nreaders; i++)
            if (s->readers[i] != NULL)
                s->b->disconnect(s->readers[i]);
        if (s->writer != NULL)
            s->b->disconnect(s->writer);
        free(s->readers);
        free(s->reader_busy);
        free(s);
        return NULL;
    }
    return s;
}

static int close_store(store *s, int compact)
{
    int rc = 0;

    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->queued);
    pthread_mutex_unlock(&s->lock);
    if (s->writer != NULL)
        pthread_join(s->thread, NULL);
    for (int i = 0; i < s->nreaders; i++)
        s->b->disconnect(s->readers[i]);
    if (compact)
        rc = s->writer != NULL && s->b->compact(s->writer) == STORE_OK ? 0 : -1;
    if (s->writer != NULL)
        s->b->disconnect(s->writer);
    free(s->readers);
    free(s->reader_busy);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->queued);
    pthread_cond_destroy(&s->finished);
    pthread_cond_destroy(&s->reader_free);
    free(s);
    return rc;
}

void store_close(store *s)
{
    if (s != NULL)
        close_store(s, 0);
}

int store_close_compact(store *s)
{
    return s != NULL ? close_store(s, 1) : -1;
}

/* ---- the ballot box: each backend's own (STORE_BOX_OPS) ---- */

#define STORE_BOX_DISPATCH(name, params, args) \
    int store_##name(store_tx *tx, STORE_UNWRAP params) \
    { \
        return tx->b->name(tx->c, STORE_UNWRAP args); \
    }
STORE_BOX_OPS(STORE_BOX_DISPATCH)
