/* http.c - libmicrohttpd glue: request state, body limits, routing. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "log.h"

/* No inline script or style, nothing from elsewhere (fonts too: the dsfr
 * theme's Marianne is served from here); WebAssembly (libsodium)
 * compiled from our own scripts; forms post only here; no framing. */
#define HTTP_CSP "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; " \
    "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " \
    "worker-src 'self'; " \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct http_server {
    struct MHD_Daemon *daemon;
    http_acceptor *acceptor;     /* PROXY v2: votesrv accepts the connections */
    http_ctx *ctx;
    const http_route *routes;
    size_t nroutes;
    int internal;                /* /metrics and /healthz: no proxy in front */
};

typedef struct {
    int begun;                   /* the handler has seen the request's headers */
    int bad_path;                /* a control byte in the path, raw or %-encoded */
    char *body;
    size_t len;
    int too_large;
    struct timespec start;
    struct MHD_PostProcessor *pp;     /* for form bodies */
    http_form form;
    http_kv kv[HTTP_KV_MAX];          /* the request's values, when it is answered */
    size_t nkv;
    int kv_over;                      /* more than HTTP_KV_MAX of them */
} conn_state;

void http_error(http_request *req, http_response *res, int status, msg_id m)
{
    if (req->is_page && req->ctx->page_error != NULL) {
        req->ctx->page_error(req, res, status, (int)m);
        return;
    }
    res->status = status;
    json_decref(res->json);
    res->json = json_pack("{s:{s:s,s:s}}", "error", "code", i18n_code(m), "message",
                          i18n_text(m, req->lang));
}

void http_answer_internal(http_request *req, http_response *res)
{
    if (res->status == 0)
        http_error(req, res, 500, MSG_INTERNAL);
}

/* MHD compares names without case, for every kind: so does this. */
static const char *kv_get(const http_request *req, int kind, const char *name)
{
    for (size_t i = 0; i < req->nkv; i++)
        if (req->kv[i].kind == kind && strcasecmp(req->kv[i].name, name) == 0)
            return req->kv[i].value;
    return NULL;
}

const char *http_query(http_request *req, const char *name)
{
    return kv_get(req, HTTP_KV_QUERY, name);
}

const char *http_header(http_request *req, const char *name)
{
    return kv_get(req, HTTP_KV_HEADER, name);
}

const char *http_cookie(http_request *req, const char *name)
{
    return kv_get(req, HTTP_KV_COOKIE, name);
}

const char *http_form_get(const http_request *req, const char *name, size_t *len)
{
    for (size_t i = 0; req->form != NULL && i < req->form->n; i++)
        if (strcmp(req->form->f[i].name, name) == 0) {
            if (len != NULL)
                *len = req->form->f[i].len;
            return req->form->f[i].value;
        }
    return NULL;
}

int http_cookie_set(http_response *res, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (size_t i = 0; i < HTTP_COOKIES; i++) {
        if (res->set_cookie[i][0] != '\0')
            continue;
        va_start(ap, fmt);
        n = vsnprintf(res->set_cookie[i], HTTP_COOKIE_CHARS, fmt, ap);
        va_end(ap);
        if (n < 0 || n >= HTTP_COOKIE_CHARS) {
            res->set_cookie[i][0] = '\0';
            return -1;
        }
        return 0;
    }
    return -1;
}

void http_redirect(http_response *res, const char *path)
{
    res->status = 303;
    snprintf(res->location, sizeof res->location, "%s", path);
}

/* One piece of a form field from libmicrohttpd's post processor: a new field
 * at offset 0, the continuation of the last one otherwise. */
static enum MHD_Result on_form_data(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *filename, const char *content_type,
                                    const char *transfer_encoding, const char *data,
                                    uint64_t off, size_t size)
{
    http_form *f = cls;
    http_field *last = f->n > 0 ? &f->f[f->n - 1] : NULL;
    char *v;

    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
    if (f->bad || memchr(data, '\0', size) != NULL) {
        f->bad = 1;
        return MHD_NO;
    }
    if (off == 0 || last == NULL || strcmp(last->name, key) != 0) {
        for (size_t i = 0; i < f->n; i++)
            if (strcmp(f->f[i].name, key) == 0)
                f->bad = 1;                 /* a field given twice */
        if (f->bad || f->n == HTTP_FORM_FIELDS || (last = &f->f[f->n])->name != NULL ||
            (last->name = strdup(key)) == NULL) {
            f->bad = 1;
            return MHD_NO;
        }
        f->n++;
    }
    v = realloc(last->value, last->len + size + 1);
    if (v == NULL) {
        f->bad = 1;
        return MHD_NO;
    }
    memcpy(v + last->len, data, size);
    last->value = v;
    last->len += size;
    v[last->len] = '\0';
    return MHD_YES;
}

