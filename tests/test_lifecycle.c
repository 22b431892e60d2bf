/* test_lifecycle.c - draft -> keys-ready -> open -> closed ... with every
 * precondition enforced, illegal transitions refused with a reason and no
 * change, and every transition audited with a signed checkpoint; the
 * credential authority's file imported only before opening, whole and
 * signed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"
#include "crypto/hex.h"
#include "election/credentials.h"
#include "election/demo.h"
#include "election/election.h"

#define HEADER "number,surname,given_names,emails,establishment,postal_address,corps\n"

typedef struct {
    char *dir;
    store *s;
    election_ctx c;
    int64_t opens, closes;
    uint8_t audit_pk[32];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    uint8_t sk[64];
    def_election d;
    char err[DEF_ERR_CHARS], *text;
    voter_list l;
    voters_diff diff;
    const char *csv = HEADER "V1,A,B,v1@ex.fr,E,,attache\nV2,A,B,v2@ex.fr,E,,secretaire\n";

    if (f == NULL || crypto_init() != 0)
        return -1;
    crypto_sign_keypair(f->audit_pk, sk);
    audit_set_signing_key(sk);
    f->dir = tu_tmpdir();
    f->s = tu_store(f->dir);
    f->opens = (int64_t)time(NULL) + 3600;
    f->closes = f->opens + 7 * 86400;
    text = tu_definition(f->opens, f->closes);
    f->c = (election_ctx){ "officer", "alice", NULL, f->opens - 600, "", NULL, ELECTION_WHY_OTHER };
    if (def_parse(&d, text, strlen(text), err, sizeof err) != 0 ||
        election_create(f->s, &f->c, &d, f->audit_pk) != ELECTION_OK ||
        voters_parse_buffer(&l, "v.csv", csv, strlen(csv), &d) != 0 ||
        voters_diff_compute(f->s, &l, &diff) != 0 ||
        election_import_voters(f->s, &f->c, &l, &diff, NULL, NULL) != ELECTION_OK)
        return -1;
    voter_list_free(&l);
    def_free(&d);
    free(text);
    *state = f;
    return 0;
}

static const char *state_of(fixture *f)
{
    static election_status st;

    assert_int_equal(election_status_get(f->s, &st), 0);
    return st.state;
}

static void expect_refused(fixture *f, int rc, const char *why)
{
    assert_int_equal(rc, ELECTION_REFUSED);
    if (strstr(f->c.msg, why) == NULL)
        fail_msg("refusal \"%s\" does not say \"%s\"", f->c.msg, why);
}

typedef struct {
    char events[64][32];
    int n;
} event_list;

static int collect_event(const store_audit_entry *e, void *arg)
{
    event_list *l = arg;

    if (l->n < 64)
        snprintf(l->events[l->n++], 32, "%s", e->event);
    return 0;
}

static int read_events(store_tx *tx, void *arg)
{
    return store_audit_each(tx, 1, collect_event, arg);
}

static void test_full_lifecycle(void **state)
{
    fixture *f = *state;
    elgamal_pk pk;
    group_scalar sk;
    election_status st;
    event_list ev = { .n = 0 };
    uint64_t before;
    FILE *codes = tmpfile();
    const char *expected[] = { "election-created", "voters-imported", "test-started",
                               "test-wiped", "public-key-set", "credentials-imported",
                               "opened", "voter-struck", "voters-added", "suspended", "resumed", "closed" };

    /* nothing opens or closes from draft */
    expect_refused(f, election_open(f->s, &f->c), "must be keys-ready");
    expect_refused(f, election_close(f->s, &f->c), "only an open election closes");
    expect_refused(f, election_purge(f->s, &f->c), "after the results are published");
    expect_refused(f, election_resume(f->s, &f->c), "not suspended");
    /* a test run, then its wipe (which needs a reason) */
    assert_int_equal(election_test_start(f->s, &f->c), ELECTION_OK);
    expect_refused(f, election_test_start(f->s, &f->c), "already in progress");
    f->c.reason = "mock vote by the bureau";
    assert_int_equal(election_test_end(f->s, &f->c), ELECTION_OK);
    f->c.reason = NULL;
    /* keys */
    assert_int_equal(elgamal_keypair(&pk, &sk, NULL), 0);
    expect_refused(f, election_set_public_key(f->s, &f->c, (const uint8_t[32]){ 0 }),
                   "not a valid ristretto255 point");
    assert_int_equal(election_set_public_key(f->s, &f->c, pk.bytes), ELECTION_OK);
    assert_string_equal(state_of(f), "keys-ready");
    expect_refused(f, election_set_public_key(f->s, &f->c, pk.bytes), "only be set in state draft");
    /* no opening before every voter has a vote code */
    expect_refused(f, election_open(f->s, &f->c), "notices are not generated");
    assert_int_equal(election_demo_credentials(f->s, &f->c, codes), 0);
    /* not after the window either */
    f->c.now = f->closes;
    expect_refused(f, election_open(f->s, &f->c), "the voting window closed");
    f->c.now = f->opens - 60;
    assert_int_equal(election_open(f->s, &f->c), ELECTION_OK);
    assert_string_equal(state_of(f), "open");
    /* after opening: no test run; audited amendments with a reason */
    expect_refused(f, election_test_start(f->s, &f->c), "before sealing");
    expect_refused(f, election_amend_strike(f->s, &f->c, "V2"), "needs a reason");
    f->c.reason = "left the service";
    assert_int_equal(election_amend_strike(f->s, &f->c, "V2"), ELECTION_OK);
    expect_refused(f, election_amend_strike(f->s, &f->c, "V2"), "already struck");
    expect_refused(f, election_amend_strike(f->s, &f->c, "V9"), "no voter numbered V9");
    {
        def_election d;
        voter_list l;
        char err[DEF_ERR_CHARS];
        const char *late = HEADER "V3,New,Hire,v3@ex.fr,E,,attache\n";
        const char *clash = HEADER "V4,Other,Person,v1@ex.fr,E,,attache\n";

        assert_int_equal(election_definition(f->s, &d, err, sizeof err), 0);
        assert_int_equal(voters_parse_buffer(&l, "late.csv", late, strlen(late), &d), 0);
        f->c.reason = "hired after the list was closed";
        assert_int_equal(election_amend_add(f->s, &f->c, &l), ELECTION_OK);
        voter_list_free(&l);
        assert_int_equal(voters_parse_buffer(&l, "clash.csv", clash, strlen(clash), &d), 0);
        expect_refused(f, election_amend_add(f->s, &f->c, &l), "already on the electoral list");
        voter_list_free(&l);
        def_free(&d);
    }
    f->c.reason = NULL;
    /* suspension needs a reason and a notice */
    expect_refused(f, election_suspend(f->s, &f->c, "Incident"), "needs a reason");
    f->c.reason = "network incident";
    expect_refused(f, election_suspend(f->s, &f->c, ""), "notice shown to voters");
    assert_int_equal(election_suspend(f->s, &f->c, "Vote suspendu, reprise à 14 h."), 0);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_true(st.suspended);
    assert_string_equal(st.notice, "Vote suspendu, reprise à 14 h.");
    f->c.reason = NULL;
    assert_int_equal(election_resume(f->s, &f->c), ELECTION_OK);
    /* no closing before the end of the window; a refusal changes nothing */
    before = st.audit_entries;
    f->c.now = f->closes - 1;
    expect_refused(f, election_close(f->s, &f->c), "the election cannot close before");
    f->c.now = f->closes;
    assert_int_equal(election_close(f->s, &f->c), ELECTION_OK);
    assert_string_equal(state_of(f), "closed");
    expect_refused(f, election_open(f->s, &f->c), "must be keys-ready");
    /* the audit trail names every step, in order */
    assert_int_equal(store_read(f->s, read_events, &ev), 0);
    assert_int_equal(ev.n, (int)(sizeof expected / sizeof expected[0]));
    for (int i = 0; i < ev.n; i++)
        assert_string_equal(ev.events[i], expected[i]);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.audit_entries, before + 2);     /* resumed, closed */
    elgamal_pk_clear(&pk);
    fclose(codes);
}

