/* test_signer.c - the signer process signs only what it reads committed:
 * requests of other kinds or sizes, receipts for ballots not in the box,
 * checkpoints not due, missing or already signed are refused; what it signs
 * verifies with the audit public key; a crash between an entry and its
 * checkpoint is repaired; a running daemon's writer holds neither the
 * audit secret key nor the pepper (its memory is scanned), and stops when its
 * signer ends; the signer is sandboxed (its own user as root, not dumpable,
 * its system-call filter): a process of the writer's user cannot trace it or
 * read its memory, and attack code in a process sandboxed as the signer is
 * can read files but write, create, run, fork, trace, signal and (SQLite
 * mode) open a socket nothing. */
#define _GNU_SOURCE             /* memmem, process_vm_readv, O_TMPFILE */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "audit/audit.h"
#include "box/box.h"
#include "credauth/credauth.h"
#include "crypto/hex.h"
#include "crypto/secret.h"
#include "election/credentials.h"
#include "election/election.h"
#include "signer/signer.h"
#include "signer/signer_internal.h"
#include "votesrv/config.h"
#include "votesrv/server.h"

#define SCRUTIN "cap-attaches"
#define OTHER "csa-ministere"
#define CSV "number,surname,given_names,emails,establishment,postal_address,corps\n" \
            "S1,Un,Une,s1@ex.gouv.fr,E1,,attache\n" \
            "S2,Deux,Deux,s2@ex.gouv.fr,E1,,attache\n"

typedef struct {
    char *dir;
    store *s;                    /* the test's writer, keyed like the daemon's */
    signer *g;                   /* a signer process */
    signer_keys k;
    char reg[600], box[600], pg[600], keys[600];
} fixture;

