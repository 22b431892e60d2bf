/* test_definition.c - the election definition: the example is valid, and
 * every kind of mistake is refused with the path of the faulty field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "election/definition.h"
#include "ballot/ballot_json.h"
#include "notices/code.h"
#include <sodium.h>

static void test_example_is_valid(void **state)
{
    def_election d;
    char err[DEF_ERR_CHARS];
    json_t *attrs;

    (void)state;
    assert_int_equal(def_load_file(&d, "../conf/election.example.json", err, sizeof err), 0);
    assert_int_equal(d.nscrutins, 2);
    assert_string_equal(d.scrutins[0].id, "cap-attaches");
    assert_int_equal(d.scrutins[0].nlists, 3);
    assert_int_equal(d.scrutins[1].seats, 15);
    assert_int_equal(d.opens, 1796112000);            /* 2026-12-01T08:00:00Z */
    assert_int_equal(d.closes - d.opens, 7 * 86400 + 8 * 3600);
    attrs = json_pack("{s:s}", "corps", "attache");
    assert_true(def_eligible(&d.scrutins[0], attrs));
    assert_true(def_eligible(&d.scrutins[1], attrs));  /* no rule: everyone */
    json_object_set_new(attrs, "corps", json_string("secretaire"));
    assert_false(def_eligible(&d.scrutins[0], attrs));
    json_object_del(attrs, "corps");
    assert_false(def_eligible(&d.scrutins[0], attrs)); /* missing attribute */
    json_decref(attrs);
    def_free(&d);
}

/* Replace the JSON at a dotted path of the example, parse, expect err to contain want. */
static void expect_error(const char *path, json_t *value, const char *want)
{
    json_t *root = json_load_file("../conf/election.example.json", 0, NULL), *at = root;
    char buf[128], *text, err[DEF_ERR_CHARS], *key, *save = NULL;
    def_election d;

    snprintf(buf, sizeof buf, "%s", path);
    key = strtok_r(buf, ".", &save);
    for (char *next; (next = strtok_r(NULL, ".", &save)) != NULL; key = next)
        at = json_is_array(at) ? json_array_get(at, (size_t)atoi(key))
                               : json_object_get(at, key);
    if (value == NULL)
        json_object_del(at, key);
    else if (json_is_array(at))
        json_array_set_new(at, (size_t)atoi(key), value);
    else
        json_object_set_new(at, key, value);
    text = json_dumps(root, 0);
    if (def_parse(&d, text, strlen(text), err, sizeof err) == 0)
        fail_msg("accepted a definition with %s changed", path);
    if (strstr(err, want) == NULL)
        fail_msg("error for %s was \"%s\", expected it to contain \"%s\"", path, err, want);
    free(text);
    json_decref(root);
}

static void test_mistakes_are_named(void **state)
{
    (void)state;
    expect_error("name", NULL, "$.name: missing");
    expect_error("name", json_string(""), "$.name: must be a non-empty string");
    expect_error("organiser", json_integer(3), "$.organiser");
    expect_error("colour", json_string("blue"), "unknown field \"colour\"");
    expect_error("voting.opens", json_string("2026-12-01 09:00"), "$.voting.opens");
    expect_error("voting.opens", json_string("2026-12-01T09:00:00"), "$.voting.opens");
    expect_error("voting.closes", json_string("2026-11-30T09:00:00+01:00"),
                 "closes must be after opens");
    expect_error("support.email", NULL, "$.support.email: missing");
    expect_error("recourse_days", json_integer(-1), "$.recourse_days");
    expect_error("scrutins", json_array(), "$.scrutins: must hold 1 to");
    expect_error("scrutins.0.id", json_string("CAP Attachés"), "$.scrutins[0]: id");
    expect_error("scrutins.1.id", json_string("cap-attaches"), "is used twice");
    expect_error("scrutins.0.seats", json_integer(0), "seats must be");
    expect_error("scrutins.0.blank_allowed", json_string("yes"), "blank_allowed");
    expect_error("scrutins.0.lists", json_array(), "lists must hold");
    expect_error("scrutins.0.lists.1.name", json_string("a\nb"), "$.scrutins[0].lists[1].name");
    expect_error("scrutins.0.lists.1.slogan", json_string("x"), "unknown field \"slogan\"");
    expect_error("scrutins.0.eligibility", json_string("attache"), "eligibility");
    expect_error("scrutins.0.eligibility.corps", json_array(), "at least one accepted value");
    expect_error("scrutins.0.eligibility.Corps Name", json_pack("[s]", "x"), "column name");
    /* the credential authority's key is required, 64 lowercase hex digits */
    expect_error("credential_authority", NULL, "$.credential_authority");
    expect_error("credential_authority", json_string("0d19fdf8"), "$.credential_authority");
    expect_error("credential_authority",
                 json_string("0D19FDF814FE325E7DF20C46F42C8FAB972EE906C68B066DF1FF50034A721B93"),
                 "$.credential_authority");
    expect_error("credential_authority", json_integer(1), "$.credential_authority");
}

