/*
 * html.h - building an HTML page in memory. Text and attribute values go
 * through html_text, which escapes them; html_raw and html_fmt are for the
 * page's own markup and numbers only, never for anything a person typed or
 * the store returned.
 */
#ifndef VOTESRV_HTML_H
#define VOTESRV_HTML_H

#include <stddef.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;                 /* an allocation failed: html_finish gives NULL */
    int theme;               /* the page's look (portal/theme.h), set by portal_begin */
} html;

void html_init(html *h);
void html_raw(html *h, const char *markup);
/* Text escaped for element content and quoted attribute values. */
void html_text(html *h, const char *text);
void html_fmt(html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The page (the caller frees it), or NULL if memory ran out. */
char *html_finish(html *h);
void html_free(html *h);

#endif
