/* votesrv - the election daemon.
 *
 *   votesrv [-c CONFIG] [--port-file FILE]
 *
 * Serves the JSON API and the portal on the configured address (listen),
 * /metrics and /healthz on the internal one (internal_listen); the port file
 * gets both ports, one a line (public, then internal). SIGTERM or SIGINT stops
 * accepting connections, lets requests in flight finish, and exits 0. If the
 * signer process (signer/) ends, the daemon stops the same way and exits 1: a
 * supervisor restarts both. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "crypto/crypto.h"
#include "endpoints.h"
#include "election/election.h"
#include "log.h"
#include "server.h"

#define SHUTDOWN_GRACE_S 10

/* A write the store could not make: why, in the engine's words. */
static void on_store_error(const char *detail)
{
    log_event("error", "store", json_pack("{s:s}", "detail", detail));
}

static int write_port(const char *path, int port, int internal)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -1;
    fprintf(f, "%d\n%d\n", port, internal);
    return fclose(f);
}

/* Times on the portal are the election's (its definition's time zone); set
 * before any thread starts, since localtime_r reads TZ. */
static void timezone_set(store *s)
{
    def_election d;
    char err[DEF_ERR_CHARS];

    if (election_definition(s, &d, err, sizeof err) != 0)
        return;
    setenv("TZ", d.timezone, 1);
    tzset();
    def_free(&d);
}

int main(int argc, char **argv)
{
    const char *cfg_path = "conf/votesrv.json", *port_file = NULL;
    server srv;
    config cfg;
    store_config sc;
    signer *signer;
    http_ctx ctx;
    http_server *http, *internal;
    mail_sender *sender = NULL;
    sigset_t sigs;
    char err[CONFIG_ERR_CHARS];
    int sig, port, internal_port, rc;

    umask(077);                 /* every file and folder it makes: its owner's only */

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            cfg_path = argv[++i];
        } else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
            port_file = argv[++i];
        } else {
            fprintf(stderr, "usage: votesrv [-c CONFIG] [--port-file FILE]\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (crypto_init() != 0)
        return 1;
    /* The signer first, before any thread, store or key: it alone reads the
     * keys file, and this process only gets the public and derived keys. */
    if (config_load(&cfg, cfg_path, err, sizeof err) != 0) {
        log_event("error", "start", json_pack("{s:s}", "error", err));
        return 2;
    }
    sc = server_store_config(&cfg, 1);
    signer = signer_spawn(cfg.keys, 0, &sc, err, sizeof err);
    if (signer == NULL) {
        log_event("error", "signer", json_pack("{s:s}", "error", err));
        return 2;
    }
    /* Handle the stop signals here only: every thread started below inherits the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGCHLD);          /* the signer's end */
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (server_open_signer(&srv, cfg_path, signer, 0, err, sizeof err) != 0) {
        log_event("error", "start", json_pack("{s:s}", "error", err));
        server_close(&srv);
        return 2;
    }
    log_set_level(srv.cfg.log_level);
    store_on_error(srv.store, on_store_error);
    server_http_ctx(&srv, &ctx);
    timezone_set(srv.store);
    http = http_start(&ctx, votesrv_routes, votesrv_nroutes, err, sizeof err);
    internal = http == NULL ? NULL
                            : http_start_internal(&ctx, votesrv_internal_routes,
                                                  votesrv_internal_nroutes, err, sizeof err);
    if (http == NULL || internal == NULL) {
        log_event("error", "listen", json_pack("{s:s}", "error", err));
        http_stop(http, 0);
        server_close(&srv);
        return 1;
    }
    if (srv.cfg.mail_relay)
        sender = mail_sender_start(srv.store, srv.mail);
    port = http_port(http);
    internal_port = http_port(internal);
    if (port_file != NULL && write_port(port_file, port, internal_port) != 0)
        log_event("error", "port-file", json_pack("{s:s}", "path", port_file));
    log_event("info", "listening",
              json_pack("{s:s,s:i,s:s,s:i,s:i,s:b,s:b}", "address", srv.cfg.listen_address,
                        "port", port, "internal_address", srv.cfg.internal_address,
                        "internal_port", internal_port, "trusted_proxies",
                        (int)srv.cfg.nproxies, "proxy_protocol_v2", srv.cfg.proxy_v2,
                        "mail", sender != NULL));
    printf("votesrv: serving on http://%s:%d/ (Ctrl-C to stop)\n", srv.cfg.listen_address, port);
    fflush(stdout);
    do
        sigwait(&sigs, &sig);
    while (sig == SIGCHLD && !signer_gone(srv.signer));
    /* without its signer the daemon would take ballots it cannot give receipts for */
    rc = sig == SIGCHLD ? 1 : 0;
    log_event("info", "stopping", json_pack("{s:i}", "signal", sig));
    http_stop(http, SHUTDOWN_GRACE_S);
    http_stop(internal, 0);
    mail_sender_stop(sender);
    srv.compact_on_close = 1;       /* the box file in tracker order, not arrival order */
    sodium_memzero(ctx.csrf_key, sizeof ctx.csrf_key);
    server_close(&srv);
    log_event("info", "stopped", NULL);
    return rc;
}
