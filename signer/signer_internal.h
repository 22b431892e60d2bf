/* signer_internal.h - the signer's state and checks, shared by its two forms. */
#ifndef VOTESRV_SIGNER_INTERNAL_H
#define VOTESRV_SIGNER_INTERNAL_H

#include <pthread.h>
#include "signer.h"

/* The request kinds on the channel; anything else is refused and logged. */
enum {
    SIGNER_KIND_KEYS = 1,        /* no payload */
    SIGNER_KIND_RECEIPT = 2,     /* tracker 32, le64 count, digest 32, scrutin 1-64 */
    SIGNER_KIND_CHECKPOINT = 3,  /* le64 seq */
    SIGNER_KIND_REISSUE = 4,     /* the request id, 32 hex */
    SIGNER_KIND_ARCHIVE_END = 5, /* no payload */
    SIGNER_KIND_RECEIPT_AGAIN = 6 /* as RECEIPT: a receipt "already recorded" */
};
#define SIGNER_RECEIPT_FIXED (32 + 8 + 32)
/* the archive end's answer: state (NUL-padded), le64 count, le64 seq, hash, signature */
#define SIGNER_END_ANSWER (STORE_STATE_CHARS + 1 + 8 + 8 + 32 + 64)

struct signer {
    int remote;
    /* the holder of the keys (in-process, or the signer process itself) */
    uint8_t sk[64];
    signer_keys keys;
    int has_keys;
    store *store;
    int own_store;               /* the signer process's read-only store */
    store_config sc;             /* where it opens it (strings owned) */
    int remember;                /* the process remembers every seq it signed */
    int has_fp;                  /* the election's fingerprint, read at the first receipt */
    uint8_t fp[32];
    uint64_t *signed_seqs;
    size_t nsigned, cap;
    pthread_mutex_t lock;        /* one request at a time */
    /* the writer's end of the channel */
    int fd;
    pid_t pid;
};

/* SIGNER_REFUSED, logged with what was refused and why. */
int signer_refuse(signer *g, const char *kind, const char *why);
int signer_core_checkpoint(signer *g, store_tx *tx, uint64_t seq, store_checkpoint *out);
int signer_core_receipt(signer *g, store_tx *tx, box_receipt *r);
int signer_core_archive_end(signer *g, store_tx *tx, signer_end_line *out);
int signer_core_reissue(signer *g, store_tx *tx, const char *request, uint8_t signature[64]);

#endif
