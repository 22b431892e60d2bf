/* votectl_backup.c - votectl backup DIR and votectl restore DIR [--replace]:
 * an online copy of the SQLite store while the daemon runs and casts, and
 * its return into place once checked (docs/deployment.md, "Backups").
 *
 * DIR holds registry.db, ballots.db (0600) and manifest.json: the copies'
 * SHA-256 and sizes, the time, the election id, each scrutin's box state
 * (count and digest) and the audit log's head. Nothing else: no ballot, no
 * voter beyond what the files themselves hold. */
#include "votectl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sodium.h>
#include "audit/audit.h"
#include "ballot/ballot.h"
#include "crypto/hex.h"
#include "election/definition.h"
#include "signer/signer.h"

#define BACKUP_FORMAT "votesrv-backup/1"
#define REGISTRY_NAME "registry.db"
#define BOX_NAME "ballots.db"
#define MANIFEST_NAME "manifest.json"
#define PAGE_BALLOTS 512
#define PROBES 16                /* ballots per scrutin looked up by tracker */

typedef struct {
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    uint64_t count, ballots, signatures;
    uint8_t digest[32], recomputed[32];
    int bad_tracker;
    uint8_t probe[PROBES][32];   /* the first ballots' trackers */
    size_t nprobe;
} scrutin_state;

/* What a copy holds, read from it (one read transaction). */
typedef struct {
    store_election e;
    uint64_t audit_seq;
    uint8_t audit_head[32];
    scrutin_state sc[DEF_MAX_SCRUTINS];
    size_t nsc;
    int check;               /* restore: also every ballot and signature */
    const uint8_t *box_key;  /* restore: the configuration's slot key */
    int probe_missing;       /* a probed ballot not found with box_key */
    size_t cur;
    uint8_t after[32];
    int has_after;
    uint64_t page;
    char err[256];
} copy_facts;

static int fail(const char *cmd, int code, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "votectl %s: ", cmd);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return code;
}

static void path_join(char *out, size_t len, const char *dir, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;

    if (fd >= 0)
        close(fd);
    return rc;
}

/* SHA-256 and size of a file: 0 or -1. */
static int file_sha256(const char *path, uint8_t out[32], uint64_t *size)
{
    crypto_hash_sha256_state st;
    uint8_t buf[1 << 16];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    crypto_hash_sha256_init(&st);
    *size = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
        *size += (uint64_t)n;
    }
    close(fd);
    crypto_hash_sha256_final(&st, out);
    return n == 0 ? 0 : -1;
}

/* A JSON string member, "" if absent or not a string. */
static const char *jstr(json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? s : "";
}

/* ---- reading a copy ---- */

static int count_signature(const char *scrutin, const char *number, void *arg)
{
    copy_facts *f = arg;

    (void)number;
    for (size_t i = 0; i < f->nsc; i++)
        if (strcmp(f->sc[i].scrutin, scrutin) == 0) {
            f->sc[i].signatures++;
            return 0;
        }
    snprintf(f->err, sizeof f->err, "a signature for scrutin %s, which the election lacks",
             scrutin);
    return 1;
}

static int check_ballot(const uint8_t *tracker, const char *body, void *arg)
{
    copy_facts *f = arg;
    scrutin_state *s = &f->sc[f->cur];
    uint8_t t[BALLOT_TRACKER_BYTES];

    ballot_tracker(t, body);
    if (sodium_memcmp(t, tracker, sizeof t) != 0)
        s->bad_tracker = 1;
    if (box_digest_add(s->recomputed, tracker) != 0)
        s->bad_tracker = 1;
    if (s->nprobe < PROBES)
        memcpy(s->probe[s->nprobe++], tracker, 32);
    s->ballots++;
    memcpy(f->after, tracker, 32);
    f->has_after = 1;
    f->page++;
    return 0;
}

/* The election, the audit head, each scrutin's box state; with f->check,
 * every ballot read (tracker recomputed, digest summed) and every signature
 * counted. */
