/* GET /api/v1/election - the public description of the election: what a voter
 * or an observer may know (no turnout: that is for officers only). */
#include "endpoints.h"

#include <time.h>
#include <sodium.h>
#include "election/election.h"

static json_t *instant(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[40];

    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static json_t *scrutins_json(const def_election *d)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < d->nscrutins; i++) {
        const def_scrutin *s = &d->scrutins[i];
        json_t *lists = json_array();

        for (size_t l = 0; l < s->nlists; l++) {
            json_t *o = json_pack("{s:s}", "name", s->lists[l].name);

            if (s->lists[l].union_name != NULL)
                json_object_set_new(o, "union", json_string(s->lists[l].union_name));
            json_array_append_new(lists, o);
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:b,s:o}", "id", s->id, "title",
                                             s->title, "seats", s->seats, "blank_allowed",
                                             s->blank_allowed, "lists", lists));
    }
    return arr;
}

void ep_election(http_request *req, http_response *res)
{
    election_status st;
    def_election d;
    char err[DEF_ERR_CHARS], fp[65];
    uint8_t pk[32];
    int rc = election_status_get(req->ctx->store, &st);

    if (rc == STORE_ENOTFOUND) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return;
    }
    if (rc != STORE_OK || election_definition(req->ctx->store, &d, err, sizeof err) != 0) {
        atomic_fetch_add(&req->ctx->store_errors, 1);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return;
    }
    sodium_bin2hex(fp, sizeof fp, st.fingerprint, 32);
    res->status = 200;
    res->json = json_pack("{s:s,s:s,s:s,s:s,s:{s:o,s:o},s:{s:s,s:s*},s:s,s:b,s:s,s:o}",
                          "eid", st.eid, "name", d.name, "organiser", d.organiser,
                          "timezone", d.timezone, "voting", "opens", instant(d.opens),
                          "closes", instant(d.closes), "support", "email", d.support_email,
                          "phone", d.support_phone, "state", st.state,
                          "suspended", st.suspended, "fingerprint", fp,
                          "scrutins", scrutins_json(&d));
    if (st.suspended)
        json_object_set_new(res->json, "notice", json_string(st.notice));
    if (st.has_public_key) {
        election_status_key(req->ctx->store, pk);
        sodium_bin2hex(fp, sizeof fp, pk, 32);
        json_object_set_new(res->json, "public_key", json_string(fp));
    }
    sodium_bin2hex(fp, sizeof fp, req->ctx->keys->audit_pk, 32);
    json_object_set_new(res->json, "receipt_key", json_string(fp));
    def_free(&d);
}
