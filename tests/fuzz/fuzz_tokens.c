/* fuzz_tokens.c - the short texts people and browsers send: vote codes,
 * one-time tokens and session cookies, e-mail identifiers, hex fields,
 * ballot trackers, ALTCHA payloads, Accept-Language, TOTP codes, défi
 * answers, and a key holder's secret file. The first byte picks the decoder;
 * the rest is the text. Each decoder's output, when it accepts, must be a
 * fixed point (decoding the canonical form gives it back). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "access/access.h"
#include "access/access_internal.h"
#include "access/altcha.h"
#include "ballot/ballot_json.h"
#include "crypto/crypto.h"
#include "crypto/hex.h"
#include "crypto/totp.h"
#include "notices/code.h"
#include "trustee/trustee.h"
#include "votesrv/i18n.h"

#define TEXT_MAX 4096
#define NOW 1790000000

static const uint8_t KEY[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void vote_code(const char *t)
{
    char c[CODE_SYMBOLS + 1], again[CODE_SYMBOLS + 1], shown[CODE_DISPLAY_CHARS + 1];

    if (code_parse(c, t) != CODE_OK)
        return;
    code_display(shown, c);
    if (code_parse(again, shown) != CODE_OK || strcmp(again, c) != 0)
        abort();
}

static void token(const char *t)
{
    access_ctx a;
    uint8_t h1[STORE_HASH_BYTES], h2[STORE_HASH_BYTES];

    memset(&a, 0, sizeof a);
    memcpy(a.hash_key, KEY, sizeof a.hash_key);
    if (access_token_hash(h1, &a, t) == 0 &&
        (access_token_hash(h2, &a, t) != 0 || memcmp(h1, h2, sizeof h1) != 0))
        abort();
}

static void identifier(const char *t)
{
    char id[ACCESS_IDENTIFIER_MAX + 1], again[ACCESS_IDENTIFIER_MAX + 1];

    if (access_identifier(id, t) == 0 && (access_identifier(again, id) != 0 || strcmp(id, again)))
        abort();
}

static void hex(const char *t)
{
    uint8_t b[32], again[32];
    char text[65];

    if (hex_decode(b, sizeof b, t) != 0)
        return;
    hex_encode(text, b, sizeof b);
    if (hex_decode(again, sizeof again, text) != 0 || memcmp(b, again, sizeof b) != 0)
        abort();
}

static void tracker(const char *t)
{
    uint8_t b[BALLOT_TRACKER_BYTES], again[BALLOT_TRACKER_BYTES];
    char text[BALLOT_TRACKER_CHARS + 1];

    if (ballot_tracker_parse(b, t) != 0)
        return;
    ballot_tracker_text(text, b);
    if (ballot_tracker_parse(again, text) != 0 || memcmp(b, again, sizeof b) != 0)
        abort();
}

static void altcha(const char *t)
{
    uint8_t id[32];
    int64_t expires;

    /* a payload accepted has not expired */
    if (altcha_verify(KEY, t, NOW, id, &expires) == 0 && expires <= NOW)
        abort();
}

static void language(const char *t)
{
    (void)i18n_pick(t, NULL);
    (void)i18n_pick(NULL, t);
}

static void totp(const char *t)
{
    uint64_t step;

    /* only exactly TOTP_DIGITS digits can be a good code */
    if (totp_verify(KEY, t, NOW, 0, &step) == 0 && strlen(t) != TOTP_DIGITS)
        abort();
}

static void defi(const char *t)
{
    char n1[512], n2[512];

    if (access_defi_normalize(n1, sizeof n1, t) == 0 &&
        (access_defi_normalize(n2, sizeof n2, n1) != 0 || strcmp(n1, n2) != 0))
        abort();
}

static void holder_secret(const char *t)
{
    trustee_secret ts, again;
    char e1[TRUSTEE_SECRET_MAX], e2[TRUSTEE_SECRET_MAX];
    int n1, n2;

    if (trustee_secret_decode(&ts, t, strlen(t)) != 0)
        return;
    n1 = trustee_secret_encode(e1, &ts);
    if (n1 < 0 || trustee_secret_decode(&again, e1, (size_t)n1) != 0)
        abort();
    n2 = trustee_secret_encode(e2, &again);
    if (n2 != n1 || memcmp(e1, e2, (size_t)n1) != 0)
        abort();
    trustee_secret_wipe(&ts);
    trustee_secret_wipe(&again);
}

static void (*const decoders[])(const char *) = {
    vote_code, token, identifier, hex, tracker, altcha, language, totp, defi, holder_secret,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[TEXT_MAX + 1];

    if (size < 1 || size > TEXT_MAX || crypto_init() != 0)   /* set up once, then cheap */
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    decoders[data[0] % (sizeof decoders / sizeof decoders[0])](text);
    return 0;
}
