/*
 * theme.h - the portal's look, chosen in the configuration ("portal":
 * {"theme": "neutral" | "dsfr"}): the class names and wrappers that the
 * layout and the shared helpers (portal.c) put around one and the same
 * markup. "neutral" (the default) is votesrv's own style sheet; "dsfr" is the
 * Système de Design de l'État (npm @gouvfr/dsfr, pinned), whose Marianne logo
 * and font are reserved to State services (docs/deployment.md, "The portal's
 * theme"). Both are served from the assets folder under the same CSP.
 */
#ifndef VOTESRV_THEME_H
#define VOTESRV_THEME_H

enum { PORTAL_THEME_NEUTRAL, PORTAL_THEME_DSFR, PORTAL_THEMES };

/* Each string is markup or a class list; "" where the theme has none. */
typedef struct {
    const char *name;
    const char *head;            /* the style sheets' <link>s */
    /* skip links: before the first, between two, after the last; the class
     * of each link; whether the menu and the footer have one too */
    const char *skip_open, *skip_sep, *skip_close, *skip_link;
    int skip_all;
    /* header: opening up to the brand, the brand's two lines, the tools
     * (language switch), the menu's wrapper, the menu's classes */
    const char *header_open;
    const char *brand_open, *brand, *brand_close, *organiser;
    const char *tools_open, *lang, *tools_close;
    const char *menu_open, *menu_close, *nav, *nav_list, *nav_item, *nav_link, *nav_button;
    const char *header_close, *main;
    /* footer: opening, its title's and text's classes, the list of links
     * (opening, each item's opening and closing, each link's class), closing */
    const char *footer_open, *footer_title, *footer_text, *footer_links_open, *footer_item_open,
        *footer_item_close, *footer_link, *footer_links_close, *footer_close;
    /* fields: the group (and when in error), label, hint, error, input; a
     * menu's group and its select */
    const char *field, *field_invalid, *label, *hint, *error, *input, *input_invalid;
    const char *select_field, *select_field_invalid, *select, *select_invalid;
    /* message boxes by kind: error, ok, info */
    const char *notice_error, *notice_ok, *notice_info;
} portal_theme;

/* The theme of that name, or -1. */
int portal_theme_find(const char *name);
/* Whether /static/ serves the file name with this theme: the DSFR's files
 * (dsfr*, marianne-*, portal-dsfr.css) only with the dsfr theme. */
int portal_theme_serves(int id, const char *name);
/* The theme by its number (PORTAL_THEME_*); the neutral one if out of range. */
const portal_theme *portal_theme_get(int id);

#endif