static int run_facts(store_tx *tx, void *arg)
{
    copy_facts *f = arg;
    def_election d;
    char err[200];
    int rc = store_election_get(tx, &f->e);

    if (rc != STORE_OK)
        return rc;
    if ((rc = store_audit_last(tx, &f->audit_seq, f->audit_head)) != STORE_OK)
        return rc;
    if (def_parse(&d, f->e.definition, strlen(f->e.definition), err, sizeof err) != 0) {
        snprintf(f->err, sizeof f->err, "the election's definition: %s", err);
        return 1;
    }
    f->nsc = d.nscrutins;
    for (size_t i = 0; i < d.nscrutins && rc == STORE_OK; i++) {
        scrutin_state *s = &f->sc[i];

        snprintf(s->scrutin, sizeof s->scrutin, "%s", d.scrutins[i].id);
        rc = store_box_state_get(tx, s->scrutin, &s->count, s->digest);
        if (rc == STORE_ENOTFOUND) {
            s->count = 0;
            memset(s->digest, 0, sizeof s->digest);
            rc = STORE_OK;
        }
        f->cur = i;
        f->has_after = 0;
        memset(s->recomputed, 0, sizeof s->recomputed);
        do {
            f->page = 0;
            if (f->check && rc == STORE_OK)
                rc = store_ballots_page(tx, s->scrutin, f->has_after ? f->after : NULL,
                                        PAGE_BALLOTS, check_ballot, f);
        } while (f->check && rc == STORE_OK && f->page == PAGE_BALLOTS);
        /* found where the configuration's slot key puts them: the box was
         * filled under this keys file's pepper */
        for (size_t j = 0; f->box_key != NULL && rc == STORE_OK && j < s->nprobe; j++) {
            char scrutin[STORE_SCRUTIN_CHARS + 1];
            char *body = NULL;

            rc = store_ballot_get(tx, s->probe[j], scrutin, &body);
            free(body);
            if (rc == STORE_ENOTFOUND) {
                f->probe_missing = 1;
                rc = STORE_OK;
            }
        }
    }
    def_free(&d);
    if (rc == STORE_OK && f->check)
        rc = store_signatures_each(tx, count_signature, f);
    return rc;
}

/* Open the copy's two files read-only and read f from them. 0, or -1 with
 * the reason in f->err. */
static int copy_read(const char *registry, const char *box, copy_facts *f)
{
    store_config sc = { registry, box, 1, NULL, f->box_key, 1 };
    char err[256];
    store *s = store_open(&sc, err, sizeof err);
    int rc;

    if (s == NULL) {
        snprintf(f->err, sizeof f->err, "%s", err);
        return -1;
    }
    rc = store_read(s, run_facts, f);
    if (rc != STORE_OK && f->err[0] == '\0')
        snprintf(f->err, sizeof f->err, "the copy cannot be read (store error %d)", rc);
    if (rc == STORE_OK && f->check) {
        audit_verifier v;

        audit_log_verify_reset();
        if ((rc = audit_log_verify(s, &v)) != STORE_OK)
            snprintf(f->err, sizeof f->err, "the audit log cannot be read (store error %d)", rc);
        else if (v.failed || v.entries != f->audit_seq) {
            snprintf(f->err, sizeof f->err, "the audit chain does not verify: entry %llu: %s",
                     (unsigned long long)v.bad_seq, v.failed ? v.reason : "not chained");
            rc = 1;
        }
        audit_log_verify_reset();
    }
    store_close(s);
    return rc == STORE_OK ? 0 : -1;
}

static void facts_free(copy_facts *f)
{
    free(f->e.definition);
    f->e.definition = NULL;
}

/* The configuration, whose store must be SQLite's: 0, or the exit code. */
static int config_sqlite(votectl *v, const char *cmd)
{
    char err[CONFIG_ERR_CHARS];

    if (config_load(&v->srv.cfg, v->config_path, err, sizeof err) != 0)
        return fail(cmd, EXIT_INPUT, "%s%s", err, "");
    if (v->srv.cfg.postgresql[0] != '\0')
        return fail(cmd, EXIT_REFUSED, "%s%s",
                    "the store is PostgreSQL: its backups are pg_basebackup's "
                    "(docs/deployment.md, \"Backups\"); nothing was changed", "");
    return 0;
}

/* ---- backup ---- */

static json_t *file_json(const char *path)
{
    uint8_t h[32];
    char hex[65];
    uint64_t size;

    if (file_sha256(path, h, &size) != 0)
        return NULL;
    hex_encode(hex, h, 32);
    return json_pack("{sIss}", "bytes", (json_int_t)size, "sha256", hex);
}

