/* test_ceremony.c - the bureau de vote's key ceremony and seals, server and
 * key holders together: a complete ceremony gives a key that the president
 * and any two delegates can use; every kind of bad message is refused naming
 * its holder; a bad share leads to a complaint naming the dealer; opening
 * needs the seals of the president and a delegate over the current state. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "crypto/threshold.h"
#include "election/ceremony.h"
#include "election/demo.h"
#include "trustee/trustee.h"

#define HEADER "number,surname,given_names,emails,establishment,postal_address,corps\n"
#define M 3                      /* delegates */
#define N (M + 1)

typedef struct {
    char *dir;
    store *s;
    election_ctx c;
    trustee_secret ts[N];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    int64_t now = (int64_t)time(NULL);

    if (f == NULL || crypto_init() != 0)
        return -1;
    f->dir = tu_tmpdir();
    f->s = tu_election_bureau(f->dir, HEADER "V1,A,B,v1@ex.fr,E,,attache\n", now - 60,
                              now + 86400, M);
    f->c = (election_ctx){ "officer", "alice", NULL, now, "", NULL, ELECTION_WHY_OTHER };
    *state = f;
    return 0;
}

static json_t *export(fixture *f)
{
    json_t *c;

    assert_int_equal(ceremony_export(f->s, &c), ELECTION_OK);
    return c;
}

static int post(fixture *f, json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    int rc = ceremony_post(f->s, &f->c, text, strlen(text));

    free(text);
    return rc;
}

static void expect_refused(fixture *f, json_t *msg, const char *why)
{
    assert_int_equal(post(f, msg), ELECTION_REFUSED);
    if (strstr(f->c.msg, why) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", f->c.msg, why);
}

static json_t *keygen(fixture *f, uint64_t i)
{
    json_t *c = export(f), *m;
    char err[TRUSTEE_ERR_CHARS];

    assert_int_equal(trustee_keygen(&f->ts[i], &m, c, i, err, sizeof err), 0);
    json_decref(c);
    return m;
}

static void all_keys(fixture *f)
{
    for (uint64_t i = 0; i < N; i++) {
        json_t *m = keygen(f, i);

        assert_int_equal(post(f, m), ELECTION_OK);
        json_decref(m);
    }
}

static json_t *shares(fixture *f, uint64_t i)
{
    json_t *c = export(f), *m;
    char err[TRUSTEE_ERR_CHARS];

    assert_int_equal(trustee_shares(&m, &f->ts[i], c, err, sizeof err), 0);
    json_decref(c);
    return m;
}

static json_t *verdict(fixture *f, uint64_t i)
{
    json_t *c = export(f), *m;
    char err[TRUSTEE_ERR_CHARS];

    assert_int_equal(trustee_verdict(&m, &f->ts[i], c, err, sizeof err), 0);
    json_decref(c);
    return m;
}

static void complete(fixture *f)
{
    assert_int_equal(tu_bureau_ceremony(f->s, &f->c, f->ts, N), 0);
}

/* x_P + lambda_a x_a + lambda_b x_b is the secret of the election key. */
static void check_quorum(fixture *f, const uint8_t pk[32], uint64_t a, uint64_t b)
{
    uint64_t q[2] = { a, b };
    group_scalar x = f->ts[0].share, l, t;
    group_point p;
    uint8_t enc[32];

    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(threshold_lagrange(&l, q, 2, q[k]), 0);
        group_scalar_mul(&t, &l, &f->ts[q[k]].share);
        group_scalar_add(&x, &x, &t);
    }
    group_point_mul_base(&p, &x);
    group_point_encode(enc, &p);
    assert_memory_equal(enc, pk, 32);
}

static void test_complete(void **state)
{
    fixture *f = *state;
    election_status st;
    uint8_t pk[32];

    complete(f);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_string_equal(st.state, "keys-ready");
    assert_int_equal(election_status_key(f->s, pk), 0);
    for (uint64_t i = 0; i < N; i++)
        assert_true(f->ts[i].has_share);
    check_quorum(f, pk, 1, 2);
    check_quorum(f, pk, 1, 3);
    check_quorum(f, pk, 3, 2);
    /* the president alone, or the delegates alone, do not hold the key */
    {
        group_point p;
        uint8_t enc[32];

        group_point_mul_base(&p, &f->ts[0].share);
        group_point_encode(enc, &p);
        assert_memory_not_equal(enc, pk, 32);
    }
    /* the ceremony is over: no more messages */
    {
        json_t *m = json_pack("{sssssssI}", "format", CEREMONY_FORMAT, "eid", st.eid, "kind",
                              "keys", "holder", (json_int_t)1);

        expect_refused(f, m, "key ceremony is over");
        json_decref(m);
    }
    /* and no demo key can replace it */
    assert_int_equal(election_set_public_key(f->s, &f->c, pk), ELECTION_REFUSED);
}

