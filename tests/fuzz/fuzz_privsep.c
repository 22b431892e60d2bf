/* fuzz_privsep.c - a request frame's payload as the writer reads it from the
 * sandboxed worker (votesrv/privsep.c, protocol §18): fixed framing, the
 * route's index and parameters, headers, a form or a JSON tree. The whole
 * input is the payload, then the JSON tree alone.
 *
 * Oracles: an accepted request is written again, by the worker's encoder, to
 * exactly the input (one encoding per request: nothing the writer accepts
 * is read two ways); so is an accepted tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "votesrv/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j;
    char *again = NULL;
    size_t len = 0;

    if (privsep_request_check(-1, data, size) == -2)
        abort();
    if ((j = privsep_tree_decode(data, size)) != NULL) {
        if (privsep_tree_encode(j, &again, &len) != 0 || len != size ||
            memcmp(again, data, size) != 0)
            abort();
        free(again);
        json_decref(j);
    }
    return 0;
}
