/* notice.c - the notice page. */
#include "notice.h"
#include "code.h"
#include "qr.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM 2.834645669
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define MARGIN (20 * MM)

#define WRAP_CACHE 16
#define WRAP_LINES 8

/* Paragraphs that repeat on every page are broken into lines once. */
typedef struct {
    const char *text;
    double width;
    int n;
    char *lines[WRAP_LINES];
} wrapped;

struct notice_doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    cairo_font_face_t *faces[2][2];     /* [mono][bold] */
    wrapped cache[WRAP_CACHE];
    int ncache;
    /* The standard notice's parts that are the same on every page, drawn once
     * (see static_layers): under the variable parts, and the cover pattern
     * over the code (NULL without cover); for the style in key. */
    cairo_surface_t *under, *over;
    char *key;
    double voter_y, code_y;             /* where the voter's lines and the code box start */
    notice_format format;
    char *path, lang[8];                /* for the catalog's /Lang once cairo is done */
};

static notice_doc *current;             /* the document being drawn (one thread) */

typedef struct {
    const char *title, *voter, *number, *identifier, *code_label, *code_note, *dates_label;
    const char *qr_caption, *steps_title, *steps[4], *support, *keep, *fingerprint, *key;
    const char *code_spelt;
} texts;

static const texts fr = {
    "Notice de vote", "Électeur ou électrice", "Numéro d'électeur", "Identifiant",
    "Votre code de vote", "Confidentiel : il vous sera demandé au moment de voter.",
    "Période de vote", "Accès au portail de vote", "Comment voter",
    { "Activez votre compte avec le lien reçu sur votre adresse professionnelle : créez "
      "votre mot de passe « élections » et votre question défi.",
      "Pendant la période de vote, connectez-vous au portail avec votre identifiant et ce "
      "mot de passe.",
      "Choisissez une liste ou votez blanc dans chaque scrutin, puis saisissez votre code "
      "de vote pour confirmer.",
      "Conservez le reçu : il permet de vérifier que votre bulletin est dans l'urne." },
    "Cellule d'assistance", "Ne communiquez jamais votre code de vote. Conservez cette notice "
    "jusqu'à la fin du vote.",
    "Empreinte de l'élection : vérifiez que la page de vote affiche la même avant de choisir",
    "Clé publique de l'élection",
    "Le code, caractère par caractère :"
};

static const texts en = {
    "Voting notice", "Voter", "Voter number", "Identifier", "Your vote code",
    "Confidential: you will be asked for it when you vote.", "Voting period",
    "Voting portal", "How to vote",
    { "Activate your account with the link sent to your professional address: create your "
      "\"elections\" password and your challenge question.",
      "During the voting period, log in to the portal with your identifier and that "
      "password.",
      "Choose a list or vote blank in each scrutin, then enter your vote code to confirm.",
      "Keep the receipt: it lets you check that your ballot is in the ballot box." },
    "Support cell", "Never disclose your vote code. Keep this notice until the end of the vote.",
    "Election fingerprint: check that the vote page shows the same before you choose",
    "Election public key",
    "The code, symbol by symbol:"
};

static const texts *texts_of(const char *lang)
{
    return lang != NULL && strcmp(lang, "en") == 0 ? &en : &fr;
}

notice_doc *notice_doc_open(const char *path)
{
    return notice_doc_open_as(path, NOTICE_STANDARD, NULL);
}

notice_doc *notice_doc_open_as(const char *path, notice_format format, const notice_style *s)
{
    notice_doc *d = calloc(1, sizeof *d);

    if (d == NULL)
        return NULL;
    d->format = format;
    snprintf(d->lang, sizeof d->lang, "%s",
             s != NULL && s->lang != NULL && strcmp(s->lang, "en") == 0 ? "en-GB" : "fr-FR");
    if (format != NOTICE_STANDARD && (d->path = strdup(path)) == NULL) {
        free(d);
        return NULL;
    }
    d->surface = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    d->cr = cairo_create(d->surface);
    if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS ||
        cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        notice_doc_close(d);
        return NULL;
    }
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "votesrv votecred");
    if (s != NULL) {
        char title[600];

        snprintf(title, sizeof title, "%s — %s", texts_of(s->lang)->title,
                 s->election != NULL ? s->election : "");
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
    }
    if (format != NOTICE_STANDARD)
        cairo_tag_begin(d->cr, "Document", "");
    for (int m = 0; m < 2; m++)
        for (int b = 0; b < 2; b++)
            d->faces[m][b] = cairo_toy_font_face_create(m ? "DejaVu Sans Mono" : "DejaVu Sans",
                                                        CAIRO_FONT_SLANT_NORMAL,
                                                        b ? CAIRO_FONT_WEIGHT_BOLD
                                                          : CAIRO_FONT_WEIGHT_NORMAL);
    return d;
}

