/*
 * voters.h - the electoral list, imported from CSV (parsed by libcsv).
 *
 * Header row required, in any order: number, surname, given_names, emails,
 * establishment, postal_address; every other column is an attribute (corps,
 * grade, college...) that scrutins' eligibility rules may test. "emails" holds
 * one or more professional addresses separated by ';'. The import is
 * all-or-nothing: every bad row is reported as "file:line: reason" and a file
 * with any error changes nothing.
 */
#ifndef VOTESRV_VOTERS_H
#define VOTESRV_VOTERS_H

#include <stddef.h>
#include <stdio.h>
#include "definition.h"
#include "store/store.h"

#define VOTERS_MAX_EMAILS 8
#define VOTERS_ERRORS_KEPT 200

typedef struct {
    store_voter v;           /* strings point into buf; emails/scrutins: see voter_row_view */
    char *buf;
    const char *emails[VOTERS_MAX_EMAILS];
    const char *scrutins[DEF_MAX_SCRUTINS];
} voter_row;

typedef struct {
    voter_row *rows;
    size_t n, cap;
    char *errors[VOTERS_ERRORS_KEPT];
    size_t nerrors;          /* all errors, even those not kept */
} voter_list;

/* The row as the store takes it, its arrays pointing into the row itself (rows
 * move when the list grows, so take the view just before use). */
static inline store_voter voter_row_view(const voter_row *r)
{
    store_voter v = r->v;

    v.emails = r->emails;
    v.scrutins = r->scrutins;
    return v;
}

/* 0 if the whole file is valid; -1 with list->errors otherwise. */
int voters_parse_file(voter_list *list, const char *path, const def_election *d);
int voters_parse_buffer(voter_list *list, const char *name, const char *data, size_t len,
                        const def_election *d);
void voters_print_errors(const voter_list *list, FILE *out);
void voter_list_free(voter_list *list);

/* Comparison of a new list with the stored one. */
typedef struct {
    uint64_t added, removed, changed, unchanged;
    char sample_added[5][STORE_NUMBER_CHARS + 1], sample_removed[5][STORE_NUMBER_CHARS + 1],
         sample_changed[5][STORE_NUMBER_CHARS + 1];
} voters_diff;

int voters_diff_compute(store *s, const voter_list *list, voters_diff *diff);
void voters_diff_print(const voters_diff *diff, FILE *out);

#endif
