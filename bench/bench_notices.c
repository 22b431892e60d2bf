/* bench_notices.c - notices.pages_per_s and notices.bytes_per_page: a
 * 10,000-voter batch with all of votecred's per-voter work (a code, its
 * authenticator check and public credential, the page, the PDF written). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"
#include "crypto/crypto.h"
#include "notices/code.h"
#include "notices/notice.h"
#include "tests/testutil.h"

void bench_notices(void)
{
    size_t n = bench_scaled(10000, 300);
    char *dir = tu_tmpdir(), path[600], code[CODE_SYMBOLS + 1], shown[CODE_DISPLAY_CHARS + 1];
    notice_style s = { "Élections professionnelles 2026 — Ministère de l'Exemple",
                       "Ministère de l'Exemple, bureau central de vote",
                       "du 01/12/2026 à 09:00 au 08/12/2026 à 17:00 (Europe/Paris)",
                       "https://vote.exemple.gouv.fr", "support-elections@exemple.gouv.fr",
                       "+33 1 23 45 67 89", "fr", 1, 0,
                       "9326b336248f2cbd528e269687c7d8ef02f0b9031bb4852db35f778a25b50537",
                       "3ce0a4ab1bd4e7ba1b13d4d7a7b26ee3b9a4bd4bf4b0e58d4f0c0f1d7f8c2e10" };
    const char *eid = "8c0f7a55-3bd1-4c1e-9a55-0d6f1e2b9c11";
    notice_doc *doc;
    struct stat st;
    struct timespec c0, c1;
    double t0, wall;

    snprintf(path, sizeof path, "%s/notices.pdf", dir);
    t0 = tu_seconds();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    doc = notice_doc_open(path);
    for (size_t i = 0; doc != NULL && i < n; i++) {
        char number[32], mail[96];
        uint8_t check[32], pub[32];
        notice_voter v = { number, "Martin", "Camille", mail, "Direction régionale",
                           "12 rue de la République\n69002 Lyon" };

        snprintf(number, sizeof number, "A%07zu", i);
        snprintf(mail, sizeof mail, "agent.%zu@exemple.gouv.fr", i);
        code_new(code);
        code_display(shown, code);
        if (credential_from_code_scrutin(check, pub, (const uint8_t *)eid, strlen(eid),
                                         (const uint8_t *)code, CODE_SYMBOLS, "csa") != 0 ||
            notice_page(doc, &s, &v, shown) != 0)
            bench_die("notice");
    }
    if (notice_doc_close(doc) != 0 || stat(path, &st) != 0)
        bench_die("notices pdf");
    wall = tu_seconds() - t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    printf("# %zu notices (postal, QR, embedded fonts) with their codes and credentials, "
           "one core; %.3f ms CPU a notice (%.0f a CPU second: the figure on a busy machine)\n",
           n, ((double)(c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9) * 1e3 / (double)n,
           (double)n / ((double)(c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9));
    printf("bench notices.pages_per_s %.0f per_s\n", (double)n / wall);
    printf("bench notices.bytes_per_page %.0f bytes\n", (double)st.st_size / (double)n);
    tu_rmdir(dir);
    free(dir);
}