/* The offset of the last occurrence of needle in buf[0, n), or -1. */
static long last_of(const char *buf, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
        if (memcmp(buf + i, needle, k) == 0)
            return (long)i;
    return -1;
}

/* cairo 1.16 tags the structure but names neither the document's language nor
 * asks viewers to show its title: an incremental update (PDF 1.7, 7.5.6)
 * appends the catalog again with /Lang and /ViewerPreferences
 * << /DisplayDocTitle true >>. 0, or -1 if the file is not as cairo writes it. */
static int pdf_catalog_complete(const char *path, const char *lang)
{
    FILE *f = fopen(path, "r+b");
    char *buf = NULL, obj[32];
    long size, trailer, sx, prev, cat, open, end, xref;
    int root = 0, info = 0, nobjs = 0, depth = 0, rc = -1;

    if (f == NULL)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || size > (64L << 20) ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)size + 1)) == NULL ||
        fread(buf, 1, (size_t)size, f) != (size_t)size)
        goto out;
    buf[size] = '\0';
    trailer = last_of(buf, (size_t)size, "trailer");
    sx = last_of(buf, (size_t)size, "startxref");
    if (trailer < 0 || sx < trailer || sscanf(buf + sx, "startxref %ld", &prev) != 1)
        goto out;
    for (const char *p = buf + trailer; p < buf + sx; p++) {
        if (strncmp(p, "/Root ", 6) == 0)
            root = atoi(p + 6);
        else if (strncmp(p, "/Info ", 6) == 0)
            info = atoi(p + 6);
        else if (strncmp(p, "/Size ", 6) == 0)
            nobjs = atoi(p + 6);
    }
    snprintf(obj, sizeof obj, "\n%d 0 obj", root);
    if (root <= 0 || nobjs <= root || (cat = last_of(buf, (size_t)trailer, obj)) < 0 ||
        (open = cat + (long)strlen(obj)) >= trailer)
        goto out;
    while (open < trailer && buf[open] != '<')
        open++;
    for (end = open; end + 1 < trailer; end++) {       /* the catalog's matching ">>" */
        if (buf[end] == '<' && buf[end + 1] == '<')
            depth++, end++;
        else if (buf[end] == '>' && buf[end + 1] == '>' && --depth == 0)
            break;
    }
    if (depth != 0 || end + 1 >= trailer || last_of(buf + open, (size_t)(end - open), "/Lang") >= 0)
        goto out;
    if (fseek(f, 0, SEEK_END) != 0 ||
        fprintf(f, "%d 0 obj\n%.*s   /Lang (%s)\n   /ViewerPreferences << /DisplayDocTitle true >>"
                   "\n>>\nendobj\n", root, (int)(end - open), buf + open, lang) < 0 ||
        (xref = ftell(f)) < 0 ||
        fprintf(f, "xref\n%d 1\n%010ld 00000 n \ntrailer\n<< /Size %d\n   /Root %d 0 R\n", root,
                size, nobjs, root) < 0 ||
        (info > 0 && fprintf(f, "   /Info %d 0 R\n", info) < 0) ||
        fprintf(f, "   /Prev %ld\n>>\nstartxref\n%ld\n%%%%EOF\n", prev, xref) < 0)
        goto out;
    rc = 0;
out:
    free(buf);
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int notice_doc_close(notice_doc *d)
{
    int rc;

    if (d == NULL)
        return -1;
    for (int m = 0; m < 2; m++)
        for (int b = 0; b < 2; b++)
            if (d->faces[m][b] != NULL)
                cairo_font_face_destroy(d->faces[m][b]);
    for (int i = 0; i < d->ncache; i++)
        for (int l = 0; l < d->cache[i].n; l++)
            free(d->cache[i].lines[l]);
    if (d->under != NULL)
        cairo_surface_destroy(d->under);
    if (d->over != NULL)
        cairo_surface_destroy(d->over);
    free(d->key);
    if (d->format != NOTICE_STANDARD && d->cr != NULL)
        cairo_tag_end(d->cr, "Document");
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surface);
    rc = cairo_surface_status(d->surface) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(d->surface);
    if (rc == 0 && d->path != NULL)
        rc = pdf_catalog_complete(d->path, d->lang);
    free(d->path);
    free(d);
    return rc;
}

