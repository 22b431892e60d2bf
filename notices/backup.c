/* backup.c - a key holder's paper backup (QR code and Base64 text). */
#include "backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <sodium.h>
#include "qr.h"

#define MM (72.0 / 25.4)
#define LINE_CHARS 76

static void line_at(cairo_t *cr, cairo_font_face_t *f, double size, double y, const char *s)
{
    cairo_set_font_face(cr, f);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, 18 * MM, y);
    cairo_show_text(cr, s);
}

int backup_write(const char *pdf, const uint8_t *sealed, size_t len, const backup_info *info)
{
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = len <= BACKUP_MAX_BYTES ? malloc(b64len) : NULL, line[LINE_CHARS + 1], head[300];
    cairo_surface_t *s;
    cairo_t *cr;
    cairo_font_face_t *sans, *mono;
    double y = 24 * MM;
    int rc;

    if (b64 == NULL)
        return -1;
    sodium_bin2base64(b64, b64len, sealed, len, sodium_base64_VARIANT_ORIGINAL);
    s = cairo_pdf_surface_create(pdf, 210 * MM, 297 * MM);
    cr = cairo_create(s);
    sans = cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                      CAIRO_FONT_WEIGHT_NORMAL);
    mono = cairo_toy_font_face_create("DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                                      CAIRO_FONT_WEIGHT_NORMAL);
    line_at(cr, sans, 15, y, "Copie de secours d'une clé du bureau de vote");
    snprintf(head, sizeof head, "Élection %s — %s — établie le %s", info->election,
             info->holder, info->issued);
    line_at(cr, sans, 9, y + 8 * MM, head);
    line_at(cr, sans, 9, y + 14 * MM, "Fichier de clé chiffré par la phrase secrète de son "
            "détenteur : sans elle, cette page est inutile.");
    line_at(cr, sans, 9, y + 19 * MM, "Conservez-la sous pli scellé. Restauration : "
            "votetrustee restore TEXTE.txt FICHIER (lecture du QR code ou saisie du texte).");
    rc = qr_draw(cr, b64, 18 * MM, y + 26 * MM, 110 * MM);
    y += 146 * MM;
    for (size_t i = 0; i < strlen(b64); i += LINE_CHARS, y += 4.2 * MM) {
        snprintf(line, sizeof line, "%.*s", LINE_CHARS, b64 + i);
        line_at(cr, mono, 8, y, line);
    }
    cairo_show_page(cr);
    rc |= cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_destroy(cr);
    cairo_font_face_destroy(sans);
    cairo_font_face_destroy(mono);
    cairo_surface_finish(s);
    rc |= cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(s);
    free(b64);
    return rc;
}

long backup_decode(uint8_t *out, size_t cap, const char *text)
{
    size_t len;

    if (sodium_base642bin(out, cap, text, strlen(text), " \t\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len < 4 || memcmp(out, "VSV1", 4) != 0)
        return -1;
    return (long)len;
}
