/* GET /metrics - Prometheus text exposition format 0.0.4, on the internal
 * listener only. No count of audit entries or links (a "link not received"
 * request for a registered address adds an audit entry, for another address
 * not). The outbox's figures (issue 23: 1,000 undelivered mails went unseen)
 * do move with such a request; they are the operators' own (the internal
 * listener, never the public port), as the outbox is. */
#include "endpoints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "election/election.h"

static const char *const states[] = { "draft", "keys-ready", "open", "closed", "tallied",
                                      "published", "purged" };

/* The outbox: waiting, delivered, given up; the oldest waiting one's age;
 * degraded as /healthz says (mail_outbox_status). */
static void mail_figures(FILE *f, store *s)
{
    store_outbox_figures o;
    int degraded;

    if (mail_outbox_status(s, (int64_t)time(NULL), &o, &degraded, NULL) != STORE_OK)
        return;
    fprintf(f, "# HELP votesrv_mail_messages Messages in the mail outbox, by state.\n"
               "# TYPE votesrv_mail_messages gauge\n"
               "votesrv_mail_messages{state=\"queued\"} %llu\n"
               "votesrv_mail_messages{state=\"sent\"} %llu\n"
               "votesrv_mail_messages{state=\"failed\"} %llu\n",
            (unsigned long long)o.queued, (unsigned long long)o.sent,
            (unsigned long long)o.failed);
    fprintf(f, "# HELP votesrv_mail_retrying Queued messages waiting after a failed attempt.\n"
               "# TYPE votesrv_mail_retrying gauge\nvotesrv_mail_retrying %llu\n",
            (unsigned long long)o.retrying);
    fprintf(f, "# HELP votesrv_mail_oldest_waiting_seconds Age of the oldest queued message "
               "(0: none).\n# TYPE votesrv_mail_oldest_waiting_seconds gauge\n"
               "votesrv_mail_oldest_waiting_seconds %lld\n", (long long)o.oldest_waiting_s);
    fprintf(f, "# HELP votesrv_mail_degraded 1 when mail cannot leave as it should (/healthz).\n"
               "# TYPE votesrv_mail_degraded gauge\nvotesrv_mail_degraded %d\n", degraded);
}

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
    if (ctx->access != NULL) {
        access_admission ad;
        access_queue_figures qf;

        access_admission_get(ctx->access, &ad);
        fprintf(f, "# HELP votesrv_password_hashes_running Argon2id computations under way.\n"
                   "# TYPE votesrv_password_hashes_running gauge\n"
                   "votesrv_password_hashes_running %d\n"
                   "# HELP votesrv_password_hashes_waiting Logins queued for Argon2id.\n"
                   "# TYPE votesrv_password_hashes_waiting gauge\n"
                   "votesrv_password_hashes_waiting %d\n"
                   "# HELP votesrv_password_hashes_total Argon2id computations started.\n"
                   "# TYPE votesrv_password_hashes_total counter\n"
                   "votesrv_password_hashes_total %llu\n"
                   "# HELP votesrv_password_busy_total Logins refused at once (503, queue full).\n"
                   "# TYPE votesrv_password_busy_total counter\n"
                   "votesrv_password_busy_total %llu\n"
                   "# HELP votesrv_password_hash_seconds A hash's estimated cost (moving average).\n"
                   "# TYPE votesrv_password_hash_seconds gauge\n"
                   "votesrv_password_hash_seconds %.6f\n"
                   "# HELP votesrv_logins_running Logins under way (store writes and Argon2id).\n"
                   "# TYPE votesrv_logins_running gauge\n"
                   "votesrv_logins_running %d\n"
                   "# HELP votesrv_logins_limit Logins admitted at once now (adapts to their "
                   "duration).\n"
                   "# TYPE votesrv_logins_limit gauge\n"
                   "votesrv_logins_limit %d\n"
                   "# HELP votesrv_login_seconds A whole login's duration (moving average).\n"
                   "# TYPE votesrv_login_seconds gauge\n"
                   "votesrv_login_seconds %.6f\n",
                ad.hashing, ad.waiting, (unsigned long long)ad.hashes,
                (unsigned long long)ad.refused, (double)ad.hash_us / 1e6, ad.logins,
                ad.login_limit, (double)ad.login_us / 1e6);
        access_queue_get(ctx->access, &qf);
        fprintf(f, "# HELP votesrv_login_tickets_booked_total Places booked for logins refused "
                   "in a rush (retry tickets given).\n"
                   "# TYPE votesrv_login_tickets_booked_total counter\n"
                   "votesrv_login_tickets_booked_total %llu\n"
                   "# HELP votesrv_login_tickets_admitted_total Places taken by their holder.\n"
                   "# TYPE votesrv_login_tickets_admitted_total counter\n"
                   "votesrv_login_tickets_admitted_total %llu\n"
                   "# HELP votesrv_login_tickets_noshow_total Places freed 5 s after their time, "
                   "nobody having come.\n"
                   "# TYPE votesrv_login_tickets_noshow_total counter\n"
                   "votesrv_login_tickets_noshow_total %llu\n"
                   "# HELP votesrv_login_tickets_due Places due now, holding room from fresh "
                   "arrivals.\n"
                   "# TYPE votesrv_login_tickets_due gauge\n"
                   "votesrv_login_tickets_due %lld\n"
                   "# HELP votesrv_login_calendar_length Places booked and not yet taken or "
                   "expired.\n"
                   "# TYPE votesrv_login_calendar_length gauge\n"
                   "votesrv_login_calendar_length %lld\n"
                   "# HELP votesrv_login_rate_per_second Logins served a second while some are "
                   "refused (places are booked at 0.9 of it).\n"
                   "# TYPE votesrv_login_rate_per_second gauge\n"
                   "votesrv_login_rate_per_second %.1f\n",
                (unsigned long long)qf.booked, (unsigned long long)qf.admitted,
                (unsigned long long)qf.noshow, (long long)qf.due, (long long)qf.live, qf.rate);
    }
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
    mail_figures(f, ctx->store);
    if (fclose(f) != 0) {
        free(buf);
        http_answer_internal(req, res);
        return;
    }
    res->status = 200;
    res->text = buf;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
