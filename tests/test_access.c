/* test_access.c - voter access without the network: password policy, défi
 * normal form, ALTCHA, one-time links (reused, expired, truncated, altered,
 * voided, raced), activation, login and its throttles, sessions, reassorts,
 * the account page, the two channels (links never touch a défi), the défi's
 * throttles, the reissue window, and what each leaves in the audit log and
 * the outbox. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "signer/signer.h"
#include "testutil.h"
#include "access/access.h"
#include "access/access_internal.h"
#include "access/altcha.h"
#include "access/support.h"
#include "audit/audit.h"
#include "election/demo.h"
#include "election/credentials.h"
#include "election/election.h"
#include "crypto/credential.h"
#include "notices/code.h"

#define HEADER "number,surname,given_names,emails,establishment,postal_address,corps\n"
#define PASSWORD "un cheval de trait rouge"

typedef struct {
    char *dir;
    store *s;
    access_wordlist *words;
    mail_ctx *mail;
    access_ctx a;
    uint8_t pepper[32];
    signer_keys keys;
    int64_t now, start;          /* start: the voting window is [start - 60, start + 86400) */
    uint8_t request_sk[64];      /* the daemon's key signing reissue requests */
    signer *signer;              /* holds it, in-process */
    tu_votecad cad;              /* the credential authority's service, votecad */
} fixture;

/* Vote codes from the demo authority, and its service votecad with their
 * roster, which knows the key that signs the requests: a reissue goes
 * through it. */
static int credentials(fixture *f)
{
    election_ctx c = { "officer", "test", NULL, f->now, "", NULL, ELECTION_WHY_OTHER };
    uint8_t request_pk[32];
    elgamal_pk pk;
    group_scalar sk;
    char path[600], hr[600], bin[PATH_MAX];
    FILE *codes, *roster;
    int rc;

    snprintf(path, sizeof path, "%s/codes.csv", f->dir);
    codes = fopen(path, "w");
    snprintf(path, sizeof path, "%s/votecred-state.json", f->dir);
    roster = fopen(path, "w");
    snprintf(hr, sizeof hr, "%s/voters.csv", f->dir);         /* tu_election's HR file */
    if (codes == NULL || roster == NULL || elgamal_keypair(&pk, &sk, NULL) != 0)
        return -1;
    rc = election_set_public_key(f->s, &c, pk.bytes) != ELECTION_OK ||
         election_demo_credentials_roster(f->s, &c, codes, roster, hr) != ELECTION_OK;
    elgamal_pk_clear(&pk);
    if (fclose(codes) != 0 || fclose(roster) != 0 || rc != 0 || chmod(path, 0600) != 0)
        return -1;
    crypto_sign_keypair(request_pk, f->request_sk);
    if (tu_bin(bin) != 0 || tu_votecad_start(&f->cad, bin, f->dir, path, request_pk) != 0)
        return -1;
    f->a.authority_url = f->cad.url;
    f->signer = signer_local_new(f->request_sk, NULL, f->s);
    f->a.signer = f->signer;
    return f->signer != NULL ? 0 : -1;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *lists[] = { "../conf/common-passwords.txt", "../conf/common-passwords-fr.txt" };
    mail_config mc = { .starttls = 0, .timeout_s = 5 };
    char err[300];
    const char *csv = HEADER "A1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n"
                             "A2,Petit,Léa,lea.petit@ex.gouv.fr;lea@autre.gouv.fr,E,,attache\n"
                             "A3,Durand,Jules,jules.durand@ex.gouv.fr,E,,attache\n";

    if (f == NULL || crypto_init() != 0)
        return -1;
    randombytes_buf(f->pepper, sizeof f->pepper);
    signer_keys_derive(&f->keys, f->pepper, f->pepper);
    f->dir = tu_tmpdir();
    f->now = f->start = (int64_t)time(NULL);
    f->s = tu_election(f->dir, csv, f->now - 60, f->now + 86400);
    snprintf(mc.templates, sizeof mc.templates, "../conf/mail");
    snprintf(mc.from, sizeof mc.from, "Elections <elections@ex.gouv.fr>");
    snprintf(mc.portal_url, sizeof mc.portal_url, "https://vote.ex.gouv.fr");
    f->words = access_wordlist_load(lists, 2, err, sizeof err);
    f->mail = mail_ctx_new(&mc, f->pepper, err, sizeof err);
    if (f->words == NULL || f->mail == NULL ||
        access_init(&f->a, f->s, &f->keys, f->words, f->mail, 2) != 0 || credentials(f) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    access_destroy(&f->a);
    tu_votecad_stop(&f->cad);
    store_close(f->s);
    signer_free(f->signer);
    access_wordlist_free(f->words);
    mail_ctx_free(f->mail);
    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void test_password_policy(void **state)
{
    fixture *f = *state;
    const char *id[] = { "camille.martin@ex.gouv.fr", NULL };

    assert_int_equal(access_password_check(&f->a, PASSWORD, id), ACCESS_E_NONE);
    assert_int_equal(access_password_check(&f->a, "ça c'est sûr !", id), ACCESS_E_NONE);
    assert_int_equal(access_password_check(&f->a, "short", id), ACCESS_E_PASSWORD_SHORT);
    assert_int_equal(access_password_check(&f->a, "éééééééééé", id), ACCESS_E_PASSWORD_SHORT);
    assert_int_equal(access_password_check(&f->a, "password1234", id), ACCESS_E_PASSWORD_COMMON);
    assert_int_equal(access_password_check(&f->a, "2024!Motdepasse!", id),
                     ACCESS_E_PASSWORD_COMMON);
    assert_int_equal(access_password_check(&f->a, "AZERTYUIOP12", id), ACCESS_E_PASSWORD_COMMON);
    assert_int_equal(access_password_check(&f->a, "aaaaaaaaaaaaaa", id),
                     ACCESS_E_PASSWORD_PATTERN);
    assert_int_equal(access_password_check(&f->a, "123456789012", id), ACCESS_E_PASSWORD_PATTERN);
    assert_int_equal(access_password_check(&f->a, "abcabcabcabc", id), ACCESS_E_PASSWORD_PATTERN);
    assert_int_equal(access_password_check(&f->a, "zyxwvutsrqpo", id), ACCESS_E_PASSWORD_PATTERN);
    assert_int_equal(access_password_check(&f->a, "Camille.Martin-2026", id),
                     ACCESS_E_PASSWORD_IDENTIFIER);
    {   /* a surname that is also a word does not spoil a good phrase */
        const char *petit[] = { "A2", "lea.petit@ex.gouv.fr", "Petit", "L\xc3\xa9" "a", NULL };

        assert_int_equal(access_password_check(&f->a, "un petit chat sur le toit rouge", petit),
                         ACCESS_E_NONE);
        assert_int_equal(access_password_check(&f->a, "Petit.Lea.1990", petit),
                         ACCESS_E_PASSWORD_IDENTIFIER);
    }
    assert_int_equal(access_password_check(&f->a, "abc\xff\xfe\xfd long enough", id),
                     ACCESS_E_PASSWORD_ENCODING);
    {
        char big[ACCESS_PASSWORD_MAX + 2];

        memset(big, 'q', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        assert_int_equal(access_password_check(&f->a, big, id), ACCESS_E_PASSWORD_LONG);
    }
}

/* ---- the context-specific words ---- */

/* A voter made up from a seed: number, names, address, postal address. */
typedef struct {
    char number[16], surname[32], given[32], email[96], postal[96];
    const char *context[8];
} made_voter;

static const char *const surnames[] = { "Martin", "Bernard", "Dubois", "Thomas", "Robert",
                                        "Richard", "Petit", "Durand", "Leroy", "Moreau",
                                        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia" };
static const char *const givens[] = { "Camille", "Nathalie", "Isabelle", "Sylvie", "Philippe",
                                      "Nicolas", "Christophe", "Stephane", "Sandrine", "Julien",
                                      "Aurelie", "Mathieu", "Sebastien", "Valerie", "Frederic" };
static const char *const domains[] = { "interieur.gouv.fr", "education.gouv.fr",
                                       "justice.gouv.fr", "finances.gouv.fr" };
static const char *const streets[] = { "Beauvau", "Grenelle", "Rivoli", "Varenne" };
#define ORGANISER "Ministere de l'Interieur"

static uint32_t next_rand(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

static void make_voter(made_voter *v, uint32_t seed)
{
    const char *dom = domains[next_rand(&seed) % 4];

    snprintf(v->number, sizeof v->number, "%08u", next_rand(&seed) % 100000000u);
    snprintf(v->surname, sizeof v->surname, "%s", surnames[next_rand(&seed) % 15]);
    snprintf(v->given, sizeof v->given, "%s", givens[next_rand(&seed) % 15]);
    snprintf(v->email, sizeof v->email, "%s.%s@%s", v->given, v->surname, dom);
    for (char *p = v->email; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    snprintf(v->postal, sizeof v->postal, "%u place %s 75008 Paris",
             1 + next_rand(&seed) % 40, streets[next_rand(&seed) % 4]);
    v->context[0] = v->number;
    v->context[1] = v->surname;
    v->context[2] = v->given;
    v->context[3] = v->email;
    v->context[4] = v->postal;
    v->context[5] = ORGANISER;
    v->context[6] = "Elections professionnelles 2026";
    v->context[7] = NULL;
}

static void leet(char *out, size_t n, const char *in)
{
    size_t i = 0;

    for (; *in && i + 1 < n; in++) {
        char c = (char)(*in >= 'A' && *in <= 'Z' ? *in - 'A' + 'a' : *in);

        out[i++] = c == 'a' ? '@' : c == 'e' ? '3' : c == 'i' ? '1' : c == 'o' ? '0'
                   : c == 's' ? '$' : *in;
    }
    out[i] = '\0';
}

static void upper(char *out, size_t n, const char *in)
{
    size_t i = 0;

    for (; *in && i + 1 < n; in++)
        out[i++] = (char)(*in >= 'a' && *in <= 'z' ? *in - 'a' + 'A' : *in);
    out[i] = '\0';
}

static void expect_refused(fixture *f, const char *const *context, const char *password,
                           access_error want, access_error also)
{
    access_error got = access_password_check(&f->a, password, context);

    if (got != want && got != also)
        fail_msg("\"%s\": got %d, want %d or %d", password, (int)got, (int)want, (int)also);
}

/* Generated variants of each voter's context, repetitions, keyboard walks and
 * leet common passwords with years: all refused, each with its reason. */
static void test_password_context_generated(void **state)
{
    fixture *f = *state;
    static const char *const common_words[] = { "password", "motdepasse", "soleil", "bonjour",
                                                "azerty", "jetaime", "doudou", "chocolat" };
    static const char *const walks[] = {
        "qwertyqwerty", "1q2w3e4r5t6y", "qwertyuiopasdf", "zxcvbnmzxcvbnm", "1qaz2wsx3edc",
        "azertyuiopqsdf", "1a2z3e4r5t6y", "wxcvbnwxcvbn", "poiuytrezaqs", "aqwzsxedcrfv",
        "&\xc3\xa9\"'(-\xc3\xa8_\xc3\xa7\xc3\xa0)=", "123qweasdzxc", "qazwsxedcrfv",
        "azeqsdwxcazeqsd", "mlkjhgfdsqmlkj", "asdfghjklasdfghjkl" };

    for (uint32_t seed = 1; seed <= 40; seed++) {
        made_voter v;
        char pw[200], a[64], b[64], dom[64];
        int year = 1960 + (int)(seed * 7 % 67);

        make_voter(&v, seed);
        snprintf(dom, sizeof dom, "%s", strchr(v.email, '@') + 1);
        /* the number, alone, twice, with a year */
        snprintf(pw, sizeof pw, "%s%s", v.number, v.number);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        snprintf(pw, sizeof pw, "Numero %s !", v.number);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        /* names with digits, leet, case */
        snprintf(pw, sizeof pw, "%s%s%d", v.given, v.surname, year);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        leet(a, sizeof a, v.given);
        leet(b, sizeof b, v.surname);
        snprintf(pw, sizeof pw, "%s%s!", a, b);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        upper(a, sizeof a, v.surname);
        snprintf(pw, sizeof pw, "%s.%s.%d", a, v.given, year);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        snprintf(pw, sizeof pw, "%s%s%d", v.surname, v.surname, year);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_PATTERN);
        /* the address: domain plus a digit, domain labels, local part */
        snprintf(pw, sizeof pw, "%s%u", dom, seed % 10);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        snprintf(pw, sizeof pw, "%.*s%d!", (int)strcspn(dom, "."), dom, year);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_COMMON);
        snprintf(pw, sizeof pw, "%.*s", (int)strcspn(v.email, "@"), v.email);
        upper(a, sizeof a, pw);
        snprintf(pw, sizeof pw, "%s%u", a, seed);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        /* the organiser, the postal address */
        snprintf(pw, sizeof pw, "Ministere%d!", year);     /* also on the common list */
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_COMMON);
        snprintf(pw, sizeof pw, "1nt3r13ur%d!", year);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_IDENTIFIER);
        snprintf(pw, sizeof pw, "%s", strstr(v.postal, "place ") + 6);
        pw[strcspn(pw, " ")] = '\0';
        strcat(pw, "75008Paris");
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_IDENTIFIER, ACCESS_E_PASSWORD_COMMON);
        /* repeated words, leet common passwords with years */
        snprintf(pw, sizeof pw, "%s%s", common_words[seed % 8], common_words[seed % 8]);
        if (strlen(pw) < 12)
            strcat(pw, common_words[seed % 8]);
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_PATTERN, ACCESS_E_PASSWORD_COMMON);
        leet(a, sizeof a, common_words[(seed + 3) % 8]);
        a[0] = (char)(a[0] >= 'a' && a[0] <= 'z' ? a[0] - 'a' + 'A' : a[0]);
        snprintf(pw, sizeof pw, "%s%d%s", a, year, seed % 2 ? "!" : "");
        if (strlen(pw) < 12)
            strcat(pw, "!!!");
        expect_refused(f, v.context, pw, ACCESS_E_PASSWORD_COMMON, ACCESS_E_PASSWORD_PATTERN);
        /* keyboard walks */
        expect_refused(f, v.context, walks[seed % 16], ACCESS_E_PASSWORD_PATTERN,
                       ACCESS_E_PASSWORD_COMMON);
    }
}

