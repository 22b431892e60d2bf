/* fuzz_credauth.c - votecad's reissue request parser (credauth/request.c),
 * the bytes the daemon, or anyone reaching votecad's port, sends to POST
 * /reissue. An accepted request is exactly one shape: written again from what
 * was parsed, it parses to the same fields; its signature check never
 * crashes (and fails under a key nobody signed with). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "credauth/credauth.h"
#include "crypto/hex.h"

static uint8_t pk[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t sk[64], seed[32] = { 7 };

    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    crypto_sign_seed_keypair(pk, sk, seed);
    return 0;
}

static char *rewrite(const credauth_request *r)
{
    json_t *list = json_array(), *doc;
    char sig[129], *text;

    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(list, json_string(r->scrutins[i]));
    hex_encode(sig, r->signature, sizeof r->signature);
    doc = json_pack("{s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:s}", "format", CREDAUTH_REQUEST_FORMAT,
                    "election", r->election, "request", r->request, "voter", r->voter,
                    "scrutins", list, "issued_at", (json_int_t)r->issued_at, "applied",
                    (json_int_t)r->applied, "signature", sig);
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    credauth_request r, again;
    char err[200], *text;

    if (credauth_request_parse(&r, (const char *)data, size, err, sizeof err) != 0) {
        if (err[0] == '\0')
            abort();                               /* a refusal always says why */
        return 0;
    }
    if (r.n == 0 || r.n > CREDAUTH_MAX_SCRUTINS || strlen(r.request) != 32)
        abort();
    for (size_t i = 1; i < r.n; i++)
        if (strcmp(r.scrutins[i - 1], r.scrutins[i]) >= 0)
            abort();
    text = rewrite(&r);
    if (text == NULL || credauth_request_parse(&again, text, strlen(text), err, sizeof err) != 0 ||
        memcmp(&r, &again, sizeof r) != 0)
        abort();
    free(text);
    if (credauth_request_verify(&r, pk) == 0)
        abort();                                   /* nobody signed with this key */
    return 0;
}
