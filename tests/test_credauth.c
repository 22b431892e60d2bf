/*
 * test_credauth.c - votecad, the online credential authority
 * (docs/protocol.md section 17): a real `votecad serve` on loopback with its
 * own store, roster and key, mailing through the SMTP sink (tests/smtp_sink.py,
 * whose N.rcpt files name each message's envelope recipients).
 *
 * A reissue's record verifies with the authority's key, its digest is
 * credential_reissue_final's, its fresh credentials and bindings are those of
 * the code mailed, and the code goes to the roster's addresses only. Refused,
 * each with its error and nothing changed: a request not signed by the daemon's
 * key, for another election, for an unknown voter, for a scrutin not the
 * voter's, naming an address, malformed, too large, past the voter's limit.
 * The same request id gets the same answer and one mail; a crash between the
 * commit and the answer gives the same record after a restart. Files are
 * 0600; init refuses a shared key file, an existing store, another authority.
 */
#define _GNU_SOURCE                  /* memmem */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>
#include <sqlite3.h>
#include "credauth/credauth.h"
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "election/credentials.h"
#include "notices/code.h"
#include "testutil.h"

#define EID "e2026-credauth"
#define VOTERS 5

typedef struct {
    char *dir;
    char bin[PATH_MAX], cfg[PATH_MAX + 32], url[64];
    tu_smtp smtp;
    tu_votecad cad;              /* the running votecad serve (its bin, cfg, pid) */
    uint8_t auth_pk[32], auth_sk[64], srv_pk[32], srv_sk[64];
    /* the roster: per voter its current S per scrutin */
    uint8_t roster_s[VOTERS][2][32];
} fixture;

/* The fixture of the running test: the test is the server, which applies
 * every record votecad answers unless a test says otherwise. */
static fixture *current;

static const char *const numbers[VOTERS] = { "V001", "V002", "V003", "V004", "V005" };
static const char *const scrutin_ids[2] = { "cap-a", "csa-ministere" };
/* V001 two addresses, V003 none; V002 has one scrutin only */
static const char *const emails[VOTERS][2] = {
    { "alice@example.org", "alice.home@example.org" }, { "bob@example.org", NULL },
    { NULL, NULL }, { "dan@example.org", NULL }, { "eve@example.org", NULL } };

static int voter_scrutins(int v)
{
    return v == 1 ? 1 : 2;                       /* V002: csa-ministere only */
}

static const char *voter_scrutin(int v, int k)
{
    return v == 1 ? scrutin_ids[1] : scrutin_ids[k];
}

