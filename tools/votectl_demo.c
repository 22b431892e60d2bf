/* votectl_demo.c - "votectl demo DIR [--port N]": a demo election with two
 * scrutins and 1,000 voters, demo keys and vote codes, opened and ready to
 * serve, its mail written as files in DIR/mailbox (the file transport) and
 * shown by the portal's demo mailbox page. DIR is built whole in a temporary
 * folder beside it and renamed at the end: a failure leaves nothing behind. */
#include "votectl.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#define DEMO_PORT 8080
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

/* A conf/ folder holding the mail templates. */
static int conf_try(char out[PATH_MAX], const char *guess)
{
    char probe[PATH_MAX + 32];

    if (realpath(guess, out) == NULL)
        return -1;
    snprintf(probe, sizeof probe, "%s/mail/activation.fr.txt", out);
    return access(probe, R_OK) == 0 ? 0 : -1;
}

/* conf/ (templates, password lists): $VOTESRV_CONF; else found from the
 * program's own place, whatever the current folder: the source tree's (the
 * program in build/rel/bin) or an install prefix's (PREFIX/bin and
 * PREFIX/share/votesrv/conf). */
static int conf_dir(char out[PATH_MAX])
{
    static const char *const rel[] = { "../../../conf", "../share/votesrv/conf" };
    char exe[PATH_MAX], guess[PATH_MAX + 32];
    const char *env = getenv("VOTESRV_CONF");
    ssize_t n;

    if (env != NULL)
        return realpath(env, out) != NULL ? 0 : -1;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(guess, sizeof guess, "%s/%s", exe, rel[i]);
        if (conf_try(out, guess) == 0)
            return 0;
    }
    return -1;
}

/* The portal's built files beside conf/: the tree's build/portal, or an
 * install's share/votesrv/portal. */
static void assets_dir(char out[PATH_MAX + 32], const char *conf)
{
    char real[PATH_MAX];

    snprintf(out, PATH_MAX + 32, "%s/../build/portal", conf);
    if (access(out, R_OK) != 0)
        snprintf(out, PATH_MAX + 32, "%s/../portal", conf);
    if (realpath(out, real) != NULL)            /* PREFIX/share/votesrv/portal */
        snprintf(out, PATH_MAX + 32, "%s", real);
}

/* The demo's mail: one .eml file per message in DIR/mailbox, listed by the
 * portal's demo mailbox page (demo_mailbox: the demo's configuration only). */
static int write_config(const char *dir, const char *conf, int port)
{
    char text[5 * PATH_MAX + 1024], assets[PATH_MAX + 32];

    assets_dir(assets, conf);
    snprintf(text, sizeof text,
        "{\n"
        "  \"listen\": { \"address\": \"127.0.0.1\", \"port\": %d },\n"
        "  \"store\": { \"registry\": \"registry.db\", \"ballot_box\": \"ballots.db\" },\n"
        "  \"keys\": \"server-keys.json\",\n"
        "  \"internal_listen\": { \"address\": \"127.0.0.1\", \"port\": %d },\n"
        "  \"portal_url\": \"http://127.0.0.1:%d\",\n"
        "  \"mail\": { \"transport\": \"file\", \"folder\": \"mailbox\", "
        "\"demo_mailbox\": true },\n"
        "  \"templates\": \"%s/mail\",\n"
        "  \"assets\": \"%s\",\n"
        "  \"common_passwords\": [ \"%s/common-passwords.txt\", "
        "\"%s/common-passwords-fr.txt\" ],\n"
        "  \"limits\": { \"max_body_bytes\": 65536, \"connection_timeout_s\": 30 },\n"
        "  \"credential_authority_url\": \"http://127.0.0.1:%d\",\n"
        "  \"log\": { \"level\": \"info\" },\n"
        "  \"privsep\": { \"writer_stays_root\": true }\n"
        "}\n", port, port + 1, port, conf, assets, conf, conf, DEMO_VOTECAD_PORT);
    return write_file(dir, "votesrv.json", text);
}

/* DIR/votecad/: the demo credential authority's online service (the demo key,
 * votectl's roster DIR/votecred-state.json, the daemon's audit public key;
 * no mail relay, so reissued codes wait sealed in its outbox). `make demo`
 * runs `votecad init` and `votecad serve` on it beside the daemon. */
