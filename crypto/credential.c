/* credential.c - vote-code derivations and the credential's Schnorr signature. */
#include "credential.h"
#include "transcript.h"

#include <sodium.h>
#include <string.h>

static int lengths_ok(size_t eidlen, size_t codelen)
{
    return eidlen >= 1 && eidlen <= CREDENTIAL_EID_MAX_BYTES &&
           codelen >= CREDENTIAL_CODE_MIN_BYTES && codelen <= CREDENTIAL_CODE_MAX_BYTES;
}

int credential_derive_auth(uint8_t auth[CREDENTIAL_AUTH_BYTES], const uint8_t *eid,
                           size_t eidlen, const uint8_t *code, size_t codelen)
{
    transcript t;

    if (!lengths_ok(eidlen, codelen))
        return -1;
    transcript_init(&t, "votesrv/v1/authenticator", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, eid, eidlen);
    transcript_put(&t, code, codelen);
    transcript_digest(&t, auth);
    return 0;
}

int credential_derive_scrutin(group_scalar *s, uint8_t pub[CREDENTIAL_PUB_BYTES],
                              const uint8_t *eid, size_t eidlen, const uint8_t *code,
                              size_t codelen, const char *scrutin)
{
    transcript t;
    group_point p;
    size_t sl = scrutin != NULL ? strlen(scrutin) : 0;

    if (!lengths_ok(eidlen, codelen) || sl == 0 || sl > CREDENTIAL_SCRUTIN_MAX_BYTES)
        return -1;
    transcript_init(&t, "votesrv/v1/credential", GROUP_SCALAR_WIDE_BYTES);
    transcript_put(&t, eid, eidlen);
    transcript_put(&t, code, codelen);
    transcript_put(&t, scrutin, sl);
    transcript_challenge(&t, s);
    if (group_scalar_is_zero(s))
        return -1;
    group_table_mul(&p, group_table_generator(), s);
    group_point_encode(pub, &p);
    return 0;
}

void credential_auth_bind(uint8_t out[CREDENTIAL_AUTH_BYTES],
                          const uint8_t auth[CREDENTIAL_AUTH_BYTES],
                          const uint8_t pub[CREDENTIAL_PUB_BYTES])
{
    transcript t;

    transcript_init(&t, "votesrv/v1/auth-bind", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, auth, CREDENTIAL_AUTH_BYTES);
    transcript_put(&t, pub, CREDENTIAL_PUB_BYTES);
    transcript_digest(&t, out);
}

int credential_from_code_scrutin(uint8_t bind[CREDENTIAL_AUTH_BYTES],
                                 uint8_t pub[CREDENTIAL_PUB_BYTES], const uint8_t *eid,
                                 size_t eidlen, const uint8_t *code, size_t codelen,
                                 const char *scrutin)
{
    uint8_t auth[CREDENTIAL_AUTH_BYTES];
    group_scalar s;
    int rc = -1;

    if (credential_derive_auth(auth, eid, eidlen, code, codelen) == 0 &&
        credential_derive_scrutin(&s, pub, eid, eidlen, code, codelen, scrutin) == 0) {
        credential_auth_bind(bind, auth, pub);
        rc = 0;
    }
    sodium_memzero(auth, sizeof auth);
    group_scalar_wipe(&s);
    return rc;
}

void credential_list_init(credential_list_hash *h, const char *eid, const char *scrutin,
                          uint64_t n)
{
    transcript_init(&h->t, "votesrv/v1/credential-list", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&h->t, eid, strlen(eid));
    transcript_put(&h->t, scrutin, strlen(scrutin));
    transcript_put_u64(&h->t, n);
}

void credential_list_add(credential_list_hash *h, const uint8_t pub[CREDENTIAL_PUB_BYTES])
{
    transcript_put(&h->t, pub, CREDENTIAL_PUB_BYTES);
}

void credential_list_final(credential_list_hash *h, uint8_t out[32])
{
    transcript_digest(&h->t, out);
}

void credential_reissue_init(credential_reissue_hash *h, const char *eid, uint64_t seq,
                             uint64_t n)
{
    transcript_init(&h->t, "votesrv/v1/credential-reissue", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&h->t, eid, strlen(eid));
    transcript_put_u64(&h->t, seq);
    transcript_put_u64(&h->t, n);
}

