/* test_staff.c - staff accounts (password + TOTP, one session each, throttled
 * logins) and the support cell's look-ups and actions on a real election made
 * with the CLIs: every action needs a reason, is audited with it, and nothing
 * returned carries a secret. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "access/staff.h"
#include "access/support.h"
#include "mail/mail.h"
#include "votesrv/server.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "S1,Martin,Camille,camille.martin@ex.gouv.fr,Siège,,attache\n" \
            "S2,Martinez,Léa,lea.martinez@ex.gouv.fr,Nord,,attache\n" \
            "S3,Petit,Hugo,hugo.petit@ex.gouv.fr,Nord,,attache\n" \
            "MARTIN,Zola,Émile,emile.zola@ex.gouv.fr,Nord,,attache\n"
#define PASSWORD "une phrase de passe du support"

static char *dir, bin[PATH_MAX], cfg[700];
static tu_smtp smtp;
static server srv;

/* votectl -c votesrv.json with the arguments of fmt, run in dir: its exit
 * status; its output in out (4096 bytes). */
__attribute__((format(printf, 2, 3)))
static int staff_votectl(char out[4096], const char *fmt, ...)
{
    char args[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return tu_sh(out, 4096, "cd %s && %s/votectl -c votesrv.json %s", dir, bin, args);
}

static int setup(void **state)
{
    char err[400];

    (void)state;
    if (crypto_init() != 0 || tu_start_with_smtp(bin, &dir, &smtp) != 0 ||
        tu_election_by_cli(dir, bin, &smtp, CSV, NULL, cfg, sizeof cfg) != 0)
        return -1;
    return server_open(&srv, cfg, 0, 1, err, sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    server_close(&srv);
    tu_smtp_stop(&smtp);
    tu_rmdir(dir);
    free(dir);
    return 0;
}

typedef struct {
    const char *event;
    uint64_t n;
    char payload[1024];          /* the last entry's */
} audit_probe;

static int probe_entry(const store_audit_entry *e, void *arg)
{
    audit_probe *p = arg;

    if (strcmp(e->event, p->event) == 0)
        snprintf(p->payload, sizeof p->payload, "%s", e->payload);
    return 0;
}

static int run_probe(store_tx *tx, void *arg)
{
    audit_probe *p = arg;
    int rc = store_audit_count(tx, p->event, &p->n);

    return rc != STORE_OK ? rc : store_audit_each(tx, 0, probe_entry, p);
}

static uint64_t audit_count(const char *event)
{
    audit_probe p = { event, 0, "" };

    assert_int_equal(store_read(srv.store, run_probe, &p), STORE_OK);
    return p.n;
}

static void test_accounts_and_login(void **state)
{
    staff_enrolment e;
    access_result r;
    staff_member who;
    uint8_t key[TOTP_KEY_BYTES];
    char code[8], wrong[8], session[ACCESS_TOKEN_CHARS + 1], first[ACCESS_TOKEN_CHARS + 1];
    char out[4096];
    int64_t now = (int64_t)time(NULL);

    (void)state;
    /* refused: a bad login, an unknown role, a weak password, the same login twice */
    assert_int_equal(staff_add(&srv.access, "A", "support", PASSWORD, "votesrv", &e, &r),
                     ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_STAFF_ACCOUNT);
    assert_int_equal(staff_add(&srv.access, "h.dupuis", "admin", PASSWORD, "votesrv", &e, &r),
                     ACCESS_REFUSED);
    assert_int_equal(staff_add(&srv.access, "h.dupuis", "support", "court", "votesrv", &e, &r),
                     ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_PASSWORD_SHORT);
    assert_int_equal(staff_add(&srv.access, "h.dupuis", "support", PASSWORD, "votesrv", &e, &r),
                     ACCESS_OK);
    assert_non_null(strstr(e.uri, "otpauth://totp/votesrv:h.dupuis?secret="));
    assert_non_null(strstr(e.uri, "&algorithm=SHA256&digits=6&period=30"));
    assert_int_equal(staff_add(&srv.access, "h.dupuis", "officer", PASSWORD, "votesrv", &e, &r),
                     STORE_ECONFLICT);
    /* the CLI prints a key that works the same way */
    free(tu_write(dir, "pw", PASSWORD "\n"));
    assert_int_equal(staff_votectl(out, "staff-add m.durand officer pw"), 0);
    assert_non_null(strstr(out, "TOTP key (shown once): "));
    assert_int_not_equal(staff_votectl(out, "staff-add m.durand auditor pw"), 0);
    assert_non_null(strstr(out, "this login exists"));
    /* the TOTP key is stored sealed: its bytes are nowhere in the registry */
    assert_int_equal(staff_add(&srv.access, "l.moreau", "support", PASSWORD, "votesrv", &e, &r),
                     ACCESS_OK);
    tu_base32_key(key, e.secret);
    if (!tu_pg()) {       /* SQLite's file; PostgreSQL keeps the same sealed column */
        char path[PATH_MAX], *db;
        size_t len;
        FILE *f;

        snprintf(path, sizeof path, "%s/registry.db", dir);
        f = fopen(path, "rb");
        assert_non_null(f);
        db = malloc(1 << 24);
        len = fread(db, 1, 1 << 24, f);
        fclose(f);
        for (size_t i = 0; i + 16 <= len; i++)
            assert_false(memcmp(db + i, key, 16) == 0);
        free(db);
    }
    /* the right password and a wrong code: the code is named; a wrong
     * password or an unknown login, whatever the code: one answer */
    tu_totp(code, key, now);
    snprintf(wrong, sizeof wrong, "%06u", (unsigned)((strtoul(code, NULL, 10) + 1) % 1000000));
    assert_int_equal(staff_login(&srv.access, "l.moreau", PASSWORD, wrong, "192.0.2.9", now,
                                 session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_TOTP_WRONG);
    assert_int_equal(staff_login(&srv.access, "l.moreau", "pas le mot de passe", wrong,
                                 "192.0.2.9", now, session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_CREDENTIALS);
    assert_string_equal(session, "");
    assert_int_equal(staff_login(&srv.access, "l.moreau", "pas le mot de passe", code,
                                 "192.0.2.9", now, session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_CREDENTIALS);
    assert_int_equal(staff_login(&srv.access, "nobody", PASSWORD, code, "192.0.2.9", now,
                                 session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_CREDENTIALS);
    /* right: a session; the same code a second time is refused (replay) */
    assert_int_equal(staff_login(&srv.access, "l.moreau", PASSWORD, code, "192.0.2.9", now,
                                 first, &who, &r), ACCESS_OK);
    assert_string_equal(who.login, "l.moreau");
    assert_int_equal(staff_session(&srv.access, first, now + 10, &who, &r), ACCESS_OK);
    assert_string_equal(who.login, "l.moreau");
    assert_string_equal(who.role, "support");
    assert_int_equal(staff_login(&srv.access, "l.moreau", PASSWORD, code, "192.0.2.9", now,
                                 session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_TOTP_WRONG);
    /* a new login replaces the session */
    tu_totp(code, key, now + TOTP_PERIOD);
    assert_int_equal(staff_login(&srv.access, "l.moreau", PASSWORD, code, "192.0.2.9",
                                 now + TOTP_PERIOD, session, NULL, &r), ACCESS_OK);
    assert_int_equal(staff_session(&srv.access, first, now + 40, &who, &r), ACCESS_REFUSED);
    assert_int_equal(staff_session(&srv.access, session, now + 40, &who, &r), ACCESS_OK);
    /* idle too long: gone */
    assert_int_equal(staff_session(&srv.access, session, now + 40 + STAFF_SESSION_IDLE + 1, &who,
                                   &r), ACCESS_REFUSED);
    tu_totp(code, key, now + 2 * TOTP_PERIOD);
    assert_int_equal(staff_login(&srv.access, "l.moreau", PASSWORD, code, "192.0.2.9",
                                 now + 2 * TOTP_PERIOD, session, NULL, &r), ACCESS_OK);
    assert_int_equal(staff_logout(&srv.access, session), STORE_OK);
    assert_int_equal(staff_session(&srv.access, session, now + 70, &who, &r), ACCESS_REFUSED);
    assert_true(audit_count("staff-login") >= 3);
    assert_int_equal(audit_count("staff-login-refused"), 2);   /* the wrong passwords */
    /* the right password with a wrong or replayed code: a kind of its own */
    assert_int_equal(audit_count("staff-code-refused"), 2);
    assert_int_equal(audit_count("staff-added"), 3);
    /* guessing: delays, then the account locks */
    for (int i = 0; i < 25; i++)
        staff_login(&srv.access, "h.dupuis", PASSWORD, "000000", "198.51.100.7",
                    now + 100 + 1000 * i, session, NULL, &r);
    assert_int_equal(r.code, ACCESS_E_LOCKED);
    assert_true(audit_count("staff-locked") >= 1);
}

/* Role-named and generic logins are refused, by the domain and by "votectl staff-add". */
static void test_guessable_logins_refused(void **state)
{
    static const char *const refused[] = {
        "bureau", "president", "presidente", "admin", "administrateur", "support",
        "assistance", "officer", "root", "controle", "auditor", "auditeur", "delegue",
        "secretaire", "gestion", "staff", "test", "admin2", "super-admin", "bureau.vote",
        "bureau_de_vote", "bureau-bv", "root01", "123456", "._-", "chef",
        "agent1", "election2026", "vote",
    };
    static const char *const accepted[] = { "c.martin", "jdupont", "admin.martin",
                                            "bureau-lefevre", "m.durand2", "agente" };
    staff_enrolment e;
    access_result r;
    char out[4096];

    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_true(staff_login_guessable(refused[i]));
        assert_int_equal(staff_add(&srv.access, refused[i], "officer", PASSWORD, "votesrv", &e,
                                   &r), ACCESS_REFUSED);
        assert_int_equal(r.code, ACCESS_E_STAFF_ACCOUNT);
    }
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        assert_false(staff_login_guessable(accepted[i]));
    free(tu_write(dir, "pw", PASSWORD "\n"));
    assert_int_not_equal(staff_votectl(out, "staff-add bureau officer pw 2>&1"), 0);
    assert_non_null(strstr(out, "the login is guessable"));
    assert_int_not_equal(staff_votectl(out, "staff-add president2 officer pw 2>&1"), 0);
    assert_non_null(strstr(out, "the login is guessable"));
}

/* A staff account with its TOTP key. */
static void add_staff(const char *login, const char *role, uint8_t key[TOTP_KEY_BYTES])
{
    staff_enrolment e;
    access_result r;

    assert_int_equal(staff_add(&srv.access, login, role, PASSWORD, "votesrv", &e, &r), ACCESS_OK);
    tu_base32_key(key, e.secret);
}

/* The right password with STAFF_TOTP_FAILURES wrong codes from time t on,
 * each from a network of its own (10.<net + i / 200>.<i % 200>.9, so no
 * network throttle trips): each refused as a wrong code, the last one locking
 * login's second factor. */
static void staff_lock_factor(const char *login, const uint8_t key[TOTP_KEY_BYTES], int64_t t,
                              int net)
{
    char code[8], wrong[8], session[ACCESS_TOKEN_CHARS + 1];
    access_result r;

    for (int i = 0; i < STAFF_TOTP_FAILURES; i++) {
        char client[32];

        snprintf(client, sizeof client, "10.%d.%d.9", net + i / 200, i % 200);
        tu_totp(code, key, t + i);
        snprintf(wrong, sizeof wrong, "%06u", (unsigned)((strtoul(code, NULL, 10) + 7) % 1000000));
        assert_int_equal(staff_login(&srv.access, login, PASSWORD, wrong, client, t + i, session,
                                     NULL, &r), ACCESS_REFUSED);
        assert_int_equal(r.code, i + 1 < STAFF_TOTP_FAILURES ? ACCESS_E_TOTP_WRONG
                                                              : ACCESS_E_FACTOR_LOCKED);
    }
}

static int note_login(const char *login, void *arg)
{
    char *out = arg;

    strncat(out, login, 200 - strlen(out) - 2);
    strcat(out, " ");
    return 0;
}

/* Guesses from one network lock that network out of
 * the account, not the right password and code from another; after the
 * right password, STAFF_TOTP_FAILURES wrong codes in a row (from anywhere)
 * lock the second factor for every network, audited and listed for the
 * officers, until "votectl staff-unlock" with a reason. */
static void test_staff_lockout_per_network_and_factor(void **state)
{
    uint8_t key[TOTP_KEY_BYTES];
    char code[8], wrong[8], session[ACCESS_TOKEN_CHARS + 1], out[4096], listed[200] = "";
    int64_t now = (int64_t)time(NULL), t;
    uint64_t locked_before = audit_count("staff-second-factor-locked");
    access_result r;
    int rc = ACCESS_OK;

    (void)state;
    add_staff("r.bonnet", "officer", key);
    /* the attacker holds the password and guesses codes from 203.0.113.0/24,
     * slowly enough to pass each delay, up to the lock of that network */
    for (int i = 0; i < 25; i++) {
        t = now + 1000 * i;
        tu_totp(code, key, t);
        snprintf(wrong, sizeof wrong, "%06u", (unsigned)((strtoul(code, NULL, 10) + 7) % 1000000));
        rc = staff_login(&srv.access, "r.bonnet", PASSWORD, wrong, "203.0.113.5", t, session,
                         NULL, &r);
    }
    assert_int_equal(rc, ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_LOCKED);
    t = now + 25000;
    tu_totp(code, key, t);
    assert_int_equal(staff_login(&srv.access, "r.bonnet", PASSWORD, code, "203.0.113.5", t,
                                 session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_LOCKED);
    /* the officer, from her own network, gets in at once */
    assert_int_equal(staff_login(&srv.access, "r.bonnet", PASSWORD, code, "192.0.2.77", t,
                                 session, NULL, &r), ACCESS_OK);
    /* wrong codes after the right password, one per network (no network
     * throttle trips): the STAFF_TOTP_FAILURES-th locks the second factor */
    t += TOTP_PERIOD;
    staff_lock_factor("r.bonnet", key, t, 100);
    assert_int_equal(audit_count("staff-second-factor-locked"), locked_before + 1);
    /* now the right code from a fresh network is refused too; a wrong
     * password learns nothing */
    t += STAFF_TOTP_FAILURES + TOTP_PERIOD;
    tu_totp(code, key, t);
    assert_int_equal(staff_login(&srv.access, "r.bonnet", PASSWORD, code, "192.0.2.200", t,
                                 session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_FACTOR_LOCKED);
    assert_int_equal(staff_login(&srv.access, "r.bonnet", "pas le mot de passe", code,
                                 "192.0.2.201", t, session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_CREDENTIALS);
    assert_int_equal(audit_count("staff-second-factor-locked"), locked_before + 1);
    /* the officers see it */
    assert_int_equal(staff_factor_locked_each(&srv.access, note_login, listed), STORE_OK);
    assert_string_equal(listed, "r.bonnet ");
    /* unlocking needs a reason and a login that exists */
    assert_int_equal(staff_factor_unlock(&srv.access, "r.bonnet", "officier", NULL, &r),
                     ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_REASON);
    assert_int_equal(staff_factor_unlock(&srv.access, "x.personne", "officier", "appel", &r),
                     STORE_ENOTFOUND);
    assert_int_not_equal(staff_votectl(out, "staff-unlock r.bonnet 2>&1"), 0);
    assert_non_null(strstr(out, "--reason"));
    assert_int_equal(staff_votectl(out, "staff-unlock --reason 'appel de R. Bonnet, "
                                        "téléphone changé' r.bonnet 2>&1"), 0);
    listed[0] = '\0';
    assert_int_equal(staff_factor_locked_each(&srv.access, note_login, listed), STORE_OK);
    assert_string_equal(listed, "");
    assert_int_equal(audit_count("staff-second-factor-unlocked"), 1);
    t += TOTP_PERIOD;
    tu_totp(code, key, t);
    assert_int_equal(staff_login(&srv.access, "r.bonnet", PASSWORD, code, "192.0.2.200", t,
                                 session, NULL, &r), ACCESS_OK);
}

static int run_factor_count(store_tx *tx, void *arg)
{
    return store_throttle_get(tx, "staff-totp:m.girard", arg);
}

/* An officer's reset of a staff member's password ("votectl staff-password")
 * clears the second factor's lock and its count too: else whoever locked it
 * (holding the old password) would go on guessing codes against the new one
 * once unlocked. It also ends the session, needs a reason and a password that
 * meets the policy. */
static void test_staff_password_reset_clears_factor(void **state)
{
    static const char fresh[] = "la pluie sur les toits de Rennes";
    uint8_t key[TOTP_KEY_BYTES];
    char code[8], session[ACCESS_TOKEN_CHARS + 1], out[4096], listed[200] = "";
    char path[1100];
    int64_t t = (int64_t)time(NULL);
    store_throttle count;
    staff_member who;
    access_result r;
    FILE *f;

    (void)state;
    add_staff("m.girard", "support", key);
    tu_totp(code, key, t);
    assert_int_equal(staff_login(&srv.access, "m.girard", PASSWORD, code, "192.0.2.10", t,
                                 session, NULL, &r), ACCESS_OK);
    /* the old password's holder locks the second factor */
    t += TOTP_PERIOD;
    staff_lock_factor("m.girard", key, t, 120);
    /* refused, and nothing changed: no reason, a weak password, no such login */
    assert_int_equal(staff_password_reset(&srv.access, "m.girard", fresh, "votesrv", "officier",
                                          "", &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_REASON);
    assert_int_equal(staff_password_reset(&srv.access, "m.girard", "court", "votesrv",
                                          "officier", "oubli", &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_PASSWORD_SHORT);
    assert_int_equal(staff_password_reset(&srv.access, "x.personne", fresh, "votesrv",
                                          "officier", "oubli", &r), STORE_ENOTFOUND);
    assert_int_equal(store_read(srv.store, run_factor_count, &count), STORE_OK);
    assert_true(count.locked_until > 0);
    assert_int_equal(staff_session(&srv.access, session, t, &who, &r), ACCESS_OK);
    /* the officer resets the password (without unlocking) */
    snprintf(path, sizeof path, "%s/girard.pw", dir);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f, "%s\n", fresh);
    fclose(f);
    assert_int_equal(staff_votectl(out, "staff-password --reason 'mot de passe oublié' "
                                        "m.girard %s 2>&1", path), 0);
    assert_int_equal(store_read(srv.store, run_factor_count, &count), STORE_OK);
    assert_int_equal(count.failures, 0);
    assert_int_equal(count.locked_until, 0);
    assert_int_equal(staff_factor_locked_each(&srv.access, note_login, listed), STORE_OK);
    assert_null(strstr(listed, "m.girard"));
    assert_int_equal(audit_count("staff-password-reset"), 1);
    assert_int_equal(staff_session(&srv.access, session, t, &who, &r), ACCESS_REFUSED);
    t += STAFF_TOTP_FAILURES + TOTP_PERIOD;
    tu_totp(code, key, t);
    assert_int_equal(staff_login(&srv.access, "m.girard", PASSWORD, code, "192.0.2.11", t,
                                 session, NULL, &r), ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_CREDENTIALS);
    assert_int_equal(staff_login(&srv.access, "m.girard", fresh, code, "192.0.2.12", t, session,
                                 NULL, &r), ACCESS_OK);
}

static void test_support_find_and_status(void **state)
{
    support_cards list;
    support_voter v;

    (void)state;
    assert_int_equal(support_find(&srv.access, "mart", &list), STORE_OK);   /* any case */
    assert_int_equal(list.n, 2);
    assert_string_equal(list.cards[0].number, "S1");
    support_cards_free(&list);
    /* the voter numbered MARTIN comes before the surnames that start with it, so
     * that a file opened by number is found however many surnames match */
    assert_int_equal(support_find(&srv.access, "MARTIN", &list), STORE_OK);
    assert_int_equal(list.n, 3);
    assert_string_equal(list.cards[0].number, "MARTIN");
    support_cards_free(&list);
    assert_int_equal(support_status(&srv.access, "MARTIN", 0, &v), STORE_OK);
    assert_string_equal(v.card.surname, "Zola");
    support_voter_free(&v);
    assert_int_equal(support_find(&srv.access, "S3", &list), STORE_OK);
    assert_int_equal(list.n, 1);
    support_cards_free(&list);
    assert_int_equal(support_find(&srv.access, "LEA.MARTINEZ@ex.gouv.fr", &list), STORE_OK);
    assert_int_equal(list.n, 1);
    support_cards_free(&list);
    assert_int_equal(support_find(&srv.access, "%", &list), STORE_OK);      /* not a pattern */
    assert_int_equal(list.n, 0);
    support_cards_free(&list);
    assert_int_equal(support_find(&srv.access, "", &list), ACCESS_REFUSED);
    assert_int_equal(support_status(&srv.access, "S9", 0, &v), STORE_ENOTFOUND);
    assert_int_equal(support_status(&srv.access, "S1", (int64_t)time(NULL), &v), STORE_OK);
    assert_false(v.activated);
    assert_true(v.code_set);
    assert_int_equal(v.nscrutins, 2);
    /* what applies: no défi to reset, nothing locked, and no new code without a
     * credential authority (this server has none); nothing for a struck voter */
    assert_false(v.code_window);
    assert_int_equal(support_actions_useful(&v) & (1u << SUPPORT_CODE | 1u << SUPPORT_DEFI |
                                                   1u << SUPPORT_UNLOCK), 0);
    v.code_window = 1;
    v.code_locked_until = 1;
    assert_int_equal(support_actions_useful(&v) & (1u << SUPPORT_CODE | 1u << SUPPORT_UNLOCK),
                     1u << SUPPORT_CODE | 1u << SUPPORT_UNLOCK);
    v.struck = 1;
    assert_int_equal(support_actions_useful(&v), 0);
    support_voter_free(&v);
}

static void test_support_actions(void **state)
{
    int64_t now = (int64_t)time(NULL);
    access_result r;
    support_voter v;
    uint8_t auth[32];
    unsigned sent, failed;
    uint64_t before = audit_count("support-link");

    (void)state;
    /* no reason, blank reason, unknown voter: nothing happens */
    assert_int_equal(support_act(&srv.access, "S1", SUPPORT_LINK, "h.dupuis", NULL, now, &r),
                     ACCESS_REFUSED);
    assert_int_equal(r.code, ACCESS_E_REASON);
    assert_int_equal(support_act(&srv.access, "S1", SUPPORT_LINK, "h.dupuis", "  ", now, &r),
                     ACCESS_REFUSED);
    assert_int_equal(support_act(&srv.access, "S9", SUPPORT_LINK, "h.dupuis", "appel", now, &r),
                     STORE_ENOTFOUND);
    assert_int_equal(audit_count("support-link"), before);
    /* a link: mailed, audited with the agent and the reason */
    assert_int_equal(mail_deliver_due(srv.store, srv.mail, now, &sent, &failed), 0);
    assert_int_equal(support_act(&srv.access, "S1", SUPPORT_LINK, "h.dupuis",
                                 "lien non reçu, appel du 24/11", now, &r), ACCESS_OK);
    assert_int_equal(mail_deliver_due(srv.store, srv.mail, now, &sent, &failed), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(audit_count("support-link"), before + 1);
    {
        audit_probe p = { "support-link", 0, "" };

        assert_int_equal(store_read(srv.store, run_probe, &p), STORE_OK);
        assert_non_null(strstr(p.payload, "\"agent\":\"h.dupuis\""));
        assert_non_null(strstr(p.payload, "lien non reçu, appel du 24/11"));
    }
    /* a lock, then unlocking lifts it */
    for (int i = 0; i < 5; i++) {
        memset(auth, i + 1, sizeof auth);
        assert_int_equal(access_auth_check(&srv.access, 3, "csa-ministere", auth, auth,
                                           "192.0.2.3", now + 100 * i, &r), ACCESS_REFUSED);
    }
    assert_int_equal(support_status(&srv.access, "S3", now + 500, &v), STORE_OK);
    assert_true(v.code_locked_until > now + 500);
    support_voter_free(&v);
    assert_int_equal(support_act(&srv.access, "S3", SUPPORT_UNLOCK, "h.dupuis", "bloqué",
                                 now + 500, &r), ACCESS_OK);
    assert_int_equal(support_status(&srv.access, "S3", now + 500, &v), STORE_OK);
    assert_int_equal(v.code_locked_until, 0);
    support_voter_free(&v);
    /* the défi forgotten: defi_set false, and an activation link is mailed */
    assert_int_equal(support_act(&srv.access, "S2", SUPPORT_DEFI, "h.dupuis", "défi oublié",
                                 now, &r), ACCESS_OK);
    assert_int_equal(support_status(&srv.access, "S2", now, &v), STORE_OK);
    assert_false(v.defi_set);
    support_voter_free(&v);
    assert_int_equal(audit_count("support-defi-reset"), 1);
    assert_int_equal(audit_count("support-unlock"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts_and_login),
        cmocka_unit_test(test_guessable_logins_refused),
        cmocka_unit_test(test_staff_lockout_per_network_and_factor),
        cmocka_unit_test(test_staff_password_reset_clears_factor),
        cmocka_unit_test(test_support_find_and_status),
        cmocka_unit_test(test_support_actions),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