static int write_votecad(const char *dir, const char *conf, int port, const uint8_t audit_pk[32])
{
    char sub[1200], text[2 * PATH_MAX + 1024], server_key[65], seed_hex[66];
    uint8_t seed[32];
    int fd, ok;

    snprintf(sub, sizeof sub, "%s/votecad", dir);
    if (mkdir(sub, 0700) != 0) {
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
        "  \"portal_url\": \"http://127.0.0.1:%d\",\n"
        "  \"templates\": \"%s/mail\",\n"
        "  \"lang\": \"fr\"\n"
        "}\n", DEMO_VOTECAD_PORT, server_key, port, conf);
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

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* The first voter's address and vote code, from the files just written. */
static void first_voter(const char *dir, char email[128], char code[64])
{
    char path[1200], line[512];
    FILE *f;

    email[0] = code[0] = '\0';
    snprintf(path, sizeof path, "%s/demo-vote-codes.csv", dir);
    if ((f = fopen(path, "r")) != NULL) {
        if (fgets(line, sizeof line, f) != NULL && strchr(line, ',') != NULL)
            snprintf(code, 64, "%.*s", (int)strcspn(strchr(line, ',') + 1, "\r\n"),
                     strchr(line, ',') + 1);
        fclose(f);
    }
    snprintf(email, 128, "agent%05d@demo.example", 1);      /* write_voters' D00001 */
}

/* Everything of the demo in dir (a fresh folder), its config in cfg. */
static int demo_fill(votectl *v, const char *dir, const char *conf, int port, char *cfg,
                     size_t cfglen)
{
    char path[1200], hr_path[1200];
    def_election d;
    char err[DEF_ERR_CHARS];
    int rc;

    snprintf(path, sizeof path, "%s/documents", dir);    /* the public documents' own */
    if (write_definition(dir) != 0 || write_voters(dir) != 0 ||
        write_config(dir, conf, port) != 0 || mkdir(path, 0700) != 0 || write_profession(dir) != 0)
        return EXIT_INPUT;
    snprintf(path, sizeof path, "%s/mailbox", dir);      /* the file transport's folder */
    if (mkdir(path, 0700) != 0)
        return EXIT_INPUT;
    snprintf(cfg, cfglen, "%s/votesrv.json", dir);
    v->config_path = cfg;
    if ((rc = votectl_open(v, 1)) != 0)
        return rc;
    v->ctx.actor = "demo";
    snprintf(path, sizeof path, "%s/election.json", dir);
    if (def_load_file(&d, path, err, sizeof err) != 0) {
        fprintf(stderr, "votectl demo: %s\n", err);
        votectl_close(v);
        return EXIT_INPUT;
    }
    rc = votectl_result(v, election_create(v->store, &v->ctx, &d, v->srv.keys.audit_pk), "created");
    def_free(&d);
    snprintf(path, sizeof path, "%s/voters.csv", dir);
    if (rc == 0)
        rc = votectl_import(v, path, 0);
    snprintf(path, sizeof path, "%s/demo-trustee-secret.hex", dir);
    if (rc == 0)
        rc = votectl_demo_key(v, path);
    snprintf(path, sizeof path, "%s/demo-vote-codes.csv", dir);
    snprintf(hr_path, sizeof hr_path, "%s/voters.csv", dir);      /* the HR file */
    if (rc == 0)
        rc = votectl_demo_codes(v, path, hr_path);
    if (rc == 0 && write_votecad(dir, conf, port, v->srv.keys.audit_pk) != 0)
        rc = EXIT_INPUT;
    snprintf(path, sizeof path, "%s/demo-staff.txt", dir);
    if (rc == 0)
        rc = votectl_demo_staff(v, path);
    if (rc == 0)
        rc = votectl_result(v, election_open(v->store, &v->ctx), "the demo election is open");
    if (rc == 0) {
        uint64_t sent = 0;

        rc = access_send_activations(&v->srv.access, v->ctx.now, &sent) == STORE_OK ? 0
                                                                                  : EXIT_STORE;
        printf("activation links queued for %llu voters (written to the demo's mailbox by "
               "votesrv once it runs)\n", (unsigned long long)sent);
    }
    votectl_close(v);
    return rc;
}

int cmd_demo(votectl *v, int argc, char **argv)
{
    char conf[PATH_MAX], tmp[1040], cfg[1300], email[128], code[64];
    const char *dir = NULL;
    struct stat sb;
    int rc, port = DEMO_PORT, bad = 0;

    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            long p = strtol(argv[++i], &end, 10);

            bad = *end != '\0' || p < 1 || p > 65534 || p == DEMO_VOTECAD_PORT ||
                  p + 1 == DEMO_VOTECAD_PORT;
            port = (int)p;
        } else if (dir == NULL && argv[i][0] != '-') {
            dir = argv[i];
        } else {
            bad = 1;
        }
    }
    if (bad || dir == NULL || strlen(dir) > 1000) {
        fprintf(stderr, "usage: votectl demo DIR [--port PORT]  (PORT: the portal's, 8080 by "
                "default; PORT + 1: /healthz and /metrics; neither %d, votecad's)\n",
                DEMO_VOTECAD_PORT);
        return EXIT_USAGE;
    }
    if (conf_dir(conf) != 0) {
        fprintf(stderr, "votectl demo: cannot find the conf/ folder of votesrv (the mail "
                "templates) beside this program; set VOTESRV_CONF to it\n");
        return EXIT_INPUT;
    }
    if (lstat(dir, &sb) == 0) {
        fprintf(stderr, "votectl demo: %s already exists (remove it, or name a new folder)\n",
                dir);
        return EXIT_INPUT;
    }
    /* built beside DIR (the same file system, so the rename is atomic) */
    snprintf(tmp, sizeof tmp, "%s.partial-XXXXXX", dir);
    if (mkdtemp(tmp) == NULL) {
        fprintf(stderr, "votectl demo: cannot create a folder beside %s: %s\n", dir,
                strerror(errno));
        return EXIT_INPUT;
    }
    rc = demo_fill(v, tmp, conf, port, cfg, sizeof cfg);
    if (rc == 0 && rename(tmp, dir) != 0) {
        fprintf(stderr, "votectl demo: cannot rename %s to %s: %s\n", tmp, dir, strerror(errno));
        rc = EXIT_INPUT;
    }
    if (rc != 0) {
        nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        fprintf(stderr, "votectl demo: nothing was made (%s removed)\n", tmp);
        return rc;
    }
    first_voter(dir, email, code);
    printf("demo election ready in %s (config %s/votesrv.json)\n"
           "console accounts (/gestion) and their TOTP keys in %s/demo-staff.txt\n\n"
           "  portal:      http://127.0.0.1:%d/  (/healthz, /metrics: http://127.0.0.1:%d/)\n"
           "  a voter:     %s, vote code %s\n"
           "  their mail:  http://127.0.0.1:%d/demo/courrier (the demo's mailbox page),\n"
           "               one .eml file per message in %s/mailbox/\n"
           "  (README.md, \"Vote in the demo\", walks a vote step by step)\n",
           dir, dir, dir, port, port + 1, email, code, port, dir);
    return 0;
}