static void font(cairo_t *cr, int mono, int bold, double size)
{
    cairo_set_font_face(cr, current->faces[mono != 0][bold != 0]);
    cairo_set_font_size(cr, size);
}

/* Break text into lines of at most width in the current font; words longer
 * than the buffer are cut, never overflowed. */
static int break_lines(cairo_t *cr, const char *text, double width, char **lines, int max)
{
    char line[1024] = "", trial[1024];
    const char *p = text;
    int n = 0;

    while (*p && n < max) {
        size_t k = strcspn(p, " "), used = strlen(line);
        cairo_text_extents_t e;

        if (used + k + 2 > sizeof trial)
            k = sizeof trial - used - 2;
        memcpy(trial, line, used);
        if (used > 0)
            trial[used++] = ' ';
        memcpy(trial + used, p, k);
        trial[used + k] = '\0';
        cairo_text_extents(cr, trial, &e);
        if (e.x_advance > width && line[0]) {
            lines[n++] = strdup(line);
            memcpy(line, p, k);
            line[k] = '\0';
        } else {
            memcpy(line, trial, used + k + 1);
        }
        p += strcspn(p, " ");
        while (*p == ' ')
            p++;
    }
    if (line[0] && n < max)
        lines[n++] = strdup(line);
    return n;
}

/* Draw text wrapped to width from (x, y); returns the y after the last line.
 * Paragraphs met before on this document (same text, same width) reuse their
 * line breaks. */
static double wrap(cairo_t *cr, const char *text, double x, double y, double width, double lead)
{
    wrapped *w = NULL, tmp = { text, width, 0, { NULL } };

    for (int i = 0; i < current->ncache && w == NULL; i++)
        if (current->cache[i].text == text && current->cache[i].width == width)
            w = &current->cache[i];
    if (w == NULL) {
        tmp.n = break_lines(cr, text, width, tmp.lines, WRAP_LINES);
        if (current->ncache < WRAP_CACHE) {
            current->cache[current->ncache] = tmp;
            w = &current->cache[current->ncache++];
        } else {
            w = &tmp;
        }
    }
    for (int l = 0; l < w->n; l++) {
        if (w->lines[l] != NULL) {
            cairo_move_to(cr, x, y);
            cairo_show_text(cr, w->lines[l]);
        }
        y += lead;
    }
    if (w == &tmp)
        for (int l = 0; l < tmp.n; l++)
            free(tmp.lines[l]);
    return y;
}

char *notice_qr_text(const char *portal_url, const char *identifier)
{
    size_t n = strlen(portal_url) + 3 * strlen(identifier) + 8;
    char *out = malloc(n), *o;

    if (out == NULL)
        return NULL;
    o = out + sprintf(out, "%s/?id=", portal_url);
    for (const char *c = identifier; *c; c++) {     /* percent-encode what a URL needs */
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c))
            *o++ = *c;
        else
            o += sprintf(o, "%%%02X", (unsigned char)*c);
    }
    *o = '\0';
    return out;
}

/* 64 hex digits in 16 groups of 4. */
static void hex_groups(char out[80], const char *hex)
{
    size_t n = 0;

    for (size_t i = 0; i < 64; i++) {
        if (i > 0 && i % 4 == 0)
            out[n++] = ' ';
        out[n++] = hex[i];
    }
    out[n] = '\0';
}

/* A label and 64 hex digits in 16 groups of 4 (nothing if hex is not that). */
static void hex_block(cairo_t *cr, const char *label, const char *hex, double y)
{
    char groups[80];
    size_t n = 0;

    if (hex == NULL || strlen(hex) != 64)
        return;
    for (size_t i = 0; i < 64; i++) {
        if (i > 0 && i % 4 == 0)
            groups[n++] = ' ';
        groups[n++] = hex[i];
    }
    groups[n] = '\0';
    font(cr, 0, 0, 8);
    cairo_move_to(cr, MARGIN, y);
    cairo_show_text(cr, label);
    font(cr, 1, 0, 8);
    cairo_move_to(cr, MARGIN, y + 4 * MM);
    cairo_show_text(cr, groups);
}

/* The fingerprint: a label, then its short form (docs/protocol.md section 12),
 * which the vote page shows too, in bold, and the 64 hex digits beside it in
 * small print. Nothing if hex is not a fingerprint. */
