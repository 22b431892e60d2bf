/* store.c - the writer thread (group commit), the read pool, and dispatch to
 * the backend. */
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

typedef struct job {
    store_job fn;
    void *arg;
    int result;
    int done;
    int detached;            /* nobody waits: the writer frees it (arg follows) */
    struct job *next;
    struct job *after;       /* detached jobs to run once this one has committed */
} job;

struct store_tx {
    const store_backend *b;
    store_conn *c;
    job *cur;                /* the write job running (NULL in a read) */
};

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
    store_conn **readers;
    int *reader_busy;
    int nreaders;
    store_error_fn on_error;
};

/* Run a batch of jobs in one transaction; each in its own savepoint. 0 if
 * it committed; else every job's result is STORE_EIO and why says why. */
static int try_batch(store *s, job **batch, int n, char *why, size_t whylen)
{
    store_tx tx = { s->b, s->writer, NULL };
    int failed = s->b->begin(s->writer) != STORE_OK;

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
        try_batch(s, after, m, why, sizeof why);
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

    while (try_batch(s, batch, n, why, sizeof why) && conn_lost(s, s->writer)) {
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

static void *writer_main(void *arg)
{
    store *s = arg;
    job *batch[STORE_BATCH_MAX];

    pthread_mutex_lock(&s->lock);
    for (;;) {
        int n = 0;

        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->queued, &s->lock);
        if (s->head == NULL && s->stopping)
            break;
        while (s->head != NULL && n < STORE_BATCH_MAX) {
            batch[n++] = s->head;
            s->head = s->head->next;
        }
        if (s->head == NULL)
            s->tail = NULL;
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

int store_write(store *s, store_job fn, void *arg)
{
    job j = { fn, arg, STORE_EIO, 0, 0, NULL, NULL };

    pthread_mutex_lock(&s->lock);
    if (enqueue(s, &j) != 0) {
        pthread_mutex_unlock(&s->lock);
        return STORE_EIO;
    }
    while (!j.done)
        pthread_cond_wait(&s->finished, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return j.result;
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

    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->b = cfg->postgresql != NULL ? &store_backend_pg : &store_backend_sqlite;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->queued, NULL);
    pthread_cond_init(&s->finished, NULL);
    pthread_cond_init(&s->reader_free, NULL);
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

int store_like_prefix(char out[2 * STORE_QUERY_CHARS + 2], const char *query)
{
    size_t n = 0;

    if (strlen(query) > STORE_QUERY_CHARS)
        return -1;
    for (const char *p = query; *p; p++) {      /* the query is a prefix, not a pattern */
        if (*p == '%' || *p == '_' || *p == '\\')
            out[n++] = '\\';
        out[n++] = *p;
    }
    out[n++] = '%';
    out[n] = '\0';
    return 0;
}

/* ---- dispatch ---- */

#define DISPATCH(name, params, args) \
    int store_##name params { return tx->b->name args; }

DISPATCH(election_get, (store_tx *tx, store_election *e), (tx->c, e))
DISPATCH(election_put, (store_tx *tx, const store_election *e), (tx->c, e))
DISPATCH(voter_add, (store_tx *tx, store_voter *v), (tx->c, v))
DISPATCH(voters_clear, (store_tx *tx), (tx->c))
DISPATCH(voter_strike, (store_tx *tx, const char *number), (tx->c, number))
DISPATCH(voter_find, (store_tx *tx, const char *number, int64_t *id, int *struck),
         (tx->c, number, id, struck))
DISPATCH(voter_count, (store_tx *tx, uint64_t *active, uint64_t *struck),
         (tx->c, active, struck))
DISPATCH(voters_each, (store_tx *tx, store_voter_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(voters_without_auth, (store_tx *tx, uint64_t *count), (tx->c, count))
DISPATCH(voters_purge, (store_tx *tx), (tx->c))
DISPATCH(credential_add, (store_tx *tx, const char *scrutin, const uint8_t pub[32]),
         (tx->c, scrutin, pub))
DISPATCH(credential_revoke, (store_tx *tx, const char *scrutin, const uint8_t pub[32]),
         (tx->c, scrutin, pub))
DISPATCH(credential_state, (store_tx *tx, const char *scrutin, const uint8_t pub[32], int *state),
         (tx->c, scrutin, pub, state))
DISPATCH(credentials_clear, (store_tx *tx), (tx->c))
DISPATCH(binding_put, (store_tx *tx, int64_t voter, const char *scrutin,
                       const uint8_t bind[STORE_HASH_BYTES]), (tx->c, voter, scrutin, bind))
DISPATCH(binding_get, (store_tx *tx, int64_t voter, const char *scrutin,
                       uint8_t bind[STORE_HASH_BYTES]), (tx->c, voter, scrutin, bind))
DISPATCH(reissue_put, (store_tx *tx, const char *request, int64_t voter, const char *body),
         (tx->c, request, voter, body))
DISPATCH(reissue_delete, (store_tx *tx, const char *request), (tx->c, request))
DISPATCH(reissues_each, (store_tx *tx, store_reissue_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(credential_count, (store_tx *tx, uint64_t *count), (tx->c, count))
DISPATCH(ballot_count, (store_tx *tx, uint64_t *count), (tx->c, count))
DISPATCH(signature_count, (store_tx *tx, uint64_t *count), (tx->c, count))
DISPATCH(test_wipe, (store_tx *tx, uint64_t *ballots, uint64_t *signatures),
         (tx->c, ballots, signatures))
DISPATCH(audit_last, (store_tx *tx, uint64_t *seq, uint8_t hash[STORE_HASH_BYTES]),
         (tx->c, seq, hash))
DISPATCH(audit_insert, (store_tx *tx, const store_audit_entry *e), (tx->c, e))
DISPATCH(audit_count, (store_tx *tx, const char *event, uint64_t *n), (tx->c, event, n))
DISPATCH(audit_each, (store_tx *tx, uint64_t from_seq, store_audit_fn fn, void *arg),
         (tx->c, from_seq, fn, arg))
DISPATCH(checkpoint_insert, (store_tx *tx, const store_checkpoint *c), (tx->c, c))
DISPATCH(checkpoints_each, (store_tx *tx, store_checkpoint_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(access_by_email, (store_tx *tx, const char *address, store_access *a),
         (tx->c, address, a))
DISPATCH(access_by_id, (store_tx *tx, int64_t id, store_access *a), (tx->c, id, a))
DISPATCH(access_set_password, (store_tx *tx, int64_t id, const char *hash), (tx->c, id, hash))
DISPATCH(access_set_defi, (store_tx *tx, int64_t id, int question, const char *hash),
         (tx->c, id, question, hash))
DISPATCH(voter_emails, (store_tx *tx, int64_t id, store_text_fn fn, void *arg),
         (tx->c, id, fn, arg))
DISPATCH(voter_scrutins, (store_tx *tx, int64_t id, store_scrutin_fn fn, void *arg),
         (tx->c, id, fn, arg))
DISPATCH(active_voters_each, (store_tx *tx, store_id_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(voter_cards_each, (store_tx *tx, store_card_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(link_issue, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t voter,
                      int purpose, int64_t expires, int64_t now, int keep),
         (tx->c, hash, voter, purpose, expires, now, keep))
DISPATCH(link_peek, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t *voter,
                     int *purpose, int *used, int64_t *expires),
         (tx->c, hash, voter, purpose, used, expires))
DISPATCH(link_consume, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t now,
                        int64_t *voter, int *purpose), (tx->c, hash, now, voter, purpose))
DISPATCH(session_insert, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t voter,
                          int64_t now), (tx->c, hash, voter, now))
DISPATCH(session_get, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t *voter,
                       int64_t *created, int64_t *last_seen),
         (tx->c, hash, voter, created, last_seen))
DISPATCH(session_touch, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t now),
         (tx->c, hash, now))
DISPATCH(staff_add, (store_tx *tx, const store_staff *s), (tx->c, s))
DISPATCH(staff_get, (store_tx *tx, const char *login, store_staff *s), (tx->c, login, s))
DISPATCH(staff_by_session, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], store_staff *s),
         (tx->c, hash, s))
DISPATCH(staff_totp_use, (store_tx *tx, const char *login, uint64_t step), (tx->c, login, step))
DISPATCH(staff_password_set, (store_tx *tx, const char *login, const char *password_hash),
         (tx->c, login, password_hash))
DISPATCH(staff_session_set, (store_tx *tx, const char *login,
                             const uint8_t hash[STORE_HASH_BYTES], int64_t now),
         (tx->c, login, hash, now))
DISPATCH(staff_session_touch, (store_tx *tx, const char *login, int64_t now),
         (tx->c, login, now))
DISPATCH(staff_each, (store_tx *tx, store_text_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(voter_search, (store_tx *tx, const char *query, int limit, store_card_fn fn, void *arg),
         (tx->c, query, limit, fn, arg))
DISPATCH(session_delete, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES]), (tx->c, hash))
DISPATCH(sessions_delete_voter, (store_tx *tx, int64_t voter), (tx->c, voter))
DISPATCH(sessions_delete_others, (store_tx *tx, int64_t voter,
                                  const uint8_t keep[STORE_HASH_BYTES]), (tx->c, voter, keep))
DISPATCH(throttle_get, (store_tx *tx, const char *key, store_throttle *t), (tx->c, key, t))
DISPATCH(throttle_put, (store_tx *tx, const char *key, const store_throttle *t),
         (tx->c, key, t))
DISPATCH(nonce_use, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES], int64_t expires),
         (tx->c, hash, expires))
DISPATCH(outbox_insert, (store_tx *tx, const char *recipient, const uint8_t *message,
                         size_t len, int64_t now), (tx->c, recipient, message, len, now))
DISPATCH(outbox_claim, (store_tx *tx, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                        void *arg), (tx->c, now, lease, limit, fn, arg))
DISPATCH(outbox_sent, (store_tx *tx, int64_t id), (tx->c, id))
DISPATCH(outbox_retry, (store_tx *tx, int64_t id, int64_t next, const char *error,
                        int permanent), (tx->c, id, next, error, permanent))
DISPATCH(outbox_count, (store_tx *tx, const char *state, uint64_t *n), (tx->c, state, n))
DISPATCH(document_put, (store_tx *tx, const char *kind, int64_t holder, const char *body),
         (tx->c, kind, holder, body))
DISPATCH(document_get, (store_tx *tx, const char *kind, int64_t holder, char **body),
         (tx->c, kind, holder, body))
DISPATCH(documents_each, (store_tx *tx, const char *kind, store_document_fn fn, void *arg),
         (tx->c, kind, fn, arg))
DISPATCH(documents_clear, (store_tx *tx, const char *kind), (tx->c, kind))
DISPATCH(document_delete, (store_tx *tx, const char *kind, int64_t holder), (tx->c, kind, holder))
DISPATCH(credentials_each, (store_tx *tx, store_cred_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(signatures_each, (store_tx *tx, store_signature_fn fn, void *arg), (tx->c, fn, arg))
DISPATCH(voter_eligible, (store_tx *tx, int64_t voter, const char *scrutin, int *eligible), (tx->c, voter, scrutin, eligible))
DISPATCH(signature_exists, (store_tx *tx, int64_t voter, const char *scrutin, int *exists), (tx->c, voter, scrutin, exists))
DISPATCH(signature_add, (store_tx *tx, int64_t voter, const char *scrutin), (tx->c, voter, scrutin))
DISPATCH(credential_use, (store_tx *tx, const char *scrutin, const uint8_t pub[32]), (tx->c, scrutin, pub))
DISPATCH(alpha_add, (store_tx *tx, const uint8_t hash[STORE_HASH_BYTES]), (tx->c, hash))
DISPATCH(box_reserve, (store_tx *tx, const char *scrutin, size_t payload), (tx->c, scrutin, payload))
DISPATCH(ballot_add, (store_tx *tx, const uint8_t tracker[STORE_HASH_BYTES], const char *scrutin,
                     const char *body, const uint8_t *wire, size_t wirelen),
         (tx->c, tracker, scrutin, body, wire, wirelen))
DISPATCH(ballots_wire, (store_tx *tx, const char *scrutin, const uint8_t *after, int limit,
                        store_wire_fn fn, void *arg), (tx->c, scrutin, after, limit, fn, arg))
DISPATCH(ballot_get, (store_tx *tx, const uint8_t tracker[STORE_HASH_BYTES],
                     char scrutin[STORE_SCRUTIN_CHARS + 1], char **body), (tx->c, tracker, scrutin, body))
DISPATCH(ballots_page, (store_tx *tx, const char *scrutin, const uint8_t *after, int limit,
                       store_ballot_fn fn, void *arg), (tx->c, scrutin, after, limit, fn, arg))
DISPATCH(box_state_get, (store_tx *tx, const char *scrutin, uint64_t *count, uint8_t digest[32]), (tx->c, scrutin, count, digest))
DISPATCH(box_state_put, (store_tx *tx, const char *scrutin, uint64_t count,
                        const uint8_t digest[32]), (tx->c, scrutin, count, digest))
DISPATCH(turnout_each, (store_tx *tx, store_turnout_fn fn, void *arg), (tx->c, fn, arg))
