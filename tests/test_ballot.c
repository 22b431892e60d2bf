/* test_ballot.c - one scrutin's encrypted ballot: every valid choice verifies,
 * invalid choices are refused, any tampering, moving or re-signing fails, and
 * batched verification finds a bad ballot among good ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "ballot/ballot_json.h"

typedef struct {
    elgamal_pk pk;
    group_scalar sk;
    uint8_t fp[32];
    group_scalar cred_s[2];
    uint8_t cred[2][32];
} fixture;

static int setup(void **state)
{
    static fixture f;
    const char *codes[2] = { "FIRST-VOTER-CODE-0001", "SECOND-VOTER-CODE-002" };

    if (crypto_init() != 0 || elgamal_keypair(&f.pk, &f.sk, NULL) != 0)
        return -1;
    crypto_generichash(f.fp, 32, (const uint8_t *)"fingerprint", 11, NULL, 0);
    for (int i = 0; i < 2; i++)
        if (credential_derive_scrutin(&f.cred_s[i], f.cred[i], (const uint8_t *)"eid", 3,
                                     (const uint8_t *)codes[i], strlen(codes[i]), "cap") != 0)
            return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    elgamal_pk_clear(&f->pk);
    return 0;
}

static ballot *make(fixture *f, const ballot_scrutin *sc, const uint8_t *choices, int voter)
{
    ballot *b = ballot_new(sc->k, sc->min, sc->max);

    assert_non_null(b);
    assert_int_equal(ballot_create(b, sc, choices, &f->cred_s[voter], f->cred[voter], NULL), 0);
    return b;
}

static void test_every_valid_choice(void **state)
{
    fixture *f = *state;

    for (size_t k = 1; k <= 5; k++) {
        for (uint64_t min = 0; min <= 1; min++) {
            ballot_scrutin sc = { f->fp, &f->pk, "scrutin", k, min, 1 };

            for (size_t chosen = 0; chosen <= k; chosen++) { /* chosen == k: blank */
                uint8_t ch[8] = { 0 };
                ballot *b = ballot_new(k, min, 1);

                if (chosen < k)
                    ch[chosen] = 1;
                if (chosen == k && min == 1) {   /* blank not allowed */
                    assert_int_equal(ballot_create(b, &sc, ch, &f->cred_s[0], f->cred[0],
                                                   NULL), -1);
                } else {
                    assert_int_equal(ballot_create(b, &sc, ch, &f->cred_s[0], f->cred[0],
                                                   NULL), 0);
                    assert_int_equal(ballot_verify(b, &sc), 0);
                }
                ballot_free(b);
            }
        }
    }
}

static void test_invalid_choices_and_parameters(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 3, 0, 1 };
    const uint8_t two[3] = { 1, 1, 0 }, notbit[3] = { 2, 0, 0 }, one[3] = { 0, 0, 1 };
    ballot *b = ballot_new(3, 0, 1);
    ballot_scrutin bad;

    assert_int_equal(ballot_create(b, &sc, two, &f->cred_s[0], f->cred[0], NULL), -1);
    assert_int_equal(ballot_create(b, &sc, notbit, &f->cred_s[0], f->cred[0], NULL), -1);
    bad = sc;
    bad.scrutin_id = "";
    assert_int_equal(ballot_create(b, &bad, one, &f->cred_s[0], f->cred[0], NULL), -1);
    bad = sc;
    bad.scrutin_id = "an identifier that is much longer than the sixty-four bytes allowed!";
    assert_int_equal(ballot_create(b, &bad, one, &f->cred_s[0], f->cred[0], NULL), -1);
    bad = sc;
    bad.max = 4;                                       /* more than k */
    assert_int_equal(ballot_scrutin_check(&bad), -1);
    assert_null(ballot_new(0, 0, 1));
    assert_null(ballot_new(BALLOT_MAX_LISTS + 1, 0, 1));
    assert_null(ballot_new(3, 2, 1));
    ballot_free(b);
}

