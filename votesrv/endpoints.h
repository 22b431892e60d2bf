/*
 * endpoints.h - one handler per endpoint (one file each), and the route table.
 */
#ifndef VOTESRV_ENDPOINTS_H
#define VOTESRV_ENDPOINTS_H

#include "http.h"

void ep_healthz(http_request *req, http_response *res);
void ep_metrics(http_request *req, http_response *res);
void ep_election(http_request *req, http_response *res);
void ep_challenge(http_request *req, http_response *res);
void ep_link_request(http_request *req, http_response *res);
void ep_link_request_purpose(http_request *req, http_response *res, int purpose);
void ep_password_reassort(http_request *req, http_response *res);
void ep_activation(http_request *req, http_response *res);
void ep_password_reset(http_request *req, http_response *res);
void ep_session_create(http_request *req, http_response *res);
void ep_session_delete(http_request *req, http_response *res);
void ep_account(http_request *req, http_response *res);
void ep_account_password(http_request *req, http_response *res);
void ep_account_defi(http_request *req, http_response *res);
void ep_defi_questions(http_request *req, http_response *res);
void ep_code_reissue(http_request *req, http_response *res);
void ep_ballot_cast(http_request *req, http_response *res);
void ep_ballots_list(http_request *req, http_response *res);
void ep_tracker(http_request *req, http_response *res);
void ep_archive(http_request *req, http_response *res);
void ep_ceremony_get(http_request *req, http_response *res);
void ep_ceremony_post(http_request *req, http_response *res);

extern const http_route votesrv_routes[];
extern const size_t votesrv_nroutes;
/* /metrics and /healthz, served on the internal listener only. */
extern const http_route votesrv_internal_routes[];
extern const size_t votesrv_internal_nroutes;

#endif