static void form_free(http_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        sodium_memzero(f->f[i].value, f->f[i].len);     /* passwords pass through here */
        free(f->f[i].value);
        free(f->f[i].name);
    }
    memset(f, 0, sizeof *f);
}

void http_field_error(http_request *req, http_response *res, const char *field)
{
    http_error(req, res, 400, MSG_FIELD);
    json_object_set_new(json_object_get(res->json, "error"), "field", json_string(field));
}

int http_param_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= HTTP_PARAM_CHARS &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int http_path_is_page(const char *path)
{
    return strncmp(path, "/api/", 5) != 0 && strcmp(path, "/healthz") != 0 &&
           strcmp(path, "/metrics") != 0;
}

/* Match "/a/{}/b" against a path; captured segments go to params, copied
 * into scratch; a segment that is not a valid parameter does not match. */
static int route_match(const char *pattern, const char *path, const char **params,
                       char *scratch, size_t scratch_len)
{
    size_t np = 0, used = 0;

    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");

            if (n == 0 || n > HTTP_PARAM_CHARS || np == HTTP_MAX_PARAMS ||
                used + n + 1 > scratch_len)
                return 0;
            memcpy(scratch + used, path, n);
            scratch[used + n] = '\0';
            if (!http_param_ok(scratch + used))
                return 0;
            params[np++] = scratch + used;
            used += n + 1;
            pattern += 2;
            path += n;
        } else if (*pattern++ != *path++) {
            return 0;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

static enum MHD_Result queue_response(struct MHD_Connection *c, http_ctx *ctx, http_response *res,
                                      struct MHD_Response *r, const char *type);

static enum MHD_Result send_response(struct MHD_Connection *c, http_ctx *ctx,
                                     http_response *res)
{
    struct MHD_Response *r;
    char *body = res->text;
    const char *type = res->content_type ? res->content_type : "text/plain; charset=utf-8";

    if (res->has_fd) {
        r = MHD_create_response_from_fd(res->fd_size, res->fd);
        if (r == NULL) {
            close(res->fd);
            return MHD_NO;
        }
        return queue_response(c, ctx, res, r, type);
    }
    if (res->json != NULL) {
        body = json_dumps(res->json, JSON_COMPACT);
        type = "application/json; charset=utf-8";
        json_decref(res->json);
        res->json = NULL;
        free(res->text);
    }
    if (body == NULL && res->location[0] != '\0')
        body = strdup("");                   /* a redirect */
    if (body == NULL) {
        res->status = 500;
        body = strdup("{\"error\":{\"code\":\"internal_error\"}}");
        type = "application/json; charset=utf-8";
    }
    r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    return queue_response(c, ctx, res, r, type);
}

/* Headers common to every answer, then queue it. */
static enum MHD_Result queue_response(struct MHD_Connection *c, http_ctx *ctx, http_response *res,
                                      struct MHD_Response *r, const char *type)
{
    enum MHD_Result ok;

    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control",
                            res->cache_static ? "public, max-age=86400" : "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    /* same-origin: nothing to other sites (links carry tokens), and forms
     * posted here carry their Origin, which the portal checks */
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP);
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (strncmp(ctx->cfg->mail.portal_url, "https://", 8) == 0)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (res->allow[0] != '\0')
        MHD_add_response_header(r, "Allow", res->allow);
    if (res->location[0] != '\0')
        MHD_add_response_header(r, "Location", res->location);
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        if (res->set_cookie[i][0] != '\0')
            MHD_add_response_header(r, "Set-Cookie", res->set_cookie[i]);
    if (res->close_connection)
        MHD_add_response_header(r, "Connection", "close");
    if (res->retry_after > 0) {
        char ra[24];

        snprintf(ra, sizeof ra, "%lld", (long long)res->retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    ok = MHD_queue_response(c, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

typedef struct {
    const char *name;
    unsigned n;
    const char *last;
} header_count;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    header_count *h = cls;

    (void)kind;
    if (strcasecmp(key, h->name) == 0) {
        h->n++;
        h->last = value;
    }
    return MHD_YES;
}

/* How many times a request header is given; the last one's value in *last. */
static unsigned header_times(struct MHD_Connection *c, const char *name, const char **last)
{
    header_count h = { name, 0, NULL };

    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &h);
    if (last != NULL)
        *last = h.last;
    return h.n;
}

/* The client: libmicrohttpd's peer address (with PROXY v2, the one the
 * proxy's header named); from a trusted proxy without PROXY v2, the right-most
 * X-Forwarded-For entry, the one the proxy appended (what the client wrote
 * before it is anyone's guess). An IPv4-mapped IPv6 address as IPv4. */
static void client_address(const http_server *s, struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const config *cfg = s->ctx->cfg;
    const char *xff;

    snprintf(out, len, "unknown");
    if (sa != NULL && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

        if (IN6_IS_ADDR_V4MAPPED(a))
            inet_ntop(AF_INET, a->s6_addr + 12, out, (socklen_t)len);
        else
            inet_ntop(AF_INET6, a, out, (socklen_t)len);
    }
    if (s->internal || cfg->proxy_v2 || !config_proxy_trusted(cfg, sa) ||
        header_times(c, "X-Forwarded-For", &xff) == 0)
        return;
    if (proxy_xff_pick(xff, out, len) != 0)
        snprintf(out, len, "unknown");      /* the proxy's own entry is always an address */
}

/* A control byte (below 0x20, or 0x7f) in the path, as sent or %-encoded:
 * libmicrohttpd would decode "%00" and cut the path there. */
static int path_has_control(const char *uri)
{
    for (const char *p = uri; *p != '\0' && *p != '?'; p++) {
        unsigned v = (unsigned char)*p;

        if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = { p[1], p[2], '\0' };

            v = (unsigned)strtoul(hex, NULL, 16);
        }
        if (v < 0x20 || v == 0x7f)
            return 1;
    }
    return 0;
}

/* The request line's target, before libmicrohttpd decodes it: the request's
 * state starts here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    conn_state *st = calloc(1, sizeof *st);

    (void)cls, (void)c;
    if (st != NULL)
        st->bad_path = path_has_control(uri);
    return st;
}

/* What votesrv can see of a request smuggled past a proxy or forged: more
 * than one Content-Length, or one that is not digits; Content-Length with
 * Transfer-Encoding; a control byte in the path; HTTP/1.1 without exactly one
 * Host. 0 when none. */
static int request_framing_bad(struct MHD_Connection *c, const conn_state *st,
                               const char *version)
{
    const char *cl = NULL;
    unsigned ncl = header_times(c, "Content-Length", &cl);

    if (st->bad_path || ncl > 1 ||
        (ncl == 1 && (cl[0] == '\0' || strspn(cl, "0123456789") != strlen(cl))) ||
        (ncl == 1 && header_times(c, "Transfer-Encoding", NULL) > 0))
        return 1;
    if (header_times(c, "Host", NULL) > 1)
        return 1;
    return strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && header_times(c, "Host", NULL) != 1;
}

/* The Content-Type is this media type, with or without parameters. */
static int media_is(const char *type, const char *want)
{
    size_t n = strlen(want);

    return type != NULL && strncasecmp(type, want, n) == 0 &&
           (type[n] == '\0' || type[n] == ';');
}

static int is_form(const char *type)
{
    return media_is(type, "application/x-www-form-urlencoded");
}

/* A JSON body must say so: a cross-site HTML form cannot send application/json
 * without a CORS preflight, which votesrv never grants. */
static int is_json(const char *type)
{
    return media_is(type, "application/json");
}

static void count_status(http_ctx *ctx, const http_response *res)
{
    if (res->status >= 100 && res->status < 600)
        atomic_fetch_add(&ctx->requests[res->status / 100], 1);
}

static int json_fits(const json_t *j, int depth, size_t *nodes)
{
    const char *k;
    json_t *v;
    size_t i;

    if (depth > HTTP_JSON_DEPTH || ++*nodes > HTTP_JSON_NODES)
        return 0;
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v)
            if (!json_fits(v, depth + 1, nodes))
                return 0;
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
            if (!json_fits(v, depth + 1, nodes))
                return 0;
    }
    return 1;
}

