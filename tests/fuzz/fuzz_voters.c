/* fuzz_voters.c - the electoral list's CSV (libcsv underneath), against the
 * example definition's scrutins and eligibility rules. A list is either
 * accepted whole, or refused with at least one error and no row. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "election/definition.h"
#include "election/voters.h"

static def_election def;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[DEF_ERR_CHARS];
    const char *path = getenv("FUZZ_DEFINITION");

    (void)argc;
    (void)argv;
    if (def_load_file(&def, path != NULL ? path : "conf/election.example.json", err,
                      sizeof err) != 0) {
        fprintf(stderr, "fuzz_voters: %s (run from the project's root)\n", err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    voter_list list = { 0 };
    int rc = voters_parse_buffer(&list, "fuzz.csv", (const char *)data, size, &def);

    if ((rc == 0 && list.nerrors != 0) || (rc != 0 && list.nerrors == 0))
        abort();
    for (size_t i = 0; rc == 0 && i < list.n; i++) {
        store_voter v = voter_row_view(&list.rows[i]);

        if (v.number[0] == '\0' || v.nemails == 0 || v.emails[0] == NULL)
            abort();
    }
    voter_list_free(&list);
    return 0;
}