static store *open_keyed(fixture *f)
{
    store_config c = { f->reg, f->box, 2, f->pg[0] ? f->pg : NULL, f->k.box_key, 0 };
    char err[300];
    store *s = store_open(&c, err, sizeof err);

    if (s == NULL)
        fprintf(stderr, "store: %s\n", err);
    return s;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    store_config sc;
    char err[300];
    int64_t now = (int64_t)time(NULL);

    if (f == NULL || crypto_init() != 0)
        return -1;
    f->dir = tu_tmpdir();
    snprintf(f->reg, sizeof f->reg, "%s/registry.db", f->dir);
    snprintf(f->box, sizeof f->box, "%s/ballots.db", f->dir);
    snprintf(f->keys, sizeof f->keys, "%s/server-keys.json", f->dir);
    if (tu_pg() && tu_pg_conninfo(f->dir, f->pg, sizeof f->pg) != 0)
        return -1;
    sc = (store_config){ f->reg, f->box, 1, f->pg[0] ? f->pg : NULL, NULL, 0 };
    f->g = signer_spawn(f->keys, 1, &sc, NULL, err, sizeof err);
    if (f->g == NULL || signer_keys_get(f->g, &f->k) != SIGNER_OK) {
        fprintf(stderr, "signer: %s\n", err);
        return -1;
    }
    store_close(tu_election(f->dir, CSV, now - 60, now + 86400));   /* a local signer's key */
    audit_set_signer(NULL);
    if ((f->s = open_keyed(f)) == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    store_close(f->s);
    signer_free(f->g);
    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* ---- helpers ---- */

typedef struct {
    uint8_t tracker[32];
    const char *scrutin;
    uint64_t count;
    uint8_t digest[32];
} ballot_job;

static int run_ballot(store_tx *tx, void *arg)
{
    ballot_job *b = arg;
    int rc = store_ballot_add(tx, b->tracker, b->scrutin, "{\"test\":1}", NULL, 0);

    if (rc == STORE_OK)
        rc = store_box_state_get(tx, b->scrutin, &b->count, b->digest);
    if (rc == STORE_OK && box_digest_add(b->digest, b->tracker) != 0)
        rc = STORE_EIO;
    if (rc == STORE_OK)
        rc = store_box_state_put(tx, b->scrutin, ++b->count, b->digest);
    return rc;
}

typedef struct {
    uint64_t upto;
    const char *event;           /* the last entry's */
    int fail;                    /* return an error after appending */
    int raw;                     /* chained by hand, as a writer without a signer would */
} fill_job;

static int append_raw(store_tx *tx, uint64_t seq, const uint8_t prev[32], const char *event,
                      uint8_t hash[32])
{
    store_audit_entry e = { .seq = seq, .time = "2026-01-01T00:00:00.000Z", .role = "officer",
                            .actor = "test", .event = event, .payload = "{}" };
    int rc;

    memcpy(e.prev, prev, 32);
    audit_entry_hash(e.hash, &e);
    rc = store_audit_insert(tx, &e);
    memcpy(hash, e.hash, 32);
    return rc;
}

static int run_fill(store_tx *tx, void *arg)
{
    fill_job *j = arg;
    uint64_t seq;
    uint8_t hash[32];
    int rc = store_audit_last(tx, &seq, hash);

    while (rc == STORE_OK && seq < j->upto) {
        const char *event = seq + 1 == j->upto ? j->event : "test-filler";
        json_t *p = json_pack("{s:I}", "n", (json_int_t)seq);

        rc = j->raw ? append_raw(tx, seq + 1, hash, event, hash)
                    : audit_append(tx, "officer", "test", event, p);
        json_decref(p);
        seq++;
    }
    return rc == STORE_OK && j->fail ? STORE_ECONFLICT : rc;
}

static int run_election(store_tx *tx, void *arg)
{
    return store_election_get(tx, arg);
}

typedef struct {
    uint64_t seq;
    store_audit_entry e;
    char event[64];
    int found;
    uint64_t last, ncps;
    store_checkpoint cp;
    int has_cp;
} look_job;

static int on_look_entry(const store_audit_entry *e, void *arg)
{
    look_job *l = arg;

    if (e->seq == l->seq) {
        l->e = *e;
        snprintf(l->event, sizeof l->event, "%s", e->event);
        l->found = 1;
    }
    return 1;
}

static int on_look_cp(const store_checkpoint *c, void *arg)
{
    look_job *l = arg;

    l->ncps++;
    if (c->seq == l->seq) {
        l->cp = *c;
        l->has_cp = 1;
    }
    return 0;
}

static int run_look(store_tx *tx, void *arg)
{
    look_job *l = arg;
    uint8_t h[32];
    int rc = store_audit_each(tx, l->seq, on_look_entry, l);

    if (rc < 0)
        return rc;
    if ((rc = store_audit_last(tx, &l->last, h)) != STORE_OK)
        return rc;
    return store_checkpoints_each(tx, on_look_cp, l);
}

static look_job look(fixture *f, uint64_t seq)
{
    look_job l = { .seq = seq };

    assert_int_equal(store_read(f->s, run_look, &l), STORE_OK);
    return l;
}

static int checkpoint_verifies(const store_checkpoint *cp, const uint8_t pk[32])
{
    uint8_t msg[8 + 32];

    audit_checkpoint_message(msg, cp->seq, cp->hash);
    return crypto_sign_verify_detached(cp->signature, msg, sizeof msg, pk) == 0;
}

/* ---- the channel ---- */

static void test_refuses_other_kinds_and_sizes(void **state)
{
    fixture *f = *state;
    uint8_t msg[4 + SIGNER_REQUEST_MAX + 64];
    uint32_t kind;

    memset(msg, 'a', sizeof msg);
    kind = 99;                                          /* not one of its kinds */
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4 + 8), SIGNER_REFUSED);
    kind = 0;
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4), SIGNER_REFUSED);
    kind = SIGNER_KIND_CHECKPOINT;                      /* a seq is 8 bytes, not 7 or 9 */
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4 + 7), SIGNER_REFUSED);
    assert_int_equal(signer_raw(f->g, msg, 4 + 9), SIGNER_REFUSED);
    kind = SIGNER_KIND_KEYS;                            /* the keys request has no payload */
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4 + 1), SIGNER_REFUSED);
    kind = SIGNER_KIND_REISSUE;                         /* 32 lowercase hex digits only */
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4 + 31), SIGNER_REFUSED);
    memset(msg + 4, 'G', 32);
    assert_int_equal(signer_raw(f->g, msg, 4 + 32), SIGNER_REFUSED);
    kind = SIGNER_KIND_RECEIPT;                         /* no scrutin; a scrutin with a space */
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4 + SIGNER_RECEIPT_FIXED), SIGNER_REFUSED);
    memcpy(msg + 4 + SIGNER_RECEIPT_FIXED, "cap attaches", 12);
    assert_int_equal(signer_raw(f->g, msg, 4 + SIGNER_RECEIPT_FIXED + 12), SIGNER_REFUSED);
    assert_int_equal(signer_raw(f->g, msg, 4 + SIGNER_RECEIPT_FIXED + STORE_SCRUTIN_CHARS + 1),
                     SIGNER_REFUSED);
    kind = SIGNER_KIND_ARCHIVE_END;                     /* the writer names nothing */
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4 + 1), SIGNER_REFUSED);
    assert_int_equal(signer_raw(f->g, msg, 4 + 8), SIGNER_REFUSED);
    assert_int_equal(signer_raw(f->g, msg, 4 + 8 + 32), SIGNER_REFUSED);
    assert_int_equal(signer_raw(f->g, msg, 4 + SIGNER_END_ANSWER), SIGNER_REFUSED);
    assert_int_equal(signer_raw(f->g, msg, 4), SIGNER_OK);
    assert_int_equal(signer_raw(f->g, msg, sizeof msg), SIGNER_REFUSED);     /* oversized */
    assert_int_equal(signer_raw(f->g, msg, 2), SIGNER_REFUSED);              /* no kind */
    /* after all that, the channel still answers a well-formed request */
    kind = SIGNER_KIND_KEYS;
    memcpy(msg, &kind, 4);
    assert_int_equal(signer_raw(f->g, msg, 4), SIGNER_OK);
}

/* ---- receipts ---- */

static void test_receipt_only_for_a_committed_ballot(void **state)
{
    fixture *f = *state;
    ballot_job b = { .scrutin = SCRUTIN };
    box_receipt r;
    store_election e;
    uint8_t other[32];

    randombytes_buf(b.tracker, sizeof b.tracker);
    assert_int_equal(store_write(f->s, run_ballot, &b), STORE_OK);
    memset(&r, 0, sizeof r);
    memcpy(r.tracker, b.tracker, 32);
    snprintf(r.scrutin, sizeof r.scrutin, "%s", SCRUTIN);
    r.count = b.count;
    memcpy(r.digest, b.digest, 32);
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_OK);
    assert_int_equal(box_receipt_verify(&r, f->k.audit_pk), 0);
    assert_int_equal(store_read(f->s, run_election, &e), STORE_OK);
    assert_memory_equal(r.fp, e.fingerprint, 32);       /* the fingerprint it read itself */
    free(e.definition);
    /* a tracker that is not in the box */
    randombytes_buf(other, sizeof other);
    memcpy(r.tracker, other, 32);
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_REFUSED);
    /* the ballot, but in another scrutin */
    memcpy(r.tracker, b.tracker, 32);
    snprintf(r.scrutin, sizeof r.scrutin, "%s", OTHER);
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_REFUSED);
    /* a count the box never had */
    snprintf(r.scrutin, sizeof r.scrutin, "%s", SCRUTIN);
    r.count = b.count + 1;
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_REFUSED);
    r.count = 0;
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_REFUSED);
    /* "already recorded" (the same ballot sent again): a kind of its own, the
     * same checks, a message of its own that the mark cannot be taken off */
    r.count = b.count;
    r.already_recorded = 1;
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_OK);
    assert_int_equal(box_receipt_verify(&r, f->k.audit_pk), 0);
    r.already_recorded = 0;
    assert_int_equal(box_receipt_verify(&r, f->k.audit_pk), -1);
    r.already_recorded = 1;
    memcpy(r.tracker, other, 32);
    assert_int_equal(signer_receipt(f->g, NULL, &r), SIGNER_REFUSED);
}

