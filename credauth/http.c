/* http.c - votecad's HTTP service (libmicrohttpd): POST /reissue, GET
 * /healthz; bodies over CREDAUTH_BODY_MAX refused before they are read. The
 * handler hands the body to service.c and sends what it answers. A sender
 * thread delivers the outbox meanwhile. */
#include "credauth_internal.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct credauth_server {
    credauth *ca;
    struct MHD_Daemon *daemon;
    pthread_t sender;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop, relay;
};

typedef struct {
    size_t len;
    int too_large;
    char body[CREDAUTH_BODY_MAX + 1];     /* small: a fixed buffer, never grown */
} conn_state;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    if (body == NULL)
        return MHD_NO;
    r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static char *error_body(const char *error, const char *message)
{
    json_t *doc = json_pack("{s:s,s:s}", "error", error, "message", message);
    char *text = json_dumps(doc, JSON_COMPACT);

    json_decref(doc);
    return text;
}

static void log_line(const char *method, const char *url, int status, const char *body)
{
    json_t *doc = body != NULL && status != 200 ? json_loads(body, 0, NULL) : NULL;
    const char *why = json_string_value(json_object_get(doc, "error"));

    fprintf(stderr, "votecad: %s %s %d%s%s\n", method, url, status, why ? " " : "",
            why ? why : "");
    json_decref(doc);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    credauth_server *s = cls;
    conn_state *st = *con_cls;
    int status = 200;
    char *body;

    (void)version;
    if (st == NULL) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

        if ((st = calloc(1, sizeof *st)) == NULL)
            return MHD_NO;
        *con_cls = st;
        st->too_large = cl != NULL && strtoull(cl, NULL, 10) > CREDAUTH_BODY_MAX;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        st->too_large |= *upload_size > CREDAUTH_BODY_MAX - st->len;
        if (!st->too_large) {
            memcpy(st->body + st->len, upload, *upload_size);
            st->len += *upload_size;
        }
        *upload_size = 0;                   /* the rest of a too large body is dropped */
        return MHD_YES;
    }
    if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0) {
        body = strdup("{\"status\":\"ok\"}");
    } else if (strcmp(url, "/reissue") != 0) {
        status = 404;
        body = error_body("not_found", "only POST /reissue and GET /healthz are served");
    } else if (strcmp(method, "POST") != 0) {
        status = 405;
        body = error_body("method", "POST /reissue only");
    } else if (st->too_large) {
        status = 413;
        body = error_body("too_large", "the request is larger than 16384 bytes");
    } else {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

        if (ct == NULL || strncmp(ct, "application/json", 16) != 0) {
            status = 415;
            body = error_body("content_type", "the request must be application/json");
        } else {
            body = credauth_reissue(s->ca, st->body, st->len,
                                    (int64_t)time(NULL), &status);
            if (status == 200) {
                pthread_mutex_lock(&s->lock);
                pthread_cond_signal(&s->wake);
                pthread_mutex_unlock(&s->lock);
            }
        }
    }
    log_line(method, url, status, body);
    return reply(c, (unsigned)status, body);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_state *st = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (st == NULL)
        return;
    sodium_memzero(st, sizeof *st);
    free(st);
    *con_cls = NULL;
}

static void *sender_main(void *arg)
{
    credauth_server *s = arg;

    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        unsigned sent = 0, failed = 0;
        struct timespec until;

        pthread_mutex_unlock(&s->lock);
        if (credauth_deliver_due(s->ca, (int64_t)time(NULL), &sent, &failed) != 0)
            fprintf(stderr, "votecad: the outbox cannot be read or updated\n");
        else if (sent + failed > 0)
            fprintf(stderr, "votecad: mail sent %u, failed %u\n", sent, failed);
        pthread_mutex_lock(&s->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (!s->stop && sent + failed < MAIL_BATCH)
            pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

credauth_server *credauth_serve(credauth *ca, const credauth_config *c, char *err,
                                size_t errlen)
{
    credauth_server *s = calloc(1, sizeof *s);
    struct sockaddr_in addr;

    if (s == NULL)
        return NULL;
    s->ca = ca;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)c->port);
    if (inet_pton(AF_INET, c->listen_address, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "listen.address %s is not an IPv4 address", c->listen_address);
        goto fail;
    }
    s->relay = c->mail_relay;
    if (s->relay && pthread_create(&s->sender, NULL, sender_main, s) != 0) {
        snprintf(err, errlen, "cannot start the mail sender");
        goto fail;
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, c->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s:%d", c->listen_address, c->port);
        credauth_server_stop(s);
        return NULL;
    }
    return s;
fail:
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
    return NULL;
}

int credauth_server_port(const credauth_server *s)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

    return i != NULL ? (int)i->port : -1;
}

void credauth_server_stop(credauth_server *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    if (s->relay) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->sender, NULL);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}
