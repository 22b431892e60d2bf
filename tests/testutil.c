/* testutil.c - test helpers: temporary folders and files, stores and the
 * example election in them, the registry's SQL, archive files. The other
 * concerns are beside it (testutil.h lists them, file by file). */
#include "testutil.h"
#include "audit/audit.h"
#include "election/election.h"
#include "store/store.h"
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *tu_tmpdir(void)
{
    char *d = strdup("/tmp/votesrv-test-XXXXXX");

    if (d == NULL || mkdtemp(d) == NULL)
        abort();
    return d;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmdir(const char *dir)
{
    if (tu_pg())
        tu_pg_drop(dir);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_write(const char *dir, const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    FILE *f;

    if (path == NULL)
        abort();
    sprintf(path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
    return path;
}

static void print_store_error(const char *detail)
{
    fprintf(stderr, "store: %s\n", detail);
}

struct store *tu_store(const char *dir)
{
    char reg[512], box[512], pg[600], err[256];
    store_config c = { reg, box, 2, NULL, NULL, 0 };
    store *s;

    snprintf(reg, sizeof reg, "%s/registry.db", dir);
    snprintf(box, sizeof box, "%s/ballots.db", dir);
    if (tu_pg()) {
        if (tu_pg_conninfo(dir, pg, sizeof pg) != 0)
            abort();
        c.postgresql = pg;
    }
    s = store_open(&c, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "tu_store: %s\n", err);
        abort();
    }
    if (tu_pg())
        store_on_error(s, print_store_error);
    return s;
}

char *tu_definition(int64_t opens, int64_t closes)
{
    return tu_definition_bureau(opens, closes, 0);
}

char *tu_definition_bureau(int64_t opens, int64_t closes, size_t delegates)
{
    json_t *d = json_load_file("../conf/election.example.json", 0, NULL), *dl = json_array();
    char o[40], c[40], *text;
    time_t to = (time_t)opens, tc = (time_t)closes;
    struct tm tm;

    if (d == NULL)
        abort();
    gmtime_r(&to, &tm);
    strftime(o, sizeof o, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&tc, &tm);
    strftime(c, sizeof c, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(json_object_get(d, "voting"), "opens", json_string(o));
    json_object_set_new(json_object_get(d, "voting"), "closes", json_string(c));
    for (size_t i = 0; i < delegates; i++) {
        snprintf(o, sizeof o, "Délégué %zu", i + 1);
        json_array_append_new(dl, json_string(o));
    }
    if (delegates > 0)
        json_object_set_new(d, "bureau", json_pack("{sssO}", "president", "Présidente du BV",
                                                   "delegates", dl));
    json_decref(dl);
    text = json_dumps(d, JSON_INDENT(1));
    json_decref(d);
    return text;
}

struct store *tu_election(const char *dir, const char *csv, int64_t opens, int64_t closes)
{
    return tu_election_bureau(dir, csv, opens, closes, 0);
}

struct store *tu_election_bureau(const char *dir, const char *csv, int64_t opens, int64_t closes,
                                 size_t delegates)
{
    uint8_t pk[32], sk[64];
    election_ctx c = { "officer", "test", NULL, opens, "", NULL, ELECTION_WHY_OTHER };
    def_election d;
    voter_list l;
    voters_diff diff;
    char err[300], *text = tu_definition_bureau(opens, closes, delegates);
    store *s = tu_store(dir);

    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    free(tu_write(dir, "voters.csv", csv));        /* the HR file, for the demo's roster */
    if (def_parse(&d, text, strlen(text), err, sizeof err) != 0 ||
        election_create(s, &c, &d, pk) != 0 ||
        voters_parse_buffer(&l, "voters.csv", csv, strlen(csv), &d) != 0 ||
        voters_diff_compute(s, &l, &diff) != 0 ||
        election_import_voters(s, &c, &l, &diff, NULL, NULL) != 0)
        abort();
    voter_list_free(&l);
    def_free(&d);
    free(text);
    return s;
}

json_t *tu_archive_load(const char *path)
{
    FILE *f = fopen(path, "r");
    json_t *a = f != NULL ? tu_archive_read(f) : NULL;

    if (f != NULL)
        fclose(f);
    return a;
}

json_t *tu_archive_read(FILE *f)
{
    json_t *a = json_pack("{s:[]}", "scrutins"), *line, *cur = NULL;
    char *buf = NULL;
    size_t cap = 0;

    while (getline(&buf, &cap, f) > 0) {
        const char *key;
        json_t *v;

        if ((line = json_loads(buf, 0, NULL)) == NULL) {
            json_decref(a);
            a = NULL;
            break;
        }
        if (json_object_get(line, "tracker") != NULL) {
            json_array_append(json_object_get(cur, "board"), line);
        } else if ((v = json_object_get(line, "scrutin")) != NULL) {
            cur = json_deep_copy(v);
            json_object_set_new(cur, "board", json_array());
            json_array_append_new(json_object_get(a, "scrutins"), cur);
        } else {
            json_object_foreach(line, key, v)
                json_object_set(a, key, v);
        }
        json_decref(line);
    }
    free(buf);
    return a;
}

void tu_store_discard(struct store *s, char *dir)
{
    store_close(s);
    tu_rmdir(dir);
    free(dir);
}

int tu_fixture_teardown(void **state)
{
    tu_fixture_head *f = *state;

    tu_store_discard(f->s, f->dir);
    free(f);
    return 0;
}

int tu_registry_sql(const char *dir, const char *sql)
{
    char out[2048], pg[600];
    int rc;

    free(tu_write(dir, "registry.sql", sql));
    if (tu_pg()) {
        if (tu_pg_conninfo(dir, pg, sizeof pg) != 0)
            return -1;
        rc = tu_sh(out, sizeof out, "PGOPTIONS='-c search_path=registry' psql '%s' "
                   "-v ON_ERROR_STOP=1 -q -f %s/registry.sql", pg, dir);
    } else {
        rc = tu_sh(out, sizeof out, "sqlite3 -cmd '.timeout 10000' %s/registry.db "
                   "< %s/registry.sql", dir, dir);
    }
    if (rc != 0)
        fprintf(stderr, "registry SQL failed: %s\n", out);
    return rc == 0 ? 0 : -1;
}
