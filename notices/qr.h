/*
 * qr.h - a QR code (libqrencode, level M, 8-bit mode) painted into a cairo
 * drawing as a 1-bit stencil: for the voters' notices and the key holders'
 * paper backups.
 */
#ifndef VOTESRV_QR_H
#define VOTESRV_QR_H

#include <cairo.h>

/* The code of text in the square (x, y, size) in points; 0, or -1. */
int qr_draw(cairo_t *cr, const char *text, double x, double y, double size);
/* The same without the white square: only the dark modules, for a square
 * already white (the notices draw it once for all their pages). */
int qr_draw_modules(cairo_t *cr, const char *text, double x, double y, double size);

#endif
