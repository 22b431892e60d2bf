/* links.c - one-time links: issuing them (with their mail, in the same
 * transaction), the "link not received" and "password reassort" requests, and
 * following a link to activate the account or set a new password. */
#include "access_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACTIVATION_CHUNK 1000

static void format_expiry(char out[64], int64_t t, const char *lang)
{
    time_t tt = (time_t)t;
    struct tm tm;

    localtime_r(&tt, &tm);          /* the election's time zone, as on the portal */
    strftime(out, 64, strcmp(lang, "en") == 0 ? "%Y-%m-%d at %H:%M (Paris time)"
                                              : "%d/%m/%Y à %H:%M (heure de Paris)", &tm);
}

typedef struct {
    store_tx *tx;
    const access_ctx *a;
    mail_kind kind;
    const char *lang;
    const char *const *vars;
    int64_t now;
} mail_each;

static int queue_to(const char *address, void *arg)
{
    mail_each *m = arg;
    return mail_queue_tx(m->tx, m->a->mail, m->kind, m->lang, address, m->vars, m->now);
}

int access_link_issue_def(store_tx *tx, const access_ctx *a, const def_election *d,
                          const store_access *v, int purpose, const char *address, int64_t now,
                          char token_out[ACCESS_TOKEN_CHARS + 1])
{
    uint8_t hash[STORE_HASH_BYTES];
    char url[512], expires[64];
    const char *lang = strcmp(v->lang, "en") == 0 ? "en" : "fr";
    mail_kind kind = purpose == STORE_LINK_ACTIVATION ? MAIL_ACTIVATION : MAIL_PASSWORD;
    /* read once: a reload (SIGHUP) may change it meanwhile, and the expiry
     * stored must be the one the mail states */
    int64_t ttl = __atomic_load_n(&a->link_ttl, __ATOMIC_RELAXED);
    int rc;

    secret_token_new(token_out);
    secret_keyed_hash(hash, a->hash_key, token_out, ACCESS_TOKEN_CHARS);
    /* the earlier live links stay valid: a third party asking for links
     * never leaves the voter without one (access.h) */
    if ((rc = store_link_issue(tx, hash, v->id, purpose, now + ttl, now,
                               ACCESS_LINKS_LIVE - 1)) != STORE_OK)
        return rc;
    if (a->mail != NULL) {
        char privacy[600];
        const char *vars[] = { "election", d->name, "organiser", d->organiser, "link", url,
                               "expires", expires, "support_email", d->support_email,
                               "support_phone", d->support_phone ? d->support_phone : "",
                               "privacy", privacy, NULL, NULL };
        mail_each m = { tx, a, kind, lang, vars, now };

        snprintf(url, sizeof url, "%s/%s?t=%s", mail_portal_url(a->mail),
                 purpose == STORE_LINK_ACTIVATION ? "activation" : "mot-de-passe", token_out);
        format_expiry(expires, now + ttl, lang);
        snprintf(privacy, sizeof privacy, "%s/donnees-personnelles", mail_portal_url(a->mail));
        rc = address != NULL ? queue_to(address, &m) : store_voter_emails(tx, v->id, queue_to, &m);
        sodium_memzero(url, sizeof url);
        if (rc != STORE_OK)
            return rc;
    }
    return access_audit(tx, "link-sent", v->number,
                        json_pack("{s:s,s:s}", "purpose", purpose == STORE_LINK_ACTIVATION
                                  ? "activation" : "password", "to", address ? "one address"
                                  : "every address"));
}

int access_link_issue_tx(store_tx *tx, const access_ctx *a, int64_t voter, int purpose,
                         const char *address, int64_t now, char token_out[ACCESS_TOKEN_CHARS + 1])
{
    store_access v;
    def_election d;
    int rc = store_access_by_id(tx, voter, &v);

    if (rc != STORE_OK || (rc = access_definition(tx, &d)) != STORE_OK)
        return rc;
    rc = access_link_issue_def(tx, a, &d, &v, purpose, address, now, token_out);
    def_free(&d);
    return rc;
}

/* ---- activation links for everyone, at opening ---- */

typedef struct {
    access_ctx *a;
    int64_t *ids;
    size_t n, cap, from, to;
    int64_t now;
    uint64_t sent;
} activations;

static int collect_id(int64_t id, void *arg)
{
    activations *s = arg;

    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4096;
        int64_t *ids = realloc(s->ids, cap * sizeof *ids);

        if (ids == NULL)
            return STORE_ENOMEM;
        s->ids = ids;
        s->cap = cap;
    }
    s->ids[s->n++] = id;
    return 0;
}

