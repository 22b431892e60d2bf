/* seals.c - the key holders' seals of the election's state at opening and
 * closing: Ed25519 signatures with the seal keys of the ceremony. */
#include "ceremony_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "audit/audit.h"
#include "credentials.h"
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "crypto/transcript.h"
#include "software.h"

typedef struct {
    transcript t;
    json_t *list;                      /* NULL, or the list given to the holders */
} sig_walk;

static int hash_signature(const char *scrutin, const char *number, void *arg)
{
    sig_walk *w = arg;

    transcript_put(&w->t, scrutin, strlen(scrutin));
    transcript_put(&w->t, number, strlen(number));
    return w->list == NULL || json_array_append_new(w->list, json_pack("[ss]", scrutin,
                                                                        number)) == 0
               ? 0
               : STORE_ENOMEM;
}

/* What the seals say of the credentials (docs/protocol.md section 6.3):
 * Hb("votesrv/v1/seal-credentials"; per scrutin of the definition in order:
 * id, le64(n), list digest, signature; le64(m); per reissue record by seq:
 * record digest, signature). Digests recomputed from the stored documents. */
static int add_record(const char *kind, int64_t holder, const char *body, void *arg)
{
    json_t *r = json_loads(body, 0, NULL), *e;
    credential_reissue_hash h;
    uint8_t digest[32], sig[64], rev[32], fresh[32];
    size_t i;
    int rc = 0;

    (void)kind;
    credential_reissue_init(&h, json_string_value(json_object_get(r, "election")),
                            (uint64_t)holder, json_array_size(json_object_get(r, "entries")));
    json_array_foreach(json_object_get(r, "entries"), i, e) {
        if (hex_decode(rev, 32, json_string_value(json_object_get(e, "revoked"))) != 0 ||
            hex_decode(fresh, 32, json_string_value(json_object_get(e, "fresh"))) != 0)
            rc = STORE_EIO;
        else
            credential_reissue_add(&h, json_string_value(json_object_get(e, "scrutin")), rev,
                                   fresh);
    }
    credential_reissue_final(&h, digest);
    if (hex_decode(sig, 64, json_string_value(json_object_get(r, "signature"))) != 0)
        rc = STORE_EIO;
    transcript_put(arg, digest, 32);
    transcript_put(arg, sig, 64);
    json_decref(r);
    return rc;
}

static int credentials_hash(store_tx *tx, const store_election *e, const def_election *d,
                            uint8_t out[32])
{
    char *text = NULL;
    json_t *doc = NULL, *l;
    uint64_t m = 0;
    transcript t;
    size_t i;
    int rc = store_document_get(tx, CREDENTIAL_LISTS_KIND, 0, &text);

    transcript_init(&t, "votesrv/v1/seal-credentials", TRANSCRIPT_DIGEST_BYTES);
    if (rc == STORE_OK && (doc = json_loads(text, 0, NULL)) == NULL)
        rc = STORE_EIO;
    for (size_t k = 0; rc == STORE_OK && k < d->nscrutins; k++)
        json_array_foreach(json_object_get(doc, "lists"), i, l) {
            const char *id = json_string_value(json_object_get(l, "scrutin"));
            credential_list_hash h;
            uint8_t pub[32], digest[32], sig[64];
            json_t *c;
            size_t n;

            if (id == NULL || strcmp(id, d->scrutins[k].id) != 0)
                continue;
            n = json_array_size(json_object_get(l, "credentials"));
            credential_list_init(&h, e->eid, id, n);
            json_array_foreach(json_object_get(l, "credentials"), n, c) {
                if (hex_decode(pub, 32, json_string_value(c)) != 0)
                    rc = STORE_EIO;
                credential_list_add(&h, pub);
            }
            credential_list_final(&h, digest);
            if (hex_decode(sig, 64, json_string_value(json_object_get(l, "signature"))) != 0)
                rc = STORE_EIO;
            transcript_put(&t, id, strlen(id));
            transcript_put_u64(&t, json_array_size(json_object_get(l, "credentials")));
            transcript_put(&t, digest, 32);
            transcript_put(&t, sig, 64);
        }
    if (rc == STORE_ENOTFOUND)
        rc = STORE_OK;                 /* no credentials yet: the seal says so */
    if (rc == STORE_OK)
        rc = election_documents_count(tx, REISSUE_KIND, &m);
    if (rc == STORE_OK) {
        transcript_put_u64(&t, m);
        rc = store_documents_each(tx, REISSUE_KIND, add_record, &t);
    }
    transcript_digest(&t, out);
    json_decref(doc);
    free(text);
    return rc;
}