static void test_amendments_after_closing(void **state)
{
    fixture *f = *state;

    /* the election of the previous test is closed: amendments are refused */
    f->c.reason = "left the service";
    expect_refused(f, election_amend_strike(f->s, &f->c, "V1"), "open election");
    f->c.reason = NULL;
}


/* ---- the credential authority's file ---- */

static const char *const import_codes[] = { "CODEOFVOTERONE00000000000001",
                                            "CODEOFVOTERTWO00000000000002" };

static json_t *hexj(const uint8_t *b, size_t n)
{
    char hex[129];

    hex_encode(hex, b, n);
    return json_string(hex);
}

/* A credentials file for V1 (attaché: both scrutins) and V2 (CSA only),
 * lists signed with sk, naming authority pk; `drop_v2_csa`: V2 left out of
 * the CSA (a list one short, properly signed), `eligible_lie`: the CSA list
 * claims one voter more than it holds. */
static json_t *cred_file(const uint8_t sk[64], const uint8_t pk[32], int drop_v2_csa,
                         int eligible_lie, const char *extra_voter, store *s)
{
    election_status st;
    const char *sc[2] = { "cap-attaches", "csa-ministere" };
    json_t *lists = json_array(), *bindings = json_array();
    json_t *doc;

    assert_int_equal(election_status_get(s, &st), 0);
    for (int k = 0; k < 2; k++) {
        uint8_t pubs[2][32], bind[32], digest[32], sig[64], t[32];
        credential_list_hash h;
        json_t *creds = json_array();
        size_t n = 0;

        for (int v = 0; v < 2; v++) {
            if ((v == 1 && k == 0) || (v == 1 && k == 1 && drop_v2_csa))
                continue;
            assert_int_equal(credential_from_code_scrutin(bind, pubs[n], (const uint8_t *)st.eid,
                                                          strlen(st.eid),
                                                          (const uint8_t *)import_codes[v], 28,
                                                          sc[k]), 0);
            json_array_append_new(bindings, json_pack("{s:s,s:s,s:o}", "voter",
                                                      v ? "V2" : "V1", "scrutin", sc[k], "bind",
                                                      hexj(bind, 32)));
            n++;
        }
        if (n == 2 && memcmp(pubs[0], pubs[1], 32) > 0) {
            memcpy(t, pubs[0], 32);
            memcpy(pubs[0], pubs[1], 32);
            memcpy(pubs[1], t, 32);
        }
        credential_list_init(&h, st.eid, sc[k], n + (k == 1 && eligible_lie));
        for (size_t i = 0; i < n; i++) {
            credential_list_add(&h, pubs[i]);
            json_array_append_new(creds, hexj(pubs[i], 32));
        }
        credential_list_final(&h, digest);
        crypto_sign_detached(sig, NULL, digest, 32, sk);
        json_array_append_new(lists, json_pack("{s:s,s:I,s:o,s:o}", "scrutin", sc[k], "eligible",
                                               (json_int_t)(n + (k == 1 && eligible_lie)),
                                               "credentials", creds, "signature",
                                               hexj(sig, 64)));
    }
    if (extra_voter != NULL)
        json_array_append_new(bindings, json_pack("{s:s,s:s,s:o}", "voter", extra_voter,
                                                  "scrutin", "csa-ministere", "bind",
                                                  hexj((const uint8_t[32]){ 1 }, 32)));
    doc = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "format", CREDENTIALS_FORMAT, "election", st.eid,
                    "fingerprint", hexj(st.fingerprint, 32), "authority", hexj(pk, 32),
                    "lists", lists, "bindings", bindings);
    return doc;
}

