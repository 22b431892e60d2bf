/* reissue.c - applying the credential authority's signed reissue records
 * (docs/protocol.md section 7.3): the server never derives a credential. */
#include "credentials.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"
#include "crypto/crypto.h"
#include "crypto/hex.h"
#include "election_internal.h"

#define REISSUE_MAX_ENTRIES DEF_MAX_SCRUTINS

typedef struct {
    const char *scrutin;
    uint8_t revoked[32], fresh[32], bind[32];
} reissue_entry;

typedef struct {
    election_ctx *c;
    json_t *doc, *pub;            /* the record as received; its public part */
    const char *voter;
    uint64_t seq;
    reissue_entry e[REISSUE_MAX_ENTRIES];
    size_t n;
    int64_t voter_id;
    int again;                    /* the same record was applied before */
} apply_job;

/* The record's form and its bindings; the signature is checked in the job,
 * against the stored definition's key. */
static int parse(election_ctx *c, apply_job *j)
{
    const char *format, *eid, *sighex;
    json_int_t seq;
    json_t *entries, *bindings, *v;
    size_t i;

    if (json_unpack(j->doc, "{s:s,s:s,s:I,s:o,s:s,s:s,s:o}", "format", &format, "election",
                    &eid, "seq", &seq, "entries", &entries, "signature", &sighex, "voter",
                    &j->voter, "bindings", &bindings) != 0 ||
        strcmp(format, REISSUE_RECORD_FORMAT) != 0 || seq < 1 || !json_is_array(entries) ||
        !json_is_array(bindings) || strlen(sighex) != 128)
        return election_refuse(c, "not a reissue record of the credential authority (%s with "
                               "its voter and bindings)", REISSUE_RECORD_FORMAT);
    j->seq = (uint64_t)seq;
    j->n = json_array_size(entries);
    if (j->n == 0 || j->n > REISSUE_MAX_ENTRIES || json_array_size(bindings) != j->n)
        return election_refuse(c, "a reissue record holds 1 to %d entries and one binding per "
                               "entry", REISSUE_MAX_ENTRIES);
    json_array_foreach(entries, i, v) {
        reissue_entry *e = &j->e[i];
        json_t *b = json_array_get(bindings, i);
        group_point p;

        e->scrutin = json_string_value(json_object_get(v, "scrutin"));
        if (e->scrutin == NULL || json_object_size(v) != 3 ||
            hex_decode(e->revoked, 32, json_string_value(json_object_get(v, "revoked"))) != 0 ||
            hex_decode(e->fresh, 32, json_string_value(json_object_get(v, "fresh"))) != 0 ||
            group_point_decode(&p, e->fresh, GROUP_NO_IDENTITY) != 0)
            return election_refuse(c, "entries[%zu] needs a scrutin, the revoked credential and "
                                   "a valid fresh one", i);
        if (!json_is_string(json_object_get(b, "scrutin")) ||
            strcmp(json_string_value(json_object_get(b, "scrutin")), e->scrutin) != 0 ||
            hex_decode(e->bind, 32, json_string_value(json_object_get(b, "bind"))) != 0)
            return election_refuse(c, "bindings[%zu] must bind entry %zu's scrutin", i, i);
        for (size_t k = 0; k < i; k++)
            if (strcmp(j->e[k].scrutin, e->scrutin) == 0)
                return election_refuse(c, "scrutin %s comes twice in the record", e->scrutin);
    }
    j->pub = json_pack("{s:s,s:s,s:I,s:O,s:s}", "format", format, "election", eid, "seq", seq,
                       "entries", entries, "signature", sighex);
    return j->pub != NULL ? ELECTION_OK : STORE_ENOMEM;
}

static int signature_ok(const apply_job *j, const char *eid, const def_election *d)
{
    credential_reissue_hash h;
    uint8_t digest[32], sig[64];

    if (strcmp(json_string_value(json_object_get(j->doc, "election")), eid) != 0 ||
        hex_decode(sig, sizeof sig, json_string_value(json_object_get(j->doc, "signature"))) != 0)
        return 0;
    credential_reissue_init(&h, eid, j->seq, j->n);
    for (size_t i = 0; i < j->n; i++)
        credential_reissue_add(&h, j->e[i].scrutin, j->e[i].revoked, j->e[i].fresh);
    credential_reissue_final(&h, digest);
    return crypto_sign_verify_detached(sig, digest, sizeof digest,
                                       d->credential_authority) == 0;
}

typedef struct {
    store_tx *tx;
    int64_t voter;
} drop_job;

static int drop_request(const char *request, int64_t voter, const char *body, void *arg)
{
    (void)body;
    return voter == ((drop_job *)arg)->voter ? store_reissue_delete(((drop_job *)arg)->tx,
                                                                    request)
                                             : 0;
}

