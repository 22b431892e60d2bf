/* seal.c - a key holder's seal of the state before opening or closing,
 * recomputed from the data rather than signed as the officer sends it, and
 * the record the holder keeps of its closing seal (docs/protocol.md §6.3). */
#include "trustee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/hex.h"
#include "crypto/transcript.h"
#include "verify/verify.h"

/* What the holder recomputed, per scrutin of the definition. */
typedef struct {
    size_t n;
    const char *id[TRUSTEE_MAX_SCRUTINS];
    uint64_t count[TRUSTEE_MAX_SCRUTINS], signatures[TRUSTEE_MAX_SCRUTINS];
    uint8_t digest[TRUSTEE_MAX_SCRUTINS][32];
    uint8_t sig_hash[32], box_hash[32];
    uint8_t creds_hash[32];            /* the authority's lists (and records at close) */
} seal_facts;

static void box_hash(seal_facts *f)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/seal-box", TRANSCRIPT_DIGEST_BYTES);
    for (size_t i = 0; i < f->n; i++) {
        transcript_put(&t, f->id[i], strlen(f->id[i]));
        transcript_put_u64(&t, f->count[i]);
        transcript_put(&t, f->digest[i], 32);
    }
    transcript_digest(&t, f->box_hash);
}

static void facts_of_box(seal_facts *f, const trustee_box *box)
{
    memset(f, 0, sizeof *f);
    f->n = box->n;
    for (size_t i = 0; i < box->n; i++) {
        f->id[i] = box->sc[i].id;
        f->count[i] = box->sc[i].ballots;
        memcpy(f->digest[i], box->sc[i].digest, 32);
    }
}

void trustee_box_hash(uint8_t out[32], const trustee_box *box)
{
    seal_facts *f = malloc(sizeof *f);

    if (f == NULL) {
        memset(out, 0, 32);             /* matches no sealed state */
        return;
    }
    facts_of_box(f, box);
    box_hash(f);
    memcpy(out, f->box_hash, 32);
    free(f);
}

/* The credential authority's signed lists in the ceremony export, checked
 * with the definition's authority key as voteverify does, and their hash. */
static int lists_hash(seal_facts *f, const trustee_view *v, json_t *ceremony, char *err,
                      size_t errlen)
{
    vv *w = calloc(1, sizeof *w);
    json_t *lists = json_object_get(ceremony, "credential_lists");
    char why[240] = "";
    int ok;

    if (w == NULL)
        return ceremony_fault(err, errlen, "out of memory");
    snprintf(w->eid, sizeof w->eid, "%s", v->eid);
    memcpy(w->fp, v->fingerprint, 32);
    w->definition = json_incref(json_object_get(ceremony, "definition"));
    w->nsc = f->n;
    for (size_t i = 0; i < f->n; i++)
        snprintf(w->sc[i].id, sizeof w->sc[i].id, "%s", f->id[i]);
    w->documents = json_pack("{s:[O?]}", "credential-lists", lists);
    ok = lists != NULL && w->documents != NULL &&
         vv_credentials_open_hash(w, f->creds_hash, why, sizeof why);
    vv_free(w);
    free(w);
    if (!ok)
        return ceremony_fault(err, errlen, "the credential authority's signed lists %s: refuse "
                              "to seal the opening", lists == NULL
                                  ? "are not in the ceremony export (import the credentials "
                                    "first)" : why);
    return 0;
}

/* Before opening: the definition's scrutins, an empty box, no signature, and
 * the authority's signed lists. */
static int facts_open(seal_facts *f, const trustee_view *v, json_t *ceremony, char *err,
                      size_t errlen)
{
    json_t *list = json_object_get(json_object_get(ceremony, "definition"), "scrutins"), *e;
    transcript t;
    size_t i;

    memset(f, 0, sizeof *f);
    if (json_array_size(list) < 1 || json_array_size(list) > TRUSTEE_MAX_SCRUTINS)
        return ceremony_fault(err, errlen, "the definition's scrutins cannot be read");
    json_array_foreach(list, i, e)
        if ((f->id[f->n++] = json_string_value(json_object_get(e, "id"))) == NULL)
            return ceremony_fault(err, errlen, "scrutin %zu of the definition has no id", i);
    transcript_init(&t, "votesrv/v1/seal-signatures", TRANSCRIPT_DIGEST_BYTES);
    transcript_digest(&t, f->sig_hash);
    box_hash(f);
    return lists_hash(f, v, ceremony, err, errlen);
}

static int pair_cmp(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(y, 0)));

    return c != 0 ? c : strcmp(json_string_value(json_array_get(x, 1)),
                               json_string_value(json_array_get(y, 1)));
}

