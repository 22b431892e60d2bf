/* partial.c - the server's side of the decryption: check each key holder's
 * partial decryption; with the president and two delegates, publish results. */
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"
#include "crypto/bureau.h"
#include "crypto/hex.h"
#include "election/election.h"

typedef struct {
    election_ctx *c;
    json_t *msg;
    store_election e;
    def_election d;
    int have_e, have_d;
    json_t *sums;
    ceremony_keys k;
    uint64_t holder;
} post_job;

static int load(store_tx *tx, post_job *j)
{
    char err[DEF_ERR_CHARS], *body = NULL;
    int rc = store_election_get(tx, &j->e);

    if (rc != STORE_OK)
        return rc;
    j->have_e = 1;
    if (def_parse(&j->d, j->e.definition, strlen(j->e.definition), err, sizeof err) != 0)
        return election_refuse(j->c, "the stored definition is invalid: %s", err);
    j->have_d = 1;
    if (strcmp(j->e.state, "closed") != 0)
        return election_refuse(j->c, "partial decryptions are taken once the election is closed and "
                      "counted (now %s)", j->e.state);
    rc = store_document_get(tx, "sums", 0, &body);
    if (rc == STORE_ENOTFOUND)
        return election_refuse(j->c, "the ballots are not counted yet (votectl tally)");
    if (rc == STORE_OK && (j->sums = json_loads(body, 0, NULL)) == NULL)
        rc = STORE_EIO;
    free(body);
    return rc != STORE_OK ? rc : ceremony_keys_get(tx, j->c, &j->k);
}

/* The message's envelope, signature and every proof of decryption. */
static int check(post_job *j)
{
    json_t *m = j->msg, *h = json_object_get(m, "holder"), *list, *e;
    json_t *sums = json_object_get(j->sums, "scrutins");
    uint8_t digest[32], claimed[32], pub[32];
    tally_sum sum;
    tally_partial p;
    size_t i;

    if (!json_is_integer(h) || json_integer_value(h) < 0 ||
        (uint64_t)json_integer_value(h) >= j->k.n)
        return election_refuse(j->c, "the partial decryption names no holder of this bureau");
    j->holder = (uint64_t)json_integer_value(h);
    if (!json_is_string(json_object_get(m, "eid")) ||
        strcmp(json_string_value(json_object_get(m, "eid")), j->e.eid) != 0)
        return election_refuse(j->c, "the partial decryption is for another election");
    if (ceremony_message_verify(m, j->k.sign_pk[j->holder]) != 0)
        return election_refuse(j->c, "holder %llu: the partial decryption's signature is invalid",
                      (unsigned long long)j->holder);
    tally_doc_digest(digest, TALLY_SUMS_TAG, j->sums);
    if (ceremony_hex_get(claimed, 32, m, "sums") != 0 || sodium_memcmp(claimed, digest, 32) != 0)
        return election_refuse(j->c, "holder %llu: the partial decryption is of other sums",
                      (unsigned long long)j->holder);
    list = json_object_get(m, "scrutins");
    if (json_array_size(list) != json_array_size(sums) ||
        bureau_holder_key(pub, j->k.president, &j->k.commitments[0][0][0], j->k.n - 1,
                          j->holder) != 0)
        return election_refuse(j->c, "holder %llu: one decryption per scrutin expected",
                      (unsigned long long)j->holder);
    json_array_foreach(list, i, e) {
        json_t *se = json_array_get(sums, i);

        if (tally_sum_from_json(&sum, se) != 0 ||
            !json_equal(json_object_get(e, "id"), json_object_get(se, "id")) ||
            tally_partial_from_json(&p, e, j->holder, sum.k) != 0)
            return election_refuse(j->c, "holder %llu: scrutin %zu of the decryption is malformed",
                          (unsigned long long)j->holder, i);
        for (size_t l = 0; l < sum.k; l++)
            if (proof_dec_verify(&p.proof[l], j->e.fingerprint, pub, sum.sum[l].bytes,
                                 p.factor[l]) != 0)
                return election_refuse(j->c, "holder %llu: the proof of decryption of list %zu in "
                              "scrutin %s is invalid", (unsigned long long)j->holder, l + 1,
                              json_string_value(json_object_get(se, "id")));
    }
    return ELECTION_OK;
}

