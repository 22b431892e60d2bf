/* votectl_demo.c - "votectl demo DIR": a demo election with two scrutins and
 * 1,000 voters, demo keys and vote codes, opened and ready to serve. */
#include "votectl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include "crypto/crypto.h"
#include "election/demo.h"
#include "report/report.h"

#define DEMO_VOTERS 1000
#define DEMO_VOTECAD_PORT 8090

static const char *const surnames[] = { "Martin", "Bernard", "Thomas", "Petit", "Robert",
                                        "Richard", "Durand", "Dubois", "Moreau", "Laurent" };
static const char *const given[] = { "Camille", "Louise", "Léa", "Hugo", "Arthur", "Jules",
                                     "Chloé", "Nathan", "Inès", "Gabriel" };
static const char *const estabs[] = { "Administration centrale", "Direction régionale Nord",
                                      "Direction régionale Sud" };

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[1200];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wx");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "votectl demo: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static void instant(char out[40], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_definition(const char *dir)
{
    char text[4096], opens[40], closes[40];
    time_t now = time(NULL);

    uint8_t seed[32], pk[32], sk[64];
    char authority[65];

    credential_authority_demo_seed(seed);        /* votecred keygen --demo's key */
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
    hex_encode(authority, pk, 32);
    instant(opens, now - 60);
    instant(closes, now + 7 * 86400);
    snprintf(text, sizeof text,
        "{\n"
        "  \"name\": \"Élections professionnelles — démonstration\",\n"
        "  \"organiser\": \"Ministère de la Démonstration\",\n"
        "  \"timezone\": \"Europe/Paris\",\n"
        "  \"voting\": { \"opens\": \"%s\", \"closes\": \"%s\" },\n"
        "  \"support\": { \"email\": \"support-elections@demo.example\", "
        "\"phone\": \"+33 1 00 00 00 00\" },\n"
        "  \"recourse_days\": 90,\n"
        "  \"credential_authority\": \"%s\",\n"
        "  \"scrutins\": [\n"
        "    { \"id\": \"cap-attaches\", \"title\": \"CAP des attachés\", \"seats\": 4,\n"
        "      \"blank_allowed\": true, \"eligibility\": { \"corps\": [\"attache\"] },\n"
        "      \"lists\": [ { \"name\": \"Liste A\", \"union\": \"Syndicat A\",\n"
        "                   \"profession_de_foi\": \"professions/liste-a.pdf\" },\n"
        "                 { \"name\": \"Liste B\", \"union\": \"Syndicat B\" },\n"
        "                 { \"name\": \"Liste C\", \"union\": \"Syndicat C\" },\n"
        "                 { \"name\": \"Liste D\", \"union\": \"Syndicat D\" } ] },\n"
        "    { \"id\": \"cst-ministere\", \"title\": \"Comité social d'administration\",\n"
        "      \"seats\": 10, \"blank_allowed\": true,\n"
        "      \"lists\": [ { \"name\": \"Liste X\", \"union\": \"Union X\" },\n"
        "                 { \"name\": \"Liste Y\", \"union\": \"Union Y\" },\n"
        "                 { \"name\": \"Liste Z\", \"union\": \"Union Z\" } ] }\n"
        "  ]\n"
        "}\n", opens, closes, authority);
    return write_file(dir, "election.json", text);
}

/* The profession de foi of the demo's Liste A (issue 23: each list's beside
 * it on the vote page): a one-page PDF in DIR/documents/professions. */
static int write_profession(const char *dir)
{
    static const char *const lines[] = {
        "Liste A — Syndicat A", "Profession de foi (démonstration)", "",
        "Ce document est celui que le bureau de vote publie pour la liste.",
        "Dans une vraie élection, chaque liste fournit le sien.", NULL
    };
    char path[1200];
    cairo_surface_t *sf;
    cairo_t *cr;
    int rc;

    snprintf(path, sizeof path, "%s/documents/professions", dir);
    if (mkdir(path, 0700) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/documents/professions/liste-a.pdf", dir);
    sf = cairo_pdf_surface_create(path, 595, 842);
    cr = cairo_create(sf);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    for (int i = 0; lines[i] != NULL; i++) {
        cairo_set_font_size(cr, i == 0 ? 20 : 12);
        cairo_move_to(cr, 60, 90 + 28 * i);
        cairo_show_text(cr, lines[i]);
    }
    rc = report_pdf_close(cr, sf);
    report_cleanup();                 /* cairo's and fontconfig's caches: drawn once */
    return rc;
}

static int write_voters(const char *dir)
{
    char path[1200];
    FILE *f;

    snprintf(path, sizeof path, "%s/voters.csv", dir);
    f = fopen(path, "wx");
    if (f == NULL)
        return -1;
    fprintf(f, "number,surname,given_names,emails,establishment,postal_address,corps\n");
    for (int i = 1; i <= DEMO_VOTERS; i++) {
        const char *s = surnames[i % 10], *g = given[(i / 10) % 10];

        fprintf(f, "D%05d,%s,%s,agent%05d@demo.example,%s,\"%d rue de la Paix\n75002 Paris\","
                "%s\n", i, s, g, i, estabs[i % 3], i, i % 4 == 0 ? "secretaire" : "attache");
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* The source tree's conf/ (templates, password lists): beside the program's
 * build directory, or $VOTESRV_CONF. */
static int conf_dir(char out[PATH_MAX])
{
    char exe[PATH_MAX], guess[PATH_MAX + 16];
    const char *env = getenv("VOTESRV_CONF");
    ssize_t n;

    if (env != NULL)
        return realpath(env, out) != NULL ? 0 : -1;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';                     /* build/rel/bin */
    snprintf(guess, sizeof guess, "%s/../../../conf", exe);
    return realpath(guess, out) != NULL ? 0 : -1;
}

static int write_config(const char *dir)
{
    char conf[PATH_MAX], text[4 * PATH_MAX + 1024];

    if (conf_dir(conf) != 0) {
        fprintf(stderr, "votectl demo: cannot find the conf/ directory (set VOTESRV_CONF)\n");
        return -1;
    }
    snprintf(text, sizeof text,
        "{\n"
        "  \"listen\": { \"address\": \"127.0.0.1\", \"port\": 8080 },\n"
        "  \"store\": { \"registry\": \"registry.db\", \"ballot_box\": \"ballots.db\" },\n"
        "  \"keys\": \"server-keys.json\",\n"
        "  \"portal_url\": \"http://127.0.0.1:8080\",\n"
        "  \"templates\": \"%s/mail\",\n"
        "  \"assets\": \"%s/../build/portal\",\n"
        "  \"common_passwords\": [ \"%s/common-passwords.txt\", "
        "\"%s/common-passwords-fr.txt\" ],\n"
        "  \"limits\": { \"max_body_bytes\": 65536, \"connection_timeout_s\": 30 },\n"
        "  \"credential_authority_url\": \"http://127.0.0.1:%d\",\n"
        "  \"log\": { \"level\": \"info\" },\n"
        "  \"privsep\": { \"writer_stays_root\": true }\n"
        "}\n", conf, conf, conf, conf, DEMO_VOTECAD_PORT);
    return write_file(dir, "votesrv.json", text);
}

/* DIR/votecad/: the demo credential authority's online service (the demo key,
 * votectl's roster DIR/votecred-state.json, the daemon's audit public key;
 * no mail relay, so reissued codes wait sealed in its outbox). `make demo`
 * runs `votecad init` and `votecad serve` on it beside the daemon. */
static int write_votecad(const char *dir, const uint8_t audit_pk[32])
{
    char conf[PATH_MAX], sub[1200], text[2 * PATH_MAX + 1024], server_key[65], seed_hex[66];
    uint8_t seed[32];
    int fd, ok;

    snprintf(sub, sizeof sub, "%s/votecad", dir);
    if (conf_dir(conf) != 0 || mkdir(sub, 0700) != 0) {
        fprintf(stderr, "votectl demo: cannot create %s\n", sub);
        return -1;
    }
    credential_authority_demo_seed(seed);        /* votecred keygen --demo's key */
    hex_encode(seed_hex, seed, 32);
    sodium_memzero(seed, sizeof seed);
    strcat(seed_hex, "\n");
    snprintf(text, sizeof text, "%s/authority.key", sub);
    fd = open(text, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ok = fd >= 0 && write(fd, seed_hex, strlen(seed_hex)) == (ssize_t)strlen(seed_hex);
    if (fd >= 0)
        close(fd);
    sodium_memzero(seed_hex, sizeof seed_hex);
    if (!ok) {
        fprintf(stderr, "votectl demo: cannot write %s\n", text);
        return -1;
    }
    hex_encode(server_key, audit_pk, 32);
    snprintf(text, sizeof text,
        "{\n"
        "  \"listen\": { \"address\": \"127.0.0.1\", \"port\": %d },\n"
        "  \"key\": \"authority.key\",\n"
        "  \"store\": \"votecad.db\",\n"
        "  \"roster\": \"../votecred-state.json\",\n"
        "  \"server_key\": \"%s\",\n"
        "  \"election_name\": \"Élections professionnelles — démonstration\",\n"
        "  \"organiser\": \"Ministère de la Démonstration\",\n"
        "  \"support_email\": \"support-elections@demo.example\",\n"
        "  \"support_phone\": \"+33 1 00 00 00 00\",\n"
        "  \"portal_url\": \"http://127.0.0.1:8080\",\n"
        "  \"templates\": \"%s/mail\",\n"
        "  \"lang\": \"fr\"\n"
        "}\n", DEMO_VOTECAD_PORT, server_key, conf);
    return write_file(sub, "votecad.json", text);
}

int votectl_demo_key(votectl *v, const char *path)
{
    elgamal_pk pk;
    group_scalar sk;
    uint8_t skb[32];
    char hex[65];
    FILE *f;
    int rc;

    if (elgamal_keypair(&pk, &sk, NULL) != 0 || (f = fopen(path, "wx")) == NULL) {
        fprintf(stderr, "votectl: cannot create %s\n", path);
        return EXIT_INPUT;
    }
    group_scalar_encode(skb, &sk);
    hex_encode(hex, skb, 32);
    fprintf(f, "%s\n", hex);
    fclose(f);
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(skb, sizeof skb);
    group_scalar_wipe(&sk);
    rc = votectl_result(v, election_set_public_key(v->store, &v->ctx, pk.bytes),
                        "demo key set (single trustee, secret in the demo file)");
    elgamal_pk_clear(&pk);
    return rc;
}

/* CODES_FILE, and beside it votecred-state.json (0600): the roster of the
 * demo authority's online service, votecad, its addresses the HR file's. */
int votectl_demo_codes(votectl *v, const char *path, const char *hr)
{
    char roster_path[1200];
    const char *slash = strrchr(path, '/');
    FILE *f = fopen(path, "wx"), *r;
    int fd, rc;

    snprintf(roster_path, sizeof roster_path, "%.*svotecred-state.json",
             slash != NULL ? (int)(slash - path + 1) : 0, path);
    fd = open(roster_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    r = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || r == NULL) {
        fprintf(stderr, "votectl: cannot create %s\n", f == NULL ? path : roster_path);
        if (f != NULL)
            fclose(f);
        if (r != NULL)
            fclose(r);
        else if (fd >= 0)
            close(fd);
        return EXIT_INPUT;
    }
    rc = votectl_result(v, election_demo_credentials_roster(v->store, &v->ctx, f, r, hr),
                        "demo vote codes generated (votecad's roster in votecred-state.json)");
    fclose(f);
    if (fclose(r) != 0 && rc == 0)
        rc = EXIT_INPUT;
    return rc;
}

int cmd_demo(votectl *v, int argc, char **argv)
{
    char path[1200], cfg[1200], hr_path[1200];
    def_election d;
    char err[DEF_ERR_CHARS];
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: votectl demo DIR\n");
        return EXIT_USAGE;
    }
    if (mkdir(argv[1], 0700) != 0) {
        fprintf(stderr, "votectl demo: cannot create %s: %s (it must not exist)\n", argv[1],
                strerror(errno));
        return EXIT_INPUT;
    }
    snprintf(path, sizeof path, "%s/documents", argv[1]);    /* the public documents' own */
    if (write_definition(argv[1]) != 0 || write_voters(argv[1]) != 0 ||
        write_config(argv[1]) != 0 || mkdir(path, 0700) != 0 || write_profession(argv[1]) != 0)
        return EXIT_INPUT;
    snprintf(cfg, sizeof cfg, "%s/votesrv.json", argv[1]);
    v->config_path = cfg;
    if ((rc = votectl_open(v, 1)) != 0)
        return rc;
    v->ctx.actor = "demo";
    snprintf(path, sizeof path, "%s/election.json", argv[1]);
    if (def_load_file(&d, path, err, sizeof err) != 0) {
        fprintf(stderr, "votectl demo: %s\n", err);
        votectl_close(v);
        return EXIT_INPUT;
    }
    rc = votectl_result(v, election_create(v->store, &v->ctx, &d, v->srv.keys.audit_pk), "created");
    def_free(&d);
    snprintf(path, sizeof path, "%s/voters.csv", argv[1]);
    if (rc == 0)
        rc = votectl_import(v, path, 0);
    snprintf(path, sizeof path, "%s/demo-trustee-secret.hex", argv[1]);
    if (rc == 0)
        rc = votectl_demo_key(v, path);
    snprintf(path, sizeof path, "%s/demo-vote-codes.csv", argv[1]);
    snprintf(hr_path, sizeof hr_path, "%s/voters.csv", argv[1]);      /* the HR file */
    if (rc == 0)
        rc = votectl_demo_codes(v, path, hr_path);
    if (rc == 0 && write_votecad(argv[1], v->srv.keys.audit_pk) != 0)
        rc = EXIT_INPUT;
    snprintf(path, sizeof path, "%s/demo-staff.txt", argv[1]);
    if (rc == 0 && (rc = votectl_demo_staff(v, path)) == 0)
        printf("console accounts (/gestion) and their TOTP keys in %s\n", path);
    if (rc == 0)
        rc = votectl_result(v, election_open(v->store, &v->ctx), "the demo election is open");
    if (rc == 0) {
        uint64_t sent = 0;

        rc = access_send_activations(&v->srv.access, v->ctx.now, &sent) == STORE_OK ? 0
                                                                                  : EXIT_STORE;
        printf("activation links queued for %llu voters (no mail relay in the demo: they "
               "wait in the outbox)\n", (unsigned long long)sent);
    }
    votectl_close(v);
    if (rc == 0)
        printf("demo election ready in %s (config %s)\n", argv[1], cfg);
    return rc;
}
