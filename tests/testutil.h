/*
 * testutil.h - shared helpers for the test suites, the benchmarks and the
 * vector generator: one section per file of tests/, in this order:
 *   testutil.c           temporary folders, stores, the example election, archives
 *   testutil_vectors.c   hex and seeds, the protocol's known-answer vectors
 *   testutil_ceremony.c  key ceremonies: a whole DKG, the bureau de vote's holders
 *   testutil_proc.c      helper processes, shell commands, /proc, clocks
 *   testutil_smtp.c      the SMTP sink and the messages it delivers
 *   testutil_http.c      HTTP and TCP to the daemon, TOTP codes
 *   testutil_daemon.c    the daemon, elections made by the CLIs, load files
 *   testutil_pg.c        PostgreSQL mode, a primary and its standby, failover
 *   testutil_ca.c        the online credential authority, votecad
 *   testutil_netns.c     network namespaces of a test's own
 */
#ifndef VOTESRV_TESTUTIL_H
#define VOTESRV_TESTUTIL_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "ballot/ballot.h"
#include "store/store.h"
#include "election/ceremony.h"
#include "trustee/trustee.h"

/* ---- testutil.c: temporary folders, stores, the example election, archives ---- */

/* A fresh temporary directory (removed by tu_rmdir). */
char *tu_tmpdir(void);
void tu_rmdir(const char *dir);
/* Write text to dir/name; returns the path (malloc'd). */
char *tu_write(const char *dir, const char *name, const char *text);
/* Open (creating) the store of dir/registry.db and dir/ballots.db, or with
 * VOTESRV_TEST_PG set, dir's PostgreSQL database. */
struct store *tu_store(const char *dir);
/* The example definition with the window moved to [opens, closes]. */
char *tu_definition(int64_t opens, int64_t closes);
/* A store in dir holding the example election (window [opens, closes]) with the
 * voters of csv imported; sets a fresh audit signing key. */
struct store *tu_election(const char *dir, const char *csv, int64_t opens, int64_t closes);
/* What a test fixture that owns a store starts with; tu_fixture_teardown
 * (a cmocka teardown) discards the store and frees the fixture. */
typedef struct {
    char *dir;
    struct store *s;
} tu_fixture_head;
int tu_fixture_teardown(void **state);
/* Close s and remove its temporary directory (which is freed). */
void tu_store_discard(struct store *s, char *dir);
/* The same with a bureau de vote: a president and `delegates` delegates. */
char *tu_definition_bureau(int64_t opens, int64_t closes, size_t delegates);
struct store *tu_election_bureau(const char *dir, const char *csv, int64_t opens, int64_t closes,
                                 size_t delegates);
/* A votesrv-archive/2 file (JSON Lines) as one object: its head's fields,
 * "scrutins" with each scrutin's "board", and the tail's fields. */
json_t *tu_archive_load(const char *path);
json_t *tu_archive_read(FILE *f);
/* Run sql on the registry of dir's store beside the daemon (psql with
 * VOTESRV_TEST_PG, else sqlite3 on dir/registry.db), through the file
 * dir/registry.sql: 0, or -1 (the tool's output printed). */
int tu_registry_sql(const char *dir, const char *sql);

/* ---- testutil_vectors.c: hex and seeds, the protocol's known-answer vectors ---- */

/* Decode hex or abort (test data is trusted to be well-formed). */
void tu_unhex(uint8_t *out, size_t len, const char *hex);
/* A JSON string holding the lowercase hex of buf. */
json_t *tu_jhex(const uint8_t *buf, size_t len);
/* A 32-byte seed whose bytes are label, label+1, ... */
void tu_seed(uint8_t seed[RNG_SEED_BYTES], uint8_t label);
/* Every protocol.json vector, recomputed from its fixed seeds. */
json_t *tu_vectors_generate(void);
/* Flip one bit of buf[bit / 8]. */
void tu_flip(uint8_t *buf, size_t bit);

/* ---- testutil_ceremony.c: key ceremonies: a whole DKG, the bureau de vote's holders ---- */

/* A whole DKG among n trustees with threshold t (threshold.h), every check
 * made; shares and joint key kept for the tests. */