/* The state to seal and, if list is not NULL, the signature list it hashes
 * (what a holder recomputes it from). */
static int state_make(store_tx *tx, const store_election *e, const def_election *d,
                      const char *act, const char *assets, json_t **out, json_t *list)
{
    uint8_t sig[32], box[32], digest[32], creds[32];
    software_manifest sw;
    uint64_t count;
    transcript t;
    sig_walk w = { .list = list };
    int rc;

    *out = NULL;
    transcript_init(&w.t, "votesrv/v1/seal-signatures", TRANSCRIPT_DIGEST_BYTES);
    if ((rc = store_signatures_each(tx, hash_signature, &w)) != STORE_OK)
        return rc;
    t = w.t;
    transcript_digest(&t, sig);
    transcript_init(&t, "votesrv/v1/seal-box", TRANSCRIPT_DIGEST_BYTES);
    for (size_t i = 0; i < d->nscrutins; i++) {
        if ((rc = store_box_state_get(tx, d->scrutins[i].id, &count, digest)) != STORE_OK)
            return rc;
        transcript_put(&t, d->scrutins[i].id, strlen(d->scrutins[i].id));
        transcript_put_u64(&t, count);
        transcript_put(&t, digest, sizeof digest);
    }
    transcript_digest(&t, box);
    if ((rc = credentials_hash(tx, e, d, creds)) != STORE_OK)
        return rc;
    if (software_manifest_make(&sw, assets) != 0)
        return STORE_EIO;
    *out = json_pack("{ssss}", "act", act, "eid", e->eid);
    if (*out == NULL)
        return STORE_ENOMEM;
    ceremony_hex_set(*out, "fingerprint", e->fingerprint, 32);
    ceremony_hex_set(*out, "signatures", sig, 32);
    ceremony_hex_set(*out, "box", box, 32);
    ceremony_hex_set(*out, "credentials", creds, 32);
    ceremony_hex_set(*out, "software", sw.digest, 32);
    return STORE_OK;
}

static const char *act_state(const char *act)
{
    return strcmp(act, "open") == 0 ? "keys-ready" : strcmp(act, "close") == 0 ? "open" : NULL;
}

typedef struct {
    const char *act, *assets;
    json_t *out, *list;
} state_job;

static int run_state(store_tx *tx, void *arg)
{
    state_job *j = arg;
    election_ctx c = { 0 };
    cer_state st;
    int rc = cer_state_load(tx, &st, &c);

    if (rc == ELECTION_OK)
        rc = state_make(tx, &st.e, &st.d, j->act, j->assets, &j->out, j->list);
    cer_state_free(&st);
    return rc;
}

int ceremony_seal_state(store *s, const char *act, const char *assets, json_t **out,
                        json_t **signatures)
{
    state_job j = { act, assets, NULL, signatures != NULL ? json_array() : NULL };
    int rc;

    *out = NULL;
    if (signatures != NULL)
        *signatures = NULL;
    if (act_state(act) == NULL || (signatures != NULL && j.list == NULL)) {
        json_decref(j.list);
        return act_state(act) == NULL ? ELECTION_REFUSED : STORE_ENOMEM;
    }
    rc = store_read(s, run_state, &j);
    if (rc == STORE_OK && signatures != NULL &&
        (*signatures = json_pack("{sssssO}", "format", CEREMONY_SIGNATURES_FORMAT, "eid",
                                 json_string_value(json_object_get(j.out, "eid")),
                                 "signatures", j.list)) == NULL)
        rc = STORE_ENOMEM;
    json_decref(j.list);
    if (rc != STORE_OK) {
        json_decref(j.out);
        return rc;
    }
    *out = j.out;
    return STORE_OK;
}

