/* file.c - the file transport: each message written as one .eml file (the
 * RFC 5322 text the SMTP path would send) in a folder, for an operator who
 * hands mail to another system, and for the demo's mailbox. A file appears
 * whole or not at all: written under a temporary name, flushed to disk,
 * renamed, and the folder flushed too, before the sender marks it sent. */
#define _GNU_SOURCE
#include "mail_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int mail_file_deliver(const char *folder, const uint8_t *msg, size_t len, char *err,
                      size_t errlen)
{
    char name[80], tmp[90], hex[33];
    uint8_t r[16];
    struct timespec now;
    int dir, fd, ok;

    dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        snprintf(err, errlen, "mail folder cannot be opened: %s", strerror(errno));
        return 1;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    /* names sort by time; the random part keeps them unique across senders */
    snprintf(name, sizeof name, "%lld.%09ld-%s.eml", (long long)now.tv_sec, now.tv_nsec, hex);
    snprintf(tmp, sizeof tmp, ".tmp-%s", name);
    fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    ok = fd >= 0 && write_all(fd, msg, len) == 0 && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (ok && renameat(dir, tmp, dir, name) != 0)
        ok = 0;
    if (ok && fsync(dir) != 0)
        ok = 0;
    if (!ok) {
        snprintf(err, errlen, "mail folder: the message cannot be written: %s", strerror(errno));
        if (fd >= 0)
            unlinkat(dir, tmp, 0);          /* nothing half-written is left */
    }
    close(dir);
    return ok ? 0 : 1;
}

int mail_send(CURL *c, const mail_ctx *m, const char *rcpt_to, const uint8_t *msg, size_t len,
              char *err, size_t errlen)
{
    if (m->cfg.transport == MAIL_TRANSPORT_FILE)
        return mail_file_deliver(m->cfg.folder, msg, len, err, errlen);
    return c != NULL ? mail_smtp_send(c, m, rcpt_to, msg, len, err, errlen) : 1;
}

/* ---- reading the folder back (the demo's mailbox page) ---- */

/* The value of header name (e.g. "To: ") in the head of raw, or NULL; its
 * length in *n. */
static const char *header(const char *raw, const char *name, size_t *n)
{
    const char *end = strstr(raw, "\r\n\r\n"), *p = raw;
    size_t len = strlen(name);

    while (p != NULL && (end == NULL || p < end)) {
        if (strncasecmp(p, name, len) == 0) {
            p += len;
            *n = strcspn(p, "\r\n");
            return p;
        }
        p = strstr(p, "\r\n");
        p = p != NULL ? p + 2 : NULL;
    }
    return NULL;
}

/* base64 text (line ends ignored) decoded into out (NUL-terminated, cut at
 * cap - 1 bytes): 0, or -1. */
static int unbase64(char *out, size_t cap, const char *b64, size_t n)
{
    size_t len = 0;

    if (sodium_base642bin((unsigned char *)out, cap - 1, b64, n, "\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    out[len] = '\0';
    return 0;
}

/* The message's fields, the text part's links among them. 0, or -1 if it is
 * not one of ours (mail_compose's form). */
static int entry_parse(mail_file_entry *e, const char *raw)
{
    static const char part[] = "Content-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n";
    const char *v, *body;
    char *text;
    size_t n, cap;

    if ((v = header(raw, "To: ", &n)) == NULL || n < 2 || n >= sizeof e->to + 2)
        return -1;
    snprintf(e->to, sizeof e->to, "%.*s", (int)(n - 2), v + 1);          /* <address> */
    e->subject[0] = '\0';
    if ((v = header(raw, "Subject: ", &n)) != NULL) {
        if (n > 12 && strncmp(v, "=?UTF-8?B?", 10) == 0 && strncmp(v + n - 2, "?=", 2) == 0)
            unbase64(e->subject, sizeof e->subject, v + 10, n - 12);
        else
            snprintf(e->subject, sizeof e->subject, "%.*s", (int)n, v);
    }
    e->nlinks = 0;
    if ((body = strstr(raw, part)) == NULL)
        return 0;
    body += sizeof part - 1;
    n = strspn(body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n");
    cap = n + 1;
    if ((text = malloc(cap)) == NULL || unbase64(text, cap, body, n) != 0) {
        free(text);
        return 0;
    }
    for (const char *p = text; e->nlinks < MAIL_FILE_LINKS && (p = strstr(p, "http")) != NULL;) {
        size_t k = strcspn(p, " \t\r\n<>\"'()");

        if ((strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0) &&
            k < sizeof e->links[0]) {
            while (k > 0 && strchr(".,;:!?", p[k - 1]) != NULL)
                k--;                        /* the sentence's, not the link's */
            snprintf(e->links[e->nlinks], sizeof e->links[0], "%.*s", (int)k, p);
            /* the same link twice (text and a repeat) is shown once */
            if (e->nlinks == 0 || strcmp(e->links[e->nlinks - 1], e->links[e->nlinks]) != 0)
                e->nlinks++;
        }
        p += k > 0 ? k : 4;
    }
    sodium_memzero(text, cap);
    free(text);
    return 0;
}

static int name_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

int mail_folder_list(const char *folder, const char *to, size_t max, mail_file_fn fn, void *arg)
{
    DIR *d = opendir(folder);
    struct dirent *de;
    char **names = NULL, *raw = NULL;
    size_t n = 0, cap = 0, shown = 0;
    int rc = 0;

    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".eml") != 0)
            continue;
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? 2 * cap : 256) * sizeof *names);

            if (more == NULL) {
                rc = -1;
                break;
            }
            names = more;
        }
        if ((names[n] = strdup(de->d_name)) == NULL) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof *names, name_desc);           /* the newest first */
    raw = rc == 0 ? malloc(MAIL_FILE_MAX + 1) : NULL;
    for (size_t i = 0; raw != NULL && i < n && shown < max; i++) {
        char path[MAIL_PATH_CHARS + 128];
        mail_file_entry e;
        FILE *f;
        size_t len;

        struct stat sb;
        int fd;

        /* a regular file of the folder itself: a symbolic link or a FIFO
         * dropped there is not read (the folder may be written by others) */
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
            continue;
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (f = fdopen(fd, "rb")) == NULL) {
            close(fd);
            continue;
        }
        len = fread(raw, 1, MAIL_FILE_MAX, f);
        fclose(f);
        raw[len] = '\0';
        memset(&e, 0, sizeof e);
        snprintf(e.name, sizeof e.name, "%s", names[i]);
        e.time = strtoll(names[i], NULL, 10);
        if (entry_parse(&e, raw) != 0 || (to != NULL && strcasecmp(e.to, to) != 0))
            continue;
        shown++;
        if (fn(&e, arg) != 0)
            break;
    }
    if (raw != NULL)
        sodium_memzero(raw, MAIL_FILE_MAX + 1);
    free(raw);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc != 0 ? -1 : (int)shown;
}
