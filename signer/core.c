/* core.c - what the signer checks before it signs, whichever process it is in. */
#include "signer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "credauth/credauth.h"
#include "crypto/secret.h"

static void derive(uint8_t out[SIGNER_KEY_BYTES], const uint8_t pepper[32], const char *label)
{
    secret_keyed_hash(out, pepper, label, strlen(label));
}

void signer_keys_derive(signer_keys *out, const uint8_t pepper[32], const uint8_t audit_pk[32])
{
    static const char altcha[] = "votesrv/v1/altcha";

    memset(out, 0, sizeof *out);
    memcpy(out->audit_pk, audit_pk, 32);
    derive(out->hash_key, pepper, "votesrv/v1/token-hash-key");
    crypto_generichash(out->altcha_key, SIGNER_KEY_BYTES, (const uint8_t *)altcha,
                       sizeof altcha - 1, pepper, 32);
    derive(out->totp_key, pepper, "votesrv/v1/staff-totp");
    mail_outbox_key_derive(out->outbox_key, pepper);
    derive(out->box_key, pepper, "votesrv/box-slot-key");
    derive(out->csrf_key, pepper, "votesrv/csrf-key");
}

/* ---- checkpoints ---- */

typedef struct {
    uint64_t seq;
    int have_prev, have;
    uint8_t prev_hash[AUDIT_HASH_BYTES];    /* recomputed hash of entry seq - 1 */
    uint8_t prev_field[AUDIT_HASH_BYTES];   /* entry seq's prev */
    uint8_t hash[AUDIT_HASH_BYTES];         /* recomputed hash of entry seq */
    int due;
} entry_read;

static int on_entry(const store_audit_entry *e, void *arg)
{
    entry_read *r = arg;

    if (e->seq + 1 == r->seq) {
        audit_entry_hash(r->prev_hash, e);
        r->have_prev = 1;
        return 0;
    }
    if (e->seq == r->seq) {
        audit_entry_hash(r->hash, e);
        memcpy(r->prev_field, e->prev, AUDIT_HASH_BYTES);
        r->due = audit_checkpoint_due(e->seq, e->event);
        r->have = 1;
    }
    return 1;                           /* stop */
}

typedef struct {
    uint64_t seq;
    int found;
} cp_find;

static int on_checkpoint(const store_checkpoint *c, void *arg)
{
    cp_find *f = arg;

    if (c->seq == f->seq)
        f->found = 1;
    return 0;
}

static int remembered(const signer *g, uint64_t seq)
{
    for (size_t i = 0; i < g->nsigned; i++)
        if (g->signed_seqs[i] == seq)
            return 1;
    return 0;
}

static int remember(signer *g, uint64_t seq)
{
    if (g->nsigned == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        uint64_t *p = realloc(g->signed_seqs, cap * sizeof *p);

        if (p == NULL)
            return SIGNER_EIO;
        g->signed_seqs = p;
        g->cap = cap;
    }
    g->signed_seqs[g->nsigned++] = seq;
    return SIGNER_OK;
}

int signer_core_checkpoint(signer *g, store_tx *tx, uint64_t seq, store_checkpoint *out)
{
    entry_read r = { .seq = seq };
    cp_find f = { seq, 0 };
    uint8_t msg[8 + AUDIT_HASH_BYTES];
    int rc;

    if (seq == 0)
        return signer_refuse(g, "checkpoint", "seq 0 names no entry");
    rc = store_audit_each(tx, seq > 1 ? seq - 1 : 1, on_entry, &r);
    if (rc < 0)
        return SIGNER_EIO;
    if (!r.have)
        return signer_refuse(g, "checkpoint", "no such entry");
    if (seq > 1 && (!r.have_prev || memcmp(r.prev_hash, r.prev_field, AUDIT_HASH_BYTES) != 0))
        return signer_refuse(g, "checkpoint", "the entry does not chain to the one before");
    if (!r.due)
        return signer_refuse(g, "checkpoint", "not due: neither periodic nor a transition");
    if ((g->remember && remembered(g, seq)) ||
        (rc = store_checkpoints_each(tx, on_checkpoint, &f)) < 0 || f.found)
        return rc < 0 ? SIGNER_EIO : signer_refuse(g, "checkpoint", "already signed");
    if (g->remember && remember(g, seq) != SIGNER_OK)
        return SIGNER_EIO;
    out->seq = seq;
    memcpy(out->hash, r.hash, AUDIT_HASH_BYTES);
    audit_checkpoint_message(msg, seq, r.hash);
    crypto_sign_detached(out->signature, NULL, msg, sizeof msg, g->sk);
    return SIGNER_OK;
}

/* ---- receipts ---- */

