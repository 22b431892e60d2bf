/* voters_csv.c - parse and validate an electoral-list CSV with libcsv. */
#include "voters.h"

#include <csv.h>
#include <ctype.h>
#include <pthread.h>
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
#define ATTR_CACHE 1024

typedef struct {
    char *data;                  /* into the row's buffer, once the row is complete */
    size_t off, len;
} field;

typedef struct {
    voter_list *list;            /* the errors (and the rows, unless streamed) */
    voter_list *rows;            /* where valid rows go */
    voters_stream *st;           /* streamed: full chunks are handed over */
    size_t nrows;                /* valid rows so far */
    char *rowbuf;                /* the current row's fields, each NUL-terminated */
    size_t rowlen, rowcap;
    int line_start, stop;
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
    /* Rows with the same attributes have the same attributes text and
     * scrutins: worked out once (jansson) for the first ATTR_CACHE sets. */
    strmap *attr_keys;           /* the values, each followed by 0x1f -> entry */
    struct {
        char *text;
        uint32_t scrutins;       /* bit s: eligible for def->scrutins[s] */
    } attr[ATTR_CACHE];
    size_t nattr;
    char *keybuf;
    size_t keycap;
    int oom;
} parser;

static void stream_failed(voters_stream *st);

static void add_error(parser *p, size_t line, const char *fmt, ...)
{
    voter_list *l = p->list;
    char msg[400], *full;
    va_list ap;

    if (l->nerrors == 0 && p->st != NULL)
        stream_failed(p->st);
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
    if (p->rowlen + len + 1 > p->rowcap) {
        size_t cap = p->rowcap ? p->rowcap : 4096;
        char *b;

        while (p->rowlen + len + 1 > cap)
            cap *= 2;
        if ((b = realloc(p->rowbuf, cap)) == NULL) {
            p->oom = 1;
            return;
        }
        p->rowbuf = b;
        p->rowcap = cap;
    }
    memcpy(p->rowbuf + p->rowlen, d, len);
    p->rowbuf[p->rowlen + len] = '\0';
    p->fields[p->nfields].data = NULL;
    p->fields[p->nfields].off = p->rowlen;
    p->fields[p->nfields++].len = len;
    p->rowlen += len + 1;
}

/* Strict UTF-8 (no overlong form, surrogate or code point past U+10FFFF), as
 * jansson takes it. */
