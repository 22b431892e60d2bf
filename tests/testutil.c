/* testutil.c - test helpers and the deterministic vector generator
 * (docs/protocol.md sections 10 and 11). */
#include "testutil.h"
#include "tally/tally.h"
#include "box/box.h"
#include "store/store.h"
#include "audit/audit.h"
#include "crypto/totp.h"
#include "election/election.h"
#include "access/access.h"
#include "votesrv/server.h"
#include <signal.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <ftw.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

void tu_unhex(uint8_t *out, size_t len, const char *hex)
{
    if (hex_decode(out, len, hex) != 0) {
        fprintf(stderr, "bad hex in test data: %s\n", hex ? hex : "(null)");
        abort();
    }
}

json_t *tu_jhex(const uint8_t *buf, size_t len)
{
    char *s = malloc(2 * len + 1);
    json_t *j;

    if (s == NULL)
        abort();
    hex_encode(s, buf, len);
    j = json_string(s);
    free(s);
    return j;
}

void tu_seed(uint8_t seed[RNG_SEED_BYTES], uint8_t label)
{
    for (int i = 0; i < RNG_SEED_BYTES; i++)
        seed[i] = (uint8_t)(label + i);
}

void tu_flip(uint8_t *buf, size_t bit)
{
    buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static json_t *scalar_json(const group_scalar *s)
{
    uint8_t b[GROUP_SCALAR_BYTES];

    group_scalar_encode(b, s);
    return tu_jhex(b, sizeof b);
}

static json_t *branches_json(const proof_branch *br, size_t n)
{
    json_t *arr = json_array();

    for (size_t j = 0; j < n; j++)
        json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o}",
            "a", tu_jhex(br[j].a, 32), "b", tu_jhex(br[j].b, 32),
            "c", tu_jhex(br[j].c, 32), "s", tu_jhex(br[j].s, 32)));
    return arr;
}

static json_t *gen_drbg(void)
{
    uint8_t seed[RNG_SEED_BYTES], out[64];
    rng_drbg d;
    json_t *draws = json_array();

    tu_seed(seed, 0x00);
    rng_drbg_init(&d, seed);
    for (int i = 0; i < 3; i++) {
        rng_bytes64(&d, out);
        json_array_append_new(draws, tu_jhex(out, sizeof out));
    }
    return json_pack("{s:o,s:o}", "seed", tu_jhex(seed, sizeof seed), "draws", draws);
}

static json_t *gen_hash(void)
{
    transcript t;
    group_scalar c;
    uint8_t d[TRANSCRIPT_DIGEST_BYTES];
    const char *items[] = { "", "votesrv", "\x01\x02\x03" };
    json_t *jitems = json_array();

    transcript_init(&t, "votesrv/v1/test", GROUP_SCALAR_WIDE_BYTES);
    for (int i = 0; i < 3; i++)
        transcript_put(&t, items[i], strlen(items[i]));
    transcript_challenge(&t, &c);
    transcript_init(&t, "votesrv/v1/test", TRANSCRIPT_DIGEST_BYTES);
    for (int i = 0; i < 3; i++) {
        transcript_put(&t, items[i], strlen(items[i]));
        json_array_append_new(jitems, tu_jhex((const uint8_t *)items[i], strlen(items[i])));
    }
    transcript_digest(&t, d);
    return json_pack("{s:s,s:o,s:o,s:o}", "tag", "votesrv/v1/test", "items", jitems,
                     "hs", scalar_json(&c), "hb", tu_jhex(d, sizeof d));
}

static json_t *gen_elgamal(void)
{
    uint8_t seed[RNG_SEED_BYTES], enc[32];
    rng_drbg d;
    elgamal_pk pk;
    group_scalar sk, r;
    elgamal_ct ct, sum;
    group_point mg;
    const uint64_t ms[] = { 0, 1, 5 };
    json_t *encs = json_array(), *out;

    tu_seed(seed, 0x10);
    rng_drbg_init(&d, seed);
    if (elgamal_keypair(&pk, &sk, &d) != 0)
        abort();
    elgamal_ct_zero(&sum);
    for (int i = 0; i < 3; i++) {
        if (elgamal_encrypt(&ct, &pk, ms[i], &r, &d) != 0)
            abort();
        elgamal_ct_add(&sum, &sum, &ct);
        json_array_append_new(encs, json_pack("{s:I,s:o,s:o}", "m", (json_int_t)ms[i],
                              "r", scalar_json(&r), "ct", tu_jhex(ct.bytes, 64)));
    }
    elgamal_ct_encode(&sum);
    elgamal_decrypt(&mg, &sk, &sum);
    group_point_encode(enc, &mg);
    out = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "seed", tu_jhex(seed, 32),
                    "sk", scalar_json(&sk), "pk", tu_jhex(pk.bytes, 32), "encryptions", encs,
                    "sum", tu_jhex(sum.bytes, 64), "decrypted_sum", tu_jhex(enc, 32));
    elgamal_pk_clear(&pk);
    return out;
}

static void ctx_for(uint8_t ctx[PROOF_CTX_BYTES], const char *label)
{
    crypto_generichash(ctx, PROOF_CTX_BYTES, (const uint8_t *)label, strlen(label), NULL, 0);
}

static json_t *gen_pok(void)
{
    uint8_t seed[RNG_SEED_BYTES], ctx[32], xpub[32], aux[8] = { 1 };
    rng_drbg d;
    group_scalar x;
    group_point xp;
    proof_pok p;

    tu_seed(seed, 0x20);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "pok context");
    if (rng_scalar(&d, &x) != 0)
        abort();
    group_point_mul_base(&xp, &x);
    group_point_encode(xpub, &xp);
    if (proof_pok_create(&p, ctx, &x, xpub, aux, sizeof aux, &d) != 0)
        abort();
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o}}", "seed", tu_jhex(seed, 32),
                     "ctx", tu_jhex(ctx, 32), "x", scalar_json(&x), "X", tu_jhex(xpub, 32),
                     "aux", tu_jhex(aux, 8), "proof", "a", tu_jhex(p.a, 32),
                     "s", tu_jhex(p.s, 32));
}

