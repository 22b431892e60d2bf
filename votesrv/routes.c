/* routes.c - the daemon's API. */
#include "endpoints.h"

const http_route votesrv_routes[] = {
    { "GET", "/healthz", ep_healthz, 0 },
    { "GET", "/metrics", ep_metrics, 0 },
    { "GET", "/api/v1/election", ep_election, 0 },
    { "GET", "/api/v1/defi-questions", ep_defi_questions, 0 },
    { "GET", "/api/v1/access/challenge", ep_challenge, 0 },
    { "POST", "/api/v1/access/link", ep_link_request, 1 },
    { "POST", "/api/v1/password/reassort", ep_password_reassort, 1 },
    { "POST", "/api/v1/activation", ep_activation, 1 },
    { "POST", "/api/v1/password/reset", ep_password_reset, 1 },
    { "POST", "/api/v1/session", ep_session_create, 1 },
    { "DELETE", "/api/v1/session", ep_session_delete, 0 },
    { "GET", "/api/v1/account", ep_account, 0 },
    { "POST", "/api/v1/account/password", ep_account_password, 1 },
    { "POST", "/api/v1/account/defi", ep_account_defi, 1 },
    { "POST", "/api/v1/account/code-reissue", ep_code_reissue, 1 },
    { "POST", "/api/v1/scrutins/{}/ballots", ep_ballot_cast, 1 },
    { "GET", "/api/v1/scrutins/{}/ballots", ep_ballots_list, 0 },
    { "GET", "/api/v1/trackers/{}", ep_tracker, 0 },
    { "GET", "/api/v1/archive", ep_archive, 0 },
    { "GET", "/api/v1/ceremony", ep_ceremony_get, 0 },
    { "POST", "/api/v1/ceremony", ep_ceremony_post, 1 },
};

const size_t votesrv_nroutes = sizeof votesrv_routes / sizeof votesrv_routes[0];
