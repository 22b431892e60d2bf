/* key.c - the credential authority's KEYFILE: one line, the 64 lowercase hex
 * digits of its Ed25519 seed, readable by its owner only. */
#include "credauth_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crypto/hex.h"

int credauth_key_load(const char *path, uint8_t pk[32], uint8_t sk[64], char *err,
                      size_t errlen)
{
    char line[130];
    uint8_t seed[32];
    struct stat sb;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "%s: cannot be read", path);
        goto out;
    }
    if ((sb.st_mode & 077) != 0) {
        snprintf(err, errlen, "%s: readable by others than its owner (chmod 600)", path);
        goto out;
    }
    n = read(fd, line, sizeof line - 1);
    line[n > 0 ? n : 0] = '\0';
    if (n < 64 || (n > 64 && strcmp(line + 64, "\n") != 0) ||
        (line[64] = '\0', hex_decode(seed, sizeof seed, line) != 0)) {
        snprintf(err, errlen, "%s: not one line of 64 lowercase hex digits", path);
        goto out;
    }
    crypto_sign_seed_keypair(pk, sk, seed);
    rc = 0;
out:
    sodium_memzero(line, sizeof line);
    sodium_memzero(seed, sizeof seed);
    if (fd >= 0)
        close(fd);
    return rc;
}
