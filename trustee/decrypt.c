/* decrypt.c - a key holder's partial decryption of the encrypted sums. */
#include "trustee.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/bureau.h"
#include "tally/count.h"

/* The sums are this election's: its id and the fingerprint the holder
 * recomputed from the definition and the joint key. */
static int sums_check(json_t *sums, const trustee_view *v, char *err, size_t errlen)
{
    uint8_t claimed[32];

    if (!json_is_object(sums))
        return ceremony_fault(err, errlen, "the ballots are not counted yet (no \"sums\")");
    if (!json_is_string(json_object_get(sums, "format")) ||
        strcmp(json_string_value(json_object_get(sums, "format")), TALLY_SUMS_FORMAT) != 0 ||
        !json_is_string(json_object_get(sums, "eid")) ||
        strcmp(json_string_value(json_object_get(sums, "eid")), v->eid) != 0 ||
        ceremony_hex_get(claimed, 32, sums, "fingerprint") != 0 ||
        sodium_memcmp(claimed, v->fingerprint, 32) != 0)
        return ceremony_fault(err, errlen, "the sums are not for this election's fingerprint: "
                              "refuse to decrypt");
    return 0;
}

int trustee_decrypt(json_t **msg, const trustee_secret *ts, json_t *ceremony, char *err,
                    size_t errlen)
{
    trustee_view v;
    json_t *sums = json_object_get(ceremony, "sums"), *list, *e, *m, *out;
    uint8_t pub[32], digest[32];
    tally_sum *t = malloc(sizeof *t);
    tally_partial *p = malloc(sizeof *p);
    size_t i;
    int rc = -1;

    *msg = NULL;
    if (t == NULL || p == NULL) {
        rc = ceremony_fault(err, errlen, "out of memory");
        goto done;
    }
    if (trustee_view_for(&v, ts, ceremony, err, errlen) != 0 ||
        sums_check(sums, &v, err, errlen) != 0)
        goto done;
    if (!ts->has_share) {
        rc = ceremony_fault(err, errlen, "this key file has not given its verdict on the "
                            "ceremony");
        goto done;
    }
    if (bureau_holder_key(pub, v.k.president, &v.k.commitments[0][0][0], v.k.n - 1,
                          ts->holder) != 0 || tally_doc_digest(digest, sums) != 0)
        goto done;
    out = json_array();
    list = json_object_get(sums, "scrutins");
    json_array_foreach(list, i, e) {
        if (tally_sum_from_json(t, e) != 0 ||
            tally_partial_make(p, t, ts->holder, &ts->share, pub, v.fingerprint) != 0) {
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