static void expect_import_refused(fixture *f, json_t *doc, const char *why)
{
    election_status before, after;

    assert_int_equal(election_status_get(f->s, &before), 0);
    expect_refused(f, election_import_credentials_json(f->s, &f->c, doc), why);
    json_decref(doc);
    assert_int_equal(election_status_get(f->s, &after), 0);
    assert_int_equal(after.credentials, before.credentials);      /* nothing changed */
    assert_int_equal(after.without_auth, before.without_auth);
    assert_int_equal(after.audit_entries, before.audit_entries);
}

/* Only the authority's key, only whole lists (count = the scrutin's eligible
 * voters, a binding for each), only before opening. */
static void test_credentials_import(void **state)
{
    fixture *f = *state;
    uint8_t seed[32], pk[32], sk[64], other_pk[32], other_sk[64];
    elgamal_pk epk;
    group_scalar esk;
    election_status st;
    json_t *doc;

    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    crypto_sign_keypair(other_pk, other_sk);
    /* before the key ceremony: the file cannot match the fingerprint */
    expect_import_refused(f, cred_file(sk, pk, 0, 0, NULL, f->s), "another election fingerprint");
    assert_int_equal(elgamal_keypair(&epk, &esk, NULL), 0);
    assert_int_equal(election_set_public_key(f->s, &f->c, epk.bytes), ELECTION_OK);
    /* a file made with another key, named as such or as the definition's */
    expect_import_refused(f, cred_file(other_sk, other_pk, 0, 0, NULL, f->s),
                          "not the definition's credential_authority");
    expect_import_refused(f, cred_file(other_sk, pk, 0, 0, NULL, f->s),
                          "the signature is not the credential authority's");
    /* wrong counts: a list claiming more voters than it holds, a list one
     * voter short (signed), a binding for a voter not on the list */
    expect_import_refused(f, cred_file(sk, pk, 0, 1, NULL, f->s), "as many credentials");
    expect_import_refused(f, cred_file(sk, pk, 1, 0, NULL, f->s),
                          "have no credential for a scrutin they may vote in");
    expect_import_refused(f, cred_file(sk, pk, 0, 0, "V9", f->s), "bindings for");
    /* a list with a key of its own (no signature covers it; the list is stored as given) */
    doc = cred_file(sk, pk, 0, 0, NULL, f->s);
    json_object_set_new(json_array_get(json_object_get(doc, "lists"), 0), "note",
                        json_string("unsigned"));
    expect_import_refused(f, doc, "and no other key");
    /* the right file */
    doc = cred_file(sk, pk, 0, 0, NULL, f->s);
    assert_int_equal(election_import_credentials_json(f->s, &f->c, doc), ELECTION_OK);
    json_decref(doc);
    assert_int_equal(election_status_get(f->s, &st), 0);
    assert_int_equal(st.credentials, 3);
    assert_int_equal(st.without_auth, 0);
    /* after opening: refused, nothing changed */
    assert_int_equal(election_open(f->s, &f->c), ELECTION_OK);
    expect_import_refused(f, cred_file(sk, pk, 0, 0, NULL, f->s), "before the vote opens");
    elgamal_pk_clear(&epk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_lifecycle),
        cmocka_unit_test(test_amendments_after_closing),
        cmocka_unit_test_setup_teardown(test_credentials_import, setup, tu_fixture_teardown),
    };
    return cmocka_run_group_tests_name("lifecycle", tests, setup, tu_fixture_teardown);
}