#define TU_MAXN 7
typedef struct {
    size_t n, t;
    uint8_t box_pk[TU_MAXN][THRESHOLD_BOX_PK_BYTES], box_sk[TU_MAXN][THRESHOLD_BOX_SK_BYTES];
    uint8_t com[TU_MAXN][TU_MAXN][GROUP_POINT_BYTES];      /* [dealer][k] */
    proof_pok pok[TU_MAXN];
    uint8_t sealed[TU_MAXN][TU_MAXN][THRESHOLD_SHARE_SEALED_BYTES]; /* [dealer][recipient] */
    group_scalar share[TU_MAXN];                           /* x_j */
    uint8_t joint[GROUP_POINT_BYTES];
} tu_ceremony;
/* -1 if any step fails. */
int tu_run_ceremony(tu_ceremony *c, size_t n, size_t t, const uint8_t ctx[PROOF_CTX_BYTES]);
/* Commitments of all dealers in a row, as threshold_joint_key wants them. */
void tu_flat_commitments(uint8_t *out, const tu_ceremony *c);
/* The key ceremony of a bureau of n holders (president + n - 1 delegates),
 * every message made by trustee_* and posted; 0 once the joint key is set. */
int tu_bureau_ceremony(struct store *s, election_ctx *c, trustee_secret *ts, size_t n);
/* Holder ts's partial decryption of the sums it recomputes from the store's
 * archive, against its record of the close, posted: its result (-1 if it
 * could not be made); the message in *keep unless keep is NULL. */
int tu_bureau_partial(struct store *s, election_ctx *c, const trustee_secret *ts, json_t **keep);
/* The same from a box already read (tu_bureau_box). */
int tu_bureau_partial_from(struct store *s, election_ctx *c, const trustee_secret *ts,
                           const trustee_box *box, json_t **keep);
/* Holders a and b seal the current state before act ("open" or "close"); at
 * close, every holder recomputes the state from the store's archive and
 * signature list and keeps its record (tu_bureau_record), a's and b's seals
 * are posted. tu_bureau_ceremony forgets the records. */
int tu_bureau_seal(struct store *s, election_ctx *c, const trustee_secret *ts, const char *act,
                   uint64_t a, uint64_t b);
json_t *tu_bureau_record(uint64_t holder);
/* The store's archive as holder ts reads it (trustee_box_read); 0 or -1. */
int tu_bureau_box(struct store *s, json_t *ceremony, const trustee_secret *ts, trustee_box *box);

/* ---- testutil_proc.c: helper processes, shell commands, /proc, clocks ---- */

/* fork() for a test's helper process. A failed cmocka assertion in the child
 * would jump back into the runner's copy in the child, which would then run
 * the remaining tests a second time beside the parent (and tear down what
 * the parent still uses); a crash would do the same through cmocka's signal
 * handlers. In a tu_fork child a failed assertion prints its message and ends
 * the child with TU_HELPER_FAILED, a crash ends it by its signal: the parent
 * sees a helper that failed (tu_helper_join) and goes on. The parent must
 * have no other thread (the child sets an environment variable). */
