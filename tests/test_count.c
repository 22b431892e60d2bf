/* test_count.c - the count after closing: every ballot verified again, the
 * sums published, the president and two delegates decrypting, the results
 * and seats; a box whose ballots differ from its signatures, or that holds an
 * invalid ballot, stops the count with an alarm in the audit log; a bad
 * partial decryption is refused naming its holder. The credentials: with
 * every file and key the server holds, a credential or a reissue record it
 * makes fails voteverify; the authority's signed records revoke at once and
 * are counted by voteverify. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "signer/signer.h"
#include "testutil.h"
#include "audit/audit.h"
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"
#include "election/credentials.h"
#include "election/demo.h"
#include "report/report.h"
#include "crypto/hex.h"
#include "crypto/vault.h"
#include "tally/tally.h"
#include <sys/stat.h>
#include <unistd.h>

#define HEADER "number,surname,given_names,emails,establishment,postal_address,corps\n"
#define M 3
#define N (M + 1)
#define VOTERS 6
#define SCRUTIN "csa-ministere"         /* 4 lists, 15 seats, everyone votes */

typedef struct {
    char *dir;
    store *s;
    election_ctx c;
    trustee_secret ts[N];
    char codes[VOTERS][64];
    election_status st;
    elgamal_pk pk;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    int64_t now = (int64_t)time(NULL);
    char csv[2048] = HEADER, line[200];
    uint8_t pk[32];
    FILE *codes = tmpfile();

    if (f == NULL || codes == NULL || crypto_init() != 0)
        return -1;
    for (int i = 0; i < VOTERS; i++) {
        snprintf(line, sizeof line, "V%d,A,B,v%d@ex.fr,E%d,,attache\n", i, i, i % 2);
        strcat(csv, line);
    }
    f->dir = tu_tmpdir();
    f->s = tu_election_bureau(f->dir, csv, now - 60, now + 3600, M);
    f->c = (election_ctx){ "officer", "alice", NULL, now, "", NULL, ELECTION_WHY_OTHER };
    if (tu_bureau_ceremony(f->s, &f->c, f->ts, N) != 0 ||
        election_demo_credentials(f->s, &f->c, codes) != 0 ||
        tu_bureau_seal(f->s, &f->c, f->ts, "open", 0, 1) != 0 ||
        election_open(f->s, &f->c) != ELECTION_OK || election_status_get(f->s, &f->st) != 0 ||
        election_status_key(f->s, pk) != 0 || elgamal_pk_load(&f->pk, pk) != 0)
        return -1;
    rewind(codes);
    for (int i = 0; i < VOTERS; i++) {
        char shown[64];
        size_t n = 0;

        if (fscanf(codes, "%*[^,],%63s\n", shown) != 1)
            return -1;
        for (char *p = shown; *p; p++)      /* the code without its dashes (§7) */
            if (*p != '-')
                f->codes[i][n++] = *p;
        f->codes[i][n] = '\0';
    }
    fclose(codes);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    elgamal_pk_clear(&f->pk);
    tu_store_discard(f->s, f->dir);
    free(f);
    return 0;
}

/* A ballot and its signature put in the store as a cast would (the cast's
 * own checks are test_cast's business). */
typedef struct {
    fixture *f;
    int voter;                       /* -1: no signature (a stuffed ballot) */
    char *body;
    uint8_t tracker[32];
    uint8_t wire[BALLOT_WIRE_MAX];   /* the compact form, if wirelen > 0 */
    size_t wirelen;
} insert_job;

static int run_insert(store_tx *tx, void *arg)
{
    insert_job *j = arg;
    uint8_t digest[32];
    uint64_t count;
    char number[16];
    int64_t id;
    int struck, rc;

    snprintf(number, sizeof number, "V%d", j->voter);
    if (j->voter >= 0) {
        json_t *p = json_pack("{s:s,s:s}", "number", number, "scrutin", SCRUTIN);

        if ((rc = store_voter_find(tx, number, &id, &struck)) == STORE_OK &&
            (rc = store_signature_add(tx, id, SCRUTIN)) == STORE_OK)
            rc = audit_append(tx, "voter", number, "ballot-cast", p);     /* as a cast does */
        json_decref(p);
        if (rc != STORE_OK)
            return rc;
    }
    if ((rc = store_ballot_add(tx, j->tracker, SCRUTIN, j->body, j->wirelen ? j->wire : NULL,
                               j->wirelen)) != STORE_OK ||
        (rc = store_box_state_get(tx, SCRUTIN, &count, digest)) != STORE_OK)
        return rc;
    box_digest_add(digest, j->tracker);
    return store_box_state_put(tx, SCRUTIN, count + 1, digest);
}

/* Voter i's ballot for list `choice` (-1: blank), made with their vote code,
 * in j (body, tracker, compact form). */
static void ballot_make(fixture *f, insert_job *j, int i, int choice)
{
    ballot_scrutin sc = { f->st.fingerprint, &f->pk, SCRUTIN, 4, 0, 1 };
    ballot *b = ballot_new(4, 0, 1);
    uint8_t choices[4] = { 0 }, pub[32];
    group_scalar s;

    j->f = f;
    if (choice >= 0)
        choices[choice] = 1;
    assert_int_equal(credential_derive_scrutin(&s, pub, (const uint8_t *)f->st.eid,
                                              strlen(f->st.eid), (const uint8_t *)f->codes[i],
                                              strlen(f->codes[i]), SCRUTIN), 0);
    assert_int_equal(ballot_create(b, &sc, choices, &s, pub, NULL), 0);
    j->body = ballot_canonical(b, f->st.fingerprint);
    ballot_tracker(j->tracker, j->body);
    j->wirelen = (size_t)ballot_wire_encode(j->wire, sizeof j->wire, b);
    ballot_free(b);
}

/* Voter i votes for list `choice` (-1: blank) with their vote code. */
static void vote(fixture *f, int i, int choice, int sign)
{
    insert_job *j = calloc(1, sizeof *j);

    ballot_make(f, j, i, choice);
    j->voter = sign ? i : -1;
    assert_int_equal(store_write(f->s, run_insert, j), 0);
    free(j->body);
    free(j);
}

static void close_election(fixture *f)
{
    f->c.now += 7200;
    assert_int_equal(tu_bureau_seal(f->s, &f->c, f->ts, "close", 0, 2), 0);
    assert_int_equal(election_close(f->s, &f->c), ELECTION_OK);
}

/* Holders who sign the state the officer hands them without recomputing it
 * (what every holder did before): honest holders refuse this box, and the
 * server's alarm at the count is what is left. */
static void close_unchecked(fixture *f)
{
    json_t *st, *m;
    char *text;

    f->c.now += 7200;
    assert_int_not_equal(tu_bureau_seal(f->s, &f->c, f->ts, "close", 0, 2), 0);
    assert_int_equal(ceremony_seal_state(f->s, "close", f->c.assets, &st, NULL), 0);
    for (uint64_t h = 0; h <= 2; h += 2) {
        m = json_pack("{sssOsssIsO}", "format", CEREMONY_FORMAT, "eid",
                      json_object_get(st, "eid"), "kind", "seal-close", "holder",
                      (json_int_t)h, "state", st);
        assert_int_equal(ceremony_message_sign(m, f->ts[h].sign_sk), 0);
        text = json_dumps(m, JSON_COMPACT);
        assert_int_equal(ceremony_post(f->s, &f->c, text, strlen(text)), ELECTION_OK);
        free(text);
        json_decref(m);
    }
    json_decref(st);
    assert_int_equal(election_close(f->s, &f->c), ELECTION_OK);
}

static int post_partial(fixture *f, uint64_t holder, json_t **keep)
{
    return tu_bureau_partial(f->s, &f->c, &f->ts[holder], keep);
}

static int count_event(store_tx *tx, void *arg)
{
    return store_audit_count(tx, "tally-alarm", arg);
}

static json_t *scrutin_of(json_t *results, const char *id)
{
    size_t i;
    json_t *s;

    json_array_foreach(json_object_get(results, "scrutins"), i, s)
        if (strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
            return s;
    return NULL;
}

static void test_count_and_results(void **state)
{
    fixture *f = *state;
    const int choices[VOTERS] = { 0, 0, 2, 0, -1, 3 };
    json_t *r, *s, *lists, *bad;
    election_status st;
    char *text;
    const json_int_t want[4] = { 3, 0, 1, 1 }, seats[4] = { 9, 0, 3, 3 };

    for (int i = 0; i < VOTERS; i++)
        vote(f, i, choices[i], 1);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_REFUSED);   /* still open */
    close_election(f);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_OK);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_REFUSED);   /* once */
    assert_int_equal(tally_document(f->s, "results", &r), STORE_ENOTFOUND);
    /* the president and one delegate are not enough */
    assert_int_equal(post_partial(f, 0, NULL), ELECTION_OK);
    assert_int_equal(post_partial(f, 2, &bad), ELECTION_OK);
    assert_int_equal(tally_document(f->s, "results", &r), STORE_ENOTFOUND);
    /* a partial decryption posted twice, or with a changed factor, is refused */
    text = json_dumps(bad, JSON_COMPACT);
    assert_int_equal(tally_post_partial(f->s, &f->c, text, strlen(text)), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "already posted"));
    free(text);
    json_object_set_new(bad, "holder", json_integer(3));
    json_array_set(json_object_get(json_array_get(json_object_get(bad, "scrutins"), 1), "factors"),
                   0, json_array_get(json_object_get(json_array_get(json_object_get(bad,
                   "scrutins"), 1), "factors"), 1));
    assert_int_equal(ceremony_message_sign(bad, f->ts[3].sign_sk), 0);
    text = json_dumps(bad, JSON_COMPACT);
    assert_int_equal(tally_post_partial(f->s, &f->c, text, strlen(text)), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "holder 3: the proof of decryption of list 1"));
    free(text);
    json_decref(bad);
    /* the second delegate completes the quorum */
    assert_int_equal(post_partial(f, 3, NULL), ELECTION_OK);
    assert_non_null(strstr(f->c.msg, "results are published"));
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_string_equal(st.state, "tallied");
    assert_int_equal(tally_document(f->s, "results", &r), STORE_OK);
    s = scrutin_of(r, SCRUTIN);
    assert_non_null(s);
    lists = json_object_get(s, "lists");
    for (size_t l = 0; l < 4; l++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(lists, l), "votes")),
                         want[l]);
    assert_int_equal(json_integer_value(json_object_get(s, "ballots")), VOTERS);
    assert_int_equal(json_integer_value(json_object_get(s, "blank")), 1);
    assert_int_equal(json_integer_value(json_object_get(s, "signatures")), VOTERS);
    assert_int_equal(json_integer_value(json_object_get(s, "registered")), VOTERS);
    assert_string_equal(json_string_value(json_object_get(s, "turnout_percent")), "100.00");
    /* 15 seats at the highest average for 3, 0, 1, 1 votes: ties on the
     * average go to the list with more votes, then by lot between the two
     * one-vote lists, which end even: 9, 0, 3, 3 */
    for (size_t l = 0; l < 4; l++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(lists, l), "seats")),
                         seats[l]);
    assert_int_equal(json_integer_value(json_object_get(s, "seats_allocated")), 15);
    assert_int_equal(json_array_size(json_object_get(r, "decrypted_by")), 3);
    /* the official reports */
    {
        report_info info = { "Élections 2026", "Ministère", "ab12", "2026-12-08 18:00 UTC", "fr" };
        char err[REPORT_ERR_CHARS], out[8192];

        assert_int_equal(report_write(f->dir, r, &info, err, sizeof err), 0);
        assert_int_equal(tu_sh(out, sizeof out, "pdftotext %s/pv-csa-ministere.pdf - | tr -s ' '",
                               f->dir), 0);
        assert_non_null(strstr(out, "Procès-verbal"));
        assert_non_null(strstr(out, "Comité social d'administration ministériel"));
        assert_non_null(strstr(out, "Délégué(e) — Délégué 3"));
        assert_non_null(strstr(out, "100.00 %"));
        assert_int_equal(tu_sh(out, sizeof out, "cat %s/pv-csa-ministere.csv", f->dir), 0);
        assert_non_null(strstr(out, "csa-ministere,6,6,6,1,5,100.00,\"Union A\",\"Union A\",3,9,"));
        assert_non_null(strstr(out, "\"Syndicat B\",\"Syndicat B\",0,0,"));
        assert_int_equal(tu_sh(out, sizeof out, "cat %s/pv-cap-attaches.json", f->dir), 0);
        assert_non_null(strstr(out, "\"archive_blake2b\": \"ab12\""));
        report_cleanup();
    }
    assert_int_equal(election_publish(f->s, &f->c), ELECTION_OK);
    assert_int_equal(election_publish(f->s, &f->c), ELECTION_REFUSED);
    /* the cap-attaches scrutin had no ballot */
    s = scrutin_of(r, "cap-attaches");
    assert_int_equal(json_integer_value(json_object_get(s, "ballots")), 0);
    assert_int_equal(json_integer_value(json_object_get(s, "seats_allocated")), 0);
    json_decref(r);
}

