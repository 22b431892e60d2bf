/* api.c - shared helpers of the JSON endpoints. */
#include "api.h"

#include <string.h>
#include <time.h>

int64_t api_now(void)
{
    return (int64_t)time(NULL);
}

int api_string(http_request *req, http_response *res, const char *field, size_t max,
               const char **out)
{
    json_t *v = json_object_get(req->json, field);

    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        http_field_error(req, res, field);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int api_int(http_request *req, http_response *res, const char *field, int min, int max,
            int *out)
{
    json_t *v = json_object_get(req->json, field);

    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        http_field_error(req, res, field);
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

int api_only(http_request *req, http_response *res, const char *const *fields)
{
    const char *key;
    json_t *v;

    json_object_foreach(req->json, key, v) {
        int known = 0;

        for (size_t i = 0; fields[i] != NULL && !known; i++)
            known = strcmp(key, fields[i]) == 0;
        if (!known) {
            http_field_error(req, res, key);
            return -1;
        }
    }
    return 0;
}

static const struct {
    access_error code;
    int status;
    msg_id msg;
} mapping[] = {
    { ACCESS_E_LINK_INVALID, 410, MSG_LINK_INVALID },
    { ACCESS_E_PASSWORD_SHORT, 400, MSG_PASSWORD_SHORT },
    { ACCESS_E_PASSWORD_LONG, 400, MSG_PASSWORD_LONG },
    { ACCESS_E_PASSWORD_COMMON, 400, MSG_PASSWORD_COMMON },
    { ACCESS_E_PASSWORD_IDENTIFIER, 400, MSG_PASSWORD_IDENTIFIER },
    { ACCESS_E_PASSWORD_ENCODING, 400, MSG_PASSWORD_ENCODING },
    { ACCESS_E_PASSWORD_PATTERN, 400, MSG_PASSWORD_PATTERN },
    { ACCESS_E_DEFI_QUESTION, 400, MSG_DEFI_QUESTION },
    { ACCESS_E_DEFI_ANSWER, 400, MSG_DEFI_ANSWER },
    { ACCESS_E_CREDENTIALS, 401, MSG_CREDENTIALS },
    { ACCESS_E_THROTTLED, 429, MSG_THROTTLED },
    { ACCESS_E_LOCKED, 423, MSG_LOCKED },
    { ACCESS_E_SESSION, 401, MSG_SESSION },
    { ACCESS_E_NOT_ACTIVATED, 403, MSG_NOT_ACTIVATED },
    { ACCESS_E_CHALLENGE, 400, MSG_CHALLENGE },
    { ACCESS_E_BUSY, 503, MSG_BUSY },
    { ACCESS_E_DEFI_WRONG, 403, MSG_DEFI_WRONG },
    { ACCESS_E_REISSUE_LIMIT, 429, MSG_REISSUE_LIMIT },
    { ACCESS_E_NOT_OPEN, 409, MSG_NOT_OPEN },
    { ACCESS_E_CODE_WRONG, 403, MSG_CODE_WRONG },
    { ACCESS_E_CODE_LOCKED, 423, MSG_CODE_LOCKED },
    { ACCESS_E_STAFF_ACCOUNT, 400, MSG_STAFF_ACCOUNT },
    { ACCESS_E_REASON, 400, MSG_REASON },
    { ACCESS_E_DEFI_LOCKED, 423, MSG_DEFI_LOCKED },
    { ACCESS_E_REISSUE_WINDOW, 409, MSG_REISSUE_WINDOW },
    { ACCESS_E_REISSUE_UNAVAILABLE, 503, MSG_REISSUE_UNAVAILABLE },
    { ACCESS_E_REISSUE_PENDING, 503, MSG_REISSUE_PENDING },
    { ACCESS_E_REISSUE_NONE, 409, MSG_REISSUE_NONE },
    { ACCESS_E_LINK_RATE, 429, MSG_LINK_RATE },
    { ACCESS_E_FACTOR_LOCKED, 423, MSG_FACTOR_LOCKED },
    { ACCESS_E_TOTP_WRONG, 401, MSG_TOTP_WRONG },
};

static const struct {
    box_error code;
    int status;
    msg_id msg;
} box_mapping[] = {
    { BOX_E_NOT_OPEN, 409, MSG_VOTE_CLOSED },
    { BOX_E_SUSPENDED, 503, MSG_VOTE_SUSPENDED },
    { BOX_E_UNKNOWN_SCRUTIN, 404, MSG_UNKNOWN_SCRUTIN },
    { BOX_E_NOT_ELIGIBLE, 403, MSG_NOT_ELIGIBLE },
    { BOX_E_ALREADY_VOTED, 409, MSG_ALREADY_VOTED },
    { BOX_E_BALLOT, 400, MSG_BALLOT_MALFORMED },
    { BOX_E_INVALID, 400, MSG_BALLOT_INVALID },
    { BOX_E_CREDENTIAL, 403, MSG_CREDENTIAL_UNKNOWN },
    { BOX_E_CREDENTIAL_REVOKED, 403, MSG_CREDENTIAL_REVOKED },
    { BOX_E_CREDENTIAL_USED, 409, MSG_CREDENTIAL_USED },
    { BOX_E_COPY, 409, MSG_BALLOT_COPY },
};

msg_id api_box_msg(int code, int *status)
{
    for (size_t i = 0; i < sizeof box_mapping / sizeof box_mapping[0]; i++)
        if (box_mapping[i].code == (box_error)code) {
            *status = box_mapping[i].status;
            return box_mapping[i].msg;
        }
    *status = 500;
    return MSG_INTERNAL;
}

msg_id api_cast_msg(int verdict)
{
    int status;

    if (verdict == BOX_CAST_ENDED || verdict == BOX_CAST_CLOSED)
        return MSG_VOTE_OVER;
    return api_box_msg(box_cast_error((box_cast_verdict)verdict), &status);
}

msg_id api_access_msg(int code, int *status)
{
    for (size_t i = 0; i < sizeof mapping / sizeof mapping[0]; i++)
        if (mapping[i].code == (access_error)code) {
            *status = mapping[i].status;
            return mapping[i].msg;
        }
    *status = 500;
    return MSG_INTERNAL;
}

int api_access(http_request *req, http_response *res, int rc, const access_result *r)
{
    int status;
    msg_id m;

    if (rc == ACCESS_OK)
        return 0;
    if (rc != ACCESS_REFUSED) {
        atomic_fetch_add(&req->ctx->store_errors, 1);
        http_error(req, res, 503, MSG_UNAVAILABLE);
        return -1;
    }
    m = api_access_msg(r->code, &status);
    http_error(req, res, status, m);
    res->retry_after = r->retry_after;
    return -1;
}

int api_voter(http_request *req, http_response *res, int64_t *voter)
{
    access_result r;
    int rc;

    if (req->session == NULL) {
        http_error(req, res, 401, MSG_SESSION);
        return -1;
    }
    rc = access_session(req->ctx->access, req->session, api_now(), voter, &r);
    return api_access(req, res, rc, &r);
}

void api_session_cookie(http_response *res, const char *session)
{
    if (session != NULL)
        http_cookie_set(res, "votesrv_session=%s; Path=/; Max-Age=%d; HttpOnly; Secure; "
                        "SameSite=Strict", session, ACCESS_SESSION_ABSOLUTE);
    else
        http_cookie_set(res, "votesrv_session=; Path=/; Max-Age=0; HttpOnly; Secure; "
                        "SameSite=Strict");
}
