/* theme.c - the portal's two looks: votesrv's neutral one and the State's
 * design system (DSFR), as class names and wrappers of the same markup. */
#include "theme.h"

#include <string.h>

/* The SHA-384 of build/portal/dsfr.min.css (the Makefile's portal-dsfr
 * target checks it): a style sheet that is not the one built from the pinned
 * @gouvfr/dsfr is refused by the browser. */
#define PORTAL_DSFR_CSS_SRI "sha384-eExZPw3B5K1sAQEBwPgedUHon2vU85vyo4Rm6Y2yTUY0dS4DIlkgWVV96tJAVCvl"

#define DSFR_LOGO "<p class=\"fr-logo\">République<br>Française</p>"

static const portal_theme themes[PORTAL_THEMES] = {
    [PORTAL_THEME_NEUTRAL] = {
        .name = "neutral",
        .head = "<link rel=\"stylesheet\" href=\"/static/portal.css\">",
        .skip_open = "", .skip_sep = "", .skip_close = "", .skip_link = "skip", .skip_all = 0,
        .header_open = "<header>",
        .brand_open = "", .brand = "brand", .brand_close = "", .organiser = "organiser",
        .tools_open = "", .lang = "lang", .tools_close = "",
        .menu_open = "", .menu_close = "", .nav = "", .nav_list = "", .nav_item = "",
        .nav_link = "", .nav_button = "link",
        .header_close = "</header>", .main = "",
        .footer_open = "<footer id=\"pied\">", .footer_title = "", .footer_text = "",
        .footer_links_open = "<p>", .footer_item_open = "", .footer_item_close = "",
        .footer_link = "", .footer_links_close = "</p>", .footer_close = "</footer>",
        .field = "field", .field_invalid = "field invalid", .label = "", .hint = "hint",
        .error = "error", .input = "", .input_invalid = "",
        .select_field = "field", .select_field_invalid = "field invalid", .select = "",
        .select_invalid = "",
        .notice_error = "notice error", .notice_ok = "notice ok", .notice_info = "notice info",
    },
    [PORTAL_THEME_DSFR] = {
        .name = "dsfr",
        .head = "<link rel=\"stylesheet\" href=\"/static/dsfr.min.css\" integrity=\""
                PORTAL_DSFR_CSS_SRI "\"><link rel=\"stylesheet\" href=\"/static/portal-dsfr.css\">",
        .skip_open = "<div class=\"fr-skiplinks\"><ul class=\"fr-container fr-skiplinks__list\"><li>",
        .skip_sep = "</li><li>", .skip_close = "</li></ul></div>", .skip_link = "fr-link",
        .skip_all = 1,
        .header_open = "<header class=\"fr-header\"><div class=\"fr-header__body\">"
                       "<div class=\"fr-container\"><div class=\"fr-header__body-row\">"
                       "<div class=\"fr-header__brand fr-enlarge-link\">"
                       "<div class=\"fr-header__brand-top\"><div class=\"fr-header__logo\">"
                       DSFR_LOGO "</div></div>",
        .brand_open = "<div class=\"fr-header__service\"><a href=\"/\">",
        .brand = "fr-header__service-title", .brand_close = "</a>",
        .organiser = "fr-header__service-tagline",
        .tools_open = "</div></div><div class=\"fr-header__tools\"><div class=\"fr-header__tools-links\">"
                      "<ul class=\"fr-btns-group\"><li>",
        .lang = "fr-btn fr-btn--tertiary-no-outline",
        .tools_close = "</li></ul></div></div></div></div></div>",
        .menu_open = "<div class=\"fr-header__menu\"><div class=\"fr-container\">",
        .menu_close = "</div></div>",
        .nav = "fr-nav", .nav_list = "fr-nav__list", .nav_item = "fr-nav__item",
        .nav_link = "fr-nav__link", .nav_button = "fr-nav__link",
        .header_close = "</header>", .main = "fr-container fr-pb-6w",
        .footer_open = "<footer class=\"fr-footer\" id=\"pied\"><div class=\"fr-container\">"
                       "<div class=\"fr-footer__body\"><div class=\"fr-footer__brand\">"
                       DSFR_LOGO "</div><div class=\"fr-footer__content\">",
        .footer_title = "fr-h6", .footer_text = "fr-footer__content-desc",
        .footer_links_open = "<ul class=\"fr-footer__content-list\">",
        .footer_item_open = "<li class=\"fr-footer__content-item\">", .footer_item_close = "</li>",
        .footer_link = "fr-footer__content-link", .footer_links_close = "</ul>",
        .footer_close = "</div></div></div></footer>",
        .field = "fr-input-group", .field_invalid = "fr-input-group fr-input-group--error",
        .label = "fr-label", .hint = "fr-hint-text", .error = "fr-error-text",
        .input = "fr-input", .input_invalid = "fr-input fr-input--error",
        .select_field = "fr-select-group",
        .select_field_invalid = "fr-select-group fr-select-group--error",
        .select = "fr-select", .select_invalid = "fr-select fr-select--error",
        .notice_error = "fr-alert fr-alert--error fr-alert--sm",
        .notice_ok = "fr-alert fr-alert--success fr-alert--sm",
        .notice_info = "fr-alert fr-alert--info fr-alert--sm",
    },
};

int portal_theme_find(const char *name)
{
    for (int i = 0; i < PORTAL_THEMES; i++)
        if (strcmp(themes[i].name, name) == 0)
            return i;
    return -1;
}

const portal_theme *portal_theme_get(int id)
{
    return &themes[id >= 0 && id < PORTAL_THEMES ? id : PORTAL_THEME_NEUTRAL];
}

int portal_theme_serves(int id, const char *name)
{
    static const char *const dsfr[] = { "dsfr", "marianne-", "portal-dsfr." };

    for (size_t i = 0; i < sizeof dsfr / sizeof *dsfr; i++)
        if (strncmp(name, dsfr[i], strlen(dsfr[i])) == 0)
            return id == PORTAL_THEME_DSFR;
    return 1;
}