static void test_stuffed_box(void **state)
{
    fixture *f = *state;
    uint64_t alarms = 0;
    election_status st;
    json_t *r;

    vote(f, 0, 1, 1);
    vote(f, 1, 2, 0);                  /* a ballot without a signature */
    close_unchecked(f);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "ALARM: scrutin csa-ministere: 2 ballots in the box but "
                                     "1 signatures"));
    assert_int_equal(store_read(f->s, count_event, &alarms), 0);
    assert_int_equal(alarms, 1);
    assert_int_equal(tally_document(f->s, "sums", &r), STORE_ENOTFOUND);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_string_equal(st.state, "closed");
}

static int change_ballot(const uint8_t *tracker, const char *body, void *arg)
{
    char **out = arg;

    (void)tracker;
    *out = strdup(body);
    return 1;
}

static int run_first_body(store_tx *tx, void *arg)
{
    return store_ballots_page(tx, SCRUTIN, NULL, 1, change_ballot, arg) == 1 ? 0 : -1;
}

static void test_invalid_ballot(void **state)
{
    fixture *f = *state;
    insert_job j = { f, -1, NULL, { 0 }, { 0 }, 0 };     /* the JSON form only */
    char *body = NULL, *p;
    uint64_t alarms = 0;

    vote(f, 0, 1, 1);
    assert_int_equal(store_read(f->s, run_first_body, &body), 0);
    /* the same ballot with one proof digit changed, under its own tracker,
     * signed for in the list (so the counts agree) */
    p = strstr(body, "\"s\":\"") + 5;
    *p = *p == '0' ? '1' : '0';
    j.voter = 1;
    j.body = body;
    ballot_tracker(j.tracker, body);
    assert_int_equal(store_write(f->s, run_insert, &j), 0);
    free(body);
    close_unchecked(f);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "fails its proofs"));
    assert_int_equal(store_read(f->s, count_event, &alarms), 0);
    assert_int_equal(alarms, 1);
}

/* ---- voteverify on the archive of the election, intact and corrupted ---- */

typedef void (*mutation)(json_t *line);

static size_t dump_flags = JSON_COMPACT;  /* how mutate() writes the line it changed */

static void write_archive(fixture *f, const char *path)
{
    FILE *out = fopen(path, "w");

    assert_non_null(out);
    assert_int_equal(box_archive_write(f->s, audit_signer_get(), out), STORE_OK);
    fclose(out);
}

/* With KEEP_ARCHIVE=PATH in the environment, a copy of the archive at from
 * (mode 0600) for tests/outside: test_verifier keeps its genuine archive
 * after the count. */
static void keep_archive(const char *from)
{
    const char *to = getenv("KEEP_ARCHIVE");
    char buf[65536];
    size_t n;
    FILE *in, *out;
    int fd;

    if (to == NULL || to[0] == '\0')
        return;
    in = fopen(from, "r");
    fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    out = fd >= 0 ? fdopen(fd, "w") : NULL;
    assert_non_null(in);
    if (out == NULL)
        fail_msg("KEEP_ARCHIVE=%s cannot be written", to);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Copy the archive, applying m to the first line holding `key` (its JSON
 * object); drop it instead if m is NULL. */
static void mutate(const char *from, const char *to, const char *key, mutation m)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    char *line = NULL;
    size_t cap = 0;
    int done = 0;

    assert_non_null(in);
    assert_non_null(out);
    while (getline(&line, &cap, in) > 0) {
        json_t *j = json_loads(line, 0, NULL);

        if (!done && json_object_get(j, key) != NULL) {
            done = 1;
            if (m != NULL) {
                char *text;

                m(j);
                text = json_dumps(j, dump_flags);
                fprintf(out, "%s\n", text);
                free(text);
            }
        } else {
            fputs(line, out);
        }
        json_decref(j);
    }
    assert_true(done);
    free(line);
    fclose(in);
    fclose(out);
}

/* dir/archive.jsonl copied to dir/bad.jsonl with `extra` (len bytes, may
 * hold a NUL) appended to the first line holding `key`, before its newline. */
static void append_raw(const char *dir, const char *key, const char *extra, size_t len)
{
    char from[600], to[600];
    FILE *in, *out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int done = 0;

    snprintf(from, sizeof from, "%s/archive.jsonl", dir);
    snprintf(to, sizeof to, "%s/bad.jsonl", dir);
    in = fopen(from, "r");
    out = fopen(to, "w");
    assert_non_null(in);
    assert_non_null(out);
    while ((n = getline(&line, &cap, in)) > 0) {
        if (!done && strstr(line, key) != NULL && line[n - 1] == '\n') {
            done = 1;
            assert_int_equal(fwrite(line, 1, (size_t)n - 1, out), (size_t)n - 1);
            assert_int_equal(fwrite(extra, 1, len, out), len);
            fputc('\n', out);
        } else {
            assert_int_equal(fwrite(line, 1, (size_t)n, out), (size_t)n);
        }
    }
    assert_true(done);
    free(line);
    fclose(in);
    fclose(out);
}

/* voteverify's output and exit status on path. */
static int verify(const char *path, char *out, size_t outlen)
{
    const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

    return tu_sh(out, outlen, "%s/voteverify --threads 2 %s", b, path);
}

/* The same with options before the archive's path. */
static int verify_with(const char *opts, const char *path, char *out, size_t outlen)
{
    const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

    return tu_sh(out, outlen, "%s/voteverify --threads 2 %s %s", b, opts, path);
}

/* dir/archive.jsonl mutated into dir/bad.jsonl; voteverify with opts rejects
 * it with a FAIL line holding `what` (and `detail`, if not NULL). */
static void expect_fail_with(const char *dir, const char *key, mutation m, const char *opts,
                             const char *what, const char *detail)
{
    char from[600], to[600], out[16384], line[300];

    snprintf(from, sizeof from, "%s/archive.jsonl", dir);
    snprintf(to, sizeof to, "%s/bad.jsonl", dir);
    mutate(from, to, key, m);
    assert_int_not_equal(verify_with(opts, to, out, sizeof out), 0);
    snprintf(line, sizeof line, "FAIL %s", what);
    if (strstr(out, line) == NULL || (detail != NULL && strstr(out, detail) == NULL))
        fail_msg("no \"%s\" (%s) in:\n%s", line, detail ? detail : "", out);
}

/* dir/archive.jsonl mutated into dir/bad.jsonl; voteverify with opts accepts
 * it (a change the archive and these options cannot reveal). */
static void expect_ok_with(const char *dir, const char *key, mutation m, const char *opts)
{
    char from[600], to[600], out[16384];

    snprintf(from, sizeof from, "%s/archive.jsonl", dir);
    snprintf(to, sizeof to, "%s/bad.jsonl", dir);
    mutate(from, to, key, m);
    if (verify_with(opts, to, out, sizeof out) != 0)
        fail_msg("%s", strstr(out, "FAIL") ? strstr(out, "FAIL") : out);
}

static void expect_fail(const char *dir, const char *key, mutation m, const char *what)
{
    expect_fail_with(dir, key, m, "", what, NULL);
}

static void flip_hex(json_t *obj, const char *key)
{
    char *s = strdup(json_string_value(json_object_get(obj, key)));

    s[0] = s[0] == 'a' ? 'b' : 'a';
    json_object_set_new(obj, key, json_string(s));
    free(s);
}

/* The line's tracker made the hash of its ballot's canonical form. */
static void retrack(json_t *j)
{
    char *text = json_dumps(json_object_get(j, "ballot"), JSON_COMPACT | JSON_SORT_KEYS);
    uint8_t t[32];
    char hex[65];

    ballot_tracker(t, text);
    free(text);
    hex_encode(hex, t, 32);
    json_object_set_new(j, "tracker", json_string(hex));
}

/* A proof changed, the ballot re-tracked so that only the proof is wrong. */
static void bad_proof(json_t *j)
{
    json_t *b = json_object_get(j, "ballot");
    json_t *br = json_array_get(json_object_get(json_array_get(json_object_get(b, "lists"), 0),
                                                "proof"), 0);

    flip_hex(br, "c");
    retrack(j);
}

static void bad_tracker(json_t *j)
{
    flip_hex(json_object_get(json_object_get(j, "ballot"), "signature"), "s");
}

static void drop_credential(json_t *j)
{
    json_array_clear(json_object_get(j, "credentials"));
}

/* The same credentials and flags in reverse order (§14: by scrutin id, then bytes). */
static void reverse_credentials(json_t *j)
{
    json_t *line = json_object_get(j, "credentials"), *rev = json_array();
    size_t n = json_array_size(line);

    for (size_t i = n; i > 0; i--)
        json_array_append(rev, json_array_get(line, i - 1));
    json_object_set_new(j, "credentials", rev);
}

/* Two neighbours of one scrutin swapped. */
static void swap_credentials(json_t *j)
{
    json_t *line = json_object_get(j, "credentials"), *a = json_incref(json_array_get(line, 0));

    json_array_set(line, 0, json_array_get(line, 1));
    json_array_set_new(line, 1, a);
}

static void more_seats(json_t *j)
{
    json_t *sc = json_array_get(json_object_get(json_object_get(json_object_get(j, "election"),
                                                                "definition"), "scrutins"), 0);

    json_object_set_new(sc, "seats", json_integer(7));
}

static void bad_keys_proof(json_t *j)
{
    flip_hex(json_array_get(json_object_get(json_object_get(j, "documents"), "keys"), 2),
             "proof");
}

static void drop_seal(json_t *j)
{
    json_array_clear(json_object_get(json_object_get(j, "documents"), "seal-close"));
}

static void swap_sums(json_t *j)
{
    json_t *sc = json_array_get(json_object_get(json_array_get(json_object_get(
                     json_object_get(j, "documents"), "sums"), 0), "scrutins"), 1);
    json_t *sums = json_object_get(sc, "sums"), *first = json_incref(json_array_get(sums, 0));

    json_array_set(sums, 0, json_array_get(sums, 1));
    json_array_set_new(sums, 1, first);
}

static void bad_partial(json_t *j)
{
    json_t *p = json_array_get(json_object_get(json_object_get(j, "documents"), "partial"), 1);
    json_t *f = json_object_get(json_array_get(json_object_get(p, "scrutins"), 1), "factors");
    json_t *first = json_incref(json_array_get(f, 0));

    json_array_set(f, 0, json_array_get(f, 1));
    json_array_set_new(f, 1, first);
}

static void bad_results(json_t *j)
{
    json_t *r = json_array_get(json_object_get(json_object_get(j, "documents"), "results"), 0);
    json_t *l = json_array_get(json_object_get(json_array_get(json_object_get(r, "scrutins"), 1),
                                               "lists"), 1);

    json_object_set_new(l, "votes", json_integer(1));
}

static json_t *results_of(json_t *j)
{
    return json_array_get(json_object_get(json_object_get(j, "documents"), "results"), 0);
}

/* The results name the sums by their untagged BLAKE2b-256 (before §16's tag). */
static void results_untagged_sums(json_t *j)
{
    json_t *sums = json_array_get(json_object_get(json_object_get(j, "documents"), "sums"), 0);
    char *text = json_dumps(sums, JSON_COMPACT | JSON_SORT_KEYS);
    uint8_t d[32];

    crypto_generichash(d, 32, (const uint8_t *)text, strlen(text), NULL, 0);
    json_object_set_new(results_of(j), "sums", tu_jhex(d, 32));
    free(text);
}

