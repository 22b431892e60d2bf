/* testutil_privsep.c - an election set out for a daemon whose processes
 * run as different users (test_privsep, test_units). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "testutil.h"
#include "votesrv/config.h"

/* An election of 4 voters in a folder of its own (load.csv for voteclient),
 * its configuration's privsep set to privsep (a JSON object); the SQLite
 * stores moved to wdir/data, owned by owner (-1: left root's) and readable by
 * the signer's group gid, the keys file given to the signer's user, 0600. */
char *tu_writer_election(const char *bin, char *cfgpath, size_t len, const char *privsep,
                         uid_t owner, gid_t gid, uid_t keys_owner)
{
    char *wdir = tu_tmpdir(), data[700], err[CONFIG_ERR_CHARS];
    const char *const ends[] = { "", "-journal", "-wal", "-shm" };
    config c;
    json_t *j;

    assert_int_equal(tu_election_generated(wdir, bin, 4, cfgpath, len), 0);
    assert_int_equal(tu_load_file(wdir, cfgpath, "csa-ministere", 4), 0);
    assert_int_equal(config_load(&c, cfgpath, err, sizeof err), 0);
    snprintf(data, sizeof data, "%s/data", wdir);
    assert_int_equal(mkdir(data, 0711), 0);
    assert_int_equal(chmod(data, 0711), 0);
    assert_int_equal(chown(data, owner, gid), 0);
    assert_non_null(j = json_load_file(cfgpath, 0, NULL));
    for (size_t i = 0; i < 2; i++) {
        const char *from = i == 0 ? c.registry : c.ballot_box;
        char to[800];

        for (size_t k = 0; k < 4; k++) {
            char a[CONFIG_PATH_CHARS + 16], b[900];

            snprintf(a, sizeof a, "%s%s", from, ends[k]);
            snprintf(b, sizeof b, "%s/%s%s", data, i == 0 ? "registry.db" : "ballots.db",
                     ends[k]);
            if (access(a, F_OK) != 0)
                continue;
            assert_int_equal(rename(a, b), 0);
            assert_int_equal(chown(b, owner, gid), 0);
            assert_int_equal(chmod(b, 0640), 0);
        }
        snprintf(to, sizeof to, "%s/%s", data, i == 0 ? "registry.db" : "ballots.db");
        json_object_set_new(json_object_get(j, "store"), i == 0 ? "registry" : "ballot_box",
                            json_string(to));
    }
    json_object_set_new(j, "privsep", json_loads(privsep, 0, NULL));
    assert_int_equal(json_dump_file(j, cfgpath, JSON_INDENT(1)), 0);
    json_decref(j);
    /* the writer reads its configuration and the election's files after its
     * change of user; the keys file is the signer's alone */
    assert_int_equal(chmod(cfgpath, 0644), 0);
    assert_int_equal(chmod(wdir, 0711), 0);
    assert_int_equal(chown(c.keys, keys_owner, (gid_t)-1), 0);
    assert_int_equal(chmod(c.keys, 0600), 0);
    return wdir;
}

