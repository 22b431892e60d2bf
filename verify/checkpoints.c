/* checkpoints.c - the audit log's signed checkpoints in the archive
 * (protocol.md §13): each an Ed25519 signature by the election's audit key
 * over le64(seq) || hash, seq strictly increasing; the end line, signed by the
 * audit key too, names how many there are, the last one (seq, hash) and the
 * election's state, so that dropping checkpoints from the end of the list (or
 * any), or pairing the results with an older end, is seen from the archive
 * alone. */
#include <string.h>
#include "crypto/transcript.h"
#include "verify.h"

/* The states in which the count's documents exist (§16). */
static int counted_state(const char *state)
{
    return strcmp(state, "tallied") == 0 || strcmp(state, "published") == 0 ||
           strcmp(state, "purged") == 0;
}

/* The end line: Hb("votesrv/v1/archive-end"; fp, state, le64(C), le64(seq), hash). */
static void end_check(vv *v)
{
    transcript t;
    uint8_t msg[32];
    size_t results = json_array_size(json_object_get(v->documents, "results"));
    int ok;

    transcript_init(&t, "votesrv/v1/archive-end", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, v->fp, 32);
    transcript_put(&t, v->end_state, strlen(v->end_state));
    transcript_put_u64(&t, v->end_checkpoints);
    transcript_put_u64(&t, v->end_last_seq);
    transcript_put(&t, v->end_last_hash, 32);
    transcript_digest(&t, msg);
    ok = v->end_ok && crypto_sign_verify_detached(v->end_signature, msg, sizeof msg,
                                                   v->audit_key) == 0;
    vv_report(v, ok, "archive end: signed by the audit key (state %s)",
              v->end_ok ? v->end_state : "?");
    vv_report(v, ok && strcmp(v->end_state, v->state) == 0 &&
                     (results == 0 || counted_state(v->end_state)),
              "archive end: its state %s is the election's (%s)%s", v->end_state, v->state,
              results > 0 ? ", one in which the results exist" : "");
}

void vv_checkpoints(vv *v)
{
    json_t *c;
    size_t i, bad = 0, n = json_array_size(v->checkpoints);
    uint64_t last = 0;
    uint8_t last_hash[32] = { 0 };

    json_array_foreach(v->checkpoints, i, c) {
        uint8_t msg[40], sig[64];
        json_int_t seq = json_integer_value(json_object_get(c, "seq"));

        for (int b = 0; b < 8; b++)
            msg[b] = (uint8_t)((uint64_t)seq >> (8 * b));
        if (!json_is_integer(json_object_get(c, "seq")) || seq < 1 || (uint64_t)seq <= last ||
            vv_hex(msg + 8, 32, c, "hash") != 0 || vv_hex(sig, 64, c, "signature") != 0 ||
            crypto_sign_verify_detached(sig, msg, sizeof msg, v->audit_key) != 0)
            bad++;
        last = (uint64_t)seq;
        memcpy(last_hash, msg + 8, 32);
    }
    vv_report(v, n > 0 && bad == 0, "audit checkpoints: %zu signed by the audit key, in order "
              "(%zu bad)", n, bad);
    end_check(v);
    vv_report(v, v->end_ok && v->end_checkpoints == n && v->end_last_seq == last &&
                     memcmp(v->end_last_hash, last_hash, 32) == 0,
              "audit checkpoints: the end line names %llu checkpoint(s), the last %llu: the "
              "archive holds %zu, the last %llu", (unsigned long long)v->end_checkpoints,
              (unsigned long long)v->end_last_seq, n, (unsigned long long)last);
}
