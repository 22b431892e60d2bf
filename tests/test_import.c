/* test_import.c - the electoral list from CSV: valid files import with
 * eligibility computed; every bad row is reported as file:line: reason; a bad
 * file changes nothing; re-imports show a diff; duplicates are errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"
#include "election/election.h"
#include "election/strmap.h"

#define HEADER "number,surname,given_names,emails,establishment,postal_address,corps\n"
#define FORMAT_HEADER \
    "number,surname,given_names,emails,establishment,postal_address,corps,notice_format\n"

typedef struct {
    char *dir;
    store *s;
    def_election d;
    election_ctx c;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char err[DEF_ERR_CHARS], *text;
    uint8_t pk[32], sk[64];
    time_t now = time(NULL);

    if (f == NULL || crypto_init() != 0)
        return -1;
    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    f->dir = tu_tmpdir();
    f->s = tu_store(f->dir);
    text = tu_definition(now + 3600, now + 7200);
    if (def_parse(&f->d, text, strlen(text), err, sizeof err) != 0)
        return -1;
    free(text);
    f->c = (election_ctx){ "officer", "test", NULL, now, "", NULL, ELECTION_WHY_OTHER };
    if (election_create(f->s, &f->c, &f->d, pk) != ELECTION_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    store_close(f->s);
    def_free(&f->d);
    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int parse(fixture *f, voter_list *l, const char *csv)
{
    return voters_parse_buffer(l, "voters.csv", csv, strlen(csv), &f->d);
}

/* The first error that contains want, or fail. */
static void expect_error(fixture *f, const char *csv, const char *want)
{
    voter_list l;

    assert_int_equal(parse(f, &l, csv), -1);
    for (size_t i = 0; i < l.nerrors && i < VOTERS_ERRORS_KEPT; i++)
        if (strstr(l.errors[i], want) != NULL) {
            voter_list_free(&l);
            return;
        }
    voters_print_errors(&l, stderr);
    voter_list_free(&l);
    fail_msg("no error contains \"%s\"", want);
}

static void test_valid_file_and_eligibility(void **state)
{
    fixture *f = *state;
    voter_list l;
    const char *csv = HEADER
        "A1,Martin,Camille,camille.martin@ex.gouv.fr,Paris,\"1 rue A\n75001 Paris\",attache\n"
        "\n"
        "A2,Petit,Léa,Lea.Petit@EX.gouv.fr; lea@perso-pro.fr,Lyon,,secretaire\r\n"
        "A3,Durand,Jules,jules@ex.gouv.fr,Lyon,,\n"
        "A4,Blanc,Rose,rose@ex.gouv.fr,Lyon,,attache\n"        /* attributes seen before */
        "A5,Noir,Paul,paul@ex.gouv.fr,Lyon,,secretaire\n";

    assert_int_equal(parse(f, &l, csv), 0);
    assert_int_equal(l.n, 5);
    assert_int_equal(l.rows[3].v.nscrutins, 2);
    assert_string_equal(l.rows[3].v.attributes, "{\"corps\":\"attache\"}");
    assert_string_equal(l.rows[3].scrutins[1], l.rows[0].scrutins[1]);
    assert_int_equal(l.rows[4].v.nscrutins, 1);
    assert_string_equal(l.rows[4].v.attributes, "{\"corps\":\"secretaire\"}");
    assert_int_equal(l.rows[0].v.nscrutins, 2);               /* attaché: CAP + CSA */
    assert_int_equal(l.rows[1].v.nscrutins, 1);               /* secrétaire: CSA only */
    assert_string_equal(l.rows[1].emails[0], "lea.petit@ex.gouv.fr"); /* lower-cased */
    assert_int_equal(l.rows[1].v.nemails, 2);
    assert_string_equal(l.rows[0].v.postal_address, "1 rue A\n75001 Paris");
    assert_string_equal(l.rows[2].v.attributes, "{}");
    voter_list_free(&l);
}

/* The optional column notice_format picks each voter's notice (standard when
 * empty or absent); it is no attribute, and any other value is a line error. */