int http_json_fits(const json_t *j)
{
    size_t nodes = 0;

    return json_fits(j, 1, &nodes);
}

/* Read a ballot's JSON into req->ballot (its wire form allocated here):
 * 0, or -1 when memory runs out. */
static int ballot_take(http_request *req, json_t *j)
{
    http_ballot *hb = &req->ballot;
    ballot *b = NULL;
    uint8_t *wire;
    int n;

    hb->present = 1;
    hb->field = ballot_from_json_shape(j, req->params[0], hb->election, &b);
    if (hb->field < 0)
        return -1;
    if (b == NULL)
        return 0;
    wire = malloc(ballot_wire_size(b));
    n = wire == NULL ? -1 : ballot_wire_encode(wire, ballot_wire_size(b), b);
    if (n >= 0 && hb->field != BALLOT_FIELD_NONE)
        n = (int)BALLOT_WIRE_HEAD(b->scrutin_id);   /* range, signature: the head */
    ballot_free(b);
    if (n < 0) {
        free(wire);
        return -1;
    }
    hb->wire = hb->owned[0] = wire;
    hb->len = (size_t)n;
    return 0;
}

/* HTTP_BODY_BALLOT: the object body's members, as ep_ballot_cast takes them
 * (api_only, api_string, then the ballot). 0, or -1 when memory runs out. */
