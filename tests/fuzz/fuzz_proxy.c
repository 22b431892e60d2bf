/* fuzz_proxy.c - what a proxy or a client sends about the client's address:
 * the PROXY protocol v2 header (votesrv/proxy.c, read from a trusted proxy
 * before any HTTP), an X-Forwarded-For value, and a trusted_proxies entry.
 * The whole input is each of them in turn.
 *
 * Oracles: a header is accepted only at exactly its announced length, and
 * then a PROXY header's address is the bytes at its place; an accepted
 * X-Forwarded-For entry, written back, is picked again unchanged; an
 * accepted network contains its own address. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "votesrv/http.h"

#define TEXT_MAX 1024

static void v2(const uint8_t *data, size_t size)
{
    proxy_v2_header h;
    long total;

    if (proxy_v2_parse(data, size, &h) != 0)
        return;
    total = proxy_v2_length(data);
    if (total < 0 || (size_t)total != size || !proxy_v2_signature_prefix(data, 12))
        abort();
    if (h.local)
        return;
    if (h.src.ss_family == AF_INET) {
        if (data[13] != 0x11 || memcmp(&((struct sockaddr_in *)&h.src)->sin_addr, data + 16, 4))
            abort();
    } else if (h.src.ss_family != AF_INET6 || data[13] != 0x21 ||
               memcmp(&((struct sockaddr_in6 *)&h.src)->sin6_addr, data + 16, 16) != 0) {
        abort();
    }
}

static void texts(const char *t)
{
    char out[INET6_ADDRSTRLEN], again[INET6_ADDRSTRLEN];
    config_net n;

    if (proxy_xff_pick(t, out, sizeof out) == 0 &&
        (proxy_xff_pick(out, again, sizeof again) != 0 || strcmp(out, again) != 0))
        abort();
    if (config_net_parse(&n, t) == 0 && !config_net_contains(&n, n.family, n.addr))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[TEXT_MAX + 1];

    v2(data, size);
    if (size > TEXT_MAX)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    texts(text);
    return 0;
}
