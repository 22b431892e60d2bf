/*
 * ballot_json.h - the JSON form of a ballot (docs/protocol.md section 8) and
 * its tracker. Parsing is strict: exactly the fields below, lowercase hex of
 * exact lengths, as many lists and branches as the scrutin has.
 *
 *   {"version": 1, "election": FP, "scrutin": ID, "credential": S,
 *    "lists": [{"ct": ALPHA_BETA, "proof": [BRANCH, BRANCH]}, ...],
 *    "range": {"min": m, "max": M, "proof": [BRANCH, ...]},
 *    "signature": {"a": A, "s": SIGMA}}        BRANCH = {"a", "b", "c", "s"}
 *
 * The canonical form is that object with sorted keys and no white space; the
 * tracker is Hb("votesrv/v1/tracker"; canonical form).
 */
#ifndef VOTESRV_BALLOT_JSON_H
#define VOTESRV_BALLOT_JSON_H

#include <jansson.h>
#include "ballot.h"

#define BALLOT_TRACKER_BYTES 32
#define BALLOT_TRACKER_CHARS 64          /* 52 base32 symbols in groups of 4 */
#define BALLOT_JSON_MAX (64 * 1024)

json_t *ballot_to_json(const ballot *b, const uint8_t fp[BALLOT_FP_BYTES]);
/* A ballot for sc from its JSON, or NULL with the faulty field in err. */
MUST_CHECK
ballot *ballot_from_json(json_t *j, const ballot_scrutin *sc, char *err, size_t errlen);
/* The reading of a ballot's JSON that needs no scrutin definition (the
 * network-facing worker's, whose wire form box_cast checks again): the same
 * strict shape as ballot_from_json, with k taken from "lists" and min, max
 * from "range" (min <= max <= k), and the id compared with scrutin (the
 * path's). Its field checks in ballot_from_json's order; what needs the
 * definition (the fingerprint's value, k, min and max) is left to the
 * writer. BALLOT_FIELD_NONE with the ballot in *out (ballot_free), or the
 * field at fault (-1: out of memory); a fault at "range" or "signature"
 * with the ballot as far as it was read in *out too (its id and k; at
 * "signature" its min and max, at "range" min = max = 0), whose wire form's
 * head (BALLOT_WIRE_HEAD) lets the writer name a fault ballot_from_json
 * would have found first. fp: the "election" field once decoded, else zero. Hex is
 * decoded in variable time: a ballot is public. */
MUST_CHECK
int ballot_from_json_shape(json_t *j, const char *scrutin, uint8_t fp[BALLOT_FP_BYTES],
                           ballot **out);
/* The canonical bytes (malloc'd) and the tracker. */
char *ballot_canonical(const ballot *b, const uint8_t fp[BALLOT_FP_BYTES]);
void ballot_tracker(uint8_t out[BALLOT_TRACKER_BYTES], const char *canonical);
/* What the box stores of one ballot of k lists, range [min, max], for the
 * scrutin: canonical bytes + wire form + 32 per ciphertext (the lengths are
 * fixed by these parameters); 0 if they are out of range. */
size_t ballot_store_bytes(size_t k, uint64_t min, uint64_t max, const char *scrutin_id);
/* Crockford base32 in groups of 4, for people; and back (-1 if malformed). */
void ballot_tracker_text(char out[BALLOT_TRACKER_CHARS + 1], const uint8_t t[BALLOT_TRACKER_BYTES]);
MUST_CHECK
int ballot_tracker_parse(uint8_t out[BALLOT_TRACKER_BYTES], const char *text);

#endif