static void test_bad_keys(void **state)
{
    fixture *f = *state;
    json_t *m = keygen(f, 2), *c;
    char *eid;

    /* a commitment changed in transit: the signature no longer holds */
    c = json_deep_copy(m);
    json_array_set_new(json_object_get(c, "commitments"), 0,
                       json_string(json_string_value(json_object_get(c, "sign_pk"))));
    expect_refused(f, c, "holder 2: the keys message's signature is invalid");
    /* re-signed by the holder, the proof of knowledge fails */
    assert_int_equal(ceremony_message_sign(c, f->ts[2].sign_sk), 0);
    expect_refused(f, c, "holder 2: the proof of knowledge");
    json_decref(c);
    /* posted under another holder's number */
    c = json_deep_copy(m);
    json_object_set_new(c, "holder", json_integer(1));
    assert_int_equal(ceremony_message_sign(c, f->ts[2].sign_sk), 0);
    expect_refused(f, c, "holder 1: the proof of knowledge");
    json_decref(c);
    /* another election */
    c = json_deep_copy(m);
    eid = strdup(json_string_value(json_object_get(c, "eid")));
    eid[0] = eid[0] == 'a' ? 'b' : 'a';
    json_object_set_new(c, "eid", json_string(eid));
    free(eid);
    assert_int_equal(ceremony_message_sign(c, f->ts[2].sign_sk), 0);
    expect_refused(f, c, "another election");
    json_decref(c);
    /* no holder 4 in a bureau of 1 + 3 */
    c = json_deep_copy(m);
    json_object_set_new(c, "holder", json_integer(N));
    expect_refused(f, c, "from 0 (the president) to 3");
    json_decref(c);
    /* not JSON */
    assert_int_equal(ceremony_post(f->s, &f->c, "{\"kind\":", 8), ELECTION_REFUSED);
    /* the genuine message passes once */
    assert_int_equal(post(f, m), ELECTION_OK);
    expect_refused(f, m, "already posted its keys");
    /* shares before every holder's keys */
    c = json_pack("{sOsssssI}", "eid", json_object_get(m, "eid"), "format", CEREMONY_FORMAT,
                  "kind", "shares", "holder", (json_int_t)2);
    expect_refused(f, c, "shares come after every holder's keys (1 of 4)");
    json_decref(c);
    json_decref(m);
}

static void test_complaint(void **state)
{
    fixture *f = *state;
    json_t *m, *sh, *c;
    election_status st;
    char err[TRUSTEE_ERR_CHARS];

    all_keys(f);
    /* delegate 2 sends delegate 1 the share meant for delegate 3 */
    m = shares(f, 2);
    sh = json_object_get(m, "shares");
    json_object_set(sh, "1", json_object_get(sh, "3"));
    assert_int_equal(ceremony_message_sign(m, f->ts[2].sign_sk), 0);
    assert_int_equal(post(f, m), ELECTION_OK);      /* sealed: the server cannot tell */
    json_decref(m);
    for (uint64_t i = 1; i < N; i += 2) {
        m = shares(f, i);
        assert_int_equal(post(f, m), ELECTION_OK);
        json_decref(m);
    }
    /* a shares message made by the wrong key is refused */
    c = export(f);
    m = json_deep_copy(json_array_get(json_object_get(c, "shares"), 0));
    assert_int_equal(ceremony_message_sign(m, f->ts[3].sign_sk), 0);
    expect_refused(f, m, "holder 1: the shares message's signature is invalid");
    json_decref(c);
    json_decref(m);
    /* delegate 3 finds nothing wrong; delegate 1 accuses delegate 2 */
    m = verdict(f, 3);
    assert_true(json_is_true(json_object_get(m, "ok")));
    assert_int_equal(post(f, m), ELECTION_OK);
    json_decref(m);
    m = verdict(f, 1);
    assert_true(json_is_false(json_object_get(m, "ok")));
    assert_int_equal(json_integer_value(json_object_get(m, "accused")), 2);
    assert_int_equal(post(f, m), ELECTION_OK);
    assert_non_null(strstr(f->c.msg, "accuses holder 2"));
    json_decref(m);
    /* the ceremony cannot complete */
    m = verdict(f, 0);
    expect_refused(f, m, "the ceremony failed");
    json_decref(m);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_string_equal(st.state, "draft");
    /* it starts again, with a reason, and forgets every message */
    assert_int_equal(ceremony_restart(f->s, &f->c), ELECTION_REFUSED);
    f->c.reason = "complaint of delegate 1 against delegate 2";
    assert_int_equal(ceremony_restart(f->s, &f->c), ELECTION_OK);
    f->c.reason = NULL;
    c = export(f);
    assert_int_equal(json_array_size(json_object_get(c, "keys")), 0);
    assert_int_equal(json_array_size(json_object_get(c, "verdicts")), 0);
    /* the old key file is useless for the new ceremony */
    assert_int_equal(trustee_shares(&m, &f->ts[1], c, err, sizeof err), -1);
    json_decref(c);
    complete(f);
}