/* verify/election.c, box/cast.c and tally/count.c count one choice per ballot
 * (max = 1): a definition asking for more is refused with a reason, whatever
 * the field is called and even when it asks for one. */
static void test_multi_choice_refused(void **state)
{
    static const char *const fields[] = { "choices", "min_choices", "max_choices", "min", "max" };
    char path[64];

    (void)state;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        snprintf(path, sizeof path, "scrutins.1.%s", fields[i]);
        expect_error(path, json_integer(2), "$.scrutins[1]: \"");
        expect_error(path, json_integer(2), "a scrutin with several choices per ballot is not "
                     "supported");
        expect_error(path, json_integer(1), "several choices per ballot");
    }
}

static void test_not_json_and_instants(void **state)
{
    def_election d;
    char err[DEF_ERR_CHARS];
    int64_t t;
    const char *dup = "{\"name\":\"a\",\"name\":\"b\"}";

    (void)state;
    assert_int_equal(def_parse(&d, "{ \"name\": ", 10, err, sizeof err), -1);
    assert_non_null(strstr(err, "invalid JSON at line 1"));
    assert_int_equal(def_parse(&d, dup, strlen(dup), err, sizeof err), -1);
    assert_int_equal(def_parse(&d, "[]", 2, err, sizeof err), -1);
    assert_int_equal(def_load_file(&d, "no/such/file.json", err, sizeof err), -1);
    assert_int_equal(def_parse_instant("2026-12-01T09:00:00Z", &t), 0);
    assert_int_equal(t, 1796115600);
    assert_int_equal(def_parse_instant("2026-12-01T10:30:00+01:30", &t), 0);
    assert_int_equal(t, 1796115600);
    assert_int_equal(def_parse_instant("2026-12-01T04:00:00-05:00", &t), 0);
    assert_int_equal(t, 1796115600);
    assert_int_equal(def_parse_instant("2026-12-01T09:00:00+1:00", &t), -1);
    assert_int_equal(def_parse_instant("2026-12-01T09:00:00+01:00x", &t), -1);
    assert_int_equal(def_parse_instant("2026-13-01T09:00:00Z", &t), -1);
    assert_int_equal(def_parse_instant("", &t), -1);
}

static void test_fingerprint(void **state)
{
    def_election d;
    char err[DEF_ERR_CHARS], *canon;
    uint8_t a[32], b[32], pk[32] = { 1 };

    (void)state;
    assert_int_equal(def_load_file(&d, "../conf/election.example.json", err, sizeof err), 0);
    canon = def_canonical(&d);
    def_fingerprint(a, "eid-1", canon, NULL);
    def_fingerprint(b, "eid-1", canon, NULL);
    assert_memory_equal(a, b, 32);
    def_fingerprint(b, "eid-2", canon, NULL);
    assert_memory_not_equal(a, b, 32);
    def_fingerprint(b, "eid-1", canon, pk);               /* the key is covered */
    assert_memory_not_equal(a, b, 32);
    free(canon);
    def_free(&d);
}

