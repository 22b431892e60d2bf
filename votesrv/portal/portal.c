/* portal.c - what every page of the portal shares. */
#include "portal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "access/access.h"
#include "crypto/secret.h"
#include "election/election.h"
#include "votesrv/api.h"
#include "theme.h"

/* The request's theme (the configuration's). */
static const portal_theme *theme(const http_request *req)
{
    return portal_theme_get(req->ctx->cfg->portal_theme);
}

/* ' class="c"', or nothing for "". */
static void cls(html *h, const char *c)
{
    if (c[0] != '\0')
        html_fmt(h, " class=\"%s\"", c);
}

/* The page's own path, for the language switch (the query is dropped unless
 * the page gives its address: self). */
static void lang_switch(html *h, http_request *req, const char *self)
{
    const char *other = req->lang == LANG_EN ? "fr" : "en";

    html_raw(h, "<a");
    cls(h, theme(req)->lang);
    html_raw(h, " href=\"");
    html_text(h, self != NULL ? self : req->path);
    html_fmt(h, "%slang=%s\"", self != NULL && strchr(self, '?') != NULL ? "&amp;" : "?", other);
    html_fmt(h, " lang=\"%s\" hreflang=\"%s\">%s</a>", other, other,
             req->lang == LANG_EN ? "Français" : "English");
}

/* A menu item: a link, marked as the current page when it is. */
static void nav_link(html *h, http_request *req, const char *href, int msg)
{
    const portal_theme *t = theme(req);

    html_raw(h, "<li");
    cls(h, t->nav_item);
    html_raw(h, "><a");
    cls(h, t->nav_link);
    html_fmt(h, " href=\"%s\"%s>%s</a></li>", href,
             strcmp(req->path, href) == 0 ? " aria-current=\"page\"" : "", L(req, (msg_id)msg));
}

static void nav_open(html *h, http_request *req, int label)
{
    const portal_theme *t = theme(req);

    html_raw(h, t->menu_open);
    html_raw(h, "<nav");
    cls(h, t->nav);
    html_fmt(h, " id=\"menu\" aria-label=\"%s\"><ul", L(req, (msg_id)label));
    cls(h, t->nav_list);
    html_raw(h, ">");
}

/* The log-out button, as a menu item. */
static void nav_logout(html *h, http_request *req, http_response *res, const char *action)
{
    const portal_theme *t = theme(req);

    html_raw(h, "<li");
    cls(h, t->nav_item);
    html_fmt(h, "><form method=\"post\" action=\"%s\">", action);
    portal_csrf_field(h, req, res);
    html_raw(h, "<button type=\"submit\"");
    cls(h, t->nav_button);
    html_fmt(h, ">%s</button></form></li>", L(req, MSG_PORTAL_LOG_OUT));
}

static void nav_close(html *h, http_request *req)
{
    html_raw(h, "</ul></nav>");
    html_raw(h, theme(req)->menu_close);
}

/* The consoles' menu: the staff member's own console and logging out. */
static void staff_nav(html *h, http_request *req, http_response *res, const staff_member *who)
{
    const portal_theme *t = theme(req);

    nav_open(h, req, MSG_PORTAL_CONSOLE_MENU);
    if (strcmp(who->role, STAFF_ROLE_SUPPORT) == 0)
        nav_link(h, req, "/gestion/assistance", MSG_PORTAL_FIND_VOTER);
    else
        nav_link(h, req, "/gestion/bureau", MSG_PORTAL_DASHBOARD);
    if (strcmp(who->role, STAFF_ROLE_AUDITOR) == 0)
        nav_link(h, req, "/gestion/journal", MSG_AUDIT_TITLE);
    html_raw(h, "<li");
    cls(h, t->nav_item);
    html_raw(h, "><span");
    cls(h, t->nav_link);
    html_raw(h, ">");
    html_text(h, who->login);
    html_raw(h, "</span></li>");
    nav_logout(h, req, res, "/gestion/deconnexion");
    nav_close(h, req);
}

