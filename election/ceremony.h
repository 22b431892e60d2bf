/*
 * ceremony.h - the bureau de vote's key ceremony and seals as signed JSON
 * messages (docs/protocol.md §6.3). Key holders make the messages on their own
 * machines (trustee/trustee.h, votetrustee); the server checks each one,
 * stores it as a public document and audits it, and fixes the joint public key
 * only when every holder's verdict says every check passed. The server relays
 * sealed shares it cannot open; it never holds a secret.
 *
 * Every message is an object {"format": "votesrv-ceremony/1", "eid", "kind",
 * "holder", ..., "signature"}: an Ed25519 signature by the holder's seal key
 * over Hb("votesrv/v1/ceremony-message"; canonical JSON of the message without
 * "signature", keys sorted, compact). Kinds, in order:
 *   keys     every holder: seal and box public keys, commitments (president:
 *            [X_P]; delegate i: [C_i0, C_i1]) and a proof of knowledge;
 *   shares   every delegate: its sealed share for each other delegate;
 *   verdict  every holder: the transcript hash it checked and "ok": true, or
 *            "ok": false with the accused holder and why;
 *   seal     a holder's signature of the election's state before opening or
 *            closing (election/seals.c).
 */
#ifndef VOTESRV_CEREMONY_H
#define VOTESRV_CEREMONY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "definition.h"

/* The server side below works on the store (election/election.h); the key
 * holders' tool sees these types as opaque and links none of it. */
typedef struct store store;
typedef struct store_tx store_tx;
typedef struct election_ctx election_ctx;

#define CEREMONY_FORMAT "votesrv-ceremony/1"
#define CEREMONY_MAX_BYTES (256 * 1024)
#define CEREMONY_MAX_HOLDERS (DEF_MAX_DELEGATES + 1)

/* Write the reason into err; -1. For the ceremony's checks and the holders' tools. */
int ceremony_fault(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Hb over the message's canonical form (all but "signature"); -1 if not an object. */
int ceremony_message_digest(uint8_t out[32], json_t *msg);
/* Set msg["signature"]. */
int ceremony_message_sign(json_t *msg, const uint8_t sign_sk[64]);
/* 0 if msg["signature"] is the seal key's signature of msg. */
MUST_CHECK
int ceremony_message_verify(json_t *msg, const uint8_t sign_pk[32]);
/* Exact-length hex field: 0, or -1 if missing or malformed. */
MUST_CHECK
int ceremony_hex_get(uint8_t *out, size_t len, json_t *obj, const char *key);
void ceremony_hex_set(json_t *obj, const char *key, const uint8_t *in, size_t len);

/* The proofs' context during the ceremony: the draft definition's fingerprint. */
void ceremony_context(uint8_t ctx[32], const char *eid, json_t *definition);

/* What everyone reads of the keys phase: holder count n = 1 + delegates. */
typedef struct {
    size_t n;
    uint8_t sign_pk[CEREMONY_MAX_HOLDERS][32];
    uint8_t box_pk[CEREMONY_MAX_HOLDERS][32];
    uint8_t president[32];                                  /* X_P */
    uint8_t commitments[CEREMONY_MAX_HOLDERS - 1][2][32];   /* delegates 1..m */
} ceremony_keys;

/* Check the keys message of holder i (its self-signature, sizes, proof);
 * on success copy its keys into k. -1 with err naming the fault. */
MUST_CHECK
int ceremony_keys_check(ceremony_keys *k, json_t *msg, uint64_t i, const char *eid,
                        const uint8_t ctx[32], char *err, size_t errlen);
/* Check delegate i's shares message against the keys: signature, the keys
 * digest it names, one sealed share for every other delegate. */
MUST_CHECK
int ceremony_shares_check(json_t *msg, uint64_t i, const ceremony_keys *k, const char *eid,
                          const uint8_t keys_digest[32], char *err, size_t errlen);
/* Check holder i's verdict: signature and the transcript it names. 0 with
 * *ok = 1 or 0 (then *accused says whom), -1 if malformed. */
MUST_CHECK
int ceremony_verdict_check(json_t *msg, uint64_t i, const ceremony_keys *k, const char *eid,
                           const uint8_t transcript[32], int *ok, uint64_t *accused,
                           char *err, size_t errlen);
/* Hb("votesrv/v1/ceremony-transcript"; digests of msgs[0..n)). */
void ceremony_transcript(uint8_t out[32], json_t *const *msgs, size_t n);

/* Server side. ceremony_post: check one message against the stored state,
 * store and audit it; a verdict that completes the ceremony sets the joint
 * key (state keys-ready) in the same transaction. ELECTION_REFUSED with
 * c->msg naming the fault. */
int ceremony_post(store *s, election_ctx *c, const char *text, size_t len);
/* Everything a holder needs: {"format", "eid", "definition", "state",
 * "keys": [...], "shares": [...], "verdicts": [...], "seals": {...}} and,
 * once counted, "sums" (tally/tally.h). */
int ceremony_export(store *s, json_t **out);
/* The state that holders seal before act ("open" or "close"):
 * {"act", "eid", "fingerprint", "signatures", "box", "software"}, hashes of the
 * signature list, of every scrutin's box count and digest, and of the software
 * (election/software.h: the daemon and the portal's files in assets, which may
 * be NULL) (docs/protocol.md §6.3). If signatures is not NULL, the signature
 * list the state hashes, read in the same transaction, for the holders to
 * recompute it: {"format": CEREMONY_SIGNATURES_FORMAT, "eid", "signatures":
 * [[scrutin, voter number], ...]} (it names voters: the bureau's eyes only). */
#define CEREMONY_SIGNATURES_FORMAT "votesrv-signatures/1"
int ceremony_seal_state(store *s, const char *act, const char *assets, json_t **out,
                        json_t **signatures);
/* Within a job: the checked keys of the completed ceremony and the number of
 * holders. ELECTION_REFUSED (c->msg) if there is no bureau or keys are missing. */
int ceremony_keys_get(store_tx *tx, election_ctx *c, ceremony_keys *k);
/* After a complaint: forget the ceremony's messages (audited, with reason). */
int ceremony_restart(store *s, election_ctx *c);

#endif
