/* election_internal.h - shared by the files of election/ only. */
#ifndef VOTESRV_ELECTION_INTERNAL_H
#define VOTESRV_ELECTION_INTERNAL_H

#include "election.h"

/* Fill c->msg and return ELECTION_REFUSED. */
int election_refuse(election_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