/* Every entry: an eligible scrutin not voted in, its revoked credential active. */
static int check_entries(store_tx *tx, apply_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        reissue_entry *e = &j->e[i];
        int eligible, voted, state, rc;

        if ((rc = store_voter_eligible(tx, j->voter_id, e->scrutin, &eligible)) != STORE_OK ||
            (rc = store_signature_exists(tx, j->voter_id, e->scrutin, &voted)) != STORE_OK ||
            (rc = store_credential_state(tx, e->scrutin, e->revoked, &state)) != STORE_OK)
            return rc;
        if (!eligible || voted)
            return election_refuse(j->c, "voter %s %s in scrutin %s", j->voter,
                                   eligible ? "already voted" : "may not vote", e->scrutin);
        if (state != STORE_CRED_ACTIVE)
            return election_refuse(j->c, "entry %zu revokes a credential that is not an active "
                                   "one of scrutin %s", i, e->scrutin);
        if ((rc = store_credential_state(tx, e->scrutin, e->fresh, &state)) != STORE_OK)
            return rc;
        if (state != STORE_CRED_UNKNOWN)
            return election_refuse(j->c, "entry %zu's fresh credential is already known", i);
    }
    return STORE_OK;
}

static int run_apply(store_tx *tx, void *arg)
{
    apply_job *j = arg;
    store_election e;
    def_election d;
    char err[DEF_ERR_CHARS], *text = NULL, *stored = NULL;
    uint64_t have = 0;
    int struck, rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    if (def_parse(&d, e.definition, strlen(e.definition), err, sizeof err) != 0) {
        free(e.definition);
        return STORE_EIO;
    }
    if (!signature_ok(j, e.eid, &d))
        rc = election_refuse(j->c, "the record's signature is not the credential authority's "
                             "(the definition's credential_authority key) for election %s",
                             e.eid);
    else if (strcmp(e.state, "open") != 0)
        rc = election_refuse(j->c, "reissue records are applied while the vote is open (now %s)",
                             e.state);
    def_free(&d);
    free(e.definition);
    if (rc == STORE_OK && (rc = store_voter_find(tx, j->voter, &j->voter_id, &struck)) ==
                              STORE_ENOTFOUND)
        return election_refuse(j->c, "voter %s is not on the electoral list", j->voter);
    if (rc != STORE_OK)
        return rc;
    if (struck)
        return election_refuse(j->c, "voter %s was struck from the electoral list", j->voter);
    if ((text = json_dumps(j->pub, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        return STORE_ENOMEM;
    rc = election_documents_count(tx, REISSUE_KIND, &have);
    if (rc == STORE_OK && j->seq <= have) {
        rc = store_document_get(tx, REISSUE_KIND, (int64_t)j->seq, &stored);
        if (rc == STORE_OK && strcmp(stored, text) == 0)
            j->again = 1;
        else if (rc == STORE_OK || rc == STORE_ENOTFOUND)
            rc = election_refuse(j->c, "record %llu was already applied with other contents",
                                 (unsigned long long)j->seq);
    } else if (rc == STORE_OK && j->seq != have + 1) {
        rc = election_refuse(j->c, "record %llu is not the next (%llu records applied)",
                             (unsigned long long)j->seq, (unsigned long long)have);
    } else if (rc == STORE_OK && (rc = check_entries(tx, j)) == STORE_OK) {
        for (size_t i = 0; rc == STORE_OK && i < j->n; i++)
            if ((rc = store_credential_revoke(tx, j->e[i].scrutin, j->e[i].revoked)) ==
                    STORE_OK &&
                (rc = store_credential_add(tx, j->e[i].scrutin, j->e[i].fresh)) == STORE_OK)
                rc = store_binding_put(tx, j->voter_id, j->e[i].scrutin, j->e[i].bind);
        if (rc == STORE_OK)
            rc = store_document_put(tx, REISSUE_KIND, (int64_t)j->seq, text);
    }
    free(stored);
    free(text);
    if (rc == STORE_OK) {
        drop_job dj = { tx, j->voter_id };

        rc = store_reissues_each(tx, drop_request, &dj);
    }
    if (rc == STORE_OK && !j->again) {
        json_t *p = json_pack("{s:s,s:I,s:I}", "number", j->voter, "seq", (json_int_t)j->seq,
                              "entries", (json_int_t)j->n);

        rc = audit_append(tx, j->c->role, j->c->actor, "code-reissued", p);
        json_decref(p);
    }
    return rc;
}

int election_reissue_apply(store *s, election_ctx *c, const char *text, size_t len,
                           int64_t *voter_id)
{
    json_error_t je;
    apply_job j = { .c = c };
    int rc;

    c->msg[0] = '\0';
    j.doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (j.doc == NULL)
        return election_refuse(c, "the reissue record is not JSON: %s", je.text);
    rc = parse(c, &j);
    if (rc == ELECTION_OK)
        rc = store_write(s, run_apply, &j);
    if (rc == ELECTION_OK) {
        if (voter_id != NULL)
            *voter_id = j.voter_id;
        snprintf(c->msg, sizeof c->msg, "reissue record %llu %s for voter %s",
                 (unsigned long long)j.seq, j.again ? "was already applied" : "applied",
                 j.voter);
    }
    json_decref(j.pub);
    json_decref(j.doc);
    return rc;
}
