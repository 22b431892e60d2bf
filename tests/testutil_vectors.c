/* testutil_vectors.c - test data from hex and fixed seeds, and the
 * deterministic vector generator (docs/protocol.md sections 10 and 11). */
#include "testutil.h"
#include "crypto/credential.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tu_unhex(uint8_t *out, size_t len, const char *hex)
{
    if (hex_decode(out, len, hex) != 0) {
        fprintf(stderr, "bad hex in test data: %s\n", hex ? hex : "(null)");
        abort();
    }
}

json_t *tu_jhex(const uint8_t *buf, size_t len)
{
    char *s = malloc(2 * len + 1);
    json_t *j;

    if (s == NULL)
        abort();
    hex_encode(s, buf, len);
    j = json_string(s);
    free(s);
    return j;
}

void tu_seed(uint8_t seed[RNG_SEED_BYTES], uint8_t label)
{
    for (int i = 0; i < RNG_SEED_BYTES; i++)
        seed[i] = (uint8_t)(label + i);
}

void tu_flip(uint8_t *buf, size_t bit)
{
    buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static json_t *scalar_json(const group_scalar *s)
{
    uint8_t b[GROUP_SCALAR_BYTES];

    group_scalar_encode(b, s);
    return tu_jhex(b, sizeof b);
}

static json_t *branches_json(const proof_branch *br, size_t n)
{
    json_t *arr = json_array();

    for (size_t j = 0; j < n; j++)
        json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o}",
            "a", tu_jhex(br[j].a, 32), "b", tu_jhex(br[j].b, 32),
            "c", tu_jhex(br[j].c, 32), "s", tu_jhex(br[j].s, 32)));
    return arr;
}

static json_t *gen_drbg(void)
{
    uint8_t seed[RNG_SEED_BYTES], out[64];
    rng_drbg d;
    json_t *draws = json_array();

    tu_seed(seed, 0x00);
    rng_drbg_init(&d, seed);
    for (int i = 0; i < 3; i++) {
        rng_bytes64(&d, out);
        json_array_append_new(draws, tu_jhex(out, sizeof out));
    }
    return json_pack("{s:o,s:o}", "seed", tu_jhex(seed, sizeof seed), "draws", draws);
}

static json_t *gen_hash(void)
{
    transcript t;
    group_scalar c;
    uint8_t d[TRANSCRIPT_DIGEST_BYTES];
    const char *items[] = { "", "votesrv", "\x01\x02\x03" };
    json_t *jitems = json_array();

    transcript_init(&t, "votesrv/v1/test", GROUP_SCALAR_WIDE_BYTES);
    for (int i = 0; i < 3; i++)
        transcript_put(&t, items[i], strlen(items[i]));
    transcript_challenge(&t, &c);
    transcript_init(&t, "votesrv/v1/test", TRANSCRIPT_DIGEST_BYTES);
    for (int i = 0; i < 3; i++) {
        transcript_put(&t, items[i], strlen(items[i]));
        json_array_append_new(jitems, tu_jhex((const uint8_t *)items[i], strlen(items[i])));
    }
    transcript_digest(&t, d);
    return json_pack("{s:s,s:o,s:o,s:o}", "tag", "votesrv/v1/test", "items", jitems,
                     "hs", scalar_json(&c), "hb", tu_jhex(d, sizeof d));
}

