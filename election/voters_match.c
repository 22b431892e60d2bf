/* voters_match.c - another party's electoral list (the server's export, its
 * registry) against the HR file, the list as the body that owns it sent it
 * (protocol section 17.5). */
#include "voters.h"

#include <stdlib.h>
#include <string.h>

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const voter_row *)a)->v.number, ((const voter_row *)b)->v.number);
}

static int cmp_number_row(const void *key, const void *row)
{
    return strcmp(key, ((const voter_row *)row)->v.number);
}

const voter_row *voters_hr_row(const voter_list *hr, const char *number)
{
    return bsearch(number, hr->rows, hr->n, sizeof *hr->rows, cmp_number_row);
}

/* Whether a (n strings) and b (m strings) hold the same strings, neither
 * holding a repeat (the HR file's never does: the parser refuses them). */
static int same_set(const char *const *a, size_t n, const char *const *b, size_t m)
{
    size_t i, k;

    if (n != m)
        return 0;
    for (i = 0; i < n; i++) {
        for (k = 0; k < m && strcmp(a[i], b[k]) != 0;)
            k++;
        if (k == m)
            return 0;
    }
    return 1;
}

/* What of card v differs from its HR row r ("" if nothing). */
static const char *difference(const voters_card *v, const voter_row *r)
{
    const char *const names[] = { "surname", "given_names", "establishment", "postal_address" };
    const char *const theirs[] = { v->surname, v->given_names, v->establishment,
                                   v->postal_address };
    const char *const ours[] = { r->v.surname, r->v.given_names, r->v.establishment,
                                 r->v.postal_address };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (theirs[i] != NULL && strcmp(theirs[i], ours[i]) != 0)
            return names[i];
    if (!same_set(v->emails, v->nemails, r->emails, r->v.nemails))
        return "emails";
    if (!same_set(v->scrutins, v->nscrutins, r->scrutins, r->v.nscrutins))
        return "scrutins";
    return "";
}

static void note(voters_match *m, const char *number, const char *what)
{
    size_t used = strlen(m->shown);

    if (m->bad++ < VOTERS_MATCH_SHOWN)
        snprintf(m->shown + used, sizeof m->shown - used, "%s%.64s (%s)", used ? ", " : "",
                 number, what);
}

int voters_match_start(voters_match *m, voter_list *hr)
{
    memset(m, 0, sizeof *m);
    m->hr = hr;
    m->seen = calloc(hr->n + 1, 1);
    if (m->seen == NULL)
        return -1;
    qsort(hr->rows, hr->n, sizeof *hr->rows, cmp_row);
    return 0;
}

void voters_match_card(voters_match *m, const voters_card *v)
{
    const voter_row *r = voters_hr_row(m->hr, v->number);
    const char *what;

    if (r == NULL) {
        what = "not in the HR file";
    } else if (m->seen[r - m->hr->rows]) {
        what = "twice";
    } else {
        m->seen[r - m->hr->rows] = 1;
        what = difference(v, r);
    }
    if (what[0] != '\0')
        note(m, v->number, what);
}

size_t voters_match_end(voters_match *m)
{
    for (size_t i = 0; m->seen != NULL && i < m->hr->n; i++)
        if (!m->seen[i])
            note(m, m->hr->rows[i].v.number, "not in the server's list");
    free(m->seen);
    m->seen = NULL;
    if (m->bad > VOTERS_MATCH_SHOWN)
        snprintf(m->shown + strlen(m->shown), sizeof m->shown - strlen(m->shown), ", ...");
    return m->bad;
}
