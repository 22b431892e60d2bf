/* test_mail_file.c - the file transport (mail/file.c) and the outbox's
 * figures: an activation link queued with no From configured lands, once
 * delivered, as one .eml file (mode 0600, no temporary file left) whose
 * From is the organiser's name and the election's support address, whose
 * To, Subject and link are right, and which the demo's mailbox reader lists;
 * a folder that cannot be written marks nothing sent and leaves nothing
 * behind, and the message goes out once it can; the figures of /metrics and
 * /healthz (queued, sent, failed, retrying, oldest waiting age, degraded);
 * the "mail" object's forms (a demo mailbox never with an SMTP relay). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "signer/signer.h"
#include "testutil.h"
#include "access/access.h"
#include "store/store.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "M1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n" \
            "M2,Petit,Louise,louise.petit@ex.gouv.fr,E,,attache\n"

/* What every test here shares: an open election in a fresh folder, its
 * file transport (mailbox/ in it, no From configured) and access layer. */
static struct {
    char *dir;
    store *st;
    mail_ctx *mail;
    signer_keys keys;
    int64_t now;
} fx;
static access_ctx a;
static char folder[600];

static int setup(void **state)
{
    /* a file transport with no From: the organiser's is used */
    mail_config mc = { .transport = MAIL_TRANSPORT_FILE, .timeout_s = 30 };
    uint8_t pepper[32];
    char err[300];

    (void)state;
    if (crypto_init() != 0)
        return -1;
    fx.dir = tu_tmpdir();
    fx.now = (int64_t)time(NULL);
    fx.st = tu_election(fx.dir, CSV, fx.now - 60, fx.now + 86400);
    snprintf(folder, sizeof folder, "%s/mailbox", fx.dir);
    snprintf(mc.folder, sizeof mc.folder, "%s", folder);
    snprintf(mc.templates, sizeof mc.templates, "../conf/mail");
    snprintf(mc.portal_url, sizeof mc.portal_url, "http://127.0.0.1:18123");
    randombytes_buf(pepper, sizeof pepper);
    signer_keys_derive(&fx.keys, pepper, pepper);
    fx.mail = mail_ctx_new(&mc, fx.keys.outbox_key, err, sizeof err);
    return fx.mail == NULL || access_init(&a, fx.st, &fx.keys, NULL, fx.mail, 1) != 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    access_destroy(&a);
    mail_ctx_free(fx.mail);
    store_close(fx.st);
    tu_rmdir(fx.dir);
    free(fx.dir);
    return 0;
}

static const char *path_in(const char *d, const char *name)
{
    static char p[1000];

    snprintf(p, sizeof p, "%s/%s", d, name);
    return p;
}

static char *read_in(const char *d, const char *name)
{
    FILE *f = fopen(path_in(d, name), "rb");
    char *buf = calloc(1, 1 << 16);

    assert_non_null(f);
    assert_non_null(buf);
    assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
    fclose(f);
    return buf;
}

static int run_stats(store_tx *tx, void *arg)
{
    return store_outbox_stats(tx, fx.now, arg);
}

static store_outbox_figures figures(void)
{
    store_outbox_figures f;

    assert_int_equal(store_read(fx.st, run_stats, &f), STORE_OK);
    return f;
}

/* The folder's entries: .eml files in *eml (the last one's name in last),
 * anything else in *other. */
static void folder_scan(int *eml, int *other, char last[300])
{
    DIR *d = opendir(folder);
    struct dirent *e;

    *eml = *other = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".eml") == 0) {
            (*eml)++;
            snprintf(last, 300, "%s", e->d_name);
        } else {
            (*other)++;
        }
    }
    closedir(d);
}

