/*
 * crypto.h - crypto/, the voting primitives of docs/protocol.md, one header
 * each, all included here but totp.h: the group ristretto255 on libdecaf
 * (group.h), the domain-separated hashes (transcript.h), exponential ElGamal
 * (elgamal.h) and the discrete log of small sums (dlog.h), zero-knowledge
 * proofs (proof.h) and their batched verification (batch.h), threshold keys
 * (threshold.h) and the bureau de vote's access structure (bureau.h),
 * vote-code credentials (credential.h), secrets: Argon2id, keyed hashes,
 * tokens (secret.h), the passphrase vault of key files (vault.h), TOTP
 * (totp.h), randomness (rng.h), hex (hex.h). voteverify links this folder
 * and nothing else of the server.
 *
 * Call crypto_init() once before anything else. No function here does I/O.
 */
#ifndef VOTESRV_CRYPTO_H
#define VOTESRV_CRYPTO_H

#include "batch.h"
#include "bureau.h"
#include "credential.h"
#include "dlog.h"
#include "elgamal.h"
#include "group.h"
#include "hex.h"
#include "proof.h"
#include "rng.h"
#include "secret.h"
#include "threshold.h"
#include "transcript.h"
#include "vault.h"

/* 0 on success, -1 if libsodium cannot start. */
int crypto_init(void);

#endif