static int count_seals(store_tx *tx, uint64_t *n)
{
    return store_audit_count(tx, "seal-open", n) == 0 && *n == 2
               ? store_audit_count(tx, "opened", n)
               : -1;
}

/* Holder i's seal of state (at close, from box and sigs); NULL if it
 * refuses, its reason in why (if not NULL). */
static json_t *seal_with(fixture *f, uint64_t i, json_t *state, const trustee_box *box,
                         json_t *sigs, char *why)
{
    json_t *c = export(f), *m = NULL, *record = NULL;
    char err[TRUSTEE_ERR_CHARS] = "";

    if (trustee_seal(&m, &record, &f->ts[i], c, state, box, sigs, err, sizeof err) != 0)
        m = NULL;
    if (why != NULL)
        strcpy(why, err);
    json_decref(record);
    json_decref(c);
    return m;
}

static json_t *seal(fixture *f, uint64_t i, json_t *state)
{
    return seal_with(f, i, state, NULL, NULL, NULL);
}

/* Holder 2 refuses to seal bad with its member `key` set to st's `wrong`;
 * the member is then set back to st's own. */
static void seal_refused(fixture *f, json_t *bad, json_t *st, const char *key, const char *wrong)
{
    json_object_set(bad, key, json_object_get(st, wrong));
    assert_null(seal(f, 2, bad));
    json_object_set(bad, key, json_object_get(st, key));
}