static int collect(const char *kind, int64_t holder, const char *body, void *arg)
{
    tally_quorum *q = arg;

    (void)kind;
    if (q->nparts >= CEREMONY_MAX_HOLDERS || (q->parts[q->nparts] = json_loads(body, 0,
                                                                             NULL)) == NULL)
        return STORE_EIO;
    q->holders[q->nparts++] = (uint64_t)holder;
    return 0;
}

/* With the president and two delegates: results, and the election is tallied. */
static int maybe_finish(store_tx *tx, post_job *j)
{
    tally_quorum q = { &j->d, &j->k, j->e.fingerprint, j->sums, { 0 }, { 0 }, 0 };
    json_t *results = NULL, *details;
    char *text = NULL, hex[65];
    uint8_t digest[32];
    int rc = store_documents_each(tx, "partial", collect, &q);

    if (rc == STORE_OK && (q.nparts == 0 || q.holders[0] != 0 ||
                           bureau_quorum_check(BUREAU_ACT_DECRYPT, 1, q.nparts - 1) != 0))
        goto done;                      /* not yet a quorum */
    if (rc == STORE_OK)
        rc = tally_results_make(tx, &q, j->c, &results);
    if (rc == ELECTION_OK && (text = json_dumps(results, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        rc = STORE_ENOMEM;
    if (rc == ELECTION_OK)
        rc = store_document_put(tx, "results", 0, text);
    if (rc == ELECTION_OK) {
        tally_doc_digest(digest, TALLY_RESULTS_TAG, results);
        hex_encode(hex, digest, 32);
        details = json_pack("{ssso}", "results_blake2b", hex, "decrypted_by",
                            json_deep_copy(json_object_get(results, "decrypted_by")));
        rc = election_tallied_tx(tx, j->c, details);
        json_decref(details);
        if (rc == ELECTION_OK)
            snprintf(j->c->msg, sizeof j->c->msg, "the president and %zu delegates decrypted "
                     "the sums: the results are published", q.nparts - 1);
    }
done:
    for (size_t i = 0; i < q.nparts; i++)
        json_decref(q.parts[i]);
    json_decref(results);
    free(text);
    return rc;
}

static int run_post(store_tx *tx, void *arg)
{
    post_job *j = arg;
    char *text = NULL, hex[65];
    uint8_t digest[32];
    json_t *p;
    int rc = load(tx, j);

    if (rc == ELECTION_OK)
        rc = check(j);
    if (rc == ELECTION_OK && (text = json_dumps(j->msg, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        rc = STORE_ENOMEM;
    if (rc == ELECTION_OK && (rc = store_document_put(tx, "partial", (int64_t)j->holder,
                                                      text)) == STORE_ECONFLICT)
        rc = election_refuse(j->c, "holder %llu already posted its partial decryption",
                    (unsigned long long)j->holder);
    if (rc == ELECTION_OK) {
        ceremony_message_digest(digest, j->msg);
        hex_encode(hex, digest, 32);
        p = json_pack("{sIss}", "holder", (json_int_t)j->holder, "digest", hex);
        rc = audit_append(tx, "trustee", def_holder_name(&j->d, j->holder), "tally-partial", p);
        json_decref(p);
    }
    if (rc == ELECTION_OK)
        rc = maybe_finish(tx, j);
    free(text);
    return rc;
}

int tally_post_message(store *s, election_ctx *c, const char *text, size_t len)
{
    json_t *m = len <= CEREMONY_MAX_BYTES ? json_loadb(text, len, 0, NULL) : NULL;
    const char *kind = json_string_value(json_object_get(m, "kind"));
    int partial = kind != NULL && strcmp(kind, "partial") == 0;

    json_decref(m);
    return partial ? tally_post_partial(s, c, text, len) : ceremony_post(s, c, text, len);
}

int tally_post_partial(store *s, election_ctx *c, const char *text, size_t len)
{
    post_job j;
    int rc;

    memset(&j, 0, sizeof j);
    j.c = c;
    c->msg[0] = '\0';
    if (len <= CEREMONY_MAX_BYTES)
        j.msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j.msg)) {
        json_decref(j.msg);
        return election_refuse(c, "the partial decryption is not a JSON object");
    }
    rc = store_write(s, run_post, &j);
    json_decref(j.msg);
    json_decref(j.sums);
    if (j.have_d)
        def_free(&j.d);
    if (j.have_e)
        free(j.e.definition);
    return rc;
}
