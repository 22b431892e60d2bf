/* votectl - the election officers' command line. */
#include "votectl.h"

#include <csv.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "crypto/crypto.h"
#include "election/credentials.h"
#include "election/demo.h"
#include "access/access.h"
#include "access/staff.h"
#include "access/support.h"
#include "box/box.h"

typedef struct {
    const char *name;
    int (*run)(votectl *v, int argc, char **argv);
    const char *usage;
    const char *help;
} command;

static const command *current;

int votectl_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "votectl %s: ", current->name);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: votectl %s %s\n", current->name, current->usage);
    return EXIT_USAGE;
}

int votectl_open(votectl *v, int create_keys)
{
    char err[CONFIG_ERR_CHARS];
    const char *actor = getenv("VOTECTL_ACTOR");

    if (server_open(&v->srv, v->config_path, create_keys, 1, err, sizeof err) != 0) {
        fprintf(stderr, "votectl: %s\n", err);
        server_close(&v->srv);
        return v->srv.store == NULL && strstr(err, "store") ? EXIT_STORE : EXIT_INPUT;
    }
    v->store = v->srv.store;
    if (actor == NULL)
        actor = getenv("USER");
    v->ctx.role = "officer";
    v->ctx.actor = actor != NULL ? actor : "unknown";
    v->ctx.now = (int64_t)time(NULL);
    v->ctx.assets = v->srv.cfg.assets;
    return 0;
}

void votectl_close(votectl *v)
{
    server_close(&v->srv);
    v->store = NULL;
}

int votectl_result(votectl *v, int rc, const char *done)
{
    if (rc == ELECTION_OK) {
        if (done != NULL)
            printf("%s\n", v->ctx.msg[0] ? v->ctx.msg : done);
        return 0;
    }
    if (rc == ELECTION_REFUSED) {
        fprintf(stderr, "votectl %s: refused: %s\n", current->name, v->ctx.msg);
        return EXIT_REFUSED;
    }
    fprintf(stderr, "votectl %s: storage failure (%d): nothing was changed\n", current->name, rc);
    return EXIT_STORE;
}


int votectl_parse_opts(int argc, char **argv, opts *o, const char *allowed)
{
    static const struct option longopts[] = {
        { "reason", required_argument, NULL, 'r' }, { "notice", required_argument, NULL, 'n' },
        { "dry-run", no_argument, NULL, 'd' }, { "demo", required_argument, NULL, 'D' },
        { "json", no_argument, NULL, 'j' }, { "hr", required_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 }
    };
    int ch;

    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        if (ch == '?' || strchr(allowed, ch) == NULL)
            return votectl_usage_error("unknown option %s", argv[optind - 1]);
        if (ch == 'r')
            o->reason = optarg;
        else if (ch == 'n')
            o->notice = optarg;
        else if (ch == 'd')
            o->dry_run = 1;
        else if (ch == 'D')
            o->demo = optarg;
        else if (ch == 'j')
            o->as_json = 1;
        else if (ch == 'H')
            o->hr = optarg;
    }
    o->pos = argv + optind;
    o->npos = argc - optind;
    return 0;
}

static int with_store(votectl *v, int create_keys)
{
    return votectl_open(v, create_keys);
}

/* The common start of a command: options (allowed letters), npos positional
 * arguments (-1: any), then the store. 0, or the exit code to return. */
int votectl_prepare(votectl *v, int argc, char **argv, opts *o, const char *allowed, int npos,
                   const char *what)
{
    int rc = votectl_parse_opts(argc, argv, o, allowed);

    if (rc != 0)
        return rc;
    if (npos >= 0 && o->npos != npos)
        return votectl_usage_error("%s", what);
    return with_store(v, 0);
}

/* The professions de foi d names, as the portal will serve them: one that
 * is there but not a PDF, PNG or JPEG file (by its content), or reached
 * through a symbolic link, is refused; one not yet deposited is a warning
 * (the portal answers 404 for it until it is). 0 or EXIT_INPUT. */
