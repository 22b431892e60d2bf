/* server.c - open a votesrv process's resources in order, close them in reverse. */
#include "server.h"
#include "log.h"
#include "portal/portal.h"
#include "audit/audit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

store_config server_store_config(const config *cfg, int readers)
{
    return (store_config){ cfg->registry, cfg->ballot_box, readers,
                           cfg->postgresql[0] != '\0' ? cfg->postgresql : NULL, NULL, 0 };
}

static int open_with(server *s, const char *config_path, const config *loaded,
                     int create_keys, signer *g, int readers, char *err, size_t errlen)
{
    const char *lists[CONFIG_LISTS];
    store_config sc;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    memset(s, 0, sizeof *s);
    s->signer = g;
    if (loaded != NULL)
        s->cfg = *loaded;
    else if (config_load(&s->cfg, config_path, err, errlen) != 0)
        return -1;
    if (s->signer == NULL) {            /* in-process: this process reads the keys */
        server_keys k;

        if (server_keys_load(&k, s->cfg.keys, create_keys, err, errlen) != 0)
            return -1;
        s->signer = signer_local_new(k.audit_sk, k.pepper, NULL);
        sodium_memzero(&k, sizeof k);
        if (s->signer == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (signer_keys_get(s->signer, &s->derived) != SIGNER_OK) {
        snprintf(err, errlen, "the signer gave no keys");
        return -1;
    }
    memcpy(s->keys.audit_pk, s->derived.audit_pk, sizeof s->keys.audit_pk);
    audit_set_signer(s->signer);
    for (size_t i = 0; i < s->cfg.ncommon; i++)
        lists[i] = s->cfg.common_passwords[i];
    s->words = access_wordlist_load(lists, s->cfg.ncommon, err, errlen);
    if (s->words == NULL)
        return -1;
    s->mail = mail_ctx_new(&s->cfg.mail, s->derived.outbox_key, err, errlen);
    if (s->mail == NULL)
        return -1;
    /* where a ballot's slot is in the SQLite box: secret, so that the box's
     * bytes cannot be matched to trackers without the server's keys */
    sc = server_store_config(&s->cfg, readers);
    sc.box_key = s->derived.box_key;
    s->store = store_open(&sc, err, errlen);
    if (s->store == NULL)
        return -1;
    signer_attach(s->signer, s->store);
    if (audit_checkpoints_repair(s->store) != STORE_OK) {
        snprintf(err, errlen, "the audit checkpoints due cannot be signed");
        return -1;
    }
    if (access_init(&s->access, s->store, &s->derived, s->words, s->mail,
                    cores > 0 ? (int)cores : 1) != 0) {
        snprintf(err, errlen, "Argon2id cannot run with its parameters (memory)");
        return -1;
    }
    {
        /* admission: logins waiting for Argon2id hold a writer thread (one
         * per request channel) each; half the channels at most, so that
         * casts, pages and /healthz always find one */
        size_t channels = s->cfg.threads != 0 ? s->cfg.threads
                                              : 16 * (size_t)(cores > 0 ? cores : 1);

        if ((size_t)s->access.max_waiting > channels / 2)
            s->access.max_waiting = channels / 2 > 0 ? (int)(channels / 2) : 1;
    }
    s->access.wait_bound_ms = s->cfg.login_queue_ms;
    /* a caller admitted to the queue may wait as long as it was told it could */
    if (s->access.hash_wait_ms < s->access.wait_bound_ms)
        s->access.hash_wait_ms = s->access.wait_bound_ms;
    s->access.link_ttl = s->cfg.link_ttl;
    s->access.reissues_per_day = s->cfg.reissues_per_day;
    s->access.network_failures = s->cfg.failures_per_network;
    s->access.authority_url = s->cfg.authority_url[0] ? s->cfg.authority_url : NULL;
    s->access.signer = s->signer;
    s->access_ready = 1;
    box_init(&s->box, s->store, &s->access, s->mail, s->signer);
    s->box.batch_seconds = s->cfg.board_batch_seconds;
    return 0;
}

int server_open(server *s, const char *config_path, int create_keys, int readers, char *err,
                size_t errlen)
{
    return open_with(s, config_path, NULL, create_keys, NULL, readers, err, errlen);
}

int server_open_signer(server *s, const config *cfg, signer *g, int readers, char *err,
                       size_t errlen)
{
    return open_with(s, NULL, cfg, 0, g, readers, err, errlen);
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
    if (s->signer != NULL)
        audit_set_signer(NULL);
    signer_free(s->signer);
    server_reload_free(s);
    sodium_memzero(&s->derived, sizeof s->derived);
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
    memcpy(ctx->csrf_key, s->derived.csrf_key, sizeof ctx->csrf_key);
}
