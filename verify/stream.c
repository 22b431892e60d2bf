/* stream.c - the archive, line by line (protocol.md §14): ballots go to the
 * verifier a chunk at a time, the rest is kept for the final checks. */
#include <stdlib.h>
#include <string.h>
#include "verify.h"

typedef struct {
    char *lines[VV_CHUNK];
    size_t n;
    vv_scrutin *cur;
    size_t next;                       /* the scrutin expected next */
} reader;

static int flush(vv *v, reader *r)
{
    int rc = r->n > 0 && r->cur != NULL ? vv_ballots(v, r->cur, r->lines, r->n) : 0;

    for (size_t i = 0; i < r->n; i++)
        free(r->lines[i]);
    r->n = 0;
    return rc;
}

/* A final part is kept once: a second one (which would the verdicts be
 * about?) rejects the archive. */
static int part_once(vv *v, json_t **slot, json_t *part, const char *name)
{
    if (*slot != NULL) {
        vv_report(v, 0, "archive line %llu: a second %s part", (unsigned long long)v->lines + 1,
                  name);
        return -1;
    }
    *slot = json_incref(part);
    return 0;
}

/* A line that is not a ballot: a scrutin header or a final part. */
static int other_line(vv *v, reader *r, const char *line)
{
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, NULL), *s;
    int rc = 0;

    if (!json_is_object(j) || json_object_size(j) != 1) {
        vv_report(v, 0, "archive line %llu is not a JSON object with one key",
                  (unsigned long long)v->lines + 1);
        rc = -1;
    } else if ((s = json_object_get(j, "scrutin")) != NULL) {
        const char *id = json_string_value(json_object_get(s, "id"));

        if (r->next >= v->nsc || id == NULL || strcmp(id, v->sc[r->next].id) != 0 ||
            vv_hex(v->sc[r->next].digest_line, 32, s, "box_digest") != 0) {
            vv_report(v, 0, "archive line %llu: scrutin %s is not the next of the definition",
                      (unsigned long long)v->lines + 1, id ? id : "?");
            rc = -1;
        } else {
            r->cur = &v->sc[r->next++];
            r->cur->seen = 1;
            r->cur->ballots_line = (uint64_t)json_integer_value(json_object_get(s, "ballots"));
            r->cur->signatures_line =
                (uint64_t)json_integer_value(json_object_get(s, "signatures"));
        }
    } else if ((s = json_object_get(j, "credentials")) != NULL) {
        rc = part_once(v, &v->credentials, s, "credentials");
        r->cur = NULL;
    } else if ((s = json_object_get(j, "documents")) != NULL) {
        rc = part_once(v, &v->documents, s, "documents");
    } else if ((s = json_object_get(j, "checkpoints")) != NULL) {
        rc = part_once(v, &v->checkpoints, s, "checkpoints");
    } else if ((s = json_object_get(j, "end")) != NULL) {
        json_t *last = json_object_get(s, "last_checkpoint");

        v->have_end = 1;
        v->end_lines = (uint64_t)json_integer_value(json_object_get(s, "lines"));
        v->end_checkpoints = (uint64_t)json_integer_value(json_object_get(s, "checkpoints"));
        v->end_last_seq = (uint64_t)json_integer_value(json_object_get(last, "seq"));
        snprintf(v->end_state, sizeof v->end_state, "%s",
                 json_is_string(json_object_get(s, "state"))
                     ? json_string_value(json_object_get(s, "state")) : "");
        v->end_ok = json_object_size(s) == 5 && json_is_integer(json_object_get(s, "lines")) &&
                    json_is_integer(json_object_get(s, "checkpoints")) &&
                    json_object_size(last) == 2 && json_is_integer(json_object_get(last, "seq")) &&
                    vv_hex(v->end_last_hash, 32, last, "hash") == 0 &&
                    json_is_string(json_object_get(s, "state")) &&
                    strlen(json_string_value(json_object_get(s, "state"))) < sizeof v->end_state &&
                    vv_hex(v->end_signature, 64, s, "signature") == 0;
    } else {
        vv_report(v, 0, "archive line %llu: unknown part", (unsigned long long)v->lines + 1);
        rc = -1;
    }
    json_decref(j);
    return rc;
}

