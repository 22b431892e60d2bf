/* altcha.c - ALTCHA challenges and their verification (SHA-256, HMAC-SHA-256
 * from libsodium; JSON with jansson). */
#include "altcha.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

static void sha256_hex(char out[65], const char *salt, unsigned long number)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    char num[24];

    snprintf(num, sizeof num, "%lu", number);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)salt, strlen(salt));
    crypto_hash_sha256_update(&st, (const uint8_t *)num, strlen(num));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void hmac_hex(char out[65], const uint8_t key[ALTCHA_KEY_BYTES], const char *msg)
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, ALTCHA_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

json_t *altcha_challenge(const uint8_t key[ALTCHA_KEY_BYTES], int64_t now)
{
    uint8_t r[12];
    char salt[80], hex[25], challenge[65], sig[65];

    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(salt, sizeof salt, "%s?expires=%lld", hex, (long long)(now + ALTCHA_TTL));
    sha256_hex(challenge, salt, randombytes_uniform(ALTCHA_MAXNUMBER + 1));
    hmac_hex(sig, key, challenge);
    return json_pack("{s:s,s:s,s:i,s:s,s:s}", "algorithm", "SHA-256", "challenge", challenge,
                     "maxnumber", ALTCHA_MAXNUMBER, "salt", salt, "signature", sig);
}

int altcha_verify(const uint8_t key[ALTCHA_KEY_BYTES], const char *payload, int64_t now,
                  uint8_t id[32], int64_t *expires)
{
    uint8_t raw[ALTCHA_PAYLOAD_MAX];
    size_t rawlen;
    json_t *j;
    const char *alg, *challenge, *salt, *sig, *exp;
    json_int_t number;
    char want[65], check[65];
    int rc = -1;

    if (payload == NULL || strlen(payload) > ALTCHA_PAYLOAD_MAX ||
        sodium_base642bin(raw, sizeof raw - 1, payload, strlen(payload), NULL, &rawlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL || json_unpack(j, "{s:s,s:s,s:I,s:s,s:s}", "algorithm", &alg, "challenge",
                                 &challenge, "number", &number, "salt", &salt, "signature",
                                 &sig) != 0)
        goto out;
    if (strcmp(alg, "SHA-256") != 0 || number < 0 || number > ALTCHA_MAXNUMBER ||
        strlen(challenge) != 64 || strlen(sig) != 64 || strlen(salt) > 100 ||
        (exp = strstr(salt, "?expires=")) == NULL)
        goto out;
    *expires = strtoll(exp + 9, NULL, 10);
    if (*expires <= now || *expires > now + ALTCHA_TTL)
        goto out;
    hmac_hex(want, key, challenge);
    sha256_hex(check, salt, (unsigned long)number);
    if (sodium_memcmp(want, sig, 64) != 0 || sodium_memcmp(check, challenge, 64) != 0)
        goto out;
    crypto_hash_sha256(id, (const uint8_t *)challenge, 64);
    rc = 0;
out:
    json_decref(j);
    return rc;
}

char *altcha_solve(const json_t *challenge)
{
    const char *c = json_string_value(json_object_get(challenge, "challenge"));
    const char *salt = json_string_value(json_object_get(challenge, "salt"));
    const char *sig = json_string_value(json_object_get(challenge, "signature"));
    char h[65], *text, *out = NULL;
    json_t *p;

    if (c == NULL || salt == NULL || sig == NULL)
        return NULL;
    for (unsigned long n = 0; n <= ALTCHA_MAXNUMBER; n++) {
        sha256_hex(h, salt, n);
        if (strcmp(h, c) != 0)
            continue;
        p = json_pack("{s:s,s:s,s:I,s:s,s:s}", "algorithm", "SHA-256", "challenge", c,
                      "number", (json_int_t)n, "salt", salt, "signature", sig);
        text = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        if (text != NULL) {
            size_t len = sodium_base64_ENCODED_LEN(strlen(text), sodium_base64_VARIANT_ORIGINAL);

            out = malloc(len);
            if (out != NULL)
                sodium_bin2base64(out, len, (const uint8_t *)text, strlen(text),
                                  sodium_base64_VARIANT_ORIGINAL);
            free(text);
        }
        break;
    }
    return out;
}
