/*
 * endpoints.h - one handler per endpoint (one file each), and the route table.
 */
#ifndef VOTESRV_ENDPOINTS_H
#define VOTESRV_ENDPOINTS_H

#include "http.h"

int ep_healthz(http_request *req, http_response *res);
int ep_metrics(http_request *req, http_response *res);
int ep_election(http_request *req, http_response *res);

extern const http_route votesrv_routes[];
extern const size_t votesrv_nroutes;

#endif