static int documents_check(const votectl *v, const def_election *d)
{
    static config cfg;
    char err[2 * CONFIG_PATH_CHARS];
    int rc = 0;

    if (config_load(&cfg, v->config_path, err, sizeof err) != 0) {
        fprintf(stderr, "votectl: %s\n", err);
        return EXIT_INPUT;
    }
    for (size_t i = 0; i < d->nscrutins; i++)
        for (size_t l = 0; l < d->scrutins[i].nlists; l++) {
            const char *name = d->scrutins[i].lists[l].profession_de_foi;
            int r;

            if (name == NULL)
                continue;
            r = server_document_check(cfg.documents, name, err, sizeof err);
            if (r != SERVER_DOCUMENT_OK)
                fprintf(stderr, "votectl: %s%s\n", r == SERVER_DOCUMENT_MISSING ? "warning: " : "",
                        err);
            if (r == SERVER_DOCUMENT_REFUSED)
                rc = EXIT_INPUT;
        }
    return rc;
}

static int cmd_init(votectl *v, int argc, char **argv)
{
    opts o;
    def_election d;
    char err[DEF_ERR_CHARS];
    int rc = votectl_parse_opts(argc, argv, &o, "");

    if (rc != 0)
        return rc;
    if (o.npos != 1)
        return votectl_usage_error("%s", "expects the election definition file");
    if (def_load_file(&d, o.pos[0], err, sizeof err) != 0) {
        fprintf(stderr, "votectl init: %s\n", err);
        return EXIT_INPUT;
    }
    if ((rc = documents_check(v, &d)) == 0 && (rc = with_store(v, 1)) == 0) {
        rc = votectl_result(v, election_create(v->store, &v->ctx, &d, v->srv.keys.audit_pk),
                            "election created");
        votectl_close(v);
    }
    def_free(&d);
    return rc;
}

/* The streamed import's rows so far (their count is known only at the end);
 * arg: an int set once a line without its end was printed. */
static void progress(uint64_t done, uint64_t total, void *arg)
{
    (void)total;
    if (isatty(STDERR_FILENO))
        *(int *)arg = fprintf(stderr, "\rimporting voters: %llu", (unsigned long long)done) > 0;
}

/* The list is streamed: parsed on one thread while the store writes the
 * chunks already checked, in one transaction that a bad row anywhere undoes. */
int votectl_import(votectl *v, const char *csv, int dry_run)
{
    def_election d;
    voters_stream *st;
    voters_diff diff;
    char err[DEF_ERR_CHARS];
    int rc, shown = 0;

    if (election_definition(v->store, &d, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "votectl: %s\n", err);
        return EXIT_REFUSED;
    }
    if ((st = voters_stream_open(csv, &d)) == NULL) {
        def_free(&d);
        return votectl_result(v, STORE_ENOMEM, NULL);
    }
    rc = election_import_stream(v->store, &v->ctx, st, dry_run, &diff, progress, &shown);
    if (shown)
        fputc('\n', stderr);
    /* the file's errors first, as when the whole list was parsed before the store
     * was asked: waits for the parse when the store refused */
    if (rc != ELECTION_OK && voters_stream_errors(st)->nerrors > 0) {
        voters_print_errors(voters_stream_errors(st), stderr);
        fprintf(stderr, "votectl: %s rejected, nothing was imported\n", csv);
        rc = EXIT_INPUT;
    } else if (rc == ELECTION_OK) {
        voters_diff_print(&diff, stdout);
        rc = dry_run ? 0 : votectl_result(v, rc, "electoral list imported");
    } else {
        rc = votectl_result(v, rc, NULL);
    }
    voters_stream_close(st);
    def_free(&d);
    return rc;
}

static int cmd_import(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "d", 1, "expects one CSV file");

    if (rc != 0)
        return rc;
    rc = votectl_import(v, o.pos[0], o.dry_run);
    votectl_close(v);
    return rc;
}

