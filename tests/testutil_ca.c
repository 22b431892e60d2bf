/* testutil_ca.c - a credential authority on loopback for the daemon under
 * test (docs/protocol.md section 7.3): what votecad does, reduced to what the
 * tests need. The test holds the authority's key (the demo key the example
 * definition names), as the authority would. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "testutil.h"
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "election/credentials.h"
#include "notices/code.h"
#include "votesrv/config.h"

#define CA_VOTERS 64
#define CA_BODY_MAX 8192

struct tu_authority {
    struct MHD_Daemon *d;
    pthread_mutex_t lock;
    uint8_t daemon_pk[32], sk[64];
    char number[CA_VOTERS][STORE_NUMBER_CHARS + 1];
    char code[CA_VOTERS][CODE_SYMBOLS + 1];
    size_t nvoters;
    uint64_t seq;
    int fail, requests, bad;
    char last_request[33], last_reply_id[33];
    char *last_reply;
    char outbox[1024];            /* "mailed" codes: NUMBER,CODE lines ("": none) */
};

typedef struct {
    char buf[CA_BODY_MAX];
    size_t len;
    int too_long;
} upload;

static int find(const tu_authority *a, const char *number)
{
    for (size_t i = 0; number != NULL && i < a->nvoters; i++)
        if (strcmp(a->number[i], number) == 0)
            return (int)i;
    return -1;
}

static int request_ok(const tu_authority *a, json_t *r)
{
    const char *eid = json_string_value(json_object_get(r, "election"));
    const char *id = json_string_value(json_object_get(r, "request"));
    const char *voter = json_string_value(json_object_get(r, "voter"));
    json_t *scrutins = json_object_get(r, "scrutins"), *s;
    const char *list[32];
    uint8_t digest[32], sig[64];
    size_t i;

    if (eid == NULL || id == NULL || voter == NULL || !json_is_array(scrutins) ||
        json_array_size(scrutins) == 0 || json_array_size(scrutins) > 32 ||
        !json_is_integer(json_object_get(r, "issued_at")) ||
        hex_decode(sig, 64, json_string_value(json_object_get(r, "signature"))) != 0 ||
        strcmp(json_string_value(json_object_get(r, "format")) ? json_string_value(
                   json_object_get(r, "format")) : "", REISSUE_REQUEST_FORMAT) != 0)
        return 0;
    json_array_foreach(scrutins, i, s)
        if ((list[i] = json_string_value(s)) == NULL)
            return 0;
    credential_request_digest(digest, eid, id, voter, list, json_array_size(scrutins),
                              (uint64_t)json_integer_value(json_object_get(r, "issued_at")));
    return crypto_sign_verify_detached(sig, digest, 32, a->daemon_pk) == 0;
}

