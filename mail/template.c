/* template.c - {{name}} substitution in mail templates. Values go into the
 * HTML part escaped. Unknown placeholders are an error, so a typo in a
 * template never reaches a voter. */
#include "mail_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *lookup(const char *const *vars, const char *name, size_t len)
{
    for (size_t i = 0; vars[i] != NULL && vars[i + 1] != NULL; i += 2)
        if (strlen(vars[i]) == len && strncmp(vars[i], name, len) == 0)
            return vars[i + 1];
    return NULL;
}

/* v, HTML-escaped if html; the characters that need nothing go in runs. */
static void put_escaped(FILE *f, const char *v, int html)
{
    if (!html) {
        fputs(v, f);
        return;
    }
    for (;;) {
        size_t run = strcspn(v, "&<>\"'");

        fwrite(v, 1, run, f);
        v += run;
        if (*v == '\0')
            return;
        fputs(*v == '&' ? "&amp;" : *v == '<' ? "&lt;" : *v == '>' ? "&gt;"
              : *v == '"' ? "&quot;" : "&#39;", f);
        v++;
    }
}

char *mail_render(const char *tmpl, const char *const *vars, int html)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    const char *p = tmpl;

    if (f == NULL)
        return NULL;
    while (*p) {
        const char *open = strstr(p, "{{"), *close, *v;

        if (open == NULL) {
            fputs(p, f);
            break;
        }
        fwrite(p, 1, (size_t)(open - p), f);
        close = strstr(open + 2, "}}");
        v = close ? lookup(vars, open + 2, (size_t)(close - open - 2)) : NULL;
        if (v == NULL) {
            fclose(f);
            free(out);
            return NULL;
        }
        put_escaped(f, v, html);
        p = close + 2;
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}
