/* auditlog.c - with --audit-log: the election's audit log (the registry file,
 * read-only; it names voters, so it is not in the public archive), checked
 * against protocol.md §13 and the archive: every entry chains to the previous
 * one and matches its hash, every checkpoint of the archive names an entry
 * with its hash, every entry due a checkpoint has one in the archive, the casts
 * it records per scrutin equal the signatures and hash to the closing seals'
 * signature-list digest, and no count was stopped by an alarm. */
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include "verify.h"

typedef struct {
    uint64_t n, broken, first_broken, alarms;
    uint64_t casts[VV_MAX_SCRUTINS];
    uint8_t (*hash)[32];
    size_t cap;
    uint64_t *due;                     /* entries due a checkpoint (§13) */
    size_t ndue, capdue;
    uint64_t state_seq;                /* the last entry that made the archive's state */
    char **pairs;                      /* the signature list: (scrutin, number) pairs */
    size_t npairs, cappairs;
    int nomem;
} log_state;

/* The entries §13 says are due a checkpoint (audit_checkpoint_due). */
static int due(uint64_t seq, const char *event)
{
    static const char *const events[] = {
        "election-created", "public-key-set", "opened", "closed", "suspended", "resumed",
        "test-started", "test-wiped", "published", "purged", "checkpoint", "tally-alarm",
        "tally-sums"
    };

    if (seq % 1000 == 0)
        return 1;
    for (size_t i = 0; i < sizeof events / sizeof *events; i++)
        if (strcmp(event, events[i]) == 0)
            return 1;
    return 0;
}

/* The event that puts the election in the archive's state, or NULL. */
static const char *state_event(const char *state)
{
    static const char *const map[][2] = { { "open", "opened" }, { "closed", "closed" },
                                          { "tallied", "tally-sums" },
                                          { "published", "published" }, { "purged", "purged" } };

    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(state, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    void *m;

    if (need <= *cap)
        return 0;
    if ((m = realloc(*arr, (*cap = *cap ? 2 * *cap : 4096) * size)) == NULL)
        return -1;
    *arr = m;
    return 0;
}

static void pairs_clear(log_state *l)
{
    for (size_t i = 0; i < 2 * l->npairs; i++)
        free(l->pairs[i]);
    l->npairs = 0;
}

/* A ballot-cast entry signs (scrutin, number) into the list; a test run's
 * wipe empties it (§6.3). */
static void signature_list(log_state *l, const char *event, const char *payload)
{
    json_t *p;
    const char *sc, *num;

    if (strcmp(event, "test-wiped") == 0)
        pairs_clear(l);
    if (strcmp(event, "ballot-cast") != 0 || (p = json_loads(payload, 0, NULL)) == NULL)
        return;
    sc = json_string_value(json_object_get(p, "scrutin"));
    num = json_string_value(json_object_get(p, "number"));
    if (sc == NULL || num == NULL ||
        grow((void **)&l->pairs, &l->cappairs, 2 * (l->npairs + 1), sizeof *l->pairs) != 0 ||
        (l->pairs[2 * l->npairs] = strdup(sc)) == NULL ||
        (l->pairs[2 * l->npairs + 1] = strdup(num)) == NULL) {
        l->nomem = 1;
        json_decref(p);
        return;
    }
    l->npairs++;
    json_decref(p);
}

static const char *col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    return s != NULL ? s : "";
}

static void entry(vv *v, log_state *l, sqlite3_stmt *st)
{
    uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
    uint8_t h[32], prev[32] = { 0 };
    transcript t;
    json_t *p;

    if (l->n == l->cap) {
        void *m = realloc(l->hash, (l->cap = l->cap ? 2 * l->cap : 4096) * 32);

        if (m == NULL) {
            l->broken++;
            return;
        }
        l->hash = m;
    }
    if (l->n > 0)
        memcpy(prev, l->hash[l->n - 1], 32);
    transcript_init(&t, "votesrv/v1/audit", 32);
    transcript_put_u64(&t, seq);
    for (int i = 1; i <= 5; i++)
        transcript_put(&t, col(st, i), strlen(col(st, i)));
    transcript_put(&t, prev, 32);
    transcript_digest(&t, h);
    if (seq != l->n + 1 || sqlite3_column_bytes(st, 6) != 32 || sqlite3_column_bytes(st, 7) != 32 ||
        memcmp(sqlite3_column_blob(st, 6), prev, 32) != 0 ||
        memcmp(sqlite3_column_blob(st, 7), h, 32) != 0) {
        if (l->broken++ == 0)
            l->first_broken = seq;
    }
    memcpy(l->hash[l->n++], h, 32);
    if (due(seq, col(st, 4)) &&
        grow((void **)&l->due, &l->capdue, l->ndue + 1, sizeof *l->due) == 0)
        l->due[l->ndue++] = seq;
    if (state_event(v->state) != NULL && strcmp(col(st, 4), state_event(v->state)) == 0)
        l->state_seq = seq;
    signature_list(l, col(st, 4), col(st, 5));
    if (strcmp(col(st, 4), "tally-alarm") == 0)
        l->alarms++;
    if (strcmp(col(st, 4), "ballot-cast") == 0 && (p = json_loads(col(st, 5), 0, NULL)) != NULL) {
        for (size_t i = 0; i < v->nsc; i++)
            if (json_is_string(json_object_get(p, "scrutin")) &&
                strcmp(json_string_value(json_object_get(p, "scrutin")), v->sc[i].id) == 0)
                l->casts[i]++;
        json_decref(p);
    }
}

