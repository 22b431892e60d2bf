/* decrypt.c - a key holder's partial decryption of the sums it recomputed
 * from the verified ballots of the box it sealed at closing, and of nothing
 * else (docs/protocol.md §6.3, §16). */
#include "trustee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/bureau.h"
#include "crypto/hex.h"
#include "tally/tally.h"

/* The record is this holder's, of this election, with its own closing seal. */
static int record_check(json_t *record, const trustee_secret *ts, const trustee_view *v,
                        char *err, size_t errlen)
{
    json_t *seal = json_object_get(record, "seal_close");
    const char *fmt = json_string_value(json_object_get(record, "format"));
    const char *eid = json_string_value(json_object_get(record, "eid"));
    uint8_t fp[32];

    if (record == NULL || json_object_get(record, "scrutins") == NULL)
        return ceremony_fault(err, errlen, "this key file has no record of a closing seal: the "
                              "holder decrypts only the box it sealed at closing (votetrustee "
                              "seal ... ARCHIVE SIGNATURES)");
    if (fmt == NULL || strcmp(fmt, TRUSTEE_RECORD_FORMAT) != 0 || eid == NULL ||
        strcmp(eid, v->eid) != 0 ||
        json_integer_value(json_object_get(record, "holder")) != (json_int_t)ts->holder ||
        ceremony_hex_get(fp, 32, record, "fingerprint") != 0 ||
        sodium_memcmp(fp, v->fingerprint, 32) != 0)
        return ceremony_fault(err, errlen, "the record beside the key file is another "
                              "election's or holder's");
    if (!json_is_object(seal) ||
        json_integer_value(json_object_get(seal, "holder")) != (json_int_t)ts->holder ||
        ceremony_message_verify(seal, v->k.sign_pk[ts->holder]) != 0)
        return ceremony_fault(err, errlen, "the record's closing seal is not signed by this key "
                              "file: the record was altered");
    return 0;
}

/* The box is the one the holder sealed at closing: every scrutin's ballots,
 * box digest and signatures as recorded, the box hash that its signed seal
 * covers, and ballots = signatures. */
static int box_check(json_t *record, const trustee_box *box, char *err, size_t errlen)
{
    json_t *list = json_object_get(record, "scrutins");
    json_t *state = json_object_get(json_object_get(record, "seal_close"), "state");
    uint8_t digest[32], sealed[32];

    if (json_array_size(list) != box->n)
        return ceremony_fault(err, errlen, "the archive has %zu scrutins, the sealed closing "
                              "state %zu", box->n, json_array_size(list));
    for (size_t i = 0; i < box->n; i++) {
        const trustee_scrutin *s = &box->sc[i];
        json_t *e = json_array_get(list, i);
        const char *id = json_string_value(json_object_get(e, "id"));

        if (id == NULL || strcmp(id, s->id) != 0)
            return ceremony_fault(err, errlen, "scrutin %zu of the archive is %s, of the sealed "
                                  "closing state %s", i + 1, s->id, id ? id : "?");
        if ((uint64_t)json_integer_value(json_object_get(e, "ballots")) != s->ballots)
            return ceremony_fault(err, errlen, "scrutin %s: the archive's box holds %llu "
                                  "ballots, the closing state this holder sealed %lld: refuse "
                                  "to decrypt", s->id, (unsigned long long)s->ballots,
                                  (long long)json_integer_value(json_object_get(e, "ballots")));
        if (ceremony_hex_get(digest, 32, e, "box_digest") != 0 ||
            sodium_memcmp(digest, s->digest, 32) != 0)
            return ceremony_fault(err, errlen, "scrutin %s: the archive's ballots are not those "
                                  "of the closing state this holder sealed (box digest "
                                  "differs): refuse to decrypt", s->id);
        if ((uint64_t)json_integer_value(json_object_get(e, "signatures")) != s->signatures ||
            s->signatures != s->ballots)
            return ceremony_fault(err, errlen, "scrutin %s: %llu ballots but %llu signatures "
                                  "(%lld sealed): refuse to decrypt", s->id,
                                  (unsigned long long)s->ballots,
                                  (unsigned long long)s->signatures,
                                  (long long)json_integer_value(json_object_get(e,
                                                                                "signatures")));
    }
    trustee_box_hash(digest, box);
    if (ceremony_hex_get(sealed, 32, state, "box") != 0 || sodium_memcmp(sealed, digest, 32) != 0)
        return ceremony_fault(err, errlen, "the record's scrutins are not the box its closing "
                              "seal covers: the record was altered");
    return 0;
}

