/* ceremony.c - the server's side of the key ceremony: check, store, audit,
 * and fix the joint key once every holder has approved. */
#include "ceremony_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "crypto/bureau.h"
#include "crypto/hex.h"

static int collect(const char *kind, int64_t holder, const char *body, void *arg)
{
    cer_docs *ds = arg;

    (void)kind;
    if (holder < 0 || holder >= CEREMONY_MAX_HOLDERS || ds->msg[holder] != NULL)
        return STORE_EIO;
    ds->msg[holder] = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
    if (ds->msg[holder] == NULL)
        return STORE_EIO;
    ds->count++;
    return 0;
}

int cer_docs_load(store_tx *tx, const char *kind, cer_docs *ds)
{
    memset(ds, 0, sizeof *ds);
    return store_documents_each(tx, kind, collect, ds);
}

void cer_docs_free(cer_docs *ds)
{
    for (size_t i = 0; i < CEREMONY_MAX_HOLDERS; i++)
        json_decref(ds->msg[i]);
    memset(ds, 0, sizeof *ds);
}

void cer_state_free(cer_state *st)
{
    cer_docs_free(&st->keys);
    cer_docs_free(&st->shares);
    cer_docs_free(&st->verdicts);
    if (st->have_d)
        def_free(&st->d);
    if (st->have_e)
        free(st->e.definition);
    memset(st, 0, sizeof *st);
}

static int keys_reload(cer_state *st, election_ctx *c)
{
    char err[200];

    st->k.n = st->n;
    for (uint64_t i = 0; i < st->n; i++)
        if (st->keys.msg[i] != NULL &&
            ceremony_keys_check(&st->k, st->keys.msg[i], i, st->e.eid, st->ctx, err,
                                sizeof err) != 0)
            return election_refuse(c, "stored ceremony message refused: %s", err);
    st->keys_complete = st->keys.count == st->n;
    if (st->keys_complete)
        ceremony_transcript(st->keys_digest, st->keys.msg, st->n);
    st->shares_complete = st->keys_complete && st->shares.count == st->n - 1;
    if (st->shares_complete) {
        json_t *all[2 * CEREMONY_MAX_HOLDERS];

        memcpy(all, st->keys.msg, st->n * sizeof *all);
        memcpy(all + st->n, st->shares.msg + 1, (st->n - 1) * sizeof *all);
        ceremony_transcript(st->transcript, all, 2 * st->n - 1);
    }
    return ELECTION_OK;
}

int cer_state_load(store_tx *tx, cer_state *st, election_ctx *c)
{
    char err[DEF_ERR_CHARS];
    json_t *def;
    int rc;

    memset(st, 0, sizeof *st);
    rc = store_election_get(tx, &st->e);
    if (rc == STORE_ENOTFOUND)
        return election_refuse(c, "no election in this store: run votectl init first");
    if (rc != STORE_OK)
        return rc;
    st->have_e = 1;
    if (def_parse(&st->d, st->e.definition, strlen(st->e.definition), err, sizeof err) != 0)
        return election_refuse(c, "the stored definition is invalid: %s", err);
    st->have_d = 1;
    if (!st->d.has_bureau)
        return election_refuse(c, "the election definition declares no bureau de vote "
                               "(\"bureau\": president and delegates)");
    st->n = st->d.ndelegates + 1;
    def = json_loads(st->e.definition, 0, NULL);
    ceremony_context(st->ctx, st->e.eid, def);
    json_decref(def);
    if ((rc = cer_docs_load(tx, "keys", &st->keys)) != STORE_OK ||
        (rc = cer_docs_load(tx, "shares", &st->shares)) != STORE_OK ||
        (rc = cer_docs_load(tx, "verdict", &st->verdicts)) != STORE_OK)
        return rc;
    return keys_reload(st, c);
}

int ceremony_keys_get(store_tx *tx, election_ctx *c, ceremony_keys *k)
{
    cer_state st;
    int rc = cer_state_load(tx, &st, c);

    if (rc == ELECTION_OK && !st.keys_complete)
        rc = election_refuse(c, "the key ceremony is not complete");
    if (rc == ELECTION_OK)
        *k = st.k;
    cer_state_free(&st);
    return rc;
}

static int store_message(store_tx *tx, election_ctx *c, cer_state *st, json_t *msg,
                         const char *kind, uint64_t holder)
{
    char *text = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
    char event[48], hex[65];
    uint8_t d[32];
    json_t *payload;
    int rc;

    if (text == NULL)
        return STORE_ENOMEM;
    rc = store_document_put(tx, kind, (int64_t)holder, text);
    free(text);
    if (rc == STORE_ECONFLICT)
        return election_refuse(c, "holder %llu (%s) already posted its %s message",
                               (unsigned long long)holder, def_holder_name(&st->d, holder), kind);
    if (rc != STORE_OK)
        return rc;
    ceremony_message_digest(d, msg);
    hex_encode(hex, d, sizeof d);
    payload = json_pack("{sIss}", "holder", (json_int_t)holder, "digest", hex);
    snprintf(event, sizeof event, "ceremony-%s", kind);
    rc = audit_append(tx, "trustee", def_holder_name(&st->d, holder), event, payload);
    json_decref(payload);
    return rc;
}

