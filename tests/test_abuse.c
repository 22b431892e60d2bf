/*
 * test_abuse.c - the daemon under abuse from many client addresses.
 *
 * Three network namespaces of the test's own (vsab-s/a/v<pid>) hold all its
 * traffic: "server" holds the daemon, "attackers" one address in each of
 * many /24 networks, "voters" the legitimate voters' machine; a veth pair
 * links the server's to each of the other two. Both ends of each pair and
 * every address are inside them: nothing is added to the host's namespace,
 * so runs side by side do not meet. The test process enters the server's
 * namespace (the daemon it starts is born there, and its own requests go
 * from there); bots run as threads of a process moved into the attackers'
 * namespace, each bound to its own source address; the voters' process
 * measures what a voter gets meanwhile. The namespaces are removed however
 * the test ends: teardown, atexit (a failed setup), SIGINT/SIGTERM/SIGHUP
 * (then the signal is raised again), and a leftover of the same name from a
 * killed run is removed before they are made. With PostgreSQL the daemon
 * reaches the cluster through its Unix socket.
 *
 * - password guessing on one voter from 32 networks: the guesses actually
 *   checked stay what the account's delays allow, whatever the number of
 *   addresses; other voters log in meanwhile; the voter under attack gets in
 *   through a password link (which clears the delays and logs her in);
 * - spraying many accounts: each network stops at its window's failures; a
 *   voter in another network is not affected, one in the same /24 is;
 * - vote codes with a stolen session from 16 networks: code entry locks after
 *   a handful of wrong codes; other voters cast meanwhile (voteclient);
 * - one-time tokens: a flood of random tokens (a fixed number) finds nothing,
 *   a real link works;
 * - connections: the per-address limit, idle and slow (slowloris) clients,
 *   oversized requests and a connect/close flood (a fixed number), with the
 *   daemon answering the voters all along: pages asked and answered while
 *   the slow clients hold their connections.
 *
 * Counts are fixed, not what a machine manages in a given time: every test
 * passes beside stress-ng --cpu 2. Helper processes are made by tu_fork: a
 * failed assertion in one ends it (exit 99) and fails the test in the parent;
 * namespaces of earlier runs killed by SIGKILL (their pid gone) are removed
 * at the start.
 *
 * The namespaces need root (CAP_NET_ADMIN) and iproute2; without them the
 * test says so and is skipped. test_fixation_and_replay needs neither: a
 * planted session cookie, cross-site requests, replayed requests and ballots.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>
#include "access/access.h"
#include "client/client.h"
#include "crypto/secret.h"
#include "notices/code.h"
#include "votesrv/server.h"
#include "testutil.h"

#define VOTERS 200
#define SCRUTIN "csa-ministere"
#define LISTS 4
#define SERVER_A "10.250.0.1"         /* the daemon: the server's end of the attackers' link */
#define VOTER_ADDR "10.251.0.2"
#define GUESS_NETS 32                 /* 10.250.1-32.2 */
#define SPRAY_NET0 101                /* 10.250.101-106.2, and .77 in each */
#define SPRAY_NETS 6
#define PER_IP 8
#define MAX_CONN 400
#define TIMEOUT_S 3
#define NET_FAILURES 10
#define PASSWORD "un cheval de trait rouge"

/* Who plays what, by voter number (B000000 ...). */
enum { TARGET = 0, LEGIT = 1, STOLEN = 2, NOT_ACTIVATED = 3, NEIGHBOUR = 4, REPLAY = 5,
       CASTERS = 10, NCASTERS = 40, OTHER = 60, SPRAYED = 100 };

typedef struct {
    atomic_long status[600];      /* bots' answers by HTTP status; 0: no answer */
    atomic_long legit_ok, legit_bad, legit_max_us;
    atomic_long held, closed, answered;   /* connection tests */
    atomic_long slow_from_us, slow_to_us;  /* while the slow clients hold (tu_seconds) */
    atomic_long pages_during;             /* voter pages asked and answered meanwhile */
    long once[8];                 /* one-shot results of the voters' process */
} counts;

typedef struct {
    char *dir;
    char bin[PATH_MAX], cfg[PATH_MAX + 32], url[64];
    char link_pw[ACCESS_TOKEN_CHARS + 1], link_act[ACCESS_TOKEN_CHARS + 1];
    char **load;                  /* load.csv: "SESSION,CODE,SCRUTIN,CHOICE" per voter */
    char *ballot;                 /* a well-formed ballot of a code nobody holds */
    int pid, netns, port;
} env;

static env E;
static tu_netns N;                /* vsab-s/a/v<pid>: the server's, attackers', voters' */
#define NS_S (N.name[0])
#define NS_A (N.name[1])
#define NS_V (N.name[2])
static counts *C;

/* The JSON body of a login as the i-th voter (B00000i, bi@bench.example). */
static void login_body(char *out, size_t len, long voter, const char *password)
{
    snprintf(out, len, "{\"identifier\":\"b%ld@bench.example\",\"password\":\"%s\"}", voter,
             password);
}

/* The Cookie header of voter i's session (made beforehand, in load.csv). */
static void session_of(char *out, size_t len, int voter)
{
    snprintf(out, len, "Cookie: votesrv_session=%.*s", (int)strcspn(E.load[voter], ","),
             E.load[voter]);
}

/* ---- the namespaces (testutil_netns.c) ---- */

/* Undo ns_up whatever happened: SIGKILL the daemon (when nothing stopped it
 * more gently), then tu_netns_cleanup. From teardown, atexit and the signal
 * handler alike, in the test process only; async-signal-safe. */
static void ns_cleanup(void)
{
    if (getpid() == N.owner && !N.cleaned && E.pid > 0)
        kill(E.pid, SIGKILL);
    tu_netns_cleanup(&N);
}

/* Killed: the namespaces, then the test's folder (rm, as teardown cannot
 * run), then die of the signal. */
