/* reload.c - SIGHUP (systemctl reload): the writer reads its configuration
 * file again and applies what can change while it serves; the rest needs a
 * restart (docs/deployment.md, "Reloading the configuration").
 *
 * Applied: personal_data (the privacy page's names), portal.theme,
 * link_ttl_hours, code_reissues_per_day, limits.failures_per_network.
 * Everything else is compared and, if it changed, named in the log line as
 * needing a restart, and not applied: what the worker, the signer or the
 * mailer took at their start (listeners, proxies, connection limits, log
 * level, mail), what the stores and keys are, the users of privilege
 * separation, and what a voter's security or the election's conduct rests on
 * (the défi menu her answer was given to, the board's batches, the common
 * password lists, the credential authority). The mail relay's password is
 * never read (the writer must not hold it): a new one needs a restart.
 *
 * Handlers read the configuration through ctx->cfg: a reload publishes a new
 * copy of it (atomically) and keeps the old ones until the daemon stops, so
 * that a request under way never reads a string being rewritten. */
#include "server.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "log.h"

struct server_reload {
    struct server_reload *prev;
    config cfg;
};

#define SAME(field) (memcmp(&a->field, &b->field, sizeof a->field) == 0)

/* Whether the mail settings differ, the password aside (the running copy's
 * was wiped once the mailer had it; a reload never reads it). */
static int mail_same(const config *a, const config *b)
{
    mail_config x, y;
    int same;

    memcpy(&x, &a->mail, sizeof x);     /* bytes, padding included: both were zeroed first */
    memcpy(&y, &b->mail, sizeof y);
    sodium_memzero(x.password, sizeof x.password);
    sodium_memzero(y.password, sizeof y.password);
    same = memcmp(&x, &y, sizeof x) == 0 && a->mail_relay == b->mail_relay;
    sodium_memzero(&x, sizeof x);
    sodium_memzero(&y, sizeof y);
    return same;
}

/* The défi menus, entry by entry (an entry's padding is no setting). */
static int defi_same(const config *a, const config *b)
{
    if (a->ndefi != b->ndefi)
        return 0;
    for (size_t i = 0; i < a->ndefi; i++)
        if (a->defi[i].id != b->defi[i].id || strcmp(a->defi[i].fr, b->defi[i].fr) != 0 ||
            strcmp(a->defi[i].en, b->defi[i].en) != 0)
            return 0;
    return 1;
}

/* The names of the settings that changed but need a restart, into out. */
static void restart_needed(json_t *out, const config *a, const config *b)
{
    const struct {
        const char *name;
        int same;
    } fixed[] = {
        { "listen", SAME(listen_address) && SAME(port) && SAME(unix_path) && SAME(unix_mode) &&
                        SAME(unix_group) },
        { "internal_listen", SAME(internal_address) && SAME(internal_port) },
        { "trusted_proxies", SAME(nproxies) && SAME(proxies) && SAME(proxy_v2) },
        { "store", SAME(registry) && SAME(ballot_box) && SAME(postgresql) },
        { "keys", SAME(keys) },
        { "limits", SAME(max_body_bytes) && SAME(max_connections) &&
                        SAME(per_ip_connections) && SAME(connection_timeout_s) &&
                        SAME(threads) },
        { "log", SAME(log_level) },
        { "assets", SAME(assets) },
        { "documents", SAME(documents) },
        { "mail", mail_same(a, b) },
        { "common_passwords", SAME(ncommon) && SAME(common_passwords) },
        { "credential_authority_url", SAME(authority_url) },
        { "board_batch_seconds", SAME(board_batch_seconds) },
        { "privsep", SAME(privsep) && SAME(privsep_user) && SAME(privsep_signer_user) &&
                         SAME(privsep_writer_user) && SAME(privsep_writer_root) },
        { "defi_questions", defi_same(a, b) },
    };

    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!fixed[i].same)
            json_array_append_new(out, json_string(fixed[i].name));
}

