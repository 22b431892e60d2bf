/* receipt.c - a voter's receipt as a one-page PDF (cairo), from the signed
 * receipt's public fields only. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include "notices/qr.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define MARGIN (18 * MM)

static cairo_status_t to_fd(void *closure, const unsigned char *data, unsigned int length)
{
    int fd = *(const int *)closure;

    while (length > 0) {
        ssize_t n = write(fd, data, length);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CAIRO_STATUS_WRITE_ERROR;
        data += n;
        length -= (unsigned)n;
    }
    return CAIRO_STATUS_SUCCESS;
}

static void line(cairo_t *cr, cairo_font_face_t *face, double size, double *y, const char *s)
{
    cairo_set_font_face(cr, face);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, MARGIN, *y);
    cairo_show_text(cr, s);
    *y += size * 0.5 * MM + 2 * MM;
}

/* text in face, cut every width characters. */
static void wrapped(cairo_t *cr, cairo_font_face_t *face, double size, double *y,
                    const char *text, size_t width)
{
    char part[128];
    size_t n = strlen(text);

    if (width > sizeof part - 1)
        width = sizeof part - 1;
    for (size_t at = 0; at < n; at += width) {
        snprintf(part, sizeof part, "%.*s", (int)width, text + at);
        line(cr, face, size, y, part);
    }
}

/* A label, then its value in a monospaced face, cut every 64 characters. */
static void field(cairo_t *cr, cairo_font_face_t *const faces[3], double *y, const char *label,
                  const char *value)
{
    line(cr, faces[1], 10, y, label);
    wrapped(cr, faces[2], 10, y, value, 64);
    *y += 2 * MM;
}

int report_receipt_pdf(int fd, const report_receipt *r)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_fd, &fd, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create(s);
    cairo_font_face_t *faces[3] = {
        cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                   CAIRO_FONT_WEIGHT_NORMAL),
        cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                   CAIRO_FONT_WEIGHT_BOLD),
        cairo_toy_font_face_create("DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                                   CAIRO_FONT_WEIGHT_NORMAL)
    };
    double y = MARGIN + 6 * MM;
    char count[32];
    int rc, qr;

    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, r->texts[REPORT_RECEIPT_TITLE]);
    cairo_set_source_rgb(cr, 0, 0, 0);
    line(cr, faces[1], 16, &y, r->texts[REPORT_RECEIPT_TITLE]);
    line(cr, faces[0], 11, &y, r->election);
    line(cr, faces[0], 10, &y, r->organiser);
    if (r->note != NULL) {
        y += 2 * MM;
        wrapped(cr, faces[0], 9, &y, r->note, 90);
    }
    y += 6 * MM;
    line(cr, faces[1], 10, &y, r->texts[REPORT_RECEIPT_SCRUTIN]);
    line(cr, faces[0], 11, &y, r->scrutin_title);
    y += 2 * MM;
    line(cr, faces[1], 10, &y, r->texts[REPORT_RECEIPT_TRACKER]);
    line(cr, faces[2], 13, &y, r->tracker_text);
    y += 2 * MM;
    snprintf(count, sizeof count, "%llu", (unsigned long long)r->count);
    field(cr, faces, &y, r->texts[REPORT_RECEIPT_COUNT], count);
    field(cr, faces, &y, r->texts[REPORT_RECEIPT_FINGERPRINT], r->fingerprint);
    field(cr, faces, &y, r->texts[REPORT_RECEIPT_DIGEST], r->digest);
    field(cr, faces, &y, r->texts[REPORT_RECEIPT_SIGNATURE], r->signature);
    field(cr, faces, &y, r->texts[REPORT_RECEIPT_KEY], r->key);
    y += 4 * MM;
    line(cr, faces[0], 9, &y, r->texts[REPORT_RECEIPT_CHECK]);
    wrapped(cr, faces[2], 8, &y, r->url, 90);
    qr = qr_draw(cr, r->url, MARGIN, y, 40 * MM);            /* to open it from a phone */
    rc = report_pdf_close(cr, s) | qr;
    for (int f = 0; f < 3; f++)
        cairo_font_face_destroy(faces[f]);
    return rc;
}