static json_t *gen_disj_one(uint8_t label, uint64_t min, uint64_t max, uint64_t m)
{
    uint8_t seed[RNG_SEED_BYTES], ctx[32], aux[] = "aux bytes";
    rng_drbg d;
    elgamal_pk pk;
    group_scalar sk, r;
    elgamal_ct ct;
    proof_branch br[PROOF_DISJ_MAX_VALUES];
    proof_disj_statement st = { ctx, &pk, &ct, min, max, aux, sizeof aux - 1 };
    json_t *out;

    tu_seed(seed, label);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "disj context");
    if (elgamal_keypair(&pk, &sk, &d) != 0 || elgamal_encrypt(&ct, &pk, m, &r, &d) != 0 ||
        proof_disj_create(br, &st, m, &r, &d) != 0)
        abort();
    out = json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "seed", tu_jhex(seed, 32),
                    "ctx", tu_jhex(ctx, 32), "pk", tu_jhex(pk.bytes, 32),
                    "ct", tu_jhex(ct.bytes, 64), "min", (json_int_t)min, "max", (json_int_t)max,
                    "m", (json_int_t)m, "r", scalar_json(&r), "aux", tu_jhex(aux, sizeof aux - 1),
                    "proof", branches_json(br, (size_t)(max - min + 1)));
    elgamal_pk_clear(&pk);
    return out;
}

static json_t *gen_dec(void)
{
    uint8_t seed[RNG_SEED_BYTES], ctx[32], xpub[32], alpha[32], dd[32];
    rng_drbg d;
    group_scalar x, a;
    group_point xp, ap;
    proof_dec p;

    tu_seed(seed, 0x40);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "dec context");
    if (rng_scalar(&d, &x) != 0 || rng_scalar(&d, &a) != 0)
        abort();
    group_point_mul_base(&xp, &x);
    group_point_encode(xpub, &xp);
    group_point_mul_base(&ap, &a);
    group_point_encode(alpha, &ap);
    if (proof_dec_create(&p, ctx, &x, xpub, &ap, dd, &d) != 0)
        abort();
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o}}", "seed", tu_jhex(seed, 32),
                     "ctx", tu_jhex(ctx, 32), "x", scalar_json(&x), "X", tu_jhex(xpub, 32),
                     "alpha", tu_jhex(alpha, 32), "d", tu_jhex(dd, 32), "proof",
                     "a", tu_jhex(p.a, 32), "b", tu_jhex(p.b, 32), "s", tu_jhex(p.s, 32));
}

static json_t *gen_threshold(void)
{
    enum { N = 3, T = 2 };
    uint8_t seed[RNG_SEED_BYTES], ctx[32], com[N][T][32], h[32], xk[32];
    rng_drbg d;
    threshold_poly f;
    proof_pok pok[N];
    json_t *dealers = json_array(), *vks = json_array();

    tu_seed(seed, 0x50);
    rng_drbg_init(&d, seed);
    ctx_for(ctx, "ceremony context");
    for (int i = 0; i < N; i++) {
        json_t *c = json_array();

        if (threshold_deal(&f, com[i][0], &pok[i], ctx, (uint64_t)i + 1, T, &d) != 0)
            abort();
        for (int k = 0; k < T; k++)
            json_array_append_new(c, tu_jhex(com[i][k], 32));
        json_array_append_new(dealers, json_pack("{s:I,s:o,s:{s:o,s:o}}", "i", (json_int_t)i + 1,
                              "commitments", c, "pok", "a", tu_jhex(pok[i].a, 32),
                              "s", tu_jhex(pok[i].s, 32)));
        threshold_poly_wipe(&f);
    }
    if (threshold_joint_key(h, com[0][0], N, T) != 0)
        abort();
    for (int j = 1; j <= N; j++) {
        if (threshold_verification_key(xk, com[0][0], N, T, (uint64_t)j) != 0)
            abort();
        json_array_append_new(vks, tu_jhex(xk, 32));
    }
    return json_pack("{s:o,s:o,s:i,s:i,s:o,s:o,s:o}", "seed", tu_jhex(seed, 32),
                     "ctx", tu_jhex(ctx, 32), "n", N, "t", T, "dealers", dealers,
                     "joint_key", tu_jhex(h, 32), "verification_keys", vks);
}

static json_t *gen_ballot(void)
{
    uint8_t seed[RNG_SEED_BYTES], fp[32], auth[32], cred[32], digest[32], bind[32];
    const uint8_t eid[] = "demo-election-2026", code[] = "ABCDEFGHJKMNPQRSTVWXYZ23456B";
    const uint8_t choices[3] = { 0, 1, 0 };
    rng_drbg d;
    elgamal_pk pk;
    group_scalar sk, s;
    ballot_scrutin sc = { fp, &pk, "cap-ministere", 3, 0, 1 };
    ballot *b = ballot_new(3, 0, 1);
    json_t *cts = json_array(), *bits = json_array(), *out;

    tu_seed(seed, 0x60);
    rng_drbg_init(&d, seed);
    ctx_for(fp, "election fingerprint");
    if (b == NULL || elgamal_keypair(&pk, &sk, &d) != 0 ||
        credential_derive_auth(auth, eid, sizeof eid - 1, code, sizeof code - 1) != 0 ||
        credential_derive_scrutin(&s, cred, eid, sizeof eid - 1, code, sizeof code - 1,
                                  sc.scrutin_id) != 0 ||
        ballot_create(b, &sc, choices, &s, cred, &d) != 0)
        abort();
    for (size_t i = 0; i < b->k; i++) {
        json_array_append_new(cts, tu_jhex(b->ct[i], 64));
        json_array_append_new(bits, branches_json(b->bits[i], 2));
    }
    ballot_digest(digest, b, fp);
    credential_auth_bind(bind, auth, cred);
    out = json_pack("{s:o,s:o,s:o,s:s,s:i,s:i,s:i,s:[i,i,i],s:s,s:s,s:o,s:o,s:o,s:o,"
                    "s:{s:o,s:o,s:o,s:o,s:{s:o,s:o}}}",
                    "seed", tu_jhex(seed, 32), "fp", tu_jhex(fp, 32), "pk", tu_jhex(pk.bytes, 32),
                    "scrutin_id", sc.scrutin_id, "k", 3, "min", 0, "max", 1,
                    "choices", choices[0], choices[1], choices[2], "eid", (const char *)eid,
                    "code", (const char *)code, "auth", tu_jhex(auth, 32),
                    "credential_secret", scalar_json(&s), "credential", tu_jhex(cred, 32),
                    "digest", tu_jhex(digest, 32), "ballot", "ct", cts, "bits", bits,
                    "range", branches_json(b->range, 2), "credential", tu_jhex(cred, 32),
                    "sig", "a", tu_jhex(b->sig.a, 32), "s", tu_jhex(b->sig.s, 32));
    json_object_set_new(out, "auth_bind", tu_jhex(bind, 32));
    ballot_free(b);
    elgamal_pk_clear(&pk);
    return out;
}

