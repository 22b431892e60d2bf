/* queue.c - messages queued in the store's outbox, encrypted at rest; the
 * outbox's figures. */
#include "mail_internal.h"

#include <stdlib.h>
#include "store/store.h"

int mail_queue_tx(store_tx *tx, const mail_ctx *m, mail_kind kind, const char *lang,
                  const char *to, const char *const *vars, int64_t now)
{
    size_t len;
    char *msg = mail_compose(m, kind, lang, to, vars, &len);
    uint8_t *box;
    int rc;

    if (msg == NULL)
        return STORE_ENOMEM;
    box = malloc(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len);
    if (box == NULL) {
        sodium_memzero(msg, len);
        free(msg);
        return STORE_ENOMEM;
    }
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const uint8_t *)msg, len, box,
                          m->outbox_key);
    sodium_memzero(msg, len);
    free(msg);
    rc = store_outbox_insert(tx, to, box,
                             crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len, now);
    free(box);
    return rc;
}

typedef struct {
    int64_t now;
    store_outbox_figures *f;
} stats_job;

static int run_stats(store_tx *tx, void *arg)
{
    stats_job *j = arg;

    return store_outbox_stats(tx, j->now, j->f);
}

mail_outbox_verdict mail_outbox_judge(const store_outbox_figures *f)
{
    if (f->oldest_waiting_s > MAIL_WAIT_ALARM_S)
        return MAIL_OUTBOX_STUCK;
    if (f->retrying > 0)
        return MAIL_OUTBOX_RETRYING;
    if (f->failed > 0)
        return MAIL_OUTBOX_GIVEN_UP;
    return MAIL_OUTBOX_OK;
}

int mail_outbox_status(store *s, int64_t now, store_outbox_figures *figures, int *degraded,
                       const char **why)
{
    static const char *const whys[] = {
        [MAIL_OUTBOX_OK] = "",
        [MAIL_OUTBOX_STUCK] =
            "messages have waited too long (is a mail transport configured and working?)",
        [MAIL_OUTBOX_RETRYING] = "messages wait after a failed attempt",
        [MAIL_OUTBOX_GIVEN_UP] = "messages were given up",
    };
    stats_job j = { now, figures };
    int rc = store_read(s, run_stats, &j);
    mail_outbox_verdict v;

    if (rc != STORE_OK)
        return rc;
    v = mail_outbox_judge(figures);
    *degraded = v != MAIL_OUTBOX_OK;
    if (why != NULL)
        *why = whys[v];
    return STORE_OK;
}