static void results_turnout(json_t *j)
{
    json_object_set_new(json_array_get(json_object_get(results_of(j), "scrutins"), 0),
                        "turnout_percent", json_string("99.99"));
}

static void results_expressed(json_t *j)
{
    json_t *r = json_array_get(json_object_get(results_of(j), "scrutins"), 0);

    json_object_set_new(r, "expressed", json_integer(json_integer_value(json_object_get(r,
                                                                          "expressed")) + 1));
}

static void results_tie_break(json_t *j)
{
    json_object_set_new(results_of(j), "tie_break", json_pack("[s]", "lot"));
}

static void results_decrypted_by(json_t *j)
{
    json_array_remove(json_object_get(results_of(j), "decrypted_by"), 1);
}

/* A tallied archive without its results, or with two. */
static void drop_results(json_t *j)
{
    json_array_clear(json_object_get(json_object_get(j, "documents"), "results"));
}

static void two_results(json_t *j)
{
    json_t *r = json_object_get(json_object_get(j, "documents"), "results");

    json_array_append_new(r, json_deep_copy(json_array_get(r, 0)));
}

/* §16: "No other field is present", at the top level and in a scrutin. */
static void results_extra_top(json_t *j)
{
    json_object_set_new(results_of(j), "note", json_string("recount pending"));
}

static void results_extra_scrutin(json_t *j)
{
    json_object_set_new(json_array_get(json_object_get(results_of(j), "scrutins"), 1), "winner",
                        json_string("liste A"));
}

static void drop_reissue(json_t *j)
{
    json_array_clear(json_object_get(json_object_get(j, "documents"), "reissue"));
}

typedef struct {
    const char *number;
    int64_t *id;
    int *struck;
} find_voter;

static int find_voter_job(store_tx *tx, void *arg)
{
    find_voter *v = arg;

    return store_voter_find(tx, v->number, v->id, v->struck);
}

static void bad_checkpoint(json_t *j)
{
    flip_hex(json_array_get(json_object_get(j, "checkpoints"), 0), "signature");
}

/* ---- the ballot lines: one encoding, the canonical one (§14) ---- */

/* The ballot's keys in another order, same content and tracker. */
static void ballot_keys_reordered(json_t *j)
{
    static const char *const keys[] = { "version", "signature", "scrutin", "range", "lists",
                                        "election", "credential" };
    json_t *b = json_object_get(j, "ballot"), *r = json_object();

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        json_object_set(r, keys[i], json_object_get(b, keys[i]));
    json_object_set_new(j, "ballot", r);
}

/* The line's own keys in the other order: {"ballot", "tracker"}. */
static void line_keys_reordered(json_t *j)
{
    json_t *t = json_incref(json_object_get(j, "tracker"));

    json_object_del(j, "tracker");
    json_object_set_new(j, "tracker", t);
}

static void unchanged(json_t *j)
{
    (void)j;
}

/* Another tracker, a valid hex digest that is not the ballot's. */
static void other_tracker(json_t *j)
{
    flip_hex(j, "tracker");
}

/* The range's min as a string, the ballot re-tracked over that form. */
static void min_as_string(json_t *j)
{
    json_t *r = json_object_get(json_object_get(j, "ballot"), "range");
    char text[24];

    snprintf(text, sizeof text, "%lld", (long long)json_integer_value(json_object_get(r, "min")));
    json_object_set_new(r, "min", json_string(text));
    retrack(j);
}

/* A 0/1 proof branch with a fifth key, re-tracked. */
static void branch_extra_key(json_t *j)
{
    json_t *b = json_object_get(j, "ballot");

    json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(b, "lists"),
                                                                      0), "proof"), 0),
                        "x", json_string("00"));
    retrack(j);
}

/* List 0's ciphertext with its first half replaced by `hex` (64 digits),
 * re-tracked: the line stays canonical, only the point is wrong. */
static void ct_first_half(json_t *j, const char *hex)
{
    json_t *l = json_array_get(json_object_get(json_object_get(j, "ballot"), "lists"), 0);
    char ct[129];

    snprintf(ct, sizeof ct, "%s%s", hex, json_string_value(json_object_get(l, "ct")) + 64);
    json_object_set_new(l, "ct", json_string(ct));
    retrack(j);
}

/* The identity (all zero), refused in a ciphertext. */
static void ct_identity(json_t *j)
{
    ct_first_half(j, "0000000000000000000000000000000000000000000000000000000000000000");
}

/* p = 2^255 - 19 as a field element: a non-canonical encoding. */
static void ct_noncanonical(json_t *j)
{
    ct_first_half(j, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
}

/* A response s = L (the group order): a scalar that is not reduced. */
static void scalar_noncanonical(json_t *j)
{
    json_t *b = json_object_get(j, "ballot");
    json_t *br = json_array_get(json_object_get(json_array_get(json_object_get(b, "lists"), 0),
                                                "proof"), 1);

    json_object_set_new(br, "s", json_string("edd3f55c1a631258d69cf7a2def9de14"
                                             "00000000000000000000000000000010"));
    retrack(j);
}

/* The credential in uppercase hex, re-tracked over that form. */
static void hex_uppercase(json_t *j)
{
    json_t *b = json_object_get(j, "ballot");
    char *s = strdup(json_string_value(json_object_get(b, "credential")));

    for (char *p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    json_object_set_new(b, "credential", json_string(s));
    free(s);
    retrack(j);
}

/* ---- the checkpoints: the end line names how many and the last ---- */

static json_int_t kept_seq;
static char kept_hash[65];

/* The last checkpoint dropped; the one before it kept in kept_*. */
static void drop_last_checkpoint(json_t *j)
{
    json_t *c = json_object_get(j, "checkpoints"), *last;

    assert_true(json_array_size(c) >= 2);
    json_array_remove(c, json_array_size(c) - 1);
    last = json_array_get(c, json_array_size(c) - 1);
    kept_seq = json_integer_value(json_object_get(last, "seq"));
    snprintf(kept_hash, sizeof kept_hash, "%s", json_string_value(json_object_get(last, "hash")));
}

/* The end line made to agree with the dropped checkpoint (it is not signed). */
static void end_after_drop(json_t *j)
{
    json_t *e = json_object_get(j, "end");

    json_object_set_new(e, "checkpoints",
                        json_integer(json_integer_value(json_object_get(e, "checkpoints")) - 1));
    json_object_set_new(e, "last_checkpoint", json_pack("{s:I,s:s}", "seq", kept_seq, "hash",
                                                        kept_hash));
}

/* The end line's signature with one bit flipped. */
static void end_flip_signature(json_t *j)
{
    json_t *e = json_object_get(j, "end");
    char sig[129];

    snprintf(sig, sizeof sig, "%s", json_string_value(json_object_get(e, "signature")));
    sig[0] = sig[0] == '0' ? '1' : '0';
    json_object_set_new(e, "signature", json_string(sig));
}

/* The end line of an archive made earlier (honestly signed then), its lines
 * and checkpoints line adjusted to the archive it is spliced onto. */
static json_t *early_end;

static void checkpoints_as_early(json_t *j)
{
    json_t *c = json_object_get(j, "checkpoints");
    size_t keep = (size_t)json_integer_value(json_object_get(early_end, "checkpoints"));

    assert_true(json_array_size(c) > keep);
    while (json_array_size(c) > keep)
        json_array_remove(c, json_array_size(c) - 1);
}

static void end_from_early(json_t *j)
{
    json_t *e = json_deep_copy(early_end);

    json_object_set(e, "lines", json_object_get(json_object_get(j, "end"), "lines"));
    json_object_set_new(j, "end", e);
}

/* The head's state set to the early end's. */
static void state_as_early(json_t *j)
{
    json_object_set(json_object_get(j, "election"), "state",
                    json_object_get(early_end, "state"));
}

/* The end line of the archive at path (new reference). */
static json_t *read_end(const char *path)
{
    FILE *in = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    json_t *end = NULL;

    assert_non_null(in);
    while (getline(&line, &cap, in) > 0) {
        json_t *j = json_loads(line, 0, NULL);

        if (json_object_get(j, "end") != NULL) {
            json_decref(end);
            end = json_incref(json_object_get(j, "end"));
        }
        json_decref(j);
    }
    free(line);
    fclose(in);
    assert_non_null(end);
    return end;
}

/* dir/archive.jsonl with its checkpoints cut back to an earlier archive's and
 * that archive's end line (and, if head, its state in the head) spliced on:
 * rejected from the archive alone with `what`. */
static void expect_splice_fails(const char *dir, json_t *end, int head, const char *what)
{
    char from[600], bad[600], bad2[600], out[16384], line[300];

    early_end = end;
    snprintf(from, sizeof from, "%s/archive.jsonl", dir);
    snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);
    snprintf(bad2, sizeof bad2, "%s/bad2.jsonl", dir);
    mutate(from, bad, "checkpoints", checkpoints_as_early);
    mutate(bad, bad2, "end", end_from_early);
    if (head)
        mutate(bad2, bad, "election", state_as_early);
    assert_int_not_equal(verify(head ? bad : bad2, out, sizeof out), 0);
    snprintf(line, sizeof line, "FAIL %s", what);
    if (strstr(out, line) == NULL)
        fail_msg("no \"%s\" in:\n%s", line, out);
    /* the checkpoints agree with the end: only the state gives it away */
    assert_non_null(strstr(out, "ok   archive end: signed by the audit key"));
    assert_non_null(strstr(out, "ok   audit checkpoints: the end line names"));
    remove(bad2);
}

/* Count, the president and two delegates decrypt, archive to path: voteverify's
 * exit status and output. */
static int count_and_archive(fixture *f, const char *path, char *out, size_t outlen)
{
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_OK);
    for (uint64_t h = 0; h < N; h++)
        if (h != 1)
            assert_int_equal(post_partial(f, h, NULL), ELECTION_OK);
    write_archive(f, path);
    return verify(path, out, outlen);
}

