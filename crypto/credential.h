/*
 * credential.h - voting credentials derived from a vote code
 * (docs/protocol.md section 7): an authenticator the server checks against the
 * voter's record, and a credential scalar s whose public part S = s*G is
 * published without a link to the voter. s signs the voter's ballots.
 */
#ifndef VOTESRV_CREDENTIAL_H
#define VOTESRV_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>
#include "batch.h"
#include "group.h"
#include "proof.h"
#include "rng.h"

#define CREDENTIAL_AUTH_BYTES 32
#define CREDENTIAL_PUB_BYTES GROUP_POINT_BYTES
#define CREDENTIAL_SIG_BYTES 64
#define CREDENTIAL_DIGEST_BYTES 32
#define CREDENTIAL_CODE_MIN_BYTES 16   /* >= 128 bits of entropy upstream */
#define CREDENTIAL_CODE_MAX_BYTES 128
#define CREDENTIAL_EID_MAX_BYTES 64

typedef struct {
    uint8_t a[GROUP_POINT_BYTES];
    uint8_t s[GROUP_SCALAR_BYTES];
} credential_sig;

/* -1 if code or eid lengths are out of range. */
int credential_derive_auth(uint8_t auth[CREDENTIAL_AUTH_BYTES], const uint8_t *eid,
                           size_t eidlen, const uint8_t *code, size_t codelen);
/* What the server keeps to check an authenticator: Hb("votesrv/v1/auth-check"; auth). */
void credential_auth_check(uint8_t out[CREDENTIAL_AUTH_BYTES],
                           const uint8_t auth[CREDENTIAL_AUTH_BYTES]);
/* What the credential authority keeps of a code: the authenticator check for
 * the voter's record and the public credential for the list (the secrets are
 * derived and wiped). -1 on bad lengths. */
int credential_from_code(uint8_t check[CREDENTIAL_AUTH_BYTES], uint8_t pub[CREDENTIAL_PUB_BYTES],
                         const uint8_t *eid, size_t eidlen, const uint8_t *code, size_t codelen);
int credential_derive_secret(group_scalar *s, uint8_t pub[CREDENTIAL_PUB_BYTES],
                             const uint8_t *eid, size_t eidlen,
                             const uint8_t *code, size_t codelen);
int credential_sign(credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                    const group_scalar *s, const uint8_t pub[CREDENTIAL_PUB_BYTES],
                    const uint8_t digest[CREDENTIAL_DIGEST_BYTES], rng_drbg *rng);
/* slot_pub is S's slot in the batch (the caller decoded it). */
int credential_sig_batch(batch *b, const credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                         int slot_pub, const uint8_t pub[CREDENTIAL_PUB_BYTES],
                         const uint8_t digest[CREDENTIAL_DIGEST_BYTES]);
int credential_sig_verify(const credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                          const uint8_t pub[CREDENTIAL_PUB_BYTES],
                          const uint8_t digest[CREDENTIAL_DIGEST_BYTES]);

#endif
