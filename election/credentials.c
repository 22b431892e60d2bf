/* credentials.c - export of the electoral list for the credential authority,
 * import of its signed credentials file (docs/protocol.md section 7). */
#include "credentials.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"
#include "crypto/crypto.h"
#include "crypto/hex.h"
#include "election_internal.h"

typedef struct {
    store_tx *tx;
    json_t *voters;
} export_job;

static int add_text(const char *text, void *arg)
{
    return json_array_append_new(arg, json_string(text));
}

static int add_scrutin(const char *scrutin, int voted, void *arg)
{
    (void)voted;
    return json_array_append_new(arg, json_string(scrutin));
}

static int add_card(const store_voter_card *v, void *arg)
{
    export_job *j = arg;
    json_t *emails = json_array(), *scrutins = json_array();
    int64_t id;
    int struck, rc = store_voter_find(j->tx, v->number, &id, &struck);

    if (rc == STORE_OK)
        rc = store_voter_emails(j->tx, id, add_text, emails);
    if (rc == STORE_OK)
        rc = store_voter_scrutins(j->tx, id, add_scrutin, scrutins);
    if (rc != STORE_OK) {
        json_decref(emails);
        json_decref(scrutins);
        return rc;
    }
    return json_array_append_new(j->voters, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}",
        "number", v->number, "surname", v->surname, "given_names", v->given_names,
        "identifier", v->identifier ? v->identifier : "", "establishment", v->establishment,
        "postal_address", v->postal_address, "emails", emails, "scrutins", scrutins))
               ? STORE_ENOMEM : STORE_OK;
}

static int run_export(store_tx *tx, void *arg)
{
    export_job *j = arg;

    j->tx = tx;
    return store_voter_cards_each(tx, add_card, arg);
}

typedef struct {
    election_ctx *c;
    size_t n;
} audit_job;

static int run_export_audit(store_tx *tx, void *arg)
{
    audit_job *j = arg;
    json_t *p = json_pack("{s:I}", "voters", (json_int_t)j->n);
    int rc = audit_append(tx, j->c->role, j->c->actor, "electoral-list-exported", p);

    json_decref(p);
    return rc;
}

int election_export_list(store *s, election_ctx *c, const char *portal_url, FILE *out)
{
    export_job j = { NULL, json_array() };
    election_status st;
    def_election d;
    char err[DEF_ERR_CHARS];
    json_t *doc;
    int rc = election_status_get(s, &st);

    if (rc != STORE_OK || (rc = election_definition(s, &d, err, sizeof err)) != STORE_OK) {
        json_decref(j.voters);
        return rc;
    }
    rc = store_read(s, run_export, &j);
    doc = json_pack("{s:s,s:s,s:s,s:O,s:o}", "format", LIST_FORMAT, "eid", st.eid,
                    "portal_url", portal_url, "election", d.root, "voters", j.voters);
    if (doc != NULL && st.has_public_key) {       /* the notices show the fingerprint */
        char fp[65];
        uint8_t pk[32];

        hex_encode(fp, st.fingerprint, 32);
        json_object_set_new(doc, "fingerprint", json_string(fp));
        if (election_status_key(s, pk) == STORE_OK) {
            hex_encode(fp, pk, 32);
            json_object_set_new(doc, "public_key", json_string(fp));
        }
    }
    def_free(&d);
    if (rc == STORE_OK && (doc == NULL || json_dumpf(doc, out, JSON_INDENT(1)) != 0))
        rc = STORE_EIO;
    if (rc == STORE_OK) {
        audit_job a = { c, json_array_size(json_object_get(doc, "voters")) };

        rc = store_write(s, run_export_audit, &a);
    }
    json_decref(doc);
    return rc;
}

static int count_one(const char *kind, int64_t holder, const char *body, void *arg)
{
    (void)kind;
    (void)holder;
    (void)body;
    (*(uint64_t *)arg)++;
    return 0;
}

int election_documents_count(store_tx *tx, const char *kind, uint64_t *n)
{
    *n = 0;
    return store_documents_each(tx, kind, count_one, n);
}

/* ---- import ---- */

typedef struct {
    election_ctx *c;
    json_t *doc, *lists, *bindings;
    const def_election *d;
    const char *eid;
    size_t counts[DEF_MAX_SCRUTINS];
} import_job;

