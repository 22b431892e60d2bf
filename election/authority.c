/* authority.c - the server's HTTP client of the credential authority's
 * service (votecad): a reissue request signed with the daemon's audit key
 * out, its signed record back (docs/protocol.md section 7.3). */
#include "credentials.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "definition.h"

#define AUTHORITY_REPLY_MAX (64 * 1024)
#define AUTHORITY_TIMEOUT_S 20L

typedef struct {
    char *buf;
    size_t len;
    int too_long;
} reply_buf;

/* A name of the request (election, voter, scrutin): 1-64 visible characters. */
static int name_ok(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len > 64)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] == 0x7f)
            return 0;
    return 1;
}

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
    if (rc != CURLE_OK || r.buf == NULL || status < 200 ||
        (status != 200 && (status < 400 || status > 599))) {
        snprintf(err, errlen, "the credential authority at %s answered %s (HTTP %ld)", full,
                 r.too_long ? "more than 64 KiB" : rc != CURLE_OK ? curl_easy_strerror(rc)
                                                                   : "no record", status);
        free(r.buf);
        return -1;
    }
    snprintf(err, errlen, "the credential authority at %s refused the request (HTTP %ld)", full,
             status);
    *reply = r.buf;
    return status == 200 ? 0 : (int)status;
}

char *election_reissue_request_make(const char *eid, const char *voter,
                                    const char *const *scrutins, size_t n, uint64_t issued_at,
                                    uint64_t applied, const uint8_t sk[64], char id_out[33])
{
    uint8_t id[16], digest[32], sig[64];
    char sighex[129], *text;
    json_t *doc, *list;

    if (!name_ok(eid) || !name_ok(voter) || n == 0 || n > DEF_MAX_SCRUTINS ||
        issued_at > (uint64_t)INT64_MAX || applied > (uint64_t)INT64_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!name_ok(scrutins[i]) || (i > 0 && strcmp(scrutins[i - 1], scrutins[i]) >= 0))
            return NULL;
    randombytes_buf(id, sizeof id);
    hex_encode(id_out, id, sizeof id);
    credential_request_digest(digest, eid, id_out, voter, scrutins, n, issued_at, applied);
    if (sk != NULL)
        crypto_sign_detached(sig, NULL, digest, sizeof digest, sk);
    else
        memset(sig, 0, sizeof sig);     /* unsigned: the signer signs the stored row */
    hex_encode(sighex, sig, sizeof sig);
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(scrutins[i]));
    doc = json_pack("{s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:s}", "format", REISSUE_REQUEST_FORMAT,
                    "election", eid, "request", id_out, "voter", voter, "scrutins", list,
                    "issued_at", (json_int_t)issued_at, "applied", (json_int_t)applied,
                    "signature", sighex);
    text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    return text;
}
