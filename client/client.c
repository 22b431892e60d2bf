/* client.c - the reference voting client: HTTP exchanges (libcurl) and JSON. */
#include "client.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <sodium.h>
#include "crypto/hex.h"
#include "notices/code.h"

#define CLIENT_BODY_MAX (4 * 1024 * 1024)

struct client {
    CURL *curl;
    char base[256];
    char cookie[CLIENT_SESSION_CHARS + 64];
    char *body;
    size_t len;
    char set_cookie[CLIENT_SESSION_CHARS + 32];
    long retry_after;        /* the last answer's Retry-After (seconds), 0 if none */
    char *cafile;            /* the CA certificates to trust for https, or NULL */
};

static void say(client_result *r, long status, const char *fmt, ...)
{
    va_list ap;

    r->status = status;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    client *c = arg;
    char *grown;

    if (c->len + n > CLIENT_BODY_MAX || (grown = realloc(c->body, c->len + n + 1)) == NULL)
        return 0;
    memcpy(grown + c->len, p, n);
    c->body = grown;
    c->len += n;
    c->body[c->len] = '\0';
    (void)size;
    return n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    client *c = arg;
    static const char name[] = "set-cookie: votesrv_session=", retry[] = "retry-after:";
    size_t len = sizeof name - 1, v;

    if (n > sizeof retry - 1 && strncasecmp(p, retry, sizeof retry - 1) == 0)
        c->retry_after = strtol(p + sizeof retry - 1, NULL, 10);

    if (n > len && strncasecmp(p, name, len) == 0) {
        v = strcspn(p + len, ";\r\n");
        if (v < sizeof c->set_cookie)
            snprintf(c->set_cookie, sizeof c->set_cookie, "%.*s", (int)v, p + len);
    }
    (void)size;
    return n;
}

client *client_new(const char *base_url)
{
    client *c = calloc(1, sizeof *c);

    if (c == NULL || strlen(base_url) >= sizeof c->base || (c->curl = curl_easy_init()) == NULL) {
        free(c);
        return NULL;
    }
    snprintf(c->base, sizeof c->base, "%s", base_url);
    return c;
}

void client_free(client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    free(c->cafile);
    sodium_memzero(c->cookie, sizeof c->cookie);
    free(c->body);
    free(c);
}

int client_cafile_set(client *c, const char *path)
{
    char *copy = strdup(path);

    if (copy == NULL)
        return -1;
    free(c->cafile);
    c->cafile = copy;
    return 0;
}

int client_session_set(client *c, const char *token)
{
    if (strlen(token) > CLIENT_SESSION_CHARS || strpbrk(token, ";\r\n ") != NULL)
        return -1;
    snprintf(c->cookie, sizeof c->cookie, "Cookie: votesrv_session=%s", token);
    return 0;
}

/* One exchange; the answer's JSON (NULL if none) in *out. -1 if no answer. */
static int exchange(client *c, const char *method, const char *path, json_t *body, json_t **out,
                    client_result *r)
{
    struct curl_slist *h = NULL;
    char url[512], *text = NULL;
    CURLcode cc;

    *out = NULL;
    c->len = 0;
    c->set_cookie[0] = '\0';
    c->retry_after = 0;
    r->code[0] = '\0';
    r->retry_after = 0;
    snprintf(url, sizeof url, "%s%s", c->base, path);
    curl_easy_reset(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    if (c->cafile != NULL)
        curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->cafile);
    if (c->cookie[0] != '\0')
        h = curl_slist_append(h, c->cookie);
    if (body != NULL) {
        if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
            curl_slist_free_all(h);
            say(r, 0, "out of memory");
            return -1;
        }
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, text);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(text));
    }
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
    cc = curl_easy_perform(c->curl);
    curl_slist_free_all(h);
    if (text != NULL) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    if (cc != CURLE_OK) {
        say(r, 0, "%s %s: %s", method, path, curl_easy_strerror(cc));
        return -1;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
    r->retry_after = c->retry_after > 0 ? c->retry_after : 0;
    if (c->len > 0)
        *out = json_loadb(c->body, c->len, 0, NULL);
    return 0;
}