/* Each voter signs a scrutin at most once. */
static int pairs_unique(json_t *list)
{
    size_t n = json_array_size(list);
    json_t **p = malloc((n + 1) * sizeof *p);
    int ok = p != NULL;

    for (size_t i = 0; ok && i < n; i++)
        p[i] = json_array_get(list, i);
    if (ok)
        qsort(p, n, sizeof *p, pair_cmp);
    for (size_t i = 1; ok && i < n; i++)
        ok = pair_cmp(&p[i - 1], &p[i]) != 0;
    free(p);
    return ok;
}

/* Before closing: the verified box and the signature list, which must agree. */
static int facts_close(seal_facts *f, const trustee_view *v, const trustee_box *box,
                       json_t *signatures, char *err, size_t errlen)
{
    json_t *list = json_object_get(signatures, "signatures"), *e;
    const char *fmt = json_string_value(json_object_get(signatures, "format"));
    const char *eid = json_string_value(json_object_get(signatures, "eid"));
    transcript t;
    size_t i, j;

    facts_of_box(f, box);
    memcpy(f->creds_hash, box->credentials, 32);   /* checked by the archive's verification */
    if (fmt == NULL || strcmp(fmt, CEREMONY_SIGNATURES_FORMAT) != 0 || !json_is_array(list))
        return ceremony_fault(err, errlen, "the signature list is not a %s file (votectl "
                              "seal-state close OUT SIGNATURES)", CEREMONY_SIGNATURES_FORMAT);
    if (eid == NULL || strcmp(eid, v->eid) != 0)
        return ceremony_fault(err, errlen, "the signature list is another election's");
    transcript_init(&t, "votesrv/v1/seal-signatures", TRANSCRIPT_DIGEST_BYTES);
    json_array_foreach(list, i, e) {
        const char *sc = json_string_value(json_array_get(e, 0));
        const char *number = json_string_value(json_array_get(e, 1));

        if (json_array_size(e) != 2 || sc == NULL || number == NULL || number[0] == '\0')
            return ceremony_fault(err, errlen, "signature %zu of the list is not "
                                  "[scrutin, voter number]", i + 1);
        for (j = 0; j < f->n && strcmp(f->id[j], sc) != 0; j++)
            ;
        if (j == f->n)
            return ceremony_fault(err, errlen, "signature %zu of the list names scrutin %s, "
                                  "which the definition does not have", i + 1, sc);
        f->signatures[j]++;
        transcript_put(&t, sc, strlen(sc));
        transcript_put(&t, number, strlen(number));
    }
    transcript_digest(&t, f->sig_hash);
    if (!pairs_unique(list))
        return ceremony_fault(err, errlen, "the signature list names a voter twice in a scrutin");
    for (i = 0; i < f->n; i++)
        if (f->signatures[i] != f->count[i] || box->sc[i].signatures != f->count[i])
            return ceremony_fault(err, errlen, "scrutin %s: %llu ballots in the archive's box "
                                  "but %llu signatures on the list (%llu declared by the "
                                  "archive): refuse to seal", f->id[i],
                                  (unsigned long long)f->count[i],
                                  (unsigned long long)f->signatures[i],
                                  (unsigned long long)box->sc[i].signatures);
    box_hash(f);
    return 0;
}

/* The state the holder seals: its own facts, the officer's software digest. */
static json_t *state_expected(const trustee_view *v, const char *act, const seal_facts *f,
                              json_t *given, char *err, size_t errlen)
{
    uint8_t sw[32];
    json_t *s;

    if (ceremony_hex_get(sw, 32, given, "software") != 0) {
        ceremony_fault(err, errlen, "the state to seal has no software digest");
        return NULL;
    }
    s = json_pack("{ssss}", "act", act, "eid", v->eid);
    if (s == NULL) {
        ceremony_fault(err, errlen, "out of memory");
        return NULL;
    }
    ceremony_hex_set(s, "fingerprint", v->fingerprint, 32);
    ceremony_hex_set(s, "signatures", f->sig_hash, 32);
    ceremony_hex_set(s, "box", f->box_hash, 32);
    ceremony_hex_set(s, "credentials", f->creds_hash, 32);
    ceremony_hex_set(s, "software", sw, 32);
    return s;
}