static void write_private(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void write_roster(fixture *f, const char *path, const uint8_t authority[32])
{
    json_t *voters = json_array(), *doc;
    char hex[65], *text;
    uint8_t fp[32];

    for (int v = 0; v < VOTERS; v++) {
        json_t *mails = json_array(), *creds = json_object();
        char code[CODE_SYMBOLS + 1];
        uint8_t bind[32];

        code_new(code);
        for (int e = 0; e < 2; e++)
            if (emails[v][e] != NULL)
                json_array_append_new(mails, json_string(emails[v][e]));
        for (int k = 0; k < voter_scrutins(v); k++) {
            assert_int_equal(credential_from_code_scrutin(bind, f->roster_s[v][k],
                                                          (const uint8_t *)EID, strlen(EID),
                                                          (const uint8_t *)code, CODE_SYMBOLS,
                                                          voter_scrutin(v, k)), 0);
            json_object_set_new(creds, voter_scrutin(v, k), tu_jhex(f->roster_s[v][k], 32));
        }
        json_array_append_new(voters, json_pack("{s:s,s:o,s:o}", "number", numbers[v],
                                                "emails", mails, "credentials", creds));
    }
    randombytes_buf(fp, sizeof fp);
    hex_encode(hex, fp, 32);
    doc = json_pack("{s:s,s:s,s:s,s:o,s:o}", "format", CREDAUTH_STATE_FORMAT, "election", EID,
                    "fingerprint", hex, "authority", tu_jhex(authority, 32), "voters", voters);
    text = json_dumps(doc, JSON_INDENT(1));
    write_private(path, text);
    free(text);
    json_decref(doc);
}

/* dir/NAME.json: the configuration, store dir/STORE, key dir/authority.key */
static void write_config(fixture *f, const char *name, const char *store)
{
    char path[PATH_MAX + 64], relay[64], templates[PATH_MAX];
    json_t *c;

    assert_non_null(realpath("../conf/mail", templates));
    snprintf(relay, sizeof relay, "smtp://127.0.0.1:%d", f->smtp.port);
    c = json_pack("{s:{s:s,s:i},s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i,"
                  "s:{s:s,s:s,s:b,s:s}}",
                  "listen", "address", "127.0.0.1", "port", 0, "key", "authority.key",
                  "store", store, "roster", "votecred-state.json", "server_key",
                  tu_jhex(f->srv_pk, 32), "election_name", "Élections test",
                  "support_email", "support@example.org", "portal_url",
                  "https://vote.example.org", "templates", templates, "lang", "fr",
                  "max_reissues_per_voter", 3, "max_undone_per_voter", 1, "max_undone", 3,
                  "mail", "relay", relay, "from",
                  "Autorité <ca@example.org>", "starttls", 1, "ca_file", f->smtp.cert);
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    assert_int_equal(json_dump_file(c, path, JSON_INDENT(1)), 0);
    json_decref(c);
}

static void votecad_start(fixture *f)
{
    snprintf(f->cad.bin, sizeof f->cad.bin, "%s", f->bin);
    snprintf(f->cad.dir, sizeof f->cad.dir, "%s", f->dir);
    snprintf(f->cad.cfg, sizeof f->cad.cfg, "%s", f->cfg);
    assert_int_equal(tu_votecad_serve(&f->cad), 0);
    snprintf(f->url, sizeof f->url, "%s", f->cad.url);
    snprintf(tu_base_url, sizeof tu_base_url, "%s", f->url);
}

/* SIGTERM; it must end cleanly (under ASan: no leak, no error). */
static void votecad_stop(fixture *f)
{
    if (tu_votecad_halt(&f->cad) != 0)
        fail_msg("votecad serve did not end cleanly (see its log)");
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char path[PATH_MAX + 64], seed_hex[66], out[2048];
    uint8_t seed[32];

    assert_int_equal(tu_bin(f->bin), 0);
    f->dir = tu_tmpdir();
    assert_int_equal(tu_smtp_start(&f->smtp, f->dir, NULL), 0);
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(f->auth_pk, f->auth_sk, seed);
    hex_encode(seed_hex, seed, 32);
    strcat(seed_hex, "\n");
    snprintf(path, sizeof path, "%s/authority.key", f->dir);
    write_private(path, seed_hex);
    crypto_sign_keypair(f->srv_pk, f->srv_sk);
    snprintf(path, sizeof path, "%s/votecred-state.json", f->dir);
    write_roster(f, path, f->auth_pk);
    write_config(f, "votecad.json", "votecad.db");
    snprintf(f->cfg, sizeof f->cfg, "%s/votecad.json", f->dir);
    if (tu_sh(out, sizeof out, "%s/votecad init %s", f->bin, f->cfg) != 0)
        fail_msg("votecad init: %s", out);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    votecad_start(f);
    *state = current = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    votecad_stop(f);
    tu_smtp_stop(&f->smtp);
    curl_global_cleanup();
    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static long long status_of(const fixture *f, const char *name);

/* A request signed with sk (the daemon's, unless a test says otherwise),
 * counting as applied every record votecad made. */
static char *request(const uint8_t sk[64], const char *eid, const char *voter,
                     const char *const *scrutins, size_t n, char id[33])
{
    uint64_t applied = (uint64_t)(status_of(current, "next_seq") - 1);
    char *r = election_reissue_request_make(eid, voter, scrutins, n, (uint64_t)time(NULL),
                                            applied, sk, id);

    assert_non_null(r);
    return r;
}

/* POST /reissue through the daemon's client: the HTTP status, the body in *out. */
static int post(const fixture *f, const char *body, char **out)
{
    char err[300];
    int rc = election_authority_post(f->url, body, out, err, sizeof err);

    if (rc < 0)
        fail_msg("%s", err);
    return rc == 0 ? 200 : rc;
}

static const char *error_of(const char *body, char *buf, size_t len)
{
    json_t *j = json_loads(body, 0, NULL);

    snprintf(buf, len, "%s", j ? json_string_value(json_object_get(j, "error")) : "(not json)");
    json_decref(j);
    return buf;
}

/* One line "NAME VALUE" of votecad status. */
static long long status_of(const fixture *f, const char *name)
{
    long long v = tu_votecad_status(&f->cad, name);

    if (v < 0)
        fail_msg("votecad status: no %s", name);
    return v;
}

static void wait_outbox_empty(const fixture *f)
{
    if (tu_votecad_outbox_empty(&f->cad) != 0)
        fail_msg("votecad's outbox never emptied");
}

static int scan_mails_to(const fixture *f, const char *addr, int *last)
{
    return tu_smtp_mails_to(&f->smtp, addr, last);
}

static int mails_to(const fixture *f, const char *addr)
{
    int last;

    return scan_mails_to(f, addr, &last);
}

/* The last message delivered to addr (malloc'd). */
static char *last_mail_to(const fixture *f, const char *addr)
{
    int last;

    scan_mails_to(f, addr, &last);
    assert_true(last > 0);
    return tu_smtp_message(&f->smtp, last);
}

/* The vote code in a code mail's text, canonical. */
static void code_in_mail(char code[CODE_SYMBOLS + 1], const char *message)
{
    assert_int_equal(tu_mail_code(code, message), 0);
}

static void hex_of(uint8_t *out, size_t len, json_t *v)
{
    assert_true(json_is_string(v));
    assert_int_equal(hex_decode(out, len, json_string_value(v)), 0);
}

/* Check a record against the authority's key, the request, the roster's
 * previous S (revoked) and the code mailed; returns its seq. The roster kept
 * by the test moves to the fresh S. */
static uint64_t check_record(fixture *f, const char *answer, int v, const char *code)
{
    json_t *rec = json_loads(answer, JSON_REJECT_DUPLICATES, NULL), *entries, *bindings;
    credential_reissue_hash h;
    uint8_t d[32], sig[64];
    uint64_t seq;

    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(rec, "format")),
                        CREDAUTH_RECORD_FORMAT);
    assert_string_equal(json_string_value(json_object_get(rec, "election")), EID);
    assert_string_equal(json_string_value(json_object_get(rec, "voter")), numbers[v]);
    assert_int_equal(json_object_size(rec), 7);
    seq = (uint64_t)json_integer_value(json_object_get(rec, "seq"));
    entries = json_object_get(rec, "entries");
    bindings = json_object_get(rec, "bindings");
    assert_int_equal(json_array_size(entries), (size_t)voter_scrutins(v));
    assert_int_equal(json_array_size(bindings), (size_t)voter_scrutins(v));
    credential_reissue_init(&h, EID, seq, json_array_size(entries));
    for (int k = 0; k < voter_scrutins(v); k++) {
        json_t *e = json_array_get(entries, (size_t)k), *b = json_array_get(bindings, (size_t)k);
        uint8_t revoked[32], fresh[32], bind[32], want_bind[32], want_fresh[32];

        assert_string_equal(json_string_value(json_object_get(e, "scrutin")),
                            voter_scrutin(v, k));
        assert_string_equal(json_string_value(json_object_get(b, "scrutin")),
                            voter_scrutin(v, k));
        hex_of(revoked, 32, json_object_get(e, "revoked"));
        hex_of(fresh, 32, json_object_get(e, "fresh"));
        hex_of(bind, 32, json_object_get(b, "bind"));
        assert_memory_equal(revoked, f->roster_s[v][k], 32);       /* the roster's S */
        assert_memory_not_equal(fresh, revoked, 32);
        /* the fresh S and the binding are the mailed code's */
        assert_int_equal(credential_from_code_scrutin(want_bind, want_fresh,
                                                      (const uint8_t *)EID, strlen(EID),
                                                      (const uint8_t *)code, CODE_SYMBOLS,
                                                      voter_scrutin(v, k)), 0);
        assert_memory_equal(fresh, want_fresh, 32);
        assert_memory_equal(bind, want_bind, 32);
        credential_reissue_add(&h, voter_scrutin(v, k), revoked, fresh);
        memcpy(f->roster_s[v][k], fresh, 32);
    }
    credential_reissue_final(&h, d);
    hex_of(sig, 64, json_object_get(rec, "signature"));
    assert_int_equal(crypto_sign_verify_detached(sig, d, 32, f->auth_pk), 0);
    /* and not with the daemon's key, nor over another seq */
    assert_int_not_equal(crypto_sign_verify_detached(sig, d, 32, f->srv_pk), 0);
    credential_reissue_init(&h, EID, seq + 1, json_array_size(entries));
    for (int k = 0; k < voter_scrutins(v); k++) {
        uint8_t r2[32], f2[32];

        hex_of(r2, 32, json_object_get(json_array_get(entries, (size_t)k), "revoked"));
        hex_of(f2, 32, json_object_get(json_array_get(entries, (size_t)k), "fresh"));
        credential_reissue_add(&h, voter_scrutin(v, k), r2, f2);
    }
    credential_reissue_final(&h, d);
    assert_int_not_equal(crypto_sign_verify_detached(sig, d, 32, f->auth_pk), 0);
    json_decref(rec);
    return seq;
}

