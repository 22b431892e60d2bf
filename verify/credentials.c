/* credentials.c - the published credential list: every ballot's credential is
 * in it, signs at most one ballot per scrutin, and no ciphertext appears twice
 * in the box (protocol.md §7, §14). */
#include <stdlib.h>
#include <string.h>
#include "crypto/hex.h"
#include "verify.h"

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static int cmp33(const void *a, const void *b)
{
    return memcmp(a, b, 33);
}

void vv_credentials(vv *v)
{
    size_t n = json_array_size(v->credentials), missing = 0, twice = 0, dup = 0, i;
    uint8_t (*list)[32] = malloc(n * 32 + 1);
    int listed_ok = json_is_array(v->credentials) && list != NULL;
    json_t *c;
    char hex[65] = "";

    json_array_foreach(v->credentials, i, c) {
        if (!listed_ok)
            break;
        listed_ok = json_is_string(c) && json_string_length(c) == 64 &&
                    hex_decode(list[i], 32, json_string_value(c)) == 0 &&
                    (i == 0 || memcmp(list[i - 1], list[i], 32) < 0) &&
                    crypto_core_ristretto255_is_valid_point(list[i]);
    }
    vv_report(v, listed_ok, "credential list: %zu public credentials, valid points, sorted, "
              "none twice", n);
    for (i = 0; listed_ok && i < v->nused; i++)
        if (bsearch(v->creds_used[i] + 1, list, n, 32, cmp32) == NULL && missing++ == 0)
            hex_encode(hex, v->creds_used[i] + 1, 32);
    vv_report(v, listed_ok && missing == 0, "every ballot's credential is in the list%s%s%s",
              missing ? " (not listed: " : "", hex, missing ? ")" : "");
    if (v->nused > 0)                  /* an empty box has no array at all */
        qsort(v->creds_used, v->nused, 33, cmp33);
    for (i = 1; i < v->nused; i++)
        twice += memcmp(v->creds_used[i - 1], v->creds_used[i], 33) == 0;
    vv_report(v, twice == 0, "each credential signs at most one ballot per scrutin (%zu reused)",
              twice);
    if (v->nalphas > 0)
        qsort(v->alphas, v->nalphas, 32, cmp32);
    for (i = 1; i < v->nalphas; i++)
        dup += memcmp(v->alphas[i - 1], v->alphas[i], 32) == 0;
    vv_report(v, dup == 0, "no ciphertext appears twice in the box (%zu ciphertexts)",
              v->nalphas);
    free(list);
}
