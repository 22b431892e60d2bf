/*
 * pages.h - one handler per page of the portal (one file each), and the
 * portal's route table, which the daemon adds to the API's.
 */
#ifndef VOTESRV_PAGES_H
#define VOTESRV_PAGES_H

#include "portal.h"

int pg_static(http_request *req, http_response *res);
int pg_home(http_request *req, http_response *res);
int pg_help(http_request *req, http_response *res);
int pg_profession(http_request *req, http_response *res);
int pg_access(http_request *req, http_response *res);
int pg_access_post(http_request *req, http_response *res);
int pg_reassort(http_request *req, http_response *res);
int pg_reassort_post(http_request *req, http_response *res);
int pg_activation(http_request *req, http_response *res);
int pg_activation_post(http_request *req, http_response *res);
int pg_password(http_request *req, http_response *res);
int pg_password_post(http_request *req, http_response *res);
int pg_login(http_request *req, http_response *res);
int pg_login_post(http_request *req, http_response *res);
int pg_logout_post(http_request *req, http_response *res);
int pg_space(http_request *req, http_response *res);
int pg_vote(http_request *req, http_response *res);
/* The vote form's field "ballot": the ballot's JSON, at most this many bytes,
 * parsed before the handler (route form_json: req->form_json). */
#define PORTAL_BALLOT_MAX 60000
int pg_vote_post(http_request *req, http_response *res);
int pg_code(http_request *req, http_response *res);
int pg_code_post(http_request *req, http_response *res);
int pg_account(http_request *req, http_response *res);
int pg_account_password_post(http_request *req, http_response *res);
int pg_account_defi_post(http_request *req, http_response *res);
int pg_box(http_request *req, http_response *res);
int pg_results(http_request *req, http_response *res);
int pg_staff_home(http_request *req, http_response *res);
int pg_staff_login(http_request *req, http_response *res);
int pg_staff_login_post(http_request *req, http_response *res);
int pg_staff_logout_post(http_request *req, http_response *res);
int pg_support(http_request *req, http_response *res);
int pg_support_voter(http_request *req, http_response *res);
int pg_support_voter_post(http_request *req, http_response *res);
int pg_officer(http_request *req, http_response *res);
int pg_officer_post(http_request *req, http_response *res);

#endif