/* Once the outbox is empty: exactly one mail went to addr, and the record is
 * that code's. */
static void one_code_mailed(fixture *f, const char *answer, int v, const char *addr,
                            char code[CODE_SYMBOLS + 1])
{
    char *m;

    wait_outbox_empty(f);
    assert_int_equal(mails_to(f, addr), 1);
    m = last_mail_to(f, addr);
    code_in_mail(code, m);
    check_record(f, answer, v, code);
    free(m);
}

static const char *const both[2] = { "cap-a", "csa-ministere" };

/* The record verifies, the code goes to the roster's two addresses, and a
 * second reissue revokes the first one's credentials with the next seq. */
static void test_reissue_record_and_mail(void **state)
{
    fixture *f = *state;
    char id[33], *body, *answer, code[CODE_SYMBOLS + 1], code2[CODE_SYMBOLS + 1], *m;
    long long seq0 = status_of(f, "next_seq");

    body = request(f->srv_sk, EID, "V001", both, 2, id);
    assert_int_equal(post(f, body, &answer), 200);
    wait_outbox_empty(f);
    assert_int_equal(mails_to(f, "alice@example.org"), 1);
    assert_int_equal(mails_to(f, "alice.home@example.org"), 1);
    m = last_mail_to(f, "alice@example.org");
    code_in_mail(code, m);
    assert_non_null(strstr(m, "To: <alice@example.org>"));
    free(m);
    m = last_mail_to(f, "alice.home@example.org");
    code_in_mail(code2, m);
    assert_string_equal(code, code2);                    /* one code, both addresses */
    free(m);
    assert_int_equal(check_record(f, answer, 0, code), (uint64_t)seq0);
    assert_int_equal(status_of(f, "next_seq"), seq0 + 1);
    free(body);
    free(answer);

    /* again: the previous fresh S are what is revoked now */
    body = request(f->srv_sk, EID, "V001", both, 2, id);
    assert_int_equal(post(f, body, &answer), 200);
    wait_outbox_empty(f);
    assert_int_equal(mails_to(f, "alice@example.org"), 2);
    m = last_mail_to(f, "alice@example.org");
    code_in_mail(code2, m);
    assert_string_not_equal(code, code2);
    assert_int_equal(check_record(f, answer, 0, code2), (uint64_t)seq0 + 1);
    free(m);
    free(body);
    free(answer);
}