static void test_seals(void **state)
{
    fixture *f = *state;
    json_t *st, *m, *bad;
    FILE *codes = tmpfile();
    uint64_t n;

    complete(f);
    assert_int_equal(election_demo_credentials(f->s, &f->c, codes), 0);
    fclose(codes);
    assert_int_equal(election_open(f->s, &f->c), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "president no, 0 delegate"));
    assert_int_equal(ceremony_seal_state(f->s, "open", NULL, &st, NULL), 0);
    /* a holder refuses to seal a state with another fingerprint, or whose box
     * or signatures are not those of an empty box */
    bad = json_deep_copy(st);
    seal_refused(f, bad, st, "fingerprint", "box");
    seal_refused(f, bad, st, "box", "software");
    seal_refused(f, bad, st, "signatures", "software");
    /* nor one whose credentials hash is not the authority's signed lists' */
    seal_refused(f, bad, st, "credentials", "software");
    assert_non_null(m = seal(f, 2, bad));
    json_decref(m);
    {   /* and it checks the lists' signatures itself: one altered, it refuses */
        json_t *c = export(f), *rec = NULL, *l;
        char err[TRUSTEE_ERR_CHARS] = "", sig[129];

        l = json_array_get(json_object_get(json_object_get(c, "credential_lists"), "lists"), 0);
        snprintf(sig, sizeof sig, "%s", json_string_value(json_object_get(l, "signature")));
        sig[5] = sig[5] == 'a' ? 'b' : 'a';
        json_object_set_new(l, "signature", json_string(sig));
        m = NULL;
        assert_int_not_equal(trustee_seal(&m, &rec, &f->ts[2], c, st, NULL, NULL, err,
                                          sizeof err), 0);
        assert_non_null(strstr(err, "the credential authority's signed lists"));
        assert_null(m);
        json_decref(rec);
        json_decref(c);
    }
    /* the server refuses a seal of another state, or by another key */
    json_object_set(bad, "fingerprint", json_object_get(st, "fingerprint"));
    json_object_set(bad, "software", json_object_get(st, "box"));
    m = json_pack("{sssOsssIsO}", "format", CEREMONY_FORMAT, "eid", json_object_get(st, "eid"),
                  "kind", "seal-open", "holder", (json_int_t)2, "state", bad);
    assert_int_equal(ceremony_message_sign(m, f->ts[2].sign_sk), 0);
    expect_refused(f, m, "covers another state");
    json_object_set(m, "state", st);
    assert_int_equal(ceremony_message_sign(m, f->ts[1].sign_sk), 0);
    expect_refused(f, m, "holder 2");
    json_decref(m);
    json_decref(bad);
    /* a seal before closing is not a seal before opening; and a holder seals a
     * close only from the archive and the signature list */
    assert_int_equal(ceremony_seal_state(f->s, "close", NULL, &bad, NULL), 0);
    json_object_set_new(bad, "act", json_string("seal"));
    assert_null(seal(f, 0, bad));
    json_object_set_new(bad, "act", json_string("close"));
    assert_null(seal(f, 0, bad));
    m = json_pack("{sssOsssIsO}", "format", CEREMONY_FORMAT, "eid", json_object_get(st, "eid"),
                  "kind", "seal-close", "holder", (json_int_t)0, "state", bad);
    assert_int_equal(ceremony_message_sign(m, f->ts[0].sign_sk), 0);
    expect_refused(f, m, "a seal before close is taken in state open");
    json_decref(m);
    json_decref(bad);
    /* the president's seal alone is not enough */
    m = seal(f, 0, st);
    assert_int_equal(post(f, m), ELECTION_OK);
    json_decref(m);
    assert_int_equal(election_open(f->s, &f->c), ELECTION_REFUSED);
    assert_non_null(strstr(f->c.msg, "president yes, 0 delegate"));
    m = seal(f, 3, st);
    assert_int_equal(post(f, m), ELECTION_OK);
    json_decref(m);
    assert_int_equal(election_open(f->s, &f->c), ELECTION_OK);
    json_decref(st);
    assert_int_equal(store_read(f->s, (store_job)count_seals, &n), 0);
    assert_int_equal(n, 1);
}

static void expect_no_seal(fixture *f, json_t *state, const trustee_box *box, json_t *sigs,
                           const char *why)
{
    char err[TRUSTEE_ERR_CHARS];
    json_t *m = seal_with(f, 1, state, box, sigs, err);

    if (m != NULL || strstr(err, why) == NULL)
        fail_msg("sealed, or refused with \"%s\" instead of \"%s\"", err, why);
}

/* At close, a holder recomputes the state from the archive (verified) and the
 * signature list: a state, a list or an archive that do not agree is refused,
 * and the holder's record keeps what it sealed. */
