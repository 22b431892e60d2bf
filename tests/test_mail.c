/* test_mail.c - e-mail through a real SMTP server on loopback (aiosmtpd with
 * STARTTLS and AUTH, certificate made by openssl): an activation link is
 * queued with its event, delivered, read out of the message and used; the
 * outbox erases delivered bodies, retries when the relay is down and gives up
 * on a recipient the relay refuses. The same through the mailer process
 * (votesrv/mailer.c, a real votesrv-mailer): delivered, with the relay's
 * password handed over; a broken mailer's answers (another kind, a bad
 * outcome, no NUL, control bytes, bytes past the frame, a frame over the
 * bound, no answer) are refused without a crash and the message stays queued;
 * a mailer that keeps silent, sends half an answer or does not read is ended
 * after the relay's timeout and a margin (the message stays queued); a
 * mailer that does not exit at the end of its channel is killed by
 * mailer_free, and one the writer may not kill (another user's) does not hold
 * it either; the mailer gets an empty environment. The misbehaving mailer
 * processes are this program itself, run as votesrv --mailer would be. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "signer/signer.h"
#include "testutil.h"
#include "access/access.h"
#include "votesrv/log.h"
#include "mail/mail_internal.h"
#include "votesrv/server.h"

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
static signer_keys keys;
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
    signer_keys_derive(&keys, pepper, pepper);
    mail = mail_ctx_new(&mc, keys.outbox_key, err, sizeof err);
    return mail == NULL || access_init(&a, st, &keys, NULL, mail, 1) != 0 ? -1 : 0;
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

        mail = mail_ctx_new(&mc, keys.outbox_key, err, sizeof err);
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
    m = mail_ctx_new(&bad, keys.outbox_key, err, sizeof err);
    assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr", STORE_LINK_PASSWORD,
                                         "192.0.2.1", now + 7200, &res), ACCESS_OK);
    assert_int_equal(mail_deliver_due(st, m, now + 7200, &sent, &failed), 0);
    assert_int_equal(failed, 1);
    counts(n);
    assert_int_equal(n[0], 1);         /* a configuration problem: kept for later */
    mail_ctx_free(m);
}

/* A mail context of its own whose transport is m (the context forgets the
 * relay's password: the mailer has it). */
static mail_ctx *ctx_through(mailer *m)
{
    char err[300];
    mail_ctx *c = mail_ctx_new(&mc, keys.outbox_key, err, sizeof err);

    assert_non_null(c);
    mail_transport_set(c, mailer_transport, m);
    return c;
}

/* A real votesrv-mailer (bin/votesrv --mailer), sandboxed, delivers through
 * the sink with STARTTLS and the relay's password; this process opens no
 * connection to the relay (the mailer does). */
static void test_delivery_through_the_mailer_process(void **state)
{
    char bin[PATH_MAX], exe[PATH_MAX + 16], err[CONFIG_ERR_CHARS], *msg;
    access_result res;
    unsigned sent, failed;
    uint64_t n[3];
    int last = 0, before;
    mailer *m;
    mail_ctx *c;

    (void)state;
    assert_int_equal(tu_bin(bin), 0);
    snprintf(exe, sizeof exe, "%s/votesrv", bin);
    m = mailer_spawn(exe, &mc, "nobody", "error", err, sizeof err);
    if (m == NULL)
        fprintf(stderr, "%s\n", err);
    assert_non_null(m);
    assert_true(mailer_pid(m) > 0);
    c = ctx_through(m);
    before = tu_smtp_mails_to(&smtp, "camille.martin@ex.gouv.fr", &last);
    assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr", STORE_LINK_PASSWORD,
                                         "192.0.2.1", now + 20000, &res), ACCESS_OK);
    assert_int_equal(mail_deliver_due(st, c, now + 20000, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(failed, 0);
    assert_int_equal(tu_smtp_mails_to(&smtp, "camille.martin@ex.gouv.fr", &last), before + 1);
    msg = tu_smtp_message(&smtp, last);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "To: <camille.martin@ex.gouv.fr>"));
    free(msg);
    /* a refusal for good comes back as such, with the relay's reason */
    assert_int_equal(mailer_transport(m, "reject.me@ex.gouv.fr", (const uint8_t *)"x\r\n", 3,
                                      err, sizeof err), 2);
    assert_non_null(strstr(err, "SMTP 550"));
    /* beyond the bounds: refused here, never sent */
    assert_int_equal(mailer_transport(m, "a b@ex.gouv.fr", (const uint8_t *)"x", 1, err,
                                      sizeof err), 2);
    assert_int_equal(mailer_transport(m, "x@ex.gouv.fr", (const uint8_t *)"x", 0, err,
                                      sizeof err), 2);
    counts(n);
    assert_int_equal(n[0], 0);
    mail_ctx_free(c);
    mailer_free(m);
}