/* The voter's number with separators between its digits or groups (a space,
 * a dot, a dash, a plus), alone or twice: still her number ("2026 0042 2026
 * 0042", "2 0 2 6 0 0 4 2 !"). */
static void test_password_context_separated(void **state)
{
    fixture *f = *state;
    static const char seps[] = " .-+";

    for (uint32_t seed = 1; seed <= 40; seed++) {
        made_voter v;
        char pw[400], spread[40];
        char sep = seps[seed % 4];
        size_t o = 0;

        make_voter(&v, seed);
        for (const char *d = v.number; *d; d++) {
            spread[o++] = *d;
            spread[o++] = sep;
        }
        spread[o] = '\0';
        snprintf(pw, sizeof pw, "%s!%s", spread, seed % 2 ? "ab" : "");
        if (access_password_check(&f->a, pw, v.context) == ACCESS_E_NONE)
            fail_msg("\"%s\" accepted for number %s", pw, v.number);
        snprintf(pw, sizeof pw, "%.4s%c%.4s%c%.4s%c%.4s", v.number, sep, v.number + 4, sep,
                 v.number, sep, v.number + 4);
        if (access_password_check(&f->a, pw, v.context) == ACCESS_E_NONE)
            fail_msg("\"%s\" accepted for number %s", pw, v.number);
    }
}

/* The six passwords of the audit, for the voter it used. */
static void test_password_context_audit(void **state)
{
    fixture *f = *state;
    const char *context[] = { "20260417", "Dupont", "Jeanne", "jeanne.dupont@interieur.gouv.fr",
                              "11 rue des Saussaies 75008 Paris", ORGANISER, NULL };
    const char *refused[] = { "2026041720260417", "interieur.gouv.fr7", "passwordpassword",
                              "P@ssw0rd2026", "qwertyqwerty", "1q2w3e4r5t6y" };

    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (access_password_check(&f->a, refused[i], context) == ACCESS_E_NONE)
            fail_msg("\"%s\" accepted", refused[i]);
    assert_int_equal(access_password_check(&f->a, "2026041720260417", context),
                     ACCESS_E_PASSWORD_IDENTIFIER);
    assert_int_equal(access_password_check(&f->a, "interieur.gouv.fr7", context),
                     ACCESS_E_PASSWORD_IDENTIFIER);
}

/* Held out: written after the rule was designed and never tuned against. */
static void test_password_context_held_out(void **state)
{
    fixture *f = *state;
    made_voter v;
    static const char *const good[] = {
        "le chat dort sur le toit rouge", "mon velo bleu roule vite", "Vive les vacances a la mer",
        "grenouille violette 42", "trois pommes et un citron", "la lune danse avec Orion",
        "Mon chien Pixel aime la neige", "cafe noir sans sucre le matin",
        "horloge tordue sous la pluie", "un ours polaire en Bretagne",
        "Tartine + confiture = bonheur", "le train de 7h12 pour Lyon", "kayak vert sur la Loire",
        "ma tante joue du basson", "sept nains et un dragon rose", "purple monkey dishwasher",
    };
    static const char *const bad[] = {
        "Marseille2024!", "Azerty2025!!", "Jetaime123456", "loveyouloveyou", "Qwerty123456!",
        "abc123abc123", "zaq12wsxcde3", "Iloveyou2026", "Football1998!", "Bonjour2026!!",
        "Soleil123456", "Ministere2026", "aaaabbbbcccc", "0123456789ab", "motdepasse2026",
        "Ch0c0l@t1985", "1234abcd1234abcd", "Nicolas1985!!", "azerty-azerty", "qsdfghjklmqsd",
    };

    make_voter(&v, 4242);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        access_error e = access_password_check(&f->a, good[i], v.context);

        if (e != ACCESS_E_NONE)
            fail_msg("\"%s\" refused (%d)", good[i], (int)e);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (access_password_check(&f->a, bad[i], v.context) == ACCESS_E_NONE)
            fail_msg("\"%s\" accepted", bad[i]);
}

/* The défi menu: the built-in one leaves the birth town out but still names
 * it for the accounts that chose it; a configured one replaces the menu by
 * ids; ids out of range or twice are refused and change nothing. */
static void test_defi_menu(void **state)
{
    access_defi_entry mine[2] = { { 7, "Quel est votre plat préféré ?", "Your favourite dish?" },
                                  { 2, "École ?", "School?" } };
    access_defi_entry twice[2] = { { 4, "a", "a" }, { 4, "b", "b" } };

    (void)state;
    assert_int_equal(access_defi_count(), 5);
    for (size_t i = 0; i < access_defi_count(); i++) {
        assert_int_not_equal(access_defi_id(i), 1);
        assert_true(access_defi_offered(access_defi_id(i)));
    }
    assert_false(access_defi_offered(1));
    assert_non_null(strstr(access_defi_question(1, "fr"), "ville"));
    assert_int_equal(access_defi_configure(mine, 2), 0);
    assert_int_equal(access_defi_count(), 2);
    assert_int_equal(access_defi_id(0), 7);
    assert_int_equal(access_defi_id(2), -1);
    assert_true(access_defi_offered(2) && access_defi_offered(7) && !access_defi_offered(0));
    assert_string_equal(access_defi_question(7, "en"), "Your favourite dish?");
    assert_string_equal(access_defi_question(2, "fr"), "École ?");
    assert_non_null(access_defi_question(0, "fr"));          /* an earlier account's */
    assert_null(access_defi_question(9, "fr"));
    assert_int_equal(access_defi_configure(twice, 2), -1);
    mine[0].id = ACCESS_DEFI_MAX;
    assert_int_equal(access_defi_configure(mine, 2), -1);
    assert_int_equal(access_defi_id(0), 7);                  /* unchanged */
    assert_int_equal(access_defi_configure(NULL, 0), 0);
    assert_int_equal(access_defi_count(), 5);
}

static void test_defi_normal_form(void **state)
{
    char out[ACCESS_ANSWER_MAX + 1];

    (void)state;
    assert_int_equal(access_defi_normalize(out, sizeof out, "  Éléonore   de\tSaint-Just "), 0);
    assert_string_equal(out, "eleonore de saint-just");
    assert_int_equal(access_defi_normalize(out, sizeof out, "ŒUVRE Ça\xc2\xa0Müller"), 0);
    assert_string_equal(out, "oeuvre ca muller");
    assert_int_equal(access_defi_normalize(out, sizeof out, "Zoë"), 0);
    assert_string_equal(out, "zoe");
    assert_int_equal(access_defi_normalize(out, sizeof out, "   "), -1);
    assert_int_equal(access_defi_normalize(out, sizeof out, "bad\xff"), -1);
    assert_int_equal(access_defi_normalize(out, sizeof out, "tab\x01ctl"), -1);
    assert_true(access_defi_count() >= 5);
    assert_non_null(strstr(access_defi_question(0, "fr"), "animal"));
    assert_non_null(strstr(access_defi_question(0, "en"), "pet"));
    assert_null(access_defi_question(ACCESS_DEFI_MAX, "fr"));
}

static void test_altcha(void **state)
{
    uint8_t key[32] = { 1 }, other[32] = { 2 }, id[32], id2[32];
    int64_t now = 1800000000, exp;
    json_t *c = altcha_challenge(key, now);
    char *payload = altcha_solve(c), *bad;

    (void)state;
    assert_non_null(payload);
    assert_int_equal(altcha_verify(key, payload, now + 10, id, &exp), 0);
    assert_int_equal(altcha_verify(key, payload, now + 10, id2, &exp), 0);
    assert_memory_equal(id, id2, 32);                     /* replay has the same id */
    assert_int_equal(altcha_verify(other, payload, now, id, &exp), -1);     /* not ours */
    assert_int_equal(altcha_verify(key, payload, now + ALTCHA_TTL, id, &exp), -1); /* expired */
    assert_int_equal(altcha_verify(key, "not base64!", now, id, &exp), -1);
    assert_int_equal(altcha_verify(key, NULL, now, id, &exp), -1);
    bad = strdup(payload);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    assert_int_equal(altcha_verify(key, bad, now, id, &exp), -1);
    free(bad);
    free(payload);
    json_decref(c);
}

typedef struct {
    fixture *f;
    int64_t voter;
    char token[ACCESS_TOKEN_CHARS + 1];
    int purpose;
} issue_job;

static int run_issue(store_tx *tx, void *arg)
{
    issue_job *j = arg;

    return access_link_issue_tx(tx, &j->f->a, j->voter, j->purpose ? j->purpose
                                                                   : STORE_LINK_ACTIVATION,
                                NULL, j->f->now, j->token);
}

static int count_outbox(store_tx *tx, void *arg)
{
    return store_outbox_count(tx, "queued", arg);
}

static uint64_t queued(fixture *f)
{
    uint64_t n = 0;

    assert_int_equal(store_read(f->s, count_outbox, &n), 0);
    return n;
}

typedef struct {
    fixture *f;
    const char *token;
    int rc;
    access_result res;
} race;

static void *race_activate(void *arg)
{
    race *r = arg;

    r->rc = access_activate(&r->f->a, r->token, PASSWORD, 3, "Lyon", r->f->now, NULL, &r->res);
    return NULL;
}