static void test_notice_format_column(void **state)
{
    static const struct {
        const char *value;
        voters_notice_format want;
    } cases[] = {
        { "large", VOTERS_NOTICE_LARGE }, { "accessible", VOTERS_NOTICE_ACCESSIBLE },
        { "", VOTERS_NOTICE_STANDARD }, { "standard", VOTERS_NOTICE_STANDARD },
    };
    const size_t ncases = sizeof cases / sizeof cases[0];
    fixture *f = *state;
    voter_list l;
    char csv[1024];
    size_t n = (size_t)snprintf(csv, sizeof csv, "%s", FORMAT_HEADER);

    for (size_t i = 0; i < ncases; i++)
        n += (size_t)snprintf(csv + n, sizeof csv - n,
                              "A%zu,Roux,Ana,a%zu@ex.gouv.fr,Lyon,,attache,%s\n", i, i,
                              cases[i].value);
    assert_int_equal(parse(f, &l, csv), 0);
    assert_int_equal(l.n, ncases);
    for (size_t i = 0; i < ncases; i++)
        assert_int_equal(l.rows[i].notice_format, cases[i].want);
    assert_string_equal(l.rows[0].v.attributes, "{\"corps\":\"attache\"}");  /* no attribute */
    voter_list_free(&l);
    assert_int_equal(parse(f, &l, HEADER "A1,Martin,Camille,c@ex.gouv.fr,Paris,,attache\n"), 0);
    assert_int_equal(l.rows[0].notice_format, VOTERS_NOTICE_STANDARD);     /* no column */
    voter_list_free(&l);
    expect_error(f, FORMAT_HEADER "A1,Martin,Camille,c@ex.gouv.fr,Paris,,attache,large\n"
                    "A2,Petit,Léa,lea@ex.gouv.fr,Lyon,,attache,Large\n",
                 "voters.csv:3: notice_format must be standard, large or accessible");
    expect_error(f, FORMAT_HEADER "A1,Martin,Camille,c@ex.gouv.fr,Paris,,attache,braille\n",
                 "voters.csv:2: notice_format must be");
}

static void test_errors_name_file_and_line(void **state)
{
    fixture *f = *state;

    expect_error(f, "", "voters.csv:1: empty file");
    expect_error(f, "number,surname\n", "voters.csv:1: required column \"emails\" is missing");
    expect_error(f, "number,number,surname,given_names,emails,establishment,postal_address\n",
                 "column \"number\" appears twice");
    expect_error(f, "number,surname,given_names,emails,establishment,postal_address\n"
                    "B1,X,Y,x@ex.fr,E,,\n", "tests attribute \"corps\", which is not a column");
    expect_error(f, HEADER, "no voter in the file");
    expect_error(f, HEADER "B1,X,Y,x@ex.fr,E,\n", "voters.csv:2: 6 fields, the header has 7");
    /* a quoted field over two lines: the next row's line number is still right */
    expect_error(f, HEADER "B1,X,Y,x@ex.fr,E,\"a\nb\",attache\nB2,X,Y,bad-address,E,,attache\n",
                 "voters.csv:4: \"bad-address\" is not a valid e-mail address");
    expect_error(f, HEADER "B1,X,Y,x@ex.fr,E,,attache\nB1,Z,W,z@ex.fr,E,,attache\n",
                 "voters.csv:3: number B1 already used on line 2");
    expect_error(f, HEADER "B1,X,Y,x@ex.fr,E,,attache\nB2,Z,W,X@Ex.fr,E,,attache\n",
                 "voters.csv:3: address x@ex.fr already belongs to the voter of line 2");
    expect_error(f, HEADER "B 1,X,Y,x@ex.fr,E,,attache\n", "voters.csv:2: number must be");
    expect_error(f, HEADER "B1,,Y,x@ex.fr,E,,attache\n", "surname and given_names");
    expect_error(f, HEADER "B1,X\xff,Y,x@ex.fr,E,,attache\n", "valid UTF-8");
    expect_error(f, HEADER "B1,X,Y,,E,,attache\n", "voters.csv:2: no e-mail address");
    expect_error(f, HEADER "B1,X,Y,a@b,E,,attache\n", "not a valid e-mail address");
    expect_error(f, HEADER "B1,X,Y,a@@b.fr,E,,attache\n", "not a valid e-mail address");
    expect_error(f, HEADER "B1,X,Y,x@ex.fr,E,,attache\n\"B2,X,Y,y@ex.fr,E,,attache\n",
                 "malformed CSV");
}