/* ---- a broken mailer ---- */

typedef enum {
    BAD_KIND, BAD_OUTCOME, BAD_NO_NUL, BAD_CONTROL, BAD_TRAILING, BAD_OVERSIZED, BAD_SILENT,
    BAD_SHORT, GOOD_SENT, GOOD_PERMANENT, BAD_COUNT
} bad_answer;

typedef struct {
    int fd;
    bad_answer how;
    size_t got;            /* the message's bytes, as the mailer read them */
} fake_mailer;

static void put_u32(char *b, size_t *o, uint32_t v)
{
    memcpy(b + *o, &v, 4);
    *o += 4;
}

/* Read one MAILER_SEND, answer as told. */
static void *fake_main(void *arg)
{
    fake_mailer *f = arg;
    char b[512];
    size_t o = 8;
    uint32_t head[2], kind = MAILER_RESULT;
    frame_in r;

    if (frame_recv(f->fd, MAILER_SEND_MAX, &head[0], &r, NULL) == 1 && head[0] == MAILER_SEND) {
        size_t len = 0;

        frame_get_str(&r);
        frame_get_str(&r);
        frame_get_bytes(&r, &len);
        f->got = r.bad ? 0 : len;
    }
    free(r.mem);
    switch (f->how) {
    case BAD_SILENT:
        shutdown(f->fd, SHUT_RDWR);
        return NULL;
    case BAD_OVERSIZED:
        head[0] = MAILER_RESULT;
        head[1] = 0xfffffff0u;
        send(f->fd, head, sizeof head, MSG_NOSIGNAL);
        return NULL;
    case BAD_KIND:
        kind = 77;
        /* fall through */
    default:
        put_u32(b, &o, f->how == BAD_OUTCOME ? 3 : f->how == GOOD_PERMANENT ? 2
                                               : f->how == GOOD_SENT ? 0 : 1);
        if (f->how == BAD_SHORT)
            break;
        /* 7 bytes: "250 ok" and its NUL, or no NUL, or a line feed inside */
        put_u32(b, &o, 7);
        memcpy(b + o, f->how == BAD_NO_NUL ? "250 okX" : f->how == BAD_CONTROL ? "250\nok"
                                                                              : "250 ok", 7);
        o += 7;
        break;
    }
    head[0] = kind;
    head[1] = (uint32_t)(o - 8);
    memcpy(b, head, sizeof head);
    if (f->how == BAD_TRAILING) {       /* a well-formed frame, and bytes past it */
        memcpy(b + o, "junk", 4);
        o += 4;
    }
    send(f->fd, b, o, MSG_NOSIGNAL);
    return NULL;
}

/* Each broken answer: refused (a temporary failure, "the mailer process
 * failed"), the channel ended, no crash; well-formed answers are taken. The
 * outbox keeps a message whose answer was refused. */
