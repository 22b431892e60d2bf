/*
 * credentials.h - what passes between the server and the credential authority
 * (docs/protocol.md section 7; votecred offline, votecad online):
 *
 *   server -> votecred: the electoral-list export (votesrv-electoral-list/2):
 *     definition, eid, fingerprint, key, portal address, and each active
 *     voter's number, names, addresses, establishment, postal address and the
 *     scrutins they may vote in;
 *   votecred -> server: the credentials file (votesrv-credentials/2): per
 *     scrutin the sorted public credentials signed by the authority's key
 *     (the definition's "credential_authority"), and per voter and scrutin
 *     the binding Hb(auth-bind; authenticator, S), imported before opening;
 *   server -> votecad: a reissue request (votesrv-reissue-request/1) signed
 *     by the daemon's audit key; votecad -> server: a reissue record
 *     (votesrv-reissue-record/1) signed by the authority, applied atomically.
 */
#ifndef VOTESRV_CREDENTIALS_H
#define VOTESRV_CREDENTIALS_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* The server's side below works on the store (election/election.h); the
 * authority's tools see these types as opaque and link none of it. */
typedef struct store store;
typedef struct store_tx store_tx;
typedef struct election_ctx election_ctx;

#define CREDENTIALS_FORMAT "votesrv-credentials/2"
#define LIST_FORMAT "votesrv-electoral-list/2"
#define REISSUE_REQUEST_FORMAT "votesrv-reissue-request/1"
#define REISSUE_RECORD_FORMAT "votesrv-reissue-record/1"
/* Document kinds (store_document_*) published in the archive. */
#define CREDENTIAL_LISTS_KIND "credential-lists"
#define REISSUE_KIND "reissue"

int election_export_list(store *s, election_ctx *c, const char *portal_url, FILE *out);
/* What the authority signs of a scrutin (protocol section 7.1): {"scrutin",
 * "eligible": n, "credentials": [n hex, sorted], "signature"} for the n
 * credentials of pubs (sorted here by their bytes), signed with sk; NULL if
 * out of memory. */
json_t *election_credential_list_sign(const char *eid, const char *scrutin, uint8_t (*pubs)[32],
                                      size_t n, const uint8_t sk[64]);
/* How many documents of a kind the store holds (inside a job). */
int election_documents_count(store_tx *tx, const char *kind, uint64_t *n);
/* Only before opening. ELECTION_OK, ELECTION_REFUSED (c->msg: what is wrong
 * with the file or the state), or a store error. All or nothing. */
int election_import_credentials(store *s, election_ctx *c, const char *path);
int election_import_credentials_json(store *s, election_ctx *c, json_t *doc);
/* Apply a reissue record (JSON text, with the voter and bindings the
 * authority returns to the server only) while the vote is open: its
 * signature checked with the definition's authority key, its seq the next,
 * its voter on the list and eligible, not yet voted, in every entry's
 * scrutin, each revoked credential active. Then at once: revoked marked
 * revoked, fresh added, bindings replaced, the public record stored for the
 * archive, the voter's pending requests deleted. The same record applied
 * again is ELECTION_OK (nothing changes). *voter_id (may be NULL) gets the
 * voter's id. */
int election_reissue_apply(store *s, election_ctx *c, const char *text, size_t len,
                           int64_t *voter_id);
/* POST body (JSON) to url + "/reissue" (libcurl): 0 and the record in *reply
 * (malloc'd) on HTTP 200; the status (400-599) and the authority's error body
 * in *reply on a refusal; -1 with err if no answer came (unreachable, another
 * status, more than 64 KiB). */
int election_authority_post(const char *url, const char *body, char **reply, char *err,
                            size_t errlen);
/* A reissue request (protocol section 7.3) with a fresh random id (id_out,
 * 32 hex), applied the number of reissue records the server holds, signed
 * with sk (the daemon's audit key; NULL: an all-zero signature, for the
 * signer to sign once the request is stored): malloc'd JSON text, NULL
 * on bad arguments (names of 1-64 visible characters, 1 to DEF_MAX_SCRUTINS
 * scrutins sorted bytewise without repeats) or out of memory. */
char *election_reissue_request_make(const char *eid, const char *voter,
                                    const char *const *scrutins, size_t n, uint64_t issued_at,
                                    uint64_t applied, const uint8_t sk[64], char id_out[33]);

#endif
