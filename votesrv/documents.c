/* documents.c - the election's public documents (professions de foi): files
 * the definition names under the documents folder, served only as PDF, PNG or
 * JPEG, each recognised by its first bytes, never by its name alone. The
 * folder is the configuration's "documents", apart from the keys and stores
 * (config.c refuses a folder that holds them). */
#define _GNU_SOURCE
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

static const struct {
    const char *type, *magic;
    size_t len;
    const char *ext[2];
} kinds[] = {
    { "application/pdf", "%PDF-", 5, { ".pdf", NULL } },
    { "image/png", "\x89PNG\r\n\x1a\n", 8, { ".png", NULL } },
    { "image/jpeg", "\xff\xd8\xff", 3, { ".jpg", ".jpeg" } },
};

/* A relative path of plain names: no "..", no leading '/', a few characters. */
static int name_ok(const char *p)
{
    size_t n = strlen(p);

    return n > 0 && n < 256 && p[0] != '/' && strstr(p, "..") == NULL && strstr(p, "//") == NULL &&
           strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./") == n;
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);

    return n > m && strcasecmp(s + n - m, end) == 0;
}

/* The kind a name announces by its extension; -1 if none accepted. */
static int kind_of_name(const char *name)
{
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        for (size_t e = 0; e < 2 && kinds[k].ext[e] != NULL; e++)
            if (ends_with(name, kinds[k].ext[e]))
                return (int)k;
    return -1;
}

const char *server_document_label(const char *name)
{
    static const char *const labels[] = { "PDF", "PNG", "JPEG" };
    int k = kind_of_name(name);

    return k >= 0 ? labels[k] : NULL;
}

/* name opened beneath the folder: openat2 refuses "..", absolute paths and
 * symbolic links anywhere on the way, and a crossing into another mount. */
static int open_beneath(const char *folder, const char *name)
{
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                   RESOLVE_NO_XDEV,
    };
    int dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, saved;

    if (dir < 0)
        return -1;
    fd = (int)syscall(SYS_openat2, dir, name, &how, sizeof how);
    saved = errno;
    close(dir);
    errno = saved;
    return fd;
}

int server_document_open(const char *folder, const char *name, int *fd, uint64_t *size,
                         const char **type)
{
    unsigned char head[8];
    struct stat st;
    int k = kind_of_name(name), f;
    ssize_t n;

    if (!name_ok(name) || k < 0)
        return SERVER_DOCUMENT_REFUSED;
    if ((f = open_beneath(folder, name)) < 0)
        return errno == ENOENT || errno == ENOTDIR ? SERVER_DOCUMENT_MISSING
                                                   : SERVER_DOCUMENT_REFUSED;
    n = pread(f, head, sizeof head, 0);
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode) || n < (ssize_t)kinds[k].len ||
        memcmp(head, kinds[k].magic, kinds[k].len) != 0) {
        close(f);
        return SERVER_DOCUMENT_REFUSED;
    }
    *fd = f;
    *size = (uint64_t)st.st_size;
    *type = kinds[k].type;
    return SERVER_DOCUMENT_OK;
}

int server_document_check(const char *folder, const char *name, char *err, size_t errlen)
{
    const char *type;
    uint64_t size;
    int fd, rc = server_document_open(folder, name, &fd, &size, &type);

    if (rc == SERVER_DOCUMENT_OK)
        close(fd);
    else if (rc == SERVER_DOCUMENT_MISSING)
        snprintf(err, errlen, "%s: not in the documents folder %s", name, folder);
    else
        snprintf(err, errlen, "%s: refused: only PDF, PNG or JPEG files (named .pdf, .png, "
                 ".jpg or .jpeg, their content of that type), plain files under the documents "
                 "folder %s, no symbolic link", name, folder);
    return rc;
}