static void fingerprint_block(cairo_t *cr, const char *label, const char *hex, double y)
{
    char groups[80], text[CODE_FP_CHARS + 1];
    unsigned char fp[32];
    cairo_text_extents_t e;
    size_t n = 0;

    if (hex == NULL || strlen(hex) != 64 ||
        sodium_hex2bin(fp, sizeof fp, hex, 64, NULL, NULL, NULL) != 0)
        return;
    code_fingerprint_text(text, fp);
    for (size_t i = 0; i < 64; i++) {
        if (i > 0 && i % 4 == 0)
            groups[n++] = ' ';
        groups[n++] = hex[i];
    }
    groups[n] = '\0';
    font(cr, 0, 0, 8);
    cairo_move_to(cr, MARGIN, y);
    cairo_show_text(cr, label);
    font(cr, 1, 1, 10.5);
    cairo_move_to(cr, MARGIN, y + 4.5 * MM);
    cairo_show_text(cr, text);
    cairo_text_extents(cr, text, &e);
    font(cr, 1, 0, 6.2);
    cairo_move_to(cr, MARGIN + e.x_advance + 4 * MM, y + 4.5 * MM);
    cairo_show_text(cr, groups);
}

/* Overprinted glyphs that hide the code from light through an envelope, in
 * size (17 pt over the standard notice's code, larger over large print). */
static void confusion(cairo_t *cr, double x, double y, double w, double h, double size)
{
    double step = size * 9 / 17;

    static const char glyphs[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ#%&@";

    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    font(cr, 1, 1, size);
    for (double yy = y + step * 4 / 3; yy < y + h + step * 4 / 3; yy += step)
        for (double xx = x - step * 4 / 9; xx < x + w; xx += step) {
            char g[2] = { glyphs[(size_t)(xx * 7 + yy * 13) % (sizeof glyphs - 1)], '\0' };

            cairo_move_to(cr, xx, yy);
            cairo_show_text(cr, g);
        }
    cairo_restore(cr);
}

static double header(cairo_t *cr, const notice_style *s, const texts *t)
{
    double y = MARGIN + 4 * MM;

    cairo_set_source_rgb(cr, 0.12, 0.12, 0.12);
    font(cr, 0, 0, 9);
    cairo_move_to(cr, MARGIN, y);
    cairo_show_text(cr, s->organiser);
    font(cr, 0, 1, 15);
    y = wrap(cr, s->election, MARGIN, y + 8 * MM, s->postal ? 80 * MM : PAGE_W - 2 * MARGIN,
             6.5 * MM);
    font(cr, 0, 1, 20);
    cairo_move_to(cr, MARGIN, y + 6 * MM);
    cairo_show_text(cr, t->title);
    return y + 12 * MM;
}

/* The address in a DL envelope's window, in size points (for the post). */
static void postal_block(cairo_t *cr, const notice_voter *v, double size)
{
    char name[400];
    double y = 52 * MM;
    const char *p = v->postal_address;

    font(cr, 0, 0, size);
    snprintf(name, sizeof name, "%s %s", v->given_names, v->surname);
    cairo_move_to(cr, 112 * MM, y);
    cairo_show_text(cr, name);
    while (p != NULL && *p) {
        size_t n = strcspn(p, "\r\n");
        char line[256];

        snprintf(line, sizeof line, "%.*s", (int)n, p);
        y += size * 0.46 * MM;
        cairo_move_to(cr, 112 * MM, y);
        cairo_show_text(cr, line);
        p += n;
        p += strspn(p, "\r\n");
    }
}

/* The voter's lines from y: their labels (v NULL) or the voter's values. */
static double voter_block(cairo_t *cr, const notice_voter *v, const texts *t, double y)
{
    char name[400] = "";
    const char *labels[3] = { t->voter, t->number, t->identifier };
    const char *values[3] = { name, v != NULL ? v->number : "", v != NULL ? v->identifier : "" };

    if (v != NULL)
        snprintf(name, sizeof name, "%s %s", v->given_names, v->surname);
    for (int i = 0; i < 3; i++) {
        if (v == NULL) {
            font(cr, 0, 0, 9);
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            cairo_move_to(cr, MARGIN, y);
            cairo_show_text(cr, labels[i]);
        } else {
            font(cr, 0, 1, 12);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_move_to(cr, MARGIN + 45 * MM, y);
            cairo_show_text(cr, values[i]);
        }
        y += 7 * MM;
    }
    return y + 4 * MM;
}

#define QR_SIZE (44 * MM)
#define QR_X (PAGE_W - MARGIN - QR_SIZE)
#define CODE_BOX_W (PAGE_W - 2 * MARGIN - 48 * MM)
#define CODE_BOX_H (34 * MM)

/* The code's box from y, without the code (code_show draws it) nor the
 * cover pattern. */
static double code_block(cairo_t *cr, const texts *t, double y)
{
    cairo_set_source_rgb(cr, 0.94, 0.95, 0.98);
    cairo_rectangle(cr, MARGIN, y, CODE_BOX_W, CODE_BOX_H);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.0, 0.2, 0.55);
    cairo_set_line_width(cr, 1.2);
    cairo_rectangle(cr, MARGIN, y, CODE_BOX_W, CODE_BOX_H);
    cairo_stroke(cr);
    font(cr, 0, 1, 11);
    cairo_move_to(cr, MARGIN + 5 * MM, y + 8 * MM);
    cairo_show_text(cr, t->code_label);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    font(cr, 0, 0, 8.5);
    cairo_move_to(cr, MARGIN + 5 * MM, y + 29 * MM);
    cairo_show_text(cr, t->code_note);
    return y + CODE_BOX_H;
}

