/*
 * report.h - the official report of the count ("procès-verbal"), one per
 * scrutin, from the published results (tally/tally.h): a PDF (cairo) to print
 * and sign, a CSV and a JSON with the same figures, each naming the election's
 * fingerprint, the BLAKE2b-256 of the archive the count can be rerun from
 * (voteverify), and the key holders who decrypted; and a voter's receipt as
 * a PDF (receipt.c).
 */
#ifndef VOTESRV_REPORT_H
#define VOTESRV_REPORT_H

#include <cairo.h>
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

/* A voter's receipt as a one-page PDF written to fd: the texts (labels in the
 * voter's language, REPORT_RECEIPT_*) and the receipt's public fields, hex
 * where binary. 0, or -1 if cairo or the write failed. */
enum {
    REPORT_RECEIPT_TITLE, REPORT_RECEIPT_SCRUTIN, REPORT_RECEIPT_TRACKER, REPORT_RECEIPT_COUNT,
    REPORT_RECEIPT_FINGERPRINT, REPORT_RECEIPT_DIGEST, REPORT_RECEIPT_SIGNATURE,
    REPORT_RECEIPT_KEY, REPORT_RECEIPT_CHECK, REPORT_RECEIPT_TEXTS
};
typedef struct {
    const char *texts[REPORT_RECEIPT_TEXTS];
    const char *election, *organiser, *scrutin_title, *tracker_text;
    const char *fingerprint, *digest, *signature, *key;
    unsigned long long count;
    const char *url;                      /* where the receipt reloads */
    const char *note;                     /* under the title (NULL: none): "already recorded" */
} report_receipt;
int report_receipt_pdf(int fd, const report_receipt *r);

/* The end of a one-page PDF: show the page, destroy cr, finish and destroy
 * s. 0, or -1 if cairo failed on the way (an error, or the write). */
int report_pdf_close(cairo_t *cr, cairo_surface_t *s);

/* Free cairo's and fontconfig's process-wide caches, once no PDF is being
 * written any more (at the end of a program). */
void report_cleanup(void);

#endif