static void test_verifier(void **state)
{
    fixture *f = *state;
    char path[600], out[16384];
    const int choices[VOTERS] = { 0, 2, 2, -1, 3, 0 };

    json_t *end_open, *end_closed;

    snprintf(path, sizeof path, "%s/archive.jsonl", f->dir);
    for (int i = 0; i < VOTERS; i++)
        vote(f, i, choices[i], 1);
    /* an archive made during the vote: its end is signed, with the state open */
    write_archive(f, path);
    end_open = read_end(path);
    assert_string_equal(json_string_value(json_object_get(end_open, "state")), "open");
    close_election(f);
    /* before the count, every ballot is checked already */
    write_archive(f, path);
    end_closed = read_end(path);
    if (verify(path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   archive end: signed by the audit key (state closed)"));
    assert_non_null(strstr(out, "ok   count: none published yet (state closed)"));
    expect_fail(f->dir, "tracker", bad_proof, "scrutin csa-ministere: 1 invalid ballot(s)");
    remove(path);
    /* after it */
    if (count_and_archive(f, path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ARCHIVE VERIFIED"));
    assert_null(strstr(out, "FAIL"));
    keep_archive(path);
    expect_fail(f->dir, "tracker", bad_proof, "scrutin csa-ministere: 1 invalid ballot(s)");
    expect_fail(f->dir, "tracker", bad_tracker, "scrutin csa-ministere: 1 invalid ballot(s); "
                "first: ballot");
    expect_fail(f->dir, "tracker", NULL, "scrutin csa-ministere: ballots (5) = signatures (6)");
    expect_fail(f->dir, "credentials", drop_credential, "the box's credentials are exactly");
    expect_fail(f->dir, "credentials", reverse_credentials, "the box's credentials are exactly");
    expect_fail(f->dir, "credentials", swap_credentials, "the box's credentials are exactly");
    expect_fail(f->dir, "election", more_seats, "fingerprint");
    expect_fail(f->dir, "documents", bad_keys_proof, "key ceremony: holder 2");
    expect_fail(f->dir, "documents", drop_seal, "seals before close");
    expect_fail(f->dir, "documents", swap_sums, "sums");
    expect_fail(f->dir, "documents", bad_partial, "partial decryption of holder 2");
    expect_fail(f->dir, "documents", bad_results, "scrutin csa-ministere: published votes");
    expect_fail(f->dir, "documents", results_untagged_sums, "results: sums = Hb(votesrv/v1/sums");
    expect_fail(f->dir, "documents", results_turnout, "results: seats, expressed");
    expect_fail(f->dir, "documents", results_expressed, "results: seats, expressed");
    expect_fail(f->dir, "documents", results_tie_break, "results: tie_break");
    expect_fail(f->dir, "documents", results_decrypted_by, "results: decrypted_by");
    expect_fail(f->dir, "documents", results_extra_top, "results: every object holds exactly");
    expect_fail(f->dir, "documents", drop_results, "results: none published yet (state tallied)");
    expect_fail(f->dir, "documents", two_results, "count: at most one sums and one results");
    expect_fail(f->dir, "documents", results_extra_scrutin, "results: every object holds exactly");
    expect_fail(f->dir, "checkpoints", bad_checkpoint, "audit checkpoints");
    expect_fail(f->dir, "end", NULL, "archive complete");
    /* the end line is signed by the audit key (the signer reads what it signs) */
    expect_fail(f->dir, "end", end_flip_signature, "archive end: signed by the audit key");
    /* an end signed earlier, with the checkpoints cut back to agree: the state
     * it names is not the election's, or one without results */
    expect_splice_fails(f->dir, end_open, 0, "archive end: its state open is the election's");
    expect_splice_fails(f->dir, end_closed, 1,
                        "archive end: its state closed is the election's (closed), one in "
                        "which the results exist");
    json_decref(end_open);
    json_decref(end_closed);
    /* a ballot line must be exactly its canonical form: one encoding per ballot */
    expect_fail_with(f->dir, "tracker", ballot_keys_reordered, "",
                     "scrutin csa-ministere: 1 invalid ballot(s)",
                     "is not written in its canonical form");
    expect_fail_with(f->dir, "tracker", line_keys_reordered, "",
                     "scrutin csa-ministere: 1 invalid ballot(s)",
                     "is not written in its canonical form");
    dump_flags = 0;                    /* {"tracker": "…", "ballot": {…}}: spaces */
    expect_fail_with(f->dir, "tracker", unchanged, "", "scrutin csa-ministere: 1 invalid ballot(s)",
                     "is not written in its canonical form");
    dump_flags = JSON_COMPACT;
    expect_ok_with(f->dir, "tracker", unchanged, "");   /* the same bytes again: accepted */
    /* strict fields, and the tracker recomputed from the canonical form */
    expect_fail_with(f->dir, "tracker", other_tracker, "", "scrutin csa-ministere: 1 invalid",
                     "does not hash to its tracker");
    expect_fail_with(f->dir, "tracker", min_as_string, "", "scrutin csa-ministere: 1 invalid",
                     "has a range that is not {min, max, proof} with integer bounds");
    expect_fail_with(f->dir, "tracker", branch_extra_key, "", "scrutin csa-ministere: 1 invalid",
                     "has a malformed ciphertext or 0/1 proof");
    /* canonical lines (read where they stand) whose content is refused: a
     * tampered proof, the identity or a non-canonical point in a ciphertext,
     * a non-reduced scalar; and a line in uppercase hex (not canonical) */
    {
        static const struct {
            mutation m;
            const char *why;
        } refused[] = {
            { bad_proof, "fails its proofs or its credential signature" },
            { ct_identity, "fails its proofs or its credential signature" },
            { ct_noncanonical, "fails its proofs or its credential signature" },
            { scalar_noncanonical, "fails its proofs or its credential signature" },
            { hex_uppercase, "has a malformed credential" },
        };

        for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
            expect_fail_with(f->dir, "tracker", refused[i].m, "",
                             "scrutin csa-ministere: 1 invalid", refused[i].why);
    }
    /* a NUL and other bytes after a canonical ballot line (or the head):
     * bytes no check reads, refused (they were cut off by the copy of the line) */
    {
        static const char junk[] = "\0{\"ballot\":\"not read\"}";
        char path2[700];

        snprintf(path2, sizeof path2, "%s/bad.jsonl", f->dir);

        append_raw(f->dir, "\"tracker\"", junk, sizeof junk - 1);
        assert_int_not_equal(verify(path2, out, sizeof out), 0);
        if (strstr(out, "FAIL archive: line 4 holds a NUL byte") == NULL)
            fail_msg("%s", out);
        append_raw(f->dir, "\"format\"", junk, sizeof junk - 1);
        assert_int_not_equal(verify(path2, out, sizeof out), 0);
        if (strstr(out, "FAIL archive: line 1 holds a NUL byte") == NULL)
            fail_msg("%s", out);
    }
    /* the last checkpoint removed: the end line says there was one more */
    expect_fail(f->dir, "checkpoints", drop_last_checkpoint,
                "audit checkpoints: the end line names");
    /* with the audit log: its chain, the checkpoints in it, casts = signatures */
    {
        const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

        tu_audit_file(f->s, f->dir);
        if (tu_sh(out, sizeof out, "%s/voteverify --audit-log %s/registry.db %s", b, f->dir,
                  path) != 0)
            fail_msg("%s", out);
        assert_non_null(strstr(out, "ok   audit log: scrutin csa-ministere: 6 casts recorded = "
                                    "6 signatures"));
        assert_int_not_equal(tu_sh(out, sizeof out, "cp %s/registry.db %s/copy.db && "
                                   "python3 -c \"import sqlite3; c = sqlite3.connect('%s/copy.db'); "
                                   "c.execute(\\\"update audit set actor = 'mallory' where seq = 3\\\"); "
                                   "c.commit()\" && %s/voteverify --audit-log %s/copy.db %s",
                                   f->dir, f->dir, f->dir, b, f->dir, path), 0);
        assert_non_null(strstr(out, "FAIL audit log: entry 3 does not chain or match its hash"));
        assert_non_null(strstr(out, "ok   audit log: every entry due a checkpoint up to"));
    }
    /* the last checkpoint removed, and the end line edited to agree: its
     * signature no longer verifies, from the archive alone; the audit log
     * also names the entry that lost its checkpoint */
    {
        char opts[700], bad[600], bad2[600];

        snprintf(opts, sizeof opts, "--audit-log %s/registry.db", f->dir);
        expect_fail_with(f->dir, "checkpoints", drop_last_checkpoint, opts,
                         "audit checkpoints: the end line names",
                         "FAIL audit log: every entry due a checkpoint up to");
        snprintf(bad, sizeof bad, "%s/bad.jsonl", f->dir);
        snprintf(bad2, sizeof bad2, "%s/bad2.jsonl", f->dir);
        mutate(bad, bad2, "end", end_after_drop);
        assert_int_not_equal(verify(bad2, out, sizeof out), 0);
        if (strstr(out, "FAIL archive end: signed by the audit key") == NULL ||
            strstr(out, "ok   audit checkpoints: the end line names") == NULL)
            fail_msg("%s", out);
        assert_int_not_equal(verify_with(opts, bad2, out, sizeof out), 0);
        if (strstr(out, "FAIL audit log: every entry due a checkpoint up to") == NULL)
            fail_msg("%s", out);
        remove(bad2);
    }
}


/* ---- credentials: only the authority's signature lets one in ---- */

/* The authority's key: the example definition names the demo authority, and
 * the test holds its seed as the authority would. */
static void authority_sk(uint8_t sk[64])
{
    uint8_t seed[32], pk[32];

    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, sk, seed);
}

static void hex_set(json_t *o, const char *key, const uint8_t *b, size_t n)
{
    char hex[129];

    hex_encode(hex, b, n);
    json_object_set_new(o, key, json_string(hex));
}

static json_t *docs_of(json_t *j, const char *kind)
{
    return json_object_get(json_object_get(j, "documents"), kind);
}

static void lists_format(json_t *j)
{
    json_object_set_new(json_array_get(docs_of(j, "credential-lists"), 0), "format",
                        json_string("votesrv-credentials/1"));
}

static void reissue_format(json_t *j)
{
    json_object_set_new(json_array_get(docs_of(j, "reissue"), 0), "format",
                        json_string("votesrv-reissue-record/2"));
}

/* Record 1 re-signed by the authority with a second entry in the same
 * scrutin (revoking another listed credential): §7.2 names a scrutin at most
 * once per record, and the server never applies such a record. */
static void reissue_scrutin_twice(json_t *j)
{
    json_t *r = json_array_get(docs_of(j, "reissue"), 0);
    json_t *entries = json_object_get(r, "entries"), *first = json_array_get(entries, 0), *e;
    json_t *list = json_object_get(json_array_get(json_object_get(json_array_get(
        docs_of(j, "credential-lists"), 0), "lists"), 0), "credentials");
    const char *eid = json_string_value(json_object_get(r, "election"));
    const char *sc = json_string_value(json_object_get(first, "scrutin"));
    const char *other = json_string_value(json_array_get(list, 0));
    uint8_t sk[64], rev[2][32], fresh[2][32], digest[32], sig[64];
    credential_reissue_hash h;

    if (strcmp(other, json_string_value(json_object_get(first, "revoked"))) == 0)
        other = json_string_value(json_array_get(list, 1));
    e = json_pack("{s:s,s:s,s:s}", "scrutin", sc, "revoked", other, "fresh", other);
    crypto_core_ristretto255_random(fresh[1]);
    hex_set(e, "fresh", fresh[1], 32);
    json_array_append_new(entries, e);
    credential_reissue_init(&h, eid, 1, 2);
    for (size_t i = 0; i < 2; i++) {
        e = json_array_get(entries, i);
        assert_int_equal(hex_decode(rev[i], 32, json_string_value(json_object_get(e, "revoked"))),
                         0);
        assert_int_equal(hex_decode(fresh[i], 32, json_string_value(json_object_get(e, "fresh"))),
                         0);
        credential_reissue_add(&h, sc, rev[i], fresh[i]);
    }
    credential_reissue_final(&h, digest);
    authority_sk(sk);
    crypto_sign_detached(sig, NULL, digest, 32, sk);
    sodium_memzero(sk, sizeof sk);
    hex_set(r, "signature", sig, 64);
}

/* A reissue record for voter i (number "V<i>") in SCRUTIN, revoking the
 * credential of `oldcode` and adding that of `newcode`, signed with sk. */
static char *make_record(fixture *f, const char *number, const char *oldcode,
                         const char *newcode, uint64_t seq, const uint8_t sk[64])
{
    const char *eid = f->st.eid;
    uint8_t old[32], fresh[32], bind[32], digest[32], sig[64];
    group_scalar s;
    credential_reissue_hash h;
    json_t *r, *e = json_object(), *b = json_object();
    char *text;

    assert_int_equal(credential_derive_scrutin(&s, old, (const uint8_t *)eid, strlen(eid),
                                               (const uint8_t *)oldcode, strlen(oldcode),
                                               SCRUTIN), 0);
    assert_int_equal(credential_from_code_scrutin(bind, fresh, (const uint8_t *)eid, strlen(eid),
                                                  (const uint8_t *)newcode, strlen(newcode),
                                                  SCRUTIN), 0);
    credential_reissue_init(&h, eid, seq, 1);
    credential_reissue_add(&h, SCRUTIN, old, fresh);
    credential_reissue_final(&h, digest);
    crypto_sign_detached(sig, NULL, digest, 32, sk);
    json_object_set_new(e, "scrutin", json_string(SCRUTIN));
    hex_set(e, "revoked", old, 32);
    hex_set(e, "fresh", fresh, 32);
    json_object_set_new(b, "scrutin", json_string(SCRUTIN));
    hex_set(b, "bind", bind, 32);
    r = json_pack("{s:s,s:s,s:I,s:[o],s:s,s:[o]}", "format", REISSUE_RECORD_FORMAT, "election",
                  eid, "seq", (json_int_t)seq, "entries", e, "voter", number, "bindings", b);
    hex_set(r, "signature", sig, 64);
    text = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return text;
}

/* How cast_spoiled spoils the wire form the worker sends (protocol §18.1). */
enum { SPOIL_NONE, SPOIL_ID, SPOIL_K, SPOIL_MIN, SPOIL_MAX, SPOIL_LONGER, SPOIL_SHORTER,
       SPOIL_FP, SPOIL_VERSION, SPOIL_FP_AND_FIELD, SPOIL_COUNT };

/* Cast through the box (as the daemon does) for voter `number` with `code`,
 * its wire form spoiled as `spoil` says; the box's verdict (BOX_E_NONE when
 * accepted), the field it names in field (when not NULL). */
static box_error cast_spoiled(fixture *f, const char *number, const char *code,
                              const char *auth_code, int spoil, char field[32])
{
    static const uint8_t pepper[SECRET_PEPPER_BYTES] = { 7 };
    ballot_scrutin sc = { f->st.fingerprint, &f->pk, SCRUTIN, 4, 0, 1 };
    const char *eid = f->st.eid;
    uint8_t choices[4] = { 0, 1, 0, 0 }, pub[32], auth[32];
    group_scalar s;
    ballot *b = ballot_new(4, 0, 1);
    access_ctx a;
    box_ctx bx;
    box_receipt rc;
    box_result res;
    box_ballot_in in;
    uint8_t wire[BALLOT_WIRE_MAX + 1] = { 0 }, fp[BALLOT_FP_BYTES];
    int64_t id;
    int n, struck;
    size_t at;

    signer_keys keys;
    signer *g = signer_local_new((const uint8_t[64]){ 1 }, NULL, f->s);

    signer_keys_derive(&keys, pepper, pepper);
    assert_int_equal(access_init(&a, f->s, &keys, NULL, NULL, 1), 0);
    box_init(&bx, f->s, &a, NULL, g);
    assert_int_equal(credential_derive_scrutin(&s, pub, (const uint8_t *)eid, strlen(eid),
                                               (const uint8_t *)code, strlen(code), SCRUTIN), 0);
    assert_int_equal(credential_derive_auth(auth, (const uint8_t *)eid, strlen(eid),
                                            (const uint8_t *)auth_code, strlen(auth_code)), 0);
    assert_int_equal(ballot_create(b, &sc, choices, &s, pub, NULL), 0);
    n = ballot_wire_encode(wire, sizeof wire, b);
    assert_true(n > 0);
    memcpy(fp, f->st.fingerprint, sizeof fp);
    in = (box_ballot_in){ BALLOT_FIELD_NONE, fp, wire, (size_t)n };
    at = 2 + strlen(SCRUTIN);           /* k, then min and max */
    switch (spoil) {
    case SPOIL_ID: wire[2] ^= 1; break;
    case SPOIL_K: wire[at] = 3; break;
    case SPOIL_MIN: wire[at + 1] = 1; break;
    case SPOIL_MAX: wire[at + 2] = 2; break;
    case SPOIL_LONGER: in.len++; break;
    case SPOIL_SHORTER: in.len--; break;
    case SPOIL_FP: fp[5] ^= 1; break;
    case SPOIL_VERSION: wire[0] = 2; break;
    case SPOIL_FP_AND_FIELD: fp[5] ^= 1, in.field = BALLOT_FIELD_SIGNATURE, in.len = 0; break;
    default: break;
    }
    assert_int_equal(store_read(f->s, find_voter_job, &(find_voter){ number, &id, &struck }), 0);
    res.code = BOX_E_NONE;
    assert_true(box_cast(&bx, id, SCRUTIN, auth, &in, "192.0.2.9", f->c.now, &rc, &res) >= 0);
    if (field != NULL)
        snprintf(field, 32, "%s", res.field);
    ballot_free(b);
    box_destroy(&bx);
    access_destroy(&a);
    signer_free(g);
    return res.code;
}

static box_error cast_with(fixture *f, const char *number, const char *code,
                           const char *auth_code)
{
    return cast_spoiled(f, number, code, auth_code, SPOIL_NONE, NULL);
}

/* The wire form of a cast comes from the least trusted process (protocol
 * §18.1): the box checks it against its own scrutin, naming the field as a
 * JSON ballot's parse would, and keeps nothing of a refused one (the voter's
 * credential stays unused: her genuine ballot goes in after, test_reissue_records). */
static void spoiled_casts_refused(fixture *f, const char *number, const char *code)
{
    static const char *const want[SPOIL_COUNT] = {
        [SPOIL_ID] = "scrutin", [SPOIL_K] = "lists", [SPOIL_MIN] = "range",
        [SPOIL_MAX] = "range", [SPOIL_LONGER] = "ballot", [SPOIL_SHORTER] = "ballot",
        [SPOIL_FP] = "election", [SPOIL_VERSION] = "version",
        [SPOIL_FP_AND_FIELD] = "election",
    };
    char field[32];

    for (int spoil = SPOIL_ID; spoil < SPOIL_COUNT; spoil++) {
        assert_int_equal(cast_spoiled(f, number, code, code, spoil, field), BOX_E_BALLOT);
        assert_string_equal(field, want[spoil]);
    }
}

static int count_docs(const char *kind, int64_t holder, const char *body, void *arg)
{
    (void)kind;
    (void)holder;
    (void)body;
    (*(int *)arg)++;
    return 0;
}

typedef struct {
    uint64_t creds;
    int records;
    int state;
    uint8_t pub[32];
} box_view;

static int run_view(store_tx *tx, void *arg)
{
    box_view *v = arg;
    int rc = store_credential_count(tx, &v->creds);

    v->records = 0;
    if (rc == STORE_OK)
        rc = store_documents_each(tx, REISSUE_KIND, count_docs, &v->records);
    return rc == STORE_OK ? store_credential_state(tx, SCRUTIN, v->pub, &v->state) : rc;
}

static box_view view(fixture *f, const char *code)
{
    box_view v = { 0 };
    group_scalar s;

    assert_int_equal(credential_derive_scrutin(&s, v.pub, (const uint8_t *)f->st.eid,
                                               strlen(f->st.eid), (const uint8_t *)code,
                                               strlen(code), SCRUTIN), 0);
    assert_int_equal(store_read(f->s, run_view, &v), 0);
    return v;
}

/* Close, count, decrypt, archive, and voteverify's output. */
static int count_and_verify(fixture *f, char *out, size_t outlen)
{
    char path[600];

    close_election(f);
    snprintf(path, sizeof path, "%s/archive.jsonl", f->dir);
    return count_and_archive(f, path, out, outlen);
}

typedef struct {
    const char *number;
    const uint8_t *pub;
} mint_job;

/* What a server operator can do with the store: a credential of its own in
 * the box, a binding for an abstainer, a ballot signed for them. */
static int run_mint(store_tx *tx, void *arg)
{
    mint_job *j = arg;
    uint8_t bind[32] = { 3 };
    int64_t id;
    int struck, rc = store_voter_find(tx, j->number, &id, &struck);

    if (rc == STORE_OK)
        rc = store_credential_add(tx, SCRUTIN, j->pub);
    return rc == STORE_OK ? store_binding_put(tx, id, SCRUTIN, bind) : rc;
}

/* The server mints. With the registry, the box, the audit key
 * (which signs reissue requests) and the pepper, the server adds credentials
 * and casts for three abstainers: voteverify fails. A reissue record signed
 * with any key but the authority's is refused and changes nothing. */
static void test_server_cannot_mint(void **state)
{
    fixture *f = *state;
    uint8_t server_pk[32], server_sk[64], sk[64];
    char out[16384], path[600], *rec;
    box_view before, after;

    crypto_sign_keypair(server_pk, server_sk);        /* the daemon's own key */
    authority_sk(sk);
    vote(f, 0, 1, 1);
    vote(f, 1, 2, 1);
    vote(f, 2, 0, 1);
    /* a forged record: signed by the server's key, then by nobody's */
    before = view(f, f->codes[3]);
    rec = make_record(f, "V3", f->codes[3], "MINTEDBYTHESERVER0000000000X", 1, server_sk);
    assert_int_equal(election_reissue_apply(f->s, &f->c, rec, strlen(rec), NULL),
                     ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "signature is not the credential authority's"));
    free(rec);
    rec = make_record(f, "V3", f->codes[3], "MINTEDBYTHESERVER0000000000X", 1, sk);
    rec[strlen(rec) - 3] = rec[strlen(rec) - 3] == 'a' ? 'b' : 'a';   /* signature altered */
    assert_int_equal(election_reissue_apply(f->s, &f->c, rec, strlen(rec), NULL),
                     ELECTION_REFUSED);
    free(rec);
    after = view(f, f->codes[3]);
    assert_int_equal(after.creds, before.creds);
    assert_int_equal(after.records, 0);
    assert_int_equal(after.state, STORE_CRED_ACTIVE);              /* nothing changed */
    /* no import after opening either */
    {
        json_t *doc = json_pack("{s:s}", "format", CREDENTIALS_FORMAT);

        assert_int_equal(election_import_credentials_json(f->s, &f->c, doc), ELECTION_REFUSED);
        json_decref(doc);
    }
    /* the server mints three credentials of its own and votes for the abstainers */
    for (int i = 3; i < VOTERS; i++) {
        char code[32], number[16];
        uint8_t pub[32];
        group_scalar s;
        mint_job j = { number, pub };

        snprintf(code, sizeof code, "SERVERMINTED%016d", i);
        snprintf(number, sizeof number, "V%d", i);
        assert_int_equal(credential_derive_scrutin(&s, pub, (const uint8_t *)f->st.eid,
                                                   strlen(f->st.eid), (const uint8_t *)code,
                                                   strlen(code), SCRUTIN), 0);
        assert_int_equal(store_write(f->s, run_mint, &j), 0);
        snprintf(f->codes[i], sizeof f->codes[i], "%s", code);
        vote(f, i, 3, 1);
    }
    snprintf(path, sizeof path, "%s/archive.jsonl", f->dir);
    write_archive(f, path);
    assert_int_not_equal(verify(path, out, sizeof out), 0);
    assert_non_null(strstr(out, "FAIL the box's credentials are exactly the signed lists"));
    assert_non_null(strstr(out, "FAIL every ballot's credential is in its scrutin's signed list "
                                "or a signed reissue, and was never revoked (3 unsigned"));
    assert_null(strstr(out, "ARCHIVE VERIFIED"));
    /* and the key holders, who verify the archive before sealing, refuse to
     * seal the close: the vote cannot even be closed and counted */
    f->c.now += 7200;
    assert_int_not_equal(tu_bureau_seal(f->s, &f->c, f->ts, "close", 0, 2), 0);
    assert_int_equal(election_close(f->s, &f->c), ELECTION_REFUSED);
}

/* The authority's signed record: the old credential is refused at once, the
 * new one casts, voteverify counts the reissue. Bad records change nothing:
 * forged, for an unknown voter, replayed with other contents, out of order;
 * an archive without the record fails. */
static void test_reissue_records(void **state)
{
    fixture *f = *state;
    const char *fresh = "NEWCODEFROMTHEAUTHORITY00001";
    uint8_t sk[64], other_pk[32], other_sk[64];
    char out[16384], *rec, *bad;
    box_view v;
    int64_t who = 0;

    authority_sk(sk);
    crypto_sign_keypair(other_pk, other_sk);
    /* bad records first: nothing changes */
    bad = make_record(f, "V9", f->codes[0], fresh, 1, sk);            /* unknown voter */
    assert_int_equal(election_reissue_apply(f->s, &f->c, bad, strlen(bad), NULL),
                     ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "voter V9 is not on the electoral list"));
    free(bad);
    bad = make_record(f, "V0", f->codes[0], fresh, 2, sk);            /* not the next */
    assert_int_equal(election_reissue_apply(f->s, &f->c, bad, strlen(bad), NULL),
                     ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "is not the next"));
    free(bad);
    bad = make_record(f, "V0", f->codes[0], fresh, 1, other_sk);      /* another key */
    assert_int_equal(election_reissue_apply(f->s, &f->c, bad, strlen(bad), NULL),
                     ELECTION_REFUSED);
    free(bad);
    assert_int_equal(election_reissue_apply(f->s, &f->c, "{\"seq\":1}", 9, NULL),
                     ELECTION_REFUSED);
    v = view(f, f->codes[0]);
    assert_int_equal(v.records, 0);
    assert_int_equal(v.state, STORE_CRED_ACTIVE);
    /* the binding check holds: a colleague's authenticator does not cast */
    assert_int_equal(cast_with(f, "V1", f->codes[0], f->codes[1]), BOX_E_ACCESS);
    /* the record: applied once, again is a no-op */
    rec = make_record(f, "V0", f->codes[0], fresh, 1, sk);
    assert_int_equal(election_reissue_apply(f->s, &f->c, rec, strlen(rec), &who), ELECTION_OK);
    assert_int_equal(election_reissue_apply(f->s, &f->c, rec, strlen(rec), NULL), ELECTION_OK);
    assert_non_null(strstr(f->c.msg, "already applied"));
    v = view(f, f->codes[0]);
    assert_int_equal(v.records, 1);
    assert_int_equal(v.state, STORE_CRED_REVOKED);
    assert_int_equal(view(f, fresh).state, STORE_CRED_ACTIVE);
    bad = make_record(f, "V0", f->codes[0], "YETANOTHERCODE00000000000001", 1, sk);
    assert_int_equal(election_reissue_apply(f->s, &f->c, bad, strlen(bad), NULL),
                     ELECTION_REFUSED);                /* seq 1 again, other contents */
    free(bad);
    /* the old code is refused at once, by the binding then by the revocation */
    assert_int_equal(cast_with(f, "V0", f->codes[0], f->codes[0]), BOX_E_ACCESS);
    spoiled_casts_refused(f, "V0", fresh);
    assert_int_equal(cast_with(f, "V0", fresh, fresh), BOX_E_NONE);
    assert_int_equal(cast_with(f, "V0", fresh, fresh), BOX_E_ALREADY_VOTED);
    for (int i = 1; i < VOTERS; i++)
        vote(f, i, i % 4, 1);
    if (count_and_verify(f, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   reissue records: 1, in order"));
    assert_non_null(strstr(out, "; 1 reissues"));
    assert_non_null(strstr(out, "ARCHIVE VERIFIED"));
    /* an archive without the record fails */
    expect_fail(f->dir, "documents", drop_reissue, "the box's credentials are exactly");
    expect_fail(f->dir, "documents", drop_reissue, "every ballot's credential is in its "
                "scrutin's signed list or a signed reissue, and was never revoked (1 unsigned");
    expect_fail(f->dir, "documents", drop_reissue, "seals before close");
    /* what voteverify requires of the documents beyond their signatures */
    expect_fail_with(f->dir, "documents", lists_format, "", "credential lists",
                     "votesrv-credentials/2");
    expect_fail_with(f->dir, "documents", reissue_format, "", "reissue records",
                     "record 1: not record 1");
    expect_fail_with(f->dir, "documents", reissue_scrutin_twice, "", "reissue records",
                     "record 1, entry 1: malformed, or its scrutin twice");
    free(rec);
}

/* ---- the seat seed: from the president's and a delegate's closing seals ---- */

/* Hb(tag; items) by §2's definition, written out with libsodium alone. */
static void hb_items(uint8_t out[32], const char *tag, const void *const *items,
                     const size_t *lens, size_t n)
{
    crypto_generichash_state h;
    uint8_t le[8];

    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; i <= n; i++) {
        const void *x = i == 0 ? (const void *)tag : items[i - 1];
        size_t len = i == 0 ? strlen(tag) : lens[i - 1];

        for (int b = 0; b < 8; b++)
            le[b] = (uint8_t)((uint64_t)len >> (8 * b));
        crypto_generichash_update(&h, le, 8);
        crypto_generichash_update(&h, x, len);
    }
    crypto_generichash_final(&h, out, 32);
}

static void seal_signature(json_t *archive, uint64_t holder, uint8_t sig[64])
{
    json_t *m;
    size_t i;

    json_array_foreach(json_object_get(json_object_get(archive, "documents"), "seal-close"), i, m)
        if (json_integer_value(json_object_get(m, "holder")) == (json_int_t)holder) {
            assert_int_equal(hex_decode(sig, 64, json_string_value(json_object_get(m,
                                                                                   "signature"))), 0);
            return;
        }
    fail_msg("no closing seal of holder %llu", (unsigned long long)holder);
}

static void other_seed(json_t *j)
{
    json_t *r = json_array_get(json_object_get(json_object_get(j, "documents"), "results"), 0);

    flip_hex(json_array_get(json_object_get(r, "scrutins"), 0), "seat_seed");
}

static void other_seed_seals(json_t *j)
{
    json_t *r = json_array_get(json_object_get(json_object_get(j, "documents"), "results"), 0);

    json_array_set_new(json_object_get(r, "seed_seals"), 1, json_integer(1));
}

/* every voter casts choices[v], the election closes, is counted and the
 * three holders post their partial decryptions; the archive is written to
 * path (dir/archive.jsonl) and returned, loaded */
static json_t *archive_after_count(fixture *f, const int choices[VOTERS], char *path,
                                   size_t path_size)
{
    json_t *a;

    for (int v = 0; v < VOTERS; v++)
        vote(f, v, choices[v], 1);
    close_election(f);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_OK);
    for (uint64_t h = 0; h < 3; h++)
        assert_int_equal(post_partial(f, h, NULL), ELECTION_OK);
    snprintf(path, path_size, "%s/archive.jsonl", f->dir);
    write_archive(f, path);
    a = tu_archive_load(path);
    assert_non_null(a);
    return a;
}