/* Refused with its error, the store unchanged, nothing mailed. */
static void expect_refusal(fixture *f, const char *body, long len, const char *content_type,
                           int status, const char *error)
{
    long long seq = status_of(f, "next_seq"), reissues = status_of(f, "reissues");
    long long queued = status_of(f, "mail_queued"), sent = status_of(f, "mail_sent");
    char buf[64], ct[128];
    tu_reply r;

    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    tu_http(&r, "POST", "/reissue", body, len, ct);
    if (r.status != status)
        fail_msg("expected %d %s, got %ld %.*s", status, error, r.status, (int)r.len, r.body);
    assert_string_equal(error_of(r.body, buf, sizeof buf), error);
    assert_int_equal(status_of(f, "next_seq"), seq);
    assert_int_equal(status_of(f, "reissues"), reissues);
    assert_int_equal(status_of(f, "mail_queued"), queued);
    assert_int_equal(status_of(f, "mail_sent"), sent);
}

static void refuse(fixture *f, const char *body, int status, const char *error)
{
    expect_refusal(f, body, (long)strlen(body), "application/json", status, error);
}

/* Change one field of a request and sign it again with sk. */
static char *resigned(const char *body, const char *field, json_t *value, const uint8_t sk[64])
{
    json_t *j = json_loads(body, 0, NULL);
    credauth_request r;
    uint8_t d[32], sig[64];
    char hex[129], err[200], *text;

    json_object_set_new(j, field, value);
    text = json_dumps(j, JSON_COMPACT);
    if (credauth_request_parse(&r, text, strlen(text), err, sizeof err) == 0) {
        credauth_request_digest(d, &r);
        crypto_sign_detached(sig, NULL, d, 32, sk);
        hex_encode(hex, sig, 64);
        json_object_set_new(j, "signature", json_string(hex));
        free(text);
        text = json_dumps(j, JSON_COMPACT);
    }
    json_decref(j);
    return text;
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    uint8_t other_pk[32], other_sk[64];
    char id[33], *body, *b2, big[CREDAUTH_BODY_MAX + 100];
    const char *cap[1] = { "cap-a" }, *csa[1] = { "csa-ministere" };

    crypto_sign_keypair(other_pk, other_sk);
    {
        const struct {
            const uint8_t *sk;
            const char *eid, *voter;
            const char *const *scrutins;
            size_t n;
            int status;
            const char *error;
        } cases[] = {
            { other_sk, EID, "V001", both, 2, 403, "bad_signature" },     /* not the daemon's key */
            { f->srv_sk, "e2026-other", "V001", both, 2, 409, "wrong_election" },
            { f->srv_sk, EID, "V999", both, 2, 404, "unknown_voter" },
            /* V002 votes in csa-ministere only */
            { f->srv_sk, EID, "V002", cap, 1, 409, "not_voters_scrutin" },
            { f->srv_sk, EID, "V002", both, 2, 409, "not_voters_scrutin" },
            /* no address on the authority's roster */
            { f->srv_sk, EID, "V003", csa, 1, 409, "no_address" },
        };

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            body = request(cases[i].sk, cases[i].eid, cases[i].voter, cases[i].scrutins,
                           cases[i].n, id);
            refuse(f, body, cases[i].status, cases[i].error);
            free(body);
        }
    }
    /* the daemon's signature, one field changed after signing */
    body = request(f->srv_sk, EID, "V001", both, 2, id);
    b2 = strstr(body, "\"V001\"");
    b2[4] = '4';                                         /* V004 */
    refuse(f, body, 403, "bad_signature");
    free(body);
    /* an address in the request, even signed by the daemon: nothing is mailed there */
    body = request(f->srv_sk, EID, "V002", csa, 1, id);
    b2 = resigned(body, "email", json_string("mallory@evil.example"), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    b2 = resigned(body, "emails", json_pack("[s]", "mallory@evil.example"), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    /* malformed: unsorted or repeated scrutins, bad id, uppercase hex, negative time,
     * a duplicate key, trailing garbage, the wrong format */
    b2 = resigned(body, "scrutins", json_pack("[s,s]", "csa-ministere", "cap-a"), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    b2 = resigned(body, "scrutins", json_pack("[s,s]", "cap-a", "cap-a"), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    b2 = resigned(body, "request", json_string("0123456789ABCDEF0123456789abcdef"), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    b2 = resigned(body, "issued_at", json_integer(-1), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    b2 = resigned(body, "applied", json_integer(-1), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    /* the server cannot have applied a record votecad never made */
    b2 = resigned(body, "applied", json_integer(status_of(f, "next_seq")), f->srv_sk);
    refuse(f, b2, 409, "applied_ahead");
    free(b2);
    b2 = resigned(body, "format", json_string("votesrv-reissue-request/2"), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    b2 = resigned(body, "voter", json_integer(2), f->srv_sk);
    refuse(f, b2, 400, "bad_request");
    free(b2);
    snprintf(big, sizeof big, "{\"voter\":\"V001\",%s", body + 1);
    refuse(f, big, 400, "bad_request");
    snprintf(big, sizeof big, "%s{}", body);
    refuse(f, big, 400, "bad_request");
    /* not JSON's content type, too large, another method or path */
    expect_refusal(f, body, (long)strlen(body), "text/plain", 415, "content_type");
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, body, strlen(body));
    refuse(f, big, 413, "too_large");
    free(body);
    {
        tu_reply r;

        tu_http(&r, "GET", "/reissue", NULL, 0, NULL);
        assert_int_equal(r.status, 405);
        tu_http(&r, "POST", "/records", "{}", 2, "Content-Type: application/json");
        assert_int_equal(r.status, 404);
        tu_http(&r, "GET", "/healthz", NULL, 0, NULL);
        assert_int_equal(r.status, 200);
    }
    {                            /* the daemon's client: no answer is -1, never a record */
        char *rec = (char *)"x", err[300] = "";

        assert_int_equal(election_authority_post("http://127.0.0.1:1", "{}", &rec, err,
                                                 sizeof err), -1);
        assert_null(rec);
        assert_true(err[0] != '\0');
    }
    wait_outbox_empty(f);
    assert_int_equal(mails_to(f, "mallory@evil.example"), 0);
    assert_int_equal(mails_to(f, "bob@example.org"), 0);
}

/* The same request id: the same answer, one code, one mail; the same id for
 * another request is refused. */
static void test_replay_same_id(void **state)
{
    fixture *f = *state;
    char id[33], *body, *a1, *a2, *b2;
    const char *csa[1] = { "csa-ministere" };
    long long reissues;

    body = request(f->srv_sk, EID, "V002", csa, 1, id);
    assert_int_equal(post(f, body, &a1), 200);
    reissues = status_of(f, "reissues");
    assert_int_equal(post(f, body, &a2), 200);
    assert_string_equal(a1, a2);
    assert_int_equal(status_of(f, "reissues"), reissues);
    {
        char code[CODE_SYMBOLS + 1];

        one_code_mailed(f, a1, 1, "bob@example.org", code);
    }
    /* the same id, another request (signed by the daemon) */
    b2 = resigned(body, "issued_at", json_integer(12345), f->srv_sk);
    refuse(f, b2, 409, "request_reused");
    free(b2);
    free(a1);
    free(a2);
    free(body);
    assert_int_equal(mails_to(f, "bob@example.org"), 1);
}

/* At most max_reissues_per_voter (3 in this configuration) per voter. */
static void test_reissue_limit(void **state)
{
    fixture *f = *state;
    char id[33], *body, *answer;

    for (int i = 0; i < 3; i++) {
        body = request(f->srv_sk, EID, "V004", both, 2, id);
        assert_int_equal(post(f, body, &answer), 200);
        free(answer);
        free(body);
    }
    body = request(f->srv_sk, EID, "V004", both, 2, id);
    refuse(f, body, 429, "reissue_limit");
    free(body);
}

/* A whole file (malloc'd; empty if absent). */
static char *read_all(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    char *buf = malloc(1 << 24);

    assert_non_null(buf);
    *len = in != NULL ? fread(buf, 1, 1 << 24, in) : 0;
    if (in != NULL)
        fclose(in);
    return buf;
}

/* Whether votecad's store files hold the code in clear (either form). */
static int store_holds(const fixture *f, const char *code, const char *shown)
{
    int found = 0;

    for (int i = 0; i < 2; i++) {
        char path[PATH_MAX + 32], *b;
        size_t n;

        snprintf(path, sizeof path, "%s/votecad.db%s", f->dir, i ? "-wal" : "");
        b = read_all(path, &n);
        found |= memmem(b, n, code, CODE_SYMBOLS) != NULL ||
                 memmem(b, n, shown, CODE_DISPLAY_CHARS) != NULL;
        free(b);
    }
    return found;
}

/* votecad killed after its commit, before its answer left: restarted, it
 * gives the same record for the same request, and the code is mailed once. */
static void test_crash_between_store_and_answer(void **state)
{
    fixture *f = *state;
    char id[33], *body, *answer, path[PATH_MAX + 32], code[CODE_SYMBOLS + 1];
    char shown[CODE_DISPLAY_CHARS + 1], *at_crash[2];
    size_t at_crash_len[2];
    long long seq = status_of(f, "next_seq");
    int pid, st;

    body = request(f->srv_sk, EID, "V005", both, 2, id);
    votecad_stop(f);
    snprintf(path, sizeof path, "%s/lost-answer.json", f->dir);
    pid = fork();
    if (pid == 0) {              /* votecad's reissue, then SIGKILL before answering */
        credauth_config c;
        char err[600];
        credauth *ca;
        int status = 0;
        char *a;
        FILE *out;

        if (credauth_config_load(&c, f->cfg, err, sizeof err) != 0 ||
            (ca = credauth_open(&c, err, sizeof err)) == NULL)
            _exit(3);
        a = credauth_reissue(ca, body, strlen(body), (int64_t)time(NULL), &status);
        if (status != 200 || (out = fopen(path, "w")) == NULL)
            _exit(4);
        fputs(a, out);
        fclose(out);
        raise(SIGKILL);
        _exit(5);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    assert_int_equal(status_of(f, "next_seq"), seq + 1);        /* it was committed */
    assert_int_equal(status_of(f, "mail_queued"), 1);
    for (int i = 0; i < 2; i++) {
        char file[PATH_MAX + 32];

        snprintf(file, sizeof file, "%s/votecad.db%s", f->dir, i ? "-wal" : "");
        at_crash[i] = read_all(file, &at_crash_len[i]);
    }
    votecad_start(f);
    assert_int_equal(post(f, body, &answer), 200);
    {
        FILE *in = fopen(path, "r");
        char lost[16384];
        size_t n;

        assert_non_null(in);
        n = fread(lost, 1, sizeof lost - 1, in);
        lost[n] = '\0';
        fclose(in);
        assert_string_equal(answer, lost);
    }
    assert_int_equal(status_of(f, "next_seq"), seq + 1);
    one_code_mailed(f, answer, 4, "eve@example.org", code);
    /* the code was never on disk in clear: not in the files as the crash left
     * them (the mail queued, sealed), nor now; the sent mail is erased */
    code_display(shown, code);
    for (int i = 0; i < 2; i++) {
        assert_null(memmem(at_crash[i], at_crash_len[i], code, CODE_SYMBOLS));
        assert_null(memmem(at_crash[i], at_crash_len[i], shown, CODE_DISPLAY_CHARS));
        assert_null(memmem(at_crash[i], at_crash_len[i], "Subject:", 8));
        free(at_crash[i]);
    }
    assert_false(store_holds(f, code, shown));
    {
        sqlite3 *db;
        sqlite3_stmt *q;

        snprintf(path, sizeof path, "%s/votecad.db", f->dir);
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), count(message) FROM outbox"
                                                " WHERE state = 'sent'", -1, &q, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_true(sqlite3_column_int(q, 0) > 0);
        assert_int_equal(sqlite3_column_int(q, 1), 0);
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    free(answer);
    free(body);
}

static void assert_private(const char *dir, const char *name)
{
    char path[PATH_MAX + 64];
    struct stat sb;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(stat(path, &sb), 0);
    if ((sb.st_mode & 0777) != 0600)
        fail_msg("%s has mode %o", name, sb.st_mode & 0777);
}

/* votecad init with the roster file replaced by roster (JSON text or NULL to
 * keep it): its exit code and output; the store STORE must not be left behind
 * on a refusal. */
static int init_with(fixture *f, const char *name, const char *store, char *out, size_t outlen)
{
    char cfg[PATH_MAX + 64];

    write_config(f, name, store);
    snprintf(cfg, sizeof cfg, "%s/%s", f->dir, name);
    return tu_sh(out, outlen, "%s/votecad init %s", f->bin, cfg);
}

static void assert_absent(const char *dir, const char *name)
{
    char path[PATH_MAX + 64];
    struct stat sb;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_not_equal(stat(path, &sb), 0);
}

static void test_files_private_and_init_refusals(void **state)
{
    fixture *f = *state;
    char out[2048], path[PATH_MAX + 64], keep[PATH_MAX + 64];
    uint8_t other_pk[32], other_sk[64];
    json_t *r;

    assert_private(f->dir, "votecad.db");
    assert_private(f->dir, "votecad.db-wal");
    assert_private(f->dir, "authority.key");
    /* under a permissive umask the store is still made 0600 */
    write_config(f, "other.json", "other.db");
    assert_int_equal(tu_sh(out, sizeof out, "umask 022 && %s/votecad init %s/other.json",
                           f->bin, f->dir), 0);
    assert_private(f->dir, "other.db");
    /* an existing store is never made again */
    assert_int_not_equal(init_with(f, "other.json", "other.db", out, sizeof out), 0);
    assert_non_null(strstr(out, "exists already"));
    /* a roster for another authority: refused, no store left */
    snprintf(path, sizeof path, "%s/votecred-state.json", f->dir);
    snprintf(keep, sizeof keep, "%s/roster-kept.json", f->dir);
    assert_int_equal(rename(path, keep), 0);
    crypto_sign_keypair(other_pk, other_sk);
    write_roster(f, path, other_pk);
    assert_int_not_equal(init_with(f, "third.json", "third.db", out, sizeof out), 0);
    assert_non_null(strstr(out, "authority is not the public key"));
    assert_absent(f->dir, "third.db");
    /* a roster with one S that is not a valid point: refused whole */
    write_roster(f, path, f->auth_pk);
    r = json_load_file(path, 0, NULL);
    json_object_set_new(json_object_get(json_array_get(json_object_get(r, "voters"), 4),
                                        "credentials"),
                        "cap-a", json_string("00000000000000000000000000000000"
                                             "00000000000000000000000000000000"));
    json_dump_file(r, path, 0);
    json_decref(r);
    chmod(path, 0600);
    assert_int_not_equal(init_with(f, "fourth.json", "fourth.db", out, sizeof out), 0);
    assert_non_null(strstr(out, "valid point"));
    assert_absent(f->dir, "fourth.db");
    /* a roster others can read: refused */
    write_roster(f, path, f->auth_pk);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_not_equal(init_with(f, "fifth.json", "fifth.db", out, sizeof out), 0);
    assert_non_null(strstr(out, "chmod 600"));
    assert_absent(f->dir, "fifth.db");
    assert_int_equal(rename(keep, path), 0);
    /* a key file others can read: refused */
    snprintf(path, sizeof path, "%s/authority.key", f->dir);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_not_equal(tu_sh(out, sizeof out, "%s/votecad status %s", f->bin, f->cfg), 0);
    assert_non_null(strstr(out, "chmod 600"));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(status_of(f, "voters"), VOTERS);
}

/* The parser alone: the daemon's maker and votecad's parser agree, and what
 * the parser accepts is exactly one shape. */
static void test_request_parse(void **state)
{
    credauth_request r;
    uint8_t pk[32], sk[64];
    char id[33], err[200], *text;
    const char *ids[3] = { "a", "b", "c" };
    const char *bad_order[2] = { "b", "a" };

    (void)state;
    crypto_sign_keypair(pk, sk);
    text = election_reissue_request_make("eid", "N1", ids, 3, 1790000000, 12, sk, id);
    assert_non_null(text);
    assert_int_equal(credauth_request_parse(&r, text, strlen(text), err, sizeof err), 0);
    assert_string_equal(r.request, id);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.issued_at, 1790000000);
    assert_int_equal(r.applied, 12);
    assert_int_equal(credauth_request_verify(&r, pk), 0);
    r.issued_at++;
    assert_int_not_equal(credauth_request_verify(&r, pk), 0);
    r.issued_at--;
    r.applied--;                                   /* the count is signed too */
    assert_int_not_equal(credauth_request_verify(&r, pk), 0);
    free(text);
    assert_null(election_reissue_request_make("eid", "N1", bad_order, 2, 1, 0, sk, id));
    assert_null(election_reissue_request_make("e id", "N1", ids, 1, 1, 0, sk, id));
    assert_null(election_reissue_request_make("eid", "N1", ids, 0, 1, 0, sk, id));
    {
        static const char *const bad[] = {
            "", "[]", "null", "{}", "{\"format\":\"votesrv-reissue-request/1\"}",
            "{\"format\":\"votesrv-reissue-request/1\",\"election\":\"e\",\"request\":"
            "\"00000000000000000000000000000000\",\"voter\":\"v\",\"scrutins\":[\"s\"],"
            "\"issued_at\":1.5,\"applied\":0,\"signature\":\"" "00000000000000000000000000000000"
            "00000000000000000000000000000000" "00000000000000000000000000000000"
            "00000000000000000000000000000000\"}",
            "{\"format\":\"votesrv-reissue-request/1\",\"election\":\"e\\u0000x\",\"request\":"
            "\"00000000000000000000000000000000\",\"voter\":\"v\",\"scrutins\":[\"s\"],"
            "\"issued_at\":1,\"applied\":0,\"signature\":\"" "00000000000000000000000000000000"
            "00000000000000000000000000000000" "00000000000000000000000000000000"
            "00000000000000000000000000000000\"}",
            "{\"format\":\"votesrv-reissue-request/1\",\"election\":\"e\",\"request\":"
            "\"00000000000000000000000000000000\",\"voter\":\"v\",\"scrutins\":[],"
            "\"issued_at\":1,\"applied\":0,\"signature\":\"" "00000000000000000000000000000000"
            "00000000000000000000000000000000" "00000000000000000000000000000000"
            "00000000000000000000000000000000\"}",
            "{\"format\":\"votesrv-reissue-request/1\",\"election\":\"e\",\"request\":"
            "\"00000000000000000000000000000000\",\"voter\":\"v\",\"scrutins\":[\"s\"],"
            "\"issued_at\":1,\"applied\":-1,\"signature\":\"" "00000000000000000000000000000000"
            "00000000000000000000000000000000" "00000000000000000000000000000000"
            "00000000000000000000000000000000\"}",
            "{\"format\":\"votesrv-reissue-request/1\",\"election\":\"e\",\"request\":"
            "\"00000000000000000000000000000000\",\"voter\":\"v\",\"scrutins\":[\"s\"],"
            "\"issued_at\":1,\"signature\":\"" "00000000000000000000000000000000"
            "00000000000000000000000000000000" "00000000000000000000000000000000"
            "00000000000000000000000000000000\"}",
        };
        const char *good =
            "{\"format\":\"votesrv-reissue-request/1\",\"election\":\"e\",\"request\":"
            "\"00000000000000000000000000000000\",\"voter\":\"v\",\"scrutins\":[\"s\"],"
            "\"issued_at\":1,\"applied\":0,\"signature\":\"" "00000000000000000000000000000000"
            "00000000000000000000000000000000" "00000000000000000000000000000000"
            "00000000000000000000000000000000\"}";

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            if (credauth_request_parse(&r, bad[i], strlen(bad[i]), err, sizeof err) == 0)
                fail_msg("accepted: %s", bad[i]);
        assert_int_equal(credauth_request_parse(&r, good, strlen(good), err, sizeof err), 0);
    }
}

/* The rule that keeps votecad where the server is (protocol section 7.3): a
 * request counts the records the server applied; a record beyond that count
 * (the server refused and dropped it, or its answer was lost) is undone before
 * the next one is made, which then takes its seq and revokes the credential
 * the server still holds, not the undone record's fresh one. */
/* body posted, accepted and freed; the code read off the last mail to `to`;
 * the answer's record checked against it (check_record): its seq. */
static uint64_t reissued_seq(fixture *f, char *body, const char *to)
{
    char *answer, *m, code[CODE_SYMBOLS + 1];
    uint64_t seq;

    assert_int_equal(post(f, body, &answer), 200);
    free(body);
    wait_outbox_empty(f);
    m = last_mail_to(f, to);
    code_in_mail(code, m);
    free(m);
    seq = check_record(f, answer, 0, code);
    free(answer);
    return seq;
}

static void test_dropped_record_undone(void **state)
{
    fixture *f = *state;
    uint8_t held[2][32];
    char id[33], *body;
    long long seq0 = status_of(f, "next_seq"), reissues = status_of(f, "reissues");
    const char *alice = "alice@example.org";

    memcpy(held, f->roster_s[0], sizeof held);           /* what the server holds */
    assert_int_equal(reissued_seq(f, request(f->srv_sk, EID, "V001", both, 2, id), alice),
                     (uint64_t)seq0);
    /* the server refused that record: its next request still counts seq0 - 1 */
    memcpy(f->roster_s[0], held, sizeof held);
    body = election_reissue_request_make(EID, "V001", both, 2, (uint64_t)time(NULL),
                                         (uint64_t)seq0 - 1, f->srv_sk, id);
    assert_non_null(body);
    /* the same seq, revoking what the server holds (check_record compares) */
    assert_int_equal(reissued_seq(f, body, alice), (uint64_t)seq0);
    assert_int_equal(mails_to(f, alice), 2);
    assert_int_equal(status_of(f, "next_seq"), seq0 + 1);
    assert_int_equal(status_of(f, "reissues"), reissues + 1);
    /* applied, it is the base of the next one */
    assert_int_equal(reissued_seq(f, request(f->srv_sk, EID, "V001", both, 2, id), alice),
                     (uint64_t)seq0 + 1);
}

/* A request for voter counting `behind` fewer records applied than votecad
 * made (the server claims it dropped them). */
static char *request_behind(const fixture *f, const char *voter, long long behind, char id[33])
{
    char *r = election_reissue_request_make(EID, voter, both, 2, (uint64_t)time(NULL),
                                            (uint64_t)(status_of(f, "next_seq") - 1 - behind),
                                            f->srv_sk, id);

    assert_non_null(r);
    return r;
}

/* The same request, refused with 429 and the error named. */
static void refuse_behind(fixture *f, const char *voter, long long behind, char id[33],
                          const char *error)
{
    char *body = request_behind(f, voter, behind, id);

    refuse(f, body, 429, error);
    free(body);
}

static void reissue_ok(fixture *f, char *body)
{
    char *answer;

    assert_int_equal(post(f, body, &answer), 200);
    free(answer);
    free(body);
    wait_outbox_empty(f);                      /* mailed before anything is undone */
}

/* Undoing a record gives its voter no code back: max_reissues_per_voter (3)
 * bounds the codes made, undone or not, whatever `applied` the server signs;
 * and votecad undoes at most max_undone_per_voter (1) records of one voter and
 * max_undone (3) in all, then refuses with undo_limit, nothing changed. */
static void test_undo_keeps_the_limit(void **state)
{
    fixture *f = *state;
    char id[33];
    const char *dan = "dan@example.org";

    /* the review's attack: the same stale count again and again */
    reissue_ok(f, request_behind(f, "V004", 0, id));
    reissue_ok(f, request_behind(f, "V004", 1, id));      /* undoes V004's first record */
    assert_int_equal(status_of(f, "undone"), 1);
    assert_int_equal(status_of(f, "codes"), 2);
    for (int i = 0; i < 6; i++)                 /* a second undo of V004's: refused */
        refuse_behind(f, "V004", 1, id, "undo_limit");
    wait_outbox_empty(f);
    assert_int_equal(mails_to(f, dan), 2);
    assert_int_equal(status_of(f, "undone"), 1);
    /* the undone record's code still counts: one more code, then the limit */
    reissue_ok(f, request_behind(f, "V004", 0, id));
    refuse_behind(f, "V004", 0, id, "reissue_limit");
    wait_outbox_empty(f);
    assert_int_equal(mails_to(f, dan), 3);
    assert_int_equal(status_of(f, "codes"), 3);
    /* in all: two more voters' records undone (3), a fourth is refused */
    reissue_ok(f, request_behind(f, "V001", 0, id));
    reissue_ok(f, request_behind(f, "V001", 1, id));
    reissue_ok(f, request_behind(f, "V005", 0, id));
    reissue_ok(f, request_behind(f, "V005", 1, id));
    assert_int_equal(status_of(f, "undone"), 3);
    reissue_ok(f, request_behind(f, "V001", 0, id));
    refuse_behind(f, "V001", 1, id, "undo_limit");
    assert_int_equal(status_of(f, "undone"), 3);
    assert_int_equal(status_of(f, "codes"), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_parse),
        cmocka_unit_test_setup_teardown(test_reissue_record_and_mail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_same_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reissue_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_between_store_and_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_record_undone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_private_and_init_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undo_keeps_the_limit, setup, teardown),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
