/* fuzz_definition.c - the election definition (JSON, strict). What parses
 * has a canonical form that parses to the same canonical form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "election/definition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    def_election d, again;
    char err[DEF_ERR_CHARS], *c1, *c2;
    int64_t t;

    if (def_parse(&d, (const char *)data, size, err, sizeof err) == 0) {
        c1 = def_canonical(&d);
        if (c1 == NULL || def_parse(&again, c1, strlen(c1), err, sizeof err) != 0)
            abort();
        c2 = def_canonical(&again);
        if (c2 == NULL || strcmp(c1, c2) != 0)
            abort();
        for (size_t i = 0; i < d.nscrutins; i++)
            if (def_scrutin_find(&d, d.scrutins[i].id) != &d.scrutins[i])
                abort();
        free(c1);
        free(c2);
        def_free(&again);
        def_free(&d);
    }
    if (size < 64) {
        char text[64];

        memcpy(text, data, size);
        text[size] = '\0';
        int rc = def_parse_instant(text, &t);

        if (rc != 0 && rc != -1)
            abort();
    }
    return 0;
}