/* A refusal: the server's own message. */
static int refused(client_result *r, json_t *j)
{
    const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message")),
               *code = json_string_value(json_object_get(json_object_get(j, "error"), "code"));

    say(r, r->status, "%s", m != NULL ? m : "refused");
    snprintf(r->code, sizeof r->code, "%s", code != NULL ? code : "");
    json_decref(j);
    return CLIENT_REFUSED;
}

/* hex_decode refuses NULL, a wrong length and upper case. */
static int hex_field(uint8_t *out, size_t len, json_t *j, const char *key)
{
    return hex_decode(out, len, json_string_value(json_object_get(j, key)));
}

static int scrutins_parse(client_election *e, json_t *arr)
{
    size_t i;
    json_t *s;

    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return -1;
    if ((e->scrutins = calloc(json_array_size(arr), sizeof *e->scrutins)) == NULL)
        return -1;
    json_array_foreach(arr, i, s) {
        const char *id = json_string_value(json_object_get(s, "id"));
        size_t k = json_array_size(json_object_get(s, "lists"));

        if (id == NULL || strlen(id) > STORE_SCRUTIN_CHARS || k == 0 || k > BALLOT_MAX_LISTS)
            return -1;
        snprintf(e->scrutins[i].id, sizeof e->scrutins[i].id, "%s", id);
        e->scrutins[i].k = k;
        /* absent means allowed, as in the definition (protocol §8) */
        e->scrutins[i].blank_allowed = !json_is_false(json_object_get(s, "blank_allowed"));
        e->nscrutins++;
    }
    return 0;
}

int client_election_fetch(client *c, client_election *e, client_result *r)
{
    uint8_t pk[ELGAMAL_PK_BYTES];
    const char *eid;
    json_t *j;

    memset(e, 0, sizeof *e);
    if (exchange(c, "GET", "/api/v1/election", NULL, &j, r) != 0)
        return -1;
    if (r->status != 200)
        return refused(r, j);
    eid = json_string_value(json_object_get(j, "eid"));
    if (eid == NULL || strlen(eid) > STORE_EID_CHARS || hex_field(e->fp, 32, j, "fingerprint") ||
        hex_field(e->receipt_key, 32, j, "receipt_key") != 0) {
        json_decref(j);
        say(r, r->status, "the election description is malformed");
        return -1;
    }
    snprintf(e->eid, sizeof e->eid, "%s", eid);
    if (hex_field(pk, sizeof pk, j, "public_key") != 0 || elgamal_pk_load(&e->pk, pk) != 0 ||
        scrutins_parse(e, json_object_get(j, "scrutins")) != 0) {
        json_decref(j);
        client_election_free(e);
        say(r, r->status, "the election has no valid public key or scrutins yet");
        return -1;
    }
    json_decref(j);
    return CLIENT_OK;
}

void client_election_free(client_election *e)
{
    elgamal_pk_clear(&e->pk);
    free(e->scrutins);
    e->scrutins = NULL;
    e->nscrutins = 0;
}

const client_scrutin *client_election_scrutin(const client_election *e, const char *id)
{
    for (size_t i = 0; i < e->nscrutins; i++)
        if (strcmp(e->scrutins[i].id, id) == 0)
            return &e->scrutins[i];
    return NULL;
}

int client_login(client *c, const char *identifier, const char *password, client_result *r)
{
    return client_login_queued(c, identifier, password, NULL, 0, r);
}