static int ballot_body(http_request *req, json_t *body)
{
    http_ballot *hb = &req->ballot;
    const char *key, *auth;
    json_t *v;

    json_object_foreach(body, key, v) {
        if (strcmp(key, "ballot") != 0 && strcmp(key, "authenticator") != 0) {
            if ((hb->extra = hb->owned[1] = strdup(key)) == NULL)
                return -1;
            break;
        }
    }
    v = json_object_get(body, "authenticator");
    auth = json_string_value(v);
    hb->auth_ok = json_is_string(v) && json_string_length(v) == 64 && strlen(auth) == 64 &&
                  hex_decode(hb->auth, sizeof hb->auth, auth) == 0;
    if (!hb->auth_ok)
        sodium_memzero(hb->auth, sizeof hb->auth);
    v = json_object_get(body, "ballot");
    return json_is_object(v) ? ballot_take(req, v) : 0;
}

void http_request_release(http_request *req)
{
    json_decref(req->json);
    req->json = NULL;
    free(req->ballot.owned[0]);
    free(req->ballot.owned[1]);
    sodium_memzero(&req->ballot, sizeof req->ballot);
}

int http_resolve(const http_route *routes, size_t nroutes, http_request *req, const char *body,
                 size_t len, const http_form *form, size_t *route, int *msg)
{
    const char *content_type = http_header(req, "Content-Type");
    const http_route *r = NULL;
    size_t matched = nroutes;

    req->route = NULL;
    req->json = NULL;
    req->form = NULL;
    memset(&req->ballot, 0, sizeof req->ballot);
    *route = nroutes;
    for (size_t i = 0; i < nroutes; i++) {
        if (!route_match(routes[i].pattern, req->path, req->params, req->params_buf,
                         sizeof req->params_buf))
            continue;
        if (matched == nroutes)
            matched = i;
        if (strcmp(routes[i].method, req->method) == 0) {
            r = &routes[i];
            *route = i;
            break;
        }
    }
    if (r == NULL) {
        if (matched < nroutes)      /* its parameters again: later tries wrote over them */
            route_match(routes[matched].pattern, req->path, req->params, req->params_buf,
                        sizeof req->params_buf);
        *route = matched;
        req->route = matched < nroutes ? routes[matched].pattern : NULL;
        *msg = matched < nroutes ? MSG_METHOD : MSG_NOT_FOUND;
        return matched < nroutes ? 405 : 404;
    }
    req->route = r->pattern;
    *msg = MSG_FIELD;
    if (r->body == HTTP_BODY_NONE && len > 0)
        return *msg = MSG_NO_BODY, 400;
    if (r->body == HTTP_BODY_FORM) {
        if (!is_form(content_type))
            return *msg = MSG_CONTENT_TYPE, 415;
        if (form == NULL || form->bad)
            return 400;
        req->form = form;
        if (r->form_ballot != NULL) {
            size_t n;
            const char *text = http_form_get(req, r->form_ballot, &n);
            json_t *j = NULL;
            int rc = 0;

            if (text != NULL && n <= r->form_ballot_max)
                j = json_loadb(text, n, JSON_REJECT_DUPLICATES, NULL);
            if (j != NULL && http_json_fits(j))
                rc = ballot_take(req, j);
            json_decref(j);
            if (rc != 0) {
                http_request_release(req);
                return *msg = MSG_INTERNAL, 500;
            }
        }
    }
    if (r->body == HTTP_BODY_JSON || r->body == HTTP_BODY_BALLOT) {
        if (!is_json(content_type))
            return *msg = MSG_CONTENT_TYPE, 415;
        req->json = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(req->json) || !http_json_fits(req->json)) {
            json_decref(req->json);
            req->json = NULL;
            return *msg = MSG_BAD_JSON, 400;
        }
    }
    if (r->body == HTTP_BODY_BALLOT) {
        int rc = ballot_body(req, req->json);

        json_decref(req->json);
        req->json = NULL;
        if (rc != 0) {
            http_request_release(req);
            return *msg = MSG_INTERNAL, 500;
        }
    }
    return 0;
}

