/* ceremony_internal.h - the ceremony's stored state, shared by ceremony.c and
 * seals.c only. */
#ifndef VOTESRV_CEREMONY_INTERNAL_H
#define VOTESRV_CEREMONY_INTERNAL_H

#include "ceremony.h"
#include "election_internal.h"

/* The documents of one kind, parsed, by holder. */
typedef struct {
    json_t *msg[CEREMONY_MAX_HOLDERS];
    size_t count;
} cer_docs;

typedef struct {
    store_election e;
    def_election d;
    int have_e, have_d;
    size_t n;                         /* holders: president + delegates */
    uint8_t ctx[32];
    cer_docs keys, shares, verdicts;
    ceremony_keys k;
    int keys_complete, shares_complete;
    uint8_t keys_digest[32], transcript[32];
} cer_state;

/* Load the election, its definition and the ceremony's documents, checking
 * every stored keys message again. ELECTION_REFUSED without a bureau. */
int cer_state_load(store_tx *tx, cer_state *st, election_ctx *c);
void cer_state_free(cer_state *st);
int cer_docs_load(store_tx *tx, const char *kind, cer_docs *ds);
void cer_docs_free(cer_docs *ds);

/* seals.c: check a seal message and store it (replacing the holder's older
 * seal of the same act). */
int seal_post(store_tx *tx, cer_state *st, election_ctx *c, json_t *msg, uint64_t holder,
              const char *kind);

#endif
