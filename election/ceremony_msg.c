/* ceremony_msg.c - the ceremony's messages: canonical form, signatures and the
 * checks that the server and every key holder run alike. */
#include "ceremony.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/bureau.h"
#include "crypto/hex.h"
#include "crypto/threshold.h"
#include "crypto/transcript.h"

int ceremony_fault(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int ceremony_message_digest(uint8_t out[32], json_t *msg)
{
    json_t *copy;
    char *text;
    transcript t;

    if (!json_is_object(msg) || (copy = json_copy(msg)) == NULL)
        return -1;
    json_object_del(copy, "signature");
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    if (text == NULL)
        return -1;
    transcript_init(&t, "votesrv/v1/ceremony-message", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, text, strlen(text));
    transcript_digest(&t, out);
    free(text);
    return 0;
}

int ceremony_message_sign(json_t *msg, const uint8_t sign_sk[64])
{
    uint8_t d[32], sig[64];

    if (ceremony_message_digest(d, msg) != 0)
        return -1;
    crypto_sign_detached(sig, NULL, d, sizeof d, sign_sk);
    ceremony_hex_set(msg, "signature", sig, sizeof sig);
    return 0;
}

int ceremony_message_verify(json_t *msg, const uint8_t sign_pk[32])
{
    uint8_t d[32], sig[64];

    if (ceremony_hex_get(sig, sizeof sig, msg, "signature") != 0 ||
        ceremony_message_digest(d, msg) != 0)
        return -1;
    return crypto_sign_verify_detached(sig, d, sizeof d, sign_pk);
}

int ceremony_hex_get(uint8_t *out, size_t len, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_string(v) || json_string_length(v) != 2 * len)
        return -1;
    return hex_decode(out, len, json_string_value(v));
}

void ceremony_hex_set(json_t *obj, const char *key, const uint8_t *in, size_t len)
{
    char *hex = malloc(2 * len + 1);

    if (hex == NULL)
        return;     /* the field is missing: the message fails its checks */
    hex_encode(hex, in, len);
    json_object_set_new(obj, key, json_string(hex));
    free(hex);
}

void ceremony_context(uint8_t ctx[32], const char *eid, json_t *definition)
{
    char *canon = json_dumps(definition, JSON_COMPACT | JSON_SORT_KEYS);

    def_fingerprint(ctx, eid, canon != NULL ? canon : "", NULL);
    free(canon);
}

/* The envelope every message shares: format, election, kind and holder. */
static int envelope_check(json_t *msg, const char *kind, uint64_t i, const char *eid,
                          char *err, size_t errlen)
{
    json_t *h = json_object_get(msg, "holder");

    if (!json_is_object(msg) ||
        !json_is_string(json_object_get(msg, "format")) ||
        strcmp(json_string_value(json_object_get(msg, "format")), CEREMONY_FORMAT) != 0)
        return ceremony_fault(err, errlen, "not a %s message", CEREMONY_FORMAT);
    if (!json_is_string(json_object_get(msg, "eid")) ||
        strcmp(json_string_value(json_object_get(msg, "eid")), eid) != 0)
        return ceremony_fault(err, errlen, "the message is for another election");
    if (!json_is_string(json_object_get(msg, "kind")) ||
        strcmp(json_string_value(json_object_get(msg, "kind")), kind) != 0)
        return ceremony_fault(err, errlen, "holder %llu: a \"%s\" message was expected",
                     (unsigned long long)i, kind);
    if (!json_is_integer(h) || json_integer_value(h) < 0 || (uint64_t)json_integer_value(h) != i)
        return ceremony_fault(err, errlen, "holder %llu: the message names another holder",
                     (unsigned long long)i);
    return 0;
}

int ceremony_keys_check(ceremony_keys *k, json_t *msg, uint64_t i, const char *eid,
                        const uint8_t ctx[32], char *err, size_t errlen)
{
    json_t *com = json_object_get(msg, "commitments");
    size_t t = i == 0 ? 1 : BUREAU_DELEGATE_QUORUM;
    uint8_t c[BUREAU_DELEGATE_QUORUM][32], sign_pk[32], box_pk[32], proof[PROOF_POK_BYTES];
    proof_pok pok;

    if (i >= CEREMONY_MAX_HOLDERS || envelope_check(msg, "keys", i, eid, err, errlen) != 0)
        return -1;
    if (ceremony_hex_get(sign_pk, 32, msg, "sign_pk") != 0 ||
        ceremony_hex_get(box_pk, 32, msg, "box_pk") != 0 ||
        ceremony_hex_get(proof, sizeof proof, msg, "proof") != 0 ||
        !json_is_array(com) || json_array_size(com) != t)
        return ceremony_fault(err, errlen, "holder %llu: keys message malformed (sign_pk, box_pk, "
                     "proof, %zu commitments)", (unsigned long long)i, t);
    for (size_t j = 0; j < t; j++)
        if (!json_is_string(json_array_get(com, j)) ||
            hex_decode(c[j], 32, json_string_value(json_array_get(com, j))) != 0)
            return ceremony_fault(err, errlen, "holder %llu: commitment %zu is not a point",
                         (unsigned long long)i, j);
    if (ceremony_message_verify(msg, sign_pk) != 0)
        return ceremony_fault(err, errlen, "holder %llu: the keys message's signature is invalid",
                     (unsigned long long)i);
    memcpy(pok.a, proof, 32);
    memcpy(pok.s, proof + 32, 32);
    if (i == 0 ? bureau_president_verify(c[0], &pok, ctx) != 0
               : threshold_commitments_verify(c[0], t, &pok, ctx, i) != 0)
        return ceremony_fault(err, errlen, "holder %llu: the proof of knowledge of the key is invalid",
                     (unsigned long long)i);
    memcpy(k->sign_pk[i], sign_pk, 32);
    memcpy(k->box_pk[i], box_pk, 32);
    if (i == 0)
        memcpy(k->president, c[0], 32);
    else
        memcpy(k->commitments[i - 1], c, sizeof c);
    return 0;
}