static json_t *manifest_json(const copy_facts *f, const char *reg, const char *box,
                             double hold_s)
{
    char when[32], hex[65];
    time_t t = time(NULL);
    struct tm tm;
    json_t *m, *scrutins = json_array(), *freg = file_json(reg), *fbox = file_json(box);

    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    for (size_t i = 0; scrutins != NULL && i < f->nsc; i++) {
        hex_encode(hex, f->sc[i].digest, 32);
        json_array_append_new(scrutins, json_pack("{sssIss}", "scrutin", f->sc[i].scrutin,
                                                  "ballots", (json_int_t)f->sc[i].count,
                                                  "digest", hex));
    }
    hex_encode(hex, f->audit_head, 32);
    m = json_pack("{sssssss{soso}sos{sIss}sf}", "format", BACKUP_FORMAT, "time", when, "eid",
                  f->e.eid, "files", REGISTRY_NAME, freg, BOX_NAME, fbox, "box", scrutins,
                  "audit", "entries", (json_int_t)f->audit_seq, "head", hex, "lock_hold_s",
                  hold_s);
    return m;
}

/* DIR is new, or an empty folder of this user's, made 0700 (whoever else
 * may write to it could replace the files between the manifest and the
 * restore; whoever may list it learns their sizes): 0 (*made if this call
 * made it), or 1 with why. */
static int dir_prepare(const char *dir, int *made, const char **why)
{
    DIR *d;
    struct dirent *e;
    struct stat st;

    *made = 0;
    *why = "exists and is not an empty folder";
    if (mkdir(dir, 0700) == 0) {
        *made = 1;
        return 0;
    }
    if (errno != EEXIST) {
        *why = strerror(errno);
        return 1;
    }
    if ((d = opendir(dir)) == NULL)
        return 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            closedir(d);
            return 1;
        }
    if (fstat(dirfd(d), &st) != 0 || st.st_uid != geteuid()) {
        *why = "is another user's folder (another account could replace the copy)";
        closedir(d);
        return 1;
    }
    if (fchmod(dirfd(d), 0700) != 0) {
        *why = strerror(errno);
        closedir(d);
        return 1;
    }
    closedir(d);
    return 0;
}

static int write_file_synced(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t len = strlen(text);
    int rc;

    if (fd < 0)
        return -1;
    rc = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
    return close(fd) == 0 ? rc : -1;
}

int cmd_backup(votectl *v, int argc, char **argv)
{
    char reg_tmp[4096], box_tmp[4096], man_tmp[4096], reg[4096], box[4096], man[4096];
    char err[CONFIG_ERR_CHARS];
    copy_facts f;
    config *cfg = &v->srv.cfg;
    store_config sc;
    double hold_s;
    json_t *m = NULL;
    const char *why;
    char *text = NULL;
    int made, rc = EXIT_STORE;

    if (argc != 2 || argv[1][0] == '-')
        return votectl_usage_error("%s", "expects the backup's folder");
    if ((rc = config_sqlite(v, "backup")) != 0)
        return rc;
    rc = EXIT_STORE;             /* until the copy is in place */
    if (dir_prepare(argv[1], &made, &why) != 0)
        return fail("backup", EXIT_REFUSED, "%s: %s; nothing was written", argv[1], why);
    path_join(reg_tmp, sizeof reg_tmp, argv[1], "." REGISTRY_NAME ".tmp");
    path_join(box_tmp, sizeof box_tmp, argv[1], "." BOX_NAME ".tmp");
    path_join(man_tmp, sizeof man_tmp, argv[1], "." MANIFEST_NAME ".tmp");
    path_join(reg, sizeof reg, argv[1], REGISTRY_NAME);
    path_join(box, sizeof box, argv[1], BOX_NAME);
    path_join(man, sizeof man, argv[1], MANIFEST_NAME);
    sc = server_store_config(cfg, 1);
    memset(&f, 0, sizeof f);
    if (store_backup_copy(&sc, reg_tmp, box_tmp, &hold_s, err, sizeof err) != 0) {
        fail("backup", EXIT_STORE, "%s%s", err, "");
        goto out;
    }
    if (chmod(reg_tmp, 0600) != 0 || chmod(box_tmp, 0600) != 0) {
        fail("backup", EXIT_STORE, "%s: %s", argv[1], strerror(errno));
        goto out;
    }
    if (copy_read(reg_tmp, box_tmp, &f) != 0) {
        fail("backup", EXIT_STORE, "the copy: %s%s", f.err, "");
        goto out;
    }
    if ((m = manifest_json(&f, reg_tmp, box_tmp, hold_s)) == NULL ||
        (text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL ||
        write_file_synced(man_tmp, text) != 0) {
        fail("backup", EXIT_STORE, "%s: %s", man, "cannot be written");
        goto out;
    }
    if (rename(reg_tmp, reg) != 0 || rename(box_tmp, box) != 0 || rename(man_tmp, man) != 0 ||
        sync_dir(argv[1]) != 0) {
        fail("backup", EXIT_STORE, "%s: %s", argv[1], strerror(errno));
        goto out;
    }
    printf("backup of election %s written to %s: %llu audit entries; the daemon's writes "
           "waited %.3f s\n", f.e.eid, argv[1], (unsigned long long)f.audit_seq, hold_s);
    rc = 0;
out:
    if (rc != 0) {
        unlink(reg_tmp);
        unlink(box_tmp);
        unlink(man_tmp);
        unlink(reg);
        unlink(box);
        unlink(man);
        if (made)
            rmdir(argv[1]);
    }
    free(text);
    json_decref(m);
    facts_free(&f);
    return rc;
}

/* ---- restore ---- */

/* Whether something answers on the daemon's listeners (public, internal,
 * Unix): then it runs, and its files must not be replaced under it. */
static int tcp_answers(const char *address, int port)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *sa = NULL;
    socklen_t len = 0;
    int fd, rc;

    if (port <= 0 || address[0] == '\0')
        return 0;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, address, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a4;
        len = sizeof a4;
    } else if (inet_pton(AF_INET6, address, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a6;
        len = sizeof a6;
    } else {
        return 0;
    }
    if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return 0;
    rc = connect(fd, sa, len) == 0;
    close(fd);
    return rc;
}