static int utf8_ok(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Printable UTF-8 of 1..max bytes (0..max if empty_ok); newlines if multiline. */
static int text_ok(const field *f, size_t max, int empty_ok, int multiline)
{
    if ((f->len == 0 && !empty_ok) || f->len > max || strlen(f->data) != f->len)
        return 0;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->data[i];

        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r'))) || c == 0x7f)
            return 0;
    }
    return utf8_ok((const unsigned char *)f->data, f->len);
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
        /* a byte order mark before the first name (spreadsheets' "CSV UTF-8") */
        const char *from = p->fields[i].data + (i == 0 && p->fields[0].len >= 3 &&
                                                memcmp(p->fields[0].data, "\xef\xbb\xbf", 3) == 0
                                                    ? 3 : 0);
        char *name = strdup(from);
        int dup = 0;

        if (name == NULL) {
            p->oom = 1;
            p->ncols = i;
            p->header_done = 1;
            return;
        }
        p->header_store[i] = name;
        p->colname[i] = name;
        if (memchr(p->fields[i].data, '\0', p->fields[i].len) != NULL)
            add_error(p, p->line, "the name of column %zu holds a NUL character", i + 1);
        for (const char *c = name; *c; c++) {
            uint32_t cp;

            if ((unsigned char)*c >= 0xc2 && voters_invisible_at(c, &cp) > 0) {
                add_error(p, p->line, "the name of column %zu holds the invisible or direction "
                          "control character U+%04X", i + 1, (unsigned)cp);
                break;
            }
        }
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
    uint32_t first;

    switch (strmap_put(seen, key, (uint32_t)p->line, &first)) {
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

    for (size_t i = 0; i < p->nfields && i < p->ncols; i++) {
        /* the checks below read a field up to its first NUL: the rest, an
         * address or a notice format's tail, would go unseen */
        if (memchr(f[i].data, '\0', f[i].len) != NULL) {
            add_error(p, p->line, "%s holds a NUL character", p->colname[i]);
            ok = 0;
            continue;
        }
        for (size_t b = 0; b < f[i].len; b++) {
            uint32_t cp;

            if ((unsigned char)f[i].data[b] >= 0xc2 &&     /* ASCII is never one */
                voters_invisible_at(f[i].data + b, &cp) > 0) {
                add_error(p, p->line, "%s holds the invisible or direction control character "
                          "U+%04X", p->colname[i], (unsigned)cp);
                ok = 0;
                break;
            }
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

static int stream_push(voters_stream *st, voter_list *rows);

/* The row's attributes as stored (JSON, sorted keys) and the scrutins whose
 * eligibility rules they meet; *text is owned by the cache when *cached.
 * The key (the values in column order) is built as the attributes are
 * checked; a row with a bad attribute is worked out but not cached. */
static int row_attributes(parser *p, char **text, uint32_t *scrutins, int *cached)
{
    json_t *attrs;
    size_t klen = 0;
    uint32_t hit;
    int ok = 1;

    if (p->keycap < p->rowlen + MAX_COLS + 1) {
        char *k = realloc(p->keybuf, p->rowlen + MAX_COLS + 1);

        if (k == NULL)
            return -1;
        p->keybuf = k;
        p->keycap = p->rowlen + MAX_COLS + 1;
    }
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
        } else {
            memcpy(p->keybuf + klen, p->fields[i].data, p->fields[i].len);
            klen += p->fields[i].len;
            p->keybuf[klen++] = '\x1f';        /* no text holds a control character */
        }
    }
    p->keybuf[klen] = '\0';
    *cached = ok && klen <= STRMAP_KEY_MAX;
    if (*cached && strmap_get(p->attr_keys, p->keybuf, &hit) == 0) {
        *text = p->attr[hit].text;
        *scrutins = p->attr[hit].scrutins;
        return ok;
    }
    if ((attrs = json_object()) == NULL)
        return -1;
    for (size_t i = 0; i < p->ncols; i++) {
        int req = p->col_format == (int)i;

        for (int c = 0; c < COL_REQUIRED; c++)
            req |= p->col[c] == (int)i;
        if (!req && p->fields[i].len > 0 && text_ok(&p->fields[i], 200, 1, 0))
            json_object_set_new(attrs, p->colname[i], json_string(p->fields[i].data));
    }
    *scrutins = 0;
    for (size_t s = 0; s < p->def->nscrutins; s++)
        if (def_eligible(&p->def->scrutins[s], attrs))
            *scrutins |= (uint32_t)1 << s;
    *text = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(attrs);
    if (*text == NULL)
        return -1;
    if (*cached && p->nattr < ATTR_CACHE &&
        strmap_put(p->attr_keys, p->keybuf, (uint32_t)p->nattr, NULL) == 0) {
        p->attr[p->nattr].text = *text;
        p->attr[p->nattr++].scrutins = *scrutins;
    } else {
        *cached = 0;
    }
    return ok;
}

static void parse_row(parser *p)
{
    voter_row r;
    char *emails[VOTERS_MAX_EMAILS], *attrtext = NULL;
    size_t nemails = 0;
    uint32_t eligible = 0;
    int ok = row_fields_ok(p), format = notice_format_of(p), cached = 0, attrs_ok;

    memset(&r, 0, sizeof r);
    if (format < 0)
        ok = 0;
    else
        r.notice_format = (voters_notice_format)format;
    attrs_ok = row_attributes(p, &attrtext, &eligible, &cached);
    if (attrs_ok < 0) {
        p->oom = 1;
        return;
    }
    ok &= attrs_ok;
    if (ok)
        ok = first_seen(p, p->numbers, p->fields[p->col[COL_NUMBER]].data,
                        "number %s already used on line %llu");
    ok &= split_emails(p, p->fields[p->col[COL_EMAILS]].data, emails, &nemails);
    for (size_t s = 0; s < p->def->nscrutins; s++)
        if (eligible & (uint32_t)1 << s)
            r.scrutins[r.v.nscrutins++] = p->def->scrutins[s].id;
    if (ok && r.v.nscrutins == 0) {
        add_error(p, p->line, "voter matches the eligibility rule of no scrutin");
        ok = 0;
    }
    if (ok && p->list->nerrors == 0) {
        snprintf(r.v.number, sizeof r.v.number, "%s", p->fields[p->col[COL_NUMBER]].data);
        if (row_store(p, &r, attrtext, emails, nemails) != 0) {
            p->oom = 1;
        } else {
            voter_list *l = p->rows;

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
            p->nrows++;
            if (p->st != NULL && l->n >= VOTERS_CHUNK && stream_push(p->st, l) != 0)
                p->stop = 1;
        }
    }
out:
    if (!cached)
        free(attrtext);
}

static void on_row(int term, void *arg)
{
    parser *p = arg;

    (void)term;
    for (size_t i = 0; i < p->nfields; i++)
        p->fields[i].data = p->rowbuf + p->fields[i].off;
    if (p->oom)
        ;
    else if (p->too_many)
        add_error(p, p->line, "more than %d columns", MAX_COLS);
    else if (!p->header_done)
        parse_header(p);
    else if (p->nfields == 1 && p->fields[0].len == 0)
        ; /* a blank line */
    else if (p->nfields != p->ncols)
        add_error(p, p->line, "%zu fields, the header has %zu", p->nfields, p->ncols);
    else if (p->header_ok)
        parse_row(p);
    p->nfields = 0;
    p->rowlen = 0;
    p->too_many = 0;
}

/* Feed the parser one physical line at a time, so that errors name the line a
 * row starts on even when quoted fields span lines or blank lines are skipped. */
static int feed(struct csv_parser *csv, parser *p, const char *data, size_t len)
{
    size_t pos = 0;

    while (pos < len && !p->stop) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;

        if (p->line_start)
            p->phys++;
        p->line_start = nl != NULL;     /* a block may end within a line */
        if (csv_parse(csv, data + pos, n, on_field, on_row, p) != n)
            return -1;
        pos += n;
    }
    return 0;
}

/* A parser whose errors go to list and rows to rows. -1: no memory (then
 * parser_end still frees it). */
static int parser_start(parser *p, struct csv_parser *csv, voter_list *list, voter_list *rows,
                        const char *name, const def_election *d)
{
    memset(p, 0, sizeof *p);
    p->list = list;
    p->rows = rows;
    p->def = d;
    p->name = name;
    p->line = 1;
    p->line_start = 1;
    p->numbers = strmap_new();
    p->emails = strmap_new();
    p->attr_keys = strmap_new();
    if (p->numbers == NULL || p->emails == NULL || p->attr_keys == NULL ||
        csv_init(csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        add_error(p, 0, "out of memory");
        return -1;
    }
    return 0;
}

/* The end of the input: the errors that only the whole file shows. */
static void parser_finish(parser *p, struct csv_parser *csv, int feed_rc)
{
    if (p->stop)
        return;
    if (feed_rc != 0 || csv_fini(csv, on_field, on_row, p) != 0)
        add_error(p, p->line, "malformed CSV (%s)", csv_strerror(csv_error(csv)));
    if (!p->header_done)
        add_error(p, 1, "empty file: a header row is required");
    else if (p->nrows == 0 && p->list->nerrors == 0)
        add_error(p, p->line, "no voter in the file");
    if (p->oom)
        add_error(p, p->line, "out of memory");
}

static void parser_end(parser *p, struct csv_parser *csv)
{
    csv_free(csv);
    free(p->rowbuf);
    for (size_t i = 0; i < p->ncols; i++)
        free(p->header_store[i]);
    strmap_free(p->numbers);
    strmap_free(p->emails);
    strmap_free(p->attr_keys);
    for (size_t i = 0; i < p->nattr; i++)
        free(p->attr[i].text);
    free(p->keybuf);
}

int voters_parse_buffer(voter_list *list, const char *name, const char *data, size_t len,
                        const def_election *d)
{
    struct csv_parser csv;
    parser p;

    memset(list, 0, sizeof *list);
    memset(&csv, 0, sizeof csv);
    if (parser_start(&p, &csv, list, list, name, d) == 0)
        parser_finish(&p, &csv, feed(&csv, &p, data, len));
    parser_end(&p, &csv);
    return list->nerrors == 0 ? 0 : -1;
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

/* ---- the streamed parse ---- */

#define STREAM_QUEUE 2            /* full chunks waiting for the reader */
#define STREAM_BLOCK (1 << 20)    /* bytes read from the file at a time */

struct voters_stream {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    voter_list ready[STREAM_QUEUE];
    size_t head, count;
    voter_list taken;             /* the chunk the reader holds */
    int done, failed, cancel;
    int discard;                  /* the reader wants the errors only: rows are dropped */
    voter_list errors;
    const def_election *def;
    char *path;
};

static void stream_failed(voters_stream *st)
{
    pthread_mutex_lock(&st->mu);
    st->failed = 1;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* Hand rows over (rows is then empty): 0, or -1 if the reader has gone. */
static int stream_push(voters_stream *st, voter_list *rows)
{
    int rc = 0;

    pthread_mutex_lock(&st->mu);
    while (st->count == STREAM_QUEUE && !st->cancel && !st->discard)
        pthread_cond_wait(&st->cv, &st->mu);
    if (st->cancel) {
        rc = -1;
    } else if (st->discard) {
        voter_list_free(rows);
    } else {
        st->ready[(st->head + st->count++) % STREAM_QUEUE] = *rows;
        memset(rows, 0, sizeof *rows);
        pthread_cond_broadcast(&st->cv);
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static int stream_cancelled(voters_stream *st)
{
    int c;

    pthread_mutex_lock(&st->mu);
    c = st->cancel;
    pthread_mutex_unlock(&st->mu);
    return c;
}

static void *stream_main(void *arg)
{
    voters_stream *st = arg;
    struct csv_parser csv;
    voter_list rows = { 0 };
    parser p;
    FILE *f = NULL;
    char *block = malloc(STREAM_BLOCK);
    int rc = 0;

    memset(&csv, 0, sizeof csv);
    if (parser_start(&p, &csv, &st->errors, &rows, st->path, st->def) == 0) {
        p.st = st;
        if (block == NULL) {
            add_error(&p, 0, "out of memory");
        } else if ((f = fopen(st->path, "rb")) == NULL) {
            add_error(&p, 0, "cannot be read");
        } else {
            size_t got;

            while (rc == 0 && !p.stop && (got = fread(block, 1, STREAM_BLOCK, f)) > 0) {
                rc = feed(&csv, &p, block, got);
                if (stream_cancelled(st))
                    p.stop = 1;
            }
            if (rc == 0 && ferror(f))
                add_error(&p, p.line, "cannot be read");
            else
                parser_finish(&p, &csv, rc);
            fclose(f);
        }
        if (!p.stop && st->errors.nerrors == 0 && rows.n > 0)
            stream_push(st, &rows);
    }
    parser_end(&p, &csv);
    voter_list_free(&rows);
    free(block);
    pthread_mutex_lock(&st->mu);
    st->done = 1;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

voters_stream *voters_stream_open(const char *path, const def_election *d)
{
    voters_stream *st = calloc(1, sizeof *st);

    if (st == NULL || (st->path = strdup(path)) == NULL) {
        free(st);
        return NULL;
    }
    st->def = d;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    if (pthread_create(&st->thread, NULL, stream_main, st) != 0) {
        pthread_mutex_destroy(&st->mu);
        pthread_cond_destroy(&st->cv);
        free(st->path);
        free(st);
        return NULL;
    }
    return st;
}

int voters_stream_next(voters_stream *st, const voter_list **chunk)
{
    int rc;

    voter_list_free(&st->taken);
    *chunk = NULL;
    pthread_mutex_lock(&st->mu);
    while (st->count == 0 && !st->done && !st->failed)
        pthread_cond_wait(&st->cv, &st->mu);
    if (st->failed) {
        rc = -1;
    } else if (st->count > 0) {
        st->taken = st->ready[st->head];
        st->head = (st->head + 1) % STREAM_QUEUE;
        st->count--;
        pthread_cond_broadcast(&st->cv);
        *chunk = &st->taken;
        rc = 1;
    } else {
        rc = st->errors.nerrors > 0 ? -1 : 0;   /* done: the errors are final */
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

const voter_list *voters_stream_errors(voters_stream *st)
{
    pthread_mutex_lock(&st->mu);
    st->discard = 1;
    pthread_cond_broadcast(&st->cv);
    while (!st->done)
        pthread_cond_wait(&st->cv, &st->mu);
    pthread_mutex_unlock(&st->mu);
    return &st->errors;
}

void voters_stream_close(voters_stream *st)
{
    if (st == NULL)
        return;
    pthread_mutex_lock(&st->mu);
    st->cancel = 1;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    pthread_join(st->thread, NULL);
    for (size_t i = 0; i < st->count; i++)
        voter_list_free(&st->ready[(st->head + i) % STREAM_QUEUE]);
    voter_list_free(&st->taken);
    voter_list_free(&st->errors);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->cv);
    free(st->path);
    free(st);
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
