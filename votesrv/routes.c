/* routes.c - the daemon's API and the portal's pages. */
#include "endpoints.h"
#include "portal/pages.h"

/* The internal listener's (internal_listen): monitoring, off the public port. */
const http_route votesrv_internal_routes[] = {
    { "GET", "/healthz", ep_healthz, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/metrics", ep_metrics, HTTP_BODY_NONE, NULL, 0 },
};

const size_t votesrv_internal_nroutes =
    sizeof votesrv_internal_routes / sizeof votesrv_internal_routes[0];

const http_route votesrv_routes[] = {
    { "GET", "/api/v1/election", ep_election, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/api/v1/defi-questions", ep_defi_questions, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/api/v1/access/challenge", ep_challenge, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/api/v1/access/link", ep_link_request, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/password/reassort", ep_password_reassort, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/activation", ep_activation, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/password/reset", ep_password_reset, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/session", ep_session_create, HTTP_BODY_JSON, NULL, 0 },
    { "DELETE", "/api/v1/session", ep_session_delete, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/api/v1/account", ep_account, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/api/v1/account/password", ep_account_password, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/account/defi", ep_account_defi, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/account/code-reissue", ep_code_reissue, HTTP_BODY_JSON, NULL, 0 },
    { "POST", "/api/v1/scrutins/{}/ballots", ep_ballot_cast, HTTP_BODY_BALLOT, NULL, 0 },
    { "GET", "/api/v1/scrutins/{}/ballots", ep_ballots_list, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/api/v1/trackers/{}", ep_tracker, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/api/v1/archive", ep_archive, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/api/v1/ceremony", ep_ceremony_get, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/api/v1/ceremony", ep_ceremony_post, HTTP_BODY_JSON, NULL, 0 },
    /* the portal */
    { "GET", "/", page_home, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/aide", page_help, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/accessibilite", page_accessibility, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/plan-du-site", page_sitemap, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/donnees-personnelles", page_privacy, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/static/{}", page_static, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/professions/{}/{}", page_profession, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/acces", page_access, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/acces", page_access_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/mot-de-passe-oublie", page_reassort, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/mot-de-passe-oublie", page_reassort_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/activation", page_activation, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/activation", page_activation_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/mot-de-passe", page_password, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/mot-de-passe", page_password_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/connexion", page_login, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/connexion", page_login_post, HTTP_BODY_FORM, NULL, 0 },
    { "POST", "/deconnexion", page_logout_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/espace", page_space, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/vote/{}", page_vote, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/vote/{}", page_vote_post, HTTP_BODY_FORM, "ballot", PORTAL_BALLOT_MAX },
    { "GET", "/recu", page_receipt, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/recu.json", page_receipt_json, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/recu.pdf", page_receipt_pdf, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/code", page_code, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/code", page_code_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/compte", page_account, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/compte/mot-de-passe", page_account_password_post, HTTP_BODY_FORM, NULL, 0 },
    { "POST", "/compte/defi", page_account_defi_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/urne", page_box, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/urne/{}", page_box_list, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/resultats", page_results, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/gestion", page_staff_home, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/gestion/connexion", page_staff_login, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/gestion/connexion", page_staff_login_post, HTTP_BODY_FORM, NULL, 0 },
    { "POST", "/gestion/deconnexion", page_staff_logout_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/gestion/assistance", page_support, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/gestion/assistance/{}", page_support_voter, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/gestion/assistance/{}", page_support_voter_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/gestion/bureau", page_officer, HTTP_BODY_NONE, NULL, 0 },
    { "POST", "/gestion/bureau", page_officer_post, HTTP_BODY_FORM, NULL, 0 },
    { "GET", "/gestion/journal", page_audit, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/gestion/journal/export", page_audit_export, HTTP_BODY_NONE, NULL, 0 },
    { "GET", "/demo/courrier", page_demo_mail, HTTP_BODY_NONE, NULL, 0 },
};

const size_t votesrv_nroutes = sizeof votesrv_routes / sizeof votesrv_routes[0];
