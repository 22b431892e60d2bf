/* votecred - the credential authority: its signing key, vote codes, paper
 * notices and the signed credentials file (docs/protocol.md section 7).
 *
 *   votecred keygen KEYFILE [--demo]
 *   votecred notices LIST.json --key KEYFILE --hr HR.csv --out DIR
 *            [--establishment NAME] [--voters FILE] [--postal] [--cover] [--lang en]
 *            [--regenerate --reason TEXT]
 *
 * keygen writes the authority's Ed25519 seed (64 hex digits, mode 0600,
 * never over an existing file) and prints its public key, which goes into the
 * election definition as "credential_authority"; --demo derives the public
 * demo seed (demos and tests only: anyone can sign with it).
 *
 * notices reads the electoral-list export (votectl export-voters) and the
 * electoral list as the body that owns it sent it to the authority (HR.csv,
 * the CSV of votectl import-voters, parsed by the same code): it refuses, with
 * the first voter numbers that differ and nothing written, an export that
 * disagrees with HR.csv on the voters, their names, establishment, postal
 * address, addresses or scrutins; votecad's roster takes its addresses from
 * HR.csv, never from the server. Then, for
 * each voter makes a vote code, draws it on the voter's notice, and keeps per
 * scrutin the voter may vote in the public credential S and the binding
 * Hb(auth-bind; authenticator, S) (the code itself exists in memory only
 * while its page is drawn). Writes, in DIR, per establishment:
 * notices-SLUG.pdf, signatures-SLUG.pdf and .csv; for the voters whose
 * notice_format in HR.csv is "large", notices-SLUG-large.pdf (large print),
 * and for each voter whose notice_format is "accessible",
 * notices-SLUG-accessible-NUMBER.pdf (a tagged PDF for a screen reader, to be
 * handed to that voter alone); once every voter of the list
 * has a notice, credentials-EID.json (votesrv-credentials/2: one sorted list
 * per scrutin signed with KEYFILE, and the bindings) for votectl
 * import-credentials; and votecred-state.json (votesrv-credential-state/1,
 * the roster of the online service votecad: each voter's addresses and
 * credentials, no code). DIR/votecred-issued.json remembers who has a notice:
 * making one again needs --regenerate and a reason, before the import. Notices
 * are made after the key ceremony only: they print the election's
 * fingerprint, which votecred recomputes from the list's election id,
 * definition and key, for voters to compare with the one the vote page shows.
 *
 * Meant for a separate, offline machine: run on the server host it works, but
 * then that host has seen every code, and the guarantee that the server cannot
 * vote for an abstainer is lost. Exit: 0 done, 1 refused, 2 usage, 3 bad input,
 * 4 output failure. */
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "access/access.h"
#include "crypto/crypto.h"
#include "election/credentials.h"
#include "election/voters.h"
#include "notices/code.h"
#include "notices/notice.h"

typedef struct {
    const char *list, *out, *establishment, *voters_file, *lang, *reason, *key, *hr;
    int postal, cover, regenerate;
} options;

#define STATE_FORMAT "votesrv-credential-state/1"
#define ISSUED_FORMAT "votecred-issued/1"

typedef struct {
    notice_voter v;
    json_t *src;
    notice_format format;         /* the HR file's column notice_format */
} entry;

static const char *const format_names[] = { "standard", "large", "accessible" };

static const char *text_of(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s != NULL ? s : "";
}

static int usage(void)
{
    fprintf(stderr, "usage: votecred keygen KEYFILE [--demo]\n"
                    "       votecred notices LIST.json --key KEYFILE --hr HR.csv --out DIR "
                    "[--establishment NAME] [--voters FILE] [--postal] [--cover] [--lang en] "
                    "[--regenerate --reason TEXT]\n"
                    "  HR.csv: the electoral list as its owner sent it to the authority (the "
                    "CSV of votectl import-voters)\n");
    return 2;
}

static int cmp_entry(const void *a, const void *b)
{
    const notice_voter *x = &((const entry *)a)->v, *y = &((const entry *)b)->v;
    int c = strcmp(x->establishment, y->establishment);

    if (c == 0)
        c = strcoll(x->surname, y->surname);
    if (c == 0)
        c = strcoll(x->given_names, y->given_names);
    return c != 0 ? c : strcmp(x->number, y->number);
}