static int cmd_amend(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_parse_opts(argc, argv, &o, "r");

    if (rc != 0)
        return rc;
    if (o.npos != 2 || (strcmp(o.pos[0], "add") != 0 && strcmp(o.pos[0], "strike") != 0))
        return votectl_usage_error("%s", "expects add FILE.csv or strike NUMBER");
    if (o.reason == NULL)
        return votectl_usage_error("%s", "an amendment needs --reason");
    if ((rc = with_store(v, 0)) != 0)
        return rc;
    v->ctx.reason = o.reason;
    if (strcmp(o.pos[0], "strike") == 0) {
        rc = votectl_result(v, election_amend_strike(v->store, &v->ctx, o.pos[1]),
                            "voter struck from the list");
    } else {
        def_election d;
        voter_list list;
        char err[DEF_ERR_CHARS];

        if (election_definition(v->store, &d, err, sizeof err) != STORE_OK) {
            fprintf(stderr, "votectl: %s\n", err);
            rc = EXIT_REFUSED;
        } else {
            if (voters_parse_file(&list, o.pos[1], &d) != 0) {
                voters_print_errors(&list, stderr);
                rc = EXIT_INPUT;
            } else {
                rc = votectl_result(v, election_amend_add(v->store, &v->ctx, &list),
                                    "voters added to the list");
            }
            voter_list_free(&list);
            def_free(&d);
        }
    }
    votectl_close(v);
    return rc;
}

static int cmd_status(votectl *v, int argc, char **argv)
{
    opts o;
    election_status st;
    char fp[65];
    int rc = votectl_prepare(v, argc, argv, &o, "j", 0, "takes no argument");

    if (rc != 0)
        return rc;
    rc = election_status_get(v->store, &st);
    votectl_close(v);
    if (rc == STORE_ENOTFOUND) {
        fprintf(stderr, "votectl status: no election in this store\n");
        return EXIT_REFUSED;
    }
    if (rc != STORE_OK)
        return EXIT_STORE;
    sodium_bin2hex(fp, sizeof fp, st.fingerprint, 32);
    if (o.as_json) {
        printf("{\"eid\":\"%s\",\"state\":\"%s\",\"test_mode\":%s,\"suspended\":%s,"
               "\"voters\":%llu,\"struck\":%llu,\"credentials\":%llu,\"ballots\":%llu,"
               "\"signatures\":%llu,\"audit_entries\":%llu,\"reissues\":%llu,"
               "\"fingerprint\":\"%s\"}\n",
               st.eid, st.state, st.test_mode ? "true" : "false",
               st.suspended ? "true" : "false", (unsigned long long)st.voters,
               (unsigned long long)st.struck, (unsigned long long)st.credentials,
               (unsigned long long)st.ballots, (unsigned long long)st.signatures,
               (unsigned long long)st.audit_entries, (unsigned long long)st.reissues, fp);
        return 0;
    }
    printf("election     %s\nstate        %s%s%s\nfingerprint  %s%s\n", st.eid, st.state,
           st.test_mode ? " (test run)" : "", st.suspended ? " (SUSPENDED)" : "", fp,
           st.has_public_key ? "" : " (draft: no public key yet)");
    printf("voters       %llu active, %llu struck, %llu without a credential for a scrutin\n",
           (unsigned long long)st.voters, (unsigned long long)st.struck,
           (unsigned long long)st.without_auth);
    printf("ballot box   %llu public credentials, %llu ballots; %llu signatures\n",
           (unsigned long long)st.credentials, (unsigned long long)st.ballots,
           (unsigned long long)st.signatures);
    printf("vote codes   %llu reissued by the credential authority (signed records)\n",
           (unsigned long long)st.reissues);
    printf("audit log    %llu entries\n", (unsigned long long)st.audit_entries);
    if (st.suspended)
        printf("notice       %s\n", st.notice);
    return 0;
}