/* The record for a checked request: a new code, revoking the current one. */
static char *make_record(tu_authority *a, json_t *r)
{
    const char *eid = json_string_value(json_object_get(r, "election"));
    int v = find(a, json_string_value(json_object_get(r, "voter")));
    json_t *entries = json_array(), *bindings = json_array(), *s, *rec;
    char code[CODE_SYMBOLS + 1], hex[129], *text;
    uint8_t old[32], fresh[32], bind[32], digest[32], sig[64];
    credential_reissue_hash h;
    group_scalar x;
    size_t i;

    if (v < 0)
        return NULL;
    code_new(code);
    credential_reissue_init(&h, eid, a->seq + 1, json_array_size(json_object_get(r, "scrutins")));
    json_array_foreach(json_object_get(r, "scrutins"), i, s) {
        const char *sc = json_string_value(s);

        if (credential_derive_scrutin(&x, old, (const uint8_t *)eid, strlen(eid),
                                      (const uint8_t *)a->code[v], CODE_SYMBOLS, sc) != 0 ||
            credential_from_code_scrutin(bind, fresh, (const uint8_t *)eid, strlen(eid),
                                         (const uint8_t *)code, CODE_SYMBOLS, sc) != 0)
            return NULL;
        credential_reissue_add(&h, sc, old, fresh);
        hex_encode(hex, old, 32);
        json_array_append_new(entries, json_pack("{s:s,s:s}", "scrutin", sc, "revoked", hex));
        hex_encode(hex, fresh, 32);
        json_object_set_new(json_array_get(entries, i), "fresh", json_string(hex));
        hex_encode(hex, bind, 32);
        json_array_append_new(bindings, json_pack("{s:s,s:s}", "scrutin", sc, "bind", hex));
    }
    credential_reissue_final(&h, digest);
    crypto_sign_detached(sig, NULL, digest, 32, a->sk);
    hex_encode(hex, sig, 64);
    rec = json_pack("{s:s,s:s,s:I,s:o,s:s,s:s,s:o}", "format", REISSUE_RECORD_FORMAT,
                    "election", eid, "seq", (json_int_t)(a->seq + 1), "entries", entries,
                    "signature", hex, "voter", a->number[v], "bindings", bindings);
    text = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    if (text != NULL) {                /* "mailed" to the voter: kept here */
        a->seq++;
        memcpy(a->code[v], code, sizeof code);
        if (a->outbox[0] != '\0') {
            FILE *o = fopen(a->outbox, "a");
            char shown[CODE_DISPLAY_CHARS + 1];

            code_display(shown, code);
            if (o != NULL) {
                fprintf(o, "%s,%s\n", a->number[v], shown);
                fclose(o);
            }
        }
    }
    return text;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(c, status, r);

    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *data, size_t *data_size, void **con_cls)
{
    tu_authority *a = cls;
    upload *u = *con_cls;
    json_t *r;
    char *text = NULL;
    const char *id;
    enum MHD_Result rc;

    (void)version;
    if (u == NULL) {
        if ((u = calloc(1, sizeof *u)) == NULL)
            return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size > 0) {
        if (u->len + *data_size >= sizeof u->buf)
            u->too_long = 1;
        else
            memcpy(u->buf + u->len, data, *data_size);
        u->len += *data_size;
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&a->lock);
    a->requests++;
    r = u->too_long ? NULL : json_loadb(u->buf, u->len, 0, NULL);
    id = json_string_value(json_object_get(r, "request"));
    if (strcmp(method, "POST") != 0 || strcmp(url, "/reissue") != 0 || !request_ok(a, r)) {
        a->bad++;
        rc = reply(c, 400, "{\"error\":\"bad request\"}");
    } else {
        snprintf(a->last_request, sizeof a->last_request, "%s", id);
        if (a->fail)
            rc = reply(c, 503, "{\"error\":\"down\"}");
        else if (a->last_reply != NULL && strcmp(a->last_reply_id, id) == 0)
            rc = reply(c, 200, a->last_reply);         /* the same request, the same answer */
        else if ((text = make_record(a, r)) == NULL)
            rc = reply(c, 400, "{\"error\":\"unknown voter\"}");
        else {
            free(a->last_reply);
            a->last_reply = text;
            snprintf(a->last_reply_id, sizeof a->last_reply_id, "%s", id);
            rc = reply(c, 200, text);
        }
    }
    pthread_mutex_unlock(&a->lock);
    json_decref(r);
    return rc;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

tu_authority *tu_authority_start(const char *codes_csv, const uint8_t daemon_pk[32],
                                 const char *outbox)
{
    tu_authority *a = calloc(1, sizeof *a);
    uint8_t seed[32], pk[32];
    char line[256];
    FILE *f = fopen(codes_csv, "r");

    if (a == NULL || f == NULL) {
        free(a);
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    while (a->nvoters < CA_VOTERS && fgets(line, sizeof line, f) != NULL) {
        char *comma = strchr(line, ',');

        if (comma == NULL)
            continue;
        *comma = '\0';
        comma[1 + strcspn(comma + 1, "\r\n")] = '\0';
        if (strlen(line) > STORE_NUMBER_CHARS)
            continue;
        memcpy(a->number[a->nvoters], line, strlen(line) + 1);
        if (code_parse(a->code[a->nvoters], comma + 1) == CODE_OK)
            a->nvoters++;
    }
    fclose(f);
    snprintf(a->outbox, sizeof a->outbox, "%s", outbox != NULL ? outbox : "");
    memcpy(a->daemon_pk, daemon_pk, 32);
    credential_authority_demo_seed(seed);
    crypto_sign_seed_keypair(pk, a->sk, seed);
    pthread_mutex_init(&a->lock, NULL);
    a->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                            on_request, a, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                            MHD_OPTION_SOCK_ADDR,
                            &(struct sockaddr_in){ .sin_family = AF_INET,
                                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) },
                            MHD_OPTION_END);
    if (a->d == NULL) {
        tu_authority_stop(a);
        return NULL;
    }
    return a;
}

int tu_authority_port(const tu_authority *a)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(a->d, MHD_DAEMON_INFO_BIND_PORT);

    return i != NULL ? (int)i->port : -1;
}

void tu_authority_fail(tu_authority *a, int fail)
{
    pthread_mutex_lock(&a->lock);
    a->fail = fail;
    pthread_mutex_unlock(&a->lock);
}

int tu_authority_code(tu_authority *a, const char *number, char code[CODE_SYMBOLS + 1])
{
    int v;

    pthread_mutex_lock(&a->lock);
    v = find(a, number);
    if (v >= 0)
        memcpy(code, a->code[v], CODE_SYMBOLS + 1);
    pthread_mutex_unlock(&a->lock);
    return v >= 0 ? 0 : -1;
}

int tu_authority_requests(tu_authority *a, char last[33], int *bad)
{
    int n;

    pthread_mutex_lock(&a->lock);
    n = a->requests;
    memcpy(last, a->last_request, 33);
    *bad = a->bad;
    pthread_mutex_unlock(&a->lock);
    return n;
}

void tu_authority_stop(tu_authority *a)
{
    if (a == NULL)
        return;
    if (a->d != NULL)
        MHD_stop_daemon(a->d);
    sodium_memzero(a->sk, sizeof a->sk);
    sodium_memzero(a->code, sizeof a->code);
    free(a->last_reply);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

tu_authority *tu_authority_for(const char *cfg, const char *codes_csv, const char *outbox)
{
    config c;
    server_keys k;
    char err[400], url[64];
    tu_authority *a;
    json_t *j;

    if (config_load(&c, cfg, err, sizeof err) != 0 ||
        server_keys_load(&k, c.keys, 0, err, sizeof err) != 0)
        return NULL;
    a = tu_authority_start(codes_csv, k.audit_pk, outbox);
    sodium_memzero(&k, sizeof k);
    if (a == NULL || (j = json_load_file(cfg, 0, NULL)) == NULL) {
        tu_authority_stop(a);
        return NULL;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d", tu_authority_port(a));
    json_object_set_new(j, "credential_authority_url", json_string(url));
    if (json_dump_file(j, cfg, JSON_INDENT(1)) != 0) {
        tu_authority_stop(a);
        a = NULL;
    }
    json_decref(j);
    return a;
}
