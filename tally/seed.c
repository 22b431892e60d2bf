/* seed.c - the seed of the seat drawing by lot (docs/protocol.md §15): made
 * from the president's and a delegate's closing seals, which no one knows
 * before the close (each is a holder's Ed25519 signature of the closing
 * state) and which the server cannot choose (Ed25519 signatures are
 * deterministic: one state, one signature per holder). */
#include "tally.h"

#include <string.h>
#include "crypto/transcript.h"

void seats_seed_make(uint8_t out[SEATS_SEED_BYTES], const uint8_t fingerprint[32],
                     const char *scrutin, const uint8_t seal_president[SEATS_SEAL_BYTES],
                     const uint8_t seal_delegate[SEATS_SEAL_BYTES])
{
    transcript t;

    transcript_init(&t, "votesrv/v1/seat-seed", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, fingerprint, 32);
    transcript_put(&t, scrutin, strlen(scrutin));
    transcript_put(&t, seal_president, SEATS_SEAL_BYTES);
    transcript_put(&t, seal_delegate, SEATS_SEAL_BYTES);
    transcript_digest(&t, out);
}
