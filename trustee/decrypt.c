/* decrypt.c - a key holder's partial decryption of the encrypted sums. */
#include "trustee.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/bureau.h"
#include "tally/count.h"

/* The fingerprint the holder recomputes, and the check of the sums' header. */
static int sums_check(json_t *sums, const trustee_view *v, json_t *ceremony, uint8_t fp[32],
                      char *err, size_t errlen)
{
    uint8_t claimed[32];
    char *canon = json_dumps(json_object_get(ceremony, "definition"),
                             JSON_COMPACT | JSON_SORT_KEYS);

    def_fingerprint(fp, v->eid, canon != NULL ? canon : "", v->joint);
    free(canon);
    if (!json_is_object(sums))
        return ceremony_fault(err, errlen, "the ballots are not counted yet (no \"sums\")");
    if (!json_is_string(json_object_get(sums, "format")) ||
        strcmp(json_string_value(json_object_get(sums, "format")), TALLY_SUMS_FORMAT) != 0 ||
        !json_is_string(json_object_get(sums, "eid")) ||
        strcmp(json_string_value(json_object_get(sums, "eid")), v->eid) != 0 ||
        ceremony_hex_get(claimed, 32, sums, "fingerprint") != 0 ||
        sodium_memcmp(claimed, fp, 32) != 0)
        return ceremony_fault(err, errlen, "the sums are not for this election's fingerprint: refuse "
                     "to decrypt");
    return 0;
}

int trustee_decrypt(json_t **msg, const trustee_secret *ts, json_t *ceremony, char *err,
                    size_t errlen)
{
    trustee_view v;
    json_t *sums = json_object_get(ceremony, "sums"), *list, *e, *m, *out;
    uint8_t fp[32], pub[32], digest[32], sign_pk[32];
    tally_sum *t = malloc(sizeof *t);
    tally_partial *p = malloc(sizeof *p);
    size_t i;
    int rc = -1;

    *msg = NULL;
    if (t == NULL || p == NULL) {
        rc = ceremony_fault(err, errlen, "out of memory");
        goto done;
    }
    if (trustee_view_load(&v, ceremony, 1, err, errlen) != 0 ||
        sums_check(sums, &v, ceremony, fp, err, errlen) != 0)
        goto done;
    crypto_sign_ed25519_sk_to_pk(sign_pk, ts->sign_sk);
    if (!ts->has_share || strcmp(ts->eid, v.eid) != 0 || ts->holder >= v.k.n ||
        sodium_memcmp(sign_pk, v.k.sign_pk[ts->holder], 32) != 0) {
        rc = ceremony_fault(err, errlen, "this key file is not a holder of this election's key");
        goto done;
    }
    if (bureau_holder_key(pub, v.k.president, &v.k.commitments[0][0][0], v.k.n - 1,
                          ts->holder) != 0 || tally_doc_digest(digest, sums) != 0)
        goto done;
    out = json_array();
    list = json_object_get(sums, "scrutins");
    json_array_foreach(list, i, e) {
        if (tally_sum_from_json(t, e) != 0 ||
            tally_partial_make(p, t, ts->holder, &ts->share, pub, fp) != 0) {
            json_decref(out);
            rc = ceremony_fault(err, errlen, "scrutin %zu of the sums is malformed", i);
            goto done;
        }
        json_array_append_new(out, tally_partial_to_json(p, json_string_value(
                                                               json_object_get(e, "id"))));
    }
    m = json_pack("{sssssssIso}", "format", CEREMONY_FORMAT, "eid", v.eid, "kind", "partial",
                  "holder", (json_int_t)ts->holder, "scrutins", out);
    ceremony_hex_set(m, "sums", digest, 32);
    if (m == NULL || ceremony_message_sign(m, ts->sign_sk) != 0) {
        json_decref(m);
        rc = ceremony_fault(err, errlen, "out of memory");
        goto done;
    }
    *msg = m;
    rc = 0;
done:
    free(t);
    free(p);
    return rc;
}