/* The credential authority (docs/protocol.md section 7): the demo key, a
 * two-credential list, a reissue record and a reissue request, signed. */
static json_t *gen_authority(void)
{
    const char *eid = "demo-election-2026", *sc = "cap-ministere";
    const char *scrutins[] = { "cap-ministere", "csa" };
    uint8_t seed[32], pk[32], sk[64], s1[32], s2[32], d[32], sig[64];
    credential_list_hash lh;
    credential_reissue_hash rh;
    json_t *out;

    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    tu_seed(s1, 0x70);
    tu_seed(s2, 0x71);
    crypto_scalarmult_ristretto255_base(s1, s1);
    crypto_scalarmult_ristretto255_base(s2, s2);
    if (memcmp(s1, s2, 32) > 0) {
        uint8_t t[32];

        memcpy(t, s1, 32);
        memcpy(s1, s2, 32);
        memcpy(s2, t, 32);
    }
    out = json_pack("{s:s,s:s,s:o,s:o,s:[o,o]}", "eid", eid, "scrutin", sc, "seed",
                    tu_jhex(seed, 32), "public_key", tu_jhex(pk, 32), "credentials",
                    tu_jhex(s1, 32), tu_jhex(s2, 32));
    credential_list_init(&lh, eid, sc, 2);
    credential_list_add(&lh, s1);
    credential_list_add(&lh, s2);
    credential_list_final(&lh, d);
    crypto_sign_detached(sig, NULL, d, 32, sk);
    json_object_set_new(out, "list_digest", tu_jhex(d, 32));
    json_object_set_new(out, "list_signature", tu_jhex(sig, 64));
    credential_reissue_init(&rh, eid, 1, 1);
    credential_reissue_add(&rh, sc, s1, s2);
    credential_reissue_final(&rh, d);
    crypto_sign_detached(sig, NULL, d, 32, sk);
    json_object_set_new(out, "reissue_digest", tu_jhex(d, 32));
    json_object_set_new(out, "reissue_signature", tu_jhex(sig, 64));
    credential_request_digest(d, eid, "00112233445566778899aabbccddeeff", "D00042", scrutins,
                              2, 1764576000, 7);
    json_object_set_new(out, "request_digest", tu_jhex(d, 32));
    sodium_memzero(sk, sizeof sk);
    return out;
}

json_t *tu_vectors_generate(void)
{
    json_t *disj = json_array();

    json_array_append_new(disj, gen_disj_one(0x30, 0, 1, 0));
    json_array_append_new(disj, gen_disj_one(0x31, 0, 1, 1));
    json_array_append_new(disj, gen_disj_one(0x32, 1, 1, 1));
    json_array_append_new(disj, gen_disj_one(0x33, 0, 3, 2));
    return json_pack("{s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "version", 1,
                     "about", "votesrv protocol v1 known-answer vectors (docs/protocol.md); "
                     "regenerate with make vectors only when the protocol changes",
                     "drbg", gen_drbg(), "hash", gen_hash(), "elgamal", gen_elgamal(),
                     "pok", gen_pok(), "disj", disj, "dec", gen_dec(),
                     "threshold", gen_threshold(), "ballot", gen_ballot(),
                     "authority", gen_authority());
}

static void helper_aborted(int sig)
{
    static const char msg[] = "test helper process: failed assertion (above), ending it\n";

    (void)sig;
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(TU_HELPER_FAILED);
}

int tu_fork(void)
{
    int pid;

    fflush(NULL);                       /* no buffered output printed twice */
    pid = fork();
    if (pid == 0) {
        static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS };

        for (size_t i = 0; i < sizeof crashes / sizeof *crashes; i++)
            signal(crashes[i], SIG_DFL);
        signal(SIGABRT, helper_aborted);
        setenv("CMOCKA_TEST_ABORT", "1", 1);        /* a failure aborts, never longjmps */
    }
    return pid;
}

int tu_helper_join(int pid, const char *what)
{
    int st;

    if (waitpid(pid, &st, 0) != pid) {
        fprintf(stderr, "%s (pid %d): cannot wait for it\n", what, pid);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st))
        fprintf(stderr, "%s (pid %d) failed: exit status %d%s\n", what, pid, WEXITSTATUS(st),
                WEXITSTATUS(st) == TU_HELPER_FAILED ? " (a failed assertion)" : "");
    else
        fprintf(stderr, "%s (pid %d) died of signal %d\n", what, pid,
                WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;
}

