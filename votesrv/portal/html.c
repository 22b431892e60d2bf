/* html.c - a growing buffer with HTML escaping. */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "election/voters.h"

#define HTML_CHUNK 8192

void html_init(html *h)
{
    memset(h, 0, sizeof *h);
}

static int reserve(html *h, size_t more)
{
    size_t cap;
    char *b;

    if (h->oom)
        return -1;
    if (h->len + more + 1 <= h->cap)
        return 0;
    cap = h->cap ? h->cap : HTML_CHUNK;
    while (cap < h->len + more + 1)
        cap *= 2;
    if ((b = realloc(h->buf, cap)) == NULL) {
        h->oom = 1;
        return -1;
    }
    h->buf = b;
    h->cap = cap;
    return 0;
}

static void put(html *h, const char *s, size_t n)
{
    if (reserve(h, n) != 0)
        return;
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

void html_raw(html *h, const char *markup)
{
    put(h, markup, strlen(markup));
}

/* Markup characters escaped; invisible format characters (bidi overrides,
 * isolates, zero widths: voters_invisible_at) shown as U+FFFD, so a stored
 * name can neither reorder nor hide what the page shows. */
void html_text(html *h, const char *text)
{
    for (const char *p = text; p != NULL && *p; p++) {
        size_t n = 0, skip = 0;
        uint32_t cp;

        while (p[n] && strchr("&<>\"'", p[n]) == NULL &&
               (skip = voters_invisible_at(p + n, &cp)) == 0)
            n++;
        put(h, p, n);
        p += n;
        if (skip > 0) {
            put(h, "\xef\xbf\xbd", 3);
            p += skip - 1;
            continue;
        }
        switch (*p) {
        case '&': put(h, "&amp;", 5); break;
        case '<': put(h, "&lt;", 4); break;
        case '>': put(h, "&gt;", 4); break;
        case '"': put(h, "&quot;", 6); break;
        case '\'': put(h, "&#39;", 5); break;
        default: return;        /* end of the text */
        }
    }
}

void html_fmt(html *h, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(h, (size_t)n) != 0) {
        h->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(h->buf + h->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    h->len += (size_t)n;
}

char *html_finish(html *h)
{
    char *b = h->oom ? NULL : h->buf;

    if (h->oom)
        free(h->buf);
    memset(h, 0, sizeof *h);
    return b;
}

void html_free(html *h)
{
    free(h->buf);
    memset(h, 0, sizeof *h);
}