/* A file-name piece: lower case, accents folded, anything else a dash. */
static void slug(char out[64], const char *name)
{
    char norm[ACCESS_ANSWER_MAX + 1];
    size_t o = 0;

    if (access_defi_normalize(norm, sizeof norm, name) != 0)
        snprintf(norm, sizeof norm, "batch");
    for (const char *p = norm; *p && o < 60; p++) {
        char ch = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-';

        if (ch == '-' && (o == 0 || out[o - 1] == '-'))
            continue;
        out[o++] = ch;
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
    if (o == 0)
        snprintf(out, 64, "batch");
}

/* "du 01/12/2026 à 09:00 au 08/12/2026 à 17:00 (Europe/Paris)", in the
 * election's time zone when the system knows it, else in UTC. */
static void format_dates(char *out, size_t len, const def_election *d, const char *lang)
{
    char path[200], a[40], b[40];
    int known, en = strcmp(lang, "en") == 0;
    time_t o = (time_t)d->opens, c = (time_t)d->closes;
    struct tm tm;

    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", d->timezone);
    known = strstr(d->timezone, "..") == NULL && access(path, R_OK) == 0;
    setenv("TZ", known ? d->timezone : "UTC", 1);
    tzset();
    localtime_r(&o, &tm);
    strftime(a, sizeof a, en ? "%Y-%m-%d %H:%M" : "%d/%m/%Y à %H:%M", &tm);
    localtime_r(&c, &tm);
    strftime(b, sizeof b, en ? "%Y-%m-%d %H:%M" : "%d/%m/%Y à %H:%M", &tm);
    snprintf(out, len, en ? "from %s to %s (%s)" : "du %s au %s (%s)", a, b,
             known ? d->timezone : "UTC");
}

static json_t *load_issued(const char *dir, const char *eid)
{
    char path[1200];
    json_t *st;

    snprintf(path, sizeof path, "%s/votecred-issued.json", dir);
    st = json_load_file(path, 0, NULL);
    if (st == NULL)
        return json_pack("{s:s,s:s,s:{},s:[],s:{}}", "format", ISSUED_FORMAT, "election", eid,
                         "generated", "regenerations", "voters");
    if (strcmp(text_of(st, "format"), ISSUED_FORMAT) != 0 ||
        strcmp(text_of(st, "election"), eid) != 0) {
        json_decref(st);
        return NULL;
    }
    return st;
}

static int save_json(const char *dir, const char *name, json_t *doc)
{
    char path[1200], tmp[1300];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (json_dump_file(doc, tmp, JSON_INDENT(1)) != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}

/* Voters selected by --establishment and --voters, or NULL with a message. */
static entry *select_voters(const options *o, json_t *voters, size_t *n)
{
    char *wanted = NULL, line[128];
    FILE *f = NULL;
    entry *e = calloc(json_array_size(voters) + 1, sizeof *e);
    json_t *v;
    size_t i;

    if (e == NULL)
        return NULL;
    if (o->voters_file != NULL) {
        size_t len = 0;

        if ((f = fopen(o->voters_file, "r")) == NULL) {
            fprintf(stderr, "votecred: %s cannot be read\n", o->voters_file);
            free(e);
            return NULL;
        }
        FILE *m = open_memstream(&wanted, &len);

        if (m == NULL) {
            fclose(f);
            free(e);
            return NULL;
        }
        fputc('\n', m);
        while (fgets(line, sizeof line, f) != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0])
                fprintf(m, "%s\n", line);
        }
        fclose(m);
        fclose(f);
    }
    *n = 0;
    json_array_foreach(voters, i, v) {
        notice_voter nv = {
            json_string_value(json_object_get(v, "number")),
            json_string_value(json_object_get(v, "surname")),
            json_string_value(json_object_get(v, "given_names")),
            json_string_value(json_object_get(v, "identifier")),
            json_string_value(json_object_get(v, "establishment")),
            json_string_value(json_object_get(v, "postal_address"))
        };
        char key[128];

        if (nv.number == NULL || nv.surname == NULL || nv.given_names == NULL ||
            nv.identifier == NULL || nv.establishment == NULL || nv.postal_address == NULL) {
            fprintf(stderr, "votecred: voters[%zu] is incomplete\n", i);
            free(e);
            free(wanted);
            return NULL;
        }
        snprintf(key, sizeof key, "\n%s\n", nv.number);
        if ((o->establishment && strcmp(o->establishment, nv.establishment) != 0) ||
            (wanted && strstr(wanted, key) == NULL))
            continue;
        e[*n].v = nv;
        e[(*n)++].src = v;
    }
    free(wanted);
    return e;
}

