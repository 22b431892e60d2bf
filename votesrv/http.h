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
#include <jansson.h>
#include "access/access.h"
#include "box/box.h"
#include "i18n.h"
#include "store/store.h"
#include "config.h"

#define HTTP_MAX_PARAMS 4

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
} http_ctx;

typedef struct {
    http_ctx *ctx;
    const char *method, *path;
    const char *params[HTTP_MAX_PARAMS];   /* path segments matched by "{}" */
    json_t *json;                           /* the parsed body, for routes that take one */
    lang lang;
    const char *client;                     /* client address, for logs and throttles */
    const char *session;                    /* the session cookie's value, or NULL */
    void *conn;                             /* the connection, for http_query */
} http_request;

typedef struct {
    int status;
    json_t *json;            /* a JSON body (consumed), or */
    char *text;              /* a text body (malloc'd) with its content type, or */
    int has_fd;              /* a file body: fd (the response closes it), fd_size bytes */
    int fd;
    uint64_t fd_size;
    const char *content_type;
    char allow[64];          /* Allow header for 405 */
    char set_cookie[200];    /* Set-Cookie header */
    int64_t retry_after;     /* Retry-After header, seconds, when > 0 */
} http_response;

typedef int (*http_handler)(http_request *req, http_response *res);

typedef struct {
    const char *method;
    const char *pattern;     /* "/api/v1/scrutins/{}/ballots" */
    http_handler handler;
    int takes_json;
} http_route;

/* Fill res with a JSON error {"error": {"code", "message"}} in the request's language. */
void http_error(http_request *req, http_response *res, int status, msg_id m);
/* A query-string parameter of the request, or NULL. */
const char *http_query(http_request *req, const char *name);
/* The same, naming the request field at fault. */
void http_field_error(http_request *req, http_response *res, const char *field);

typedef struct http_server http_server;

/* Start listening; NULL with a message in err on failure. */
http_server *http_start(http_ctx *ctx, const http_route *routes, size_t nroutes,
                        char *err, size_t errlen);
int http_port(const http_server *s);
/* Stop accepting, let in-flight requests finish (at most grace_s), stop. */
void http_stop(http_server *s, unsigned grace_s);

#endif
