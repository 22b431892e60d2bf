/* sums.c - the JSON of encrypted sums and partial decryptions. */
#include "tally.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/hex.h"
#include "crypto/transcript.h"

int tally_doc_digest(uint8_t out[32], const char *tag, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    transcript t;

    if (text == NULL)
        return -1;
    transcript_init(&t, tag, TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, text, strlen(text));
    transcript_digest(&t, out);
    free(text);
    return 0;
}

static int hex_at(uint8_t *out, size_t len, json_t *arr, size_t i)
{
    json_t *v = json_array_get(arr, i);

    return json_is_string(v) && json_string_length(v) == 2 * len
               ? hex_decode(out, len, json_string_value(v))
               : -1;
}

int tally_sum_from_json(tally_sum *out, json_t *entry)
{
    json_t *sums = json_object_get(entry, "sums"), *n = json_object_get(entry, "ballots");
    uint8_t ct[ELGAMAL_CT_BYTES];
    size_t k = json_array_size(sums);

    memset(out, 0, sizeof *out);
    if (!json_is_string(json_object_get(entry, "id")) || k < 1 || k > BALLOT_MAX_LISTS ||
        !json_is_integer(n) || json_integer_value(n) < 0)
        return -1;
    out->k = k;
    out->ballots = (uint64_t)json_integer_value(n);
    for (size_t l = 0; l < k; l++)
        if (hex_at(ct, sizeof ct, sums, l) != 0 || elgamal_ct_decode(&out->sum[l], ct, 1) != 0)
            return -1;
    return 0;
}

json_t *tally_partial_to_json(const tally_partial *p, const char *id)
{
    json_t *f = json_array(), *pr = json_array();
    char hex[2 * PROOF_DEC_BYTES + 1];
    uint8_t buf[PROOF_DEC_BYTES];

    for (size_t l = 0; l < p->k; l++) {
        hex_encode(hex, p->factor[l], GROUP_POINT_BYTES);
        json_array_append_new(f, json_string(hex));
        memcpy(buf, p->proof[l].a, 32);
        memcpy(buf + 32, p->proof[l].b, 32);
        memcpy(buf + 64, p->proof[l].s, 32);
        hex_encode(hex, buf, sizeof buf);
        json_array_append_new(pr, json_string(hex));
    }
    return json_pack("{s:s, s:o, s:o}", "id", id, "factors", f, "proofs", pr);
}

int tally_partial_from_json(tally_partial *p, json_t *entry, uint64_t holder, size_t k)
{
    json_t *f = json_object_get(entry, "factors"), *pr = json_object_get(entry, "proofs");
    uint8_t buf[PROOF_DEC_BYTES];

    memset(p, 0, sizeof *p);
    if (json_array_size(f) != k || json_array_size(pr) != k || k > BALLOT_MAX_LISTS)
        return -1;
    p->holder = holder;
    p->k = k;
    for (size_t l = 0; l < k; l++) {
        if (hex_at(p->factor[l], GROUP_POINT_BYTES, f, l) != 0 ||
            hex_at(buf, sizeof buf, pr, l) != 0)
            return -1;
        memcpy(p->proof[l].a, buf, 32);
        memcpy(p->proof[l].b, buf + 32, 32);
        memcpy(p->proof[l].s, buf + 64, 32);
    }
    return 0;
}
