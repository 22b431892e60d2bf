/* testutil_ceremony.c - key ceremonies: a whole DKG among trustees
 * (threshold.h), and the bureau de vote's ceremony, seals and partial
 * decryptions run by every holder in turn, posted to a store. */
#include "testutil.h"
#include "audit/audit.h"
#include "box/box.h"
#include "election/election.h"
#include "tally/tally.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tu_flat_commitments(uint8_t *out, const tu_ceremony *c)
{
    for (size_t i = 0; i < c->n; i++)
        memcpy(out + i * c->t * GROUP_POINT_BYTES, c->com[i], c->t * GROUP_POINT_BYTES);
}

int tu_run_ceremony(tu_ceremony *c, size_t n, size_t t, const uint8_t ctx[PROOF_CTX_BYTES])
{
    threshold_poly f;
    uint8_t flat[TU_MAXN * TU_MAXN * GROUP_POINT_BYTES];

    if (n > TU_MAXN)
        return -1;
    c->n = n;
    c->t = t;
    for (size_t i = 0; i < n; i++)
        crypto_box_keypair(c->box_pk[i], c->box_sk[i]);
    for (size_t i = 0; i < n; i++) {
        if (threshold_deal(&f, c->com[i][0], &c->pok[i], ctx, i + 1, t, NULL) != 0)
            return -1;
        for (size_t j = 0; j < n; j++)
            if (threshold_share_seal(c->sealed[i][j], &f, i + 1, j + 1, c->box_pk[j]) != 0)
                return -1;
        threshold_poly_wipe(&f);
    }
    for (size_t j = 0; j < n; j++) {
        group_scalar_zero(&c->share[j]);
        for (size_t i = 0; i < n; i++) {
            group_scalar y;

            if (threshold_commitments_verify(c->com[i][0], t, &c->pok[i], ctx, i + 1) != 0 ||
                threshold_share_open(&y, c->sealed[i][j], i + 1, j + 1, c->com[i][0], t,
                                     c->box_pk[j], c->box_sk[j]) != 0)
                return -1;
            group_scalar_add(&c->share[j], &c->share[j], &y);
        }
    }
    tu_flat_commitments(flat, c);
    return threshold_joint_key(c->joint, flat, n, t);
}

/* ---- the bureau de vote's ceremony, run by every holder in turn ---- */

static int bureau_post(store *s, election_ctx *c, json_t *m)
{
    char *text = json_dumps(m, JSON_COMPACT);
    int rc = text != NULL ? ceremony_post(s, c, text, strlen(text)) : -1;

    free(text);
    json_decref(m);
    return rc;
}

typedef int (*bureau_step)(json_t **m, trustee_secret *ts, json_t *c, uint64_t i);

static int step_keys(json_t **m, trustee_secret *ts, json_t *c, uint64_t i)
{
    char err[TRUSTEE_ERR_CHARS];

    return trustee_keygen(&ts[i], m, c, i, err, sizeof err);
}

static int step_shares(json_t **m, trustee_secret *ts, json_t *c, uint64_t i)
{
    char err[TRUSTEE_ERR_CHARS];

    return trustee_shares(m, &ts[i], c, err, sizeof err);
}

static int step_verdict(json_t **m, trustee_secret *ts, json_t *c, uint64_t i)
{
    char err[TRUSTEE_ERR_CHARS];

    return trustee_verdict(m, &ts[i], c, err, sizeof err);
}

static int bureau_round(store *s, election_ctx *c, trustee_secret *ts, size_t from, size_t n,
                        bureau_step step)
{
    for (size_t i = from; i < n; i++) {
        json_t *cer, *m;
        int rc;

        if (ceremony_export(s, &cer) != 0)
            return -1;
        rc = step(&m, ts, cer, i);
        json_decref(cer);
        if (rc != 0 || bureau_post(s, c, m) != 0)
            return -1;
    }
    return 0;
}

/* Each holder's record (trustee_seal at close), as KEYFILE.record keeps it. */
static json_t *tu_records[TU_MAXN];

static void records_forget(void)
{
    for (size_t i = 0; i < TU_MAXN; i++) {
        json_decref(tu_records[i]);
        tu_records[i] = NULL;
    }
}

json_t *tu_bureau_record(uint64_t holder)
{
    return holder < TU_MAXN ? tu_records[holder] : NULL;
}

