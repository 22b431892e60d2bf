/* sheet.c - the signature sheet ("liste de remise contre signature") of a
 * batch of notices handed over at work: PDF and CSV. */
#include "notice.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <string.h>

#define MM 2.834645669
#define ROWS 22

static void cell(cairo_t *cr, double x, double y, double w, double h, const char *text, int bold)
{
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 9.5);
    cairo_move_to(cr, x + 2 * MM, y + h / 2 + 3);
    cairo_show_text(cr, text);
}

static void csv_field(FILE *f, const char *s, const char *end)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fprintf(f, "\"%s", end);
}

int notice_signature_sheet(const char *pdf, const char *csv, const notice_style *s,
                           const char *establishment, const notice_voter *v, size_t n)
{
    int en = s->lang != NULL && strcmp(s->lang, "en") == 0;
    cairo_surface_t *surf = cairo_pdf_surface_create(pdf, 210 * MM, 297 * MM);
    cairo_t *cr = cairo_create(surf);
    FILE *f = fopen(csv, "w");
    int rc = 0;

    if (f == NULL) {
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return -1;
    }
    fprintf(f, "%s\n", en ? "surname,given_names,number,signature" : "nom,prenoms,numero,signature");
    for (size_t i = 0; i < n; i += ROWS) {
        char title[600];
        double y = 40 * MM;

        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 0.6);
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 12);
        snprintf(title, sizeof title, "%s — %s", s->election, establishment);
        cairo_move_to(cr, 15 * MM, 20 * MM);
        cairo_show_text(cr, title);
        cairo_set_font_size(cr, 10);
        cairo_move_to(cr, 15 * MM, 27 * MM);
        cairo_show_text(cr, en ? "Notices handed over against signature"
                               : "Remise des notices de vote contre signature");
        cell(cr, 15 * MM, y, 80 * MM, 10 * MM, en ? "Name" : "Nom et prénoms", 1);
        cell(cr, 95 * MM, y, 35 * MM, 10 * MM, en ? "Number" : "Numéro", 1);
        cell(cr, 130 * MM, y, 65 * MM, 10 * MM, "Signature", 1);
        for (size_t r = i; r < n && r < i + ROWS; r++) {
            char name[400];

            y += 10 * MM;
            snprintf(name, sizeof name, "%s %s", v[r].surname, v[r].given_names);
            cell(cr, 15 * MM, y, 80 * MM, 10 * MM, name, 0);
            cell(cr, 95 * MM, y, 35 * MM, 10 * MM, v[r].number, 0);
            cell(cr, 130 * MM, y, 65 * MM, 10 * MM, "", 0);
            csv_field(f, v[r].surname, ",");
            csv_field(f, v[r].given_names, ",");
            csv_field(f, v[r].number, ",\n");
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    rc |= cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(surf);
    rc |= fclose(f) == 0 ? 0 : -1;
    return rc;
}
