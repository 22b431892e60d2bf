/* archive.c - the public archive of an election: what an independent verifier
 * needs, and nothing personal. JSON Lines (one JSON value per line), written as
 * a stream (one page of ballots in memory at a time) and readable as one, so
 * its size is bounded by the disk, not by the daemon or the verifier:
 *
 *   {"format": "votesrv-archive/2", "election": {eid, state, definition,
 *    fingerprint, public_key, audit_key}}
 *   then for each scrutin of the definition:
 *   {"scrutin": {id, signatures, ballots, box_digest}}
 *   {"tracker": T, "ballot": {...}}          one line per ballot, by tracker
 *   then
 *   {"credentials": [{scrutin, credential, revoked}, ...]}
 *                                            the box's public credentials, by
 *                                            scrutin then bytes
 *   {"documents": {"keys": [...], "shares": [...], "verdict": [...],
 *    "credential-lists": [...], "reissue": [...], "seal-open": [...],
 *    "seal-close": [...], "sums": [...], "partial": [...], "results": [...]}}
 *                                            the bureau's messages, the
 *                                            authority's signed lists and
 *                                            reissue records (by seq), the count
 *   {"checkpoints": [{seq, hash, signature}]}
 *   {"end": {"lines": N, "checkpoints": C, "last_checkpoint": {"seq", "hash"},
 *    "state": S, "signature": G}}
 *                                            N lines before this one, C the
 *                                            checkpoints above, the last one,
 *                                            the election's state, all but N
 *                                            read and signed by the signer
 *                                            (signer_archive_end)
 */
#include "box.h"

#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "election/definition.h"
#include "signer/signer.h"

static json_t *hex_json(const uint8_t *b)
{
    char hex[65];

    hex_encode(hex, b, 32);
    return json_string(hex);
}

static const char *const archive_kinds[] = { "keys", "shares", "verdict", "credential-lists",
                                             "reissue", "seal-open", "seal-close", "sums",
                                             "partial", "results" };

typedef struct {
    FILE *out;
    signer *g;
    store_election e;
    def_election d;
    json_t *signatures;      /* scrutin -> signature-list count */
    uint8_t after[BALLOT_TRACKER_BYTES];
    int n, first;
    uint64_t lines, checkpoints;
    store_checkpoint last;   /* the last checkpoint written */
} archive_job;

static int hex_out(FILE *out, const char *key, const uint8_t *buf, size_t len)
{
    char hex[129];

    hex_encode(hex, buf, len);
    return fprintf(out, "\"%s\":\"%s\"", key, hex) < 0 ? STORE_EIO : STORE_OK;
}

static int line_end(archive_job *j)
{
    j->lines++;
    return fputc('\n', j->out) == EOF ? STORE_EIO : STORE_OK;
}

static int count_signatures(const char *scrutin, const char *establishment, uint64_t signed_,
                            uint64_t registered, void *arg)
{
    archive_job *j = arg;
    json_int_t had = json_integer_value(json_object_get(j->signatures, scrutin));

    (void)establishment;
    (void)registered;
    return json_object_set_new(j->signatures, scrutin, json_integer(had + (json_int_t)signed_));
}

static int run_head(store_tx *tx, void *arg)
{
    archive_job *j = arg;
    int rc = store_election_get(tx, &j->e);

    return rc == STORE_OK ? store_turnout_each(tx, count_signatures, j) : rc;
}

static int write_head(archive_job *j)
{
    json_t *def = json_loads(j->e.definition, 0, NULL);
    char *text = def ? json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = text != NULL && fprintf(j->out, "{\"format\":\"votesrv-archive/2\",\"election\":"
                                     "{\"eid\":\"%s\",\"state\":\"%s\",\"definition\":%s,",
                                     j->e.eid, j->e.state, text) > 0 ? STORE_OK : STORE_EIO;

    free(text);
    json_decref(def);
    if (rc == STORE_OK)
        rc = hex_out(j->out, "fingerprint", j->e.fingerprint, 32);
    if (rc == STORE_OK && j->e.has_public_key && fputc(',', j->out) != EOF)
        rc = hex_out(j->out, "public_key", j->e.public_key, 32);
    if (rc == STORE_OK && fputc(',', j->out) != EOF)
        rc = hex_out(j->out, "audit_key", j->e.audit_key, 32);
    return rc == STORE_OK && fputs("}}", j->out) != EOF ? line_end(j) : STORE_EIO;
}

static int write_ballot(const uint8_t *tracker, const char *body, void *arg)
{
    archive_job *j = arg;

    j->n++;
    memcpy(j->after, tracker, sizeof j->after);
    if (fputc('{', j->out) == EOF || hex_out(j->out, "tracker", tracker, 32) != STORE_OK ||
        fprintf(j->out, ",\"ballot\":%s}", body) < 0)
        return STORE_EIO;
    return line_end(j);
}

