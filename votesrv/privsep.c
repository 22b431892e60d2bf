/* privsep.c - privilege separation: the network-facing worker process, which
 * speaks HTTP in a sandbox, and the writer's side of the channels on which it
 * hands every request to the process that holds the stores.
 *
 * A channel is a Unix stream socket carrying frames (frame.c: a header, u32
 * kind and u32 payload length, then the payload; strings and byte strings
 * with a u32 length). The worker sends PRIVSEP_REQUEST and gets one
 * PRIVSEP_RESPONSE back, with a file descriptor (SCM_RIGHTS) for file bodies;
 * the control channel carries PRIVSEP_READY (the bound port) once.
 *
 * A request is typed: the worker has resolved it (http_resolve: route, path
 * parameters, JSON parsed, form decoded, a ballot read) and sends the route's
 * index, its parameters and the JSON body as a tree of typed values, or a
 * ballot in its wire form (the cast route, the vote form); neither the path
 * nor the body's bytes travel. The writer reads it with the fixed-framing
 * reader below, which yields integers, NUL-free strings and byte strings of
 * checked lengths only, rebuilds the JSON value with jansson's constructors,
 * and runs the route (http_answer, which takes no bytes): no text from the
 * network is parsed in the writer, and a ballot's wire form is checked
 * against the writer's own scrutin (box_cast). */
#define _GNU_SOURCE
#include "server.h"
#include "endpoints.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#define RESPONSE_MAX ((size_t)256 << 20)
#define REQUEST_EXTRA ((size_t)64 << 10)    /* besides the body and the form: headers */
/* A JSON tree of n values takes at most n * 17 bytes besides its text's own
 * strings and keys (a tag, a count or a number, a key's length and NUL). */
#define TREE_EXTRA ((size_t)HTTP_JSON_NODES * 32)
#define REQUEST_MAX(cfg) (2 * (cfg)->max_body_bytes + REQUEST_EXTRA + TREE_EXTRA)
#define STOP_GRACE_S 10
/* what the writer waits at its stop for the worker: its grace, and a margin */
#define STOP_WAIT_MS ((STOP_GRACE_S + 5) * 1000u)
#define READY_WAIT_MS 30000u     /* units mode: the worker's READY, once connected */

/* ---- the writer's side ---- */

/* The daemon's routes of each listener: the writer routes with them, and a
 * response names its route by index in them, for the worker's log. */
static const http_route *table(int internal, size_t *n)
{
    *n = internal ? votesrv_internal_nroutes : votesrv_nroutes;
    return internal ? votesrv_internal_routes : votesrv_routes;
}

static void refused(const char *why)
{
    log_event("error", "privsep_refused", json_pack("{s:s}", "reason", why));
}

/* ---- JSON trees (protocol §18.2) ---- */

enum { TREE_OBJECT = 1, TREE_ARRAY = 2, TREE_STRING = 3, TREE_INTEGER = 4, TREE_REAL = 5,
       TREE_TRUE = 6, TREE_FALSE = 7, TREE_NULL = 8 };

/* Write j; -1 (b left unfinished) past HTTP_JSON_DEPTH or HTTP_JSON_NODES, or
 * for a string or key holding a NUL. */
static int tree_put(frame_out *b, const json_t *j, int depth, size_t *nodes)
{
    const char *k;
    json_t *v;
    size_t i;

    if (depth > HTTP_JSON_DEPTH || ++*nodes > HTTP_JSON_NODES)
        return -1;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        frame_put_u32(b, TREE_OBJECT);
        frame_put_u32(b, (uint32_t)json_object_size(j));
        json_object_foreach((json_t *)j, k, v) {
            frame_put_str(b, k);
            if (tree_put(b, v, depth + 1, nodes) != 0)
                return -1;
        }
        return 0;
    case JSON_ARRAY:
        frame_put_u32(b, TREE_ARRAY);
        frame_put_u32(b, (uint32_t)json_array_size(j));
        json_array_foreach(j, i, v)
            if (tree_put(b, v, depth + 1, nodes) != 0)
                return -1;
        return 0;
    case JSON_STRING:
        if (memchr(json_string_value(j), '\0', json_string_length(j)) != NULL)
            return -1;
        frame_put_u32(b, TREE_STRING);
        frame_put_bytes(b, json_string_value(j), json_string_length(j) + 1);
        return 0;
    case JSON_INTEGER:
        frame_put_u32(b, TREE_INTEGER);
        frame_put_u64(b, (uint64_t)(int64_t)json_integer_value(j));
        return 0;
    case JSON_REAL: {
        double d = json_real_value(j);
        uint64_t bits;

        memcpy(&bits, &d, sizeof bits);
        frame_put_u32(b, TREE_REAL);
        frame_put_u64(b, bits);
        return 0;
    }
    case JSON_TRUE:
        frame_put_u32(b, TREE_TRUE);
        return 0;
    case JSON_FALSE:
        frame_put_u32(b, TREE_FALSE);
        return 0;
    default:
        frame_put_u32(b, TREE_NULL);
        return 0;
    }
}

/* Build the value at r with jansson's constructors; NULL (r bad) for an
 * unknown tag, past HTTP_JSON_DEPTH or HTTP_JSON_NODES, a repeated key, a
 * string or key that is not UTF-8 or holds a NUL, a real that is not finite. */