static int unix_answers(const char *path)
{
    struct sockaddr_un a;
    int fd, rc;

    if (path[0] == '\0' || strlen(path) >= sizeof a.sun_path)
        return 0;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return 0;
    rc = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return rc;
}

/* Whether another process holds one of the store's files open (the daemon
 * keeps both open while it runs), from /proc: every process of this user,
 * or of all users when run as root. */
static int file_open_elsewhere(const char *a, const char *b)
{
    struct stat sa, sb, st;
    DIR *proc = opendir("/proc");
    struct dirent *p;
    int found = 0, has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;

    if (proc == NULL || (!has_a && !has_b)) {
        if (proc != NULL)
            closedir(proc);
        return 0;
    }
    while (!found && (p = readdir(proc)) != NULL) {
        char fds[300], fd[600];
        DIR *d;
        struct dirent *e;

        if (p->d_name[0] < '0' || p->d_name[0] > '9' || atol(p->d_name) == (long)getpid())
            continue;
        snprintf(fds, sizeof fds, "/proc/%s/fd", p->d_name);
        if ((d = opendir(fds)) == NULL)
            continue;
        while (!found && (e = readdir(d)) != NULL) {
            snprintf(fd, sizeof fd, "%s/%s", fds, e->d_name);
            if (e->d_name[0] != '.' && stat(fd, &st) == 0 &&
                ((has_a && st.st_dev == sa.st_dev && st.st_ino == sa.st_ino) ||
                 (has_b && st.st_dev == sb.st_dev && st.st_ino == sb.st_ino)))
                found = 1;
        }
        closedir(d);
    }
    closedir(proc);
    return found;
}

static int daemon_running(const config *c)
{
    return tcp_answers(c->listen_address, c->port) ||
           tcp_answers(c->internal_address, c->internal_port) || unix_answers(c->unix_path) ||
           file_open_elsewhere(c->registry, c->ballot_box);
}

/* The manifest's record of one file: 0 if the file matches it, else 1 with why. */
static int file_matches(json_t *man, const char *path, const char *name, char *why,
                        size_t len)
{
    json_t *rec = json_object_get(json_object_get(man, "files"), name);
    const char *want = json_string_value(json_object_get(rec, "sha256"));
    char hex[65];
    uint8_t h[32];
    uint64_t size;

    if (want == NULL || !json_is_integer(json_object_get(rec, "bytes"))) {
        snprintf(why, len, "the manifest has no record of %s", name);
        return 1;
    }
    if (file_sha256(path, h, &size) != 0) {
        snprintf(why, len, "%s cannot be read", path);
        return 1;
    }
    hex_encode(hex, h, 32);
    if (size != (uint64_t)json_integer_value(json_object_get(rec, "bytes")) ||
        strcmp(hex, want) != 0) {
        snprintf(why, len, "%s: its size or SHA-256 differs from the manifest's", name);
        return 1;
    }
    return 0;
}

