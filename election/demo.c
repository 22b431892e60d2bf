/* demo.c - demo vote codes, made on the server and signed with the demo
 * credential authority's public key (demo elections and tests only). */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "credentials.h"
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "election_internal.h"
#include "notices/code.h"

typedef struct {
    char number[STORE_NUMBER_CHARS + 1];
    char code[CODE_SYMBOLS + 1];
    uint32_t scrutins;            /* bit i: may vote in the definition's scrutin i */
    json_t *emails;               /* the voter's addresses, for the authority's roster */
} demo_code;

typedef struct {
    demo_code *codes;
    size_t n, cap;
    def_election d;
    store_tx *tx;
} demo_job;

static int add_scrutin(const char *scrutin, int voted, void *arg)
{
    demo_job *j = arg;

    (void)voted;
    for (size_t i = 0; i < j->d.nscrutins; i++)
        if (strcmp(j->d.scrutins[i].id, scrutin) == 0)
            j->codes[j->n - 1].scrutins |= 1u << i;
    return 0;
}

static int add_email(const char *text, void *arg)
{
    return json_array_append_new(arg, json_string(text)) != 0 ? STORE_ENOMEM : 0;
}

static int collect(const char *number, const uint8_t *digest, int struck, void *arg)
{
    demo_job *j = arg;
    int64_t id;
    int rc;

    (void)digest;
    if (struck)
        return 0;
    if (j->n == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 1024;
        demo_code *c = realloc(j->codes, cap * sizeof *c);

        if (c == NULL)
            return STORE_ENOMEM;
        j->codes = c;
        j->cap = cap;
    }
    memset(&j->codes[j->n], 0, sizeof *j->codes);
    snprintf(j->codes[j->n++].number, STORE_NUMBER_CHARS + 1, "%s", number);
    if ((rc = store_voter_find(j->tx, number, &id, &struck)) != STORE_OK)
        return rc;
    if ((j->codes[j->n - 1].emails = json_array()) == NULL ||
        (rc = store_voter_emails(j->tx, id, add_email, j->codes[j->n - 1].emails)) != STORE_OK)
        return rc != STORE_OK ? rc : STORE_ENOMEM;
    return store_voter_scrutins(j->tx, id, add_scrutin, j);
}

static int run_collect(store_tx *tx, void *arg)
{
    demo_job *j = arg;

    j->tx = tx;
    return store_voters_each(tx, collect, j);
}

static json_t *hex_json_key(const uint8_t pk[32])
{
    char hex[65];

    hex_encode(hex, pk, 32);
    return json_string(hex);
}

/* The credentials file the demo authority would make (votesrv-credentials/2). */
static json_t *demo_file(demo_job *j, const election_status *st)
{
    uint8_t seed[32], pk[32], sk[64], bind[32];
    uint8_t(*pubs)[32] = malloc((j->n + 1) * 32);
    json_t *lists = json_array(), *bindings = json_array(), *doc = NULL;
    char hex[129];

    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    for (size_t s = 0; pubs != NULL && s < j->d.nscrutins; s++) {
        const char *id = j->d.scrutins[s].id;
        size_t n = 0;

        for (size_t i = 0; i < j->n; i++) {
            if (!(j->codes[i].scrutins & (1u << s)))
                continue;
            if (credential_from_code_scrutin(bind, pubs[n], (const uint8_t *)st->eid,
                                             strlen(st->eid), (const uint8_t *)j->codes[i].code,
                                             CODE_SYMBOLS, id) != 0)
                goto out;
            hex_encode(hex, bind, 32);
            json_array_append_new(bindings, json_pack("{s:s,s:s,s:s}", "voter",
                                                      j->codes[i].number, "scrutin", id,
                                                      "bind", hex));
            n++;
        }
        json_array_append_new(lists, election_credential_list_sign(st->eid, id, pubs, n, sk));
    }
    hex_encode(hex, st->fingerprint, 32);
    doc = json_pack("{s:s,s:s,s:s,s:o,s:O,s:O}", "format", CREDENTIALS_FORMAT, "election",
                    st->eid, "fingerprint", hex, "authority", hex_json_key(pk), "lists", lists,
                    "bindings", bindings);
out:
    sodium_memzero(sk, sizeof sk);
    free(pubs);
    json_decref(lists);
    json_decref(bindings);
    return doc;
}

