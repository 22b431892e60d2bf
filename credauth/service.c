/* service.c - votecad's reissue (protocol section 17.3): checks, a fresh code,
 * the new credentials and bindings, the signed record, and in one transaction
 * the roster updated, the answer stored by request id and the code's mails
 * queued (sealed). */
#include "credauth_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "notices/code.h"

credauth *credauth_open(const credauth_config *c, char *err, size_t errlen)
{
    static const char label[] = "votesrv/v1/votecad-outbox";
    credauth *ca = calloc(1, sizeof *ca);
    char authority[65], pkhex[65];
    uint8_t vault[32];
    uint64_t next;

    if (ca == NULL)
        return NULL;
    ca->cfg = *c;
    pthread_mutex_init(&ca->lock, NULL);
    if (credauth_key_load(c->key_file, ca->pk, ca->sk, err, errlen) != 0 ||
        cas_open(&ca->db, c->store_path, err, errlen) != CAS_OK)
        goto fail;
    if (cas_meta_get(ca->db, ca->election, authority, &next) != CAS_OK) {
        snprintf(err, errlen, "%s: not a votecad store (votecad init makes it)", c->store_path);
        goto fail;
    }
    hex_encode(pkhex, ca->pk, 32);
    if (strcmp(pkhex, authority) != 0) {
        snprintf(err, errlen, "%s: its roster is not for the key of %s", c->store_path,
                 c->key_file);
        goto fail;
    }
    crypto_generichash(ca->outbox_key, sizeof ca->outbox_key, (const uint8_t *)label,
                       sizeof label - 1, ca->sk, 32);
    mail_outbox_key_derive(vault, ca->outbox_key);
    ca->mail = mail_ctx_new(&c->mail, vault, err, errlen);
    sodium_memzero(vault, sizeof vault);
    if (ca->mail == NULL)
        goto fail;
    return ca;
fail:
    credauth_close(ca);
    return NULL;
}

void credauth_close(credauth *ca)
{
    if (ca == NULL)
        return;
    mail_ctx_free(ca->mail);
    sqlite3_close(ca->db);
    pthread_mutex_destroy(&ca->lock);
    sodium_memzero(ca, sizeof *ca);
    free(ca);
}

static char *refusal(int *status, int code, const char *error, const char *fmt, const char *arg)
{
    char msg[300];
    json_t *doc;
    char *text;

    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    doc = json_pack("{s:s,s:s}", "error", error, "message", msg);
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    *status = code;
    return text;
}

typedef struct {
    credauth *ca;
    const credauth_request *r;
    int64_t now;
    char code[CODE_SYMBOLS + 1];
    uint8_t revoked[CREDAUTH_MAX_SCRUTINS][32], fresh[CREDAUTH_MAX_SCRUTINS][32];
    uint8_t bind[CREDAUTH_MAX_SCRUTINS][32];
    json_t *emails;
    uint64_t seq;
} reissue_job;

