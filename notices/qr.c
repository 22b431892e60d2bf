/* qr.c - a QR code painted into a cairo drawing. */
#include "qr.h"

#include <stdint.h>
#include <string.h>
#include <qrencode.h>

/* The QR code as a 1-bit mask, one pixel per module (with its 4-module
 * quiet zone), painted black: a small stencil image in the PDF instead of
 * hundreds of vector squares. Drawn with the nearest filter, which the PDF
 * says as /Interpolate false, so that a viewer scales it up sharp. (Six
 * pixels a module cost a third of a notice's time: deflating and writing the
 * larger image on every page.) */
int qr_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_restore(cr);
    return qr_draw_modules(cr, text, x, y, size);
}

int qr_draw_modules(cairo_t *cr, const char *text, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    cairo_surface_t *mask;
    cairo_pattern_t *pat;
    unsigned char *px;
    int w, stride;

    if (q == NULL)
        return -1;
    w = q->width + 8;
    mask = cairo_image_surface_create(CAIRO_FORMAT_A1, w, w);
    if (cairo_surface_status(mask) != CAIRO_STATUS_SUCCESS) {
        QRcode_free(q);
        return -1;
    }
    cairo_surface_flush(mask);
    px = cairo_image_surface_get_data(mask);
    stride = cairo_image_surface_get_stride(mask);
    memset(px, 0, (size_t)stride * (size_t)w);
    for (int r = 0; r < q->width; r++)
        for (int c = 0; c < q->width; c++)
            if (q->data[r * q->width + c] & 1)   /* A1 is little-endian in 32-bit words */
                ((uint32_t *)(px + (r + 4) * stride))[(c + 4) / 32] |= 1u << ((c + 4) % 32);
    cairo_surface_mark_dirty(mask);
    QRcode_free(q);
    pat = cairo_pattern_create_for_surface(mask);
    cairo_pattern_set_filter(pat, CAIRO_FILTER_NEAREST);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / w, size / w);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_mask(cr, pat);
    cairo_restore(cr);
    cairo_pattern_destroy(pat);
    cairo_surface_destroy(mask);
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
}
