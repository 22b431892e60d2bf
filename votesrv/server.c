/* server.c - open a votesrv process's resources in order, close them in reverse. */
#include "server.h"
#include "log.h"
#include "portal/portal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int server_open(server *s, const char *config_path, int create_keys, int readers, char *err,
                size_t errlen)
{
    const char *lists[CONFIG_LISTS];
    store_config sc;
    uint8_t box_key[SECRET_HASH_BYTES];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    memset(s, 0, sizeof *s);
    if (config_load(&s->cfg, config_path, err, errlen) != 0 ||
        server_keys_load(&s->keys, s->cfg.keys, create_keys, err, errlen) != 0)
        return -1;
    audit_set_signing_key(s->keys.audit_sk);
    for (size_t i = 0; i < s->cfg.ncommon; i++)
        lists[i] = s->cfg.common_passwords[i];
    s->words = access_wordlist_load(lists, s->cfg.ncommon, err, errlen);
    if (s->words == NULL)
        return -1;
    s->mail = mail_ctx_new(&s->cfg.mail, s->keys.pepper, err, errlen);
    if (s->mail == NULL)
        return -1;
    /* where a ballot's slot is in the SQLite box: secret, so that the box's
     * bytes cannot be matched to trackers without the server's keys */
    secret_keyed_hash(box_key, s->keys.pepper, "votesrv/box-slot-key", 20);
    sc = (store_config){ s->cfg.registry, s->cfg.ballot_box, readers,
                         s->cfg.postgresql[0] != '\0' ? s->cfg.postgresql : NULL, box_key };
    s->store = store_open(&sc, err, errlen);
    sodium_memzero(box_key, sizeof box_key);
    if (s->store == NULL)
        return -1;
    if (access_init(&s->access, s->store, s->keys.pepper, s->words, s->mail,
                    cores > 0 ? (int)cores : 1) != 0) {
        snprintf(err, errlen, "Argon2id cannot run with its parameters (memory)");
        return -1;
    }
    s->access.link_ttl = s->cfg.link_ttl;
    s->access.reissues_per_day = s->cfg.reissues_per_day;
    s->access.network_failures = s->cfg.failures_per_network;
    s->access.authority_url = s->cfg.authority_url[0] ? s->cfg.authority_url : NULL;
    s->access.request_sk = s->keys.audit_sk;
    s->access_ready = 1;
    box_init(&s->box, s->store, &s->access, s->mail, s->keys.audit_sk);
    s->box.batch_seconds = s->cfg.board_batch_seconds;
    return 0;
}

void server_close(server *s)
{
    if (s->access_ready) {
        box_destroy(&s->box);
        access_destroy(&s->access);
    }
    if (!s->compact_on_close)
        store_close(s->store);
    else if (s->store != NULL && store_close_compact(s->store) != 0)
        log_event("error", "store-compact", NULL);
    mail_ctx_free(s->mail);
    access_wordlist_free(s->words);
    sodium_memzero(&s->keys, sizeof s->keys);
    memset(s, 0, sizeof *s);
}

void server_http_ctx(server *s, http_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->store = s->store;
    ctx->cfg = &s->cfg;
    ctx->keys = &s->keys;
    ctx->access = &s->access;
    ctx->box = &s->box;
    ctx->started = (int64_t)time(NULL);
    ctx->page_error = portal_page_error;
    secret_keyed_hash(ctx->csrf_key, s->keys.pepper, "votesrv/csrf-key", 16);
}