/* ---- the archive's end ---- */

/* What the store holds: the election, its checkpoints' number and last one. */
typedef struct {
    store_election e;
    uint64_t n;
    store_checkpoint last;
} end_job;

static int on_cp(const store_checkpoint *c, void *arg)
{
    end_job *j = arg;

    j->n++;
    j->last = *c;
    return 0;
}

static int run_end(store_tx *tx, void *arg)
{
    end_job *j = arg;
    int rc = store_election_get(tx, &j->e);

    j->n = 0;
    free(j->e.definition);
    j->e.definition = NULL;
    return rc == STORE_OK ? store_checkpoints_each(tx, on_cp, j) : rc;
}

/* e is exactly the store's, signed with pk over the message of §13. */
static void expect_end(fixture *f, const signer_end_line *e, const uint8_t pk[32])
{
    end_job j;
    uint8_t msg[32];

    assert_int_equal(store_read(f->s, run_end, &j), STORE_OK);
    assert_true(j.n > 0);
    assert_string_equal(e->state, j.e.state);
    assert_int_equal(e->checkpoints, j.n);
    assert_int_equal(e->last_seq, j.last.seq);
    assert_memory_equal(e->last_hash, j.last.hash, 32);
    audit_archive_end_message(msg, j.e.fingerprint, e->state, e->checkpoints, e->last_seq,
                              e->last_hash);
    assert_int_equal(crypto_sign_verify_detached(e->signature, msg, sizeof msg, pk), 0);
    /* the signature covers each field: another state, count or last seq fails */
    audit_archive_end_message(msg, j.e.fingerprint, "published", e->checkpoints, e->last_seq,
                              e->last_hash);
    assert_int_not_equal(crypto_sign_verify_detached(e->signature, msg, sizeof msg, pk), 0);
    audit_archive_end_message(msg, j.e.fingerprint, e->state, e->checkpoints - 1, e->last_seq,
                              e->last_hash);
    assert_int_not_equal(crypto_sign_verify_detached(e->signature, msg, sizeof msg, pk), 0);
    audit_archive_end_message(msg, j.e.fingerprint, e->state, e->checkpoints, e->last_seq - 1,
                              e->last_hash);
    assert_int_not_equal(crypto_sign_verify_detached(e->signature, msg, sizeof msg, pk), 0);
}

static int run_cp_insert(store_tx *tx, void *arg)
{
    return store_checkpoint_insert(tx, arg);
}

static void test_archive_end_reads_what_it_signs(void **state)
{
    fixture *f = *state;
    fill_job fill = { 0, "suspended", 0, 1 };
    signer_end_line e, e2;
    store_checkpoint cp;
    uint8_t sk[64], pk[32];
    signer *local;
    end_job j;

    /* the signer process: what it read itself, with its key */
    assert_int_equal(signer_archive_end(f->g, NULL, &e), SIGNER_OK);
    expect_end(f, &e, f->k.audit_pk);
    assert_string_equal(e.state, "draft");
    /* a new checkpoint (a transition's, signed and stored): the next end names it */
    assert_int_equal(store_read(f->s, run_end, &j), STORE_OK);
    fill.upto = j.last.seq + 3;
    assert_int_equal(store_write(f->s, run_fill, &fill), STORE_OK);
    assert_int_equal(signer_checkpoint(f->g, NULL, fill.upto, &cp), SIGNER_OK);
    assert_int_equal(store_write(f->s, run_cp_insert, &cp), STORE_OK);
    assert_int_equal(signer_archive_end(f->g, NULL, &e2), SIGNER_OK);
    expect_end(f, &e2, f->k.audit_pk);
    assert_int_equal(e2.checkpoints, e.checkpoints + 1);
    assert_int_equal(e2.last_seq, fill.upto);
    /* the archive, its end asked of the signer process: what it signed, as it
     * signed it, and the checkpoints the archive holds */
    {
        FILE *a = tmpfile();
        char *line = NULL, *last = NULL;
        size_t cap = 0;
        json_t *root, *end, *cps = NULL;
        uint8_t sig[64], msg[32];

        assert_non_null(a);
        assert_int_equal(box_archive_write(f->s, f->g, a), STORE_OK);
        rewind(a);
        while (getline(&line, &cap, a) > 0) {
            json_t *jl = json_loads(line, 0, NULL);

            if (json_object_get(jl, "checkpoints") != NULL)
                cps = json_incref(json_object_get(jl, "checkpoints"));
            json_decref(jl);
            free(last);
            last = strdup(line);
        }
        root = json_loads(last, 0, NULL);
        end = json_object_get(root, "end");
        assert_non_null(end);
        assert_non_null(cps);
        assert_int_equal(json_array_size(cps), e2.checkpoints);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(cps, e2.checkpoints - 1),
                                                            "seq")), (json_int_t)e2.last_seq);
        assert_string_equal(json_string_value(json_object_get(end, "state")), e2.state);
        assert_int_equal(json_integer_value(json_object_get(end, "checkpoints")),
                         (json_int_t)e2.checkpoints);
        assert_int_equal(hex_decode(sig, 64, json_string_value(json_object_get(end, "signature"))),
                         0);
        assert_int_equal(store_read(f->s, run_end, &j), STORE_OK);
        audit_archive_end_message(msg, j.e.fingerprint, e2.state, e2.checkpoints, e2.last_seq,
                                  e2.last_hash);
        assert_int_equal(crypto_sign_verify_detached(sig, msg, sizeof msg, f->k.audit_pk), 0);
        json_decref(root);
        json_decref(cps);
        free(line);
        free(last);
        fclose(a);
    }
    /* in-process (box_archive_write passes its transaction): the same */
    crypto_sign_keypair(pk, sk);
    local = signer_local_new(sk, NULL, f->s);
    assert_non_null(local);
    assert_int_equal(signer_archive_end(local, NULL, &e), SIGNER_OK);
    expect_end(f, &e, pk);
    assert_int_equal(signer_raw(local, "\5\0\0\0", 4), SIGNER_EIO);   /* no channel */
    signer_free(local);
}