static void test_tampering_any_byte(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 3, 0, 1 };
    const uint8_t ch[3] = { 0, 1, 0 };
    ballot *b = make(f, &sc, ch, 0);
    uint8_t *fields[] = { b->cred, b->ct[0], (uint8_t *)b->bits, (uint8_t *)b->range,
                          (uint8_t *)&b->sig };
    size_t sizes[] = { 32, 3 * 64, 3 * 2 * sizeof(proof_branch), 2 * sizeof(proof_branch),
                       sizeof b->sig };

    assert_int_equal(ballot_verify(b, &sc), 0);
    for (size_t fi = 0; fi < sizeof sizes / sizeof sizes[0]; fi++) {
        for (size_t byte = 0; byte < sizes[fi]; byte++) {
            size_t bit = 8 * byte + randombytes_uniform(8);

            tu_flip(fields[fi], bit);
            assert_int_equal(ballot_verify(b, &sc), -1);
            tu_flip(fields[fi], bit);
        }
    }
    assert_int_equal(ballot_verify(b, &sc), 0);
    ballot_free(b);
}

/* The box's compact form gives back the same ballot, and only for its scrutin. */
/* a and b have the same canonical bytes. */
static void same_canonical(const ballot *a, const ballot *b, const uint8_t *fp)
{
    char *t1 = ballot_canonical(a, fp), *t2 = ballot_canonical(b, fp);

    assert_non_null(t1);
    assert_non_null(t2);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
}

static void test_wire_form(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 3, 0, 1 }, other = sc;
    const uint8_t ch[3] = { 0, 0, 1 };
    ballot *b = make(f, &sc, ch, 1), *c;
    uint8_t wire[BALLOT_WIRE_MAX];
    int n = ballot_wire_encode(wire, sizeof wire, b);

    assert_int_equal((size_t)n, ballot_wire_size(b));
    assert_int_equal(ballot_wire_encode(wire, (size_t)n - 1, b), -1);
    c = ballot_wire_decode(wire, (size_t)n, &sc);
    assert_non_null(c);
    assert_int_equal(ballot_verify(c, &sc), 0);
    same_canonical(b, c, f->fp);
    ballot_free(c);
    assert_null(ballot_wire_decode(wire, (size_t)n - 1, &sc));       /* truncated */
    assert_null(ballot_wire_decode(wire, 4, &sc));
    other.scrutin_id = "scrutin2";
    assert_null(ballot_wire_decode(wire, (size_t)n, &other));        /* another scrutin */
    other = sc;
    other.min = 1;
    assert_null(ballot_wire_decode(wire, (size_t)n, &other));        /* another range */
    wire[0] = 2;
    assert_null(ballot_wire_decode(wire, (size_t)n, &sc));           /* another version */
    ballot_free(b);
}

/* A ballot's JSON with one fault, as the worker reads it
 * (ballot_from_json_shape) and the writer takes what it sends
 * (ballot_wire_take): the field named is the one ballot_from_json names
 * (the error a voter or an API client sees is unchanged), and a sound
 * ballot comes back with the same canonical bytes. */
