/* voters_csv.c - parse and validate an electoral-list CSV with libcsv. */
#include "voters.h"

#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "crypto/transcript.h"
#include "strmap.h"

enum { COL_NUMBER, COL_SURNAME, COL_GIVEN, COL_EMAILS, COL_ESTAB, COL_POSTAL, COL_REQUIRED };
static const char *const required_cols[COL_REQUIRED] = {
    "number", "surname", "given_names", "emails", "establishment", "postal_address"
};

#define MAX_COLS 64
#define MAX_FIELD 1000

typedef struct {
    char *data;
    size_t len;
} field;

typedef struct {
    voter_list *list;
    const def_election *def;
    const char *name;
    field fields[MAX_COLS];
    size_t nfields;
    int too_many;
    size_t line, phys;           /* first line of the current row; line being fed */
    int header_done, header_ok;
    int col[COL_REQUIRED];
    int col_format;              /* the optional notice_format column, or -1 */
    const char *colname[MAX_COLS];
    char *header_store[MAX_COLS];
    size_t ncols;
    strmap *numbers, *emails;
    int oom;
} parser;

static void add_error(parser *p, size_t line, const char *fmt, ...)
{
    voter_list *l = p->list;
    char msg[400], *full;
    va_list ap;

    if (l->nerrors++ >= VOTERS_ERRORS_KEPT)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    full = malloc(strlen(p->name) + strlen(msg) + 32);
    if (full == NULL) {
        p->oom = 1;
        return;
    }
    sprintf(full, "%s:%zu: %s", p->name, line, msg);
    l->errors[l->nerrors - 1] = full;
}

static void on_field(void *s, size_t len, void *arg)
{
    parser *p = arg;
    const char *d = s;

    if (p->nfields == 0)
        p->line = p->phys;
    if (p->nfields >= MAX_COLS) {
        p->too_many = 1;
        return;
    }
    p->fields[p->nfields].data = malloc(len + 1);
    if (p->fields[p->nfields].data == NULL) {
        p->oom = 1;
        return;
    }
    memcpy(p->fields[p->nfields].data, d, len);
    p->fields[p->nfields].data[len] = '\0';
    p->fields[p->nfields++].len = len;
}

/* Printable UTF-8 of 1..max bytes (0..max if empty_ok); newlines if multiline. */
static int text_ok(const field *f, size_t max, int empty_ok, int multiline)
{
    json_t *probe;

    if ((f->len == 0 && !empty_ok) || f->len > max || strlen(f->data) != f->len)
        return 0;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->data[i];

        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r'))) || c == 0x7f)
            return 0;
    }
    probe = json_stringn(f->data, f->len);       /* NULL on invalid UTF-8 */
    json_decref(probe);
    return probe != NULL;
}

