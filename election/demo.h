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

#define DEMO_CODE_CHARS 39   /* 32 hex digits in 8 groups of 4 */

/* Give every active voter a random vote code: store the keyed hash of its
 * authenticator and its public credential, then write "number,code" lines. */
int election_demo_credentials(store *s, election_ctx *c, const uint8_t pepper[SECRET_PEPPER_BYTES],
                              FILE *codes);

#endif
