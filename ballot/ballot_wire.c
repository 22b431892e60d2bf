/* ballot_wire.c - the ballot box's compact storage form of a ballot. */
#include "ballot.h"

#include <string.h>

/* The contiguous part of a ballot: ciphertexts, 0/1 proofs, range proof. */
static size_t body_size(size_t k, uint64_t min, uint64_t max)
{
    return k * ELGAMAL_CT_BYTES + k * 2 * sizeof(proof_branch) +
           (size_t)(max - min + 1) * sizeof(proof_branch);
}

size_t ballot_wire_size(const ballot *b)
{
    return 5 + strlen(b->scrutin_id) + CREDENTIAL_PUB_BYTES + body_size(b->k, b->min, b->max) +
           sizeof b->sig.a + sizeof b->sig.s;
}

int ballot_wire_encode(uint8_t *out, size_t cap, const ballot *b)
{
    size_t idlen = strlen(b->scrutin_id), n = 0, body = body_size(b->k, b->min, b->max);

    if (cap < ballot_wire_size(b))
        return -1;
    out[n++] = BALLOT_WIRE_VERSION;
    out[n++] = (uint8_t)idlen;
    memcpy(out + n, b->scrutin_id, idlen);
    n += idlen;
    out[n++] = (uint8_t)b->k;
    out[n++] = (uint8_t)b->min;
    out[n++] = (uint8_t)b->max;
    memcpy(out + n, b->cred, CREDENTIAL_PUB_BYTES);
    n += CREDENTIAL_PUB_BYTES;
    memcpy(out + n, b->ct, body);                  /* ct, bits and range are contiguous */
    n += body;
    memcpy(out + n, b->sig.a, sizeof b->sig.a);
    memcpy(out + n + sizeof b->sig.a, b->sig.s, sizeof b->sig.s);
    return (int)(n + sizeof b->sig.a + sizeof b->sig.s);
}

ballot *ballot_wire_decode(const uint8_t *in, size_t len, const ballot_scrutin *sc)
{
    size_t idlen = strlen(sc->scrutin_id), n = 2 + idlen;
    ballot *b;

    if (len < 5 + idlen || in[0] != BALLOT_WIRE_VERSION || in[1] != idlen ||
        memcmp(in + 2, sc->scrutin_id, idlen) != 0 || in[n] != sc->k || in[n + 1] != sc->min ||
        in[n + 2] != sc->max || (b = ballot_new(sc->k, sc->min, sc->max)) == NULL)
        return NULL;
    memcpy(b->scrutin_id, sc->scrutin_id, idlen + 1);
    if (len != ballot_wire_size(b)) {
        ballot_free(b);
        return NULL;
    }
    n += 3;
    memcpy(b->cred, in + n, CREDENTIAL_PUB_BYTES);
    n += CREDENTIAL_PUB_BYTES;
    memcpy(b->ct, in + n, body_size(b->k, b->min, b->max));
    n += body_size(b->k, b->min, b->max);
    memcpy(b->sig.a, in + n, sizeof b->sig.a);
    memcpy(b->sig.s, in + n + sizeof b->sig.a, sizeof b->sig.s);
    return b;
}