static json_t *tree_get(frame_in *r, int depth, size_t *nodes)
{
    json_t *j = NULL, *v;
    const char *k;
    uint32_t tag, n;
    uint64_t u;
    double d;

    if (depth > HTTP_JSON_DEPTH || ++*nodes > HTTP_JSON_NODES) {
        r->bad = 1;
        return NULL;
    }
    tag = frame_get_u32(r);
    if (r->bad)
        return NULL;
    switch (tag) {
    case TREE_OBJECT:
        n = frame_get_u32(r);
        j = json_object();
        for (uint32_t i = 0; j != NULL && i < n && !r->bad; i++) {
            k = frame_get_str(r);
            if (k == NULL || json_object_get(j, k) != NULL)
                break;
            v = tree_get(r, depth + 1, nodes);
            if (v == NULL || json_object_set_new(j, k, v) != 0)
                break;
            if (i + 1 == n)
                return j;
        }
        if (j != NULL && n == 0 && !r->bad)
            return j;
        break;
    case TREE_ARRAY:
        n = frame_get_u32(r);
        j = json_array();
        for (uint32_t i = 0; j != NULL && i < n && !r->bad; i++) {
            v = tree_get(r, depth + 1, nodes);
            if (v == NULL || json_array_append_new(j, v) != 0)
                break;
            if (i + 1 == n)
                return j;
        }
        if (j != NULL && n == 0 && !r->bad)
            return j;
        break;
    case TREE_STRING:
        k = frame_get_str(r);
        if (k != NULL && (j = json_string(k)) != NULL)   /* it checks UTF-8 */
            return j;
        break;
    case TREE_INTEGER:
        u = frame_get_u64(r);
        if (!r->bad)
            return json_integer((json_int_t)(int64_t)u);
        break;
    case TREE_REAL:
        u = frame_get_u64(r);
        memcpy(&d, &u, sizeof d);
        if (!r->bad && isfinite(d))
            return json_real(d);
        break;
    case TREE_TRUE:
        return json_true();
    case TREE_FALSE:
        return json_false();
    case TREE_NULL:
        return json_null();
    default:
        break;
    }
    json_decref(j);
    r->bad = 1;
    return NULL;
}

