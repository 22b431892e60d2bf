/* credentials.c - export of the electoral list for votecred, import of its
 * credentials file. */
#include "credentials.h"

#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "crypto/hex.h"
#include "crypto/crypto.h"
#include "election_internal.h"

typedef struct {
    json_t *voters;
} export_job;

static int add_card(const store_voter_card *v, void *arg)
{
    export_job *j = arg;

    return json_array_append_new(j->voters, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
        "number", v->number, "surname", v->surname, "given_names", v->given_names,
        "identifier", v->identifier ? v->identifier : "", "establishment", v->establishment,
        "postal_address", v->postal_address));
}

static int run_export(store_tx *tx, void *arg)
{
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
    export_job j = { json_array() };
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

typedef struct {
    election_ctx *c;
    json_t *auth, *pub;
    size_t replaced;
} import_job;

static int run_import_credentials(store_tx *tx, void *arg)
{
    import_job *j = arg;
    store_election e;
    json_t *v, *p;
    size_t i;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    if (strcmp(e.state, "draft") && strcmp(e.state, "keys-ready") && strcmp(e.state, "open"))
        rc = election_refuse(j->c, "credentials can be imported until the vote closes "
                             "(now %s)", e.state);
    free(e.definition);
    json_array_foreach(j->auth, i, v) {
        const char *number = json_string_value(json_object_get(v, "number"));
        uint8_t check[32];
        int64_t id;
        int struck;

        if (rc != STORE_OK)
            break;
        hex_decode(check, sizeof check, json_string_value(json_object_get(v, "check")));
        rc = store_voter_find(tx, number, &id, &struck);
        if (rc == STORE_ENOTFOUND || (rc == STORE_OK && struck))
            rc = election_refuse(j->c, "voter %s is not on the electoral list", number);
        else if (rc == STORE_OK) {
            store_access a;

            if ((rc = store_access_by_id(tx, id, &a)) == STORE_OK) {
                j->replaced += a.has_auth;
                rc = store_voter_set_auth(tx, id, check);
            }
        }
    }
    json_array_foreach(j->pub, i, p) {
        uint8_t pub[32];

        if (rc != STORE_OK)
            break;
        hex_decode(pub, sizeof pub, json_string_value(p));
        rc = store_credential_add(tx, pub);
        if (rc == STORE_ECONFLICT)
            rc = election_refuse(j->c, "public credential %zu is already in the list", i);
    }
    if (rc == STORE_OK) {
        json_t *payload = json_pack("{s:I,s:I}", "voters", (json_int_t)json_array_size(j->auth),
                                    "replaced", (json_int_t)j->replaced);

        rc = audit_append(tx, j->c->role, j->c->actor, "credentials-imported", payload);
        json_decref(payload);
    }
    return rc;
}

/* Check the whole file before touching the store. */
static int validate(election_ctx *c, json_t *doc, const char *eid, json_t **auth, json_t **pub)
{
    const char *format, *feid;
    json_t *v;
    size_t i;
    char prev[65] = "";

    if (json_unpack(doc, "{s:s,s:s,s:o,s:o}", "format", &format, "eid", &feid, "auth", auth,
                    "public", pub) != 0 || strcmp(format, CREDENTIALS_FORMAT) != 0 ||
        !json_is_array(*auth) || !json_is_array(*pub))
        return election_refuse(c, "not a votecred credentials file (%s)", CREDENTIALS_FORMAT);
    if (strcmp(feid, eid) != 0)
        return election_refuse(c, "the file is for election %s, this is %s", feid, eid);
    if (json_array_size(*auth) != json_array_size(*pub) || json_array_size(*auth) == 0)
        return election_refuse(c, "the file must hold as many public credentials as voters");
    json_array_foreach(*auth, i, v) {
        uint8_t check[32];

        if (!json_is_string(json_object_get(v, "number")) ||
            hex_decode(check, sizeof check, json_string_value(json_object_get(v, "check"))) != 0)
            return election_refuse(c, "auth[%zu] needs a number and a 64-digit check", i);
    }
    json_array_foreach(*pub, i, v) {
        uint8_t b[32];
        group_point p;

        if (hex_decode(b, sizeof b, json_string_value(v)) != 0 ||
            group_point_decode(&p, b, GROUP_NO_IDENTITY) != 0)
            return election_refuse(c, "public[%zu] is not a valid ristretto255 point", i);
        if (strcmp(prev, json_string_value(v)) >= 0)
            return election_refuse(c, "public credentials must be sorted and distinct");
        snprintf(prev, sizeof prev, "%s", json_string_value(v));
    }
    return ELECTION_OK;
}

int election_import_credentials(store *s, election_ctx *c, const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    import_job j = { c, NULL, NULL, 0 };
    election_status st;
    int rc;

    c->msg[0] = '\0';
    if (doc == NULL)
        return election_refuse(c, "%s:%d: %s", path, je.line, je.text);
    rc = election_status_get(s, &st);
    if (rc == STORE_OK)
        rc = validate(c, doc, st.eid, &j.auth, &j.pub);
    if (rc == ELECTION_OK)
        rc = store_write(s, run_import_credentials, &j);
    if (rc == ELECTION_OK)
        snprintf(c->msg, sizeof c->msg, "credentials of %zu voters imported (%zu replaced)",
                 json_array_size(j.auth), j.replaced);
    json_decref(doc);
    return rc;
}
