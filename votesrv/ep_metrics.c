/* GET /metrics - Prometheus text exposition format 0.0.4, on the internal
 * listener only. Nothing here moves with one request's secret outcome: no
 * count of audit entries, links or mails (a "link not received" request for a
 * registered address adds an audit entry, for another address not). */
#include "endpoints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "election/election.h"

static const char *const states[] = { "draft", "keys-ready", "open", "closed", "tallied",
                                      "published", "purged" };

void ep_metrics(http_request *req, http_response *res)
{
    http_ctx *ctx = req->ctx;
    election_status st;
    int have = election_status_get(ctx->store, &st) == STORE_OK;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL) {
        http_answer_internal(req, res);
        return;
    }
    fprintf(f, "# HELP votesrv_up 1 while the daemon serves.\n# TYPE votesrv_up gauge\n"
               "votesrv_up 1\n");
    fprintf(f, "# HELP votesrv_uptime_seconds Seconds since start.\n"
               "# TYPE votesrv_uptime_seconds gauge\nvotesrv_uptime_seconds %lld\n",
            (long long)(time(NULL) - ctx->started));
    fprintf(f, "# HELP votesrv_http_requests_total Requests answered, by status class.\n"
               "# TYPE votesrv_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        fprintf(f, "votesrv_http_requests_total{class=\"%dxx\"} %llu\n", c,
                (unsigned long long)atomic_load(&ctx->requests[c]));
    fprintf(f, "# HELP votesrv_http_requests_in_flight Requests being served.\n"
               "# TYPE votesrv_http_requests_in_flight gauge\n"
               "votesrv_http_requests_in_flight %llu\n",
            (unsigned long long)atomic_load(&ctx->in_flight));
    fprintf(f, "# HELP votesrv_store_errors_total Storage failures seen by handlers.\n"
               "# TYPE votesrv_store_errors_total counter\nvotesrv_store_errors_total %llu\n",
            (unsigned long long)atomic_load(&ctx->store_errors));
    if (have) {
        fprintf(f, "# HELP votesrv_election_state 1 for the election's current state.\n"
                   "# TYPE votesrv_election_state gauge\n");
        for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
            fprintf(f, "votesrv_election_state{state=\"%s\"} %d\n", states[i],
                    strcmp(st.state, states[i]) == 0);
        fprintf(f, "# HELP votesrv_election_suspended 1 while voting is suspended.\n"
                   "# TYPE votesrv_election_suspended gauge\nvotesrv_election_suspended %d\n",
                st.suspended);
        fprintf(f, "# HELP votesrv_voters Voters on the electoral list.\n"
                   "# TYPE votesrv_voters gauge\nvotesrv_voters %llu\n",
                (unsigned long long)st.voters);
    }
    if (fclose(f) != 0) {
        free(buf);
        http_answer_internal(req, res);
        return;
    }
    res->status = 200;
    res->text = buf;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
