/* ceremony.c - a key holder's messages: keys, shares, verdict, seal. */
#include "trustee.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/bureau.h"
#include "crypto/hex.h"
#include "crypto/threshold.h"

static json_t *message_new(const char *eid, const char *kind, uint64_t holder)
{
    return json_pack("{sssssssI}", "format", CEREMONY_FORMAT, "eid", eid, "kind", kind,
                     "holder", (json_int_t)holder);
}

static int finish(json_t **msg, json_t *m, const trustee_secret *ts, char *err, size_t errlen)
{
    if (m == NULL || ceremony_message_sign(m, ts->sign_sk) != 0) {
        json_decref(m);
        return ceremony_fault(err, errlen, "out of memory");
    }
    *msg = m;
    return 0;
}

int trustee_keygen(trustee_secret *ts, json_t **msg, json_t *ceremony, uint64_t holder,
                   char *err, size_t errlen)
{
    trustee_view v;
    uint8_t com[2][32], sign_pk[32], box_pk[32], proof[PROOF_POK_BYTES];
    proof_pok pok;
    threshold_poly f;
    json_t *m, *arr;
    int rc;

    *msg = NULL;
    if (trustee_view_load(&v, ceremony, 0, err, errlen) != 0)
        return -1;
    if (holder >= v.k.n)
        return ceremony_fault(err, errlen, "holder %llu does not exist: 0 is the president, 1 to %zu "
                     "the delegates", (unsigned long long)holder, v.k.n - 1);
    memset(ts, 0, sizeof *ts);
    strcpy(ts->eid, v.eid);
    ts->holder = holder;
    crypto_sign_keypair(sign_pk, ts->sign_sk);
    crypto_box_keypair(box_pk, ts->box_sk);
    if (holder == 0) {
        ts->na = 1;
        rc = bureau_president_keygen(&ts->a[0], com[0], &pok, v.ctx, NULL);
    } else {
        ts->na = 2;
        rc = threshold_deal(&f, com[0], &pok, v.ctx, holder, BUREAU_DELEGATE_QUORUM, NULL);
        ts->a[0] = f.a[0];
        ts->a[1] = f.a[1];
        threshold_poly_wipe(&f);
    }
    if (rc != 0) {
        trustee_secret_wipe(ts);
        return ceremony_fault(err, errlen, "the system's random generator failed");
    }
    memcpy(proof, pok.a, 32);
    memcpy(proof + 32, pok.s, 32);
    m = message_new(v.eid, "keys", holder);
    arr = json_array();
    for (size_t i = 0; i < ts->na; i++) {
        char hex[65];

        hex_encode(hex, com[i], 32);
        json_array_append_new(arr, json_string(hex));
    }
    json_object_set_new(m, "commitments", arr);
    ceremony_hex_set(m, "sign_pk", sign_pk, 32);
    ceremony_hex_set(m, "box_pk", box_pk, 32);
    ceremony_hex_set(m, "proof", proof, sizeof proof);
    return finish(msg, m, ts, err, errlen);
}

int trustee_shares(json_t **msg, const trustee_secret *ts, json_t *ceremony, char *err,
                   size_t errlen)
{
    trustee_view v;
    threshold_poly f;
    uint8_t box[THRESHOLD_SHARE_SEALED_BYTES];
    json_t *m, *sh;
    char key[24];
    int rc = 0;

    *msg = NULL;
    if (trustee_view_for(&v, ts, ceremony, err, errlen) != 0)
        return -1;
    if (ts->holder == 0)
        return ceremony_fault(err, errlen, "the president deals no shares");
    memset(&f, 0, sizeof f);
    f.t = 2;
    f.a[0] = ts->a[0];
    f.a[1] = ts->a[1];
    sh = json_object();
    for (uint64_t j = 1; j < v.k.n && rc == 0; j++) {
        if (j == ts->holder)
            continue;
        rc = threshold_share_seal(box, &f, ts->holder, j, v.k.box_pk[j]);
        snprintf(key, sizeof key, "%llu", (unsigned long long)j);
        ceremony_hex_set(sh, key, box, sizeof box);
    }
    threshold_poly_wipe(&f);
    if (rc != 0) {
        json_decref(sh);
        return ceremony_fault(err, errlen, "a share could not be sealed");
    }
    m = message_new(v.eid, "shares", ts->holder);
    json_object_set_new(m, "shares", sh);
    ceremony_hex_set(m, "keys", v.keys_digest, 32);
    return finish(msg, m, ts, err, errlen);
}

