/*
 * software.h - what the bureau's seals cover of the software (docs/protocol.md
 * §6.3): the daemon program and the portal's static files that voters' browsers
 * run (the ballot encryption and libsodium among them). Each file's
 * BLAKE2b-256, and a digest over the list, which is the sealed state's
 * "software" value. `votectl version --hashes` prints the same list, so that
 * anyone can compare it with a reproducible build of the reviewed commit.
 */
#ifndef VOTESRV_SOFTWARE_H
#define VOTESRV_SOFTWARE_H

#include <stddef.h>
#include <stdint.h>

#define SOFTWARE_MAX_FILES 64
#define SOFTWARE_NAME_CHARS 96

typedef struct {
    char name[SOFTWARE_NAME_CHARS];       /* "votesrv", "portal/vote.mjs", ... */
    uint8_t hash[32];
} software_file;

typedef struct {
    software_file f[SOFTWARE_MAX_FILES];
    size_t n;
    uint8_t digest[32];   /* Hb("votesrv/v1/software"; for each file in order: name, hash) */
} software_manifest;

/* The daemon installed beside this program (a program with no votesrv beside
 * it, a test, covers itself), then every regular file of assets_dir (NULL or
 * "": none) by name. -1 if a file cannot be read or there are too many. */
int software_manifest_make(software_manifest *m, const char *assets_dir);

#endif
