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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/hex.h"
#include "election/credentials.h"
#include "election/demo.h"
#include "report/report.h"
#include "tally/count.h"

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
    f->c = (election_ctx){ "officer", "alice", NULL, now, "", NULL };
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

/* Voter i votes for list `choice` (-1: blank) with their vote code. */
static void vote(fixture *f, int i, int choice, int sign)
{
    ballot_scrutin sc = { f->st.fingerprint, &f->pk, SCRUTIN, 4, 0, 1 };
    ballot *b = ballot_new(4, 0, 1);
    uint8_t choices[4] = { 0 }, pub[32];
    group_scalar s;
    insert_job *j = calloc(1, sizeof *j);

    j->f = f;
    j->voter = sign ? i : -1;
    if (choice >= 0)
        choices[choice] = 1;
    assert_int_equal(credential_derive_scrutin(&s, pub, (const uint8_t *)f->st.eid,
                                              strlen(f->st.eid), (const uint8_t *)f->codes[i],
                                              strlen(f->codes[i]), SCRUTIN), 0);
    assert_int_equal(ballot_create(b, &sc, choices, &s, pub, NULL), 0);
    j->body = ballot_canonical(b, f->st.fingerprint);
    ballot_tracker(j->tracker, j->body);
    j->wirelen = (size_t)ballot_wire_encode(j->wire, sizeof j->wire, b);
    assert_int_equal(store_write(f->s, run_insert, j), 0);
    free(j->body);
    free(j);
    ballot_free(b);
}

static void close_election(fixture *f)
{
    f->c.now += 7200;
    assert_int_equal(tu_bureau_seal(f->s, &f->c, f->ts, "close", 0, 2), 0);
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
    close_election(f);
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
    close_election(f);
    assert_int_equal(tally_count(f->s, &f->c, 2), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "fails its proofs"));
    assert_int_equal(store_read(f->s, count_event, &alarms), 0);
    assert_int_equal(alarms, 1);
}

/* ---- voteverify on the archive of the election, intact and corrupted ---- */

typedef void (*mutation)(json_t *line);

