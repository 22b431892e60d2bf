/*
 * code.h - vote codes as people read and type them.
 *
 * 27 random symbols of Crockford's base32 (0-9 and A-Z without I, L, O, U:
 * 135 bits) and a check symbol, a weighted sum over GF(32), which catches every
 * single wrong symbol and every swap of two different symbols before anything
 * is sent (docs/protocol.md section 7). Shown as 7
 * groups of 4: "7K2M-9QXD-..."; entry ignores case, spaces, dashes, dots and
 * underscores, and reads O as 0 and I, L as 1.
 */
#ifndef VOTESRV_CODE_H
#define VOTESRV_CODE_H

#include <stddef.h>
#include "crypto/hex.h"

#define CODE_SYMBOLS 28                       /* 27 random + 1 check */
#define CODE_RANDOM_SYMBOLS 27
#define CODE_GROUP 4
#define CODE_DISPLAY_CHARS (CODE_SYMBOLS + CODE_SYMBOLS / CODE_GROUP - 1)

typedef enum { CODE_OK = 0, CODE_BAD_FORM = -1, CODE_TYPO = -2 } code_status;

/* A fresh code in canonical form (CODE_SYMBOLS upper-case symbols). */
void code_new(char out[CODE_SYMBOLS + 1]);
/* Canonical form of what a person typed: CODE_OK, CODE_BAD_FORM (length or a
 * symbol outside the alphabet) or CODE_TYPO (the check symbol disagrees). */
MUST_CHECK
code_status code_parse(char out[CODE_SYMBOLS + 1], const char *typed);
/* "XXXX-XXXX-..." from the canonical form. */
void code_display(char out[CODE_DISPLAY_CHARS + 1], const char canonical[CODE_SYMBOLS + 1]);

/* The election fingerprint's short form (docs/protocol.md section 12): the
 * first 100 bits of fp, most significant bit first, as 20 symbols of the same
 * alphabet in 5 groups of 4: "XXXX-XXXX-XXXX-XXXX-XXXX". Printed on the notice
 * and shown by the vote page, which computes it itself; a voter compares the
 * two. */
#define CODE_FP_SYMBOLS 20
#define CODE_FP_CHARS (CODE_FP_SYMBOLS + CODE_FP_SYMBOLS / CODE_GROUP - 1)
void code_fingerprint_text(char out[CODE_FP_CHARS + 1], const unsigned char fp[32]);

#endif
