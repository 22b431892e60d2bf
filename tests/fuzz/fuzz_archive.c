/* fuzz_archive.c - voteverify's reading of an election archive: JSON Lines
 * published by a server the verifier does not trust. Linked like voteverify
 * (crypto/ and verify/ only). Any input must end in a verdict, never a crash;
 * an empty archive must not be accepted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "verify/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vv v;
    FILE *in;

    if (size == 0 || crypto_init() != 0)     /* the first call sets up, later ones return */
        return 0;
    in = fmemopen((void *)data, size, "r");
    if (in == NULL)
        return 0;
    memset(&v, 0, sizeof v);
    v.threads = 1;
    v.quiet = 1;
    if (vv_archive(&v, in) != 0)
        v.failures++;
    fclose(in);
    vv_free(&v);
    return 0;
}