typedef struct {
    const char *eid;
    json_t *voters;               /* votecred-issued.json's: number -> what was issued */
} creds;

/* One notice: a code, its credential and binding per scrutin, the page; the
 * code is then forgotten. */
static int one_notice(notice_doc *doc, const notice_style *s, const entry *e, creds *c)
{
    char code[CODE_SYMBOLS + 1], shown[CODE_DISPLAY_CHARS + 1], hex[65];
    uint8_t bind[CREDENTIAL_AUTH_BYTES], pub[32];
    json_t *made = json_object(), *sc;
    size_t i;
    int rc = 0;

    code_new(code);
    code_display(shown, code);
    json_array_foreach(json_object_get(e->src, "scrutins"), i, sc) {
        if (credential_from_code_scrutin(bind, pub, (const uint8_t *)c->eid, strlen(c->eid),
                                         (const uint8_t *)code, CODE_SYMBOLS,
                                         json_string_value(sc)) != 0) {
            rc = -1;
            break;
        }
        hex_encode(hex, pub, 32);
        json_object_set_new(made, json_string_value(sc), json_pack("{s:s}", "pub", hex));
        hex_encode(hex, bind, 32);
        json_object_set_new(json_object_get(made, json_string_value(sc)), "bind",
                            json_string(hex));
    }
    rc = rc || notice_page(doc, s, &e->v, shown);
    sodium_memzero(code, sizeof code);
    sodium_memzero(shown, sizeof shown);
    if (rc != 0) {
        json_decref(made);
        return -1;
    }
    json_object_set_new(c->voters, e->v.number, json_pack("{s:o,s:s}", "credentials", made,
                                                          "notice_format",
                                                          format_names[e->format]));
    return 0;
}

/* A batch's notices in format: one file for standard and large print
 * (notices-SLUG.pdf, notices-SLUG-large.pdf), one per voter for the tagged PDF
 * (notices-SLUG-accessible-NUMBER.pdf), which is handed to that voter alone.
 * 0, or the exit code. */
static int write_format(const options *o, const notice_style *s, const char *name, entry *e,
                        size_t n, notice_format format, creds *c)
{
    char pdf[1200];
    notice_doc *doc = NULL;
    size_t made = 0;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        if (e[i].format != format)
            continue;
        if (doc == NULL) {
            if (format == NOTICE_ACCESSIBLE)
                snprintf(pdf, sizeof pdf, "%s/notices-%s-accessible-%s.pdf", o->out, name,
                         e[i].v.number);
            else
                snprintf(pdf, sizeof pdf, "%s/notices-%s%s.pdf", o->out, name,
                         format == NOTICE_LARGE ? "-large" : "");
            if ((doc = notice_doc_open_as(pdf, format, s)) == NULL) {
                fprintf(stderr, "votecred: cannot write %s\n", pdf);
                return 4;
            }
        }
        rc = one_notice(doc, s, &e[i], c);
        made++;
        if (format == NOTICE_ACCESSIBLE || rc != 0) {
            rc = notice_doc_close(doc) != 0 || rc != 0 ? 4 : 0;
            doc = NULL;
        }
    }
    if (doc != NULL && notice_doc_close(doc) != 0)
        rc = 4;
    if (rc != 0)
        fprintf(stderr, "votecred: cannot write the notices of %s\n", e[0].v.establishment);
    else if (made > 0)
        printf("%s: %zu notices in %s%s\n", e[0].v.establishment, made,
               format == NOTICE_ACCESSIBLE ? "one tagged PDF each, " : "",
               format == NOTICE_ACCESSIBLE ? o->out : pdf);
    return rc;
}