static int run_collect(store_tx *tx, void *arg)
{
    return store_active_voters_each(tx, collect_id, arg);
}

static int run_chunk(store_tx *tx, void *arg)
{
    activations *s = arg;
    def_election d = { 0 };
    char token[ACCESS_TOKEN_CHARS + 1] = "";
    int rc = access_definition(tx, &d);

    for (size_t i = s->from; rc == STORE_OK && i < s->to; i++) {
        store_access v;

        rc = store_access_by_id(tx, s->ids[i], &v);
        if (rc == STORE_OK && v.password_hash[0] == '\0') {
            rc = access_link_issue_def(tx, s->a, &d, &v, STORE_LINK_ACTIVATION, NULL, s->now,
                                       token);
            s->sent += rc == STORE_OK;
        }
    }
    sodium_memzero(token, sizeof token);
    def_free(&d);
    return rc;
}

int access_send_activations(access_ctx *a, int64_t now, uint64_t *sent)
{
    activations s = { a, NULL, 0, 0, 0, 0, now, 0 };
    int rc = store_read(a->store, run_collect, &s);

    for (s.from = 0; rc == STORE_OK && s.from < s.n; s.from = s.to) {
        uint64_t before = s.sent;

        s.to = s.from + ACTIVATION_CHUNK < s.n ? s.from + ACTIVATION_CHUNK : s.n;
        rc = store_write(a->store, run_chunk, &s);
        if (rc != STORE_OK)
            s.sent = before;
    }
    *sent = s.sent;
    free(s.ids);
    return rc;
}

/* ---- "link not received" and "password reassort" ---- */

typedef struct {
    access_ctx *a;
    const char *identifier, *client;
    int purpose;
    int64_t now;
    access_result *res;
} request_job;