static int complete(store_tx *tx, cer_state *st, election_ctx *c)
{
    uint8_t pk[32];
    int rc;

    if (bureau_joint_key(pk, st->k.president, &st->k.commitments[0][0][0], st->n - 1) != 0)
        return election_refuse(c, "the joint key is not a valid point: restart the ceremony");
    rc = election_set_ceremony_key_tx(tx, c, pk);
    if (rc == ELECTION_OK)
        snprintf(c->msg, sizeof c->msg, "every key holder approved: the joint key is set");
    return rc;
}

static int post_verdict(store_tx *tx, cer_state *st, election_ctx *c, json_t *msg,
                        uint64_t holder)
{
    char err[200];
    uint64_t accused;
    int ok, rc;

    if (!st->shares_complete)
        return election_refuse(c, "verdicts come after every delegate's shares");
    if (ceremony_verdict_check(msg, holder, &st->k, st->e.eid, st->transcript, &ok, &accused,
                               err, sizeof err) != 0)
        return election_refuse(c, "%s", err);
    for (uint64_t i = 0; i < st->n; i++)
        if (st->verdicts.msg[i] != NULL && json_is_false(json_object_get(st->verdicts.msg[i], "ok")))
            return election_refuse(c, "the ceremony failed (a complaint is recorded): restart it");
    if ((rc = store_message(tx, c, st, msg, "verdict", holder)) != ELECTION_OK)
        return rc;
    if (!ok) {
        json_t *p = json_pack("{sIsIss}", "holder", (json_int_t)holder, "accused",
                              (json_int_t)accused, "reason",
                              json_string_value(json_object_get(msg, "reason")));

        rc = audit_append(tx, "trustee", def_holder_name(&st->d, holder),
                          "ceremony-complaint", p);
        json_decref(p);
        if (rc == STORE_OK)
            snprintf(c->msg, sizeof c->msg, "ALARM: holder %llu (%s) accuses holder %llu "
                     "(%s): the key ceremony failed and must be restarted",
                     (unsigned long long)holder, def_holder_name(&st->d, holder),
                     (unsigned long long)accused, def_holder_name(&st->d, accused));
        return rc;
    }
    return st->verdicts.count + 1 == st->n ? complete(tx, st, c) : ELECTION_OK;
}

typedef struct {
    election_ctx *c;
    json_t *msg;
} post_job;

static int run_post(store_tx *tx, void *arg)
{
    post_job *j = arg;
    election_ctx *c = j->c;
    cer_state st;
    const char *kind = json_string_value(json_object_get(j->msg, "kind"));
    json_t *h = json_object_get(j->msg, "holder");
    uint64_t holder;
    char err[200];
    int rc = cer_state_load(tx, &st, c);

    if (rc != ELECTION_OK)
        goto out;
    if (kind == NULL || !json_is_integer(h) || json_integer_value(h) < 0 ||
        (uint64_t)json_integer_value(h) >= st.n) {
        rc = election_refuse(c, "the message must name its kind and a holder from 0 (the "
                             "president) to %zu", st.n - 1);
        goto out;
    }
    holder = (uint64_t)json_integer_value(h);
    if (strncmp(kind, "seal-", 5) == 0) {
        rc = seal_post(tx, &st, c, j->msg, holder, kind);
        goto out;
    }
    if (strcmp(st.e.state, "draft") != 0) {
        rc = election_refuse(c, "the key ceremony is over (state %s)", st.e.state);
    } else if (strcmp(kind, "keys") == 0) {
        rc = ceremony_keys_check(&st.k, j->msg, holder, st.e.eid, st.ctx, err, sizeof err) != 0
                 ? election_refuse(c, "%s", err)
                 : store_message(tx, c, &st, j->msg, "keys", holder);
    } else if (strcmp(kind, "shares") == 0) {
        if (!st.keys_complete)
            rc = election_refuse(c, "shares come after every holder's keys (%zu of %zu)",
                                 st.keys.count, st.n);
        else if (ceremony_shares_check(j->msg, holder, &st.k, st.e.eid, st.keys_digest, err,
                                       sizeof err) != 0)
            rc = election_refuse(c, "%s", err);
        else
            rc = store_message(tx, c, &st, j->msg, "shares", holder);
    } else if (strcmp(kind, "verdict") == 0) {
        rc = post_verdict(tx, &st, c, j->msg, holder);
    } else {
        rc = election_refuse(c, "unknown message kind \"%s\"", kind);
    }
out:
    cer_state_free(&st);
    return rc;
}

