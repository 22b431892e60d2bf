/* test_codes.c - vote codes: 135 random bits in 28 symbols; every single wrong
 * symbol and every swap of two different symbols is caught as a typo;
 * forgiving entry (case, separators, look-alikes); strict refusal otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "notices/code.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_new_codes_parse_back(void **state)
{
    char c[CODE_SYMBOLS + 1], again[CODE_SYMBOLS + 1], shown[CODE_DISPLAY_CHARS + 1];

    (void)state;
    for (int i = 0; i < 200; i++) {
        code_new(c);
        assert_int_equal(strlen(c), CODE_SYMBOLS);
        assert_int_equal(strspn(c, alphabet), CODE_SYMBOLS);
        code_display(shown, c);
        assert_int_equal(strlen(shown), 34);
        assert_int_equal(shown[4], '-');
        assert_int_equal(code_parse(again, shown), CODE_OK);
        assert_string_equal(again, c);
    }
}

static void test_every_single_error_and_swap_is_caught(void **state)
{
    char c[CODE_SYMBOLS + 1], typo[CODE_SYMBOLS + 1], out[CODE_SYMBOLS + 1];

    (void)state;
    for (int round = 0; round < 20; round++) {
        code_new(c);
        for (int pos = 0; pos < CODE_SYMBOLS; pos++)
            for (int k = 0; k < 32; k++) {
                if (alphabet[k] == c[pos])
                    continue;
                memcpy(typo, c, sizeof typo);
                typo[pos] = alphabet[k];
                assert_int_equal(code_parse(out, typo), CODE_TYPO);
            }
        for (int i = 0; i < CODE_SYMBOLS; i++)
            for (int j = i + 1; j < CODE_SYMBOLS; j++) {
                if (c[i] == c[j])
                    continue;
                memcpy(typo, c, sizeof typo);
                typo[i] = c[j];
                typo[j] = c[i];
                assert_int_equal(code_parse(out, typo), CODE_TYPO);
            }
    }
}

static void test_forgiving_entry(void **state)
{
    char c[CODE_SYMBOLS + 1], typed[80], out[CODE_SYMBOLS + 1];

    (void)state;
    /* the swap Luhn mod 32 misses: 0 and Z next to each other */
    {
        char t[CODE_SYMBOLS + 1];

        for (int tries = 0; tries < 100000; tries++) {
            code_new(t);
            for (int p = 0; p + 1 < CODE_SYMBOLS; p++)
                if ((t[p] == '0' && t[p + 1] == 'Z') || (t[p] == 'Z' && t[p + 1] == '0')) {
                    char swapped = t[p];

                    t[p] = t[p + 1];
                    t[p + 1] = swapped;
                    assert_int_equal(code_parse(out, t), CODE_TYPO);
                    tries = 100000;
                    break;
                }
        }
    }
    /* find a code with a 0 and a 1 in it, to type them as O, I and L */
    do
        code_new(c);
    while (strchr(c, '0') == NULL || strchr(c, '1') == NULL);
    for (size_t i = 0, o = 0; i < CODE_SYMBOLS; i++) {
        char ch = c[i];

        if (ch == '0')
            ch = 'o';
        else if (ch == '1')
            ch = i % 2 ? 'l' : 'I';
        else if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        typed[o++] = ch;
        if (i % 3 == 2)
            typed[o++] = i % 2 ? ' ' : '.';
        typed[o] = '\0';
    }
    assert_int_equal(code_parse(out, typed), CODE_OK);
    assert_string_equal(out, c);
}

static void test_bad_forms(void **state)
{
    char c[CODE_SYMBOLS + 1], out[CODE_SYMBOLS + 1], longer[40];

    (void)state;
    code_new(c);
    assert_int_equal(code_parse(out, ""), CODE_BAD_FORM);
    assert_int_equal(code_parse(out, NULL), CODE_BAD_FORM);
    assert_int_equal(code_parse(out, "ABCD"), CODE_BAD_FORM);
    snprintf(longer, sizeof longer, "%sA", c);
    assert_int_equal(code_parse(out, longer), CODE_BAD_FORM);
    memcpy(longer, c, sizeof c);
    longer[3] = 'U';                                   /* not in the alphabet */
    assert_int_equal(code_parse(out, longer), CODE_BAD_FORM);
    longer[3] = '*';
    assert_int_equal(code_parse(out, longer), CODE_BAD_FORM);
    assert_int_equal(code_parse(out, "ÉÉÉÉ-ÉÉÉÉ-ÉÉÉÉ-ÉÉÉÉ-ÉÉÉÉ-ÉÉÉÉ-ÉÉÉÉ"), CODE_BAD_FORM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_codes_parse_back),
        cmocka_unit_test(test_every_single_error_and_swap_is_caught),
        cmocka_unit_test(test_forgiving_entry),
        cmocka_unit_test(test_bad_forms),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}
