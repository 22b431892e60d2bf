/* decrypt.c - checking and combining the key holders' factors. */
#include "tally.h"

#include <string.h>

int tally_partial_make(tally_partial *out, const tally_sum *s, uint64_t holder,
                       const group_scalar *x, const uint8_t pub[GROUP_POINT_BYTES],
                       const uint8_t ctx[PROOF_CTX_BYTES])
{
    memset(out, 0, sizeof *out);
    out->holder = holder;
    out->k = s->k;
    for (size_t l = 0; l < s->k; l++)
        if (proof_dec_create(&out->proof[l], ctx, x, pub, &s->sum[l].a, out->factor[l], NULL))
            return -1;
    return 0;
}

/* The key a holder's factors are checked against. */
static int holder_key(uint8_t out[GROUP_POINT_BYTES], const tally_bureau *b, uint64_t holder)
{
    if (holder == TALLY_PRESIDENT) {
        memcpy(out, b->president, GROUP_POINT_BYTES);
        return 0;
    }
    if (holder > b->m)
        return -1;
    return threshold_verification_key(out, b->delegate_commitments, b->m,
                                      BUREAU_DELEGATE_QUORUM, holder);
}

static int partial_check(const tally_partial *p, const tally_sum *s, const tally_bureau *b,
                         const uint8_t ctx[PROOF_CTX_BYTES])
{
    uint8_t key[GROUP_POINT_BYTES];

    if (p->k != s->k || holder_key(key, b, p->holder) != 0)
        return -1;
    for (size_t l = 0; l < s->k; l++)
        if (proof_dec_verify(&p->proof[l], ctx, key, s->sum[l].bytes, p->factor[l]) != 0)
            return -1;
    return 0;
}

int tally_decrypt(uint64_t *counts, const tally_sum *s, const tally_partial *parts,
                  size_t nparts, const tally_bureau *b, const uint8_t ctx[PROOF_CTX_BYTES],
                  const dlog_table *dl, uint64_t *culprit)
{
    uint64_t q[BUREAU_MAX_DELEGATES];
    uint8_t d[BUREAU_MAX_DELEGATES][GROUP_POINT_BYTES];
    const tally_partial *president = NULL;
    size_t nq = 0;

    for (size_t i = 0; i < nparts; i++) {
        *culprit = parts[i].holder;
        for (size_t j = 0; j < i; j++)
            if (parts[j].holder == parts[i].holder)
                return TALLY_BAD_PARTIAL;
        if (partial_check(&parts[i], s, b, ctx) != 0)
            return TALLY_BAD_PARTIAL;
        if (parts[i].holder == TALLY_PRESIDENT)
            president = &parts[i];
        else if (nq < BUREAU_MAX_DELEGATES)
            q[nq++] = parts[i].holder;
    }
    *culprit = 0;
    if (bureau_quorum_check(BUREAU_ACT_DECRYPT, president != NULL, nq) != 0)
        return TALLY_NO_QUORUM;
    for (size_t l = 0; l < s->k; l++) {
        group_point m_g;
        size_t a = 0;

        for (size_t i = 0; i < nparts; i++)
            if (parts[i].holder != TALLY_PRESIDENT)
                memcpy(d[a++], parts[i].factor[l], GROUP_POINT_BYTES);
        if (bureau_combine(&m_g, &s->sum[l].b, president->factor[l], q,
                           (const uint8_t (*)[GROUP_POINT_BYTES])d, nq) != 0)
            return -1;
        if (dlog_solve(dl, &m_g, &counts[l]) != 0)
            return TALLY_NO_DLOG;
    }
    return 0;
}
