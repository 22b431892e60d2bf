/* GET /professions/{scrutin}/{n} - list n's profession de foi, the file the
 * definition names under the configuration's documents folder, served only if
 * it is a PDF, PNG or JPEG file by its content (server_document_open). */
#include "pages.h"

#include <stdlib.h>
#include "election/election.h"
#include "votesrv/log.h"
#include "votesrv/server.h"

static int open_document(http_request *req, const def_election *d, int *fd, uint64_t *size,
                         const char **type)
{
    const def_scrutin *s = def_scrutin_find(d, req->params[0]);
    char *end;
    long n = strtol(req->params[1], &end, 10);
    int rc;

    if (s == NULL || *end != '\0' || n < 1 || (size_t)n > s->nlists ||
        s->lists[n - 1].profession_de_foi == NULL)
        return -1;
    rc = server_document_open(req->ctx->cfg->documents, s->lists[n - 1].profession_de_foi, fd,
                              size, type);
    if (rc == SERVER_DOCUMENT_REFUSED)
        log_event("warn", "document_refused", json_pack("{s:s,s:s}", "scrutin", s->id, "file",
                                                         s->lists[n - 1].profession_de_foi));
    return rc == SERVER_DOCUMENT_OK ? 0 : -1;
}

void page_profession(http_request *req, http_response *res)
{
    def_election d;
    char err[DEF_ERR_CHARS];
    const char *type = NULL;
    uint64_t size;
    int rc, fd;

    if (election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    rc = open_document(req, &d, &fd, &size, &type);
    def_free(&d);
    if (rc != 0) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return;
    }
    http_answer_fd(res, fd, size, type);
    res->cache_static = 1;
}
