/* credentials_sign.c - the credential authority's signature of a scrutin's
 * credential list (docs/protocol.md section 7.1), for votecred and the demo:
 * no store here (votecred links it alone). */
#include "credentials.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/credential.h"
#include "crypto/hex.h"

static int cmp_pub(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

json_t *election_credential_list_sign(const char *eid, const char *scrutin, uint8_t (*pubs)[32],
                                      size_t n, const uint8_t sk[64])
{
    credential_list_hash h;
    uint8_t digest[32], sig[64];
    char hex[129];
    json_t *creds = json_array();

    if (n > 0)
        qsort(pubs, n, 32, cmp_pub);
    credential_list_init(&h, eid, scrutin, n);
    for (size_t i = 0; i < n; i++) {
        credential_list_add(&h, pubs[i]);
        hex_encode(hex, pubs[i], 32);
        json_array_append_new(creds, json_string(hex));
    }
    credential_list_final(&h, digest);
    crypto_sign_detached(sig, NULL, digest, sizeof digest, sk);
    hex_encode(hex, sig, sizeof sig);
    return json_pack("{s:s,s:I,s:o,s:s}", "scrutin", scrutin, "eligible", (json_int_t)n,
                     "credentials", creds, "signature", hex);
}
