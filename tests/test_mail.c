/* test_mail.c - e-mail through a real SMTP server on loopback (aiosmtpd with
 * STARTTLS and AUTH, certificate made by openssl): an activation link is
 * queued with its event, delivered, read out of the message and used; the
 * outbox erases delivered bodies, retries when the relay is down and gives up
 * on a recipient the relay refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "testutil.h"
#include "access/access.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "M1,Martin,Camille,camille.martin@ex.gouv.fr,E,,attache\n" \
            "M2,Rejet,Rémi,reject.me@ex.gouv.fr,E,,attache\n"

static char *dir;
static store *st;
static tu_smtp smtp;
static mail_config mc;
static mail_ctx *mail;
static access_ctx a;
static uint8_t pepper[32];
static int64_t now;

static int setup(void **state)
{
    char err[300];

    (void)state;
    if (crypto_init() != 0)
        return -1;
    dir = tu_tmpdir();
    now = (int64_t)time(NULL);
    st = tu_election(dir, CSV, now - 60, now + 86400);
    if (tu_smtp_start(&smtp, dir, "relay:s3cret-relay") != 0)
        return -1;
    mc = (mail_config){ .starttls = 1, .timeout_s = 10 };
    snprintf(mc.relay, sizeof mc.relay, "smtp://127.0.0.1:%d", smtp.port);
    snprintf(mc.ca_file, sizeof mc.ca_file, "%s", smtp.cert);
    snprintf(mc.username, sizeof mc.username, "relay");
    snprintf(mc.password, sizeof mc.password, "s3cret-relay");
    snprintf(mc.from, sizeof mc.from, "Bureau de vote <elections@ex.gouv.fr>");
    snprintf(mc.templates, sizeof mc.templates, "../conf/mail");
    snprintf(mc.portal_url, sizeof mc.portal_url, "https://vote.ex.gouv.fr");
    randombytes_buf(pepper, sizeof pepper);
    mail = mail_ctx_new(&mc, pepper, err, sizeof err);
    return mail == NULL || access_init(&a, st, pepper, NULL, mail, 1) != 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_smtp_stop(&smtp);
    access_destroy(&a);
    mail_ctx_free(mail);
    store_close(st);
    tu_rmdir(dir);
    free(dir);
    return 0;
}

static int count(store_tx *tx, void *arg)
{
    uint64_t *n = arg;

    return store_outbox_count(tx, "queued", &n[0]) || store_outbox_count(tx, "sent", &n[1]) ||
           store_outbox_count(tx, "failed", &n[2]);
}

static void counts(uint64_t n[3])
{
    assert_int_equal(store_read(st, count, n), 0);
}

/* The outbox's rows as the database holds them (not through the store's
 * API): a message delivered or given up keeps no recipient, body, time, nor
 * an address in its error. The number of such rows. */
static const char done_rows[] =
    "SELECT recipient, message IS NULL, next_attempt, coalesce(last_error, '') FROM outbox"
    " WHERE state IN ('sent', 'failed')";

static long outbox_done_clean(void)
{
    long rows = 0;

    if (tu_pg()) {
        char conninfo[600];
        PGconn *c;
        PGresult *r;

        assert_int_equal(tu_pg_conninfo(dir, conninfo, sizeof conninfo), 0);
        c = PQconnectdb(conninfo);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PQclear(PQexec(c, "SET search_path = registry"));
        r = PQexec(c, done_rows);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        for (int i = 0; i < PQntuples(r); i++, rows++) {
            assert_string_equal(PQgetvalue(r, i, 0), "");
            assert_string_equal(PQgetvalue(r, i, 1), "t");
            assert_string_equal(PQgetvalue(r, i, 2), "0");
            assert_null(strchr(PQgetvalue(r, i, 3), '@'));
        }
        PQclear(r);
        PQfinish(c);
    } else {
        char path[600];
        sqlite3 *db;
        sqlite3_stmt *q;

        snprintf(path, sizeof path, "%s/registry.db", dir);
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, done_rows, -1, &q, NULL), SQLITE_OK);
        for (; sqlite3_step(q) == SQLITE_ROW; rows++) {
            assert_string_equal((const char *)sqlite3_column_text(q, 0), "");
            assert_int_equal(sqlite3_column_int(q, 1), 1);
            assert_int_equal(sqlite3_column_int64(q, 2), 0);
            assert_null(strchr((const char *)sqlite3_column_text(q, 3), '@'));
        }
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    return rows;
}