/* Every entry due a checkpoint, up to the archive's last checkpoint and up to
 * the entry that made the archive's state, has its checkpoint in the archive:
 * a checkpoint dropped from it (the last one too) is missed. */
static void missing_checkpoints(vv *v, log_state *l)
{
    json_t *c = json_array_get(v->checkpoints, json_array_size(v->checkpoints) - 1);
    uint64_t bound = (uint64_t)json_integer_value(json_object_get(c, "seq")), first = 0;
    size_t i, k = 0, n = json_array_size(v->checkpoints), missing = 0;

    if (l->state_seq > bound)
        bound = l->state_seq;
    for (i = 0; i < l->ndue && l->due[i] <= bound; i++) {
        while (k < n && (uint64_t)json_integer_value(json_object_get(
                            json_array_get(v->checkpoints, k), "seq")) < l->due[i])
            k++;
        if (k == n || (uint64_t)json_integer_value(json_object_get(
                          json_array_get(v->checkpoints, k), "seq")) != l->due[i]) {
            if (missing++ == 0)
                first = l->due[i];
        }
    }
    vv_report(v, missing == 0, "audit log: every entry due a checkpoint up to %llu (the "
              "archive's last checkpoint or the entry of its state %s) has it in the archive "
              "(%zu missing, first %llu)", (unsigned long long)bound, v->state, missing,
              (unsigned long long)first);
}

static void verdicts(vv *v, log_state *l)
{
    json_t *c;
    size_t i, unmatched = 0;

    vv_report(v, l->broken == 0, "audit log: %llu entries chained, each matching its hash%s",
              (unsigned long long)l->n, l->broken ? " (first broken entry named below)" : "");
    if (l->broken)
        vv_report(v, 0, "audit log: entry %llu does not chain or match its hash",
                  (unsigned long long)l->first_broken);
    json_array_foreach(v->checkpoints, i, c) {
        uint8_t h[32];
        json_int_t seq = json_integer_value(json_object_get(c, "seq"));

        if (seq < 1 || (uint64_t)seq > l->n || vv_hex(h, 32, c, "hash") != 0 ||
            memcmp(h, l->hash[seq - 1], 32) != 0)
            unmatched++;
    }
    vv_report(v, unmatched == 0, "audit log: every signed checkpoint of the archive names an "
              "entry of the log with its hash (%zu unmatched)", unmatched);
    missing_checkpoints(v, l);
    if (v->have_close_state) {
        uint8_t d[32];

        vv_signatures_digest(d, l->pairs, l->npairs);
        vv_report(v, !l->nomem && memcmp(d, v->seal_sigs_close, 32) == 0,
                  "audit log: the closing seals' signature-list digest is the one of the %zu "
                  "(scrutin, number) pairs its casts record", l->npairs);
    }
    for (i = 0; i < v->nsc; i++)
        vv_report(v, l->casts[i] == v->sc[i].signatures_line,
                  "audit log: scrutin %s: %llu casts recorded = %llu signatures", v->sc[i].id,
                  (unsigned long long)l->casts[i], (unsigned long long)v->sc[i].signatures_line);
    vv_report(v, l->alarms == 0, "audit log: no alarm stopped the count (%llu)",
              (unsigned long long)l->alarms);
}

void vv_audit_log(vv *v, const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    log_state l;
    int rc;

    memset(&l, 0, sizeof l);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT seq, time, role, actor, event, payload, prev, hash "
                           "FROM audit ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
        vv_report(v, 0, "audit log: %s cannot be read as a votesrv registry", path);
        sqlite3_close(db);
        return;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        entry(v, &l, st);
    if (rc != SQLITE_DONE)
        vv_report(v, 0, "audit log: reading %s failed", path);
    else
        verdicts(v, &l);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(l.hash);
    free(l.due);
    pairs_clear(&l);
    free(l.pairs);
}
