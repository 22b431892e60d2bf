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
#include "store/store.h"

typedef struct {
    config cfg;
    server_keys keys;
    store *store;
    mail_ctx *mail;
    access_wordlist *words;
    access_ctx access;
    int access_ready;
    int compact_on_close;   /* rewrite the ballot box in tracker order at close */
    box_ctx box;
} server;

/* 0, or -1 with a message in err (what failed, never a secret). With
 * create_keys, a missing keys file is created. */
int server_open(server *s, const char *config_path, int create_keys, int readers, char *err,
                size_t errlen);
void server_close(server *s);
/* The HTTP layer's context for s: its store, keys, access and ballot box, the
 * portal's error pages, and the CSRF key derived from the pepper. */
void server_http_ctx(server *s, http_ctx *ctx);

/* The election's public documents (documents.c): name, a path the definition
 * gives (profession_de_foi), opened beneath folder (the configuration's
 * "documents") with no "..", absolute path or symbolic link on the way, a
 * regular file named .pdf, .png, .jpg or .jpeg whose first bytes are of that
 * type. SERVER_DOCUMENT_OK: *fd (to close), *size and *type (its MIME type). */
enum { SERVER_DOCUMENT_OK = 0, SERVER_DOCUMENT_MISSING = 1, SERVER_DOCUMENT_REFUSED = 2 };
int server_document_open(const char *folder, const char *name, int *fd, uint64_t *size,
                         const char **type);
/* The same, the file closed again; a message in err unless OK. */
int server_document_check(const char *folder, const char *name, char *err, size_t errlen);
/* "PDF", "PNG" or "JPEG" as name's extension announces; NULL if none of them. */
const char *server_document_label(const char *name);

#endif
