/* store_registry.c - the election row, the electoral list, the signature
 * list and turnout. */
#include "store_backend.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_election_get(store_tx *tx, store_election *e)
{
    store_sql q;
    int rc;

    memset(e, 0, sizeof *e);
    rc = store_sql_row(&q, tx, STORE_SQL0("SELECT eid, definition, fingerprint, state,"
                                          " test_mode, suspended, notice, public_key, audit_key"
                                          " FROM election WHERE id = 1"));
    if (rc != STORE_OK)
        return rc;
    store_sql_copy_text(e->eid, sizeof e->eid, &q, 0);
    e->definition = strdup(store_sql_str(&q, 1));
    store_sql_copy_blob(e->fingerprint, sizeof e->fingerprint, &q, 2);
    store_sql_copy_text(e->state, sizeof e->state, &q, 3);
    e->test_mode = (int)store_sql_i64(&q, 4);
    e->suspended = (int)store_sql_i64(&q, 5);
    store_sql_copy_text(e->notice, sizeof e->notice, &q, 6);
    e->has_public_key = !store_sql_null(&q, 7);
    store_sql_copy_blob(e->public_key, sizeof e->public_key, &q, 7);
    store_sql_copy_blob(e->audit_key, sizeof e->audit_key, &q, 8);
    store_sql_end(&q);
    return e->definition == NULL ? STORE_ENOMEM : STORE_OK;
}

int store_election_put(store_tx *tx, const store_election *e)
{
    return store_sql_run(tx, STORE_SQL("INSERT INTO election(id, eid, definition, fingerprint,"
                                       " state, test_mode, suspended, notice, public_key,"
                                       " audit_key) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8,"
                                       " $9) ON CONFLICT (id) DO UPDATE SET eid = EXCLUDED.eid,"
                                       " definition = EXCLUDED.definition,"
                                       " fingerprint = EXCLUDED.fingerprint,"
                                       " state = EXCLUDED.state,"
                                       " test_mode = EXCLUDED.test_mode,"
                                       " suspended = EXCLUDED.suspended,"
                                       " notice = EXCLUDED.notice,"
                                       " public_key = EXCLUDED.public_key,"
                                       " audit_key = EXCLUDED.audit_key",
                                       STORE_TEXT(e->eid), STORE_TEXT(e->definition),
                                       STORE_HASH(e->fingerprint), STORE_TEXT(e->state),
                                       STORE_INT(e->test_mode), STORE_INT(e->suspended),
                                       STORE_TEXT(e->notice),
                                       STORE_BLOB(e->has_public_key ? e->public_key : NULL,
                                                  sizeof e->public_key),
                                       STORE_BLOB(e->audit_key, sizeof e->audit_key)));
}

/* Numbered one past the largest, as SQLite numbers rows (the writers' lock
 * makes that safe on PostgreSQL): a sequence would not give back what a
 * rolled-back import took. */
