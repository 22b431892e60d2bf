/* test_notices.c - notices end to end: votectl exports the list, votecred
 * makes the codes and the PDFs (rendered here by poppler, the QR code decoded
 * by zbar, the fonts embedded), votectl imports the credentials; the code read
 * off the paper authenticates its voter in each of her scrutins, wrong codes
 * lock code entry, and without a credential authority service the server
 * never makes a new code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "votesrv/server.h"
#include "access/support.h"
#include "crypto/credential.h"
#include "notices/code.h"
#include <sodium.h>

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "N1,Zola,Émile,emile.zola@ex.gouv.fr,Siège,\"1 rue Lamartine\n75009 Paris\",attache\n" \
            "N2,Curie,Marie,marie.curie@ex.gouv.fr,Laboratoire,\"11 rue Pierre et Marie Curie\n75005 Paris\",attache\n" \
            "N3,Hugo,Victor,victor.hugo@ex.gouv.fr,Siège,\"6 place des Vosges\n75004 Paris\",attache\n"

static char *dir, bin[PATH_MAX], cfg[700];
static tu_smtp smtp;

static int setup(void **state)
{
    (void)state;
    if (crypto_init() != 0 || tu_start_with_smtp(bin, &dir, &smtp) != 0)
        return -1;
    return tu_election_by_cli(dir, bin, &smtp, CSV,
                              "$C keygen ca.key --demo && "
                              "$V -c votesrv.json export-voters list.json && "
                              "$C notices list.json --key ca.key --hr voters.csv --out notices --postal && "
                              "$V -c votesrv.json import-credentials notices/credentials-*.json",
                              cfg, sizeof cfg);
}

static int teardown(void **state)
{
    (void)state;
    tu_smtp_stop(&smtp);
    tu_rmdir(dir);
    free(dir);
    return 0;
}

static void test_files_of_each_batch(void **state)
{
    char out[8192];
    json_t *creds;

    (void)state;
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/notices && ls", dir), 0);
    assert_non_null(strstr(out, "notices-siege.pdf"));
    assert_non_null(strstr(out, "notices-laboratoire.pdf"));
    assert_non_null(strstr(out, "signatures-siege.pdf"));
    assert_non_null(strstr(out, "signatures-siege.csv"));
    assert_int_equal(tu_sh(out, sizeof out, "cat %s/notices/signatures-siege.csv", dir), 0);
    assert_string_equal(out, "nom,prenoms,numero,signature\n\"Hugo\",\"Victor\",\"N3\",\n"
                             "\"Zola\",\"Émile\",\"N1\",\n");       /* sorted by name */
    assert_int_equal(tu_sh(out, sizeof out, "cat %s/notices/credentials-*.json", dir), 0);
    creds = json_loads(out, 0, NULL);
    assert_non_null(creds);
    /* per scrutin: the three attachés in the CAP and the CSA, signed; a
     * binding per voter and scrutin */
    assert_string_equal(json_string_value(json_object_get(creds, "format")),
                        "votesrv-credentials/2");
    assert_int_equal(json_array_size(json_object_get(creds, "lists")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(creds,
                                                        "lists"), 0), "eligible")), 3);
    assert_int_equal(json_array_size(json_object_get(creds, "bindings")), 6);
    assert_null(strstr(out, "code"));                  /* the codes are on paper only */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/notices && stat -c %%a votecred-state.json && "
                           "grep -c marie.curie votecred-state.json", dir), 0);
    assert_non_null(strstr(out, "600\n1"));
    json_decref(creds);
    assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s status --json", bin, cfg), 0);
    assert_non_null(strstr(out, "\"state\":\"open\""));
}

