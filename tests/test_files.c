/*
 * test_files.c - the files the programs make, and the public documents.
 *
 * - Every file and folder votectl (demo, init, ceremony export), votesrv
 *   (stores, journals, port file), votecred, votetrustee, votecad and voteclient
 *   (its receipts file) make is
 *   their owner's only, under an operator's usual umask 022: the programs set
 *   their own (077). The whole tree is walked: no group or other bit.
 * - The professions de foi: only PDF, PNG or JPEG files by their content,
 *   opened beneath the documents folder: "..", absolute paths and symbolic
 *   links (to a key file, to the folder above) are refused, and a .pdf that
 *   is not a PDF too; votectl init refuses a definition naming such a file;
 *   the documents folder may hold neither the keys, nor the stores, nor the
 *   configuration; through the daemon the same names answer 404.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include "votesrv/config.h"
#include "votesrv/server.h"
#include "testutil.h"

#define PDF "%PDF-1.4\n%%EOF\n"
#define PNG "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"

static char bin[PATH_MAX];

/* A file made by the test itself, 0600 whatever the umask. */
static void put(const char *dir, const char *name, const char *text, size_t len)
{
    char path[PATH_MAX + 300];
    int fd;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

/* SIGTERM, waited for: it ended cleanly. */
static void daemon_stop(int pid)
{
    int st;

    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    curl_global_cleanup();
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- every file private ---- */

static char shared[8192];
static size_t nshared, nwalked;

static int check_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)flag, (void)ftw;
    nwalked++;
    if (!S_ISLNK(sb->st_mode) && (sb->st_mode & 077) != 0) {
        nshared++;
        snprintf(shared + strlen(shared), sizeof shared - strlen(shared), "  %04o %s\n",
                 (unsigned)(sb->st_mode & 07777), path);
    }
    return 0;
}

static void must_exist(const char *dir, const char *name)
{
    char path[PATH_MAX + 300];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) != 0)
        fail_msg("%s was not made", path);
}

