/* ballot.c - create and verify one scrutin's encrypted ballot. */
#include "ballot.h"

#include <stdlib.h>
#include <string.h>

int ballot_scrutin_check(const ballot_scrutin *sc)
{
    size_t idlen;

    if (sc->fp == NULL || sc->pk == NULL || sc->scrutin_id == NULL)
        return -1;
    idlen = strnlen(sc->scrutin_id, BALLOT_SCRUTIN_ID_MAX + 1);
    if (idlen == 0 || idlen > BALLOT_SCRUTIN_ID_MAX)
        return -1;
    if (sc->k < 1 || sc->k > BALLOT_MAX_LISTS || sc->max > sc->k)
        return -1;
    return proof_disj_branches(sc->min, sc->max) < 0 ? -1 : 0;
}

ballot *ballot_new(size_t k, uint64_t min, uint64_t max)
{
    int nr = proof_disj_branches(min, max);
    size_t size;
    ballot *b;

    if (k < 1 || k > BALLOT_MAX_LISTS || nr < 0 || max > k)
        return NULL;
    size = sizeof *b + k * ELGAMAL_CT_BYTES + k * 2 * sizeof(proof_branch) +
           (size_t)nr * sizeof(proof_branch);
    b = calloc(1, size);
    if (b == NULL)
        return NULL;
    b->k = k;
    b->min = min;
    b->max = max;
    b->ct = (uint8_t (*)[ELGAMAL_CT_BYTES])(b + 1);
    b->bits = (proof_branch (*)[2])(b->ct + k);
    b->range = (proof_branch *)(b->bits + k);
    return b;
}

void ballot_free(ballot *b)
{
    free(b);
}

/* aux = enc(S) || enc(scrutin_id); returns its length. */
static size_t ballot_aux(uint8_t *out, const uint8_t cred[CREDENTIAL_PUB_BYTES], const char *id)
{
    size_t idlen = strlen(id), n = 0;
    uint64_t lens[2] = { CREDENTIAL_PUB_BYTES, idlen };
    const void *parts[2] = { cred, id };

    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 8; i++)
            out[n++] = (uint8_t)(lens[p] >> (8 * i));
        memcpy(out + n, parts[p], (size_t)lens[p]);
        n += (size_t)lens[p];
    }
    return n;
}

#define BALLOT_AUX_MAX (16 + CREDENTIAL_PUB_BYTES + BALLOT_SCRUTIN_ID_MAX)

static int same_scrutin(const ballot *b, const ballot_scrutin *sc)
{
    return ballot_scrutin_check(sc) == 0 && b->k == sc->k && b->min == sc->min &&
           b->max == sc->max && strcmp(b->scrutin_id, sc->scrutin_id) == 0;
}

void ballot_digest(uint8_t out[BALLOT_DIGEST_BYTES], const ballot *b, const uint8_t *fp)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/ballot", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, fp, BALLOT_FP_BYTES);
    transcript_put(&t, b->scrutin_id, strlen(b->scrutin_id));
    transcript_put(&t, b->cred, CREDENTIAL_PUB_BYTES);
    transcript_put_u64(&t, b->k);
    for (size_t i = 0; i < b->k; i++) {
        transcript_put(&t, b->ct[i], GROUP_POINT_BYTES);
        transcript_put(&t, b->ct[i] + GROUP_POINT_BYTES, GROUP_POINT_BYTES);
        transcript_put(&t, b->bits[i], 2 * sizeof(proof_branch));
    }
    transcript_put_u64(&t, b->min);
    transcript_put_u64(&t, b->max);
    transcript_put(&t, b->range, (size_t)(b->max - b->min + 1) * sizeof(proof_branch));
    transcript_digest(&t, out);
}

static int choices_valid(const ballot_scrutin *sc, const uint8_t *choices, uint64_t *count)
{
    *count = 0;
    for (size_t i = 0; i < sc->k; i++) {
        if (choices[i] > 1)
            return 0;
        *count += choices[i];
    }
    return *count >= sc->min && *count <= sc->max;
}