static void code_show(cairo_t *cr, const char *code, double y)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    font(cr, 1, 1, 15);
    cairo_move_to(cr, MARGIN + 5 * MM, y + 19 * MM);
    cairo_show_text(cr, code);
}

static void code_cover(cairo_t *cr, double y)
{
    confusion(cr, MARGIN + 4 * MM, y + 12 * MM, CODE_BOX_W - 8 * MM, 10 * MM, 17);
}

/* Large print and the tagged notice: text that flows down the page, onto the
 * next when it runs out, each piece in its structure element. */
#define LARGE_BODY 18.0
#define LARGE_H2 22.0
#define LARGE_H1 28.0
#define LARGE_CODE 30.0

typedef struct {
    cairo_t *cr;
    double y;
    int tagged;
} flow;

static void flow_room(flow *f, double need)
{
    if (f->y + need > PAGE_H - MARGIN) {
        cairo_show_page(f->cr);
        f->y = MARGIN;
    }
}

/* text in the current font, wrapped to the text width, from the flow's y.
 * Each line but the last ends with the space it was broken at, so that the
 * text a screen reader gets keeps its words apart. */
static void flow_lines(flow *f, const char *text, double size, double indent)
{
    char *lines[WRAP_LINES * 4], spaced[1100];
    int n = break_lines(f->cr, text, PAGE_W - 2 * MARGIN - indent, lines,
                        (int)(sizeof lines / sizeof lines[0]));

    for (int l = 0; l < n; l++) {
        flow_room(f, size * 1.45);
        f->y += size * 1.2;
        cairo_move_to(f->cr, MARGIN + indent, f->y);
        snprintf(spaced, sizeof spaced, "%s%s", lines[l], l + 1 < n ? " " : "");
        cairo_show_text(f->cr, spaced);
        f->y += size * 0.25;
        free(lines[l]);
    }
}

/* A structure element (tag: H1, H2, P, Lbl, LBody...) holding text. */
static void flow_text(flow *f, const char *tag, const char *text, int mono, int bold,
                      double size, double indent)
{
    font(f->cr, mono, bold, size);
    if (strcmp(tag, "H1") == 0 || strcmp(tag, "H2") == 0)
        flow_room(f, size * 1.45 + LARGE_BODY * 3);      /* a heading never ends a page */
    if (f->tagged)
        cairo_tag_begin(f->cr, tag, "");
    flow_lines(f, text, size, indent);
    if (f->tagged)
        cairo_tag_end(f->cr, tag);
}

static void flow_heading(flow *f, const char *text)
{
    f->y += LARGE_BODY * 0.6;
    flow_text(f, "H2", text, 0, 1, LARGE_H2, 0);
}

/* A string for a cairo tag attribute (single quotes): NULL if it holds a
 * quote or a backslash, which would need escaping. */
static const char *attr_safe(const char *s)
{
    return s != NULL && strpbrk(s, "'\\") == NULL ? s : NULL;
}

/* The code in monospaced groups, four to a line, in a heavy black frame; and,
 * for a screen reader, symbol by symbol. */
