/* GET /aide - help: the questions voters ask the support cell most. */
#include "pages.h"

static const struct {
    msg_id q, a;
} faq[] = {
    { MSG_HELP_NO_LINK_Q, MSG_HELP_NO_LINK_A },
    { MSG_HELP_PASSWORD_REFUSED_Q, MSG_HELP_PASSWORD_REFUSED_A },
    { MSG_HELP_LOST_NOTICE_Q, MSG_HELP_LOST_NOTICE_A },
    { MSG_HELP_WHO_KNOWS_VOTE_Q, MSG_HELP_WHO_KNOWS_VOTE_A },
    { MSG_HELP_CHECK_COUNTED_Q, MSG_HELP_CHECK_COUNTED_A },
    { MSG_HELP_WHO_SEES_WHAT_Q, MSG_HELP_WHO_SEES_WHAT_A },
};

void page_help(http_request *req, http_response *res)
{
    portal_page p = { .title = L(req, MSG_HELP_TITLE) };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    for (size_t i = 0; i < sizeof faq / sizeof faq[0]; i++) {
        html_raw(&h, "<h2>");
        html_text(&h, L(req, faq[i].q));
        html_raw(&h, "</h2><p>");
        html_text(&h, L(req, faq[i].a));
        html_raw(&h, "</p>");
    }
    html_fmt(&h, "<p><a href=\"/donnees-personnelles\">%s</a></p>", L(req, MSG_PD_TITLE));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