/* ---- checkpoints ---- */

static void test_checkpoint_only_when_due(void **state)
{
    fixture *f = *state;
    fill_job fill = { AUDIT_CHECKPOINT_EVERY + 1, "test-filler", 0, 1 };
    store_checkpoint cp;
    look_job l;

    /* the entries are written without a signer: entry 1000 is due and unsigned */
    assert_int_equal(store_write(f->s, run_fill, &fill), STORE_OK);
    l = look(f, AUDIT_CHECKPOINT_EVERY);
    assert_true(l.found && !l.has_cp);
    /* not due: an ordinary entry; missing: past the end, and seq 0 */
    assert_int_equal(signer_checkpoint(f->g, NULL, AUDIT_CHECKPOINT_EVERY - 1, &cp),
                     SIGNER_REFUSED);
    assert_int_equal(signer_checkpoint(f->g, NULL, AUDIT_CHECKPOINT_EVERY + 1, &cp),
                     SIGNER_REFUSED);
    assert_int_equal(signer_checkpoint(f->g, NULL, AUDIT_CHECKPOINT_EVERY + 2, &cp),
                     SIGNER_REFUSED);
    assert_int_equal(signer_checkpoint(f->g, NULL, 0, &cp), SIGNER_REFUSED);
    /* entry 1 (the creation) is due, but was checkpointed when it was written */
    l = look(f, 1);
    assert_true(l.found && l.has_cp);
    assert_int_equal(signer_checkpoint(f->g, NULL, 1, &cp), SIGNER_REFUSED);
    /* the due one: signed over the hash the signer recomputed */
    assert_int_equal(signer_checkpoint(f->g, NULL, AUDIT_CHECKPOINT_EVERY, &cp), SIGNER_OK);
    l = look(f, AUDIT_CHECKPOINT_EVERY);
    assert_int_equal(cp.seq, AUDIT_CHECKPOINT_EVERY);
    assert_memory_equal(cp.hash, l.e.hash, 32);
    assert_true(checkpoint_verifies(&cp, f->k.audit_pk));
    /* a second time: refused, though the writer never stored the first */
    assert_int_equal(signer_checkpoint(f->g, NULL, AUDIT_CHECKPOINT_EVERY, &cp), SIGNER_REFUSED);
}

static void test_checkpoint_of_a_transition(void **state)
{
    fixture *f = *state;
    fill_job fill = { 5, "suspended", 0, 1 };
    store_checkpoint cp;

    /* entry 5 is a lifecycle transition's (written here without a signer) */
    assert_int_equal(store_write(f->s, run_fill, &fill), STORE_OK);
    assert_int_equal(signer_checkpoint(f->g, NULL, 4, &cp), SIGNER_REFUSED);
    assert_int_equal(signer_checkpoint(f->g, NULL, 5, &cp), SIGNER_OK);
    assert_true(checkpoint_verifies(&cp, f->k.audit_pk));
}

/* A crash between an entry's commit and its checkpoint: the next start signs
 * what is due; the log then verifies with every checkpoint. */
static void test_repair_after_a_crash(void **state)
{
    fixture *f = *state;
    fill_job fill = { 2 * AUDIT_CHECKPOINT_EVERY, "test-filler", 0, 1 };
    look_job l;

    assert_int_equal(store_write(f->s, run_fill, &fill), STORE_OK);
    l = look(f, 2 * AUDIT_CHECKPOINT_EVERY);
    assert_true(l.found && !l.has_cp);
    audit_set_signer(f->g);
    assert_int_equal(audit_checkpoints_repair(f->s), STORE_OK);
    l = look(f, 2 * AUDIT_CHECKPOINT_EVERY);
    assert_true(l.has_cp);
    assert_true(checkpoint_verifies(&l.cp, f->k.audit_pk));
    l = look(f, AUDIT_CHECKPOINT_EVERY);
    assert_true(l.has_cp);
    assert_true(checkpoint_verifies(&l.cp, f->k.audit_pk));
    assert_false(look(f, AUDIT_CHECKPOINT_EVERY + 1).has_cp);       /* nothing else */
    audit_set_signer(NULL);
}

/* The checkpoint is asked for after the commit, by the writer, and stored;
 * a job that rolls back asks for nothing. */
static void test_after_commit_only(void **state)
{
    fixture *f = *state;
    fill_job ok = { 3, "checkpoint", 0, 0 }, bad = { 4, "checkpoint", 1, 0 };
    look_job l;
    uint64_t before;

    audit_set_signer(f->g);
    assert_int_equal(store_write(f->s, run_fill, &ok), STORE_OK);
    l = look(f, 3);
    assert_true(l.has_cp);
    assert_true(checkpoint_verifies(&l.cp, f->k.audit_pk));
    before = l.ncps;
    assert_int_equal(store_write(f->s, run_fill, &bad), STORE_ECONFLICT);
    l = look(f, 4);
    assert_false(l.found);
    assert_int_equal(l.ncps, before);
    audit_set_signer(NULL);
}

/* ---- reissue requests ---- */

