/* authority.c - the server's HTTP client of the credential authority's
 * service (votecad): a reissue request out, its signed record back. */
#include "credentials.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define AUTHORITY_REPLY_MAX (64 * 1024)
#define AUTHORITY_TIMEOUT_S 20L

typedef struct {
    char *buf;
    size_t len;
    int too_long;
} reply_buf;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    reply_buf *r = arg;
    size_t add = size * n;
    char *b;

    if (r->len + add > AUTHORITY_REPLY_MAX) {
        r->too_long = 1;
        return 0;
    }
    if ((b = realloc(r->buf, r->len + add + 1)) == NULL)
        return 0;
    memcpy(b + r->len, p, add);
    r->buf = b;
    r->len += add;
    r->buf[r->len] = '\0';
    return add;
}

int election_authority_post(const char *url, const char *body, char **reply, char *err,
                            size_t errlen)
{
    char full[1100];
    reply_buf r = { NULL, 0, 0 };
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c = curl_easy_init();
    long status = 0;
    CURLcode rc;

    *reply = NULL;
    snprintf(full, sizeof full, "%s%sreissue", url,
             url[0] && url[strlen(url) - 1] == '/' ? "" : "/");
    if (c == NULL || h == NULL) {
        snprintf(err, errlen, "out of memory");
        curl_slist_free_all(h);
        if (c != NULL)
            curl_easy_cleanup(c);
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, AUTHORITY_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    if (rc != CURLE_OK || status != 200 || r.buf == NULL) {
        snprintf(err, errlen, "the credential authority at %s answered %s (HTTP %ld)", full,
                 r.too_long ? "more than 64 KiB" : rc != CURLE_OK ? curl_easy_strerror(rc)
                                                                   : "no record", status);
        free(r.buf);
        return -1;
    }
    *reply = r.buf;
    return 0;
}