typedef struct {
    archive_job *j;
    const char *scrutin;
    uint64_t count;
    uint8_t digest[32];
} page_arg;

static int run_state(store_tx *tx, void *arg)
{
    page_arg *p = arg;

    return store_box_state_get(tx, p->scrutin, &p->count, p->digest);
}

static int run_board_page(store_tx *tx, void *arg)
{
    page_arg *p = arg;

    p->j->n = 0;
    return store_ballots_page(tx, p->scrutin, p->j->first ? NULL : p->j->after, BOX_PAGE_MAX,
                              write_ballot, p->j);
}

static int write_scrutin(store *s, archive_job *j, const char *id)
{
    page_arg p = { j, id, 0, { 0 } };
    int rc = store_read(s, run_state, &p);

    if (rc != STORE_OK)
        return rc;
    if (fprintf(j->out, "{\"scrutin\":{\"id\":\"%s\",\"signatures\":%lld,\"ballots\":%llu,", id,
                (long long)json_integer_value(json_object_get(j->signatures, id)),
                (unsigned long long)p.count) < 0 ||
        hex_out(j->out, "box_digest", p.digest, 32) != STORE_OK || fputs("}}", j->out) == EOF ||
        line_end(j) != STORE_OK)
        return STORE_EIO;
    j->first = 1;
    do {
        rc = store_read(s, run_board_page, &p);
        j->first = 0;
    } while (rc == STORE_OK && j->n == BOX_PAGE_MAX);
    return rc;
}

static int write_credential(const char *scrutin, const uint8_t *pub, int revoked, void *arg)
{
    archive_job *j = arg;
    json_t *c = json_pack("{s:s,s:o,s:b}", "scrutin", scrutin, "credential", hex_json(pub),
                          "revoked", revoked);
    char *text = c != NULL ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = text == NULL || fprintf(j->out, "%s%s", j->n++ ? "," : "", text) < 0 ? STORE_EIO : 0;

    free(text);
    json_decref(c);
    return rc;
}

static int write_document(const char *kind, int64_t holder, const char *body, void *arg)
{
    archive_job *j = arg;

    (void)kind;
    (void)holder;
    return fprintf(j->out, "%s%s", j->n++ ? "," : "", body) < 0 ? STORE_EIO : 0;
}

static int write_checkpoint(const store_checkpoint *c, void *arg)
{
    archive_job *j = arg;

    j->checkpoints++;
    j->last = *c;
    if (fprintf(j->out, "%s{\"seq\":%llu,", j->n++ ? "," : "", (unsigned long long)c->seq) < 0 ||
        hex_out(j->out, "hash", c->hash, 32) != STORE_OK || fputc(',', j->out) == EOF ||
        hex_out(j->out, "signature", c->signature, 64) != STORE_OK || fputc('}', j->out) == EOF)
        return STORE_EIO;
    return 0;
}

/* The end line: what the signer read and signed itself (on this transaction
 * if it is in-process, on its own otherwise), which must be what this archive
 * holds; BOX_RETRY if the election moved in between (a checkpoint or a
 * transition after this archive's head or checkpoints were read). */
static int write_end(store_tx *tx, archive_job *j)
{
    signer_end_line end;
    int rc = j->g != NULL ? signer_archive_end(j->g, tx, &end) : SIGNER_EIO;

    if (rc != SIGNER_OK)
        return STORE_EIO;
    if (end.checkpoints != j->checkpoints || strcmp(end.state, j->e.state) != 0 ||
        (j->checkpoints > 0 && (end.last_seq != j->last.seq ||
                                memcmp(end.last_hash, j->last.hash, 32) != 0)))
        return BOX_RETRY;
    if (fprintf(j->out, "{\"end\":{\"lines\":%llu,\"checkpoints\":%llu,\"last_checkpoint\":"
                "{\"seq\":%llu,", (unsigned long long)j->lines,
                (unsigned long long)end.checkpoints, (unsigned long long)end.last_seq) < 0 ||
        hex_out(j->out, "hash", end.last_hash, 32) != STORE_OK ||
        fprintf(j->out, "},\"state\":\"%s\",", end.state) < 0 ||
        hex_out(j->out, "signature", end.signature, 64) != STORE_OK)
        return STORE_EIO;
    return fputs("}}\n", j->out) == EOF ? STORE_EIO : STORE_OK;
}

