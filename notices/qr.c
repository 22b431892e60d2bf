/* qr.c - a QR code painted into a cairo drawing. */
#include "qr.h"

#include <stdint.h>
#include <string.h>
#include <qrencode.h>

/* The QR code as a 1-bit mask, QR_PX pixels per module (with its 4-module
 * quiet zone), painted black: a small stencil image in the PDF instead of
 * hundreds of vector squares, and sharp when a viewer rescales it. */
#define QR_PX 6

int qr_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    cairo_surface_t *mask;
    unsigned char *px;
    int w, stride;

    if (q == NULL)
        return -1;
    w = (q->width + 8) * QR_PX;
    mask = cairo_image_surface_create(CAIRO_FORMAT_A1, w, w);
    if (cairo_surface_status(mask) != CAIRO_STATUS_SUCCESS) {
        QRcode_free(q);
        return -1;
    }
    cairo_surface_flush(mask);
    px = cairo_image_surface_get_data(mask);
    stride = cairo_image_surface_get_stride(mask);
    memset(px, 0, (size_t)stride * (size_t)w);
    for (int r = 0; r < w; r++)
        for (int c = 0; c < w; c++) {
            int mr = r / QR_PX - 4, mc = c / QR_PX - 4;

            if (mr >= 0 && mc >= 0 && mr < q->width && mc < q->width &&
                (q->data[mr * q->width + mc] & 1))
                ((uint32_t *)(px + r * stride))[c / 32] |= 1u << (c % 32);  /* little-endian */
        }
    cairo_surface_mark_dirty(mask);
    QRcode_free(q);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / w, size / w);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_mask_surface(cr, mask, 0, 0);
    cairo_restore(cr);
    cairo_surface_destroy(mask);
    return 0;
}