/* Bidi controls and other invisible format characters reorder or hide what
 * the consoles show: each is a line error, and the file changes nothing. */
static void test_invisible_characters_refused(void **state)
{
    fixture *f = *state;
    static const char *const marks[] = {
        "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae",
        "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", "\xe2\x80\x8e",
        "\xe2\x80\x8f", "\xe2\x80\x8b", "\xef\xbb\xbf", "\xc2\xad", "\xd8\x9c",
        "\xf3\xa0\x80\x81", "\xc2\x85", "\xf0\x9b\xb2\xa3", "\xf0\x93\x90\xb0",
    };
    static const char *const cps[] = { "U+202A", "U+202B", "U+202C", "U+202D", "U+202E",
                                       "U+2066", "U+2067", "U+2068", "U+2069", "U+200E",
                                       "U+200F", "U+200B", "U+FEFF", "U+00AD", "U+061C",
                                       "U+E0001", "U+0085", "U+1BCA3", "U+13430" };
    char csv[512], want[128];
    voter_list l;

    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        /* in the surname, the given names, the establishment, the postal address, an attribute */
        const char *rows[] = { "B2,Ma%srtin,Y,y@ex.fr,E,,attache\n",
                               "B2,X,Cam%sille,y@ex.fr,E,,attache\n",
                               "B2,X,Y,y@ex.fr,Pa%sris,,attache\n",
                               "B2,X,Y,y@ex.fr,E,1 rue %sA,attache\n",
                               "B2,X,Y,y@ex.fr,E,,atta%sche\n" };
        const char *cols[] = { "surname", "given_names", "establishment", "postal_address",
                               "corps" };
        size_t r = i % 5;
        int n = snprintf(csv, sizeof csv, HEADER "B1,X,Y,x@ex.fr,E,,attache\n");

        snprintf(csv + n, sizeof csv - (size_t)n, rows[r], marks[i]);
        snprintf(want, sizeof want, "voters.csv:3: %s holds the invisible or direction control "
                 "character %s", cols[r], cps[i]);
        expect_error(f, csv, want);
    }
    /* accents, ligatures, apostrophes and non-Latin letters stay welcome */
    assert_int_equal(parse(f, &l, HEADER "B1,N\xe2\x80\x99" "Diaye,\xc5\x92" "dipe \xc3\x89lo\xc3\xafse,"
                                         "x@ex.fr,\xd7\xa2\xd7\x91,,attache\n"), 0);
    voter_list_free(&l);
}

/* The header: a byte order mark before it (a spreadsheet's "CSV UTF-8") is
 * not part of the first name, so the same list is read; an invisible
 * character or a NUL in a name is refused, naming the column, rather than
 * making a column the officer cannot see (or "number is missing"). */
static void test_header_mark_and_invisible_names(void **state)
{
    fixture *f = *state;
    static const char nul[] = "number,surname,given_names,emails,establishment,postal_address,"
                              "co\0rps\nB1,X,Y,x@ex.fr,E,,attache\n";
    voter_list plain, marked;

    assert_int_equal(parse(f, &plain, HEADER "B1,X,Y,x@ex.fr,E,,attache\n"), 0);
    assert_int_equal(parse(f, &marked, "\xef\xbb\xbf" HEADER "B1,X,Y,x@ex.fr,E,,attache\n"), 0);
    assert_int_equal(marked.n, 1);
    assert_int_equal(plain.n, 1);
    assert_string_equal(marked.rows[0].v.number, "B1");
    assert_memory_equal(marked.rows[0].v.digest, plain.rows[0].v.digest,
                        sizeof plain.rows[0].v.digest);
    voter_list_free(&plain);
    voter_list_free(&marked);
    expect_error(f, "number,surname\xe2\x80\x8b,given_names,emails,establishment,postal_address,"
                    "corps\nB1,X,Y,x@ex.fr,E,,attache\n",
                 "voters.csv:1: the name of column 2 holds the invisible or direction control "
                 "character U+200B");
    expect_error(f, "number,surname,\xef\xbb\xbfgiven_names,emails,establishment,postal_address,"
                    "corps\nB1,X,Y,x@ex.fr,E,,attache\n",
                 "the name of column 3 holds the invisible or direction control character U+FEFF");
    expect_error(f, "\xef\xbb\xbf\xef\xbb\xbfnumber,surname,given_names,emails,establishment,"
                    "postal_address,corps\nB1,X,Y,x@ex.fr,E,,attache\n",
                 "the name of column 1 holds the invisible");
    {
        voter_list l;

        assert_int_equal(voters_parse_buffer(&l, "voters.csv", nul, sizeof nul - 1, &f->d), -1);
        assert_non_null(strstr(l.errors[0], "the name of column 7 holds a NUL character"));
        voter_list_free(&l);
    }
}

