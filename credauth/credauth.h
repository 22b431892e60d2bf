/*
 * credauth.h - the online credential authority, votecad (docs/protocol.md
 * section 17): a service of its own, meant for a separate machine and
 * operator, that makes reissued vote codes. The server never does.
 *
 * It holds the credential authority's Ed25519 key (votecred keygen's
 * KEYFILE), its own copy of the roster (votecred's votecred-state.json: per
 * voter the addresses and the current public credential of each scrutin), its
 * own SQLite store (mode 0600) and its own mail relay. On POST /reissue with a
 * request the daemon signed with its audit key, it makes a fresh code, derives
 * per scrutin the new credential S and the binding the server keeps, revokes
 * the roster's current S, signs a reissue record with the next sequence
 * number, stores all of it and the code's mail (encrypted) in one transaction,
 * answers the record, and mails the code itself to the addresses of its own
 * roster. The same request id gets the same stored answer.
 *
 * Links crypto/, notices/code.o and the store-free part of mail/ (compose,
 * template, config, smtp): no server code (the Makefile links votecad so).
 * The daemon's side (making, signing and posting a request) is
 * election/authority.c: the daemon links none of this folder.
 */
#ifndef VOTESRV_CREDAUTH_H
#define VOTESRV_CREDAUTH_H

#include <stddef.h>
#include <stdint.h>
#include "mail/mail.h"
#include "crypto/hex.h"

#define CREDAUTH_REQUEST_FORMAT "votesrv-reissue-request/1"
#define CREDAUTH_RECORD_FORMAT "votesrv-reissue-record/1"
#define CREDAUTH_STATE_FORMAT "votesrv-credential-state/1"
#define CREDAUTH_NAME_CHARS 64          /* election id, voter number, scrutin id */
#define CREDAUTH_REQUEST_ID_CHARS 32    /* 16 random bytes in lowercase hex */
#define CREDAUTH_MAX_SCRUTINS 64
#define CREDAUTH_MAX_EMAILS 8
#define CREDAUTH_BODY_MAX 16384         /* a request's body, at most */
#define CREDAUTH_PATH_CHARS MAIL_PATH_CHARS

/* A reissue request (protocol section 17.2), as parsed: every field checked. */
typedef struct {
    char election[CREDAUTH_NAME_CHARS + 1];
    char request[CREDAUTH_REQUEST_ID_CHARS + 1];
    char voter[CREDAUTH_NAME_CHARS + 1];
    char scrutins[CREDAUTH_MAX_SCRUTINS][CREDAUTH_NAME_CHARS + 1];
    size_t n;
    uint64_t issued_at;
    uint64_t applied;           /* reissue records the server holds (section 7.3) */
    uint8_t signature[64];
} credauth_request;

/* Strict: a JSON object of exactly the request's fields, each of its type and
 * size, scrutins sorted (bytewise) without repeats, hex lowercase. 0, or -1
 * with a message in err. Checks no signature. */
MUST_CHECK
int credauth_request_parse(credauth_request *r, const char *body, size_t len, char *err,
                           size_t errlen);
/* The digest the daemon signs (credential_request_digest of its fields). */
void credauth_request_digest(uint8_t out[32], const credauth_request *r);
/* 0 if r's signature verifies under the daemon's public key. */
MUST_CHECK
int credauth_request_verify(const credauth_request *r, const uint8_t server_pk[32]);
/* votecad's configuration file (conf/votecad.example.json). Relative paths
 * are resolved against the file's folder. */
typedef struct {
    char listen_address[64];
    int port;
    char key_file[CREDAUTH_PATH_CHARS];      /* the authority's KEYFILE (0600) */
    char store_path[CREDAUTH_PATH_CHARS];    /* its SQLite store (made 0600 by init) */
    char roster[CREDAUTH_PATH_CHARS];        /* votecred-state.json, read by init */
    uint8_t server_pk[32];                   /* the daemon's audit public key */
    char election_name[256], organiser[256], support_email[256], support_phone[64];
    char lang[3];                            /* of the mails: "fr" or "en" */
    int mail_relay;                          /* 0: no "mail" object, codes stay queued */
    mail_config mail;                        /* relay, templates, portal_url */
    unsigned max_reissues_per_voter;         /* codes made per voter, undone or not */
    unsigned max_undone_per_voter, max_undone;  /* records undone, per voter and in all */
    unsigned max_connections, connection_timeout_s;
} credauth_config;

MUST_CHECK
int credauth_config_load(credauth_config *c, const char *path, char *err, size_t errlen);

/* votecad init: the store made from the roster (refused if it exists or the
 * roster's authority is not the key's). 0, or -1 with a message. */
int credauth_init(const credauth_config *c, char *err, size_t errlen);

typedef struct credauth credauth;
/* The running service: key, store, mail templates. NULL with a message. */
credauth *credauth_open(const credauth_config *c, char *err, size_t errlen);
void credauth_close(credauth *ca);

/* One POST /reissue: *status (200 with the record, 4xx/5xx with
 * {"error","message"}) and the answer's body (malloc'd). A refusal changes
 * nothing. */
char *credauth_reissue(credauth *ca, const char *body, size_t len, int64_t now, int *status);

/* Deliver the due mails once; counts of sent and failed. -1 on a store error. */
int credauth_deliver_due(credauth *ca, int64_t now, unsigned *sent, unsigned *failed);

typedef struct {
    char election[CREDAUTH_NAME_CHARS + 1], authority[65];
    uint64_t voters, reissues, next_seq;
    uint64_t codes, undone;     /* codes made (never lowered), records undone */
    uint64_t mail_queued, mail_sent, mail_failed;
} credauth_status;
int credauth_status_get(credauth *ca, credauth_status *st);

/* The HTTP service (libmicrohttpd) and the mail sender thread. */
typedef struct credauth_server credauth_server;
credauth_server *credauth_serve(credauth *ca, const credauth_config *c, char *err,
                                size_t errlen);
int credauth_server_port(const credauth_server *s);
void credauth_server_stop(credauth_server *s);

#endif
