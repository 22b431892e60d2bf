/*
 * http.h - the HTTP layer on libmicrohttpd: bounded request bodies, routing,
 * JSON responses and errors in the caller's language, request metrics.
 * Handlers get a parsed request and fill a response; they never see MHD.
 */
#ifndef VOTESRV_HTTP_H
#define VOTESRV_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <jansson.h>
#include "access/access.h"
#include "box/box.h"
#include "i18n.h"
#include "store/store.h"
#include "config.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_PARAM_CHARS 128     /* a path parameter: 1-128 of A-Z a-z 0-9 . _ - */
#define HTTP_JSON_DEPTH 32       /* a JSON body: nesting (the top object is 1), */
#define HTTP_JSON_NODES 65536    /* and values in all, keys not counted */
#define HTTP_FORM_FIELDS 16      /* fields of an HTML form; more is a bad request */
#define HTTP_COOKIES 3           /* Set-Cookie headers of one response */
#define HTTP_COOKIE_CHARS 200

/* What a route takes as a body. HTTP_BODY_BALLOT: a JSON object
 * {ballot, authenticator} read where it is parsed into req->ballot (the
 * handler gets no JSON). */
enum { HTTP_BODY_NONE = 0, HTTP_BODY_JSON = 1, HTTP_BODY_FORM = 2, HTTP_BODY_BALLOT = 3 };

typedef struct {
    char *name, *value;
    size_t len;
} http_field;

/* An application/x-www-form-urlencoded body, decoded by libmicrohttpd's
 * post processor. bad: a repeated field, too many fields, or a NUL byte. */
typedef struct {
    http_field f[HTTP_FORM_FIELDS];
    size_t n;
    int bad;
} http_form;

/* A query argument, header or cookie of a request, copied out of
 * libmicrohttpd so that a request can be handled in another process. */
enum { HTTP_KV_QUERY = 0, HTTP_KV_HEADER = 1, HTTP_KV_COOKIE = 2 };
#define HTTP_KV_MAX 128          /* more values in one request: a bad request */

typedef struct {
    int kind;                    /* HTTP_KV_* */
    const char *name, *value;
} http_kv;

/* A ballot as a route takes it (HTTP_BODY_BALLOT's "ballot", or a form
 * route's form_ballot field): read once, where the request is parsed
 * (ballot_from_json_shape), and handed on in its wire form. The writer takes
 * none of it on trust (box_cast, box.h). */
typedef struct {
    int present;                 /* HTTP_BODY_BALLOT: "ballot" is an object; a form: its
                                    field is JSON (an object or an array) */
    int field;                   /* BALLOT_FIELD_NONE, or the field found at fault */
    uint8_t election[BALLOT_FP_BYTES];   /* the fingerprint it claims; zero if not read */
    const uint8_t *wire;         /* field NONE: ballot_wire_encode's bytes; RANGE,
                                    SIGNATURE: their head (BALLOT_WIRE_HEAD) */
    size_t len;
    /* HTTP_BODY_BALLOT's other members, as api_only and api_string see them */
    const char *extra;           /* the body's first key but "ballot" and "authenticator" */
    int auth_ok;                 /* "authenticator" is 64 lowercase hex digits: in auth */
    uint8_t auth[32];
    void *owned[2];              /* what this process allocated (wire, extra) */
} http_ballot;

struct http_request;
struct http_response;
/* How the portal answers an error on one of its pages (HTML in the user's
 * language); NULL: JSON everywhere. */
typedef void (*http_page_error_fn)(struct http_request *req, struct http_response *res,
                                   int status, int msg);

typedef struct {
    store *store;
    const config *cfg;
    const server_keys *keys;
    access_ctx *access;
    box_ctx *box;
    int64_t started;
    atomic_uint_fast64_t requests[6];     /* by status class: 1xx .. 5xx, [0] unused */
    atomic_uint_fast64_t in_flight;
    atomic_uint_fast64_t store_errors;
    http_page_error_fn page_error;
    uint8_t csrf_key[32];                 /* keys the portal's CSRF tokens */
    /* Privilege separation: when set, the worker hands each request to the
     * writer process through this instead of running the route itself.
     * The request is resolved (http_resolve) before: route is an index in
     * the listener's routes (or nroutes for none); refuse is 0, or the status
     * of an error to answer instead of dispatching (with message refuse_msg);
     * req->params, req->json and req->form hold what the route takes. */
    void (*forward)(void *cls, struct http_request *req, size_t route, int refuse,
                    int refuse_msg, struct http_response *res);
    void *forward_cls;
} http_ctx;

