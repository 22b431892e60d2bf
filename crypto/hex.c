/* hex.c - strict hexadecimal, on libsodium's constant-time codec. */
#include "hex.h"

#include <string.h>
#include <sodium.h>

void hex_encode(char *out, const uint8_t *in, size_t len)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

/* A lowercase hex digit's value + 1; 0 for any other byte. */
#define D(c, v) [c] = (v) + 1
static const unsigned char public_digit[256] = {
    D('0', 0), D('1', 1), D('2', 2), D('3', 3), D('4', 4), D('5', 5), D('6', 6), D('7', 7),
    D('8', 8), D('9', 9), D('a', 10), D('b', 11), D('c', 12), D('d', 13), D('e', 14), D('f', 15),
};
#undef D

int hex_decode_public(uint8_t *out, size_t len, const char *in)
{
    const unsigned char *h = (const unsigned char *)in;
    int bad = 0;

    for (size_t i = 0; i < len; i++) {
        int hi = public_digit[h[2 * i]] - 1, lo = public_digit[h[2 * i + 1]] - 1;

        bad |= hi | lo;                /* negative if either is not a digit */
        out[i] = (uint8_t)(((hi & 15) << 4) | (lo & 15));
    }
    return bad < 0 ? -1 : 0;
}

int hex_decode(uint8_t *out, size_t len, const char *in)
{
    size_t got = 0;

    if (in == NULL || strlen(in) != 2 * len)
        return -1;
    for (size_t i = 0; i < 2 * len; i++) {
        char ch = in[i];

        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return -1;
    }
    if (sodium_hex2bin(out, len, in, 2 * len, NULL, &got, NULL) != 0 || got != len)
        return -1;
    return 0;
}
