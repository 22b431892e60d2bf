/*
 * crypto.h - votesrv's verifiable-voting primitives (docs/protocol.md).
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
