/* roster.c - votecad init: its store made from votecred's roster
 * (votecred-state.json, format votesrv-credential-state/1), all or nothing. */
#include "credauth_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crypto/group.h"
#include "crypto/hex.h"

/* An address the mail goes to: printable ASCII, one '@', nothing that could
 * end an SMTP envelope or a header. */
static int address_ok(const char *a, size_t len)
{
    const char *at = strchr(a, '@');

    if (len < 3 || len > 254 || strlen(a) != len || at == NULL || at == a || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL)
        return 0;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("<>,;\"\\()[]", *p))
            return 0;
    return 1;
}

static int bad(char *err, size_t errlen, const char *path, const char *what, const char *who)
{
    snprintf(err, errlen, "%s: %s%s%s", path, what, who ? ": voter " : "", who ? who : "");
    return -1;
}

static int load_voter(sqlite3 *db, json_t *v, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *emails, *creds, *e, *s;
    const char *number, *scrutin;
    char *text;
    size_t i;
    int rc;

    if (json_unpack_ex(v, &je, JSON_STRICT, "{s:s,s:o,s:o}", "number", &number, "emails",
                       &emails, "credentials", &creds) != 0 ||
        !credauth_name_ok(number, strlen(number)))
        return bad(err, errlen, path, "each voter is {\"number\", \"emails\", \"credentials\"}",
                   NULL);
    if (!json_is_array(emails) || json_array_size(emails) > CREDAUTH_MAX_EMAILS)
        return bad(err, errlen, path, "emails must list at most 8 addresses", number);
    json_array_foreach(emails, i, e)
        if (!json_is_string(e) || !address_ok(json_string_value(e), json_string_length(e)))
            return bad(err, errlen, path, "an address is not a plain e-mail address", number);
    if (!json_is_object(creds) || json_object_size(creds) == 0 ||
        json_object_size(creds) > CREDAUTH_MAX_SCRUTINS)
        return bad(err, errlen, path, "credentials must map 1-64 scrutins to S", number);
    text = json_dumps(emails, JSON_COMPACT);
    rc = text != NULL ? cas_voter_put(db, number, text) : CAS_ERROR;
    free(text);
    if (rc != CAS_OK)
        return bad(err, errlen, path, "voter listed twice", number);
    json_object_foreach(creds, scrutin, s) {
        uint8_t pub[32];
        group_point p;

        if (!credauth_name_ok(scrutin, strlen(scrutin)) ||
            credauth_hex_field(pub, sizeof pub, s) != 0 || group_point_decode(&p, pub, 0) != 0)
            return bad(err, errlen, path, "a credential is not a scrutin id and a valid point",
                       number);
        if (cas_credential_put(db, number, scrutin, pub) != CAS_OK)
            return bad(err, errlen, path, "a credential is listed twice", number);
    }
    return 0;
}

static int load_roster(sqlite3 *db, json_t *root, const uint8_t pk[32], const char *path,
                       char *err, size_t errlen)
{
    json_error_t je;
    const char *format, *election, *fp, *authority;
    json_t *voters, *v;
    uint8_t buf[32];
    char pkhex[65];
    size_t i;

    if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s,s:s,s:s,s:s,s:o}", "format", &format,
                       "election", &election, "fingerprint", &fp, "authority", &authority,
                       "voters", &voters) != 0 ||
        strcmp(format, CREDAUTH_STATE_FORMAT) != 0)
        return bad(err, errlen, path, "not a " CREDAUTH_STATE_FORMAT " file (format, election, "
                   "fingerprint, authority, voters)", NULL);
    if (!credauth_name_ok(election, strlen(election)) || strlen(fp) != 64 ||
        hex_decode(buf, 32, fp) != 0)
        return bad(err, errlen, path, "election must be its id, fingerprint 64 hex digits", NULL);
    hex_encode(pkhex, pk, 32);
    if (strcmp(authority, pkhex) != 0)
        return bad(err, errlen, path, "its authority is not the public key of the key file",
                   NULL);
    if (!json_is_array(voters) || json_array_size(voters) == 0)
        return bad(err, errlen, path, "voters must list the voters", NULL);
    if (cas_meta_put(db, election, fp, authority) != CAS_OK)
        return bad(err, errlen, path, "cannot be stored", NULL);
    json_array_foreach(voters, i, v)
        if (load_voter(db, v, path, err, errlen) != 0)
            return -1;
    return 0;
}

int credauth_init(const credauth_config *c, char *err, size_t errlen)
{
    uint8_t pk[32], sk[64];
    json_error_t je;
    json_t *root;
    struct stat sb;
    sqlite3 *db;
    int rc = -1;

    if (credauth_key_load(c->key_file, pk, sk, err, errlen) != 0)
        return -1;
    sodium_memzero(sk, sizeof sk);
    if (stat(c->roster, &sb) == 0 && (sb.st_mode & 077) != 0) {
        snprintf(err, errlen, "%s: readable by others than its owner (chmod 600)", c->roster);
        return -1;
    }
    root = json_load_file(c->roster, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        snprintf(err, errlen, "%s:%d: %s", c->roster, je.line, je.text);
        return -1;
    }
    if (cas_create(&db, c->store_path, err, errlen) != CAS_OK) {
        json_decref(root);
        return -1;
    }
    if (cas_begin(db) == CAS_OK && load_roster(db, root, pk, c->roster, err, errlen) == 0) {
        if (cas_commit(db) == CAS_OK)
            rc = 0;
        else
            snprintf(err, errlen, "%s: %s", c->store_path, sqlite3_errmsg(db));
    }
    cas_rollback(db);
    sqlite3_close(db);
    json_decref(root);
    if (rc != 0) {
        char side[CREDAUTH_PATH_CHARS + 8];

        unlink(c->store_path);
        snprintf(side, sizeof side, "%s-wal", c->store_path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", c->store_path);
        unlink(side);
    }
    return rc;
}
