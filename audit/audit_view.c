/* audit_view.c - the audit log as the auditors' console reads it: verified
 * whole, paged and filtered, exported for voteaudit. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    store_checkpoint *cps;     /* NULL while counting them */
    size_t n;
    audit_verifier *v;
} verify_job;

/* Two passes in one snapshot: count the checkpoints, then keep them. */
static int keep_checkpoint(const store_checkpoint *c, void *arg)
{
    verify_job *j = arg;

    if (j->cps != NULL)
        j->cps[j->n] = *c;
    j->n++;
    return STORE_OK;
}

static int verify_entry(const store_audit_entry *e, void *arg)
{
    audit_verifier_entry(((verify_job *)arg)->v, e);
    return STORE_OK;        /* a bad entry is the verdict, not an error: read on */
}

static int run_verify(store_tx *tx, void *arg)
{
    verify_job *j = arg;
    store_election e;
    int rc;

    free(j->cps);                           /* a job run again starts afresh */
    j->cps = NULL;
    j->n = 0;
    if ((rc = store_election_get(tx, &e)) != STORE_OK)
        return rc;
    free(e.definition);
    if ((rc = store_checkpoints_each(tx, keep_checkpoint, j)) != STORE_OK)
        return rc;
    if ((j->cps = calloc(j->n + 1, sizeof *j->cps)) == NULL)
        return STORE_ENOMEM;
    j->n = 0;
    if ((rc = store_checkpoints_each(tx, keep_checkpoint, j)) != STORE_OK)
        return rc;
    audit_verifier_init(j->v, e.audit_key, j->cps, j->n);
    if ((rc = store_audit_each(tx, 1, verify_entry, j)) != STORE_OK)
        return rc;
    audit_verifier_finish(j->v);
    return STORE_OK;
}

int audit_log_verify(store *s, audit_verifier *v)
{
    verify_job j = { NULL, 0, v };
    int rc = store_read(s, run_verify, &j);

    v->cps = NULL;
    v->ncps = 0;
    free(j.cps);
    return rc;
}

static int run_page(store_tx *tx, void *arg)
{
    audit_log_query *q = arg;

    return store_audit_page(tx, &q->f, q->limit, q->fn, q->arg);
}

int audit_log_page(store *s, audit_log_query *q)
{
    return store_read(s, run_page, q);
}

int audit_log_export(store *s, int *fd, uint64_t *size, char *err, size_t errlen)
{
    return store_audit_export_fd(s, fd, size, err, errlen);
}
