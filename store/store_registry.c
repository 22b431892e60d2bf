/* store_registry.c - the election row, the electoral list, the signature
 * list and turnout. */
#include "store_backend.h"

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
