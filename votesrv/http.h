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
#define HTTP_FORM_FIELDS 16      /* fields of an HTML form; more is a bad request */
#define HTTP_COOKIES 3           /* Set-Cookie headers of one response */
#define HTTP_COOKIE_CHARS 200

/* What a route takes as a body. */
enum { HTTP_BODY_NONE = 0, HTTP_BODY_JSON = 1, HTTP_BODY_FORM = 2 };

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
} http_ctx;

typedef struct http_request {
    http_ctx *ctx;
    const char *method, *path;
    const char *route;                      /* the matched route's pattern, or NULL */
    const char *params[HTTP_MAX_PARAMS];   /* path segments matched by "{}" */
    json_t *json;                           /* the parsed body, for routes that take one */
    const http_form *form;                  /* the form, for routes that take one */
    lang lang;
    int lang_chosen;                        /* ?lang= was given: remember it in a cookie */
    int is_page;                            /* a portal page: errors are HTML */
    const char *client;                     /* client address, for logs and throttles */
    const char *session;                    /* the session cookie's value, or NULL */
    void *conn;                             /* the connection, for http_query */
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
    char location[256];      /* Location header, for redirects */
    int64_t retry_after;     /* Retry-After header, seconds, when > 0 */
    int cache_static;        /* a static file: may be cached for a day */
} http_response;

typedef int (*http_handler)(http_request *req, http_response *res);

typedef struct {
    const char *method;
    const char *pattern;     /* "/api/v1/scrutins/{}/ballots" */
    http_handler handler;
    int body;                /* HTTP_BODY_* */
} http_route;

/* Fill res with a JSON error {"error": {"code", "message"}} in the request's language. */
void http_error(http_request *req, http_response *res, int status, msg_id m);
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

typedef struct http_server http_server;

/* Start listening; NULL with a message in err on failure. */
http_server *http_start(http_ctx *ctx, const http_route *routes, size_t nroutes,
                        char *err, size_t errlen);
int http_port(const http_server *s);
/* Stop accepting, let in-flight requests finish (at most grace_s), stop. */
void http_stop(http_server *s, unsigned grace_s);

#endif