typedef struct http_request {
    http_ctx *ctx;
    const char *method, *path;
    const char *route;                      /* the matched route's pattern, or NULL */
    const char *params[HTTP_MAX_PARAMS];   /* path segments matched by "{}" */
    json_t *json;                           /* the parsed body, for routes that take one */
    const http_form *form;                  /* the form, for routes that take one */
    http_ballot ballot;                     /* HTTP_BODY_BALLOT or a form_ballot route's */
    lang lang;
    int lang_chosen;                        /* ?lang= was given: remember it in a cookie */
    int is_page;                            /* a portal page: errors are HTML */
    const char *client;                     /* client address, for logs and throttles */
    const char *session;                    /* the session cookie's value, or NULL */
    const http_kv *kv;                      /* query arguments, headers, cookies */
    size_t nkv;
    int internal;                           /* came on the internal listener */
    char params_buf[HTTP_MAX_PARAMS * (HTTP_PARAM_CHARS + 1)];     /* params point here */
} http_request;

typedef struct http_response {
    int status;
    json_t *json;            /* a JSON body (consumed), or */
    char *text;              /* a text body (malloc'd) with its content type, or */
    int has_fd;              /* a file body: fd (the response closes it), fd_size bytes */
    int fd;
    uint64_t fd_size;
    const char *content_type;
    char allow[64];          /* Allow header for 405 */
    char set_cookie[HTTP_COOKIES][HTTP_COOKIE_CHARS];   /* Set-Cookie headers */
    char location[512];      /* Location header, for redirects (a receipt's is ~300) */
    int64_t retry_after;     /* Retry-After header, seconds, when > 0 */
    int cache_static;        /* a static file: may be cached for a day */
    int close_connection;    /* a framing error: close once answered */
    char type_buf[96];       /* content_type, when it came from another process */
} http_response;

/* A route's handler: it fills res, whatever happens (http_answer_internal
 * when memory runs out). */
typedef void (*http_handler)(http_request *req, http_response *res);

typedef struct {
    const char *method;
    const char *pattern;     /* "/api/v1/scrutins/{}/ballots" */
    http_handler handler;
    int body;                /* HTTP_BODY_* */
    /* A form route: the field that holds a ballot's JSON (NULL: none), of at
     * most form_ballot_max bytes, read where the request is (req->ballot) */
    const char *form_ballot;
    size_t form_ballot_max;
} http_route;

/* Fill res with a JSON error {"error": {"code", "message"}} in the request's language. */
void http_error(http_request *req, http_response *res, int status, msg_id m);
/* A 200 whose body is the file fd (the response closes it), size bytes of type. */
void http_answer_fd(http_response *res, int fd, uint64_t size, const char *type);
/* Memory ran out: a 500 (MSG_INTERNAL, HTML on a portal page), unless res
 * already has a status. */