static void test_shape_names_fields_as_before(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 3, 0, 1 };
    const uint8_t ch[3] = { 0, 1, 0 };
    ballot *b = make(f, &sc, ch, 0);
    json_t *good = ballot_to_json(b, f->fp);
    static const char *const faults[] = {
        "none", "no-version", "extra-key", "version-2", "election-not-hex", "election-other",
        "scrutin-other", "credential-short", "credential-upper", "lists-fewer", "lists-more",
        "lists-empty", "lists-65", "ct-not-hex", "bits-one-branch", "range-min", "range-max",
        "range-max-over-k", "range-negative", "range-branch", "signature-not-hex",
        "signature-extra", "not-object", "lists-not-array", "election-and-lists",
        "lists-and-signature", "lists-and-range", "range-and-signature",
    };

    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++) {
        json_t *j = json_deep_copy(good), *lists = json_object_get(j, "lists");
        json_t *range = json_object_get(j, "range"), *sig = json_object_get(j, "signature");
        const char *w = faults[i];
        char want[32] = "";
        ballot *parsed, *shaped = NULL, *taken;
        ballot_field field;
        uint8_t fp[BALLOT_FP_BYTES], wire[BALLOT_WIRE_MAX];
        int got, shape;

        if (strcmp(w, "no-version") == 0)
            json_object_del(j, "version");
        else if (strcmp(w, "extra-key") == 0)
            json_object_set_new(j, "x", json_null());
        else if (strcmp(w, "version-2") == 0)
            json_object_set_new(j, "version", json_integer(2));
        else if (strcmp(w, "election-not-hex") == 0)
            json_object_set_new(j, "election", json_string("zz"));
        else if (strcmp(w, "election-other") == 0 || strcmp(w, "election-and-lists") == 0) {
            char hex[65];

            hex_encode(hex, f->cred[1], 32);
            json_object_set_new(j, "election", json_string(hex));
            if (w[9] == 'a')
                json_array_remove(lists, 0);
        } else if (strcmp(w, "scrutin-other") == 0)
            json_object_set_new(j, "scrutin", json_string("scrutin2"));
        else if (strcmp(w, "credential-short") == 0)
            json_object_set_new(j, "credential", json_string("abcd"));
        else if (strcmp(w, "credential-upper") == 0) {
            char hex[65];

            hex_encode(hex, f->cred[0], 32);
            for (char *p = hex; *p; p++)
                *p = *p >= 'a' && *p <= 'f' ? (char)(*p - 32) : *p;
            json_object_set_new(j, "credential", json_string(hex));
        } else if (strcmp(w, "lists-fewer") == 0)
            json_array_remove(lists, 2);
        else if (strcmp(w, "lists-more") == 0)
            json_array_append(lists, json_array_get(lists, 0));
        else if (strcmp(w, "lists-empty") == 0)
            json_array_clear(lists);
        else if (strcmp(w, "lists-65") == 0)
            while (json_array_size(lists) < 65)
                json_array_append(lists, json_array_get(lists, 0));
        else if (strcmp(w, "ct-not-hex") == 0)
            json_object_set_new(json_array_get(lists, 1), "ct", json_string("00"));
        else if (strcmp(w, "bits-one-branch") == 0)
            json_array_remove(json_object_get(json_array_get(lists, 0), "proof"), 1);
        else if (strcmp(w, "range-min") == 0)
            json_object_set_new(range, "min", json_integer(1));
        else if (strcmp(w, "range-max") == 0)
            json_object_set_new(range, "max", json_integer(2));
        else if (strcmp(w, "range-max-over-k") == 0)
            json_object_set_new(range, "max", json_integer(4));
        else if (strcmp(w, "range-negative") == 0)
            json_object_set_new(range, "min", json_integer(-1));
        else if (strcmp(w, "range-branch") == 0)
            json_object_set_new(json_array_get(json_object_get(range, "proof"), 0), "s",
                                json_integer(0));
        else if (strcmp(w, "signature-not-hex") == 0)
            json_object_set_new(sig, "a", json_string("g0"));
        else if (strcmp(w, "signature-extra") == 0)
            json_object_set_new(sig, "b", json_string("00"));
        else if (strcmp(w, "not-object") == 0) {
            json_decref(j);
            j = json_array();
        } else if (strcmp(w, "lists-not-array") == 0)
            json_object_set_new(j, "lists", json_object());
        else if (strcmp(w, "lists-and-signature") == 0 || strcmp(w, "lists-and-range") == 0) {
            json_array_remove(lists, 2);        /* then a later fault, named after it */
            if (w[10] == 's')
                json_object_set_new(sig, "a", json_string("g0"));
            else
                json_object_set_new(range, "min", json_integer(-1));
        } else if (strcmp(w, "range-and-signature") == 0) {
            json_object_set_new(range, "min", json_integer(1));
            json_array_remove(json_object_get(range, "proof"), 0);
            json_object_set_new(sig, "a", json_string("g0"));
        }
        parsed = ballot_from_json(j, &sc, want, sizeof want);
        shape = ballot_from_json_shape(j, "scrutin", fp, &shaped);
        assert_true(shape >= 0 && shape < BALLOT_FIELD_COUNT);
        assert_true((shape == BALLOT_FIELD_NONE || shape == BALLOT_FIELD_RANGE ||
                     shape == BALLOT_FIELD_SIGNATURE) == (shaped != NULL));
        got = shaped != NULL ? ballot_wire_encode(wire, sizeof wire, shaped) : 0;
        assert_true(got >= 0);
        if (shaped != NULL && shape != BALLOT_FIELD_NONE)
            got = (int)BALLOT_WIRE_HEAD(shaped->scrutin_id);     /* what the worker sends */
        taken = ballot_wire_take(shape, fp, wire, (size_t)got, &sc, &field);
        if (parsed == NULL) {
            assert_null(taken);
            if (strcmp(ballot_field_name(field), want) != 0)
                fail_msg("%s: named %s, not %s", w, ballot_field_name(field), want);
        } else {
            assert_string_equal(w, "none");
            assert_non_null(taken);
            same_canonical(parsed, taken, f->fp);
        }
        ballot_free(parsed);
        ballot_free(shaped);
        ballot_free(taken);
        json_decref(j);
    }
    json_decref(good);
    ballot_free(b);
}

