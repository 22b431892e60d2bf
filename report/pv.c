/* pv.c - the procès-verbal of each scrutin: PDF, CSV and JSON. */
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define MARGIN (18 * MM)

typedef struct {
    const char *title, *scrutin, *seats, *registered, *voters, *ballots, *blank, *expressed;
    const char *turnout, *list, *votes, *won, *contested, *decrypted, *fingerprint, *archive;
    const char *rerun, *issued, *signatures, *president, *delegate;
} texts;

static const texts fr = {
    "Procès-verbal des opérations de dépouillement", "Scrutin", "Sièges à pourvoir",
    "Électeurs inscrits", "Votants (liste d'émargement)", "Bulletins dans l'urne",
    "Bulletins blancs", "Suffrages exprimés", "Participation", "Liste", "Voix", "Sièges",
    "Siège non attribué, égalité persistante entre : ", "Déchiffré par",
    "Empreinte de l'élection", "Empreinte de l'archive (BLAKE2b-256)",
    "Le dépouillement peut être refait par quiconque à partir de l'archive publiée "
    "(voteverify).", "Établi le", "Signatures des membres du bureau de vote",
    "Président(e)", "Délégué(e)"
};

static const texts en = {
    "Official report of the count", "Scrutin", "Seats", "Registered voters",
    "Voters (signature list)", "Ballots in the box", "Blank ballots", "Votes cast for lists",
    "Turnout", "List", "Votes", "Seats", "Seat not allocated, tie between: ", "Decrypted by",
    "Election fingerprint", "Archive fingerprint (BLAKE2b-256)",
    "Anyone can recount from the published archive (voteverify).", "Issued on",
    "Signatures of the members of the bureau de vote", "President", "Delegate"
};

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static cairo_font_face_t *faces[2];     /* regular, bold: made and destroyed by pdf() */

static void text_at(cairo_t *cr, double x, double y, double size, int bold, const char *s)
{
    cairo_set_font_face(cr, faces[bold != 0]);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

/* Right-aligned number in a column ending at x. */
static void number_at(cairo_t *cr, double x, double y, const char *s)
{
    cairo_text_extents_t e;

    cairo_set_font_face(cr, faces[0]);
    cairo_set_font_size(cr, 10);
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - e.x_advance, y);
    cairo_show_text(cr, s);
}

static double figures(cairo_t *cr, const texts *t, json_t *sc, double y)
{
    const char *labels[] = { t->seats, t->registered, t->voters, t->ballots, t->blank,
                             t->expressed };
    const char *keys[] = { "seats", "registered", "signatures", "ballots", "blank", "expressed" };
    char v[64];

    for (size_t i = 0; i < 6; i++, y += 6 * MM) {
        snprintf(v, sizeof v, "%lld", (long long)num(sc, keys[i]));
        text_at(cr, MARGIN, y, 10, 0, labels[i]);
        number_at(cr, PAGE_W - MARGIN, y, v);
    }
    snprintf(v, sizeof v, "%s %%", str(sc, "turnout_percent"));
    text_at(cr, MARGIN, y, 10, 0, t->turnout);
    number_at(cr, PAGE_W - MARGIN, y, v);
    return y + 10 * MM;
}

static double lists(cairo_t *cr, const texts *t, json_t *sc, double y)
{
    json_t *l, *c = json_object_get(sc, "contested");
    size_t i;
    char v[64];

    text_at(cr, MARGIN, y, 10, 1, t->list);
    number_at(cr, PAGE_W - MARGIN - 30 * MM, y, t->votes);
    number_at(cr, PAGE_W - MARGIN, y, t->won);
    y += 7 * MM;
    json_array_foreach(json_object_get(sc, "lists"), i, l) {
        char name[200];

        snprintf(name, sizeof name, "%s%s%s%s", str(l, "name"), str(l, "union")[0] ? " (" : "",
                 str(l, "union"), str(l, "union")[0] ? ")" : "");
        text_at(cr, MARGIN, y, 10, 0, name);
        snprintf(v, sizeof v, "%lld", (long long)num(l, "votes"));
        number_at(cr, PAGE_W - MARGIN - 30 * MM, y, v);
        snprintf(v, sizeof v, "%lld", (long long)num(l, "seats"));
        number_at(cr, PAGE_W - MARGIN, y, v);
        y += 6 * MM;
    }
    if (json_is_object(c)) {
        char line[600] = "";
        json_t *n;

        snprintf(line, sizeof line, "%s", t->contested);
        json_array_foreach(json_object_get(c, "lists"), i, n) {
            strncat(line, i ? ", " : "", sizeof line - strlen(line) - 1);
            strncat(line, json_string_value(n), sizeof line - strlen(line) - 1);
        }
        text_at(cr, MARGIN, y + 2 * MM, 9, 1, line);
        y += 8 * MM;
    }
    return y + 6 * MM;
}