int privsep_tree_encode(const json_t *j, char **out, size_t *len)
{
    frame_out b = { 0 };
    size_t nodes = 0;

    if (tree_put(&b, j, 1, &nodes) != 0 || b.oom) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

json_t *privsep_tree_decode(const void *p, size_t len)
{
    frame_in r = { .p = (char *)p, .len = len };
    size_t nodes = 0;
    json_t *j = tree_get(&r, 1, &nodes);

    if (j != NULL && (r.bad || r.off != r.len)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---- requests (protocol §18.1) ---- */

/* A decoded request: what privsep_serve answers. */
typedef struct {
    http_request req;
    http_kv kv[HTTP_KV_MAX];
    http_form form;
    size_t route, nroutes;       /* nroutes: none */
    int refuse, msg;
    char path[1024];             /* the route's pattern, its parameters in place */
} typed_request;

static size_t pattern_params(const char *pattern)
{
    size_t n = 0;

    for (const char *p = pattern; (p = strstr(p, "{}")) != NULL; p += 2)
        n++;
    return n;
}

/* The path a route's pattern and parameters stand for (built, not parsed). */
static int path_build(char *out, size_t size, const char *pattern, const char *const *params)
{
    size_t used = 0, np = 0;

    for (const char *p = pattern; *p != '\0';) {
        const char *piece = p;
        size_t n = 1;

        if (p[0] == '{' && p[1] == '}') {
            piece = params[np++];
            n = strlen(piece);
            p += 2;
        } else {
            p++;
        }
        if (used + n >= size)
            return -1;
        memcpy(out + used, piece, n);
        used += n;
    }
    out[used] = '\0';
    return 0;
}

static void typed_free(typed_request *t)
{
    json_decref(t->req.json);
    t->req.json = NULL;
}

/* ---- a ballot in wire form (protocol §18.1) ---- */

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* u32 present; if 1: u32 field, bytes(32) election, bytes(wire): the wire
 * empty unless field is 0, then ballot_wire_framed and of the scrutin id (the
 * route's parameter), or range or signature, then empty or the head of what
 * was read (head_framed, of the scrutin id); the election zero while the field is one read before
 * it (ballot, version, election). */
static void ballot_put(frame_out *b, const http_ballot *hb)
{
    frame_put_u32(b, (uint32_t)(hb->present != 0));
    if (!hb->present)
        return;
    frame_put_u32(b, (uint32_t)hb->field);
    frame_put_bytes(b, hb->election, sizeof hb->election);
    if (hb->wire != NULL)
        frame_put_bytes(b, hb->wire, hb->len);
    else
        frame_put_u32(b, 0);            /* no wire: an empty byte string */
}

/* A fault at range or signature's head of a wire form (ballot_from_json_shape):
 * version 1, an id, 1 <= k <= BALLOT_MAX_LISTS, min and max as a wire form
 * has them (at range both 0), nothing after. */
static int head_framed(const uint8_t *in, size_t len, uint32_t field)
{
    size_t n = 2 + (size_t)in[1];

    if (in[0] != BALLOT_WIRE_VERSION || in[1] < 1 || in[1] > BALLOT_SCRUTIN_ID_MAX ||
        len != n + 3 || in[n] < 1 || in[n] > BALLOT_MAX_LISTS)
        return 0;
    if (field == BALLOT_FIELD_RANGE)
        return in[n + 1] == 0 && in[n + 2] == 0;
    return in[n + 2] <= in[n] && proof_disj_branches(in[n + 1], in[n + 2]) >= 0;
}

static int ballot_get(frame_in *r, http_ballot *hb, const char *id)
{
    uint32_t present = frame_get_u32(r), field;
    size_t n = 0;
    const char *p;

    if (r->bad || present > 1)
        return -1;
    if ((hb->present = (int)present) == 0)
        return 0;
    field = frame_get_u32(r);
    p = frame_get_bytes(r, &n);
    if (r->bad || field >= BALLOT_FIELD_COUNT || n != sizeof hb->election)
        return -1;
    memcpy(hb->election, p, n);
    if (field != BALLOT_FIELD_NONE && field <= BALLOT_FIELD_ELECTION &&
        !all_zero(hb->election, sizeof hb->election))
        return -1;
    hb->field = (int)field;
    hb->wire = (const uint8_t *)frame_get_bytes(r, &hb->len);
    if (r->bad)
        return -1;
    if (hb->len == 0 && field != BALLOT_FIELD_NONE) {
        hb->wire = NULL;                /* as the worker had it: put writes it again */
        return 0;
    }
    if (field != BALLOT_FIELD_NONE && field != BALLOT_FIELD_RANGE &&
        field != BALLOT_FIELD_SIGNATURE)
        return -1;
    if (id == NULL || hb->len < 2 || hb->wire[1] != strlen(id) ||
        (field == BALLOT_FIELD_NONE ? !ballot_wire_framed(hb->wire, hb->len)
                                    : !head_framed(hb->wire, hb->len, field)) ||
        memcmp(hb->wire + 2, id, hb->wire[1]) != 0)
        return -1;
    return 0;
}

/* HTTP_BODY_BALLOT: str extra, u32 auth_ok, bytes(32) authenticator (zero
 * unless auth_ok), then the ballot. extra: a key the worker's jansson took
 * (valid UTF-8), neither of the two the route knows. */
static void ballot_body_put(frame_out *b, const http_ballot *hb)
{
    frame_put_str(b, hb->extra);
    frame_put_u32(b, (uint32_t)(hb->auth_ok != 0));
    frame_put_bytes(b, hb->auth, sizeof hb->auth);
    ballot_put(b, hb);
}

static int ballot_body_get(frame_in *r, http_ballot *hb, const char *id)
{
    uint32_t auth_ok;
    size_t n = 0;
    const char *p;
    json_t *key;

    hb->extra = frame_get_str(r);
    auth_ok = frame_get_u32(r);
    p = frame_get_bytes(r, &n);
    if (r->bad || auth_ok > 1 || n != sizeof hb->auth)
        return -1;
    memcpy(hb->auth, p, n);
    if (!auth_ok && !all_zero(hb->auth, sizeof hb->auth))
        return -1;
    hb->auth_ok = (int)auth_ok;
    if (hb->extra != NULL) {
        if (strcmp(hb->extra, "ballot") == 0 || strcmp(hb->extra, "authenticator") == 0 ||
            (key = json_string(hb->extra)) == NULL)
            return -1;
        json_decref(key);
    }
    return ballot_get(r, hb, id);
}

/* What the worker can send as the client: an address in the text form
 * inet_ntop writes, or "unknown" / "unix" when it has none. Anything else
 * (it would become an audit entry's actor, a throttle's key) is refused. */
static int client_ok(const char *c)
{
    unsigned char a[sizeof(struct in6_addr)];

    if (strcmp(c, "unknown") == 0 || strcmp(c, "unix") == 0)
        return 1;
    if (strlen(c) >= INET6_ADDRSTRLEN)
        return 0;
    return inet_pton(AF_INET, c, a) == 1 || inet_pton(AF_INET6, c, a) == 1;
}

/* Decode a request into t; 0, or -1 (t released) when it is malformed: a
 * value out of its range, a route index past the listener's table, a route
 * whose method or body kind is not what was sent, or whose page kind is not
 * what was said, parameters not the route's count or not valid, a JSON tree
 * that tree_get refuses or that is not an object, a ballot (HTTP_BODY_BALLOT,
 * a form's form_ballot field) not as ballot_get reads it, a repeated form
 * field or the ballot's field as text, bytes past the end. */
static int request_decode(frame_in *r, typed_request *t)
{
    http_request *req = &t->req;
    const http_route *routes;
    uint32_t lg, route, nparams, nkv, kind, nform;

    req->internal = (int)frame_get_u32(r);
    t->refuse = (int)frame_get_u32(r);
    t->msg = (int)frame_get_u32(r);
    route = frame_get_u32(r);
    lg = frame_get_u32(r);
    req->lang_chosen = (int)frame_get_u32(r);
    req->is_page = (int)frame_get_u32(r);
    req->method = frame_get_str(r);
    req->client = frame_get_str(r);
    if (r->bad || req->method == NULL || req->client == NULL || !client_ok(req->client) ||
        req->internal < 0 ||
        req->internal > 1 || (t->refuse != 0 && (t->refuse < 400 || t->refuse > 599)) ||
        t->msg < 0 || t->msg >= MSG_COUNT || lg > LANG_EN || req->lang_chosen < 0 ||
        req->lang_chosen > 1 || req->is_page < 0 || req->is_page > 1)
        return -1;
    req->lang = lg == LANG_EN ? LANG_EN : LANG_FR;
    routes = table(req->internal, &t->nroutes);
    if (route > t->nroutes)
        return -1;
    t->route = route == 0 ? t->nroutes : route - 1;
    nparams = frame_get_u32(r);
    if (r->bad || nparams != (route == 0 ? 0 : pattern_params(routes[t->route].pattern)))
        return -1;
    for (uint32_t i = 0; i < nparams; i++)
        if ((req->params[i] = frame_get_str(r)) == NULL || !http_param_ok(req->params[i]))
            return -1;
    nkv = frame_get_u32(r);
    if (r->bad || nkv > HTTP_KV_MAX)
        return -1;
    for (uint32_t i = 0; i < nkv; i++) {
        t->kv[i].kind = (int)frame_get_u32(r);
        t->kv[i].name = frame_get_str(r);
        t->kv[i].value = frame_get_str(r);
        if (r->bad || t->kv[i].name == NULL || t->kv[i].kind < HTTP_KV_QUERY ||
            t->kv[i].kind > HTTP_KV_COOKIE)
            return -1;
    }
    req->kv = t->kv;
    req->nkv = nkv;
    kind = frame_get_u32(r);
    if (r->bad || (t->refuse != 0 && kind != HTTP_BODY_NONE))
        return -1;
    if (t->refuse == 0 && (route == 0 || kind != (uint32_t)routes[t->route].body ||
                           strcmp(req->method, routes[t->route].method) != 0))
        return -1;
    if (kind == HTTP_BODY_FORM) {
        const char *fj = routes[t->route].form_ballot;

        nform = frame_get_u32(r);
        if (r->bad || nform > HTTP_FORM_FIELDS)
            return -1;
        for (uint32_t i = 0; i < nform; i++) {
            t->form.f[i].name = frame_get_str(r);
            t->form.f[i].value = frame_get_str(r);
            if (r->bad || t->form.f[i].name == NULL || t->form.f[i].value == NULL ||
                (fj != NULL && strcmp(t->form.f[i].name, fj) == 0))
                return -1;              /* the ballot comes read, never as text */
            t->form.f[i].len = strlen(t->form.f[i].value);
            for (uint32_t j = 0; j < i; j++)
                if (strcmp(t->form.f[j].name, t->form.f[i].name) == 0)
                    return -1;          /* the worker refuses a repeated field */
        }
        t->form.n = nform;
        req->form = &t->form;
        if (fj != NULL && ballot_get(r, &req->ballot, req->params[0]) != 0)
            return -1;
    } else if (kind == HTTP_BODY_BALLOT) {
        if (ballot_body_get(r, &req->ballot, req->params[0]) != 0)
            return -1;
    } else if (kind == HTTP_BODY_JSON) {
        size_t nodes = 0;

        req->json = tree_get(r, 1, &nodes);
        if (!json_is_object(req->json)) {
            typed_free(t);
            return -1;
        }
    }
    if (r->bad || r->off != r->len) {
        typed_free(t);
        return -1;
    }
    /* what the worker derives from the path: the route's own */
    if (route != 0) {
        req->route = routes[t->route].pattern;
        if (req->is_page != http_path_is_page(req->route) ||
            path_build(t->path, sizeof t->path, req->route, req->params) != 0) {
            typed_free(t);
            return -1;
        }
    }
    req->path = t->path;
    req->session = http_cookie(req, "votesrv_session");
    return 0;
}

/* The request payload of a resolved request (the worker's side). */
static void request_encode(frame_out *b, const http_request *req, const http_route *routes,
                           size_t nroutes, size_t route, int refuse, int msg)
{
    int kind = refuse == 0 && route < nroutes ? routes[route].body : HTTP_BODY_NONE;
    size_t nparams = route < nroutes ? pattern_params(routes[route].pattern) : 0;
    size_t nodes = 0;

    frame_put_u32(b, (uint32_t)(req->internal != 0));
    frame_put_u32(b, (uint32_t)refuse);
    frame_put_u32(b, (uint32_t)msg);
    frame_put_u32(b, route < nroutes ? (uint32_t)(route + 1) : 0);
    frame_put_u32(b, (uint32_t)req->lang);
    frame_put_u32(b, (uint32_t)(req->lang_chosen != 0));
    frame_put_u32(b, (uint32_t)(req->is_page != 0));
    frame_put_str(b, req->method);
    frame_put_str(b, req->client != NULL ? req->client : "unknown");
    frame_put_u32(b, (uint32_t)nparams);
    for (size_t i = 0; i < nparams; i++)
        frame_put_str(b, req->params[i]);
    frame_put_u32(b, (uint32_t)req->nkv);
    for (size_t i = 0; i < req->nkv; i++) {
        frame_put_u32(b, (uint32_t)req->kv[i].kind);
        frame_put_str(b, req->kv[i].name);
        frame_put_str(b, req->kv[i].value);
    }
    frame_put_u32(b, (uint32_t)kind);
    if (kind == HTTP_BODY_FORM) {
        const char *fj = routes[route].form_ballot;
        size_t n = 0;

        for (size_t i = 0; i < req->form->n; i++)
            n += fj == NULL || strcmp(req->form->f[i].name, fj) != 0;
        frame_put_u32(b, (uint32_t)n);
        for (size_t i = 0; i < req->form->n; i++) {
            if (fj != NULL && strcmp(req->form->f[i].name, fj) == 0)
                continue;               /* it goes read, below */
            frame_put_str(b, req->form->f[i].name);
            frame_put_str(b, req->form->f[i].value);
        }
        if (fj != NULL)
            ballot_put(b, &req->ballot);
    } else if (kind == HTTP_BODY_BALLOT) {
        ballot_body_put(b, &req->ballot);
    } else if (kind == HTTP_BODY_JSON && tree_put(b, req->json, 1, &nodes) != 0) {
        b->oom = 1;             /* http_resolve bounds it: cannot happen */
    }
}

int privsep_request_check(int internal, const void *payload, size_t len)
{
    typed_request t;
    frame_in r = { .p = (char *)payload, .len = len };
    frame_out b = { 0 };
    const http_route *routes;
    int rc;

    memset(&t, 0, sizeof t);
    if (request_decode(&r, &t) != 0)
        return -1;
    rc = internal < 0 || t.req.internal == internal ? 0 : -1;
    /* what was accepted is written again exactly as it came */
    routes = table(t.req.internal, &t.nroutes);
    request_encode(&b, &t.req, routes, t.nroutes, t.route, t.refuse, t.msg);
    if (b.oom || b.len != len || memcmp(b.p, payload, len) != 0)
        rc = -2;
    free(b.p);
    typed_free(&t);
    return rc;
}

static int response_send(int sock, const http_request *req, http_response *res)
{
    size_t n, route = 0;
    const http_route *routes = table(req->internal, &n);
    frame_out b = { 0 };
    char *body = NULL;
    const char *type = res->content_type;
    int rc;

    if (res->has_fd) {
        /* the file goes as a descriptor, with its own content type */
    } else if (res->json != NULL) {
        body = json_dumps(res->json, JSON_COMPACT);
        type = "application/json; charset=utf-8";
    } else {
        body = res->text;
        res->text = NULL;
    }
    for (size_t i = 0; req->route != NULL && i < n; i++)
        if (routes[i].pattern == req->route)
            route = i + 1;
    frame_put_u32(&b, (uint32_t)res->status);
    frame_put_u32(&b, (uint32_t)route);
    frame_put_u32(&b, (uint32_t)(res->close_connection != 0));
    frame_put_u32(&b, (uint32_t)(res->cache_static != 0));
    frame_put_u32(&b, (uint32_t)(res->has_fd != 0));
    frame_put_u64(&b, res->fd_size);
    frame_put_str(&b, type);
    frame_put_str(&b, res->allow);
    frame_put_str(&b, res->location);
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        frame_put_str(&b, res->set_cookie[i]);
    frame_put_u64(&b, (uint64_t)res->retry_after);
    frame_put_str(&b, body);
    rc = frame_send(sock, PRIVSEP_RESPONSE, &b, res->has_fd ? res->fd : -1);
    free(body);
    free(b.p);
    return rc;
}

static void response_free(http_response *res)
{
    json_decref(res->json);
    free(res->text);
    if (res->has_fd)
        close(res->fd);
    memset(res, 0, sizeof *res);
}

int privsep_serve(http_ctx *ctx, int sock)
{
    size_t max = REQUEST_MAX(ctx->cfg);

    for (;;) {
        typed_request t;
        http_response res;
        int got, rc;
        uint32_t kind = 0;
        frame_in r;

        got = frame_recv(sock, max, &kind, &r, NULL);
        if (got <= 0) {
            if (got < 0)
                refused("frame");       /* too large or cut: the stream cannot go on */
            free(r.mem);
            shutdown(sock, SHUT_RDWR);  /* the worker sees it: no request left waiting */
            return got;
        }
        memset(&t, 0, sizeof t);
        memset(&res, 0, sizeof res);
        atomic_fetch_add(&ctx->in_flight, 1);
        if (kind != PRIVSEP_REQUEST || request_decode(&r, &t) != 0) {
            refused(kind != PRIVSEP_REQUEST ? "kind" : "request");
            memset(&t, 0, sizeof t);
            t.req.path = "";
            http_answer(ctx, votesrv_routes, 0, 0, &t.req, 400, MSG_FIELD, &res);
        } else {
            const http_route *routes = table(t.req.internal, &t.nroutes);

            http_answer(ctx, routes, t.nroutes, t.route, &t.req, t.refuse, t.msg, &res);
        }
        rc = response_send(sock, &t.req, &res);
        atomic_fetch_sub(&ctx->in_flight, 1);
        response_free(&res);
        sodium_memzero(r.mem, FRAME_HEAD_BYTES + r.len);     /* passwords pass through here */
        free(r.mem);
        if (rc != 0) {
            shutdown(sock, SHUT_RDWR);
            return -1;
        }
    }
}

static void *writer_thread(void *arg)
{
    privsep *ps = arg;
    size_t i;

    pthread_mutex_lock(&ps->lock);
    i = ps->started++;
    pthread_mutex_unlock(&ps->lock);
    privsep_serve(ps->ctx, ps->fds[i]);
    return NULL;
}

/* ---- the worker ---- */

typedef struct {
    const config *cfg;
    int *fds;
    unsigned char *busy;         /* taken, or dead */
    size_t n, alive;
    pthread_mutex_t lock;
    pthread_cond_t free;
} chan_pool;

/* A free channel. The last free one is kept for the internal listener
 * (/healthz, /metrics): however many public requests wait on the writer
 * (logins queued for Argon2id), a health check never waits behind them. */
static size_t chan_take(chan_pool *p, int internal)
{
    size_t i, nfree;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (i = 0, nfree = 0; i < p->n; i++)
            nfree += !p->busy[i];
        if (nfree > (internal || p->alive < 2 ? 0u : 1u))
            break;
        pthread_cond_wait(&p->free, &p->lock);
    }
    for (i = 0; p->busy[i]; i++)
        ;
    p->busy[i] = 1;
    pthread_mutex_unlock(&p->lock);
    return i;
}

static void chan_give(chan_pool *p, size_t i)
{
    pthread_mutex_lock(&p->lock);
    p->busy[i] = 0;
    pthread_cond_broadcast(&p->free);  /* a public waiter may not take the last */
    pthread_mutex_unlock(&p->lock);
}

static int response_decode(frame_in *r, int fd, http_request *req, http_response *res)
{
    const char *type, *allow, *location, *cookie[HTTP_COOKIES], *body;
    size_t n;
    const http_route *routes = table(req->internal, &n);
    uint32_t route;

    res->status = (int)frame_get_u32(r);
    route = frame_get_u32(r);
    res->close_connection = (int)frame_get_u32(r);
    res->cache_static = (int)frame_get_u32(r);
    res->has_fd = (int)frame_get_u32(r);
    res->fd_size = frame_get_u64(r);
    type = frame_get_str(r);
    allow = frame_get_str(r);
    location = frame_get_str(r);
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        cookie[i] = frame_get_str(r);
    res->retry_after = (int64_t)frame_get_u64(r);
    body = frame_get_str(r);
    if (r->bad || r->off != r->len || (res->has_fd && fd < 0) || route > n)
        return -1;
    req->route = route > 0 ? routes[route - 1].pattern : NULL;
    if (res->has_fd)
        res->fd = fd;
    else if (fd >= 0)
        close(fd);
    if (type != NULL) {
        snprintf(res->type_buf, sizeof res->type_buf, "%s", type);
        res->content_type = res->type_buf;
    }
    snprintf(res->allow, sizeof res->allow, "%s", allow ? allow : "");
    snprintf(res->location, sizeof res->location, "%s", location ? location : "");
    for (size_t i = 0; i < HTTP_COOKIES; i++)
        snprintf(res->set_cookie[i], HTTP_COOKIE_CHARS, "%s", cookie[i] ? cookie[i] : "");
    if (body != NULL && (res->text = strdup(body)) == NULL)
        return -1;
    return 0;
}

/* http_ctx.forward in the worker: one exchange on a free channel. */
static void worker_forward(void *cls, http_request *req, size_t route, int refuse, int msg,
                           http_response *res)
{
    chan_pool *p = cls;
    size_t i, n;
    const http_route *routes = table(req->internal, &n);
    frame_out b = { 0 };
    frame_in r = { 0 };
    uint32_t kind = 0;
    int fd = -1, ok = 0;

    request_encode(&b, req, routes, n, route, refuse, msg);
    if (b.oom || b.len > REQUEST_MAX(p->cfg)) {    /* the channels are fine */
        free(b.p);
        http_error(req, res, 503, MSG_INTERNAL);
        return;
    }
    i = chan_take(p, req->internal);
    if (frame_send(p->fds[i], PRIVSEP_REQUEST, &b, -1) == 0 &&
        frame_recv(p->fds[i], RESPONSE_MAX, &kind, &r, &fd) == 1 && kind == PRIVSEP_RESPONSE)
        ok = response_decode(&r, fd, req, res) == 0;
    else if (fd >= 0)
        close(fd);
    if (b.p != NULL)
        sodium_memzero(b.p, b.len);
    free(b.p);
    free(r.mem);
    if (ok) {
        chan_give(p, i);
        return;
    }
    /* its writer thread has gone: this channel stays taken; none left, the
     * writer is gone and so is the worker */
    log_event("error", "privsep_channel", NULL);
    pthread_mutex_lock(&p->lock);
    if (--p->alive == 0)
        _exit(1);
    pthread_mutex_unlock(&p->lock);
    free(res->text);
    memset(res, 0, sizeof *res);
    http_error(req, res, 503, MSG_INTERNAL);
}

static volatile sig_atomic_t worker_stop;

static void on_stop(int sig)
{
    worker_stop = sig;
}

/* Until SIGTERM or SIGINT, or the end of the control channel: the writer,
 * once it has changed user, may not signal a worker of another user, and
 * closes the channel instead. */
static void stop_wait(int ctl)
{
    struct pollfd p = { .fd = ctl, .events = POLLIN };
    sigset_t open;

    pthread_sigmask(SIG_SETMASK, NULL, &open);
    sigdelset(&open, SIGTERM);
    sigdelset(&open, SIGINT);
    while (!worker_stop && ppoll(&p, 1, NULL, &open) < 0 && errno == EINTR)
        ;
}

static void worker_main(const config *cfg, int ctl, int *fds, size_t n, pid_t parent)
{
    static chan_pool pool;
    static http_ctx ctx;
    http_server *http, *internal;
    struct sigaction sa = { .sa_handler = on_stop };
    char err[CONFIG_ERR_CHARS];
    int *keep = malloc((n + 1) * sizeof *keep);
    frame_out b = { 0 };

    /* ps and /proc show it apart from the writer; its threads inherit the name
     * (parent 0: units mode, its own unit, no parent of ours to follow) */
    if ((parent > 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)) ||
        keep == NULL || prctl(PR_SET_NAME, PRIVSEP_WORKER_NAME) != 0)
        _exit(1);
    keep[0] = ctl;
    memcpy(keep + 1, fds, n * sizeof *fds);
    sandbox_close_fds(keep, n + 1);
    free(keep);
    pool.cfg = cfg;
    pool.fds = fds;
    pool.n = pool.alive = n;
    pool.busy = calloc(n, 1);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.free, NULL);
    ctx.cfg = cfg;
    ctx.started = (int64_t)time(NULL);
    ctx.forward = worker_forward;
    ctx.forward_cls = &pool;
    sigemptyset(&sa.sa_mask);
    if (pool.busy == NULL || sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0)
        _exit(1);
    http = http_start(&ctx, votesrv_routes, votesrv_nroutes, err, sizeof err);
    internal = http == NULL ? NULL
                            : http_start_internal(&ctx, votesrv_internal_routes,
                                                  votesrv_internal_nroutes, err, sizeof err);
    if (internal == NULL) {
        log_event("error", "listen", json_pack("{s:s}", "error", err));
        _exit(1);
    }
    if (sandbox_enter_worker(cfg, err, sizeof err) != 0) {
        log_event("error", "sandbox", json_pack("{s:s}", "error", err));
        _exit(1);
    }
    frame_put_u32(&b, (uint32_t)http_port(http));
    frame_put_u32(&b, (uint32_t)http_port(internal));
    if (frame_send(ctl, PRIVSEP_READY, &b, -1) != 0)
        _exit(1);
    free(b.p);
    stop_wait(ctl);
    http_stop(http, STOP_GRACE_S);
    http_stop(internal, 0);
    _exit(0);           /* no exit handlers: the sanitizers' leak check cannot run here */
}

/* ---- the parent ---- */

int privsep_fork(privsep *ps, const config *cfg, char *err, size_t errlen)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cfg->threads != 0 ? cfg->threads : 16 * (size_t)(cores > 0 ? cores : 1);
    int sv[2], *worker_fds;
    pid_t parent = getpid();

    memset(ps, 0, sizeof *ps);
    ps->ctl = -1;
    pthread_mutex_init(&ps->lock, NULL);
    ps->fds = calloc(n, sizeof *ps->fds);
    worker_fds = calloc(n, sizeof *worker_fds);
    if (ps->fds == NULL || worker_fds == NULL) {
        free(worker_fds);
        snprintf(err, errlen, "privsep: out of memory");
        return -1;
    }
    for (size_t i = 0; i <= n; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            snprintf(err, errlen, "privsep: socketpair: %s", strerror(errno));
            return -1;
        }
        if (i == n) {
            ps->ctl = sv[0];
            ps->worker_ctl = sv[1];
        } else {
            ps->fds[i] = sv[0];
            worker_fds[i] = sv[1];
        }
        ps->n = i < n ? i + 1 : n;
    }
    fflush(NULL);
    ps->pid = fork();
    if (ps->pid < 0) {
        snprintf(err, errlen, "privsep: fork: %s", strerror(errno));
        return -1;
    }
    if (ps->pid == 0)
        worker_main(cfg, ps->worker_ctl, worker_fds, n, parent);
    for (size_t i = 0; i < n; i++)
        close(worker_fds[i]);
    close(ps->worker_ctl);
    ps->worker_ctl = -1;
    free(worker_fds);
    return 0;
}

