/* fuzz_ballot.c - the ballot as the server receives it: JSON (strict parse,
 * proofs and signature checked; the worker's reading and the writer's check
 * of its wire form agree with it) and the ballot box's storage form, and
 * tracker text. The scrutin is the protocol vectors' (tests/vectors). A
 * ballot that decodes must survive a round trip through both forms. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "ballot/ballot.h"
#include "ballot/ballot_json.h"
#include "crypto/crypto.h"
#include "crypto/hex.h"

static const char PK_HEX[] = "b46d8c25eebd49281749f186940671ffc8ad43c50be0d2db731e9d3939304e2b";
static const char FP_HEX[] = "43104f71a2b85ec5ada417a63d277356b68879de9165b7c26c675478afb98ea4";

static elgamal_pk pk;
static uint8_t fp[BALLOT_FP_BYTES];
static ballot_scrutin sc = { fp, &pk, "cap-ministere", 3, 0, 1 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t pkb[ELGAMAL_PK_BYTES];

    (void)argc;
    (void)argv;
    if (crypto_init() != 0 || hex_decode(pkb, sizeof pkb, PK_HEX) != 0 ||
        hex_decode(fp, sizeof fp, FP_HEX) != 0 || elgamal_pk_load(&pk, pkb) != 0)
        abort();
    return 0;
}

/* Storage form: what decodes re-encodes to something that decodes the same. */
static void check_wire(const ballot *b)
{
    uint8_t w1[BALLOT_WIRE_MAX], w2[BALLOT_WIRE_MAX];
    int n1 = ballot_wire_encode(w1, sizeof w1, b), n2;
    ballot *again;

    if (n1 < 0 || (size_t)n1 != ballot_wire_size(b) ||
        (again = ballot_wire_decode(w1, (size_t)n1, &sc)) == NULL)
        abort();
    n2 = ballot_wire_encode(w2, sizeof w2, again);
    if (n2 != n1 || memcmp(w1, w2, (size_t)n1) != 0)
        abort();
    ballot_free(again);
}

/* JSON form: the canonical text of a decoded ballot decodes to the same text. */
static void check_json(const ballot *b)
{
    char *c1 = ballot_canonical(b, fp), *c2, err[128];
    json_t *j = json_loads(c1, 0, NULL);
    ballot *again = j != NULL ? ballot_from_json(j, &sc, err, sizeof err) : NULL;

    if (again == NULL)
        abort();
    c2 = ballot_canonical(again, fp);
    if (strcmp(c1, c2) != 0)
        abort();
    free(c1);
    free(c2);
    json_decref(j);
    ballot_free(again);
}

/* The worker's reading (ballot_from_json_shape) then the writer's
 * (ballot_wire_take) agree with ballot_from_json: the same ballot (its
 * canonical text) or the same field named. */
static void check_shape(json_t *j)
{
    char err[128] = "", *c1, *c2;
    ballot *parsed = ballot_from_json(j, &sc, err, sizeof err), *shaped = NULL, *taken;
    uint8_t claimed[BALLOT_FP_BYTES], wire[BALLOT_WIRE_MAX];
    ballot_field field;
    int f = ballot_from_json_shape(j, sc.scrutin_id, claimed, &shaped), n = 0;

    if (f < 0)
        return;                         /* out of memory */
    if (f >= BALLOT_FIELD_COUNT ||
        (f == BALLOT_FIELD_NONE || f == BALLOT_FIELD_RANGE || f == BALLOT_FIELD_SIGNATURE) !=
            (shaped != NULL) ||
        (shaped != NULL && (n = ballot_wire_encode(wire, sizeof wire, shaped)) < 0))
        abort();
    if (shaped != NULL && f != BALLOT_FIELD_NONE)
        n = (int)BALLOT_WIRE_HEAD(shaped->scrutin_id);  /* what the worker sends */
    taken = ballot_wire_take(f, claimed, wire, (size_t)n, &sc, &field);
    if ((parsed == NULL) != (taken == NULL))
        abort();
    if (parsed == NULL && strcmp(ballot_field_name(field), err) != 0)
        abort();
    if (parsed != NULL) {
        c1 = ballot_canonical(parsed, fp);
        c2 = ballot_canonical(taken, fp);
        if (c1 == NULL || c2 == NULL || strcmp(c1, c2) != 0)
            abort();
        free(c1);
        free(c2);
    }
    ballot_free(parsed);
    ballot_free(shaped);
    ballot_free(taken);
}

/* ballot_verify answers valid (0) or not (-1), nothing else. */
static void verify_answers(const ballot *b, const ballot_scrutin *sc)
{
    int rc = ballot_verify(b, sc);

    if (rc != 0 && rc != -1)
        abort();
}

/* A tracker read from text prints as text that reads back to it. */
static void tracker_round_trip(const uint8_t tracker[BALLOT_TRACKER_BYTES])
{
    char shown[BALLOT_TRACKER_CHARS + 1];
    uint8_t again[BALLOT_TRACKER_BYTES];

    ballot_tracker_text(shown, tracker);
    if (ballot_tracker_parse(again, shown) != 0 || memcmp(again, tracker, sizeof again) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    char err[128], *text;
    uint8_t tracker[BALLOT_TRACKER_BYTES];
    ballot *b;

    if (j != NULL)
        check_shape(j);
    if (json_is_object(j) && (b = ballot_from_json(j, &sc, err, sizeof err)) != NULL) {
        verify_answers(b, &sc);
        check_json(b);
        check_wire(b);
        ballot_free(b);
    }
    json_decref(j);
    if ((b = ballot_wire_decode(data, size, &sc)) != NULL) {
        verify_answers(b, &sc);
        check_wire(b);
        ballot_free(b);
    }
    if ((text = malloc(size + 1)) != NULL) {
        memcpy(text, data, size);
        text[size] = '\0';
        if (ballot_tracker_parse(tracker, text) == 0)
            tracker_round_trip(tracker);
        free(text);
    }
    return 0;
}