static int run_request(store_tx *tx, void *arg)
{
    request_job *j = arg;
    char key[THROTTLE_KEY_CHARS], net[64], token[ACCESS_TOKEN_CHARS + 1];
    store_access v;
    int64_t ends;
    int allowed, rc;

    access_client_network(net, j->client);
    snprintf(key, sizeof key, "link-net:%s", net);
    if ((rc = throttle_count(tx, key, ACCESS_LINKS_PER_NETWORK, 3600, j->now, &allowed)) !=
        STORE_OK)
        return rc;
    if (!allowed) {
        j->res->code = ACCESS_E_THROTTLED;
        j->res->retry_after = 3600;
        return STORE_OK;          /* the count must stay recorded */
    }
    /* per address string, before it is looked up: the same answer, at the
     * same cost, whether or not it is a voter's */
    throttle_key_hashed(key, j->a, "link-addr", j->identifier);
    if ((rc = throttle_count_ends(tx, key, ACCESS_LINKS_PER_ADDRESS, 3600, j->now, &allowed,
                                  &ends)) != STORE_OK)
        return rc;
    if (!allowed) {
        j->res->code = ACCESS_E_LINK_RATE;
        j->res->retry_after = ends - j->now;
        return STORE_OK;
    }
    rc = store_access_by_email(tx, j->identifier, &v);
    if (rc == STORE_ENOTFOUND || (rc == STORE_OK && v.struck)) {
        /* the same work as a real link, so that the answer takes as long */
        size_t len;
        const char *vars[] = { "election", "-", "organiser", "-", "link", "-", "expires", "-",
                               "support_email", "-", "support_phone", "-", NULL, NULL };
        char *msg = j->a->mail ? mail_compose(j->a->mail, MAIL_ACTIVATION, "fr",
                                              j->identifier, vars, &len) : NULL;

        free(msg);
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    /* whatever was asked: someone who never activated gets an activation link,
     * an activated account a password link, which never touches the défi, so
     * that the mailbox alone cannot replace the défi */
    rc = access_link_issue_tx(tx, j->a, v.id, v.password_hash[0] ? STORE_LINK_PASSWORD
                                                                  : STORE_LINK_ACTIVATION,
                              j->identifier, j->now, token);
    sodium_memzero(token, sizeof token);
    return rc;
}

int access_request_link(access_ctx *a, const char *identifier, int purpose, const char *client,
                        int64_t now, access_result *res)
{
    char id[ACCESS_IDENTIFIER_MAX + 1];
    request_job j = { a, id, client, purpose, now, res };
    int rc;

    memset(res, 0, sizeof *res);
    if (access_identifier(id, identifier) != 0) {
        res->code = ACCESS_E_CREDENTIALS;
        return ACCESS_REFUSED;
    }
    rc = store_write(a->store, run_request, &j);
    if (rc != STORE_OK)
        return rc;
    return res->code == ACCESS_E_NONE ? ACCESS_OK : ACCESS_REFUSED;
}

/* ---- following a link ---- */

typedef struct {
    access_ctx *a;
    uint8_t hash[STORE_HASH_BYTES];
    int64_t now, voter;
    int purpose, want;
    const char *why;             /* of a refusal, for the audit log */
    store_access v;
    access_context context;      /* what the new password must not be built on */
    const char *pw_hash, *defi_hash;
    int question;
    char *session_out;           /* or NULL: no session */
    access_result *res;
} follow_job;

/* Read: is the link good for this purpose? Who is it for? */
static int run_peek(store_tx *tx, void *arg)
{
    follow_job *j = arg;
    int used, rc;
    int64_t expires;

    rc = store_link_peek(tx, j->hash, &j->voter, &j->purpose, &used, &expires);
    if (rc == STORE_ENOTFOUND || (rc == STORE_OK && (used || expires <= j->now ||
                                                     j->purpose != j->want))) {
        j->res->code = ACCESS_E_LINK_INVALID;
        j->why = "used, replaced, expired or another purpose";
        return rc == STORE_ENOTFOUND ? STORE_OK : store_access_by_id(tx, j->voter, &j->v);
    }
    if (rc != STORE_OK || (rc = store_access_by_id(tx, j->voter, &j->v)) != STORE_OK)
        return rc;
    if (j->want == STORE_LINK_ACTIVATION && j->v.defi_hash[0] != '\0') {
        j->res->code = ACCESS_E_LINK_INVALID;
        j->why = "activation of an account that has a défi";
        return STORE_OK;
    }
    return access_context_load(tx, j->v.number, j->voter, &j->context);
}

static int run_refused(store_tx *tx, void *arg)
{
    follow_job *j = arg;

    return access_audit(tx, "link-refused", j->v.number, json_pack("{s:s}", "why", j->why));
}

/* Write: use the link (exactly one request can) and set what it was for. */
static int run_follow(store_tx *tx, void *arg)
{
    follow_job *j = arg;
    char key[THROTTLE_KEY_CHARS];
    store_access now_v;
    int64_t voter;
    int purpose, rc = store_link_consume(tx, j->hash, j->now, &voter, &purpose);

    if (rc == STORE_ENOTFOUND) {
        j->res->code = ACCESS_E_LINK_INVALID;
        return ACCESS_REFUSED;
    }
    /* a défi set since the link was looked at: an activation link may not replace it */
    if (rc == STORE_OK && (rc = store_access_by_id(tx, voter, &now_v)) == STORE_OK &&
        j->defi_hash != NULL && now_v.defi_hash[0] != '\0') {
        j->res->code = ACCESS_E_LINK_INVALID;
        return ACCESS_REFUSED;
    }
    if (rc != STORE_OK || (rc = store_access_set_password(tx, voter, j->pw_hash)) != STORE_OK)
        return rc;
    if (j->defi_hash != NULL &&
        (rc = store_access_set_defi(tx, voter, j->question, j->defi_hash)) != STORE_OK)
        return rc;
    /* the link proved the mailbox: guesses at the old password no longer
     * hold the account, and the voter is in (a session, if asked) */
    snprintf(key, sizeof key, "acct:%lld", (long long)voter);
    if ((rc = store_sessions_delete_voter(tx, voter)) != STORE_OK ||
        (rc = throttle_reset(tx, key)) != STORE_OK ||
        (j->session_out != NULL &&
         (rc = access_session_open_tx(tx, j->a, voter, j->now, j->session_out)) != STORE_OK) ||
        (rc = access_audit(tx, "link-used", j->v.number,
                           json_pack("{s:s}", "purpose", j->defi_hash ? "activation"
                                                                      : "password"))) != STORE_OK)
        return rc;
    return access_audit(tx, j->defi_hash ? "password-set" : "password-reset", j->v.number, NULL);
}

static int follow(access_ctx *a, const char *token, int want, const char *password,
                  int question, const char *answer, int64_t now,
                  char session_out[ACCESS_TOKEN_CHARS + 1], access_result *res)
{
    follow_job *j = calloc(1, sizeof *j);
    char pw_hash[SECRET_PWHASH_STR_BYTES], defi_hash[SECRET_PWHASH_STR_BYTES];
    char norm[ACCESS_ANSWER_MAX + 1];
    int rc;

    memset(res, 0, sizeof *res);
    if (j == NULL)
        return STORE_ENOMEM;
    *j = (follow_job){ .a = a, .now = now, .want = want, .question = question, .res = res };
    if (access_token_hash(j->hash, a, token) != 0) {
        res->code = ACCESS_E_LINK_INVALID;
        rc = ACCESS_REFUSED;
        goto out;
    }
    rc = store_read(a->store, run_peek, j);
    if (rc == STORE_OK && res->code == ACCESS_E_LINK_INVALID) {
        if (j->v.number[0])
            store_write(a->store, run_refused, j);
        rc = ACCESS_REFUSED;
        goto out;
    }
    if (rc != STORE_OK)
        goto out;
    rc = ACCESS_REFUSED;
    res->code = access_password_check(a, password, (const char *const *)j->context.words);
    if (res->code == ACCESS_E_NONE && want == STORE_LINK_ACTIVATION &&
        !access_defi_offered(question))
        res->code = ACCESS_E_DEFI_QUESTION;
    if (res->code == ACCESS_E_NONE && want == STORE_LINK_ACTIVATION &&
        access_defi_normalize(norm, sizeof norm, answer ? answer : "") != 0)
        res->code = ACCESS_E_DEFI_ANSWER;
    if (res->code != ACCESS_E_NONE)
        goto out;
    if (access_hash_enter(a, res) != 0)
        goto out;
    rc = secret_pwhash(pw_hash, password, strlen(password));
    if (rc == 0 && want == STORE_LINK_ACTIVATION)
        rc = secret_pwhash(defi_hash, norm, strlen(norm));
    access_hash_leave(a);
    if (rc != 0) {
        rc = STORE_ENOMEM;
        goto out;
    }
    j->pw_hash = pw_hash;
    j->defi_hash = want == STORE_LINK_ACTIVATION ? defi_hash : NULL;
    j->session_out = session_out;
    rc = store_write(a->store, run_follow, j);
    if (rc != STORE_OK && session_out != NULL)
        sodium_memzero(session_out, ACCESS_TOKEN_CHARS + 1);
out:
    sodium_memzero(norm, sizeof norm);
    access_context_free(&j->context);
    free(j);
    return rc;
}

int access_activate(access_ctx *a, const char *token, const char *password, int question,
                    const char *answer, int64_t now, char session_out[ACCESS_TOKEN_CHARS + 1],
                    access_result *res)
{
    return follow(a, token, STORE_LINK_ACTIVATION, password, question, answer, now,
                  session_out, res);
}

int access_reset_password(access_ctx *a, const char *token, const char *password, int64_t now,
                          char session_out[ACCESS_TOKEN_CHARS + 1], access_result *res)
{
    return follow(a, token, STORE_LINK_PASSWORD, password, -1, NULL, now, session_out, res);
}

typedef struct {
    access_ctx *a;
    uint8_t hash[STORE_HASH_BYTES];
    int purpose;
    int64_t now, expires;
    access_link_state state;
} check_job;

static int run_check(store_tx *tx, void *arg)
{
    check_job *j = arg;
    int64_t voter;
    int purpose, used, rc = store_link_peek(tx, j->hash, &voter, &purpose, &used, &j->expires);
    store_access v;

    if (rc == STORE_ENOTFOUND || (rc == STORE_OK && purpose != j->purpose)) {
        j->state = ACCESS_LINK_UNKNOWN;
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    j->state = used == 1 ? ACCESS_LINK_USED : used != 0 ? ACCESS_LINK_REPLACED
               : j->expires <= j->now ? ACCESS_LINK_EXPIRED : ACCESS_LINK_LIVE;
    if (j->state == ACCESS_LINK_LIVE && purpose == STORE_LINK_ACTIVATION) {
        if ((rc = store_access_by_id(tx, voter, &v)) != STORE_OK)
            return rc;
        if (v.defi_hash[0] != '\0')
            j->state = ACCESS_LINK_ACTIVATED;
    }
    return STORE_OK;
}

int access_link_check(access_ctx *a, const char *token, int purpose, int64_t now,
                      access_link_state *state, int64_t *expires_out)
{
    check_job j = { .a = a, .purpose = purpose, .now = now, .state = ACCESS_LINK_UNKNOWN };
    int rc = STORE_OK;

    if (access_token_hash(j.hash, a, token) == 0)
        rc = store_read(a->store, run_check, &j);
    *state = j.state;
    if (expires_out != NULL)
        *expires_out = j.expires;
    return rc;
}