int client_login_queued(client *c, const char *identifier, const char *password, char *ticket,
                        size_t ticket_size, client_result *r)
{
    json_t *body = json_pack("{s:s,s:s}", "identifier", identifier, "password", password), *j;
    int rc;

    if (body != NULL && ticket != NULL && ticket[0] != '\0')
        json_object_set_new(body, "retry_ticket", json_string(ticket));
    rc = body != NULL ? exchange(c, "POST", "/api/v1/session", body, &j, r) : -1;
    json_decref(body);
    if (rc != 0)
        return -1;
    if (ticket != NULL) {                /* the place booked, kept for the next try */
        const char *t = json_string_value(
            json_object_get(json_object_get(j, "error"), "retry_ticket"));

        snprintf(ticket, ticket_size, "%s", r->status == 503 && t != NULL ? t : "");
    }
    if (r->status != 200)
        return refused(r, j);
    json_decref(j);
    if (c->set_cookie[0] == '\0' || client_session_set(c, c->set_cookie) != 0) {
        say(r, r->status, "the server sent no session");
        return -1;
    }
    return CLIENT_OK;
}

int client_receipt_parse(box_receipt *out, json_t *j)
{
    const char *scrutin = json_string_value(json_object_get(j, "scrutin"));
    json_int_t count = json_integer_value(json_object_get(j, "count"));

    memset(out, 0, sizeof *out);
    if (scrutin == NULL || strlen(scrutin) > STORE_SCRUTIN_CHARS || count < 1 ||
        hex_field(out->tracker, sizeof out->tracker, j, "tracker") != 0 ||
        hex_field(out->fp, sizeof out->fp, j, "election") != 0 ||
        hex_field(out->digest, sizeof out->digest, j, "box_digest") != 0 ||
        hex_field(out->signature, sizeof out->signature, j, "signature") != 0)
        return -1;
    snprintf(out->scrutin, sizeof out->scrutin, "%s", scrutin);
    out->count = (uint64_t)count;
    out->already_recorded = json_is_true(json_object_get(j, "already_recorded"));
    ballot_tracker_text(out->tracker_text, out->tracker);
    return 0;
}

/* The ballot for choice, made on this device; its tracker in tracker. */
static json_t *make_ballot(const client_election *e, const client_scrutin *s, const char *code,
                           size_t choice, uint8_t auth[32], uint8_t tracker[32])
{
    uint8_t choices[BALLOT_MAX_LISTS] = { 0 }, pub[CREDENTIAL_PUB_BYTES];
    char canon[CODE_SYMBOLS + 1], *bytes;
    ballot_scrutin sc = { e->fp, &e->pk, s->id, s->k, s->blank_allowed ? 0 : 1, 1 };
    group_scalar cred;
    ballot *b;
    json_t *j = NULL;
    int ok;

    if (choice != CLIENT_BLANK)
        choices[choice] = 1;
    if (code_parse(canon, code) != CODE_OK || (b = ballot_new(sc.k, sc.min, sc.max)) == NULL)
        return NULL;
    ok = credential_derive_auth(auth, (const uint8_t *)e->eid, strlen(e->eid),
                                (const uint8_t *)canon, CODE_SYMBOLS) == 0 &&
         credential_derive_scrutin(&cred, pub, (const uint8_t *)e->eid, strlen(e->eid),
                                   (const uint8_t *)canon, CODE_SYMBOLS, s->id) == 0 &&
         ballot_create(b, &sc, choices, &cred, pub, NULL) == 0;
    sodium_memzero(canon, sizeof canon);
    sodium_memzero(&cred, sizeof cred);
    if (ok && (bytes = ballot_canonical(b, e->fp)) != NULL) {
        ballot_tracker(tracker, bytes);
        free(bytes);
        j = ballot_to_json(b, e->fp);
    }
    ballot_free(b);
    return j;
}

static int receipt_check(const box_receipt *rc, const client_election *e, const char *scrutin,
                         const uint8_t tracker[32], client_result *r)
{
    if (box_receipt_verify(rc, e->receipt_key) != 0) {
        say(r, r->status, "the receipt's signature does not verify");
        return -1;
    }
    if (sodium_memcmp(rc->tracker, tracker, 32) != 0 || sodium_memcmp(rc->fp, e->fp, 32) != 0 ||
        strcmp(rc->scrutin, scrutin) != 0) {
        say(r, r->status, "the receipt is not for the ballot we cast");
        return -1;
    }
    return CLIENT_OK;
}