/* ballot_store_bytes: what a ballot of these parameters takes in the box, the
 * same when asked again (its answers are kept) and for each scrutin its own. */
static void test_store_bytes(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 3, 0, 1 };
    const uint8_t ch[3] = { 0, 1, 0 };
    ballot *b = make(f, &sc, ch, 1);
    char *t = ballot_canonical(b, f->fp), id[BALLOT_SCRUTIN_ID_MAX + 2];
    size_t want = strlen(t) + ballot_wire_size(b) + 32 * 3;

    for (int i = 0; i < 2; i++) {
        assert_int_equal(ballot_store_bytes(3, 0, 1, "scrutin"), want);
        assert_int_equal(ballot_store_bytes(3, 0, 1, "scrutin-0123456789"), want + 2 * 11);
        assert_int_not_equal(ballot_store_bytes(4, 0, 1, "scrutin"), want);
    }
    memset(id, 'a', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    assert_int_equal(ballot_store_bytes(3, 0, 1, id), 0);           /* too long an id */
    free(t);
    ballot_free(b);
}

/* ballot_canonical writes its bytes itself: they are jansson's
 * (json_dumps of ballot_to_json, compact, sorted keys) for any sizes, any
 * bytes, and scrutin ids with characters jansson escapes. */
static void test_canonical_is_jansson(void **state)
{
    static const char *const ids[] = { "csa-ministere", "a", "S_1.x", "é\"\\/\n<" };
    static const uint64_t range[][3] = { { 1, 0, 1 }, { 5, 0, 5 }, { 5, 1, 3 }, { 9, 2, 2 } };
    uint8_t fp[BALLOT_FP_BYTES];

    (void)state;
    for (size_t r = 0; r < sizeof range / sizeof *range; r++)
        for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
            ballot *b = ballot_new(range[r][0], range[r][1], range[r][2]);
            json_t *j;
            char *want, *got;

            assert_non_null(b);
            snprintf(b->scrutin_id, sizeof b->scrutin_id, "%s", ids[i]);
            randombytes_buf(fp, sizeof fp);
            randombytes_buf(b->cred, sizeof b->cred);
            randombytes_buf(b->ct, b->k * sizeof *b->ct);
            randombytes_buf(b->bits, b->k * sizeof *b->bits);
            randombytes_buf(b->range, (b->max - b->min + 1) * sizeof *b->range);
            randombytes_buf(&b->sig, sizeof b->sig);
            j = ballot_to_json(b, fp);
            want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
            got = ballot_canonical(b, fp);
            assert_non_null(want);
            assert_non_null(got);
            assert_string_equal(got, want);
            json_decref(j);
            free(want);
            free(got);
            ballot_free(b);
        }
}