/* The officer's state is the recomputed one, field by field. */
static int state_compare(json_t *want, json_t *given, char *err, size_t errlen)
{
    static const char *const why[][2] = {
        { "eid", "the state to seal is another election's" },
        { "fingerprint", "the state's fingerprint is not this election's (definition and "
                         "joint key): refuse to seal" },
        { "signatures", "the state's signature hash is not the one recomputed from the "
                        "signature list: refuse to seal" },
        { "box", "the state's box hash is not the one recomputed from the archive's verified "
                 "ballots: refuse to seal" },
        { "credentials", "the state's credentials hash is not the one recomputed from the "
                         "credential authority's signed lists and records: refuse to seal" },
    };

    for (size_t i = 0; i < sizeof why / sizeof *why; i++)
        if (!json_equal(json_object_get(want, why[i][0]), json_object_get(given, why[i][0])))
            return ceremony_fault(err, errlen, "%s", why[i][1]);
    if (!json_equal(want, given))
        return ceremony_fault(err, errlen, "the state to seal has fields the holder does not "
                              "recompute");
    return 0;
}

/* The record of a closing seal: the signed seal and what it covers. */
static json_t *record_make(const trustee_secret *ts, const trustee_view *v, json_t *seal,
                           const seal_facts *f)
{
    json_t *list = json_array(), *r;
    char hex[65];

    for (size_t i = 0; i < f->n; i++) {
        hex_encode(hex, f->digest[i], 32);
        json_array_append_new(list, json_pack("{sssIsIss}", "id", f->id[i], "ballots",
                                              (json_int_t)f->count[i], "signatures",
                                              (json_int_t)f->signatures[i], "box_digest", hex));
    }
    r = json_pack("{sssssIsoso}", "format", TRUSTEE_RECORD_FORMAT, "eid", v->eid, "holder",
                  (json_int_t)ts->holder, "seal_close", json_deep_copy(seal), "scrutins", list);
    if (r != NULL)
        ceremony_hex_set(r, "fingerprint", v->fingerprint, 32);
    return r;
}

int trustee_seal(json_t **msg, json_t **record, const trustee_secret *ts, json_t *ceremony,
                 json_t *state, const trustee_box *box, json_t *signatures, char *err,
                 size_t errlen)
{
    trustee_view v;
    seal_facts *f = malloc(sizeof *f);
    const char *act = json_string_value(json_object_get(state, "act"));
    char kind[16];
    json_t *want = NULL, *m = NULL, *r = NULL;
    int rc = -1, close_;

    *msg = NULL;
    if (f == NULL)
        return ceremony_fault(err, errlen, "out of memory");
    if (trustee_view_for(&v, ts, ceremony, err, errlen) != 0)
        goto done;
    if (!ts->has_share) {
        ceremony_fault(err, errlen, "this key file has not given its verdict on the ceremony");
        goto done;
    }
    if (act == NULL || (strcmp(act, "open") != 0 && strcmp(act, "close") != 0)) {
        ceremony_fault(err, errlen, "the state to seal must say \"act\": \"open\" or \"close\"");
        goto done;
    }
    close_ = strcmp(act, "close") == 0;
    if (close_ && (box == NULL || signatures == NULL)) {
        ceremony_fault(err, errlen, "to seal the close, the holder needs the archive (votectl "
                       "archive) and the signature list (votectl seal-state close OUT "
                       "SIGNATURES) to recompute the state");
        goto done;
    }
    if ((close_ ? facts_close(f, &v, box, signatures, err, errlen)
                : facts_open(f, &v, ceremony, err, errlen)) != 0 ||
        (want = state_expected(&v, act, f, state, err, errlen)) == NULL ||
        state_compare(want, state, err, errlen) != 0)
        goto done;
    snprintf(kind, sizeof kind, "seal-%s", act);
    m = json_pack("{sssssssI}", "format", CEREMONY_FORMAT, "eid", v.eid, "kind", kind,
                  "holder", (json_int_t)ts->holder);
    if (m == NULL || json_object_set(m, "state", want) != 0 ||
        ceremony_message_sign(m, ts->sign_sk) != 0) {
        ceremony_fault(err, errlen, "out of memory");
        goto done;
    }
    if (close_) {
        json_t *old = *record;

        if ((r = record_make(ts, &v, m, f)) == NULL) {
            ceremony_fault(err, errlen, "out of memory");
            goto done;
        }
        if (old != NULL && json_object_get(old, "decrypted") != NULL) {
            if (!json_equal(json_object_get(old, "scrutins"), json_object_get(r, "scrutins"))) {
                ceremony_fault(err, errlen, "this key file already decrypted the count of "
                               "another closing state: refuse to seal a different one");
                goto done;
            }
            json_object_set(r, "decrypted", json_object_get(old, "decrypted"));
        }
        json_decref(old);
        *record = r;
        r = NULL;
    }
    *msg = m;
    m = NULL;
    rc = 0;
done:
    json_decref(want);
    json_decref(m);
    json_decref(r);
    free(f);
    return rc;
}
