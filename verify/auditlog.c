/* auditlog.c - with --audit-log: the election's audit log (the registry file,
 * read-only; it names voters, so it is not in the public archive), checked
 * against protocol.md §13 and the archive: every entry chains to the previous
 * one and matches its hash, every checkpoint of the archive names an entry
 * with its hash, the casts it records per scrutin equal the signatures, and no
 * count was stopped by an alarm. */
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include "verify.h"

typedef struct {
    uint64_t n, broken, first_broken, alarms;
    uint64_t casts[VV_MAX_SCRUTINS];
    uint8_t (*hash)[32];
    size_t cap;
} log_state;

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
}