static char *decoded_subject(const char *msg)
{
    const char *s = strstr(msg, "\r\nSubject: =?UTF-8?B?");
    static char out[512];
    size_t n, len = 0;

    assert_non_null(s);
    s += strlen("\r\nSubject: =?UTF-8?B?");
    n = strcspn(s, "?");
    assert_int_equal(sodium_base642bin((unsigned char *)out, sizeof out - 1, s, n, NULL, &len,
                                       NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    out[len] = '\0';
    return out;
}

static int listed(const mail_file_entry *e, void *arg)
{
    mail_file_entry *out = arg;

    *out = *e;
    return 0;
}

/* A folder that cannot be written (missing, then a file in its place): the
 * message stays queued, nothing is marked sent, nothing is left; then it
 * goes out. */
static void test_unwritable_folder_marks_nothing_sent(void **state)
{
    access_result res;
    store_outbox_figures f0, f;
    unsigned sent, failed;
    int eml, other;
    char last[300];

    (void)state;
    f0 = figures();
    assert_int_equal(access_request_link(&a, "louise.petit@ex.gouv.fr", STORE_LINK_ACTIVATION,
                                         "192.0.2.1", fx.now, &res), ACCESS_OK);
    f = figures();
    assert_int_equal(f.queued, f0.queued + 1);
    /* no folder */
    assert_int_equal(mail_deliver_due(fx.st, fx.mail, fx.now, &sent, &failed), 0);
    assert_int_equal(sent, 0);
    assert_int_equal(failed, 1);
    f = figures();
    assert_int_equal(f.sent, f0.sent);
    assert_int_equal(f.queued, f0.queued + 1);
    assert_int_equal(f.retrying, 1);
    /* a file where the folder should be */
    free(tu_write(fx.dir, "mailbox", "not a folder\n"));
    assert_int_equal(mail_deliver_due(fx.st, fx.mail, fx.now + 3600, &sent, &failed), 0);
    assert_int_equal(sent, 0);
    assert_int_equal(failed, 1);
    assert_int_equal(figures().sent, f0.sent);
    /* the folder is there: delivered once due again, and nothing else is in it */
    assert_int_equal(unlink(folder), 0);
    assert_int_equal(mkdir(folder, 0700), 0);
    assert_int_equal(mail_deliver_due(fx.st, fx.mail, fx.now + 7200, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(failed, 0);
    folder_scan(&eml, &other, last);
    assert_int_equal(eml, 1);
    assert_int_equal(other, 0);
    f = figures();
    assert_int_equal(f.sent, f0.sent + 1);
    assert_int_equal(f.queued, f0.queued);
    assert_int_equal(f.retrying, 0);
    assert_int_equal(unlink(path_in(folder, last)), 0);
}

static void test_message_lands_as_eml(void **state)
{
    access_result res;
    unsigned sent, failed;
    int eml, other;
    char last[300], *msg, *text, b64[200], expect[300], target[1000];
    const char *org = "Ministère de l'Exemple, bureau central de vote";
    struct stat sb;
    mail_file_entry e = { 0 };

    (void)state;
    assert_int_equal(access_request_link(&a, "Camille.Martin@ex.gouv.fr", STORE_LINK_ACTIVATION,
                                         "192.0.2.1", fx.now, &res), ACCESS_OK);
    assert_int_equal(mail_deliver_due(fx.st, fx.mail, fx.now, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(failed, 0);
    folder_scan(&eml, &other, last);
    assert_int_equal(eml, 1);
    assert_int_equal(other, 0);                     /* no temporary file left */
    assert_int_equal(stat(path_in(folder, last), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    msg = read_in(folder, last);
    assert_non_null(msg);
    /* the RFC 5322 text the SMTP path would send */
    assert_non_null(strstr(msg, "\r\nTo: <camille.martin@ex.gouv.fr>\r\n"));
    assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(msg, "\r\nMessage-ID: <"));
    assert_non_null(strstr(msg, "@exemple.gouv.fr>\r\n"));
    /* no From configured: the organiser's name and the support address, not
     * an empty From */
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)org, strlen(org),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(expect, sizeof expect, "From: =?UTF-8?B?%s?= <support-elections@exemple.gouv.fr>\r\n",
             b64);
    assert_true(strncmp(msg, expect, strlen(expect)) == 0);
    assert_non_null(strstr(decoded_subject(msg), "activez votre compte de vote"));
    text = tu_mail_text(msg);
    assert_non_null(text);
    assert_non_null(strstr(text, "http://127.0.0.1:18123/activation?t="));
    /* the demo's mailbox page reads it back */
    assert_int_equal(mail_folder_list(folder, "CAMILLE.MARTIN@ex.gouv.fr", 10, listed, &e), 1);
    assert_string_equal(e.to, "camille.martin@ex.gouv.fr");
    assert_string_equal(e.subject, decoded_subject(msg));
    assert_int_equal(e.nlinks, 2);                  /* the link, then the personal-data page */
    assert_non_null(strstr(text, e.links[0]));
    assert_non_null(strstr(e.links[0], "http://127.0.0.1:18123/activation?t="));
    assert_string_equal(e.links[1], "http://127.0.0.1:18123/donnees-personnelles");
    assert_int_equal(mail_folder_list(folder, "nobody@ex.gouv.fr", 10, listed, &e), 0);
    /* a symbolic link dropped in the folder is not followed (it could name
     * any file the writer may read) */
    snprintf(target, sizeof target, "%s", path_in(folder, last));
    assert_int_equal(symlink(target, path_in(folder, "99999999999-link.eml")), 0);
    assert_int_equal(mail_folder_list(folder, "camille.martin@ex.gouv.fr", 10, listed, &e), 1);
    assert_int_equal(unlink(path_in(folder, "99999999999-link.eml")), 0);
    free(text);
    free(msg);
}

/* The figures /metrics and /healthz show: a message waiting too long makes
 * mail degraded; delivered, it is not any more. */
static void test_outbox_figures(void **state)
{
    access_result res;
    store_outbox_figures f0, f;
    unsigned sent, failed;
    int degraded = 0;
    const char *why = NULL;

    (void)state;
    f0 = figures();
    assert_int_equal(f0.queued, 0);
    assert_int_equal(f0.oldest_waiting_s, 0);
    assert_int_equal(mail_outbox_status(fx.st, fx.now, &f, &degraded, &why), STORE_OK);
    assert_false(degraded);
    assert_string_equal(why, "");
    assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr", STORE_LINK_ACTIVATION,
                                         "192.0.2.1", fx.now - 2000, &res), ACCESS_OK);
    f = figures();
    assert_int_equal(f.queued, 1);
    assert_true(f.oldest_waiting_s >= 2000 && f.oldest_waiting_s < 2100);
    assert_int_equal(mail_outbox_status(fx.st, fx.now, &f, &degraded, &why), STORE_OK);
    assert_true(degraded);
    assert_non_null(strstr(why, "waited too long"));
    assert_int_equal(mail_deliver_due(fx.st, fx.mail, fx.now, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(mail_outbox_status(fx.st, fx.now, &f, &degraded, &why), STORE_OK);
    assert_false(degraded);
    assert_int_equal(f.queued, 0);
    assert_int_equal(f.sent, f0.sent + 1);
    assert_int_equal(f.oldest_waiting_s, 0);
}

static int parse(const char *text, mail_config *out, char *err, size_t errlen)
{
    json_t *j = json_loads(text, 0, NULL);
    int rc;

    assert_non_null(j);
    memset(out, 0, sizeof *out);
    rc = mail_config_parse(out, j, "/etc/votesrv/votesrv.json", err, errlen);
    json_decref(j);
    return rc;
}

static void test_mail_object_forms(void **state)
{
    mail_config m;
    char err[400];

    (void)state;
    assert_int_equal(parse("{\"transport\": \"file\", \"folder\": \"out\"}", &m, err,
                           sizeof err), 0);
    assert_int_equal(m.transport, MAIL_TRANSPORT_FILE);
    assert_string_equal(m.folder, "/etc/votesrv/out");
    assert_false(m.demo_mailbox);
    assert_int_equal(parse("{\"transport\": \"file\", \"folder\": \"/srv/mail\", \"from\": "
                           "\"Bureau <b@ex.fr>\", \"demo_mailbox\": true}", &m, err, sizeof err),
                     0);
    assert_true(m.demo_mailbox);
    assert_string_equal(m.from, "Bureau <b@ex.fr>");
    /* the demo's mailbox page never with a relay: it would show live links */
    assert_int_equal(parse("{\"relay\": \"smtp://127.0.0.1:25\", \"from\": \"b@ex.fr\", "
                           "\"demo_mailbox\": true}", &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "never with an SMTP relay"));
    assert_int_equal(parse("{\"transport\": \"file\", \"folder\": \"out\", \"relay\": "
                           "\"smtp://127.0.0.1:25\"}", &m, err, sizeof err), -1);
    assert_int_equal(parse("{\"transport\": \"file\"}", &m, err, sizeof err), -1);
    assert_int_equal(parse("{\"transport\": \"pigeon\", \"folder\": \"out\"}", &m, err,
                           sizeof err), -1);
    assert_int_equal(parse("{\"transport\": \"smtp\", \"relay\": \"smtp://127.0.0.1:25\", "
                           "\"from\": \"b@ex.fr\"}", &m, err, sizeof err), 0);
    assert_int_equal(m.transport, MAIL_TRANSPORT_SMTP);
}

/* The outbox's figures are read by /healthz on every check: whatever columns
 * they need come from an index, never from the rows, which hold every waiting
 * message (20,000 queued acknowledgements during an opening rush made each
 * check scan some 100 MB and hold SQLite's writer back). */
static void test_outbox_figures_from_an_index(void **state)
{
    char out[2048];

    (void)state;
    if (tu_pg()) {
        tu_sqlite_only("the query plan of SQLite's registry");
        return;
    }
    assert_int_equal(tu_sh(out, sizeof out, "sqlite3 %s/registry.db \"EXPLAIN QUERY PLAN "
                           "SELECT state, attempts, queued_at, next_attempt FROM outbox\"",
                           fx.dir), 0);
    assert_non_null(strstr(out, "COVERING INDEX"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unwritable_folder_marks_nothing_sent),
        cmocka_unit_test(test_message_lands_as_eml),
        cmocka_unit_test(test_outbox_figures),
        cmocka_unit_test(test_outbox_figures_from_an_index),
        cmocka_unit_test(test_mail_object_forms),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