static void flow_code(flow *f, const notice_style *s, const texts *t, const char *code,
                      int spell)
{
    char line[64], spelt[4 * CODE_DISPLAY_CHARS + 8];
    size_t len = strlen(code), o = 0;
    double top, lines = (double)((len + 1) / 20 + 1);

    flow_heading(f, t->code_label);
    flow_room(f, lines * LARGE_CODE * 1.5 + 8 * MM);
    top = f->y + 2 * MM;
    f->y += 4 * MM;
    if (f->tagged)
        cairo_tag_begin(f->cr, "P", "");
    font(f->cr, 1, 1, LARGE_CODE);
    for (size_t at = 0; at < len; at += 20) {         /* 4 groups of 4 and their dashes */
        size_t n = len - at < 19 ? len - at : 19;

        snprintf(line, sizeof line, "%.*s%s", (int)n, code + at, at + 20 < len ? " " : "");
        for (char *c = line; *c; c++)
            if (*c == '-')
                *c = ' ';
        f->y += LARGE_CODE * 1.2;
        cairo_move_to(f->cr, MARGIN + 6 * MM, f->y);
        cairo_show_text(f->cr, line);
        f->y += LARGE_CODE * 0.3;
    }
    if (f->tagged)
        cairo_tag_end(f->cr, "P");
    f->y += 3 * MM;
    cairo_set_line_width(f->cr, 3);
    cairo_rectangle(f->cr, MARGIN, top, PAGE_W - 2 * MARGIN, f->y - top);
    cairo_stroke(f->cr);
    if (s->cover && !spell)
        confusion(f->cr, MARGIN + 2 * MM, top + 2 * MM, PAGE_W - 2 * MARGIN - 4 * MM,
                  f->y - top - 4 * MM, LARGE_CODE);
    f->y += 2 * MM;
    if (spell) {
        o = (size_t)snprintf(spelt, sizeof spelt, "%s", t->code_spelt);
        for (const char *c = code; *c && o + 4 < sizeof spelt; c++) {
            if (*c == '-')
                o += (size_t)snprintf(spelt + o, sizeof spelt - o, ",");
            else
                o += (size_t)snprintf(spelt + o, sizeof spelt - o, " %c", *c);
        }
        flow_text(f, "P", spelt, 0, 0, LARGE_BODY, 0);
    }
    flow_text(f, "P", t->code_note, 0, 1, LARGE_BODY, 0);
}