static void test_pdf_renders_qr_decodes_fonts_embedded(void **state)
{
    char out[8192];

    (void)state;
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/notices && pdftoppm -r 100 -png -f 1 -l 1 "
                           "notices-laboratoire.pdf page && zbarimg -q page-1.png", dir), 0);
    assert_non_null(strstr(out, "QR-Code:http://127.0.0.1:8080/?id=marie.curie%40ex.gouv.fr"));
    assert_null(strstr(out, "code"));
    assert_int_equal(tu_sh(out, sizeof out, "pdffonts %s/notices/notices-siege.pdf", dir), 0);
    assert_non_null(strstr(out, "DejaVuSans"));
    assert_null(strstr(out, " no  "));                 /* every font embedded */
    assert_int_equal(tu_sh(out, sizeof out, "pdfinfo %s/notices/notices-siege.pdf", dir), 0);
    assert_non_null(strstr(out, "Pages:           2"));
    assert_non_null(strstr(out, "595.276 x 841.89 pts (A4)"));
    /* the page is not blank: the gray render has thousands of dark pixels */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/notices && pdftoppm -r 30 -gray -f 1 -l 1 "
                           "notices-siege.pdf gray && /usr/bin/python3 -c \"import sys; "
                           "d=open('gray-1.pgm','rb').read().split(b'\\n',3)[3]; "
                           "print(sum(1 for b in d if b < 128))\"", dir), 0);
    assert_true(atoi(out) > 2000);
    /* the election's fingerprint, as the portal shows it, in groups of four */
    {
        json_t *st;
        char want[24];
        const char *fp;

        assert_int_equal(tu_sh(out, sizeof out, "%s/votectl -c %s status --json", bin, cfg), 0);
        st = json_loads(out, 0, NULL);
        fp = json_string_value(json_object_get(st, "fingerprint"));
        assert_non_null(fp);
        snprintf(want, sizeof want, "%.4s %.4s %.4s", fp, fp + 4, fp + 8);
        assert_int_equal(tu_sh(out, sizeof out, "pdftotext -f 1 -l 1 %s/notices/notices-siege.pdf -",
                               dir), 0);
        assert_non_null(strstr(out, want));
        {                      /* and its short form, which the vote page shows */
            uint8_t raw[32];
            char text[CODE_FP_CHARS + 1];

            assert_int_equal(sodium_hex2bin(raw, 32, fp, 64, NULL, NULL, NULL), 0);
            code_fingerprint_text(text, raw);
            assert_non_null(strstr(out, text));
        }
        assert_non_null(strstr(out, "Empreinte de l'élection"));
        assert_non_null(strstr(out, "Clé publique de l'élection"));
        json_decref(st);
    }
}

/* The text a notice's fixed parts hold, which every page shows. */
static const char *const fixed_text[] = {
    "Notice de vote", "Numéro d'électeur", "Identifiant", "Votre code de vote",
    "Confidentiel : il vous sera demandé", "Accès au portail de vote", "Période de vote",
    "http://127.0.0.1:8080", "Comment voter", "Activez votre compte", "Conservez le reçu",
    "Cellule d'assistance", "Empreinte de l'élection", "Clé publique de l'élection",
    "Ne communiquez jamais votre code de vote",
};

/* The fixed parts are drawn once for the document (one form the pages
 * share): each page still shows them all, and its own voter's name, number,
 * identifier, postal address and code, and no other voter's. */