static void test_seed_from_seals(void **state)
{
    fixture *f = *state;
    const int choices[VOTERS] = { 0, 1, 2, 3, 0, 1 };
    uint8_t fp[32], sp[64], sd[64], seed[32], want[32], got[32];
    const void *items[4] = { fp, "csa-ministere", sp, sd };
    size_t lens[4] = { 32, 13, 64, 64 };
    char path[600], out[16384], hex[65];
    json_t *a, *results, *sc;
    size_t i;

    /* known answer, the same as §2's Hb written out, and each input counts */
    memset(fp, 1, 32);
    memset(sp, 2, 64);
    memset(sd, 3, 64);
    seats_seed_make(seed, fp, "csa-ministere", sp, sd);
    hex_encode(hex, seed, 32);
    assert_string_equal(hex, "9b0e86151a5fff3b5d0fc61817d5ade21608c8b0647284bbbff49c80f74cb875");
    hb_items(want, "votesrv/v1/seat-seed", items, lens, 4);
    assert_memory_equal(seed, want, 32);
    fp[31] ^= 1;
    seats_seed_make(got, fp, "csa-ministere", sp, sd);
    assert_memory_not_equal(got, seed, 32);
    fp[31] ^= 1;
    seats_seed_make(got, fp, "csa-ministerf", sp, sd);
    assert_memory_not_equal(got, seed, 32);
    sp[63] ^= 1;
    seats_seed_make(got, fp, "csa-ministere", sp, sd);
    assert_memory_not_equal(got, seed, 32);
    sp[63] ^= 1;
    sd[0] ^= 1;
    seats_seed_make(got, fp, "csa-ministere", sp, sd);
    assert_memory_not_equal(got, seed, 32);
    seats_seed_make(got, fp, "csa-ministere", sd, sp);        /* the order counts */
    assert_memory_not_equal(got, seed, 32);

    /* an election: the results' seed is made from the closing seals of the
     * president and of delegate 2 (the only delegate who sealed), not from
     * public data known before the close */
    a = archive_after_count(f, choices, path, sizeof path);
    results = json_array_get(json_object_get(json_object_get(a, "documents"), "results"), 0);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(results, "seed_seals"),
                                                       0)), 0);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(results, "seed_seals"),
                                                       1)), 2);
    seal_signature(a, 0, sp);
    seal_signature(a, 2, sd);
    memcpy(fp, f->st.fingerprint, 32);
    json_array_foreach(json_object_get(results, "scrutins"), i, sc) {
        const char *id = json_string_value(json_object_get(sc, "id"));
        uint8_t old[32];
        const void *pub[2] = { fp, id };
        size_t publen[2] = { 32, strlen(id) };

        seats_seed_make(seed, fp, id, sp, sd);
        hex_encode(hex, seed, 32);
        assert_string_equal(json_string_value(json_object_get(sc, "seat_seed")), hex);
        hb_items(old, "votesrv/v1/seat-seed", pub, publen, 2);     /* the seed before */
        assert_memory_not_equal(old, seed, 32);
        seal_signature(a, 0, sd);                                   /* other seals, other seed */
        seats_seed_make(got, fp, id, sd, sd);
        assert_memory_not_equal(got, seed, 32);
        seal_signature(a, 2, sd);
    }
    json_decref(a);
    /* voteverify recomputes it, and refuses another seed or other seals */
    if (verify(path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   seat seed: made from the president's closing seal"));
    assert_non_null(strstr(out, "ok   scrutin " SCRUTIN ": seat seed = Hb(seat-seed"));
    expect_fail(f->dir, "documents", other_seed, "scrutin cap-attaches: seat seed = Hb(seat-seed");
    expect_fail(f->dir, "documents", other_seed_seals, "seat seed: made from the president's");
}

/* ---- one closing seal per holder: the server has no seal to choose from ---- */

static fixture *seal_f;

/* Holder h's seal of this kind in the archive j, re-signed with field `flip`
 * of its state changed (NULL: unchanged); a new message. */
static json_t *resealed_kind(json_t *j, const char *kind, json_int_t h, const char *flip)
{
    json_t *seals = json_object_get(json_object_get(j, "documents"), kind), *x, *m = NULL;
    size_t i;

    json_array_foreach(seals, i, x)
        if (json_integer_value(json_object_get(x, "holder")) == h)
            m = json_deep_copy(x);
    assert_non_null(m);
    json_object_del(m, "signature");
    if (flip != NULL)
        flip_hex(json_object_get(m, "state"), flip);
    assert_int_equal(ceremony_message_sign(m, seal_f->ts[h].sign_sk), 0);
    return m;
}

/* Holder h's closing seal, re-signed as above. */
static json_t *resealed(json_t *j, json_int_t h, const char *flip)
{
    return resealed_kind(j, "seal-close", h, flip);
}

/* The results' seeds recomputed from the president's seal and delegate 2's. */
static void seeds_from(json_t *j, json_t *president, json_t *delegate)
{
    json_t *r = json_array_get(json_object_get(json_object_get(j, "documents"), "results"), 0);
    json_t *sc;
    uint8_t sp[64], sd[64], seed[32];
    char hex[65];
    size_t i;

    assert_int_equal(hex_decode(sp, 64, json_string_value(json_object_get(president,
                                                                          "signature"))), 0);
    assert_int_equal(hex_decode(sd, 64, json_string_value(json_object_get(delegate,
                                                                          "signature"))), 0);
    json_array_foreach(json_object_get(r, "scrutins"), i, sc) {
        seats_seed_make(seed, seal_f->st.fingerprint,
                        json_string_value(json_object_get(sc, "id")), sp, sd);
        hex_encode(hex, seed, 32);
        json_object_set_new(sc, "seat_seed", json_string(hex));
    }
}

/* A second closing seal by the president over the same
 * state but another software digest, listed after the real one, the seeds
 * recomputed from it. */
static void second_president_seal(json_t *j)
{
    json_t *seals = json_object_get(json_object_get(j, "documents"), "seal-close");
    json_t *p = resealed(j, 0, "software"), *d = resealed(j, 2, NULL);

    seeds_from(j, p, d);
    json_array_append_new(seals, p);
    json_decref(d);
}

/* Both seals replaced by seals over another software digest than at opening. */
static void closing_software_changed(json_t *j)
{
    json_t *seals = json_object_get(json_object_get(j, "documents"), "seal-close");
    json_t *p = resealed(j, 0, "software"), *d = resealed(j, 2, "software");

    seeds_from(j, p, d);
    json_array_clear(seals);
    json_array_append_new(seals, p);
    json_array_append_new(seals, d);
}

/* Delegate 1 (who would come first for the seed) sealed another state. */
static void seal_over_other_box(json_t *j)
{
    json_t *seals = json_object_get(json_object_get(j, "documents"), "seal-close");
    json_t *m = resealed(j, 2, "box");

    json_object_set_new(m, "holder", json_integer(1));
    json_object_del(m, "signature");
    assert_int_equal(ceremony_message_sign(m, seal_f->ts[1].sign_sk), 0);
    json_array_append_new(seals, m);
}

static void test_seed_one_seal_per_holder(void **state)
{
    fixture *f = *state;
    const int choices[VOTERS] = { 0, 1, 2, 3, 0, 1 };
    char path[600], out[16384], *text;
    json_t *st, *m, *a;
    size_t i;

    seal_f = f;
    /* delegate 1 seals early, over the box before the ballots: the close drops
     * that seal, which covers another state, so the archive does not carry it */
    assert_int_equal(ceremony_seal_state(f->s, "close", f->c.assets, &st, NULL), 0);
    m = json_pack("{sssOsssIsO}", "format", CEREMONY_FORMAT, "eid", json_object_get(st, "eid"),
                  "kind", "seal-close", "holder", (json_int_t)1, "state", st);
    assert_int_equal(ceremony_message_sign(m, f->ts[1].sign_sk), 0);
    text = json_dumps(m, JSON_COMPACT);
    assert_int_equal(ceremony_post(f->s, &f->c, text, strlen(text)), ELECTION_OK);
    free(text);
    json_decref(m);
    json_decref(st);
    a = archive_after_count(f, choices, path, sizeof path);
    json_array_foreach(json_object_get(json_object_get(a, "documents"), "seal-close"), i, m)
        assert_int_not_equal(json_integer_value(json_object_get(m, "holder")), 1);
    json_decref(a);
    expect_fail(f->dir, "documents", second_president_seal, "seat seed: made from the president's");
    expect_fail(f->dir, "documents", second_president_seal,
                "seals before close: one per holder, every one over the same verified closing "
                "state with the opening software: holder 0 sealed twice");
    if (verify(path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   seals before close: one per holder, every one over the "
                                "same verified closing state with the opening software\n"));
    expect_fail(f->dir, "documents", closing_software_changed,
                "seals before close: one per holder, every one over the same verified closing "
                "state with the opening software: holder 0's closing software digest is not the "
                "opening one");
    expect_fail(f->dir, "documents", closing_software_changed,
                "seat seed: made from the president's");
    expect_fail(f->dir, "documents", seal_over_other_box,
                "seals before close: one per holder, every one over the same verified closing "
                "state with the opening software: seal 3 (holder 1) is not a valid seal of the "
                "verified closing state");
}

/* ---- every sealed value checked that the archive, the audit log or a build
 * of the reviewed commit can reveal (§6.3) ---- */

/* The closing seals (the president's and delegate 2's) re-signed by their
 * holders over another value of `field`, the seeds recomputed from them. */
static void close_resealed(json_t *j, const char *field)
{
    json_t *seals = json_object_get(json_object_get(j, "documents"), "seal-close");
    json_t *p = resealed(j, 0, field), *d = resealed(j, 2, field);

    seeds_from(j, p, d);
    json_array_clear(seals);
    json_array_append_new(seals, p);
    json_array_append_new(seals, d);
}

/* The president's opening seal replaced by one over another `field`. */
static void open_resealed(json_t *j, const char *field)
{
    json_t *seals = json_object_get(json_object_get(j, "documents"), "seal-open"), *x;
    size_t i;

    json_array_foreach(seals, i, x)
        if (json_integer_value(json_object_get(x, "holder")) == 0)
            json_array_set_new(seals, i, resealed_kind(j, "seal-open", 0, field));
}

/* Every seal says another software, the same at opening and closing. */
static void all_software_other(json_t *j)
{
    open_resealed(j, "software");
    close_resealed(j, "software");
}

static void close_signatures_other(json_t *j)
{
    close_resealed(j, "signatures");
}

static void open_signatures_other(json_t *j)
{
    open_resealed(j, "signatures");
}

static void test_verifier_sealed_values(void **state)
{
    fixture *f = *state;
    const int choices[VOTERS] = { 0, 1, 2, 3, 0, 1 };
    char path[600], out[16384], self[4096], opts[4300];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    seal_f = f;
    assert_true(n > 0);
    self[n] = '\0';
    json_decref(archive_after_count(f, choices, path, sizeof path));
    /* the software digest: the seals' is this program's (what the fixture's
     * seals hashed: no votesrv beside it, no portal folder) */
    snprintf(opts, sizeof opts, "--software %s", self);
    if (verify_with(opts, path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   software: the opening seals' software digest is the one "
                                "of"));
    assert_non_null(strstr(out, "ok   software: the closing seals' software digest is the one "
                                "of this build"));
    expect_fail_with(f->dir, "documents", all_software_other, opts,
                     "software: the opening seals' software digest is the one of",
                     "FAIL software: the closing seals' software digest is the one of this build");
    /* another build (a portal file more) is not the sealed software */
    tu_sh(out, sizeof out, "mkdir -p %s/portal && echo x > %s/portal/app.js && "
          "echo y > %s/portal/.stamp", f->dir, f->dir, f->dir);
    snprintf(opts, sizeof opts, "--software %s --portal %s/portal", self, f->dir);
    assert_int_not_equal(verify_with(opts, path, out, sizeof out), 0);
    assert_non_null(strstr(out, "FAIL software: the opening seals' software digest"));
    /* the signature-list digest: empty at opening (the archive tells), the
     * casts of the audit log at closing (the log tells) */
    expect_fail(f->dir, "documents", open_signatures_other, "seals before open: president no");
    snprintf(opts, sizeof opts, "--audit-log %s/registry.db", f->dir);
    tu_audit_file(f->s, f->dir);
    if (verify_with(opts, path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   audit log: the closing seals' signature-list digest is the "
                                "one of the 6 (scrutin, number) pairs"));
    expect_fail_with(f->dir, "documents", close_signatures_other, opts,
                     "audit log: the closing seals' signature-list digest", NULL);
}

/* ---- the key holders decrypt only the box they sealed at closing ---- */

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An archive as a dishonest officer would hand it to a key holder: the ballots
 * of SCRUTIN replaced by lines[0..n) (sorted here), with its count,
 * signatures and box digest made to agree, the head saying "open" with no
 * closing seal and no count, and the signed end of an archive made while the
 * vote was open (end_open) with the checkpoints cut back to it, so that every
 * check of voteverify passes. */
static void forge_archive(const char *from, const char *to, char *const *given, size_t n,
                          json_t *end_open)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    char **lines = malloc((n + 1) * sizeof *lines);
    char *line = NULL, *text, hex[65];
    size_t cap = 0;
    uint64_t written = 0;
    uint8_t digest[32] = { 0 }, t[32];
    int in_box = 0;

    assert_non_null(in);
    assert_non_null(out);
    memcpy(lines, given, n * sizeof *lines);
    qsort(lines, n, sizeof *lines, line_cmp);
    for (size_t i = 0; i < n; i++) {
        memcpy(hex, lines[i] + 12, 64);
        hex[64] = '\0';
        assert_int_equal(hex_decode(t, 32, hex), 0);
        assert_int_equal(box_digest_add(digest, t), 0);
    }
    while (getline(&line, &cap, in) > 0) {
        json_t *j = json_loads(line, 0, NULL), *sc = json_object_get(j, "scrutin");

        if (strncmp(line, "{\"tracker\":", 11) == 0) {
            if (!in_box) {
                fputs(line, out);
                written++;
            }
            json_decref(j);
            continue;
        }
        in_box = 0;
        if (json_object_get(j, "format") != NULL) {
            json_object_set_new(json_object_get(j, "election"), "state", json_string("open"));
        } else if (sc != NULL && strcmp(json_string_value(json_object_get(sc, "id")), SCRUTIN) == 0) {
            in_box = 1;
            hex_encode(hex, digest, 32);
            json_object_set_new(sc, "ballots", json_integer((json_int_t)n));
            json_object_set_new(sc, "signatures", json_integer((json_int_t)n));
            json_object_set_new(sc, "box_digest", json_string(hex));
        } else if (json_object_get(j, "documents") != NULL) {
            static const char *const gone[] = { "seal-close", "sums", "partial", "results" };

            for (size_t k = 0; k < 4; k++)
                json_array_clear(json_object_get(json_object_get(j, "documents"), gone[k]));
        } else if (json_object_get(j, "checkpoints") != NULL) {
            early_end = end_open;
            checkpoints_as_early(j);
        } else if (json_object_get(j, "end") != NULL) {
            early_end = end_open;
            end_from_early(j);
            json_object_set_new(json_object_get(j, "end"), "lines",
                                json_integer((json_int_t)written));
        }
        text = json_dumps(j, JSON_COMPACT);
        fprintf(out, "%s\n", text);
        written++;
        free(text);
        if (in_box)
            for (size_t i = 0; i < n; i++, written++)
                fputs(lines[i], out);
        json_decref(j);
    }
    free(line);
    free(lines);
    fclose(in);
    fclose(out);
}

