/* votectl_version.c - "votectl version [--hashes]": the release, and with
 * --hashes what the bureau's seals cover (election/software.h): one line per
 * file, "BLAKE2b-256  NAME" as `b2sum -l 256` prints it, then the digest the
 * sealed state names as "software". */
#include "votectl.h"

#include <stdio.h>
#include <string.h>
#include "crypto/hex.h"
#include "election/software.h"
#include "votesrv/version.h"

int cmd_version(votectl *v, int argc, char **argv)
{
    char err[CONFIG_ERR_CHARS], hex[65];
    software_manifest m;
    config cfg;

    printf("votesrv %s (%s)\n", VOTESRV_VERSION, VOTESRV_PROTOCOL);
    if (argc == 1)
        return 0;
    if (argc != 2 || strcmp(argv[1], "--hashes") != 0) {
        fprintf(stderr, "usage: votectl version [--hashes]\n");
        return EXIT_USAGE;
    }
    /* the portal's files are those of the configuration the daemon runs with */
    if (config_load(&cfg, v->config_path, err, sizeof err) != 0) {
        fprintf(stderr, "votectl: %s\n", err);
        return EXIT_INPUT;
    }
    if (software_manifest_make(&m, cfg.assets) != 0) {
        fprintf(stderr, "votectl: cannot read the daemon beside votectl or the portal's files "
                        "in %s\n", cfg.assets);
        return EXIT_INPUT;
    }
    for (size_t i = 0; i < m.n; i++) {
        hex_encode(hex, m.f[i].hash, sizeof m.f[i].hash);
        printf("%s  %s\n", hex, m.f[i].name);
    }
    hex_encode(hex, m.digest, sizeof m.digest);
    printf("%s  software (the sealed digest of the files above)\n", hex);
    return 0;
}
