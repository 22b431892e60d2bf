/*
 * report.h - the official report of the count ("procès-verbal"), one per
 * scrutin, from the published results (tally/tally.h): a PDF (cairo) to print
 * and sign, a CSV and a JSON with the same figures, each naming the election's
 * fingerprint, the BLAKE2b-256 of the archive the count can be rerun from
 * (voteverify), and the key holders who decrypted.
 */
#ifndef VOTESRV_REPORT_H
#define VOTESRV_REPORT_H

#include <jansson.h>

#define REPORT_ERR_CHARS 300

typedef struct {
    const char *election, *organiser;     /* from the definition */
    const char *archive_blake2b;          /* hex */
    const char *issued;                   /* the date shown, e.g. 2026-12-08 18:02 UTC */
    const char *lang;                     /* "fr" (default) or "en" */
} report_info;

/* Write DIR/pv-<scrutin>.pdf, .csv and .json for every scrutin of results.
 * 0, or -1 with err saying which file failed. */
int report_write(const char *dir, json_t *results, const report_info *info, char *err,
                 size_t errlen);

/* Free cairo's and fontconfig's process-wide caches, once no PDF is being
 * written any more (at the end of a program). */
void report_cleanup(void);

#endif
