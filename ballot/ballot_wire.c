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

int ballot_wire_framed(const uint8_t *in, size_t len)
{
    size_t idlen, n;

    if (len < 2 || in[0] != BALLOT_WIRE_VERSION || (idlen = in[1]) < 1 ||
        idlen > BALLOT_SCRUTIN_ID_MAX || len < 5 + idlen)
        return 0;
    n = 2 + idlen;
    if (in[n] < 1 || in[n] > BALLOT_MAX_LISTS || in[n + 2] > in[n] ||
        proof_disj_branches(in[n + 1], in[n + 2]) < 0)
        return 0;
    return len == 5 + idlen + CREDENTIAL_PUB_BYTES + body_size(in[n], in[n + 1], in[n + 2]) +
                  sizeof(((credential_sig *)0)->a) + sizeof(((credential_sig *)0)->s);
}

static const char *const field_names[BALLOT_FIELD_COUNT] = {
    [BALLOT_FIELD_NONE] = "ballot", [BALLOT_FIELD_BALLOT] = "ballot",
    [BALLOT_FIELD_VERSION] = "version", [BALLOT_FIELD_ELECTION] = "election",
    [BALLOT_FIELD_SCRUTIN] = "scrutin", [BALLOT_FIELD_CREDENTIAL] = "credential",
    [BALLOT_FIELD_LISTS] = "lists", [BALLOT_FIELD_RANGE] = "range",
    [BALLOT_FIELD_SIGNATURE] = "signature",
};

const char *ballot_field_name(int field)
{
    return field > 0 && field < BALLOT_FIELD_COUNT ? field_names[field] : "ballot";
}

ballot *ballot_wire_check(const uint8_t *in, size_t len, const ballot_scrutin *sc,
                          ballot_field *field)
{
    size_t idlen = strlen(sc->scrutin_id), n = 2 + idlen;
    ballot *b = NULL;

    if (len < 1)
        *field = BALLOT_FIELD_BALLOT;
    else if (in[0] != BALLOT_WIRE_VERSION)
        *field = BALLOT_FIELD_VERSION;
    else if (len < 5 + idlen)
        *field = BALLOT_FIELD_BALLOT;
    else if (in[1] != idlen || memcmp(in + 2, sc->scrutin_id, idlen) != 0)
        *field = BALLOT_FIELD_SCRUTIN;
    else if (in[n] != sc->k)
        *field = BALLOT_FIELD_LISTS;
    else if (in[n + 1] != sc->min || in[n + 2] != sc->max)
        *field = BALLOT_FIELD_RANGE;
    else
        *field = (b = ballot_wire_decode(in, len, sc)) == NULL ? BALLOT_FIELD_BALLOT
                                                               : BALLOT_FIELD_NONE;
    return b;
}

ballot *ballot_wire_take(int field, const uint8_t *fp, const uint8_t *wire, size_t len,
                         const ballot_scrutin *sc, ballot_field *out)
{
    *out = field >= BALLOT_FIELD_NONE && field < BALLOT_FIELD_COUNT ? (ballot_field)field
                                                                    : BALLOT_FIELD_BALLOT;
    if (*out != BALLOT_FIELD_NONE && *out <= BALLOT_FIELD_ELECTION)
        return NULL;
    if (fp == NULL || memcmp(fp, sc->fp, BALLOT_FP_BYTES) != 0) {
        *out = BALLOT_FIELD_ELECTION;
        return NULL;
    }
    if ((*out == BALLOT_FIELD_RANGE || *out == BALLOT_FIELD_SIGNATURE) && wire != NULL &&
        len == BALLOT_WIRE_HEAD(sc->scrutin_id)) {
        ballot_field head;

        ballot_free(ballot_wire_check(wire, len, sc, &head));   /* a head: never a ballot */
        if (head == BALLOT_FIELD_LISTS ||
            (head == BALLOT_FIELD_RANGE && *out == BALLOT_FIELD_SIGNATURE))
            *out = head;
    }
    if (*out != BALLOT_FIELD_NONE)
        return NULL;
    return ballot_wire_check(wire, wire != NULL ? len : 0, sc, out);
}