static int number_ok(const field *f)
{
    if (f->len == 0 || f->len > STORE_NUMBER_CHARS)
        return 0;
    for (size_t i = 0; i < f->len; i++) {
        char c = f->data[i];

        if (!(isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* A syntactically plausible address, lower-cased in place. */
static int email_ok(char *a)
{
    char *at = strchr(a, '@'), *dot;
    size_t n = strlen(a);

    if (at == NULL || at == a || n > 254 || (size_t)(at - a) > 64 || strchr(at + 1, '@'))
        return 0;
    for (char *c = a; *c; c++) {
        *c = (char)tolower((unsigned char)*c);
        if (c < at && !(isalnum((unsigned char)*c) || strchr(".!#$%&'*+/=?^_`{|}~-", *c)))
            return 0;
        if (c > at && !(isalnum((unsigned char)*c) || *c == '-' || *c == '.'))
            return 0;
    }
    dot = strrchr(at, '.');
    return dot != NULL && dot > at + 1 && dot[1] != '\0' && strstr(at, "..") == NULL &&
           a[0] != '.' && at[-1] != '.';
}

static void parse_header(parser *p)
{
    for (int r = 0; r < COL_REQUIRED; r++)
        p->col[r] = -1;
    p->col_format = -1;
    p->ncols = p->nfields;
    for (size_t i = 0; i < p->nfields; i++) {
        char *name = p->fields[i].data;
        int dup = 0;

        p->header_store[i] = name;
        p->fields[i].data = NULL;
        p->colname[i] = name;
        for (size_t j = 0; j < i; j++)
            dup |= strcmp(p->colname[j], name) == 0;
        if (dup)
            add_error(p, p->line, "column \"%s\" appears twice", name);
        for (int r = 0; r < COL_REQUIRED; r++)
            if (strcmp(name, required_cols[r]) == 0)
                p->col[r] = (int)i;
        if (strcmp(name, VOTERS_NOTICE_COLUMN) == 0)
            p->col_format = (int)i;
    }
    p->header_ok = p->list->nerrors == 0;
    for (int r = 0; r < COL_REQUIRED; r++)
        if (p->col[r] < 0) {
            add_error(p, p->line, "required column \"%s\" is missing", required_cols[r]);
            p->header_ok = 0;
        }
    for (size_t s = 0; s < p->def->nscrutins; s++) {
        const char *attr;
        json_t *v;

        if (p->def->scrutins[s].eligibility == NULL)
            continue;
        json_object_foreach(p->def->scrutins[s].eligibility, attr, v) {
            int found = 0;

            for (size_t i = 0; i < p->ncols; i++)
                found |= strcmp(p->colname[i], attr) == 0;
            if (!found)
                add_error(p, p->line, "scrutin \"%s\" tests attribute \"%s\", which is not a "
                          "column", p->def->scrutins[s].id, attr);
        }
    }
    p->header_done = 1;
}

static void voter_digest(store_voter *v)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/voter", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, v->number, strlen(v->number));
    transcript_put(&t, v->surname, strlen(v->surname));
    transcript_put(&t, v->given_names, strlen(v->given_names));
    transcript_put(&t, v->establishment, strlen(v->establishment));
    transcript_put(&t, v->postal_address, strlen(v->postal_address));
    transcript_put(&t, v->attributes, strlen(v->attributes));
    for (size_t i = 0; i < v->nemails; i++)
        transcript_put(&t, v->emails[i], strlen(v->emails[i]));
    transcript_digest(&t, v->digest);
}

/* Record key as seen on this row's line: 1 if new, else 0 after reporting the
 * line that had it first (dup_fmt takes the key and that line number). */
static int first_seen(parser *p, strmap *seen, const char *key, const char *dup_fmt)
{
    uint64_t first;

    switch (strmap_put(seen, key, p->line, &first)) {
    case 0:
        return 1;
    case 1:
        add_error(p, p->line, dup_fmt, key, (unsigned long long)first);
        return 0;
    default:
        p->oom = 1;
        return 0;
    }
}

/* Split the emails field, validate and check each for duplicates. */
static int split_emails(parser *p, char *list, char **out, size_t *n)
{
    char *save = NULL;
    int ok = 1;

    *n = 0;
    for (char *a = strtok_r(list, "; \t", &save); a != NULL; a = strtok_r(NULL, "; \t", &save)) {
        if (*n == VOTERS_MAX_EMAILS) {
            add_error(p, p->line, "more than %d e-mail addresses", VOTERS_MAX_EMAILS);
            return 0;
        }
        if (!email_ok(a)) {
            add_error(p, p->line, "\"%s\" is not a valid e-mail address", a);
            ok = 0;
            continue;
        }
        if (!first_seen(p, p->emails, a, "address %s already belongs to the voter of line %llu"))
            ok = 0;
        if (p->oom)
            return 0;
        out[(*n)++] = a;
    }
    if (*n == 0 && ok) {
        add_error(p, p->line, "no e-mail address");
        ok = 0;
    }
    return ok;
}

/* Copy the row's strings into one allocation. */
static int row_store(parser *p, voter_row *r, const char *attrs, char **emails, size_t nemails)
{
    const field *f = p->fields;
    size_t need = strlen(attrs) + 1, off = 0;
    const char *src[5] = { f[p->col[COL_SURNAME]].data, f[p->col[COL_GIVEN]].data,
                           f[p->col[COL_ESTAB]].data, f[p->col[COL_POSTAL]].data, attrs };
    const char **dst[5] = { &r->v.surname, &r->v.given_names, &r->v.establishment,
                            &r->v.postal_address, &r->v.attributes };

    for (int i = 0; i < 4; i++)
        need += strlen(src[i]) + 1;
    for (size_t i = 0; i < nemails; i++)
        need += strlen(emails[i]) + 1;
    r->buf = malloc(need);
    if (r->buf == NULL)
        return -1;
    for (int i = 0; i < 5; i++) {
        strcpy(r->buf + off, src[i]);
        *dst[i] = r->buf + off;
        off += strlen(src[i]) + 1;
    }
    for (size_t i = 0; i < nemails; i++) {
        strcpy(r->buf + off, emails[i]);
        r->emails[i] = r->buf + off;
        off += strlen(emails[i]) + 1;
    }
    r->v.nemails = nemails;
    return 0;
}

static int row_fields_ok(parser *p)
{
    const field *f = p->fields;
    int ok = 1;

    for (size_t i = 0; i < p->nfields && i < p->ncols; i++)
        for (size_t b = 0; b < f[i].len; b++) {
            uint32_t cp;

            if (voters_invisible_at(f[i].data + b, &cp) > 0) {
                add_error(p, p->line, "%s holds the invisible or direction control character "
                          "U+%04X", p->colname[i], (unsigned)cp);
                ok = 0;
                break;
            }
        }

    if (!number_ok(&f[p->col[COL_NUMBER]])) {
        add_error(p, p->line, "number must be 1-%d of A-Z, a-z, 0-9, '.', '-' and '_'",
                  STORE_NUMBER_CHARS);
        ok = 0;
    }
    if (!text_ok(&f[p->col[COL_SURNAME]], 200, 0, 0) ||
        !text_ok(&f[p->col[COL_GIVEN]], 200, 0, 0)) {
        add_error(p, p->line, "surname and given_names must be 1-200 characters of valid UTF-8");
        ok = 0;
    }
    if (!text_ok(&f[p->col[COL_ESTAB]], 200, 0, 0)) {
        add_error(p, p->line, "establishment must be 1-200 characters of valid UTF-8");
        ok = 0;
    }
    if (!text_ok(&f[p->col[COL_POSTAL]], 500, 1, 1)) {
        add_error(p, p->line, "postal_address must be at most 500 characters of valid UTF-8");
        ok = 0;
    }
    return ok;
}

/* The row's notice_format (standard when the column is absent or empty), or
 * -1 after a line error. */
static int notice_format_of(parser *p)
{
    static const char *const names[] = { "standard", "large", "accessible" };
    const field *f;

    if (p->col_format < 0 || p->fields[p->col_format].len == 0)
        return VOTERS_NOTICE_STANDARD;
    f = &p->fields[p->col_format];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(f->data, names[i]) == 0)
            return (int)i;
    add_error(p, p->line, "notice_format must be standard, large or accessible (or empty for "
              "standard)");
    return -1;
}

static void parse_row(parser *p)
{
    voter_row r;
    json_t *attrs = json_object();
    char *emails[VOTERS_MAX_EMAILS], *attrtext = NULL;
    size_t nemails = 0;
    int ok = row_fields_ok(p), format = notice_format_of(p);

    memset(&r, 0, sizeof r);
    if (format < 0)
        ok = 0;
    else
        r.notice_format = (voters_notice_format)format;
    for (size_t i = 0; i < p->ncols; i++) {
        int req = p->col_format == (int)i;

        for (int c = 0; c < COL_REQUIRED; c++)
            req |= p->col[c] == (int)i;
        if (req)
            continue;
        if (!text_ok(&p->fields[i], 200, 1, 0)) {
            add_error(p, p->line, "attribute %s must be at most 200 characters of valid UTF-8",
                      p->colname[i]);
            ok = 0;
        } else if (p->fields[i].len > 0) {
            json_object_set_new(attrs, p->colname[i], json_string(p->fields[i].data));
        }
    }
    if (ok)
        ok = first_seen(p, p->numbers, p->fields[p->col[COL_NUMBER]].data,
                        "number %s already used on line %llu");
    ok &= split_emails(p, p->fields[p->col[COL_EMAILS]].data, emails, &nemails);
    for (size_t s = 0; s < p->def->nscrutins; s++)
        if (def_eligible(&p->def->scrutins[s], attrs))
            r.scrutins[r.v.nscrutins++] = p->def->scrutins[s].id;
    if (ok && r.v.nscrutins == 0) {
        add_error(p, p->line, "voter matches the eligibility rule of no scrutin");
        ok = 0;
    }
    if (ok && p->list->nerrors == 0) {
        attrtext = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(r.v.number, sizeof r.v.number, "%s", p->fields[p->col[COL_NUMBER]].data);
        if (attrtext == NULL || row_store(p, &r, attrtext, emails, nemails) != 0) {
            p->oom = 1;
        } else {
            voter_list *l = p->list;

            store_voter view = voter_row_view(&r);

            voter_digest(&view);
            memcpy(r.v.digest, view.digest, sizeof r.v.digest);
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 1024;
                voter_row *rows = realloc(l->rows, cap * sizeof *rows);

                if (rows == NULL) {
                    free(r.buf);
                    p->oom = 1;
                    goto out;
                }
                l->rows = rows;
                l->cap = cap;
            }
            l->rows[l->n++] = r;
        }
    }
out:
    free(attrtext);
    json_decref(attrs);
}

static void on_row(int term, void *arg)
{
    parser *p = arg;

    (void)term;
    if (p->too_many)
        add_error(p, p->line, "more than %d columns", MAX_COLS);
    else if (!p->header_done)
        parse_header(p);
    else if (p->nfields == 1 && p->fields[0].len == 0)
        ; /* a blank line */
    else if (p->nfields != p->ncols)
        add_error(p, p->line, "%zu fields, the header has %zu", p->nfields, p->ncols);
    else if (p->header_ok)
        parse_row(p);
    for (size_t i = 0; i < p->nfields; i++)
        free(p->fields[i].data);
    p->nfields = 0;
    p->too_many = 0;
}

/* Feed the parser one physical line at a time, so that errors name the line a
 * row starts on even when quoted fields span lines or blank lines are skipped. */
static int feed(struct csv_parser *csv, parser *p, const char *data, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;

        p->phys++;
        if (csv_parse(csv, data + pos, n, on_field, on_row, p) != n)
            return -1;
        pos += n;
    }
    return 0;
}