static json_t *gen_elgamal(void)
{
    uint8_t seed[RNG_SEED_BYTES], enc[32];
    rng_drbg d;
    elgamal_pk pk;
    group_scalar sk, r;
    elgamal_ct ct, sum;
    group_point mg;
    const uint64_t ms[] = { 0, 1, 5 };
    json_t *encs = json_array(), *out;

    tu_seed(seed, 0x10);
    rng_drbg_init(&d, seed);
    if (elgamal_keypair(&pk, &sk, &d) != 0)
        abort();
    elgamal_ct_zero(&sum);
    for (int i = 0; i < 3; i++) {
        if (elgamal_encrypt(&ct, &pk, ms[i], &r, &d) != 0)
            abort();
        elgamal_ct_add(&sum, &sum, &ct);
        json_array_append_new(encs, json_pack("{s:I,s:o,s:o}", "m", (json_int_t)ms[i],
                              "r", scalar_json(&r), "ct", tu_jhex(ct.bytes, 64)));
    }
    elgamal_ct_encode(&sum);
    elgamal_decrypt(&mg, &sk, &sum);
    group_point_encode(enc, &mg);
    out = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "seed", tu_jhex(seed, 32),
                    "sk", scalar_json(&sk), "pk", tu_jhex(pk.bytes, 32), "encryptions", encs,
                    "sum", tu_jhex(sum.bytes, 64), "decrypted_sum", tu_jhex(enc, 32));
    elgamal_pk_clear(&pk);
    return out;
}

static void ctx_for(uint8_t ctx[PROOF_CTX_BYTES], const char *label)
{
    crypto_generichash(ctx, PROOF_CTX_BYTES, (const uint8_t *)label, strlen(label), NULL, 0);
}

static json_t *gen_pok(void)
{
    uint8_t seed[RNG_SEED_BYTES], ctx[32], xpub[32], aux[8] = { 1 };
    rng_drbg d;
    group_scalar x;
    group_point xp;
    proof_pok p;

    tu_seed(seed, 0x20);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "pok context");
    if (rng_scalar(&d, &x) != 0)
        abort();
    group_point_mul_base(&xp, &x);
    group_point_encode(xpub, &xp);
    if (proof_pok_create(&p, ctx, &x, xpub, aux, sizeof aux, &d) != 0)
        abort();
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o}}", "seed", tu_jhex(seed, 32),
                     "ctx", tu_jhex(ctx, 32), "x", scalar_json(&x), "X", tu_jhex(xpub, 32),
                     "aux", tu_jhex(aux, 8), "proof", "a", tu_jhex(p.a, 32),
                     "s", tu_jhex(p.s, 32));
}

static json_t *gen_disj_one(uint8_t label, uint64_t min, uint64_t max, uint64_t m)
{
    uint8_t seed[RNG_SEED_BYTES], ctx[32], aux[] = "aux bytes";
    rng_drbg d;
    elgamal_pk pk;
    group_scalar sk, r;
    elgamal_ct ct;
    proof_branch br[PROOF_DISJ_MAX_VALUES];
    proof_disj_statement st = { ctx, &pk, &ct, min, max, aux, sizeof aux - 1 };
    json_t *out;

    tu_seed(seed, label);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "disj context");
    if (elgamal_keypair(&pk, &sk, &d) != 0 || elgamal_encrypt(&ct, &pk, m, &r, &d) != 0 ||
        proof_disj_create(br, &st, m, &r, &d) != 0)
        abort();
    out = json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "seed", tu_jhex(seed, 32),
                    "ctx", tu_jhex(ctx, 32), "pk", tu_jhex(pk.bytes, 32),
                    "ct", tu_jhex(ct.bytes, 64), "min", (json_int_t)min, "max", (json_int_t)max,
                    "m", (json_int_t)m, "r", scalar_json(&r), "aux", tu_jhex(aux, sizeof aux - 1),
                    "proof", branches_json(br, (size_t)(max - min + 1)));
    elgamal_pk_clear(&pk);
    return out;
}

static json_t *gen_dec(void)
{
    uint8_t seed[RNG_SEED_BYTES], ctx[32], xpub[32], alpha[32], dd[32];
    rng_drbg d;
    group_scalar x, a;
    group_point xp, ap;
    proof_dec p;

    tu_seed(seed, 0x40);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "dec context");
    if (rng_scalar(&d, &x) != 0 || rng_scalar(&d, &a) != 0)
        abort();
    group_point_mul_base(&xp, &x);
    group_point_encode(xpub, &xp);
    group_point_mul_base(&ap, &a);
    group_point_encode(alpha, &ap);
    if (proof_dec_create(&p, ctx, &x, xpub, &ap, dd, &d) != 0)
        abort();
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o}}", "seed", tu_jhex(seed, 32),
                     "ctx", tu_jhex(ctx, 32), "x", scalar_json(&x), "X", tu_jhex(xpub, 32),
                     "alpha", tu_jhex(alpha, 32), "d", tu_jhex(dd, 32), "proof",
                     "a", tu_jhex(p.a, 32), "b", tu_jhex(p.b, 32), "s", tu_jhex(p.s, 32));
}

