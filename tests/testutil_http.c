/* testutil_http.c - HTTP and TCP to the daemon under test (libcurl), and a
 * staff account's TOTP codes. */
#include "testutil.h"
#include "crypto/totp.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

char tu_base_url[64], tu_internal_url[64], tu_cacert[PATH_MAX + 16];

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    tu_reply *r = arg;
    size_t take = size * n;

    if (r->len + take >= sizeof r->body)
        take = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, take);
    r->len += take;
    r->body[r->len] = '\0';
    return size * n;
}

static void header_value(char *out, size_t outlen, const char *line, const char *name)
{
    size_t n = strlen(name);

    if (strncasecmp(line, name, n) == 0)
        snprintf(out, outlen, "%.*s", (int)strcspn(line + n, "\r\n"), line + n);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    tu_reply *r = arg;

    header_value(r->allow, sizeof r->allow, p, "Allow: ");
    header_value(r->set_cookie, sizeof r->set_cookie, p, "Set-Cookie: ");
    header_value(r->retry_after, sizeof r->retry_after, p, "Retry-After: ");
    return size * n;
}

static void http_to(const char *base, tu_reply *r, const char *method, const char *path,
                    const char *body, long len, const char *header, const char *header2)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[512];

    memset(r, 0, sizeof *r);
    if (header != NULL)
        h = curl_slist_append(h, header);
    if (header2 != NULL)
        h = curl_slist_append(h, header2);
    snprintf(url, sizeof url, "%s%s", base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (tu_cacert[0] != '\0')
        curl_easy_setopt(c, CURLOPT_CAINFO, tu_cacert);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, len);
    }
    if (h != NULL)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (curl_easy_perform(c) != CURLE_OK)
        r->status = -1;
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

void tu_http2(tu_reply *r, const char *method, const char *path, const char *body, long len,
              const char *header, const char *header2)
{
    http_to(tu_base_url, r, method, path, body, len, header, header2);
}

void tu_http_internal(tu_reply *r, const char *method, const char *path)
{
    http_to(tu_internal_url, r, method, path, NULL, 0, NULL, NULL);
}

void tu_http(tu_reply *r, const char *method, const char *path, const char *body, long len,
             const char *header)
{
    tu_http2(r, method, path, body, len, header, NULL);
}

void tu_base32_key(uint8_t out[32], const char *secret)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;

    for (; *secret && n < 32; secret++) {
        const char *p = strchr(alphabet, *secret);

        if (p == NULL || *p == '\0')
            abort();
        acc = (acc << 5) | (uint32_t)(p - alphabet);
        bits += 5;
        if (bits >= 8) {
            out[n++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (n != 32)
        abort();
}

void tu_totp(char out[8], const uint8_t key[32], int64_t t)
{
    uint32_t v;

    if (totp_hotp(&v, key, TOTP_KEY_BYTES, totp_step(t), TOTP_DIGITS) != 0)
        abort();
    snprintf(out, 8, "%06u", (unsigned)v);
}

int tu_tcp_connect(const char *src, const char *dst, int port)
{
    struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, src, &from.sin_addr);
    inet_pton(AF_INET, dst, &to.sin_addr);
    to.sin_port = htons((uint16_t)port);
    if (s < 0 || bind(s, (struct sockaddr *)&from, sizeof from) != 0 ||
        connect(s, (struct sockaddr *)&to, sizeof to) != 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    return s;
}
