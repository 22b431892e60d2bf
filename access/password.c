/* password.c - the password policy of NIST SP 800-63B: at least 12
 * characters, not a common password (nor one with digits or symbols around a
 * common core), not a run of one character or of consecutive ones, not the
 * voter's number or address, and at least ACCESS_PASSWORD_MIN_BITS bits as
 * zxcvbn estimates them (Debian's libzxcvbn: dictionaries with leet
 * substitutions, repetitions, sequences, keyboard walks, dates and years),
 * with the voter's context words (number, names, address parts, postal
 * address, organiser) as its user dictionary. zxcvbn knows QWERTY, Dvorak and
 * keypad walks; AZERTY walks are caught by estimating the password once more
 * as the keys it was typed with on a QWERTY keyboard. No composition rules. */
#include "access_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include <zxcvbn.h>
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
    uint32_t unused;

    return w != NULL && s[0] != '\0' && strmap_get(w->words, s, &unused) == 0;
}

/* The usual substitutions of letters by digits and symbols ("p@ssw0rd"). */
static void unleet(char *s)
{
    static const char from[] = "@4310$5!7", to[] = "aaeiosslt";

    for (; *s; s++) {
        const char *k = strchr(from, *s);

        if (k != NULL)
            *s = to[k - from];
    }
}

/* The password without leading/trailing digits, punctuation and spaces. */
static char *core(char *low)
{
    char *start = low, *end;

    while (*start && (isdigit((unsigned char)*start) || ispunct((unsigned char)*start) ||
                      *start == ' '))
        start++;
    end = start + strlen(start);
    while (end > start && (isdigit((unsigned char)end[-1]) || ispunct((unsigned char)end[-1]) ||
                           end[-1] == ' '))
        *--end = '\0';
    return start;
}

/* The password, its core, and both with the usual substitutions undone. */
static int is_common(const access_wordlist *w, const char *password)
{
    char low[ACCESS_PASSWORD_MAX + 1], *c;
    int found;

    snprintf(low, sizeof low, "%s", password);
    lower_ascii(low);
    found = listed(w, low);
    unleet(low);
    found |= listed(w, low);
    snprintf(low, sizeof low, "%s", password);
    lower_ascii(low);
    c = core(low);
    found |= listed(w, c);
    unleet(c);
    found |= listed(w, c);
    sodium_memzero(low, sizeof low);
    return found;
}