static void test_every_page_its_voter_and_the_fixed_text(void **state)
{
    static const char *const voters[2][5] = {          /* in the file's order: by name */
        { "Victor Hugo", "N3", "victor.hugo@ex.gouv.fr", "6 place des Vosges", "75004 Paris" },
        { "Émile Zola", "N1", "emile.zola@ex.gouv.fr", "1 rue Lamartine", "75009 Paris" },
    };
    char out[16384], codes[2][64];
    regex_t re;
    regmatch_t m;

    (void)state;
    assert_int_equal(regcomp(&re, "[0-9A-Z]{4}(-[0-9A-Z]{4}){6}", REG_EXTENDED), 0);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(tu_sh(out, sizeof out, "pdftotext -layout -f %d -l %d "
                               "%s/notices/notices-siege.pdf -", p + 1, p + 1, dir), 0);
        for (size_t i = 0; i < sizeof fixed_text / sizeof fixed_text[0]; i++)
            if (strstr(out, fixed_text[i]) == NULL)
                fail_msg("page %d lacks \"%s\":\n%s", p + 1, fixed_text[i], out);
        for (int k = 0; k < 5; k++) {
            if (k == 1) {                /* the number, after its label */
                const char *at = strstr(out, "Numéro d'électeur");

                assert_non_null(at);
                at += strlen("Numéro d'électeur");
                at += strspn(at, " ");
                if (strncmp(at, voters[p][1], 2) != 0 || at[2] != '\n')
                    fail_msg("page %d: the number is not %s:\n%s", p + 1, voters[p][1], out);
            } else if (strstr(out, voters[p][k]) == NULL) {
                fail_msg("page %d lacks \"%s\":\n%s", p + 1, voters[p][k], out);
            } else if (strstr(out, voters[1 - p][k]) != NULL) {
                fail_msg("page %d shows the other voter's \"%s\"", p + 1, voters[1 - p][k]);
            }
        }
        assert_int_equal(regexec(&re, out, 1, &m, 0), 0);
        snprintf(codes[p], sizeof codes[p], "%.*s", (int)(m.rm_eo - m.rm_so), out + m.rm_so);
        assert_int_not_equal(regexec(&re, out + m.rm_eo, 1, &m, 0), 0);   /* one code a page */
    }
    regfree(&re);
    assert_string_not_equal(codes[0], codes[1]);
    /* and the fixed parts are in the file once, not once a page */
    assert_int_equal(tu_sh(out, sizeof out, "grep -a -c '/Subtype /Form' "
                           "%s/notices/notices-siege.pdf", dir), 0);
    assert_int_equal(atoi(out), 1);
}

/* The vote code printed on a voter's notice, as pdftotext reads it. */
static void code_on_paper(const char *pdf, const char *name, char code[64])
{
    char out[16384], *at;
    regex_t re;
    regmatch_t m;

    assert_int_equal(tu_sh(out, sizeof out, "pdftotext -layout %s/notices/%s -", dir, pdf), 0);
    at = strstr(out, name);
    assert_non_null(at);
    assert_int_equal(regcomp(&re, "[0-9A-Z]{4}(-[0-9A-Z]{4}){6}", REG_EXTENDED), 0);
    assert_int_equal(regexec(&re, at, 1, &m, 0), 0);
    snprintf(code, 64, "%.*s", (int)(m.rm_eo - m.rm_so), at + m.rm_so);
    regfree(&re);
}

/* The election id, which the device derives a code's credentials with. */
static int run_eid(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK)
        memcpy(arg, e.eid, STORE_EID_CHARS + 1);
    free(e.definition);
    return rc;
}

/* A code typed on the voter's device, as client/client.c and the vote page's
 * script take it: read (a typo stops here), the authenticator and the
 * scrutin's public credential derived there; then the server's check of the
 * cast (access_auth_check), which counts wrong codes. */
static int code_check(server *srv, int64_t voter, const char *scrutin, const char *typed,
                      int64_t now, access_result *r)
{
    char code[CODE_SYMBOLS + 1], eid[STORE_EID_CHARS + 1];
    uint8_t auth[32], pub[CREDENTIAL_PUB_BYTES];
    group_scalar s;

    assert_int_equal(code_parse(code, typed), CODE_OK);
    assert_int_equal(store_read(srv->store, run_eid, eid), STORE_OK);
    assert_int_equal(credential_derive_auth(auth, (const uint8_t *)eid, strlen(eid),
                                            (const uint8_t *)code, CODE_SYMBOLS), 0);
    assert_int_equal(credential_derive_scrutin(&s, pub, (const uint8_t *)eid, strlen(eid),
                                               (const uint8_t *)code, CODE_SYMBOLS, scrutin), 0);
    group_scalar_wipe(&s);
    return access_auth_check(&srv->access, voter, scrutin, auth, pub, "192.0.2.1", now, r);
}

