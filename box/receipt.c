/* receipt.c - receipts and the box digest. */
#include "box.h"

#include <string.h>
#include "crypto/transcript.h"

void box_receipt_message(uint8_t out[32], const box_receipt *r)
{
    transcript t;

    transcript_init(&t, r->already_recorded ? "votesrv/v1/receipt-again" : "votesrv/v1/receipt",
                    TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, r->fp, sizeof r->fp);
    transcript_put(&t, r->scrutin, strlen(r->scrutin));
    transcript_put(&t, r->tracker, sizeof r->tracker);
    transcript_put_u64(&t, r->count);
    transcript_put(&t, r->digest, sizeof r->digest);
    transcript_digest(&t, out);
}

int box_receipt_verify(const box_receipt *r, const uint8_t server_pk[32])
{
    uint8_t msg[32];

    box_receipt_message(msg, r);
    return crypto_sign_verify_detached(r->signature, msg, sizeof msg, server_pk) == 0 ? 0 : -1;
}

json_t *box_receipt_json(const box_receipt *r)
{
    char tracker[65], digest[65], fp[65], sig[129];
    json_t *j;

    hex_encode(tracker, r->tracker, 32);
    hex_encode(digest, r->digest, 32);
    hex_encode(fp, r->fp, 32);
    hex_encode(sig, r->signature, 64);
    j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "tracker", tracker, "tracker_text",
                  r->tracker_text, "election", fp, "scrutin", r->scrutin, "count",
                  (json_int_t)r->count, "box_digest", digest, "signature", sig);
    /* only when set: a fresh cast's receipt is what it always was */
    if (j != NULL && r->already_recorded &&
        json_object_set_new(j, "already_recorded", json_true()) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* The digest is the sum, in ristretto255, of one group element per ballot:
 * order-free (it says nothing of who came first) and, as an elliptic-curve
 * multiset hash, binding for the set of trackers. */
int box_digest_add(uint8_t digest[32], const uint8_t tracker[BALLOT_TRACKER_BYTES])
{
    uint8_t wide[64], h[32];
    group_point sum, p;
    transcript t;

    transcript_init(&t, "votesrv/v1/box-digest", GROUP_SCALAR_WIDE_BYTES);
    transcript_put(&t, tracker, BALLOT_TRACKER_BYTES);
    crypto_generichash_final(&t.h, wide, sizeof wide);
    crypto_core_ristretto255_from_hash(h, wide);
    if (group_point_decode(&sum, digest, GROUP_ALLOW_IDENTITY) != 0 ||
        group_point_decode(&p, h, GROUP_NO_IDENTITY) != 0)
        return -1;
    group_point_add(&sum, &sum, &p);
    group_point_encode(digest, &sum);
    return 0;
}