/* One character repeated, a run of consecutive characters up or down (digits
 * wrap around: ...8901...), or any unit repeated ("motdepassemotdepasse"). */
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
    for (size_t unit = 2; unit <= n / 2; unit++) {
        size_t i = unit;

        while (i < n && tolower((unsigned char)p[i]) == tolower((unsigned char)p[i - unit]))
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

/* Letters and digits only, the rest dropped: "2 0 2 6-0042" is 20260042. */
static void skeleton(char *out, size_t n, const char *in)
{
    size_t o = 0;

    for (; *in != '\0' && o + 1 < n; in++)
        if (isalnum((unsigned char)*in) || (unsigned char)*in >= 0x80)
            out[o++] = *in;
    out[o] = '\0';
}

/* ---- the context words ---- */

#define WORDS_MAX 96
#define WORD_MIN 3               /* shorter pieces ("fr", "de") are left out */

typedef struct {
    char *w[WORDS_MAX + 1];      /* NULL-terminated, lower-cased, distinct */
    size_t n;
    int full;
} words;

static void words_add(words *ws, const char *s, size_t len)
{
    char *copy;

    if (len < WORD_MIN || ws->n == WORDS_MAX)
        return;
    for (size_t i = 0; i < ws->n; i++)
        if (strlen(ws->w[i]) == len && strncasecmp(ws->w[i], s, len) == 0)
            return;
    if ((copy = strndup(s, len)) == NULL) {
        ws->full = 1;
        return;
    }
    lower_ascii(copy);
    ws->w[ws->n++] = copy;
}

/* The whole field and its pieces between ASCII separators (bytes of UTF-8
 * letters count as letters: "Hélène" stays one piece). */
static void words_split(words *ws, const char *field)
{
    size_t len = strlen(field);

    if (len > ACCESS_IDENTIFIER_MAX)
        len = ACCESS_IDENTIFIER_MAX;
    words_add(ws, field, len);
    for (size_t i = 0; i < len;) {
        size_t j = i;

        while (j < len && ((unsigned char)field[j] >= 0x80 || isalnum((unsigned char)field[j])))
            j++;
        if (j > i && j - i < len)
            words_add(ws, field + i, j - i);
        i = j == i ? i + 1 : j;
    }
}

/* An address: whole, its local part and domain (and the pieces of both). */
static void words_address(words *ws, const char *address)
{
    const char *at = strchr(address, '@');

    words_split(ws, address);
    if (at != NULL) {
        char local[ACCESS_IDENTIFIER_MAX + 1];

        snprintf(local, sizeof local, "%.*s", (int)(at - address), address);
        words_split(ws, local);
        words_split(ws, at + 1);
    }
}

static void words_free(words *ws)
{
    for (size_t i = 0; i < ws->n; i++)
        free(ws->w[i]);
}

/* ---- the estimate ---- */

/* The QWERTY key under each AZERTY one (French layout, unshifted and the
 * letters' capitals): "azerty" -> "qwerty", "1a2z3e" -> "1q2w3e". */
static const struct { const char *azerty, *qwerty; } keys[] = {
    { "a", "q" }, { "z", "w" }, { "q", "a" }, { "w", "z" }, { "m", ";" },
    { "A", "Q" }, { "Z", "W" }, { "Q", "A" }, { "W", "Z" }, { "M", ":" },
    { ",", "m" }, { ";", "," }, { ":", "." }, { "!", "/" }, { "^", "[" }, { "$", "]" },
    { "&", "1" }, { "\xc3\xa9", "2" }, { "\"", "3" }, { "'", "4" }, { "(", "5" },
    { "-", "6" }, { "\xc3\xa8", "7" }, { "_", "8" }, { "\xc3\xa7", "9" }, { "\xc3\xa0", "0" },
    { ")", "-" }, { "\xc3\xb9", "'" }, { "*", "\\" }, { "<", "\\" },
};

static void azerty_as_qwerty(char *out, const char *p)
{
    while (*p) {
        size_t k = 0, n = sizeof keys / sizeof keys[0];

        while (k < n && strncmp(p, keys[k].azerty, strlen(keys[k].azerty)) != 0)
            k++;
        if (k < n) {
            *out++ = keys[k].qwerty[0];
            p += strlen(keys[k].azerty);
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
}

/* The lower of the two estimates and, below the bar, what made it low. */
static access_error estimate(const char *password, const char *const *user)
{
    char typed[ACCESS_PASSWORD_MAX + 1];
    const char *candidates[2] = { password, typed };
    access_error worst = ACCESS_E_NONE;
    double low = ACCESS_PASSWORD_MIN_BITS;

    azerty_as_qwerty(typed, password);
    for (int c = 0; c < 2; c++) {
        ZxcMatch_t *info = NULL;
        double bits = ZxcvbnMatch(candidates[c], (const char **)user, &info);
        int personal = 0, pattern = 0;

        for (const ZxcMatch_t *m = info; m != NULL; m = m->Next) {
            int type = m->Type & ~MULTIPLE_MATCH;

            personal |= type == USER_MATCH || type == USER_LEET_MATCH;
            pattern |= (m->Type & MULTIPLE_MATCH) || type == REPEATS_MATCH ||
                       type == SEQUENCE_MATCH || type == SPATIAL_MATCH;
        }
        ZxcvbnFreeInfo(info);
        if (bits < low) {
            low = bits;
            worst = personal ? ACCESS_E_PASSWORD_IDENTIFIER
                    : pattern ? ACCESS_E_PASSWORD_PATTERN : ACCESS_E_PASSWORD_COMMON;
        }
    }
    sodium_memzero(typed, sizeof typed);
    return worst;
}

access_error access_password_check(const access_ctx *a, const char *password,
                                   const char *const *context)
{
    words ws = { .n = 0 };
    access_error e = ACCESS_E_NONE;
    char bare[ACCESS_PASSWORD_MAX + 1];
    long n;

    if (strlen(password) > ACCESS_PASSWORD_MAX)
        return ACCESS_E_PASSWORD_LONG;
    n = utf8_length(password);
    if (n < 0)
        return ACCESS_E_PASSWORD_ENCODING;
    if (n < ACCESS_PASSWORD_MIN)
        return ACCESS_E_PASSWORD_SHORT;
    if (is_common(a->common, password))
        return ACCESS_E_PASSWORD_COMMON;
    skeleton(bare, sizeof bare, password);
    for (size_t i = 0; context != NULL && context[i] != NULL; i++) {
        if (strchr(context[i], '@') != NULL)
            words_address(&ws, context[i]);
        else
            words_split(&ws, context[i]);
    }
    /* the identifier (context[0]), a field with digits (a number, a postal
     * address), an address or its local part anywhere: refused outright;
     * names only make the estimate lower (a surname like "Petit" may be a
     * word of a good phrase) */
    for (size_t i = 0; context != NULL && context[i] != NULL && e == ACCESS_E_NONE; i++) {
        size_t local = strcspn(context[i], "@");
        char part[ACCESS_IDENTIFIER_MAX + 1];
        int whole = i == 0 || context[i][local] == '@' || strpbrk(context[i], "0123456789");

        snprintf(part, sizeof part, "%.*s", (int)local, context[i]);
        if ((whole && strlen(context[i]) >= 4 && contains_ci(password, context[i])) ||
            (context[i][local] == '@' && local >= 4 && contains_ci(password, part)))
            e = ACCESS_E_PASSWORD_IDENTIFIER;
        /* a field with digits (the number) with separators put between them */
        if (e == ACCESS_E_NONE && context[i][local] != '@' &&
            strpbrk(context[i], "0123456789") != NULL) {
            char field[256];

            skeleton(field, sizeof field, context[i]);
            if (strlen(field) >= 4 && contains_ci(bare, field))
                e = ACCESS_E_PASSWORD_IDENTIFIER;
        }
    }
    if (e == ACCESS_E_NONE && is_monotonous(password))
        e = ACCESS_E_PASSWORD_PATTERN;
    if (e == ACCESS_E_NONE)
        e = ws.full ? ACCESS_E_BUSY : estimate(password, (const char *const *)ws.w);
    words_free(&ws);
    sodium_memzero(bare, sizeof bare);
    return e;
}

/* ---- a voter's context, read from the store ---- */

typedef struct {
    access_context *c;
    const char *number;
    int found;
} context_job;

static int context_keep(access_context *c, const char *s)
{
    char *copy;

    if (s == NULL || s[0] == '\0' || c->n == ACCESS_CONTEXT_MAX)
        return STORE_OK;
    if ((copy = strdup(s)) == NULL)
        return STORE_ENOMEM;
    c->words[c->n++] = copy;
    return STORE_OK;
}

static int context_card(const store_voter_card *v, void *arg)
{
    context_job *j = arg;
    int rc;

    if (j->found || strcmp(v->number, j->number) != 0)
        return 0;
    j->found = 1;
    if ((rc = context_keep(j->c, v->surname)) != STORE_OK ||
        (rc = context_keep(j->c, v->given_names)) != STORE_OK)
        return rc;
    return context_keep(j->c, v->postal_address);
}

static int context_email(const char *address, void *arg)
{
    return context_keep(arg, address);
}

/* The number first: it is the identifier access_password_check never lets
 * a password contain. */
int access_context_load(store_tx *tx, const char *number, int64_t voter, access_context *c)
{
    context_job j = { c, number, 0 };
    def_election d;
    int rc;

    access_context_free(c);
    if ((rc = context_keep(c, number)) != STORE_OK ||
        (rc = store_voter_emails(tx, voter, context_email, c)) != STORE_OK ||
        (rc = store_voter_search(tx, number, 1, context_card, &j)) != STORE_OK ||
        (rc = access_definition(tx, &d)) != STORE_OK)
        return rc;
    if ((rc = context_keep(c, d.organiser)) == STORE_OK)
        rc = context_keep(c, d.name);
    def_free(&d);
    return rc;
}

void access_context_free(access_context *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->words[i]);
    memset(c, 0, sizeof *c);
}
