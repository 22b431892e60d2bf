/*
 * demo.h - what the demo election needs before the real tools exist: a
 * single-trustee key and vote codes made on the server. Both forfeit the
 * guarantees of the real key ceremony (votetrustee) and credential authority
 * (votecred): the server knows the decryption key and every code. Demo only.
 */
#ifndef VOTESRV_DEMO_H
#define VOTESRV_DEMO_H

#include <stdio.h>
#include "crypto/secret.h"
#include "election.h"

/* Give every active voter a random vote code and import the credentials file
 * the demo credential authority (votecred keygen --demo, whose key is public)
 * would make of them: refused unless the definition's credential_authority is
 * the demo key, and after opening. Then write "number,code" lines. */
int election_demo_credentials(store *s, election_ctx *c, FILE *codes);
/* The same, and if roster is not NULL the roster the demo authority hands its
 * online service votecad (votecred-state.json: votesrv-credential-state/1,
 * per voter the addresses and each scrutin's public credential; no code),
 * its addresses taken from the HR file hr_path (the CSV of import-voters) as
 * votecred notices does: refused, no code made, if the registry disagrees
 * with it on a voter's number, addresses or scrutins. */
int election_demo_credentials_roster(store *s, election_ctx *c, FILE *codes, FILE *roster,
                                     const char *hr_path);

#endif
