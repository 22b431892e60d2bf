/* voters_diff.c - what a re-import would change on the stored list. */
#include "voters.h"

#include <stdio.h>
#include <string.h>
#include "strmap.h"

typedef struct {
    const voter_list *list;
    strmap *incoming;        /* number -> row index */
    strmap *stored;          /* numbers already on the list */
    voters_diff *diff;
    int oom;
} diff_ctx;

static void sample(char (*slots)[STORE_NUMBER_CHARS + 1], uint64_t count, const char *number)
{
    if (count <= 5)
        snprintf(slots[count - 1], STORE_NUMBER_CHARS + 1, "%s", number);
}

static int compare_stored(const char *number, const uint8_t *digest, int struck, void *arg)
{
    diff_ctx *d = arg;
    uint64_t row;

    (void)struck;
    if (strmap_put(d->stored, number, 0, NULL) < 0) {
        d->oom = 1;
        return STORE_ENOMEM;
    }
    if (strmap_get(d->incoming, number, &row) != 0) {
        d->diff->removed++;
        sample(d->diff->sample_removed, d->diff->removed, number);
    } else if (memcmp(d->list->rows[row].v.digest, digest, STORE_HASH_BYTES) != 0) {
        d->diff->changed++;
        sample(d->diff->sample_changed, d->diff->changed, number);
    } else {
        d->diff->unchanged++;
    }
    return 0;
}

static int run_diff(store_tx *tx, void *arg)
{
    return store_voters_each(tx, compare_stored, arg);
}

int voters_diff_compute(store *s, const voter_list *list, voters_diff *diff)
{
    diff_ctx d = { list, strmap_new(), strmap_new(), diff, 0 };
    int rc = STORE_ENOMEM;

    memset(diff, 0, sizeof *diff);
    if (d.incoming == NULL || d.stored == NULL)
        goto out;
    for (size_t i = 0; i < list->n; i++)
        if (strmap_put(d.incoming, list->rows[i].v.number, i, NULL) < 0)
            goto out;
    rc = store_read(s, run_diff, &d);
    if (rc != STORE_OK)
        goto out;
    diff->added = list->n - diff->changed - diff->unchanged;
    for (size_t i = 0, n = 0; i < list->n && n < 5; i++) {
        uint64_t unused;

        if (strmap_get(d.stored, list->rows[i].v.number, &unused) != 0)
            sample(diff->sample_added, ++n, list->rows[i].v.number);
    }
out:
    strmap_free(d.incoming);
    strmap_free(d.stored);
    return rc;
}

void voters_diff_print(const voters_diff *diff, FILE *out)
{
    const char *labels[3] = { "removed", "changed", "added" };
    const char (*samples[3])[STORE_NUMBER_CHARS + 1] = {
        diff->sample_removed, diff->sample_changed, diff->sample_added
    };
    uint64_t counts[3] = { diff->removed, diff->changed, diff->added };

    fprintf(out, "electoral list: %llu added, %llu removed, %llu changed, %llu unchanged\n",
            (unsigned long long)diff->added, (unsigned long long)diff->removed,
            (unsigned long long)diff->changed, (unsigned long long)diff->unchanged);
    for (int k = 0; k < 3; k++) {
        if (counts[k] == 0 || samples[k][0][0] == '\0')
            continue;
        fprintf(out, "  %s:", labels[k]);
        for (uint64_t i = 0; i < counts[k] && i < 5; i++)
            fprintf(out, " %s", samples[k][i]);
        fprintf(out, counts[k] > 5 ? " ...\n" : "\n");
    }
}
