/* votesrv - the election daemon.
 *
 *   votesrv [-c CONFIG] [--port-file FILE]
 *
 * Serves the JSON API and the portal on the configured address (listen),
 * /metrics and /healthz on the internal one (internal_listen); the port file
 * gets both ports, one a line (public, then internal). SIGTERM or SIGINT stops
 * accepting connections, lets requests in flight finish, and exits 0. SIGHUP
 * (systemctl reload) reads CONFIG again and applies what can change without a
 * restart, logging what it applied and what needs a restart (reload.c).
 *
 * With privsep.enabled (the default), the signer (signer/) is forked first and
 * alone reads the keys file; then both listeners go to a worker process forked
 * before anything secret is opened, in a sandbox (privsep.c, sandbox.c); this
 * process, the writer, opens the stores with the signer's derived keys and
 * runs the routes for it. If the worker or the signer dies, the writer closes
 * the stores and exits 1: a supervisor restarts the whole daemon. With a mail
 * relay, SMTP and TLS go to the mailer (mailer.c), started third, before any
 * store is opened, by exec of this program (votesrv --mailer): the writer
 * keeps the outbox and restarts a mailer that dies. Without privsep, one
 * process does everything, the signer and the SMTP client in-process. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "endpoints.h"
#include "election/election.h"
#include "log.h"
#include "report/report.h"
#include "server.h"

#define SHUTDOWN_GRACE_S 10

/* A write the store could not make: why, in the engine's words. */
static void on_store_error(const char *detail)
{
    log_event("error", "store", json_pack("{s:s}", "detail", detail));
}

/* The port file is opened before the writer's change of user, written once
 * both ports are known. */