/* The last lines, in one read: credentials, documents, checkpoints. */
static int run_tail(store_tx *tx, void *arg)
{
    archive_job *j = arg;
    int rc;

    j->n = 0;
    if (fputs("{\"credentials\":[", j->out) == EOF ||
        (rc = store_credentials_each(tx, write_credential, j)) != STORE_OK ||
        fputs("]}", j->out) == EOF || line_end(j) != STORE_OK ||
        fputs("{\"documents\":{", j->out) == EOF)
        return STORE_EIO;
    for (size_t k = 0; k < sizeof archive_kinds / sizeof *archive_kinds; k++) {
        j->n = 0;
        if (fprintf(j->out, "%s\"%s\":[", k ? "," : "", archive_kinds[k]) < 0 ||
            (rc = store_documents_each(tx, archive_kinds[k], write_document, j)) != STORE_OK ||
            fputc(']', j->out) == EOF)
            return STORE_EIO;
    }
    j->n = 0;
    if (fputs("}}", j->out) == EOF || line_end(j) != STORE_OK ||
        fputs("{\"checkpoints\":[", j->out) == EOF ||
        (rc = store_checkpoints_each(tx, write_checkpoint, j)) != STORE_OK ||
        fputs("]}", j->out) == EOF || line_end(j) != STORE_OK)
        return STORE_EIO;
    return write_end(tx, j);
}

int box_archive_write(store *s, struct signer *g, FILE *out)
{
    archive_job j = { .out = out, .g = g, .signatures = json_object() };
    char err[DEF_ERR_CHARS];
    int rc = j.signatures != NULL ? store_read(s, run_head, &j) : STORE_ENOMEM;

    if (rc == STORE_OK && def_parse(&j.d, j.e.definition, strlen(j.e.definition), err,
                                    sizeof err) != 0)
        rc = STORE_EIO;
    else if (rc == STORE_OK) {
        rc = write_head(&j);
        for (size_t i = 0; rc == STORE_OK && i < j.d.nscrutins; i++)
            rc = write_scrutin(s, &j, j.d.scrutins[i].id);
        if (rc == STORE_OK)
            rc = store_read(s, run_tail, &j);
        if (rc == STORE_OK)
            rc = fflush(out) == 0 ? STORE_OK : STORE_EIO;
        def_free(&j.d);
    }
    free(j.e.definition);
    json_decref(j.signatures);
    return rc;
}

static int run_state_name(store_tx *tx, void *arg)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc == STORE_OK)
        snprintf(arg, STORE_STATE_CHARS + 1, "%s", e.state);
    free(e.definition);
    return rc;
}

/* Voting is over: the box can no longer change. */
static int box_final(store *s, char state[STORE_STATE_CHARS + 1])
{
    static const char *const final[] = { "closed", "tallied", "published", "purged" };
    int rc = store_read(s, run_state_name, state);

    if (rc != STORE_OK)
        return rc;
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++)
        if (strcmp(state, final[i]) == 0)
            return STORE_OK;
    return BOX_REFUSED;
}

static int archive_make(box_ctx *b)
{
    FILE *f = tmpfile();
    int rc = BOX_RETRY;
    long size;

    if (f == NULL)
        return STORE_EIO;
    /* a few tries: each one lost to a checkpoint or a transition made while it was written */
    for (int tries = 0; rc == BOX_RETRY && tries < 5; tries++) {
        rewind(f);
        rc = ftruncate(fileno(f), 0) == 0 ? box_archive_write(b->store, b->signer, f) : STORE_EIO;
    }
    if (rc == BOX_RETRY)
        rc = STORE_EIO;
    size = ftell(f);
    if (rc == STORE_OK && size > 0 && (b->archive_fd = dup(fileno(f))) >= 0)
        b->archive_size = (uint64_t)size;
    else if (rc == STORE_OK)
        rc = STORE_EIO;
    fclose(f);
    return rc;
}

int box_archive_fd(box_ctx *b, int *fd, uint64_t *size)
{
    char state[STORE_STATE_CHARS + 1];
    int rc = box_final(b->store, state);

    if (rc != STORE_OK)
        return rc;
    pthread_mutex_lock(&b->archive_lock);
    if (b->archive_fd >= 0 && strcmp(state, b->archive_state) != 0) {
        close(b->archive_fd);
        b->archive_fd = -1;
    }
    if (b->archive_fd < 0 && (rc = archive_make(b)) == STORE_OK)
        strcpy(b->archive_state, state);
    if (rc == STORE_OK) {
        char path[64];

        /* a descriptor of its own (own offset), not a dup sharing one */
        snprintf(path, sizeof path, "/proc/self/fd/%d", b->archive_fd);
        if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            rc = STORE_EIO;
    }
    *size = b->archive_size;
    pthread_mutex_unlock(&b->archive_lock);
    return rc;
}

int box_archive_ready(box_ctx *b)
{
    char state[STORE_STATE_CHARS + 1];

    return box_final(b->store, state);
}
