/* GET /plan-du-site - every page of the portal, grouped (RGAA 12.1: a second
 * way to find a page besides the menu; linked from every page's footer). */
#include "pages.h"

typedef struct {
    const char *path;
    msg_id label;
} entry;

static const entry public_pages[] = {
    { "/", MSG_PORTAL_HOME },
    { "/urne", MSG_PORTAL_PUBLIC_BALLOT_BOX },
    { "/resultats", MSG_PORTAL_RESULTS },
    { "/aide", MSG_PORTAL_HELP_FREQUENT_QUESTIONS },
    { "/accessibilite", MSG_A11Y_TITLE },
    { "/donnees-personnelles", MSG_PD_TITLE },
};
static const entry account_pages[] = {
    { "/acces", MSG_PORTAL_GET_ACCESS_LINK },
    { "/connexion", MSG_PORTAL_LOG_IN },
    { "/mot-de-passe-oublie", MSG_ACCESS_FORGOTTEN_REFUSED_PASSWORD },
};
static const entry voter_pages[] = {
    { "/espace", MSG_PORTAL_MY_VOTING_SPACE },
    { "/compte", MSG_PORTAL_MY_ACCOUNT },
    { "/code", MSG_SPACE_I_LOST_MY_NOTICE },
};

static void group(html *h, http_request *req, msg_id title, const entry *e, size_t n)
{
    html_fmt(h, "<h2>%s</h2><ul>", L(req, title));
    for (size_t i = 0; i < n; i++)
        html_fmt(h, "<li><a href=\"%s\">%s</a></li>", e[i].path, L(req, e[i].label));
    html_raw(h, "</ul>");
}

void page_sitemap(http_request *req, http_response *res)
{
    portal_page p = { .title = L(req, MSG_A11Y_SITEMAP), .nav = req->session != NULL };
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    html_fmt(&h, "<p>%s</p>", L(req, MSG_A11Y_SITEMAP_INTRO));
    group(&h, req, MSG_A11Y_SITEMAP_PUBLIC, public_pages,
          sizeof public_pages / sizeof *public_pages);
    group(&h, req, MSG_A11Y_SITEMAP_ACCOUNT, account_pages,
          sizeof account_pages / sizeof *account_pages);
    group(&h, req, MSG_A11Y_SITEMAP_VOTERS, voter_pages, sizeof voter_pages / sizeof *voter_pages);
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