/* Each program run as an operator would, under umask 022. */
static void run(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run(const char *dir, const char *fmt, ...)
{
    char cmd[4096], out[16384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (tu_sh(out, sizeof out, "exec 2>&1; umask 022 && cd '%s' && B='%s' && %s", dir, bin,
              cmd) != 0)
        fail_msg("%s: %s", cmd, out);
}

static void test_every_file_private(void **state)
{
    char *dir = tu_tmpdir(), demo[PATH_MAX], cli[PATH_MAX], cfg[PATH_MAX + 32], log[PATH_MAX + 32];
    char body[256], *def;
    time_t now = time(NULL);
    tu_reply r;
    int pid;

    (void)state;
    snprintf(demo, sizeof demo, "%s/demo", dir);
    snprintf(cli, sizeof cli, "%s/cli", dir);
    /* votectl demo, then the daemon on it: stores, journals, port file */
    run(dir, "$B/votectl demo demo");
    snprintf(cfg, sizeof cfg, "%s/votesrv.json", demo);
    snprintf(log, sizeof log, "%s/votesrv.log", demo);
    put(demo, "votesrv.log", "", 0);           /* the test's own, not the daemon's */
    umask(022);
    pid = tu_daemon_up(bin, demo, cfg);
    umask(077);
    assert_true(pid > 0);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    snprintf(body, sizeof body, "{\"identifier\":\"agent00001@demo.example\",\"password\":"
             "\"not her password at all\"}");
    tu_http(&r, "POST", "/api/v1/session", body, (long)strlen(body),
            "Content-Type: application/json");
    assert_int_equal(r.status, 401);
    run(demo, "$B/votectl -c votesrv.json suspend --reason test --notice test && "
              "$B/votectl -c votesrv.json resume && "
              "$B/votectl -c votesrv.json turnout --json > /dev/null");
    daemon_stop(pid);
    /* votecad's store, votecred's key, votetrustee's key file and backup */
    run(demo, "$B/votecad init votecad/votecad.json && $B/votecred keygen authority2.key");
    assert_int_equal(mkdir(cli, 0700), 0);
    assert_int_equal(tu_config(cli, bin, NULL, cfg, sizeof cfg), 0);
    def = tu_definition_bureau(now - 60, now + 86400, 2);
    put(cli, "e.json", def, strlen(def));
    free(def);
    put(cli, "pass", "correct horse battery staple\n", 29);
    run(cli, "V=\"$B/votectl -c votesrv.json\" && "
             "T=\"$B/votetrustee --kdf interactive --passphrase-file pass\" && "
             "$V init e.json && $V ceremony export c.json && $T keygen c.json 0 k0 keys0.json && "
             "$T backup k0 k0.pdf");
    /* voteclient's receipts file (trackers, by line of the credentials file),
     * made before the load starts: here the load itself fails (no such file) */
    run(cli, "! $B/voteclient --url http://127.0.0.1:9 load no-such.csv --receipts r.csv");
    /* what they made is there, and nothing is shared */
    must_exist(demo, "registry.db");
    must_exist(demo, "registry.db-journal");
    must_exist(demo, "ballots.db");
    must_exist(demo, "server-keys.json");
    must_exist(demo, "votesrv.log.port");
    must_exist(demo, "documents");
    must_exist(demo, "votecad/votecad.db");
    must_exist(demo, "authority2.key");
    must_exist(cli, "k0");
    must_exist(cli, "keys0.json");
    must_exist(cli, "k0.pdf");
    must_exist(cli, "c.json");
    must_exist(cli, "r.csv");
    shared[0] = '\0';
    nshared = nwalked = 0;
    assert_int_equal(nftw(dir, check_one, 16, FTW_PHYS), 0);
    if (nshared != 0)
        fail_msg("%zu of %zu files and folders readable by others:\n%s", nshared, nwalked, shared);
    assert_true(nwalked > 20);
    tu_rmdir(dir);
    free(dir);
}

/* ---- the public documents ---- */

typedef struct {
    char *dir, docs[PATH_MAX];
} docs_fixture;

/* dir/documents holds a PDF, a PNG, a JPEG, a text named .pdf, a PNG named
 * .pdf, links to a key file, to a PDF outside and to the folder above, and a
 * FIFO named .pdf; dir holds a PDF outside the folder. */
static int docs_setup(void **state)
{
    docs_fixture *f = calloc(1, sizeof *f);
    char sub[PATH_MAX + 16], path[PATH_MAX + 32];

    f->dir = tu_tmpdir();
    snprintf(f->docs, sizeof f->docs, "%s/documents", f->dir);
    snprintf(sub, sizeof sub, "%s/professions", f->docs);
    if (mkdir(f->docs, 0700) != 0 || mkdir(sub, 0700) != 0)
        return -1;
    put(f->dir, "secret.pdf", PDF, sizeof PDF - 1);       /* a PDF, outside the folder */
    put(f->docs, "professions/a.pdf", PDF, sizeof PDF - 1);
    put(f->docs, "affiche.png", PNG, sizeof PNG - 1);
    put(f->docs, "photo.jpeg", "\xff\xd8\xff\xe0\0\x10JFIF", 10);
    put(f->docs, "fake.pdf", "<script>alert(1)</script>\n", 26);
    put(f->docs, "png-named.pdf", PNG, sizeof PNG - 1);   /* a PNG under a .pdf name */
    snprintf(path, sizeof path, "%s/keys.pdf", f->docs);
    if (symlink("../server-keys.json", path) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/outside.pdf", f->docs);
    if (symlink("../secret.pdf", path) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/up", f->docs);
    if (symlink("..", path) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/fifo.pdf", f->docs);
    if (mkfifo(path, 0600) != 0)
        return -1;
    *state = f;
    return 0;
}

static int docs_teardown(void **state)
{
    docs_fixture *f = *state;

    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int doc_open(const docs_fixture *f, const char *name, const char **type)
{
    uint64_t size = 0;
    int fd = -1, rc = server_document_open(f->docs, name, &fd, &size, type);

    if (rc == SERVER_DOCUMENT_OK) {
        assert_true(fd >= 0 && size > 0);
        close(fd);
    }
    return rc;
}

static void test_document_names(void **state)
{
    docs_fixture *f = *state;
    static const char *const refused[] = {
        "../server-keys.json", "../registry.db", "professions/../../server-keys.json",
        "up/server-keys.json", "up/secret.pdf", "up/documents/professions/a.pdf",
        "keys.pdf", "outside.pdf", "fake.pdf", "png-named.pdf", "fifo.pdf",
        "/etc/passwd", "//etc/passwd.pdf", "professions", "professions/", "a.pdf/",
        "professions/a.PDF.txt", "professions/a.pdf\n", "./fake.pdf", "",
    };
    const char *type = NULL;
    char abs[PATH_MAX + 64];

    put(f->dir, "server-keys.json", "{\"audit_sk\":\"secret\"}\n", 23);
    put(f->dir, "registry.db", "SQLite format 3", 16);
    assert_int_equal(doc_open(f, "professions/a.pdf", &type), SERVER_DOCUMENT_OK);
    assert_string_equal(type, "application/pdf");
    assert_int_equal(doc_open(f, "affiche.png", &type), SERVER_DOCUMENT_OK);
    assert_string_equal(type, "image/png");
    assert_int_equal(doc_open(f, "photo.jpeg", &type), SERVER_DOCUMENT_OK);
    assert_string_equal(type, "image/jpeg");
    assert_int_equal(doc_open(f, "professions/b.pdf", &type), SERVER_DOCUMENT_MISSING);
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        int rc = doc_open(f, refused[i], &type);

        if (rc == SERVER_DOCUMENT_OK)
            fail_msg("\"%s\" was served", refused[i]);
    }
    /* the absolute path of a real PDF inside the folder is refused all the same */
    snprintf(abs, sizeof abs, "%s/professions/a.pdf", f->docs);
    assert_int_not_equal(doc_open(f, abs, &type), SERVER_DOCUMENT_OK);
    assert_string_equal(server_document_label("x/a.pdf"), "PDF");
    assert_string_equal(server_document_label("a.JPG"), "JPEG");
    assert_null(server_document_label("a.svg"));
}

/* The configuration may not make the documents folder one that holds the
 * keys, the stores or itself; its own folder beside them is fine. */
static void test_documents_folder_apart(void **state)
{
    docs_fixture *f = *state;
    static const char *const bad[] = { ".", "./", "..", "/", "documents/.." };
    const size_t nbad = sizeof bad / sizeof *bad;
    char text[1024], path[PATH_MAX + 32], err[CONFIG_ERR_CHARS];
    static config c;

    snprintf(path, sizeof path, "%s/votesrv.json", f->dir);
    for (size_t i = 0; i <= nbad; i++) {
        int n = snprintf(text, sizeof text, "{\"store\":{\"registry\":\"registry.db\","
                         "\"ballot_box\":\"ballots.db\"},\"keys\":\"server-keys.json\"%s%s%s}",
                         i < nbad ? ",\"documents\":\"" : "", i < nbad ? bad[i] : "",
                         i < nbad ? "\"" : "");

        put(f->dir, "votesrv.json", text, (size_t)n);
        if (i == nbad) {                                  /* the default: dir/documents */
            assert_int_equal(config_load(&c, path, err, sizeof err), 0);
            assert_string_equal(c.documents, f->docs);
        } else {
            assert_int_equal(config_load(&c, path, err, sizeof err), -1);
            assert_non_null(strstr(err, "must not hold the keys"));
        }
    }
}

/* Load a configuration holding the stores, the keys and, if key is not NULL,
 * "key": value (JSON); config_load's answer. */
static int load_with(docs_fixture *f, const char *key, const char *value, config *c,
                     char err[CONFIG_ERR_CHARS])
{
    char text[1024], path[PATH_MAX + 32];
    int n = snprintf(text, sizeof text, "{\"store\":{\"registry\":\"registry.db\","
                     "\"ballot_box\":\"ballots.db\"},\"keys\":\"server-keys.json\"%s%s%s%s}",
                     key ? ",\"" : "", key ? key : "", key ? "\":" : "", key ? value : "");

    snprintf(path, sizeof path, "%s/votesrv.json", f->dir);
    put(f->dir, "votesrv.json", text, (size_t)n);
    return config_load(c, path, err, CONFIG_ERR_CHARS);
}

/* Each value of key refused, the error naming the key. */
static void refused_all(docs_fixture *f, const char *key, const char *const *bad, size_t n)
{
    char err[CONFIG_ERR_CHARS];
    static config c;

    for (size_t i = 0; i < n; i++)
        if (load_with(f, key, bad[i], &c, err) != -1 || strstr(err, key) == NULL)
            fail_msg("accepted: %s", bad[i]);
}

/* The demo's mailbox page (every voter's one-time links) only on a portal
 * listening on loopback alone: a demo setting copied into a real
 * configuration (a public address, HAProxy's socket) stops the daemon. */
static void test_demo_mailbox_local_only(void **state)
{
    docs_fixture *f = *state;
    static const char *const bad[] = {
        "{\"transport\":\"file\",\"folder\":\"mb\",\"demo_mailbox\":true},"
        "\"listen\":{\"address\":\"0.0.0.0\",\"port\":8080}",
        "{\"transport\":\"file\",\"folder\":\"mb\",\"demo_mailbox\":true},"
        "\"listen\":{\"address\":\"192.0.2.7\",\"port\":8080}",
        "{\"transport\":\"file\",\"folder\":\"mb\",\"demo_mailbox\":true},"
        "\"listen\":{\"address\":\"127.0.0.1\",\"port\":8080,"
        "\"unix\":{\"path\":\"/run/votesrv/haproxy.sock\"}}",
        "{\"transport\":\"file\",\"folder\":\"mb\",\"demo_mailbox\":true},"
        "\"listen\":{\"address\":\"127.0.0.1\",\"port\":8080},"
        "\"trusted_proxies\":[\"192.0.2.1\"]",
    };
    char err[CONFIG_ERR_CHARS];
    static config c;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (load_with(f, "mail", bad[i], &c, err) != -1 || strstr(err, "demo_mailbox") == NULL)
            fail_msg("accepted: %s (%s)", bad[i], err);
    assert_int_equal(load_with(f, "mail", "{\"transport\":\"file\",\"folder\":\"mb\","
                               "\"demo_mailbox\":true},\"listen\":{\"address\":\"127.0.0.1\","
                               "\"port\":8080}", &c, err), 0);
    assert_true(c.mail.demo_mailbox);
    assert_int_equal(load_with(f, "mail", "{\"transport\":\"file\",\"folder\":\"mb\"},"
                               "\"listen\":{\"address\":\"0.0.0.0\",\"port\":8080}", &c, err), 0);
    assert_false(c.mail.demo_mailbox);
}

/* The "Données personnelles" page's controller and data-protection officer
 * (personal_data): all three texts or none, each 1-200 bytes without control
 * characters, the contact an address or an https page; a refusal names the
 * field and leaves nothing half-set. */
static void test_personal_data_config(void **state)
{
    docs_fixture *f = *state;
    static const char *const bad[] = {
        "{}", "[]", "\"x\"",
        "{\"controller\":\"Ministère\",\"dpo\":\"DPD\"}",
        "{\"controller\":\"\",\"dpo\":\"DPD\",\"dpo_contact\":\"dpd@ex.gouv.fr\"}",
        "{\"controller\":\"M\\n\",\"dpo\":\"DPD\",\"dpo_contact\":\"dpd@ex.gouv.fr\"}",
        "{\"controller\":\"M\",\"dpo\":\"DPD\",\"dpo_contact\":\"dpd\"}",
        "{\"controller\":\"M\",\"dpo\":\"DPD\",\"dpo_contact\":\"@ex.gouv.fr\"}",
        "{\"controller\":\"M\",\"dpo\":\"DPD\",\"dpo_contact\":\"http://ex.gouv.fr\"}",
        "{\"controller\":\"M\",\"dpo\":\"DPD\",\"dpo_contact\":\"d p@ex.gouv.fr\"}",
        "{\"controller\":\"M\",\"dpo\":\"DPD\",\"dpo_contact\":\"dpd@ex.gouv.fr\","
        "\"other\":\"x\"}",
        "{\"controller\":1,\"dpo\":\"DPD\",\"dpo_contact\":\"dpd@ex.gouv.fr\"}",
    };
    char err[CONFIG_ERR_CHARS], longname[260], value[400];
    static config c;

    refused_all(f, "personal_data", bad, sizeof bad / sizeof *bad);
    assert_string_equal(c.pd_controller, "");
    memset(longname, 'a', 201);
    longname[201] = '\0';
    snprintf(value, sizeof value, "{\"controller\":\"%s\",\"dpo\":\"DPD\","
             "\"dpo_contact\":\"dpd@ex.gouv.fr\"}", longname);
    assert_int_equal(load_with(f, "personal_data", value, &c, err), -1);
    longname[200] = '\0';                              /* 200 bytes: the most */
    snprintf(value, sizeof value, "{\"controller\":\"%s\",\"dpo\":\"DPD du ministère\","
             "\"dpo_contact\":\"https://ex.gouv.fr/dpd\"}", longname);
    assert_int_equal(load_with(f, "personal_data", value, &c, err), 0);
    assert_string_equal(c.pd_controller, longname);
    assert_string_equal(c.pd_dpo, "DPD du ministère");
    assert_string_equal(c.pd_dpo_contact, "https://ex.gouv.fr/dpd");
    /* none: the page names the organiser and the support cell */
    assert_int_equal(load_with(f, NULL, NULL, &c, err), 0);
    assert_string_equal(c.pd_dpo, "");
}

/* defi_questions: 2 to 16 {id, fr, en}, ids 0-15 once each; accepted, it
 * is the menu the pages offer; a refusal leaves the built-in one. */
static void test_defi_questions_config(void **state)
{
    docs_fixture *f = *state;
    static const char *const bad[] = {
        "[]", "{}", "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":0,\"fr\":\"b\",\"en\":\"b\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":16,\"fr\":\"b\",\"en\":\"b\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":-1,\"fr\":\"b\",\"en\":\"b\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":1,\"fr\":\"\",\"en\":\"b\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":1,\"fr\":\"b\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":\"1\",\"fr\":\"b\",\"en\":\"b\"}]",
        "[{\"id\":0,\"fr\":\"a\",\"en\":\"a\"},{\"id\":1,\"fr\":\"b\",\"en\":\"b\","
        "\"x\":1}]",
    };
    char err[CONFIG_ERR_CHARS];
    static config c;

    refused_all(f, "defi_questions", bad, sizeof bad / sizeof *bad);
    assert_int_equal(access_defi_count(), 5);                   /* the built-in menu */
    assert_int_equal(load_with(f, "defi_questions",
                               "[{\"id\":9,\"fr\":\"Votre plat préféré ?\","
                               "\"en\":\"Your favourite dish?\"},{\"id\":0,\"fr\":\"Animal ?\","
                               "\"en\":\"Pet?\"}]", &c, err), 0);
    assert_int_equal(access_defi_count(), 2);
    assert_int_equal(access_defi_id(0), 9);
    assert_string_equal(access_defi_question(9, "fr"), "Votre plat préféré ?");
    assert_false(access_defi_offered(2));
    assert_int_equal(load_with(f, NULL, NULL, &c, err), 0);
    assert_int_equal(access_defi_count(), 5);
}

/* The example definition with these professions de foi (3 then 4 lists). */
static void definition_with(const docs_fixture *f, const char *file, const char *const names[7])
{
    char *def = tu_definition(time(NULL) - 60, time(NULL) + 86400);
    json_t *d = json_loads(def, 0, NULL), *lists;

    assert_non_null(d);
    free(def);
    for (size_t k = 0, i = 0; k < 2; k++) {
        lists = json_object_get(json_array_get(json_object_get(d, "scrutins"), k), "lists");
        assert_int_equal(json_array_size(lists), k == 0 ? 3 : 4);
        for (size_t l = 0; l < json_array_size(lists); l++, i++)
            json_object_set_new(json_array_get(lists, l), "profession_de_foi",
                                json_string(names[i]));
    }
    def = json_dumps(d, JSON_INDENT(1));
    json_decref(d);
    put(f->dir, file, def, strlen(def));
    free(def);
}

/* votectl init refuses a definition naming a document that is not served
 * (creating nothing); files deposited or replaced after init are refused
 * when asked for: the daemon serves only the good ones. */
static void test_documents_served(void **state)
{
    docs_fixture *f = *state;
    static const char *const bad[7] = {
        "professions/a.pdf", "fake.pdf", "keys.pdf",
        "affiche.png", "../server-keys.json", "/etc/passwd.pdf", "up/secret.pdf",
    };
    static const char *const later[7] = {
        "professions/a.pdf", "fake.pdf", "keys.pdf",
        "affiche.png", "outside.pdf", "png-named.pdf", "up/secret.pdf",
    };
    const long want[7] = { 200, 404, 404, 200, 404, 404, 404 };
    char cfg[PATH_MAX + 32], out[16384];
    tu_reply r;
    int pid;

    assert_int_equal(tu_config(f->dir, bin, NULL, cfg, sizeof cfg), 0);
    definition_with(f, "bad.json", bad);
    assert_int_equal(tu_sh(out, sizeof out, "exec 2>&1; cd %s && %s/votectl -c votesrv.json init bad.json",
                           f->dir, bin), 3);
    for (int i = 1; i < 7; i++) {
        char line[128];

        snprintf(line, sizeof line, "%s: refused: only PDF, PNG or JPEG", bad[i]);
        if (i != 3 && strstr(out, line) == NULL)
            fail_msg("no refusal of %s in: %s", bad[i], out);
    }
    assert_int_equal(tu_sh(out, sizeof out, "test ! -e %s/server-keys.json && "
                           "test ! -e %s/ballots.db", f->dir, f->dir), 0);
    /* not there at init (a warning), put there afterwards */
    definition_with(f, "e.json", later);
    assert_int_equal(tu_sh(out, sizeof out, "exec 2>&1; cd %s/documents && mkdir aside && "
                           "mv fake.pdf keys.pdf outside.pdf png-named.pdf up aside/ && cd .. && "
                           "%s/votectl -c votesrv.json init e.json && mv documents/aside/* "
                           "documents/", f->dir, bin), 0);
    assert_non_null(strstr(out, "warning: fake.pdf: not in the documents folder"));
    assert_true((pid = tu_daemon_up(bin, f->dir, cfg)) > 0);
    for (int i = 0; i < 7; i++) {
        char url[64];

        snprintf(url, sizeof url, "/professions/%s/%d", i < 3 ? "cap-attaches" : "csa-ministere",
                 i < 3 ? i + 1 : i - 2);
        tu_http(&r, "GET", url, NULL, 0, NULL);
        if (r.status != want[i])
            fail_msg("%s (%s): %ld, not %ld", url, later[i], r.status, want[i]);
        assert_null(strstr(r.body, "audit_sk"));
        assert_null(strstr(r.body, "<script>"));
    }
    tu_http(&r, "GET", "/professions/cap-attaches/1", NULL, 0, NULL);
    assert_memory_equal(r.body, PDF, sizeof PDF - 1);
    tu_http(&r, "GET", "/professions/csa-ministere/1", NULL, 0, NULL);
    assert_memory_equal(r.body, PNG, 8);
    daemon_stop(pid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_file_private),
        cmocka_unit_test_setup_teardown(test_document_names, docs_setup, docs_teardown),
        cmocka_unit_test_setup_teardown(test_documents_folder_apart, docs_setup, docs_teardown),
        cmocka_unit_test_setup_teardown(test_personal_data_config, docs_setup, docs_teardown),
        cmocka_unit_test_setup_teardown(test_demo_mailbox_local_only, docs_setup, docs_teardown),
        cmocka_unit_test_setup_teardown(test_defi_questions_config, docs_setup, docs_teardown),
        cmocka_unit_test_setup_teardown(test_documents_served, docs_setup, docs_teardown),
    };

    umask(077);                         /* the test's own files; the programs get 022 */
    if (tu_bin(bin) != 0)
        return 1;
    return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
