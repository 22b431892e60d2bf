/*
 * voters.h - the electoral list, imported from CSV (parsed by libcsv).
 *
 * Header row required, in any order: number, surname, given_names, emails,
 * establishment, postal_address; optional: notice_format (how the credential
 * authority prints the voter's notice: standard, large or accessible; empty is
 * standard); every other column is an attribute (corps, grade, college...)
 * that scrutins' eligibility rules may test. "emails" holds
 * one or more professional addresses separated by ';'. The import is
 * all-or-nothing: every bad row is reported as "file:line: reason" and a file
 * with any error changes nothing.
 */
#ifndef VOTESRV_VOTERS_H
#define VOTESRV_VOTERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "definition.h"
#include "store/store.h"

#define VOTERS_MAX_EMAILS 8
#define VOTERS_ERRORS_KEPT 200

/* The column notice_format: the paper notice in standard print, in large
 * print, or as a tagged PDF a screen reader reads (notices/notice.h). Not an
 * attribute: the server neither stores nor tests it, the authority reads it
 * from the HR file. */
typedef enum {
    VOTERS_NOTICE_STANDARD = 0,
    VOTERS_NOTICE_LARGE,
    VOTERS_NOTICE_ACCESSIBLE
} voters_notice_format;
#define VOTERS_NOTICE_COLUMN "notice_format"

typedef struct {
    store_voter v;           /* strings point into buf; emails/scrutins: see voter_row_view */
    voters_notice_format notice_format;
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

/* The byte length of the invisible character (format character: bidi
 * embedding, override, isolate or mark, zero width, tag...; or C1 control)
 * starting at s, with its code point in *cp; 0 if s does not start with one.
 * The import refuses them; the consoles neutralise any already stored. */
size_t voters_invisible_at(const char *s, uint32_t *cp);

/* 0 if the whole file is valid; -1 with list->errors otherwise. */
MUST_CHECK
int voters_parse_file(voter_list *list, const char *path, const def_election *d);
MUST_CHECK
int voters_parse_buffer(voter_list *list, const char *name, const char *data, size_t len,
                        const def_election *d);
void voters_print_errors(const voter_list *list, FILE *out);
void voter_list_free(voter_list *list);

/* The streamed parse, for lists of millions: the file is read and checked on
 * a thread of its own and its valid rows handed over in chunks of
 * VOTERS_CHUNK, in file order, while the reader writes the previous ones.
 * Memory holds a few chunks and what the duplicate checks need (the numbers
 * and addresses seen), never the whole list. The checks are those of
 * voters_parse_file; once any row is bad no more rows come, so a reader that
 * stops at the first -1 and undoes what it did changes nothing. */
#define VOTERS_CHUNK 8192
typedef struct voters_stream voters_stream;

/* Starts reading path (a "cannot be read" comes as an error); d must outlive
 * the stream. NULL: no memory. */
voters_stream *voters_stream_open(const char *path, const def_election *d);
/* 1 and *chunk (valid until the next call or the close), 0 at the end of a
 * valid file, -1 once the file has an error (possibly before its end: the
 * rows already handed over must then be undone). */
int voters_stream_next(voters_stream *st, const voter_list **chunk);
/* The errors of the whole file, "file:line: reason" as voters_parse_file
 * gives them: waits for the parse to end, the rows not read yet dropped
 * (voters_stream_next then has none to give). */
const voter_list *voters_stream_errors(voters_stream *st);
/* Stops the parse if it is still running and frees everything. */
void voters_stream_close(voters_stream *st);

/* Comparison of a new list with the stored one. */
typedef struct {
    uint64_t added, removed, changed, unchanged;
    char sample_added[5][STORE_NUMBER_CHARS + 1], sample_removed[5][STORE_NUMBER_CHARS + 1],
         sample_changed[5][STORE_NUMBER_CHARS + 1];
} voters_diff;

int voters_diff_compute(store *s, const voter_list *list, voters_diff *diff);
void voters_diff_print(const voters_diff *diff, FILE *out);

/* The diff of a streamed list, within the transaction that replaces the
 * stored one: voters_diff_start reads the stored numbers and digests (some
 * 50 bytes a voter), voters_diff_add counts each new row, voters_diff_end
 * counts the removed and frees (diff NULL: frees only). Samples: the added in file order, the
 * removed and changed by number. */
typedef struct voters_differ voters_differ;
int voters_diff_start(store_tx *tx, voters_differ **d);
void voters_diff_add(voters_differ *d, const store_voter *v);
void voters_diff_end(voters_differ *d, voters_diff *diff);

/* Another party's list (the server's export or registry) against the HR
 * file's, the list as the body that owns it sent it to the credential
 * authority: one card per voter of the other list. */
typedef struct {
    const char *number;
    const char *surname, *given_names, *establishment, *postal_address; /* NULL: not compared */
    const char *const *emails;
    size_t nemails;
    const char *const *scrutins;     /* ids of the scrutins the voter may vote in */
    size_t nscrutins;
} voters_card;

#define VOTERS_MATCH_SHOWN 10
typedef struct {
    voter_list *hr;
    char *seen;
    size_t bad;                      /* voters that differ */
    char shown[VOTERS_MATCH_SHOWN * 96 + 8];   /* the first: "N (what), ..." */
} voters_match;

/* Sorts hr's rows by number (voters_hr_row then finds them). -1: no memory. */
int voters_match_start(voters_match *m, voter_list *hr);
/* A voter that differs (not in hr, twice, or a field: names, establishment,
 * postal address, the set of addresses, the set of scrutins) is counted. */
void voters_match_card(voters_match *m, const voters_card *v);
/* Counts hr's voters no card named too; the number of voters that differ. */
size_t voters_match_end(voters_match *m);
/* hr's row of number once voters_match_start sorted it, or NULL. */
const voter_row *voters_hr_row(const voter_list *hr, const char *number);

#endif
