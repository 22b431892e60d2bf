/* test_dashboard.c - the figures of the officers' dashboard, from the store
 * (both backends) and box_turnout: accounts activated per establishment, and émargements
 * counted per scrutin and hour from the audit log's casts since the vote
 * opened (a test run's casts before it left out), counts only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"
#include "box/box.h"

#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "W1,Martin,Camille,w1@ex.gouv.fr,Est,,attache\n" \
            "W2,Petit,Léa,w2@ex.gouv.fr,Est,,attache\n" \
            "W3,Durand,Hugo,w3@ex.gouv.fr,Est,,secretaire\n" \
            "W4,Leroy,Inès,w4@ex.gouv.fr,Ouest,,attache\n"
#define CAP "cap-attaches"
#define CSA "csa-ministere"

typedef struct {
    const char *event, *number, *scrutin;
} entry;

static int write_entries(store_tx *tx, void *arg)
{
    const entry *e = arg;
    int rc = STORE_OK;

    for (; rc == STORE_OK && e->event != NULL; e++) {
        json_t *p = e->number != NULL
                    ? json_pack("{s:s,s:s}", "number", e->number, "scrutin", e->scrutin)
                    : json_object();

        rc = audit_append(tx, e->number != NULL ? "voter" : "officer",
                          e->number != NULL ? e->number : "a.roux", e->event, p);
        json_decref(p);
    }
    return rc;
}

/* W1 and W4 activate their accounts. */
static int activate(store_tx *tx, void *arg)
{
    static const char *const who[] = { "W1", "W4" };
    int64_t id;
    int struck, rc = STORE_OK;

    (void)arg;
    for (size_t i = 0; rc == STORE_OK && i < 2; i++)
        if ((rc = store_voter_find(tx, who[i], &id, &struck)) == STORE_OK)
            rc = store_access_set_password(tx, id, "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA");
    return rc;
}

typedef struct {
    char text[512];
} rows;

static int add_activation(const char *establishment, const char *none, uint64_t activated,
                          uint64_t registered, void *arg)
{
    rows *r = arg;
    size_t n = strlen(r->text);

    assert_string_equal(none, "");
    snprintf(r->text + n, sizeof r->text - n, "%s %llu/%llu;", establishment,
             (unsigned long long)activated, (unsigned long long)registered);
    return 0;
}

static int read_activation(store_tx *tx, void *arg)
{
    ((rows *)arg)->text[0] = '\0';
    return store_activation_each(tx, add_activation, arg);
}

static void test_activation_per_establishment(void **state)
{
    char *dir = tu_tmpdir();
    store *s = tu_election(dir, CSV, time(NULL) - 60, time(NULL) + 3600);
    box_turnout_info t;
    rows r;

    (void)state;
    assert_int_equal(store_read(s, read_activation, &r), STORE_OK);
    assert_string_equal(r.text, "Est 0/3;Ouest 0/1;");
    assert_int_equal(store_write(s, activate, NULL), STORE_OK);
    assert_int_equal(store_read(s, read_activation, &r), STORE_OK);
    assert_string_equal(r.text, "Est 1/3;Ouest 1/1;");
    assert_int_equal(box_turnout(s, &t), STORE_OK);   /* read with the turnout */
    assert_int_equal(t.accounts.activated, 2);
    assert_int_equal(t.accounts.registered, 4);
    assert_int_equal(t.accounts.nestablishments, 2);
    assert_string_equal(t.accounts.establishments[1].establishment, "Ouest");
    assert_int_equal(t.accounts.establishments[1].signatures, 1);
    box_turnout_free(&t);
    tu_store_discard(s, dir);
}

static void test_turnout_per_hour(void **state)
{
    static const entry test_run[] = {
        { "ballot-cast", "W2", CSA }, { "ballot-cast", "W2", CAP }, { NULL, NULL, NULL }
    };
    static const entry vote[] = {
        { "opened", NULL, NULL },
        { "ballot-cast", "W1", CAP }, { "ballot-cast", "W1", CSA }, { "ballot-cast", "W4", CSA },
        { "code-reissued", "W3", CSA },           /* not a cast */
        { NULL, NULL, NULL }
    };
    char *dir = tu_tmpdir();
    int64_t before = time(NULL) / 3600 * 3600, after;
    store *s = tu_election(dir, CSV, time(NULL) - 60, time(NULL) + 3600);
    box_turnout_info t;

    (void)state;
    assert_int_equal(store_write(s, write_entries, (void *)test_run), STORE_OK);
    assert_int_equal(store_write(s, write_entries, (void *)vote), STORE_OK);
    assert_int_equal(box_turnout(s, &t), STORE_OK);
    after = time(NULL) / 3600 * 3600;
    assert_int_equal(t.nscrutins, 2);
    assert_string_equal(t.scrutins[0].id, CAP);
    assert_int_equal(t.scrutins[0].nhours, 1);
    assert_int_equal(t.scrutins[0].hours[0].signatures, 1);
    assert_true(t.scrutins[0].hours[0].start == before || t.scrutins[0].hours[0].start == after);
    assert_string_equal(t.scrutins[1].id, CSA);
    assert_int_equal(t.scrutins[1].nhours, 1);
    assert_int_equal(t.scrutins[1].hours[0].signatures, 2);
    box_turnout_free(&t);
    tu_store_discard(s, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_per_establishment),
        cmocka_unit_test(test_turnout_per_hour),
    };

    if (crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests_name("dashboard", tests, NULL, NULL);
}
