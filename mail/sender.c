/* sender.c - delivery of the outbox: through SMTP with libcurl, or to the
 * file transport's folder (file.c). */
#include "mail_internal.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store/store.h"

typedef struct {
    int64_t id;
    char *to;
    uint8_t *msg;
    size_t len;
    int attempts;
} pending;

typedef struct {
    const mail_ctx *m;
    pending items[MAIL_BATCH];
    int n;
} batch_read;

/* Decrypt one due message into the batch. */
static int collect(const store_mail *sm, void *arg)
{
    batch_read *b = arg;
    pending *p = &b->items[b->n];
    size_t clen;

    clen = sm->len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES
               ? 0 : sm->len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    p->msg = malloc(clen + 1);
    p->to = strdup(sm->recipient);
    p->len = 0;
    b->n++;                                     /* drop_batch frees what was allocated */
    if (p->msg == NULL || p->to == NULL)
        return STORE_ENOMEM;
    p->id = sm->id;
    p->len = clen;
    if (crypto_secretbox_open_easy(p->msg, sm->message + crypto_secretbox_NONCEBYTES,
                                   sm->len - crypto_secretbox_NONCEBYTES, sm->message,
                                   b->m->outbox_key) != 0)
        p->len = 0;                             /* undecryptable: fails for good below */
    p->attempts = sm->attempts;
    return 0;
}

typedef struct {
    int64_t now;
    batch_read *b;
} due_job;

static void drop_batch(batch_read *b)
{
    for (int i = 0; i < b->n; i++) {
        if (b->items[i].msg != NULL)
            sodium_memzero(b->items[i].msg, b->items[i].len);
        free(b->items[i].msg);
        free(b->items[i].to);
    }
    b->n = 0;
}

/* Claim a batch, so that no other node's sender takes it before the lease
 * ends. A write job can run twice (the store reconnecting after a failover):
 * it starts from an empty batch. */
static int run_claim(store_tx *tx, void *arg)
{
    due_job *j = arg;

    drop_batch(j->b);
    return store_outbox_claim(tx, j->now, MAIL_LEASE_S, MAIL_BATCH, collect, j->b);
}

typedef struct {
    pending *p;
    int *outcome;          /* 0 sent, else failed (1 retry, 2 permanent) */
    char (*errors)[160];
    int n;
    int64_t now;
} mark_job;

/* A relay's reply often quotes the address ("550 <x@y>: unknown user"): the
 * stored error keeps the reply, each word holding an '@' replaced. */
static void append(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    n = n < cap - 1 - *o ? n : cap - 1 - *o;
    memcpy(out + *o, s, n);
    *o += n;
}

static void redact_addresses(char *e)
{
    char out[160];
    size_t o = 0;

    for (const char *p = e; *p;) {
        size_t n = strcspn(p, " \t<>()[],;:\"'");

        if (memchr(p, '@', n) != NULL)
            append(out, sizeof out, &o, "(address)", 9);
        else
            append(out, sizeof out, &o, p, n);
        if (p[n] != '\0')
            append(out, sizeof out, &o, p + n, 1);
        p += n + (p[n] != '\0');
    }
    out[o] = '\0';
    memcpy(e, out, o + 1);
}