char *tu_tmpdir(void)
{
    char *d = strdup("/tmp/votesrv-test-XXXXXX");

    if (d == NULL || mkdtemp(d) == NULL)
        abort();
    return d;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmdir(const char *dir)
{
    if (tu_pg())
        tu_pg_drop(dir);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_write(const char *dir, const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    FILE *f;

    if (path == NULL)
        abort();
    sprintf(path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
    return path;
}

static void print_store_error(const char *detail)
{
    fprintf(stderr, "store: %s\n", detail);
}

struct store *tu_store(const char *dir)
{
    char reg[512], box[512], pg[600], err[256];
    store_config c = { reg, box, 2, NULL, NULL, 0 };
    store *s;

    snprintf(reg, sizeof reg, "%s/registry.db", dir);
    snprintf(box, sizeof box, "%s/ballots.db", dir);
    if (tu_pg()) {
        if (tu_pg_conninfo(dir, pg, sizeof pg) != 0)
            abort();
        c.postgresql = pg;
    }
    s = store_open(&c, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "tu_store: %s\n", err);
        abort();
    }
    if (tu_pg())
        store_on_error(s, print_store_error);
    return s;
}

char *tu_definition(int64_t opens, int64_t closes)
{
    return tu_definition_bureau(opens, closes, 0);
}

char *tu_definition_bureau(int64_t opens, int64_t closes, size_t delegates)
{
    json_t *d = json_load_file("../conf/election.example.json", 0, NULL), *dl = json_array();
    char o[40], c[40], *text;
    time_t to = (time_t)opens, tc = (time_t)closes;
    struct tm tm;

    if (d == NULL)
        abort();
    gmtime_r(&to, &tm);
    strftime(o, sizeof o, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&tc, &tm);
    strftime(c, sizeof c, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(json_object_get(d, "voting"), "opens", json_string(o));
    json_object_set_new(json_object_get(d, "voting"), "closes", json_string(c));
    for (size_t i = 0; i < delegates; i++) {
        snprintf(o, sizeof o, "Délégué %zu", i + 1);
        json_array_append_new(dl, json_string(o));
    }
    if (delegates > 0)
        json_object_set_new(d, "bureau", json_pack("{sssO}", "president", "Présidente du BV",
                                                   "delegates", dl));
    json_decref(dl);
    text = json_dumps(d, JSON_INDENT(1));
    json_decref(d);
    return text;
}

struct store *tu_election(const char *dir, const char *csv, int64_t opens, int64_t closes)
{
    return tu_election_bureau(dir, csv, opens, closes, 0);
}

struct store *tu_election_bureau(const char *dir, const char *csv, int64_t opens, int64_t closes,
                                 size_t delegates)
{
    uint8_t pk[32], sk[64];
    election_ctx c = { "officer", "test", NULL, opens, "", NULL };
    def_election d;
    voter_list l;
    voters_diff diff;
    char err[300], *text = tu_definition_bureau(opens, closes, delegates);
    store *s = tu_store(dir);

    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    free(tu_write(dir, "voters.csv", csv));        /* the HR file, for the demo's roster */
    if (def_parse(&d, text, strlen(text), err, sizeof err) != 0 ||
        election_create(s, &c, &d, pk) != 0 ||
        voters_parse_buffer(&l, "voters.csv", csv, strlen(csv), &d) != 0 ||
        voters_diff_compute(s, &l, &diff) != 0 ||
        election_import_voters(s, &c, &l, &diff, NULL, NULL) != 0)
        abort();
    voter_list_free(&l);
    def_free(&d);
    free(text);
    return s;
}

int tu_smtp_start(tu_smtp *s, const char *dir, const char *auth)
{
    char key[512], cmd[2200], port[16];
    int in[2], out[2];
    ssize_t n;

    snprintf(s->cert, sizeof s->cert, "%s/smtp-cert.pem", dir);
    snprintf(key, sizeof key, "%s/smtp-key.pem", dir);
    snprintf(s->maildir, sizeof s->maildir, "%s/mail", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && openssl req -x509 -newkey rsa:2048 -nodes "
             "-keyout %s -out %s -days 1 -subj /CN=localhost "
             "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1",
             s->maildir, key, s->cert);
    if (system(cmd) != 0 || pipe(in) != 0 || pipe(out) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl("/usr/bin/python3", "python3", "smtp_sink.py", s->maildir, s->cert, key, auth,
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->stdin_fd = in[1];
    s->stdout_fd = out[0];          /* kept open until tu_smtp_stop */
    for (size_t got = 0; got < sizeof port - 1; got += (size_t)n) {
        n = read(out[0], port + got, sizeof port - 1 - got);
        if (n <= 0)
            return -1;
        port[got + (size_t)n] = '\0';
        if (strchr(port, '\n') != NULL)
            break;
    }
    s->port = atoi(port);
    return s->port > 0 ? 0 : -1;
}

void tu_smtp_stop(tu_smtp *s)
{
    if (s->pid <= 0)
        return;
    close(s->stdin_fd);
    close(s->stdout_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

char *tu_smtp_message(const tu_smtp *s, int n)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof path, "%s/%d.eml", s->maildir, n);
    for (int i = 0; i < 250; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };

        if ((f = fopen(path, "rb")) != NULL) {
            char *buf = malloc(1 << 20);
            size_t len = fread(buf, 1, (1 << 20) - 1, f);

            fclose(f);
            buf[len] = '\0';
            return buf;
        }
        nanosleep(&t, NULL);
    }
    return NULL;
}

char *tu_mail_text(const char *message)
{
    const char *part = strstr(message, "Content-Type: text/plain"), *body, *end;
    char *out;
    size_t len;

    if (part == NULL || (body = strstr(part, "\r\n\r\n")) == NULL ||
        (end = strstr(body + 4, "\r\n--")) == NULL)
        return NULL;
    body += 4;
    out = malloc((size_t)(end - body) + 1);
    if (sodium_base642bin((unsigned char *)out, (size_t)(end - body), body, (size_t)(end - body),
                          "\r\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

char tu_base_url[64], tu_internal_url[64];

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    tu_reply *r = arg;
    size_t take = size * n;

    if (r->len + take >= sizeof r->body)
        take = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, take);
    r->len += take;
    r->body[r->len] = '\0';
    return size * n;
}

static void header_value(char *out, size_t outlen, const char *line, const char *name)
{
    size_t n = strlen(name);

    if (strncasecmp(line, name, n) == 0)
        snprintf(out, outlen, "%.*s", (int)strcspn(line + n, "\r\n"), line + n);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    tu_reply *r = arg;

    header_value(r->allow, sizeof r->allow, p, "Allow: ");
    header_value(r->set_cookie, sizeof r->set_cookie, p, "Set-Cookie: ");
    header_value(r->retry_after, sizeof r->retry_after, p, "Retry-After: ");
    return size * n;
}

static void http_to(const char *base, tu_reply *r, const char *method, const char *path,
                    const char *body, long len, const char *header, const char *header2)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[512];

    memset(r, 0, sizeof *r);
    if (header != NULL)
        h = curl_slist_append(h, header);
    if (header2 != NULL)
        h = curl_slist_append(h, header2);
    snprintf(url, sizeof url, "%s%s", base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, len);
    }
    if (h != NULL)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (curl_easy_perform(c) != CURLE_OK)
        r->status = -1;
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

void tu_http2(tu_reply *r, const char *method, const char *path, const char *body, long len,
              const char *header, const char *header2)
{
    http_to(tu_base_url, r, method, path, body, len, header, header2);
}

void tu_http_internal(tu_reply *r, const char *method, const char *path)
{
    http_to(tu_internal_url, r, method, path, NULL, 0, NULL, NULL);
}

void tu_http(tu_reply *r, const char *method, const char *path, const char *body, long len,
             const char *header)
{
    tu_http2(r, method, path, body, len, header, NULL);
}

int tu_sh(char *out, size_t outlen, const char *fmt, ...)
{
    char cmd[4000];
    va_list ap;
    FILE *p;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    return WEXITSTATUS(pclose(p));
}

double tu_proc_mb(int pid, const char *field)
{
    char path[64], line[256];
    size_t n = strlen(field);
    double kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0)
            kb = strtod(line + n, NULL);
    fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

int tu_daemon_start(const char *bin, const char *cfg, const char *logfile)
{
    char portfile[1100];
    json_t *j = json_load_file(cfg, 0, NULL);
    int port = 0, internal = 0, pid;
    FILE *f;

    if (j == NULL)
        return -1;
    json_object_set_new(json_object_get(j, "listen"), "port", json_integer(0));
    if (json_object_get(j, "internal_listen") == NULL)
        json_object_set_new(j, "internal_listen", json_object());
    json_object_set_new(json_object_get(j, "internal_listen"), "port", json_integer(0));
    json_dump_file(j, cfg, JSON_INDENT(1));
    json_decref(j);
    snprintf(portfile, sizeof portfile, "%s.port", logfile);
    remove(portfile);
    pid = fork();
    if (pid == 0) {
        if (freopen(logfile, "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        execl("/bin/sh", "sh", "-c", "exec \"$0\"/votesrv -c \"$1\" --port-file \"$2\"", bin,
              cfg, portfile, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && port == 0; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };

        nanosleep(&t, NULL);
        if ((f = fopen(portfile, "r")) != NULL) {
            if (fscanf(f, "%d %d", &port, &internal) != 2)
                port = 0;
            fclose(f);
        }
    }
    if (port <= 0) {
        kill(pid, SIGKILL);
        return -1;
    }
    snprintf(tu_base_url, sizeof tu_base_url, "http://127.0.0.1:%d", port);
    snprintf(tu_internal_url, sizeof tu_internal_url, "http://127.0.0.1:%d", internal);
    return pid;
}

int tu_daemon_up(const char *bin, const char *dir, const char *cfg)
{
    char path[PATH_MAX + 32];

    snprintf(path, sizeof path, "%s/votesrv.log", dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return tu_daemon_start(bin, cfg, path);
}

void tu_daemon_teardown(int pid, tu_smtp *smtp, char *dir)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    tu_smtp_stop(smtp);
    curl_global_cleanup();
    tu_rmdir(dir);
    free(dir);
}

int tu_config(const char *dir, const char *bin, const tu_smtp *smtp, char *cfg, size_t cfglen)
{
    char path[800], out[4096];
    json_t *c;
    int rc;

    snprintf(path, sizeof path, "%s/demo", dir);
    if (tu_sh(out, sizeof out, "%s/votectl demo %s", bin, path) != 0) {
        fprintf(stderr, "%s\n", out);
        return -1;
    }
    snprintf(path, sizeof path, "%s/demo/votesrv.json", dir);
    if ((c = json_load_file(path, 0, NULL)) == NULL)
        return -1;
    /* the demo's votecad is not the test's: a test that runs one sets its
     * address (tu_votecad_for) */
    json_object_del(c, "credential_authority_url");
    if (tu_pg()) {
        char pg[600];

        if (tu_pg_conninfo(dir, pg, sizeof pg) != 0)
            return -1;
        json_object_set_new(c, "store", json_pack("{s:s}", "postgresql", pg));
    } else {
        json_object_set_new(json_object_get(c, "store"), "registry", json_string("registry.db"));
        json_object_set_new(json_object_get(c, "store"), "ballot_box", json_string("ballots.db"));
    }
    if (smtp != NULL) {
        snprintf(path, sizeof path, "smtp://127.0.0.1:%d", smtp->port);
        json_object_set_new(c, "mail", json_pack("{s:s,s:s,s:b,s:s}", "relay", path, "from",
                                                 "Bureau de vote <elections@ex.gouv.fr>",
                                                 "starttls", 1, "ca_file", smtp->cert));
    }
    /* the board publishes every second: tests wait for a batch, not 10 minutes */
    json_object_set_new(c, "board_batch_seconds", json_integer(1));
    snprintf(cfg, cfglen, "%s/votesrv.json", dir);
    rc = json_dump_file(c, cfg, JSON_INDENT(1));
    json_decref(c);
    return rc;
}

int tu_election_by_cli(const char *dir, const char *bin, const tu_smtp *smtp, const char *csv,
                       const char *credentials, char *cfg, size_t cfglen)
{
    char out[8192], *def;
    time_t now = time(NULL);

    if (tu_config(dir, bin, smtp, cfg, cfglen) != 0)
        return -1;
    def = tu_definition(now - 60, now + 86400);
    free(tu_write(dir, "election.json", def));
    free(def);
    free(tu_write(dir, "voters.csv", csv));
    if (tu_sh(out, sizeof out, "cd %s && V=%s/votectl && C=%s/votecred && "
              "$V -c votesrv.json init election.json && "
              "$V -c votesrv.json import-voters voters.csv && "
              "$V -c votesrv.json keys --demo trustee.hex && %s && $V -c votesrv.json open",
              dir, bin, bin,
              credentials ? credentials
                          : "$V -c votesrv.json credentials --demo codes.csv --hr voters.csv")
        != 0) {
        fprintf(stderr, "%s\n", out);
        return -1;
    }
    return 0;
}

int tu_bin(char bin[PATH_MAX])
{
    const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

    return realpath(b, bin) != NULL ? 0 : -1;
}

int tu_start_with_smtp(char bin[PATH_MAX], char **dir, tu_smtp *smtp)
{
    if (tu_bin(bin) != 0)
        return -1;
    *dir = tu_tmpdir();
    return tu_smtp_start(smtp, *dir, NULL);
}

void tu_flat_commitments(uint8_t *out, const tu_ceremony *c)
{
    for (size_t i = 0; i < c->n; i++)
        memcpy(out + i * c->t * GROUP_POINT_BYTES, c->com[i], c->t * GROUP_POINT_BYTES);
}

int tu_run_ceremony(tu_ceremony *c, size_t n, size_t t, const uint8_t ctx[PROOF_CTX_BYTES])
{
    threshold_poly f;
    uint8_t flat[TU_MAXN * TU_MAXN * GROUP_POINT_BYTES];

    if (n > TU_MAXN)
        return -1;
    c->n = n;
    c->t = t;
    for (size_t i = 0; i < n; i++)
        crypto_box_keypair(c->box_pk[i], c->box_sk[i]);
    for (size_t i = 0; i < n; i++) {
        if (threshold_deal(&f, c->com[i][0], &c->pok[i], ctx, i + 1, t, NULL) != 0)
            return -1;
        for (size_t j = 0; j < n; j++)
            if (threshold_share_seal(c->sealed[i][j], &f, i + 1, j + 1, c->box_pk[j]) != 0)
                return -1;
        threshold_poly_wipe(&f);
    }
    for (size_t j = 0; j < n; j++) {
        group_scalar_zero(&c->share[j]);
        for (size_t i = 0; i < n; i++) {
            group_scalar y;

            if (threshold_commitments_verify(c->com[i][0], t, &c->pok[i], ctx, i + 1) != 0 ||
                threshold_share_open(&y, c->sealed[i][j], i + 1, j + 1, c->com[i][0], t,
                                     c->box_pk[j], c->box_sk[j]) != 0)
                return -1;
            group_scalar_add(&c->share[j], &c->share[j], &y);
        }
    }
    tu_flat_commitments(flat, c);
    return threshold_joint_key(c->joint, flat, n, t);
}

double tu_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double tu_quantile(double *v, size_t n, int percent)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[(n * (size_t)percent) / 100];
}

double tu_median(double *v, size_t n)
{
    return tu_quantile(v, n, 50);
}

/* ---- the bureau de vote's ceremony, run by every holder in turn ---- */

static int bureau_post(store *s, election_ctx *c, json_t *m)
{
    char *text = json_dumps(m, JSON_COMPACT);
    int rc = text != NULL ? ceremony_post(s, c, text, strlen(text)) : -1;

    free(text);
    json_decref(m);
    return rc;
}

typedef int (*bureau_step)(json_t **m, trustee_secret *ts, json_t *c, uint64_t i);

static int step_keys(json_t **m, trustee_secret *ts, json_t *c, uint64_t i)
{
    char err[TRUSTEE_ERR_CHARS];

    return trustee_keygen(&ts[i], m, c, i, err, sizeof err);
}

static int step_shares(json_t **m, trustee_secret *ts, json_t *c, uint64_t i)
{
    char err[TRUSTEE_ERR_CHARS];

    return trustee_shares(m, &ts[i], c, err, sizeof err);
}

static int step_verdict(json_t **m, trustee_secret *ts, json_t *c, uint64_t i)
{
    char err[TRUSTEE_ERR_CHARS];

    return trustee_verdict(m, &ts[i], c, err, sizeof err);
}

static int bureau_round(store *s, election_ctx *c, trustee_secret *ts, size_t from, size_t n,
                        bureau_step step)
{
    for (size_t i = from; i < n; i++) {
        json_t *cer, *m;
        int rc;

        if (ceremony_export(s, &cer) != 0)
            return -1;
        rc = step(&m, ts, cer, i);
        json_decref(cer);
        if (rc != 0 || bureau_post(s, c, m) != 0)
            return -1;
    }
    return 0;
}

/* Each holder's record (trustee_seal at close), as KEYFILE.record keeps it. */
static json_t *tu_records[TU_MAXN];

static void records_forget(void)
{
    for (size_t i = 0; i < TU_MAXN; i++) {
        json_decref(tu_records[i]);
        tu_records[i] = NULL;
    }
}

json_t *tu_bureau_record(uint64_t holder)
{
    return holder < TU_MAXN ? tu_records[holder] : NULL;
}

int tu_bureau_ceremony(store *s, election_ctx *c, trustee_secret *ts, size_t n)
{
    records_forget();
    if (bureau_round(s, c, ts, 0, n, step_keys) != 0 ||
        bureau_round(s, c, ts, 1, n, step_shares) != 0 ||
        bureau_round(s, c, ts, 0, n, step_verdict) != 0)
        return -1;
    return strstr(c->msg, "joint key is set") != NULL ? 0 : -1;
}

int tu_bureau_box(store *s, json_t *cer, const trustee_secret *ts, trustee_box *box)
{
    FILE *f = tmpfile();
    trustee_view v;
    char err[TRUSTEE_ERR_CHARS];
    int rc = -1;

    if (f != NULL && box_archive_write(s, audit_signer_get(), f) == STORE_OK && fseek(f, 0, SEEK_SET) == 0 &&
        trustee_view_for(&v, ts, cer, err, sizeof err) == 0)
        rc = trustee_box_read(box, &v, f, 2, stderr, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "tu_bureau_box: %s\n", err);
    if (f != NULL)
        fclose(f);
    return rc;
}

int tu_bureau_partial_from(store *s, election_ctx *c, const trustee_secret *ts,
                           const trustee_box *box, json_t **keep)
{
    json_t *cer = NULL, *m = NULL;
    char err[TRUSTEE_ERR_CHARS] = "", *text = NULL;
    int rc = -1;

    if (ts->holder < TU_MAXN && ceremony_export(s, &cer) == 0 &&
        trustee_decrypt(&m, tu_records[ts->holder], ts, cer, box, err, sizeof err) == 0 &&
        (text = json_dumps(m, JSON_COMPACT)) != NULL)
        rc = tally_post_partial(s, c, text, strlen(text));
    else if (err[0] != '\0')
        fprintf(stderr, "tu_bureau_partial: holder %llu: %s\n", (unsigned long long)ts->holder,
                err);
    json_decref(cer);
    free(text);
    if (keep != NULL)
        *keep = m;
    else
        json_decref(m);
    return rc;
}

int tu_bureau_partial(store *s, election_ctx *c, const trustee_secret *ts, json_t **keep)
{
    json_t *cer = NULL;
    trustee_box *box = malloc(sizeof *box);
    int rc = -1;

    if (keep != NULL)
        *keep = NULL;
    if (box != NULL && ceremony_export(s, &cer) == 0 && tu_bureau_box(s, cer, ts, box) == 0)
        rc = tu_bureau_partial_from(s, c, ts, box, keep);
    json_decref(cer);
    free(box);
    return rc;
}

/* At close, every holder recomputes and seals the state from the archive and
 * the signature list, keeping its record; a's and b's seals are posted. */
int tu_bureau_seal(store *s, election_ctx *c, const trustee_secret *ts, const char *act,
                   uint64_t a, uint64_t b)
{
    json_t *state, *cer, *m, *sigs = NULL;
    char err[TRUSTEE_ERR_CHARS];
    trustee_box *box = NULL;
    int close_ = strcmp(act, "close") == 0, rc = 0;
    size_t n;

    if (ceremony_seal_state(s, act, c->assets, &state, close_ ? &sigs : NULL) != 0)
        return -1;
    if (ceremony_export(s, &cer) != 0) {
        json_decref(state);
        json_decref(sigs);
        return -1;
    }
    n = json_array_size(json_object_get(cer, "keys"));
    if (close_ && ((box = malloc(sizeof *box)) == NULL || tu_bureau_box(s, cer, ts, box) != 0))
        rc = -1;
    for (uint64_t i = 0; i < n && i < TU_MAXN && rc == 0; i++) {
        if (!close_ && i != a && i != b)
            continue;
        if (trustee_seal(&m, &tu_records[i], &ts[i], cer, state, box, sigs, err,
                         sizeof err) != 0) {
            fprintf(stderr, "tu_bureau_seal: holder %llu: %s\n", (unsigned long long)i, err);
            rc = -1;
        } else if (i == a || i == b) {
            rc = bureau_post(s, c, m) != 0 ? -1 : 0;          /* it releases m */
        } else {
            json_decref(m);
        }
    }
    free(box);
    json_decref(cer);
    json_decref(state);
    json_decref(sigs);
    return rc;
}

json_t *tu_archive_load(const char *path)
{
    FILE *f = fopen(path, "r");
    json_t *a = f != NULL ? tu_archive_read(f) : NULL;

    if (f != NULL)
        fclose(f);
    return a;
}

json_t *tu_archive_read(FILE *f)
{
    json_t *a = json_pack("{s:[]}", "scrutins"), *line, *cur = NULL;
    char *buf = NULL;
    size_t cap = 0;

    while (getline(&buf, &cap, f) > 0) {
        const char *key;
        json_t *v;

        if ((line = json_loads(buf, 0, NULL)) == NULL) {
            json_decref(a);
            a = NULL;
            break;
        }
        if (json_object_get(line, "tracker") != NULL) {
            json_array_append(json_object_get(cur, "board"), line);
        } else if ((v = json_object_get(line, "scrutin")) != NULL) {
            cur = json_deep_copy(v);
            json_object_set_new(cur, "board", json_array());
            json_array_append_new(json_object_get(a, "scrutins"), cur);
        } else {
            json_object_foreach(line, key, v)
                json_object_set(a, key, v);
        }
        json_decref(line);
    }
    free(buf);
    return a;
}

void tu_store_discard(struct store *s, char *dir)
{
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

int tu_fixture_teardown(void **state)
{
    tu_fixture_head *f = *state;

    tu_store_discard(f->s, f->dir);
    free(f);
    return 0;
}

void tu_base32_key(uint8_t out[32], const char *secret)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;

    for (; *secret && n < 32; secret++) {
        const char *p = strchr(alphabet, *secret);

        if (p == NULL || *p == '\0')
            abort();
        acc = (acc << 5) | (uint32_t)(p - alphabet);
        bits += 5;
        if (bits >= 8) {
            out[n++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (n != 32)
        abort();
}

void tu_totp(char out[8], const uint8_t key[32], int64_t t)
{
    uint32_t v;

    if (totp_hotp(&v, key, TOTP_KEY_BYTES, totp_step(t), TOTP_DIGITS) != 0)
        abort();
    snprintf(out, 8, "%06u", (unsigned)v);
}

/* ---- generated elections and load files (voteclient load) ---- */

typedef struct {
    access_ctx *a;
    FILE *codes, *out;
    const char *scrutin;
    int lists, n;
} sessions_job;

/* One session per voter of codes.csv ("NUMBER,CODE"), written to the load file. */
static int run_sessions(store_tx *tx, void *arg)
{
    sessions_job *j = arg;
    char line[256], token[ACCESS_TOKEN_CHARS + 1];
    int64_t id;
    int struck, rc;

    while (fgets(line, sizeof line, j->codes) != NULL) {
        char *comma = strchr(line, ',');

        if (comma == NULL)
            continue;
        *comma = '\0';
        comma[1 + strcspn(comma + 1, "\r\n")] = '\0';
        if ((rc = store_voter_find(tx, line, &id, &struck)) != STORE_OK ||
            (rc = access_session_open_tx(tx, j->a, id, (int64_t)time(NULL), token)) != STORE_OK)
            return rc;
        fprintf(j->out, "%s,%s,%s,%d\n", token, comma + 1, j->scrutin, 1 + j->n % j->lists);
        j->n++;
    }
    return STORE_OK;
}

int tu_load_file(const char *dir, const char *cfg, const char *scrutin, int lists)
{
    char path[PATH_MAX + 16], err[256];
    sessions_job j = { .scrutin = scrutin, .lists = lists };
    server srv;
    int rc = -1;

    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0) {
        fprintf(stderr, "tu_load_file: %s\n", err);
        server_close(&srv);
        return -1;
    }
    snprintf(path, sizeof path, "%s/codes.csv", dir);
    j.codes = fopen(path, "r");
    snprintf(path, sizeof path, "%s/load.csv", dir);
    j.out = fopen(path, "w");
    j.a = &srv.access;
    if (j.codes != NULL && j.out != NULL && store_write(srv.store, run_sessions, &j) == STORE_OK)
        rc = 0;
    if (j.codes != NULL)
        fclose(j.codes);
    if (j.out != NULL && fclose(j.out) != 0)
        rc = -1;
    server_close(&srv);
    return rc;
}

int tu_election_generated(const char *dir, const char *bin, size_t n, char *cfg, size_t cfglen)
{
    static const char head[] = "number,surname,given_names,emails,establishment,"
                               "postal_address,corps\n";
    char *csv = malloc(sizeof head + n * 64);
    size_t len = sizeof head - 1;
    int rc;

    if (csv == NULL)
        return -1;
    memcpy(csv, head, len);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(csv + len, "B%06zu,Nom%zu,Prénom,b%zu@bench.example,E%zu,,"
                               "attache\n", i, i, i, i % 20);
    rc = tu_election_by_cli(dir, bin, NULL, csv, NULL, cfg, cfglen);
    free(csv);
    return rc;
}

int tu_tcp_connect(const char *src, const char *dst, int port)
{
    struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, src, &from.sin_addr);
    inet_pton(AF_INET, dst, &to.sin_addr);
    to.sin_port = htons((uint16_t)port);
    if (s < 0 || bind(s, (struct sockaddr *)&from, sizeof from) != 0 ||
        connect(s, (struct sockaddr *)&to, sizeof to) != 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    return s;
}

int tu_demo_start(const char *bin, const char *dir, char *cfg, size_t cfglen)
{
    char out[4096], log[800];

    if (tu_sh(out, sizeof out, "%s/votectl demo %s/demo", bin, dir) != 0) {
        fprintf(stderr, "votectl demo failed: %s\n", out);
        return -1;
    }
    snprintf(cfg, cfglen, "%s/demo/votesrv.json", dir);
    snprintf(log, sizeof log, "%s/demo/votesrv.log", dir);
    return tu_daemon_start(bin, cfg, log);
}

int tu_registry_sql(const char *dir, const char *sql)
{
    char out[2048], pg[600];
    int rc;

    free(tu_write(dir, "registry.sql", sql));
    if (tu_pg()) {
        if (tu_pg_conninfo(dir, pg, sizeof pg) != 0)
            return -1;
        rc = tu_sh(out, sizeof out, "PGOPTIONS='-c search_path=registry' psql '%s' "
                   "-v ON_ERROR_STOP=1 -q -f %s/registry.sql", pg, dir);
    } else {
        rc = tu_sh(out, sizeof out, "sqlite3 -cmd '.timeout 10000' %s/registry.db "
                   "< %s/registry.sql", dir, dir);
    }
    if (rc != 0)
        fprintf(stderr, "registry SQL failed: %s\n", out);
    return rc == 0 ? 0 : -1;
}

size_t tu_proc_children(int pid, int *out, size_t max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    size_t n = 0;

    while (d != NULL && (e = readdir(d)) != NULL && n < max) {
        char path[300], buf[512], *paren;
        int ppid;
        FILE *f;

        if (atoi(e->d_name) <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(buf, sizeof buf, f) != NULL && (paren = strrchr(buf, ')')) != NULL &&
            sscanf(paren + 2, "%*c %d", &ppid) == 1 && ppid == pid)
            out[n++] = atoi(e->d_name);
        fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return n;
}

int tu_proc_child_named(int parent, const char *name)
{
    int kids[256];
    size_t n = tu_proc_children(parent, kids, 256);

    for (size_t i = 0; i < n; i++) {
        char path[64], comm[64] = "";
        FILE *f;

        snprintf(path, sizeof path, "/proc/%d/comm", kids[i]);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(comm, sizeof comm, f) == NULL)
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        if (strcmp(comm, name) == 0)
            return kids[i];
    }
    return -1;
}