/* Check the shares messages and, for a delegate, open the shares addressed to
 * it. Returns the accused holder (UINT64_MAX if none) and why. */
static uint64_t verdict_check(trustee_view *v, trustee_secret *ts, json_t *shares,
                              group_scalar *x, char *why, size_t whylen)
{
    uint8_t box[THRESHOLD_SHARE_SEALED_BYTES];
    group_scalar s, j_s, t;
    char key[24];

    group_scalar_set_u64(&j_s, ts->holder);
    group_scalar_mul(&t, &ts->a[1], &j_s);
    group_scalar_add(x, &ts->a[0], &t);           /* the delegate's own f_j(j) */
    snprintf(key, sizeof key, "%llu", (unsigned long long)ts->holder);
    for (uint64_t i = 1; i < v->k.n; i++) {
        json_t *m = json_array_get(shares, i - 1);

        if (ceremony_shares_check(m, i, &v->k, v->eid, v->keys_digest, why, whylen) != 0)
            return i;
        if (ts->holder == 0 || i == ts->holder)
            continue;
        if (ceremony_hex_get(box, sizeof box, json_object_get(m, "shares"), key) != 0 ||
            threshold_share_open(&s, box, i, ts->holder, v->k.commitments[i - 1][0], 2,
                                 v->k.box_pk[ts->holder], ts->box_sk) != 0) {
            snprintf(why, whylen, "the share that delegate %llu sealed for delegate %llu does "
                     "not open or does not match its commitments", (unsigned long long)i,
                     (unsigned long long)ts->holder);
            return i;
        }
        group_scalar_add(x, x, &s);
        group_scalar_wipe(&s);
    }
    group_scalar_wipe(&t);
    return UINT64_MAX;
}

int trustee_verdict(json_t **msg, trustee_secret *ts, json_t *ceremony, char *err,
                    size_t errlen)
{
    trustee_view v;
    json_t *shares = json_object_get(ceremony, "shares"), *all[2 * CEREMONY_MAX_HOLDERS], *m;
    uint8_t transcript[32];
    group_scalar x;
    char why[300] = "";
    uint64_t accused;

    *msg = NULL;
    if (trustee_view_for(&v, ts, ceremony, err, errlen) != 0)
        return -1;
    if (!json_is_array(shares) || json_array_size(shares) != v.k.n - 1)
        return ceremony_fault(err, errlen, "every delegate's shares are needed before the verdict");
    for (size_t i = 0; i < v.k.n; i++)
        all[i] = json_array_get(json_object_get(ceremony, "keys"), i);
    for (size_t i = 1; i < v.k.n; i++)
        all[v.k.n + i - 1] = json_array_get(shares, i - 1);
    ceremony_transcript(transcript, all, 2 * v.k.n - 1);
    accused = verdict_check(&v, ts, shares, &x, why, sizeof why);
    m = message_new(v.eid, "verdict", ts->holder);
    ceremony_hex_set(m, "transcript", transcript, 32);
    json_object_set_new(m, "ok", json_boolean(accused == UINT64_MAX));
    if (accused != UINT64_MAX) {
        json_object_set_new(m, "accused", json_integer((json_int_t)accused));
        json_object_set_new(m, "reason", json_string(why));
    } else {
        ts->share = ts->holder == 0 ? ts->a[0] : x;
        ts->has_share = 1;
    }
    group_scalar_wipe(&x);
    return finish(msg, m, ts, err, errlen);
}