/* Every check of a copy (reg, box: the staged files, the very bytes put in
 * place) against its manifest and this server's keys: 0, or 1 with why. */
static int copy_check(const char *reg, const char *box, const config *cfg, json_t *man,
                      copy_facts *f, char *why, size_t len)
{
    char hex[65];
    server_keys k;
    signer_keys d;
    json_t *sc, *audit;
    size_t i;

    if (file_matches(man, reg, REGISTRY_NAME, why, len) != 0 ||
        file_matches(man, box, BOX_NAME, why, len) != 0)
        return 1;
    if (store_file_check(reg, why, len) != 0 || store_file_check(box, why, len) != 0)
        return 1;
    if (server_keys_load(&k, cfg->keys, 0, why, len) != 0)
        return 1;
    signer_keys_derive(&d, k.pepper, k.audit_pk);
    sodium_memzero(k.pepper, sizeof k.pepper);
    sodium_memzero(k.audit_sk, sizeof k.audit_sk);
    f->check = 1;
    f->box_key = d.box_key;
    i = (size_t)copy_read(reg, box, f);
    f->box_key = NULL;
    sodium_memzero(&d, sizeof d);
    if (i != 0) {
        snprintf(why, len, "%s", f->err);
        return 1;
    }
    if (strcmp(f->e.eid, jstr(json_object_get(man, "eid"))) != 0) {
        snprintf(why, len, "the copy holds election %s, not the manifest's", f->e.eid);
        return 1;
    }
    i = sodium_memcmp(k.audit_pk, f->e.audit_key, 32);
    sodium_memzero(&k, sizeof k);
    if (i != 0) {
        snprintf(why, len, "election %s was not run with this configuration's keys (%s): its "
                 "audit key differs", f->e.eid, cfg->keys);
        return 1;
    }
    if (f->probe_missing) {
        snprintf(why, len, "election %s was not run with this configuration's keys (%s): its "
                 "ballots are not where this pepper puts them", f->e.eid, cfg->keys);
        return 1;
    }
    hex_encode(hex, f->audit_head, 32);
    audit = json_object_get(man, "audit");
    if ((uint64_t)json_integer_value(json_object_get(audit, "entries")) != f->audit_seq ||
        strcmp(hex, jstr(json_object_get(audit, "head"))) != 0) {
        snprintf(why, len, "the audit log's head differs from the manifest's");
        return 1;
    }
    sc = json_object_get(man, "box");
    if (json_array_size(sc) != f->nsc) {
        snprintf(why, len, "the manifest's scrutins are not the election's");
        return 1;
    }
    for (i = 0; i < f->nsc; i++) {
        scrutin_state *s = &f->sc[i];
        json_t *e = json_array_get(sc, i);

        hex_encode(hex, s->digest, 32);
        if (s->bad_tracker) {
            snprintf(why, len, "scrutin %s: a ballot's content does not match its tracker",
                     s->scrutin);
            return 1;
        }
        if (s->ballots != s->count || sodium_memcmp(s->recomputed, s->digest, 32) != 0) {
            snprintf(why, len, "scrutin %s: the box's ballots do not give its count and digest",
                     s->scrutin);
            return 1;
        }
        if (s->ballots != s->signatures) {
            snprintf(why, len, "scrutin %s: %llu ballots in the box but %llu signatures on the "
                     "list", s->scrutin, (unsigned long long)s->ballots,
                     (unsigned long long)s->signatures);
            return 1;
        }
        if (strcmp(jstr(json_object_get(e, "scrutin")), s->scrutin) != 0 ||
            (uint64_t)json_integer_value(json_object_get(e, "ballots")) != s->count ||
            strcmp(jstr(json_object_get(e, "digest")), hex) != 0) {
            snprintf(why, len, "scrutin %s: the box differs from the manifest's", s->scrutin);
            return 1;
        }
    }
    return 0;
}

