/*
 * backup.h - a key holder's paper backup: the sealed key file (already
 * encrypted under the holder's passphrase, crypto/vault.h) printed as a QR
 * code and as Base64 text, one A4 page, to keep under seal. Restoring it
 * needs the paper and the passphrase.
 */
#ifndef VOTESRV_BACKUP_H
#define VOTESRV_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include "crypto/hex.h"

#define BACKUP_MAX_BYTES 2048          /* a key file fits one QR code at level M */

typedef struct {
    const char *election;    /* the election's id */
    const char *holder;      /* e.g. "holder 2 (delegate)" */
    const char *issued;      /* date shown */
} backup_info;

/* Write the page to pdf; 0, or -1. */
int backup_write(const char *pdf, const uint8_t *sealed, size_t len, const backup_info *info);
/* The Base64 text of a backup (white space ignored) back into bytes: the
 * number of bytes, or -1 if it is not a votesrv key file. */
MUST_CHECK
long backup_decode(uint8_t *out, size_t cap, const char *text);

#endif