int tu_bureau_ceremony(store *s, election_ctx *c, trustee_secret *ts, size_t n)
{
    records_forget();
    if (bureau_round(s, c, ts, 0, n, step_keys) != 0 ||
        bureau_round(s, c, ts, 1, n, step_shares) != 0 ||
        bureau_round(s, c, ts, 0, n, step_verdict) != 0)
        return -1;
    return strstr(c->msg, "joint key is set") != NULL ? 0 : -1;
}

int tu_bureau_box(store *s, json_t *cer, const trustee_secret *ts, trustee_box *box)
{
    FILE *f = tmpfile();
    trustee_view v;
    char err[TRUSTEE_ERR_CHARS];
    int rc = -1;

    if (f != NULL && box_archive_write(s, audit_signer_get(), f) == STORE_OK && fseek(f, 0, SEEK_SET) == 0 &&
        trustee_view_for(&v, ts, cer, err, sizeof err) == 0)
        rc = trustee_box_read(box, &v, f, 2, stderr, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "tu_bureau_box: %s\n", err);
    if (f != NULL)
        fclose(f);
    return rc;
}

int tu_bureau_partial_from(store *s, election_ctx *c, const trustee_secret *ts,
                           const trustee_box *box, json_t **keep)
{
    json_t *cer = NULL, *m = NULL;
    char err[TRUSTEE_ERR_CHARS] = "", *text = NULL;
    int rc = -1;

    if (ts->holder < TU_MAXN && ceremony_export(s, &cer) == 0 &&
        trustee_decrypt(&m, tu_records[ts->holder], ts, cer, box, err, sizeof err) == 0 &&
        (text = json_dumps(m, JSON_COMPACT)) != NULL)
        rc = tally_post_partial(s, c, text, strlen(text));
    else if (err[0] != '\0')
        fprintf(stderr, "tu_bureau_partial: holder %llu: %s\n", (unsigned long long)ts->holder,
                err);
    json_decref(cer);
    free(text);
    if (keep != NULL)
        *keep = m;
    else
        json_decref(m);
    return rc;
}

int tu_bureau_partial(store *s, election_ctx *c, const trustee_secret *ts, json_t **keep)
{
    json_t *cer = NULL;
    trustee_box *box = malloc(sizeof *box);
    int rc = -1;

    if (keep != NULL)
        *keep = NULL;
    if (box != NULL && ceremony_export(s, &cer) == 0 && tu_bureau_box(s, cer, ts, box) == 0)
        rc = tu_bureau_partial_from(s, c, ts, box, keep);
    json_decref(cer);
    free(box);
    return rc;
}

/* At close, every holder recomputes and seals the state from the archive and
 * the signature list, keeping its record; a's and b's seals are posted. */
int tu_bureau_seal(store *s, election_ctx *c, const trustee_secret *ts, const char *act,
                   uint64_t a, uint64_t b)
{
    json_t *state, *cer, *m, *sigs = NULL;
    char err[TRUSTEE_ERR_CHARS];
    trustee_box *box = NULL;
    int close_ = strcmp(act, "close") == 0, rc = 0;
    size_t n;

    if (ceremony_seal_state(s, act, c->assets, &state, close_ ? &sigs : NULL) != 0)
        return -1;
    if (ceremony_export(s, &cer) != 0) {
        json_decref(state);
        json_decref(sigs);
        return -1;
    }
    n = json_array_size(json_object_get(cer, "keys"));
    if (close_ && ((box = malloc(sizeof *box)) == NULL || tu_bureau_box(s, cer, ts, box) != 0))
        rc = -1;
    for (uint64_t i = 0; i < n && i < TU_MAXN && rc == 0; i++) {
        if (!close_ && i != a && i != b)
            continue;
        if (trustee_seal(&m, &tu_records[i], &ts[i], cer, state, box, sigs, err,
                         sizeof err) != 0) {
            fprintf(stderr, "tu_bureau_seal: holder %llu: %s\n", (unsigned long long)i, err);
            rc = -1;
        } else if (i == a || i == b) {
            rc = bureau_post(s, c, m) != 0 ? -1 : 0;          /* it releases m */
        } else {
            json_decref(m);
        }
    }
    free(box);
    json_decref(cer);
    json_decref(state);
    json_decref(sigs);
    return rc;
}