static void nav(html *h, http_request *req, http_response *res, int voter)
{
    nav_open(h, req, MSG_PORTAL_MAIN_MENU);
    if (voter) {
        nav_link(h, req, "/espace", MSG_PORTAL_MY_VOTING_SPACE);
        nav_link(h, req, "/compte", MSG_PORTAL_MY_ACCOUNT);
        nav_link(h, req, "/urne", MSG_PORTAL_PUBLIC_BALLOT_BOX);
        nav_logout(h, req, res, "/deconnexion");
    } else {
        nav_link(h, req, "/", MSG_PORTAL_HOME);
        nav_link(h, req, "/connexion", MSG_PORTAL_LOG_IN);
        nav_link(h, req, "/acces", MSG_PORTAL_GET_ACCESS_LINK);
        nav_link(h, req, "/urne", MSG_PORTAL_PUBLIC_BALLOT_BOX);
    }
    nav_link(h, req, "/resultats", MSG_PORTAL_RESULTS);
    nav_close(h, req);
}

/* A link with the theme's class c. */
static void link_to(html *h, const char *c, const char *href, const char *text)
{
    html_raw(h, "<a");
    cls(h, c);
    html_fmt(h, " href=\"%s\">%s</a>", href, text);
}

/* Skip links: to the content, and with some themes to the menu and the footer. */
static void skip_links(html *h, http_request *req)
{
    const portal_theme *t = theme(req);

    html_raw(h, t->skip_open);
    link_to(h, t->skip_link, "#contenu", L(req, MSG_PORTAL_SKIP_CONTENT));
    if (t->skip_all) {
        html_raw(h, t->skip_sep);
        link_to(h, t->skip_link, "#menu", L(req, MSG_THEME_SKIP_MENU));
        html_raw(h, t->skip_sep);
        link_to(h, t->skip_link, "#pied", L(req, MSG_THEME_SKIP_FOOTER));
    }
    html_raw(h, t->skip_close);
}