/* The methods of every route of pattern's path, for a 405's Allow. */
static void allow_list(const http_route *routes, size_t nroutes, const char *pattern,
                       char *allow, size_t size)
{
    allow[0] = '\0';
    for (size_t i = 0; i < nroutes; i++)
        if (strcmp(routes[i].pattern, pattern) == 0 &&
            strlen(allow) + strlen(routes[i].method) + 3 < size)
            snprintf(allow + strlen(allow), size - strlen(allow), "%s%s",
                     allow[0] ? ", " : "", routes[i].method);
}

void http_answer(http_ctx *ctx, const http_route *routes, size_t nroutes, size_t route,
                 http_request *req, int refuse, int msg, http_response *res)
{
    req->ctx = ctx;
    if (refuse == 0 && route >= nroutes)
        refuse = 404, msg = MSG_NOT_FOUND;
    if (refuse != 0 && (refuse < 400 || refuse > 599 || msg < 0 || msg >= MSG_COUNT))
        refuse = 400, msg = MSG_FIELD;
    if (refuse == 405 && route < nroutes)
        allow_list(routes, nroutes, routes[route].pattern, res->allow, sizeof res->allow);
    if (refuse != 0)
        http_error(req, res, refuse, (msg_id)msg);
    else
        routes[route].handler(req, res);
    http_request_release(req);
    count_status(ctx, res);
}

void http_dispatch(http_ctx *ctx, const http_route *routes, size_t nroutes, http_request *req,
                   const char *body, size_t len, const http_form *form, http_response *res)
{
    size_t route;
    int msg, refuse = http_resolve(routes, nroutes, req, body, len, form, &route, &msg);

    http_answer(ctx, routes, nroutes, route, req, refuse, msg, res);
}

static enum MHD_Result on_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    conn_state *st = cls;

    if (st->nkv == HTTP_KV_MAX) {
        st->kv_over = 1;
        return MHD_NO;
    }
    st->kv[st->nkv++] = (http_kv){ kind == MHD_GET_ARGUMENT_KIND ? HTTP_KV_QUERY
                                   : kind == MHD_COOKIE_KIND ? HTTP_KV_COOKIE : HTTP_KV_HEADER,
                                   key, value };
    return MHD_YES;
}

/* Answer the request: the error refuse (when not 0) or its route, here or,
 * with privilege separation, in the writer process. */
static void answer(http_server *s, struct MHD_Connection *c, http_request *req, conn_state *st,
                   http_response *res, int refuse, msg_id m)
{
    size_t route;
    int msg;

    st->nkv = 0;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND | MHD_HEADER_KIND | MHD_COOKIE_KIND,
                              on_value, st);
    req->kv = st->kv;
    req->nkv = st->nkv;
    req->internal = s->internal;
    if (st->kv_over && refuse == 0)
        refuse = 400, m = MSG_FIELD;
    route = s->nroutes;
    if (refuse == 0)
        refuse = http_resolve(s->routes, s->nroutes, req, st->body, st->len, &st->form, &route,
                              &msg);
    else
        msg = (int)m;
    if (s->ctx->forward != NULL) {
        s->ctx->forward(s->ctx->forward_cls, req, route, refuse, msg, res);
        http_request_release(req);
    } else {
        http_answer(s->ctx, s->routes, s->nroutes, route, req, refuse, msg, res);
    }
}

