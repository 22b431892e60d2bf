/*
 * client.h - the reference voting client, over the real HTTP API.
 *
 * It does what the portal's JavaScript does and nothing more: it reads the
 * public election description, logs in, derives the authenticator and the
 * credential from the vote code on this device (the code never leaves it),
 * encrypts the choice with its proofs, casts, and checks the receipt (the
 * server's signature, our own tracker, our scrutin) before reporting success.
 *
 * Functions return CLIENT_OK, CLIENT_REFUSED (the server said no: status and
 * its message in the result), or -1 (bad input, network, or a server answer
 * that does not check out: the message says which).
 */
#ifndef VOTESRV_CLIENT_H
#define VOTESRV_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "ballot/ballot_json.h"
#include "box/box.h"

#define CLIENT_OK 0
#define CLIENT_REFUSED 1
#define CLIENT_BLANK ((size_t)-1)
#define CLIENT_MSG_CHARS 256
#define CLIENT_SESSION_CHARS 128

typedef struct {
    char id[STORE_SCRUTIN_CHARS + 1];
    size_t k;
    int blank_allowed;
} client_scrutin;

/* What the client needs of GET /api/v1/election. Read-only once fetched:
 * several clients (threads) may share it. */
typedef struct {
    char eid[STORE_EID_CHARS + 1];
    uint8_t fp[BALLOT_FP_BYTES];
    uint8_t receipt_key[32];
    elgamal_pk pk;
    size_t nscrutins;
    client_scrutin *scrutins;
} client_election;

typedef struct {
    long status;                     /* HTTP status, 0 if none */
    char message[CLIENT_MSG_CHARS];  /* the server's or our own */
    char code[32];                   /* the server's error code ("busy"...), or "" */
    long retry_after;                /* its Retry-After in seconds, 0 if none */
} client_result;

typedef struct client client;

client *client_new(const char *base_url);
void client_free(client *c);
/* Trust the CA certificates of this PEM file (and only them) for https
 * URLs, instead of the system's; 0, or -1 (out of memory). */
int client_cafile_set(client *c, const char *path);

int client_election_fetch(client *c, client_election *e, client_result *r);
void client_election_free(client_election *e);
const client_scrutin *client_election_scrutin(const client_election *e, const char *id);

int client_login(client *c, const char *identifier, const char *password, client_result *r);
/* The same, in a rush: ticket (of ticket_size bytes) holds the retry ticket
 * to send back ("" for none) and receives the one a 503 busy gives ("" else). */
int client_login_queued(client *c, const char *identifier, const char *password, char *ticket,
                        size_t ticket_size, client_result *r);
/* Use a session obtained elsewhere (a load test's pre-created sessions). */
int client_session_set(client *c, const char *token);

/* A ballot made on this device, ready to be cast (the body holds the
 * authenticator: free it once sent). */
typedef struct {
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    uint8_t tracker[BALLOT_TRACKER_BYTES];
    json_t *body;
} client_prepared;

int client_prepare(client_prepared *p, const client_election *e, const char *scrutin,
                   const char *code, size_t choice, client_result *r);
void client_prepared_free(client_prepared *p);
/* Send it; CLIENT_OK with a verified receipt: 201, or 200 when the server
 * held the same ballot already (a lost answer sent again): then the receipt
 * is marked already_recorded, which counts as acknowledged. */
int client_submit(client *c, const client_election *e, const client_prepared *p,
                  box_receipt *receipt, client_result *r);

/* Both steps: cast choice (a list index, or CLIENT_BLANK) in scrutin with the vote code as
 * typed; on success the receipt has been verified. */
int client_cast(client *c, const client_election *e, const char *scrutin, const char *code,
                size_t choice, box_receipt *receipt, client_result *r);
/* "Is my ballot in?": CLIENT_OK if the board lists the tracker in scrutin. */
int client_lookup(client *c, const char *scrutin, const uint8_t tracker[BALLOT_TRACKER_BYTES],
                  client_result *r);

/* A receipt from its JSON; -1 if malformed. */
MUST_CHECK
int client_receipt_parse(box_receipt *out, json_t *j);

#endif
