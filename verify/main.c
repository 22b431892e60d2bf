/*
 * voteverify - check an election archive independently of the server:
 *   voteverify [--threads N] [--audit-log REGISTRY.db]
 *              [--software VOTESRV [--portal DIR]] ARCHIVE
 * One verdict line per check; exit 0 if every check passed, 1 if one failed,
 * 2 on usage errors, 3 if the archive cannot be read.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "verify.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: voteverify [--threads N] [--audit-log REGISTRY.db]\n"
                 "                  [--software VOTESRV [--portal DIR]] ARCHIVE\n\n"
                 "Checks a votesrv election archive (votectl archive, GET /api/v1/archive):\n"
                 "the definition's fingerprint, the key ceremony and the joint key, the seals,\n"
                 "every ballot's proofs and credential signature, the credential list and its\n"
                 "single use per scrutin, duplicates, ballots = signatures, the box digests,\n"
                 "the sums, every partial decryption, the counts and seats, the audit\n"
                 "checkpoints; with --audit-log, the audit log's chain against the archive\n"
                 "(it names voters: it is shown to auditors, not published) and the seals'\n"
                 "signature-list digest; with --software (the votesrv program of a build of\n"
                 "the reviewed commit) and --portal (its static portal folder), the seals'\n"
                 "software digest.\n"
                 "Exit 0 if all hold, 1 if a check failed.\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "threads", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
        { "audit-log", required_argument, NULL, 'a' },
        { "software", required_argument, NULL, 's' }, { "portal", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 }
    };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    vv v;
    FILE *in;
    int ch, rc;

    memset(&v, 0, sizeof v);
    v.threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch == 't' && atoi(optarg) >= 1 && atoi(optarg) <= 64) {
            v.threads = atoi(optarg);
        } else if (ch == 'a') {
            v.audit_log = optarg;
        } else if (ch == 's') {
            v.daemon = optarg;
        } else if (ch == 'p') {
            v.portal = optarg;
        } else {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : 2;
        }
    }
    if (optind != argc - 1 || (v.portal != NULL && v.daemon == NULL)) {
        usage(stderr);
        return 2;
    }
    if (crypto_init() != 0 || (in = fopen(argv[optind], "r")) == NULL) {
        fprintf(stderr, "voteverify: cannot read %s\n", argv[optind]);
        return 3;
    }
    rc = vv_archive(&v, in);
    fclose(in);
    if (rc != 0)
        v.failures++;
    printf("%s: %d check(s) failed\n", v.failures ? "ARCHIVE REJECTED" : "ARCHIVE VERIFIED",
           v.failures);
    vv_free(&v);
    return v.failures ? 1 : 0;
}