/* Hb of protocol section 2, straight from libsodium: the reference. */
static void ref_hb(uint8_t out[32], const char *tag, const void *const *items, const size_t *lens,
                   size_t n)
{
    crypto_generichash_state h;

    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; i <= n; i++) {
        const void *p = i == 0 ? tag : items[i - 1];
        size_t len = i == 0 ? strlen(tag) : lens[i - 1];
        uint8_t le[8];

        for (int k = 0; k < 8; k++)
            le[k] = (uint8_t)((uint64_t)len >> (8 * k));
        crypto_generichash_update(&h, le, 8);
        crypto_generichash_update(&h, p, len);
    }
    crypto_generichash_final(&h, out, 32);
}

/* §12's canonical JSON written from the text alone, not with jansson's
 * dumper: members sorted by the bytes of their keys, no white space; in
 * strings only '"' and '\\' are escaped as \" and \\, U+0008, U+000C, U+000A,
 * U+000D, U+0009 as \b \f \n \r \t, the other characters below U+0020 as \u00XX
 * (upper-case hex), everything else is written as its UTF-8 bytes; integers in
 * decimal; no real. Appends to out; -1 on what the text does not allow. */
typedef struct { char *p; size_t n, cap; } ref_buf;

static int ref_put(ref_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap)
        return -1;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

static int ref_string(ref_buf *b, const char *s, size_t n)
{
    static const char short_esc[][3] = { ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n",
                                         ['\r'] = "\\r", ['\t'] = "\\t" };
    char u[8];
    int rc = ref_put(b, "\"", 1);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            u[0] = '\\';
            u[1] = (char)c;
            rc = ref_put(b, u, 2);
        } else if (c < 0x20 && c < sizeof short_esc / sizeof short_esc[0] && short_esc[c][0]) {
            rc = ref_put(b, short_esc[c], 2);
        } else if (c < 0x20) {
            snprintf(u, sizeof u, "\\u%04X", c);
            rc = ref_put(b, u, 6);
        } else {
            rc = ref_put(b, (const char *)&s[i], 1);
        }
    }
    return rc == 0 ? ref_put(b, "\"", 1) : -1;
}

static int ref_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int ref_canonical(ref_buf *b, json_t *v)
{
    char num[32];
    size_t i, n;
    json_t *x;
    const char *k, **keys;
    int rc = 0;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        n = json_object_size(v);
        keys = calloc(n + 1, sizeof *keys);
        i = 0;
        json_object_foreach(v, k, x)
            keys[i++] = k;
        qsort(keys, n, sizeof *keys, ref_key_cmp);
        rc = ref_put(b, "{", 1);
        for (i = 0; rc == 0 && i < n; i++)
            rc = (i > 0 ? ref_put(b, ",", 1) : 0) || ref_string(b, keys[i], strlen(keys[i])) ||
                 ref_put(b, ":", 1) || ref_canonical(b, json_object_get(v, keys[i]));
        free(keys);
        return rc == 0 ? ref_put(b, "}", 1) : -1;
    case JSON_ARRAY:
        rc = ref_put(b, "[", 1);
        json_array_foreach(v, i, x)
            rc = rc || (i > 0 ? ref_put(b, ",", 1) : 0) || ref_canonical(b, x);
        return rc == 0 ? ref_put(b, "]", 1) : -1;
    case JSON_STRING:
        return ref_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return ref_put(b, num, strlen(num));
    case JSON_TRUE:
        return ref_put(b, "true", 4);
    case JSON_FALSE:
        return ref_put(b, "false", 5);
    case JSON_NULL:
        return ref_put(b, "null", 4);
    default:
        return -1;                                      /* no real in canonical JSON */
    }
}

/* tests/vectors/election.json, which tests/js/election.test.mjs checks too:
 * jansson's canonical form (escapes, key order, numbers), the fingerprints of
 * two definitions (the example, and one with quotes, backslashes, accents,
 * U+2028, DEL and a character beyond U+FFFF), and the short form, which is the
 * first 24 characters of the tracker text of fp (section 14). */