int privsep_serve_start(privsep *ps, http_ctx *ctx)
{
    ps->ctx = ctx;
    ps->threads = calloc(ps->n, sizeof *ps->threads);
    if (ps->threads == NULL)
        return -1;
    for (size_t i = 0; i < ps->n; i++) {
        if (pthread_create(&ps->threads[i], NULL, writer_thread, ps) != 0)
            return -1;
        ps->nthreads++;
    }
    return 0;
}

int privsep_wait_ready(privsep *ps, int *internal_port)
{
    uint32_t kind = 0, port = 0, internal = 0;
    frame_in r;
    int got;

    /* units mode: a peer of the worker's uid that never says READY (not our
     * child: attack code, a stale process) neither holds the start past a
     * bound nor a stop asked for meanwhile */
    for (unsigned waited = 0; ps->units; waited += 200) {
        int rc = units_wait_readable(ps->ctl, 200);

        if (rc > 0)
            break;
        if (rc < 0 || units_stop_asked() || waited >= READY_WAIT_MS)
            return -1;
    }
    got = frame_recv(ps->ctl, 64, &kind, &r, NULL);

    if (got == 1 && kind == PRIVSEP_READY) {
        port = frame_get_u32(&r);
        internal = frame_get_u32(&r);
    }
    free(r.mem);
    if (got != 1 || kind != PRIVSEP_READY || r.bad || port == 0 || port > 65535 ||
        internal == 0 || internal > 65535)
        return -1;
    *internal_port = (int)internal;
    return (int)port;
}