void credential_reissue_add(credential_reissue_hash *h, const char *scrutin,
                            const uint8_t revoked[CREDENTIAL_PUB_BYTES],
                            const uint8_t fresh[CREDENTIAL_PUB_BYTES])
{
    transcript_put(&h->t, scrutin, strlen(scrutin));
    transcript_put(&h->t, revoked, CREDENTIAL_PUB_BYTES);
    transcript_put(&h->t, fresh, CREDENTIAL_PUB_BYTES);
}

void credential_reissue_final(credential_reissue_hash *h, uint8_t out[32])
{
    transcript_digest(&h->t, out);
}

void credential_request_digest(uint8_t out[32], const char *eid, const char *request,
                               const char *voter, const char *const *scrutins, size_t n,
                               uint64_t issued_at, uint64_t applied)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/reissue-request", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, eid, strlen(eid));
    transcript_put(&t, request, strlen(request));
    transcript_put(&t, voter, strlen(voter));
    transcript_put_u64(&t, n);
    for (size_t i = 0; i < n; i++)
        transcript_put(&t, scrutins[i], strlen(scrutins[i]));
    transcript_put_u64(&t, issued_at);
    transcript_put_u64(&t, applied);
    transcript_digest(&t, out);
}

void credential_authority_demo_seed(uint8_t seed[32])
{
    transcript t;

    transcript_init(&t, "votesrv/v1/demo-credential-authority", TRANSCRIPT_DIGEST_BYTES);
    transcript_digest(&t, seed);
}

static void sig_challenge(group_scalar *c, const uint8_t ctx[PROOF_CTX_BYTES],
                          const uint8_t pub[CREDENTIAL_PUB_BYTES],
                          const uint8_t a[GROUP_POINT_BYTES],
                          const uint8_t digest[CREDENTIAL_DIGEST_BYTES])
{
    transcript t;

    transcript_init(&t, "votesrv/v1/sig", GROUP_SCALAR_WIDE_BYTES);
    transcript_put(&t, ctx, PROOF_CTX_BYTES);
    transcript_put(&t, pub, CREDENTIAL_PUB_BYTES);
    transcript_put(&t, a, GROUP_POINT_BYTES);
    transcript_put(&t, digest, CREDENTIAL_DIGEST_BYTES);
    transcript_challenge(&t, c);
}

int credential_sign(credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                    const group_scalar *s, const uint8_t pub[CREDENTIAL_PUB_BYTES],
                    const uint8_t digest[CREDENTIAL_DIGEST_BYTES], rng_drbg *rng)
{
    group_scalar w, c;

    if (proof_commit(&w, sig->a, rng) != 0)
        return -1;
    sig_challenge(&c, ctx, pub, sig->a, digest);
    proof_respond(sig->s, &w, &c, s);
    return 0;
}

int credential_sig_batch(batch *b, const credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                         int slot_pub, const uint8_t pub[CREDENTIAL_PUB_BYTES],
                         const uint8_t digest[CREDENTIAL_DIGEST_BYTES])
{
    group_scalar c, sigma, z;
    int slot_a = batch_point_decode(b, sig->a, GROUP_NO_IDENTITY);

    if (slot_a < 0 || group_scalar_decode(&sigma, sig->s) != 0)
        return -1;
    sig_challenge(&c, ctx, pub, sig->a, digest);
    /* A + c*S - sigma*G = O */
    batch_weight(&z);
    batch_eq(b, &z, slot_a, &c, slot_pub, &sigma, BATCH_G);
    return 0;
}

int credential_sig_verify(const credential_sig *sig, const uint8_t ctx[PROOF_CTX_BYTES],
                          const uint8_t pub[CREDENTIAL_PUB_BYTES],
                          const uint8_t digest[CREDENTIAL_DIGEST_BYTES])
{
    batch *b = batch_new(NULL);
    int slot, rc = -1;

    if (b == NULL)
        return -1;
    slot = batch_point_decode(b, pub, GROUP_NO_IDENTITY);
    if (slot >= 0 && credential_sig_batch(b, sig, ctx, slot, pub, digest) == 0)
        rc = batch_check(b);
    batch_free(b);
    return rc;
}