static int write_batch(const options *o, const notice_style *s, entry *e, size_t n, creds *c)
{
    char name[64], sheet[1200], csv[1200];
    notice_voter *list = malloc(n * sizeof *list);
    int rc = 0;

    if (list == NULL)
        return 4;
    slug(name, e[0].v.establishment);
    snprintf(sheet, sizeof sheet, "%s/signatures-%s.pdf", o->out, name);
    snprintf(csv, sizeof csv, "%s/signatures-%s.csv", o->out, name);
    for (int f = NOTICE_STANDARD; f <= NOTICE_ACCESSIBLE && rc == 0; f++)
        rc = write_format(o, s, name, e, n, (notice_format)f, c);
    for (size_t i = 0; i < n; i++)
        list[i] = e[i].v;
    if (rc == 0 && notice_signature_sheet(sheet, csv, s, e[0].v.establishment, list, n) != 0) {
        fprintf(stderr, "votecred: cannot write the signature sheet of %s\n",
                e[0].v.establishment);
        rc = 4;
    }
    free(list);
    return rc;
}

/* The notices print the election's fingerprint, which voters compare with the
 * vote page's: so no notice before the key ceremony, and none with a
 * fingerprint other than the one recomputed here from the list's election id,
 * definition and key (docs/protocol.md section 12). 0, or the exit code. */
static int check_fingerprint(const options *o, json_t *list, const def_election *d)
{
    const char *fp = json_string_value(json_object_get(list, "fingerprint"));
    const char *pk = json_string_value(json_object_get(list, "public_key"));
    const char *eid = json_string_value(json_object_get(list, "eid"));
    uint8_t key[32], want[32], got[32];
    char *canon;
    int same;

    if (fp == NULL || pk == NULL) {
        fprintf(stderr, "votecred: refused: %s has no election fingerprint, so the key ceremony "
                        "is not done; notices print the fingerprint for voters to check the "
                        "vote page against it: export the list again (votectl export-voters) "
                        "once the joint key is set\n", o->list);
        return 1;
    }
    if (hex_decode(key, sizeof key, pk) != 0 || hex_decode(got, sizeof got, fp) != 0 ||
        (canon = def_canonical(d)) == NULL) {
        fprintf(stderr, "votecred: %s: public_key and fingerprint must be 64 lowercase hex "
                        "digits\n", o->list);
        return 3;
    }
    def_fingerprint(want, eid, canon, key);
    free(canon);
    same = sodium_memcmp(want, got, sizeof want) == 0;
    if (!same)
        fprintf(stderr, "votecred: refused: the fingerprint in %s is not the one of its "
                        "election id, definition and public key\n", o->list);
    return same ? 0 : 1;
}

/* The authority's key from KEYFILE: 0, or the exit code after saying why. */
static int load_key(const char *path, const def_election *d, uint8_t sk[64])
{
    char line[80] = "";
    uint8_t seed[32], pk[32];
    FILE *f = fopen(path, "r");
    int ok = f != NULL && fgets(line, sizeof line, f) != NULL;

    if (f != NULL)
        fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!ok || hex_decode(seed, sizeof seed, line) != 0) {
        fprintf(stderr, "votecred: %s is not a credential authority key file (votecred "
                        "keygen)\n", path);
        sodium_memzero(line, sizeof line);
        return 3;
    }
    sodium_memzero(line, sizeof line);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
    if (sodium_memcmp(pk, d->credential_authority, 32) != 0) {
        fprintf(stderr, "votecred: refused: the key in %s is not the definition's "
                        "credential_authority\n", path);
        sodium_memzero(sk, 64);
        return 1;
    }
    return 0;
}

/* The JSON array of strings a as an array of at most max + 1 pointers (the
 * count is the array's: more than max never matches). */
static size_t strings_of(json_t *a, const char **out, size_t max)
{
    size_t i, n = json_array_size(a);
    json_t *x;

    json_array_foreach(a, i, x)
        if (i <= max)
            out[i] = json_is_string(x) ? json_string_value(x) : "";
    return n;
}

/* The server's export against HR.csv, voter by voter and both ways: 0 if they
 * agree, else 1 after naming the first voters that differ (4: no memory). */
