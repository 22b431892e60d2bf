/* operations.c - creating the election, importing and amending the electoral
 * list, and reading its status. */
#include "election.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"
#include "election_internal.h"

typedef struct {
    election_ctx *c;
    const def_election *d;
    const uint8_t *audit_pk;
} create_job;

static void new_eid(char out[STORE_EID_CHARS + 1])
{
    uint8_t r[16];

    randombytes_buf(r, sizeof r);
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);   /* UUID version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    snprintf(out, STORE_EID_CHARS + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
             r[13], r[14], r[15]);
}

static int run_create(store_tx *tx, void *arg)
{
    create_job *j = arg;
    store_election e, old;
    json_t *payload;
    char hex[65];
    int rc = store_election_get(tx, &old);

    free(old.definition);
    if (rc == STORE_OK)
        return election_refuse(j->c, "this store already holds an election (%s)", old.eid);
    if (rc != STORE_ENOTFOUND)
        return rc;
    memset(&e, 0, sizeof e);
    new_eid(e.eid);
    e.definition = def_canonical(j->d);
    if (e.definition == NULL)
        return STORE_ENOMEM;
    def_fingerprint(e.fingerprint, e.eid, e.definition, NULL);
    strcpy(e.state, "draft");
    memcpy(e.audit_key, j->audit_pk, 32);
    rc = store_election_put(tx, &e);
    payload = json_pack("{s:s,s:s}", "eid", e.eid, "name", j->d->name);
    sodium_bin2hex(hex, sizeof hex, e.fingerprint, 32);
    json_object_set_new(payload, "draft_fingerprint", json_string(hex));
    sodium_bin2hex(hex, sizeof hex, j->audit_pk, 32);
    json_object_set_new(payload, "audit_key", json_string(hex));
    if (rc == STORE_OK)
        rc = audit_append(tx, j->c->role, j->c->actor, "election-created", payload);
    if (rc == STORE_OK)
        snprintf(j->c->msg, sizeof j->c->msg, "election %s created", e.eid);
    json_decref(payload);
    free(e.definition);
    return rc;
}

int election_create(store *s, election_ctx *c, const def_election *d,
                    const uint8_t audit_pk[32])
{
    create_job j = { c, d, audit_pk };

    c->msg[0] = '\0';
    return store_write(s, run_create, &j);
}

typedef struct {
    def_election *d;
    char *err;
    size_t errlen;
} def_job;

static int run_definition(store_tx *tx, void *arg)
{
    def_job *j = arg;
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK && def_parse(j->d, e.definition, strlen(e.definition), j->err,
                                    j->errlen) != 0)
        rc = STORE_EIO;
    free(e.definition);
    return rc;
}

int election_definition(store *s, def_election *d, char *err, size_t errlen)
{
    def_job j = { d, err, errlen };

    snprintf(err, errlen, "no election in this store");
    return store_read(s, run_definition, &j);
}

static int run_status(store_tx *tx, void *arg)
{
    election_status *st = arg;
    store_election e;
    uint8_t h[32];
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    memset(st, 0, sizeof *st);
    memcpy(st->eid, e.eid, sizeof st->eid);
    memcpy(st->state, e.state, sizeof st->state);
    memcpy(st->notice, e.notice, sizeof st->notice);
    memcpy(st->fingerprint, e.fingerprint, 32);
    st->test_mode = e.test_mode;
    st->suspended = e.suspended;
    st->has_public_key = e.has_public_key;
    free(e.definition);
    if ((rc = store_voter_count(tx, &st->voters, &st->struck)) != STORE_OK ||
        (rc = store_voters_without_auth(tx, &st->without_auth)) != STORE_OK ||
        (rc = store_credential_count(tx, &st->credentials)) != STORE_OK ||
        (rc = store_ballot_count(tx, &st->ballots)) != STORE_OK ||
        (rc = store_signature_count(tx, &st->signatures)) != STORE_OK)
        return rc;
    if ((rc = store_audit_count(tx, "code-reissued", &st->reissues)) != STORE_OK ||
        (rc = store_audit_count(tx, "suspended", &st->suspensions)) != STORE_OK ||
        (rc = store_audit_count(tx, "tally-alarm", &st->alarms)) != STORE_OK)
        return rc;
    return store_audit_last(tx, &st->audit_entries, h);
}

int election_status_get(store *s, election_status *st)
{
    return store_read(s, run_status, st);
}

static int run_state(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    memcpy(arg, e.state, sizeof e.state);
    free(e.definition);
    return STORE_OK;
}

int election_state_get(store *s, char state[STORE_STATE_CHARS + 1])
{
    return store_read(s, run_state, state);
}

static int run_key(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK && !e.has_public_key)
        rc = STORE_ENOTFOUND;
    if (rc == STORE_OK)
        memcpy(arg, e.public_key, 32);
    free(e.definition);
    return rc;
}

int election_status_key(store *s, uint8_t pk[32])
{
    return store_read(s, run_key, pk) == STORE_OK ? 0 : -1;
}

/* ---- the electoral list ---- */