static void test_close_seal_recomputed(void **state)
{
    fixture *f = *state;
    json_t *st, *sigs, *bad, *m, *c, *record = NULL, *list;
    trustee_box *box = malloc(sizeof *box);
    FILE *codes = tmpfile();
    char err[TRUSTEE_ERR_CHARS];

    complete(f);
    assert_int_equal(election_demo_credentials(f->s, &f->c, codes), 0);
    fclose(codes);
    assert_int_equal(tu_bureau_seal(f->s, &f->c, f->ts, "open", 0, 1), 0);
    assert_int_equal(election_open(f->s, &f->c), ELECTION_OK);
    assert_int_equal(ceremony_seal_state(f->s, "close", NULL, &st, &sigs), 0);
    c = export(f);
    assert_int_equal(tu_bureau_box(f->s, c, &f->ts[1], box), 0);
    assert_string_equal(json_string_value(json_object_get(sigs, "format")),
                        CEREMONY_SIGNATURES_FORMAT);
    /* no archive, no seal */
    expect_no_seal(f, st, NULL, NULL, "needs the archive");
    /* the officer's box or signature hash is not what the data give */
    bad = json_deep_copy(st);
    json_object_set(bad, "box", json_object_get(st, "software"));
    expect_no_seal(f, bad, box, sigs, "box hash is not the one recomputed");
    json_object_set(bad, "box", json_object_get(st, "box"));
    json_object_set(bad, "signatures", json_object_get(st, "software"));
    expect_no_seal(f, bad, box, sigs, "signature hash is not the one recomputed");
    json_decref(bad);
    /* a signature list with one more voter than ballots in the box */
    bad = json_deep_copy(sigs);
    list = json_object_get(bad, "signatures");
    json_array_append_new(list, json_pack("[ss]", box->sc[0].id, "V1"));
    expect_no_seal(f, st, box, bad, "0 ballots in the archive's box but 1 signatures");
    json_array_append_new(list, json_pack("[ss]", box->sc[0].id, "V1"));
    expect_no_seal(f, st, box, bad, "names a voter twice");
    json_decref(bad);
    bad = json_deep_copy(sigs);
    json_object_set_new(bad, "eid", json_string("another"));
    expect_no_seal(f, st, box, bad, "another election's");
    json_decref(bad);
    /* the archive's box is not the box of the state */
    box->sc[0].digest[0] ^= 1;
    expect_no_seal(f, st, box, sigs, "box hash is not the one recomputed");
    box->sc[0].digest[0] ^= 1;
    /* the honest state: sealed and recorded, scrutin by scrutin */
    assert_int_equal(trustee_seal(&m, &record, &f->ts[1], c, st, box, sigs, err, sizeof err), 0);
    assert_true(json_equal(json_object_get(m, "state"), st));
    assert_int_equal(post(f, m), ELECTION_OK);
    json_decref(m);
    assert_string_equal(json_string_value(json_object_get(record, "format")),
                        TRUSTEE_RECORD_FORMAT);
    assert_int_equal(json_array_size(json_object_get(record, "scrutins")), box->n);
    assert_non_null(json_object_get(record, "seal_close"));
    /* asked again: the same state gives the same seal; another software
     * digest than the president's at opening, or (with the record) any other
     * closing state, is refused and the record stays */
    assert_int_equal(trustee_seal(&m, &record, &f->ts[1], c, st, box, sigs, err, sizeof err), 0);
    assert_true(json_equal(m, json_object_get(record, "seal_close")));
    json_decref(m);
    bad = json_deep_copy(st);
    json_object_set(bad, "software", json_object_get(st, "box"));
    expect_no_seal(f, bad, box, sigs, "is not the one the president sealed at opening");
    list = record;
    assert_int_equal(trustee_seal(&m, &record, &f->ts[1], c, bad, box, sigs, err, sizeof err),
                     -1);
    assert_ptr_equal(record, list);
    json_decref(bad);
    bad = json_deep_copy(record);
    json_object_set(json_object_get(json_object_get(bad, "seal_close"), "state"), "signatures",
                    json_object_get(st, "box"));
    list = bad;
    assert_int_equal(trustee_seal(&m, &bad, &f->ts[1], c, st, box, sigs, err, sizeof err), -1);
    assert_non_null(strstr(err, "already sealed another closing state"));
    assert_ptr_equal(bad, list);
    json_decref(bad);
    json_decref(record);
    json_decref(c);
    json_decref(st);
    json_decref(sigs);
    free(box);
}

/* The messages through the daemon: the public export, a seal posted over HTTP,
 * a holder's keys refused there, a late verdict refused with the reason. */
static void http_relay(const char *dir, const char *bin, const char *cfg)
{
    char path[PATH_MAX + 16], msg[8192];
    tu_reply *r = malloc(sizeof *r);
    int pid;

    snprintf(path, sizeof path, "%s/daemon.log", dir);
    pid = tu_daemon_start(bin, cfg, path);
    assert_true(pid > 0);
    tu_http(r, "GET", "/api/v1/ceremony", NULL, 0, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "\"verdicts\""));
    assert_int_equal(tu_sh(msg, sizeof msg, "cat %s/keys1.json", dir), 0);
    tu_http(r, "POST", "/api/v1/ceremony", msg, (long)strlen(msg), "Content-Type: application/json");
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(r->body, "ceremony_keys"));
    assert_int_equal(tu_sh(msg, sizeof msg, "cat %s/ver1.json", dir), 0);
    tu_http(r, "POST", "/api/v1/ceremony?lang=en", msg, (long)strlen(msg),
            "Content-Type: application/json");
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "key ceremony is over"));
    assert_int_equal(tu_sh(msg, sizeof msg, "cat %s/seal2.json", dir), 0);
    tu_http(r, "POST", "/api/v1/ceremony", msg, (long)strlen(msg), "Content-Type: application/json");
    assert_int_equal(r->status, 200);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    free(r);
}