static void test_broken_mailer_answers_refused(void **state)
{
    static const uint8_t msg[] = "Subject: x\r\n\r\nbody\r\n";
    access_result res;
    unsigned sent, failed;
    uint64_t n[3];
    char err[MAILER_REASON_CHARS];

    (void)state;
    log_set_level("error");
    for (int how = 0; how < BAD_COUNT; how++) {
        fake_mailer f = { .how = (bad_answer)how };
        pthread_t t;
        int sv[2], rc;
        mailer *m;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        f.fd = sv[1];
        m = mailer_adopt(sv[0], &mc);
        assert_non_null(m);
        assert_int_equal(pthread_create(&t, NULL, fake_main, &f), 0);
        err[0] = '\0';
        rc = mailer_transport(m, "camille.martin@ex.gouv.fr", msg, sizeof msg - 1, err,
                              sizeof err);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(f.got, sizeof msg - 1);
        if (how == GOOD_SENT) {
            assert_int_equal(rc, 0);
        } else if (how == GOOD_PERMANENT) {
            assert_int_equal(rc, 2);
            assert_string_equal(err, "250 ok");
        } else {
            assert_int_equal(rc, 1);
            assert_string_equal(err, "the mailer process failed");
            /* that mailer is done with: the next message finds no channel */
            assert_int_equal(mailer_transport(m, "camille.martin@ex.gouv.fr", msg,
                                              sizeof msg - 1, err, sizeof err), 1);
        }
        close(sv[1]);
        mailer_free(m);
    }
    /* through the outbox: the message is kept for a later attempt */
    {
        fake_mailer f = { .how = BAD_OUTCOME };
        uint64_t queued;
        pthread_t t;
        int sv[2];
        mailer *m;
        mail_ctx *c;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        f.fd = sv[1];
        m = mailer_adopt(sv[0], &mc);
        c = ctx_through(m);
        assert_int_equal(pthread_create(&t, NULL, fake_main, &f), 0);
        counts(n);
        queued = n[0];
        assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr",
                                             STORE_LINK_PASSWORD, "192.0.2.1", now + 30000,
                                             &res), ACCESS_OK);
        assert_int_equal(mail_deliver_due(st, c, now + 30000, &sent, &failed), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(sent, 0);
        assert_true(failed >= 1);               /* and the message the relay refused before */
        counts(n);
        assert_int_equal(n[0], queued + 1);     /* queued still, for a later attempt */
        close(sv[1]);
        mail_ctx_free(c);
        mailer_free(m);
    }
}

/* ---- a mailer that holds the writer ---- */

typedef enum { HOLD_SILENT, HOLD_HALF, HOLD_DEAF, HOLD_COUNT } hold_how;

typedef struct {
    int fd;
    hold_how how;
} holding_mailer;

/* Read the message (but HOLD_DEAF, which reads nothing), answer nothing or
 * half a header, and keep the channel open until the writer ends it. */
