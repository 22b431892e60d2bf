/* software.c - the software digest a seal covers (protocol.md §6.3),
 * recomputed from a build of the reviewed commit: Hb("votesrv/v1/software";
 * "votesrv", BLAKE2b-256(daemon program), then for each regular file of the
 * portal's static folder whose name does not begin with '.', by name
 * (bytewise): "portal/NAME", BLAKE2b-256(file)). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "verify.h"

static int file_hash(uint8_t out[32], const char *path)
{
    crypto_generichash_state h;
    uint8_t buf[65536];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return -1;
    crypto_generichash_init(&h, NULL, 0, 32);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_generichash_update(&h, buf, n);
    n = (size_t)ferror(f);
    fclose(f);
    crypto_generichash_final(&h, out, 32);
    return n == 0 ? 0 : -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int vv_software_digest(uint8_t out[32], const char *daemon, const char *portal)
{
    struct dirent **names = NULL;
    uint8_t h[32];
    transcript t;
    int n = 0, rc = file_hash(h, daemon);

    transcript_init(&t, "votesrv/v1/software", 32);
    transcript_put(&t, "votesrv", 7);
    transcript_put(&t, h, 32);
    if (rc == 0 && portal != NULL && (n = scandir(portal, &names, NULL, by_name)) < 0)
        rc = -1;
    for (int i = 0; i < n; i++) {
        char path[4200], name[300];
        struct stat st;

        snprintf(path, sizeof path, "%s/%s", portal, names[i]->d_name);
        if (rc == 0 && names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            snprintf(name, sizeof name, "portal/%s", names[i]->d_name);
            rc = file_hash(h, path);
            transcript_put(&t, name, strlen(name));
            transcript_put(&t, h, 32);
        }
        free(names[i]);
    }
    free(names);
    transcript_digest(&t, out);
    return rc;
}

void vv_software(vv *v)
{
    uint8_t d[32];

    if (v->daemon == NULL)
        return;
    if (vv_software_digest(d, v->daemon, v->portal) != 0) {
        vv_report(v, 0, "software: %s or %s cannot be read", v->daemon,
                  v->portal ? v->portal : "(no portal folder)");
        return;
    }
    vv_report(v, v->have_software_open && memcmp(d, v->software_open, 32) == 0,
              "software: the opening seals' software digest is the one of %s and %s", v->daemon,
              v->portal ? v->portal : "no portal folder");
    if (v->have_close_state)
        vv_report(v, memcmp(d, v->seal_software_close, 32) == 0,
                  "software: the closing seals' software digest is the one of this build");
}

static int pair_cmp(const void *a, const void *b)
{
    char *const *x = a, *const *y = b;
    int c = strcmp(x[0], y[0]);

    return c != 0 ? c : strcmp(x[1], y[1]);
}

void vv_signatures_digest(uint8_t out[32], char **pairs, size_t n)
{
    transcript t;

    if (n > 1)
        qsort(pairs, n, 2 * sizeof *pairs, pair_cmp);
    transcript_init(&t, "votesrv/v1/seal-signatures", 32);
    for (size_t i = 0; i < n; i++) {
        transcript_put(&t, pairs[2 * i], strlen(pairs[2 * i]));
        transcript_put(&t, pairs[2 * i + 1], strlen(pairs[2 * i + 1]));
    }
    transcript_digest(&t, out);
}
