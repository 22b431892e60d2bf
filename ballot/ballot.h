/*
 * ballot.h - ballot/, the encrypted ballot of one scrutin: create, verify
 * (alone or in batches), and its JSON form and tracker (ballot_json.h).
 *
 * A ballot (docs/protocol.md section 8) is one ciphertext of 0 or 1 per
 * candidate list with its 0/1 proof, a range proof on the number of chosen
 * lists, and the voter credential's signature.
 *
 * Ballots are kept in wire form; verification decodes into a batch.
 */
#ifndef VOTESRV_BALLOT_H
#define VOTESRV_BALLOT_H

#include <stddef.h>
#include <stdint.h>
#include "../crypto/crypto.h"

#define BALLOT_MAX_LISTS 64
#define BALLOT_SCRUTIN_ID_MAX 64
#define BALLOT_FP_BYTES 32
#define BALLOT_DIGEST_BYTES 32

/* The public parameters a ballot is made and checked against. */
typedef struct {
    const uint8_t *fp;          /* election fingerprint, BALLOT_FP_BYTES */
    const elgamal_pk *pk;       /* joint public key with its tables */
    const char *scrutin_id;     /* 1..BALLOT_SCRUTIN_ID_MAX bytes */
    size_t k;                   /* candidate lists, 1..BALLOT_MAX_LISTS */
    uint64_t min, max;          /* number of lists chosen: min <= n <= max <= k */
} ballot_scrutin;

typedef struct {
    char scrutin_id[BALLOT_SCRUTIN_ID_MAX + 1];
    size_t k;
    uint64_t min, max;
    uint8_t cred[CREDENTIAL_PUB_BYTES];
    uint8_t (*ct)[ELGAMAL_CT_BYTES];   /* k ciphertexts */
    proof_branch (*bits)[2];           /* k 0/1 proofs */
    proof_branch *range;               /* max - min + 1 branches */
    credential_sig sig;
} ballot;

/* -1 if the scrutin's parameters are out of range. */
MUST_CHECK
int ballot_scrutin_check(const ballot_scrutin *sc);
/* One allocation sized for k lists and [min, max]; NULL on bad sizes. */
ballot *ballot_new(size_t k, uint64_t min, uint64_t max);
void ballot_free(ballot *b);
/* choices[i] is 1 if list i is chosen. -1 on an invalid choice or randomness failure. */
int ballot_create(ballot *b, const ballot_scrutin *sc, const uint8_t *choices,
                  const group_scalar *cred_s, const uint8_t cred_pub[CREDENTIAL_PUB_BYTES],
                  rng_drbg *rng);
/* The digest the credential signs. */
void ballot_digest(uint8_t out[BALLOT_DIGEST_BYTES], const ballot *b, const uint8_t *fp);
/* Decode b into the batch (made with sc->pk->vtable) and add all its equations.
 * If cts is not NULL, it receives the k decoded ciphertexts. -1 on bad input. */
int ballot_batch(batch *bt, const ballot *b, const ballot_scrutin *sc, elgamal_ct *cts);
/* Full verification of one ballot: 0 if valid. (Credential-list membership and
 * uniqueness are the ballot box's checks.) */
MUST_CHECK
int ballot_verify(const ballot *b, const ballot_scrutin *sc);

/* The ballot box's storage form (not a protocol format: the canonical JSON of
 * ballot_json.h is): version 1, the scrutin id, k, min, max, the credential,
 * the ciphertexts, the proofs and the signature, back to back. The count reads
 * it instead of decoding JSON. */
#define BALLOT_WIRE_VERSION 1
#define BALLOT_WIRE_MAX (5 + BALLOT_SCRUTIN_ID_MAX + 32 + BALLOT_MAX_LISTS * (64 + 256) + \
                         65 * 128 + 64)
size_t ballot_wire_size(const ballot *b);
/* Its length, or -1 if cap is too small. */
int ballot_wire_encode(uint8_t *out, size_t cap, const ballot *b);
/* NULL unless in is a ballot of exactly sc's scrutin, lists and range. */
MUST_CHECK
ballot *ballot_wire_decode(const uint8_t *in, size_t len, const ballot_scrutin *sc);
/* 1 if in is a wire form of some scrutin: version 1, an id of 1 to
 * BALLOT_SCRUTIN_ID_MAX bytes, 1 <= k <= BALLOT_MAX_LISTS, min <= max <= k
 * with a range proof of at most PROOF_DISJ_MAX_VALUES branches, and exactly
 * the length these give. (The privsep channel's framing of a cast.) */
int ballot_wire_framed(const uint8_t *in, size_t len);

/* The field of a ballot's JSON form a fault is reported under, in the order
 * they are checked; BALLOT_FIELD_NONE: no fault. */
typedef enum {
    BALLOT_FIELD_NONE = 0, BALLOT_FIELD_BALLOT, BALLOT_FIELD_VERSION, BALLOT_FIELD_ELECTION,
    BALLOT_FIELD_SCRUTIN, BALLOT_FIELD_CREDENTIAL, BALLOT_FIELD_LISTS, BALLOT_FIELD_RANGE,
    BALLOT_FIELD_SIGNATURE, BALLOT_FIELD_COUNT
} ballot_field;
/* "ballot", "version", ... ("ballot" for NONE or out of range). */
const char *ballot_field_name(int field);
/* ballot_wire_decode, naming the fault as ballot_from_json would: a version
 * not 1 "version", an id not sc's "scrutin", k not sc's "lists", min or max
 * not sc's "range", anything else (a length) "ballot". NULL with *field set,
 * or the ballot (*field NONE). */
MUST_CHECK
ballot *ballot_wire_check(const uint8_t *in, size_t len, const ballot_scrutin *sc,
                          ballot_field *field);
/* The head of a wire form of the scrutin id: version, id, k, min, max. */
#define BALLOT_WIRE_HEAD(id) (5 + strlen(id))
/* What another process read of a ballot's JSON (field: the first fault it
 * found, fp: the fingerprint it claims, wire: its wire form when field is
 * NONE; at RANGE or SIGNATURE, the head of what it read, or nothing), taken
 * as a ballot of sc only if it holds against sc: a fault before the
 * fingerprint is named as found; then fp must be sc's ("election"); then a
 * later fault is named as found (but "lists" when the head's k is not sc's,
 * and at SIGNATURE "range" when its min or max is not sc's, the order
 * ballot_from_json checks in), or the wire form checked (ballot_wire_check).
 * The ballot, or NULL with *out the field at fault. */
MUST_CHECK
ballot *ballot_wire_take(int field, const uint8_t *fp, const uint8_t *wire, size_t len,
                         const ballot_scrutin *sc, ballot_field *out);

#endif