static int notice_page_large(notice_doc *d, const notice_style *s, const notice_voter *v,
                             const char *code)
{
    const texts *t = texts_of(s->lang);
    int accessible = d->format == NOTICE_ACCESSIBLE;
    flow f = { d->cr, MARGIN, 1 };
    char line[700], *qr = NULL;
    const char *url = attr_safe(s->portal_url), *colon = t == &en ? ": " : " : ";

    current = d;
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    cairo_tag_begin(d->cr, "Sect", "");
    flow_text(&f, "H1", t->title, 0, 1, LARGE_H1, 0);
    if (s->postal && !accessible) {   /* the window's address is for the post: 12 pt */
        postal_block(d->cr, v, 12);
        f.y = f.y < 95 * MM ? 95 * MM : f.y;
    }
    flow_text(&f, "P", s->election, 0, 1, LARGE_BODY, 0);
    flow_text(&f, "P", s->organiser, 0, 0, LARGE_BODY, 0);
    flow_heading(&f, t->voter);
    snprintf(line, sizeof line, "%s %s", v->given_names, v->surname);
    flow_text(&f, "P", line, 0, 1, LARGE_BODY, 0);
    snprintf(line, sizeof line, "%s%s%s", t->number, colon, v->number);
    flow_text(&f, "P", line, 0, 0, LARGE_BODY, 0);
    snprintf(line, sizeof line, "%s%s%s", t->identifier, colon, v->identifier);
    flow_text(&f, "P", line, 0, 0, LARGE_BODY, 0);
    flow_code(&f, s, t, code, accessible);
    flow_heading(&f, t->dates_label);
    flow_text(&f, "P", s->dates, 0, 0, LARGE_BODY, 0);
    flow_heading(&f, t->qr_caption);
    if (url != NULL) {
        snprintf(line, sizeof line, "uri='%s'", url);
        font(d->cr, 0, 0, LARGE_BODY);
        cairo_tag_begin(d->cr, "P", "");
        cairo_tag_begin(d->cr, CAIRO_TAG_LINK, line);
        flow_lines(&f, s->portal_url, LARGE_BODY, 0);
        cairo_tag_end(d->cr, CAIRO_TAG_LINK);
        cairo_tag_end(d->cr, "P");
    } else {
        flow_text(&f, "P", s->portal_url, 0, 0, LARGE_BODY, 0);
    }
    if (!accessible) {           /* the QR code is for the paper; no figure to describe */
        if ((qr = notice_qr_text(s->portal_url, v->identifier)) == NULL)
            return -1;
        flow_room(&f, 52 * MM);
        if (qr_draw(d->cr, qr, MARGIN, f.y + 2 * MM, 48 * MM) != 0) {
            free(qr);
            return -1;
        }
        free(qr);
        f.y += 52 * MM;
    }
    flow_heading(&f, t->steps_title);
    cairo_tag_begin(d->cr, "L", "");
    for (int i = 0; i < 4; i++) {
        double y0;

        cairo_tag_begin(d->cr, "LI", "");
        snprintf(line, sizeof line, "%d.", i + 1);
        flow_room(&f, LARGE_BODY * 1.45);
        y0 = f.y;
        flow_text(&f, "Lbl", line, 0, 1, LARGE_BODY, 0);
        f.y = y0;
        flow_text(&f, "LBody", t->steps[i], 0, 0, LARGE_BODY, 9 * MM);
        cairo_tag_end(d->cr, "LI");
    }
    cairo_tag_end(d->cr, "L");
    flow_heading(&f, t->support);
    snprintf(line, sizeof line, "%s%s%s", s->support_email,
             s->support_phone && s->support_phone[0] ? " — " : "",
             s->support_phone ? s->support_phone : "");
    flow_text(&f, "P", line, 0, 0, LARGE_BODY, 0);
    if (s->fingerprint != NULL && strlen(s->fingerprint) == 64) {
        char text[CODE_FP_CHARS + 1], groups[80];
        unsigned char fp[32];

        if (sodium_hex2bin(fp, sizeof fp, s->fingerprint, 64, NULL, NULL, NULL) == 0) {
            code_fingerprint_text(text, fp);
            flow_heading(&f, t->fingerprint);
            flow_text(&f, "P", text, 1, 1, LARGE_BODY + 4, 0);
            hex_groups(groups, s->fingerprint);
            flow_text(&f, "P", groups, 1, 0, LARGE_BODY, 0);
        }
    }
    if (s->public_key != NULL && strlen(s->public_key) == 64) {
        char groups[80];

        flow_heading(&f, t->key);
        hex_groups(groups, s->public_key);
        flow_text(&f, "P", groups, 1, 0, LARGE_BODY, 0);
    }
    f.y += LARGE_BODY * 0.6;
    flow_text(&f, "P", t->keep, 0, 1, LARGE_BODY, 0);
    cairo_tag_end(d->cr, "Sect");
    cairo_show_page(d->cr);
    return cairo_status(d->cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

/* What the standard notice's fixed parts depend on: the style, as one string. */
static char *style_key(const notice_style *s)
{
    const char *f[9] = { s->election, s->organiser, s->dates, s->portal_url, s->support_email,
                         s->support_phone, s->lang, s->fingerprint, s->public_key };
    size_t n = 8;
    char *key, *o;

    for (int i = 0; i < 9; i++)
        n += (f[i] != NULL ? strlen(f[i]) : 0) + 2;
    if ((key = malloc(n)) == NULL)
        return NULL;
    o = key + sprintf(key, "%d%d", s->postal != 0, s->cover != 0);
    for (int i = 0; i < 9; i++)
        o += sprintf(o, "%c%s", f[i] != NULL ? '\x1f' : '\x1e', f[i] != NULL ? f[i] : "");
    return key;
}

/* A drawing on a layer, with the PDF's font options: a recording surface
 * would otherwise lay text out with hinted metrics, its glyphs spaced
 * differently from the same text drawn on the page. */
static cairo_t *layer_context(notice_doc *d, cairo_surface_t *layer)
{
    cairo_font_options_t *o = cairo_font_options_create();
    cairo_t *cr = cairo_create(layer);

    cairo_surface_get_font_options(d->surface, o);
    cairo_set_font_options(cr, o);
    cairo_font_options_destroy(o);
    return cr;
}

/* Everything on a standard notice but the voter's name, number, identifier
 * and postal address, her code and her QR code, drawn once for the document
 * into recording surfaces that every page paints: cairo's PDF surface writes
 * each as one form XObject that all the pages share, so a page's own content
 * is only what differs. Redrawn if the style changes. 0, or -1. */
static int static_layers(notice_doc *d, const notice_style *s, const texts *t)
{
    cairo_rectangle_t page = { 0, 0, PAGE_W, PAGE_H };
    char *key = style_key(s), contact[400];
    cairo_t *cr;
    double y;
    int rc;

    if (key == NULL)
        return -1;
    if (d->key != NULL && strcmp(d->key, key) == 0) {
        free(key);
        return 0;
    }
    free(d->key);
    d->key = key;
    if (d->under != NULL)
        cairo_surface_destroy(d->under);
    if (d->over != NULL)
        cairo_surface_destroy(d->over);
    d->over = NULL;
    d->under = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &page);
    cr = layer_context(d, d->under);
    y = header(cr, s, t);
    if (s->postal)
        y = y < 95 * MM ? 95 * MM : y;
    d->voter_y = y;
    y = voter_block(cr, NULL, t, y);
    d->code_y = y;
    y = code_block(cr, t, y);
    cairo_set_source_rgb(cr, 1, 1, 1);            /* the QR code's square, under its caption */
    cairo_rectangle(cr, QR_X, d->code_y - 5 * MM, QR_SIZE, QR_SIZE);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    font(cr, 0, 0, 8);
    cairo_move_to(cr, PAGE_W - MARGIN - 40 * MM, d->code_y + 41 * MM);
    cairo_show_text(cr, t->qr_caption);
    y += 14 * MM;
    font(cr, 0, 1, 11);
    cairo_move_to(cr, MARGIN, y);
    cairo_show_text(cr, t->dates_label);
    font(cr, 0, 0, 11);
    y = wrap(cr, s->dates, MARGIN + 40 * MM, y, PAGE_W - 2 * MARGIN - 40 * MM, 5 * MM) + 4 * MM;
    font(cr, 0, 0, 10);
    cairo_move_to(cr, MARGIN, y);
    cairo_show_text(cr, s->portal_url);
    y += 10 * MM;
    font(cr, 0, 1, 12);
    cairo_move_to(cr, MARGIN, y);
    cairo_show_text(cr, t->steps_title);
    y += 7 * MM;
    for (int i = 0; i < 4; i++) {
        char num[16];

        font(cr, 0, 1, 10);
        snprintf(num, sizeof num, "%d.", i + 1);
        cairo_move_to(cr, MARGIN, y);
        cairo_show_text(cr, num);
        font(cr, 0, 0, 10);
        y = wrap(cr, t->steps[i], MARGIN + 7 * MM, y, PAGE_W - 2 * MARGIN - 7 * MM, 4.8 * MM) +
            2 * MM;
    }
    snprintf(contact, sizeof contact, "%s : %s%s%s", t->support, s->support_email,
             s->support_phone && s->support_phone[0] ? " — " : "",
             s->support_phone ? s->support_phone : "");
    fingerprint_block(cr, t->fingerprint, s->fingerprint, PAGE_H - MARGIN - 32.5 * MM);
    hex_block(cr, t->key, s->public_key, PAGE_H - MARGIN - 22 * MM);
    font(cr, 0, 1, 10);
    cairo_move_to(cr, MARGIN, PAGE_H - MARGIN - 10 * MM);
    cairo_show_text(cr, contact);
    font(cr, 0, 0, 8.5);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    wrap(cr, t->keep, MARGIN, PAGE_H - MARGIN - 4 * MM, PAGE_W - 2 * MARGIN, 4 * MM);
    rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_destroy(cr);
    if (rc == 0 && s->cover) {
        d->over = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &page);
        cr = layer_context(d, d->over);
        code_cover(cr, d->code_y);
        rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
        cairo_destroy(cr);
    }
    if (rc != 0) {              /* drawn again on the next page */
        free(d->key);
        d->key = NULL;
    }
    return rc;
}

int notice_page(notice_doc *d, const notice_style *s, const notice_voter *v, const char *code)
{
    cairo_t *cr = d->cr;

    if (d->format != NOTICE_STANDARD)
        return notice_page_large(d, s, v, code);
    const texts *t = texts_of(s->lang);
    char *qr = notice_qr_text(s->portal_url, v->identifier);
    int rc;

    if (qr == NULL)
        return -1;
    current = d;
    if (static_layers(d, s, t) != 0) {
        free(qr);
        return -1;
    }
    cairo_set_source_surface(cr, d->under, 0, 0);
    cairo_paint(cr);
    if (s->postal) {
        cairo_set_source_rgb(cr, 0.12, 0.12, 0.12);
        postal_block(cr, v, 10);
    }
    voter_block(cr, v, t, d->voter_y);
    code_show(cr, code, d->code_y);
    if (d->over != NULL) {
        cairo_set_source_surface(cr, d->over, 0, 0);
        cairo_paint(cr);
    }
    rc = qr_draw_modules(cr, qr, QR_X, d->code_y - 5 * MM, QR_SIZE);
    free(qr);
    if (rc != 0)
        return -1;
    cairo_show_page(cr);
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
}