/* Inside a scrutin, a line is a ballot line if it begins as one (§14), or if
 * it is an object with a "tracker" or "ballot" key written otherwise (it goes
 * to the ballot checks, which reject it as not canonical). */
static int ballot_line(const char *line)
{
    json_t *j;
    int yes;

    if (strncmp(line, "{\"tracker\"", 10) == 0 || strncmp(line, "{\"ballot\"", 9) == 0)
        return 1;
    if (strncmp(line, "{\"", 2) == 0)
        return 0;                      /* another part, written as the server writes it */
    j = json_loads(line, 0, NULL);
    yes = json_object_get(j, "tracker") != NULL || json_object_get(j, "ballot") != NULL;
    json_decref(j);
    return yes;
}

/* Per scrutin: every ballot valid, sorted, counted, digested, = signatures. */
static void scrutin_verdicts(vv *v)
{
    for (size_t i = 0; i < v->nsc; i++) {
        vv_scrutin *s = &v->sc[i];
        uint8_t d[32];

        if (!s->seen) {
            vv_report(v, 0, "scrutin %s: missing from the archive", s->id);
            continue;
        }
        group_point_encode(d, &s->dsum);
        if (s->bad > 0)
            vv_report(v, 0, "scrutin %s: %llu invalid ballot(s); first: %s", s->id,
                      (unsigned long long)s->bad, s->bad_why);
        else
            vv_report(v, 1, "scrutin %s: %llu ballots, each with its tracker, proofs and "
                      "credential signature", s->id, (unsigned long long)s->ballots);
        vv_report(v, s->unsorted == 0, "scrutin %s: ballots sorted by tracker, none twice",
                  s->id);
        vv_report(v, s->bad == 0 && s->ballots_seen == s->ballots_line &&
                         memcmp(d, s->digest_line, 32) == 0,
                  "scrutin %s: box digest and count (%llu) recomputed from the trackers", s->id,
                  (unsigned long long)s->ballots_line);
        vv_report(v, s->ballots_seen == s->signatures_line,
                  "scrutin %s: ballots (%llu) = signatures (%llu)", s->id,
                  (unsigned long long)s->ballots_seen, (unsigned long long)s->signatures_line);
    }
}

/* A line is text (§14): a NUL would cut it short where it is copied, and
 * the bytes after it would be read by no check. */
static void nul_check(vv *v, const char *line, ssize_t len, unsigned long long n)
{
    if (memchr(line, '\0', (size_t)len) != NULL)
        vv_report(v, 0, "archive: line %llu holds a NUL byte", n);
}

int vv_archive(vv *v, FILE *in)
{
    reader *r = calloc(1, sizeof *r);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;

    if (r == NULL)
        return -1;
    if ((len = getline(&line, &cap, in)) <= 0) {
        vv_report(v, 0, "the archive is empty");
        rc = -1;
    } else {
        json_t *head = json_loads(line, JSON_REJECT_DUPLICATES, NULL);

        nul_check(v, line, len, 1);

        rc = vv_election(v, head);
        json_decref(head);
        v->lines = 1;
    }
    while (rc == 0 && !v->have_end && (len = getline(&line, &cap, in)) > 0) {
        nul_check(v, line, len, (unsigned long long)v->lines + 1);
        if (r->cur != NULL && ballot_line(line)) {
            if ((r->lines[r->n++] = strdup(line)) == NULL)
                rc = -1;
            if (rc == 0 && r->n == VV_CHUNK)
                rc = flush(v, r);
        } else {
            rc = flush(v, r) != 0 ? -1 : other_line(v, r, line);
        }
        v->lines++;
    }
    if (rc == 0)
        rc = flush(v, r);
    vv_report(v, v->have_end && v->end_lines == v->lines - 1 && getline(&line, &cap, in) <= 0,
              "archive complete: %llu lines and its end line", (unsigned long long)v->lines);
    free(line);
    free(r);
    if (rc != 0)
        return rc;
    scrutin_verdicts(v);
    vv_credentials(v);
    vv_bureau(v);
    vv_count(v);
    vv_checkpoints(v);
    vv_software(v);
    if (v->audit_log != NULL)
        vv_audit_log(v, v->audit_log);
    return 0;
}
