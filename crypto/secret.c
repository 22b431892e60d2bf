/* secret.c - hashing and comparing secrets with libsodium. */
#include "secret.h"

#include <string.h>

int secret_pwhash(char out[SECRET_PWHASH_STR_BYTES], const char *secret, size_t len)
{
    if (len == 0 || len > SECRET_PWHASH_MAX_INPUT)
        return -1;
    return crypto_pwhash_str_alg(out, secret, len, SECRET_PWHASH_OPSLIMIT,
                                 SECRET_PWHASH_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
}

int secret_pwhash_verify(const char stored[SECRET_PWHASH_STR_BYTES], const char *secret,
                         size_t len)
{
    if (len == 0 || len > SECRET_PWHASH_MAX_INPUT)
        return -1;
    if (memchr(stored, '\0', SECRET_PWHASH_STR_BYTES) == NULL)
        return -1;
    return crypto_pwhash_str_verify(stored, secret, len) == 0 ? 0 : -1;
}

void secret_token_new(char out[SECRET_TOKEN_CHARS + 1])
{
    uint8_t raw[SECRET_TOKEN_BYTES];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SECRET_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void secret_keyed_hash(uint8_t out[SECRET_HASH_BYTES], const uint8_t pepper[SECRET_PEPPER_BYTES],
                       const void *secret, size_t len)
{
    crypto_generichash(out, SECRET_HASH_BYTES, secret, len, pepper, SECRET_PEPPER_BYTES);
}

int secret_equal(const void *a, const void *b, size_t len)
{
    return sodium_memcmp(a, b, len) == 0;
}