/* The ballot lines of SCRUTIN in an archive (malloc'd, *n of them). */
static char **box_lines(const char *path, size_t *n)
{
    FILE *in = fopen(path, "r");
    char *line = NULL, **lines = calloc(VOTERS + 1, sizeof *lines);
    size_t cap = 0;
    int in_box = 0;

    assert_non_null(in);
    *n = 0;
    while (getline(&line, &cap, in) > 0) {
        if (strncmp(line, "{\"tracker\":", 11) != 0)
            in_box = strstr(line, "{\"scrutin\":") == line && strstr(line, "\"" SCRUTIN "\"");
        else if (in_box && *n < VOTERS)
            lines[(*n)++] = strdup(line);
    }
    free(line);
    fclose(in);
    return lines;
}

static void lines_free(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Holder h, handed the ceremony export and an archive, decrypts against its
 * record: 0 and the message, or -1 with err. */
static int holder_decrypt(fixture *f, uint64_t h, const char *archive, json_t *record,
                          json_t **msg, char *err, size_t errlen)
{
    json_t *cer;
    trustee_box *box = malloc(sizeof *box);
    trustee_view v;
    FILE *in = fopen(archive, "r");
    int rc;

    assert_non_null(in);
    assert_int_equal(ceremony_export(f->s, &cer), 0);
    assert_int_equal(trustee_view_for(&v, &f->ts[h], cer, err, errlen), 0);
    rc = trustee_box_read(box, &v, in, 2, NULL, err, errlen);
    if (rc == 0)
        rc = trustee_decrypt(msg, record, &f->ts[h], cer, box, err, errlen);
    fclose(in);
    free(box);
    json_decref(cer);
    return rc;
}

static void expect_holder_refuses(fixture *f, uint64_t h, const char *archive, json_t *record,
                                  const char *why)
{
    char err[TRUSTEE_ERR_CHARS] = "";
    json_t *m = NULL;

    if (holder_decrypt(f, h, archive, record, &m, err, sizeof err) == 0 ||
        strstr(err, why) == NULL)
        fail_msg("holder %llu decrypted, or refused with \"%s\" instead of \"%s\"",
                 (unsigned long long)h, err, why);
    assert_null(m);
}

/* voteverify's verdict on a forged archive: it passes (the forgery is
 * consistent), so only the holder's record can catch it. */
static void expect_verified(const char *path)
{
    char out[16384];

    if (verify(path, out, sizeof out) != 0)
        fail_msg("%s", out);
}

static void test_holder_checks(void **state)
{
    fixture *f = *state;
    const int choices[VOTERS] = { 0, 1, 2, 0, -1, 3 };
    char path[600], forged[600], alt_line[20000], hex[65], err[TRUSTEE_ERR_CHARS];
    insert_job alt = { 0 };
    json_t *record, *m, *cer, *sigs, *st, *end_open;
    char **lines, *one[1], *first;
    size_t n;

    for (int i = 0; i < VOTERS; i++)
        vote(f, i, choices[i], 1);
    /* another ballot of voter 0 (her credential, another choice), never cast */
    ballot_make(f, &alt, 0, 3);
    hex_encode(hex, alt.tracker, 32);
    snprintf(alt_line, sizeof alt_line, "{\"tracker\":\"%s\",\"ballot\":%s}\n", hex, alt.body);
    snprintf(path, sizeof path, "%s/during.jsonl", f->dir);
    write_archive(f, path);
    end_open = read_end(path);
    close_election(f);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_OK);
    snprintf(path, sizeof path, "%s/archive.jsonl", f->dir);
    snprintf(forged, sizeof forged, "%s/forged.jsonl", f->dir);
    write_archive(f, path);
    lines = box_lines(path, &n);
    assert_int_equal(n, VOTERS);
    record = json_deep_copy(tu_bureau_record(2));
    assert_non_null(record);

    /* handed one ballot's ciphertexts as the sums: the old tool decrypted them */
    assert_int_equal(ceremony_export(f->s, &cer), 0);
    {
        json_t *sums = json_object_get(cer, "sums"), *sc, *b = json_loads(strstr(lines[0],
                                                                      "\"ballot\":") + 9, 0, NULL);
        size_t i;

        json_array_foreach(json_object_get(sums, "scrutins"), i, sc)
            if (strcmp(json_string_value(json_object_get(sc, "id")), SCRUTIN) == 0) {
                json_t *cts = json_array(), *e;
                size_t l;

                json_array_foreach(json_object_get(b, "lists"), l, e)
                    json_array_append(cts, json_object_get(e, "ct"));
                json_object_set_new(sc, "sums", cts);
                json_object_set_new(sc, "ballots", json_integer(1));
            }
        json_decref(b);
        {
            trustee_box *box = malloc(sizeof *box);
            trustee_view v;
            FILE *in = fopen(path, "r");

            assert_int_equal(trustee_view_for(&v, &f->ts[2], cer, err, sizeof err), 0);
            assert_int_equal(trustee_box_read(box, &v, in, 2, NULL, err, sizeof err), 0);
            assert_int_equal(trustee_decrypt(&m, record, &f->ts[2], cer, box, err, sizeof err),
                             -1);
            assert_non_null(strstr(err, "the officer's sums are not the sums of the archive"));
            fclose(in);
            free(box);
        }
    }
    json_decref(cer);
    /* handed an archive whose box is one ballot (voteverify finds it consistent) */
    one[0] = lines[0];
    forge_archive(path, forged, one, 1, end_open);
    expect_verified(forged);
    expect_holder_refuses(f, 2, forged, record, "holds 1 ballots, the closing state this holder "
                                                "sealed 6");
    /* handed a box with one ballot swapped for another, the counts unchanged */
    {
        uint8_t t0[32];
        char h0[65];
        size_t k;

        /* voter 0's cast ballot is the one whose credential and tracker differ */
        for (k = 0; k < n; k++) {
            json_t *j = json_loads(lines[k], 0, NULL);
            json_t *b = json_object_get(j, "ballot");
            json_t *ab = json_loads(alt.body, 0, NULL);
            int same = json_equal(json_object_get(b, "credential"), json_object_get(ab, "credential"));

            json_decref(ab);
            json_decref(j);
            if (same)
                break;
        }
        assert_true(k < n);
        memcpy(h0, lines[k] + 12, 64);
        h0[64] = '\0';
        assert_int_equal(hex_decode(t0, 32, h0), 0);
        assert_memory_not_equal(t0, alt.tracker, 32);
        first = lines[k];
        lines[k] = alt_line;
        forge_archive(path, forged, lines, n, end_open);
        lines[k] = first;
    }
    expect_verified(forged);
    expect_holder_refuses(f, 2, forged, record, "box digest differs");
    /* no record of a closing seal, or an altered one */
    expect_holder_refuses(f, 2, path, NULL, "no record of a closing seal");
    m = json_deep_copy(record);
    json_object_set_new(json_array_get(json_object_get(m, "scrutins"), 0), "ballots",
                        json_integer(99));
    expect_holder_refuses(f, 2, path, m, "holds");
    json_decref(m);
    expect_holder_refuses(f, 2, path, tu_bureau_record(1), "another election's or holder's");
    /* a record edited to agree with the one-ballot box no longer matches its seal */
    {
        uint8_t d[32] = { 0 }, t[32];
        char h[65];
        json_t *e;
        size_t i;

        one[0] = lines[0];
        forge_archive(path, forged, one, 1, end_open);
        memcpy(h, lines[0] + 12, 64);
        h[64] = '\0';
        assert_int_equal(hex_decode(t, 32, h), 0);
        assert_int_equal(box_digest_add(d, t), 0);
        hex_encode(h, d, 32);
        m = json_deep_copy(record);
        json_array_foreach(json_object_get(m, "scrutins"), i, e)
            if (strcmp(json_string_value(json_object_get(e, "id")), SCRUTIN) == 0) {
                json_object_set_new(e, "ballots", json_integer(1));
                json_object_set_new(e, "signatures", json_integer(1));
                json_object_set_new(e, "box_digest", json_string(h));
            }
        expect_holder_refuses(f, 2, forged, m, "not the box its closing seal covers");
        json_decref(m);
    }
    /* the box it sealed: decrypted, and recorded */
    assert_int_equal(holder_decrypt(f, 2, path, record, &m, err, sizeof err), 0);
    assert_non_null(json_object_get(record, "decrypted"));
    assert_true(json_equal(json_object_get(m, "sums"), json_object_get(record, "decrypted")));
    json_decref(m);
    /* the same count again is the same answer; another digest is refused */
    assert_int_equal(holder_decrypt(f, 2, path, record, &m, err, sizeof err), 0);
    json_decref(m);
    m = json_deep_copy(record);
    json_object_set_new(m, "decrypted", json_string("00000000000000000000000000000000"
                                                    "00000000000000000000000000000000"));
    expect_holder_refuses(f, 2, path, m, "already decrypted other sums");
    json_decref(m);
    /* a record that decrypted the count of another closing state seals no
     * other; the closing state it decrypted, it seals again */
    assert_int_equal(ceremony_export(f->s, &cer), 0);
    assert_int_equal(ceremony_seal_state(f->s, "close", NULL, &st, &sigs), 0);
    {
        trustee_box *box = malloc(sizeof *box);
        json_t *r = json_deep_copy(record), *before;

        assert_int_equal(tu_bureau_box(f->s, cer, &f->ts[2], box), 0);
        json_object_set_new(json_array_get(json_object_get(r, "scrutins"), 0), "ballots",
                            json_integer(5));
        before = r;
        assert_int_equal(trustee_seal(&m, &r, &f->ts[2], cer, st, box, sigs, err, sizeof err),
                         -1);
        assert_non_null(strstr(err, "already decrypted the count of another closing state"));
        assert_ptr_equal(r, before);
        json_decref(r);
        r = json_deep_copy(record);
        assert_int_equal(trustee_seal(&m, &r, &f->ts[2], cer, st, box, sigs, err, sizeof err),
                         0);
        assert_true(json_equal(json_object_get(r, "decrypted"),
                               json_object_get(record, "decrypted")));
        json_decref(m);
        json_decref(r);
        free(box);
    }
    json_decref(st);
    json_decref(sigs);
    json_decref(cer);
    free(alt.body);
    lines_free(lines, n);
    json_decref(record);
    json_decref(end_open);
}

