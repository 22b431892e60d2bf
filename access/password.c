/* password.c - the password policy of NIST SP 800-63B: at least 12
 * characters, not a common password (nor one with digits or symbols around a
 * common core), not the identifier, not a run of one character or of
 * consecutive ones. No composition rules. */
#include "access.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "election/strmap.h"

struct access_wordlist {
    strmap *words;
};

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

access_wordlist *access_wordlist_load(const char *const *paths, size_t n, char *err,
                                      size_t errlen)
{
    access_wordlist *w = calloc(1, sizeof *w);
    char line[512];

    if (w == NULL || (w->words = strmap_new()) == NULL) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "r");

        if (f == NULL) {
            snprintf(err, errlen, "%s: cannot be read", paths[i]);
            access_wordlist_free(w);
            return NULL;
        }
        while (fgets(line, sizeof line, f) != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0] == '\0' || strncmp(line, "#!comment", 9) == 0)
                continue;
            lower_ascii(line);
            if (strmap_put(w->words, line, 1, NULL) < 0) {
                fclose(f);
                access_wordlist_free(w);
                snprintf(err, errlen, "out of memory");
                return NULL;
            }
        }
        fclose(f);
    }
    return w;
}

void access_wordlist_free(access_wordlist *w)
{
    if (w == NULL)
        return;
    strmap_free(w->words);
    free(w);
}

/* Number of code points of valid UTF-8, or -1. */
static long utf8_length(const char *s)
{
    json_t *probe = json_string(s);     /* jansson refuses invalid UTF-8 */
    long n = 0;

    if (probe == NULL)
        return -1;
    json_decref(probe);
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int listed(const access_wordlist *w, const char *s)
{
    uint64_t unused;

    return w != NULL && s[0] != '\0' && strmap_get(w->words, s, &unused) == 0;
}

/* The password and its core without leading/trailing digits and punctuation. */
static int is_common(const access_wordlist *w, const char *password)
{
    char low[ACCESS_PASSWORD_MAX + 1], *start, *end;

    snprintf(low, sizeof low, "%s", password);
    lower_ascii(low);
    if (listed(w, low))
        return 1;
    start = low;
    while (*start && (isdigit((unsigned char)*start) || ispunct((unsigned char)*start) ||
                      *start == ' '))
        start++;
    end = start + strlen(start);
    while (end > start && (isdigit((unsigned char)end[-1]) || ispunct((unsigned char)end[-1]) ||
                           end[-1] == ' '))
        *--end = '\0';
    return listed(w, start);
}

/* One character repeated, a run of consecutive characters up or down (digits
 * wrap around: ...8901...), or a unit of up to 4 characters repeated. */
static int is_monotonous(const char *p)
{
    size_t n = strlen(p);
    int same = 1, up = 1, down = 1;

    for (size_t i = 1; i < n; i++) {
        int d = (unsigned char)p[i] - (unsigned char)p[i - 1];
        int wrap_up = p[i - 1] == '9' && p[i] == '0', wrap_down = p[i - 1] == '0' && p[i] == '9';

        same &= d == 0;
        up &= d == 1 || wrap_up;
        down &= d == -1 || wrap_down;
    }
    if (same || up || down)
        return 1;
    for (size_t unit = 2; unit <= 4 && unit < n; unit++) {
        size_t i = unit;

        while (i < n && p[i] == p[i - unit])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    if (n == 0)
        return 0;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

access_error access_password_check(const access_ctx *a, const char *password,
                                   const char *identifier)
{
    long n;
    char local[ACCESS_IDENTIFIER_MAX + 1];

    if (strlen(password) > ACCESS_PASSWORD_MAX)
        return ACCESS_E_PASSWORD_LONG;
    n = utf8_length(password);
    if (n < 0)
        return ACCESS_E_PASSWORD_ENCODING;
    if (n < ACCESS_PASSWORD_MIN)
        return ACCESS_E_PASSWORD_SHORT;
    if (is_common(a->common, password) || is_monotonous(password))
        return ACCESS_E_PASSWORD_COMMON;
    snprintf(local, sizeof local, "%.*s", (int)strcspn(identifier, "@"), identifier);
    if (contains_ci(password, identifier) || (strlen(local) >= 4 && contains_ci(password, local)))
        return ACCESS_E_PASSWORD_IDENTIFIER;
    return ACCESS_E_NONE;
}
