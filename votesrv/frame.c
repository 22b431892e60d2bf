/* frame.c - the frames of the daemon's internal channels (privsep.c: the
 * HTTP worker's; mailer.c: the mailer's): a header (u32 kind, u32 payload
 * length, host order) then the payload. Strings are a u32 length counting
 * their terminating NUL (0 for none) then their bytes; byte strings a u32
 * length then the bytes. docs/protocol.md section 18. */
#define _GNU_SOURCE
#include "server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_FIRST_READ ((size_t)64 << 10)

static void frame_put(frame_out *b, const void *d, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 256;
        char *p = realloc(b->p, cap);

        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

void frame_put_u32(frame_out *b, uint32_t v)
{
    frame_put(b, &v, sizeof v);
}

void frame_put_u64(frame_out *b, uint64_t v)
{
    frame_put(b, &v, sizeof v);
}

void frame_put_bytes(frame_out *b, const void *d, size_t n)
{
    if (n > UINT32_MAX) {
        b->oom = 1;
        return;
    }
    frame_put_u32(b, (uint32_t)n);
    frame_put(b, d, n);
}

void frame_put_str(frame_out *b, const char *s)
{
    if (s == NULL)
        frame_put_u32(b, 0);
    else
        frame_put_bytes(b, s, strlen(s) + 1);
}

/* Copy the next n bytes into out; on a short frame mark r bad (out untouched). */
static void frame_take(frame_in *r, void *out, size_t n)
{
    if (r->bad || r->len - r->off < n) {
        r->bad = 1;
        return;
    }
    memcpy(out, r->p + r->off, n);
    r->off += n;
}

uint32_t frame_get_u32(frame_in *r)
{
    uint32_t v = 0;

    frame_take(r, &v, sizeof v);
    return v;
}

uint64_t frame_get_u64(frame_in *r)
{
    uint64_t v = 0;

    frame_take(r, &v, sizeof v);
    return v;
}

char *frame_get_bytes(frame_in *r, size_t *n)
{
    uint32_t len = frame_get_u32(r);
    char *p = r->p + r->off;

    if (r->bad || r->len - r->off < len) {
        r->bad = 1;
        return NULL;
    }
    r->off += len;
    *n = len;
    return p;
}

/* A string: NUL-terminated, with no other NUL; NULL when absent (length 0). */
char *frame_get_str(frame_in *r)
{
    size_t n = 0;
    char *p = frame_get_bytes(r, &n);

    if (r->bad || n == 0)
        return NULL;
    if (p[n - 1] != '\0' || memchr(p, '\0', n - 1) != NULL) {
        r->bad = 1;
        return NULL;
    }
    return p;
}

/* Send one frame, with fd attached when fd >= 0. 0, or -1. */
int frame_send(int sock, uint32_t kind, const frame_out *b, int fd)
{
    uint32_t head[2] = { kind, (uint32_t)b->len };
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov[2] = { { head, sizeof head }, { b->p, b->len } };
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
    size_t left = sizeof head + b->len;

    if (b->oom || b->len > UINT32_MAX)
        return -1;
    if (fd >= 0) {
        struct cmsghdr *c;

        memset(cbuf, 0, sizeof cbuf);
        m.msg_control = cbuf;
        m.msg_controllen = sizeof cbuf;
        c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    while (left > 0) {
        ssize_t n = sendmsg(sock, &m, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        left -= (size_t)n;
        m.msg_control = NULL;           /* the descriptor went with the first bytes */
        m.msg_controllen = 0;
        while (n > 0 && m.msg_iovlen > 0) {
            size_t step = (size_t)n < m.msg_iov->iov_len ? (size_t)n : m.msg_iov->iov_len;

            m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + step;
            m.msg_iov->iov_len -= step;
            n -= (ssize_t)step;
            if (m.msg_iov->iov_len == 0) {
                m.msg_iov++;
                m.msg_iovlen--;
            }
        }
    }
    return 0;
}

static int read_full(int sock, char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = recv(sock, p, n, 0);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* Receive one frame of at most max payload bytes into r (r->mem malloc'd).
 * *fd: a descriptor that came with it, or -1 (NULL: any is closed). 1 on a
 * frame, 0 at the end of the stream, -1 on an error, a frame over max, or
 * bytes past the frame (the other side sent before it was answered). */
int frame_recv(int sock, size_t max, uint32_t *kind, frame_in *r, int *fd)
{
    uint32_t head[2];
    char cbuf[CMSG_SPACE(sizeof(int) * 4)];
    struct iovec iov;
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                        .msg_controllen = sizeof cbuf };
    size_t have, total;
    ssize_t n;

    memset(r, 0, sizeof *r);
    if (fd != NULL)
        *fd = -1;
    if ((r->mem = malloc(FRAME_FIRST_READ)) == NULL)
        return -1;
    iov = (struct iovec){ r->mem, FRAME_FIRST_READ };     /* most frames in one call */
    do
        n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        free(r->mem);
        r->mem = NULL;
        return n == 0 ? 0 : -1;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            int got;

            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
            if (fd != NULL && *fd < 0)
                *fd = got;
            else
                close(got);
        }
    }
    have = (size_t)n;
    if (have < FRAME_HEAD_BYTES && read_full(sock, r->mem + have, FRAME_HEAD_BYTES - have) != 0)
        goto fail;
    have = have < FRAME_HEAD_BYTES ? FRAME_HEAD_BYTES : have;
    memcpy(head, r->mem, sizeof head);
    *kind = head[0];
    total = FRAME_HEAD_BYTES + (size_t)head[1];
    if (head[1] > max || have > total)
        goto fail;
    if (total > FRAME_FIRST_READ) {
        char *grown = realloc(r->mem, total);

        if (grown == NULL)
            goto fail;
        r->mem = grown;
    }
    if (have < total && read_full(sock, r->mem + have, total - have) != 0)
        goto fail;
    r->p = r->mem + FRAME_HEAD_BYTES;
    r->len = head[1];
    return 1;
fail:
    free(r->mem);
    memset(r, 0, sizeof *r);
    if (fd != NULL && *fd >= 0)
        close(*fd);
    if (fd != NULL)
        *fd = -1;
    return -1;
}