typedef struct {
    const char *state;           /* the election's state to set, or NULL */
    const char *eid, *voter;     /* the request's fields (NULL: the real ones) */
    const char *extra;           /* a scrutin added to the request's, or NULL */
    char id[33];
    char *body;
} request_job;

static int add_scrutin(const char *scrutin, int voted, void *arg)
{
    json_t *list = arg;

    return voted ? 0 : json_array_append_new(list, json_string(scrutin));
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A stored request for voter S1, unsigned, as the writer makes it. */
static int run_request(store_tx *tx, void *arg)
{
    request_job *j = arg;
    store_election e;
    json_t *list = json_array();
    const char *names[8];
    size_t n = 0, i;
    json_t *v;
    int64_t id;
    int struck, rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    if (j->state != NULL) {             /* as the lifecycle would leave it */
        snprintf(e.state, sizeof e.state, "%s", j->state);
        rc = store_election_put(tx, &e);
    }
    free(e.definition);
    if (rc != STORE_OK)
        return rc;
    if ((rc = store_voter_find(tx, "S1", &id, &struck)) != STORE_OK ||
        (rc = store_voter_scrutins(tx, id, add_scrutin, list)) != STORE_OK) {
        json_decref(list);
        return rc;
    }
    json_array_foreach(list, i, v)
        if (n < 7)
            names[n++] = json_string_value(v);
    if (j->extra != NULL)
        names[n++] = j->extra;
    qsort(names, n, sizeof names[0], by_bytes);
    j->body = election_reissue_request_make(j->eid ? j->eid : e.eid, j->voter ? j->voter : "S1",
                                            names, n, (uint64_t)time(NULL), 0, NULL, j->id);
    json_decref(list);
    return j->body != NULL ? store_reissue_put(tx, j->id, id, j->body) : STORE_ENOMEM;
}

static int reissue_with(fixture *f, request_job *j, uint8_t sig[64])
{
    assert_int_equal(store_write(f->s, run_request, j), STORE_OK);
    return signer_reissue(f->g, NULL, j->id, sig);
}

static void test_reissue_only_for_a_stored_request(void **state)
{
    fixture *f = *state;
    request_job ok = { .state = "open" }, other_voter = { .voter = "S2" },
                other_election = { .eid = "another-election" },
                not_hers = { .extra = "zz-not-a-scrutin" }, closed = { .state = "closed" };
    credauth_request q;
    char err[200];
    uint8_t sig[64];

    assert_int_equal(signer_reissue(f->g, NULL, "0123456789abcdef0123456789abcdef", sig),
                     SIGNER_REFUSED);
    /* the stored, unsigned request, as the writer makes it: signed as votecad checks */
    assert_int_equal(reissue_with(f, &ok, sig), SIGNER_OK);
    assert_int_equal(credauth_request_parse(&q, ok.body, strlen(ok.body), err, sizeof err), 0);
    memcpy(q.signature, sig, 64);
    assert_int_equal(credauth_request_verify(&q, f->k.audit_pk), 0);
    /* a request for another voter than the row's, another election, a scrutin
     * that is not hers; then the same good request while the vote is closed */
    assert_int_equal(reissue_with(f, &other_voter, sig), SIGNER_REFUSED);
    assert_int_equal(reissue_with(f, &other_election, sig), SIGNER_REFUSED);
    assert_int_equal(reissue_with(f, &not_hers, sig), SIGNER_REFUSED);
    assert_int_equal(reissue_with(f, &closed, sig), SIGNER_REFUSED);
    free(ok.body);
    free(other_voter.body);
    free(other_election.body);
    free(not_hers.body);
    free(closed.body);
}

/* ---- the daemon ---- */

/* 1 if needle (32 bytes) is anywhere in pid's readable memory; -1 if none of
 * it could be read. */
static int memory_holds(int pid, const uint8_t needle[32])
{
    char path[64], line[512];
    FILE *maps;
    int mem, readable = 0, found = 0;
    size_t cap = 1 << 20;
    uint8_t *buf = malloc(cap + 32);

    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    maps = fopen(path, "r");
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    mem = open(path, O_RDONLY);
    while (maps != NULL && mem >= 0 && buf != NULL && !found &&
           fgets(line, sizeof line, maps) != NULL) {
        unsigned long lo, hi;
        char perms[8];

        /* mappings of more than 8 GiB are reserved address space (ASan's
         * shadow), not data: reading them would take hours of zero pages */
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
            strstr(line, "[vvar") != NULL || strstr(line, "[vsyscall]") != NULL ||
            hi - lo > (8ul << 30))
            continue;
        for (unsigned long at = lo; at < hi && !found; at += cap) {
            size_t want = hi - at < cap + 32 ? hi - at : cap + 32;
            ssize_t n = pread(mem, buf, want, (off_t)at);

            if (n <= 0)
                break;
            readable = 1;
            found = memmem(buf, (size_t)n, needle, 32) != NULL;
        }
    }
    if (maps != NULL)
        fclose(maps);
    if (mem >= 0)
        close(mem);
    free(buf);
    return found ? 1 : readable ? 0 : -1;
}

static int fd_open_on(int pid, const char *file)
{
    char path[64], link[PATH_MAX], target[PATH_MAX];
    DIR *d;
    struct dirent *de;
    int found = 0;

    if (realpath(file, target) == NULL)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    if ((d = opendir(path)) == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        char fd[PATH_MAX + 300];
        ssize_t n;

        snprintf(fd, sizeof fd, "%s/%s", path, de->d_name);
        if ((n = readlink(fd, link, sizeof link - 1)) > 0) {
            link[n] = '\0';
            found |= strcmp(link, target) == 0;
        }
    }
    closedir(d);
    return found;
}

