/* transcript.c - Hs and Hb of docs/protocol.md section 2. */
#include "transcript.h"

#include <string.h>

static void put_len(transcript *t, uint64_t len)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(len >> (8 * i));
    crypto_generichash_update(&t->h, b, sizeof b);
}

void transcript_init(transcript *t, const char *tag, size_t outlen)
{
    t->outlen = outlen;
    crypto_generichash_init(&t->h, NULL, 0, outlen);
    transcript_put(t, tag, strlen(tag));
}

void transcript_put(transcript *t, const void *data, size_t len)
{
    put_len(t, len);
    if (len > 0)
        crypto_generichash_update(&t->h, data, len);
}

void transcript_put_u64(transcript *t, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    transcript_put(t, b, sizeof b);
}

void transcript_put_point(transcript *t, const group_point *p)
{
    uint8_t b[GROUP_POINT_BYTES];

    group_point_encode(b, p);
    transcript_put(t, b, sizeof b);
}

void transcript_put_scalar(transcript *t, const group_scalar *s)
{
    uint8_t b[GROUP_SCALAR_BYTES];

    group_scalar_encode(b, s);
    transcript_put(t, b, sizeof b);
}

void transcript_challenge(transcript *t, group_scalar *c)
{
    uint8_t wide[GROUP_SCALAR_WIDE_BYTES];

    crypto_generichash_final(&t->h, wide, sizeof wide);
    group_scalar_reduce(c, wide);
}

void transcript_digest(transcript *t, uint8_t out[TRANSCRIPT_DIGEST_BYTES])
{
    crypto_generichash_final(&t->h, out, TRANSCRIPT_DIGEST_BYTES);
}