/* The tools as the holders and the officer use them, key files and all. */
static void test_cli(void **state)
{
    char bin[PATH_MAX], cfg[PATH_MAX], out[16384], dir[PATH_MAX], *def;
    const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";
    fixture *f = *state;
    time_t now = time(NULL);

    assert_non_null(realpath(b, bin));
    snprintf(dir, sizeof dir, "%s/cli", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(tu_config(dir, bin, NULL, cfg, sizeof cfg), 0);
    def = tu_definition_bureau(now - 60, now + 86400, 2);
    free(tu_write(dir, "e.json", def));
    free(def);
    free(tu_write(dir, "v.csv", HEADER "V1,A,B,v1@ex.fr,E,,attache\n"));
    free(tu_write(dir, "pass", "correct horse battery staple\n"));
    free(tu_write(dir, "wrong", "correct horse battery stapler\n"));
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && V='%s/votectl -c votesrv.json' && "
              "T='%s/votetrustee --kdf interactive --passphrase-file pass' && "
              "$V init e.json && $V import-voters v.csv && "
              "$V ceremony export c.json && for i in 0 1 2; do $T keygen c.json $i k$i keys$i.json; done && "
              "! $T keygen c.json 1 k1 again.json && "
              "$V ceremony post keys0.json keys1.json keys2.json && $V ceremony export c.json && "
              "$T shares c.json k1 sh1.json && $T shares c.json k2 sh2.json && "
              "! $T shares c.json k0 sh0.json && "
              "! %s/votetrustee --passphrase-file wrong shares c.json k1 x.json && "
              "$V ceremony post sh1.json sh2.json && $V ceremony export c.json && "
              "for i in 0 1 2; do $T verdict c.json k$i ver$i.json; done && "
              "$V ceremony post ver0.json ver1.json ver2.json && "
              "$V credentials --demo codes.csv --hr v.csv && "
              "! $V open && $V seal-state open s.json && $V ceremony export c.json && "
              "$T seal c.json s.json k0 seal0.json && $T seal c.json s.json k2 seal2.json && "
              "$V ceremony post seal0.json",
              dir, bin, bin, bin) != 0)
        fail_msg("%s", out + (strlen(out) > 2000 ? strlen(out) - 2000 : 0));
    assert_non_null(strstr(out, "joint key is set"));
    assert_non_null(strstr(out, "a key file is never overwritten"));
    assert_non_null(strstr(out, "the president deals no shares"));
    assert_non_null(strstr(out, "wrong passphrase"));
    http_relay(dir, bin, cfg);
    if (tu_sh(out, sizeof out, "exec 2>&1; cd %s && V='%s/votectl -c votesrv.json' && "
              "T='%s/votetrustee --kdf interactive --passphrase-file pass' && $V open && $V status && "
              "$T backup k1 b1.pdf && pdftoppm -r 150 -png b1.pdf page && "
              "zbarimg -q --raw page-1.png > k1.txt && $T restore k1.txt k1again && cmp k1 k1again && "
              "! $T restore e.json k1bad && ! $T restore k1.txt k1again && echo BACKUP-OK && "
              "{ $V seal-state close sc.json sig.json; echo \"seal-state $?\"; } && "
              "{ $V archive a.jsonl; echo \"archive $?\"; } && "
              "! ls sc.json sig.json a.jsonl a.jsonl.partial 2>/dev/null",
              dir, bin, bin) != 0)
        fail_msg("%s", out);
    /* while voting is open, neither the closing state nor the archive: exit 1, why, nothing written */
    assert_non_null(strstr(out, "votectl seal-state: refused: voting is open until "));
    assert_non_null(strstr(out, "votectl archive: refused: voting is open until "));
    assert_non_null(strstr(out, "seal-state 1\n"));
    assert_non_null(strstr(out, "archive 1\n"));
    assert_non_null(strstr(out, "state        open"));
    assert_non_null(strstr(out, "BACKUP-OK"));
    assert_non_null(strstr(out, "is not the text of a key file backup"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_complete, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_complaint, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_seals, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_close_seal_recomputed, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cli, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
