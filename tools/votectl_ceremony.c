/* votectl_ceremony.c - the officer's side of the bureau's work: relay the key
 * ceremony and the seals, count, show and publish the results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "box/box.h"
#include "crypto/hex.h"
#include "report/report.h"
#include "election/ceremony.h"
#include "tally/tally.h"
#include "votectl.h"

/* Write j to path ("-": standard output), indented. */
static int write_json(json_t *j, const char *path)
{
    int rc = strcmp(path, "-") == 0 ? json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS)
                                    : json_dump_file(j, path, JSON_INDENT(1) | JSON_SORT_KEYS);

    if (rc != 0) {
        fprintf(stderr, "votectl: could not write %s\n", path);
        return EXIT_STORE;
    }
    if (strcmp(path, "-") == 0)
        putchar('\n');
    return 0;
}

/* The end of a command that shows a document: write it, or say why not. */
static int emit(votectl *v, int rc, json_t *doc, const char *path)
{
    rc = rc == STORE_OK ? write_json(doc, path) : votectl_result(v, rc, NULL);
    json_decref(doc);
    return rc;
}

static int ceremony_export_cmd(votectl *v, opts *o)
{
    json_t *out;
    int rc = ceremony_export(v->store, &out);

    return emit(v, rc, out, o->pos[1]);
}

static int ceremony_post_cmd(votectl *v, opts *o)
{
    for (int i = 1; i < o->npos; i++) {
        json_error_t je;
        json_t *m = json_load_file(o->pos[i], JSON_REJECT_DUPLICATES, &je);
        char *text = m != NULL ? json_dumps(m, JSON_COMPACT) : NULL;
        int rc;

        json_decref(m);
        if (text == NULL) {
            fprintf(stderr, "votectl ceremony: %s is not a JSON message (line %d: %s)\n",
                    o->pos[i], je.line, je.text);
            return EXIT_INPUT;
        }
        v->ctx.actor = "officer";
        rc = tally_post_message(v->store, &v->ctx, text, strlen(text));
        free(text);
        if ((rc = votectl_result(v, rc, "accepted")) != 0)
            return rc;
    }
    return 0;
}

int cmd_ceremony(votectl *v, int argc, char **argv)
{
    opts o;
    const char *sub;
    int rc = votectl_parse_opts(argc, argv, &o, "r");

    if (rc != 0)
        return rc;
    sub = o.npos >= 1 ? o.pos[0] : "";
    if (!((strcmp(sub, "export") == 0 && o.npos == 2) ||
          (strcmp(sub, "post") == 0 && o.npos >= 2) ||
          (strcmp(sub, "restart") == 0 && o.npos == 1 && o.reason != NULL)))
        return votectl_usage_error("%s", "expects export OUT.json, post MESSAGE.json..., or "
                                   "restart --reason TEXT");
    if ((rc = votectl_open(v, 0)) != 0)
        return rc;
    if (strcmp(sub, "export") == 0) {
        rc = ceremony_export_cmd(v, &o);
    } else if (strcmp(sub, "post") == 0) {
        rc = ceremony_post_cmd(v, &o);
    } else {
        v->ctx.reason = o.reason;
        rc = votectl_result(v, ceremony_restart(v->store, &v->ctx),
                            "the key ceremony starts again: every holder posts new keys");
    }
    votectl_close(v);
    return rc;
}