static void test_code_from_paper_lock_and_reissue(void **state)
{
    server srv;
    char err[400], code[64], wrong[64], parsed[CODE_SYMBOLS + 1];
    access_result r;
    unsigned sent, failed;
    int64_t now = (int64_t)time(NULL);

    (void)state;
    code_on_paper("notices-laboratoire.pdf", "Marie Curie", code);
    assert_int_equal(server_open(&srv, cfg, 0, 1, err, sizeof err), 0);
    /* voter 2 is N2, Marie Curie, an attachée: both scrutins */
    assert_int_equal(code_check(&srv, 2, "csa-ministere", code, now, &r), ACCESS_OK);
    assert_int_equal(code_check(&srv, 2, "cap-attaches", code, now, &r), ACCESS_OK);
    assert_int_equal(code_check(&srv, 1, "csa-ministere", code, now, &r),
                     ACCESS_REFUSED);  /* not Zola's code */
    assert_int_equal(r.code, ACCESS_E_CODE_WRONG);
    /* a typo is caught on the device, before anything is sent */
    snprintf(wrong, sizeof wrong, "%s", code);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_int_equal(code_parse(parsed, wrong), CODE_TYPO);
    /* five wrong codes lock code entry, even for the right one */
    code_on_paper("notices-siege.pdf", "Émile Zola", wrong);
    for (int i = 0; i < 5; i++)
        assert_int_equal(code_check(&srv, 2, "csa-ministere", wrong, now + i * 100, &r),
                         ACCESS_REFUSED);
    assert_int_equal(code_check(&srv, 2, "csa-ministere", code, now + 600, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_CODE_LOCKED);
    /* no credential authority service configured: the server never makes a
     * code; nothing is mailed, the code is unchanged */
    assert_int_equal(mail_deliver_due(srv.store, srv.mail, now, &sent, &failed), 0);
    assert_int_equal(access_code_reissue_support(&srv.access, 2, "agent-7", "lost notice", now,
                                                 &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_REISSUE_UNAVAILABLE);
    assert_int_equal(mail_deliver_due(srv.store, srv.mail, now, &sent, &failed), 0);
    assert_int_equal(sent, 0);
    assert_int_equal(support_act(&srv.access, "N2", SUPPORT_UNLOCK, "agent-7", "locked out",
                                 now + 700, &r), ACCESS_OK);
    assert_int_equal(code_check(&srv, 2, "csa-ministere", code, now + 700, &r), ACCESS_OK);
    server_close(&srv);
    assert_int_equal(tu_sh(err, sizeof err, "%s/votectl -c %s status --json", bin, cfg), 0);
    assert_non_null(strstr(err, "\"reissues\":0"));
}

/* In dir, the shell commands `before` (each ending with "&& ", or "") then
 * votecred notices list.json --key ca.key `args`; its exit status. */
static int notices_run(char *out, size_t size, const char *before, const char *args)
{
    return tu_sh(out, size, "cd %s && %s%s/votecred notices list.json --key ca.key %s", dir,
                 before, bin, args);
}

/* In dir, votecred notices run on bad.json, list.json as python edits it
 * (`prelude` then `edit`, with l the list), into bad; its exit status. */
static int notices_of_edited_list(char *out, size_t size, const char *prelude, const char *edit)
{
    return tu_sh(out, size, "cd %s && rm -rf bad && /usr/bin/python3 -c \""
                 "import json; l = json.load(open('list.json')); %s%s; "
                 "json.dump(l, open('bad.json', 'w'))\" && "
                 "%s/votecred notices bad.json --key ca.key --hr voters.csv --out bad", dir,
                 prelude, edit, bin);
}

/* Nothing was written in dir/bad. */
static void assert_bad_empty(void)
{
    char out[64];

    assert_int_equal(tu_sh(out, sizeof out, "ls %s/bad | wc -l", dir), 0);
    assert_int_equal(atoi(out), 0);
}

static void test_regenerate_needs_a_reason(void **state)
{
    char out[8192];

    (void)state;
    assert_int_equal(notices_run(out, sizeof out, "",
                                 "--hr voters.csv --out notices --establishment Siège"), 1);
    assert_non_null(strstr(out, "already has a notice"));
    assert_int_equal(notices_run(out, sizeof out, "",
                                 "--hr voters.csv --out notices --regenerate"), 2);
    assert_int_equal(notices_run(out, sizeof out, "mkdir again && echo N1 > only.txt && ",
                                 "--hr voters.csv --out notices --voters only.txt "
                                 "--regenerate --reason 'notice destroyed' --cover --lang en && "
                                 "ls notices/credentials-*.json | wc -l"), 0);
    assert_non_null(strstr(out, "1 notices"));
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/notices && pdftoppm -r 100 -png "
                           "notices-siege.pdf again && zbarimg -q again-1.png && "
                           "pdftotext notices-siege.pdf - | head -20", dir), 0);
    assert_non_null(strstr(out, "Voting notice"));       /* in English this time */
    assert_non_null(strstr(out, "emile.zola%40ex.gouv.fr"));
}

