/* client.c - the daemon's side of POST /reissue (libcurl). */
#include "credauth_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX (1 << 20)

typedef struct {
    char *data;
    size_t len;
    int too_large;
} answer_buf;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    answer_buf *a = arg;
    size_t take = size * n;
    char *grown;

    if (a->len + take > ANSWER_MAX) {
        a->too_large = 1;
        return 0;
    }
    if ((grown = realloc(a->data, a->len + take + 1)) == NULL)
        return 0;
    memcpy(grown + a->len, p, take);
    a->data = grown;
    a->len += take;
    a->data[a->len] = '\0';
    return take;
}

int credauth_reissue_call(const char *url, const char *request_json, char **record_json,
                          char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    answer_buf a = { NULL, 0, 0 };
    long status = 0;
    CURLcode rc;

    *record_json = NULL;
    if (c == NULL || hdr == NULL) {
        snprintf(err, errlen, "out of memory");
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request_json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(request_json));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status < 200 || a.data == NULL) {
        snprintf(err, errlen, "%s: %s", url,
                 a.too_large ? "answer too large" : rc != CURLE_OK ? curl_easy_strerror(rc)
                                                                   : "empty answer");
        free(a.data);
        return -1;
    }
    snprintf(err, errlen, "%s: refused (HTTP %ld)", url, status);
    if (status != 200 && (status < 400 || status > 599)) {
        free(a.data);
        return -1;
    }
    *record_json = a.data;
    return status == 200 ? 0 : (int)status;
}
