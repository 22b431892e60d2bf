/* GET /professions/{scrutin}/{n} - list n's profession de foi (PDF), the file
 * the definition names, under the "documents" directory of the configuration. */
#include "pages.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "election/election.h"

/* A relative path of plain names: no "..", no leading '/'. */
static int path_ok(const char *p)
{
    size_t n = strlen(p);

    return n > 0 && p[0] != '/' && strstr(p, "..") == NULL &&
           strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./") == n;
}

static int open_pdf(http_request *req, const def_election *d, int *fd, uint64_t *size)
{
    const def_scrutin *s = def_scrutin_find(d, req->params[0]);
    char path[2 * CONFIG_PATH_CHARS], *end;
    long n = strtol(req->params[1], &end, 10);
    struct stat st;

    if (s == NULL || *end != '\0' || n < 1 || (size_t)n > s->nlists ||
        s->lists[n - 1].profession_de_foi == NULL || !path_ok(s->lists[n - 1].profession_de_foi))
        return -1;
    snprintf(path, sizeof path, "%s/%s", req->ctx->cfg->documents,
             s->lists[n - 1].profession_de_foi);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return -1;
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*fd);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return 0;
}

int pg_profession(http_request *req, http_response *res)
{
    def_election d;
    char err[DEF_ERR_CHARS];
    int rc;

    if (election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return 0;
    }
    rc = open_pdf(req, &d, &res->fd, &res->fd_size);
    def_free(&d);
    if (rc != 0) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return 0;
    }
    res->status = 200;
    res->has_fd = 1;
    res->content_type = "application/pdf";
    res->cache_static = 1;
    return 0;
}