static void test_daemon_writer_holds_no_secret(void **state)
{
    char bin[PATH_MAX], cfgpath[700], err[300], *dir = tu_tmpdir();
    tu_smtp none = { .pid = 0 };
    config cfg;
    server_keys k;
    int writer, child, st;
    tu_reply r;

    (void)state;
    assert_int_equal(tu_bin(bin), 0);
    assert_int_equal(tu_election_generated(dir, bin, 4, cfgpath, sizeof cfgpath), 0);
    writer = tu_daemon_up(bin, dir, cfgpath);
    assert_true(writer > 0);
    tu_http(&r, "GET", "/api/v1/election", NULL, 0, NULL);      /* up and serving */
    assert_int_equal(r.status, 200);
    child = tu_proc_child_named(writer, SIGNER_PROCESS_NAME);
    assert_true(child > 0);
    assert_int_equal(config_load(&cfg, cfgpath, err, sizeof err), 0);
    assert_int_equal(server_keys_load(&k, cfg.keys, 0, err, sizeof err), 0);
    /* the scan works: the public key is in the writer, the secret in the signer
     * (which only root can read: not dumpable; test_writer_cannot_trace_signer) */
    assert_int_equal(memory_holds(writer, k.audit_pk), 1);
    assert_int_equal(memory_holds(child, k.audit_sk), geteuid() == 0 ? 1 : -1);
    /* the writer holds neither the audit secret key (its seed) nor the pepper,
     * and has not the keys file open */
    assert_int_equal(memory_holds(writer, k.audit_sk), 0);
    assert_int_equal(memory_holds(writer, k.pepper), 0);
    assert_int_equal(fd_open_on(writer, cfg.keys), 0);
    sodium_memzero(&k, sizeof k);
    /* without its signer the daemon stops (it could give no receipt) */
    assert_int_equal(kill(child, SIGKILL), 0);
    assert_int_equal(waitpid(writer, &st, 0), writer);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    tu_daemon_teardown(-1, &none, dir);
}

/* ---- the signer's sandbox ---- */

/* The value of a field of /proc/pid/status, or "". */
static void proc_status(int pid, const char *field, char *out, size_t len)
{
    char path[64], line[256];
    FILE *fp;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    out[0] = '\0';
    if ((fp = fopen(path, "r")) == NULL)
        return;
    while (fgets(line, sizeof line, fp) != NULL)
        if (strncmp(line, field, strlen(field)) == 0 && line[strlen(field)] == ':') {
            snprintf(out, len, "%s", line + strlen(field) + 1 + strspn(line + strlen(field) + 1,
                                                                        " \t"));
            out[strcspn(out, "\n")] = '\0';
        }
    fclose(fp);
}

/* Attack code in a process sandboxed as the signer is (sandbox_enter_signer,
 * the daemon's own call): bit i set means attempt i succeeded. */
enum {
    S_CONTROL = 1 << 0, S_ENTER = 1 << 1, S_WRITE = 1 << 2, S_CREATE = 1 << 3,
    S_EXEC = 1 << 4, S_SOCKET = 1 << 5, S_PTRACE = 1 << 6, S_VM_READ = 1 << 7,
    S_KILL = 1 << 8, S_FORK = 1 << 9, S_NO_READ = 1 << 10, S_MEM = 1 << 11, S_ROOT = 1 << 12,
    S_EXEC_MAP = 1 << 13, S_NO_DB_SOCKET = 1 << 14,
};
static char secret[64] = "a secret of the writer";

static int signer_attack(const fixture *f, pid_t parent, const char *user, int postgresql)
{
    char err[300], mem[64], made[700], target[700], buf[sizeof secret];
    char *const argv[] = { "/bin/false", NULL }, *const envp[] = { NULL };
    struct iovec local = { buf, sizeof buf }, remote = { secret, sizeof secret };
    int got = 0, fd;
    void *p;

    /* before: a file of the test (a store in SQLite mode) can be written and
     * the parent signalled, so what follows tests the sandbox */
    snprintf(target, sizeof target, "%s", f->pg[0] ? f->keys : f->reg);
    fd = open(target, O_RDWR);
    if (fd < 0 || kill(parent, 0) != 0)
        got |= S_CONTROL;
    close(fd);
    if (sandbox_enter_signer(user, postgresql, err, sizeof err) != 0) {
        fprintf(stderr, "sandbox: %s\n", err);
        return S_ENTER;
    }
    /* what it needs: reading files (the stores, unless its user may not) */
    if ((fd = open("/proc/self/status", O_RDONLY)) < 0 ||
        (user == NULL && open(target, O_RDONLY) < 0))
        got |= S_NO_READ;
    close(fd);
    /* write, truncate, create: never */
    if (open(target, O_RDWR) >= 0 || open(f->keys, O_WRONLY) >= 0 || errno != EACCES ||
        open(target, O_RDONLY | O_TRUNC) >= 0 || open(target, O_WRONLY | O_APPEND) >= 0 ||
        syscall(SYS_open, target, O_RDWR) >= 0 ||
        syscall(SYS_openat2, AT_FDCWD, target, NULL, 0) >= 0)
        got |= S_WRITE;
    snprintf(made, sizeof made, "%s/made-by-the-signer", f->dir);
    if (open(made, O_RDONLY | O_CREAT, 0600) >= 0 || creat(made, 0600) >= 0 ||
        open(f->dir, O_WRONLY | O_TMPFILE, 0600) >= 0 || access(made, F_OK) == 0)
        got |= S_CREATE;
    execve(argv[0], argv, envp);        /* had it run, /bin/false would exit 1: a failure */
    if (errno != EACCES)
        got |= S_EXEC;
    if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0 || socket(AF_PACKET, SOCK_RAW, 0) >= 0 ||
        (!postgresql && (socket(AF_INET, SOCK_STREAM, 0) >= 0 ||
                         socket(AF_INET6, SOCK_STREAM, 0) >= 0 ||
                         socket(AF_UNIX, SOCK_STREAM, 0) >= 0)))
        got |= S_SOCKET;
    if (postgresql && (socket(AF_INET, SOCK_STREAM, 0) < 0 || socket(AF_UNIX, SOCK_STREAM, 0) < 0))
        got |= S_NO_DB_SOCKET;          /* libpq needs them */
    if (ptrace(PTRACE_ATTACH, parent, NULL, NULL) == 0) {
        got |= S_PTRACE;
        waitpid(parent, NULL, __WALL);
        ptrace(PTRACE_DETACH, parent, NULL, NULL);
    }
    if (process_vm_readv(parent, &local, 1, &remote, 1, 0) >= 0 ||
        memcmp(buf, secret, sizeof buf) == 0)
        got |= S_VM_READ;
    if (kill(parent, 0) == 0 || kill(parent, SIGKILL) == 0)
        got |= S_KILL;
    p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
        got |= S_EXEC_MAP;
    fflush(NULL);
    pid_t child = fork();

    if (child == 0)
        _exit(0);
    if (child > 0) {
        got |= S_FORK;
        waitpid(child, NULL, 0);
    }
    if (user != NULL) {                 /* its own user: the writer's memory is out of reach */
        snprintf(mem, sizeof mem, "/proc/%d/mem", (int)parent);
        if (open(mem, O_RDONLY) >= 0)
            got |= S_MEM;
        if (geteuid() == 0 || getuid() == 0 || setuid(0) == 0)
            got |= S_ROOT;
    }
    return got;
}