static void test_moved_and_resigned(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 3, 0, 1 }, other;
    const uint8_t ch1[3] = { 1, 0, 0 }, ch2[3] = { 0, 0, 1 };
    ballot *b1 = make(f, &sc, ch1, 0), *b2 = make(f, &sc, ch2, 1);
    uint8_t fp2[32] = { 7 }, digest[32];

    /* another scrutin, election or parameters */
    other = sc;
    other.scrutin_id = "scrutin2";
    assert_int_equal(ballot_verify(b1, &other), -1);
    other = sc;
    other.fp = fp2;
    assert_int_equal(ballot_verify(b1, &other), -1);
    other = sc;
    other.min = 1;
    assert_int_equal(ballot_verify(b1, &other), -1);
    /* voter 2 takes voter 1's ciphertext and proof for list 0 (copy attack) */
    memcpy(b2->ct[0], b1->ct[0], 64);
    memcpy(b2->bits[0], b1->bits[0], sizeof b1->bits[0]);
    ballot_digest(digest, b2, f->fp);
    assert_int_equal(credential_sign(&b2->sig, f->fp, &f->cred_s[1], f->cred[1], digest,
                                     NULL), 0);
    assert_int_equal(ballot_verify(b2, &sc), -1);
    /* voter 2 re-signs voter 1's whole ballot with their own credential */
    ballot_free(b2);
    b2 = make(f, &sc, ch1, 0);
    memcpy(b2->cred, f->cred[1], 32);
    ballot_digest(digest, b2, f->fp);
    assert_int_equal(credential_sign(&b2->sig, f->fp, &f->cred_s[1], f->cred[1], digest,
                                     NULL), 0);
    assert_int_equal(ballot_verify(b2, &sc), -1);
    ballot_free(b1);
    ballot_free(b2);
}

static void test_identity_ciphertext_refused(void **state)
{
    fixture *f = *state;
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", 2, 0, 1 };
    const uint8_t ch[2] = { 0, 0 };
    ballot *b = make(f, &sc, ch, 0);

    memset(b->ct[1], 0, 32);
    assert_int_equal(ballot_verify(b, &sc), -1);
    ballot_free(b);
}

static void test_batch_of_ballots_and_tally(void **state)
{
    fixture *f = *state;
    enum { NB = 24, K = 4 };
    ballot_scrutin sc = { f->fp, &f->pk, "scrutin", K, 0, 1 };
    ballot *b[NB];
    uint64_t expect[K] = { 0 }, m;
    elgamal_ct cts[K], sum[K];
    dlog_table *dl = dlog_table_new(NB);
    batch *bt = batch_new(f->pk.vtable);

    for (int i = 0; i < K; i++)
        elgamal_ct_zero(&sum[i]);
    for (int i = 0; i < NB; i++) {
        uint8_t ch[K] = { 0 };
        uint32_t pick = randombytes_uniform(K + 1);

        if (pick < K) {
            ch[pick] = 1;
            expect[pick]++;
        }
        b[i] = make(f, &sc, ch, i % 2);
        assert_int_equal(ballot_batch(bt, b[i], &sc, cts), 0);
        for (int l = 0; l < K; l++)
            elgamal_ct_add(&sum[l], &sum[l], &cts[l]);
    }
    assert_int_equal(batch_check(bt), 0);
    for (int l = 0; l < K; l++) {
        group_point m_g;

        elgamal_decrypt(&m_g, &f->sk, &sum[l]);
        assert_int_equal(dlog_solve(dl, &m_g, &m), 0);
        assert_int_equal(m, expect[l]);
    }
    /* one bad ballot spoils the batch; item-by-item checks name it */
    tu_flip(b[17]->range[0].s, 5);
    batch_reset(bt);
    for (int i = 0; i < NB; i++)
        assert_int_equal(ballot_batch(bt, b[i], &sc, NULL), 0);
    assert_int_equal(batch_check(bt), -1);
    for (int i = 0; i < NB; i++)
        assert_int_equal(ballot_verify(b[i], &sc), i == 17 ? -1 : 0);
    for (int i = 0; i < NB; i++)
        ballot_free(b[i]);
    batch_free(bt);
    dlog_table_free(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_valid_choice),
        cmocka_unit_test(test_invalid_choices_and_parameters),
        cmocka_unit_test(test_tampering_any_byte),
        cmocka_unit_test(test_wire_form),
        cmocka_unit_test(test_shape_names_fields_as_before),
        cmocka_unit_test(test_store_bytes),
        cmocka_unit_test(test_canonical_is_jansson),
        cmocka_unit_test(test_moved_and_resigned),
        cmocka_unit_test(test_identity_ciphertext_refused),
        cmocka_unit_test(test_batch_of_ballots_and_tally),
    };
    return cmocka_run_group_tests_name("ballot", tests, setup, teardown);
}
