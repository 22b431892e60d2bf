/* testutil_daemon.c - the programs under test: the daemon started on free
 * ports, its configuration, elections made by the CLIs, load files for
 * voteclient load. */
#include "testutil.h"
#include "access/access.h"
#include "store/store.h"
#include "votesrv/server.h"
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int tu_daemon_start(const char *bin, const char *cfg, const char *logfile)
{
    char portfile[1100];
    json_t *j = json_load_file(cfg, 0, NULL);
    int port = 0, internal = 0, pid;
    FILE *f;

    if (j == NULL)
        return -1;
    json_object_set_new(json_object_get(j, "listen"), "port", json_integer(0));
    if (json_object_get(j, "internal_listen") == NULL)
        json_object_set_new(j, "internal_listen", json_object());
    json_object_set_new(json_object_get(j, "internal_listen"), "port", json_integer(0));
    json_dump_file(j, cfg, JSON_INDENT(1));
    json_decref(j);
    snprintf(portfile, sizeof portfile, "%s.port", logfile);
    remove(portfile);
    pid = fork();
    if (pid == 0) {
        if (freopen(logfile, "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        execl("/bin/sh", "sh", "-c", "exec \"$0\"/votesrv -c \"$1\" --port-file \"$2\"", bin,
              cfg, portfile, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && port == 0; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };

        nanosleep(&t, NULL);
        if ((f = fopen(portfile, "r")) != NULL) {
            if (fscanf(f, "%d %d", &port, &internal) != 2)
                port = 0;
            fclose(f);
        }
    }
    if (port <= 0) {
        kill(pid, SIGKILL);
        return -1;
    }
    snprintf(tu_base_url, sizeof tu_base_url, "http://127.0.0.1:%d", port);
    snprintf(tu_internal_url, sizeof tu_internal_url, "http://127.0.0.1:%d", internal);
    return pid;
}

int tu_daemon_up(const char *bin, const char *dir, const char *cfg)
{
    char path[PATH_MAX + 32];

    snprintf(path, sizeof path, "%s/votesrv.log", dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return tu_daemon_start(bin, cfg, path);
}

int tu_log_lines(const char *path, const char *needle, char *last, size_t len)
{
    char line[4096];
    FILE *f = fopen(path, "r");
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, needle) != NULL) {
            snprintf(last, len, "%s", line);
            n++;
        }
    fclose(f);
    return n;
}

void tu_daemon_teardown(int pid, tu_smtp *smtp, char *dir)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    tu_smtp_stop(smtp);
    curl_global_cleanup();
    tu_rmdir(dir);
    free(dir);
}

int tu_config(const char *dir, const char *bin, const tu_smtp *smtp, char *cfg, size_t cfglen)
{
    char path[800], out[4096];
    json_t *c;
    int rc;

    snprintf(path, sizeof path, "%s/demo", dir);
    if (tu_sh(out, sizeof out, "%s/votectl demo %s", bin, path) != 0) {
        fprintf(stderr, "%s\n", out);
        return -1;
    }
    snprintf(path, sizeof path, "%s/demo/votesrv.json", dir);
    if ((c = json_load_file(path, 0, NULL)) == NULL)
        return -1;
    /* the demo's votecad is not the test's: a test that runs one sets its
     * address (tu_votecad_for) */
    json_object_del(c, "credential_authority_url");
    if (tu_pg()) {
        char pg[600];

        if (tu_pg_conninfo(dir, pg, sizeof pg) != 0)
            return -1;
        json_object_set_new(c, "store", json_pack("{s:s}", "postgresql", pg));
    } else {
        json_object_set_new(json_object_get(c, "store"), "registry", json_string("registry.db"));
        json_object_set_new(json_object_get(c, "store"), "ballot_box", json_string("ballots.db"));
    }
    json_object_del(c, "mail");         /* the demo's mailbox: not the test's */
    if (smtp != NULL) {
        snprintf(path, sizeof path, "smtp://127.0.0.1:%d", smtp->port);
        json_object_set_new(c, "mail", json_pack("{s:s,s:s,s:b,s:s}", "relay", path, "from",
                                                 "Bureau de vote <elections@ex.gouv.fr>",
                                                 "starttls", 1, "ca_file", smtp->cert));
    }
    /* the "Données personnelles" page's controller and officer */
    json_object_set_new(c, "personal_data",
                        json_pack("{s:s,s:s,s:s}", "controller", "Ministère de l'Exemple",
                                  "dpo", "Délégué à la protection des données du ministère",
                                  "dpo_contact", "dpd@ex.gouv.fr"));
    /* the board publishes every second: tests wait for a batch, not 10 minutes */
    json_object_set_new(c, "board_batch_seconds", json_integer(1));
    snprintf(cfg, cfglen, "%s/votesrv.json", dir);
    rc = json_dump_file(c, cfg, JSON_INDENT(1));
    json_decref(c);
    return rc;
}