typedef struct {
    election_ctx *c;
    const voter_list *list;
    const voters_diff *diff;
    election_progress progress;
    void *arg;
    int amend;
    /* The streamed import: the rows come from stream, the diff is made as
     * they go (into out), count says how many there were. */
    voters_stream *stream;
    voters_diff *out;
    uint64_t count;
    int dry_run, ran;
} import_job;

static json_t *diff_json(const voters_diff *d)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "added", (json_int_t)d->added,
                     "removed", (json_int_t)d->removed, "changed", (json_int_t)d->changed,
                     "unchanged", (json_int_t)d->unchanged);
}

/* list's rows, the first being the done+1-th of total. */
static int insert_rows(store_tx *tx, import_job *j, const voter_list *list, uint64_t done,
                       uint64_t total)
{
    for (size_t i = 0; i < list->n; i++) {
        const voter_row *row = &list->rows[i];
        store_voter v = voter_row_view(row);
        int rc = store_voter_add(tx, &v);

        if (rc == STORE_ECONFLICT)
            return election_refuse(j->c, "voter %s: the number or an address is already "
                                   "on the electoral list", v.number);
        if (rc != STORE_OK)
            return rc;
        if (j->progress != NULL && ((done + i) % 10000 == 0 || i + 1 == list->n))
            j->progress(done + i + 1, total, j->arg);
    }
    return STORE_OK;
}

/* A streamed chunk's rows, in bulk. */
static int insert_chunk(store_tx *tx, import_job *j, const voter_list *chunk)
{
    store_voter *v = malloc(chunk->n * sizeof *v);
    int rc;

    if (v == NULL)
        return STORE_ENOMEM;
    for (size_t i = 0; i < chunk->n; i++)
        v[i] = voter_row_view(&chunk->rows[i]);
    rc = store_voters_add(tx, v, chunk->n);
    if (rc == STORE_ECONFLICT)
        rc = election_refuse(j->c, "one of voters %s to %s: the number or an address is "
                             "already on the electoral list", v[0].number,
                             v[chunk->n - 1].number);
    free(v);
    if (rc == STORE_OK && j->progress != NULL)
        j->progress(j->count + chunk->n, 0, j->arg);
    return rc;
}

/* The streamed rows: diffed against the stored list, which they replace
 * (unless a dry run). Stops at the stream's first error: the caller's
 * transaction then rolls back whatever chunks went in. */
static int stream_rows(store_tx *tx, import_job *j)
{
    voters_differ *d;
    const voter_list *chunk;
    int more = 0, rc;

    /* a batch is run again after a fail-over, but a stream cannot be read twice;
     * the first run may have been durable if the connection broke during COMMIT */
    if (j->ran++)
        return election_refuse(j->c, "the store's connection was lost during the import,"
                               " perhaps once it was recorded: import the list again (if it"
                               " was, its voters show as unchanged)");
    if ((rc = voters_diff_start(tx, &d)) != STORE_OK)
        return rc;
    if (!j->dry_run)
        rc = store_voters_clear(tx);
    while (rc == STORE_OK && (more = voters_stream_next(j->stream, &chunk)) > 0) {
        for (size_t i = 0; i < chunk->n; i++)
            voters_diff_add(d, &chunk->rows[i].v);
        if (!j->dry_run)
            rc = insert_chunk(tx, j, chunk);
        j->count += chunk->n;
    }
    if (rc == STORE_OK && more < 0)
        rc = election_refuse(j->c, "the electoral list has errors: nothing was imported");
    voters_diff_end(d, rc == STORE_OK ? j->out : NULL);
    return rc;
}