/* Never the raw path: it can hold a tracker (/api/v1/trackers/{}) or another
 * secret, and a log line would tie it to a time and a client. The matched
 * route's pattern, or "-" for a path no route matches. */
static void log_request(http_request *req, conn_state *st, int status)
{
    struct timespec now;
    double ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (double)(now.tv_sec - st->start.tv_sec) * 1e3 +
         (double)(now.tv_nsec - st->start.tv_nsec) / 1e6;
    if (status < 500 && !log_debug_enabled())
        return;
    log_event(status >= 500 ? "error" : "debug", "request",
              json_pack("{s:s,s:s,s:i,s:f}", "method", req->method, "route",
                        req->route != NULL ? req->route : "-", "status", status, "ms", ms));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    http_server *s = cls;
    conn_state *st = *con_cls;
    http_request req;
    http_response res;
    char client[INET6_ADDRSTRLEN];
    enum MHD_Result ok;

    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    req.ctx = s->ctx;
    req.method = method;
    req.path = url;
    req.is_page = http_path_is_page(url);
    {
        const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
        const char *ck = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "votesrv_lang");

        req.lang_chosen = q != NULL;
        req.lang = i18n_pick(q != NULL ? q : ck,
                             MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
    }
    if (st == NULL || !st->begun) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

        if (st == NULL && (st = calloc(1, sizeof *st)) == NULL)
            return MHD_NO;
        st->begun = 1;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        *con_cls = st;
        atomic_fetch_add(&s->ctx->in_flight, 1);
        if (request_framing_bad(c, st, version)) {
            st->too_large = 1;      /* the body, if any, is not read */
            req.is_page = 0;        /* a client or proxy at fault: JSON */
            http_error(&req, &res, 400, MSG_BAD_REQUEST);
            res.close_connection = 1;
            log_request(&req, st, 400);
            return send_response(c, s->ctx, &res);
        }
        if (cl != NULL && strtoull(cl, NULL, 10) > s->ctx->cfg->max_body_bytes) {
            st->too_large = 1;      /* refuse before reading the body */
            answer(s, c, &req, st, &res, 413, MSG_TOO_LARGE);
            log_request(&req, st, 413);
            return send_response(c, s->ctx, &res);
        }
        if (is_form(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type")))
            st->pp = MHD_create_post_processor(c, 1024, on_form_data, &st->form);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!st->too_large && st->len + *upload_size <= s->ctx->cfg->max_body_bytes) {
            char *b = realloc(st->body, st->len + *upload_size + 1);

            if (b == NULL)
                return MHD_NO;
            memcpy(b + st->len, upload, *upload_size);
            st->body = b;
            st->len += *upload_size;
            b[st->len] = '\0';
            if (st->pp != NULL && MHD_post_process(st->pp, upload, *upload_size) != MHD_YES)
                st->form.bad = 1;
        } else {
            st->too_large = 1;      /* chunked upload over the limit: discard */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    client_address(s, c, client, sizeof client);
    req.client = client;
    req.session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "votesrv_session");
    answer(s, c, &req, st, &res, st->too_large ? 413 : 0, MSG_TOO_LARGE);
    if (req.is_page && req.lang_chosen)
        http_cookie_set(&res, "votesrv_lang=%s; Path=/; Max-Age=31536000; SameSite=Lax",
                        req.lang == LANG_EN ? "en" : "fr");
    log_request(&req, st, res.status);
    ok = send_response(c, s->ctx, &res);
    return ok;
}

/* libmicrohttpd's own diagnostics (a connection it drops, a socket error).
 * Only the format is logged, never its arguments, which could quote a
 * request line and a one-time token in it. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[256];

    (void)cls;
    (void)ap;
    snprintf(line, sizeof line, "%s", fmt);
    line[strcspn(line, "\n")] = '\0';
    log_event("warn", "httpd", json_pack("{s:s}", "detail", line));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    static const char *const why[] = {
        [MHD_REQUEST_TERMINATED_COMPLETED_OK] = "completed",
        [MHD_REQUEST_TERMINATED_WITH_ERROR] = "error",
        [MHD_REQUEST_TERMINATED_TIMEOUT_REACHED] = "timeout",
        [MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN] = "shutdown",
        [MHD_REQUEST_TERMINATED_READ_ERROR] = "read_error",
        [MHD_REQUEST_TERMINATED_CLIENT_ABORT] = "client_abort",
    };
    http_server *s = cls;
    conn_state *st = *con_cls;

    (void)c;
    if (st == NULL)
        return;
    if (!st->begun) {            /* refused by libmicrohttpd before the handler */
        free(st);
        *con_cls = NULL;
        return;
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        log_event("info", "request_ended",
                  json_pack("{s:s}", "reason",
                            (unsigned)toe < sizeof why / sizeof why[0] && why[toe] != NULL
                                ? why[toe] : "other"));
    atomic_fetch_sub(&s->ctx->in_flight, 1);
    if (st->pp != NULL)
        MHD_destroy_post_processor(st->pp);
    form_free(&st->form);
    if (st->body != NULL)
        sodium_memzero(st->body, st->len);
    free(st->body);
    free(st);
    *con_cls = NULL;
}