int voters_parse_buffer(voter_list *list, const char *name, const char *data, size_t len,
                        const def_election *d)
{
    struct csv_parser csv;
    parser p;
    int rc = -1;

    memset(list, 0, sizeof *list);
    memset(&p, 0, sizeof p);
    p.list = list;
    p.def = d;
    p.name = name;
    p.line = 1;
    p.phys = 0;
    p.numbers = strmap_new();
    p.emails = strmap_new();
    if (p.numbers == NULL || p.emails == NULL ||
        csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        add_error(&p, 0, "out of memory");
        goto out;
    }
    if (feed(&csv, &p, data, len) != 0 || csv_fini(&csv, on_field, on_row, &p) != 0)
        add_error(&p, p.line, "malformed CSV (%s)", csv_strerror(csv_error(&csv)));
    csv_free(&csv);
    if (!p.header_done)
        add_error(&p, 1, "empty file: a header row is required");
    else if (list->n == 0 && list->nerrors == 0)
        add_error(&p, p.line, "no voter in the file");
    if (p.oom)
        add_error(&p, p.line, "out of memory");
    rc = list->nerrors == 0 ? 0 : -1;
out:
    for (size_t i = 0; i < p.nfields; i++)
        free(p.fields[i].data);
    for (size_t i = 0; i < p.ncols; i++)
        free(p.header_store[i]);
    strmap_free(p.numbers);
    strmap_free(p.emails);
    return rc;
}

int voters_parse_file(voter_list *list, const char *path, const def_election *d)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    int rc;

    memset(list, 0, sizeof *list);
    if (f == NULL) {
        parser p = { .list = list, .name = path };

        add_error(&p, 0, "cannot be read");
        return -1;
    }
    do {
        if (len + 65536 > cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 20);

            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    rc = voters_parse_buffer(list, path, buf, len, d);
    free(buf);
    return rc;
}

void voters_print_errors(const voter_list *list, FILE *out)
{
    for (size_t i = 0; i < list->nerrors && i < VOTERS_ERRORS_KEPT; i++)
        fprintf(out, "%s\n", list->errors[i]);
    if (list->nerrors > VOTERS_ERRORS_KEPT)
        fprintf(out, "... and %zu more errors\n", list->nerrors - VOTERS_ERRORS_KEPT);
}

void voter_list_free(voter_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->rows[i].buf);
    free(list->rows);
    for (size_t i = 0; i < list->nerrors && i < VOTERS_ERRORS_KEPT; i++)
        free(list->errors[i]);
    memset(list, 0, sizeof *list);
}
