/* GET /static/{name} - the portal's style sheet and scripts, from the assets
 * directory (config "assets"; make builds build/portal). Flat names only; a
 * theme's own files only with that theme (portal/theme.h). */
#include "pages.h"
#include "theme.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext, *type;
} types[] = {
    { ".css", "text/css; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".woff2", "font/woff2" },
};

static const char *type_of(const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);

        if (n > e && strcmp(name + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return NULL;
}

/* Letters, digits, '-' and '.', not starting with '.'. */
static int name_ok(const char *name)
{
    size_t n = strlen(name);

    return n > 0 && n < 64 && name[0] != '.' &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n;
}

void page_static(http_request *req, http_response *res)
{
    const char *name = req->params[0], *type = type_of(name);
    char path[CONFIG_PATH_CHARS + 80];
    struct stat st;
    int fd;

    if (!name_ok(name) || type == NULL ||
        !portal_theme_serves(req->ctx->cfg->portal_theme, name)) {
        http_error(req, res, 404, MSG_NOT_FOUND);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", req->ctx->cfg->assets, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        http_error(req, res, 404, MSG_NOT_FOUND);
        return;
    }
    http_answer_fd(res, fd, (uint64_t)st.st_size, type);
    res->cache_static = 1;
}
