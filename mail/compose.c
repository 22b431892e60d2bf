/* compose.c - templates loaded from disk, and RFC 5322 / MIME messages. */
#include "mail_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[MAIL_KINDS] = { "activation", "password", "code", "receipt" };
static const char *const langs[2] = { "fr", "en" };

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 65536 ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
        fclose(f);
        return NULL;
    }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* KIND.LANG.txt starts with "Subject: ...", a blank line, then the text. */
static int load_one(mail_template *t, const char *dir, const char *kind, const char *lang,
                    char *err, size_t errlen)
{
    char path[MAIL_PATH_CHARS + 64];
    char *txt, *nl;

    snprintf(path, sizeof path, "%s/%s.%s.txt", dir, kind, lang);
    txt = read_file(path);
    if (txt == NULL || strncmp(txt, "Subject: ", 9) != 0 || (nl = strstr(txt, "\n\n")) == NULL) {
        snprintf(err, errlen, "%s: missing, or not \"Subject: ...\", a blank line, the text",
                 path);
        free(txt);
        return -1;
    }
    *nl = '\0';
    t->subject = strdup(txt + 9);
    t->text = strdup(nl + 2);
    free(txt);
    snprintf(path, sizeof path, "%s/%s.%s.html", dir, kind, lang);
    t->html = read_file(path);
    if (t->subject == NULL || t->text == NULL || t->html == NULL) {
        snprintf(err, errlen, "%s: cannot be read", path);
        return -1;
    }
    return 0;
}

void mail_outbox_key_derive(uint8_t out[32], const uint8_t root[32])
{
    static const char label[] = "votesrv/v1/outbox";

    crypto_generichash(out, 32, (const uint8_t *)label, sizeof label - 1, root, 32);
}

mail_ctx *mail_ctx_new(const mail_config *cfg, const uint8_t outbox_key[32], char *err,
                       size_t errlen)
{
    mail_ctx *m = calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
    m->cfg = *cfg;
    for (int k = 0; k < MAIL_KINDS; k++)
        for (int l = 0; l < 2; l++)
            if (load_one(&m->t[k][l], cfg->templates, kind_names[k], langs[l], err,
                         errlen) != 0) {
                mail_ctx_free(m);
                return NULL;
            }
    memcpy(m->outbox_key, outbox_key, sizeof m->outbox_key);
    return m;
}

void mail_ctx_free(mail_ctx *m)
{
    if (m == NULL)
        return;
    for (int k = 0; k < MAIL_KINDS; k++)
        for (int l = 0; l < 2; l++) {
            free(m->t[k][l].subject);
            free(m->t[k][l].text);
            free(m->t[k][l].html);
        }
    sodium_memzero(m, sizeof *m);
    free(m);
}

const char *mail_portal_url(const mail_ctx *m)
{
    return m->cfg.portal_url;
}

/* The base64 digit of x < 64, in constant time (no table, no branch): an
 * activation mail holds a one-time link. */
static char b64_digit(int x)
{
    int c = x + 'A';

    c += ((25 - x) >> 8) & ('a' - 'Z' - 1);            /* 26..51: a..z */
    c -= ((51 - x) >> 8) & ('z' + 1 - '0');            /* 52..61: 0..9 */
    c -= ((61 - x) >> 8) & ('9' + 1 - '+');            /* 62: + */
    c += ((62 - x) >> 8) & ('/' - '+' - 1);            /* 63: / */
    return (char)c;
}

size_t mail_base64_lines(char *out, const void *data, size_t len)
{
    const unsigned char *in = data;
    size_t o = 0;

    for (size_t off = 0; off < len; off += 57) {
        size_t end = len - off < 57 ? len : off + 57, i = off;

        for (; i + 3 <= end; i += 3) {
            int v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];

            out[o++] = b64_digit(v >> 18);
            out[o++] = b64_digit(v >> 12 & 63);
            out[o++] = b64_digit(v >> 6 & 63);
            out[o++] = b64_digit(v & 63);
        }
        if (i < end) {                  /* 1 or 2 bytes left: padded */
            int two = i + 1 < end, v = in[i] << 16 | (two ? in[i + 1] << 8 : 0);

            out[o++] = b64_digit(v >> 18);
            out[o++] = b64_digit(v >> 12 & 63);
            out[o++] = two ? b64_digit(v >> 6 & 63) : '=';
            out[o++] = '=';
        }
        out[o++] = '\r';
        out[o++] = '\n';
    }
    return o;
}