static void test_activation_through_smtp(void **state)
{
    access_result res;
    uint64_t n[3], sent_before;
    unsigned sent, failed;
    char *msg, *text, *t, token[ACCESS_TOKEN_CHARS + 1];

    (void)state;
    counts(n);
    sent_before = n[1];
    /* "link not received": one message to that address */
    assert_int_equal(access_request_link(&a, "Camille.Martin@ex.gouv.fr", STORE_LINK_ACTIVATION,
                                         "192.0.2.1", now, &res), ACCESS_OK);
    assert_int_equal(mail_deliver_due(st, mail, now, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(failed, 0);
    msg = tu_smtp_message(&smtp, 1);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "To: <camille.martin@ex.gouv.fr>"));
    assert_non_null(strstr(msg, "From: Bureau de vote <elections@ex.gouv.fr>"));
    assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(msg, "multipart/alternative"));
    assert_non_null(strstr(msg, "Content-Type: text/html; charset=UTF-8"));
    text = tu_mail_text(msg);
    assert_non_null(text);
    assert_non_null(strstr(text, "activer votre compte de vote"));
    assert_non_null(strstr(text, "support-elections@exemple.gouv.fr"));
    t = strstr(text, "https://vote.ex.gouv.fr/activation?t=");
    assert_non_null(t);
    snprintf(token, sizeof token, "%s", t + strlen("https://vote.ex.gouv.fr/activation?t="));
    /* the link read from the message activates the account */
    assert_int_equal(access_activate(&a, token, "des lundis au soleil", 0, "Rex", now, NULL,
                                     &res), ACCESS_OK);
    /* the delivered body is gone from the outbox, and its recipient and time */
    counts(n);
    assert_int_equal(n[0], 0);
    assert_int_equal(n[1], sent_before + 1);
    assert_int_equal(outbox_done_clean(), (long)(n[1] + n[2]));
    free(text);
    free(msg);
}

static int run_issue_m2(store_tx *tx, void *arg)
{
    return access_link_issue_tx(tx, &a, 2, STORE_LINK_ACTIVATION, NULL, now, arg);
}

static void test_refused_recipient_fails_for_good(void **state)
{
    char token[ACCESS_TOKEN_CHARS + 1];
    unsigned sent, failed;
    uint64_t n[3];

    (void)state;
    assert_int_equal(store_write(st, run_issue_m2, token), 0);
    assert_int_equal(mail_deliver_due(st, mail, now, &sent, &failed), 0);
    assert_int_equal(failed, 1);
    counts(n);
    assert_int_equal(n[0], 0);        /* not retried */
    assert_int_equal(n[2], 1);
    /* given up: no recipient, body or time kept either */
    assert_int_equal(outbox_done_clean(), (long)(n[1] + n[2]));
}

static void test_relay_down_then_up(void **state)
{
    access_result res;
    unsigned sent, failed;
    uint64_t n[3];

    (void)state;
    tu_smtp_stop(&smtp);
    assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr", STORE_LINK_PASSWORD,
                                         "192.0.2.1", now, &res), ACCESS_OK);
    assert_int_equal(mail_deliver_due(st, mail, now, &sent, &failed), 0);
    assert_int_equal(failed, 1);
    counts(n);
    assert_int_equal(n[0], 1);        /* kept, to be retried */
    assert_int_equal(mail_deliver_due(st, mail, now + 1, &sent, &failed), 0);
    assert_int_equal(sent + failed, 0);            /* not before its back-off */
    assert_int_equal(tu_smtp_start(&smtp, dir, "relay:s3cret-relay"), 0);
    snprintf(mc.relay, sizeof mc.relay, "smtp://127.0.0.1:%d", smtp.port);
    mail_ctx_free(mail);
    {
        char err[300];

        mail = mail_ctx_new(&mc, pepper, err, sizeof err);
        assert_non_null(mail);
        a.mail = mail;
    }
    assert_int_equal(mail_deliver_due(st, mail, now + 3600, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    counts(n);
    assert_int_equal(n[0], 0);
}

static void test_wrong_relay_password_is_retried(void **state)
{
    access_result res;
    unsigned sent, failed;
    uint64_t n[3];
    char err[300];
    mail_config bad = mc;
    mail_ctx *m;

    (void)state;
    snprintf(bad.password, sizeof bad.password, "wrong");
    bad.timeout_s = 2;
    m = mail_ctx_new(&bad, pepper, err, sizeof err);
    assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr", STORE_LINK_PASSWORD,
                                         "192.0.2.1", now + 7200, &res), ACCESS_OK);
    assert_int_equal(mail_deliver_due(st, m, now + 7200, &sent, &failed), 0);
    assert_int_equal(failed, 1);
    counts(n);
    assert_int_equal(n[0], 1);         /* a configuration problem: kept for later */
    mail_ctx_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_through_smtp),
        cmocka_unit_test(test_refused_recipient_fails_for_good),
        cmocka_unit_test(test_relay_down_then_up),
        cmocka_unit_test(test_wrong_relay_password_is_retried),
    };
    return cmocka_run_group_tests_name("mail", tests, setup, teardown);
}