/* ---- the same through votetrustee, key files and records on disk ---- */

static void key_file(fixture *f, uint64_t h)
{
    static const vault_params fast = { crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE };
    char plain[TRUSTEE_SECRET_MAX], path[700];
    uint8_t *sealed;
    int n = trustee_secret_encode(plain, &f->ts[h]);
    FILE *out;

    assert_true(n > 0);
    sealed = malloc((size_t)n + VAULT_OVERHEAD);
    assert_int_equal(vault_seal(sealed, (uint8_t *)plain, (size_t)n,
                                "correct horse battery staple", &fast), 0);
    snprintf(path, sizeof path, "%s/k%llu", f->dir, (unsigned long long)h);
    out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(sealed, 1, (size_t)n + VAULT_OVERHEAD, out), (size_t)n + VAULT_OVERHEAD);
    fclose(out);
    chmod(path, 0600);
    free(sealed);
}

static void json_to(fixture *f, const char *name, json_t *j)
{
    char path[700];

    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    assert_int_equal(json_dump_file(j, path, JSON_COMPACT), 0);
    json_decref(j);
}

static void post_file(fixture *f, const char *name)
{
    char path[700], *text;
    json_t *m;

    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    m = json_load_file(path, 0, NULL);
    assert_non_null(m);
    text = json_dumps(m, JSON_COMPACT);
    if (tally_post_message(f->s, &f->c, text, strlen(text)) != ELECTION_OK)
        fail_msg("%s: %s", name, f->c.msg);
    free(text);
    json_decref(m);
}

