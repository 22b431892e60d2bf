/* votesrv - the election daemon.
 *
 *   votesrv [-c CONFIG] [--port-file FILE]
 *
 * Serves the JSON API on the configured address; SIGTERM or SIGINT stops
 * accepting connections, lets requests in flight finish, and exits 0. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "endpoints.h"
#include "log.h"

#define SHUTDOWN_GRACE_S 10

static int write_port(const char *path, int port)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -1;
    fprintf(f, "%d\n", port);
    return fclose(f);
}

int main(int argc, char **argv)
{
    const char *cfg_path = "conf/votesrv.json", *port_file = NULL;
    config cfg;
    server_keys keys;
    http_ctx ctx;
    http_server *srv;
    store *st;
    store_config sc;
    sigset_t sigs;
    char err[CONFIG_ERR_CHARS];
    int sig, port;

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
    if (config_load(&cfg, cfg_path, err, sizeof err) != 0 ||
        server_keys_load(&keys, cfg.keys, 0, err, sizeof err) != 0) {
        log_event("error", "config", json_pack("{s:s}", "error", err));
        return 2;
    }
    log_set_debug(cfg.log_debug);
    audit_set_signing_key(keys.audit_sk);
    /* Handle the stop signals here only: every thread started below inherits the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    sc = (store_config){ cfg.registry, cfg.ballot_box, 0 };
    st = store_open(&sc, err, sizeof err);
    if (st == NULL) {
        log_event("error", "store", json_pack("{s:s}", "error", err));
        return 1;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.store = st;
    ctx.cfg = &cfg;
    ctx.keys = &keys;
    ctx.started = (int64_t)time(NULL);
    srv = http_start(&ctx, votesrv_routes, votesrv_nroutes, err, sizeof err);
    if (srv == NULL) {
        log_event("error", "listen", json_pack("{s:s}", "error", err));
        store_close(st);
        return 1;
    }
    port = http_port(srv);
    if (port_file != NULL && write_port(port_file, port) != 0)
        log_event("error", "port-file", json_pack("{s:s}", "path", port_file));
    log_event("info", "listening", json_pack("{s:s,s:i}", "address", cfg.listen_address,
                                             "port", port));
    printf("votesrv: serving on http://%s:%d/ (Ctrl-C to stop)\n", cfg.listen_address, port);
    fflush(stdout);
    sigwait(&sigs, &sig);
    log_event("info", "stopping", json_pack("{s:i}", "signal", sig));
    http_stop(srv, SHUTDOWN_GRACE_S);
    store_close(st);
    sodium_memzero(&keys, sizeof keys);
    log_event("info", "stopped", NULL);
    return 0;
}
