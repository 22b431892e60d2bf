/* software.c - the manifest of what the seals cover. */
#include "software.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "crypto/transcript.h"

static int hash_file(uint8_t out[32], const char *path)
{
    crypto_generichash_state h;
    uint8_t buf[65536];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    crypto_generichash_init(&h, NULL, 0, 32);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        crypto_generichash_update(&h, buf, (size_t)n);
    close(fd);
    crypto_generichash_final(&h, out, 32);
    return n == 0 ? 0 : -1;
}

/* The daemon beside /proc/self/exe, or this program itself. */
static int hash_daemon(uint8_t out[32])
{
    char self[4096], daemon[4200], *slash;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    if (n > 0) {
        self[n] = '\0';
        if ((slash = strrchr(self, '/')) != NULL) {
            snprintf(daemon, sizeof daemon, "%.*s/votesrv", (int)(slash - self), self);
            if (access(daemon, R_OK) == 0)
                return hash_file(out, daemon);
        }
    }
    return hash_file(out, "/proc/self/exe");
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int add_assets(software_manifest *m, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name), rc = 0;

    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char path[4200];
        struct stat st;

        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (rc == 0 && names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            software_file *f = &m->f[m->n];

            if (m->n == SOFTWARE_MAX_FILES ||
                strlen(names[i]->d_name) + sizeof "portal/" > SOFTWARE_NAME_CHARS ||
                hash_file(f->hash, path) != 0) {
                rc = -1;
            } else {
                memcpy(f->name, "portal/", 7);
                memcpy(f->name + 7, names[i]->d_name, strlen(names[i]->d_name) + 1);
                m->n++;
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int software_manifest_make(software_manifest *m, const char *assets_dir)
{
    transcript t;

    memset(m, 0, sizeof *m);
    snprintf(m->f[0].name, sizeof m->f[0].name, "votesrv");
    if (hash_daemon(m->f[0].hash) != 0)
        return -1;
    m->n = 1;
    if (assets_dir != NULL && assets_dir[0] != '\0' && add_assets(m, assets_dir) != 0)
        return -1;
    transcript_init(&t, "votesrv/v1/software", TRANSCRIPT_DIGEST_BYTES);
    for (size_t i = 0; i < m->n; i++) {
        transcript_put(&t, m->f[i].name, strlen(m->f[i].name));
        transcript_put(&t, m->f[i].hash, sizeof m->f[i].hash);
    }
    transcript_digest(&t, m->digest);
    return 0;
}
