/* mailer.c - delivery of votecad's outbox through its own relay: opened,
 * sent, then erased; retried with back-off, given up after MAIL_MAX_ATTEMPTS
 * or a permanent refusal (the message is erased then too). */
#include "credauth_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0 sent, 1 retry, 2 permanent; the opened message is wiped. */
static int send_sealed(credauth *ca, CURL *c, const cas_mail *m, char *err, size_t errlen)
{
    size_t hdr = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES, len;
    uint8_t *msg;
    int rc;

    if (m->len <= hdr) {
        snprintf(err, errlen, "stored message cannot be decrypted");
        return 2;
    }
    len = m->len - hdr;
    if ((msg = malloc(len)) == NULL)
        return 1;
    if (crypto_secretbox_open_easy(msg, m->sealed + crypto_secretbox_NONCEBYTES,
                                   m->len - crypto_secretbox_NONCEBYTES, m->sealed,
                                   ca->outbox_key) != 0) {
        free(msg);
        snprintf(err, errlen, "stored message cannot be decrypted");
        return 2;
    }
    rc = mail_send(c, ca->mail, m->to, msg, len, err, errlen);
    sodium_memzero(msg, len);
    free(msg);
    return rc;
}

int credauth_deliver_due(credauth *ca, int64_t now, unsigned *sent, unsigned *failed)
{
    cas_mail due[MAIL_BATCH];
    int n = 0, rc = 0;
    CURL *c;

    *sent = *failed = 0;
    memset(due, 0, sizeof due);
    pthread_mutex_lock(&ca->lock);
    if (cas_outbox_due(ca->db, now, due, MAIL_BATCH, &n) != CAS_OK)
        rc = -1;
    pthread_mutex_unlock(&ca->lock);
    c = n > 0 ? curl_easy_init() : NULL;
    for (int i = 0; i < n && rc == 0; i++) {
        char err[160] = "";
        int outcome = send_sealed(ca, c, &due[i], err, sizeof err);
        int attempts = due[i].attempts + 1, r;

        pthread_mutex_lock(&ca->lock);
        if (outcome == 0)
            r = cas_outbox_done(ca->db, due[i].id, 1, NULL);
        else if (outcome == 2 || attempts >= MAIL_MAX_ATTEMPTS)
            r = cas_outbox_done(ca->db, due[i].id, 0, err);
        else
            r = cas_outbox_retry(ca->db, due[i].id, now + ((int64_t)30 << (attempts < 7 ? attempts : 7)),
                                 err);
        pthread_mutex_unlock(&ca->lock);
        if (r != CAS_OK)
            rc = -1;
        if (outcome == 0)
            (*sent)++;
        else
            (*failed)++;
    }
    curl_easy_cleanup(c);
    for (int i = 0; i < n; i++)
        cas_mail_free(&due[i]);
    return rc;
}