static int cmd_show(votectl *v, int argc, char **argv)
{
    opts o;
    def_election d;
    char err[DEF_ERR_CHARS], *canon;
    int rc = votectl_prepare(v, argc, argv, &o, "", 0, "takes no argument");

    if (rc != 0)
        return rc;
    rc = election_definition(v->store, &d, err, sizeof err);
    votectl_close(v);
    if (rc != STORE_OK) {
        fprintf(stderr, "votectl show: %s\n", err);
        return EXIT_REFUSED;
    }
    canon = json_dumps(d.root, JSON_INDENT(2) | JSON_SORT_KEYS);
    printf("%s\n", canon);
    free(canon);
    def_free(&d);
    return 0;
}

static int cmd_keys(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_parse_opts(argc, argv, &o, "D");

    if (rc == 0 && o.demo == NULL)
        return votectl_usage_error("%s", "only --demo FILE exists until the key ceremony "
                           "(votetrustee) replaces it");
    if (rc != 0 || (rc = with_store(v, 0)) != 0)
        return rc;
    rc = votectl_demo_key(v, o.demo);
    votectl_close(v);
    return rc;
}

static int cmd_credentials(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_parse_opts(argc, argv, &o, "DH");

    if (rc == 0 && (o.demo == NULL || o.hr == NULL))
        return votectl_usage_error("%s", "--demo CODES_FILE --hr HR.csv (the HR file: the "
                                   "demo roster's addresses)");
    if (rc != 0 || (rc = with_store(v, 0)) != 0)
        return rc;
    rc = votectl_demo_codes(v, o.demo, o.hr);
    votectl_close(v);
    return rc;
}

typedef int (*simple_op)(store *s, election_ctx *c);

static int run_simple(votectl *v, int argc, char **argv, simple_op op, const char *done,
                      int needs_reason)
{
    opts o;
    int rc = votectl_parse_opts(argc, argv, &o, "r");

    if (rc == 0 && needs_reason && o.reason == NULL)
        return votectl_usage_error("%s", "needs --reason");
    if (rc == 0 && o.npos != 0)
        return votectl_usage_error("%s", "takes no argument");
    if (rc != 0 || (rc = with_store(v, 0)) != 0)
        return rc;
    v->ctx.reason = o.reason;
    rc = votectl_result(v, op(v->store, &v->ctx), done);
    votectl_close(v);
    return rc;
}

/* Activation links for every voter not yet activated; returns an exit code. */
static int send_activations(votectl *v)
{
    uint64_t sent = 0;
    int rc = access_send_activations(&v->srv.access, v->ctx.now, &sent);

    /* composed now: the portal address and the sender they will carry */
    printf("activation links queued for %llu voters (links to %s)\n", (unsigned long long)sent,
           v->srv.cfg.mail.portal_url);
    if (!v->srv.cfg.mail_relay)
        printf("no \"mail\" object in the configuration: they wait in the outbox until one "
               "is set (From: the organiser and the support address)\n");
    if (rc != STORE_OK) {
        fprintf(stderr, "votectl: storage failure while queueing links (%d); run votectl "
                "send-links --all to finish\n", rc);
        return EXIT_STORE;
    }
    return 0;
}

static int cmd_open(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "", 0, "takes no argument");

    if (rc != 0)
        return rc;
    rc = votectl_result(v, election_open(v->store, &v->ctx), "the election is open");
    if (rc == 0)
        rc = send_activations(v);
    votectl_close(v);
    return rc;
}

typedef struct {
    votectl *v;
    const char *number;
    char token[ACCESS_TOKEN_CHARS + 1];
} link_job;

static int run_link(store_tx *tx, void *arg)
{
    link_job *j = arg;
    int64_t id;
    int struck, rc = store_voter_find(tx, j->number, &id, &struck);

    if (rc == STORE_ENOTFOUND || (rc == STORE_OK && struck))
        return ELECTION_REFUSED;
    if (rc != STORE_OK)
        return rc;
    return access_link_issue_tx(tx, &j->v->srv.access, id, STORE_LINK_ACTIVATION, NULL,
                                j->v->ctx.now, j->token);
}