static json_t *gen_threshold(void)
{
    enum { N = 3, T = 2 };
    uint8_t seed[RNG_SEED_BYTES], ctx[32], com[N][T][32], h[32], xk[32];
    rng_drbg d;
    threshold_poly f;
    proof_pok pok[N];
    json_t *dealers = json_array(), *vks = json_array();

    tu_seed(seed, 0x50);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "ceremony context");
    for (int i = 0; i < N; i++) {
        json_t *c = json_array();

        if (threshold_deal(&f, com[i][0], &pok[i], ctx, (uint64_t)i + 1, T, &d) != 0)
            abort();
        for (int k = 0; k < T; k++)
            json_array_append_new(c, tu_jhex(com[i][k], 32));
        json_array_append_new(dealers, json_pack("{s:I,s:o,s:{s:o,s:o}}", "i", (json_int_t)i + 1,
                              "commitments", c, "pok", "a", tu_jhex(pok[i].a, 32),
                              "s", tu_jhex(pok[i].s, 32)));
        threshold_poly_wipe(&f);
    }
    if (threshold_joint_key(h, com[0][0], N, T) != 0)
        abort();
    for (int j = 1; j <= N; j++) {
        if (threshold_verification_key(xk, com[0][0], N, T, (uint64_t)j) != 0)
            abort();
        json_array_append_new(vks, tu_jhex(xk, 32));
    }
    return json_pack("{s:o,s:o,s:i,s:i,s:o,s:o,s:o}", "seed", tu_jhex(seed, 32),
                     "ctx", tu_jhex(ctx, 32), "n", N, "t", T, "dealers", dealers,
                     "joint_key", tu_jhex(h, 32), "verification_keys", vks);
}

static json_t *gen_ballot(void)
{
    uint8_t seed[RNG_SEED_BYTES], fp[32], auth[32], cred[32], digest[32], bind[32];
    const uint8_t eid[] = "demo-election-2026", code[] = "ABCDEFGHJKMNPQRSTVWXYZ23456B";
    const uint8_t choices[3] = { 0, 1, 0 };
    rng_drbg d;
    elgamal_pk pk;
    group_scalar sk, s;
    ballot_scrutin sc = { fp, &pk, "cap-ministere", 3, 0, 1 };
    ballot *b = ballot_new(3, 0, 1);
    json_t *cts = json_array(), *bits = json_array(), *out;

    tu_seed(seed, 0x60);
    rng_drbg_init(&d, seed);
    ctx_for(fp, "election fingerprint");
    if (b == NULL || elgamal_keypair(&pk, &sk, &d) != 0 ||
        credential_derive_auth(auth, eid, sizeof eid - 1, code, sizeof code - 1) != 0 ||
        credential_derive_scrutin(&s, cred, eid, sizeof eid - 1, code, sizeof code - 1,
                                  sc.scrutin_id) != 0 ||
        ballot_create(b, &sc, choices, &s, cred, &d) != 0)
        abort();
    for (size_t i = 0; i < b->k; i++) {
        json_array_append_new(cts, tu_jhex(b->ct[i], 64));
        json_array_append_new(bits, branches_json(b->bits[i], 2));
    }
    ballot_digest(digest, b, fp);
    credential_auth_bind(bind, auth, cred);
    out = json_pack("{s:o,s:o,s:o,s:s,s:i,s:i,s:i,s:[i,i,i],s:s,s:s,s:o,s:o,s:o,s:o,"
                    "s:{s:o,s:o,s:o,s:o,s:{s:o,s:o}}}",
                    "seed", tu_jhex(seed, 32), "fp", tu_jhex(fp, 32), "pk", tu_jhex(pk.bytes, 32),
                    "scrutin_id", sc.scrutin_id, "k", 3, "min", 0, "max", 1,
                    "choices", choices[0], choices[1], choices[2], "eid", (const char *)eid,
                    "code", (const char *)code, "auth", tu_jhex(auth, 32),
                    "credential_secret", scalar_json(&s), "credential", tu_jhex(cred, 32),
                    "digest", tu_jhex(digest, 32), "ballot", "ct", cts, "bits", bits,
                    "range", branches_json(b->range, 2), "credential", tu_jhex(cred, 32),
                    "sig", "a", tu_jhex(b->sig.a, 32), "s", tu_jhex(b->sig.s, 32));
    json_object_set_new(out, "auth_bind", tu_jhex(bind, 32));
    ballot_free(b);
    elgamal_pk_clear(&pk);
    return out;
}

