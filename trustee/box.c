/* box.c - the ballot box as a key holder sees it: the published archive
 * (docs/protocol.md §14) verified with voteverify's own code (verify/), every
 * ballot's proofs and credential signature among the checks, and what the
 * holder seals and decrypts recomputed from the verified ballots. */
#include "trustee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "verify/verify.h"

_Static_assert(TRUSTEE_MAX_SCRUTINS == VV_MAX_SCRUTINS, "one bound for both readers");
_Static_assert(TRUSTEE_MAX_LISTS == VV_MAX_LISTS, "one bound for both readers");

int trustee_box_read(trustee_box *b, const trustee_view *view, FILE *archive, int threads,
                     FILE *report, char *err, size_t errlen)
{
    vv *v = calloc(1, sizeof *v);
    int rc;

    memset(b, 0, sizeof *b);
    if (v == NULL)
        return ceremony_fault(err, errlen, "out of memory");
    v->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    v->quiet = report == NULL;
    v->failures_to = report;
    rc = vv_archive(v, archive);
    if (rc != 0 || v->failures > 0) {
        rc = ceremony_fault(err, errlen, "the archive fails verification (%d check(s); first: "
                            "%s): refuse", v->failures > 0 ? v->failures : 1,
                            v->first_failure[0] ? v->first_failure : "unreadable");
    } else if (strcmp(v->eid, view->eid) != 0 || sodium_memcmp(v->fp, view->fingerprint, 32) != 0) {
        rc = ceremony_fault(err, errlen, "the archive is not this election's: its fingerprint "
                            "is not the one recomputed from the ceremony");
    } else {
        snprintf(b->state, sizeof b->state, "%s", v->state);
        memcpy(b->credentials, v->seal_creds_close, 32);
        b->n = v->nsc;
        for (size_t i = 0; i < v->nsc; i++) {
            vv_scrutin *s = &v->sc[i];
            trustee_scrutin *t = &b->sc[i];

            strcpy(t->id, s->id);
            t->k = s->k;
            t->ballots = s->ballots;
            t->signatures = s->signatures_line;
            group_point_encode(t->digest, &s->dsum);
            for (size_t l = 0; l < s->k; l++) {
                elgamal_ct_encode(&s->sum[l]);
                memcpy(t->sums[l], s->sum[l].bytes, 64);
            }
        }
    }
    vv_free(v);
    free(v);
    return rc;
}
