/*
 * server.h - everything a votesrv process opens from its configuration: keys,
 * store, mail templates, password lists, the access context. Shared by the
 * daemon and the officer CLI.
 */
#ifndef VOTESRV_SERVER_H
#define VOTESRV_SERVER_H

#include "access/access.h"
#include "box/box.h"
#include "config.h"
#include "http.h"
#include "mail/mail.h"
#include "signer/signer.h"
#include "store/store.h"

typedef struct {
    config cfg;
    server_keys keys;       /* the audit public key only: the secrets stay in the signer */
    signer_keys derived;    /* the keys derived from the pepper, from the signer */
    signer *signer;
    store *store;
    mail_ctx *mail;
    access_wordlist *words;
    access_ctx access;
    int access_ready;
    int compact_on_close;   /* rewrite the ballot box in tracker order at close */
    box_ctx box;
} server;

/* 0, or -1 with a message in err (what failed, never a secret). With
 * create_keys, a missing keys file is created. The signer is in-process. */
int server_open(server *s, const char *config_path, int create_keys, int readers, char *err,
                size_t errlen);
/* The same with a signer of its own (signer_spawn), which s owns from now on,
 * even on failure. */
int server_open_signer(server *s, const char *config_path, signer *g, int readers, char *err,
                       size_t errlen);
/* The store configuration of cfg (box_key NULL: the signer derives it). */
store_config server_store_config(const config *cfg, int readers);
void server_close(server *s);
/* The HTTP layer's context for s: its store, keys, access and ballot box, the
 * portal's error pages, and the CSRF key derived from the pepper (by the signer). */
void server_http_ctx(server *s, http_ctx *ctx);

#endif