/* One listener: address:port, libmicrohttpd's own socket, or ours (accept.c)
 * when trusted proxies send PROXY v2 headers or the proxy has a Unix socket. */
static http_server *listen_start(http_ctx *ctx, const http_route *routes, size_t nroutes,
                                 int internal, char *err, size_t errlen)
{
    http_server *s = calloc(1, sizeof *s);
    const char *address = internal ? ctx->cfg->internal_address : ctx->cfg->listen_address;
    int port = internal ? ctx->cfg->internal_port : ctx->cfg->port;
    int own_socket = !internal && (ctx->cfg->proxy_v2 || ctx->cfg->unix_path[0] != '\0');
    struct sockaddr_in addr;
    unsigned threads = internal ? 1 : ctx->cfg->threads;

    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    s->routes = routes;
    s->nroutes = nroutes;
    s->internal = internal;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "%s %s is not an IPv4 address",
                 internal ? "internal_listen.address" : "listen.address", address);
        free(s);
        return NULL;
    }
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        /* handlers wait on durable commits: enough of them for group commits */
        threads = 16 * (unsigned)(n > 0 ? n : 1);
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
        (own_socket ? MHD_USE_NO_LISTEN_SOCKET : 0),
        0, NULL, NULL,
        on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,     /* first: covers the options */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, ctx->cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, ctx->cfg->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, ctx->cfg->connection_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (s->daemon != NULL && own_socket &&
        (s->acceptor = http_acceptor_start(s->daemon, ctx->cfg, err, errlen)) == NULL) {
        MHD_stop_daemon(s->daemon);
        free(s);
        return NULL;
    }
    if (s->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s:%d", address, port);
        free(s);
        return NULL;
    }
    return s;
}

http_server *http_start(http_ctx *ctx, const http_route *routes, size_t nroutes,
                        char *err, size_t errlen)
{
    return listen_start(ctx, routes, nroutes, 0, err, errlen);
}

http_server *http_start_internal(http_ctx *ctx, const http_route *routes, size_t nroutes,
                                 char *err, size_t errlen)
{
    return listen_start(ctx, routes, nroutes, 1, err, errlen);
}

int http_port(const http_server *s)
{
    const union MHD_DaemonInfo *i;

    if (s->acceptor != NULL)
        return http_acceptor_port(s->acceptor);
    i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return i != NULL ? i->port : -1;
}

void http_stop(http_server *s, unsigned grace_s)
{
    struct timespec pause = { 0, 20 * 1000 * 1000 };

    if (s == NULL)
        return;
    if (s->acceptor != NULL)
        http_acceptor_stop(s->acceptor);     /* no new connections */
    else
        MHD_quiesce_daemon(s->daemon);
    for (unsigned i = 0; i < grace_s * 50 && atomic_load(&s->ctx->in_flight) > 0; i++)
        nanosleep(&pause, NULL);
    MHD_stop_daemon(s->daemon);
    free(s);
}

void http_answer_fd(http_response *res, int fd, uint64_t size, const char *type)
{
    res->status = 200;
    res->has_fd = 1;
    res->fd = fd;
    res->fd_size = size;
    res->content_type = type;
}
