/* genvectors - print tests/vectors/protocol.json (see docs/protocol.md section 11). */
#include <stdio.h>
#include "tests/testutil.h"

int main(void)
{
    json_t *v;

    if (crypto_init() != 0)
        return 1;
    v = tu_vectors_generate();
    if (v == NULL || json_dumpf(v, stdout, JSON_INDENT(1) | JSON_SORT_KEYS) != 0)
        return 1;
    putchar('\n');
    json_decref(v);
    return 0;
}