int ceremony_shares_check(json_t *msg, uint64_t i, const ceremony_keys *k, const char *eid,
                          const uint8_t keys_digest[32], char *err, size_t errlen)
{
    json_t *sh = json_object_get(msg, "shares");
    uint8_t d[32], box[THRESHOLD_SHARE_SEALED_BYTES];
    char key[24];

    if (i == 0 || i >= k->n)
        return ceremony_fault(err, errlen, "holder %llu deals no shares", (unsigned long long)i);
    if (envelope_check(msg, "shares", i, eid, err, errlen) != 0)
        return -1;
    if (ceremony_message_verify(msg, k->sign_pk[i]) != 0)
        return ceremony_fault(err, errlen, "holder %llu: the shares message's signature is invalid",
                     (unsigned long long)i);
    if (ceremony_hex_get(d, 32, msg, "keys") != 0 || sodium_memcmp(d, keys_digest, 32) != 0)
        return ceremony_fault(err, errlen, "holder %llu: the shares were made for other keys",
                     (unsigned long long)i);
    if (!json_is_object(sh) || json_object_size(sh) != k->n - 2)
        return ceremony_fault(err, errlen, "holder %llu: one sealed share per other delegate expected",
                     (unsigned long long)i);
    for (uint64_t j = 1; j < k->n; j++) {
        snprintf(key, sizeof key, "%llu", (unsigned long long)j);
        if (j != i && ceremony_hex_get(box, sizeof box, sh, key) != 0)
            return ceremony_fault(err, errlen, "holder %llu: the share for delegate %llu is missing "
                         "or malformed", (unsigned long long)i, (unsigned long long)j);
    }
    return 0;
}

int ceremony_verdict_check(json_t *msg, uint64_t i, const ceremony_keys *k, const char *eid,
                           const uint8_t transcript[32], int *ok, uint64_t *accused,
                           char *err, size_t errlen)
{
    json_t *v = json_object_get(msg, "ok"), *a = json_object_get(msg, "accused");
    uint8_t d[32];

    if (i >= k->n || envelope_check(msg, "verdict", i, eid, err, errlen) != 0)
        return i >= k->n ? ceremony_fault(err, errlen, "no holder %llu", (unsigned long long)i) : -1;
    if (ceremony_message_verify(msg, k->sign_pk[i]) != 0)
        return ceremony_fault(err, errlen, "holder %llu: the verdict's signature is invalid",
                     (unsigned long long)i);
    if (ceremony_hex_get(d, 32, msg, "transcript") != 0 || sodium_memcmp(d, transcript, 32) != 0)
        return ceremony_fault(err, errlen, "holder %llu: the verdict is about another transcript",
                     (unsigned long long)i);
    if (!json_is_boolean(v))
        return ceremony_fault(err, errlen, "holder %llu: the verdict has no \"ok\"", (unsigned long long)i);
    *ok = json_is_true(v);
    *accused = 0;
    if (!*ok) {
        if (!json_is_integer(a) || json_integer_value(a) < 0 ||
            (uint64_t)json_integer_value(a) >= k->n ||
            !json_is_string(json_object_get(msg, "reason")))
            return ceremony_fault(err, errlen, "holder %llu: a complaint must name the accused holder "
                         "and the reason", (unsigned long long)i);
        *accused = (uint64_t)json_integer_value(a);
    }
    return 0;
}

void ceremony_transcript(uint8_t out[32], json_t *const *msgs, size_t n)
{
    transcript t;
    uint8_t d[32];

    transcript_init(&t, "votesrv/v1/ceremony-transcript", TRANSCRIPT_DIGEST_BYTES);
    for (size_t i = 0; i < n; i++) {
        if (ceremony_message_digest(d, msgs[i]) != 0)
            memset(d, 0, sizeof d);
        transcript_put(&t, d, sizeof d);
    }
    transcript_digest(&t, out);
}
