/* testutil_ca.c - the real online credential authority, votecad
 * (docs/protocol.md section 17), beside the daemon under test: its own
 * folder, store, SMTP sink (the authority's relay) and the demo authority's
 * key, which the test election's definition names. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "testutil.h"
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "notices/code.h"
#include "votesrv/config.h"

static int write_private(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ssize_t len = (ssize_t)strlen(text);
    int ok = fd >= 0 && write(fd, text, (size_t)len) == len;

    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

int tu_votecad_serve(tu_votecad *v)
{
    char portfile[sizeof v->dir + 16], log[sizeof v->dir + 16];
    int port = 0;

    snprintf(portfile, sizeof portfile, "%s/votecad.port", v->dir);
    snprintf(log, sizeof log, "%s/votecad.log", v->dir);
    remove(portfile);
    v->pid = fork();
    if (v->pid == 0) {
        if (freopen(log, "a", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        execl("/bin/sh", "sh", "-c", "exec \"$0\"/votecad serve \"$1\" --port-file \"$2\"",
              v->bin, v->cfg, portfile, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1500 && port == 0; i++) {     /* up to 30 s on a busy machine */
        struct timespec t = { 0, 20 * 1000 * 1000 };
        FILE *pf;

        if (waitpid(v->pid, NULL, WNOHANG) == v->pid) {
            v->pid = 0;
            return -1;
        }
        nanosleep(&t, NULL);
        if ((pf = fopen(portfile, "r")) != NULL) {
            if (fscanf(pf, "%d", &port) != 1)
                port = 0;
            fclose(pf);
        }
    }
    if (port <= 0)
        return -1;
    snprintf(v->url, sizeof v->url, "http://127.0.0.1:%d", port);
    return 0;
}

int tu_votecad_halt(tu_votecad *v)
{
    int st = 0;

    if (v->pid <= 0)
        return 0;
    kill(v->pid, SIGTERM);
    if (waitpid(v->pid, &st, 0) != v->pid)
        st = -1;
    v->pid = 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* votecad's configuration: the port it listens on (0: any), its relay. */
static int write_config(tu_votecad *v, int port)
{
    char relay[64], templates[PATH_MAX];
    json_t *c;
    int rc;

    if (realpath("../conf/mail", templates) == NULL)
        return -1;
    snprintf(relay, sizeof relay, "smtp://127.0.0.1:%d", v->smtp.port);
    c = json_pack("{s:{s:s,s:i},s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:i,"
                  "s:{s:s,s:s,s:b,s:s}}",
                  "listen", "address", "127.0.0.1", "port", port, "key", "authority.key",
                  "store", "votecad.db", "roster", v->roster, "server_key",
                  tu_jhex(v->server_pk, 32), "election_name", "Élections de test",
                  "support_email", "support@example.org", "portal_url",
                  "https://vote.example.org", "templates", templates, "lang", "fr",
                  "max_reissues_per_voter", 10, "mail", "relay", relay, "from",
                  "Autorité de certification <ca@example.org>", "starttls", 1, "ca_file",
                  v->smtp.cert);
    rc = c != NULL ? json_dump_file(c, v->cfg, JSON_INDENT(1)) : -1;
    json_decref(c);
    return rc;
}

int tu_votecad_start(tu_votecad *v, const char *bin, const char *dir, const char *roster,
                     const uint8_t server_pk[32])
{
    char path[sizeof v->dir + 32], seed_hex[66], out[2048];
    uint8_t seed[32];
    int port;

    memset(v, 0, sizeof *v);
    snprintf(v->bin, sizeof v->bin, "%s", bin);
    snprintf(v->dir, sizeof v->dir, "%s/votecad", dir);
    snprintf(v->cfg, sizeof v->cfg, "%s/votecad.json", v->dir);
    if (realpath(roster, v->roster) == NULL || mkdir(v->dir, 0700) != 0 ||
        tu_smtp_start(&v->smtp, v->dir, NULL) != 0)
        return -1;
    memcpy(v->server_pk, server_pk, 32);
    credential_authority_demo_seed(seed);            /* votecred keygen --demo's key */
    hex_encode(seed_hex, seed, 32);
    sodium_memzero(seed, sizeof seed);
    strcat(seed_hex, "\n");
    snprintf(path, sizeof path, "%s/authority.key", v->dir);
    if (write_private(path, seed_hex) != 0 || write_config(v, 0) != 0 ||
        tu_sh(out, sizeof out, "%s/votecad init %s", bin, v->cfg) != 0) {
        fprintf(stderr, "votecad init: %s\n", out);
        return -1;
    }
    /* from now on the same port, so that a restart keeps the daemon's URL */
    if (tu_votecad_serve(v) != 0 || (port = atoi(strrchr(v->url, ':') + 1)) <= 0 ||
        write_config(v, port) != 0)
        return -1;
    return 0;
}

int tu_votecad_for(tu_votecad *v, const char *bin, const char *dir, const char *cfg,
                   const char *roster)
{
    config c;
    server_keys k;
    char err[400];
    json_t *j;
    int rc;

    if (config_load(&c, cfg, err, sizeof err) != 0 ||
        server_keys_load(&k, c.keys, 0, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    rc = tu_votecad_start(v, bin, dir, roster, k.audit_pk);
    sodium_memzero(&k, sizeof k);
    if (rc != 0 || (j = json_load_file(cfg, 0, NULL)) == NULL)
        return -1;
    json_object_set_new(j, "credential_authority_url", json_string(v->url));
    rc = json_dump_file(j, cfg, JSON_INDENT(1));
    json_decref(j);
    return rc;
}

void tu_votecad_stop(tu_votecad *v)
{
    if (tu_votecad_halt(v) != 0)
        fprintf(stderr, "votecad serve did not end cleanly (see %s/votecad.log)\n", v->dir);
    if (v->smtp.pid > 0)
        tu_smtp_stop(&v->smtp);
    v->smtp.pid = 0;
}

long long tu_votecad_status(const tu_votecad *v, const char *name)
{
    char out[2048], *p;
    size_t len = strlen(name);

    if (tu_sh(out, sizeof out, "%s/votecad status %s", v->bin, v->cfg) != 0)
        return -1;
    for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, len) == 0 && p[len] == ' ')
            return atoll(p + len + 1);
    return -1;
}

int tu_votecad_outbox_empty(const tu_votecad *v)
{
    for (int i = 0; i < 600; i++) {                   /* bounded: 60 s */
        struct timespec t = { 0, 100 * 1000 * 1000 };

        if (tu_votecad_status(v, "mail_queued") == 0)
            return 0;
        nanosleep(&t, NULL);
    }
    return -1;
}

int tu_votecad_code(const tu_votecad *v, const char *addr, char code[CODE_SYMBOLS + 1])
{
    int last;
    char *m;
    int rc;

    if (tu_votecad_outbox_empty(v) != 0 || tu_smtp_mails_to(&v->smtp, addr, &last) == 0)
        return -1;
    if ((m = tu_smtp_message(&v->smtp, last)) == NULL)
        return -1;
    rc = tu_mail_code(code, m);
    free(m);
    return rc;
}