/* A NUL byte in a field is an error, wherever it is: the address after it
 * was dropped unseen (strtok stops there), "large\0..." taken for large. */
static void test_nul_in_field_refused(void **state)
{
    fixture *f = *state;
    static const char nul_email[] = HEADER "B1,X,Y,x@ex.fr,E,,attache\n"
                                           "B2,X,Y,\"y@ex.fr;\0z@ex.fr\",E,,attache\n";
    static const char nul_format[] = FORMAT_HEADER "B1,X,Y,x@ex.fr,E,,attache,large\0x\n";
    voter_list l;

    assert_int_equal(voters_parse_buffer(&l, "voters.csv", nul_email, sizeof nul_email - 1,
                                         &f->d), -1);
    assert_true(l.nerrors >= 1);
    assert_non_null(strstr(l.errors[0], "voters.csv:3: emails holds a NUL character"));
    voter_list_free(&l);
    assert_int_equal(voters_parse_buffer(&l, "voters.csv", nul_format, sizeof nul_format - 1,
                                         &f->d), -1);
    assert_non_null(strstr(l.errors[0], "voters.csv:2: notice_format holds a NUL character"));
    voter_list_free(&l);
}

static void test_all_errors_reported(void **state)
{
    fixture *f = *state;
    voter_list l;
    char *csv = malloc(400 * 60 + 100);

    strcpy(csv, HEADER);
    for (int i = 0; i < 400; i++)
        sprintf(csv + strlen(csv), "C%d,X,Y,not-an-address-%d,E,,attache\n", i, i);
    assert_int_equal(parse(f, &l, csv), -1);
    assert_int_equal(l.nerrors, 400);                        /* every bad row counted */
    assert_non_null(strstr(l.errors[199], "voters.csv:201:"));
    voter_list_free(&l);
    free(csv);
}

/* The diff of v1 (D1 D2 D3 or S1 S2 S3) and v2, where 2 changed, 3 left and 4 came. */
static void expect_second_diff(const voters_diff *diff, char prefix)
{
    char added[3] = { prefix, '4', '\0' }, removed[3] = { prefix, '3', '\0' },
         changed[3] = { prefix, '2', '\0' };

    assert_int_equal(diff->added, 1);
    assert_string_equal(diff->sample_added[0], added);
    assert_int_equal(diff->removed, 1);
    assert_string_equal(diff->sample_removed[0], removed);
    assert_int_equal(diff->changed, 1);
    assert_string_equal(diff->sample_changed[0], changed);
    assert_int_equal(diff->unchanged, 1);
}

static void test_import_diff_and_all_or_nothing(void **state)
{
    fixture *f = *state;
    voter_list l;
    voters_diff diff;
    election_status st;
    const char *v1 = HEADER "D1,A,B,d1@ex.fr,E,,attache\nD2,A,B,d2@ex.fr,E,,attache\n"
                            "D3,A,B,d3@ex.fr,E,,attache\n";
    const char *v2 = HEADER "D1,A,B,d1@ex.fr,E,,attache\nD2,A,Changed,d2@ex.fr,E,,attache\n"
                            "D4,A,B,d4@ex.fr,E,,attache\n";

    assert_int_equal(parse(f, &l, v1), 0);
    assert_int_equal(voters_diff_compute(f->s, &l, &diff), 0);
    assert_int_equal(diff.added, 3);
    assert_int_equal(election_import_voters(f->s, &f->c, &l, &diff, NULL, NULL), ELECTION_OK);
    voter_list_free(&l);
    assert_int_equal(parse(f, &l, v2), 0);
    assert_int_equal(voters_diff_compute(f->s, &l, &diff), 0);
    expect_second_diff(&diff, 'D');
    assert_int_equal(election_import_voters(f->s, &f->c, &l, &diff, NULL, NULL), ELECTION_OK);
    voter_list_free(&l);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.voters, 3);
    assert_int_equal(st.audit_entries, 3);       /* created + two imports */
    /* a bad file changes nothing */
    assert_int_equal(parse(f, &l, HEADER "E1,A,B,e1@ex.fr,E,,attache\nE2,A,B,bad,E,,x\n"), -1);
    voter_list_free(&l);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.voters, 3);
    assert_int_equal(st.audit_entries, 3);
}