void http_answer_internal(http_request *req, http_response *res);
/* A query-string parameter of the request, or NULL. */
const char *http_query(http_request *req, const char *name);
/* A request header or cookie, or NULL. */
const char *http_header(http_request *req, const char *name);
const char *http_cookie(http_request *req, const char *name);
/* A form field (NULL when absent); its length in *len when len is not NULL. */
const char *http_form_get(const http_request *req, const char *name, size_t *len);
/* Add a Set-Cookie header (printf-style); -1 when the response has no room. */
int http_cookie_set(http_response *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A 303 redirect to a path of this site. */
void http_redirect(http_response *res, const char *path);
/* The same, naming the request field at fault. */
void http_field_error(http_request *req, http_response *res, const char *field);

/* What a request means, worked out once, where its bytes are parsed: in the
 * daemon without privilege separation, in the network-facing worker with it.
 * From req's method, path and Content-Type, body/len and form: 0 with *route
 * the index of the route to run, req->route and req->params (each 1 to
 * HTTP_PARAM_CHARS of A-Z a-z 0-9 . _ -; a path whose segment is not is no
 * route's), req->json (a JSON route: an object parsed with duplicates refused,
 * at most HTTP_JSON_DEPTH deep and HTTP_JSON_NODES values; the caller's to
 * release, which http_answer does), req->ballot (HTTP_BODY_BALLOT: the body
 * parsed the same way, then read into it; no req->json) or req->form (a form
 * route: not bad) and req->ballot (its form_ballot field parsed the same way,
 * an object or an array, then read; not present when absent, longer than
 * form_ballot_max or not such JSON). Or an error status (404, 405, 415, 400;
 * 500 when memory runs out) with its message in *msg, *route the route whose
 * path matched (for 405's Allow) or nroutes. */
int http_resolve(const http_route *routes, size_t nroutes, http_request *req, const char *body,
                 size_t len, const http_form *form, size_t *route, int *msg);
/* Answer a resolved request: the error refuse (400-599, message msg; 405
 * names the methods of routes[route]'s path in Allow) or, when refuse is 0,
 * routes[route]'s handler over req->params, req->json, req->form,
 * req->ballot. Releases them (http_request_release); counts the status
 * in ctx->requests. The only way a handler is run: it takes no request
 * bytes, so nothing here parses a body. */
void http_answer(http_ctx *ctx, const http_route *routes, size_t nroutes, size_t route,
                 http_request *req, int refuse, int msg, http_response *res);
/* Release what http_resolve made: req->json and req->ballot's memory. */
void http_request_release(http_request *req);
/* http_resolve then http_answer: the daemon without privilege separation. */
void http_dispatch(http_ctx *ctx, const http_route *routes, size_t nroutes, http_request *req,
                   const char *body, size_t len, const http_form *form, http_response *res);
/* A path parameter as http_resolve accepts one (1). */
int http_param_ok(const char *s);
/* A path (or a route's pattern) is a portal page's: its errors are HTML. */
int http_path_is_page(const char *path);
/* A parsed JSON value within HTTP_JSON_DEPTH and HTTP_JSON_NODES (1). */
int http_json_fits(const json_t *j);

typedef struct http_server http_server;

/* Start listening on the public address (listen); NULL with a message in err
 * on failure. With proxy_protocol_v2, votesrv accepts the connections itself
 * and hands them to libmicrohttpd under the client's address (accept.c). */
http_server *http_start(http_ctx *ctx, const http_route *routes, size_t nroutes,
                        char *err, size_t errlen);
/* The same on the internal address (internal_listen), for /metrics and
 * /healthz: no proxy there. */
http_server *http_start_internal(http_ctx *ctx, const http_route *routes, size_t nroutes,
                                 char *err, size_t errlen);
int http_port(const http_server *s);
/* Stop accepting, let in-flight requests finish (at most grace_s), stop. */
void http_stop(http_server *s, unsigned grace_s);

/* The PROXY protocol v2 header (proxy.c): 12 bytes of signature, version and
 * command, family and transport, the 16-bit length of what follows (the
 * addresses, then TLVs). */
#define PROXY_V2_SIGNATURE 12
#define PROXY_V2_HEAD 16
#define PROXY_V2_BODY_MAX 512    /* addresses and TLVs; more is refused */
typedef struct {
    int local;                       /* LOCAL: the proxy's own connection, no client */
    struct sockaddr_storage src;     /* PROXY over TCP: the client's address and port */
    socklen_t srclen;
} proxy_v2_header;
/* buf[0..len) is the signature or begins like it. */
int proxy_v2_signature_prefix(const uint8_t *buf, size_t len);
/* From the first 16 bytes, the whole header's length, or -1 if they are not
 * a version 2 LOCAL or PROXY header of at most PROXY_V2_BODY_MAX. */
long proxy_v2_length(const uint8_t head[PROXY_V2_HEAD]);
/* A whole header of exactly len bytes: 0, or -1 if malformed (a PROXY command
 * must carry TCP over IPv4 or IPv6, its addresses and well-formed TLVs). */
MUST_CHECK
int proxy_v2_parse(const uint8_t *buf, size_t len, proxy_v2_header *h);
/* The right-most entry of an X-Forwarded-For value (the one the proxy
 * appended), an IPv4 or IPv6 address, written in its usual form (an
 * IPv4-mapped IPv6 address as IPv4): 0, or -1. */
int proxy_xff_pick(const char *value, char *out, size_t outlen);

/* Accepting connections for libmicrohttpd (accept.c): each connection from a
 * trusted proxy must start with a PROXY v2 header, read within
 * HTTP_PROXY_TIMEOUT_S, and is handed over under the client's address; one
 * from elsewhere under its own, unless it starts with a PROXY header
 * (closed). A malformed or missing header: closed. */
#define HTTP_PROXY_TIMEOUT_S 5
struct MHD_Daemon;
typedef struct http_acceptor http_acceptor;
/* Listen on address:port (IPv4), and on the proxy's Unix socket when
 * listen.unix is set (made here, with its mode and group, before any
 * sandbox; removed by http_acceptor_stop); NULL with a message in err. */
http_acceptor *http_acceptor_start(struct MHD_Daemon *d, const config *cfg, char *err,
                                   size_t errlen);
int http_acceptor_port(const http_acceptor *a);
/* The inode of the socket file at listen.unix.path, 0 if there is none; and
 * remove that file if it is still the socket with that inode (a parent
 * process does it for its sandboxed worker, which cannot). */
ino_t http_unix_inode(const config *cfg);
void http_unix_remove(const config *cfg, ino_t ino);
/* Stop accepting and wait for the connections being read. */
void http_acceptor_stop(http_acceptor *a);

#endif
