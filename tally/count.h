/*
 * count.h - the count of an election held in the store (docs/protocol.md §16):
 *   tally_count         after closing: every ballot verified again, the sums
 *                       per list and scrutin published as the "sums" document,
 *                       ballots = signatures checked per scrutin;
 *   tally_post_partial  a key holder's partial decryption, checked; once the
 *                       president and two delegates have posted, the counts,
 *                       seats and results are computed and the election moves
 *                       to "tallied";
 *   tally_results       the published results.
 * The key holders' side is trustee/trustee.h (trustee_decrypt).
 */
#ifndef VOTESRV_TALLY_COUNT_H
#define VOTESRV_TALLY_COUNT_H

#include <jansson.h>
#include "election/election.h"

#define TALLY_SUMS_FORMAT "votesrv-sums/1"
#define TALLY_RESULTS_FORMAT "votesrv-results/1"
#define TALLY_SUMS_TAG "votesrv/v1/sums"           /* the digests of these documents (§16) */
#define TALLY_RESULTS_TAG "votesrv/v1/results"
#define TALLY_CHUNK 8192                /* ballots in memory at a time */

/* ELECTION_OK; ELECTION_REFUSED (c->msg) if the election is not closed, is
 * already counted, or a scrutin's ballots differ from its signatures or hold
 * an invalid ballot: then an alarm is committed to the audit log first. */
int tally_count(store *s, election_ctx *c, int threads);
int tally_post_partial(store *s, election_ctx *c, const char *text, size_t len);
/* Any message of the bureau: a partial decryption to tally_post_partial, the
 * others (ceremony, seals) to ceremony_post. */
int tally_post_message(store *s, election_ctx *c, const char *text, size_t len);
/* Shared by the server and the key holders (tally/sums.c). */
#include "decrypt.h"
/* Hb(tag; the document's canonical form (sorted keys, compact)), tag
 * TALLY_SUMS_TAG or TALLY_RESULTS_TAG. */
int tally_doc_digest(uint8_t out[32], const char *tag, json_t *doc);
/* Entry i of a sums document ({"id", "lists", "ballots", "signatures", "sums"}). */
int tally_sum_from_json(tally_sum *out, json_t *entry);
/* A holder's factors and proofs for one scrutin: {"id", "factors", "proofs"}. */
json_t *tally_partial_to_json(const tally_partial *p, const char *id);
int tally_partial_from_json(tally_partial *p, json_t *entry, uint64_t holder, size_t k);
/* The "sums" or "results" document (STORE_ENOTFOUND before it exists). */
int tally_document(store *s, const char *kind, json_t **out);

#endif
