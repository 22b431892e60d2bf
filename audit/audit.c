/* audit.c - chaining, checkpoints and verification of the audit log. */
#include "audit.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "crypto/transcript.h"
#include "signer/signer.h"

static signer *audit_signer;
static signer *own_signer;              /* made by audit_set_signing_key */

void audit_set_signer(signer *g)
{
    audit_signer = g;
}

void audit_set_signing_key(const uint8_t sk[AUDIT_SK_BYTES])
{
    signer *g = signer_local_new(sk, NULL, NULL);

    if (g == NULL)
        return;
    signer_free(own_signer);
    own_signer = audit_signer = g;
}

/* Creation, every lifecycle transition, the officers' checkpoint, the count. */
static const char *const checkpointed[] = {
    "election-created", "public-key-set", "opened", "closed", "suspended", "resumed",
    "test-started", "test-wiped", "published", "purged", "checkpoint", "tally-alarm",
    "tally-sums"
};

int audit_checkpoint_due(uint64_t seq, const char *event)
{
    if (seq > 0 && seq % AUDIT_CHECKPOINT_EVERY == 0)
        return 1;
    for (size_t i = 0; i < sizeof checkpointed / sizeof checkpointed[0]; i++)
        if (strcmp(event, checkpointed[i]) == 0)
            return 1;
    return 0;
}

void audit_entry_hash(uint8_t out[AUDIT_HASH_BYTES], const store_audit_entry *e)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/audit", TRANSCRIPT_DIGEST_BYTES);
    transcript_put_u64(&t, e->seq);
    transcript_put(&t, e->time, strlen(e->time));
    transcript_put(&t, e->role, strlen(e->role));
    transcript_put(&t, e->actor, strlen(e->actor));
    transcript_put(&t, e->event, strlen(e->event));
    transcript_put(&t, e->payload, strlen(e->payload));
    transcript_put(&t, e->prev, AUDIT_HASH_BYTES);
    transcript_digest(&t, out);
}

void audit_checkpoint_message(uint8_t out[8 + AUDIT_HASH_BYTES], uint64_t seq,
                              const uint8_t hash[AUDIT_HASH_BYTES])
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(seq >> (8 * i));
    memcpy(out + 8, hash, AUDIT_HASH_BYTES);
}

void audit_archive_end_message(uint8_t out[AUDIT_HASH_BYTES], const uint8_t fp[32],
                               const char *state, uint64_t checkpoints, uint64_t last_seq,
                               const uint8_t last_hash[AUDIT_HASH_BYTES])
{
    transcript t;

    transcript_init(&t, "votesrv/v1/archive-end", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, fp, 32);
    transcript_put(&t, state, strlen(state));
    transcript_put_u64(&t, checkpoints);
    transcript_put_u64(&t, last_seq);
    transcript_put(&t, last_hash, AUDIT_HASH_BYTES);
    transcript_digest(&t, out);
}

signer *audit_signer_get(void)
{
    return audit_signer;
}

