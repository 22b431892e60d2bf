/* test_i18n.c - the server's translation catalogue (votesrv/i18n_catalogue.def):
 * every text in both languages, the same printf conversions on both sides (a
 * text may be a format: html_fmt, snprintf), and the choice of language. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "votesrv/i18n.h"

/* The conversions of format s, one per line ("%s\n%.1f\n"), "%%" left out;
 * -1 if one is cut short. */
static int conversions(const char *s, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = '\0';
    for (const char *p = strchr(s, '%'); p != NULL; p = strchr(p, '%')) {
        size_t len = 1 + strspn(p + 1, "-+ #0123456789.*'hlLqjzt");

        if (p[len] == '\0')
            return -1;
        if (p[len] == '%' && len == 1) {
            p += 2;
            continue;
        }
        len++;
        if (n + len + 2 > cap)
            return -1;
        memcpy(out + n, p, len);
        n += len;
        out[n++] = '\n';
        out[n] = '\0';
        p += len;
    }
    return 0;
}

static void test_conversions_are_read(void **state)
{
    char a[256], b[256];

    (void)state;
    assert_int_equal(conversions("Action : %s, %zu / %lld (%.1f %%).", a, sizeof a), 0);
    assert_string_equal(a, "%s\n%zu\n%lld\n%.1f\n");
    assert_int_equal(conversions("100 %% sans conversion", b, sizeof b), 0);
    assert_string_equal(b, "");
    assert_int_equal(conversions("coupé %", b, sizeof b), -1);
    assert_int_equal(conversions("%d voix", a, sizeof a), 0);
    assert_int_equal(conversions("%s votes", b, sizeof b), 0);
    assert_string_not_equal(a, b);
}

static void test_every_text_in_both_languages(void **state)
{
    (void)state;
    for (int m = 0; m < MSG_COUNT; m++) {
        const char *fr = i18n_text((msg_id)m, LANG_FR), *en = i18n_text((msg_id)m, LANG_EN);

        if (fr == NULL || en == NULL || fr[0] == '\0' || en[0] == '\0')
            fail_msg("message %d has an empty side", m);
    }
}

static void test_both_sides_have_the_same_conversions(void **state)
{
    char fr[512], en[512];
    int formats = 0;

    (void)state;
    for (int m = 0; m < MSG_COUNT; m++) {
        const char *f = i18n_text((msg_id)m, LANG_FR), *e = i18n_text((msg_id)m, LANG_EN);

        if (conversions(f, fr, sizeof fr) != 0 || conversions(e, en, sizeof en) != 0)
            fail_msg("message %d: a conversion is cut short (\"%s\" / \"%s\")", m, f, e);
        if (strcmp(fr, en) != 0)
            fail_msg("message %d: \"%s\" and \"%s\" differ in their conversions", m, f, e);
        formats += fr[0] != '\0';
    }
    assert_true(formats > 0);   /* the catalogue does hold formats */
}

static void test_api_messages_have_codes(void **state)
{
    (void)state;
    assert_string_equal(i18n_code(MSG_NOT_FOUND), "not_found");
    assert_string_equal(i18n_code(MSG_FACTOR_LOCKED), "second_factor_locked");
    assert_null(i18n_code(MSG_PORTAL_LOG_IN));
    assert_string_equal(i18n_text(MSG_PORTAL_LOG_IN, LANG_FR), "Se connecter");
    assert_string_equal(i18n_text(MSG_PORTAL_LOG_IN, LANG_EN), "Log in");
}

static void test_language_choice(void **state)
{
    (void)state;
    assert_int_equal(i18n_pick(NULL, NULL), LANG_FR);
    assert_int_equal(i18n_pick("en", "fr-FR"), LANG_EN);
    assert_int_equal(i18n_pick("fr", "en-GB"), LANG_FR);
    assert_int_equal(i18n_pick("de", NULL), LANG_FR);
    assert_int_equal(i18n_pick(NULL, "en-US,en;q=0.9"), LANG_EN);
    assert_int_equal(i18n_pick(NULL, "de-DE,en;q=0.5"), LANG_FR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversions_are_read),
        cmocka_unit_test(test_every_text_in_both_languages),
        cmocka_unit_test(test_both_sides_have_the_same_conversions),
        cmocka_unit_test(test_api_messages_have_codes),
        cmocka_unit_test(test_language_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