/* Base64 in lines of 76 characters, CRLF-terminated: 32 lines at a time. */
static void put_base64(FILE *f, const char *data, size_t len)
{
    char out[MAIL_BASE64_LINES_SIZE(32 * 57)];

    for (size_t off = 0; off < len; off += 32 * 57) {
        size_t n = len - off < 32 * 57 ? len - off : 32 * 57;

        fwrite(out, 1, mail_base64_lines(out, data + off, n), f);
    }
}

/* Text with LF line ends, written with CRLF (a CRLF already there stays). */
static char *crlf(const char *s)
{
    size_t len = strlen(s), lf = 0, o = 0;
    char *out;

    for (const char *p = s; (p = strchr(p, '\n')) != NULL; p++)
        lf++;
    if ((out = malloc(len + lf + 1)) == NULL)
        return NULL;
    for (size_t i = 0; i <= len; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = s[i];
    }
    return out;
}

static void put_encoded_subject(FILE *f, const char *subject)
{
    size_t n = strlen(subject);
    char *b = malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL));

    if (b == NULL)
        return;
    sodium_bin2base64(b, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL),
                      (const unsigned char *)subject, n, sodium_base64_VARIANT_ORIGINAL);
    fprintf(f, "Subject: =?UTF-8?B?%s?=\r\n", b);
    free(b);
}

static const char *var_get(const char *const *vars, const char *name)
{
    for (size_t i = 0; vars != NULL && vars[i] != NULL; i += 2)
        if (strcmp(vars[i], name) == 0)
            return vars[i + 1];
    return NULL;
}

/* The From value: the configured one; with none (a message queued before a
 * relay is configured), the organiser's name (an RFC 2047 word) and the
 * election's support address, from the message's own values. "" if neither. */
static void from_value(char out[512], const mail_ctx *m, const char *const *vars)
{
    const char *org = var_get(vars, "organiser"), *addr = var_get(vars, "support_email");
    char b[400];
    size_t n;

    out[0] = '\0';
    if (m->cfg.from[0] != '\0') {
        snprintf(out, 512, "%s", m->cfg.from);
        return;
    }
    if (addr == NULL || addr[0] == '\0' || strlen(addr) > 250 || strpbrk(addr, "<>\r\n \t,;"))
        return;
    n = org != NULL ? strlen(org) : 0;
    if (n == 0 || n > 250 || strpbrk(org, "\r\n") != NULL) {
        snprintf(out, 512, "<%s>", addr);
        return;
    }
    sodium_bin2base64(b, sizeof b, (const unsigned char *)org, n, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, 512, "=?UTF-8?B?%s?= <%s>", b, addr);
}

char *mail_compose(const mail_ctx *m, mail_kind kind, const char *lang, const char *to,
                   const char *const *vars, size_t *len)
{
    const mail_template *t = &m->t[kind][lang != NULL && strcmp(lang, "en") == 0];
    char *subject = mail_render(t->subject, vars, 0), *text = mail_render(t->text, vars, 0);
    char *html = mail_render(t->html, vars, 1), *text_crlf = NULL, *html_crlf = NULL;
    char *out = NULL, date[64], boundary[33], id[33], from[512];
    const char *domain;
    uint8_t r[16];
    time_t now = time(NULL);
    struct tm tm;
    FILE *f;

    *len = 0;
    from_value(from, m, vars);
    domain = strrchr(from, '@');
    if (subject == NULL || text == NULL || html == NULL ||
        (text_crlf = crlf(text)) == NULL || (html_crlf = crlf(html)) == NULL ||
        (f = open_memstream(&out, len)) == NULL)
        goto done;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(boundary, sizeof boundary, r, sizeof r);
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(id, sizeof id, r, sizeof r);
    fprintf(f, "From: %s\r\nTo: <%s>\r\n", from, to);
    put_encoded_subject(f, subject);
    fprintf(f, "Date: %s\r\nMessage-ID: <%s@%.*s>\r\nMIME-Version: 1.0\r\n"
               "Auto-Submitted: auto-generated\r\n"
               "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
            date, id, domain ? (int)strcspn(domain + 1, ">") : 9,
            domain ? domain + 1 : "localhost", boundary);
    fprintf(f, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    put_base64(f, text_crlf, strlen(text_crlf));
    fprintf(f, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    put_base64(f, html_crlf, strlen(html_crlf));
    fprintf(f, "--%s--\r\n", boundary);
    if (fclose(f) != 0) {
        free(out);
        out = NULL;
    }
done:
    free(subject);
    free(text);
    free(html);
    free(text_crlf);
    free(html_crlf);
    return out;
}