int signer_core_receipt(signer *g, store_tx *tx, box_receipt *r)
{
    char scrutin[STORE_SCRUTIN_CHARS + 1], *body = NULL;
    box_receipt mine;
    store_election e;
    uint64_t count;
    uint8_t digest[32], msg[32];
    int rc;

    /* The election's fingerprint is read once: it is fixed before any ballot
     * can be cast (it covers the definition and the public key, both set
     * before a vote or a test opens), and every later receipt then reads the
     * box alone. The registry before the box, as every reader: a reader
     * holding the box while it waits for the registry would deadlock a commit
     * (SQLite locks the registry first). */
    if (!g->has_fp) {
        if (store_election_get(tx, &e) != STORE_OK)
            return SIGNER_EIO;
        free(e.definition);
        memcpy(g->fp, e.fingerprint, sizeof g->fp);
    }
    rc = store_ballot_get(tx, r->tracker, scrutin, &body);
    free(body);
    if (rc == STORE_ENOTFOUND)
        return signer_refuse(g, "receipt", "no such ballot in the box");
    if (rc != STORE_OK)
        return SIGNER_EIO;
    if (strcmp(scrutin, r->scrutin) != 0)
        return signer_refuse(g, "receipt", "the ballot is in another scrutin");
    if (store_box_state_get(tx, r->scrutin, &count, digest) != STORE_OK)
        return SIGNER_EIO;
    if (r->count == 0 || r->count > count)
        return signer_refuse(g, "receipt", "a count the box never had");
    memset(&mine, 0, sizeof mine);
    memcpy(mine.tracker, r->tracker, sizeof mine.tracker);
    memcpy(mine.scrutin, scrutin, sizeof mine.scrutin);
    mine.count = r->count;
    memcpy(mine.digest, r->digest, sizeof mine.digest);
    memcpy(mine.fp, g->fp, sizeof mine.fp);
    mine.already_recorded = r->already_recorded != 0;
    g->has_fp = 1;                      /* read with a ballot in the box: fixed from now on */
    box_receipt_message(msg, &mine);
    memcpy(r->fp, mine.fp, sizeof r->fp);
    crypto_sign_detached(r->signature, NULL, msg, sizeof msg, g->sk);
    return SIGNER_OK;
}

/* ---- the archive's end ---- */

typedef struct {
    uint64_t n;
    store_checkpoint last;       /* the one of largest seq */
} cp_last;

static int on_checkpoint_last(const store_checkpoint *c, void *arg)
{
    cp_last *l = arg;

    if (l->n++ == 0 || c->seq > l->last.seq)
        l->last = *c;
    return 0;
}

/* Everything signed is read here, in one transaction: the writer chooses
 * nothing (not even the election: a store holds one). */
int signer_core_archive_end(signer *g, store_tx *tx, signer_end_line *out)
{
    cp_last l;
    store_election e;
    uint8_t msg[32];

    memset(&l, 0, sizeof l);
    memset(out, 0, sizeof *out);
    if (store_election_get(tx, &e) != STORE_OK)
        return SIGNER_EIO;
    free(e.definition);
    if (store_checkpoints_each(tx, on_checkpoint_last, &l) != STORE_OK)
        return SIGNER_EIO;
    snprintf(out->state, sizeof out->state, "%s", e.state);
    out->checkpoints = l.n;
    if (l.n > 0) {
        out->last_seq = l.last.seq;
        memcpy(out->last_hash, l.last.hash, sizeof out->last_hash);
    }
    audit_archive_end_message(msg, e.fingerprint, out->state, out->checkpoints, out->last_seq,
                              out->last_hash);
    crypto_sign_detached(out->signature, NULL, msg, sizeof msg, g->sk);
    return SIGNER_OK;
}

/* ---- reissue requests ---- */

typedef struct {
    const char *request;
    int64_t voter;
    char *body;
} row_find;

static int on_row(const char *request, int64_t voter, const char *body, void *arg)
{
    row_find *f = arg;

    if (f->body != NULL || strcmp(request, f->request) != 0)
        return 0;
    f->voter = voter;
    return (f->body = strdup(body)) != NULL ? 0 : STORE_ENOMEM;
}

typedef struct {
    const credauth_request *q;
    size_t open;                 /* of the request's scrutins, those the voter may still vote in */
} scrutin_check;

static int on_scrutin(const char *scrutin, int voted, void *arg)
{
    scrutin_check *c = arg;

    for (size_t i = 0; i < c->q->n; i++)
        if (!voted && strcmp(c->q->scrutins[i], scrutin) == 0)
            c->open++;
    return 0;
}

int signer_core_reissue(signer *g, store_tx *tx, const char *request, uint8_t signature[64])
{
    row_find f = { request, 0, NULL };
    credauth_request q;
    scrutin_check sc = { &q, 0 };
    store_election e;
    store_access a;
    uint8_t digest[32];
    char err[160];
    int rc = store_reissues_each(tx, on_row, &f);

    if (rc != STORE_OK) {
        free(f.body);
        return SIGNER_EIO;
    }
    if (f.body == NULL)
        return signer_refuse(g, "reissue", "no such stored request");
    rc = credauth_request_parse(&q, f.body, strlen(f.body), err, sizeof err);
    free(f.body);
    if (rc != 0)
        return signer_refuse(g, "reissue", "the stored request is malformed");
    if (strcmp(q.request, request) != 0)
        return signer_refuse(g, "reissue", "the stored request names another id");
    if (store_election_get(tx, &e) != STORE_OK)
        return SIGNER_EIO;
    free(e.definition);
    if (strcmp(e.state, "open") != 0)
        return signer_refuse(g, "reissue", "the vote is not open");
    rc = store_access_by_id(tx, f.voter, &a);
    if (rc != STORE_OK && rc != STORE_ENOTFOUND)
        return SIGNER_EIO;
    if (strcmp(q.election, e.eid) != 0 || rc == STORE_ENOTFOUND || a.struck ||
        strcmp(q.voter, a.number) != 0)
        return signer_refuse(g, "reissue", "the request is not for this election's voter");
    if (store_voter_scrutins(tx, f.voter, on_scrutin, &sc) != STORE_OK)
        return SIGNER_EIO;
    if (sc.open != q.n)
        return signer_refuse(g, "reissue", "a scrutin the voter cannot vote in");
    credauth_request_digest(digest, &q);
    crypto_sign_detached(signature, NULL, digest, sizeof digest, g->sk);
    return SIGNER_OK;
}
