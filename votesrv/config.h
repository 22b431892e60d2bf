/*
 * config.h - votesrv's configuration file (JSON, see conf/votesrv.example.json)
 * and the server's secret keys file. Relative paths are taken from the
 * directory of the file that names them. Unknown keys are refused.
 */
#ifndef VOTESRV_CONFIG_H
#define VOTESRV_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "access/access.h"
#include "audit/audit.h"
#include "crypto/secret.h"
#include "mail/mail.h"

#define CONFIG_PATH_CHARS 1024
#define CONFIG_ERR_CHARS 400
#define CONFIG_LISTS 4
#define CONFIG_PROXIES 16

/* An IPv4 or IPv6 network: an address and a prefix length (32 or 128 for one
 * address). */
#define CONFIG_TEXT_CHARS 201       /* 200 bytes and the NUL */

typedef struct {
    int family;                /* AF_INET or AF_INET6 */
    uint8_t addr[16];          /* network order; 4 bytes used for AF_INET */
    unsigned bits;
} config_net;

typedef struct {
    char listen_address[64];
    int port;
    /* /metrics and /healthz: a listener of their own, off the public port */
    char internal_address[64];
    int internal_port;
    /* Proxies in front (HAProxy): only a connection from one of these may
     * name the real client, in a PROXY protocol v2 header (proxy_v2: every
     * connection from them starts with one) or else in the right-most
     * X-Forwarded-For entry. */
    config_net proxies[CONFIG_PROXIES];
    size_t nproxies;
    int proxy_v2;
    /* listen.unix: a Unix-domain socket for the proxy (HAProxy on this host).
     * Every connection on it starts with a PROXY v2 header; its file mode
     * (and group) is what makes the peer trusted. With it, no TCP peer is
     * trusted: trusted_proxies must be empty. "": none. */
    char unix_path[108];
    unsigned unix_mode;                /* 0660 unless listen.unix.mode */
    char unix_group[64];               /* "": the process's own group */
    char registry[CONFIG_PATH_CHARS], ballot_box[CONFIG_PATH_CHARS], keys[CONFIG_PATH_CHARS];
    char postgresql[CONFIG_PATH_CHARS]; /* a libpq connection string; "": the SQLite files */
    size_t max_body_bytes;
    unsigned max_connections, per_ip_connections, connection_timeout_s, threads;
    unsigned failures_per_network;      /* per ACCESS_NETWORK_WINDOW (access.h) */
    unsigned login_queue_ms;            /* admission: a login's longest estimated wait for
                                           Argon2id (ACCESS_WAIT_BOUND_MS by default) */
    char log_level[8];       /* debug, info, warn or error */
    char assets[CONFIG_PATH_CHARS];   /* the portal's static files (make builds build/portal) */
    char documents[CONFIG_PATH_CHARS];  /* the definition's professions de foi are under it */
    int portal_theme;          /* "portal": {"theme": ...}: PORTAL_THEME_* (portal/theme.h) */
    mail_config mail;          /* templates and portal_url always; relay when mail_relay */
    int mail_relay;
    char common_passwords[CONFIG_LISTS][CONFIG_PATH_CHARS];
    size_t ncommon;
    int64_t link_ttl;
    int reissues_per_day;
    int64_t board_batch_seconds;   /* the public board's batches (box/board.c); 600 */
    /* The credential authority's service (votecad), which makes reissued vote
     * codes; "": none, and the code reassort answers that it is unavailable. */
    char authority_url[CONFIG_PATH_CHARS];
    /* Privilege separation (votesrv/privsep.c): HTTP in a sandboxed worker
     * process, which runs as privsep_user when started as root; the signer
     * (signer/) becomes privsep_signer_user when started as root ("": it
     * stays root). The writer, this process, becomes privsep_writer_user once
     * its children are forked, before it opens a store (sandbox_enter_writer);
     * started as root without it, the daemon refuses to start unless
     * privsep_writer_root (privsep.writer_stays_root: demos and tests). */
    int privsep;
    char privsep_user[64];
    char privsep_signer_user[64];
    char privsep_writer_user[64];
    int privsep_writer_root;
    /* privsep.mode "units" (privsep_units): the signer, the writer and the
     * worker are three programs started by systemd, each as its own user
     * (votesrv --signer, votesrv, votesrv --worker), that meet on two Unix
     * sockets and check each other's uid (SO_PEERCRED): the signer's
     * (privsep.signer_socket) and the writer's (privsep.worker_socket).
     * "fork" (the default): the writer forks the other two. */
    int privsep_units;
    char privsep_signer_socket[108];
    char privsep_worker_socket[108];
    /* The "Données personnelles" page (personal_data): the controller of the
     * processing and the data-protection officer, by name, and how to reach
     * the officer (an address or an https page); "": the page names the
     * organiser and sends rights requests to the support cell. */
    char pd_controller[CONFIG_TEXT_CHARS];
    char pd_dpo[CONFIG_TEXT_CHARS];
    char pd_dpo_contact[CONFIG_TEXT_CHARS];
    /* The défi menu (defi_questions; ndefi 0: the built-in one), which
     * config_load also sets for the process (access_defi_configure). */
    access_defi_entry defi[ACCESS_DEFI_MAX];
    size_t ndefi;
} config;

typedef struct {
    uint8_t audit_sk[AUDIT_SK_BYTES];
    uint8_t audit_pk[AUDIT_PK_BYTES];
    uint8_t pepper[SECRET_PEPPER_BYTES];
} server_keys;

/* "192.0.2.1", "2001:db8::/32", "10.0.0.0/8": 0, or -1 if it is not an
 * address with an optional prefix length (bits beyond it must be zero). */
MUST_CHECK
int config_net_parse(config_net *n, const char *text);
/* Whether an address (4 or 16 bytes, by family) is in n. */
int config_net_contains(const config_net *n, int family, const uint8_t *addr);
/* Whether the address is one of the configured proxies' (an IPv4-mapped IPv6
 * address is taken as the IPv4 one). */
int config_proxy_trusted(const config *c, const struct sockaddr *sa);
/* 0, or -1 with a message in err; and the défi menu set for the process. */
int config_load(config *c, const char *path, char *err, size_t errlen);
/* The same without touching the process nor reading the mail relay's
 * password (a reload by the writer, which must not hold it: reload.c). */
int config_read(config *c, const char *path, char *err, size_t errlen);
/* config_load for the signer's and the worker's units (privsep.mode
 * "units"): no_mail_password leaves mail.password_file unread (the
 * writer's alone, not readable by their users). */
int config_load_role(config *c, const char *path, int no_mail_password, char *err,
                     size_t errlen);
/* Read the keys file; if create is set and the file does not exist, make new
 * keys and write them (mode 0600). */
int server_keys_load(server_keys *k, const char *path, int create, char *err, size_t errlen);

#endif
