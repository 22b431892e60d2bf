/* elgamal.c - keys, encryption, homomorphic addition, decryption to m*G. */
#include "elgamal.h"

#include <string.h>

int elgamal_pk_load(elgamal_pk *pk, const uint8_t in[ELGAMAL_PK_BYTES])
{
    memset(pk, 0, sizeof *pk);
    if (group_point_decode(&pk->h, in, GROUP_NO_IDENTITY) != 0)
        return -1;
    memcpy(pk->bytes, in, ELGAMAL_PK_BYTES);
    pk->table = group_table_new(&pk->h);
    pk->vtable = batch_table_new(&pk->h);
    if (pk->table == NULL || pk->vtable == NULL) {
        elgamal_pk_clear(pk);
        return -1;
    }
    return 0;
}

void elgamal_pk_clear(elgamal_pk *pk)
{
    group_table_free(pk->table);
    batch_table_free(pk->vtable);
    memset(pk, 0, sizeof *pk);
}

int elgamal_keypair(elgamal_pk *pk, group_scalar *sk, rng_drbg *rng)
{
    group_point h;
    uint8_t enc[ELGAMAL_PK_BYTES];

    if (rng_scalar(rng, sk) != 0)
        return -1;
    group_table_mul(&h, group_table_generator(), sk);
    group_point_encode(enc, &h);
    return elgamal_pk_load(pk, enc);
}

static int encrypt_point(elgamal_ct *ct, const elgamal_pk *pk, const group_point *m_g,
                         group_scalar *r_out, rng_drbg *rng)
{
    group_scalar r;
    group_point rh;

    if (rng_scalar(rng, &r) != 0)
        return -1;
    group_table_mul(&ct->a, group_table_generator(), &r);
    group_table_mul(&rh, pk->table, &r);
    group_point_add(&ct->b, m_g, &rh);
    elgamal_ct_encode(ct);
    if (r_out != NULL)
        *r_out = r;
    group_scalar_wipe(&r);
    return 0;
}

int elgamal_encrypt(elgamal_ct *ct, const elgamal_pk *pk, uint64_t m,
                    group_scalar *r_out, rng_drbg *rng)
{
    group_scalar ms;
    group_point m_g;

    group_scalar_set_u64(&ms, m);
    group_table_mul(&m_g, group_table_generator(), &ms);
    return encrypt_point(ct, pk, &m_g, r_out, rng);
}

int elgamal_encrypt_bit(elgamal_ct *ct, const elgamal_pk *pk, unsigned bit,
                        group_scalar *r_out, rng_drbg *rng)
{
    group_point g, o, m_g;

    group_point_generator(&g);
    group_point_identity(&o);
    group_point_select(&m_g, &g, &o, bit & 1);
    return encrypt_point(ct, pk, &m_g, r_out, rng);
}

int elgamal_ct_decode(elgamal_ct *ct, const uint8_t in[ELGAMAL_CT_BYTES], int allow_identity)
{
    if (group_point_decode(&ct->a, in, allow_identity) != 0 ||
        group_point_decode(&ct->b, in + GROUP_POINT_BYTES, allow_identity) != 0)
        return -1;
    memcpy(ct->bytes, in, ELGAMAL_CT_BYTES);
    return 0;
}

void elgamal_ct_encode(elgamal_ct *ct)
{
    group_point_encode(ct->bytes, &ct->a);
    group_point_encode(ct->bytes + GROUP_POINT_BYTES, &ct->b);
}

void elgamal_ct_zero(elgamal_ct *ct)
{
    group_point_identity(&ct->a);
    group_point_identity(&ct->b);
    memset(ct->bytes, 0, sizeof ct->bytes);
}

void elgamal_ct_add(elgamal_ct *r, const elgamal_ct *x, const elgamal_ct *y)
{
    group_point_add(&r->a, &x->a, &y->a);
    group_point_add(&r->b, &x->b, &y->b);
}

void elgamal_decrypt(group_point *m_g, const group_scalar *sk, const elgamal_ct *ct)
{
    group_point xa;

    group_point_mul(&xa, &ct->a, sk);
    group_point_sub(m_g, &ct->b, &xa);
}