static int write_port(FILE *f, int port, int internal)
{
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
    FILE *port_f = NULL;
    static config cfg;
    server srv;
    store_config sc;
    signer *signer = NULL;
    http_ctx ctx;
    http_server *http = NULL, *internal = NULL;
    privsep ps = { .ctl = -1 };
    ino_t unix_ino = 0;         /* the Unix socket a sandboxed worker made */
    mail_sender *sender = NULL;
    mailer *mailer = NULL;
    sigset_t sigs;
    char err[CONFIG_ERR_CHARS];
    int sig, port, internal_port, rc = 0;

    umask(077);                 /* every file and folder it makes: its owner's only */
    if (argc == 3 && strcmp(argv[1], MAILER_ARG) == 0)
        return mailer_main(argv[2]);           /* the mailer process (mailer.c) */

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
    /* Handle the stop signals here only: every thread started below inherits the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGCHLD);          /* the worker's or the signer's end */
    sigaddset(&sigs, SIGHUP);           /* reload (children inherit it blocked) */
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (config_load(&cfg, cfg_path, err, sizeof err) != 0) {
        log_event("error", "start", json_pack("{s:s}", "error", err));
        return 2;
    }
    log_set_level(cfg.log_level);
    /* started as root: the writer's user is checked before anything is forked */
    if (sandbox_check_writer(&cfg, err, sizeof err) != 0) {
        log_event("error", "privsep", json_pack("{s:s}", "error", err));
        return 2;
    }
    if (port_file != NULL && (port_f = fopen(port_file, "w")) == NULL)
        log_event("error", "port-file", json_pack("{s:s}", "path", port_file));
    /* the signer first, before any thread, store or key: it alone reads the
     * keys file, and the writer only gets the public and derived keys */
    if (cfg.privsep) {
        sc = server_store_config(&cfg, 1);
        signer = signer_spawn(cfg.keys, 0, &sc, cfg.privsep_signer_user, err, sizeof err);
        if (signer == NULL) {
            log_event("error", "signer", json_pack("{s:s}", "error", err));
            return 2;
        }
    }
    /* the worker next: it never has the stores, keys or pepper in its memory */
    if (cfg.privsep && privsep_fork(&ps, &cfg, err, sizeof err) != 0) {
        log_event("error", "privsep", json_pack("{s:s}", "error", err));
        privsep_stop(&ps);
        signer_free(signer);
        return 1;
    }
    /* the mailer third: SMTP and TLS, with the relay's password only */
    if (cfg.privsep && cfg.mail_relay && cfg.mail.transport == MAIL_TRANSPORT_SMTP &&
        (mailer = mailer_spawn("/proc/self/exe", &cfg.mail, cfg.privsep_user, cfg.log_level, err,
                               sizeof err)) == NULL) {
        log_event("error", "mailer", json_pack("{s:s}", "error", err));
        privsep_stop(&ps);
        signer_free(signer);
        return 1;
    }
    sodium_memzero(cfg.mail.password, sizeof cfg.mail.password);   /* the mailer's now */
    /* the children forked, and before any store or request: the writer's own user */
    if (sandbox_enter_writer(&cfg, err, sizeof err) != 0) {
        log_event("error", "privsep", json_pack("{s:s}", "error", err));
        privsep_stop(&ps);
        mailer_free(mailer);
        signer_free(signer);
        return 1;
    }
    if (cfg.privsep)
        log_event("info", "writer", json_pack("{s:i,s:i}", "uid", (int)getuid(), "gid",
                                              (int)getgid()));
    if ((signer != NULL ? server_open_signer(&srv, &cfg, signer, 0, err, sizeof err)
                        : server_open(&srv, cfg_path, 0, 0, err, sizeof err)) != 0) {
        log_event("error", "start", json_pack("{s:s}", "error", err));
        privsep_stop(&ps);
        mailer_free(mailer);
        server_close(&srv);
        return 2;
    }
    log_set_level(srv.cfg.log_level);
    store_on_error(srv.store, on_store_error);
    server_http_ctx(&srv, &ctx);
    timezone_set(srv.store);
    if (cfg.privsep) {
        port = privsep_serve_start(&ps, &ctx) == 0 ? privsep_wait_ready(&ps, &internal_port)
                                                    : -1;
        unix_ino = http_unix_inode(&cfg);   /* the worker's socket: removed here at stop */
        if (port < 0)
            snprintf(err, sizeof err, "the network-facing worker did not start");
    } else {
        http = http_start(&ctx, votesrv_routes, votesrv_nroutes, err, sizeof err);
        internal = http == NULL ? NULL
                                : http_start_internal(&ctx, votesrv_internal_routes,
                                                      votesrv_internal_nroutes, err, sizeof err);
        port = internal != NULL ? http_port(http) : -1;
        internal_port = internal != NULL ? http_port(internal) : -1;
    }
    if (port < 0) {
        log_event("error", "listen", json_pack("{s:s}", "error", err));
        privsep_stop(&ps);
        http_stop(http, 0);
        mailer_free(mailer);
        server_close(&srv);
        return 1;
    }
    if (mailer != NULL) {
        mail_transport_set(srv.mail, mailer_transport, mailer);   /* wipes its password */
        sodium_memzero(srv.cfg.mail.password, sizeof srv.cfg.mail.password);
    }
    if (srv.cfg.mail_relay)
        sender = mail_sender_start(srv.store, srv.mail);
    if (port_file != NULL && write_port(port_f, port, internal_port) != 0)
        log_event("error", "port-file", json_pack("{s:s}", "path", port_file));
    log_event("info", "listening",
              json_pack("{s:s,s:i,s:s,s:i,s:i,s:b,s:b}", "address", srv.cfg.listen_address,
                        "port", port, "internal_address", srv.cfg.internal_address,
                        "internal_port", internal_port, "trusted_proxies",
                        (int)srv.cfg.nproxies, "proxy_protocol_v2", srv.cfg.proxy_v2,
                        "mail", sender != NULL));
    printf("votesrv: serving on http://%s:%d/ (Ctrl-C to stop)\n", srv.cfg.listen_address, port);
    fflush(stdout);
    /* a mailer that died is restarted: the outbox keeps what it had not sent */
    do {
        sigwait(&sigs, &sig);
        if (sig == SIGCHLD)
            mailer_check(mailer);
        else if (sig == SIGHUP)
            server_reload(&srv, &ctx, cfg_path);
    } while (sig == SIGHUP ||
             (sig == SIGCHLD && !privsep_worker_gone(&ps) && !signer_gone(srv.signer)));
    /* without its signer the daemon would take ballots it cannot give receipts for */
    if (sig == SIGCHLD)
        rc = 1;
    log_event("info", "stopping", json_pack("{s:i}", "signal", sig));
    mail_sender_ask_stop(sender);   /* its message on the way ends while the worker stops */
    privsep_stop(&ps);
    if (cfg.privsep)
        http_unix_remove(&cfg, unix_ino);
    http_stop(http, SHUTDOWN_GRACE_S);
    http_stop(internal, 0);
    mail_sender_stop(sender);
    mailer_free(mailer);
    srv.compact_on_close = 1;       /* the box file in tracker order, not arrival order */
    sodium_memzero(ctx.csrf_key, sizeof ctx.csrf_key);
    server_close(&srv);
    report_cleanup();               /* the receipts' PDFs (page_receipt.c): cairo's caches */
    log_event("info", "stopped", NULL);
    return rc;
}