static int run_mark(store_tx *tx, void *arg)
{
    mark_job *j = arg;

    for (int i = 0; i < j->n; i++) {
        int rc, attempts = j->p[i].attempts + 1;

        if (j->outcome[i] == 0) {
            rc = store_outbox_sent(tx, j->p[i].id);
        } else {
            int permanent = j->outcome[i] == 2 || attempts >= MAIL_MAX_ATTEMPTS;
            int64_t wait = (int64_t)30 << (attempts < 7 ? attempts : 7);

            redact_addresses(j->errors[i]);
            rc = store_outbox_retry(tx, j->p[i].id, j->now + wait, j->errors[i], permanent);
        }
        if (rc != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

/* stop: when it becomes set, the messages of the batch not yet handed to
 * the relay are left (claimed: tried again once their lease ends), so that a
 * stop waits for one message at most, not a whole batch. */
static int deliver_due(store *s, const mail_ctx *m, int64_t now, atomic_int *stop,
                       unsigned *sent, unsigned *failed)
{
    batch_read b = { .m = m, .n = 0 };
    due_job dj = { now, &b };
    int outcome[MAIL_BATCH], rc;
    char errors[MAIL_BATCH][160];
    mark_job mj = { b.items, outcome, errors, 0, now };
    CURL *c;

    *sent = *failed = 0;
    rc = store_write(s, run_claim, &dj);
    if (b.n == 0 || rc != STORE_OK) {
        drop_batch(&b);
        return rc;
    }
    c = m->transport == NULL && m->cfg.transport == MAIL_TRANSPORT_SMTP ? curl_easy_init() : NULL;
    for (int i = 0; i < b.n; i++) {
        if (stop != NULL && atomic_load(stop))
            break;
        mj.n = i + 1;
        errors[i][0] = '\0';
        if (b.items[i].len == 0) {
            snprintf(errors[i], sizeof errors[i], "stored message cannot be decrypted");
            outcome[i] = 2;
        } else if (m->transport != NULL) {
            outcome[i] = m->transport(m->transport_cls, b.items[i].to, b.items[i].msg,
                                      b.items[i].len, errors[i], sizeof errors[i]);
        } else {
            outcome[i] = mail_send(c, m, b.items[i].to, b.items[i].msg, b.items[i].len,
                                   errors[i], sizeof errors[i]);
        }
        if (outcome[i] < 0 || outcome[i] > 2)
            outcome[i] = 1;
        if (outcome[i] == 0)
            (*sent)++;
        else
            (*failed)++;
    }
    if (c != NULL)
        curl_easy_cleanup(c);
    rc = mj.n > 0 ? store_write(s, run_mark, &mj) : STORE_OK;
    drop_batch(&b);
    return rc;
}

int mail_deliver_due(store *s, const mail_ctx *m, int64_t now, unsigned *sent, unsigned *failed)
{
    return deliver_due(s, m, now, NULL, sent, failed);
}

void mail_transport_set(mail_ctx *m, mail_transport fn, void *cls)
{
    m->transport = fn;
    m->transport_cls = cls;
    if (fn != NULL)                 /* the transport holds the relay's password */
        sodium_memzero(m->cfg.password, sizeof m->cfg.password);
}

struct mail_sender {
    store *s;
    const mail_ctx *m;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int stop;             /* read between messages without the lock */
};

static void *sender_main(void *arg)
{
    mail_sender *ms = arg;

    pthread_mutex_lock(&ms->lock);
    while (!ms->stop) {
        unsigned sent, failed;
        struct timespec until;

        pthread_mutex_unlock(&ms->lock);
        do {
            if (deliver_due(ms->s, ms->m, (int64_t)time(NULL), &ms->stop, &sent, &failed) != 0)
                break;
        } while (sent + failed == MAIL_BATCH && !atomic_load(&ms->stop));
        pthread_mutex_lock(&ms->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!ms->stop)
            pthread_cond_timedwait(&ms->wake, &ms->lock, &until);
    }
    pthread_mutex_unlock(&ms->lock);
    return NULL;
}

mail_sender *mail_sender_start(store *s, const mail_ctx *m)
{
    mail_sender *ms = calloc(1, sizeof *ms);

    if (ms == NULL)
        return NULL;
    ms->s = s;
    ms->m = m;
    pthread_mutex_init(&ms->lock, NULL);
    pthread_cond_init(&ms->wake, NULL);
    if (pthread_create(&ms->thread, NULL, sender_main, ms) != 0) {
        free(ms);
        return NULL;
    }
    return ms;
}

void mail_sender_ask_stop(mail_sender *ms)
{
    if (ms == NULL)
        return;
    pthread_mutex_lock(&ms->lock);
    atomic_store(&ms->stop, 1);
    pthread_cond_signal(&ms->wake);
    pthread_mutex_unlock(&ms->lock);
}

void mail_sender_stop(mail_sender *ms)
{
    if (ms == NULL)
        return;
    mail_sender_ask_stop(ms);
    pthread_join(ms->thread, NULL);
    pthread_mutex_destroy(&ms->lock);
    pthread_cond_destroy(&ms->wake);
    free(ms);
}