int privsep_worker_gone(privsep *ps)
{
    int status;

    if (ps->units) {
        struct pollfd p = { .fd = ps->ctl, .events = POLLRDHUP };

        if (ps->ctl < 0 || poll(&p, 1, 0) != 1 ||
            (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) == 0)
            return 0;
        log_event("error", "worker_died", json_pack("{s:s}", "channel", "closed"));
        return 1;
    }

    if (ps->pid <= 0 || waitpid(ps->pid, &status, WNOHANG) != ps->pid)
        return 0;
    log_event("error", "worker_died",
              json_pack("{s:i,s:i}", "exit", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                        "signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0));
    ps->pid = 0;
    return 1;
}

void privsep_stop(privsep *ps)
{
    if (ps->units) {
        if (ps->watching) {
            (void)!write(ps->wake[1], "", 1);
            pthread_join(ps->watch, NULL);
        }
        /* the end of its control connection: it finishes the requests in
         * flight (the writer threads still answer), then closes it */
        /* once, bounded: after READY a worker sends nothing on it, and one
         * that keeps sending (attack code in it) must not hold the stop */
        if (ps->watching && ps->ctl >= 0 && shutdown(ps->ctl, SHUT_WR) == 0 &&
            units_wait_readable(ps->ctl, STOP_WAIT_MS) > 0) {
            char c;

            (void)!recv(ps->ctl, &c, 1, MSG_DONTWAIT);
        }
        if (ps->listen_fd >= 0) {
            close(ps->listen_fd);
            unlink(ps->path);
        }
        for (int i = 0; i < 2; i++)
            if (ps->wake[i] >= 0)
                close(ps->wake[i]);
    }
    if (ps->pid > 0) {
        /* it finishes the requests in flight, then exits; a writer that changed
         * user cannot signal it, and ends the control channel instead */
        kill(ps->pid, SIGTERM);
        if (ps->ctl >= 0)
            shutdown(ps->ctl, SHUT_RDWR);
        /* bounded: a worker that does not exit (attack code in it) is killed
         * if this process may, else left to its parent-death signal, and the
         * stop goes on (the stores are closed all the same) */
        child_end(ps->pid, STOP_WAIT_MS, PRIVSEP_WORKER_NAME);
        ps->pid = 0;
    }
    /* the worker's ends are closed, or it was left running: the writer's ends
     * shut down, each writer thread sees the end of its stream */
    for (size_t i = 0; i < ps->n; i++)
        shutdown(ps->fds[i], SHUT_RDWR);
    for (size_t i = 0; i < ps->nthreads; i++)
        pthread_join(ps->threads[i], NULL);
    for (size_t i = 0; i < ps->n; i++)
        close(ps->fds[i]);
    if (ps->ctl >= 0)
        close(ps->ctl);
    free(ps->threads);
    free(ps->fds);
    pthread_mutex_destroy(&ps->lock);
    memset(ps, 0, sizeof *ps);
    ps->ctl = -1;
}

/* ---- privsep.mode "units": the worker is a unit of its own ---- */

#define UNITS_WAIT_MS 30000u     /* the worker waits this long for the writer's socket */

static size_t channel_count(const config *cfg)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    return cfg->threads != 0 ? cfg->threads : 16 * (size_t)(cores > 0 ? cores : 1);
}

int privsep_units_accept(privsep *ps, const config *cfg, char *err, size_t errlen)
{
    size_t n = channel_count(cfg);
    uid_t worker;

    memset(ps, 0, sizeof *ps);
    ps->ctl = ps->listen_fd = ps->signer_fd = ps->worker_ctl = -1;
    ps->wake[0] = ps->wake[1] = -1;
    ps->units = 1;
    pthread_mutex_init(&ps->lock, NULL);
    snprintf(ps->path, sizeof ps->path, "%s", cfg->privsep_worker_socket);
    if (units_user(cfg->privsep_user, &worker) != 0) {
        snprintf(err, errlen, "privsep.user \"%s\": unknown, or root", cfg->privsep_user);
        return -1;
    }
    if ((ps->fds = calloc(n, sizeof *ps->fds)) == NULL || pipe2(ps->wake, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "privsep: %s", strerror(errno));
        return -1;
    }
    if ((ps->listen_fd = units_listen(ps->path, SOCK_STREAM, err, errlen)) < 0)
        return -1;
    log_event("info", "privsep_waiting", json_pack("{s:s}", "socket", ps->path));
    /* the first connection of privsep.user's uid is the worker; another
     * uid's gets nothing (closed, logged); a stop asked for ends the wait */
    while (ps->ctl < 0) {
        int rc, fd;

        if (units_stop_asked()) {
            err[0] = '\0';
            return -1;
        }
        if ((rc = units_wait_readable(ps->listen_fd, 200)) < 0) {
            snprintf(err, errlen, "privsep: %s: %s", ps->path, strerror(errno));
            return -1;
        }
        if (rc == 0 || (fd = accept4(ps->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
            continue;
        if (units_peer_is(fd, worker, "privsep.user"))
            ps->ctl = fd;
        else
            close(fd);
    }
    /* its request channels, made here, one frame each; sent only when they
     * fit: a peer that does not read them (not our child: attack code, a
     * stale process) holds neither the start past a bound nor a stop */
    for (size_t i = 0, waited = 0; i < n; i++) {
        frame_out b = { 0 };
        int sv[2], rc;
        struct pollfd out = { .fd = ps->ctl, .events = POLLOUT };

        while ((rc = poll(&out, 1, 200)) == 0 || (rc < 0 && errno == EINTR)) {
            if (units_stop_asked()) {
                err[0] = '\0';
                return -1;
            }
            if ((waited += 200) >= READY_WAIT_MS) {
                snprintf(err, errlen, "privsep: the worker does not take its channels");
                return -1;
            }
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            snprintf(err, errlen, "privsep: socketpair: %s", strerror(errno));
            return -1;
        }
        ps->fds[i] = sv[0];
        ps->n = i + 1;
        frame_put_u32(&b, (uint32_t)i);
        frame_put_u32(&b, (uint32_t)n);
        rc = frame_send(ps->ctl, PRIVSEP_CHANNEL, &b, sv[1]);
        free(b.p);
        close(sv[1]);
        if (rc != 0) {
            snprintf(err, errlen, "privsep: the worker left before its channels were sent");
            return -1;
        }
    }
    return 0;
}

static void *units_watch(void *arg)
{
    privsep *ps = arg;
    struct pollfd p[4] = {
        { .fd = ps->wake[0], .events = POLLIN },
        { .fd = ps->listen_fd, .events = POLLIN },
        { .fd = ps->ctl, .events = POLLRDHUP },
        { .fd = ps->signer_fd, .events = POLLRDHUP },
    };

    for (;;) {
        if (poll(p, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents != 0)
            break;
        if (p[1].revents & POLLIN) {
            int fd = accept4(ps->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            uid_t uid = (uid_t)-1;
            pid_t pid = 0;

            if (fd >= 0) {
                units_peer(fd, &uid, &pid);
                log_event("error", "privsep_peer_refused",
                          json_pack("{s:s,s:i,s:i}", "reason", "a worker is connected already",
                                    "uid", (int)uid, "pid", (int)pid));
                close(fd);
            }
        }
        /* the main thread sees which, and stops (privsep_worker_gone, signer_gone) */
        if (((p[2].revents | p[3].revents) & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
            kill(getpid(), SIGCHLD);
            break;
        }
    }
    return NULL;
}

int privsep_units_watch(privsep *ps, int signer_fd)
{
    ps->signer_fd = signer_fd;
    if (pthread_create(&ps->watch, NULL, units_watch, ps) != 0)
        return -1;
    ps->watching = 1;
    return 0;
}

int privsep_worker_main(const config *cfg)
{
    static config c;
    char err[CONFIG_ERR_CHARS];
    int ctl, *fds = NULL;
    uint32_t count = 0;
    uid_t writer;

    c = *cfg;
    sodium_memzero(c.mail.password, sizeof c.mail.password);   /* the writer's mailer's */
    if (units_check_self(&c, c.privsep_user, "privsep.user", err, sizeof err) != 0 ||
        units_user(c.privsep_writer_user, &writer) != 0) {
        log_event("error", "privsep", json_pack("{s:s}", "error", err[0] != '\0' ? err :
                                                "privsep.writer_user: unknown, or root"));
        return 2;
    }
    if ((ctl = units_connect(c.privsep_worker_socket, SOCK_STREAM, UNITS_WAIT_MS, err,
                             sizeof err)) < 0) {
        log_event("error", "privsep", json_pack("{s:s}", "error", err));
        return 1;
    }
    /* requests (passwords among them) go to the writer's uid only */
    if (!units_peer_is(ctl, writer, "privsep.writer_user"))
        return 1;
    for (uint32_t i = 0; fds == NULL || i < count; i++) {
        frame_in r;
        uint32_t kind = 0, index, n;
        int fd = -1;
        int got = frame_recv(ctl, 64, &kind, &r, &fd);

        index = frame_get_u32(&r);
        n = frame_get_u32(&r);
        free(r.mem);
        if (got != 1 || kind != PRIVSEP_CHANNEL || r.bad || fd < 0 || index != i || n == 0 ||
            n > 65536 || (fds != NULL && n != count)) {
            log_event("error", "privsep", json_pack("{s:s}", "error",
                                                    "the writer sent no valid channels"));
            return 1;
        }
        if (fds == NULL && (fds = calloc(count = n, sizeof *fds)) == NULL)
            return 1;
        fds[i] = fd;
    }
    worker_main(&c, ctl, fds, count, 0);
    return 1;
}