/* The credential authority (docs/protocol.md section 7): the demo key, a
 * two-credential list, a reissue record and a reissue request, signed. */
static json_t *gen_authority(void)
{
    const char *eid = "demo-election-2026", *sc = "cap-ministere";
    const char *scrutins[] = { "cap-ministere", "csa" };
    uint8_t seed[32], pk[32], sk[64], s1[32], s2[32], d[32], sig[64];
    credential_list_hash lh;
    credential_reissue_hash rh;
    json_t *out;

    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    tu_seed(s1, 0x70);
    tu_seed(s2, 0x71);
    crypto_scalarmult_ristretto255_base(s1, s1);
    crypto_scalarmult_ristretto255_base(s2, s2);
    if (memcmp(s1, s2, 32) > 0) {
        uint8_t t[32];

        memcpy(t, s1, 32);
        memcpy(s1, s2, 32);
        memcpy(s2, t, 32);
    }
    out = json_pack("{s:s,s:s,s:o,s:o,s:[o,o]}", "eid", eid, "scrutin", sc, "seed",
                    tu_jhex(seed, 32), "public_key", tu_jhex(pk, 32), "credentials",
                    tu_jhex(s1, 32), tu_jhex(s2, 32));
    credential_list_init(&lh, eid, sc, 2);
    credential_list_add(&lh, s1);
    credential_list_add(&lh, s2);
    credential_list_final(&lh, d);
    crypto_sign_detached(sig, NULL, d, 32, sk);
    json_object_set_new(out, "list_digest", tu_jhex(d, 32));
    json_object_set_new(out, "list_signature", tu_jhex(sig, 64));
    credential_reissue_init(&rh, eid, 1, 1);
    credential_reissue_add(&rh, sc, s1, s2);
    credential_reissue_final(&rh, d);
    crypto_sign_detached(sig, NULL, d, 32, sk);
    json_object_set_new(out, "reissue_digest", tu_jhex(d, 32));
    json_object_set_new(out, "reissue_signature", tu_jhex(sig, 64));
    credential_request_digest(d, eid, "00112233445566778899aabbccddeeff", "D00042", scrutins,
                              2, 1764576000, 7);
    json_object_set_new(out, "request_digest", tu_jhex(d, 32));
    sodium_memzero(sk, sizeof sk);
    return out;
}

json_t *tu_vectors_generate(void)
{
    json_t *disj = json_array();

    json_array_append_new(disj, gen_disj_one(0x30, 0, 1, 0));
    json_array_append_new(disj, gen_disj_one(0x31, 0, 1, 1));
    json_array_append_new(disj, gen_disj_one(0x32, 1, 1, 1));
    json_array_append_new(disj, gen_disj_one(0x33, 0, 3, 2));
    return json_pack("{s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "version", 1,
                     "about", "votesrv protocol v1 known-answer vectors (docs/protocol.md); "
                     "regenerate with make vectors only when the protocol changes",
                     "drbg", gen_drbg(), "hash", gen_hash(), "elgamal", gen_elgamal(),
                     "pok", gen_pok(), "disj", disj, "dec", gen_dec(),
                     "threshold", gen_threshold(), "ballot", gen_ballot(),
                     "authority", gen_authority());
}
