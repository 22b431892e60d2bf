/* routes.c - the daemon's API. */
#include "endpoints.h"

const http_route votesrv_routes[] = {
    { "GET", "/healthz", ep_healthz, 0 },
    { "GET", "/metrics", ep_metrics, 0 },
    { "GET", "/api/v1/election", ep_election, 0 },
};

const size_t votesrv_nroutes = sizeof votesrv_routes / sizeof votesrv_routes[0];