#define TU_HELPER_FAILED 99
int tu_fork(void);
/* Wait for helper pid: 0 if it exited 0; else -1, having printed how it ended. */
int tu_helper_join(int pid, const char *what);
/* Run a shell command (stderr joined to stdout): its exit code, its output in out. */
int tu_sh(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A field of /proc/PID/status in kB ("VmRSS:", "VmHWM:"), as MB; -1 if unknown. */
double tu_proc_mb(int pid, const char *field);
/* A monotonic clock, in seconds; the median of v[0..n) (v is sorted). */
double tu_seconds(void);
double tu_median(double *v, size_t n);
/* Spearman's rank correlation of x[0..n) (distinct values) with 0..n-1: how
 * much places follow an order (test_history, test_backup). */
double tu_spearman(const size_t *x, size_t n);
/* The element at percent of v[0..n) once sorted (v is sorted; n > 0). */
double tu_quantile(double *v, size_t n, int percent);
/* pid's children (at most max), from /proc: how many. */
size_t tu_proc_children(int pid, int *out, size_t max);
/* The child of parent named name (/proc/PID/comm), or -1. */
int tu_proc_child_named(int parent, const char *name);

/* ---- testutil_smtp.c: the SMTP sink and the messages it delivers ---- */

/* The SMTP sink (tests/smtp_sink.py, STARTTLS with a certificate made by
 * openssl in dir): messages land in dir/mail/N.eml. auth may be NULL. */
typedef struct {
    int pid, stdin_fd, stdout_fd, port;
    char cert[512], maildir[512];
} tu_smtp;
int tu_smtp_start(tu_smtp *s, const char *dir, const char *auth);
void tu_smtp_stop(tu_smtp *s);
/* The n-th delivered message (malloc'd), waiting up to 5 s for it; NULL if none. */
char *tu_smtp_message(const tu_smtp *s, int n);
/* The text/plain part of a message, decoded (malloc'd). */
char *tu_mail_text(const char *message);
/* Messages the sink delivered with addr among their envelope recipients
 * (N.rcpt); the number of the last one in *last (0 if none). */
int tu_smtp_mails_to(const tu_smtp *s, const char *addr, int *last);
/* The vote code in a code mail (conf/mail/code.*.txt), canonical: 0 or -1. */
int tu_mail_code(char code[29], const char *message);

/* ---- testutil_http.c: HTTP and TCP to the daemon, TOTP codes ---- */

/* HTTP to the daemon under test (libcurl). */
typedef struct {
    long status;
    char body[65536];
    size_t len;
    char allow[64], set_cookie[256], retry_after[16];
} tu_reply;
extern char tu_base_url[64];
/* The internal listener's (/metrics, /healthz), set with tu_base_url. */
extern char tu_internal_url[64];
/* tu_http to the internal listener. */
void tu_http_internal(tu_reply *r, const char *method, const char *path);
/* method, path, optional body of len bytes, up to two extra header lines. */
void tu_http(tu_reply *r, const char *method, const char *path, const char *body, long len,
             const char *header);
void tu_http2(tu_reply *r, const char *method, const char *path, const char *body, long len,
              const char *header, const char *header2);
/* A TCP connection from the local address src to dst:port (IPv4); the
 * socket, or -1. */
int tu_tcp_connect(const char *src, const char *dst, int port);
/* A staff account's TOTP key from its base32 form (as votectl staff-add
 * prints it), and the 6-digit code of a time. */
void tu_base32_key(uint8_t out[32], const char *secret);
void tu_totp(char out[8], const uint8_t key[32], int64_t t);

/* ---- testutil_daemon.c: the daemon, elections made by the CLIs, load files ---- */

/* The programs' folder, VOTESRV_BIN or else ../build/rel/bin, as an absolute
 * path in bin; -1 if it does not exist. */
int tu_bin(char bin[PATH_MAX]);
/* The programs' folder (tu_bin) in bin, a fresh temporary dir, and the SMTP
 * sink started in it. */
int tu_start_with_smtp(char bin[PATH_MAX], char **dir, tu_smtp *smtp);
/* Start bin/votesrv -c cfg on free ports (set in the config file: listen and
 * internal_listen), log in logfile; sets tu_base_url and tu_internal_url. The
 * pid, or -1. */
int tu_daemon_start(const char *bin, const char *cfg, const char *logfile);
/* votectl demo in dir/demo, then the daemon on it (its log in
 * dir/demo/votesrv.log); its configuration's path in cfg. The daemon's pid,
 * or -1 (votectl's output printed). */
int tu_demo_start(const char *bin, const char *dir, char *cfg, size_t cfglen);
/* The daemon of a test: bin/votesrv -c cfg logging to dir/votesrv.log, and
 * libcurl ready; the pid, or -1. tu_daemon_teardown undoes it. */
int tu_daemon_up(const char *bin, const char *dir, const char *cfg);
/* Stop what a daemon test started: the daemon (SIGTERM, waited for), the SMTP
 * sink, libcurl; then remove and free dir. */
void tu_daemon_teardown(int pid, tu_smtp *smtp, char *dir);
/* The lines of the log file at path that contain needle: how many, the last
 * one copied to last (i24: the daemon's reload lines). */
int tu_log_lines(const char *path, const char *needle, char *last, size_t len);
/* A server configuration in dir (mail through smtp if not NULL); its path in cfg. */
int tu_config(const char *dir, const char *bin, const tu_smtp *smtp, char *cfg, size_t cfglen);
/* An open election in dir, made by the CLIs: the demo's configuration
 * (votectl demo in dir/demo) with the store in dir and mail through the SMTP
 * sink (its path in cfg; smtp NULL: no relay, mail stays queued), the example
 * definition open for a day, the voters of csv, a demo key, and vote codes:
 * the shell step `credentials` ($V is votectl, $C votecred, run in dir) or,
 * if NULL, demo codes in dir/codes.csv ("NUMBER,CODE"). */
int tu_election_by_cli(const char *dir, const char *bin, const tu_smtp *smtp, const char *csv,
                       const char *credentials, char *cfg, size_t cfglen);
/* An open election of n generated voters (B000000...; the demo codes in
 * dir/codes.csv), made by the CLIs, without a mail relay. */
int tu_election_generated(const char *dir, const char *bin, size_t n, char *cfg, size_t cfglen);
/* dir/load.csv for voteclient load: a session per voter of dir/codes.csv
 * (opened without Argon2id, through the access layer), its code, scrutin,
 * and a choice cycling over lists. */
int tu_load_file(const char *dir, const char *cfg, const char *scrutin, int lists);

/* ---- testutil_pg.c: PostgreSQL mode, a primary and its standby, failover ---- */

/* PostgreSQL mode (testutil_pg.c): VOTESRV_TEST_PG holds "host=... port=..."
 * of a test cluster made by tests/pg_cluster.sh; every test folder then has a
 * database of its own, a copy of votesrv_template, dropped by tu_rmdir. */
int tu_pg(void);
/* The connection string of dir's database (created if needed); 0 or -1. */
int tu_pg_conninfo(const char *dir, char *out, size_t len);
void tu_pg_drop(const char *dir);
/* The cluster's Unix-domain socket directory (its first), for a daemon in a
 * network namespace of its own, without the host's loopback; 0 or -1. */
int tu_pg_socket_dir(char *out, size_t len);
/* In PostgreSQL mode, skip the calling cmocka test (a check of SQLite's files),
 * printing why. */
void tu_sqlite_only(const char *what);
/* In PostgreSQL mode, write s's audit log to dir/registry.db (votectl
 * export-audit's file), where the SQLite registry would be, for voteaudit
 * and voteverify --audit-log. */
void tu_audit_file(struct store *s, const char *dir);

/* The documented cluster on loopback (docs/deployment.md "Failover"): one
 * etcd, PostgreSQL servers each under its Patroni (run as "postgres" when the
 * test is root), bootstrapped by Patroni, the first one primary and the others
 * made by Patroni's pg_basebackup, one of them its synchronous standby; and
 * VOTESRV_TEST_PG naming them all with target_session_attrs=read-write, so
 * that stores and daemons follow a promotion. VOTESRV_HA_NODES=3 runs three
 * servers with synchronous_mode_strict (the default, two, runs without: see
 * the docs). Every process is killed and the folder removed by _stop. */
#define TU_PG_NODES_MAX 3
typedef struct {
    char dir[PATH_MAX];
    int nodes, strict;
    int ttl, loop_wait, retry_timeout;  /* Patroni's, in seconds */
    int port[TU_PG_NODES_MAX];          /* PostgreSQL's */
    int rest[TU_PG_NODES_MAX];          /* Patroni's REST API */
    int patroni[TU_PG_NODES_MAX];       /* their pids, 0 once gone */
    int etcd, etcd_port, etcd_peer;
    int sync;                           /* the synchronous standby at start */
} tu_pg_pair;
/* Whether the PostgreSQL server programs are there (else tests skip). */
int tu_pg_available(void);
/* Whether Patroni, etcd (with Patroni's etcd client) and HAProxy are there. */
int tu_ha_available(void);
int tu_pg_pair_start(tu_pg_pair *p);
/* The machine of the current primary is lost: its Patroni, its postmaster and
 * every process they started get SIGKILL together. Its index, or -1. */
int tu_pg_pair_kill_primary(tu_pg_pair *p);
/* The index of the node whose Patroni says it is the primary, or -1. */
int tu_pg_pair_primary(const tu_pg_pair *p);
void tu_pg_pair_stop(tu_pg_pair *p);

/* The failover (make check-ha, make bench): the cluster above, an election of
 * `voters` on it, two votesrv nodes behind HAProxy (conf/haproxy.cfg),
 * voteclient load --retry through HAProxy (two clients, half the voters
 * each). Once a tenth of the ballots are acknowledged a base backup is taken
 * from the synchronous standby (pg_cluster.sh backup); once it is done and a
 * third are acknowledged, the primary's machine is lost and Patroni alone
 * promotes the standby. Afterwards the backup is started as a throw-away
 * server and checked like the live box. */
typedef struct {
    size_t voters, acked, acked_at_kill;
    size_t ballots, signatures;     /* in the box and the list afterwards */
    size_t missing;                 /* acknowledged trackers not in the box */
    int load_rc[2];                 /* voteclient's exit codes */
    double pause_s;                 /* the longest time without an acknowledgment */
    double run_s;
    double promote_s;               /* from the kill to Patroni's new primary */
    int ttl, loop_wait, retry_timeout, nodes, strict;
    /* the base backup: acknowledgments when it started and ended, how long it
     * took; the copy's ballots and signatures, the receipts acknowledged
     * before it started that it lacks, its audit chain's check */
    size_t backup_acked_start, backup_acked_end;
    double backup_s;
    size_t backup_ballots, backup_signatures, backup_missing;
    int backup_audit_rc;
    char backup_audit_out[1024];
    int audit_rc;                   /* export-audit then voteaudit verify-log */
    char audit_out[1024];
} tu_ha_result;
int tu_ha_failover(const char *bin, size_t voters, tu_ha_result *r);

/* ---- testutil_ca.c: the online credential authority, votecad ---- */

/* The online credential authority, a real `votecad serve` (testutil_ca.c) in
 * dir/votecad: the demo authority's key (the test definition's), roster
 * (votecred-state.json, as `votectl credentials --demo` or votecred notices
 * write it), the daemon's audit public key server_pk, and its own SMTP sink
 * (smtp, in dir/votecad: the authority's relay, apart from the daemon's). */
typedef struct {
    int pid;
    char bin[PATH_MAX], dir[PATH_MAX], cfg[PATH_MAX + 64], roster[PATH_MAX], url[64];
    uint8_t server_pk[32];
    tu_smtp smtp;
} tu_votecad;
/* votecad init, then serve; 0 or -1. Later restarts keep the port. */
int tu_votecad_start(tu_votecad *v, const char *bin, const char *dir, const char *roster,
                     const uint8_t server_pk[32]);
/* The same for the daemon of configuration cfg (its audit key, from its keys
 * file), with cfg's credential_authority_url set to votecad. */
int tu_votecad_for(tu_votecad *v, const char *bin, const char *dir, const char *cfg,
                   const char *roster);
/* `votecad serve v->cfg` (again): 0 once it listens (v->url), or -1. */
int tu_votecad_serve(tu_votecad *v);
/* SIGTERM, waited for: 0 if it ended cleanly (exit status 0). */
int tu_votecad_halt(tu_votecad *v);
/* Halt votecad and stop its SMTP sink. */
void tu_votecad_stop(tu_votecad *v);
/* A number of `votecad status` (NAME VALUE lines), or -1. */
long long tu_votecad_status(const tu_votecad *v, const char *name);
/* Until votecad's outbox has nothing queued: 0, or -1 after 60 s. */
int tu_votecad_outbox_empty(const tu_votecad *v);
/* Once the outbox is empty, the code of the last mail votecad's relay got for
 * addr (an envelope recipient), canonical: 0, or -1 if none. */
int tu_votecad_code(const tu_votecad *v, const char *addr, char code[29]);

/* ---- testutil_netns.c: network namespaces of a test's own ---- */

/* Up to TU_NETNS_MAX network namespaces of a test's own, named prefix, a role
 * letter and the test process's pid ("vsab-s1234"): nothing is added to the
 * host's namespace, and runs side by side do not meet. They need root
 * (CAP_NET_ADMIN) and iproute2. */
#define TU_NETNS_MAX 4
#define TU_NETNS_KIDS 8
typedef struct {
    char prefix[16], roles[TU_NETNS_MAX + 1];
    char name[TU_NETNS_MAX][32];        /* one per role letter */
    pid_t owner;                        /* the test process */
    int home;                           /* its own network namespace (fd), -1 */
    volatile sig_atomic_t cleaned;
    volatile pid_t kids[TU_NETNS_KIDS]; /* tu_netns_run children not yet joined */
} tu_netns;
/* The names, one per letter of roles, for the calling process; nothing made. */
void tu_netns_init(tu_netns *ns, const char *prefix, const char *roles);
/* Make the namespaces (ip netns add), once those of earlier runs killed by
 * SIGKILL (prefix, a role, a pid no longer running) and of this pid are
 * removed: 0, or -1 (not root, or ip failed: nothing left made). */
int tu_netns_add(tu_netns *ns);
/* A shell command (tu_sh) for the links and addresses in them: 0, or -1 with
 * the command and its output printed. */
int tu_netns_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Undo tu_netns_add whatever happened: SIGKILL the children still running,
 * bring the test process back to its own namespace (after tu_netns_move) and
 * remove the namespaces. From teardown, atexit and signal handlers alike, in
 * the test process only (elsewhere nothing); async-signal-safe. */
void tu_netns_cleanup(tu_netns *ns);
/* Move the calling thread into namespace name; 0 or -1. */
int tu_netns_enter(const char *name);
/* The same for the test process, its own namespace kept for tu_netns_cleanup
 * (ns->home, closed by the test). */
int tu_netns_move(tu_netns *ns, const char *name);
/* Run fn(arg) in a child (tu_fork) moved into namespace name, libcurl
 * initialised: its pid. The child dies with the test process, and
 * tu_netns_cleanup kills it if it is still running. */
int tu_netns_run(tu_netns *ns, const char *name, void (*fn)(void *), void *arg);
/* tu_helper_join(pid, what), the child forgotten: 0 or -1. */
int tu_netns_join(tu_netns *ns, int pid, const char *what);
/* SIGKILL and reap the children not yet joined (a test failed before). */
void tu_netns_kids_stop(tu_netns *ns);

#endif