/* Notices print the fingerprint that voters compare with the vote page's, so
 * votecred refuses a list exported before the key ceremony (no fingerprint),
 * and one whose fingerprint is not its definition's and key's (a field of the
 * definition changed, another key, another fingerprint): nothing is written. */
static void test_notices_need_the_fingerprint(void **state)
{
    static const char *const edits[] = {
        "del l['fingerprint']",
        "del l['public_key']",
        "l['election']['scrutins'][0]['lists'][0]['name'] += ' bis'",
        "l['election']['name'] = l['election']['name'].replace('2026', '2027')",
        "l['public_key'] = 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76'",
        "l['fingerprint'] = l['fingerprint'][::-1]",
        "l['eid'] = l['eid'][::-1]",
    };
    char out[8192];

    (void)state;
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        assert_int_equal(notices_of_edited_list(out, sizeof out, "", edits[i]), 1);
        assert_non_null(strstr(out, i < 2 ? "key ceremony is not done" : "is not the one of its"));
        assert_bad_empty();                             /* no notice, no credential */
    }
    /* the list as exported still makes notices */
    assert_int_equal(notices_run(out, sizeof out, "rm -rf bad && ",
                                 "--hr voters.csv --out bad --establishment Siège"), 0);
}

/* votecad mails reissued codes to the roster's addresses, which votecred
 * takes from the HR file (the list as its owner sent it to the authority),
 * never from the server: an export whose registry was changed (an address, a
 * postal address, a scrutin, a voter added or left out) is refused, naming the
 * voters, nothing written; so is an export the HR file (changed) disagrees
 * with, and an HR file that is not a valid list. The export that matches is
 * accepted and the roster carries the HR file's addresses. */
static void test_export_must_match_the_hr_file(void **state)
{
    static const struct {
        const char *edit, *said;
    } edits[] = {
        { "v['N2']['emails'] = ['mallory@evil.example']", "N2 (emails)" },
        { "v['N2']['emails'].append('mallory@evil.example')", "N2 (emails)" },
        { "v['N1']['postal_address'] = '1 rue du Faux\\n75000 Paris'", "N1 (postal_address)" },
        { "v['N3']['scrutins'] = v['N3']['scrutins'][:1]", "N3 (scrutins)" },
        { "l['voters'] = [x for x in l['voters'] if x['number'] != 'N3']",
          "N3 (not in the server's list)" },
        { "l['voters'].append(dict(v['N1'], number='N9'))", "N9 (not in the HR file)" },
    };
    char out[8192];

    (void)state;
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        assert_int_equal(notices_of_edited_list(out, sizeof out,
                                                "v = {x['number']: x for x in l['voters']}; ",
                                                edits[i].edit), 1);
        if (strstr(out, "disagrees with the HR file") == NULL || strstr(out, edits[i].said) == NULL)
            fail_msg("edit %s: %s", edits[i].edit, out);
        assert_bad_empty();                             /* no notice, no credential, no roster */
    }
    /* the HR file changed, the export not: refused the same */
    assert_int_equal(notices_run(out, sizeof out, "rm -rf bad && sed "
                                 "s/marie.curie@ex.gouv.fr/marie.curie@labo.example/ voters.csv "
                                 "> hr2.csv && ", "--hr hr2.csv --out bad"), 1);
    assert_non_null(strstr(out, "N2 (emails)"));
    /* an HR file that is no valid list: refused with the parser's errors */
    assert_int_equal(notices_run(out, sizeof out, "rm -rf bad && sed s/marie.curie@/marie@@/ "
                                 "voters.csv > hr3.csv && ", "--hr hr3.csv --out bad"), 3);
    if (strstr(out, "hr3.csv:4: ") == NULL || strstr(out, "not a valid e-mail") == NULL)
        fail_msg("%s", out);
    assert_bad_empty();
    /* without --hr: usage */
    assert_int_equal(notices_run(out, sizeof out, "", "--out bad"), 2);
    /* the matching export: accepted, the roster's addresses are the HR file's */
    assert_int_equal(notices_run(out, sizeof out, "rm -rf good && ",
                                 "--hr voters.csv --out good >/dev/null && "
                                 "/usr/bin/python3 -c \"import json; r = json.load(open("
                                 "'good/votecred-state.json')); print(sorted((v['number'], "
                                 "v['emails']) for v in r['voters']))\""), 0);
    assert_string_equal(out, "[('N1', ['emile.zola@ex.gouv.fr']), ('N2', "
                             "['marie.curie@ex.gouv.fr']), ('N3', ['victor.hugo@ex.gouv.fr'])]\n");
}