/* The signature list names voters: a private file, never over another. */
static int write_private(json_t *j, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc;

    if (fd < 0) {
        fprintf(stderr, "votectl: cannot create %s (it must not exist)\n", path);
        return EXIT_INPUT;
    }
    rc = json_dumpfd(j, fd, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (close(fd) != 0 || rc != 0) {
        unlink(path);
        fprintf(stderr, "votectl: could not write %s\n", path);
        return EXIT_STORE;
    }
    return 0;
}

#define SEAL_STATE_USAGE "expects open OUT.json, or close OUT.json SIGNATURES.json"

/* The state to seal and, at close, the signature list it hashes: each holder
 * recomputes the state from that list and the archive (votetrustee seal). */
int cmd_seal_state(votectl *v, int argc, char **argv)
{
    opts o;
    json_t *state, *sigs = NULL;
    int rc = votectl_prepare(v, argc, argv, &o, "", -1, SEAL_STATE_USAGE), close_;

    if (rc != 0)
        return rc;
    close_ = o.npos == 3 && strcmp(o.pos[0], "close") == 0;
    if (!close_ && !(o.npos == 2 && strcmp(o.pos[0], "open") == 0)) {
        votectl_close(v);
        return votectl_usage_error("%s", SEAL_STATE_USAGE);
    }
    /* a closing state sealed before the end of the window would not be the last */
    if (close_ && (rc = votectl_result(v, election_voting_over(v->store, &v->ctx), NULL)) != 0) {
        votectl_close(v);
        return rc;
    }
    rc = ceremony_seal_state(v->store, o.pos[0], v->ctx.assets, &state, close_ ? &sigs : NULL);
    if (rc == ELECTION_REFUSED)
        snprintf(v->ctx.msg, sizeof v->ctx.msg, "no seal state: the election needs a bureau "
                 "de vote");
    if (rc == STORE_OK && close_ && (rc = write_private(sigs, o.pos[2])) != 0) {
        json_decref(state);
        json_decref(sigs);
        votectl_close(v);
        return rc;
    }
    json_decref(sigs);
    rc = emit(v, rc, state, o.pos[1]);
    votectl_close(v);
    return rc;
}

int cmd_tally(votectl *v, int argc, char **argv)
{
    opts o;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int rc = votectl_prepare(v, argc, argv, &o, "", 0, "expects no argument");

    if (rc != 0)
        return rc;
    rc = votectl_result(v, tally_count(v->store, &v->ctx, cores < 1 ? 1 : cores > 64 ? 64
                                                                           : (int)cores),
                        "counted");
    votectl_close(v);
    return rc;
}

static json_int_t int_of(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The results document as a person reads it: per scrutin, the counts, then
 * each list's votes and seats, and a seat the bureau must still award. */
static void results_print(json_t *r)
{
    size_t i, k;
    json_t *sc, *e;

    printf("decrypted by");
    json_array_foreach(json_object_get(r, "decrypted_by"), k, e)
        printf("%s %s (holder %lld)", k ? "," : "", json_string_value(json_object_get(e, "name")),
               (long long)int_of(e, "holder"));
    printf("\n");
    json_array_foreach(json_object_get(r, "scrutins"), i, sc) {
        json_t *contested = json_object_get(sc, "contested");

        printf("\n%s (%s): %lld seat(s)\n", json_string_value(json_object_get(sc, "title")),
               json_string_value(json_object_get(sc, "id")), (long long)int_of(sc, "seats"));
        printf("  registered %lld, signatures %lld (turnout %s %%), ballots %lld, blank %lld, "
               "expressed %lld\n", (long long)int_of(sc, "registered"),
               (long long)int_of(sc, "signatures"),
               json_string_value(json_object_get(sc, "turnout_percent")),
               (long long)int_of(sc, "ballots"), (long long)int_of(sc, "blank"),
               (long long)int_of(sc, "expressed"));
        json_array_foreach(json_object_get(sc, "lists"), k, e) {
            const char *u = json_string_value(json_object_get(e, "union"));

            printf("  %8lld votes %3lld seat(s)  %s%s%s%s\n", (long long)int_of(e, "votes"),
                   (long long)int_of(e, "seats"), json_string_value(json_object_get(e, "name")),
                   u != NULL && u[0] ? " (" : "", u != NULL && u[0] ? u : "",
                   u != NULL && u[0] ? ")" : "");
        }
        if (json_is_object(contested)) {
            printf("  seat %lld tied between", (long long)int_of(contested, "seat"));
            json_array_foreach(json_object_get(contested, "lists"), k, e)
                printf("%s %s", k ? "," : "", json_string_value(e));
            printf(": the bureau awards it\n");
        }
    }
}

/* votectl results [OUT.json | -]: the results as text; with OUT.json, the
 * document written there too; with -, only the document, on standard output. */
int cmd_results(votectl *v, int argc, char **argv)
{
    opts o;
    json_t *r = NULL;
    int rc = votectl_prepare(v, argc, argv, &o, "", -1, "expects OUT.json (- for the screen)");

    if (rc != 0)
        return rc;
    if (o.npos > 1) {
        votectl_close(v);
        return votectl_usage_error("%s", "expects at most OUT.json (- for the JSON on the screen)");
    }
    rc = tally_document(v->store, "results", &r);
    if (rc == STORE_ENOTFOUND) {
        rc = ELECTION_REFUSED;
        snprintf(v->ctx.msg, sizeof v->ctx.msg, "no results yet: the count needs the "
                 "president's and two delegates' partial decryptions");
    }
    if (rc == STORE_OK && o.npos == 1 && strcmp(o.pos[0], "-") == 0) {
        rc = emit(v, rc, r, "-");
    } else if (rc == STORE_OK) {
        if (o.npos == 1 && (rc = write_json(r, o.pos[0])) == 0)
            printf("results written to %s\n", o.pos[0]);
        if (rc == 0)
            results_print(r);
        json_decref(r);
    } else {
        rc = emit(v, rc, r, "-");
    }
    votectl_close(v);
    return rc;
}

/* The final archive in dir, and its BLAKE2b-256 in hex. */
static int archive_to(votectl *v, const char *dir, char hex[65])
{
    char path[1024];
    uint8_t d[32], buf[65536];
    crypto_generichash_state h;
    FILE *f;
    size_t n;
    int rc;

    snprintf(path, sizeof path, "%s/archive.jsonl", dir);
    if ((f = fopen(path, "w+")) == NULL)
        return STORE_EIO;
    rc = box_archive_write(v->store, v->srv.signer, f);
    rewind(f);
    crypto_generichash_init(&h, NULL, 0, 32);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_generichash_update(&h, buf, n);
    crypto_generichash_final(&h, d, 32);
    if (fclose(f) != 0 && rc == STORE_OK)
        rc = STORE_EIO;
    hex_encode(hex, d, 32);
    return rc;
}

int cmd_publish(votectl *v, int argc, char **argv)
{
    opts o;
    json_t *r = NULL;
    def_election d;
    char hex[65], when[40], err[REPORT_ERR_CHARS];
    time_t now = time(NULL);
    int rc = votectl_prepare(v, argc, argv, &o, "", 1, "expects DIR (created)");

    if (rc != 0)
        return rc;
    if (mkdir(o.pos[0], 0700) != 0) {
        votectl_close(v);
        fprintf(stderr, "votectl publish: %s cannot be created (it must not exist)\n", o.pos[0]);
        return EXIT_STORE;
    }
    {
        election_status st;

        rc = election_status_get(v->store, &st);
        if (rc == STORE_OK && strcmp(st.state, "published") != 0)
            rc = election_publish(v->store, &v->ctx);     /* else: the reports again */
    }
    if (rc == ELECTION_OK && (rc = tally_document(v->store, "results", &r)) == STORE_OK &&
        (rc = election_definition(v->store, &d, err, sizeof err)) == STORE_OK) {
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
        rc = archive_to(v, o.pos[0], hex);
        if (rc == STORE_OK) {
            report_info info = { d.name, d.organiser, hex, when, "fr" };

            rc = report_write(o.pos[0], r, &info, err, sizeof err) == 0 ? STORE_OK : STORE_EIO;
            report_cleanup();
            if (rc != STORE_OK)
                fprintf(stderr, "votectl publish: %s\n", err);
        }
        def_free(&d);
        if (rc == STORE_OK)
            printf("results published: %s/archive.jsonl (BLAKE2b-256 %s) and the official "
                   "reports pv-SCRUTIN.pdf, .csv, .json\n", o.pos[0], hex);
    }
    json_decref(r);
    if (rc != STORE_OK)
        rmdir(o.pos[0]);             /* only if nothing was written in it */
    rc = votectl_result(v, rc, NULL);
    votectl_close(v);
    return rc;
}
