/* testutil_haproxy.c - HAProxy in front of a daemon under test, as shipped:
 * conf/haproxy.cfg itself (lines marked "# production" left out, its log on
 * standard error), run by Debian's haproxy on loopback ports with a
 * throw-away certificate authority and server certificate made by openssl in
 * the test's folder (removed with it). */
#define _GNU_SOURCE
#include "testutil.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HAPROXY "/usr/sbin/haproxy"

int tu_free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

int tu_tls_make(tu_haproxy *h, const char *dir)
{
    char out[4096];

    memset(h, 0, sizeof *h);
    if (snprintf(h->dir, sizeof h->dir, "%s", dir) >= (int)sizeof h->dir)
        return -1;
    snprintf(h->cacert, sizeof h->cacert, "%s/tls/ca.pem", dir);
    snprintf(h->cert, sizeof h->cert, "%s/tls/front.pem", dir);
    /* a CA for these two days, and a server certificate it signs for
     * 127.0.0.1 and localhost (ECDSA P-256); HAProxy takes the chain and
     * key in one file; the SPKI's SHA-256 in base64 is what Chromium pins */
    if (tu_sh(out, sizeof out, "exec 2>&1; set -e; umask 077; mkdir '%s/tls'; cd '%s/tls'; "
              "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
              "-keyout ca.key -out ca.pem -subj '/CN=votesrv test CA' "
              "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign; "
              "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key "
              "-out srv.csr -subj /CN=localhost; "
              "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n"
              "keyUsage=digitalSignature\\nextendedKeyUsage=serverAuth\\n' > ext; "
              "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
              "-extfile ext -out srv.pem; cat srv.pem srv.key > front.pem; "
              "openssl pkey -in srv.key -pubout -outform der | openssl dgst -sha256 -binary | "
              "base64 > spki; rm ca.key srv.csr", dir, dir) != 0) {
        fprintf(stderr, "tu_tls_make: %s\n", out);
        return -1;
    }
    if (tu_sh(out, sizeof out, "cat '%s/tls/spki'", dir) != 0 || strlen(out) < 44)
        return -1;
    snprintf(h->spki, sizeof h->spki, "%.44s", out);
    return 0;
}

/* conf/haproxy.cfg without its production-only lines, in h->dir. */
static int haproxy_conf(tu_haproxy *h, char *path, size_t pathlen)
{
    FILE *in = fopen("../conf/haproxy.cfg", "r"), *out;
    char line[1024];
    int proxy = 0;

    snprintf(path, pathlen, "%s/haproxy.cfg", h->dir);
    if (in == NULL || (out = fopen(path, "w")) == NULL) {
        if (in != NULL)
            fclose(in);
        return -1;
    }
    while (fgets(line, sizeof line, in) != NULL) {
        char *p;

        /* the production log, to syslog, goes to HAProxy's standard error
         * here, kept in h->dir/haproxy.log: the same lines */
        if (strncmp(line, "    log /dev/log ", 17) == 0 && strstr(line, "# production") != NULL) {
            fputs("    log stderr format raw local0\n", out);
            continue;
        }
        if (strstr(line, "# production") != NULL)
            continue;
        if ((p = strstr(line, "server votesrv ")) != NULL && strstr(p, " send-proxy-v2") != NULL &&
            strstr(p, " check ") != NULL)
            proxy = 1;
        fputs(line, out);
    }
    fclose(in);
    return fclose(out) == 0 && proxy ? 0 : -1;
}

