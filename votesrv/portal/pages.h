/*
 * pages.h - one handler per page of the portal (one file each), and the
 * portal's route table, which the daemon adds to the API's.
 */
#ifndef VOTESRV_PAGES_H
#define VOTESRV_PAGES_H

#include "portal.h"

void page_static(http_request *req, http_response *res);
void page_home(http_request *req, http_response *res);
void page_help(http_request *req, http_response *res);
void page_accessibility(http_request *req, http_response *res);
void page_sitemap(http_request *req, http_response *res);
void page_privacy(http_request *req, http_response *res);
/* GET of a link's page: 1 if the link no longer works and the page saying
 * why was sent (410), 0 to show the form (or the usual refusal). */
int page_link_dead(http_request *req, http_response *res, const char *token, int purpose,
                   const char *title, const char *again);
/* The refusal of a vote code that is not the voter's: after a reissue, that
 * their code was replaced and when (their own history, nothing of the code
 * typed); else MSG_CODE_WRONG. In buf (n bytes) or static. */
const char *page_code_wrong_message(http_request *req, int64_t voter, char *buf, size_t n);
void page_profession(http_request *req, http_response *res);
void page_access(http_request *req, http_response *res);
void page_access_post(http_request *req, http_response *res);
void page_reassort(http_request *req, http_response *res);
void page_reassort_post(http_request *req, http_response *res);
void page_activation(http_request *req, http_response *res);
void page_activation_post(http_request *req, http_response *res);
void page_password(http_request *req, http_response *res);
void page_password_post(http_request *req, http_response *res);
void page_login(http_request *req, http_response *res);
void page_login_post(http_request *req, http_response *res);
void page_logout_post(http_request *req, http_response *res);
void page_space(http_request *req, http_response *res);
void page_vote(http_request *req, http_response *res);
/* The vote form's field "ballot": the ballot's JSON, at most this many bytes,
 * read before the handler (route form_ballot: req->ballot). */
#define PORTAL_BALLOT_MAX 60000
void page_vote_post(http_request *req, http_response *res);
/* GET /recu, /recu.json, /recu.pdf: a receipt from its public fields (page_receipt.c). */
void page_receipt(http_request *req, http_response *res);
void page_receipt_json(http_request *req, http_response *res);
void page_receipt_pdf(http_request *req, http_response *res);
/* The vote's steps (choose, check, code, receipt), current (1-based) marked
 * aria-current="step" (page_vote.c). */
void portal_steps(html *h, http_request *req, int current);
/* The voter's opaque tag on their own device (hex of a hash keyed by the
 * portal's key): receipts kept there are theirs, not another voter's. */
void portal_voter_tag(char out[33], http_request *req, int64_t voter);
/* A tracker's text in its groups, which wrap between groups only. */
void portal_tracker(html *h, const char *text);
void page_code(http_request *req, http_response *res);
void page_code_post(http_request *req, http_response *res);
void page_account(http_request *req, http_response *res);
void page_account_password_post(http_request *req, http_response *res);
void page_account_defi_post(http_request *req, http_response *res);
void page_box(http_request *req, http_response *res);
void page_box_list(http_request *req, http_response *res);
void page_results(http_request *req, http_response *res);
void page_staff_home(http_request *req, http_response *res);
void page_staff_login(http_request *req, http_response *res);
void page_staff_login_post(http_request *req, http_response *res);
void page_staff_logout_post(http_request *req, http_response *res);
void page_support(http_request *req, http_response *res);
void page_support_voter(http_request *req, http_response *res);
void page_support_voter_post(http_request *req, http_response *res);
void page_officer(http_request *req, http_response *res);
void page_officer_post(http_request *req, http_response *res);
void page_audit(http_request *req, http_response *res);
void page_audit_export(http_request *req, http_response *res);
/* The demo's mailbox (mail.demo_mailbox only; else 404). */
void page_demo_mail(http_request *req, http_response *res);

#endif