/* The sums document of the count (tally/count.c), from the box. */
static json_t *sums_document(const trustee_view *v, const trustee_box *box)
{
    json_t *list = json_array(), *doc;
    char hex[129];

    for (size_t i = 0; list != NULL && i < box->n; i++) {
        const trustee_scrutin *s = &box->sc[i];
        json_t *sums = json_array();

        for (size_t l = 0; l < s->k; l++) {
            hex_encode(hex, s->sums[l], 64);
            json_array_append_new(sums, json_string(hex));
        }
        json_array_append_new(list, json_pack("{sssIsIsIso}", "id", s->id, "lists",
                                              (json_int_t)s->k, "ballots",
                                              (json_int_t)s->ballots, "signatures",
                                              (json_int_t)s->signatures, "sums", sums));
    }
    hex_encode(hex, v->fingerprint, 32);
    doc = json_pack("{sssssssO}", "format", TALLY_SUMS_FORMAT, "eid", v->eid, "fingerprint",
                    hex, "scrutins", list);
    json_decref(list);
    return doc;
}

static json_t *partials(const trustee_secret *ts, const trustee_view *v, json_t *sums,
                        char *err, size_t errlen)
{
    tally_sum *t = malloc(sizeof *t);
    tally_partial *p = malloc(sizeof *p);
    json_t *out = json_array(), *e;
    uint8_t pub[32];
    size_t i;

    if (t == NULL || p == NULL || out == NULL ||
        bureau_holder_key(pub, v->k.president, &v->k.commitments[0][0][0], v->k.n - 1,
                          ts->holder) != 0) {
        ceremony_fault(err, errlen, "out of memory");
        json_decref(out);
        out = NULL;
    }
    json_array_foreach(out != NULL ? json_object_get(sums, "scrutins") : NULL, i, e) {
        if (tally_sum_from_json(t, e) != 0 ||
            tally_partial_make(p, t, ts->holder, &ts->share, pub, v->fingerprint) != 0) {
            ceremony_fault(err, errlen, "scrutin %zu: the sums cannot be decrypted", i + 1);
            json_decref(out);
            out = NULL;
            break;
        }
        json_array_append_new(out, tally_partial_to_json(p, json_string_value(
                                                               json_object_get(e, "id"))));
    }
    free(t);
    free(p);
    return out;
}

int trustee_decrypt(json_t **msg, json_t *record, const trustee_secret *ts, json_t *ceremony,
                    const trustee_box *box, char *err, size_t errlen)
{
    trustee_view v;
    json_t *sums = NULL, *offered = json_object_get(ceremony, "sums"), *out, *m;
    uint8_t digest[32], done[32];
    char hex[65];
    int rc = -1;

    *msg = NULL;
    if (trustee_view_for(&v, ts, ceremony, err, errlen) != 0)
        return -1;
    if (!ts->has_share)
        return ceremony_fault(err, errlen, "this key file has not given its verdict on the "
                              "ceremony");
    if (record_check(record, ts, &v, err, errlen) != 0 || box_check(record, box, err, errlen) != 0)
        return -1;
    if (strcmp(box->state, "closed") != 0 && strcmp(box->state, "tallied") != 0 &&
        strcmp(box->state, "published") != 0)
        return ceremony_fault(err, errlen, "the archive is of an election in state %s, not "
                              "closed: its closing seals were not checked", box->state);
    if ((sums = sums_document(&v, box)) == NULL || tally_doc_digest(digest, TALLY_SUMS_TAG, sums) != 0) {
        json_decref(sums);
        return ceremony_fault(err, errlen, "out of memory");
    }
    if (json_object_get(record, "decrypted") != NULL &&
        (ceremony_hex_get(done, 32, record, "decrypted") != 0 ||
         sodium_memcmp(done, digest, 32) != 0)) {
        ceremony_fault(err, errlen, "this key file already decrypted other sums (its record "
                       "names them): refuse to decrypt a second count");
        goto done;
    }
    if (offered != NULL && !json_equal(offered, sums)) {
        ceremony_fault(err, errlen, "the officer's sums are not the sums of the archive's "
                       "verified ballots: refuse to decrypt");
        goto done;
    }
    if ((out = partials(ts, &v, sums, err, errlen)) == NULL)
        goto done;
    m = json_pack("{sssssssIso}", "format", CEREMONY_FORMAT, "eid", v.eid, "kind", "partial",
                  "holder", (json_int_t)ts->holder, "scrutins", out);
    ceremony_hex_set(m, "sums", digest, 32);
    if (m == NULL || ceremony_message_sign(m, ts->sign_sk) != 0) {
        json_decref(m);
        ceremony_fault(err, errlen, "out of memory");
        goto done;
    }
    hex_encode(hex, digest, 32);
    json_object_set_new(record, "decrypted", json_string(hex));
    *msg = m;
    rc = 0;
done:
    json_decref(sums);
    return rc;
}
