/*
 * demo.h - what the demo election needs before the real tools exist: a
 * single-trustee key and vote codes made on the server. Both forfeit the
 * guarantees of the real ceremony (issue 7) and credential authority (votecred,
 * issue 5): the server knows the decryption key and every code. Demo only.
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
 * per voter the addresses and each scrutin's public credential; no code). */
int election_demo_credentials_roster(store *s, election_ctx *c, FILE *codes, FILE *roster);

#endif
