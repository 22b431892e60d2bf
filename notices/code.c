/* code.c - Crockford base32 vote codes with a check symbol over GF(32). */
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

/* The check: the symbols' values v_i as elements of GF(32) (polynomial
 * x^5 + x^2 + 1, alpha = x primitive) must satisfy sum alpha^i * v_i = 0. Any
 * single wrong symbol adds alpha^i * e != 0, any swap of two different symbols
 * at i != j adds (alpha^i + alpha^j)(a + b) != 0: a field has no zero divisors. */
static int gf_mul(int a, int b)
{
    int r = 0;

    while (b) {
        if (b & 1)
            r ^= a;
        b >>= 1;
        a <<= 1;
        if (a & 0x20)
            a ^= 0x25;
    }
    return r;
}

/* sum of alpha^i * v_i over the first n symbols */
static int weighted_sum(const char *s, size_t n)
{
    int sum = 0, weight = 1;

    for (size_t i = 0; i < n; i++) {
        sum ^= gf_mul(weight, value_of(s[i]));
        weight = gf_mul(weight, 2);
    }
    return sum;
}

void code_new(char out[CODE_SYMBOLS + 1])
{
    for (int i = 0; i < CODE_RANDOM_SYMBOLS; i++)
        out[i] = alphabet[randombytes_uniform(32)];
    /* v_27 = sum / alpha^27 = sum * alpha^4 (alpha^31 = 1) */
    out[CODE_RANDOM_SYMBOLS] = alphabet[gf_mul(weighted_sum(out, CODE_RANDOM_SYMBOLS), 16)];
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
    return weighted_sum(out, CODE_SYMBOLS) == 0 ? CODE_OK : CODE_TYPO;
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

void code_fingerprint_text(char out[CODE_FP_CHARS + 1], const unsigned char fp[32])
{
    unsigned acc = 0, bits = 0;
    size_t o = 0, at = 0;

    for (int sym = 0; sym < CODE_FP_SYMBOLS; sym++) {
        if (bits < 5) {
            acc = ((acc << 8) | fp[at++]) & 0xffffu;
            bits += 8;
        }
        if (sym > 0 && sym % CODE_GROUP == 0)
            out[o++] = '-';
        out[o++] = alphabet[(acc >> (bits - 5)) & 31];
        bits -= 5;
    }
    out[o] = '\0';
}
