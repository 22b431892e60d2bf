/* election_internal.h - shared by the files of election/ only. */
#ifndef VOTESRV_ELECTION_INTERNAL_H
#define VOTESRV_ELECTION_INTERNAL_H

#include "election.h"


/* Within a write job: fix the joint key of a completed key ceremony. */
int election_set_ceremony_key_tx(store_tx *tx, election_ctx *c, const uint8_t pk[32]);

/* Within open or close: ELECTION_OK if the definition declares no bureau or
 * the president and a delegate sealed the current state for act; adds the
 * seals to the audit payload. */
MUST_CHECK
int election_seals_check_tx(store_tx *tx, election_ctx *c, const char *act, json_t *payload);

#endif
