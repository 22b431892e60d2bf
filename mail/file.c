/* file.c - the file transport: each message written as one .eml file (the
 * RFC 5322 text the SMTP path would send) in a folder, for an operator who
 * hands mail to another system, and for the demo's mailbox. A file appears
 * whole or not at all: written under a temporary name, flushed to disk,
 * renamed, and the folder flushed too, before the sender marks it sent. */
#define _GNU_SOURCE
#include "mail_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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