static int cmd_export(votectl *v, int argc, char **argv)
{
    opts o;
    FILE *f;
    int rc = votectl_prepare(v, argc, argv, &o, "", 1, "expects the output file");

    if (rc != 0)
        return rc;
    f = fopen(o.pos[0], "wx");
    if (f == NULL) {
        fprintf(stderr, "votectl export-voters: cannot create %s (it must not exist)\n",
                o.pos[0]);
        votectl_close(v);
        return EXIT_INPUT;
    }
    rc = election_export_list(v->store, &v->ctx, v->srv.cfg.mail.portal_url, f);
    if (fclose(f) != 0 && rc == 0)
        rc = STORE_EIO;
    rc = votectl_result(v, rc, "electoral list exported for votecred");
    votectl_close(v);
    return rc;
}

static int cmd_import_credentials(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_prepare(v, argc, argv, &o, "", 1, "expects a votecred credentials file");

    if (rc != 0)
        return rc;
    rc = votectl_result(v, election_import_credentials(v->store, &v->ctx, o.pos[0]), "imported");
    votectl_close(v);
    return rc;
}

static int cmd_code(votectl *v, int argc, char **argv, support_action action)
{
    static const char *const done[] = { [SUPPORT_CODE] = "the credential authority made %s a new "
                                                         "vote code and mails it; the old one "
                                                         "is revoked\n",
                                        [SUPPORT_UNLOCK] = "login and vote-code entry unlocked for %s\n" };
    opts o;
    access_result r;
    int rc = votectl_parse_opts(argc, argv, &o, "r");

    if (rc == 0 && (o.npos != 1 || o.reason == NULL))
        return votectl_usage_error("%s", "expects a voter number and --reason");
    if (rc != 0 || (rc = with_store(v, 0)) != 0)
        return rc;
    rc = support_act(&v->srv.access, o.pos[0], action, v->ctx.actor, o.reason, v->ctx.now, &r);
    if (rc == STORE_ENOTFOUND || (rc == ACCESS_REFUSED && r.code != ACCESS_E_REASON)) {
        fprintf(stderr, "votectl: refused: %s\n", rc == STORE_ENOTFOUND
                ? "no such voter number" : r.code == ACCESS_E_NOT_OPEN
                ? "the vote is not open, or the voter is struck off"
                : r.code == ACCESS_E_REISSUE_UNAVAILABLE
                ? "no credential authority service (credential_authority_url): the server "
                  "never makes a vote code"
                : r.code == ACCESS_E_REISSUE_PENDING
                ? "the credential authority did not answer; the request is kept and goes "
                  "again unchanged next time"
                : r.code == ACCESS_E_REISSUE_NONE ? "the voter voted in every scrutin"
                : "not possible now");
        rc = EXIT_REFUSED;
    } else if (rc == ACCESS_REFUSED) {
        rc = votectl_usage_error("%s", "the reason must not be empty (at most 200 bytes)");
    } else {
        rc = rc == ACCESS_OK ? 0 : EXIT_STORE;
    }
    if (rc == 0)
        printf(done[action], o.pos[0]);
    votectl_close(v);
    return rc;
}

static int cmd_reissue(votectl *v, int argc, char **argv)
{
    return cmd_code(v, argc, argv, SUPPORT_CODE);
}

static int cmd_unlock(votectl *v, int argc, char **argv)
{
    return cmd_code(v, argc, argv, SUPPORT_UNLOCK);
}

static int cmd_send_links(votectl *v, int argc, char **argv)
{
    int all = argc == 2 && strcmp(argv[1], "--all") == 0, rc;

    if (argc < 2 || (!all && argv[1][0] == '-'))
        return votectl_usage_error("%s", "expects --all or voter numbers");
    if ((rc = with_store(v, 0)) != 0)
        return rc;
    if (all) {
        rc = send_activations(v);
    } else {
        for (int i = 1; i < argc && rc == 0; i++) {
            link_job j = { v, argv[i], "" };
            int r = store_write(v->store, run_link, &j);

            sodium_memzero(j.token, sizeof j.token);
            if (r == ELECTION_REFUSED) {
                fprintf(stderr, "votectl send-links: refused: no active voter numbered %s\n",
                        argv[i]);
                rc = EXIT_REFUSED;
            } else if (r != STORE_OK) {
                rc = EXIT_STORE;
            } else {
                printf("activation link queued for %s\n", argv[i]);
            }
        }
    }
    votectl_close(v);
    return rc;
}