int ceremony_post(store *s, election_ctx *c, const char *text, size_t len)
{
    post_job j = { c, NULL };
    json_error_t je;
    int rc;

    c->msg[0] = '\0';
    if (len > CEREMONY_MAX_BYTES)
        return election_refuse(c, "the message is larger than %d bytes", CEREMONY_MAX_BYTES);
    j.msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(j.msg)) {
        json_decref(j.msg);
        return election_refuse(c, "the message is not a JSON object (line %d: %s)", je.line,
                               je.text);
    }
    rc = store_write(s, run_post, &j);
    json_decref(j.msg);
    return rc;
}

/* ---- export and restart ---- */

static json_t *docs_array(cer_docs *ds, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        if (ds->msg[i] != NULL)
            json_array_append(a, ds->msg[i]);
    return a;
}

typedef struct {
    election_ctx c;
    json_t *out;
} export_job;

/* Document (kind, holder 0) as out[key], if there is one. */
static int attach_document(store_tx *tx, json_t *out, const char *kind, const char *key)
{
    char *body = NULL;
    int rc = store_document_get(tx, kind, 0, &body);

    if (rc == STORE_OK)
        json_object_set_new(out, key, json_loads(body, 0, NULL));
    free(body);
    return rc == STORE_ENOTFOUND ? STORE_OK : rc;
}

static int run_export(store_tx *tx, void *arg)
{
    export_job *j = arg;
    cer_state st;
    cer_docs seals[2];
    int rc = cer_state_load(tx, &st, &j->c);

    if (rc == ELECTION_OK && (rc = cer_docs_load(tx, "seal-open", &seals[0])) == STORE_OK &&
        (rc = cer_docs_load(tx, "seal-close", &seals[1])) == STORE_OK) {
        j->out = json_pack("{sssssosssoso}", "format", CEREMONY_FORMAT, "eid", st.e.eid,
                           "definition", json_loads(st.e.definition, 0, NULL), "state",
                           st.e.state, "keys", docs_array(&st.keys, st.n), "shares",
                           docs_array(&st.shares, st.n));
        json_object_set_new(j->out, "verdicts", docs_array(&st.verdicts, st.n));
        json_object_set_new(j->out, "seals", json_pack("{soso}", "open",
                            docs_array(&seals[0], st.n), "close", docs_array(&seals[1], st.n)));
        /* the sums, and the credential authority's signed lists, which the
         * opening seal covers (holders recompute its hash from them) */
        rc = attach_document(tx, j->out, "sums", "sums");
        if (rc == STORE_OK)
            rc = attach_document(tx, j->out, "credential-lists", "credential_lists");
        cer_docs_free(&seals[0]);
        cer_docs_free(&seals[1]);
    }
    cer_state_free(&st);
    return rc;
}

int ceremony_export(store *s, json_t **out)
{
    export_job j;
    int rc;

    memset(&j, 0, sizeof j);
    *out = NULL;
    rc = store_read(s, run_export, &j);
    if (rc != ELECTION_OK) {
        json_decref(j.out);
        return rc;
    }
    *out = j.out;
    return j.out == NULL ? STORE_ENOMEM : ELECTION_OK;
}

static int run_restart(store_tx *tx, void *arg)
{
    election_ctx *c = arg;
    cer_state st;
    json_t *p;
    int rc = cer_state_load(tx, &st, c);

    if (rc == ELECTION_OK && strcmp(st.e.state, "draft") != 0)
        rc = election_refuse(c, "the key ceremony is over (state %s)", st.e.state);
    if (rc == ELECTION_OK && ((rc = store_documents_clear(tx, "keys")) != STORE_OK ||
                              (rc = store_documents_clear(tx, "shares")) != STORE_OK ||
                              (rc = store_documents_clear(tx, "verdict")) != STORE_OK))
        goto out;
    if (rc == ELECTION_OK) {
        p = json_pack("{sIsIsIss}", "keys", (json_int_t)st.keys.count, "shares",
                      (json_int_t)st.shares.count, "verdicts", (json_int_t)st.verdicts.count,
                      "reason", c->reason);
        rc = audit_append(tx, c->role, c->actor, "ceremony-restarted", p);
        json_decref(p);
    }
out:
    cer_state_free(&st);
    return rc;
}

int ceremony_restart(store *s, election_ctx *c)
{
    c->msg[0] = '\0';
    if (c->reason == NULL || c->reason[0] == '\0' || strlen(c->reason) > ELECTION_REASON_MAX)
        return election_refuse(c, "a reason (at most %d characters) is required",
                               ELECTION_REASON_MAX);
    return store_write(s, run_restart, c);
}
