/* votedemo - a small election carried through the cryptographic core, in
 * memory: 3 trustees generate a 2-of-3 key, 1,000 voters derive credentials
 * from their vote codes and vote in two scrutins, the server verifies every
 * ballot in one batch per scrutin, adds them up, and trustees 1 and 3 decrypt
 * only the sums, with proofs that the demo checks. */
#include <stdio.h>
#include <string.h>

#include "ballot/ballot.h"

#define TRUSTEES 3
#define QUORUM 2
#define VOTERS 1000

typedef struct {
    const char *id;
    size_t k;
    uint64_t min;
    const char *lists[4];
} scrutin_def;

static const scrutin_def scrutins[2] = {
    { "cap-ministere", 4, 0, { "Liste A", "Liste B", "Liste C", "Liste D" } },
    { "ct-etablissement", 3, 1, { "Liste X", "Liste Y", "Liste Z" } },
};

static uint8_t ctx[32];
static uint8_t box_pk[TRUSTEES][THRESHOLD_BOX_PK_BYTES], box_sk[TRUSTEES][THRESHOLD_BOX_SK_BYTES];
static uint8_t com[TRUSTEES][QUORUM][32];
static group_scalar share[TRUSTEES];

static int fail(const char *what)
{
    fprintf(stderr, "votedemo: %s\n", what);
    return 1;
}

static int key_ceremony(uint8_t joint[32])
{
    uint8_t sealed[TRUSTEES][TRUSTEES][THRESHOLD_SHARE_SEALED_BYTES];
    proof_pok pok[TRUSTEES];
    threshold_poly f;

    for (int i = 0; i < TRUSTEES; i++)
        crypto_box_keypair(box_pk[i], box_sk[i]);
    for (int i = 0; i < TRUSTEES; i++) {
        if (threshold_deal(&f, com[i][0], &pok[i], ctx, (uint64_t)i + 1, QUORUM, NULL) != 0)
            return -1;
        for (int j = 0; j < TRUSTEES; j++)
            if (threshold_share_seal(sealed[i][j], &f, (uint64_t)i + 1, (uint64_t)j + 1,
                                     box_pk[j]) != 0)
                return -1;
        threshold_poly_wipe(&f);
    }
    for (int j = 0; j < TRUSTEES; j++) {
        group_scalar_zero(&share[j]);
        for (int i = 0; i < TRUSTEES; i++) {
            group_scalar y;

            if (threshold_commitments_verify(com[i][0], QUORUM, &pok[i], ctx,
                                             (uint64_t)i + 1) != 0 ||
                threshold_share_open(&y, sealed[i][j], (uint64_t)i + 1, (uint64_t)j + 1,
                                     com[i][0], QUORUM, box_pk[j], box_sk[j]) != 0) {
                fprintf(stderr, "trustee %d rejects dealer %d\n", j + 1, i + 1);
                return -1;
            }
            group_scalar_add(&share[j], &share[j], &y);
        }
    }
    return threshold_joint_key(joint, com[0][0], TRUSTEES, QUORUM);
}

/* Trustees q decrypt ct with proofs; the combination is checked and solved. */
static int decrypt_sum(const elgamal_ct *ct, const uint64_t *q, const dlog_table *dl,
                       uint64_t *m)
{
    uint8_t d[QUORUM][32], xk[32], alpha[32];
    group_point m_g;

    group_point_encode(alpha, &ct->a);
    for (int a = 0; a < QUORUM; a++) {
        proof_dec p;

        if (threshold_verification_key(xk, com[0][0], TRUSTEES, QUORUM, q[a]) != 0 ||
            proof_dec_create(&p, ctx, &share[q[a] - 1], xk, &ct->a, d[a], NULL) != 0 ||
            proof_dec_verify(&p, ctx, xk, alpha, d[a]) != 0)
            return -1;
    }
    if (threshold_combine(&m_g, &ct->b, q, (const uint8_t (*)[32])d, QUORUM) != 0)
        return -1;
    return dlog_solve(dl, &m_g, m);
}

static int run_scrutin(const scrutin_def *def, const elgamal_pk *pk, const uint8_t fp[32],
                       const dlog_table *dl)
{
    ballot_scrutin sc = { fp, pk, def->id, def->k, def->min, 1 };
    batch *bt = batch_new(pk->vtable);
    elgamal_ct sum[4], cts[4];
    uint64_t expect[5] = { 0 }, q[QUORUM] = { 1, 3 }, m, total = 0;
    ballot *b = ballot_new(def->k, def->min, 1);

    if (bt == NULL || b == NULL)
        return -1;
    for (size_t l = 0; l < def->k; l++)
        elgamal_ct_zero(&sum[l]);
    for (int v = 0; v < VOTERS; v++) {
        char code[32];
        uint8_t cred[32], ch[4] = { 0 };
        group_scalar s;
        uint32_t pick = randombytes_uniform((uint32_t)def->k + (def->min == 0));

        snprintf(code, sizeof code, "DEMO-CODE-%06d-XYZW", v);   /* demo only */
        if (credential_derive_scrutin(&s, cred, (const uint8_t *)"demo", 4,
                                     (const uint8_t *)code, strlen(code), "demo") != 0)
            return -1;
        if (pick < def->k)
            ch[pick] = 1;
        expect[pick]++;
        if (ballot_create(b, &sc, ch, &s, cred, NULL) != 0 ||
            ballot_batch(bt, b, &sc, cts) != 0)
            return -1;
        for (size_t l = 0; l < def->k; l++)
            elgamal_ct_add(&sum[l], &sum[l], &cts[l]);
    }
    if (batch_check(bt) != 0)
        return -1;
    printf("\n%s: %d ballots, every proof and signature verified\n", def->id, VOTERS);
    for (size_t l = 0; l < def->k; l++) {
        if (decrypt_sum(&sum[l], q, dl, &m) != 0 || m != expect[l])
            return -1;
        total += m;
        printf("  %-10s %5llu\n", def->lists[l], (unsigned long long)m);
    }
    if (def->min == 0)
        printf("  %-10s %5llu\n", "blanc", (unsigned long long)(VOTERS - total));
    ballot_free(b);
    batch_free(bt);
    return 0;
}

int main(void)
{
    uint8_t joint[32], fp[32];
    char hex[65];
    elgamal_pk pk;
    dlog_table *dl;

    if (crypto_init() != 0)
        return fail("libsodium did not start");
    crypto_generichash(ctx, sizeof ctx, (const uint8_t *)"votedemo ceremony", 17, NULL, 0);
    if (key_ceremony(joint) != 0 || elgamal_pk_load(&pk, joint) != 0)
        return fail("key ceremony failed");
    hex_encode(hex, joint, 32);
    printf("votedemo: %d trustees, any %d decrypt; joint public key %s\n", TRUSTEES, QUORUM,
           hex);
    crypto_generichash(fp, sizeof fp, joint, sizeof joint, NULL, 0);
    dl = dlog_table_new(VOTERS);
    if (dl == NULL)
        return fail("out of memory");
    for (int s = 0; s < 2; s++)
        if (run_scrutin(&scrutins[s], &pk, fp, dl) != 0)
            return fail("scrutin failed");
    printf("\ndecrypted by trustees 1 and 3; every partial decryption proof checked\n");
    printf("(the served demo election, on SQLite and localhost, comes with the daemon)\n");
    dlog_table_free(dl);
    elgamal_pk_clear(&pk);
    return 0;
}
