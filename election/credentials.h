/*
 * credentials.h - what passes between the server and the credential authority
 * (votecred, ideally on an offline machine of the bureau):
 *
 *   server -> votecred: the electoral-list export (JSON): election definition,
 *     eid, portal address, and each active voter's number, names, first
 *     professional address, establishment and postal address;
 *   votecred -> server: a credentials file (JSON): for each voter number the
 *     authenticator check (protocol.md section 7), and the public credentials,
 *     sorted, with nothing that links them to the numbers.
 */
#ifndef VOTESRV_CREDENTIALS_H
#define VOTESRV_CREDENTIALS_H

#include <stdio.h>
#include "election.h"

#define CREDENTIALS_FORMAT "votesrv-credentials/1"
#define LIST_FORMAT "votesrv-electoral-list/1"

int election_export_list(store *s, election_ctx *c, const char *portal_url, FILE *out);
/* ELECTION_OK, ELECTION_REFUSED (c->msg: what is wrong with the file or the
 * state), or a store error. All or nothing. */
int election_import_credentials(store *s, election_ctx *c, const char *path);

#endif
