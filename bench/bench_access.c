/* bench_access.c - auth.login_per_s (logins through the access layer under a
 * burst of concurrent clients, Argon2id bounded to one hash per core) and
 * mail.outbox_per_s (draining the outbox into a local SMTP server over
 * STARTTLS). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "signer/signer.h"
#include "access/access.h"
#include "bench.h"
#include "tests/testutil.h"

#define BURST 16

typedef struct {
    access_ctx *a;
    int voters, per, ok;
    unsigned seed;
} login_worker;

static void *login_loop(void *arg)
{
    login_worker *w = arg;
    char id[64], session[ACCESS_TOKEN_CHARS + 1];
    access_result r;

    for (int i = 0; i < w->per; i++) {
        snprintf(id, sizeof id, "agent%d@bench.example", (int)(rand_r(&w->seed) % (unsigned)w->voters));
        w->ok += access_login(w->a, id, "bench password phrase", "192.0.2.1", (int64_t)time(NULL),
                              session, &r) == ACCESS_OK;
    }
    return NULL;
}

static int set_all_passwords(store_tx *tx, void *arg)
{
    int n = *(int *)arg, rc = STORE_OK;
    char hash[SECRET_PWHASH_STR_BYTES];

    if (secret_pwhash(hash, "bench password phrase", 21) != 0)
        return STORE_EIO;
    for (int64_t id = 1; id <= n && rc == STORE_OK; id++)
        rc = store_access_set_password(tx, id, hash);   /* one Argon2id string, valid for all */
    return rc;
}

static char *bench_csv(int n)
{
    char *csv = malloc((size_t)n * 96 + 128);
    size_t off;

    off = (size_t)sprintf(csv, "number,surname,given_names,emails,establishment,"
                               "postal_address,corps\n");
    for (int i = 0; i < n; i++)
        off += (size_t)sprintf(csv + off, "B%d,Nom,Prenom,agent%d@bench.example,E,,attache\n", i, i);
    return csv;
}

void bench_login(void)
{
    int voters = 200, per = (int)bench_scaled(40, 4);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char *dir = tu_tmpdir(), *csv = bench_csv(voters);
    int64_t now = (int64_t)time(NULL);
    store *s = tu_election(dir, csv, now - 60, now + 86400);
    access_ctx a;
    signer_keys keys;
    login_worker w[BURST];
    pthread_t t[BURST];
    double t0;
    int ok = 0;

    signer_keys_derive(&keys, (const uint8_t[32]){ 7 }, (const uint8_t[32]){ 7 });
    if (access_init(&a, s, &keys, NULL, NULL, (int)cores) != 0 ||
        store_write(s, set_all_passwords, &voters) != STORE_OK)
        bench_die("login setup");
    a.wait_bound_ms = 3600 * 1000;     /* the hashes' throughput: every login queued */
    t0 = tu_seconds();
    for (int i = 0; i < BURST; i++) {
        w[i] = (login_worker){ &a, voters, per, 0, (unsigned)i + 1 };
        pthread_create(&t[i], NULL, login_loop, &w[i]);
    }
    for (int i = 0; i < BURST; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    if (ok != BURST * per)
        bench_die("logins refused");
    printf("# Argon2id m=19 MiB t=2 p=1; %d clients at once, at most %ld hashes at a time "
           "(%ld MiB of Argon2id memory at most)\n", BURST, cores, cores * 19);
    printf("bench auth.login_per_s %.0f per_s\n", ok / (tu_seconds() - t0));
    access_destroy(&a);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
    free(csv);
}

typedef struct {
    access_ctx *a;
    int n;
} queue_job;

static int queue_links(store_tx *tx, void *arg)
{
    queue_job *j = arg;
    char token[ACCESS_TOKEN_CHARS + 1];
    int rc = STORE_OK;

    for (int64_t id = 1; id <= j->n && rc == STORE_OK; id++)
        rc = access_link_issue_tx(tx, j->a, id, STORE_LINK_ACTIVATION, NULL, (int64_t)time(NULL),
                                  token);
    return rc;
}

void bench_outbox(void)
{
    int n = (int)bench_scaled(2000, 100);
    char *dir = tu_tmpdir(), *csv = bench_csv(n), err[300];
    int64_t now = (int64_t)time(NULL);
    store *s = tu_election(dir, csv, now - 60, now + 86400);
    mail_config mc = { .starttls = 1, .timeout_s = 10 };
    mail_ctx *m;
    access_ctx a;
    signer_keys keys;
    tu_smtp smtp;
    queue_job q;
    unsigned sent, failed, total = 0;
    double t0;

    if (tu_smtp_start(&smtp, dir, NULL) != 0)
        bench_die("smtp sink");
    snprintf(mc.relay, sizeof mc.relay, "smtp://127.0.0.1:%d", smtp.port);
    snprintf(mc.ca_file, sizeof mc.ca_file, "%s", smtp.cert);
    snprintf(mc.from, sizeof mc.from, "Elections <elections@bench.example>");
    snprintf(mc.templates, sizeof mc.templates, "../conf/mail");
    snprintf(mc.portal_url, sizeof mc.portal_url, "https://vote.bench.example");
    m = mail_ctx_new(&mc, (const uint8_t[32]){ 7 }, err, sizeof err);
    signer_keys_derive(&keys, (const uint8_t[32]){ 7 }, (const uint8_t[32]){ 7 });
    if (m == NULL || access_init(&a, s, &keys, NULL, m, 1) != 0)
        bench_die("outbox setup");
    q = (queue_job){ &a, n };
    if (store_write(s, queue_links, &q) != STORE_OK)
        bench_die("queue");
    t0 = tu_seconds();
    do {
        if (mail_deliver_due(s, m, (int64_t)time(NULL), &sent, &failed) != STORE_OK ||
            failed != 0)
            bench_die("delivery");
        total += sent;
    } while (sent > 0);
    if (total != (unsigned)n)
        bench_die("not all delivered");
    printf("# %d messages (text + HTML, STARTTLS) to a local aiosmtpd, marked sent durably\n", n);
    printf("bench mail.outbox_per_s %.0f per_s\n", n / (tu_seconds() - t0));
    tu_smtp_stop(&smtp);
    access_destroy(&a);
    mail_ctx_free(m);
    store_close(s);
    tu_rmdir(dir);
    free(dir);
    free(csv);
}
