/* credauth_internal.h - shared by the files of credauth/ only. */
#ifndef VOTESRV_CREDAUTH_INTERNAL_H
#define VOTESRV_CREDAUTH_INTERNAL_H

#include <pthread.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include "credauth.h"

struct credauth {
    credauth_config cfg;
    sqlite3 *db;
    pthread_mutex_t lock;            /* one writer: requests and the sender take turns */
    uint8_t sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t outbox_key[crypto_secretbox_KEYBYTES];
    char election[CREDAUTH_NAME_CHARS + 1];
    mail_ctx *mail;                  /* NULL without a relay: codes stay queued */
};

/* request.c */
int credauth_name_ok(const char *s, size_t len);
/* Exactly 2 * len lowercase hex digits in a JSON string. */
int credauth_hex_field(uint8_t *out, size_t len, json_t *v);

/* key.c: the KEYFILE (one line, the seed's 64 hex; refused unless 0600). */
int credauth_key_load(const char *path, uint8_t pk[32], uint8_t sk[64], char *err,
                      size_t errlen);

/* store.c: every SQL statement of votecad. CAS_OK, CAS_NOTFOUND, CAS_ERROR. */
enum { CAS_OK = 0, CAS_NOTFOUND = 1, CAS_ERROR = -1 };
int cas_create(sqlite3 **db, const char *path, char *err, size_t errlen);
int cas_open(sqlite3 **db, const char *path, char *err, size_t errlen);
int cas_begin(sqlite3 *db);
int cas_commit(sqlite3 *db);
void cas_rollback(sqlite3 *db);
int cas_meta_put(sqlite3 *db, const char *election, const char *fingerprint,
                 const char *authority);
int cas_meta_get(sqlite3 *db, char election[CREDAUTH_NAME_CHARS + 1], char authority[65],
                 uint64_t *next_seq);
int cas_voter_put(sqlite3 *db, const char *number, const char *emails_json);
/* The voter's addresses (JSON text, malloc'd) and reissues so far. */
int cas_voter_get(sqlite3 *db, const char *number, char **emails_json, uint64_t *reissues);
int cas_credential_put(sqlite3 *db, const char *voter, const char *scrutin,
                       const uint8_t pub[32]);
int cas_credential_get(sqlite3 *db, const char *voter, const char *scrutin, uint8_t pub[32]);
/* The roster's S for (voter, scrutin) becomes fresh; revoked is kept apart. */
int cas_credential_replace(sqlite3 *db, const char *voter, const char *scrutin,
                           const uint8_t revoked[32], const uint8_t fresh[32], uint64_t seq);
/* A stored answer by request id: its request digest and the answer (malloc'd). */
int cas_request_get(sqlite3 *db, const char *id, uint8_t digest[32], char **answer);
/* The answer of record seq stored; the next seq and the voter's count moved on. */
int cas_request_put(sqlite3 *db, const char *id, const uint8_t digest[32], const char *voter,
                    uint64_t seq, const char *answer, int64_t now);
/* The records after the first `applied` (up to next_seq - 1), which the
 * server did not apply, undone newest first: each voter's current S back to
 * the one it revoked, its revocations, request id and queued mails deleted,
 * the voter's count of reissues lowered; next_seq becomes applied + 1. */
int cas_records_undo(sqlite3 *db, uint64_t applied, uint64_t next_seq);
int cas_outbox_put(sqlite3 *db, uint64_t seq, const char *to, const uint8_t *sealed,
                   size_t len, int64_t now);
typedef struct {
    int64_t id;
    char *to;
    uint8_t *sealed;
    size_t len;
    int attempts;
} cas_mail;
/* Up to max due messages (each field malloc'd; cas_mail_free). */
int cas_outbox_due(sqlite3 *db, int64_t now, cas_mail *out, int max, int *n);
void cas_mail_free(cas_mail *m);
/* Sent or failed for good: the message is erased (secure_delete). */
int cas_outbox_done(sqlite3 *db, int64_t id, int sent, const char *error);
int cas_outbox_retry(sqlite3 *db, int64_t id, int64_t due, const char *error);
int cas_counts(sqlite3 *db, credauth_status *st);

#endif
