/*
 * mail.h - mail/, e-mail to voters: templates (conf/mail/KIND.LANG.txt and
 * .html), MIME composition (text and HTML parts, UTF-8), a durable outbox,
 * the SMTP client on libcurl (STARTTLS or implicit TLS via OpenSSL,
 * authentication, timeouts), the file transport (one .eml file per message
 * in a folder, written durably: file.c, which also reads them back for the
 * demo's mailbox page), and a sender thread that hands due messages to a
 * transport (in the daemon, SMTP goes to the mailer process:
 * votesrv/mailer.c), retrying with back-off; the outbox's figures
 * (mail_outbox_status). A message is queued in the same transaction as the event that causes
 * it; outbox bodies are encrypted at rest (they carry one-time links) and erased
 * once delivered. Delivery is at-least-once: a crash between sending and marking
 * resends.
 */
#ifndef VOTESRV_MAIL_H
#define VOTESRV_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>
#include <jansson.h>
#include "crypto/hex.h"

/* The queue and the sender work on the store (store/store.h); votecad, which
 * links only the store-free part, sees these types as opaque. */
typedef struct store store;
typedef struct store_tx store_tx;

#define MAIL_PATH_CHARS 1024
#define MAIL_MAX_ATTEMPTS 10
#define MAIL_BATCH 50

typedef enum { MAIL_ACTIVATION = 0, MAIL_PASSWORD, MAIL_CODE, MAIL_RECEIPT, MAIL_KINDS } mail_kind;

typedef struct {
    char relay[512];          /* smtp://host:port (STARTTLS when starttls) or smtps:// */
    int starttls;
    char ca_file[MAIL_PATH_CHARS];   /* "" = system CAs */
    char username[128], password[128];
    char from[256];           /* "Name <address>" */
    unsigned timeout_s;
    char templates[MAIL_PATH_CHARS];
    char portal_url[256];
    /* CA certificates (PEM) in memory, used instead of ca_file and the system
     * CAs when set: a sandboxed mailer opens no file (not owned here) */
    const uint8_t *ca_blob;
    size_t ca_blob_len;
    /* "transport": "file": each message written as a .eml file in folder
     * (mail/file.c), no relay; demo_mailbox (the demo only, never with a
     * relay): the portal lists that folder's messages at /demo/courrier */
    int transport;                   /* MAIL_TRANSPORT_SMTP or MAIL_TRANSPORT_FILE */
    char folder[MAIL_PATH_CHARS];
    int demo_mailbox;
    /* beyond timeout_s, what the writer waits for its mailer process's answer
     * before it ends that mailer (votesrv/mailer.c); 0: 5 s. Not in the
     * configuration file: test_mail's silent mailers use 1 */
    unsigned answer_margin_s;
} mail_config;

enum { MAIL_TRANSPORT_SMTP = 0, MAIL_TRANSPORT_FILE = 1 };

#define MAIL_ENVELOPE_CHARS 300

/* The "mail" object of a configuration file at path (relative file names are
 * resolved against path's folder): relay, from, and optional starttls,
 * ca_file, username, password_file, timeout_s; or "transport": "file",
 * folder, and optional from and demo_mailbox. 0, or -1 with a message. */
MUST_CHECK
int mail_config_parse(mail_config *mc, json_t *m, const char *path, char *err, size_t errlen);
/* The same; read_password 0: password_file is neither opened nor read (the
 * password stays empty), for a reload by a process that must not hold it. */
MUST_CHECK
int mail_config_parse_with(mail_config *mc, json_t *m, const char *path, int read_password,
                           char *err, size_t errlen);
/* rel resolved against the folder of the file base (unless absolute); -1 if too long. */
int mail_path_resolve(char out[MAIL_PATH_CHARS], const char *base, const char *rel);

typedef struct mail_ctx mail_ctx;

/* Load the templates of every kind in fr and en; outbox_key seals the queued
 * messages. NULL with a message on error. */
mail_ctx *mail_ctx_new(const mail_config *cfg, const uint8_t outbox_key[32], char *err,
                       size_t errlen);
/* The outbox key from a 32-byte root secret: Hb_root("votesrv/v1/outbox"). */
void mail_outbox_key_derive(uint8_t out[32], const uint8_t root[32]);
void mail_ctx_free(mail_ctx *m);
const char *mail_portal_url(const mail_ctx *m);

/* Render, compose and queue a message inside a write job. vars: NULL-terminated
 * name, value pairs for the {{name}} placeholders. */
int mail_queue_tx(store_tx *tx, const mail_ctx *m, mail_kind kind, const char *lang,
                  const char *to, const char *const *vars, int64_t now);