static int cmd_close(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_parse_opts(argc, argv, &o, "");

    if (rc == 0 && o.npos != 0)
        return votectl_usage_error("%s", "takes no argument");
    if (rc != 0 || (rc = with_store(v, 0)) != 0)
        return rc;
    v->srv.compact_on_close = 1;      /* the box file in tracker order from now on */
    rc = votectl_result(v, election_close(v->store, &v->ctx), "the election is closed");
    votectl_close(v);
    return rc;
}

static int cmd_resume(votectl *v, int c, char **a)
{
    return run_simple(v, c, a, election_resume, "voting resumed", 0);
}

static int cmd_purge(votectl *v, int c, char **a)
{
    return run_simple(v, c, a, election_purge, "personal data purged", 0);
}

/* One CSV field and its comma, quoted when it needs to be (libcsv). */
static void csv_field(const char *text)
{
    csv_fwrite(stdout, text, strlen(text));
    putchar(',');
}

/* {"scrutins": [{id, signed, registered, establishments: [{establishment,
 * signed, registered}]}]} */
static json_t *turnout_json(const box_turnout_info *t)
{
    json_t *scrutins = json_array();

    for (size_t i = 0; i < t->nscrutins; i++) {
        const box_turnout_scrutin *s = &t->scrutins[i];
        json_t *rows = json_array();

        for (size_t k = 0; k < s->nestablishments; k++)
            json_array_append_new(rows, json_pack("{s:s,s:I,s:I}", "establishment",
                                                  s->establishments[k].establishment, "signed",
                                                  (json_int_t)s->establishments[k].signatures,
                                                  "registered",
                                                  (json_int_t)s->establishments[k].registered));
        json_array_append_new(scrutins, json_pack("{s:s,s:I,s:I,s:o}", "id", s->id, "signed",
                                                  (json_int_t)s->signatures, "registered",
                                                  (json_int_t)s->registered, "establishments",
                                                  rows));
    }
    return json_pack("{s:o}", "scrutins", scrutins);
}