static void on_signal(int sig)
{
    char *const argv[] = { "rm", "-rf", "--", E.dir, NULL }, *const envp[] = { NULL };
    pid_t rm;

    if (getpid() == N.owner && !N.cleaned) {
        ns_cleanup();
        if (E.dir != NULL && (rm = fork()) == 0) {
            execve("/bin/rm", argv, envp);
            _exit(127);
        } else if (E.dir != NULL && rm > 0) {
            waitpid(rm, NULL, 0);
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static int ns_addr(int k, int host)
{
    return tu_netns_sh("ip -n %s addr add 10.250.%d.%d/16 dev eth0", NS_A, k, host);
}

/* Three namespaces of the test's own: the server's, linked by a veth pair
 * to the attackers' and by another to the voters'. Both ends of each pair
 * and every address are inside them: the host's namespace gets nothing. */
static int ns_up(void)
{
    int rc = 0;

    if (tu_netns_add(&N) != 0)
        return -1;
    rc |= tu_netns_sh("ip -n %s link set lo up && "
                      "ip -n %s link add a0 type veth peer name eth0 netns %s && "
                      "ip -n %s addr add " SERVER_A "/16 dev a0 && ip -n %s link set a0 up && "
                      "ip -n %s link set lo up && ip -n %s link set eth0 up",
                      NS_S, NS_S, NS_A, NS_S, NS_S, NS_A, NS_A);
    for (int k = 1; k <= GUESS_NETS && rc == 0; k++)
        rc |= ns_addr(k, 2);
    for (int k = SPRAY_NET0; k < SPRAY_NET0 + SPRAY_NETS && rc == 0; k++)
        rc |= ns_addr(k, 2) | ns_addr(k, 77);
    rc |= tu_netns_sh("ip -n %s link add v0 type veth peer name eth0 netns %s && "
                      "ip -n %s addr add 10.251.0.1/24 dev v0 && ip -n %s link set v0 up && "
                      "ip -n %s link set lo up && ip -n %s addr add " VOTER_ADDR "/24 dev eth0 && "
                      "ip -n %s link set eth0 up && ip -n %s route add default via 10.251.0.1",
                      NS_S, NS_V, NS_S, NS_S, NS_V, NS_V, NS_V, NS_V);
    if (rc != 0)
        ns_cleanup();
    return rc;
}

static void join(int pid)
{
    if (tu_netns_join(&N, pid, "test_abuse: a helper process") != 0)
        fail_msg("a helper process failed (its message above)");
}

/* Children still running (a test failed before joining them): stopped, so
 * that they do not run on into the next test. A cmocka teardown. */
static int kids_stop(void **state)
{
    (void)state;
    tu_netns_kids_stop(&N);
    return 0;
}

/* ---- the election ---- */

static int64_t voter_id(store_tx *tx, int i)
{
    char number[16];
    int64_t id;
    int struck;

    snprintf(number, sizeof number, "B%06d", i);
    return store_voter_find(tx, number, &id, &struck) == STORE_OK ? id : -1;
}

typedef struct {
    server *srv;
    char hash[SECRET_PWHASH_STR_BYTES];
} accounts_job;

/* Passwords for the voters who log in; a password link for the target and
 * an activation link for the one not activated (their mail stays queued). */
static int run_accounts(store_tx *tx, void *arg)
{
    accounts_job *j = arg;
    const int with_pw[] = { TARGET, LEGIT, STOLEN, NEIGHBOUR, REPLAY };
    int64_t now = (int64_t)time(NULL);
    int rc;

    for (size_t i = 0; i < sizeof with_pw / sizeof *with_pw; i++)
        if ((rc = store_access_set_password(tx, voter_id(tx, with_pw[i]), j->hash)) != STORE_OK)
            return rc;
    if ((rc = access_link_issue_tx(tx, &j->srv->access, voter_id(tx, TARGET), STORE_LINK_PASSWORD,
                                   NULL, now, E.link_pw)) != STORE_OK)
        return rc;
    return access_link_issue_tx(tx, &j->srv->access, voter_id(tx, NOT_ACTIVATED),
                                STORE_LINK_ACTIVATION, NULL, now, E.link_act);
}

static void election(void)
{
    accounts_job j;
    server srv;
    char err[256], path[PATH_MAX + 16], line[512];
    json_t *cfg, *limits;
    FILE *f;
    size_t n = 0;

    assert_int_equal(tu_election_generated(E.dir, E.bin, VOTERS, E.cfg, sizeof E.cfg), 0);
    assert_non_null(cfg = json_load_file(E.cfg, 0, NULL));
    json_object_set_new(json_object_get(cfg, "listen"), "address",
                        json_string(E.netns ? SERVER_A : "127.0.0.1"));
    if (E.netns && tu_pg()) {           /* the server's namespace has no way to the host's */
        char sock[PATH_MAX], pg[PATH_MAX + 700];   /* loopback: the cluster's Unix socket */
        json_t *store = json_object_get(cfg, "store");

        assert_int_equal(tu_pg_socket_dir(sock, sizeof sock), 0);
        snprintf(pg, sizeof pg, "%s host=%s",
                 json_string_value(json_object_get(store, "postgresql")), sock);
        json_object_set_new(store, "postgresql", json_string(pg));
    }
    limits = json_pack("{s:i,s:i,s:i,s:i,s:i}", "per_ip_connections", PER_IP, "max_connections",
                       MAX_CONN, "connection_timeout_s", TIMEOUT_S, "threads", 2,
                       "failures_per_network", NET_FAILURES);
    json_object_set_new(cfg, "limits", limits);
    assert_int_equal(json_dump_file(cfg, E.cfg, JSON_INDENT(1)), 0);
    json_decref(cfg);
    assert_int_equal(server_open(&srv, E.cfg, 0, 1, err, sizeof err), 0);
    j.srv = &srv;
    assert_int_equal(secret_pwhash(j.hash, PASSWORD, strlen(PASSWORD)), 0);
    assert_int_equal(store_write(srv.store, run_accounts, &j), STORE_OK);
    server_close(&srv);
    assert_int_equal(tu_load_file(E.dir, E.cfg, SCRUTIN, LISTS), 0);
    snprintf(path, sizeof path, "%s/load.csv", E.dir);
    assert_non_null(f = fopen(path, "r"));
    assert_non_null(E.load = calloc(VOTERS, sizeof *E.load));
    while (n < VOTERS && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        E.load[n++] = strdup(line);
    }
    fclose(f);
    assert_int_equal(n, VOTERS);
}

/* A valid ballot of SCRUTIN made from a fresh code that no voter holds. */
static char *foreign_ballot(void)
{
    client *c = client_new(tu_base_url);
    client_election e;
    client_prepared p;
    client_result r;
    char code[CODE_SYMBOLS + 1], *text = NULL;

    int fetched;

    code_new(code);
    fetched = c != NULL && client_election_fetch(c, &e, &r) == CLIENT_OK;
    if (fetched && client_prepare(&p, &e, SCRUTIN, code, 0, &r) == CLIENT_OK) {
        text = json_dumps(json_object_get(p.body, "ballot"), JSON_COMPACT);
        client_prepared_free(&p);
    }
    if (fetched)
        client_election_free(&e);
    client_free(c);
    return text;
}

static int setup(void **state)
{
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    char path[PATH_MAX + 32];

    (void)state;
    memset(&E, 0, sizeof E);
    tu_netns_init(&N, "vsab-", "sav");
    atexit(ns_cleanup);                 /* also when a failed assertion ends setup */
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
        signal(signals[i], on_signal);
    C = mmap(NULL, sizeof *C, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (C == MAP_FAILED || tu_bin(E.bin) != 0)
        return -1;
    E.dir = tu_tmpdir();
    E.netns = ns_up() == 0;
    if (!E.netns)
        fprintf(stderr, "test_abuse: no network namespaces here (root and iproute2 needed): "
                        "the tests from many addresses are skipped\n");
    election();
    /* the daemon, and this process's own requests to it, in the server's
     * namespace; back home in teardown */
    if (E.netns && tu_netns_move(&N, NS_S) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/votesrv.log", E.dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((E.pid = tu_daemon_start(E.bin, E.cfg, path)) < 0)
        return -1;
    E.port = atoi(strrchr(tu_base_url, ':') + 1);
    snprintf(E.url, sizeof E.url, "http://%s:%d", E.netns ? SERVER_A : "127.0.0.1", E.port);
    snprintf(tu_base_url, sizeof tu_base_url, "%s", E.url);
    return (E.ballot = foreign_ballot()) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (E.pid > 0) {
        kill(E.pid, SIGTERM);
        waitpid(E.pid, NULL, 0);
        E.pid = 0;
    }
    kids_stop(NULL);
    if (E.netns)
        ns_cleanup();
    if (N.home >= 0)
        close(N.home);
    N.home = -1;
    curl_global_cleanup();
    for (size_t i = 0; E.load != NULL && i < VOTERS; i++)
        free(E.load[i]);
    free(E.load);
    free(E.ballot);
    tu_rmdir(E.dir);
    free(E.dir);
    E.dir = NULL;
    munmap(C, sizeof *C);
    return 0;
}

#define SKIP_WITHOUT_NETNS() do { if (!E.netns) { skip(); return; } } while (0)

/* ---- HTTP from inside a namespace ---- */

typedef struct {
    char cookie[220], set_cookie[200];
    long status;
} answer;

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

static size_t keep_cookie(char *p, size_t size, size_t n, void *arg)
{
    answer *a = arg;

    if (strncasecmp(p, "Set-Cookie: votesrv_session=", 28) == 0)
        snprintf(a->set_cookie, sizeof a->set_cookie, "%.*s", (int)strcspn(p + 12, ";\r\n"),
                 p + 12);
    return size * n;
}

/* One request with handle c (kept alive between calls), from address src. */
static long req(CURL *c, const char *src, const char *method, const char *path,
                const char *json, answer *a)
{
    char url[256], iface[64];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    long status = 0;

    snprintf(url, sizeof url, "%s%s", E.url, path);
    snprintf(iface, sizeof iface, "host!%s", src);
    if (a != NULL && a->cookie[0])
        h = curl_slist_append(h, a->cookie);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_cookie);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    if (a != NULL)
        a->set_cookie[0] = '\0';
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (a != NULL)
        a->status = status;
    return status;
}

static double now_s(void)
{
    return tu_seconds();
}

/* ---- bots ---- */

enum { GUESS, SPRAY, CODE, TOKEN };

typedef struct {
    int kind, index;
    char src[32];
    double until;
    long count;                   /* > 0: exactly this many requests, whatever the time */
    int locked;                   /* CODE: answered 423, the bot stops */
} bot;

static void bot_body(const bot *b, long i, char *path, size_t plen, char *body, size_t blen,
                     answer *a)
{
    char rnd[33];
    uint8_t r[16];

    randombytes_buf(r, sizeof r);
    sodium_bin2hex(rnd, sizeof rnd, r, sizeof r);
    switch (b->kind) {
    case GUESS: {
        char guess[64];

        snprintf(guess, sizeof guess, "guess %s", rnd);
        snprintf(path, plen, "/api/v1/session");
        login_body(body, blen, TARGET, guess);
        break;
    }
    case SPRAY:
        snprintf(path, plen, "/api/v1/session");
        login_body(body, blen, SPRAYED + (b->index * 1000 + i) % (VOTERS - SPRAYED),
                   "azerty123456789");
        break;
    case CODE:
        snprintf(path, plen, "/api/v1/scrutins/" SCRUTIN "/ballots");
        /* a well-formed ballot: the authenticator is checked against its
         * credential's binding before any proof, and counted when wrong */
        snprintf(body, blen, "{\"ballot\":%s,\"authenticator\":\"%s%s\"}", E.ballot, rnd,
                 rnd);
        session_of(a->cookie, sizeof a->cookie, STOLEN);
        break;
    default: {                    /* a token of the right form: it reaches the store */
        char token[ACCESS_TOKEN_CHARS + 1];

        secret_token_new(token);
        snprintf(path, plen, "/api/v1/password/reset");
        snprintf(body, blen, "{\"token\":\"%s\",\"password\":\"%s\"}", token,
                 "une phrase de passe neuve");
        break;
    }
    }
}

/* Passwords checked and refused (401) per sprayed network, by the third byte
 * of its address: a spraying bot goes on past its time until its network has
 * had its window's failures, so what is counted does not depend on how fast
 * a busy machine checks passwords nor on attempts given back when no hash slot
 * was free (503) (bounded by SPRAY_MAX_S all the same). */
#define SPRAY_MAX_S 120.0
static atomic_int net_failed[256];

static int bot_goes_on(const bot *b, double hard)
{
    double t = now_s();

    if (b->kind == CODE)          /* until code entry locks, however long that takes */
        return !b->locked && t < hard;
    if (t < b->until)
        return 1;
    return b->kind == SPRAY && t < hard &&
           atomic_load(&net_failed[atoi(b->src + 7) & 255]) < NET_FAILURES;
}

static void *bot_run(void *arg)
{
    bot *b = arg;
    CURL *c = curl_easy_init();
    char path[128], body[16384];
    double hard = b->until + SPRAY_MAX_S;
    answer a;

    for (long i = 0; b->count > 0 ? i < b->count && now_s() < hard : bot_goes_on(b, hard); i++) {
        long st;

        memset(&a, 0, sizeof a);
        bot_body(b, i, path, sizeof path, body, sizeof body, &a);
        st = req(c, b->src, "POST", path, body, &a);
        if (st == 401)
            atomic_fetch_add(&net_failed[atoi(b->src + 7) & 255], 1);
        if (b->kind == CODE && st == 423)
            b->locked = 1;
        else if (b->kind == CODE && st == 429)
            usleep(100 * 1000);               /* throttled: a little later */
        atomic_fetch_add(&C->status[st % 600], 1);
    }
    curl_easy_cleanup(c);
    return NULL;
}

typedef struct {
    int kind, n;
    double seconds;
    const char *(*address)(int i, char *buf);
    long count;                   /* > 0: each bot sends this many (seconds unused) */
} swarm;

static const char *guess_address(int i, char *buf)
{
    sprintf(buf, "10.250.%d.2", 1 + i % GUESS_NETS);
    return buf;
}

static const char *spray_address(int i, char *buf)
{
    sprintf(buf, "10.250.%d.2", SPRAY_NET0 + i % SPRAY_NETS);
    return buf;
}

static void swarm_run(void *arg)
{
    swarm *s = arg;
    pthread_t th[64];
    bot b[64];
    double until = now_s() + s->seconds;

    for (size_t i = 0; i < sizeof net_failed / sizeof net_failed[0]; i++)
        atomic_store(&net_failed[i], 0);
    for (int i = 0; i < s->n; i++) {
        b[i] = (bot){ .kind = s->kind, .index = i, .until = until, .count = s->count };
        s->address(i, b[i].src);
        if (pthread_create(&th[i], NULL, bot_run, &b[i]) != 0)
            _exit(91);
    }
    for (int i = 0; i < s->n; i++)
        pthread_join(th[i], NULL);
}

static void counts_reset(void)
{
    memset(C, 0, sizeof *C);
}

/* The bots of s in the attackers' namespace and voter(arg) in the voters' one,
 * side by side, counts reset before. */
static void attack(swarm *s, void (*voter)(void *), void *arg)
{
    int bots, v;

    counts_reset();
    bots = tu_netns_run(&N, NS_A, swarm_run, s);
    v = tu_netns_run(&N, NS_V, voter, arg);
    join(bots);
    join(v);
}

/* ---- the voters meanwhile ---- */

static void legit_note(long status, double t0, long want)
{
    long us = (long)((now_s() - t0) * 1e6), prev = atomic_load(&C->legit_max_us);

    atomic_fetch_add(status == want ? &C->legit_ok : &C->legit_bad, 1);
    while (us > prev && !atomic_compare_exchange_weak(&C->legit_max_us, &prev, us))
        ;
}

/* A voter logs in (and reads her account) every 200 ms for `seconds`, and at
 * least LEGIT_MIN times however slow a busy machine makes each login (bounded
 * by 120 s more); a "busy, retry" answer is retried as the portal asks. */
#define LEGIT_MIN 5
static void legit_logins(double seconds, const char *src)
{
    CURL *c = curl_easy_init();
    double until = now_s() + seconds, hard = until + 120.0;
    char body[256];
    answer a;

    login_body(body, sizeof body, LEGIT, PASSWORD);
    for (int n = 0; (now_s() < until || n < LEGIT_MIN) && now_s() < hard; n++) {
        double t0 = now_s();
        long st;

        memset(&a, 0, sizeof a);
        while ((st = req(c, src, "POST", "/api/v1/session", body, &a)) == 503 && now_s() < hard)
            usleep(500 * 1000);
        if (st == 200) {
            snprintf(a.cookie, sizeof a.cookie, "Cookie: %s", a.set_cookie);
            st = req(c, src, "GET", "/api/v1/account", NULL, &a);
        }
        legit_note(st, t0, 200);
        usleep(200 * 1000);
    }
    curl_easy_cleanup(c);
}

static void legit_voter(void *arg)
{
    legit_logins(*(double *)arg, VOTER_ADDR);
}

/* ---- password guessing ---- */

static void target_gets_in(void *arg)
{
    CURL *c = curl_easy_init();
    char body[256];
    answer a = { .status = 0 };

    (void)arg;
    login_body(body, sizeof body, TARGET, PASSWORD);
    C->once[0] = req(c, VOTER_ADDR, "POST", "/api/v1/session", body, &a);
    C->once[3] = atomic_load(&C->status[401]);
    C->once[4] = (long)(now_s() * 1e6);        /* the link sent ... */
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", E.link_pw,
             "ma nouvelle phrase de vote");
    C->once[1] = req(c, VOTER_ADDR, "POST", "/api/v1/password/reset", body, &a);
    C->once[5] = (long)(now_s() * 1e6);        /* ... and answered: the delays cleared between */
    snprintf(a.cookie, sizeof a.cookie, "Cookie: %s", a.set_cookie);
    C->once[2] = req(c, VOTER_ADDR, "GET", "/api/v1/account", NULL, &a);
    curl_easy_cleanup(c);
}

/* The most failures an account lets through in t seconds: 5 free, then
 * delays of 1, 2, 4, 8 s ... set in whole seconds of the clock, so that each
 * wait may be up to a second shorter: the 6th at once, the 7th after 1 s, the
 * 8th after 4 s, the 9th after 11 s ... */
static long account_allows(double t)
{
    long n = 6;
    double wait = 0;

    for (long delay = 2; (wait += (double)(delay - 1)) < t; delay *= 2)
        n++;
    return n;
}

static void test_password_guessing(void **state)
{
    swarm s = { GUESS, 64, 8.0, guess_address, 0 };
    double seconds = 8.0, t0 = now_s(), link, cleared, end;
    int bots, voter;
    long wrong, before_max, all_max;

    (void)state;
    SKIP_WITHOUT_NETNS();
    counts_reset();
    bots = tu_netns_run(&N, NS_A, swarm_run, &s);
    voter = tu_netns_run(&N, NS_V, legit_voter, &seconds);
    /* the target logs in once her account has had its free failures and one
     * delayed one, however long a busy machine took to check them */
    for (int i = 0; i < 1200 && atomic_load(&C->status[401]) < 5; i++)
        usleep(100 * 1000);
    assert_true(atomic_load(&C->status[401]) >= 5);
    join(tu_netns_run(&N, NS_V, target_gets_in, NULL));
    join(bots);
    end = now_s();
    join(voter);
    wrong = C->status[401];
    link = C->once[4] / 1e6;
    cleared = C->once[5] / 1e6;
    /* what the delays allow before the link (answered by then, so checked
     * within [t0, link]); in all, what they allow until the link cleared them
     * and as many again after. The daemon reads its clock as a request comes
     * in, so a guess that came in before the link may be checked after it: the
     * second count runs over the whole attack, [t0, end]. The bounds follow
     * the time a busy machine took, whose speed is not the point */
    before_max = account_allows(link - t0);
    all_max = account_allows(cleared - t0) + account_allows(end - t0);
    fprintf(stderr, "guessing from %d networks, %d bots, %.0f s: %ld guesses checked (at "
            "most %ld), %ld before the voter's link (at most %ld), %ld throttled (429), %ld "
            "locked (423), %ld busy (503), %ld unanswered; another voter: %ld logins, %ld "
            "refused, slowest %.0f ms\n", GUESS_NETS, s.n, s.seconds, wrong, all_max, C->once[3],
            before_max, C->status[429], C->status[423], C->status[503], C->status[0],
            C->legit_ok, C->legit_bad, C->legit_max_us / 1e3);
    assert_true(C->once[3] >= 1 && C->once[3] <= before_max);
    assert_true(wrong <= all_max);
    assert_true(C->status[429] > 0);
    assert_int_equal(C->status[0] + C->status[500] + C->status[502], 0);
    assert_true(C->legit_ok >= LEGIT_MIN);
    assert_int_equal(C->legit_bad, 0);
    /* the target: her right password waits like the guesses; her link lets her in */
    assert_int_equal(C->once[0], 429);
    assert_int_equal(C->once[1], 200);
    assert_int_equal(C->once[2], 200);
}

/* ---- spraying ---- */

static void neighbour_logs_in(void *arg)
{
    CURL *c = curl_easy_init();
    char body[256], src[32];

    (void)arg;
    snprintf(src, sizeof src, "10.250.%d.77", SPRAY_NET0);
    login_body(body, sizeof body, NEIGHBOUR, PASSWORD);
    C->once[0] = req(c, src, "POST", "/api/v1/session", body, NULL);
    curl_easy_cleanup(c);
}

static void test_password_spraying(void **state)
{
    swarm s = { SPRAY, 24, 5.0, spray_address, 0 };
    double seconds = 5.0;

    (void)state;
    SKIP_WITHOUT_NETNS();
    attack(&s, legit_voter, &seconds);
    join(tu_netns_run(&N, NS_A, neighbour_logs_in, NULL));      /* the window is still running */
    fprintf(stderr, "spraying from %d networks, %d bots: %ld passwords checked, %ld refused "
            "(429), %ld busy (503); voter: %ld logins, %ld refused, slowest %.0f ms; a voter "
            "in a sprayed network: %ld\n", SPRAY_NETS, s.n, C->status[401], C->status[429],
            C->status[503], C->legit_ok, C->legit_bad, C->legit_max_us / 1e3, C->once[0]);
    /* each network's window: exactly its failures, then refusals */
    assert_int_equal(C->status[401], SPRAY_NETS * NET_FAILURES);
    assert_int_equal(C->legit_bad, 0);
    assert_true(C->legit_ok >= LEGIT_MIN);
    /* the price: a voter behind a sprayed network waits for its window */
    assert_int_equal(C->once[0], 429);
}

/* ---- vote codes ---- */

static void casters(void *arg)
{
    char path[PATH_MAX + 32], out[4096];
    FILE *f;

    (void)arg;
    snprintf(path, sizeof path, "%s/casters.csv", E.dir);
    if ((f = fopen(path, "w")) == NULL)
        _exit(92);
    for (int i = CASTERS; i < CASTERS + NCASTERS; i++)
        fprintf(f, "%s\n", E.load[i]);
    fclose(f);
    C->once[0] = tu_sh(out, sizeof out, "'%s/voteclient' --url %s load '%s' --concurrency 4",
                       E.bin, E.url, path);
    if (C->once[0] != 0)
        fprintf(stderr, "%s", out);
}

static void test_vote_codes(void **state)
{
    swarm s = { CODE, 16, 0, guess_address, 0 };      /* each bot: until it is locked out */
    long wrong;

    (void)state;
    SKIP_WITHOUT_NETNS();
    attack(&s, casters, NULL);
    wrong = C->status[403];
    fprintf(stderr, "vote codes with one stolen session from %d networks: %ld wrong codes "
            "checked, %ld locked (423), %ld throttled (429); %d other voters cast: exit %ld\n",
            s.n, wrong, C->status[423], C->status[429], NCASTERS, C->once[0]);
    /* 5 wrong codes lock; attempts already under way when it locks are checked
     * too (at most one per bot); a code has 135 bits. Each bot went on until
     * it was locked out (one 423 each), whatever the time that took; every try
     * was answered (wrong, throttled or locked), none accepted */
    assert_true(wrong >= 5 && wrong <= 5 + s.n);
    assert_int_equal(C->status[423], s.n);
    assert_int_equal(C->status[0] + C->status[201] + C->status[500], 0);
    assert_int_equal(C->once[0], 0);
}

/* ---- one-time tokens ---- */

static void activates(void *arg)
{
    CURL *c = curl_easy_init();
    char body[512];
    answer a = { .status = 0 };

    (void)arg;
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\",\"defi_question\":3,"
             "\"defi_answer\":\"Lyon\"}", E.link_act, "une phrase de passe neuve");
    sleep(1);
    C->once[0] = req(c, VOTER_ADDR, "POST", "/api/v1/activation", body, &a);
    curl_easy_cleanup(c);
}

#define TOKEN_TRIES 20             /* per bot: a fixed number, however fast the machine */
static void test_token_flood(void **state)
{
    swarm s = { TOKEN, 64, 0, guess_address, TOKEN_TRIES };
    long total = 0;

    (void)state;
    SKIP_WITHOUT_NETNS();
    attack(&s, activates, NULL);
    for (int i = 0; i < 600; i++)
        total += C->status[i];
    fprintf(stderr, "one-time tokens from %d networks: %ld random tokens, %ld refused (410); "
            "the voter's own link: %ld\n", GUESS_NETS, total, C->status[410], C->once[0]);
    /* every random token sent, answered: gone (410); the voter's own link works */
    assert_int_equal(total, s.n * TOKEN_TRIES);
    assert_int_equal(C->status[410], total);
    assert_int_equal(C->once[0], 200);
}

/* ---- connections ---- */

static int tcp_open(const char *src)
{
    return tu_tcp_connect(src, E.netns ? SERVER_A : "127.0.0.1", E.port);
}

/* The status of the answer on s within ms (0: none; -1: closed). */
static int tcp_answer(int s, int ms)
{
    struct pollfd p = { s, POLLIN, 0 };
    char buf[256];
    ssize_t n;

    if (poll(&p, 1, ms) <= 0)
        return 0;
    n = recv(s, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return strncmp(buf, "HTTP/1.1 ", 9) == 0 ? atoi(buf + 9) : -1;
}

static int tcp_send(int s, const char *text)
{
    return send(s, text, strlen(text), MSG_NOSIGNAL) == (ssize_t)strlen(text) ? 0 : -1;
}

#define HEALTH "GET /api/v1/election HTTP/1.1\r\nHost: x\r\n\r\n"

/* More connections than allowed from one address: the extra ones are closed. */
static void per_address(void)
{
    int s[PER_IP + 4], answered = 0;

    for (int i = 0; i < PER_IP + 4; i++)
        s[i] = tcp_open("10.250.102.77");
    usleep(300 * 1000);
    for (int i = 0; i < PER_IP + 4; i++)
        if (s[i] >= 0 && tcp_send(s[i], HEALTH) == 0 && tcp_answer(s[i], 2000) == 200)
            answered++;
    for (int i = 0; i < PER_IP + 4; i++)
        if (s[i] >= 0)
            close(s[i]);
    C->once[0] = answered;
}

/* Slowloris from every attacking address: PER_IP connections each, sending
 * a header byte every second; idle ones (nothing sent) from one address. */
static void slow_clients(double seconds)
{
    static int s[GUESS_NETS * PER_IP], idle[PER_IP];
    char src[32];
    double until = now_s() + seconds;
    int n = 0, closed = 0;

    for (int k = 1; k <= GUESS_NETS; k++)
        for (int i = 0; i < PER_IP; i++) {
            snprintf(src, sizeof src, "10.250.%d.2", k);
            if ((s[n] = tcp_open(src)) >= 0 &&
                tcp_send(s[n], "GET /api/v1/election HTTP/1.1\r\nX-") == 0)
                n++;
        }
    for (int i = 0; i < PER_IP; i++)
        idle[i] = tcp_open("10.250.103.77");
    C->held = n;
    atomic_store(&C->slow_from_us, (long)(now_s() * 1e6));
    while (now_s() < until) {
        for (int i = 0; i < n; i++)
            tcp_send(s[i], "a");
        sleep(1);
    }
    for (int i = 0; i < PER_IP; i++)       /* idle for longer than the timeout */
        closed += idle[i] >= 0 && tcp_answer(idle[i], 10) == -1;
    C->closed = closed;
    atomic_store(&C->slow_to_us, (long)(now_s() * 1e6));
    for (int i = 0; i < n; i++)
        close(s[i]);
    for (int i = 0; i < PER_IP; i++)
        if (idle[i] >= 0)
            close(idle[i]);
}

/* Requests too large: a declared body, and a header section, past the limits. */
static void oversized(void)
{
    static char big[40000];
    int s = tcp_open("10.250.104.77"), t;

    tcp_send(s, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 100000000\r\n\r\n{");
    C->once[1] = tcp_answer(s, 3000);
    close(s);
    memset(big, 'a', sizeof big - 1);
    t = tcp_open("10.250.104.77");
    tcp_send(t, "GET /api/v1/election HTTP/1.1\r\nHost: x\r\nX-Big: ");
    tcp_send(t, big);
    tcp_send(t, "\r\n\r\n");
    C->once[2] = tcp_answer(t, 3000);
    close(t);
}

/* CHURN connections opened and closed as fast as the machine goes, from
 * every address in turn (at most 120 s): the number that connected. */
#define CHURN 2000
static void churn(void)
{
    double hard = now_s() + 120.0;
    char src[32];
    long n = 0, opened = 0;

    for (; n < CHURN && now_s() < hard; n++) {
        int s;

        snprintf(src, sizeof src, "10.250.%ld.2", 1 + n % GUESS_NETS);
        if ((s = tcp_open(src)) >= 0) {
            close(s);
            opened++;
        }
    }
    C->once[3] = opened;
}

static void connection_attacks(void *arg)
{
    (void)arg;
    per_address();
    slow_clients(TIMEOUT_S + 3);
    oversized();
    churn();
}

/* The voters meanwhile: a page every 100 ms (at least 50, and until the
 * slow clients are gone); those asked and answered while the slow clients
 * held their connections are counted: a daemon they blocked would answer
 * them only once they let go, however fast the machine. */
static void voter_pages(void *arg)
{
    CURL *c = curl_easy_init();
    double until = now_s() + *(double *)arg, hard = until + 120.0;

    for (int n = 0; (now_s() < until || n < 50 || atomic_load(&C->slow_to_us) == 0) &&
                    now_s() < hard; n++) {
        double t0 = now_s();
        long from = atomic_load(&C->slow_from_us), st;

        st = req(c, VOTER_ADDR, "GET", "/api/v1/election", NULL, NULL);
        legit_note(st, t0, 200);
        if (st == 200 && from != 0 && t0 * 1e6 >= (double)from && atomic_load(&C->slow_to_us) == 0)
            atomic_fetch_add(&C->pages_during, 1);
        usleep(100 * 1000);
    }
    curl_easy_cleanup(c);
}

static void test_connections(void **state)
{
    double seconds = TIMEOUT_S + 10;
    int bots, voter;

    (void)state;
    SKIP_WITHOUT_NETNS();
    counts_reset();
    voter = tu_netns_run(&N, NS_V, voter_pages, &seconds);
    bots = tu_netns_run(&N, NS_A, connection_attacks, NULL);
    join(bots);
    join(voter);
    fprintf(stderr, "connections: %ld of %d from one address answered; %ld slow clients held "
            "from %d addresses; %ld of %d idle ones closed after %d s; 100 MB body: %ld, "
            "40 kB header: %ld; %ld of %d connections opened and closed; voter: %ld pages "
            "(%ld while the slow clients held theirs), %ld failed, slowest %.0f ms\n",
            C->once[0], PER_IP + 4, C->held, GUESS_NETS, C->closed, PER_IP, TIMEOUT_S,
            C->once[1], C->once[2], C->once[3], CHURN, C->legit_ok, C->pages_during, C->legit_bad,
            C->legit_max_us / 1e3);
    assert_int_equal(C->once[0], PER_IP);
    assert_int_equal(C->held, GUESS_NETS * PER_IP);
    assert_int_equal(C->closed, PER_IP);
    assert_int_equal(C->once[1], 413);
    assert_true(C->once[2] == 431 || C->once[2] == 413 || C->once[2] == -1);
    assert_int_equal(C->once[3], CHURN);
    assert_true(C->legit_ok >= 50);
    assert_int_equal(C->legit_bad, 0);
    /* slow clients do not take the daemon away from the voter: pages asked
     * after they took their connections are answered before they let go */
    assert_true(C->pages_during >= 2);
}

/* ---- session fixation, cross-site requests, replays ---- */

static void login_as(tu_reply *r, int voter, const char *cookie)
{
    char body[256];

    login_body(body, sizeof body, voter, PASSWORD);
    tu_http2(r, "POST", "/api/v1/session", body, (long)strlen(body),
             "Content-Type: application/json", cookie);
}

/* The account's number under a cookie ("" if refused). */
static void account_number(char out[16], const char *cookie)
{
    tu_reply r;
    json_t *j;

    tu_http(&r, "GET", "/api/v1/account", NULL, 0, cookie);
    j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
    snprintf(out, 16, "%s", j ? json_string_value(json_object_get(j, "number")) : "");
    json_decref(j);
}

static void test_fixation(void **state)
{
    char planted[160], fresh[160], number[16], out[8192];
    tu_reply r;

    (void)state;
    /* a session id planted in the victim's browser (here the attacker's own,
     * valid one) is never adopted: the login answers with a new one */
    session_of(planted, sizeof planted, LEGIT);
    login_as(&r, REPLAY, planted);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.set_cookie, "votesrv_session=", 16) == 0);
    snprintf(fresh, sizeof fresh, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    assert_string_not_equal(fresh, planted);
    account_number(number, fresh);
    assert_string_equal(number, "B000005");
    account_number(number, planted);
    assert_string_equal(number, "B000001");             /* still the attacker's, no more */
    /* an invented one is refused, and a login does not make it valid */
    login_as(&r, REPLAY, "Cookie: votesrv_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    account_number(number, "Cookie: votesrv_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_string_equal(number, "");
    /* cross-site: what a page elsewhere can send without a preflight is refused,
     * and a preflight gets no CORS permission */
    tu_http2(&r, "POST", "/api/v1/session", "{}", 2, "Content-Type: text/plain", fresh);
    assert_int_equal(r.status, 415);
    tu_http2(&r, "POST", "/api/v1/session", "a=b", 3,
             "Content-Type: application/x-www-form-urlencoded", fresh);
    assert_int_equal(r.status, 415);
    assert_int_equal(tu_sh(out, sizeof out, "curl -s -D - -o /dev/null -X OPTIONS "
                           "-H 'Origin: https://evil.example' "
                           "-H 'Access-Control-Request-Method: POST' '%s/api/v1/session'; "
                           "curl -s -D - -o /dev/null -H 'Origin: https://evil.example' "
                           "-H '%s' '%s/api/v1/account'", E.url, fresh, E.url), 0);
    assert_null(strcasestr(out, "Access-Control-Allow"));
}

static void test_replayed_ballot(void **state)
{
    client *c = client_new(E.url);
    client_election e;
    client_prepared p;
    client_result cr;
    char cookie[160], other[160], code[64], *body;
    const char *comma = strchr(E.load[REPLAY], ',');
    tu_reply r;

    (void)state;
    assert_non_null(c);
    assert_int_equal(client_election_fetch(c, &e, &cr), 0);
    snprintf(code, sizeof code, "%.*s", (int)strcspn(comma + 1, ","), comma + 1);
    assert_int_equal(client_prepare(&p, &e, SCRUTIN, code, 1, &cr), 0);
    assert_non_null(body = json_dumps(p.body, JSON_COMPACT));
    session_of(cookie, sizeof cookie, REPLAY);
    session_of(other, sizeof other, OTHER);
    tu_http2(&r, "POST", "/api/v1/scrutins/" SCRUTIN "/ballots", body, (long)strlen(body),
             "Content-Type: application/json", cookie);
    assert_int_equal(r.status, 201);
    /* the same request again, in her session: the receipt of the ballot in the
     * box, marked already recorded (what the captured request and the board
     * already show), nothing cast; from another voter's session: not her code;
     * after logging out: no session */
    tu_http2(&r, "POST", "/api/v1/scrutins/" SCRUTIN "/ballots", body, (long)strlen(body),
             "Content-Type: application/json", cookie);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"already_recorded\""));
    tu_http2(&r, "POST", "/api/v1/scrutins/" SCRUTIN "/ballots", body, (long)strlen(body),
             "Content-Type: application/json", other);
    assert_int_equal(r.status, 403);
    tu_http(&r, "DELETE", "/api/v1/session", NULL, 0, cookie);
    assert_int_equal(r.status, 200);
    tu_http2(&r, "POST", "/api/v1/scrutins/" SCRUTIN "/ballots", body, (long)strlen(body),
             "Content-Type: application/json", cookie);
    assert_int_equal(r.status, 401);
    /* one ballot on the board under that tracker */
    assert_int_equal(client_lookup(c, SCRUTIN, p.tracker, &cr), 0);
    free(body);
    client_prepared_free(&p);
    client_election_free(&e);
    client_free(c);
}

/* ---- the test's own hygiene ---- */

static char stale_ns[32];

/* A namespace of the name a run killed by SIGKILL leaves: vsab-s<pid>, that
 * pid no longer running (a child already reaped). Made before setup. */
static void stale_make(void)
{
    char out[512];
    int pid = fork();

    if (pid == 0)
        _exit(0);
    if (pid < 0 || waitpid(pid, NULL, 0) != pid || geteuid() != 0)
        return;
    snprintf(stale_ns, sizeof stale_ns, "vsab-s%d", pid);
    if (tu_sh(out, sizeof out, "ip netns add %s", stale_ns) != 0)
        stale_ns[0] = '\0';
}

static void test_stale_namespaces_removed(void **state)
{
    char path[64];

    (void)state;
    SKIP_WITHOUT_NETNS();
    assert_true(stale_ns[0] != '\0');
    snprintf(path, sizeof path, "/run/netns/%s", stale_ns);
    assert_int_equal(access(path, F_OK), -1);
    /* this run's own are there, their pid alive */
    snprintf(path, sizeof path, "/run/netns/%s", NS_S);
    assert_int_equal(access(path, F_OK), 0);
}

/* A failed assertion in a helper process ends that process (exit 99, its
 * message printed), not the suite: the parent is told and goes on. */
static void test_helper_failure_reported(void **state)
{
    int fds[2], pid, st;
    char c = 0;

    (void)state;
    fprintf(stderr, "test_abuse: two failed assertions follow, on purpose, in helper processes\n");
    assert_int_equal(pipe(fds), 0);
    pid = tu_fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        assert_int_equal(1 + 1, 3);         /* fails on purpose */
        (void)!write(fds[1], "x", 1);       /* never reached */
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &c, 1), 0);   /* the child wrote nothing: it ended there */
    close(fds[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), TU_HELPER_FAILED);
    /* tu_helper_join reports it */
    pid = tu_fork();
    if (pid == 0) {
        assert_true(0);
        _exit(0);
    }
    assert_int_equal(tu_helper_join(pid, "test_abuse: the failing helper (on purpose)"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helper_failure_reported),
        cmocka_unit_test(test_stale_namespaces_removed),
        cmocka_unit_test(test_fixation),
        cmocka_unit_test(test_replayed_ballot),
        cmocka_unit_test_teardown(test_password_guessing, kids_stop),
        cmocka_unit_test_teardown(test_password_spraying, kids_stop),
        cmocka_unit_test_teardown(test_vote_codes, kids_stop),
        cmocka_unit_test_teardown(test_token_flood, kids_stop),
        cmocka_unit_test_teardown(test_connections, kids_stop),
    };
    stale_make();
    return cmocka_run_group_tests_name("abuse", tests, setup, teardown);
}