int tu_election_by_cli(const char *dir, const char *bin, const tu_smtp *smtp, const char *csv,
                       const char *credentials, char *cfg, size_t cfglen)
{
    char out[8192], *def;
    time_t now = time(NULL);

    if (tu_config(dir, bin, smtp, cfg, cfglen) != 0)
        return -1;
    def = tu_definition(now - 60, now + 86400);
    free(tu_write(dir, "election.json", def));
    free(def);
    free(tu_write(dir, "voters.csv", csv));
    if (tu_sh(out, sizeof out, "cd %s && V=%s/votectl && C=%s/votecred && "
              "$V -c votesrv.json init election.json && "
              "$V -c votesrv.json import-voters voters.csv && "
              "$V -c votesrv.json keys --demo trustee.hex && %s && $V -c votesrv.json open",
              dir, bin, bin,
              credentials ? credentials
                          : "$V -c votesrv.json credentials --demo codes.csv --hr voters.csv")
        != 0) {
        fprintf(stderr, "%s\n", out);
        return -1;
    }
    return 0;
}

int tu_bin(char bin[PATH_MAX])
{
    const char *b = getenv("VOTESRV_BIN") ? getenv("VOTESRV_BIN") : "../build/rel/bin";

    return realpath(b, bin) != NULL ? 0 : -1;
}

int tu_start_with_smtp(char bin[PATH_MAX], char **dir, tu_smtp *smtp)
{
    if (tu_bin(bin) != 0)
        return -1;
    *dir = tu_tmpdir();
    return tu_smtp_start(smtp, *dir, NULL);
}

/* ---- generated elections and load files (voteclient load) ---- */

typedef struct {
    access_ctx *a;
    FILE *codes, *out;
    const char *scrutin;
    int lists, n;
} sessions_job;

/* One session per voter of codes.csv ("NUMBER,CODE"), written to the load file. */
static int run_sessions(store_tx *tx, void *arg)
{
    sessions_job *j = arg;
    char line[256], token[ACCESS_TOKEN_CHARS + 1];
    int64_t id;
    int struck, rc;

    while (fgets(line, sizeof line, j->codes) != NULL) {
        char *comma = strchr(line, ',');

        if (comma == NULL)
            continue;
        *comma = '\0';
        comma[1 + strcspn(comma + 1, "\r\n")] = '\0';
        if ((rc = store_voter_find(tx, line, &id, &struck)) != STORE_OK ||
            (rc = access_session_open_tx(tx, j->a, id, (int64_t)time(NULL), token)) != STORE_OK)
            return rc;
        fprintf(j->out, "%s,%s,%s,%d\n", token, comma + 1, j->scrutin, 1 + j->n % j->lists);
        j->n++;
    }
    return STORE_OK;
}

int tu_load_file(const char *dir, const char *cfg, const char *scrutin, int lists)
{
    char path[PATH_MAX + 16], err[256];
    sessions_job j = { .scrutin = scrutin, .lists = lists };
    server srv;
    int rc = -1;

    if (server_open(&srv, cfg, 0, 1, err, sizeof err) != 0) {
        fprintf(stderr, "tu_load_file: %s\n", err);
        server_close(&srv);
        return -1;
    }
    snprintf(path, sizeof path, "%s/codes.csv", dir);
    j.codes = fopen(path, "r");
    snprintf(path, sizeof path, "%s/load.csv", dir);
    j.out = fopen(path, "w");
    j.a = &srv.access;
    if (j.codes != NULL && j.out != NULL && store_write(srv.store, run_sessions, &j) == STORE_OK)
        rc = 0;
    if (j.codes != NULL)
        fclose(j.codes);
    if (j.out != NULL && fclose(j.out) != 0)
        rc = -1;
    server_close(&srv);
    return rc;
}

int tu_election_generated(const char *dir, const char *bin, size_t n, char *cfg, size_t cfglen)
{
    static const char head[] = "number,surname,given_names,emails,establishment,"
                               "postal_address,corps\n";
    char *csv = malloc(sizeof head + n * 64);
    size_t len = sizeof head - 1;
    int rc;

    if (csv == NULL)
        return -1;
    memcpy(csv, head, len);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(csv + len, "B%06zu,Nom%zu,Prénom,b%zu@bench.example,E%zu,,"
                               "attache\n", i, i, i, i % 20);
    rc = tu_election_by_cli(dir, bin, NULL, csv, NULL, cfg, cfglen);
    free(csv);
    return rc;
}

int tu_demo_start(const char *bin, const char *dir, char *cfg, size_t cfglen)
{
    char out[4096], log[800];

    if (tu_sh(out, sizeof out, "%s/votectl demo %s/demo", bin, dir) != 0) {
        fprintf(stderr, "votectl demo failed: %s\n", out);
        return -1;
    }
    snprintf(cfg, cfglen, "%s/demo/votesrv.json", dir);
    snprintf(log, sizeof log, "%s/demo/votesrv.log", dir);
    return tu_daemon_start(bin, cfg, log);
}