static void note_progress(uint64_t done, uint64_t total, void *arg)
{
    (void)total;
    if (done > *(uint64_t *)arg)
        *(uint64_t *)arg = done;
}

/* Streams csv from a file: the import's result; *st left open for its errors. */
static int import_stream(fixture *f, const char *csv, int dry_run, voters_diff *diff,
                         uint64_t *written, voters_stream **st)
{
    char *path = tu_write(f->dir, "voters.csv", csv);
    int rc;

    *written = 0;
    *st = voters_stream_open(path, &f->d);
    assert_non_null(*st);
    rc = election_import_stream(f->s, &f->c, *st, dry_run, diff, note_progress, written);
    free(path);
    return rc;
}

/* FNV-1a folded to 32 bits, the duplicate checks' hash before it was keyed. */
static uint32_t fnv1a32(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

/* A list crafted against a fixed hash (numbers whose hashes all fall in the
 * first 1/64 of the final table) costs the duplicate check no more probes
 * than any list: with FNV-1a each insertion walked the cluster of all those
 * before it (8,000 numbers: some 30 million probes; 200,000: 15 s; 1 M:
 * minutes). */
static void test_strmap_crafted_keys(void **state)
{
    enum { N = 8000, CAP = 16384 };        /* strmap's table once it holds N */
    char (*keys)[16] = malloc(N * sizeof *keys);
    strmap *m = strmap_new();
    uint32_t v;
    size_t n = 0;

    (void)state;
    assert_non_null(keys);
    assert_non_null(m);
    for (uint32_t c = 0; n < N; c++) {     /* "N" and 7 hex digits */
        keys[n][0] = 'N';
        for (int d = 0; d < 7; d++)
            keys[n][7 - d] = "0123456789abcdef"[c >> (4 * d) & 15];
        keys[n][8] = '\0';
        if ((fnv1a32(keys[n]) & (CAP - 1)) < CAP / 64)
            n++;
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(strmap_put(m, keys[i], (uint32_t)i, NULL), 0);
    assert_int_equal(strmap_size(m), N);
    assert_true(strmap_probes(m) < 4 * (size_t)N);
    for (size_t i = 0; i < N; i += 397) {     /* still a map: found, and duplicates seen */
        assert_int_equal(strmap_get(m, keys[i], &v), 0);
        assert_int_equal(v, i);
        assert_int_equal(strmap_put(m, keys[i], 0, &v), 1);
        assert_int_equal(v, i);
    }
    assert_int_equal(strmap_get(m, "N-absent", &v), -1);
    strmap_free(m);
    free(keys);
}

/* The streamed import (votectl's): the diff made as the chunks go in, the
 * dry run changing nothing. */
static void test_stream_import_and_diff(void **state)
{
    fixture *f = *state;
    voters_diff diff;
    election_status st0, st;
    voters_stream *vs;
    uint64_t written;
    const char *v1 = HEADER "S1,A,B,s1@ex.fr,E,,attache\nS2,A,B,s2@ex.fr,E,,attache\n"
                            "S3,A,B,s3@ex.fr,E,,attache\n";
    const char *v2 = HEADER "S1,A,B,s1@ex.fr,E,,attache\nS2,A,Changed,s2@ex.fr,E,,attache\n"
                            "S4,A,B,s4@ex.fr,E,,attache\n";

    assert_int_equal(election_status_get(f->s, &st0), 0);
    assert_int_equal(import_stream(f, v1, 0, &diff, &written, &vs), ELECTION_OK);
    voters_stream_close(vs);
    assert_int_equal(diff.added, 3);
    assert_int_equal(diff.removed, st0.voters);
    assert_int_equal(written, 3);
    assert_int_equal(import_stream(f, v2, 1, &diff, &written, &vs), ELECTION_OK);
    voters_stream_close(vs);
    assert_int_equal(written, 0);                /* a dry run writes nothing */
    expect_second_diff(&diff, 'S');
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.audit_entries, st0.audit_entries + 1);
    assert_int_equal(import_stream(f, v2, 0, &diff, &written, &vs), ELECTION_OK);
    voters_stream_close(vs);
    assert_int_equal(diff.changed, 1);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.voters, 3);
    assert_int_equal(st.audit_entries, st0.audit_entries + 2);
}

