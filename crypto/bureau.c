/* bureau.c - the president-plus-delegates access structure. */
#include "bureau.h"

#include <string.h>
#include "threshold.h"

static const char president_aux[] = "votesrv/v1/bureau-president";

int bureau_composition_check(size_t delegates)
{
    size_t holders = delegates + 1;

    if (delegates < BUREAU_MIN_DELEGATES || delegates > BUREAU_MAX_DELEGATES)
        return -1;
    return holders >= 3 && 3 * delegates >= 2 * holders ? 0 : -1;
}

int bureau_quorum_check(bureau_act act, int president, size_t delegates)
{
    if (!president)
        return -1;
    if (act == BUREAU_ACT_SEAL)
        return delegates >= 1 ? 0 : -1;
    if (act == BUREAU_ACT_DECRYPT)
        return delegates >= BUREAU_DELEGATE_QUORUM ? 0 : -1;
    return -1;
}

int bureau_president_keygen(group_scalar *x, uint8_t pub[GROUP_POINT_BYTES], proof_pok *pok,
                            const uint8_t ctx[PROOF_CTX_BYTES], rng_drbg *rng)
{
    group_point p;

    if (rng_scalar(rng, x) != 0)
        return -1;
    group_table_mul(&p, group_table_generator(), x);
    group_point_encode(pub, &p);
    return proof_pok_create(pok, ctx, x, pub, (const uint8_t *)president_aux,
                            sizeof president_aux - 1, rng);
}

int bureau_president_verify(const uint8_t pub[GROUP_POINT_BYTES], const proof_pok *pok,
                            const uint8_t ctx[PROOF_CTX_BYTES])
{
    group_point p;

    if (group_point_decode(&p, pub, GROUP_NO_IDENTITY) != 0)
        return -1;
    return proof_pok_verify(pok, ctx, pub, (const uint8_t *)president_aux,
                            sizeof president_aux - 1);
}

int bureau_joint_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t president[GROUP_POINT_BYTES],
                     const uint8_t *delegate_commitments, size_t m)
{
    uint8_t hd[GROUP_POINT_BYTES];
    group_point a, b;

    if (bureau_composition_check(m) != 0 ||
        threshold_joint_key(hd, delegate_commitments, m, BUREAU_DELEGATE_QUORUM) != 0 ||
        group_point_decode(&a, president, GROUP_NO_IDENTITY) != 0 ||
        group_point_decode(&b, hd, GROUP_NO_IDENTITY) != 0)
        return -1;
    group_point_add(&a, &a, &b);
    if (group_point_is_identity(&a))
        return -1;
    group_point_encode(out, &a);
    return 0;
}

int bureau_combine(group_point *m_g, const group_point *beta,
                   const uint8_t president_factor[GROUP_POINT_BYTES], const uint64_t *q,
                   const uint8_t (*factors)[GROUP_POINT_BYTES], size_t nq)
{
    group_point dp, partial;

    if (bureau_quorum_check(BUREAU_ACT_DECRYPT, 1, nq) != 0 ||
        group_point_decode(&dp, president_factor, GROUP_ALLOW_IDENTITY) != 0 ||
        threshold_combine(&partial, beta, q, factors, nq) != 0)
        return -1;
    group_point_sub(m_g, &partial, &dp);
    return 0;
}

int bureau_holder_key(uint8_t out[GROUP_POINT_BYTES], const uint8_t president[GROUP_POINT_BYTES],
                      const uint8_t *delegate_commitments, size_t m, uint64_t holder)
{
    if (bureau_composition_check(m) != 0 || holder > m)
        return -1;
    if (holder == 0) {
        memcpy(out, president, GROUP_POINT_BYTES);
        return 0;
    }
    return threshold_verification_key(out, delegate_commitments, m, BUREAU_DELEGATE_QUORUM,
                                      holder);
}
