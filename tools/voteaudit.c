/* voteaudit - independent checks of an election's files.
 *
 *   voteaudit verify-log REGISTRY.db [--key AUDIT_PUBLIC_KEY_HEX]
 *
 * Reads the audit log straight from the registry file (read-only) and checks
 * the hash chain and every signed checkpoint; names the first bad entry. The
 * audit key should come from an independent record (the sealed election
 * record); without --key, the key stored in the file itself is used, which
 * only proves internal consistency. Exit: 0 valid, 1 invalid, 2 usage, 3 the
 * file cannot be read. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "crypto/hex.h"

static int load_key(sqlite3 *db, uint8_t pk[AUDIT_PK_BYTES])
{
    sqlite3_stmt *st;
    int ok = 0;

    if (sqlite3_prepare_v2(db, "SELECT audit_key FROM election WHERE id = 1", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == AUDIT_PK_BYTES) {
        memcpy(pk, sqlite3_column_blob(st, 0), AUDIT_PK_BYTES);
        ok = 1;
    }
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

static void blob(uint8_t *dst, size_t n, sqlite3_stmt *st, int col)
{
    memset(dst, 0, n);
    if ((size_t)sqlite3_column_bytes(st, col) == n)
        memcpy(dst, sqlite3_column_blob(st, col), n);
}

static int load_checkpoints(sqlite3 *db, store_checkpoint **out, size_t *n)
{
    sqlite3_stmt *st;
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db, "SELECT seq, hash, signature FROM audit_checkpoint ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            store_checkpoint *c = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof *c);

            if (c == NULL) {
                sqlite3_finalize(st);
                return -1;
            }
            *out = c;
        }
        (*out)[*n].seq = (uint64_t)sqlite3_column_int64(st, 0);
        blob((*out)[*n].hash, AUDIT_HASH_BYTES, st, 1);
        blob((*out)[*n].signature, 64, st, 2);
        (*n)++;
    }
    sqlite3_finalize(st);
    return 0;
}

static int text_col(sqlite3_stmt *st, int col, const char **out)
{
    *out = (const char *)sqlite3_column_text(st, col);
    return *out == NULL ? -1 : 0;
}

static int verify_entries(sqlite3 *db, audit_verifier *v)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, "SELECT seq, time, role, actor, event, payload, prev, hash"
                               " FROM audit ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_audit_entry e;
        const char *t;

        e.seq = (uint64_t)sqlite3_column_int64(st, 0);
        if (text_col(st, 1, &t) != 0 || text_col(st, 2, &e.role) != 0 ||
            text_col(st, 3, &e.actor) != 0 || text_col(st, 4, &e.event) != 0 ||
            text_col(st, 5, &e.payload) != 0 || strlen(t) >= sizeof e.time) {
            e.role = e.actor = e.event = e.payload = "";
            t = "";
        }
        snprintf(e.time, sizeof e.time, "%s", t);
        blob(e.prev, AUDIT_HASH_BYTES, st, 6);
        blob(e.hash, AUDIT_HASH_BYTES, st, 7);
        if (audit_verifier_entry(v, &e) != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int verify_log(const char *path, const char *keyhex)
{
    sqlite3 *db;
    uint8_t pk[AUDIT_PK_BYTES];
    store_checkpoint *cps = NULL;
    size_t ncps = 0;
    audit_verifier v;
    int rc = 3;

    /* a live registry: wait for the daemon's commit in progress rather than
     * fail, and read the checkpoints and the entries from one snapshot */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 30000) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "voteaudit: %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return 3;
    }
    if (keyhex != NULL ? hex_decode(pk, sizeof pk, keyhex) != 0 : load_key(db, pk) != 0) {
        fprintf(stderr, "voteaudit: %s\n", keyhex ? "--key must be 64 lowercase hex digits"
                                                  : "no audit key in the file");
        rc = keyhex ? 2 : 3;
        goto out;
    }
    if (keyhex == NULL)
        printf("note: using the audit key stored in the file; pass --key from the sealed "
               "record for an independent check\n");
    if (load_checkpoints(db, &cps, &ncps) != 0) {
        fprintf(stderr, "voteaudit: %s: cannot read checkpoints\n", path);
        goto out;
    }
    audit_verifier_init(&v, pk, cps, ncps);
    if (verify_entries(db, &v) != 0) {
        fprintf(stderr, "voteaudit: %s: cannot read the audit log\n", path);
        goto out;
    }
    if (audit_verifier_finish(&v) == 0) {
        printf("audit log: OK, %llu entries, %llu signed checkpoints verified\n",
               (unsigned long long)v.entries, (unsigned long long)v.checkpoints_ok);
        rc = 0;
    } else {
        printf("audit log: INVALID at entry %llu: %s\n", (unsigned long long)v.bad_seq,
               v.reason);
        rc = 1;
    }
out:
    free(cps);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    const char *key = NULL;

    if (sodium_init() < 0)
        return 3;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: voteaudit verify-log REGISTRY.db [--key AUDIT_PUBLIC_KEY_HEX]\n");
        return 0;
    }
    if (argc == 5 && strcmp(argv[3], "--key") == 0)
        key = argv[4];
    if (argc < 3 || strcmp(argv[1], "verify-log") != 0 || (argc != 3 && key == NULL)) {
        fprintf(stderr, "usage: voteaudit verify-log REGISTRY.db [--key AUDIT_PUBLIC_KEY_HEX]\n");
        return 2;
    }
    return verify_log(argv[2], key);
}