/* A bad row after several chunks the store has already taken: the whole
 * transaction is undone (the stored list and the audit log as before), and
 * the error names the row's line, counted over quoted line breaks and the
 * reader's block boundaries. */
static void test_stream_bad_row_after_chunks(void **state)
{
    fixture *f = *state;
    size_t good = 3 * VOTERS_CHUNK + 10, len = strlen(HEADER), cap = good * 80 + 1000;
    char *csv = malloc(cap), want[128];
    voters_diff diff;
    election_status st0, st;
    voters_stream *vs;
    const voter_list *errors;
    uint64_t written;
    int found = 0;

    assert_non_null(csv);
    assert_int_equal(election_status_get(f->s, &st0), 0);
    assert_true(st0.voters > 0);
    memcpy(csv, HEADER, len);
    for (size_t i = 0; i < good; i++)      /* two physical lines a row */
        len += (size_t)snprintf(csv + len, cap - len,
                                "G%zu,Nom,Prenom,g%zu@ex.fr,E,\"%zu rue A\n75001 Paris\",attache\n",
                                i, i, i);
    snprintf(csv + len, cap - len, "G-bad,Nom,Prenom,not-an-address,E,,attache\n"
             "G-after,Nom,Prenom,after@ex.fr,E,,attache\n");
    assert_true(len > (1 << 20));              /* past the reader's first block */
    assert_int_equal(import_stream(f, csv, 0, &diff, &written, &vs), ELECTION_REFUSED);
    assert_true(written >= VOTERS_CHUNK);      /* chunks went in before the error came */
    errors = voters_stream_errors(vs);
    assert_int_equal(errors->nerrors, 1);
    snprintf(want, sizeof want, "voters.csv:%zu: \"not-an-address\" is not a valid e-mail",
             2 + 2 * good);
    found = strstr(errors->errors[0], want) != NULL;
    if (!found)
        voters_print_errors(errors, stderr);
    assert_true(found);
    voters_stream_close(vs);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.voters, st0.voters);               /* nothing stored */
    assert_int_equal(st.audit_entries, st0.audit_entries);
    assert_memory_equal(st.fingerprint, st0.fingerprint, sizeof st.fingerprint);
    free(csv);
}

static void test_amendments_only_when_open(void **state)
{
    fixture *f = *state;
    voter_list l;

    assert_int_equal(parse(f, &l, HEADER "F1,A,B,f1@ex.fr,E,,attache\n"), 0);
    f->c.reason = "late hire";
    assert_int_equal(election_amend_add(f->s, &f->c, &l), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "amendments are for an open election"));
    assert_int_equal(election_amend_strike(f->s, &f->c, "D1"), ELECTION_REFUSED);
    f->c.reason = NULL;
    voter_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file_and_eligibility),
        cmocka_unit_test(test_notice_format_column),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_invisible_characters_refused),
        cmocka_unit_test(test_header_mark_and_invisible_names),
        cmocka_unit_test(test_nul_in_field_refused),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_import_diff_and_all_or_nothing),
        cmocka_unit_test(test_stream_import_and_diff),
        cmocka_unit_test(test_stream_bad_row_after_chunks),
        cmocka_unit_test(test_strmap_crafted_keys),
        cmocka_unit_test(test_amendments_only_when_open),
    };
    return cmocka_run_group_tests_name("import", tests, setup, teardown);
}