int client_prepare(client_prepared *p, const client_election *e, const char *scrutin,
                   const char *code, size_t choice, client_result *r)
{
    const client_scrutin *s = client_election_scrutin(e, scrutin);
    uint8_t auth[32];
    char authhex[65];
    json_t *ballot;

    memset(p, 0, sizeof *p);
    memset(r, 0, sizeof *r);
    if (s == NULL || (choice != CLIENT_BLANK && choice >= s->k) ||
        (choice == CLIENT_BLANK && !s->blank_allowed)) {
        say(r, 0, "no such scrutin or choice");
        return -1;
    }
    if ((ballot = make_ballot(e, s, code, choice, auth, p->tracker)) == NULL) {
        say(r, 0, "the vote code is mistyped, or the ballot could not be made");
        return -1;
    }
    hex_encode(authhex, auth, sizeof auth);
    sodium_memzero(auth, sizeof auth);
    p->body = json_pack("{s:o,s:s}", "ballot", ballot, "authenticator", authhex);
    sodium_memzero(authhex, sizeof authhex);
    snprintf(p->scrutin, sizeof p->scrutin, "%s", scrutin);
    if (p->body == NULL) {
        say(r, 0, "out of memory");
        return -1;
    }
    return CLIENT_OK;
}

void client_prepared_free(client_prepared *p)
{
    json_decref(p->body);
    p->body = NULL;
}

int client_submit(client *c, const client_election *e, const client_prepared *p,
                  box_receipt *receipt, client_result *r)
{
    char path[128];
    json_t *j;
    int rc;

    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "/api/v1/scrutins/%s/ballots", p->scrutin);
    if (exchange(c, "POST", path, p->body, &j, r) != 0)
        return -1;
    if (r->status != 201 && r->status != 200)
        return refused(r, j);
    rc = client_receipt_parse(receipt, json_object_get(j, "receipt"));
    json_decref(j);
    /* 200: the same ballot sent again, in the box already: its receipt says so */
    if (rc != 0 || receipt->already_recorded != (r->status == 200)) {
        say(r, r->status, "the receipt is malformed");
        return -1;
    }
    return receipt_check(receipt, e, p->scrutin, p->tracker, r);
}

int client_cast(client *c, const client_election *e, const char *scrutin, const char *code,
                size_t choice, box_receipt *receipt, client_result *r)
{
    client_prepared p;
    int rc = client_prepare(&p, e, scrutin, code, choice, r);

    if (rc == CLIENT_OK)
        rc = client_submit(c, e, &p, receipt, r);
    client_prepared_free(&p);
    return rc;
}

int client_lookup(client *c, const char *scrutin, const uint8_t tracker[BALLOT_TRACKER_BYTES],
                  client_result *r)
{
    char path[128], hex[65];
    const char *in;
    json_t *j;

    hex_encode(hex, tracker, BALLOT_TRACKER_BYTES);
    snprintf(path, sizeof path, "/api/v1/trackers/%s", hex);
    if (exchange(c, "GET", path, NULL, &j, r) != 0)
        return -1;
    if (r->status == 404) {
        json_decref(j);
        say(r, 404, "the ballot is not in the box");
        return CLIENT_REFUSED;
    }
    if (r->status != 200)
        return refused(r, j);
    in = json_string_value(json_object_get(j, "scrutin"));
    if (!json_is_true(json_object_get(j, "present")) || in == NULL || strcmp(in, scrutin) != 0) {
        json_decref(j);
        say(r, r->status, "the board lists this tracker under another scrutin");
        return -1;
    }
    json_decref(j);
    return CLIENT_OK;
}
