/* smtp.c - one message through the configured relay with libcurl. */
#include "mail_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *data;
    size_t len, off;
} upload;

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    size_t take = size * n;

    if (take > u->len - u->off)
        take = u->len - u->off;
    memcpy(buf, u->data + u->off, take);
    u->off += take;
    return take;
}

/* The address inside "Name <address>", or the whole string. */
void mail_envelope_from(char out[MAIL_ENVELOPE_CHARS], const char *from)
{
    const char *lt = strchr(from, '<');

    if (lt == NULL)
        snprintf(out, MAIL_ENVELOPE_CHARS, "<%s>", from);
    else
        snprintf(out, MAIL_ENVELOPE_CHARS, "%.*s", (int)strcspn(lt, ">") + 1, lt);
}

int mail_smtp_send(CURL *c, const mail_ctx *m, const char *rcpt_to, const uint8_t *msg,
                   size_t len, char *err, size_t errlen)
{
    char from[MAIL_ENVELOPE_CHARS];

    mail_envelope_from(from, m->cfg.from);
    return mail_smtp_deliver(c, &m->cfg, from, rcpt_to, msg, len, err, errlen);
}

/* 0 delivered; 1 temporary failure; 2 permanent (the relay refused for good). */
int mail_smtp_deliver(CURL *c, const mail_config *mc, const char *from, const char *rcpt_to,
                      const uint8_t *msg, size_t len, char *err, size_t errlen)
{
    struct curl_slist *rcpt;
    char to[MAIL_ENVELOPE_CHARS];
    upload u = { (const char *)msg, len, 0 };
    long code = 0;
    CURLcode rc;

    snprintf(to, sizeof to, "<%s>", rcpt_to);
    rcpt = curl_slist_append(NULL, to);
    curl_easy_setopt(c, CURLOPT_URL, mc->relay);
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(mc->starttls ? CURLUSESSL_ALL
                                                             : CURLUSESSL_NONE));
    if (mc->ca_blob != NULL) {
        struct curl_blob blob = { (void *)mc->ca_blob, mc->ca_blob_len, CURL_BLOB_NOCOPY };

        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
        curl_easy_setopt(c, CURLOPT_CAINFO, NULL);      /* no file besides */
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    } else if (mc->ca_file[0]) {
        curl_easy_setopt(c, CURLOPT_CAINFO, mc->ca_file);
    }
    if (mc->username[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, mc->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, mc->password);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)mc->timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)mc->timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK)
        return 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
    /* The relay refusing this message (5xx) is final for it; our own login being
     * refused is a configuration problem, retried like a network failure. */
    if (rc == CURLE_LOGIN_DENIED)
        return 1;
    return code >= 500 && code < 600 ? 2 : 1;
}

