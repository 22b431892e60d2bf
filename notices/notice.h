/*
 * notice.h - notices/, what is printed on paper: voting notices and signature
 * sheets as PDF (here; cairo, with the QR code of qr.h from libqrencode,
 * fonts embedded by cairo), vote codes as people read and type them
 * (code.h), and the key holders' paper backups (backup.h).
 *
 * One A4 page per voter: election, dates, the voter's name, number and
 * identifier, the vote code, the portal's address and a QR code holding the
 * portal's address and the identifier (never the code), how to vote, the
 * support cell, and the election's fingerprint (its short form, which the vote
 * page shows too, and in full) and public key. Postal notices put the postal address in the window of a DL
 * envelope; "cover" overprints a confusion pattern on the code, as on PIN
 * letters, so it cannot be read through the envelope. What is the same on
 * every standard page (all but the voter's name, number, identifier and
 * address, her code and QR code) is written once per file, as a form every
 * page paints.
 */
#ifndef VOTESRV_NOTICE_H
#define VOTESRV_NOTICE_H

#include <stddef.h>

typedef struct {
    const char *election, *organiser, *dates;     /* dates already formatted */
    const char *portal_url, *support_email, *support_phone;
    const char *lang;                              /* "fr" (default) or "en" */
    int postal, cover;
    const char *fingerprint;   /* hex, once the key ceremony fixed it (votecred needs it) */
    const char *public_key;    /* hex, likewise */
} notice_style;

typedef struct {
    const char *number, *surname, *given_names, *identifier, *establishment, *postal_address;
} notice_voter;

typedef struct notice_doc notice_doc;

/* For voters who cannot read the standard notice (the electoral list's
 * column notice_format): NOTICE_LARGE is for paper, in large print (text 18 pt
 * at least, black on white, the code in 30 pt monospaced groups, a page or
 * more per voter; a postal notice's address, for the post, in 12 pt);
 * NOTICE_ACCESSIBLE is the same text as a tagged PDF a screen reader reads in
 * order (structure tree: headings, paragraphs, a list of steps, the portal as
 * a link; the document's title shown and its language, /Lang, set by an
 * incremental update of the file cairo 1.16 writes; the code also spelt out
 * symbol by symbol; no QR code, the address is given as text). Both are
 * tagged. */
typedef enum { NOTICE_STANDARD = 0, NOTICE_LARGE, NOTICE_ACCESSIBLE } notice_format;

/* NULL if the file cannot be created. */
notice_doc *notice_doc_open(const char *path);
/* A document of notices in format; s gives its title and language. */
notice_doc *notice_doc_open_as(const char *path, notice_format format, const notice_style *s);
/* One page; code is the displayed form (groups of 4). 0, or -1 on error. */
int notice_page(notice_doc *d, const notice_style *s, const notice_voter *v, const char *code);
/* Finish the file: 0 if it was written completely. */
int notice_doc_close(notice_doc *d);

/* The signature sheet of a batch as PDF and CSV: name, number, a column to sign. */
int notice_signature_sheet(const char *pdf, const char *csv, const notice_style *s,
                           const char *establishment, const notice_voter *v, size_t n);

/* The QR payload for a voter: portal address and identifier (malloc'd). */
char *notice_qr_text(const char *portal_url, const char *identifier);

#endif