/* The smallest font size on a PDF's pages, in points, from pdftotext -bbox
 * (a word's box is DejaVu's ascent and descent: 1.164 times its size). */
static double smallest_text(const char *pdf)
{
    char out[512];

    if (tu_sh(out, sizeof out, "cd %s && pdftotext -bbox %s - | /usr/bin/python3 -c \"import "
              "re, sys; print(min(float(b) - float(a) for a, b in re.findall("
              "'yMin=.([0-9.]+). xMax=.[0-9.]+. yMax=.([0-9.]+).', sys.stdin.read())) / 1.164)\"",
              dir, pdf) != 0)
        fail_msg("%s", out);
    return atof(out);
}

/* The HR file's column notice_format picks each voter's notice: N3 (empty)
 * in the standard batch, N1 in large print (no text under 18 pt, the code in
 * large groups), N2 alone in a tagged PDF (structure tree, language, title
 * shown, the code spelt out, no other voter's); the export still matches the
 * HR file, and votecred-issued.json records the format each voter got. */
static void test_notice_formats_from_the_hr_file(void **state)
{
    char out[16384], code[64];

    (void)state;
    if (notices_run(out, sizeof out, "rm -rf fmt && /usr/bin/python3 -c \""
                                 "import csv; r = list(csv.reader(open('voters.csv'))); "
                                 "f = dict(N1='large', N2='accessible', N3=''); "
                                 "w = csv.writer(open('fmt.csv', 'w')); "
                                 "[w.writerow(x + ['notice_format' if i == 0 else f[x[0]]]) "
                                 "for i, x in enumerate(r)]\" && ",
                                 "--hr fmt.csv --out fmt && ls fmt") != 0)
        fail_msg("%s", out);
    if (strstr(out, "notices-siege.pdf") == NULL ||
        strstr(out, "notices-siege-large.pdf") == NULL ||
        strstr(out, "notices-laboratoire-accessible-N2.pdf") == NULL ||
        strstr(out, "notices-laboratoire.pdf") != NULL)
        fail_msg("%s", out);
    /* large print: nothing smaller than 18 pt; the standard notice has small print */
    assert_true(smallest_text("fmt/notices-siege-large.pdf") >= 17.9);
    assert_true(smallest_text("fmt/notices-siege.pdf") < 10.0);
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/fmt && pdftotext notices-siege-large.pdf - "
                           "&& pdftotext notices-siege.pdf -", dir), 0);
    assert_non_null(strstr(out, "Zola"));
    assert_non_null(strstr(out, "Hugo"));
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/fmt && pdftotext notices-siege-large.pdf - "
                           "| grep -c Hugo; true", dir), 0);
    assert_int_equal(atoi(out), 0);                     /* Victor Hugo's is standard */
    assert_int_equal(tu_sh(out, sizeof out, "pdfinfo %s/fmt/notices-siege-large.pdf", dir), 0);
    assert_non_null(strstr(out, "Tagged:          yes"));
    /* by post, with the cover band: the window's address (12 pt), the rest large */
    assert_int_equal(notices_run(out, sizeof out, "rm -rf fmt2 && echo N1 > n1.txt && ",
                                 "--hr fmt.csv --out fmt2 --postal --cover --voters n1.txt "
                                 ">/dev/null && pdftotext fmt2/notices-siege-large.pdf -"), 0);
    assert_non_null(strstr(out, "1 rue Lamartine"));
    assert_true(smallest_text("fmt2/notices-siege-large.pdf") >= 11.9);
    /* the accessible notice: tagged, its language and title, the code spelt */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/fmt && pdfinfo notices-laboratoire-accessible-"
                           "N2.pdf && for w in /StructTreeRoot '/Lang (fr-FR)' '/MarkInfo << "
                           "/Marked true >>' '/DisplayDocTitle true'; do grep -a -c \"$w\" "
                           "notices-laboratoire-accessible-N2.pdf; done | tr '\\n' ' '", dir), 0);
    assert_non_null(strstr(out, "Tagged:          yes"));
    assert_non_null(strstr(out, "Title:           Notice de vote — Élections professionnelles"));
    if (strstr(out, "\n3 1 2 1 ") == NULL)    /* the catalog as cairo wrote it, then updated */
        fail_msg("%s", out);
    /* the structure in reading order; a paragraph over two lines keeps its words apart */
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/fmt && pdfinfo -struct-text notices-"
                           "laboratoire-accessible-N2.pdf", dir), 0);
    if (strstr(out, "H1") == NULL || strstr(out, "H2") == NULL || strstr(out, "LBody") == NULL ||
        strstr(out, "Link") == NULL ||
        strstr(out, "\"Élections professionnelles 2026 — Ministère de l'Exemple\"") == NULL)
        fail_msg("%s", out);
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/fmt && pdftotext -layout notices-laboratoire-"
                           "accessible-N2.pdf -", dir), 0);
    assert_non_null(strstr(out, "Curie"));
    assert_null(strstr(out, "Zola"));
    {                             /* the code spelt out is the code printed in groups */
        const char *spelt = strstr(out, "caractère par caractère :");
        size_t n = 0;

        assert_non_null(spelt);
        assert_non_null(strstr(spelt, "Confidentiel"));
        for (const char *c = spelt + strlen("caractère par caractère :");
             strncmp(c, "Confidentiel", 12) != 0; c++)
            if (strchr(" ,\n", *c) == NULL && n < sizeof code - 1)
                code[n++] = *c;
        code[n] = '\0';
        assert_int_equal(n, 28);
        for (size_t i = 0; i < 7; i++)
            if (strstr(out, (char[5]){ code[4 * i], code[4 * i + 1], code[4 * i + 2],
                                       code[4 * i + 3], '\0' }) == NULL)
                fail_msg("group %zu of %s not printed", i, code);
    }
    assert_int_equal(tu_sh(out, sizeof out, "cd %s/fmt && /usr/bin/python3 -c \"import json; "
                           "v = json.load(open('votecred-issued.json'))['voters']; "
                           "print(sorted((n, x['notice_format']) for n, x in v.items()))\"",
                           dir), 0);
    assert_string_equal(out, "[('N1', 'large'), ('N2', 'accessible'), ('N3', 'standard')]\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_of_each_batch),
        cmocka_unit_test(test_pdf_renders_qr_decodes_fonts_embedded),
        cmocka_unit_test(test_every_page_its_voter_and_the_fixed_text),
        cmocka_unit_test(test_code_from_paper_lock_and_reissue),
        cmocka_unit_test(test_regenerate_needs_a_reason),
        cmocka_unit_test(test_notices_need_the_fingerprint),
        cmocka_unit_test(test_export_must_match_the_hr_file),
        cmocka_unit_test(test_notice_formats_from_the_hr_file),
    };
    return cmocka_run_group_tests_name("notices", tests, setup, teardown);
}