/* 0 if msg is holder i's valid seal of exactly `state`. */
static int seal_valid(json_t *msg, const cer_state *st, uint64_t i, json_t *state)
{
    return json_is_object(msg) && json_equal(json_object_get(msg, "state"), state) &&
                   json_is_integer(json_object_get(msg, "holder")) &&
                   json_integer_value(json_object_get(msg, "holder")) == (json_int_t)i &&
                   ceremony_message_verify(msg, st->k.sign_pk[i]) == 0
               ? 0
               : -1;
}

int seal_post(store_tx *tx, cer_state *st, election_ctx *c, json_t *msg, uint64_t holder,
              const char *kind)
{
    const char *act = kind + 5, *want = act_state(act);
    json_t *state = NULL, *p;
    char *text = NULL;
    int rc;

    if (want == NULL)
        return election_refuse(c, "unknown message kind \"%s\"", kind);
    if (strcmp(st->e.state, want) != 0)
        return election_refuse(c, "a seal before %s is taken in state %s (now %s)", act, want,
                               st->e.state);
    if ((rc = state_make(tx, &st->e, &st->d, act, c->assets, &state, NULL)) != STORE_OK)
        return rc;
    if (seal_valid(msg, st, holder, state) != 0) {
        rc = election_refuse(c, "holder %llu (%s): the seal is invalid or covers another "
                             "state than the current one", (unsigned long long)holder,
                             def_holder_name(&st->d, holder));
    } else if ((text = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
        rc = STORE_ENOMEM;
    } else if ((rc = store_document_delete(tx, kind, (int64_t)holder)) == STORE_OK &&
               (rc = store_document_put(tx, kind, (int64_t)holder, text)) == STORE_OK) {
        p = json_pack("{sIsO}", "holder", (json_int_t)holder, "state", state);
        rc = audit_append(tx, "trustee", def_holder_name(&st->d, holder), kind, p);
        json_decref(p);
    }
    free(text);
    json_decref(state);
    return rc;
}

int election_seals_check_tx(store_tx *tx, election_ctx *c, const char *act, json_t *payload)
{
    char kind[16];
    cer_state st;
    cer_docs seals;
    json_t *state = NULL, *list = json_array();
    size_t delegates = 0;
    int president = 0, rc = cer_state_load(tx, &st, c);

    memset(&seals, 0, sizeof seals);
    if (rc == ELECTION_REFUSED && !st.d.has_bureau && st.have_d) {
        rc = ELECTION_OK;              /* no bureau: a demo election, nothing to seal */
        c->msg[0] = '\0';
        goto out;
    }
    snprintf(kind, sizeof kind, "seal-%s", act);
    if (rc != ELECTION_OK || (rc = cer_docs_load(tx, kind, &seals)) != STORE_OK ||
        (rc = state_make(tx, &st.e, &st.d, act, c->assets, &state, NULL)) != STORE_OK)
        goto out;
    for (uint64_t i = 0; i < st.n; i++) {
        if (seals.msg[i] == NULL || seal_valid(seals.msg[i], &st, i, state) != 0)
            continue;
        president += i == 0;
        delegates += i != 0;
        json_array_append_new(list, json_pack("{sIsO}", "holder", (json_int_t)i, "signature",
                                              json_object_get(seals.msg[i], "signature")));
    }
    if (!president || delegates < 1) {
        rc = election_refuse_why(c, ELECTION_WHY_SEALS,
                                 "the seals of the president and of at least one delegate over "
                                 "the current state are required to %s (valid seals: president "
                                 "%s, %zu delegate(s)); get them with votectl seal-state %s and "
                                 "votetrustee seal", act, president ? "yes" : "no", delegates,
                                 act);
        goto out;
    }
    /* at closing, a holder's earlier seal over another state leaves the store:
     * the archive keeps only seals over the closed state (§6.3, §15) */
    for (uint64_t i = 0; strcmp(act, "close") == 0 && rc == ELECTION_OK && i < st.n; i++)
        if (seals.msg[i] != NULL && seal_valid(seals.msg[i], &st, i, state) != 0)
            rc = store_document_delete(tx, kind, (int64_t)i);
    if (rc != ELECTION_OK)
        goto out;
    json_object_set(payload, "seals", list);
    json_object_set(payload, "sealed_state", state);
out:
    json_decref(list);
    json_decref(state);
    cer_docs_free(&seals);
    cer_state_free(&st);
    return rc;
}
