/* request.c - the reissue request (protocol section 17.2): strict parsing,
 * its digest and signature (the daemon makes one: election/authority.c). */
#include "credauth_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/credential.h"
#include "crypto/hex.h"

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s", what);
    return -1;
}

int credauth_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > CREDAUTH_NAME_CHARS || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] == 0x7f)
            return 0;
    return 1;
}

/* A string field that names something (no control characters, no spaces). */
static int get_name(char out[CREDAUTH_NAME_CHARS + 1], json_t *v)
{
    if (!json_is_string(v) || !credauth_name_ok(json_string_value(v), json_string_length(v)))
        return -1;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

int credauth_hex_field(uint8_t *out, size_t len, json_t *v)
{
    return json_is_string(v) && json_string_length(v) == 2 * len &&
                   strlen(json_string_value(v)) == 2 * len &&
                   hex_decode(out, len, json_string_value(v)) == 0
               ? 0 : -1;
}

int credauth_request_parse(credauth_request *r, const char *body, size_t len, char *err,
                           size_t errlen)
{
    static const char *const keys[] = { "format", "election", "request", "voter", "scrutins",
                                        "issued_at", "applied", "signature" };
    json_t *root, *v, *list;
    uint8_t id[CREDAUTH_REQUEST_ID_CHARS / 2];
    int rc = -1;
    size_t i;

    memset(r, 0, sizeof *r);
    if (len > CREDAUTH_BODY_MAX)
        return fail(err, errlen, "request too large");
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        fail(err, errlen, "request: not a JSON object");
        goto out;
    }
    if (json_object_size(root) != sizeof keys / sizeof keys[0]) {
        fail(err, errlen, "request: exactly the fields format, election, request, voter, "
             "scrutins, issued_at, applied, signature");
        goto out;
    }
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (json_object_get(root, keys[i]) == NULL) {
            snprintf(err, errlen, "request: field %s missing", keys[i]);
            goto out;
        }
    v = json_object_get(root, "format");
    if (!json_is_string(v) || strcmp(json_string_value(v), CREDAUTH_REQUEST_FORMAT) != 0) {
        fail(err, errlen, "request: format must be " CREDAUTH_REQUEST_FORMAT);
        goto out;
    }
    if (get_name(r->election, json_object_get(root, "election")) != 0 ||
        get_name(r->voter, json_object_get(root, "voter")) != 0) {
        fail(err, errlen, "request: election and voter must be names of 1-64 visible characters");
        goto out;
    }
    v = json_object_get(root, "request");
    if (credauth_hex_field(id, sizeof id, v) != 0) {
        fail(err, errlen, "request: request must be 32 lowercase hex digits");
        goto out;
    }
    memcpy(r->request, json_string_value(v), CREDAUTH_REQUEST_ID_CHARS + 1);
    list = json_object_get(root, "scrutins");
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > CREDAUTH_MAX_SCRUTINS) {
        fail(err, errlen, "request: scrutins must list 1-64 scrutin ids");
        goto out;
    }
    json_array_foreach(list, i, v) {
        if (get_name(r->scrutins[i], v) != 0 ||
            (i > 0 && strcmp(r->scrutins[i - 1], r->scrutins[i]) >= 0)) {
            fail(err, errlen, "request: scrutins must be ids, sorted, without repeats");
            goto out;
        }
    }
    r->n = json_array_size(list);
    v = json_object_get(root, "issued_at");
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        fail(err, errlen, "request: issued_at must be a non-negative integer (unix seconds)");
        goto out;
    }
    r->issued_at = (uint64_t)json_integer_value(v);
    v = json_object_get(root, "applied");
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        fail(err, errlen, "request: applied must be a non-negative integer (records applied)");
        goto out;
    }
    r->applied = (uint64_t)json_integer_value(v);
    if (credauth_hex_field(r->signature, sizeof r->signature,
                           json_object_get(root, "signature")) != 0) {
        fail(err, errlen, "request: signature must be 128 lowercase hex digits");
        goto out;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

void credauth_request_digest(uint8_t out[32], const credauth_request *r)
{
    const char *ids[CREDAUTH_MAX_SCRUTINS];

    for (size_t i = 0; i < r->n; i++)
        ids[i] = r->scrutins[i];
    credential_request_digest(out, r->election, r->request, r->voter, ids, r->n,
                              r->issued_at, r->applied);
}

int credauth_request_verify(const credauth_request *r, const uint8_t server_pk[32])
{
    uint8_t d[32];

    credauth_request_digest(d, r);
    return crypto_sign_verify_detached(r->signature, d, sizeof d, server_pk) == 0 ? 0 : -1;
}