/* The full message for a kind (malloc'd, CRLF lines), for tests. */
char *mail_compose(const mail_ctx *m, mail_kind kind, const char *lang, const char *to,
                   const char *const *vars, size_t *len);

/* Deliver what is due, once: counts of sent and failed (retried or permanent). */
int mail_deliver_due(store *s, const mail_ctx *m, int64_t now, unsigned *sent, unsigned *failed);

/* Send one composed message to one recipient through the relay (c: a libcurl
 * easy handle, reused between calls): 0 delivered, 1 temporary failure, 2
 * refused for good by the relay (err says why). compose.c, template.c,
 * config.c and smtp.c use no store, so votecad links them alone. */
int mail_smtp_send(CURL *c, const mail_ctx *m, const char *rcpt_to, const uint8_t *msg,
                   size_t len, char *err, size_t errlen);
/* The same with the relay of mc and the envelope sender from ("<address>"). */
int mail_smtp_deliver(CURL *c, const mail_config *mc, const char *from, const char *rcpt_to,
                      const uint8_t *msg, size_t len, char *err, size_t errlen);
/* One message by the configured transport: written to the folder (file
 * transport, mail/file.c), or through the relay with c (NULL: a temporary
 * failure). The same answers as mail_smtp_send. */
int mail_send(CURL *c, const mail_ctx *m, const char *rcpt_to, const uint8_t *msg, size_t len,
              char *err, size_t errlen);
/* msg written whole as a new NAME.eml file (mode 0600) in folder, durably
 * (temporary name, fsync, rename, fsync of the folder): 0, or 1 with err
 * (nothing is left of it). */
int mail_file_deliver(const char *folder, const uint8_t *msg, size_t len, char *err,
                      size_t errlen);
/* The messages of a file transport's folder, read back (the demo's mailbox
 * page): recipient, decoded subject, time (from the file's name) and the
 * links of the text part. */
#define MAIL_FILE_LINKS 4
#define MAIL_FILE_MAX ((size_t)256 << 10)
typedef struct {
    char name[96];
    int64_t time;
    char to[256];
    char subject[512];
    char links[MAIL_FILE_LINKS][512];
    size_t nlinks;
} mail_file_entry;
typedef int (*mail_file_fn)(const mail_file_entry *e, void *arg);
/* The newest first, at most max of them, only those to `to` (any case) if
 * not NULL; fn returns non-zero to stop. The number shown, or -1. */
int mail_folder_list(const char *folder, const char *to, size_t max, mail_file_fn fn, void *arg);
/* The envelope sender of a From value: "<address>" of "Name <address>". */
void mail_envelope_from(char out[MAIL_ENVELOPE_CHARS], const char *from);

/* How a message leaves (votesrv/mailer.c: through the mailer process): the
 * same answers as mail_smtp_send. Unset: mail_smtp_send in this process. */
typedef int (*mail_transport)(void *cls, const char *rcpt_to, const uint8_t *msg, size_t len,
                              char *err, size_t errlen);
/* Set before any delivery starts (not thread-safe); m forgets the relay's
 * password, which the transport holds. */
void mail_transport_set(mail_ctx *m, mail_transport fn, void *cls);

/* The outbox's figures (store_outbox_stats) at now, read from the store, and
 * whether mail is degraded: a message waiting longer than MAIL_WAIT_ALARM_S,
 * one waiting after a failed attempt, or one given up. *why (if not NULL):
 * the first of these, in English, or "". STORE_OK or a store error. */
#define MAIL_WAIT_ALARM_S 900
typedef struct store_outbox_figures store_outbox_figures;
int mail_outbox_status(store *s, int64_t now, store_outbox_figures *figures, int *degraded,
                       const char **why);
/* The same judgement as a value, for pages that say it in the reader's
 * language (the officers' dashboard): the first that holds, in that order. */
typedef enum {
    MAIL_OUTBOX_OK,
    MAIL_OUTBOX_STUCK,     /* a message has waited longer than MAIL_WAIT_ALARM_S */
    MAIL_OUTBOX_RETRYING,  /* one waits after a failed attempt */
    MAIL_OUTBOX_GIVEN_UP   /* one was given up */
} mail_outbox_verdict;
mail_outbox_verdict mail_outbox_judge(const store_outbox_figures *f);

typedef struct mail_sender mail_sender;
mail_sender *mail_sender_start(store *s, const mail_ctx *m);
/* Ask the sender to stop, without waiting: it hands no further message to the
 * relay (the one on its way finishes: bounded by the transport's timeout; the
 * rest of its batch stays queued, claimed until its lease ends). */
void mail_sender_ask_stop(mail_sender *ms);
/* Ask, then wait for the sender's thread to end, and free ms. */
void mail_sender_stop(mail_sender *ms);

#endif
