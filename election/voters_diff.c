/* voters_diff.c - what a re-import would change on the stored list. */
#include "voters.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { UNSEEN, UNCHANGED, CHANGED };

typedef struct {
    uint32_t name;               /* offset of the number in names */
    uint32_t state;
    uint8_t digest[STORE_HASH_BYTES];
} stored_voter;

struct voters_differ {
    stored_voter *v;             /* the stored list, by number */
    size_t n, cap;
    char *names;
    size_t nlen, ncap;
    uint32_t *index;             /* 1 + an entry of v, 0: empty */
    size_t icap;
    unsigned char key[crypto_shorthash_KEYBYTES];   /* the index's hash's, random */
    voters_diff diff;
};

static void sample(char (*slots)[STORE_NUMBER_CHARS + 1], uint64_t count, const char *number)
{
    if (count <= 5)
        snprintf(slots[count - 1], STORE_NUMBER_CHARS + 1, "%s", number);
}

/* Keyed (as strmap's): stored numbers crafted to share a fixed hash's
 * slots would make each lookup walk them all. */
static size_t hash(const voters_differ *d, const char *s)
{
    unsigned char h[crypto_shorthash_BYTES];
    size_t v = 0;

    crypto_shorthash(h, (const unsigned char *)s, strlen(s), d->key);
    for (size_t i = 0; i < sizeof v && i < sizeof h; i++)
        v |= (size_t)h[i] << (8 * i);
    return v;
}

/* p with room for need items of size bytes (doubling *cap), or NULL (p kept). */
static void *room_for(void *p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 1024;

    if (need <= *cap)
        return p;
    while (c < need)
        c *= 2;
    if ((p = realloc(p, c * size)) != NULL)
        *cap = c;
    return p;
}

static int keep_stored(const char *number, const uint8_t *digest, int struck, void *arg)
{
    voters_differ *d = arg;
    size_t len = strlen(number) + 1;
    stored_voter *v = room_for(d->v, &d->cap, d->n + 1, sizeof *v);
    char *names;

    (void)struck;
    if (v == NULL)
        return STORE_ENOMEM;
    d->v = v;
    if (d->nlen + len > UINT32_MAX ||
        (names = room_for(d->names, &d->ncap, d->nlen + len, 1)) == NULL)
        return STORE_ENOMEM;
    d->names = names;
    memcpy(d->names + d->nlen, number, len);
    v[d->n].name = (uint32_t)d->nlen;
    v[d->n].state = UNSEEN;
    memcpy(v[d->n++].digest, digest, STORE_HASH_BYTES);
    d->nlen += len;
    return 0;
}

static uint32_t *slot_of(const voters_differ *d, const char *number)
{
    size_t i = hash(d, number) & (d->icap - 1);

    while (d->index[i] != 0 && strcmp(d->names + d->v[d->index[i] - 1].name, number) != 0)
        i = (i + 1) & (d->icap - 1);
    return &d->index[i];
}

int voters_diff_start(store_tx *tx, voters_differ **out)
{
    voters_differ *d = calloc(1, sizeof *d);
    int rc;

    *out = NULL;
    if (d == NULL)
        return STORE_ENOMEM;
    if (sodium_init() < 0) {
        free(d);
        return STORE_EIO;
    }
    crypto_shorthash_keygen(d->key);
    rc = store_voters_each(tx, keep_stored, d);
    for (d->icap = 16; rc == STORE_OK && d->icap < 2 * d->n; d->icap *= 2)
        ;
    if (rc == STORE_OK && (d->index = calloc(d->icap, sizeof *d->index)) == NULL)
        rc = STORE_ENOMEM;
    for (size_t i = 0; rc == STORE_OK && i < d->n; i++)
        *slot_of(d, d->names + d->v[i].name) = (uint32_t)(i + 1);
    if (rc != STORE_OK) {
        voters_diff_end(d, NULL);
        return rc;
    }
    *out = d;
    return STORE_OK;
}

void voters_diff_add(voters_differ *d, const store_voter *v)
{
    uint32_t at = *slot_of(d, v->number);

    if (at == 0) {
        d->diff.added++;
        sample(d->diff.sample_added, d->diff.added, v->number);
    } else if (memcmp(d->v[at - 1].digest, v->digest, STORE_HASH_BYTES) != 0) {
        d->v[at - 1].state = CHANGED;
        d->diff.changed++;
    } else {
        d->v[at - 1].state = UNCHANGED;
        d->diff.unchanged++;
    }
}

void voters_diff_end(voters_differ *d, voters_diff *diff)
{
    uint64_t changed = 0;

    if (d == NULL)
        return;
    for (size_t i = 0; diff != NULL && i < d->n; i++) {
        const char *number = d->names + d->v[i].name;

        if (d->v[i].state == UNSEEN) {
            d->diff.removed++;
            sample(d->diff.sample_removed, d->diff.removed, number);
        } else if (d->v[i].state == CHANGED) {
            sample(d->diff.sample_changed, ++changed, number);
        }
    }
    if (diff != NULL)
        *diff = d->diff;
    free(d->v);
    free(d->names);
    free(d->index);
    free(d);
}

typedef struct {
    const voter_list *list;
    voters_diff *diff;
} diff_job;

static int run_diff(store_tx *tx, void *arg)
{
    diff_job *j = arg;
    voters_differ *d;
    int rc = voters_diff_start(tx, &d);

    if (rc != STORE_OK)
        return rc;
    for (size_t i = 0; i < j->list->n; i++)
        voters_diff_add(d, &j->list->rows[i].v);
    voters_diff_end(d, j->diff);
    return STORE_OK;
}

int voters_diff_compute(store *s, const voter_list *list, voters_diff *diff)
{
    diff_job j = { list, diff };

    memset(diff, 0, sizeof *diff);
    return store_read(s, run_diff, &j);
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
