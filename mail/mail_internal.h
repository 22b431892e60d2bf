/* mail_internal.h - shared by the files of mail/ only. */
#ifndef VOTESRV_MAIL_INTERNAL_H
#define VOTESRV_MAIL_INTERNAL_H

#include <sodium.h>
#include "mail.h"

/* How long a sender holds the messages it claimed: a node that dies while
 * sending leaves them to another after this time. */
#define MAIL_LEASE_S 600

typedef struct {
    char *subject, *text, *html;
} mail_template;

struct mail_ctx {
    mail_config cfg;
    mail_template t[MAIL_KINDS][2];           /* [kind][0 = fr, 1 = en] */
    uint8_t outbox_key[crypto_secretbox_KEYBYTES];
    mail_transport transport;                 /* NULL: libcurl here */
    void *transport_cls;
};

/* The template with placeholders filled (HTML-escaped if html); NULL if a
 * placeholder has no value. */
char *mail_render(const char *tmpl, const char *const *vars, int html);

/* Base64 (RFC 4648, padded) of len bytes in lines of 76 characters, each
 * CRLF-terminated, as sodium_bin2base64 line by line would write it; into
 * out (MAIL_BASE64_LINES_SIZE(len) bytes, not NUL-terminated). Its length. */
#define MAIL_BASE64_LINES_SIZE(len) (((len) + 2) / 3 * 4 + ((len) + 56) / 57 * 2)
size_t mail_base64_lines(char *out, const void *data, size_t len);

#endif