static int scrutin_index(const def_election *d, const char *id)
{
    for (size_t i = 0; id != NULL && i < d->nscrutins; i++)
        if (strcmp(d->scrutins[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* One list: the definition's scrutin, n sorted distinct valid points, and the
 * authority's signature over its digest. */
static int check_list(election_ctx *c, const def_election *d, const char *eid, json_t *l,
                      size_t i, int seen[DEF_MAX_SCRUTINS])
{
    const char *scrutin = json_string_value(json_object_get(l, "scrutin"));
    json_t *creds = json_object_get(l, "credentials"), *v;
    json_t *eligible = json_object_get(l, "eligible");
    uint8_t prev[32], pub[32], digest[32], sig[64];
    credential_list_hash h;
    int k = scrutin_index(d, scrutin);
    size_t j;

    if (k < 0 || seen[k]++)
        return election_refuse(c, "lists[%zu]: scrutin \"%s\" is not one of the definition, or "
                               "comes twice", i, scrutin ? scrutin : "?");
    if (!json_is_integer(eligible) || json_integer_value(eligible) < 0 || !json_is_array(creds) ||
        json_array_size(creds) != (size_t)json_integer_value(eligible) ||
        json_object_size(l) != 4 ||  /* stored as given: nothing unsigned beside the list */
        hex_decode(sig, sizeof sig, json_string_value(json_object_get(l, "signature"))) != 0)
        return election_refuse(c, "lists[%zu] (%s): needs \"eligible\", as many credentials, "
                               "a 128-digit signature and no other key", i, scrutin);
    credential_list_init(&h, eid, scrutin, (uint64_t)json_integer_value(eligible));
    json_array_foreach(creds, j, v) {
        group_point p;

        if (hex_decode(pub, sizeof pub, json_string_value(v)) != 0 ||
            group_point_decode(&p, pub, GROUP_NO_IDENTITY) != 0)
            return election_refuse(c, "lists[%zu].credentials[%zu] is not a valid ristretto255 "
                                   "point", i, j);
        if (j > 0 && memcmp(prev, pub, 32) >= 0)
            return election_refuse(c, "lists[%zu]: credentials must be sorted by their bytes and "
                                   "distinct", i);
        memcpy(prev, pub, 32);
        credential_list_add(&h, pub);
    }
    credential_list_final(&h, digest);
    if (crypto_sign_verify_detached(sig, digest, sizeof digest, d->credential_authority) != 0)
        return election_refuse(c, "lists[%zu] (%s): the signature is not the credential "
                               "authority's (the definition's credential_authority key)", i,
                               scrutin);
    return ELECTION_OK;
}

/* The whole file, before anything is touched. */
static int validate(election_ctx *c, json_t *doc, const election_status *st,
                    const def_election *d, import_job *j)
{
    const char *format, *feid, *fp, *auth;
    uint8_t b[32];
    int seen[DEF_MAX_SCRUTINS] = { 0 };
    json_t *v;
    size_t i;
    int rc;

    if (json_unpack(doc, "{s:s,s:s,s:s,s:s,s:o,s:o}", "format", &format, "election", &feid,
                    "fingerprint", &fp, "authority", &auth, "lists", &j->lists, "bindings",
                    &j->bindings) != 0 || strcmp(format, CREDENTIALS_FORMAT) != 0 ||
        !json_is_array(j->lists) || !json_is_array(j->bindings))
        return election_refuse(c, "not a credentials file of the credential authority (%s)",
                               CREDENTIALS_FORMAT);
    if (strcmp(feid, st->eid) != 0)
        return election_refuse(c, "the file is for election %s, this is %s", feid, st->eid);
    if (!st->has_public_key || hex_decode(b, 32, fp) != 0 || memcmp(b, st->fingerprint, 32) != 0)
        return election_refuse(c, "the file was made for another election fingerprint (export "
                               "the list again once the joint key is set)");
    if (hex_decode(b, 32, auth) != 0 || memcmp(b, d->credential_authority, 32) != 0)
        return election_refuse(c, "the file is signed by authority %.16s..., not the "
                               "definition's credential_authority", auth);
    if (json_array_size(j->lists) != d->nscrutins)
        return election_refuse(c, "the file must hold one list per scrutin of the definition "
                               "(%zu, not %zu)", d->nscrutins, json_array_size(j->lists));
    json_array_foreach(j->lists, i, v)
        if ((rc = check_list(c, d, st->eid, v, i, seen)) != ELECTION_OK)
            return rc;
    json_array_foreach(j->bindings, i, v) {
        int k = scrutin_index(d, json_string_value(json_object_get(v, "scrutin")));

        if (!json_is_string(json_object_get(v, "voter")) || k < 0 ||
            hex_decode(b, 32, json_string_value(json_object_get(v, "bind"))) != 0)
            return election_refuse(c, "bindings[%zu] needs a voter number, a scrutin of the "
                                   "definition and a 64-digit bind", i);
        j->counts[k]++;
    }
    json_array_foreach(j->lists, i, v) {
        int k = scrutin_index(d, json_string_value(json_object_get(v, "scrutin")));

        if (j->counts[k] != json_array_size(json_object_get(v, "credentials")))
            return election_refuse(c, "scrutin %s: %zu bindings for %zu credentials",
                                   d->scrutins[k].id, j->counts[k],
                                   json_array_size(json_object_get(v, "credentials")));
    }
    return ELECTION_OK;
}

static int add_list(store_tx *tx, json_t *l)
{
    const char *scrutin = json_string_value(json_object_get(l, "scrutin"));
    json_t *v;
    size_t i;
    int rc = STORE_OK;

    json_array_foreach(json_object_get(l, "credentials"), i, v) {
        uint8_t pub[32];

        if (hex_decode(pub, sizeof pub, json_string_value(v)) != 0)
            return STORE_EIO;          /* validate() checked it: cannot happen */
        if ((rc = store_credential_add(tx, scrutin, pub)) != STORE_OK)
            return rc;
    }
    return rc;
}

static int add_binding(store_tx *tx, import_job *j, json_t *v, size_t i)
{
    const char *number = json_string_value(json_object_get(v, "voter"));
    const char *scrutin = json_string_value(json_object_get(v, "scrutin"));
    uint8_t bind[32], old[32];
    int64_t id;
    int struck, eligible, rc = store_voter_find(tx, number, &id, &struck);

    if (rc == STORE_ENOTFOUND || (rc == STORE_OK && struck))
        return election_refuse(j->c, "bindings[%zu]: voter %s is not on the electoral list", i,
                               number);
    if (rc == STORE_OK)
        rc = store_voter_eligible(tx, id, scrutin, &eligible);
    if (rc != STORE_OK)
        return rc;
    if (!eligible)
        return election_refuse(j->c, "bindings[%zu]: voter %s may not vote in %s", i, number,
                               scrutin);
    rc = store_binding_get(tx, id, scrutin, old);
    if (rc == STORE_OK)
        return election_refuse(j->c, "bindings[%zu]: voter %s has two bindings for %s", i,
                               number, scrutin);
    if (rc != STORE_ENOTFOUND)
        return rc;
    if (hex_decode(bind, sizeof bind, json_string_value(json_object_get(v, "bind"))) != 0)
        return STORE_EIO;              /* validate() checked it: cannot happen */
    return store_binding_put(tx, id, scrutin, bind);
}

static int run_import(store_tx *tx, void *arg)
{
    import_job *j = arg;
    store_election e;
    uint64_t missing;
    json_t *v, *pub, *counts = json_object();
    char *text;
    size_t i;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK) {
        json_decref(counts);
        return rc;
    }
    if (strcmp(e.state, "draft") && strcmp(e.state, "keys-ready"))
        rc = election_refuse(j->c, "credentials are imported before the vote opens, never after "
                             "(now %s): after opening only the authority's signed reissue "
                             "records add a credential", e.state);
    free(e.definition);
    if (rc == STORE_OK)
        rc = store_credentials_clear(tx);
    json_array_foreach(j->lists, i, v) {
        if (rc != STORE_OK)
            break;
        rc = add_list(tx, v);
        json_object_set_new(counts, json_string_value(json_object_get(v, "scrutin")),
                            json_integer((json_int_t)json_array_size(json_object_get(v,
                                                                      "credentials"))));
    }
    json_array_foreach(j->bindings, i, v) {
        if (rc != STORE_OK)
            break;
        rc = add_binding(tx, j, v, i);
    }
    if (rc == STORE_OK && (rc = store_voters_without_auth(tx, &missing)) == STORE_OK && missing)
        rc = election_refuse(j->c, "%llu voters of the electoral list have no credential for a "
                             "scrutin they may vote in: the file does not match the list "
                             "(export it again)", (unsigned long long)missing);
    pub = json_pack("{s:s,s:s,s:O,s:O,s:O}", "format", CREDENTIALS_FORMAT, "election",
                    j->eid, "fingerprint", json_object_get(j->doc, "fingerprint"), "authority",
                    json_object_get(j->doc, "authority"), "lists", j->lists);
    text = pub != NULL ? json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(pub);
    if (rc == STORE_OK && text == NULL)
        rc = STORE_ENOMEM;
    if (rc == STORE_OK && (rc = store_documents_clear(tx, CREDENTIAL_LISTS_KIND)) == STORE_OK)
        rc = store_document_put(tx, CREDENTIAL_LISTS_KIND, 0, text);
    free(text);
    if (rc == STORE_OK) {
        json_t *payload = json_pack("{s:O,s:I}", "lists", counts, "bindings",
                                    (json_int_t)json_array_size(j->bindings));

        rc = audit_append(tx, j->c->role, j->c->actor, "credentials-imported", payload);
        json_decref(payload);
    }
    json_decref(counts);
    return rc;
}

int election_import_credentials_json(store *s, election_ctx *c, json_t *doc)
{
    import_job j = { .c = c, .doc = doc };
    election_status st;
    def_election d;
    char err[DEF_ERR_CHARS];
    int rc;

    c->msg[0] = '\0';
    if ((rc = election_status_get(s, &st)) != STORE_OK ||
        (rc = election_definition(s, &d, err, sizeof err)) != STORE_OK)
        return rc;
    j.d = &d;
    j.eid = st.eid;
    rc = validate(c, doc, &st, &d, &j);
    if (rc == ELECTION_OK)
        rc = store_write(s, run_import, &j);
    if (rc == ELECTION_OK)
        snprintf(c->msg, sizeof c->msg, "credentials imported: %zu lists signed by the "
                 "credential authority, %zu bindings", json_array_size(j.lists),
                 json_array_size(j.bindings));
    def_free(&d);
    return rc;
}

int election_import_credentials(store *s, election_ctx *c, const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int rc;

    c->msg[0] = '\0';
    if (doc == NULL)
        return election_refuse(c, "%s:%d: %s", path, je.line, je.text);
    rc = election_import_credentials_json(s, c, doc);
    json_decref(doc);
    return rc;
}
