/* votecad - the online credential authority (docs/protocol.md section 17).
 *
 *   votecad init CONFIG     make the store from the roster (votecred-state.json)
 *   votecad serve CONFIG [--port-file FILE]
 *                           answer POST /reissue and mail the codes
 *   votecad status CONFIG   the roster, the reissues and the outbox, counted
 *
 * Meant for a machine and an operator other than the server's: it holds the
 * credential authority's key and knows which credential is whose for the
 * whole vote, the server never does. Links crypto/, notices/code.o, credauth/
 * and the store-free part of mail/ only. Exit: 0 done, 1 refused or failed,
 * 2 usage. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <sodium.h>
#include "credauth/credauth.h"

static int usage(void)
{
    fprintf(stderr, "usage: votecad init CONFIG | serve CONFIG [--port-file FILE] | "
                    "status CONFIG\n");
    return 2;
}

static int cmd_status(const credauth_config *c)
{
    char err[600];
    credauth *ca = credauth_open(c, err, sizeof err);
    credauth_status st;

    if (ca == NULL || credauth_status_get(ca, &st) != 0) {
        fprintf(stderr, "votecad: %s\n", ca == NULL ? err : "the store cannot be read");
        credauth_close(ca);
        return 1;
    }
    printf("election %s\nauthority %s\nvoters %llu\nreissues %llu\nnext_seq %llu\n"
           "mail_queued %llu\nmail_sent %llu\nmail_failed %llu\n", st.election, st.authority,
           (unsigned long long)st.voters, (unsigned long long)st.reissues,
           (unsigned long long)st.next_seq, (unsigned long long)st.mail_queued,
           (unsigned long long)st.mail_sent, (unsigned long long)st.mail_failed);
    credauth_close(ca);
    return 0;
}

static int cmd_serve(const credauth_config *c, const char *port_file)
{
    char err[600];
    credauth *ca;
    credauth_server *s;
    sigset_t set;
    int sig;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);     /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((ca = credauth_open(c, err, sizeof err)) == NULL ||
        (s = credauth_serve(ca, c, err, sizeof err)) == NULL) {
        fprintf(stderr, "votecad: %s\n", err);
        credauth_close(ca);
        return 1;
    }
    if (port_file != NULL) {
        FILE *f = fopen(port_file, "w");

        if (f == NULL || fprintf(f, "%d\n", credauth_server_port(s)) < 0 || fclose(f) != 0) {
            fprintf(stderr, "votecad: cannot write %s\n", port_file);
            credauth_server_stop(s);
            credauth_close(ca);
            return 1;
        }
    }
    fprintf(stderr, "votecad: serving on %s:%d%s\n", c->listen_address, credauth_server_port(s),
            c->mail_relay ? "" : " (no mail relay: codes stay queued)");
    sigwait(&set, &sig);
    credauth_server_stop(s);
    credauth_close(ca);
    curl_global_cleanup();
    return 0;
}

int main(int argc, char **argv)
{
    credauth_config c;
    char err[1200];

    umask(077);
    if (sodium_init() < 0)
        return 1;
    if (argc < 3 || (strcmp(argv[1], "serve") == 0 ? argc != 3 && argc != 5 : argc != 3) ||
        (argc == 5 && strcmp(argv[3], "--port-file") != 0))
        return usage();
    if (credauth_config_load(&c, argv[2], err, sizeof err) != 0) {
        fprintf(stderr, "votecad: %s\n", err);
        return 1;
    }
    if (strcmp(argv[1], "init") == 0) {
        if (credauth_init(&c, err, sizeof err) != 0) {
            fprintf(stderr, "votecad: %s\n", err);
            return 1;
        }
        printf("store %s made from %s\n", c.store_path, c.roster);
        return 0;
    }
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(&c, argc == 5 ? argv[4] : NULL);
    if (strcmp(argv[1], "status") == 0)
        return cmd_status(&c);
    return usage();
}
