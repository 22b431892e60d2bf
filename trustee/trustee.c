/* trustee.c - a key holder's side of the ceremony and the seals. */
#include "trustee.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/bureau.h"
#include "crypto/hex.h"
#include "crypto/threshold.h"

void trustee_secret_wipe(trustee_secret *ts)
{
    sodium_memzero(ts, sizeof *ts);
}

int trustee_secret_encode(char *out, const trustee_secret *ts)
{
    uint8_t buf[32];
    char a[2][65], share[65], sk[129], box[65];
    int n;

    hex_encode(sk, ts->sign_sk, 64);
    hex_encode(box, ts->box_sk, 32);
    for (size_t i = 0; i < 2; i++) {
        group_scalar_encode(buf, &ts->a[i]);
        hex_encode(a[i], buf, 32);
    }
    group_scalar_encode(buf, &ts->share);
    hex_encode(share, buf, 32);
    n = snprintf(out, TRUSTEE_SECRET_MAX,
                 "{\"format\":\"votesrv-holder/1\",\"eid\":\"%s\",\"holder\":%llu,"
                 "\"sign_sk\":\"%s\",\"box_sk\":\"%s\",\"a\":[\"%s\",\"%s\"],\"na\":%zu,"
                 "\"share\":%s%s%s}", ts->eid, (unsigned long long)ts->holder, sk, box, a[0],
                 a[1], ts->na, ts->has_share ? "\"" : "", ts->has_share ? share : "null",
                 ts->has_share ? "\"" : "");
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(a, sizeof a);
    sodium_memzero(share, sizeof share);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(box, sizeof box);
    return n > 0 && n < TRUSTEE_SECRET_MAX ? n : -1;
}

static int scalar_get(group_scalar *s, json_t *v)
{
    uint8_t buf[32];
    int rc = json_is_string(v) && hex_decode(buf, 32, json_string_value(v)) == 0 &&
                     group_scalar_decode(s, buf) == 0
                 ? 0
                 : -1;

    sodium_memzero(buf, sizeof buf);
    return rc;
}

int trustee_secret_decode(trustee_secret *ts, const char *in, size_t len)
{
    json_t *j = json_loadb(in, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *a = json_object_get(j, "a"), *sh = json_object_get(j, "share");
    json_t *eid = json_object_get(j, "eid"), *h = json_object_get(j, "holder");
    json_t *na = json_object_get(j, "na");
    int rc = -1;

    memset(ts, 0, sizeof *ts);
    if (json_is_string(eid) && json_string_length(eid) < sizeof ts->eid && json_is_integer(h) &&
        json_integer_value(h) >= 0 && json_integer_value(h) < CEREMONY_MAX_HOLDERS &&
        json_is_integer(na) && json_integer_value(na) >= 1 && json_integer_value(na) <= 2 &&
        ceremony_hex_get(ts->sign_sk, 64, j, "sign_sk") == 0 &&
        ceremony_hex_get(ts->box_sk, 32, j, "box_sk") == 0 && json_array_size(a) == 2 &&
        scalar_get(&ts->a[0], json_array_get(a, 0)) == 0 &&
        scalar_get(&ts->a[1], json_array_get(a, 1)) == 0 &&
        (json_is_null(sh) || scalar_get(&ts->share, sh) == 0)) {
        strcpy(ts->eid, json_string_value(eid));
        ts->holder = (uint64_t)json_integer_value(h);
        ts->na = (size_t)json_integer_value(na);
        ts->has_share = !json_is_null(sh);
        rc = 0;
    }
    json_decref(j);     /* jansson does not wipe: the caller's buffer is wiped by votetrustee */
    if (rc != 0)
        trustee_secret_wipe(ts);
    return rc;
}

int trustee_view_load(trustee_view *v, json_t *ceremony, int need_all_keys, char *err,
                      size_t errlen)
{
    json_t *eid = json_object_get(ceremony, "eid"), *def = json_object_get(ceremony, "definition");
    json_t *keys = json_object_get(ceremony, "keys"), *m;
    char *text, derr[DEF_ERR_CHARS];
    def_election d;
    size_t i;

    memset(v, 0, sizeof *v);
    if (!json_is_string(eid) || json_string_length(eid) >= sizeof v->eid || !json_is_object(def) ||
        !json_is_array(keys))
        return ceremony_fault(err, errlen, "not a ceremony export (votectl ceremony export)");
    strcpy(v->eid, json_string_value(eid));
    text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL || def_parse(&d, text, strlen(text), derr, sizeof derr) != 0) {
        free(text);
        return ceremony_fault(err, errlen, "the election definition is invalid: %s", derr);
    }
    free(text);
    v->k.n = d.has_bureau ? d.ndelegates + 1 : 0;
    def_free(&d);
    if (v->k.n == 0)
        return ceremony_fault(err, errlen, "the election definition declares no bureau de vote");
    ceremony_context(v->ctx, v->eid, def);
    if (json_array_size(keys) > v->k.n)
        return ceremony_fault(err, errlen, "more keys messages than holders");
    json_array_foreach(keys, i, m) {
        json_t *h = json_object_get(m, "holder");
        uint64_t hi = json_is_integer(h) && json_integer_value(h) >= 0
                          ? (uint64_t)json_integer_value(h) : UINT64_MAX;

        if (hi != i && need_all_keys)
            return ceremony_fault(err, errlen, "the keys of holder %zu are missing", i);
        if (hi >= v->k.n || ceremony_keys_check(&v->k, m, hi, v->eid, v->ctx, err, errlen) != 0)
            return err[0] ? -1 : ceremony_fault(err, errlen, "keys message %zu names no holder", i);
    }
    if (!need_all_keys)
        return 0;
    if (json_array_size(keys) != v->k.n)
        return ceremony_fault(err, errlen, "%zu of %zu holders have posted their keys",
                     json_array_size(keys), v->k.n);
    {
        json_t *all[CEREMONY_MAX_HOLDERS];

        for (i = 0; i < v->k.n; i++)
            all[i] = json_array_get(keys, i);
        ceremony_transcript(v->keys_digest, all, v->k.n);
    }
    if (bureau_joint_key(v->joint, v->k.president, &v->k.commitments[0][0][0], v->k.n - 1) != 0)
        return ceremony_fault(err, errlen, "the holders' keys add up to no valid joint key");
    text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return ceremony_fault(err, errlen, "out of memory");
    def_fingerprint(v->fingerprint, v->eid, text, v->joint);
    free(text);
    return 0;
}

int trustee_view_for(trustee_view *v, const trustee_secret *ts, json_t *ceremony, char *err,
                     size_t errlen)
{
    uint8_t pk[32];

    if (trustee_view_load(v, ceremony, 1, err, errlen) != 0)
        return -1;
    if (strcmp(v->eid, ts->eid) != 0 || ts->holder >= v->k.n)
        return ceremony_fault(err, errlen, "this key file belongs to another election or holder");
    crypto_sign_ed25519_sk_to_pk(pk, ts->sign_sk);
    if (sodium_memcmp(pk, v->k.sign_pk[ts->holder], 32) != 0)
        return ceremony_fault(err, errlen, "the keys published for holder %llu are not this key "
                              "file's", (unsigned long long)ts->holder);
    return 0;
}