static void now_rfc3339(char out[32])
{
    struct timespec ts;
    struct tm tm;
    char base[24];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03uZ", base, (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

/* After the entry's commit: the signer reads entry seq and signs it if due. */
static int run_checkpoint(store_tx *tx, void *arg)
{
    uint64_t seq;
    store_checkpoint cp;
    int rc;

    memcpy(&seq, arg, sizeof seq);
    if (audit_signer == NULL)
        return STORE_EIO;
    rc = signer_checkpoint(audit_signer, tx, seq, &cp);
    if (rc == SIGNER_REFUSED)
        return STORE_OK;                /* the signer logged why */
    return rc == SIGNER_OK ? store_checkpoint_insert(tx, &cp) : STORE_EIO;
}

int audit_append(store_tx *tx, const char *role, const char *actor, const char *event,
                 json_t *payload)
{
    store_audit_entry e;
    char *text;
    int rc;

    if (!json_is_object(payload))
        return STORE_EIO;
    text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return STORE_ENOMEM;
    rc = store_audit_last(tx, &e.seq, e.prev);
    if (rc == STORE_OK) {
        e.seq++;
        now_rfc3339(e.time);
        e.role = role;
        e.actor = actor;
        e.event = event;
        e.payload = text;
        audit_entry_hash(e.hash, &e);
        rc = store_audit_insert(tx, &e);
    }
    free(text);
    if (rc != STORE_OK || !audit_checkpoint_due(e.seq, event))
        return rc;
    if (audit_signer == NULL)           /* a transition needs its checkpoint */
        return e.seq % AUDIT_CHECKPOINT_EVERY == 0 ? STORE_OK : STORE_EIO;
    return store_after_commit(tx, run_checkpoint, &e.seq, sizeof e.seq);
}

typedef struct {
    uint64_t *due;
    size_t ndue, cap;
    uint64_t *done;
    size_t ndone, donecap;
} repair_scan;

static int push(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        uint64_t *p = realloc(*v, c * sizeof *p);

        if (p == NULL)
            return STORE_ENOMEM;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static int scan_entry(const store_audit_entry *e, void *arg)
{
    repair_scan *r = arg;

    return audit_checkpoint_due(e->seq, e->event) ? push(&r->due, &r->ndue, &r->cap, e->seq) : 0;
}

static int scan_checkpoint(const store_checkpoint *c, void *arg)
{
    repair_scan *r = arg;

    return push(&r->done, &r->ndone, &r->donecap, c->seq);
}

static int run_scan(store_tx *tx, void *arg)
{
    int rc = store_audit_each(tx, 1, scan_entry, arg);

    return rc == STORE_OK ? store_checkpoints_each(tx, scan_checkpoint, arg) : rc;
}

static int run_repair(store_tx *tx, void *arg)
{
    return run_checkpoint(tx, arg);
}

int audit_checkpoints_repair(store *s)
{
    repair_scan r = { NULL, 0, 0, NULL, 0, 0 };
    int rc;

    if (audit_signer == NULL)
        return STORE_OK;
    rc = store_read(s, run_scan, &r);
    for (size_t i = 0; rc == STORE_OK && i < r.ndue; i++) {
        size_t k = 0;

        while (k < r.ndone && r.done[k] != r.due[i])    /* both in seq order */
            k++;
        if (k == r.ndone)
            rc = store_write(s, run_repair, &r.due[i]);
    }
    free(r.due);
    free(r.done);
    return rc;
}

void audit_verifier_init(audit_verifier *v, const uint8_t pk[AUDIT_PK_BYTES],
                         const store_checkpoint *cps, size_t ncps)
{
    memset(v, 0, sizeof *v);
    memcpy(v->pk, pk, AUDIT_PK_BYTES);
    v->cps = cps;
    v->ncps = ncps;
    v->expect_seq = 1;
}

static int fail(audit_verifier *v, uint64_t seq, const char *reason)
{
    if (!v->failed) {
        v->failed = 1;
        v->bad_seq = seq;
        snprintf(v->reason, sizeof v->reason, "%s", reason);
    }
    return -1;
}

/* cp, which names entry e (already chained), signed and matching e. */
static int check_checkpoint(audit_verifier *v, const store_checkpoint *cp,
                            const store_audit_entry *e)
{
    uint8_t msg[8 + AUDIT_HASH_BYTES];

    audit_checkpoint_message(msg, cp->seq, cp->hash);
    if (crypto_sign_verify_detached(cp->signature, msg, sizeof msg, v->pk) != 0)
        return fail(v, cp->seq, "checkpoint signature does not verify with the audit key");
    if (sodium_memcmp(cp->hash, e->hash, AUDIT_HASH_BYTES) != 0)
        return fail(v, e->seq, "entry differs from the one the signed checkpoint covers");
    v->checkpoints_ok++;
    return 0;
}

static int check_checkpoints(audit_verifier *v, const store_audit_entry *e)
{
    while (v->next_cp < v->ncps && v->cps[v->next_cp].seq <= e->seq) {
        const store_checkpoint *cp = &v->cps[v->next_cp++];

        if (cp->seq < e->seq)
            return fail(v, cp->seq, "a signed checkpoint names an entry that is missing");
        if (check_checkpoint(v, cp, e) != 0)
            return -1;
    }
    return 0;
}

void audit_verifier_resume(audit_verifier *v, const store_checkpoint *cps, size_t ncps)
{
    v->cps = cps;
    v->ncps = ncps;
    v->next_cp = 0;
}

int audit_verifier_late_checkpoint(audit_verifier *v, const store_checkpoint *cp,
                                   const store_audit_entry *e)
{
    uint8_t h[AUDIT_HASH_BYTES];

    if (v->failed)
        return -1;
    if (e == NULL || e->seq != cp->seq)
        return fail(v, cp->seq, "a signed checkpoint names an entry that is missing");
    audit_entry_hash(h, e);
    if (sodium_memcmp(h, e->hash, AUDIT_HASH_BYTES) != 0)
        return fail(v, e->seq, "content does not match its hash (entry altered)");
    return check_checkpoint(v, cp, e);
}

int audit_verifier_entry(audit_verifier *v, const store_audit_entry *e)
{
    uint8_t h[AUDIT_HASH_BYTES];

    if (v->failed)
        return -1;
    if (e->seq != v->expect_seq) {
        char why[AUDIT_REASON_CHARS];

        snprintf(why, sizeof why, "sequence broken: expected entry %llu, found %llu "
                 "(entries removed, reordered or inserted)",
                 (unsigned long long)v->expect_seq, (unsigned long long)e->seq);
        return fail(v, v->expect_seq, why);
    }
    if (sodium_memcmp(e->prev, v->prev, AUDIT_HASH_BYTES) != 0)
        return fail(v, e->seq, "does not chain to the previous entry");
    audit_entry_hash(h, e);
    if (sodium_memcmp(h, e->hash, AUDIT_HASH_BYTES) != 0)
        return fail(v, e->seq, "content does not match its hash (entry altered)");
    if (check_checkpoints(v, e) != 0)
        return -1;
    memcpy(v->prev, e->hash, AUDIT_HASH_BYTES);
    v->expect_seq++;
    v->entries++;
    return 0;
}

int audit_verifier_finish(audit_verifier *v)
{
    if (v->failed)
        return -1;
    if (v->next_cp < v->ncps)
        return fail(v, v->cps[v->next_cp].seq,
                    "a signed checkpoint names an entry past the end (log truncated)");
    return 0;
}