int tu_haproxy_start(tu_haproxy *h, const char *sock, int check_port, int quick)
{
    char conf[PATH_MAX + 16], front[32], plain[32], back[PATH_MAX], errors[PATH_MAX];
    char log[PATH_MAX + 16], check[16];

    if (haproxy_conf(h, conf, sizeof conf) != 0 || realpath("../conf/haproxy-errors", errors) == NULL)
        return -1;
    snprintf(log, sizeof log, "%s/haproxy.log", h->dir);
    snprintf(h->stats, sizeof h->stats, "%s/haproxy.stats", h->dir);
    h->port = tu_free_port();
    h->plain_port = tu_free_port();
    snprintf(front, sizeof front, "127.0.0.1:%d", h->port);
    snprintf(plain, sizeof plain, "127.0.0.1:%d", h->plain_port);
    snprintf(back, sizeof back, "unix@%s", sock);
    snprintf(check, sizeof check, "%d", check_port);
    h->pid = fork();
    if (h->pid == 0) {
        int null = open("/dev/null", O_WRONLY), err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        prctl(PR_SET_PDEATHSIG, SIGKILL);       /* never outlives the test */
        dup2(null, 1);
        dup2(err, 2);
        setenv("VOTESRV_FRONT", front, 1);
        setenv("VOTESRV_FRONT_HTTP", plain, 1);
        setenv("VOTESRV_CERT", h->cert, 1);
        setenv("VOTESRV_BACKEND", back, 1);
        setenv("VOTESRV_CHECK_ADDR", "127.0.0.1", 1);
        setenv("VOTESRV_CHECK_PORT", check, 1);
        setenv("VOTESRV_ERRORS", errors, 1);
        setenv("VOTESRV_STATS", h->stats, 1);
        setenv("VOTESRV_MAXCONN", "200", 1);
        if (h->node2[0] != '\0')
            setenv("VOTESRV_NODE2", h->node2, 1);
        if (quick & TU_HAPROXY_QUICK_REQUEST) {
            setenv("VOTESRV_TIMEOUT_REQUEST", TU_HAPROXY_REQUEST_TIMEOUT, 1);
            setenv("VOTESRV_TIMEOUT_CLIENT", TU_HAPROXY_REQUEST_TIMEOUT, 1);
        }
        if (quick & TU_HAPROXY_QUICK_CHECK)
            setenv("VOTESRV_CHECK_INTER", "300ms", 1);
        execl(HAPROXY, "haproxy", "-db", "-f", conf, (char *)NULL);
        _exit(127);
    }
    if (h->pid < 0)
        return -1;
    snprintf(h->url, sizeof h->url, "https://127.0.0.1:%d", h->port);
    snprintf(h->plain_url, sizeof h->plain_url, "http://127.0.0.1:%d", h->plain_port);
    for (int i = 0; i < 500; i++) {             /* until both ports listen (10 s) */
        int a = tu_tcp_connect("127.0.0.1", "127.0.0.1", h->port), b = -1;
        struct timespec t = { 0, 20 * 1000 * 1000 };

        if (a >= 0)
            b = tu_tcp_connect("127.0.0.1", "127.0.0.1", h->plain_port);
        if (a >= 0)
            close(a);
        if (b >= 0) {
            close(b);
            return 0;
        }
        if (waitpid(h->pid, NULL, WNOHANG) != 0)  /* it stopped */
            break;
        nanosleep(&t, NULL);
    }
    tu_haproxy_stop(h);
    return -1;
}

void tu_haproxy_stop(tu_haproxy *h)
{
    if (h->pid > 0) {
        kill(h->pid, SIGKILL);
        waitpid(h->pid, NULL, 0);
    }
    h->pid = 0;
}

int tu_haproxy_cmd(const tu_haproxy *h, const char *cmd, char *out, size_t outlen)
{
    struct sockaddr_un to = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    size_t got = 0;
    ssize_t n;
    char line[256];

    out[0] = '\0';
    if (s < 0 || strlen(h->stats) >= sizeof to.sun_path) {
        if (s >= 0)
            close(s);
        return -1;
    }
    memcpy(to.sun_path, h->stats, strlen(h->stats) + 1);
    snprintf(line, sizeof line, "%s\n", cmd);
    if (connect(s, (struct sockaddr *)&to, sizeof to) != 0 ||
        send(s, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line)) {
        close(s);
        return -1;
    }
    while (got + 1 < outlen && (n = recv(s, out + got, outlen - 1 - got, 0)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(s);
    return 0;
}

int tu_haproxy_server_state(const tu_haproxy *h, char *state, size_t statelen)
{
    char out[32768], *line;

    /* "show stat" CSV: pxname,svname,...,status (the 18th field) */
    if (tu_haproxy_cmd(h, "show stat", out, sizeof out) != 0)
        return -1;
    for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "votesrv,votesrv,", 16) == 0) {
            char *f = line;

            for (int i = 0; i < 17 && f != NULL; i++)
                if ((f = strchr(f, ',')) != NULL)
                    f++;
            if (f == NULL)
                return -1;
            snprintf(state, statelen, "%.*s", (int)strcspn(f, ","), f);
            return 0;
        }
    }
    return -1;
}