static int hr_check(const options *o, json_t *voters, voter_list *hr)
{
    const char *emails[VOTERS_MAX_EMAILS + 1], *scrutins[DEF_MAX_SCRUTINS + 1];
    voters_match m;
    size_t i, bad;
    json_t *v;

    if (voters_match_start(&m, hr) != 0)
        return 4;
    json_array_foreach(voters, i, v) {
        voters_card card = { text_of(v, "number"), text_of(v, "surname"),
                             text_of(v, "given_names"), text_of(v, "establishment"),
                             text_of(v, "postal_address"), emails, 0, scrutins, 0 };

        card.nemails = strings_of(json_object_get(v, "emails"), emails, VOTERS_MAX_EMAILS);
        card.nscrutins = strings_of(json_object_get(v, "scrutins"), scrutins, DEF_MAX_SCRUTINS);
        voters_match_card(&m, &card);
    }
    if ((bad = voters_match_end(&m)) == 0)
        return 0;
    fprintf(stderr, "votecred: refused: the server's export %s disagrees with the HR file %s on "
                    "%zu voters: %s; nothing written (the server's registry is not the list "
                    "its owner sent: have it imported again, or ask the HR service)\n",
            o->list, o->hr, bad, m.shown);
    return 1;
}

/* credentials-EID.json and votecred-state.json from what was issued to the
 * list's voters: 0 once written, 1 if voters still lack a notice, 4 on failure. */
static int write_outputs(const options *o, json_t *list, const def_election *d, json_t *issued,
                         const voter_list *hr, const uint8_t sk[64])
{
    const char *eid = text_of(list, "eid"), *fp = text_of(list, "fingerprint");
    json_t *voters = json_object_get(list, "voters"), *all = json_object_get(issued, "voters");
    json_t *lists = json_array(), *bindings = json_array(), *roster = json_array(), *v;
    size_t i, missing = 0;
    char name[200], hex[129];
    int rc = 0;

    json_array_foreach(voters, i, v) {
        json_t *got = json_object_get(all, text_of(v, "number"));

        if (got == NULL) {
            missing++;
            continue;
        }
        json_t *creds = json_object(), *emails = json_array(), *c;
        const voter_row *r = voters_hr_row(hr, text_of(v, "number"));  /* hr_check found it */
        const char *sc;

        json_object_foreach(json_object_get(got, "credentials"), sc, c) {
            json_object_set(creds, sc, json_object_get(c, "pub"));
            json_array_append_new(bindings, json_pack("{s:s,s:s,s:O}", "voter",
                                                      text_of(v, "number"), "scrutin", sc,
                                                      "bind", json_object_get(c, "bind")));
        }
        for (size_t k = 0; r != NULL && k < r->v.nemails; k++)
            json_array_append_new(emails, json_string(r->emails[k]));
        /* the addresses votecad mails reissued codes to: the HR file's only */
        json_array_append_new(roster, json_pack("{s:s,s:o,s:o}", "number", text_of(v, "number"),
                                                "emails", emails, "credentials", creds));
    }
    if (missing > 0) {
        printf("%zu voters of the list have no notice yet: the credentials file is written "
               "once every voter has one\n", missing);
        rc = 1;
        goto out;
    }
    for (size_t k = 0; k < d->nscrutins; k++) {
        const char *id = d->scrutins[k].id;
        uint8_t(*pubs)[32] = malloc((json_array_size(roster) + 1) * 32);
        json_t *r;
        size_t n = 0;

        json_array_foreach(roster, i, r) {
            const char *p = json_string_value(json_object_get(json_object_get(r, "credentials"),
                                                              id));

            if (p != NULL && pubs != NULL && hex_decode(pubs[n], 32, p) == 0)
                n++;
        }
        if (pubs == NULL) {
            rc = 4;
            goto out;
        }
        json_array_append_new(lists, election_credential_list_sign(eid, id, pubs, n, sk));
        free(pubs);
    }
    hex_encode(hex, d->credential_authority, 32);
    {
        json_t *file = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O}", "format", CREDENTIALS_FORMAT,
                                 "election", eid, "fingerprint", fp, "authority", hex, "lists",
                                 lists, "bindings", bindings);
        json_t *state = json_pack("{s:s,s:s,s:s,s:s,s:O}", "format", STATE_FORMAT, "election",
                                  eid, "fingerprint", fp, "authority", hex, "voters", roster);

        snprintf(name, sizeof name, "credentials-%s.json", eid);
        if (file == NULL || state == NULL || save_json(o->out, name, file) != 0 ||
            save_json(o->out, "votecred-state.json", state) != 0) {
            fprintf(stderr, "votecred: cannot write %s in %s\n", name, o->out);
            rc = 4;
        } else {
            printf("credentials of %zu voters in %s/%s, signed by the credential authority: "
                   "import them with votectl import-credentials; %s/votecred-state.json is "
                   "the roster of the online service (votecad)\n", json_array_size(roster),
                   o->out, name, o->out);
        }
        json_decref(file);
        json_decref(state);
    }