/* The record (protocol section 7.2): signed entries, then the server-only part. */
static char *record_make(reissue_job *j)
{
    const credauth_request *r = j->r;
    credential_reissue_hash h;
    uint8_t d[32], sig[64];
    char hex[129], hex2[65];
    json_t *entries = json_array(), *bindings = json_array(), *doc;
    char *text;

    credential_reissue_init(&h, r->election, j->seq, r->n);
    for (size_t i = 0; i < r->n; i++) {
        credential_reissue_add(&h, r->scrutins[i], j->revoked[i], j->fresh[i]);
        hex_encode(hex, j->revoked[i], 32);
        hex_encode(hex2, j->fresh[i], 32);
        json_array_append_new(entries, json_pack("{s:s,s:s,s:s}", "scrutin", r->scrutins[i],
                                                 "revoked", hex, "fresh", hex2));
        hex_encode(hex, j->bind[i], 32);
        json_array_append_new(bindings, json_pack("{s:s,s:s}", "scrutin", r->scrutins[i],
                                                  "bind", hex));
    }
    credential_reissue_final(&h, d);
    crypto_sign_detached(sig, NULL, d, sizeof d, j->ca->sk);
    hex_encode(hex, sig, sizeof sig);
    doc = json_pack("{s:s,s:s,s:I,s:o,s:s,s:s,s:o}", "format", CREDAUTH_RECORD_FORMAT,
                    "election", r->election, "seq", (json_int_t)j->seq, "entries", entries,
                    "signature", hex, "voter", r->voter, "bindings", bindings);
    text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

/* The code's mail to one of the roster's addresses, sealed into the outbox. */
static int queue_mail(reissue_job *j, const char *to)
{
    credauth *ca = j->ca;
    char shown[CODE_DISPLAY_CHARS + 1];
    const char *vars[] = { "election", ca->cfg.election_name, "organiser", ca->cfg.organiser,
                           "code", shown, "link", ca->cfg.mail.portal_url, "support_email",
                           ca->cfg.support_email, "support_phone", ca->cfg.support_phone,
                           NULL, NULL };
    size_t len;
    char *msg;
    uint8_t *box;
    int rc = CAS_ERROR;

    code_display(shown, j->code);
    msg = mail_compose(ca->mail, MAIL_CODE, ca->cfg.lang, to, vars, &len);
    sodium_memzero(shown, sizeof shown);
    if (msg == NULL)
        return CAS_ERROR;
    box = malloc(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len);
    if (box != NULL) {
        randombytes_buf(box, crypto_secretbox_NONCEBYTES);
        crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const uint8_t *)msg, len, box,
                              ca->outbox_key);
        rc = cas_outbox_put(ca->db, j->seq, to, box,
                            crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len,
                            j->now);
        free(box);
    }
    sodium_memzero(msg, len);
    free(msg);
    return rc;
}

/* Inside the transaction, after every check: make and store everything. */
static char *reissue_write(reissue_job *j, const uint8_t digest[32], int *status)
{
    const credauth_request *r = j->r;
    sqlite3 *db = j->ca->db;
    char authority[65], election[CREDAUTH_NAME_CHARS + 1], *answer = NULL;
    json_t *e;
    size_t i;

    if (cas_meta_get(db, election, authority, &j->seq) != CAS_OK)
        return NULL;
    code_new(j->code);
    for (i = 0; i < r->n; i++)
        if (credential_from_code_scrutin(j->bind[i], j->fresh[i], (const uint8_t *)r->election,
                                         strlen(r->election), (const uint8_t *)j->code,
                                         CODE_SYMBOLS, r->scrutins[i]) != 0 ||
            cas_credential_replace(db, r->voter, r->scrutins[i], j->revoked[i], j->fresh[i],
                                   j->seq) != CAS_OK)
            return NULL;
    json_array_foreach(j->emails, i, e)
        if (queue_mail(j, json_string_value(e)) != CAS_OK)
            return NULL;
    answer = record_make(j);
    if (answer == NULL ||
        cas_request_put(db, r->request, digest, r->voter, j->seq, answer, j->now) != CAS_OK ||
        cas_commit(db) != CAS_OK) {
        free(answer);
        return NULL;
    }
    *status = 200;
    return answer;
}