/* What votecred notices leaves for votecad (votesrv-credential-state/1):
 * per voter the addresses and the public credential of each scrutin. */
static json_t *demo_roster(demo_job *j, const election_status *st)
{
    uint8_t seed[32], pk[32], sk[64], bind[32], pub[32];
    json_t *voters = json_array(), *doc = NULL;
    char hex[65], fp[65];

    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
    for (size_t i = 0; voters != NULL && i < j->n; i++) {
        json_t *creds = json_object();

        for (size_t k = 0; creds != NULL && k < j->d.nscrutins; k++) {
            if (!(j->codes[i].scrutins & (1u << k)))
                continue;
            if (credential_from_code_scrutin(bind, pub, (const uint8_t *)st->eid,
                                             strlen(st->eid), (const uint8_t *)j->codes[i].code,
                                             CODE_SYMBOLS, j->d.scrutins[k].id) != 0) {
                json_decref(creds);
                goto out;
            }
            hex_encode(hex, pub, 32);
            json_object_set_new(creds, j->d.scrutins[k].id, json_string(hex));
        }
        json_array_append_new(voters, json_pack("{s:s,s:O,s:o}", "number", j->codes[i].number,
                                                "emails", j->codes[i].emails,
                                                "credentials", creds));
    }
    hex_encode(fp, st->fingerprint, 32);
    doc = json_pack("{s:s,s:s,s:s,s:o,s:O}", "format", "votesrv-credential-state/1",
                    "election", st->eid, "fingerprint", fp, "authority", hex_json_key(pk),
                    "voters", voters);
out:
    json_decref(voters);
    return doc;
}

int election_demo_credentials(store *s, election_ctx *c, FILE *codes)
{
    return election_demo_credentials_roster(s, c, codes, NULL);
}

int election_demo_credentials_roster(store *s, election_ctx *c, FILE *codes, FILE *roster)
{
    election_status st;
    char err[DEF_ERR_CHARS];
    demo_job j;
    json_t *doc = NULL;
    int rc;

    memset(&j, 0, sizeof j);
    c->msg[0] = '\0';
    if ((rc = election_status_get(s, &st)) != STORE_OK ||
        (rc = election_definition(s, &j.d, err, sizeof err)) != STORE_OK)
        return rc;
    rc = store_read(s, run_collect, &j);
    for (size_t i = 0; rc == STORE_OK && i < j.n; i++)
        code_new(j.codes[i].code);
    if (rc == STORE_OK && (doc = demo_file(&j, &st)) == NULL)
        rc = STORE_ENOMEM;
    if (rc == STORE_OK)
        rc = election_import_credentials_json(s, c, doc);
    for (size_t i = 0; rc == STORE_OK && i < j.n; i++) {
        char shown[CODE_DISPLAY_CHARS + 1];

        code_display(shown, j.codes[i].code);
        fprintf(codes, "%s,%s\n", j.codes[i].number, shown);
    }
    if (rc == STORE_OK && roster != NULL) {
        json_t *r = demo_roster(&j, &st);

        if (r == NULL || json_dumpf(r, roster, JSON_INDENT(1)) != 0)
            rc = STORE_ENOMEM;
        json_decref(r);
    }
    for (size_t i = 0; i < j.n; i++)
        json_decref(j.codes[i].emails);
    json_decref(doc);
    if (j.codes != NULL)
        sodium_memzero(j.codes, j.cap * sizeof *j.codes);
    free(j.codes);
    def_free(&j.d);
    return rc;
}