static int cmd_turnout(votectl *v, int argc, char **argv)
{
    opts o;
    box_turnout_info t;
    int rc = votectl_prepare(v, argc, argv, &o, "j", 0, "takes no argument");

    if (rc != 0)
        return rc;
    rc = box_turnout(v->store, &t);
    votectl_close(v);
    if (rc != STORE_OK)
        return EXIT_STORE;
    if (o.as_json) {
        json_t *j = turnout_json(&t);

        json_dumpf(j, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(j);
        box_turnout_free(&t);
        return 0;
    }
    printf("scrutin,establishment,signed,registered\n");
    for (size_t i = 0; i < t.nscrutins; i++) {
        for (size_t k = 0; k < t.scrutins[i].nestablishments; k++) {
            const box_turnout_row *e = &t.scrutins[i].establishments[k];

            csv_field(t.scrutins[i].id);
            csv_field(e->establishment);
            printf("%llu,%llu\n", (unsigned long long)e->signatures,
                   (unsigned long long)e->registered);
        }
    }
    box_turnout_free(&t);
    return 0;
}

/* The public archive, written beside OUT and linked into place when complete. */
static int cmd_archive(votectl *v, int argc, char **argv)
{
    opts o;
    char tmp[4096];
    FILE *f;
    int rc = votectl_prepare(v, argc, argv, &o, "", 1, "expects the output file");

    if (rc != 0)
        return rc;
    /* the box still changes while voting is open: the board is the view then */
    if ((rc = votectl_result(v, election_voting_over(v->store, &v->ctx), NULL)) != 0) {
        votectl_close(v);
        return rc;
    }
    snprintf(tmp, sizeof tmp, "%s.partial", o.pos[0]);
    if ((f = fopen(tmp, "wx")) == NULL) {
        votectl_close(v);
        fprintf(stderr, "votectl archive: cannot create %s\n", tmp);
        return EXIT_INPUT;
    }
    rc = box_archive_write(v->store, v->srv.signer, f);
    votectl_close(v);
    /* link, not rename: an existing archive is never replaced */
    if (fclose(f) != 0 || rc != STORE_OK || link(tmp, o.pos[0]) != 0) {
        remove(tmp);
        fprintf(stderr, "votectl archive: could not write %s\n", o.pos[0]);
        return EXIT_STORE;
    }
    remove(tmp);
    printf("archive written to %s\n", o.pos[0]);
    return 0;
}

static int cmd_checkpoint(votectl *v, int c, char **a)
{
    return run_simple(v, c, a, election_audit_checkpoint, "audit checkpoint signed", 0);
}

static int cmd_export_audit(votectl *v, int argc, char **argv)
{
    opts o;
    char err[300];
    int rc = votectl_prepare(v, argc, argv, &o, "", 1, "export-audit OUT.db");

    if (rc != 0)
        return rc;
    rc = store_audit_export(v->store, o.pos[0], err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "votectl: %s\n", err);
    else
        printf("audit log written to %s\n", o.pos[0]);
    votectl_close(v);
    return rc != 0 ? EXIT_STORE : 0;
}

static int cmd_suspend(votectl *v, int argc, char **argv)
{
    opts o;
    int rc = votectl_parse_opts(argc, argv, &o, "rn");

    if (rc != 0)
        return rc;
    if (o.reason == NULL || o.notice == NULL || o.npos != 0)
        return votectl_usage_error("%s", "needs --reason and --notice");
    if ((rc = with_store(v, 0)) != 0)
        return rc;
    v->ctx.reason = o.reason;
    rc = votectl_result(v, election_suspend(v->store, &v->ctx, o.notice), "voting suspended");
    votectl_close(v);
    return rc;
}

static int cmd_test(votectl *v, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "start") == 0)
        return run_simple(v, argc - 1, argv + 1, election_test_start, "test run started", 0);
    if (argc >= 2 && strcmp(argv[1], "end") == 0)
        return run_simple(v, argc - 1, argv + 1, election_test_end,
                          "test run ended, its data wiped", 1);
    return votectl_usage_error("%s", "expects start or end");
}