/* Under the lock, in a transaction: the stored answer, a refusal, or a new record. */
static char *reissue_locked(reissue_job *j, int *status)
{
    const credauth_request *r = j->r;
    sqlite3 *db = j->ca->db;
    uint8_t digest[32], stored[32];
    char *answer = NULL, *emails = NULL;
    char authority[65], election[CREDAUTH_NAME_CHARS + 1];
    uint64_t codes, next;
    int rc;

    credauth_request_digest(digest, r);
    rc = cas_request_get(db, r->request, stored, &answer);
    if (rc == CAS_OK) {
        if (sodium_memcmp(digest, stored, sizeof digest) == 0) {
            *status = 200;
            return answer;
        }
        free(answer);
        return refusal(status, 409, "request_reused",
                       "request id %s was used for another request", r->request);
    }
    if (rc != CAS_NOTFOUND || cas_meta_get(db, election, authority, &next) != CAS_OK)
        return NULL;
    /* The server holds records 1..applied: any later one it did not apply (it
     * refused it, or its answer was lost) is undone before this one is made. */
    if (r->applied >= next)
        return refusal(status, 409, "applied_ahead", "the server counts more reissue records "
                       "than this authority made (%s)", r->request);
    if (r->applied + 1 < next) {
        uint64_t total, most;
        char who[CREDAUTH_NAME_CHARS + 1];

        if (cas_records_undo(db, r->applied, next) != CAS_OK ||
            cas_undone_get(db, &total, &most, who) != CAS_OK)
            return NULL;
        if (total > j->ca->cfg.max_undone)
            return refusal(status, 429, "undo_limit", "the server dropped more reissue records "
                           "than max_undone allows; nothing undone: the authority's operator "
                           "must look into it (request %s)", r->request);
        if (most > j->ca->cfg.max_undone_per_voter)
            return refusal(status, 429, "undo_limit", "the server dropped more reissue records "
                           "of voter %s than max_undone_per_voter allows; nothing undone: the "
                           "authority's operator must look into it", who);
    }
    rc = cas_voter_get(db, r->voter, &emails, &codes);
    if (rc == CAS_NOTFOUND)
        return refusal(status, 404, "unknown_voter", "voter %s is not on the authority's roster",
                       r->voter);
    if (rc != CAS_OK)
        return NULL;
    j->emails = json_loads(emails, 0, NULL);
    free(emails);
    if (json_array_size(j->emails) == 0)
        return refusal(status, 409, "no_address", "voter %s has no address on the authority's "
                       "roster: the code could not be sent", r->voter);
    if (codes >= j->ca->cfg.max_reissues_per_voter)
        return refusal(status, 429, "reissue_limit", "voter %s had the most codes allowed "
                       "(max_reissues_per_voter, undone records included)", r->voter);
    for (size_t i = 0; i < r->n; i++) {
        rc = cas_credential_get(db, r->voter, r->scrutins[i], j->revoked[i]);
        if (rc == CAS_NOTFOUND)
            return refusal(status, 409, "not_voters_scrutin",
                           "scrutin %s is not one of the voter's", r->scrutins[i]);
        if (rc != CAS_OK)
            return NULL;
    }
    return reissue_write(j, digest, status);
}

char *credauth_reissue(credauth *ca, const char *body, size_t len, int64_t now, int *status)
{
    credauth_request r;
    reissue_job j;
    char err[200], *answer;

    if (credauth_request_parse(&r, body, len, err, sizeof err) != 0)
        return refusal(status, 400, "bad_request", "%s", err);
    if (credauth_request_verify(&r, ca->cfg.server_pk) != 0)
        return refusal(status, 403, "bad_signature",
                       "the request is not signed by the server's key%s", NULL);
    if (strcmp(r.election, ca->election) != 0)
        return refusal(status, 409, "wrong_election", "this authority serves election %s",
                       ca->election);
    memset(&j, 0, sizeof j);
    j.ca = ca;
    j.r = &r;
    j.now = now;
    pthread_mutex_lock(&ca->lock);
    if (cas_begin(ca->db) != CAS_OK) {
        answer = NULL;
    } else {
        answer = reissue_locked(&j, status);
        cas_rollback(ca->db);              /* a refusal or a failure: nothing changed */
    }
    pthread_mutex_unlock(&ca->lock);
    sodium_memzero(j.code, sizeof j.code);
    json_decref(j.emails);
    if (answer == NULL)
        return refusal(status, 503, "store", "the authority's store failed; send the same "
                       "request again later%s", NULL);
    return answer;
}

int credauth_status_get(credauth *ca, credauth_status *st)
{
    int rc;

    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&ca->lock);
    rc = cas_meta_get(ca->db, st->election, st->authority, &st->next_seq) == CAS_OK &&
                 cas_counts(ca->db, st) == CAS_OK
             ? 0 : -1;
    pthread_mutex_unlock(&ca->lock);
    return rc;
}
