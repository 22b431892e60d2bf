/* hex.c - strict hexadecimal, on libsodium's constant-time codec. */
#include "hex.h"

#include <string.h>
#include <sodium.h>

void hex_encode(char *out, const uint8_t *in, size_t len)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
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
