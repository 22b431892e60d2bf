/* vault.c - passphrase sealing with Argon2id and secretstream. */
#include "vault.h"

#include <string.h>

static const uint8_t magic[4] = { 'V', 'S', 'V', '1' };

const vault_params vault_default = { crypto_pwhash_OPSLIMIT_MODERATE,
                                     crypto_pwhash_MEMLIMIT_MODERATE };

#define SALT_AT 4
#define OPS_AT (SALT_AT + crypto_pwhash_SALTBYTES)
#define MEM_AT (OPS_AT + 8)
#define STREAM_AT (MEM_AT + 8)

static void le64_put(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le64_get(const uint8_t *in)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

static int params_ok(uint64_t ops, uint64_t mem)
{
    return ops >= crypto_pwhash_OPSLIMIT_MIN && ops <= VAULT_OPSLIMIT_MAX &&
           mem >= crypto_pwhash_MEMLIMIT_MIN && mem <= VAULT_MEMLIMIT_MAX;
}

static int derive(uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
                  const char *passphrase, const uint8_t *salt, uint64_t ops, uint64_t mem)
{
    return crypto_pwhash(key, crypto_secretstream_xchacha20poly1305_KEYBYTES, passphrase,
                         strlen(passphrase), salt, ops, (size_t)mem,
                         crypto_pwhash_ALG_ARGON2ID13);
}

int vault_seal(uint8_t *out, const uint8_t *plain, size_t plainlen, const char *passphrase,
               const vault_params *p)
{
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    crypto_secretstream_xchacha20poly1305_state st;
    int rc;

    if (plainlen > VAULT_MAX_PLAIN || !params_ok(p->opslimit, p->memlimit))
        return -1;
    memcpy(out, magic, sizeof magic);
    randombytes_buf(out + SALT_AT, crypto_pwhash_SALTBYTES);
    le64_put(out + OPS_AT, p->opslimit);
    le64_put(out + MEM_AT, p->memlimit);
    if (derive(key, passphrase, out + SALT_AT, p->opslimit, p->memlimit) != 0)
        return -1;
    rc = crypto_secretstream_xchacha20poly1305_init_push(&st, out + STREAM_AT, key);
    if (rc == 0)
        rc = crypto_secretstream_xchacha20poly1305_push(
            &st, out + VAULT_HEADER_BYTES, NULL, plain, plainlen, out, STREAM_AT,
            crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    return rc == 0 ? 0 : -1;
}

int vault_open(uint8_t *plain, const uint8_t *in, size_t inlen, const char *passphrase)
{
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES], tag = 0;
    crypto_secretstream_xchacha20poly1305_state st;
    uint64_t ops, mem;
    int rc;

    if (inlen < VAULT_OVERHEAD || inlen - VAULT_OVERHEAD > VAULT_MAX_PLAIN ||
        memcmp(in, magic, sizeof magic) != 0)
        return -1;
    ops = le64_get(in + OPS_AT);
    mem = le64_get(in + MEM_AT);
    if (!params_ok(ops, mem) || derive(key, passphrase, in + SALT_AT, ops, mem) != 0)
        return -1;
    rc = crypto_secretstream_xchacha20poly1305_init_pull(&st, in + STREAM_AT, key);
    if (rc == 0)
        rc = crypto_secretstream_xchacha20poly1305_pull(&st, plain, NULL, &tag,
                                                        in + VAULT_HEADER_BYTES,
                                                        inlen - VAULT_HEADER_BYTES, in,
                                                        STREAM_AT);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    if (rc != 0 || tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        sodium_memzero(plain, inlen - VAULT_OVERHEAD);
        return -1;
    }
    return 0;
}
