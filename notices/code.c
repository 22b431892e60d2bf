/* code.c - Crockford base32 vote codes with a Luhn mod 32 check symbol. */
#include "code.h"

#include <ctype.h>
#include <string.h>
#include <sodium.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int value_of(char c)
{
    const char *p = strchr(alphabet, c);

    return c != '\0' && p != NULL ? (int)(p - alphabet) : -1;
}

/* Luhn mod N over values, rightmost doubled first when computing a check
 * symbol (has_check = 0), second when verifying (has_check = 1). */
static int luhn_sum(const char *s, size_t n, int has_check)
{
    int factor = has_check ? 1 : 2, sum = 0;

    for (size_t i = n; i-- > 0;) {
        int addend = factor * value_of(s[i]);

        sum += addend / 32 + addend % 32;
        factor = factor == 2 ? 1 : 2;
    }
    return sum % 32;
}

void code_new(char out[CODE_SYMBOLS + 1])
{
    for (int i = 0; i < CODE_RANDOM_SYMBOLS; i++)
        out[i] = alphabet[randombytes_uniform(32)];
    out[CODE_RANDOM_SYMBOLS] = alphabet[(32 - luhn_sum(out, CODE_RANDOM_SYMBOLS, 0)) % 32];
    out[CODE_SYMBOLS] = '\0';
}

code_status code_parse(char out[CODE_SYMBOLS + 1], const char *typed)
{
    size_t n = 0;

    for (const char *p = typed; p != NULL && *p; p++) {
        char c = (char)toupper((unsigned char)*p);

        if (c == ' ' || c == '-' || c == '.' || c == '_' || c == '\t')
            continue;
        if (c == 'O')
            c = '0';
        else if (c == 'I' || c == 'L')
            c = '1';
        if (value_of(c) < 0 || n == CODE_SYMBOLS)
            return CODE_BAD_FORM;
        out[n++] = c;
    }
    if (n != CODE_SYMBOLS)
        return CODE_BAD_FORM;
    out[n] = '\0';
    return luhn_sum(out, CODE_SYMBOLS, 1) == 0 ? CODE_OK : CODE_TYPO;
}

void code_display(char out[CODE_DISPLAY_CHARS + 1], const char canonical[CODE_SYMBOLS + 1])
{
    size_t o = 0;

    for (int i = 0; i < CODE_SYMBOLS; i++) {
        if (i > 0 && i % CODE_GROUP == 0)
            out[o++] = '-';
        out[o++] = canonical[i];
    }
    out[o] = '\0';
}
