/* activation.c - how many voters have activated their account, per
 * establishment: for the officers' dashboard, counts only. */
#include "access_internal.h"

#include <stdlib.h>
#include <string.h>

void access_activation_free(access_activation_info *info)
{
    for (size_t i = 0; i < info->nrows; i++)
        free(info->rows[i].establishment);
    free(info->rows);
    memset(info, 0, sizeof *info);
}

static int add_row(const char *establishment, uint64_t activated, uint64_t registered,
                   void *arg)
{
    access_activation_info *info = arg;
    access_activation_row *rows = realloc(info->rows, (info->nrows + 1) * sizeof *rows);

    if (rows == NULL)
        return STORE_ENOMEM;
    info->rows = rows;
    rows[info->nrows] = (access_activation_row){ strdup(establishment), activated, registered };
    if (rows[info->nrows].establishment == NULL)
        return STORE_ENOMEM;
    info->nrows++;
    info->activated += activated;
    info->registered += registered;
    return 0;
}

static int run_activation(store_tx *tx, void *arg)
{
    access_activation_free(arg);        /* a job run again starts afresh */
    return store_activation_each(tx, add_row, arg);
}

int access_activation(access_ctx *a, access_activation_info *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    rc = store_read(a->store, run_activation, out);
    if (rc != STORE_OK)
        access_activation_free(out);
    return rc;
}