void portal_begin(html *h, http_request *req, http_response *res, portal_page *p)
{
    char err[DEF_ERR_CHARS];
    const def_election *d = &p->def;
    const portal_theme *t = theme(req);
    int has_def = p->has_def =
        election_definition(req->ctx->store, &p->def, err, sizeof err) == 0;

    h->theme = req->ctx->cfg->portal_theme;
    html_fmt(h, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>", req->lang == LANG_EN ? "en" : "fr");
    html_text(h, p->title);
    html_raw(h, " — ");
    html_text(h, has_def ? d->name : L(req, MSG_PORTAL_ONLINE_VOTING));
    html_raw(h, "</title><link rel=\"icon\" href=\"data:,\">");
    html_raw(h, t->head);
    if (p->style != NULL)
        html_fmt(h, "<link rel=\"stylesheet\" href=\"/static/%s\">", p->style);
    if (p->script != NULL)
        html_fmt(h, "<script type=\"module\" src=\"/static/%s\"></script>", p->script);
    html_raw(h, "</head><body>");
    skip_links(h, req);
    html_raw(h, t->header_open);
    html_raw(h, t->brand_open);
    html_raw(h, "<p");
    cls(h, t->brand);
    html_raw(h, ">");
    html_text(h, has_def ? d->name : L(req, MSG_PORTAL_ONLINE_VOTING));
    html_raw(h, "</p>");
    html_raw(h, t->brand_close);
    if (has_def) {
        html_raw(h, "<p");
        cls(h, t->organiser);
        html_raw(h, ">");
        html_text(h, d->organiser);
        html_raw(h, "</p>");
    }
    html_raw(h, t->tools_open);
    lang_switch(h, req, p->self);
    html_raw(h, t->tools_close);
    if (p->staff != NULL)
        staff_nav(h, req, res, p->staff);
    else
        nav(h, req, res, p->nav);
    html_raw(h, t->header_close);
    html_raw(h, "<main id=\"contenu\" tabindex=\"-1\"");
    cls(h, t->main);
    html_raw(h, "><h1>");
    html_text(h, p->title);
    html_raw(h, "</h1>");
}

const char *portal_scrutin_title(const portal_page *p, const char *id)
{
    const def_scrutin *s = p->has_def && id != NULL ? def_scrutin_find(&p->def, id) : NULL;

    return s != NULL ? s->title : id != NULL ? id : "";
}

/* A link in the footer's list. */
static void footer_link(html *h, const portal_theme *t, const char *href, const char *text)
{
    html_raw(h, t->footer_item_open);
    link_to(h, t->footer_link, href, text);
    html_raw(h, t->footer_item_close);
}

void portal_end(html *h, http_request *req, portal_page *p)
{
    const def_election *d = &p->def;
    const portal_theme *t = theme(req);

    html_raw(h, "</main>");
    html_raw(h, t->footer_open);
    html_raw(h, "<h2");
    cls(h, t->footer_title);
    html_fmt(h, ">%s</h2><p", L(req, MSG_PORTAL_NEED_HELP));
    cls(h, t->footer_text);
    html_raw(h, ">");
    if (p->has_def) {
        html_raw(h, L(req, MSG_PORTAL_SUPPORT_CELL));
        html_raw(h, "<a href=\"mailto:");
        html_text(h, d->support_email);
        html_raw(h, "\">");
        html_text(h, d->support_email);
        html_raw(h, "</a>");
        if (d->support_phone != NULL) {
            html_raw(h, " — <a href=\"tel:");
            for (const char *c = d->support_phone; *c; c++)   /* digits and a leading + */
                if ((*c >= '0' && *c <= '9') || (*c == '+' && c == d->support_phone))
                    html_fmt(h, "%c", *c);
            html_raw(h, "\">");
            html_text(h, d->support_phone);
            html_raw(h, "</a>");
        }
        def_free(&p->def);
        p->has_def = 0;
    }
    html_raw(h, "</p><p");
    cls(h, t->footer_text);
    html_fmt(h, ">%s</p>", L(req, MSG_A11Y_FOOTER_LINKS));
    html_raw(h, t->footer_links_open);
    footer_link(h, t, "/aide", L(req, MSG_PORTAL_HELP_FREQUENT_QUESTIONS));
    footer_link(h, t, "/donnees-personnelles", L(req, MSG_PD_TITLE));
    html_raw(h, t->footer_links_close);
    html_raw(h, t->footer_close);
    html_raw(h, "</body></html>\n");
}

/* A refusal's page says so first in its title ("Erreur : Connexion — ..."),
 * which is what a screen reader announces and a tab shows. */
static void title_error(http_request *req, html *h)
{
    const char *word = L(req, MSG_PORTAL_ERROR);
    char *t = h->buf != NULL ? strstr(h->buf, "<title>") : NULL;
    html out;
    size_t at;

    if (t == NULL || strncmp(t + 7, word, strlen(word)) == 0)
        return;
    at = (size_t)(t - h->buf) + 7;
    html_init(&out);
    html_fmt(&out, "%.*s", (int)at, h->buf);
    html_text(&out, word);
    html_raw(&out, " : ");
    html_raw(&out, h->buf + at);
    if (out.oom) {
        html_free(&out);
        h->oom = 1;
        return;
    }
    html_free(h);
    *h = out;
}

void portal_send(http_request *req, http_response *res, html *h, int status)
{
    if (status >= 400)
        title_error(req, h);
    res->text = html_finish(h);
    if (res->text == NULL) {
        http_answer_internal(req, res);
        return;
    }
    res->status = status ? status : 200;
    res->content_type = "text/html; charset=utf-8";
}

void portal_page_error(http_request *req, http_response *res, int status, int msg)
{
    portal_page p = { .title = L(req, MSG_PORTAL_ERROR) };
    html h;

    html_init(&h);
    req->is_page = 0;                   /* no recursion if the layout fails */
    portal_begin(&h, req, res, &p);
    portal_notice(&h, "error", L(req, (msg_id)msg));
    html_fmt(&h, "<p><a href=\"/\">%s</a></p>", L(req, MSG_PORTAL_BACK_HOME));
    portal_end(&h, req, &p);
    req->is_page = 1;
    json_decref(res->json);
    res->json = NULL;
    free(res->text);
    res->text = html_finish(&h);
    if (res->text == NULL) {            /* out of memory: a bare 500, as http.c sends */
        res->status = 500;
        return;
    }
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
}

/* CSRF: a random cookie (HttpOnly, SameSite=Strict) and, in each form, its
 * keyed hash; a forged page can read neither. */
void portal_csrf_token(char out[PORTAL_CSRF_CHARS + 1], const http_ctx *ctx, const char *cookie)
{
    uint8_t mac[SECRET_HASH_BYTES];

    secret_keyed_hash(mac, ctx->csrf_key, cookie, strlen(cookie));
    sodium_bin2hex(out, PORTAL_CSRF_CHARS + 1, mac, sizeof mac);
}

static int cookie_ok(const char *c)
{
    return c != NULL && strlen(c) == SECRET_TOKEN_CHARS &&
           strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               SECRET_TOKEN_CHARS;
}

/* The CSRF cookie this response already sets, if any. */
static const char *cookie_set_here(const http_response *res)
{
    static const char name[] = PORTAL_CSRF_COOKIE "=";

    for (size_t i = 0; i < HTTP_COOKIES; i++)
        if (strncmp(res->set_cookie[i], name, sizeof name - 1) == 0)
            return res->set_cookie[i] + sizeof name - 1;
    return NULL;
}

void portal_csrf_field(html *h, http_request *req, http_response *res)
{
    char value[SECRET_TOKEN_CHARS + 1], token[PORTAL_CSRF_CHARS + 1];
    const char *cookie = http_cookie(req, PORTAL_CSRF_COOKIE), *set = cookie_set_here(res);

    if (set != NULL) {                  /* a second form on the same page */
        snprintf(value, sizeof value, "%.*s", SECRET_TOKEN_CHARS, set);
        cookie = value;
    } else if (!cookie_ok(cookie)) {
        secret_token_new(value);
        http_cookie_set(res, PORTAL_CSRF_COOKIE "=%s; Path=/; HttpOnly; Secure; SameSite=Strict",
                        value);
        cookie = value;
    }
    portal_csrf_token(token, req->ctx, cookie);
    html_fmt(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", token);
}

/* An Origin header, when the browser sends one, names this site. */
static int same_origin(http_request *req)
{
    const char *origin = http_header(req, "Origin"), *host = http_header(req, "Host");
    const char *site = http_header(req, "Sec-Fetch-Site"), *o;

    if (site != NULL && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return 0;
    if (origin == NULL)
        return 1;
    if (host == NULL)
        return 0;
    o = strncmp(origin, "https://", 8) == 0 ? origin + 8
        : strncmp(origin, "http://", 7) == 0 ? origin + 7 : NULL;
    return o != NULL && strcasecmp(o, host) == 0;
}

int portal_csrf_check(http_request *req, http_response *res)
{
    const char *cookie = http_cookie(req, PORTAL_CSRF_COOKIE);
    const char *sent = http_form_get(req, "csrf", NULL);
    char token[PORTAL_CSRF_CHARS + 1];

    if (cookie_ok(cookie) && sent != NULL && strlen(sent) == PORTAL_CSRF_CHARS &&
        same_origin(req)) {
        portal_csrf_token(token, req->ctx, cookie);
        if (secret_equal(token, sent, PORTAL_CSRF_CHARS))
            return 0;
    }
    http_error(req, res, 403, MSG_FORM_EXPIRED);
    return -1;
}

int portal_voter_or_none(http_request *req, int64_t *voter)
{
    access_result r;

    return req->session != NULL &&
           access_session(req->ctx->access, req->session, api_now(), voter, &r) == ACCESS_OK
           ? 0 : -1;
}

int portal_voter(http_request *req, http_response *res, int64_t *voter)
{
    if (portal_voter_or_none(req, voter) == 0)
        return 0;
    http_redirect(res, "/connexion");
    return -1;
}

static void field_out(html *h, const portal_input *in, int invalid)
{
    const portal_theme *t = portal_theme_get(h->theme);

    html_raw(h, "<div");
    cls(h, in->err ? t->field_invalid : t->field);
    html_fmt(h, "><label for=\"f-%s\"", in->name);
    cls(h, t->label);
    html_raw(h, ">");
    html_text(h, in->label);
    html_raw(h, "</label>");
    if (in->hint != NULL) {
        html_raw(h, "<p");
        cls(h, t->hint);
        html_fmt(h, " id=\"f-%s-hint\">", in->name);
        html_text(h, in->hint);
        html_raw(h, "</p>");
    }
    if (in->err != NULL) {
        html_raw(h, "<p");
        cls(h, t->error);
        html_fmt(h, " id=\"f-%s-err\">", in->name);
        html_text(h, in->err);
        html_raw(h, "</p>");
    }
    html_fmt(h, "<input id=\"f-%s\" name=\"%s\" type=\"%s\"", in->name, in->name, in->type);
    cls(h, in->err ? t->input_invalid : t->input);
    if (in->autocomplete != NULL)
        html_fmt(h, " autocomplete=\"%s\"", in->autocomplete);
    if (in->required)
        html_raw(h, " required");
    if (in->err != NULL || invalid)
        html_raw(h, " aria-invalid=\"true\"");
    if (in->hint != NULL || in->err != NULL) {
        html_raw(h, " aria-describedby=\"");
        if (in->hint != NULL)
            html_fmt(h, "f-%s-hint", in->name);
        if (in->err != NULL)
            html_fmt(h, "%sf-%s-err", in->hint != NULL ? " " : "", in->name);
        html_raw(h, "\"");
    }
    if (in->value != NULL) {
        html_raw(h, " value=\"");
        html_text(h, in->value);
        html_raw(h, "\"");
    }
    html_raw(h, "></div>");
}

void portal_field(html *h, const portal_input *in)
{
    field_out(h, in, 0);
}

void portal_field_refused(html *h, const portal_input *in)
{
    field_out(h, in, 1);
}

void portal_notice(html *h, const char *kind, const char *text)
{
    const portal_theme *t = portal_theme_get(h->theme);
    int error = strcmp(kind, "error") == 0;

    html_fmt(h, "<div class=\"%s\" role=\"%s\"><p>",
             error ? t->notice_error : strcmp(kind, "ok") == 0 ? t->notice_ok : t->notice_info,
             error ? "alert" : "status");
    html_text(h, text);
    html_raw(h, "</p></div>");
}

const char *portal_access_message(http_request *req, int rc, int code)
{
    int status;

    if (rc != ACCESS_REFUSED)
        return L(req, MSG_UNAVAILABLE);
    return L(req, api_access_msg(code, &status));
}

const char *portal_form(http_request *req, const char *name, size_t max)
{
    size_t len;
    const char *v = http_form_get(req, name, &len);

    return v != NULL && len <= max ? v : NULL;
}

void portal_instant_text(char out[PORTAL_INSTANT_CHARS], const http_request *req, int64_t t)
{
    static const char *const fr[] = { "janvier", "février", "mars", "avril", "mai", "juin",
                                      "juillet", "août", "septembre", "octobre", "novembre",
                                      "décembre" };
    static const char *const en[] = { "January", "February", "March", "April", "May", "June",
                                      "July", "August", "September", "October", "November",
                                      "December" };
    time_t tt = (time_t)t;
    struct tm loc;

    localtime_r(&tt, &loc);
    if (req->lang == LANG_EN)
        snprintf(out, PORTAL_INSTANT_CHARS, "%s %d, %d, %02d:%02d", en[loc.tm_mon], loc.tm_mday,
                 loc.tm_year + 1900, loc.tm_hour, loc.tm_min);
    else
        snprintf(out, PORTAL_INSTANT_CHARS, "%d %s %d à %02d:%02d", loc.tm_mday, fr[loc.tm_mon],
                 loc.tm_year + 1900, loc.tm_hour, loc.tm_min);
}

void portal_instant(html *h, http_request *req, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm utc;
    char iso[40], text[PORTAL_INSTANT_CHARS];

    gmtime_r(&tt, &utc);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &utc);
    portal_instant_text(text, req, t);
    html_fmt(h, "<time datetime=\"%s\">%s</time>", iso, text);
}

void portal_defi_select(html *h, http_request *req, int sel, const char *err)
{
    const char *lang = req->lang == LANG_EN ? "en" : "fr";
    const portal_theme *t = portal_theme_get(h->theme);

    html_raw(h, "<div");
    cls(h, err ? t->select_field_invalid : t->select_field);
    html_raw(h, "><label for=\"f-defi_question\"");
    cls(h, t->label);
    html_fmt(h, ">%s</label><p", L(req, MSG_PORTAL_CHALLENGE_QUESTION));
    cls(h, t->hint);
    html_fmt(h, " id=\"f-defi_question-hint\">%s</p>", L(req, MSG_PORTAL_ASKED_IF_LOSE_NOTICE));
    if (err != NULL) {
        html_raw(h, "<p");
        cls(h, t->error);
        html_raw(h, " id=\"f-defi_question-err\">");
        html_text(h, err);
        html_raw(h, "</p>");
    }
    html_raw(h, "<select");
    cls(h, err ? t->select_invalid : t->select);
    html_fmt(h, " id=\"f-defi_question\" name=\"defi_question\" required "
                "aria-describedby=\"f-defi_question-hint%s\"%s><option value=\"\">%s</option>",
             err ? " f-defi_question-err" : "", err ? " aria-invalid=\"true\"" : "",
             L(req, MSG_PORTAL_CHOOSE));
    for (size_t i = 0; i < access_defi_count(); i++) {
        int id = access_defi_id(i);

        html_fmt(h, "<option value=\"%d\"%s>", id, id == sel ? " selected" : "");
        html_text(h, access_defi_question((size_t)id, lang));
        html_raw(h, "</option>");
    }
    html_raw(h, "</select></div>");
}

int portal_defi_question(http_request *req)
{
    const char *q = portal_form(req, "defi_question", 4);
    char *end;
    long n;

    if (q == NULL || q[0] == '\0')
        return -1;
    n = strtol(q, &end, 10);
    return *end == '\0' && n >= 0 && n < ACCESS_DEFI_MAX && access_defi_offered((int)n) ? (int)n
                                                                                          : -1;
}

const char *portal_link_token(const char *t)
{
    return t != NULL && strlen(t) == ACCESS_TOKEN_CHARS &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               ACCESS_TOKEN_CHARS ? t : NULL;
}

void portal_new_password_fields(html *h, http_request *req, const char *label,
                                const char *err, const char *confirm_err)
{
    portal_input pw = { "password", label, "password", "new-password", NULL,
                        L(req, MSG_PORTAL_LEAST_12_CHARACTERS_PHRASE), err, 1 };
    portal_input confirm = { "password2", L(req, MSG_PORTAL_CONFIRM_PASSWORD),
                             "password", "new-password", NULL, NULL, confirm_err, 1 };

    portal_field(h, &pw);
    portal_field(h, &confirm);
}

const char *portal_new_password(http_request *req, const char **err, const char **confirm_err)
{
    const char *pw = portal_form(req, "password", ACCESS_PASSWORD_MAX);
    const char *pw2 = portal_form(req, "password2", ACCESS_PASSWORD_MAX);

    if (pw == NULL || pw[0] == '\0') {
        *err = L(req, MSG_PORTAL_CHOOSE_PASSWORD);
        return NULL;
    }
    if (pw2 == NULL || strcmp(pw, pw2) != 0) {
        *confirm_err = L(req, MSG_PORTAL_TWO_PASSWORDS_DIFFER);
        return NULL;
    }
    return pw;
}

int portal_password_refused(int rc, int code)
{
    return rc == ACCESS_REFUSED && ((code >= ACCESS_E_PASSWORD_SHORT &&
                                      code <= ACCESS_E_PASSWORD_ENCODING) ||
                                     code == ACCESS_E_PASSWORD_PATTERN);
}

void portal_link_form(html *h, http_request *req, http_response *res, const char *action,
                      const char *token)
{
    html_fmt(h, "<form method=\"post\" action=\"%s\" novalidate>", action);
    portal_csrf_field(h, req, res);
    html_raw(h, "<input type=\"hidden\" name=\"t\" value=\"");
    html_text(h, token);
    html_raw(h, "\">");
}

void portal_link_invalid(html *h, http_request *req, const char *again)
{
    portal_notice(h, "error", L(req, MSG_LINK_INVALID));
    html_fmt(h, "<p><a href=\"%s\">%s</a></p>", again,
             L(req, MSG_PORTAL_ASK_NEW_LINK));
}

void portal_rfc3339(html *h, const char *rfc3339)
{
    struct tm tm = { 0 }, loc;
    char shown[40];
    time_t t;

    if (sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        html_text(h, rfc3339);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    localtime_r(&t, &loc);
    strftime(shown, sizeof shown, "%d/%m/%Y %H:%M:%S", &loc);
    html_raw(h, "<time datetime=\"");
    html_text(h, rfc3339);
    html_raw(h, "\">");
    html_text(h, shown);
    html_raw(h, "</time>");
}
