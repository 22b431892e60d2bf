/* GET /accessibilite - the accessibility statement (déclaration
 * d'accessibilité) after the official model: compliance status with the rate
 * the manual RGAA 4.1 audit measured, the non-accessible content, how the
 * statement was made, the contact (the election's support cell, from its
 * definition) and the means of redress. The audit's grid is
 * docs/accessibility.md; the counts below are its totals (the browser walk
 * tests/browser/a11y.mjs checks that they agree). */
#include "pages.h"

#define A11Y_COMPLIANT 57
#define A11Y_NONCOMPLIANT 2
#define A11Y_NOT_APPLICABLE 47

static void heading(html *h, http_request *req, int level, msg_id id)
{
    html_fmt(h, "<h%d>%s</h%d>", level, L(req, id), level);
}

static void para(html *h, http_request *req, msg_id id)
{
    html_fmt(h, "<p>%s</p>", L(req, id));
}

static void contact(html *h, http_request *req, const def_election *d)
{
    para(h, req, MSG_A11Y_CONTACT);
    html_fmt(h, "<ul><li>%s<a href=\"mailto:", L(req, MSG_A11Y_EMAIL));
    html_text(h, d->support_email);
    html_raw(h, "\">");
    html_text(h, d->support_email);
    html_raw(h, "</a></li>");
    if (d->support_phone != NULL && d->support_phone[0] != '\0') {
        html_fmt(h, "<li>%s<a href=\"tel:", L(req, MSG_A11Y_PHONE));
        for (const char *c = d->support_phone; *c; c++)        /* tel: digits and '+' */
            if ((*c >= '0' && *c <= '9') || (*c == '+' && c == d->support_phone))
                html_fmt(h, "%c", *c);
        html_raw(h, "\">");
        html_text(h, d->support_phone);
        html_raw(h, "</a></li>");
    }
    html_raw(h, "</ul>");
}

void page_accessibility(http_request *req, http_response *res)
{
    portal_page p = { .title = L(req, MSG_A11Y_TITLE), .nav = req->session != NULL };
    int applicable = A11Y_COMPLIANT + A11Y_NONCOMPLIANT;
    html h;

    html_init(&h);
    portal_begin(&h, req, res, &p);
    if (p.has_def) {
        html_raw(&h, "<p>");
        html_text(&h, p.def.organiser);
        html_fmt(&h, "%s</p><p>%s", L(req, MSG_A11Y_COMMITS), L(req, MSG_A11Y_APPLIES));
        html_text(&h, p.def.name);
        html_raw(&h, ".</p>");
    }
    heading(&h, req, 2, MSG_A11Y_STATE_H);
    para(&h, req, MSG_A11Y_STATE);
    heading(&h, req, 3, MSG_A11Y_RESULTS_H);
    html_raw(&h, "<p>");
    html_fmt(&h, L(req, MSG_A11Y_RESULTS), (A11Y_COMPLIANT * 100 + applicable / 2) / applicable,
             A11Y_COMPLIANT, A11Y_NONCOMPLIANT, applicable, A11Y_NOT_APPLICABLE);
    html_raw(&h, "</p>");
    heading(&h, req, 2, MSG_A11Y_NONACCESSIBLE_H);
    heading(&h, req, 3, MSG_A11Y_NONCOMPLIANT_H);
    html_fmt(&h, "<ul><li>%s</li><li>%s</li></ul>", L(req, MSG_A11Y_NC_LANG),
             L(req, MSG_A11Y_NC_SESSION));
    heading(&h, req, 3, MSG_A11Y_DEROGATIONS_H);
    para(&h, req, MSG_A11Y_NONE);
    heading(&h, req, 3, MSG_A11Y_EXEMPT_H);
    html_fmt(&h, "<ul><li>%s</li></ul>", L(req, MSG_A11Y_EXEMPT_PROFESSIONS));
    heading(&h, req, 3, MSG_A11Y_NOTICE_H);
    para(&h, req, MSG_A11Y_NOTICE);
    heading(&h, req, 2, MSG_A11Y_MADE_H);
    para(&h, req, MSG_A11Y_MADE);
    heading(&h, req, 3, MSG_A11Y_TECH_H);
    para(&h, req, MSG_A11Y_TECH);
    heading(&h, req, 3, MSG_A11Y_ENV_H);
    para(&h, req, MSG_A11Y_ENV);
    heading(&h, req, 3, MSG_A11Y_PAGES_H);
    para(&h, req, MSG_A11Y_PAGES);
    heading(&h, req, 2, MSG_A11Y_CONTACT_H);
    if (p.has_def)
        contact(&h, req, &p.def);
    heading(&h, req, 2, MSG_A11Y_REDRESS_H);
    para(&h, req, MSG_A11Y_REDRESS);
    html_fmt(&h, "<ul><li><a href=\"https://formulaire.defenseurdesdroits.fr/\">%s</a></li>"
             "<li><a href=\"https://www.defenseurdesdroits.fr/saisir/delegues\">%s</a></li>"
             "<li>%s</li></ul>", L(req, MSG_A11Y_REDRESS_FORM),
             L(req, MSG_A11Y_REDRESS_DELEGATE), L(req, MSG_A11Y_REDRESS_POST));
    portal_end(&h, req, &p);
    portal_send(req, res, &h, 200);
}