/* Run signer_attack in a child: what succeeded. */
static int attack_in_child(const fixture *f, const char *user, int postgresql)
{
    pid_t parent = getpid(), pid;
    int pfd[2], got = -1, status;

    assert_int_equal(pipe(pfd), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        got = signer_attack(f, parent, user, postgresql);
        _exit(write(pfd[1], &got, sizeof got) == sizeof got ? 0 : 1);
    }
    close(pfd[1]);
    assert_int_equal(read(pfd[0], &got, sizeof got), sizeof got);
    close(pfd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (got != 0)
        fprintf(stderr, "succeeded attempts (user %s, %s): 0x%x\n", user ? user : "-",
                postgresql ? "PostgreSQL" : "SQLite", got);
    return got;
}

/* The attacks, each of which must fail, in both store modes; as root, with a
 * user of its own too (then the writer's memory cannot be opened either). */
static void test_attack_code_in_signer_sandbox(void **state)
{
    fixture *f = *state;

    secret[0] = 'A';
    assert_int_equal(attack_in_child(f, NULL, 0), 0);
    assert_int_equal(attack_in_child(f, NULL, 1), 0);
    if (geteuid() == 0 && getpwnam("nobody") != NULL)
        assert_int_equal(attack_in_child(f, "nobody", 0), 0);
}

/* As root, privsep.signer_user must be an unprivileged user: root or an
 * unknown user is refused, and nothing is dropped. */
static void test_signer_user_refused(void **state)
{
    static const char *const users[] = { "root", "no-such-user-votesrv" };

    (void)state;
    if (geteuid() != 0)
        skip();
    for (size_t i = 0; i < 2; i++) {
        pid_t pid;
        int status;

        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char err[300];

            _exit(sandbox_enter_signer(users[i], 0, err, sizeof err) == -1 &&
                  strstr(err, "privsep.signer_user") != NULL && getuid() == 0 ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

/* The writer's attacks on its signer, as a process of the writer's user
 * (not root: as root, nothing stops it): bit i set, attempt i succeeded. */
enum { T_CONTROL = 1 << 0, T_SPAWN = 1 << 1, T_PTRACE = 1 << 2, T_MEM = 1 << 3,
       T_ENVIRON = 1 << 4, T_VM_READ = 1 << 5, T_SECCOMP = 1 << 6, T_NO_TRACE_HERE = 1 << 7 };

static int writer_attack(const char *dir)
{
    char keys[600], path[64], err[300], v[64];
    uint8_t buf[64];
    struct iovec local = { buf, sizeof buf }, remote = { buf, sizeof buf };
    store_config sc = { "/nonexistent/registry.db", "/nonexistent/ballots.db", 1, NULL, NULL, 0 };
    signer *g;
    pid_t mate, sp;
    int got = 0, fd;

    /* the control: a plain process of this user can be traced here */
    fflush(NULL);
    mate = fork();
    if (mate == 0) {
        pause();
        _exit(0);
    }
    if (mate < 0 || ptrace(PTRACE_ATTACH, mate, NULL, NULL) != 0)
        got |= T_NO_TRACE_HERE;
    else
        waitpid(mate, NULL, __WALL);
    kill(mate, SIGKILL);
    waitpid(mate, NULL, 0);
    snprintf(keys, sizeof keys, "%s/server-keys.json", dir);
    g = signer_spawn(keys, 1, &sc, NULL, err, sizeof err);
    if (g == NULL) {
        fprintf(stderr, "signer: %s\n", err);
        return got | T_SPAWN;
    }
    sp = signer_pid(g);
    proc_status(sp, "Seccomp", v, sizeof v);
    if (strcmp(v, "2") != 0)
        got |= T_SECCOMP;
    if (ptrace(PTRACE_ATTACH, sp, NULL, NULL) == 0) {
        got |= T_PTRACE;
        waitpid(sp, NULL, __WALL);
        ptrace(PTRACE_DETACH, sp, NULL, NULL);
    }
    snprintf(path, sizeof path, "/proc/%d/mem", (int)sp);
    if ((fd = open(path, O_RDONLY)) >= 0) {
        got |= T_MEM;
        close(fd);
    }
    snprintf(path, sizeof path, "/proc/%d/environ", (int)sp);
    if ((fd = open(path, O_RDONLY)) >= 0 && read(fd, buf, sizeof buf) >= 0)
        got |= T_ENVIRON;
    if (fd >= 0)
        close(fd);
    remote.iov_base = &sc;          /* any address: the call itself must be refused */
    if (process_vm_readv(sp, &local, 1, &remote, 1, 0) >= 0)
        got |= T_VM_READ;
    signer_free(g);
    return got;
}

/* A compromised writer (a process of its user, the signer's parent) cannot
 * ptrace its signer, read its memory or environment: the signer is not
 * dumpable. As root the test plays the writer as "nobody". */
static void test_writer_cannot_trace_signer(void **state)
{
    char *dir = tu_tmpdir();
    struct passwd *pw = getpwnam("nobody");
    int pfd[2], got = -1, status;
    pid_t pid;

    (void)state;
    if (geteuid() == 0) {
        assert_non_null(pw);
        assert_int_equal(chown(dir, pw->pw_uid, pw->pw_gid), 0);
    }
    assert_int_equal(pipe(pfd), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
                               setuid(pw->pw_uid) != 0))
            _exit(3);
        prctl(PR_SET_DUMPABLE, 1);      /* the writer as it runs: dumpable */
        got = writer_attack(dir);
        _exit(write(pfd[1], &got, sizeof got) == sizeof got ? 0 : 1);
    }
    close(pfd[1]);
    assert_int_equal(read(pfd[0], &got, sizeof got), sizeof got);
    close(pfd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tu_rmdir(dir);
    free(dir);
    if (got & T_NO_TRACE_HERE) {
        fprintf(stderr, "ptrace is not available here at all: nothing to test\n");
        skip();
    }
    if (got != 0)
        fprintf(stderr, "succeeded attempts: 0x%x\n", got);
    assert_int_equal(got, 0);
}

/* Give path to group gid, readable by it (0640), if it exists. */
static void group_readable(const char *path, gid_t gid)
{
    if (access(path, F_OK) == 0) {
        assert_int_equal(chown(path, (uid_t)-1, gid), 0);
        assert_int_equal(chmod(path, 0640), 0);
    }
}

/* The running daemon's signer: seccomp filter, no new privileges, no
 * capability; as root with privsep.signer_user, that user (the stores given
 * to its group, as docs/deployment.md says); and it still signs receipts
 * (ballots cast by voteclient, each receipt verified). */
static void test_daemon_signer_is_sandboxed(void **state)
{
    char bin[PATH_MAX], cfgpath[700], err[300], v[128], out[4096], *dir = tu_tmpdir();
    tu_smtp none = { .pid = 0 };
    struct passwd *pw = getpwnam("daemon");
    config cfg;
    json_t *c;
    int writer, child, sqlite;

    (void)state;
    assert_int_equal(tu_bin(bin), 0);
    assert_int_equal(tu_election_generated(dir, bin, 4, cfgpath, sizeof cfgpath), 0);
    assert_int_equal(tu_load_file(dir, cfgpath, "csa-ministere", 4), 0);
    assert_int_equal(config_load(&cfg, cfgpath, err, sizeof err), 0);
    sqlite = cfg.postgresql[0] == '\0';
    if (geteuid() == 0) {
        const char *const files[] = { cfg.registry, cfg.ballot_box };

        assert_non_null(pw);
        c = json_load_file(cfgpath, 0, NULL);
        assert_non_null(c);
        if (json_object_get(c, "privsep") == NULL)
            json_object_set_new(c, "privsep", json_object());
        json_object_set_new(json_object_get(c, "privsep"), "signer_user",
                            json_string("daemon"));
        assert_int_equal(json_dump_file(c, cfgpath, JSON_INDENT(1)), 0);
        json_decref(c);
        assert_int_equal(chmod(dir, 0711), 0);
        for (size_t i = 0; sqlite && i < 2; i++) {
            char journal[CONFIG_PATH_CHARS + 16];

            group_readable(files[i], pw->pw_gid);
            snprintf(journal, sizeof journal, "%s-journal", files[i]);
            group_readable(journal, pw->pw_gid);
        }
    }
    writer = tu_daemon_up(bin, dir, cfgpath);
    assert_true(writer > 0);
    child = tu_proc_child_named(writer, SIGNER_PROCESS_NAME);
    assert_true(child > 0);
    proc_status(child, "Seccomp", v, sizeof v);
    assert_string_equal(v, "2");
    proc_status(child, "NoNewPrivs", v, sizeof v);
    assert_string_equal(v, "1");
    proc_status(child, "CapEff", v, sizeof v);
    if (geteuid() == 0) {
        assert_string_equal(v, "0000000000000000");
        proc_status(child, "Uid", v, sizeof v);
        assert_int_equal(atoi(v), (int)pw->pw_uid);
    }
    /* it reads the stores and signs, under its filter (and its user) */
    snprintf(v, sizeof v, "%s/load.csv", dir);
    assert_int_equal(tu_sh(out, sizeof out, "'%s/voteclient' --url %s load '%s' --concurrency 1",
                           bin, tu_base_url, v), 0);
    assert_non_null(strstr(out, "ballots 4 accepted 4 errors 0"));
    assert_int_equal(kill(child, 0), 0);        /* and is still there */
    tu_daemon_teardown(writer, &none, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refuses_other_kinds_and_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_only_for_a_committed_ballot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_archive_end_reads_what_it_signs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_only_when_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_of_a_transition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repair_after_a_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_after_commit_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reissue_only_for_a_stored_request, setup, teardown),
        cmocka_unit_test(test_daemon_writer_holds_no_secret),
        cmocka_unit_test_setup_teardown(test_attack_code_in_signer_sandbox, setup, teardown),
        cmocka_unit_test(test_signer_user_refused),
        cmocka_unit_test(test_writer_cannot_trace_signer),
        cmocka_unit_test(test_daemon_signer_is_sandboxed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