int store_voter_add(store_tx *tx, store_voter *v)
{
    store_sql q;
    int rc;

    /* the next id, then the row (RETURNING made SQLite's import some 10% slower) */
    rc = store_sql_row(&q, tx, STORE_SQL0("SELECT coalesce(max(id), 0) + 1 FROM voter"));
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_EIO : rc;
    v->id = store_sql_i64(&q, 0);
    if ((rc = store_sql_finish(&q)) != STORE_OK)
        return rc;
    rc = store_sql_insert(tx, STORE_SQL("INSERT INTO voter(id, number, surname, given_names,"
                                        " establishment, postal_address, attributes, struck,"
                                        " digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                                        " ON CONFLICT DO NOTHING",
                                        STORE_INT(v->id), STORE_TEXT(v->number),
                                        STORE_TEXT(v->surname), STORE_TEXT(v->given_names),
                                        STORE_TEXT(v->establishment),
                                        STORE_TEXT(v->postal_address),
                                        STORE_TEXT(v->attributes), STORE_INT(v->struck),
                                        STORE_HASH(v->digest)));
    for (size_t i = 0; rc == STORE_OK && i < v->nemails; i++)
        rc = store_sql_insert(tx, STORE_SQL("INSERT INTO voter_email(address, voter_id)"
                                            " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                            STORE_TEXT(v->emails[i]), STORE_INT(v->id)));
    for (size_t i = 0; rc == STORE_OK && i < v->nscrutins; i++)
        rc = store_sql_insert(tx, STORE_SQL("INSERT INTO voter_scrutin(voter_id, scrutin)"
                                            " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                            STORE_INT(v->id), STORE_TEXT(v->scrutins[i])));
    return rc;
}

/* ---- voters in bulk: multi-row INSERTs, one statement for many rows ---- */

#define BULK_VOTERS 32            /* voter rows a statement, 9 arguments each */
#define BULK_PAIRS 64             /* voter_email or voter_scrutin rows a statement */
#define VOTER_COLUMNS 9

/* The statements' text, made once (its address keys the statement caches). */
static char bulk_voter_sql[4096], bulk_email_sql[2048], bulk_scrutin_sql[2048];
static pthread_once_t bulk_once = PTHREAD_ONCE_INIT;

static void values_sql(char *sql, size_t size, const char *head, int rows, int cols)
{
    size_t n = (size_t)snprintf(sql, size, "%s VALUES ", head);

    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            n += (size_t)snprintf(sql + n, size - n, "%s$%d%s", c ? ", " : r ? ", (" : "(",
                                  r * cols + c + 1, c + 1 == cols ? ")" : "");
    snprintf(sql + n, size - n, " ON CONFLICT DO NOTHING");
}

static void bulk_sql_make(void)
{
    values_sql(bulk_voter_sql, sizeof bulk_voter_sql, "INSERT INTO voter(id, number, surname,"
               " given_names, establishment, postal_address, attributes, struck, digest)",
               BULK_VOTERS, VOTER_COLUMNS);
    values_sql(bulk_email_sql, sizeof bulk_email_sql,
               "INSERT INTO voter_email(address, voter_id)", BULK_PAIRS, 2);
    values_sql(bulk_scrutin_sql, sizeof bulk_scrutin_sql,
               "INSERT INTO voter_scrutin(voter_id, scrutin)", BULK_PAIRS, 2);
}

/* Run an INSERT ... ON CONFLICT DO NOTHING of rows rows: STORE_ECONFLICT
 * unless every one went in. */
static int insert_all(store_tx *tx, const char *sql, const store_sql_arg *args, int nargs,
                      int rows)
{
    store_sql q;
    int rc;

    store_sql_prepare(&q, tx, sql, args, nargs);
    rc = store_sql_finish(&q);
    return rc != STORE_OK ? rc : q.changes == rows ? STORE_OK : STORE_ECONFLICT;
}

static void voter_args(store_sql_arg *a, const store_voter *v)
{
    a[0] = STORE_INT(v->id);
    a[1] = STORE_TEXT(v->number);
    a[2] = STORE_TEXT(v->surname);
    a[3] = STORE_TEXT(v->given_names);
    a[4] = STORE_TEXT(v->establishment);
    a[5] = STORE_TEXT(v->postal_address);
    a[6] = STORE_TEXT(v->attributes);
    a[7] = STORE_INT(v->struck);
    a[8] = STORE_HASH(v->digest);
}

/* Pairs (text, voter id) or (voter id, text) gathered, flushed BULK_PAIRS
 * at a time; the last few one by one. */
typedef struct {
    store_tx *tx;
    const char *bulk, *one;
    int text_first;
    store_sql_arg a[2 * BULK_PAIRS];
    int n;
} pairs;

static int pairs_flush(pairs *p, int all)
{
    int rc = STORE_OK;

    if (p->n == BULK_PAIRS) {
        rc = insert_all(p->tx, p->bulk, p->a, 2 * BULK_PAIRS, BULK_PAIRS);
        p->n = 0;
    }
    for (int i = 0; all && rc == STORE_OK && i < p->n; i++)
        rc = insert_all(p->tx, p->one, &p->a[2 * i], 2, 1);
    if (all)
        p->n = 0;
    return rc;
}

static int pairs_add(pairs *p, int64_t voter, const char *text)
{
    p->a[2 * p->n + !p->text_first] = STORE_TEXT(text);
    p->a[2 * p->n + p->text_first] = STORE_INT(voter);
    p->n++;
    return pairs_flush(p, 0);
}

int store_voters_add(store_tx *tx, store_voter *v, size_t n)
{
    static const char *const one_voter =
        "INSERT INTO voter(id, number, surname, given_names, establishment, postal_address,"
        " attributes, struck, digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT DO NOTHING";
    static const char *const one_email =
        "INSERT INTO voter_email(address, voter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    static const char *const one_scrutin =
        "INSERT INTO voter_scrutin(voter_id, scrutin) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    store_sql_arg a[BULK_VOTERS * VOTER_COLUMNS];
    pairs emails = { tx, bulk_email_sql, one_email, 1, { { 0 } }, 0 };
    pairs scrutins = { tx, bulk_scrutin_sql, one_scrutin, 0, { { 0 } }, 0 };
    store_sql q;
    int64_t next;
    size_t i = 0;
    int rc;

    pthread_once(&bulk_once, bulk_sql_make);
    rc = store_sql_row(&q, tx, STORE_SQL0("SELECT coalesce(max(id), 0) + 1 FROM voter"));
    if (rc != STORE_OK)
        return rc == STORE_ENOTFOUND ? STORE_EIO : rc;
    next = store_sql_i64(&q, 0);
    if ((rc = store_sql_finish(&q)) != STORE_OK)
        return rc;
    for (size_t k = 0; k < n; k++)
        v[k].id = next + (int64_t)k;
    /* the voters first: the other two tables refer to them */
    for (; rc == STORE_OK && n - i >= BULK_VOTERS; i += BULK_VOTERS) {
        for (int k = 0; k < BULK_VOTERS; k++)
            voter_args(&a[k * VOTER_COLUMNS], &v[i + (size_t)k]);
        rc = insert_all(tx, bulk_voter_sql, a, BULK_VOTERS * VOTER_COLUMNS, BULK_VOTERS);
    }
    for (; rc == STORE_OK && i < n; i++) {
        voter_args(a, &v[i]);
        rc = insert_all(tx, one_voter, a, VOTER_COLUMNS, 1);
    }
    for (i = 0; rc == STORE_OK && i < n; i++) {
        for (size_t k = 0; rc == STORE_OK && k < v[i].nemails; k++)
            rc = pairs_add(&emails, v[i].id, v[i].emails[k]);
        for (size_t k = 0; rc == STORE_OK && k < v[i].nscrutins; k++)
            rc = pairs_add(&scrutins, v[i].id, v[i].scrutins[k]);
    }
    if (rc == STORE_OK)
        rc = pairs_flush(&emails, 1);
    return rc != STORE_OK ? rc : pairs_flush(&scrutins, 1);
}

int store_voters_clear(store_tx *tx)
{
    return store_sql_exec(tx, "DELETE FROM voter_scrutin; DELETE FROM voter_email;"
                              " DELETE FROM voter");
}

int store_voter_strike(store_tx *tx, const char *number)
{
    return store_sql_change(tx, STORE_ENOTFOUND,
                            STORE_SQL("UPDATE voter SET struck = 1 WHERE number = $1"
                                      " AND struck = 0", STORE_TEXT(number)));
}

int store_voter_find(store_tx *tx, const char *number, int64_t *id, int *struck)
{
    store_sql q;
    int rc;

    rc = store_sql_row(&q, tx, STORE_SQL("SELECT id, struck FROM voter WHERE number = $1",
                                         STORE_TEXT(number)));
    if (rc != STORE_OK)
        return rc;
    *id = store_sql_i64(&q, 0);
    *struck = (int)store_sql_i64(&q, 1);
    return store_sql_end(&q);
}

int store_voter_count(store_tx *tx, uint64_t *active, uint64_t *struck)
{
    int rc = store_sql_count(tx, active, STORE_SQL0("SELECT count(*) FROM voter"
                                                    " WHERE struck = 0"));

    return rc != STORE_OK ? rc : store_sql_count(tx, struck, STORE_SQL0("SELECT count(*)"
                                                                        " FROM voter"
                                                                        " WHERE struck = 1"));
}

int store_voters_each(store_tx *tx, store_voter_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0("SELECT number, digest, struck FROM voter"
                                              " ORDER BY number"));
    while (store_sql_next(&q)) {
        uint8_t digest[STORE_HASH_BYTES];

        store_sql_copy_blob(digest, sizeof digest, &q, 1);
        q.stop = fn(store_sql_str(&q, 0), digest, (int)store_sql_i64(&q, 2), arg);
    }
    return store_sql_stop(&q);
}

int store_voters_purge(store_tx *tx)
{
    return store_sql_exec(tx, "DELETE FROM voter_email; DELETE FROM session;"
                              " DELETE FROM credential_binding; DELETE FROM access_link;"
                              " UPDATE voter SET surname = '', given_names = '',"
                              " establishment = '', postal_address = '', attributes = '{}',"
                              " password_hash = NULL, defi_question = NULL, defi_hash = NULL");
}

int store_signature_count(store_tx *tx, uint64_t *n)
{
    return store_sql_count(tx, n, STORE_SQL0("SELECT count(*) FROM signature"));
}

int store_test_wipe(store_tx *tx, uint64_t *ballots, uint64_t *signatures)
{
    int rc = tx->b->ballot_count(tx->c, ballots);

    if (rc == STORE_OK)
        rc = store_signature_count(tx, signatures);
    if (rc == STORE_OK)
        rc = tx->b->box_wipe(tx->c);
    return rc != STORE_OK ? rc : store_sql_exec(tx, "DELETE FROM signature");
}

int store_voter_eligible(store_tx *tx, int64_t voter, const char *scrutin, int *eligible)
{
    return store_sql_exists(tx, eligible, STORE_SQL("SELECT 1 FROM voter_scrutin"
                                                    " WHERE voter_id = $1 AND scrutin = $2",
                                                    STORE_INT(voter), STORE_TEXT(scrutin)));
}

int store_signature_exists(store_tx *tx, int64_t voter, const char *scrutin, int *exists)
{
    return store_sql_exists(tx, exists, STORE_SQL("SELECT 1 FROM signature WHERE voter_id = $1"
                                                  " AND scrutin = $2", STORE_INT(voter),
                                                  STORE_TEXT(scrutin)));
}

int store_signature_add(store_tx *tx, int64_t voter, const char *scrutin)
{
    return store_sql_insert(tx, STORE_SQL("INSERT INTO signature(voter_id, scrutin)"
                                          " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                          STORE_INT(voter), STORE_TEXT(scrutin)));
}

/* A statement whose rows are (text, text, count, count), each handed to fn. */
static int counts_each(store_tx *tx, const char *sql, store_turnout_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0(sql));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_str(&q, 0), store_sql_str(&q, 1),
                    (uint64_t)store_sql_i64(&q, 2), (uint64_t)store_sql_i64(&q, 3), arg);
    return store_sql_stop(&q);
}

/* Turnout per scrutin and establishment; accounts activated per
 * establishment; émargements per scrutin and hour. A ballot-cast entry's
 * payload is box/cast.c's {"number":N,"scrutin":S}, compact with sorted keys
 * (audit_append): matched whole, so that the scrutin is read without JSON
 * functions, the same in both dialects. */
static const char turnout_sql[] =
    "SELECT vs.scrutin, v.establishment, count(s.voter_id), count(*) FROM voter_scrutin vs"
    " JOIN voter v ON v.id = vs.voter_id AND v.struck = 0 LEFT JOIN signature s"
    " ON s.voter_id = vs.voter_id AND s.scrutin = vs.scrutin"
    " GROUP BY vs.scrutin, v.establishment ORDER BY vs.scrutin, v.establishment";
static const char activation_sql[] =
    "SELECT establishment, '', count(password_hash), count(*) FROM voter WHERE struck = 0"
    " GROUP BY establishment ORDER BY establishment";
static const char hours_sql[] =
    "SELECT vs.scrutin, substr(a.time, 1, 13), count(*), 0 FROM audit a JOIN voter v"
    " ON v.number = a.actor AND v.struck = 0 JOIN voter_scrutin vs ON vs.voter_id = v.id"
    " AND a.payload = '{\"number\":\"' || v.number || '\",\"scrutin\":\"' || vs.scrutin || '\"}'"
    " WHERE a.event = 'ballot-cast' AND a.role = 'voter' AND a.seq > (SELECT coalesce(max(seq),"
    " 0) FROM audit WHERE event = 'opened') GROUP BY vs.scrutin, substr(a.time, 1, 13)"
    " ORDER BY 1, 2";

int store_turnout_each(store_tx *tx, store_turnout_fn fn, void *arg)
{
    return counts_each(tx, turnout_sql, fn, arg);
}

int store_activation_each(store_tx *tx, store_turnout_fn fn, void *arg)
{
    return counts_each(tx, activation_sql, fn, arg);
}

int store_turnout_hours_each(store_tx *tx, store_turnout_fn fn, void *arg)
{
    return counts_each(tx, hours_sql, fn, arg);
}

int store_signatures_each(store_tx *tx, store_signature_fn fn, void *arg)
{
    store_sql q;

    store_sql_prepare_scan(&q, tx, STORE_SQL0("SELECT s.scrutin, v.number FROM signature s"
                                              " JOIN voter v ON v.id = s.voter_id"
                                              " ORDER BY s.scrutin, v.number"));
    while (store_sql_next(&q))
        q.stop = fn(store_sql_str(&q, 0), store_sql_str(&q, 1), arg);
    return store_sql_stop(&q);
}
