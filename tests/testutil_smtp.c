/* testutil_smtp.c - the SMTP sink (tests/smtp_sink.py) and the messages it
 * delivers. */
#include "testutil.h"
#include "notices/code.h"
#include <sodium.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int tu_smtp_start(tu_smtp *s, const char *dir, const char *auth)
{
    char key[512], cmd[2200], port[16];
    int in[2], out[2];
    ssize_t n;

    snprintf(s->cert, sizeof s->cert, "%s/smtp-cert.pem", dir);
    snprintf(key, sizeof key, "%s/smtp-key.pem", dir);
    snprintf(s->maildir, sizeof s->maildir, "%s/mail", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && openssl req -x509 -newkey rsa:2048 -nodes "
             "-keyout %s -out %s -days 1 -subj /CN=localhost "
             "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1",
             s->maildir, key, s->cert);
    if (system(cmd) != 0 || pipe(in) != 0 || pipe(out) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl("/usr/bin/python3", "python3", "smtp_sink.py", s->maildir, s->cert, key, auth,
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->stdin_fd = in[1];
    s->stdout_fd = out[0];          /* kept open until tu_smtp_stop */
    for (size_t got = 0; got < sizeof port - 1; got += (size_t)n) {
        n = read(out[0], port + got, sizeof port - 1 - got);
        if (n <= 0)
            return -1;
        port[got + (size_t)n] = '\0';
        if (strchr(port, '\n') != NULL)
            break;
    }
    s->port = atoi(port);
    return s->port > 0 ? 0 : -1;
}

void tu_smtp_stop(tu_smtp *s)
{
    if (s->pid <= 0)
        return;
    close(s->stdin_fd);
    close(s->stdout_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

char *tu_smtp_message(const tu_smtp *s, int n)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof path, "%s/%d.eml", s->maildir, n);
    for (int i = 0; i < 250; i++) {
        struct timespec t = { 0, 20 * 1000 * 1000 };

        if ((f = fopen(path, "rb")) != NULL) {
            char *buf = malloc(1 << 20);
            size_t len = fread(buf, 1, (1 << 20) - 1, f);

            fclose(f);
            buf[len] = '\0';
            return buf;
        }
        nanosleep(&t, NULL);
    }
    return NULL;
}

char *tu_mail_text(const char *message)
{
    const char *part = strstr(message, "Content-Type: text/plain"), *body, *end;
    char *out;
    size_t len;

    if (part == NULL || (body = strstr(part, "\r\n\r\n")) == NULL ||
        (end = strstr(body + 4, "\r\n--")) == NULL)
        return NULL;
    body += 4;
    out = malloc((size_t)(end - body) + 1);
    if (sodium_base642bin((unsigned char *)out, (size_t)(end - body), body, (size_t)(end - body),
                          "\r\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

int tu_smtp_mails_to(const tu_smtp *s, const char *addr, int *last)
{
    int count = 0;

    *last = 0;
    for (int n = 1;; n++) {
        char path[600], line[300];
        FILE *r;

        snprintf(path, sizeof path, "%s/%d.rcpt", s->maildir, n);
        if ((r = fopen(path, "r")) == NULL)
            return count;
        while (fgets(line, sizeof line, r) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            if (strcmp(line, addr) == 0) {
                count++;
                *last = n;
            }
        }
        fclose(r);
    }
}

int tu_mail_code(char code[CODE_SYMBOLS + 1], const char *message)
{
    char *text = tu_mail_text(message), *p;
    int rc = -1;

    if (text == NULL)
        return -1;
    if ((p = strstr(text, "\n    ")) != NULL) {      /* the code's line (conf/mail/code.*.txt) */
        p += 5;
        p[strcspn(p, "\r\n")] = '\0';
        rc = code_parse(code, p) == CODE_OK ? 0 : -1;
    }
    sodium_memzero(text, strlen(text));
    free(text);
    return rc;
}
