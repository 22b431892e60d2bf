/* proxy.c - the real client behind a trusted proxy: the PROXY protocol v2
 * header (HAProxy's proxy-protocol.txt, section 2.2), a fixed binary framing
 * read strictly, and the right-most X-Forwarded-For entry. */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const uint8_t signature[PROXY_V2_SIGNATURE] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

enum {
    CMD_LOCAL = 0x20, CMD_PROXY = 0x21,          /* version 2 in the high nibble */
    TCP4 = 0x11, TCP6 = 0x21,
    ADDR4 = 12, ADDR6 = 36                       /* source, destination, two ports */
};

int proxy_v2_signature_prefix(const uint8_t *buf, size_t len)
{
    return memcmp(buf, signature, len < sizeof signature ? len : sizeof signature) == 0;
}

long proxy_v2_length(const uint8_t head[PROXY_V2_HEAD])
{
    size_t body = (size_t)head[14] << 8 | head[15];

    if (memcmp(head, signature, sizeof signature) != 0 ||
        (head[12] != CMD_LOCAL && head[12] != CMD_PROXY) || body > PROXY_V2_BODY_MAX)
        return -1;
    return (long)(PROXY_V2_HEAD + body);
}

/* The TLVs after the addresses (type, 16-bit length, value) fill the rest
 * exactly; their contents are not used. */
static int tlvs_check(const uint8_t *p, size_t len)
{
    while (len > 0) {
        size_t n;

        if (len < 3)
            return -1;
        n = (size_t)p[1] << 8 | p[2];
        if (n > len - 3)
            return -1;
        p += 3 + n;
        len -= 3 + n;
    }
    return 0;
}

int proxy_v2_parse(const uint8_t *buf, size_t len, proxy_v2_header *h)
{
    long total;
    size_t body, need;
    const uint8_t *a = buf + PROXY_V2_HEAD;

    memset(h, 0, sizeof *h);
    if (len < PROXY_V2_HEAD || (total = proxy_v2_length(buf)) < 0 || (size_t)total != len)
        return -1;
    body = len - PROXY_V2_HEAD;
    if (buf[12] == CMD_LOCAL) {                 /* the proxy's own connection: no address */
        static const uint8_t families[] = { 0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32 };

        h->local = 1;
        return memchr(families, buf[13], sizeof families) != NULL ? 0 : -1;
    }
    if (buf[13] == TCP4) {
        struct sockaddr_in *s = (struct sockaddr_in *)&h->src;

        need = ADDR4;
        if (body < need)
            return -1;
        s->sin_family = AF_INET;
        memcpy(&s->sin_addr, a, 4);
        memcpy(&s->sin_port, a + 8, 2);
        h->srclen = sizeof *s;
    } else if (buf[13] == TCP6) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&h->src;

        need = ADDR6;
        if (body < need)
            return -1;
        s->sin6_family = AF_INET6;
        memcpy(&s->sin6_addr, a, 16);
        memcpy(&s->sin6_port, a + 32, 2);
        h->srclen = sizeof *s;
    } else {
        return -1;              /* UNSPEC, UDP or a Unix socket: not a client we serve */
    }
    return tlvs_check(a + need, body - need);
}

int proxy_xff_pick(const char *value, char *out, size_t outlen)
{
    static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    const char *last = strrchr(value, ',');
    char text[INET6_ADDRSTRLEN];
    uint8_t bin[16];
    size_t n;
    int family;

    last = last != NULL ? last + 1 : value;
    last += strspn(last, " \t");
    n = strcspn(last, " \t");
    if (n == 0 || n >= sizeof text || last[n + strspn(last + n, " \t")] != '\0')
        return -1;
    memcpy(text, last, n);
    text[n] = '\0';
    if (inet_pton(AF_INET, text, bin) == 1)
        family = AF_INET;
    else if (inet_pton(AF_INET6, text, bin) == 1)
        family = AF_INET6;
    else
        return -1;
    /* a dual-stack proxy writes an IPv4 client as "::ffff:a.b.c.d": that
     * client, not one IPv6 network every IPv4 client would share */
    if (family == AF_INET6 && memcmp(bin, v4mapped, sizeof v4mapped) == 0)
        return inet_ntop(AF_INET, bin + 12, out, (socklen_t)outlen) != NULL ? 0 : -1;
    return inet_ntop(family, bin, out, (socklen_t)outlen) != NULL ? 0 : -1;
}