int ballot_create(ballot *b, const ballot_scrutin *sc, const uint8_t *choices,
                  const group_scalar *cred_s, const uint8_t cred_pub[CREDENTIAL_PUB_BYTES],
                  rng_drbg *rng)
{
    group_scalar r[BALLOT_MAX_LISTS], rsum;
    elgamal_ct ct[BALLOT_MAX_LISTS], sum;
    uint8_t aux[BALLOT_AUX_MAX], digest[BALLOT_DIGEST_BYTES];
    proof_disj_statement st = { sc->fp, sc->pk, NULL, 0, 1, aux, 0 };
    uint64_t count;
    int rc = -1;

    if (ballot_scrutin_check(sc) != 0 || b->k != sc->k || b->min != sc->min ||
        b->max != sc->max || !choices_valid(sc, choices, &count))
        return -1;
    strcpy(b->scrutin_id, sc->scrutin_id);
    memcpy(b->cred, cred_pub, CREDENTIAL_PUB_BYTES);
    st.auxlen = ballot_aux(aux, cred_pub, sc->scrutin_id);
    for (size_t i = 0; i < sc->k; i++) {
        if (elgamal_encrypt_bit(&ct[i], sc->pk, choices[i], &r[i], rng) != 0)
            goto out;
        memcpy(b->ct[i], ct[i].bytes, ELGAMAL_CT_BYTES);
    }
    for (size_t i = 0; i < sc->k; i++) {
        st.ct = &ct[i];
        if (proof_disj_create(b->bits[i], &st, choices[i], &r[i], rng) != 0)
            goto out;
    }
    sum = ct[0];
    rsum = r[0];
    for (size_t i = 1; i < sc->k; i++) {
        elgamal_ct_add(&sum, &sum, &ct[i]);
        group_scalar_add(&rsum, &rsum, &r[i]);
    }
    elgamal_ct_encode(&sum);
    st.ct = &sum;
    st.min = sc->min;
    st.max = sc->max;
    if (proof_disj_create(b->range, &st, count, &rsum, rng) != 0)
        goto out;
    ballot_digest(digest, b, sc->fp);
    rc = credential_sign(&b->sig, sc->fp, cred_s, cred_pub, digest, rng);
out:
    sodium_memzero(r, sizeof r);
    sodium_memzero(&rsum, sizeof rsum);
    return rc;
}

int ballot_batch(batch *bt, const ballot *b, const ballot_scrutin *sc, elgamal_ct *cts)
{
    int sa[BALLOT_MAX_LISTS], sb[BALLOT_MAX_LISTS], scred;
    uint8_t aux[BALLOT_AUX_MAX], digest[BALLOT_DIGEST_BYTES];
    proof_disj_statement st = { sc->fp, sc->pk, NULL, 0, 1, aux, 0 };
    elgamal_ct ct, sum;

    if (!same_scrutin(b, sc))
        return -1;
    st.auxlen = ballot_aux(aux, b->cred, b->scrutin_id);
    elgamal_ct_zero(&sum);
    for (size_t i = 0; i < b->k; i++) {
        sa[i] = batch_point_decode(bt, b->ct[i], GROUP_NO_IDENTITY);
        sb[i] = batch_point_decode(bt, b->ct[i] + GROUP_POINT_BYTES, GROUP_NO_IDENTITY);
        if (sa[i] < 0 || sb[i] < 0)
            return -1;
        ct.a = *batch_point_get(bt, sa[i]);
        ct.b = *batch_point_get(bt, sb[i]);
        memcpy(ct.bytes, b->ct[i], ELGAMAL_CT_BYTES);
        if (cts != NULL)
            cts[i] = ct;
        elgamal_ct_add(&sum, &sum, &ct);
        st.ct = &ct;
        if (proof_disj_batch(bt, b->bits[i], &st, &sa[i], &sb[i], 1) != 0)
            return -1;
    }
    elgamal_ct_encode(&sum);
    st.ct = &sum;
    st.min = b->min;
    st.max = b->max;
    if (proof_disj_batch(bt, b->range, &st, sa, sb, b->k) != 0)
        return -1;
    scred = batch_point_decode(bt, b->cred, GROUP_NO_IDENTITY);
    if (scred < 0)
        return -1;
    ballot_digest(digest, b, sc->fp);
    return credential_sig_batch(bt, &b->sig, sc->fp, scred, b->cred, digest);
}

int ballot_verify(const ballot *b, const ballot_scrutin *sc)
{
    batch *bt;
    int rc = -1;

    if (ballot_scrutin_check(sc) != 0 || (bt = batch_new(sc->pk->vtable)) == NULL)
        return -1;
    if (ballot_batch(bt, b, sc, NULL) == 0)
        rc = batch_check(bt);
    batch_free(bt);
    return rc;
}