/* The folder of path into out: "." without a slash, "/" for the root's. */
static void parent_of(char *out, size_t len, const char *path)
{
    char *slash;

    snprintf(out, len, "%s", path);
    if ((slash = strrchr(out, '/')) == NULL)
        snprintf(out, len, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

/* src copied to a new file beside target (temp name in tmp), synced, with
 * target's owner and mode if it exists, else its folder's owner and 0600.
 * src must be a regular file (not a FIFO or a device, which would hang the
 * copy or never end it). 0, or -1 with why. */
static int stage(const char *src, const char *target, char *tmp, size_t tmplen, char *why,
                 size_t len)
{
    char buf[1 << 16], dir[4096];
    struct stat st, sst;
    ssize_t n = 0;
    int in, out, rc = -1;

    snprintf(tmp, tmplen, "%s.restore-tmp", target);
    if (stat(target, &st) != 0) {
        parent_of(dir, sizeof dir, target);
        if (stat(dir, &st) != 0) {
            snprintf(why, len, "%s: %s", target, strerror(errno));
            return -1;
        }
        st.st_mode = 0600;
    }
    if ((in = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 || fstat(in, &sst) != 0 ||
        !S_ISREG(sst.st_mode)) {
        snprintf(why, len, "%s: %s", src, in < 0 ? strerror(errno) : "not a regular file");
        if (in >= 0)
            close(in);
        return -1;
    }
    unlink(tmp);                 /* an earlier restore's, interrupted */
    if ((out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        snprintf(why, len, "%s: %s", tmp, strerror(errno));
        close(in);
        return -1;
    }
    errno = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            break;
    if (n == 0 && fchmod(out, st.st_mode & 07777) == 0 &&
        (fchown(out, st.st_uid, st.st_gid) == 0 || errno == EPERM) && fsync(out) == 0)
        rc = 0;
    if (rc != 0)
        snprintf(why, len, "%s: %s", tmp, errno != 0 ? strerror(errno) : "short write");
    close(in);
    if (close(out) != 0 && rc == 0) {
        snprintf(why, len, "%s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* The manifest: a regular file of at most 1 MiB (it is a few hundred bytes
 * per scrutin), or NULL. */
static json_t *manifest_load(const char *dir)
{
    char path[4096];
    struct stat st;
    json_t *man = NULL;
    int fd;

    path_join(path, sizeof path, dir, MANIFEST_NAME);
    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (1 << 20))
        man = json_loadfd(fd, 0, NULL);
    close(fd);
    if (!json_is_object(man) ||
        strcmp(jstr(json_object_get(man, "format")), BACKUP_FORMAT) != 0) {
        json_decref(man);
        return NULL;
    }
    return man;
}

/* The election id of an existing store at the targets, or of the restore
 * interrupted there (its pending mark holds it); "" if it cannot be read. */
static void target_eid(const config *cfg, char eid[STORE_EID_CHARS + 1])
{
    copy_facts *f = calloc(1, sizeof *f);
    char path[4096];
    FILE *r;

    eid[0] = '\0';
    snprintf(path, sizeof path, "%s" STORE_RESTORE_PENDING, cfg->registry);
    if ((r = fopen(path, "r")) != NULL) {
        if (fgets(eid, STORE_EID_CHARS + 1, r) == NULL)
            eid[0] = '\0';
        fclose(r);
    } else if (f != NULL && copy_read(cfg->registry, cfg->ballot_box, f) == 0)
        snprintf(eid, STORE_EID_CHARS + 1, "%s", f->e.eid);
    if (f != NULL)
        facts_free(f);
    free(f);
}

static void journal_remove(const char *db)
{
    char path[4096];

    snprintf(path, sizeof path, "%s-journal", db);
    unlink(path);
}

int cmd_restore(votectl *v, int argc, char **argv)
{
    config *cfg = &v->srv.cfg;
    char why[9000], reg[4096], box[4096], reg_tmp[4200] = "", box_tmp[4200] = "";
    char pending[4200];
    char eid[STORE_EID_CHARS + 1], *dir = NULL;
    copy_facts *f = NULL;
    json_t *man = NULL;
    struct stat st;
    int replace = 0, rc = EXIT_REFUSED;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--replace") == 0)
            replace = 1;
        else if (argv[i][0] == '-' || dir != NULL)
            return votectl_usage_error("unexpected argument %s", argv[i]);
        else
            dir = argv[i];
    }
    if (dir == NULL)
        return votectl_usage_error("%s", "expects the backup's folder");
    if ((rc = config_sqlite(v, "restore")) != 0)
        return rc;
    if (daemon_running(cfg))
        return fail("restore", EXIT_REFUSED, "%s%s",
                    "the daemon is running (its listener answers, or a process holds the "
                    "store's files open): stop it first; nothing was changed", "");
    if (!replace && (stat(cfg->registry, &st) == 0 || stat(cfg->ballot_box, &st) == 0))
        return fail("restore", EXIT_REFUSED, "%s or %s exists: pass --replace to put the "
                    "copy in its place; nothing was changed", cfg->registry, cfg->ballot_box);
    if ((man = manifest_load(dir)) == NULL) {
        rc = fail("restore", EXIT_REFUSED, "the copy in %s is refused: its %s is missing, "
                  "larger than 1 MiB or not a " BACKUP_FORMAT " manifest; nothing was changed",
                  dir, MANIFEST_NAME);
        goto out;
    }
    rc = EXIT_STORE;
    if ((f = calloc(1, sizeof *f)) == NULL)
        goto out;
    /* The copy is first staged beside the targets, then checked there: what is
     * checked is what is renamed into place, whatever is written to DIR
     * meanwhile. */
    path_join(reg, sizeof reg, dir, REGISTRY_NAME);
    path_join(box, sizeof box, dir, BOX_NAME);
    if (stage(box, cfg->ballot_box, box_tmp, sizeof box_tmp, why, sizeof why) != 0 ||
        stage(reg, cfg->registry, reg_tmp, sizeof reg_tmp, why, sizeof why) != 0) {
        rc = fail("restore", EXIT_STORE, "cannot stage the copy: %s; nothing was changed", why,
                  "");
        goto out;
    }
    if (copy_check(reg_tmp, box_tmp, cfg, man, f, why, sizeof why) != 0) {
        rc = fail("restore", EXIT_REFUSED, "the copy in %s is refused: %s; nothing was changed",
                  dir, why);
        goto out;
    }
    if (replace && stat(cfg->registry, &st) == 0) {
        target_eid(cfg, eid);
        if (eid[0] != '\0' && strcmp(eid, f->e.eid) != 0) {
            rc = fail("restore", EXIT_REFUSED, "the store in place holds election %s, the "
                      "copy %s; nothing was changed", eid, f->e.eid);
            goto out;
        }
    }
    /* a daemon started since the first probe would keep the old files open */
    if (daemon_running(cfg)) {
        rc = fail("restore", EXIT_REFUSED, "%s%s", "the daemon started during the restore: "
                  "stop it and restore again; nothing was changed", "");
        goto out;
    }
    /* the pending mark: until it goes, every open of the store refuses it
     * (an interruption between the renames would leave files of two times) */
    snprintf(pending, sizeof pending, "%s" STORE_RESTORE_PENDING, cfg->registry);
    parent_of(reg, sizeof reg, cfg->registry);
    parent_of(box, sizeof box, cfg->ballot_box);
    unlink(pending);
    if (write_file_synced(pending, f->e.eid) != 0 || sync_dir(reg) != 0) {
        unlink(pending);
        rc = fail("restore", EXIT_STORE, "%s: %s; nothing was changed", pending,
                  strerror(errno));
        goto out;
    }
    /* a journal left beside the old files would be played onto the copy */
    journal_remove(cfg->ballot_box);
    journal_remove(cfg->registry);
    if (rename(box_tmp, cfg->ballot_box) != 0 || rename(reg_tmp, cfg->registry) != 0 ||
        sync_dir(box) != 0 || sync_dir(reg) != 0) {
        rc = fail("restore", EXIT_STORE, "%s: %s (run the restore again with --replace)",
                  cfg->registry, strerror(errno));
        goto out;
    }
    if (unlink(pending) != 0 || sync_dir(reg) != 0) {
        rc = fail("restore", EXIT_STORE, "%s: %s (run the restore again with --replace)",
                  pending, strerror(errno));
        goto out;
    }
    printf("restored election %s from %s (taken %s): %llu audit entries, every check passed\n",
           f->e.eid, dir, jstr(json_object_get(man, "time")), (unsigned long long)f->audit_seq);
    rc = 0;
out:
    if (rc != 0 && box_tmp[0] != '\0')
        unlink(box_tmp);
    if (rc != 0 && reg_tmp[0] != '\0')
        unlink(reg_tmp);
    json_decref(man);
    if (f != NULL)
        facts_free(f);
    free(f);
    return rc;
}
