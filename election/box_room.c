/* box_room.c - the ballot box's slots, made for the definition's scrutins. */
#include "election.h"

#include "ballot/ballot_json.h"

void election_box_room(const def_election *d, size_t room[DEF_MAX_SCRUTINS])
{
    for (size_t i = 0; i < d->nscrutins; i++) {
        const def_scrutin *sc = &d->scrutins[i];

        room[i] = ballot_store_bytes(sc->nlists, sc->blank_allowed ? 0 : 1, 1, sc->id);
    }
}

int election_box_reserve(store_tx *tx, const def_election *d, const size_t *room)
{
    size_t mine[DEF_MAX_SCRUTINS];
    int rc = STORE_OK;

    if (room == NULL) {
        election_box_room(d, mine);
        room = mine;
    }
    for (size_t i = 0; rc == STORE_OK && i < d->nscrutins; i++)
        rc = room[i] == 0 ? STORE_EIO : store_box_reserve(tx, d->scrutins[i].id, room[i]);
    return rc;
}