static void write_archive(fixture *f, const char *path)
{
    FILE *out = fopen(path, "w");

    assert_non_null(out);
    assert_int_equal(box_archive_write(f->s, out), STORE_OK);
    fclose(out);
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
                text = json_dumps(j, JSON_COMPACT);
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

/* voteverify's output and exit status on path. */
static int verify(const char *path, char *out, size_t outlen)
{
    const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

    return tu_sh(out, outlen, "%s/voteverify --threads 2 %s", b, path);
}

static void expect_fail(const char *dir, const char *key, mutation m, const char *what)
{
    char from[600], to[600], out[16384], line[300];

    snprintf(from, sizeof from, "%s/archive.jsonl", dir);
    snprintf(to, sizeof to, "%s/bad.jsonl", dir);
    mutate(from, to, key, m);
    assert_int_not_equal(verify(to, out, sizeof out), 0);
    snprintf(line, sizeof line, "FAIL %s", what);
    if (strstr(out, line) == NULL)
        fail_msg("no \"%s\" in:\n%s", line, out);
}

static void flip_hex(json_t *obj, const char *key)
{
    char *s = strdup(json_string_value(json_object_get(obj, key)));

    s[0] = s[0] == 'a' ? 'b' : 'a';
    json_object_set_new(obj, key, json_string(s));
    free(s);
}

/* A proof changed, the ballot re-tracked so that only the proof is wrong. */
static void bad_proof(json_t *j)
{
    json_t *b = json_object_get(j, "ballot");
    json_t *br = json_array_get(json_object_get(json_array_get(json_object_get(b, "lists"), 0),
                                                "proof"), 0);
    uint8_t t[32];
    char *text, hex[65];

    flip_hex(br, "c");
    text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
    ballot_tracker(t, text);
    free(text);
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", t[i]);
    json_object_set_new(j, "tracker", json_string(hex));
}

static void bad_tracker(json_t *j)
{
    flip_hex(json_object_get(json_object_get(j, "ballot"), "signature"), "s");
}

static void drop_credential(json_t *j)
{
    json_array_clear(json_object_get(j, "credentials"));
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

    for (int i = 0; i < VOTERS; i++)
        vote(f, i, choices[i], 1);
    close_election(f);
    /* before the count, every ballot is checked already */
    snprintf(path, sizeof path, "%s/archive.jsonl", f->dir);
    write_archive(f, path);
    if (verify(path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ok   count: none published yet (state closed)"));
    expect_fail(f->dir, "tracker", bad_proof, "scrutin csa-ministere: 1 invalid ballot(s)");
    remove(path);
    /* after it */
    if (count_and_archive(f, path, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "ARCHIVE VERIFIED"));
    assert_null(strstr(out, "FAIL"));
    expect_fail(f->dir, "tracker", bad_proof, "scrutin csa-ministere: 1 invalid ballot(s)");
    expect_fail(f->dir, "tracker", bad_tracker, "scrutin csa-ministere: 1 invalid ballot(s); "
                "first: ballot");
    expect_fail(f->dir, "tracker", NULL, "scrutin csa-ministere: ballots (5) = signatures (6)");
    expect_fail(f->dir, "credentials", drop_credential, "the box's credentials are exactly");
    expect_fail(f->dir, "election", more_seats, "fingerprint");
    expect_fail(f->dir, "documents", bad_keys_proof, "key ceremony: holder 2");
    expect_fail(f->dir, "documents", drop_seal, "seals before close");
    expect_fail(f->dir, "documents", swap_sums, "sums");
    expect_fail(f->dir, "documents", bad_partial, "partial decryption of holder 2");
    expect_fail(f->dir, "documents", bad_results, "scrutin csa-ministere: published votes");
    expect_fail(f->dir, "checkpoints", bad_checkpoint, "audit checkpoints");
    expect_fail(f->dir, "end", NULL, "archive complete");
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

/* Cast through the box (as the daemon does) for voter `number` with `code`;
 * the box's verdict (BOX_E_NONE when accepted). */
static box_error cast_with(fixture *f, const char *number, const char *code,
                           const char *auth_code)
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
    json_t *j;
    int64_t id;
    int struck;

    assert_int_equal(access_init(&a, f->s, pepper, NULL, NULL, 1), 0);
    box_init(&bx, f->s, &a, NULL, (const uint8_t[64]){ 1 });
    assert_int_equal(credential_derive_scrutin(&s, pub, (const uint8_t *)eid, strlen(eid),
                                               (const uint8_t *)code, strlen(code), SCRUTIN), 0);
    assert_int_equal(credential_derive_auth(auth, (const uint8_t *)eid, strlen(eid),
                                            (const uint8_t *)auth_code, strlen(auth_code)), 0);
    assert_int_equal(ballot_create(b, &sc, choices, &s, pub, NULL), 0);
    j = ballot_to_json(b, f->st.fingerprint);
    assert_int_equal(store_read(f->s, find_voter_job, &(find_voter){ number, &id, &struck }), 0);
    res.code = BOX_E_NONE;
    assert_true(box_cast(&bx, id, SCRUTIN, auth, j, "192.0.2.9", f->c.now, &rc, &res) >= 0);
    json_decref(j);
    ballot_free(b);
    box_destroy(&bx);
    access_destroy(&a);
    return res.code;
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

/* Attack 1: the server mints. With the registry, the box, the audit key
 * (which signs reissue requests) and the pepper, the server adds credentials
 * and casts for three abstainers: voteverify fails. A reissue record signed
 * with any key but the authority's is refused and changes nothing. */
static void test_server_cannot_mint(void **state)
{
    fixture *f = *state;
    uint8_t server_pk[32], server_sk[64], sk[64];
    char out[16384], *rec;
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
    assert_int_not_equal(count_and_verify(f, out, sizeof out), 0);
    assert_non_null(strstr(out, "FAIL the box's credentials are exactly the signed lists"));
    assert_non_null(strstr(out, "FAIL every ballot's credential is in its scrutin's signed list "
                                "or a signed reissue, and was never revoked (3 unsigned"));
    assert_null(strstr(out, "ARCHIVE VERIFIED"));
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
    /* the attack 3 check holds: a colleague's authenticator does not cast */
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
    assert_int_equal(cast_with(f, "V0", fresh, fresh), BOX_E_NONE);
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
    free(rec);
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
