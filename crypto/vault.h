/*
 * vault.h - a key holder's private material sealed under a passphrase
 * (docs/protocol.md §6.2): Argon2id derives the key, libsodium's
 * secretstream (XChaCha20-Poly1305) seals the bytes, and the header (format,
 * salt, Argon2id limits) is authenticated as associated data. Bytes in, bytes
 * out: the caller reads and writes files.
 *
 *   "VSV1" || salt(16) || le64(opslimit) || le64(memlimit) || stream header(24)
 *          || ciphertext (plaintext + 17 bytes)
 */
#ifndef VOTESRV_VAULT_H
#define VOTESRV_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include "hex.h"

#define VAULT_HEADER_BYTES (4 + crypto_pwhash_SALTBYTES + 8 + 8 + \
                            crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define VAULT_OVERHEAD (VAULT_HEADER_BYTES + crypto_secretstream_xchacha20poly1305_ABYTES)
#define VAULT_MAX_PLAIN (1024 * 1024)
#define VAULT_MEMLIMIT_MAX (1024ULL * 1024 * 1024)      /* refused above, on opening */
#define VAULT_OPSLIMIT_MAX 64ULL

typedef struct {
    uint64_t opslimit, memlimit;
} vault_params;

/* For key holders' files: Argon2id "moderate" (256 MiB, 3 passes). */
extern const vault_params vault_default;

/* out holds plainlen + VAULT_OVERHEAD bytes. -1 on bad sizes or parameters. */
int vault_seal(uint8_t *out, const uint8_t *plain, size_t plainlen, const char *passphrase,
               const vault_params *p);
/* plain holds inlen - VAULT_OVERHEAD bytes. -1 if the passphrase is wrong or a
 * byte was changed, or the header is not ours, or its limits are out of range. */
MUST_CHECK
int vault_open(uint8_t *plain, const uint8_t *in, size_t inlen, const char *passphrase);

#endif
