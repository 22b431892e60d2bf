/*
 * credential.h - voting credentials derived from a vote code
 * (docs/protocol.md section 7): an authenticator, and per scrutin a
 * credential scalar s whose public part S = s*G is published without a link
 * to the voter; s signs the voter's ballot of that scrutin. The server keeps
 * per voter and scrutin only Hb(auth-bind; authenticator, S). The digests the
 * credential authority signs (lists, reissue records) and the daemon signs
 * (reissue requests) are here too.
 */
#ifndef VOTESRV_CREDENTIAL_H
#define VOTESRV_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>
#include "batch.h"
#include "group.h"
#include "proof.h"
#include "rng.h"
#include "transcript.h"

#define CREDENTIAL_AUTH_BYTES 32
#define CREDENTIAL_PUB_BYTES GROUP_POINT_BYTES
#define CREDENTIAL_SIG_BYTES 64
#define CREDENTIAL_DIGEST_BYTES 32
#define CREDENTIAL_CODE_MIN_BYTES 16   /* >= 128 bits of entropy upstream */
#define CREDENTIAL_CODE_MAX_BYTES 128
#define CREDENTIAL_EID_MAX_BYTES 64
#define CREDENTIAL_SCRUTIN_MAX_BYTES 64

typedef struct {
    uint8_t a[GROUP_POINT_BYTES];
    uint8_t s[GROUP_SCALAR_BYTES];
} credential_sig;

/* -1 if code or eid lengths are out of range. */
int credential_derive_auth(uint8_t auth[CREDENTIAL_AUTH_BYTES], const uint8_t *eid,
                           size_t eidlen, const uint8_t *code, size_t codelen);
/* Per voter and scrutin (protocol section 7): s = Hs("votesrv/v1/credential";
 * eid, code, scrutin_id), S = s*G. A voter has one credential per scrutin, so
 * nothing groups her ballots across scrutins. -1 on bad lengths. */
int credential_derive_scrutin(group_scalar *s, uint8_t pub[CREDENTIAL_PUB_BYTES],
                              const uint8_t *eid, size_t eidlen, const uint8_t *code,
                              size_t codelen, const char *scrutin);
/* What the server keeps per voter and scrutin: Hb("votesrv/v1/auth-bind";
 * auth, S). A cast is accepted only when the authenticator sent and the
 * ballot's credential hash to it, so a code casts only from its own account. */
void credential_auth_bind(uint8_t out[CREDENTIAL_AUTH_BYTES],
                          const uint8_t auth[CREDENTIAL_AUTH_BYTES],
                          const uint8_t pub[CREDENTIAL_PUB_BYTES]);
/* What the credential authority hands over of a code for one scrutin: the
 * binding and the public credential (secrets derived and wiped). */
MUST_CHECK
int credential_from_code_scrutin(uint8_t bind[CREDENTIAL_AUTH_BYTES],
                                 uint8_t pub[CREDENTIAL_PUB_BYTES], const uint8_t *eid,
                                 size_t eidlen, const uint8_t *code, size_t codelen,
                                 const char *scrutin);

/* The digest the credential authority signs (Ed25519) over one scrutin's
 * list: Hb("votesrv/v1/credential-list"; eid, scrutin_id, le64(n), S_1, ...,
 * S_n), the S_i sorted by their bytes, n the scrutin's eligible voters. */
typedef struct {
    transcript t;
} credential_list_hash;
void credential_list_init(credential_list_hash *h, const char *eid, const char *scrutin,
                          uint64_t n);
void credential_list_add(credential_list_hash *h, const uint8_t pub[CREDENTIAL_PUB_BYTES]);
void credential_list_final(credential_list_hash *h, uint8_t out[32]);

/* The digest of a reissue record: Hb("votesrv/v1/credential-reissue"; eid,
 * le64(seq), le64(n), then per entry: scrutin_id, revoked S, new S), seq the
 * record's number from 1, entries in the record's order. */
typedef struct {
    transcript t;
} credential_reissue_hash;
void credential_reissue_init(credential_reissue_hash *h, const char *eid, uint64_t seq,
                             uint64_t n);
void credential_reissue_add(credential_reissue_hash *h, const char *scrutin,
                            const uint8_t revoked[CREDENTIAL_PUB_BYTES],
                            const uint8_t fresh[CREDENTIAL_PUB_BYTES]);
void credential_reissue_final(credential_reissue_hash *h, uint8_t out[32]);

/* The digest the daemon signs (Ed25519, its audit key) over a reissue request
 * to the credential authority: Hb("votesrv/v1/reissue-request"; eid, request
 * id, voter number, le64(n), scrutin_1, ..., scrutin_n, le64(issued_at),
 * le64(applied)), applied the number of reissue records the server holds. */
void credential_request_digest(uint8_t out[32], const char *eid, const char *request,
                               const char *voter, const char *const *scrutins, size_t n,
                               uint64_t issued_at, uint64_t applied);
/* The demo credential authority's Ed25519 seed (votecred keygen --demo):
 * Hb("votesrv/v1/demo-credential-authority"). Public: demos and tests only. */
void credential_authority_demo_seed(uint8_t seed[32]);

int credential_sign(credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                    const group_scalar *s, const uint8_t pub[CREDENTIAL_PUB_BYTES],
                    const uint8_t digest[CREDENTIAL_DIGEST_BYTES], rng_drbg *rng);
/* slot_pub is S's slot in the batch (the caller decoded it). */
MUST_CHECK
int credential_sig_batch(batch *b, const credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                         int slot_pub, const uint8_t pub[CREDENTIAL_PUB_BYTES],
                         const uint8_t digest[CREDENTIAL_DIGEST_BYTES]);
MUST_CHECK
int credential_sig_verify(const credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                          const uint8_t pub[CREDENTIAL_PUB_BYTES],
                          const uint8_t digest[CREDENTIAL_DIGEST_BYTES]);

#endif