out:
    json_decref(lists);
    json_decref(bindings);
    json_decref(roster);
    return rc;
}

static int run(const options *o, json_t *list)
{
    const char *eid = json_string_value(json_object_get(list, "eid"));
    const char *portal = json_string_value(json_object_get(list, "portal_url"));
    char *deftext = json_dumps(json_object_get(list, "election"), 0), err[DEF_ERR_CHARS];
    char dates[200];
    uint8_t sk[64];
    def_election d;
    entry *e = NULL;
    size_t n = 0;
    json_t *issued = NULL, *gen;
    creds c = { eid, NULL };
    notice_style s;
    voter_list hr;
    int rc = 3;

    memset(&hr, 0, sizeof hr);

    if (eid == NULL || portal == NULL || deftext == NULL ||
        strcmp(text_of(list, "format"), LIST_FORMAT) != 0 ||
        def_parse(&d, deftext, strlen(deftext), err, sizeof err) != 0) {
        fprintf(stderr, "votecred: %s is not an electoral-list export (%s)\n", o->list, LIST_FORMAT);
        free(deftext);
        return 3;
    }
    free(deftext);
    if ((rc = check_fingerprint(o, list, &d)) != 0 || (rc = load_key(o->key, &d, sk)) != 0)
        goto out;
    rc = 3;
    if (voters_parse_file(&hr, o->hr, &d) != 0) {
        fprintf(stderr, "votecred: %s is not a valid electoral list (CSV of votectl "
                        "import-voters):\n", o->hr);
        voters_print_errors(&hr, stderr);
        goto out;
    }
    if ((rc = hr_check(o, json_object_get(list, "voters"), &hr)) != 0)
        goto out;
    rc = 3;
    e = select_voters(o, json_object_get(list, "voters"), &n);
    if (e == NULL || n == 0) {
        fprintf(stderr, "votecred: no voter selected\n");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *sc = json_object_get(e[i].src, "scrutins"), *x;
        const voter_row *r = voters_hr_row(&hr, e[i].v.number);     /* hr_check found it */
        size_t k;

        e[i].format = r == NULL ? NOTICE_STANDARD
                      : r->notice_format == VOTERS_NOTICE_LARGE ? NOTICE_LARGE
                      : r->notice_format == VOTERS_NOTICE_ACCESSIBLE ? NOTICE_ACCESSIBLE
                      : NOTICE_STANDARD;
        if (!json_is_array(sc) || !json_is_array(json_object_get(e[i].src, "emails"))) {
            fprintf(stderr, "votecred: voter %s has no \"scrutins\" or \"emails\"\n",
                    e[i].v.number);
            goto out;
        }
        json_array_foreach(sc, k, x)
            if (!json_is_string(x) || def_scrutin_find(&d, json_string_value(x)) == NULL) {
                fprintf(stderr, "votecred: voter %s: scrutins[%zu] is not one of the "
                                "definition\n", e[i].v.number, k);
                goto out;
            }
    }
    issued = load_issued(o->out, eid);
    if (issued == NULL) {
        fprintf(stderr, "votecred: %s holds notices of another election\n", o->out);
        rc = 1;
        goto out;
    }
    gen = json_object_get(issued, "generated");
    c.voters = json_object_get(issued, "voters");
    for (size_t i = 0; i < n && !o->regenerate; i++)
        if (json_object_get(gen, e[i].v.number) != NULL) {
            fprintf(stderr, "votecred: refused: voter %s already has a notice; use --regenerate "
                            "--reason to make a new one (before the credentials are imported: "
                            "after opening, only the online service reissues codes)\n",
                    e[i].v.number);
            rc = 1;
            goto out;
        }
    format_dates(dates, sizeof dates, &d, o->lang);
    s = (notice_style){ d.name, d.organiser, dates, portal, d.support_email,
                        d.support_phone ? d.support_phone : "", o->lang, o->postal, o->cover,
                        json_string_value(json_object_get(list, "fingerprint")),
                        json_string_value(json_object_get(list, "public_key")) };
    qsort(e, n, sizeof *e, cmp_entry);
    rc = 0;
    for (size_t from = 0, to; from < n && rc == 0; from = to) {
        for (to = from + 1; to < n && strcmp(e[to].v.establishment, e[from].v.establishment) == 0;)
            to++;
        rc = write_batch(o, &s, e + from, to - from, &c);
    }
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            json_object_set_new(gen, e[i].v.number,
                                json_integer(json_integer_value(json_object_get(gen,
                                                                e[i].v.number)) + 1));
        if (o->regenerate)
            json_array_append_new(json_object_get(issued, "regenerations"),
                                  json_pack("{s:s,s:I}", "reason", o->reason, "voters",
                                            (json_int_t)n));
        if (save_json(o->out, "votecred-issued.json", issued) != 0) {
            fprintf(stderr, "votecred: cannot write votecred-issued.json in %s\n", o->out);
            rc = 4;
        } else {
            rc = write_outputs(o, list, &d, issued, &hr, sk);
            rc = rc == 1 ? 0 : rc;
        }
    }
