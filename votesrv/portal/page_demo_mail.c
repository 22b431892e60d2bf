/* GET /demo/courrier - the demo's mailbox: the messages the file transport
 * wrote (mail/file.c), newest first, or those to one address (?a=), with
 * their links. Only with the demo's mail.demo_mailbox, which the
 * configuration allows with the file transport alone (never with an SMTP
 * relay, where the page would show live one-time links): else 404. */
#include "pages.h"

#include <stdlib.h>
#include <string.h>
#include "votesrv/server.h"

#define DEMO_MAIL_SHOWN 50

typedef struct {
    html *h;
    http_request *req;
} rows;

static int row(const mail_file_entry *e, void *arg)
{
    html *h = ((rows *)arg)->h;

    html_raw(h, "<tr><td>");
    html_text(h, e->to);
    html_raw(h, "</td><td>");
    html_text(h, e->subject);
    html_raw(h, "</td><td>");
    portal_instant(h, ((rows *)arg)->req, e->time);
    html_raw(h, "</td><td><ul class=\"links\">");
    for (size_t i = 0; i < e->nlinks; i++) {
        html_raw(h, "<li><a href=\"");
        html_text(h, e->links[i]);
        html_raw(h, "\">");
        html_text(h, e->links[i]);
        html_raw(h, "</a></li>");
    }
    html_raw(h, "</ul></td></tr>");
    return 0;
}

void page_demo_mail(http_request *req, http_response *res)
{
    const mail_config *mc = &req->ctx->cfg->mail;
    const char *to = http_query(req, "a");
    portal_page p = { .title = L(req, MSG_DEMO_MAIL_TITLE) };
    portal_input in = { .name = "a", .label = L(req, MSG_DEMO_MAIL_ADDRESS), .type = "email",
                        .autocomplete = "off", .hint = L(req, MSG_DEMO_MAIL_ADDRESS_HINT) };
    html h, body;
    rows r = { &body, req };
    char *text;
    int n;

    if (!mc->demo_mailbox || mc->transport != MAIL_TRANSPORT_FILE) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return;
    }
    if (to != NULL && (to[0] == '\0' || strlen(to) > 254))
        to = NULL;
    in.value = to;
    html_init(&h);
    portal_begin(&h, req, res, &p);
    html_fmt(&h, "<p>%s</p><p>%s <code>", L(req, MSG_DEMO_MAIL_INTRO),
             L(req, MSG_DEMO_MAIL_FOLDER));
    html_text(&h, mc->folder);
    html_raw(&h, "</code></p><form method=\"get\" action=\"/demo/courrier\">");
    portal_field(&h, &in);
    html_fmt(&h, "<p><button type=\"submit\">%s</button></p></form>", L(req, MSG_DEMO_MAIL_SHOW));
    html_init(&body);
    n = mail_folder_list(mc->folder, to, DEMO_MAIL_SHOWN, row, &r);
    text = html_finish(&body);
    if (n <= 0 || text == NULL) {
        portal_notice(&h, "info", L(req, MSG_DEMO_MAIL_NONE));
        free(text);
        portal_end(&h, req, &p);
        portal_send(req, res, &h, 200);
        return;
    }
    html_fmt(&h, "<table class=\"mailbox\"><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "</tr></thead><tbody>",
             L(req, to != NULL ? MSG_DEMO_MAIL_CAPTION_TO : MSG_DEMO_MAIL_CAPTION_LATEST),
             L(req, MSG_DEMO_MAIL_TO), L(req, MSG_DEMO_MAIL_SUBJECT), L(req, MSG_DEMO_MAIL_DATE),
             L(req, MSG_DEMO_MAIL_LINKS));
    html_raw(&h, text);
    free(text);
    html_raw(&h, "</tbody></table>");
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