/* What a reload applies: each a range of the configuration's bytes (the
 * three texts of personal_data are one, contiguous). */
#define RANGE(first, last) offsetof(config, first), \
    offsetof(config, last) + sizeof ((config *)0)->last - offsetof(config, first)
_Static_assert(offsetof(config, pd_dpo_contact) - offsetof(config, pd_controller) ==
                   2 * CONFIG_TEXT_CHARS, "personal_data's texts are one range");
static const struct {
    const char *name;
    size_t at, len;
} reloadable[] = {
    { "personal_data", RANGE(pd_controller, pd_dpo_contact) },
    { "portal.theme", RANGE(portal_theme, portal_theme) },
    { "link_ttl_hours", RANGE(link_ttl, link_ttl) },
    { "code_reissues_per_day", RANGE(reissues_per_day, reissues_per_day) },
    { "limits.failures_per_network", RANGE(failures_per_network, failures_per_network) },
};

/* The reloadable settings of b into a; their names, if they changed, into out. */
static void apply(json_t *out, config *a, const config *b)
{
    for (size_t i = 0; i < sizeof reloadable / sizeof reloadable[0]; i++) {
        uint8_t *to = (uint8_t *)a + reloadable[i].at;
        const uint8_t *from = (const uint8_t *)b + reloadable[i].at;

        if (memcmp(to, from, reloadable[i].len) != 0) {
            memcpy(to, from, reloadable[i].len);
            json_array_append_new(out, json_string(reloadable[i].name));
        }
    }
}

/* A parse error without what jansson quotes of the file ("near '...'"): the
 * file may hold what should not be logged. */
static void error_line(char *err)
{
    char *near = strstr(err, " near ");

    if (near != NULL)
        *near = '\0';
}

void server_reload(server *s, http_ctx *ctx, const char *path)
{
    const config *now = ctx->cfg;
    struct server_reload *next;
    config *read = malloc(sizeof *read);
    json_t *applied = json_array(), *restart = json_array();
    char err[CONFIG_ERR_CHARS];

    next = read != NULL ? malloc(sizeof *next) : NULL;
    if (next == NULL || applied == NULL || restart == NULL) {
        log_event("error", "reload", json_pack("{s:s}", "error", "out of memory"));
        goto out;
    }
    if (config_read(read, path, err, sizeof err) != 0) {
        error_line(err);
        log_event("error", "reload", json_pack("{s:s,s:s}", "error", err, "kept",
                                               "the running configuration"));
        goto out;
    }
    restart_needed(restart, now, read);
    next->cfg = *now;
    apply(applied, &next->cfg, read);
    if (json_array_size(applied) > 0) {
        next->prev = s->reloads;
        s->reloads = next;
        __atomic_store_n(&s->access.link_ttl, next->cfg.link_ttl, __ATOMIC_RELAXED);
        __atomic_store_n(&s->access.reissues_per_day, next->cfg.reissues_per_day,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&s->access.network_failures, (int64_t)next->cfg.failures_per_network,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&ctx->cfg, &next->cfg, __ATOMIC_RELEASE);
        next = NULL;                    /* kept until server_reload_free */
    }
    log_event(json_array_size(restart) > 0 ? "warn" : "info", "reload",
              json_pack("{s:O,s:O}", "applied", applied, "restart_needed", restart));
out:
    if (next != NULL) {
        sodium_memzero(next, sizeof *next);
        free(next);
    }
    if (read != NULL) {
        sodium_memzero(read, sizeof *read);
        free(read);
    }
    json_decref(applied);
    json_decref(restart);
}

void server_reload_free(server *s)
{
    while (s->reloads != NULL) {
        struct server_reload *prev = s->reloads->prev;

        sodium_memzero(s->reloads, sizeof *s->reloads);
        free(s->reloads);
        s->reloads = prev;
    }
}