static int run_import(store_tx *tx, void *arg)
{
    import_job *j = arg;
    store_election e;
    json_t *payload = NULL, *numbers;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_ENOTFOUND)
        return election_refuse(j->c, "no election in this store: run votectl init first");
    if (rc != STORE_OK)
        return rc;
    if (!j->amend && strcmp(e.state, "draft") != 0 && strcmp(e.state, "keys-ready") != 0)
        rc = election_refuse(j->c, "the electoral list can be re-imported only before "
                             "opening (now %s): use votectl amend", e.state);
    else if (!j->amend && e.test_mode)
        rc = election_refuse(j->c, "end the test run before re-importing the list");
    else if (j->amend && strcmp(e.state, "open") != 0)
        rc = election_refuse(j->c, "amendments are for an open election (now %s); before "
                             "opening, re-import the list", e.state);
    else if (j->amend && (j->c->reason == NULL || j->c->reason[0] == '\0'))
        rc = election_refuse(j->c, "an amendment needs a reason");
    free(e.definition);
    if (rc != STORE_OK)
        return rc;
    if (j->stream != NULL) {
        if ((rc = stream_rows(tx, j)) != STORE_OK)
            return rc;
    } else {
        if (!j->amend && (rc = store_voters_clear(tx)) != STORE_OK)
            return rc;
        if ((rc = insert_rows(tx, j, j->list, 0, j->list->n)) != STORE_OK)
            return rc;
        j->count = j->list->n;
    }
    if (j->amend) {
        numbers = json_array();
        for (size_t i = 0; i < j->list->n; i++)
            json_array_append_new(numbers, json_string(j->list->rows[i].v.number));
        payload = json_pack("{s:o,s:s}", "numbers", numbers, "reason", j->c->reason);
    } else {
        payload = json_pack("{s:I,s:o}", "voters", (json_int_t)j->count, "diff",
                            diff_json(j->stream != NULL ? j->out : j->diff));
    }
    rc = audit_append(tx, j->c->role, j->c->actor, j->amend ? "voters-added" : "voters-imported",
                      payload);
    json_decref(payload);
    return rc;
}

int election_import_voters(store *s, election_ctx *c, const voter_list *list,
                           const voters_diff *diff, election_progress progress, void *arg)
{
    import_job j = { c, list, diff, progress, arg, 0, NULL, NULL, 0, 0, 0 };

    c->msg[0] = '\0';
    return store_write(s, run_import, &j);
}

static int run_stream_dry(store_tx *tx, void *arg)
{
    return stream_rows(tx, arg);
}

int election_import_stream(store *s, election_ctx *c, voters_stream *st, int dry_run,
                           voters_diff *diff, election_progress progress, void *arg)
{
    import_job j = { c, NULL, NULL, progress, arg, 0, st, diff, 0, dry_run, 0 };

    c->msg[0] = '\0';
    memset(diff, 0, sizeof *diff);
    return dry_run ? store_read(s, run_stream_dry, &j) : store_write(s, run_import, &j);
}

int election_amend_add(store *s, election_ctx *c, const voter_list *list)
{
    import_job j = { c, list, NULL, NULL, NULL, 1, NULL, NULL, 0, 0, 0 };

    c->msg[0] = '\0';
    return store_write(s, run_import, &j);
}

typedef struct {
    election_ctx *c;
    const char *number;
} strike_job;

static int run_strike(store_tx *tx, void *arg)
{
    strike_job *j = arg;
    store_election e;
    json_t *payload;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    if (strcmp(e.state, "open") != 0)
        rc = election_refuse(j->c, "amendments are for an open election (now %s)", e.state);
    else if (j->c->reason == NULL || j->c->reason[0] == '\0')
        rc = election_refuse(j->c, "striking a voter needs a reason");
    free(e.definition);
    if (rc != STORE_OK)
        return rc;
    rc = store_voter_strike(tx, j->number);
    if (rc == STORE_ENOTFOUND)
        return election_refuse(j->c, "no voter numbered %s on the list (or already struck)",
                               j->number);
    if (rc != STORE_OK)
        return rc;
    payload = json_pack("{s:s,s:s}", "number", j->number, "reason", j->c->reason);
    rc = audit_append(tx, j->c->role, j->c->actor, "voter-struck", payload);
    json_decref(payload);
    return rc;
}

int election_amend_strike(store *s, election_ctx *c, const char *number)
{
    strike_job j = { c, number };

    c->msg[0] = '\0';
    return store_write(s, run_strike, &j);
}
