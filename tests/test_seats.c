/* test_seats.c - highest-average allocation: known results, exact ties and
 * their rules, the drawing by lot, contested seats, bad input, and agreement
 * with the quotient-then-highest-average method on random elections. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "tally/tally.h"

static const seats_policy votes_then_lot = { { SEATS_TIE_VOTES, SEATS_TIE_LOT }, 2, { 1, 2, 3 } };
static const seats_policy votes_only = { { SEATS_TIE_VOTES }, 1, { 0 } };
static const seats_policy no_rule = { { 0 }, 0, { 0 } };

static void expect(const uint64_t *votes, size_t k, uint32_t seats, const seats_policy *p,
                   const uint32_t *want)
{
    seats_result r;

    assert_int_equal(seats_allocate(&r, votes, k, seats, p), 0);
    assert_false(r.contested);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(r.seats[i], want[i]);
}

static void test_known_results(void **state)
{
    /* the textbook D'Hondt example: 8 seats */
    const uint64_t a[] = { 100000, 80000, 30000, 20000 };
    const uint32_t wa[] = { 4, 3, 1, 0 };
    /* a CSA of 15 seats, 3,000 votes: the quotient (200) gives 6-4-2-1-0, the
     * averages give the 14th seat to list 1 (870/5 = 174) and the 15th to list 0
     * (1210/7 = 172.9, ahead of 505/3 = 168.3 and 155/1) */
    const uint64_t b[] = { 1210, 870, 505, 260, 155 };
    const uint32_t wb[] = { 7, 5, 2, 1, 0 };
    /* one seat: the first list; a list with no vote never wins */
    const uint64_t c[] = { 10, 0, 30 };
    const uint32_t wc[] = { 0, 0, 1 };
    const uint32_t wc5[] = { 1, 0, 4 };

    (void)state;
    expect(a, 4, 8, &votes_then_lot, wa);
    expect(b, 5, 15, &votes_then_lot, wb);
    expect(c, 3, 1, &votes_then_lot, wc);
    expect(c, 3, 5, &votes_then_lot, wc5);
}

static void test_ties(void **state)
{
    /* 6 seats: after 3-2, list 0 (900/4 = 225) and list 1 (675/3 = 225) tie for
     * the 6th: the most votes wins */
    const uint64_t v[] = { 900, 675 };
    const uint32_t want[] = { 4, 2 };
    const uint64_t same[] = { 500, 500, 100 };
    seats_result r, r2;
    seats_policy p = votes_then_lot, other = votes_then_lot;
    int differs = 0;

    (void)state;
    expect(v, 2, 6, &votes_only, want);
    /* no rule: the 6th seat is contested, the first five stand */
    assert_int_equal(seats_allocate(&r, v, 2, 6, &no_rule), 0);
    assert_true(r.contested);
    assert_int_equal(r.allocated, 5);
    assert_int_equal(r.ntied, 2);
    assert_int_equal(r.seats[0] + r.seats[1], 5);
    /* equal votes: the drawing by lot decides, the same way every time */
    assert_int_equal(seats_allocate(&r, same, 3, 1, &votes_only), 0);
    assert_true(r.contested);
    assert_int_equal(r.ntied, 2);
    assert_int_equal(r.tied[0], 0);
    assert_int_equal(r.tied[1], 1);
    assert_int_equal(seats_allocate(&r, same, 3, 1, &p), 0);
    assert_false(r.contested);
    assert_int_equal(r.seats[0] + r.seats[1], 1);
    assert_int_equal(r.seats[2], 0);
    assert_int_equal(seats_allocate(&r2, same, 3, 1, &p), 0);
    assert_memory_equal(r.seats, r2.seats, sizeof r.seats);
    /* another seed can draw the other list: the lot is not rigged to index order */
    for (int i = 0; i < 64 && !differs; i++) {
        other.seed[0] = (uint8_t)i;
        assert_int_equal(seats_allocate(&r2, same, 3, 1, &other), 0);
        differs = r2.seats[0] != r.seats[0];
    }
    assert_true(differs);
}

static void test_bad_input(void **state)
{
    const uint64_t v[] = { 1, 2 }, big[] = { SEATS_MAX_VOTES + 1, 1 };
    seats_policy bad = { { 7 }, 1, { 0 } }, twice = { { SEATS_TIE_LOT, SEATS_TIE_LOT }, 2, { 0 } };
    seats_result r;

    (void)state;
    assert_int_equal(seats_allocate(&r, v, 0, 3, &votes_only), -1);
    assert_int_equal(seats_allocate(&r, v, SEATS_MAX_LISTS + 1, 3, &votes_only), -1);
    assert_int_equal(seats_allocate(&r, v, 2, SEATS_MAX_SEATS + 1, &votes_only), -1);
    assert_int_equal(seats_allocate(&r, big, 2, 3, &votes_only), -1);
    assert_int_equal(seats_allocate(&r, v, 2, 3, &bad), -1);
    assert_int_equal(seats_allocate(&r, v, 2, 3, &twice), -1);
    /* no seat, or no vote: nothing allocated, nothing contested */
    assert_int_equal(seats_allocate(&r, v, 2, 0, &votes_only), 0);
    assert_int_equal(r.allocated, 0);
    {
        const uint64_t none[] = { 0, 0 };

        assert_int_equal(seats_allocate(&r, none, 2, 4, &votes_only), 0);
        assert_int_equal(r.allocated, 0);
        assert_false(r.contested);
    }
    /* the largest votes compare exactly */
    {
        const uint64_t huge[] = { SEATS_MAX_VOTES, SEATS_MAX_VOTES - 1 };
        const uint32_t want[] = { 500, 500 };

        expect(huge, 2, 1000, &votes_then_lot, want);
    }
}

/* The quotient step (floor(v / (V / S))), then the highest average for the
 * rest, as the electoral code words it, on random elections without ties. */
static void quotient_method(const uint64_t *v, size_t k, uint32_t seats, uint32_t *out)
{
    uint64_t total = 0;
    uint32_t given = 0;

    for (size_t i = 0; i < k; i++)
        total += v[i];
    for (size_t i = 0; i < k; i++) {
        out[i] = (uint32_t)(v[i] * seats / total);
        given += out[i];
    }
    while (given < seats) {
        size_t best = 0;

        for (size_t i = 1; i < k; i++)
            if (v[i] * (out[best] + 1) > v[best] * (out[i] + 1))
                best = i;
        out[best]++;
        given++;
    }
}

static void test_matches_quotient_method(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        uint64_t v[8];
        uint32_t want[8];
        size_t k = 2 + randombytes_uniform(7);
        uint32_t seats = 1 + randombytes_uniform(40);
        seats_result r;

        for (size_t i = 0; i < k; i++)
            v[i] = 1 + randombytes_uniform(100000);
        assert_int_equal(seats_allocate(&r, v, k, seats, &no_rule), 0);
        if (r.contested)
            continue;                    /* an exact tie: the methods need a rule */
        quotient_method(v, k, seats, want);
        for (size_t i = 0; i < k; i++)
            assert_int_equal(r.seats[i], want[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_results),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_matches_quotient_method),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
