/* queue.c - messages queued in the store's outbox, encrypted at rest. */
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