static const command commands[] = {
    { "init", cmd_init, "DEFINITION.json", "create the election (and the server keys)" },
    { "import-voters", cmd_import, "[--dry-run] VOTERS.csv",
      "import the electoral list before opening (shows the difference first)" },
    { "amend", cmd_amend, "add VOTERS.csv | strike NUMBER --reason TEXT",
      "amend the list of an open election" },
    { "show", cmd_show, "", "print the election definition" },
    { "status", cmd_status, "[--json]", "state, counts and fingerprint" },
    { "archive", cmd_archive, "OUT.json",
      "the public archive: election, ballots by tracker, counts, checkpoints" },
    { "turnout", cmd_turnout, "[--json]",
      "signatures per scrutin and establishment (CSV, or JSON): who voted, never how" },
    { "ceremony", cmd_ceremony, "export OUT.json | post MESSAGE.json... | restart --reason TEXT",
      "relay the key ceremony: what the key holders need, what they send back" },
    { "seal-state", cmd_seal_state, "open OUT.json | close OUT.json SIGNATURES.json",
      "the state the key holders seal (votetrustee seal) before open/close; at close, the "
      "signature list it hashes (private)" },
    { "keys", cmd_keys, "--demo SECRET_FILE", "set a demo single-trustee key (demo only)" },
    { "credentials", cmd_credentials, "--demo CODES_FILE --hr HR.csv",
      "generate demo vote codes on the server, and votecad's roster beside them "
      "(votecred-state.json; demo only)" },
    { "open", cmd_open, "",
      "open the vote (keys, notices and an empty box required); send activation links" },
    { "export-voters", cmd_export, "LIST.json",
      "export the electoral list for the credential authority (votecred)" },
    { "import-credentials", cmd_import_credentials, "CREDENTIALS.json",
      "before opening: the credential authority's signed lists and bindings" },
    { "reissue-code", cmd_reissue, "NUMBER --reason TEXT",
      "support cell: ask the credential authority for a new vote code (it mails it)" },
    { "unlock-code", cmd_unlock, "NUMBER --reason TEXT",
      "support cell: lift a voter's login and vote-code locks" },
    { "staff-add", cmd_staff_add, "LOGIN support|officer|auditor|observer PASSWORD_FILE",
      "an account for the consoles (password + TOTP; prints the TOTP key once)" },
    { "staff-unlock", cmd_staff_unlock, "--reason TEXT LOGIN",
      "officer: lift the lock a console account's second factor took after 100 wrong codes" },
    { "staff-password", cmd_staff_password, "--reason TEXT LOGIN PASSWORD_FILE",
      "officer: a new password for a console account (ends its session, lifts its "
      "second factor's lock)" },
    { "send-links", cmd_send_links, "--all | NUMBER...",
      "send activation links (all voters not yet activated, or these)" },
    { "close", cmd_close, "", "close the vote after the end of the window" },
    { "tally", cmd_tally, "",
      "after closing: verify every ballot, check ballots = signatures, publish the sums" },
    { "results", cmd_results, "[OUT.json | -]",
      "the results once the president and two delegates have decrypted the sums: "
      "printed, and written to OUT.json (-: the JSON alone, on the screen)" },
    { "publish", cmd_publish, "DIR",
      "publish the results: the final archive and the official reports (PDF, CSV, JSON)" },
    { "suspend", cmd_suspend, "--reason TEXT --notice TEXT", "suspend voting during an incident" },
    { "resume", cmd_resume, "", "resume a suspended vote" },
    { "test", cmd_test, "start | end --reason TEXT",
      "run a mock vote before sealing; end wipes what it produced" },
    { "purge", cmd_purge, "", "erase personal data after the recourse period" },
    { "checkpoint", cmd_checkpoint, "", "sign an audit checkpoint now" },
    { "export-audit", cmd_export_audit, "OUT.db",
      "copy the audit log into a SQLite file for voteaudit and voteverify" },
    { "backup", cmd_backup, "DIR",
      "while the daemon runs: a consistent copy of both SQLite files and a manifest into "
      "the new folder DIR" },
    { "restore", cmd_restore, "DIR [--replace]",
      "with the daemon stopped: check the copy in DIR (hashes, integrity, audit chain, "
      "ballots = signatures) and put it in place" },
    { "demo", cmd_demo, "DIR [--port PORT]",
      "create, fill and open a demo election in DIR (its mail in DIR/mailbox)" },
    { "version", cmd_version, "[--hashes]",
      "the release; with --hashes, BLAKE2b-256 of what the seals cover" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: votectl [-c CONFIG] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\nCONFIG defaults to conf/votesrv.json. Exit codes: 0 done, 1 refused by "
            "the election's rules,\n2 usage, 3 invalid input file, 4 storage failure.\n"
            "Run votectl COMMAND --help for a command's arguments.\n");
}

int main(int argc, char **argv)
{
    votectl v;
    int i = 1;

    umask(077);                 /* every file and folder it makes: its owner's only */
    memset(&v, 0, sizeof v);
    v.config_path = "conf/votesrv.json";
    if (crypto_init() != 0)
        return EXIT_STORE;
    if (i + 1 < argc && strcmp(argv[i], "-c") == 0) {
        v.config_path = argv[i + 1];
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
        strcmp(argv[i], "help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : 0;
    }
    for (size_t c = 0; c < NCOMMANDS; c++) {
        if (strcmp(argv[i], commands[c].name) != 0)
            continue;
        current = &commands[c];
        for (int a = i + 1; a < argc; a++)
            if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
                printf("usage: votectl %s %s\n%s\n", current->name, current->usage,
                       current->help);
                return 0;
            }
        return current->run(&v, argc - i, argv + i);
    }
    fprintf(stderr, "votectl: unknown command \"%s\"\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