static void test_fingerprint_vectors(void **state)
{
    json_t *vec = json_load_file("vectors/election.json", 0, NULL), *x;
    char err[DEF_ERR_CHARS], hex[65], text[CODE_FP_CHARS + 1], tracker[BALLOT_TRACKER_CHARS + 1];
    uint8_t fp[32], pk[32], ref[32];
    size_t i;

    (void)state;
    assert_non_null(vec);
    assert_int_equal(json_array_size(json_object_get(vec, "canonical")), 4);
    json_array_foreach(json_object_get(vec, "canonical"), i, x) {
        json_t *j = json_loads(json_string_value(json_object_get(x, "json")),
                               JSON_REJECT_DUPLICATES, NULL);
        char *c, refc[4096];
        ref_buf rb = { refc, 0, sizeof refc };

        assert_non_null(j);
        c = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(c, json_string_value(json_object_get(x, "canonical")));
        assert_int_equal(ref_canonical(&rb, j), 0);     /* the text agrees with jansson */
        assert_string_equal(refc, c);
        free(c);
        json_decref(j);
    }
    assert_int_equal(json_array_size(json_object_get(vec, "elections")), 2);
    json_array_foreach(json_object_get(vec, "elections"), i, x) {
        const char *def = json_string_value(json_object_get(x, "definition"));
        const char *eid = json_string_value(json_object_get(x, "eid"));
        def_election d;
        char *canon;

        assert_int_equal(def_parse(&d, def, strlen(def), err, sizeof err), 0);
        canon = def_canonical(&d);
        assert_string_equal(canon, json_string_value(json_object_get(x, "canonical")));
        {
            json_t *cj = json_loads(canon, JSON_REJECT_DUPLICATES, NULL);
            char refc[8192];
            ref_buf rb = { refc, 0, sizeof refc };

            assert_int_equal(ref_canonical(&rb, cj), 0);
            assert_string_equal(refc, canon);
            json_decref(cj);
        }
        assert_int_equal(sodium_hex2bin(pk, 32, json_string_value(json_object_get(x, "public_key")),
                                        64, NULL, NULL, NULL), 0);
        def_fingerprint(fp, eid, canon, pk);
        ref_hb(ref, "votesrv/v1/election", (const void *[]){ eid, canon, pk },
               (size_t[]){ strlen(eid), strlen(canon), 32 }, 3);
        assert_memory_equal(fp, ref, 32);
        sodium_bin2hex(hex, sizeof hex, fp, 32);
        assert_string_equal(hex, json_string_value(json_object_get(x, "fingerprint")));
        code_fingerprint_text(text, fp);
        assert_string_equal(text, json_string_value(json_object_get(x, "fingerprint_text")));
        def_fingerprint(fp, eid, canon, NULL);
        sodium_bin2hex(hex, sizeof hex, fp, 32);
        assert_string_equal(hex, json_string_value(json_object_get(x, "draft_fingerprint")));
        free(canon);
        def_free(&d);
    }
    json_array_foreach(json_object_get(vec, "fingerprint_text"), i, x) {
        assert_int_equal(sodium_hex2bin(fp, 32, json_string_value(json_object_get(x, "fp")), 64,
                                        NULL, NULL, NULL), 0);
        code_fingerprint_text(text, fp);
        assert_string_equal(text, json_string_value(json_object_get(x, "text")));
        ballot_tracker_text(tracker, fp);
        assert_int_equal(strlen(text), 24);
        assert_memory_equal(text, tracker, 24);
        /* §14's text, bit order and 4 zero padding bits, computed from the text */
        assert_string_equal(tracker, json_string_value(json_object_get(x, "tracker_text")));
        assert_int_equal(ballot_tracker_parse(ref, tracker), 0);
        assert_memory_equal(ref, fp, 32);
        tracker[63] = tracker[63] == '0' ? '1' : 'H';   /* a padding bit set: refused */
        assert_int_equal(ballot_tracker_parse(ref, tracker), -1);
    }
    json_decref(vec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_is_valid),
        cmocka_unit_test(test_mistakes_are_named),
        cmocka_unit_test(test_multi_choice_refused),
        cmocka_unit_test(test_not_json_and_instants),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_fingerprint_vectors),
    };
    return cmocka_run_group_tests_name("definition", tests, NULL, NULL);
}
