/* demo.c - demo vote codes, generated on the server (demo elections only). */
#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "crypto/credential.h"
#include "election_internal.h"
#include "notices/code.h"

typedef struct {
    char number[STORE_NUMBER_CHARS + 1];
    char code[CODE_SYMBOLS + 1];
} demo_code;

typedef struct {
    demo_code *codes;
    size_t n, cap;
    char eid[STORE_EID_CHARS + 1];
    election_ctx *c;
} demo_job;

static int collect(const char *number, const uint8_t *digest, int struck, void *arg)
{
    demo_job *j = arg;

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
    snprintf(j->codes[j->n++].number, STORE_NUMBER_CHARS + 1, "%s", number);
    return 0;
}

static int run_collect(store_tx *tx, void *arg)
{
    demo_job *j = arg;
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    memcpy(j->eid, e.eid, sizeof j->eid);
    free(e.definition);
    return store_voters_each(tx, collect, j);
}

static int run_assign(store_tx *tx, void *arg)
{
    demo_job *j = arg;
    json_t *payload;
    int rc;

    for (size_t i = 0; i < j->n; i++) {
        uint8_t hash[CREDENTIAL_AUTH_BYTES], pub[32];
        int64_t id;
        int struck;

        if (credential_from_code(hash, pub, (const uint8_t *)j->eid, strlen(j->eid),
                                 (const uint8_t *)j->codes[i].code, CODE_SYMBOLS) != 0)
            return STORE_EIO;
        if ((rc = store_voter_find(tx, j->codes[i].number, &id, &struck)) != STORE_OK ||
            (rc = store_voter_set_auth(tx, id, hash)) != STORE_OK ||
            (rc = store_credential_add(tx, pub)) != STORE_OK)
            return rc;
    }
    payload = json_pack("{s:I,s:s}", "voters", (json_int_t)j->n, "origin",
                        "demo: codes generated on the server");
    rc = audit_append(tx, j->c->role, j->c->actor, "credentials-generated", payload);
    json_decref(payload);
    return rc;
}

int election_demo_credentials(store *s, election_ctx *c, FILE *codes)
{
    demo_job j;
    int rc;

    memset(&j, 0, sizeof j);
    j.c = c;
    c->msg[0] = '\0';
    rc = store_read(s, run_collect, &j);
    for (size_t i = 0; rc == STORE_OK && i < j.n; i++)
        code_new(j.codes[i].code);
    if (rc == STORE_OK)
        rc = store_write(s, run_assign, &j);
    for (size_t i = 0; rc == STORE_OK && i < j.n; i++) {
        char shown[CODE_DISPLAY_CHARS + 1];

        code_display(shown, j.codes[i].code);
        fprintf(codes, "%s,%s\n", j.codes[i].number, shown);
    }
    if (j.codes != NULL)
        sodium_memzero(j.codes, j.cap * sizeof *j.codes);
    free(j.codes);
    return rc;
}