static void *holding_main(void *arg)
{
    holding_mailer *h = arg;
    struct pollfd p = { .fd = h->fd, .events = POLLRDHUP };
    uint32_t kind = 0;
    frame_in r;

    if (h->how != HOLD_DEAF && frame_recv(h->fd, MAILER_SEND_MAX, &kind, &r, NULL) == 1)
        free(r.mem);
    if (h->how == HOLD_HALF)
        send(h->fd, "\x13\0\0\0", 4, MSG_NOSIGNAL);     /* MAILER_RESULT's kind, no more */
    while (poll(&p, 1, -1) >= 0 && !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
        ;
    return NULL;
}

static void on_alarm(int sig)
{
    static const char m[] = "the writer hung: alarm\n";

    (void)sig;
    (void)!write(2, m, sizeof m - 1);
    _exit(99);
}

static int64_t mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A mailer that keeps silent with the message, answers half a frame, or
 * does not even read it (a message larger than the channel holds): the writer
 * waits the relay's timeout (and a margin), no longer, ends that mailer, and
 * the message counts as a temporary failure (it stays queued). alarm(): a
 * hang fails the test; the lower bound only says it did not give up early. */
static void test_silent_mailer_ended_in_time(void **state)
{
    mail_config quick = mc;
    uint8_t *big = malloc(MAILER_MESSAGE_MAX);
    char err[MAILER_REASON_CHARS];
    uint64_t n[3], queued;
    access_result res;
    unsigned sent, failed;

    (void)state;
    assert_non_null(big);
    memset(big, 'x', MAILER_MESSAGE_MAX);
    memcpy(big, "Subject: x\r\n\r\n", 14);
    quick.timeout_s = 1;
    quick.answer_margin_s = 1;      /* ended after 2 s, not 6 (the point is that it is) */
    log_set_level("error");
    signal(SIGALRM, on_alarm);
    for (int how = 0; how < HOLD_COUNT; how++) {
        holding_mailer h = { .how = (hold_how)how };
        pthread_t t;
        int sv[2], rc;
        int64_t t0;
        mailer *m;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        h.fd = sv[1];
        m = mailer_adopt(sv[0], &quick);
        assert_non_null(m);
        assert_int_equal(pthread_create(&t, NULL, holding_main, &h), 0);
        alarm(120);
        t0 = mono_ms();
        rc = mailer_transport(m, "camille.martin@ex.gouv.fr", big, MAILER_MESSAGE_MAX, err,
                              sizeof err);
        assert_true(mono_ms() - t0 >= (int64_t)quick.timeout_s * 1000);
        assert_int_equal(rc, 1);
        assert_string_equal(err, "the mailer process failed");
        assert_int_equal(pthread_join(t, NULL), 0);    /* it saw the end of its channel */
        alarm(0);
        close(sv[1]);
        mailer_free(m);
    }
    /* through the outbox: the message stays queued */
    {
        holding_mailer h = { .how = HOLD_SILENT };
        pthread_t t;
        int sv[2];
        mailer *m;
        mail_ctx *c;
        char e2[300];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        h.fd = sv[1];
        m = mailer_adopt(sv[0], &quick);
        c = mail_ctx_new(&quick, keys.outbox_key, e2, sizeof e2);
        assert_non_null(c);
        mail_transport_set(c, mailer_transport, m);
        assert_int_equal(pthread_create(&t, NULL, holding_main, &h), 0);
        counts(n);
        queued = n[0];
        assert_int_equal(access_request_link(&a, "camille.martin@ex.gouv.fr",
                                             STORE_LINK_PASSWORD, "192.0.2.1", now + 40000,
                                             &res), ACCESS_OK);
        alarm(120);
        assert_int_equal(mail_deliver_due(st, c, now + 40000, &sent, &failed), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        alarm(0);
        assert_int_equal(sent, 0);
        assert_true(failed >= 1);
        counts(n);
        assert_true(n[0] >= queued + 1);        /* queued still, for a later attempt */
        close(sv[1]);
        mail_ctx_free(c);
        mailer_free(m);
    }
    free(big);
}

/* The misbehaving mailer process (this program run as votesrv --mailer): it
 * takes its settings, refuses to start if the writer's environment came
 * through exec, says MAILER_READY and, as its settings' username says:
 * "stay": stays after the end of its channel, SIGTERM ignored; "other-user":
 * becomes uid 65534 (as the real one becomes privsep.user), answers its first
 * MAILER_SEND with a frame of another kind (the writer ends it), and stays. */
static int fake_mailer_process(void)
{
    extern char **environ;
    frame_out ready = { 0 }, none = { 0 };
    uint32_t kind = 0;
    char mode[64], b[4096];
    frame_in r;
    const char *user;
    int other;

    signal(SIGTERM, SIG_IGN);
    if (frame_recv(3, MAILER_CONFIG_MAX, &kind, &r, NULL) != 1 || kind != MAILER_CONFIG)
        _exit(1);
    frame_get_str(&r);
    frame_get_u32(&r);
    frame_get_u32(&r);
    user = frame_get_str(&r);
    snprintf(mode, sizeof mode, "%s", user != NULL ? user : "");
    if (environ != NULL && environ[0] != NULL)
        _exit(2);                       /* the writer's environment (PGPASSWORD...) */
    other = strcmp(mode, "other-user") == 0;
    if (other && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
        _exit(3);
    prctl(PR_SET_PDEATHSIG, SIGKILL);   /* nothing left behind by the test */
    if (frame_send(3, MAILER_READY, &ready, -1) != 0)
        _exit(1);
    if (other && frame_recv(3, MAILER_SEND_MAX, &kind, &r, NULL) == 1 &&
        frame_send(3, 77, &none, -1) != 0)
        _exit(1);
    while (read(3, b, sizeof b) > 0)    /* until the writer ends the channel... */
        ;
    for (;;)                            /* ...and then stay */
        pause();
}

/* A mailer that does not exit at the end of its channel: mailer_free does
 * not wait for it without a bound, kills it (the writer may: same user) and
 * reaps it. The test's environment holds PGPASSWORD: the mailer would refuse
 * to start had it come through (an empty environment). */
static void test_mailer_that_stays_is_killed(void **state)
{
    mail_config stay = mc;
    char err[CONFIG_ERR_CHARS];
    pid_t pid;
    mailer *m;

    (void)state;
    snprintf(stay.username, sizeof stay.username, "stay");
    setenv("PGPASSWORD", "secret-xyz", 1);
    m = mailer_spawn("/proc/self/exe", &stay, "nobody", "error", err, sizeof err);
    unsetenv("PGPASSWORD");
    if (m == NULL)
        fail_msg("%s (the writer's environment reached the mailer?)", err);
    pid = mailer_pid(m);
    assert_true(pid > 0);
    signal(SIGALRM, on_alarm);
    alarm(120);
    mailer_free(m);                     /* on the old code: never returns */
    alarm(0);
    assert_int_equal(kill(pid, 0), -1); /* killed and reaped */
    assert_int_equal(errno, ESRCH);
}

/* The writer of its own user (privsep.writer_user: uid 1 here, a child), its
 * mailer of another (65534): the writer may not kill it (EPERM); a mailer
 * that answers a frame of another kind and stays does not hold it: the
 * message fails for now (temporary), and the writer goes on and exits, in a
 * bounded time (the real mailer's parent-death signal then ends it:
 * test_mailer's test_writer_death_ends_the_mailer). */
static void test_writer_not_held_by_a_mailer_of_another_user(void **state)
{
    int p[2], done = 0, st = 0;
    pid_t writer, mp = 0;

    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    writer = fork();
    assert_true(writer >= 0);
    if (writer == 0) {
        static const uint8_t msg[] = "Subject: x\r\n\r\nbody\r\n";
        mail_config other = mc;
        char err[CONFIG_ERR_CHARS];
        mailer *m;
        pid_t pid;
        int rc;

        close(p[0]);
        snprintf(other.username, sizeof other.username, "other-user");
        m = mailer_spawn("/proc/self/exe", &other, "nobody", "error", err, sizeof err);
        pid = m != NULL ? mailer_pid(m) : 0;
        if (write(p[1], &pid, sizeof pid) != sizeof pid || m == NULL)
            _exit(3);
        if (setgroups(0, NULL) != 0 || setgid(1) != 0 || setuid(1) != 0)
            _exit(4);                   /* as sandbox_enter_writer */
        if (kill(pid, SIGKILL) == 0 || errno != EPERM)
            _exit(5);                   /* the premise: it may not */
        rc = mailer_transport(m, "camille.martin@ex.gouv.fr", msg, sizeof msg - 1, err,
                              sizeof err);
        mailer_free(m);
        _exit(rc == 1 ? 0 : 6);
    }
    close(p[1]);
    assert_int_equal(read(p[0], &mp, sizeof mp), sizeof mp);
    close(p[0]);
    /* bounded by CHILD_KILL_WAIT_MS in the writer: 120 s only a hang reaches */
    for (int i = 0; i < 1200 && !done; i++) {
        done = waitpid(writer, &st, WNOHANG) == writer;
        if (!done)
            usleep(100 * 1000);
    }
    if (!done) {
        kill(mp, SIGKILL);              /* release it */
        waitpid(writer, &st, 0);
    }
    if (mp > 0)
        kill(mp, SIGKILL);
    assert_true(mp > 0);
    assert_true(done);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- the sender's stop ---- */

typedef struct {
    mail_sender *ms;
    atomic_int calls;
} stop_probe;

static stop_probe probe;

/* The daemon is asked to stop while this message is on its way. */
static int stopping_transport(void *cls, const char *rcpt_to, const uint8_t *msg, size_t len,
                              char *err, size_t errlen)
{
    stop_probe *p = cls;

    (void)rcpt_to;
    (void)msg;
    (void)len;
    if (atomic_fetch_add(&p->calls, 1) == 0)
        mail_sender_ask_stop(p->ms);
    snprintf(err, errlen, "relay timeout");
    return 1;
}

static int queue_three(store_tx *tx, void *arg)
{
    const mail_ctx *c = arg;
    const char *const vars[] = { "election", "CSA", "organiser", "Ministère", "link",
                                 "https://vote.ex.gouv.fr/activation?t=x", "expires", "-",
                                 "support_email", "-", "support_phone", "-", "privacy",
                                 "https://vote.ex.gouv.fr/donnees-personnelles", NULL, NULL };
    int rc = 0;

    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mail_queue_tx(tx, c, MAIL_ACTIVATION, "fr", "camille.martin@ex.gouv.fr", vars,
                           (int64_t)time(NULL) - 1);
    return rc;
}

/* A stop asked while a message is on its way (each may take the relay's
 * timeout and a margin): the sender hands no other message of its batch to
 * the relay, so the stop waits for one message, not a batch of 50; those
 * left stay queued. */
static void test_sender_stops_between_messages(void **state)
{
    uint64_t n[3], queued;
    mail_ctx *c;
    char err[300];

    (void)state;
    c = mail_ctx_new(&mc, keys.outbox_key, err, sizeof err);
    assert_non_null(c);
    atomic_store(&probe.calls, 0);
    mail_transport_set(c, stopping_transport, &probe);
    assert_int_equal(store_write(st, queue_three, c), 0);
    counts(n);
    queued = n[0];
    signal(SIGALRM, on_alarm);
    alarm(120);
    probe.ms = mail_sender_start(st, c);
    assert_non_null(probe.ms);
    /* bounded: the sender's first pass runs at once */
    for (int i = 0; i < 1000 && atomic_load(&probe.calls) == 0; i++)
        usleep(100 * 1000);
    mail_sender_stop(probe.ms);
    alarm(0);
    assert_int_equal(atomic_load(&probe.calls), 1);     /* the other two never went */
    counts(n);
    assert_int_equal(n[0], queued);                     /* all three still queued */
    mail_ctx_free(c);
}

/* The mail's base64 (compose.c) is sodium_bin2base64 line by line, byte for
 * byte: every length up to 40 lines, every final-group size, all byte values. */
static void test_base64_lines_are_sodiums(void **state)
{
    static unsigned char in[57 * 40 + 3];
    static char out[MAIL_BASE64_LINES_SIZE(sizeof in)], want[sizeof out + 1];
    (void)state;

    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 151 + (i >> 8) * 7);
    for (size_t len = 0; len <= sizeof in; len++) {
        size_t w = 0, n = mail_base64_lines(out, in, len);

        for (size_t off = 0; off < len; off += 57) {
            size_t k = len - off < 57 ? len - off : 57;

            sodium_bin2base64(want + w, sizeof want - w, in + off, k,
                              sodium_base64_VARIANT_ORIGINAL);
            w += strlen(want + w);
            want[w++] = '\r';
            want[w++] = '\n';
        }
        assert_int_equal(n, w);
        assert_true(n <= MAIL_BASE64_LINES_SIZE(len));
        assert_memory_equal(out, want, n);
    }
    for (int b = 0; b < 256; b++) {     /* each digit, in each position */
        unsigned char x[3] = { (unsigned char)b, (unsigned char)(b * 3), (unsigned char)~b };
        char got[8], exp[8];

        assert_int_equal(mail_base64_lines(got, x, 3), 6);
        sodium_bin2base64(exp, sizeof exp, x, 3, sodium_base64_VARIANT_ORIGINAL);
        assert_memory_equal(got, exp, 4);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_lines_are_sodiums),
        cmocka_unit_test(test_activation_through_smtp),
        cmocka_unit_test(test_refused_recipient_fails_for_good),
        cmocka_unit_test(test_relay_down_then_up),
        cmocka_unit_test(test_delivery_through_the_mailer_process),
        cmocka_unit_test(test_wrong_relay_password_is_retried),
        cmocka_unit_test(test_broken_mailer_answers_refused),
        cmocka_unit_test(test_silent_mailer_ended_in_time),
        cmocka_unit_test(test_mailer_that_stays_is_killed),
        cmocka_unit_test(test_writer_not_held_by_a_mailer_of_another_user),
        cmocka_unit_test(test_sender_stops_between_messages),
    };

    if (argc == 3 && strcmp(argv[1], MAILER_ARG) == 0)
        return fake_mailer_process();
    return cmocka_run_group_tests_name("mail", tests, setup, teardown);
}