static double trailer(cairo_t *cr, const texts *t, json_t *results, const report_info *info,
                      double y)
{
    json_t *h;
    size_t i;
    char line[400];

    text_at(cr, MARGIN, y, 10, 1, t->decrypted);
    y += 6 * MM;
    json_array_foreach(json_object_get(results, "decrypted_by"), i, h) {
        snprintf(line, sizeof line, "%s — %s", num(h, "holder") == 0 ? t->president : t->delegate,
                 str(h, "name"));
        text_at(cr, MARGIN + 4 * MM, y, 10, 0, line);
        y += 5 * MM;
    }
    y += 4 * MM;
    text_at(cr, MARGIN, y, 8, 0, t->fingerprint);
    text_at(cr, MARGIN, y + 4 * MM, 8, 0, str(results, "fingerprint"));
    text_at(cr, MARGIN, y + 10 * MM, 8, 0, t->archive);
    text_at(cr, MARGIN, y + 14 * MM, 8, 0, info->archive_blake2b);
    text_at(cr, MARGIN, y + 20 * MM, 8, 0, t->rerun);
    snprintf(line, sizeof line, "%s %s", t->issued, info->issued);
    text_at(cr, MARGIN, y + 26 * MM, 8, 0, line);
    return y + 36 * MM;
}

static int pdf(const char *path, const texts *t, json_t *results, json_t *sc,
               const report_info *info)
{
    cairo_surface_t *s = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create(s);
    double y = MARGIN + 6 * MM;
    char line[400];
    int rc;

    for (int b = 0; b < 2; b++)
        faces[b] = cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                              b ? CAIRO_FONT_WEIGHT_BOLD
                                                : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_at(cr, MARGIN, y, 15, 1, t->title);
    text_at(cr, MARGIN, y + 8 * MM, 11, 0, info->election);
    text_at(cr, MARGIN, y + 14 * MM, 10, 0, info->organiser);
    snprintf(line, sizeof line, "%s : %s", t->scrutin, str(sc, "title"));
    text_at(cr, MARGIN, y + 24 * MM, 12, 1, line);
    y = figures(cr, t, sc, y + 34 * MM);
    y = lists(cr, t, sc, y);
    y = trailer(cr, t, results, info, y);
    text_at(cr, MARGIN, y, 10, 1, t->signatures);
    rc = report_pdf_close(cr, s);
    for (int b = 0; b < 2; b++)
        cairo_font_face_destroy(faces[b]);
    return rc;
}

int report_pdf_close(cairo_t *cr, cairo_surface_t *s)
{
    int rc;

    cairo_show_page(cr);
    rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_destroy(cr);
    cairo_surface_finish(s);
    rc |= cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(s);
    return rc;
}

static void csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int csv(const char *path, json_t *results, json_t *sc, const report_info *info)
{
    FILE *f = fopen(path, "w");
    json_t *l;
    size_t i;

    if (f == NULL)
        return -1;
    fprintf(f, "scrutin,inscrits,votants,bulletins,blancs,exprimes,participation,liste,"
               "organisation,voix,sieges,empreinte_election,empreinte_archive\n");
    json_array_foreach(json_object_get(sc, "lists"), i, l) {
        fprintf(f, "%s,%lld,%lld,%lld,%lld,%lld,%s,", str(sc, "id"),
                (long long)num(sc, "registered"), (long long)num(sc, "signatures"),
                (long long)num(sc, "ballots"), (long long)num(sc, "blank"),
                (long long)num(sc, "expressed"), str(sc, "turnout_percent"));
        csv_text(f, str(l, "name"));
        fputc(',', f);
        csv_text(f, str(l, "union"));
        fprintf(f, ",%lld,%lld,%s,%s\n", (long long)num(l, "votes"), (long long)num(l, "seats"),
                str(results, "fingerprint"), info->archive_blake2b);
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int json_out(const char *path, json_t *results, json_t *sc, const report_info *info)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:O}", "format",
                            "votesrv-report/1", "election", info->election, "fingerprint",
                            str(results, "fingerprint"), "scrutin", sc, "decrypted_by",
                            json_object_get(results, "decrypted_by"), "archive_blake2b",
                            info->archive_blake2b, "tie_break",
                            json_object_get(results, "tie_break"));
    int rc = doc != NULL && json_dump_file(doc, path, JSON_INDENT(1) | JSON_SORT_KEYS) == 0
                 ? 0 : -1;

    json_decref(doc);
    return rc;
}

int report_write(const char *dir, json_t *results, const report_info *info, char *err,
                 size_t errlen)
{
    const texts *t = info->lang != NULL && strcmp(info->lang, "en") == 0 ? &en : &fr;
    json_t *sc;
    size_t i;
    char path[1024];

    json_array_foreach(json_object_get(results, "scrutins"), i, sc) {
        static const char *const ext[] = { "pdf", "csv", "json" };

        for (int k = 0; k < 3; k++) {
            int rc;

            snprintf(path, sizeof path, "%s/pv-%s.%s", dir, str(sc, "id"), ext[k]);
            rc = k == 0 ? pdf(path, t, results, sc, info)
                        : k == 1 ? csv(path, results, sc, info) : json_out(path, results, sc,
                                                                           info);
            if (rc != 0) {
                snprintf(err, errlen, "%s could not be written", path);
                return -1;
            }
        }
    }
    return 0;
}

void report_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