static void test_holder_cli(void **state)
{
    fixture *f = *state;
    const int choices[VOTERS] = { 1, 1, 2, 0, -1, 3 };
    char path[700], forged[700], out[16384], **lines, b[PATH_MAX];
    json_t *st, *sigs, *cer, *record, *r, *end_open;
    struct stat sb;
    size_t n;

    assert_int_equal(tu_bin(b), 0);
    for (int v = 0; v < VOTERS; v++)
        vote(f, v, choices[v], 1);
    for (uint64_t h = 0; h < N; h++)
        key_file(f, h);
    free(tu_write(f->dir, "pass", "correct horse battery staple\n"));
    /* before closing: the state, its signature list, the archive */
    f->c.now += 7200;
    assert_int_equal(ceremony_seal_state(f->s, "close", NULL, &st, &sigs), 0);
    json_to(f, "state.json", st);
    json_to(f, "sigs.json", sigs);
    assert_int_equal(ceremony_export(f->s, &cer), 0);
    json_to(f, "c.json", cer);
    snprintf(path, sizeof path, "%s/box.jsonl", f->dir);
    write_archive(f, path);
    end_open = read_end(path);
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && T='%s/votetrustee --passphrase-file pass' && "
              "! $T seal c.json state.json k0 x.json && test ! -e x.json && "
              "! $T seal c.json state.json k0 x.json box.jsonl c.json && test ! -e x.json && "
              "test ! -e k0.record && "
              "for i in 0 1 2; do $T seal c.json state.json k$i cl$i.json box.jsonl sigs.json "
              "|| exit 1; done", f->dir, b) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "needs the archive"));
    assert_non_null(strstr(out, "is not a votesrv-signatures/1 file"));
    snprintf(path, sizeof path, "%s/k1.record", f->dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    post_file(f, "cl0.json");
    post_file(f, "cl2.json");
    assert_int_equal(election_close(f->s, &f->c), ELECTION_OK);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_OK);
    /* after the count: the public archive, and a forged one-ballot box */
    assert_int_equal(ceremony_export(f->s, &cer), 0);
    json_to(f, "c.json", cer);
    snprintf(path, sizeof path, "%s/archive.jsonl", f->dir);
    snprintf(forged, sizeof forged, "%s/one.jsonl", f->dir);
    write_archive(f, path);
    lines = box_lines(path, &n);
    forge_archive(path, forged, lines, 1, end_open);
    lines_free(lines, n);
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && T='%s/votetrustee --passphrase-file pass' && "
              "cp k2.record before && ! $T decrypt c.json one.jsonl k2 p2.json && "
              "test ! -e p2.json && cmp k2.record before && "
              "! $T decrypt c.json c.json k2 p2.json && test ! -e p2.json && "
              "! $T decrypt c.json box.jsonl k2 p2.json && test ! -e p2.json && "
              "! $T decrypt c.json archive.jsonl k3 p3.json && test ! -e p3.json && "
              "for i in 0 1 2; do $T decrypt c.json archive.jsonl k$i p$i.json || exit 1; done && "
              "$T decrypt c.json archive.jsonl k2 again.json && "
              "test $(grep -h '\"sums\"' p2.json again.json | uniq | wc -l) = 1",
              f->dir, b) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "holds 1 ballots, the closing state this holder sealed 6"));
    assert_non_null(strstr(out, "no record of a closing seal"));
    assert_non_null(strstr(out, "in state open, not closed"));
    /* the record names the count decrypted; another is refused */
    snprintf(path, sizeof path, "%s/k2.record", f->dir);
    record = json_load_file(path, 0, NULL);
    assert_non_null(json_object_get(record, "decrypted"));
    json_object_set_new(record, "decrypted", json_string("11111111111111111111111111111111"
                                                         "11111111111111111111111111111111"));
    assert_int_equal(json_dump_file(record, path, 0), 0);
    json_decref(record);
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && ! %s/votetrustee --passphrase-file pass decrypt c.json "
              "archive.jsonl k2 p2bis.json && test ! -e p2bis.json", f->dir, b) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "already decrypted other sums"));
    /* the quorum's messages give the results */
    post_file(f, "p0.json");
    post_file(f, "p1.json");
    post_file(f, "p2.json");
    assert_int_equal(tally_document(f->s, "results", &r), STORE_OK);
    json_decref(r);
    json_decref(end_open);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_count_and_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stuffed_box, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_ballot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verifier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_cannot_mint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reissue_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holder_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_from_seals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_one_seal_per_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verifier_sealed_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holder_cli, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