out:
    sodium_memzero(sk, sizeof sk);
    json_decref(issued);
    free(e);
    voter_list_free(&hr);
    def_free(&d);
    return rc;
}

/* votecred keygen KEYFILE [--demo] */
static int keygen(int argc, char **argv)
{
    uint8_t seed[32], pk[32], sk[64];
    char hex[65];
    int demo = argc == 4 && strcmp(argv[3], "--demo") == 0, fd;
    FILE *f;

    if (argc != 3 && !demo)
        return usage();
    if (demo)
        credential_authority_demo_seed(seed);
    else
        randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    hex_encode(hex, seed, sizeof seed);
    fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || fprintf(f, "%s\n", hex) < 0 || fclose(f) != 0) {
        fprintf(stderr, "votecred: cannot create %s (%s): a key file is never overwritten\n",
                argv[2], strerror(errno));
        if (f == NULL && fd >= 0)
            close(fd);
        sodium_memzero(hex, sizeof hex);
        sodium_memzero(sk, sizeof sk);
        sodium_memzero(seed, sizeof seed);
        return 4;
    }
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(seed, sizeof seed);
    hex_encode(hex, pk, sizeof pk);
    printf("%s\n", hex);
    fprintf(stderr, "votecred: the credential authority's key is in %s%s; its public key "
                    "above goes into the election definition as \"credential_authority\"\n",
            argv[2], demo ? " (the public DEMO key: demos and tests only)" : "");
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' }, { "establishment", required_argument, NULL, 'e' },
        { "voters", required_argument, NULL, 'v' }, { "postal", no_argument, NULL, 'p' },
        { "cover", no_argument, NULL, 'c' }, { "lang", required_argument, NULL, 'l' },
        { "regenerate", no_argument, NULL, 'r' }, { "reason", required_argument, NULL, 'R' },
        { "key", required_argument, NULL, 'k' }, { "hr", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    options o = { .lang = "fr" };
    json_t *list;
    int ch, rc;

    if (crypto_init() != 0)
        return 4;
    umask(077);
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return keygen(argc, argv);
    if (argc < 2 || strcmp(argv[1], "notices") != 0)
        return argc >= 2 && (strcmp(argv[1], "--help") == 0) ? (usage(), 0) : usage();
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': o.out = optarg; break;
        case 'e': o.establishment = optarg; break;
        case 'v': o.voters_file = optarg; break;
        case 'p': o.postal = 1; break;
        case 'c': o.cover = 1; break;
        case 'l': o.lang = optarg; break;
        case 'r': o.regenerate = 1; break;
        case 'R': o.reason = optarg; break;
        case 'k': o.key = optarg; break;
        case 'H': o.hr = optarg; break;
        case 'h': usage(); return 0;
        default: return usage();
        }
    }
    if (optind != argc - 1 || o.out == NULL || o.key == NULL || o.hr == NULL ||
        (o.regenerate && o.reason == NULL) ||
        (strcmp(o.lang, "fr") != 0 && strcmp(o.lang, "en") != 0))
        return usage();
    o.list = argv[optind];
    if (mkdir(o.out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "votecred: cannot create %s: %s\n", o.out, strerror(errno));
        return 4;
    }
    list = json_load_file(o.list, 0, NULL);
    if (list == NULL) {
        fprintf(stderr, "votecred: %s cannot be read as JSON\n", o.list);
        return 3;
    }
    rc = run(&o, list);
    json_decref(list);
    /* release cairo's and fontconfig's process-wide caches, so that leak
     * checkers see only our own allocations */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
