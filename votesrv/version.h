/* version.h - the release of votesrv and the protocol it speaks. */
#ifndef VOTESRV_VERSION_H
#define VOTESRV_VERSION_H

#define VOTESRV_VERSION "0.9.0"
#define VOTESRV_PROTOCOL "votesrv/v1"

#endif