static void test_links_and_activation(void **state)
{
    fixture *f = *state;
    issue_job j1 = { f, 2, "", 0 }, j2 = { f, 2, "", 0 };
    access_result res;
    char altered[ACCESS_TOKEN_CHARS + 1];
    uint64_t before = queued(f);
    race r[2];
    pthread_t t[2];

    /* voter 2 has two addresses: one link, mailed to both */
    assert_int_equal(store_write(f->s, run_issue, &j1), 0);
    assert_int_equal(queued(f), before + 2);
    /* a newer link leaves the older one valid (test_links_survive_third_parties) */
    assert_int_equal(store_write(f->s, run_issue, &j2), 0);
    /* truncated, altered, expired */
    assert_int_equal(access_activate(&f->a, "abc", PASSWORD, 3, "Lyon", f->now, NULL, &res),
                     ACCESS_REFUSED);
    memcpy(altered, j2.token, sizeof altered);
    altered[5] = altered[5] == 'a' ? 'b' : 'a';
    assert_int_equal(access_activate(&f->a, altered, PASSWORD, 3, "Lyon", f->now, NULL,
                                     &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LINK_INVALID);
    assert_int_equal(access_activate(&f->a, j2.token, PASSWORD, 3, "Lyon",
                                     f->now + ACCESS_LINK_TTL_DEFAULT, NULL, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LINK_INVALID);
    /* a refused password or défi leaves the link usable */
    assert_int_equal(access_activate(&f->a, j2.token, "password1234", 3, "Lyon", f->now,
                                     NULL, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_PASSWORD_COMMON);
    assert_int_equal(access_activate(&f->a, j2.token, PASSWORD, 99, "Lyon", f->now, NULL,
                                     &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_QUESTION);
    /* the birth town is no longer offered: anyone can look it up */
    assert_int_equal(access_activate(&f->a, j2.token, PASSWORD, 1, "Lyon", f->now, NULL,
                                     &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_QUESTION);
    assert_int_equal(access_activate(&f->a, j2.token, PASSWORD, 3, "  ", f->now, NULL, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_ANSWER);
    /* two requests race with the same link: exactly one wins */
    for (int i = 0; i < 2; i++) {
        r[i] = (race){ f, j2.token, -99, { 0, 0 } };
        pthread_create(&t[i], NULL, race_activate, &r[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_true((r[0].rc == ACCESS_OK) != (r[1].rc == ACCESS_OK));
    assert_int_equal(r[0].rc == ACCESS_OK ? r[1].res.code : r[0].res.code, ACCESS_E_LINK_INVALID);
    /* and once used, never again; following it voided the voter's other link */
    assert_int_equal(access_activate(&f->a, j2.token, PASSWORD, 3, "Lyon", f->now, NULL,
                                     &res), ACCESS_REFUSED);
    assert_int_equal(access_activate(&f->a, j1.token, PASSWORD, 3, "Lyon", f->now, NULL,
                                     &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LINK_INVALID);
}

static int job_nothing(store_tx *tx, void *arg)
{
    (void)tx;
    (void)arg;
    return STORE_OK;
}

static void test_login_sessions_and_throttles(void **state)
{
    fixture *f = *state;
    access_result res;
    char session[ACCESS_TOKEN_CHARS + 1];
    int64_t voter, t = f->now;
    const char *id = "LEA.PETIT@ex.gouv.fr ";

    /* voter 2 activated in the previous test */
    assert_int_equal(access_login(&f->a, id, PASSWORD, "192.0.2.7", t, session, &res), ACCESS_OK);
    assert_int_equal(access_session(&f->a, session, t + 60, &voter, &res), ACCESS_OK);
    assert_int_equal(voter, 2);
    assert_int_equal(access_login(&f->a, "lea@autre.gouv.fr", PASSWORD, "192.0.2.7", t, session,
                                  &res), ACCESS_OK);       /* any of the voter's addresses */
    /* wrong password, unknown identifier, not activated: one answer */
    assert_int_equal(access_login(&f->a, id, "un cheval de trait bleu", "192.0.2.7", t, session,
                                  &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    assert_int_equal(access_login(&f->a, "nobody@ex.gouv.fr", PASSWORD, "192.0.2.7", t, session,
                                  &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    assert_int_equal(access_login(&f->a, "jules.durand@ex.gouv.fr", PASSWORD, "192.0.2.7", t,
                                  session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    /* guessing: delays from the 5th failure, a lock at the 20th, even with the right password */
    for (int i = 0; i < 4; i++)
        assert_int_equal(access_login(&f->a, id, "wrong password!!", "198.51.100.1", t, session,
                                      &res), ACCESS_REFUSED);
    assert_int_equal(access_login(&f->a, id, PASSWORD, "198.51.100.1", t, session, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_THROTTLED);
    for (int i = 0; i < 20; i++) {
        t += 1000;
        access_login(&f->a, id, "wrong password!!", "198.51.100.1", t, session, &res);
    }
    assert_int_equal(access_login(&f->a, id, PASSWORD, "198.51.100.1", t + 1000, session, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LOCKED);
    assert_true(res.retry_after > 0 && res.retry_after <= 3600);
    /* after the lock, the right password works again and resets the count */
    assert_int_equal(access_login(&f->a, id, PASSWORD, "198.51.100.1", t + 5000, session, &res),
                     ACCESS_OK);
    /* sessions: idle limit, absolute limit, logout */
    assert_int_equal(access_session(&f->a, session, t + 5000 + ACCESS_SESSION_IDLE + 1, &voter,
                                    &res), ACCESS_REFUSED);
    assert_int_equal(access_session(&f->a, session, t + 5000, &voter, &res), ACCESS_REFUSED);
    assert_int_equal(access_login(&f->a, id, PASSWORD, "203.0.113.9", t + 6000, session, &res),
                     ACCESS_OK);
    for (int64_t k = 1; k <= 9; k++) {       /* active every 14 minutes ... */
        assert_int_equal(access_session(&f->a, session, t + 6000 + k * 840, &voter, &res),
                         k * 840 <= ACCESS_SESSION_ABSOLUTE ? ACCESS_OK : ACCESS_REFUSED);
        /* the touch is a detached write: the next (waited) write follows it */
        assert_int_equal(store_write(f->s, job_nothing, NULL), STORE_OK);
    }
    assert_int_equal(access_login(&f->a, id, PASSWORD, "203.0.113.9", t + 20000, session, &res),
                     ACCESS_OK);
    assert_int_equal(access_logout(&f->a, session), 0);
    assert_int_equal(access_session(&f->a, session, t + 20001, &voter, &res), ACCESS_REFUSED);
    assert_int_equal(access_session(&f->a, "garbage", t, &voter, &res), ACCESS_REFUSED);
    f->now = t + 30000;
}

static void test_reassorts_and_account(void **state)
{
    fixture *f = *state;
    access_result res;
    char session[ACCESS_TOKEN_CHARS + 1], token[ACCESS_TOKEN_CHARS + 1];
    uint64_t before = queued(f);
    int64_t voter, t = f->now;
    access_account_info acct;
    const char *id = "lea.petit@ex.gouv.fr";

    assert_int_equal(access_login(&f->a, id, PASSWORD, "192.0.2.50", t, session, &res), 0);
    /* "link not received" for an unknown address: same answer, nothing queued */
    assert_int_equal(access_request_link(&f->a, "ghost@ex.gouv.fr", STORE_LINK_PASSWORD,
                                         "192.0.2.50", t, &res), ACCESS_OK);
    assert_int_equal(queued(f), before);
    /* password reassort: a link to that one address */
    assert_int_equal(access_request_link(&f->a, id, STORE_LINK_PASSWORD, "192.0.2.50", t, &res),
                     ACCESS_OK);
    assert_int_equal(queued(f), before + 1);
    /* three per address and hour; the fourth is refused with the time to wait */
    for (int i = 0; i < 2; i++)
        assert_int_equal(access_request_link(&f->a, id, STORE_LINK_PASSWORD, "192.0.2.50", t,
                                             &res), ACCESS_OK);
    assert_int_equal(access_request_link(&f->a, id, STORE_LINK_PASSWORD, "192.0.2.50", t, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LINK_RATE);
    assert_int_equal(res.retry_after, 3600);
    assert_int_equal(queued(f), before + 3);
    /* too many requests from one network: refused, whatever the address */
    for (int i = 0; i < 30; i++)
        access_request_link(&f->a, "x@ex.gouv.fr", STORE_LINK_PASSWORD, "192.0.2.51", t, &res);
    assert_int_equal(access_request_link(&f->a, id, STORE_LINK_PASSWORD, "192.0.2.52", t, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_THROTTLED);
    /* a link for another purpose is refused; a password link sets a new password
     * and ends every session */
    {
        issue_job act = { f, 2, "", STORE_LINK_ACTIVATION }, pw = { f, 2, "", STORE_LINK_PASSWORD };

        assert_int_equal(access_session(&f->a, session, t + 1, &voter, &res), ACCESS_OK);
        assert_int_equal(store_write(f->s, run_issue, &act), 0);
        assert_int_equal(access_reset_password(&f->a, act.token, "une autre phrase secrète",
                                               t + 2, NULL, &res), ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_LINK_INVALID);
        assert_int_equal(store_write(f->s, run_issue, &pw), 0);
        assert_int_equal(access_reset_password(&f->a, pw.token, "password1234", t + 2, NULL,
                                               &res), ACCESS_REFUSED);
        assert_int_equal(access_reset_password(&f->a, pw.token, "trois mots de passe neufs", t + 2,
                                               NULL, &res), ACCESS_OK);
        assert_int_equal(access_session(&f->a, session, t + 3, &voter, &res), ACCESS_REFUSED);
        assert_int_equal(access_login(&f->a, id, PASSWORD, "192.0.2.61", t + 3, session, &res),
                         ACCESS_REFUSED);
        assert_int_equal(access_login(&f->a, id, "trois mots de passe neufs", "192.0.2.61", t + 3,
                                      session, &res), ACCESS_OK);
        strcpy(token, "trois mots de passe neufs");
    }
    /* the account page */
    assert_int_equal(access_account(&f->a, 2, &acct), 0);
    assert_string_equal(acct.number, "A2");
    assert_int_equal(acct.nemails, 2);
    assert_int_equal(acct.defi_question, 3);
    assert_int_equal(acct.nscrutins, 2);
    assert_false(acct.scrutins[0].voted);
    access_account_free(&acct);
    /* change the password (needs the current one) and the défi (needs the
     * password and the current answer) */
    {
        access_caller who = { session, "192.0.2.60" };

        assert_int_equal(access_change_password(&f->a, 2, &who, "not my password!",
                                                "une autre phrase secrète", t, &res),
                         ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
        assert_int_equal(access_change_password(&f->a, 2, &who, token,
                                                "une autre phrase secrète", t, &res), ACCESS_OK);
        assert_int_equal(access_change_defi(&f->a, 2, &who, token, "Lyon", 2, "Jean Jaurès", t,
                                            &res), ACCESS_REFUSED);
        assert_int_equal(access_change_defi(&f->a, 2, &who, "une autre phrase secrète", "lyon", 2,
                                            "Jean Jaurès", t, &res), ACCESS_OK);
    }
    assert_int_equal(access_login(&f->a, id, "une autre phrase secrète", "192.0.2.60", t, session,
                                  &res), ACCESS_OK);
}

typedef struct {
    fixture *f;
    char client[32];
    int64_t now;
    access_result res;
    const char *who;             /* NULL: Léa */
} guess;

static void *guess_password(void *arg)
{
    guess *g = arg;
    char session[ACCESS_TOKEN_CHARS + 1];

    access_login(&g->f->a, g->who != NULL ? g->who : "lea.petit@ex.gouv.fr",
                 "pas le bon mot de passe", g->client, g->now, session, &g->res);
    return NULL;
}

/* Guesses made side by side from many networks: each is counted before its
 * Argon2id runs, so no more pass than one at a time would (the 5th failure
 * starts the delays). The voter's password link then lets her in at once. */
static void test_throttles_hold_side_by_side(void **state)
{
    fixture *f = *state;
    enum { N = 12 };
    guess g[N];
    pthread_t th[N];
    int wrong = 0, throttled = 0;
    int64_t t = f->now + 100000, voter;
    char session[ACCESS_TOKEN_CHARS + 1];
    access_result res;
    issue_job pw = { f, 2, "", STORE_LINK_PASSWORD };
    int64_t bound = f->a.wait_bound_ms;

    f->a.wait_bound_ms = 3600 * 1000;      /* all queued, however slow the machine */
    for (int i = 0; i < N; i++) {
        g[i] = (guess){ .f = f, .now = t };
        snprintf(g[i].client, sizeof g[i].client, "10.7.%d.1", i);
        assert_int_equal(pthread_create(&th[i], NULL, guess_password, &g[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        wrong += g[i].res.code == ACCESS_E_CREDENTIALS;
        throttled += g[i].res.code == ACCESS_E_THROTTLED;
    }
    f->a.wait_bound_ms = bound;
    assert_int_equal(wrong, 5);
    assert_int_equal(throttled, N - 5);
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "une autre phrase secrète",
                                  "10.8.0.1", t, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_THROTTLED);
    /* the password link: a new password, a session, and the guesses forgotten */
    f->now = t;
    assert_int_equal(store_write(f->s, run_issue, &pw), 0);
    assert_int_equal(access_reset_password(&f->a, pw.token, "quatre saisons en hiver", t,
                                           session, &res), ACCESS_OK);
    assert_int_equal(access_session(&f->a, session, t, &voter, &res), ACCESS_OK);
    assert_int_equal(voter, 2);
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "quatre saisons en hiver",
                                  "10.8.0.1", t, session, &res), ACCESS_OK);
}

/* A network counts its failures in windows: past the limit it is refused,
 * whatever the address in it, until the window ends; others are not. */
static void test_network_window(void **state)
{
    fixture *f = *state;
    char session[ACCESS_TOKEN_CHARS + 1], who[64];
    int64_t t = f->now + 200000;
    access_result res;

    f->a.network_failures = 6;
    for (int i = 0; i < 6; i++) {
        snprintf(who, sizeof who, "sprayed.%d@ex.gouv.fr", i);
        assert_int_equal(access_login(&f->a, who, "une phrase quelconque", "10.9.9.7", t, session,
                                      &res), ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    }
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "quatre saisons en hiver",
                                  "10.9.9.200", t + 10, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_THROTTLED);
    assert_true(res.retry_after > 0 && res.retry_after <= ACCESS_NETWORK_WINDOW - 10);
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "quatre saisons en hiver",
                                  "10.9.10.1", t + 10, session, &res), ACCESS_OK);
    /* a new window: the network is back, and a success gives its failure back */
    t += ACCESS_NETWORK_WINDOW;
    for (int i = 0; i < 5; i++)
        access_login(&f->a, "nobody@ex.gouv.fr", "une phrase quelconque", "10.9.9.7", t, session,
                     &res);
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "quatre saisons en hiver",
                                  "10.9.9.7", t, session, &res), ACCESS_OK);
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "quatre saisons en hiver",
                                  "10.9.9.7", t, session, &res), ACCESS_OK);
    f->a.network_failures = ACCESS_NETWORK_FAILURES;
}

/* A refusal for an unknown identifier costs what a wrong password costs (the
 * same Argon2id runs), so timing does not reveal who is on the list. Without
 * it the difference would be about 200-fold; the bound allows for noise. */
static void test_unknown_identifier_same_time(void **state)
{
    fixture *f = *state;
    char session[ACCESS_TOKEN_CHARS + 1], client[32], who[64];
    double known[7], unknown[7], ratio, mk, mu;
    access_result res;

    for (int i = 0; i < 7; i++) {
        double t0;

        snprintf(client, sizeof client, "10.1.%d.1", i);   /* fresh networks: no throttle */
        t0 = tu_seconds();
        access_login(&f->a, "camille.martin@ex.gouv.fr", "wrong password here", client,
                     f->now + i * 1000, session, &res);   /* past the account's delays */
        known[i] = tu_seconds() - t0;
        assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
        snprintf(client, sizeof client, "10.2.%d.1", i);
        snprintf(who, sizeof who, "nobody.%d@ex.gouv.fr", i);
        t0 = tu_seconds();
        access_login(&f->a, who, "wrong password here", client, f->now, session, &res);
        unknown[i] = tu_seconds() - t0;
        assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    }
    mk = tu_median(known, 7);
    mu = tu_median(unknown, 7);
    ratio = mk > mu ? mk / mu : mu / mk;
    if (ratio > 3.0)
        fail_msg("median login refusal: known %.1f ms, unknown %.1f ms", mk * 1e3, mu * 1e3);
}

/* ---- admission ahead of the Argon2id queue (the opening rush) ---- */

/* Every slot busy: callers queue up to max_waiting and while the estimated
 * wait stays within the bound; past either, refused at once as BUSY with a
 * Retry-After (and not counted as a failed login); the queued ones are
 * served once the slots free. */
static void test_admission_bounds_the_queue(void **state)
{
    fixture *f = *state;
    access_result held[8], res;
    guess q[2];
    pthread_t t[2];
    char session[ACCESS_TOKEN_CHARS + 1], client[32];
    int max_waiting = f->a.max_waiting, slots = f->a.max_hashing, waiting = 0;
    int64_t bound = f->a.wait_bound_ms;
    uint64_t refused = f->a.refused;

    assert_true(slots >= 1 && slots <= 8);
    assert_true(f->a.hash_us > 0);                   /* measured at access_init */
    for (int i = 0; i < slots; i++)
        assert_int_equal(access_hash_enter(&f->a, &held[i]), 0);
    f->a.max_waiting = 2;
    f->a.wait_bound_ms = 3600 * 1000;
    for (int i = 0; i < 2; i++) {
        q[i] = (guess){ .f = f, .now = f->now, .who = "nobody.queued@ex.gouv.fr" };
        snprintf(q[i].client, sizeof q[i].client, "10.19.%d.1", i);
        assert_int_equal(pthread_create(&t[i], NULL, guess_password, &q[i]), 0);
    }
    for (int i = 0; i < 20000 && waiting < 2; i++) {     /* bounded: 20 s at most */
        struct timespec ms = { 0, 1000000 };

        pthread_mutex_lock(&f->a.hash_lock);
        waiting = f->a.waiting;
        pthread_mutex_unlock(&f->a.hash_lock);
        if (waiting < 2)
            nanosleep(&ms, NULL);
    }
    assert_int_equal(waiting, 2);
    /* the queue is full: refused at once, told when to come back; many
     * times from one network without tripping its failure window */
    f->a.network_failures = 3;           /* few refusals (the queued wait 5 s at most) */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(access_login(&f->a, "nobody.refused@ex.gouv.fr", "wrong password here",
                                      "10.19.9.1", f->now, session, &res), ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_BUSY);
        assert_true(res.retry_after >= 1 && res.retry_after <= 60);
    }
    /* room in the queue, but the estimated wait past the bound: refused too */
    f->a.max_waiting = 100;
    f->a.wait_bound_ms = 0;
    assert_int_equal(access_login(&f->a, "nobody.refused@ex.gouv.fr", "wrong password here",
                                  "10.19.9.2", f->now, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_BUSY);
    assert_true(f->a.refused >= refused + 6);
    f->a.max_waiting = max_waiting;
    f->a.wait_bound_ms = bound;
    for (int i = 0; i < slots; i++)
        access_hash_leave(&f->a);
    for (int i = 0; i < 2; i++) {                    /* the queued ones were served */
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(q[i].res.code, ACCESS_E_CREDENTIALS);
    }
    /* the network that was refused so often was not counted: its next try
     * is checked (a wrong password, not THROTTLED) */
    snprintf(client, sizeof client, "10.19.9.1");
    assert_int_equal(access_login(&f->a, "nobody.after@ex.gouv.fr", "wrong password here",
                                  client, f->now, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    f->a.network_failures = ACCESS_NETWORK_FAILURES;
}

typedef struct {
    const char *key;
    store_throttle t;
} throttle_row;

static int run_throttle_put(store_tx *tx, void *arg)
{
    throttle_row *r = arg;

    return store_throttle_put(tx, r->key, &r->t);
}

static int run_throttle_get(store_tx *tx, void *arg)
{
    throttle_row *r = arg;

    return store_throttle_get(tx, r->key, &r->t);
}

/* A login refused BUSY after its attempt was counted (it queued for a slot
 * and the wait ran out) gives back all that attempt did: its failure, and
 * the delay or the lock it set ("nothing was counted against your account",
 * says the page). Before, the 20th attempt of an account locked it for an
 * hour though its password was never checked, with no "account-locked"
 * entry in the audit log. */
/* The rush's calendar (ticket.c), driven on its own clock: a fresh queue, a
 * limit of 2 logins with 2 under way (no room), places 2.2 s apart. */
typedef struct {
    access_queue *saved;
    double limit;
    int logins, hashing;
    int64_t hash_us, bound;
} rush_saved;

static void rush_begin(fixture *f, rush_saved *s)
{
    *s = (rush_saved){ f->a.queue, f->a.login_limit, f->a.logins, f->a.hashing, f->a.hash_us,
                       f->a.wait_bound_ms };
    f->a.queue = queue_new();
    assert_non_null(f->a.queue);
    f->a.login_limit = 2;
    f->a.logins = 2;
    f->a.hashing = f->a.max_hashing;     /* every Argon2id slot busy */
    f->a.hash_us = 2000000 * (int64_t)f->a.max_hashing;   /* 0.5 login/s: 2,222 ms apart */
    f->a.wait_bound_ms = 3600 * 1000;    /* the hash queue's own bound out of the way */
}

static void rush_end(fixture *f, const rush_saved *s)
{
    queue_free(f->a.queue);
    f->a.queue = s->saved;
    f->a.login_limit = s->limit;
    f->a.logins = s->logins;
    f->a.hashing = s->hashing;
    f->a.hash_us = s->hash_us;
    f->a.wait_bound_ms = s->bound;
}

static int rush_admit(fixture *f, const char *who, const char *ticket, int64_t t,
                      access_login_place *p, access_result *res)
{
    memset(p, 0, sizeof *p);
    memset(res, 0, sizeof *res);
    return access_login_admit_at(&f->a, who, ticket, t, p, res);
}

static int64_t rush_due(fixture *f, const char *who, const char *ticket)
{
    uint8_t idh[16];
    uint64_t seq;

    queue_identifier(f->a.queue, idh, who);
    seq = queue_check(f->a.queue, idh, ticket, 0);
    assert_true(seq != 0);
    return queue_not_before(f->a.queue, seq);
}

static void test_rush_tickets_keep_order(void **state)
{
    fixture *f = *state;
    static const char *const who[3] = { "rush.a@ex.gouv.fr", "rush.b@ex.gouv.fr",
                                        "nobody.rush.c@ex.gouv.fr" };   /* unknown: the same */
    access_login_place p[3], q, r2;
    access_result res;
    access_queue *other;
    uint8_t idh[16];
    char altered[ACCESS_TICKET_CHARS + 1];
    int64_t t = 1000, due[3];
    int cap = f->a.max_hashing + f->a.max_waiting;
    rush_saved s;

    rush_begin(f, &s);
    /* refused in this order: places in this order, 1, 2, 3, later and later */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rush_admit(f, who[i], NULL, t, &p[i], &res), -1);
        assert_int_equal(res.code, ACCESS_E_BUSY);
        assert_int_equal(strlen(p[i].ticket), ACCESS_TICKET_CHARS);
        assert_int_equal(p[i].position, i + 1);
        assert_null(strstr(p[i].ticket, "rush"));
        due[i] = rush_due(f, who[i], p[i].ticket);
        assert_true(due[i] > (i == 0 ? t : due[i - 1]));
        assert_int_equal(res.retry_after, (due[i] - t + 999) / 1000);
    }
    /* the same identifier again, with or without its ticket, early: the same
     * place, unchanged (one place per identifier, nothing gained) */
    assert_int_equal(rush_admit(f, who[0], NULL, t + 500, &q, &res), -1);
    assert_string_equal(q.ticket, p[0].ticket);
    assert_int_equal(rush_admit(f, who[0], p[0].ticket, t + 500, &q, &res), -1);
    assert_string_equal(q.ticket, p[0].ticket);
    assert_int_equal(q.position, 1);
    assert_true(res.retry_after >= 1);
    /* A's time: one login done, one free place, held for A: a fresh arrival
     * is refused and booked at the back, behind B and C */
    f->a.logins = 1;
    assert_int_equal(rush_admit(f, "rush.fresh@ex.gouv.fr", NULL, due[0], &q, &res), -1);
    assert_int_equal(res.code, ACCESS_E_BUSY);
    assert_int_equal(q.position, 4);
    assert_true(rush_due(f, "rush.fresh@ex.gouv.fr", q.ticket) > due[2]);
    /* B's ticket shown for A, or A's altered, or one of another writer's
     * start: none; A is given back her own place */
    assert_int_equal(rush_admit(f, who[0], p[1].ticket, due[0], &q, &res), -1);
    assert_string_equal(q.ticket, p[0].ticket);
    snprintf(altered, sizeof altered, "%s", p[0].ticket);
    altered[20] = altered[20] == 'A' ? 'B' : 'A';
    assert_int_equal(rush_admit(f, who[0], altered, due[0], &q, &res), -1);
    assert_string_equal(q.ticket, p[0].ticket);
    other = queue_new();
    assert_non_null(other);
    queue_identifier(other, idh, "rush.d@ex.gouv.fr");
    queue_ticket(other, queue_book(other, idh, 0, 1.0), r2.ticket);
    queue_free(other);
    assert_int_equal(rush_admit(f, "rush.d@ex.gouv.fr", r2.ticket, due[0], &q, &res), -1);
    assert_string_not_equal(q.ticket, r2.ticket);          /* booked anew, at the back */
    assert_int_equal(q.position, 5);
    /* ... unless Argon2id has a slot idle and nobody waiting: then room is
     * not left unused (the fresh one's place is freed) */
    f->a.hashing = f->a.max_hashing - 1;
    assert_int_equal(rush_admit(f, "rush.fresh@ex.gouv.fr", NULL, due[0], &q, &res), 0);
    f->a.logins = 1;
    f->a.hashing = f->a.max_hashing;
    /* A with her ticket: admitted in the place kept for her */
    assert_int_equal(rush_admit(f, who[0], p[0].ticket, due[0], &q, &res), 0);
    assert_int_equal(f->a.logins, 2);
    /* used: shown again, it is none (a new place at the back) */
    assert_int_equal(rush_admit(f, who[0], p[0].ticket, due[0] + 10, &q, &res), -1);
    assert_string_not_equal(q.ticket, p[0].ticket);
    assert_int_equal(q.position, 4);                        /* B, C, D ahead */
    /* B's time, the adaptive limit reached: B passes above it, up to the hard cap */
    assert_int_equal(rush_admit(f, who[1], p[1].ticket, due[1], &q, &res), 0);
    assert_int_equal(f->a.logins, 3);
    f->a.logins = cap;
    assert_int_equal(rush_admit(f, who[2], p[2].ticket, due[2], &q, &res), -1);
    assert_string_equal(q.ticket, p[2].ticket);             /* at the cap: kept, 1 s */
    assert_int_equal(res.retry_after, 1);
    f->a.logins = 1;
    assert_int_equal(rush_admit(f, who[2], p[2].ticket, due[2] + 1000, &q, &res), 0);
    rush_end(f, &s);
}

static void test_rush_no_show_released(void **state)
{
    fixture *f = *state;
    access_login_place p, q;
    access_result res;
    access_queue_figures fig;
    uint64_t admitted;
    int64_t due;
    rush_saved s;

    rush_begin(f, &s);
    assert_int_equal(rush_admit(f, "rush.x@ex.gouv.fr", NULL, 1000, &p, &res), -1);
    due = rush_due(f, "rush.x@ex.gouv.fr", p.ticket);
    f->a.logins = 1;                     /* a free place, kept for X while she is due */
    assert_int_equal(rush_admit(f, "rush.y@ex.gouv.fr", NULL, due + 4000, &q, &res), -1);
    access_queue_get(&f->a, &fig);
    assert_int_equal(fig.noshow, 0);
    /* X did not come: 5 s after her time the place is free for anyone */
    assert_int_equal(rush_admit(f, "rush.z@ex.gouv.fr", NULL, due + 5001, &q, &res), 0);
    queue_figures(f->a.queue, &fig);
    assert_int_equal(fig.noshow, 1);
    assert_int_equal(fig.booked, 2);
    /* her ticket still admits her (above the limit) until 30 s after her time ... */
    admitted = fig.admitted;
    assert_int_equal(rush_admit(f, "rush.x@ex.gouv.fr", p.ticket, due + 29000, &q, &res), 0);
    queue_figures(f->a.queue, &fig);
    assert_int_equal(fig.admitted, admitted + 1);
    /* ... and not after: an expired ticket is none (Y's, here) */
    f->a.logins = 2;
    assert_int_equal(rush_admit(f, "rush.y@ex.gouv.fr", NULL, due + 4001, &q, &res), -1);
    assert_int_equal(rush_admit(f, "rush.y@ex.gouv.fr", q.ticket,
                                rush_due(f, "rush.y@ex.gouv.fr", q.ticket) + 30001, &p, &res), -1);
    assert_string_not_equal(p.ticket, q.ticket);
    rush_end(f, &s);
}

/* A holder admitted on her place and then refused BUSY at the Argon2id slot
 * gets her place back; a second login of hers meanwhile (a double submit,
 * or anyone who knows the identifier), refused, was booked another place at
 * the back: one identifier then held two live places. Now the one given
 * back (the earlier) stays and the other is dropped. */
static void test_rush_restore_keeps_one_place(void **state)
{
    fixture *f = *state;
    access_login_place p, q, r;
    access_result res;
    access_queue_figures fig;
    uint8_t idh[16];
    rush_saved s;

    rush_begin(f, &s);
    assert_int_equal(rush_admit(f, "rush.w@ex.gouv.fr", NULL, 1000, &p, &res), -1);
    assert_int_equal(rush_admit(f, "rush.w@ex.gouv.fr", p.ticket,
                                rush_due(f, "rush.w@ex.gouv.fr", p.ticket), &q, &res), 0);
    assert_true(q.taken != 0);
    /* meanwhile the same identifier again, no room: booked at the back */
    assert_int_equal(rush_admit(f, "rush.w@ex.gouv.fr", NULL, 1000, &r, &res), -1);
    assert_string_not_equal(r.ticket, p.ticket);
    /* the first login refused at the Argon2id slot: its place given back */
    memset(&res, 0, sizeof res);
    access_login_rebook(&f->a, "rush.w@ex.gouv.fr", &q, &res);
    assert_int_equal(res.code, ACCESS_E_BUSY);
    assert_string_equal(q.ticket, p.ticket);
    queue_figures(f->a.queue, &fig);
    assert_int_equal(fig.admitted, 0);
    /* one place, not two: the other counts as none, hers comes back */
    queue_identifier(f->a.queue, idh, "rush.w@ex.gouv.fr");
    assert_int_equal(queue_check(f->a.queue, idh, r.ticket, 1000), 0);
    assert_int_equal(rush_admit(f, "rush.w@ex.gouv.fr", r.ticket, 1000, &r, &res), -1);
    assert_string_equal(r.ticket, p.ticket);
    rush_end(f, &s);
}

/* The login rate places are booked at is measured over windows of about
 * 1 s while logins are refused. A window a refusal opened and a login closed
 * only after a lull (a burst before the opening, then silence: anyone can
 * make one) measured a rate near zero: the next rush's places were booked a
 * minute apart, and every later one after them, for hours. */
static void test_rush_rate_not_from_a_lull(void **state)
{
    access_queue *q = queue_new();
    access_queue_figures fig;
    struct timespec ts;
    uint8_t idh[16];
    uint64_t seq;
    int64_t t;

    (void)state;
    assert_non_null(q);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    queue_done_at(q, 1, t + 1000);                   /* a burst: one refused, ten served */
    for (int i = 0; i < 10; i++)
        queue_done_at(q, 0, t + 2000 + i * 1000);
    queue_done_at(q, 0, t + 600000000);              /* then one login 10 min later */
    queue_figures(q, &fig);
    assert_true(fig.rate == 0);
    /* the rush: places at the rate Argon2id allows (10/s here), not a minute apart */
    queue_identifier(q, idh, "rush.v@ex.gouv.fr");
    seq = queue_book(q, idh, 5000, 10.0);
    assert_true(queue_not_before(q, seq) - 5000 < 1000);
    /* a window of the rush, 1 s with refusals and 21 logins served: 21/s */
    t += 600000000;
    queue_done_at(q, 1, t + 1000);
    for (int i = 0; i < 20; i++)
        queue_done_at(q, 0, t + 1000 + i * 45000);
    queue_done_at(q, 0, t + 1000000);
    queue_figures(q, &fig);
    assert_true(fig.rate > 20.5 && fig.rate < 21.5);
    queue_free(q);
}

static void test_busy_leaves_no_lock(void **state)
{
    fixture *f = *state;
    access_result held[8], res;
    throttle_row acct = { "acct:2", { 19, 0, 0 } };
    char session[ACCESS_TOKEN_CHARS + 1];
    int slots = f->a.max_hashing;
    int64_t t = f->now + 900000, bound = f->a.wait_bound_ms, wait = f->a.hash_wait_ms;

    assert_true(slots >= 1 && slots <= 8);
    assert_int_equal(store_write(f->s, run_throttle_put, &acct), STORE_OK);
    for (int i = 0; i < slots; i++)
        assert_int_equal(access_hash_enter(&f->a, &held[i]), 0);
    f->a.wait_bound_ms = 3600 * 1000;    /* admitted to the queue ... */
    f->a.hash_wait_ms = 50;              /* ... where the wait runs out */
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "pas le bon mot de passe",
                                  "10.25.0.1", t, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_BUSY);
    f->a.wait_bound_ms = bound;
    f->a.hash_wait_ms = wait;
    for (int i = 0; i < slots; i++)
        access_hash_leave(&f->a);
    assert_int_equal(store_read(f->s, run_throttle_get, &acct), STORE_OK);
    assert_int_equal(acct.t.failures, 19);
    assert_true(acct.t.locked_until <= t);
    assert_true(acct.t.next_allowed <= t);
    /* the next attempt is checked: a wrong password, not LOCKED */
    assert_int_equal(access_login(&f->a, "lea.petit@ex.gouv.fr", "pas le bon mot de passe",
                                  "10.25.0.1", t, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    acct.t = (store_throttle){ 0, 0, 0 };
    assert_int_equal(store_write(f->s, run_throttle_put, &acct), STORE_OK);
}

/* A login that queued for a slot until its wait ran out (BUSY after all)
 * was slow: it lowers the adaptive limit like any login slower than the
 * bound. Before, only the logins served were counted, so logins that timed
 * out, each holding a writer channel for the whole wait, left the limit
 * where it was however many there were. */
static void test_busy_after_waiting_lowers_the_limit(void **state)
{
    fixture *f = *state;
    access_result held[8], res;
    access_admission before, after;
    char session[ACCESS_TOKEN_CHARS + 1];
    int slots = f->a.max_hashing;
    int64_t t = f->now + 950000, bound = f->a.wait_bound_ms, wait = f->a.hash_wait_ms;
    int64_t hash_us = f->a.hash_us;

    assert_true(slots >= 1 && slots <= 8);
    for (int i = 0; i < slots; i++)
        assert_int_equal(access_hash_enter(&f->a, &held[i]), 0);
    pthread_mutex_lock(&f->a.hash_lock);
    f->a.login_limit = f->a.max_hashing + f->a.max_waiting;   /* room to fall */
    f->a.hash_us = 1000;                 /* a queue estimated short ... */
    f->a.wait_bound_ms = 20;
    f->a.hash_wait_ms = 200;             /* ... where the wait runs out */
    pthread_mutex_unlock(&f->a.hash_lock);
    access_admission_get(&f->a, &before);
    assert_int_equal(access_login(&f->a, "nobody.timed.out@ex.gouv.fr", "pas le bon mot de passe",
                                  "10.26.0.1", t, session, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_BUSY);
    access_admission_get(&f->a, &after);
    pthread_mutex_lock(&f->a.hash_lock);
    f->a.wait_bound_ms = bound;
    f->a.hash_wait_ms = wait;
    f->a.hash_us = hash_us;
    pthread_mutex_unlock(&f->a.hash_lock);
    for (int i = 0; i < slots; i++)
        access_hash_leave(&f->a);
    assert_int_equal(after.logins, 0);
    assert_true(before.login_limit > slots);
    assert_true(after.login_limit < before.login_limit);
    assert_true(after.login_us > before.login_us);
}

/* ---- two channels: the mailbox alone never replaces the défi ---- */

typedef struct {
    int64_t id;
    store_access v;
} access_read;

static int run_access_read(store_tx *tx, void *arg)
{
    access_read *r = arg;

    return store_access_by_id(tx, r->id, &r->v);
}

static store_access voter_record(fixture *f, int64_t id)
{
    access_read r = { .id = id };

    assert_int_equal(store_read(f->s, run_access_read, &r), 0);
    return r.v;
}

typedef struct {
    char purpose[32];
} last_link;

static int note_link(const store_audit_entry *e, void *arg)
{
    last_link *l = arg;
    json_t *p;

    if (strcmp(e->event, "link-sent") != 0 || (p = json_loads(e->payload, 0, NULL)) == NULL)
        return 0;
    snprintf(l->purpose, sizeof l->purpose, "%s",
             json_string_value(json_object_get(p, "purpose")));
    json_decref(p);
    return 0;
}

static int run_last_link(store_tx *tx, void *arg)
{
    return store_audit_each(tx, 1, note_link, arg);
}

/* The purpose of the last link sent (audit log). */
static void assert_last_link(fixture *f, const char *purpose)
{
    last_link l = { "" };

    assert_int_equal(store_read(f->s, run_last_link, &l), 0);
    assert_string_equal(l.purpose, purpose);
}

#define JULES "jules.durand@ex.gouv.fr"
#define JULES_PW "deux mots de passe neufs"

/* Whatever is asked, an activated account gets a password link; an activation
 * link is refused once the account has a défi; a password link sets the
 * password and leaves the défi as it was. */
static void test_links_never_touch_a_defi(void **state)
{
    fixture *f = *state;
    issue_job act = { f, 3, "", STORE_LINK_ACTIVATION }, late = { f, 3, "", STORE_LINK_ACTIVATION };
    issue_job pw = { f, 3, "", STORE_LINK_PASSWORD };
    store_access before, after;
    access_result res;
    int64_t t = f->start;

    f->now = t;
    assert_int_equal(store_write(f->s, run_issue, &act), 0);
    assert_int_equal(access_activate(&f->a, act.token, PASSWORD, 0, "Rex", t, NULL, &res),
                     ACCESS_OK);
    before = voter_record(f, 3);
    assert_int_equal(before.defi_question, 0);
    /* "link not received" (which asks for an activation link) and "password reassort" */
    assert_int_equal(access_request_link(&f->a, JULES, STORE_LINK_ACTIVATION, "10.20.0.1", t,
                                         &res), ACCESS_OK);
    assert_last_link(f, "password");
    assert_int_equal(access_request_link(&f->a, JULES, STORE_LINK_PASSWORD, "10.20.0.1", t, &res),
                     ACCESS_OK);
    assert_last_link(f, "password");
    /* an activation link that exists all the same is refused and changes nothing */
    assert_int_equal(store_write(f->s, run_issue, &late), 0);
    assert_int_equal(access_activate(&f->a, late.token, "un autre mot de passe neuf", 3, "Paris",
                                     t, NULL, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LINK_INVALID);
    after = voter_record(f, 3);
    assert_string_equal(after.password_hash, before.password_hash);
    assert_string_equal(after.defi_hash, before.defi_hash);
    assert_int_equal(after.defi_question, 0);
    /* a password link: a new password, the same défi */
    assert_int_equal(store_write(f->s, run_issue, &pw), 0);
    assert_int_equal(access_reset_password(&f->a, pw.token, JULES_PW, t, NULL, &res), ACCESS_OK);
    after = voter_record(f, 3);
    assert_string_not_equal(after.password_hash, before.password_hash);
    assert_string_equal(after.defi_hash, before.defi_hash);
    assert_int_equal(after.defi_question, 0);
}

/* A défi change needs the current password AND the current answer; it, and a
 * password change, end every other session of the voter, not the one asking. */
static void test_defi_change_and_sessions(void **state)
{
    fixture *f = *state;
    char s1[ACCESS_TOKEN_CHARS + 1], s2[ACCESS_TOKEN_CHARS + 1], s3[ACCESS_TOKEN_CHARS + 1];
    const char *pw2 = "trois pommes vertes et mûres";
    int64_t t = f->start + 10, voter;
    access_caller who = { s1, "10.20.1.1" };
    store_access before = voter_record(f, 3), after;
    access_result res;

    assert_int_equal(access_login(&f->a, JULES, JULES_PW, "10.20.1.1", t, s1, &res), ACCESS_OK);
    assert_int_equal(access_login(&f->a, JULES, JULES_PW, "10.20.2.1", t, s2, &res), ACCESS_OK);
    /* the password alone (as after a password link) does not change the défi */
    assert_int_equal(access_change_defi(&f->a, 3, &who, JULES_PW, "Médor", 2, "Jean Jaurès", t,
                                        &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_WRONG);
    assert_int_equal(access_change_defi(&f->a, 3, &who, JULES_PW, NULL, 2, "Jean Jaurès", t,
                                        &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_ANSWER);
    /* nor the answer alone */
    assert_int_equal(access_change_defi(&f->a, 3, &who, "pas le mot de passe", "rex", 2,
                                        "Jean Jaurès", t, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_CREDENTIALS);
    after = voter_record(f, 3);
    assert_string_equal(after.defi_hash, before.defi_hash);
    assert_int_equal(access_session(&f->a, s2, t, &voter, &res), ACCESS_OK);
    /* both: the défi changes, the other session ends, this one stays */
    assert_int_equal(access_change_defi(&f->a, 3, &who, JULES_PW, "  REX ", 2, "Jean Jaurès", t,
                                        &res), ACCESS_OK);
    after = voter_record(f, 3);
    assert_int_equal(after.defi_question, 2);
    assert_string_not_equal(after.defi_hash, before.defi_hash);
    assert_int_equal(access_session(&f->a, s1, t, &voter, &res), ACCESS_OK);
    assert_int_equal(access_session(&f->a, s2, t, &voter, &res), ACCESS_REFUSED);
    /* a password change ends the others too */
    assert_int_equal(access_login(&f->a, JULES, JULES_PW, "10.20.3.1", t, s3, &res), ACCESS_OK);
    assert_int_equal(access_change_password(&f->a, 3, &who, JULES_PW, pw2, t, &res), ACCESS_OK);
    assert_int_equal(access_session(&f->a, s1, t, &voter, &res), ACCESS_OK);
    assert_int_equal(access_session(&f->a, s3, t, &voter, &res), ACCESS_REFUSED);
    /* the old answer is gone; the new one changes the défi again */
    assert_int_equal(access_change_defi(&f->a, 3, &who, pw2, "rex", 4, "Voltaire", t, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_WRONG);
    assert_int_equal(access_change_defi(&f->a, 3, &who, pw2, "jean jaures", 4, "Voltaire", t,
                                        &res), ACCESS_OK);
    assert_int_equal(voter_record(f, 3).defi_question, 4);
}

static int run_set_state(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK) {
        snprintf(e.state, sizeof e.state, "%s", (const char *)arg);
        rc = store_election_put(tx, &e);
    }
    free(e.definition);
    return rc;
}

/* The election's state, as the officer's commands would leave it. */
static void set_state(fixture *f, const char *state)
{
    assert_int_equal(store_write(f->s, run_set_state, (void *)state), 0);
}

typedef struct {
    fixture *f;
    char client[32];
    int64_t now;
    access_result res;
} defi_guess;

static void *guess_defi(void *arg)
{
    defi_guess *g = arg;

    access_code_reissue(&g->f->a, 3, "pas la bonne réponse", g->client, g->now, &g->res);
    return NULL;
}

/* Défi answers sent side by side from many networks: each is counted before
 * its Argon2id runs, so exactly the policy's free failures are hashed (the
 * hashes are counted, not timed); the 10th wrong answer locks for a day; the
 * support cell lifts the lock. */
static void test_defi_throttled(void **state)
{
    fixture *f = *state;
    enum { N = 12 };
    defi_guess g[N];
    pthread_t th[N];
    int wrong = 0, throttled = 0;
    int64_t t = f->start + 100, tt = t;
    uint64_t h0 = f->a.hashes, mails = queued(f);
    access_caller who = { NULL, "10.33.0.1" };
    access_result res;
    char before[64], after[29];

    set_state(f, "open");
    for (int i = 0; i < N; i++) {
        g[i] = (defi_guess){ .f = f, .now = t };
        snprintf(g[i].client, sizeof g[i].client, "10.30.%d.1", i);
        assert_int_equal(pthread_create(&th[i], NULL, guess_defi, &g[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        wrong += g[i].res.code == ACCESS_E_DEFI_WRONG;
        throttled += g[i].res.code == ACCESS_E_THROTTLED;
    }
    assert_int_equal(wrong, ACCESS_DEFI_SOFT);
    assert_int_equal(throttled, N - ACCESS_DEFI_SOFT);
    assert_int_equal(f->a.hashes - h0, ACCESS_DEFI_SOFT);
    /* the right answer waits too, and costs no hash */
    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.31.0.1", t, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_THROTTLED);
    assert_int_equal(f->a.hashes - h0, ACCESS_DEFI_SOFT);
    /* one at a time past the delays, up to the lock */
    for (int i = ACCESS_DEFI_SOFT; i < ACCESS_DEFI_LOCK_AFTER; i++) {
        tt += 1000;
        assert_int_equal(access_code_reissue(&f->a, 3, "toujours pas", "10.32.0.1", tt, &res),
                         ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_DEFI_WRONG);
    }
    h0 = f->a.hashes;
    tt += 1000;
    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.31.0.1", tt, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_LOCKED);
    assert_true(res.retry_after > 0 && res.retry_after <= ACCESS_DEFI_LOCK_S - 1000);
    /* the lock holds for a défi change too, before the password is hashed */
    assert_int_equal(access_change_defi(&f->a, 3, &who, "trois pommes vertes et mûres",
                                        "Voltaire", 3, "Paris", tt, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_DEFI_LOCKED);
    assert_int_equal(f->a.hashes, h0);
    assert_int_equal(queued(f), mails);
    /* the support cell lifts it (with a reason); the right answer then works */
    assert_int_equal(support_act(&f->a, "A3", SUPPORT_UNLOCK, "agent-7", "appel du votant", tt,
                                 &res), ACCESS_OK);
    assert_int_equal(tu_sh(before, sizeof before, "grep ^A3, %s/codes.csv | cut -d, -f2 | "
                           "tr -d '\\n-'", f->dir), 0);
    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.31.0.1", tt, &res),
                     ACCESS_OK);
    assert_int_equal(f->a.hashes - h0, 1);
    /* the credential authority made (and mails) the code, not the server */
    assert_int_equal(queued(f), mails);
    assert_int_equal(tu_votecad_code(&f->cad, "jules.durand@ex.gouv.fr", after), 0);
    assert_string_not_equal(before, after);
}

/* A network's wrong défi answers count in windows over all its accounts: past
 * the limit it is refused until the window ends; other networks are not. */
static void test_defi_network_window(void **state)
{
    fixture *f = *state;
    int64_t t = f->start + 20000;
    access_result res;

    f->a.network_failures = 4;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(access_code_reissue(&f->a, 2, "Victor Hugo", "10.40.0.1", t, &res),
                         ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_DEFI_WRONG);
        assert_int_equal(access_code_reissue(&f->a, 3, "Rousseau", "10.40.0.2", t, &res),
                         ACCESS_REFUSED);
        assert_int_equal(res.code, ACCESS_E_DEFI_WRONG);
    }
    assert_int_equal(access_code_reissue(&f->a, 2, "Jean Jaurès", "10.40.0.77", t + 10, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_THROTTLED);
    assert_true(res.retry_after > 0 && res.retry_after <= ACCESS_NETWORK_WINDOW - 10);
    assert_int_equal(access_code_reissue(&f->a, 2, "Jean Jaurès", "10.41.0.1", t + 10, &res),
                     ACCESS_OK);
    /* a new window: the network is back */
    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.40.0.2",
                                         t + ACCESS_NETWORK_WINDOW, &res), ACCESS_OK);
    f->a.network_failures = ACCESS_NETWORK_FAILURES;
}

/* A new vote code only inside the voting window, from the voter or the
 * support cell; refused before any hash or count. */
static void test_reissue_outside_window(void **state)
{
    fixture *f = *state;
    uint64_t h0 = f->a.hashes, mails = queued(f);
    int64_t opens = f->start - 60, closes = f->start + 86400;
    access_result res;

    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.50.0.1", opens - 1, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_WINDOW);
    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.50.0.1", closes, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_WINDOW);
    assert_int_equal(access_code_reissue_support(&f->a, 3, "agent-7", "notice perdue", closes,
                                                 &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_WINDOW);
    assert_int_equal(f->a.hashes, h0);
    assert_int_equal(queued(f), mails);
    assert_int_equal(access_code_reissue(&f->a, 3, "Voltaire", "10.50.0.1", closes - 1, &res),
                     ACCESS_OK);
    /* inside the window's times but closed by the officer */
    set_state(f, "closed");
    assert_int_equal(access_code_reissue_support(&f->a, 3, "agent-7", "notice perdue",
                                                 closes - 1, &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_WINDOW);
}

/* The support cell resets a défi (with a reason): the voter's sessions end;
 * the activation link it mails may set a new défi, as may the account page
 * with the password alone, there being no current answer to give. */
static void test_support_defi_reset(void **state)
{
    fixture *f = *state;
    char s1[ACCESS_TOKEN_CHARS + 1];
    const char *pw2 = "trois pommes vertes et mûres";
    int64_t t = f->start + 30000, voter;
    access_caller who = { s1, "10.60.0.1" };
    access_result res;

    assert_int_equal(access_login(&f->a, JULES, pw2, "10.60.0.1", t, s1, &res), ACCESS_OK);
    assert_int_equal(support_act(&f->a, "A3", SUPPORT_DEFI, "agent-7", "défi oublié", t, &res),
                     ACCESS_OK);
    assert_int_equal(access_session(&f->a, s1, t, &voter, &res), ACCESS_REFUSED);
    assert_int_equal(voter_record(f, 3).defi_hash[0], '\0');
    assert_last_link(f, "activation");
    assert_int_equal(access_login(&f->a, JULES, pw2, "10.60.0.1", t, s1, &res), ACCESS_OK);
    assert_int_equal(access_change_defi(&f->a, 3, &who, pw2, NULL, 5, "Les Misérables", t, &res),
                     ACCESS_OK);
    assert_int_equal(voter_record(f, 3).defi_question, 5);
}

typedef struct {
    char events[256][32];
    int n;
    int leaked;
} audit_scan;

static int scan_entry(const store_audit_entry *e, void *arg)
{
    audit_scan *s = arg;

    if (s->n < 256)
        snprintf(s->events[s->n++], 32, "%s", e->event);
    if (strstr(e->payload, "cheval") != NULL || strstr(e->payload, "phrase") != NULL ||
        strstr(e->payload, "lyon") != NULL || strstr(e->payload, "Lyon") != NULL ||
        strstr(e->payload, "@") != NULL)
        s->leaked = 1;
    return 0;
}

static int run_scan(store_tx *tx, void *arg)
{
    return store_audit_each(tx, 1, scan_entry, arg);
}

static int has(const audit_scan *s, const char *event)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->events[i], event) == 0)
            return 1;
    return 0;
}

static void test_audit_trail_without_secrets(void **state)
{
    fixture *f = *state;
    audit_scan s = { .n = 0 };

    assert_int_equal(store_read(f->s, run_scan, &s), 0);
    assert_false(s.leaked);
    assert_true(has(&s, "link-sent"));
    assert_true(has(&s, "link-used"));
    assert_true(has(&s, "link-refused"));
    assert_true(has(&s, "password-set"));
    assert_true(has(&s, "password-reset"));
    assert_true(has(&s, "account-locked"));
    assert_true(has(&s, "network-throttled"));
    assert_true(has(&s, "password-changed"));
    assert_true(has(&s, "defi-changed"));
    assert_true(has(&s, "defi-locked"));
    assert_true(has(&s, "support-unlock"));
}

typedef struct {
    const char *scrutin;
    char code[CODE_SYMBOLS + 1];
    uint8_t pub[32], bind[32];
    int state, bound;
    uint64_t records;
} cred_look;

/* A1 votes in csa-ministere (her signature, as a cast would leave it). */
static int run_voted(store_tx *tx, void *arg)
{
    (void)arg;
    return store_signature_add(tx, 1, "csa-ministere");
}

/* The state of the credential of l->code in its scrutin, whether A1's
 * binding is that code's, and the reissue records the server holds. */
static int run_look(store_tx *tx, void *arg)
{
    cred_look *l = arg;
    store_election e;
    uint8_t stored[32];
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    rc = credential_from_code_scrutin(l->bind, l->pub, (const uint8_t *)e.eid, strlen(e.eid),
                                      (const uint8_t *)l->code, CODE_SYMBOLS, l->scrutin)
             ? STORE_EIO : STORE_OK;
    free(e.definition);
    if (rc == STORE_OK)
        rc = store_credential_state(tx, l->scrutin, l->pub, &l->state);
    if (rc == STORE_OK && (rc = store_binding_get(tx, 1, l->scrutin, stored)) == STORE_OK)
        l->bound = memcmp(stored, l->bind, 32) == 0;
    return rc == STORE_OK ? election_documents_count(tx, REISSUE_KIND, &l->records) : rc;
}

static void look(fixture *f, const char *code, cred_look *l)
{
    assert_int_equal(code_parse(l->code, code), CODE_OK);
    assert_int_equal(store_read(f->s, run_look, l), STORE_OK);
}

/* Another node of the daemon talking to the authority (its lease in the
 * store): a reissue waits (reissue_pending) without a request to votecad,
 * until that node gives the lease back or it ends. */
static int run_lease_taken(store_tx *tx, void *arg)
{
    store_throttle t = { 1, *(int64_t *)arg + 120, 0 };

    return store_throttle_put(tx, "authority:exchange", &t);
}

static void test_reissue_one_exchange_at_a_time(void **state)
{
    fixture *f = *state;
    int64_t t = f->start + 45000;
    long long seq0 = tu_votecad_status(&f->cad, "next_seq");
    access_result res;

    assert_int_equal(store_write(f->s, run_lease_taken, &t), STORE_OK);
    assert_int_equal(access_code_reissue_support(&f->a, 2, "agent-7", "notice perdue", t + 1,
                                                 &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_PENDING);
    assert_int_equal(tu_votecad_status(&f->cad, "next_seq"), seq0);    /* nothing sent */
    /* the lease ends by itself; this exchange takes it and gives it back */
    assert_int_equal(access_code_reissue_support(&f->a, 2, "agent-7", "notice perdue", t + 121,
                                                 &res), ACCESS_OK);
    assert_int_equal(tu_votecad_status(&f->cad, "next_seq"), seq0 + 1);
    assert_int_equal(access_code_reissue_support(&f->a, 2, "agent-7", "notice perdue", t + 122,
                                                 &res), ACCESS_OK);
    assert_int_equal(tu_votecad_status(&f->cad, "next_seq"), seq0 + 2);
}

/* A record the server refuses (the voter voted in one of its scrutins while
 * her request waited for the authority) is dropped; the next request counts
 * the records applied, so votecad undoes the dropped record, and the new one,
 * with its seq, revokes the credential the server still holds: it applies,
 * and its code is the voter's (protocol section 7.3). */
static void test_reissue_record_dropped(void **state)
{
    fixture *f = *state;
    int64_t t = f->start + 50000;
    long long seq0 = tu_votecad_status(&f->cad, "next_seq");
    char notice[64], code[CODE_SYMBOLS + 1];
    cred_look l = { .scrutin = "cap-attaches" };
    uint64_t records0;
    access_result res;

    assert_int_equal(tu_sh(notice, sizeof notice, "grep ^A1, %s/codes.csv | cut -d, -f2 | "
                           "tr -d '\\n'", f->dir), 0);
    look(f, notice, &l);
    assert_int_equal(l.state, STORE_CRED_ACTIVE);
    records0 = l.records;
    /* the authority is down: the request waits */
    assert_int_equal(tu_votecad_halt(&f->cad), 0);
    assert_int_equal(access_code_reissue_support(&f->a, 1, "agent-7", "notice perdue", t, &res),
                     ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_PENDING);
    assert_int_equal(store_write(f->s, run_voted, NULL), STORE_OK);
    /* back: the waiting request's record names csa-ministere, where she voted:
     * the server refuses it and drops the request */
    assert_int_equal(tu_votecad_serve(&f->cad), 0);
    assert_int_equal(access_code_reissue_support(&f->a, 1, "agent-7", "notice perdue", t + 1,
                                                 &res), ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_REISSUE_PENDING);
    assert_int_equal(tu_votecad_status(&f->cad, "next_seq"), seq0 + 1);
    look(f, notice, &l);
    assert_int_equal(l.records, records0);
    assert_int_equal(l.state, STORE_CRED_ACTIVE);
    /* the next request counts records0: votecad undoes its record and makes
     * the new one with the same seq, for cap-attaches only */
    assert_int_equal(access_code_reissue_support(&f->a, 1, "agent-7", "notice perdue", t + 2,
                                                 &res), ACCESS_OK);
    assert_int_equal(tu_votecad_status(&f->cad, "next_seq"), seq0 + 1);
    look(f, notice, &l);
    assert_int_equal(l.records, records0 + 1);
    assert_int_equal(l.state, STORE_CRED_REVOKED);         /* refused at once */
    assert_int_equal(tu_votecad_code(&f->cad, "camille.martin@ex.gouv.fr", code), 0);
    look(f, code, &l);
    assert_int_equal(l.state, STORE_CRED_ACTIVE);
    assert_true(l.bound);                                  /* her binding is the new code's */
}

/* The demo authority's roster (votectl credentials --demo) takes its addresses
 * from the HR file, and a registry that disagrees with the HR file (an
 * address changed, a voter missing) makes no code, as votecred refuses such
 * an export. */
static void test_demo_roster_from_the_hr_file(void **state)
{
    fixture *f = *state;
    election_ctx c = { "officer", "test", NULL, f->now, "", NULL, ELECTION_WHY_OTHER };
    char path[600], *hr;
    json_t *roster, *v;
    FILE *codes = tmpfile(), *out = tmpfile();
    size_t i;

    snprintf(path, sizeof path, "%s/votecred-state.json", f->dir);
    roster = json_load_file(path, 0, NULL);
    assert_non_null(roster);
    json_array_foreach(json_object_get(roster, "voters"), i, v)
        if (strcmp(json_string_value(json_object_get(v, "number")), "A2") == 0) {
            char *e = json_dumps(json_object_get(v, "emails"), JSON_COMPACT);

            assert_string_equal(e, "[\"lea.petit@ex.gouv.fr\",\"lea@autre.gouv.fr\"]");
            free(e);
        }
    json_decref(roster);
    assert_non_null(codes);
    assert_non_null(out);
    hr = tu_write(f->dir, "hr-changed.csv",
                  HEADER "A1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n"
                         "A2,Petit,Léa,lea.petit@ex.gouv.fr,E,,attache\n"
                         "A3,Durand,Jules,jules.durand@ex.gouv.fr,E,,attache\n");
    assert_int_equal(election_demo_credentials_roster(f->s, &c, codes, out, hr),
                     ELECTION_REFUSED);
    assert_non_null(strstr(c.msg, "disagrees with the HR file on 1 voters: A2 (emails)"));
    free(hr);
    hr = tu_write(f->dir, "hr-short.csv",
                  HEADER "A1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n"
                         "A2,Petit,Léa,lea.petit@ex.gouv.fr;lea@autre.gouv.fr,E,,attache\n");
    assert_int_equal(election_demo_credentials_roster(f->s, &c, codes, out, hr),
                     ELECTION_REFUSED);
    assert_non_null(strstr(c.msg, "A3 (not in the HR file)"));
    free(hr);
    assert_int_equal(ftell(codes), 0);                 /* no code */
    assert_int_equal(ftell(out), 0);
    fclose(codes);
    fclose(out);
}

/* Whether a link is live, without using it: a link that is not is refused
 * before the password is looked at. */
static int link_live(fixture *f, const char *token)
{
    access_result res;

    assert_int_equal(access_activate(&f->a, token, "password1234", 3, "Lyon", f->now, NULL,
                                     &res), ACCESS_REFUSED);
    assert_true(res.code == ACCESS_E_PASSWORD_COMMON || res.code == ACCESS_E_LINK_INVALID);
    return res.code == ACCESS_E_PASSWORD_COMMON;
}

/* A third party asks for links to a voter's address
 * until the hourly rate is reached. Her own link stays valid, the links
 * those requests sent are hers too, her own request is told to wait (never
 * silently dropped), and an unregistered address gets exactly the same
 * answer. At most ACCESS_LINKS_LIVE links live, the oldest voided past that;
 * following one voids the others. */
static void test_links_survive_third_parties(void **state)
{
    fixture *f = *state;
    const char *camille = "camille.martin@ex.gouv.fr", *ghost = "personne@ex.gouv.fr";
    issue_job own = { f, 1, "", STORE_LINK_ACTIVATION };
    issue_job more[ACCESS_LINKS_LIVE];
    access_result res, ghost_res;
    int64_t t = f->now;
    uint64_t before;
    int rc, ghost_rc, n = 0;

    /* the voter's own link (as at opening), then three requests by someone else */
    f->now = t - 10;
    assert_int_equal(store_write(f->s, run_issue, &own), 0);
    f->now = t;
    before = queued(f);
    for (int i = 0; i < ACCESS_LINKS_PER_ADDRESS; i++)
        assert_int_equal(access_request_link(&f->a, camille, STORE_LINK_ACTIVATION,
                                             "198.51.100.200", t, &res), ACCESS_OK);
    assert_int_equal(queued(f), before + ACCESS_LINKS_PER_ADDRESS);   /* all to her mailbox */
    assert_true(link_live(f, own.token));
    /* her own request, from her network: told to wait, and for how long */
    rc = access_request_link(&f->a, camille, STORE_LINK_ACTIVATION, "203.0.113.200", t + 600,
                             &res);
    assert_int_equal(rc, ACCESS_REFUSED);
    assert_int_equal(res.code, ACCESS_E_LINK_RATE);
    assert_int_equal(res.retry_after, 3000);
    assert_int_equal(queued(f), before + ACCESS_LINKS_PER_ADDRESS);
    assert_true(link_live(f, own.token));
    /* an address that is no voter's: the very same answer */
    for (int i = 0; i < ACCESS_LINKS_PER_ADDRESS; i++)
        assert_int_equal(access_request_link(&f->a, ghost, STORE_LINK_ACTIVATION,
                                             "198.51.100.201", t, &ghost_res), ACCESS_OK);
    ghost_rc = access_request_link(&f->a, ghost, STORE_LINK_ACTIVATION, "203.0.113.201",
                                   t + 600, &ghost_res);
    assert_int_equal(ghost_rc, rc);
    assert_int_equal(ghost_res.code, res.code);
    assert_int_equal(ghost_res.retry_after, res.retry_after);
    assert_int_equal(queued(f), before + ACCESS_LINKS_PER_ADDRESS);
    /* after the hour she may ask again */
    assert_int_equal(access_request_link(&f->a, camille, STORE_LINK_ACTIVATION,
                                         "203.0.113.200", t + 3600, &res), ACCESS_OK);
    /* up to ACCESS_LINKS_LIVE live links: her own is still one of them */
    for (int live = 1 + ACCESS_LINKS_PER_ADDRESS + 1; live < ACCESS_LINKS_LIVE; live++, n++) {
        more[n] = (issue_job){ f, 1, "", STORE_LINK_ACTIVATION };
        f->now = t + 3601 + n;
        assert_int_equal(store_write(f->s, run_issue, &more[n]), 0);
    }
    assert_true(link_live(f, own.token));
    /* one more: the oldest, hers, is voided; the others live */
    more[n] = (issue_job){ f, 1, "", STORE_LINK_ACTIVATION };
    f->now = t + 3601 + n;
    assert_int_equal(store_write(f->s, run_issue, &more[n]), 0);
    assert_false(link_live(f, own.token));
    for (int i = 0; i <= n; i++)
        assert_true(link_live(f, more[i].token));
    /* following one voids every other */
    assert_int_equal(access_activate(&f->a, more[0].token, PASSWORD, 3, "Lyon", f->now, NULL,
                                     &res), ACCESS_OK);
    for (int i = 1; i <= n; i++)
        assert_false(link_live(f, more[i].token));
    f->now = t;
}

/* A cast's audit entry, as box/cast.c writes it: the number and the scrutin. */
typedef struct {
    const char *number, *scrutin;
} cast_entry;

static int run_cast_entry(store_tx *tx, void *arg)
{
    const cast_entry *c = arg;
    json_t *p = json_pack("{s:s,s:s}", "number", c->number, "scrutin", c->scrutin);
    int rc = audit_append(tx, "voter", c->number, "ballot-cast", p);

    json_decref(p);
    return rc;
}

static int run_count_reissued(store_tx *tx, void *arg)
{
    return store_audit_count(tx, "code-reissued", arg);
}

static size_t history_find(const access_history *h, size_t from, access_history_kind kind)
{
    for (size_t i = from; i < h->n; i++)
        if (h->events[i].kind == kind)
            return i;
    return SIZE_MAX;
}

static size_t history_count(const access_history *h, access_history_kind kind)
{
    size_t n = 0;

    for (size_t i = 0; i < h->n; i++)
        n += h->events[i].kind == kind;
    return n;
}

/* The account page's history: each voter's own events, in the order they
 * happened, with the scrutin of a vote and nothing else of it; never another
 * voter's (the authority's reissue records name one voter each). */
static void test_history_of_own_account(void **state)
{
    fixture *f = *state;
    int64_t t = f->start + 60000;
    access_history h1, h2, h3;
    access_result res;
    size_t i, j, k, n2;
    uint64_t records = 0, seen = 0;

    /* A3: password changed, then the défi cleared by the support cell (with
     * the activation link it mailed, the support cell's), then a new défi */
    assert_int_equal(access_history_read(&f->a, 3, &h3), STORE_OK);
    i = history_find(&h3, 0, ACCESS_HISTORY_PASSWORD_CHANGED);
    j = history_find(&h3, i, ACCESS_HISTORY_DEFI_RESET);
    k = history_find(&h3, j, ACCESS_HISTORY_DEFI_CHANGED);
    assert_true(i != SIZE_MAX && j != SIZE_MAX && k != SIZE_MAX && i < j && j < k);
    assert_int_equal(h3.events[j - 1].kind, ACCESS_HISTORY_LINK_SENT);
    assert_true(h3.events[j - 1].by_support && h3.events[j - 1].activation);
    assert_int_not_equal(history_find(&h3, 0, ACCESS_HISTORY_CODE_REQUESTED), SIZE_MAX);
    for (i = 1; i < h3.n; i++)
        assert_true(h3.events[i].time >= h3.events[i - 1].time);
    access_history_free(&h3);
    /* A1: a new code asked by the support cell, then made by the authority */
    assert_int_equal(access_history_read(&f->a, 1, &h1), STORE_OK);
    i = history_find(&h1, 0, ACCESS_HISTORY_CODE_REQUESTED);
    assert_true(i != SIZE_MAX && h1.events[i].by_support);
    assert_true(history_find(&h1, i, ACCESS_HISTORY_CODE_REISSUED) != SIZE_MAX);
    assert_int_equal(history_count(&h1, ACCESS_HISTORY_VOTED), 0);
    access_history_free(&h1);
    /* each authority record in one voter's history only: theirs */
    assert_int_equal(store_read(f->s, run_count_reissued, &records), STORE_OK);
    assert_true(records >= 2);
    for (int64_t v = 1; v <= 3; v++) {
        assert_int_equal(access_history_read(&f->a, v, &h2), STORE_OK);
        seen += history_count(&h2, ACCESS_HISTORY_CODE_REISSUED);
        assert_true(v != 2 || history_count(&h2, ACCESS_HISTORY_CODE_REISSUED) > 0);
        n2 = h2.n;
        access_history_free(&h2);
    }
    assert_int_equal(seen, records);
    assert_int_equal(access_history_read(&f->a, 2, &h2), STORE_OK);
    n2 = h2.n;
    access_history_free(&h2);
    /* casts by A1 and A2, support actions for A2: hers, in order, at the end */
    assert_int_equal(store_write(f->s, run_cast_entry,
                                 &(cast_entry){ "A1", "csa-ministere" }), STORE_OK);
    assert_int_equal(store_write(f->s, run_cast_entry,
                                 &(cast_entry){ "A2", "cap-attaches" }), STORE_OK);
    assert_int_equal(support_act(&f->a, "A2", SUPPORT_LINK, "agent-7", "lien perdu", t, &res),
                     ACCESS_OK);
    assert_int_equal(support_act(&f->a, "A2", SUPPORT_UNLOCK, "agent-7", "bloquée", t, &res),
                     ACCESS_OK);
    assert_int_equal(access_history_read(&f->a, 2, &h2), STORE_OK);
    assert_int_equal(h2.n, n2 + 3);
    assert_int_equal(h2.events[n2].kind, ACCESS_HISTORY_VOTED);
    assert_string_equal(h2.events[n2].scrutin, "cap-attaches");
    assert_int_equal(h2.events[n2 + 1].kind, ACCESS_HISTORY_LINK_SENT);
    assert_true(h2.events[n2 + 1].by_support && !h2.events[n2 + 1].activation);
    assert_int_equal(h2.events[n2 + 2].kind, ACCESS_HISTORY_UNLOCKED);
    assert_int_equal(history_count(&h2, ACCESS_HISTORY_VOTED), 1);
    access_history_free(&h2);
    assert_int_equal(access_history_read(&f->a, 1, &h1), STORE_OK);
    assert_int_equal(history_count(&h1, ACCESS_HISTORY_VOTED), 1);
    assert_string_equal(h1.events[h1.n - 1].scrutin, "csa-ministere");
    access_history_free(&h1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_password_context_generated),
        cmocka_unit_test(test_password_context_separated),
        cmocka_unit_test(test_password_context_audit),
        cmocka_unit_test(test_password_context_held_out),
        cmocka_unit_test(test_defi_normal_form),
        cmocka_unit_test(test_defi_menu),
        cmocka_unit_test(test_altcha),
        cmocka_unit_test(test_links_and_activation),
        cmocka_unit_test(test_login_sessions_and_throttles),
        cmocka_unit_test(test_reassorts_and_account),
        cmocka_unit_test(test_unknown_identifier_same_time),
        cmocka_unit_test(test_admission_bounds_the_queue),
        cmocka_unit_test(test_busy_leaves_no_lock),
        cmocka_unit_test(test_rush_tickets_keep_order),
        cmocka_unit_test(test_rush_no_show_released),
        cmocka_unit_test(test_rush_restore_keeps_one_place),
        cmocka_unit_test(test_rush_rate_not_from_a_lull),
        cmocka_unit_test(test_busy_after_waiting_lowers_the_limit),
        cmocka_unit_test(test_throttles_hold_side_by_side),
        cmocka_unit_test(test_network_window),
        cmocka_unit_test(test_links_never_touch_a_defi),
        cmocka_unit_test(test_defi_change_and_sessions),
        cmocka_unit_test(test_defi_throttled),
        cmocka_unit_test(test_defi_network_window),
        cmocka_unit_test(test_reissue_one_exchange_at_a_time),
        cmocka_unit_test(test_reissue_record_dropped),
        cmocka_unit_test(test_reissue_outside_window),
        cmocka_unit_test(test_support_defi_reset),
        cmocka_unit_test(test_audit_trail_without_secrets),
        cmocka_unit_test(test_demo_roster_from_the_hr_file),
        cmocka_unit_test(test_links_survive_third_parties),
        cmocka_unit_test(test_history_of_own_account),
    };
    return cmocka_run_group_tests_name("access", tests, setup, teardown);
}
