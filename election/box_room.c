/* box_room.c - the ballot box's slots, made for the definition's scrutins. */
#include "election.h"

#include "ballot/ballot_json.h"

int election_box_reserve(store_tx *tx, const def_election *d)
{
    int rc = STORE_OK;

    for (size_t i = 0; rc == STORE_OK && i < d->nscrutins; i++) {
        const def_scrutin *sc = &d->scrutins[i];
        size_t bytes = ballot_store_bytes(sc->nlists, sc->blank_allowed ? 0 : 1, 1, sc->id);

        rc = bytes == 0 ? STORE_EIO : store_box_reserve(tx, sc->id, bytes);
    }
    return rc;
}
