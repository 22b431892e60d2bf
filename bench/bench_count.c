/* bench_count.c - the whole count of one scrutin with K = 5 lists, 100,000
 * ballots (1,000,000 with BENCH_FULL=1) in a SQLite store: every ballot
 * verified again and added (votectl tally), the president and two delegates
 * decrypting, the results; then voteverify on the archive. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "audit/audit.h"
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "election/demo.h"
#include "tally/tally.h"
#include "crypto/hex.h"
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 4000
#define HOLDERS 4

typedef struct {
    store *s;
    election_ctx c;
    election_status st;
    elgamal_pk pk;
    char (*codes)[32];
    size_t n;
    trustee_secret ts[HOLDERS];
} count_bench;

static char *definition(int64_t opens, int64_t closes)
{
    char o[40], c[40], *text = malloc(2048);
    time_t to = (time_t)opens, tc = (time_t)closes;

    strftime(o, sizeof o, "%Y-%m-%dT%H:%M:%SZ", gmtime(&to));
    strftime(c, sizeof c, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tc));
    snprintf(text, 2048,
             "{\"name\":\"Bench\",\"organiser\":\"Bench\",\"timezone\":\"Europe/Paris\","
             "\"voting\":{\"opens\":\"%s\",\"closes\":\"%s\"},\"support\":{\"email\":\"s@ex.fr\"},"
             /* the demo credential authority's public key (votecred keygen --demo) */
             "\"credential_authority\":"
             "\"0d19fdf814fe325e7df20c46f42c8fab972ee906c68b066df1ff50034a721b93\","
             "\"bureau\":{\"president\":\"P\",\"delegates\":[\"D1\",\"D2\",\"D3\"]},"
             "\"scrutins\":[{\"id\":\"bench\",\"title\":\"Bench\",\"seats\":10,\"lists\":["
             "{\"name\":\"A\"},{\"name\":\"B\"},{\"name\":\"C\"},{\"name\":\"D\"},{\"name\":\"E\"}]}]}",
             o, c);
    return text;
}

static void setup(count_bench *b, const char *dir)
{
    int64_t now = (int64_t)time(NULL);
    char *def = definition(now - 60, now + 3600), err[DEF_ERR_CHARS], *csv;
    uint8_t pk[32], sk[64];
    def_election d;
    voter_list l;
    voters_diff diff;
    FILE *codes = tmpfile();
    size_t len = 0;

    crypto_sign_keypair(pk, sk);
    audit_set_signing_key(sk);
    b->s = tu_store(dir);
    b->c = (election_ctx){ "officer", "bench", NULL, now, "", NULL, ELECTION_WHY_OTHER };
    csv = malloc(64 * b->n + 100);
    len = (size_t)sprintf(csv, "number,surname,given_names,emails,establishment,postal_address\n");
    for (size_t i = 0; i < b->n; i++)
        len += (size_t)sprintf(csv + len, "B%07zu,N,P,b%07zu@ex.fr,E,\n", i, i);
    if (def_parse(&d, def, strlen(def), err, sizeof err) != 0 ||
        election_create(b->s, &b->c, &d, pk) != 0 ||
        voters_parse_buffer(&l, "v.csv", csv, len, &d) != 0 ||
        voters_diff_compute(b->s, &l, &diff) != 0 ||
        election_import_voters(b->s, &b->c, &l, &diff, NULL, NULL) != 0 ||
        tu_bureau_ceremony(b->s, &b->c, b->ts, HOLDERS) != 0 || codes == NULL ||
        election_demo_credentials(b->s, &b->c, codes) != 0 ||
        tu_bureau_seal(b->s, &b->c, b->ts, "open", 0, 1) != 0 ||
        election_open(b->s, &b->c) != 0 || election_status_get(b->s, &b->st) != 0 ||
        election_status_key(b->s, pk) != 0 || elgamal_pk_load(&b->pk, pk) != 0)
        bench_die("count: election setup");
    voter_list_free(&l);
    def_free(&d);
    free(def);
    free(csv);
    rewind(codes);
    b->codes = malloc(b->n * sizeof *b->codes);
    for (size_t i = 0; i < b->n; i++) {
        char shown[64];
        size_t k = 0;

        if (fscanf(codes, "%*[^,],%63s\n", shown) != 1)
            bench_die("count: codes");
        for (char *p = shown; *p; p++)
            if (*p != '-' && k < 31)
                b->codes[i][k++] = *p;
        b->codes[i][k] = '\0';
    }
    fclose(codes);
}

/* A batch of ballots made on every core, then stored as casts would. */
typedef struct {
    count_bench *b;
    size_t from, to;
    char **body;
    uint8_t **wire;
    size_t *wirelen;
    uint8_t (*tracker)[32], (*cred)[32];
} maker;

static void *make(void *arg)
{
    maker *m = arg;
    ballot_scrutin sc = { m->b->st.fingerprint, &m->b->pk, "bench", 5, 0, 1 };
    ballot *bl = ballot_new(5, 0, 1);
    const char *eid = m->b->st.eid;

    for (size_t i = m->from; i < m->to; i++) {
        uint8_t choices[5] = { 0 };
        group_scalar s;

        if (i % 7 != 6)
            choices[(i * 31 + i / 3) % 5] = 1;            /* some blank ballots */
        if (credential_derive_scrutin(&s, m->cred[i], (const uint8_t *)eid, strlen(eid),
                                     (const uint8_t *)m->b->codes[i],
                                     strlen(m->b->codes[i]), "bench") != 0 ||
            ballot_create(bl, &sc, choices, &s, m->cred[i], NULL) != 0 ||
            (m->body[i] = ballot_canonical(bl, m->b->st.fingerprint)) == NULL ||
            (m->wire[i] = malloc(ballot_wire_size(bl))) == NULL)
            bench_die("count: ballot");
        m->wirelen[i] = (size_t)ballot_wire_encode(m->wire[i], ballot_wire_size(bl), bl);
        ballot_tracker(m->tracker[i], m->body[i]);
    }
    ballot_free(bl);
    return NULL;
}

typedef struct {
    maker *m;
    size_t from, to;
} insert_job;

static int run_insert(store_tx *tx, void *arg)
{
    insert_job *j = arg;
    uint8_t digest[32];
    uint64_t count;
    char number[32];
    int64_t id;
    int struck, rc = store_box_state_get(tx, "bench", &count, digest);

    for (size_t i = j->from; rc == STORE_OK && i < j->to; i++) {
        snprintf(number, sizeof number, "B%07zu", i);
        if ((rc = store_voter_find(tx, number, &id, &struck)) == STORE_OK &&
            (rc = store_signature_add(tx, id, "bench")) == STORE_OK &&
            (rc = store_credential_use(tx, "bench", j->m->cred[i])) == STORE_OK &&
            (rc = store_ballot_add(tx, j->m->tracker[i], "bench", j->m->body[i], j->m->wire[i],
                                   j->m->wirelen[i])) == STORE_OK)
            rc = box_digest_add(digest, j->m->tracker[i]) == 0 ? STORE_OK : STORE_EIO;
        count++;
    }
    return rc == STORE_OK ? store_box_state_put(tx, "bench", count, digest) : rc;
}

static void cast_all(count_bench *b, int cores)
{
    maker m = { b, 0, 0, calloc(b->n, sizeof(char *)), calloc(b->n, sizeof(uint8_t *)),
                calloc(b->n, sizeof(size_t)), malloc(b->n * 32), malloc(b->n * 32) };

    for (size_t from = 0; from < b->n; from += BATCH) {
        size_t to = from + BATCH < b->n ? from + BATCH : b->n;
        pthread_t tid[64];
        maker w[64];
        insert_job j = { &m, from, to };

        for (int t = 0; t < cores; t++) {
            w[t] = m;
            w[t].from = from + (to - from) * (size_t)t / (size_t)cores;
            w[t].to = from + (to - from) * (size_t)(t + 1) / (size_t)cores;
            pthread_create(&tid[t], NULL, make, &w[t]);
        }
        for (int t = 0; t < cores; t++)
            pthread_join(tid[t], NULL);
        if (store_write(b->s, run_insert, &j) != STORE_OK)
            bench_die("count: insert");
        for (size_t i = from; i < to; i++) {
            free(m.body[i]);
            free(m.wire[i]);
        }
    }
    free(m.body);
    free(m.wire);
    free(m.wirelen);
    free(m.tracker);
    free(m.cred);
}

/* The holders' decryptions, from the box a holder read and verified from the
 * archive (timed apart: each holder does it once on its own machine). */
static void decrypt_all(count_bench *b, const trustee_box *box)
{
    for (uint64_t h = 0; h < 3; h++)
        if (tu_bureau_partial_from(b->s, &b->c, &b->ts[h], box, NULL) != ELECTION_OK)
            bench_die(b->c.msg[0] ? b->c.msg : "count: partial decryption");
}

void bench_count(int cores)
{
    int full = getenv("BENCH_FULL") != NULL;
    count_bench b = { .n = bench_scaled(full ? 1000000 : 100000, 2000) };
    char *dir = tu_tmpdir(), path[600], cmd[1400];
    double t0, c0, t_count, c_count, t_dec, t_verify, c_verify, t_holder;
    double scale = (full ? 1000000.0 : 100000.0) / (double)b.n;
    const char *size = full ? "1m" : "100k";
    trustee_box *box = malloc(sizeof *box);
    json_t *cer = NULL;
    FILE *out;

    setup(&b, dir);
    t0 = tu_seconds();
    cast_all(&b, cores);
    printf("# count: %zu K=5 ballots made and stored in %.1f s (setup, not measured)\n", b.n,
           tu_seconds() - t0);
    b.c.now += 7200;
    if (tu_bureau_seal(b.s, &b.c, b.ts, "close", 0, 2) != 0 || election_close(b.s, &b.c) != 0)
        bench_die("count: close");
    t0 = tu_seconds();
    c0 = bench_rusage_s(RUSAGE_SELF);
    if (tally_count(b.s, &b.c, cores) != ELECTION_OK)
        bench_die(b.c.msg);
    t_count = tu_seconds() - t0;
    c_count = bench_rusage_s(RUSAGE_SELF) - c0;
    t0 = tu_seconds();
    if (box == NULL || ceremony_export(b.s, &cer) != 0 || tu_bureau_box(b.s, cer, b.ts, box) != 0)
        bench_die("count: a holder's reading of the archive");
    t_holder = tu_seconds() - t0;
    json_decref(cer);
    t0 = tu_seconds();
    decrypt_all(&b, box);
    t_dec = tu_seconds() - t0;
    free(box);
    snprintf(path, sizeof path, "%s/archive.jsonl", dir);
    t0 = tu_seconds();
    if ((out = fopen(path, "w")) == NULL || box_archive_write(b.s, audit_signer_get(), out) != STORE_OK ||
        fclose(out) != 0)
        bench_die("count: archive");
    printf("# count: archive of %zu ballots written in %.1f s (not measured)\n", b.n,
           tu_seconds() - t0);
    snprintf(cmd, sizeof cmd, "../build/rel/bin/voteverify %s > %s/verify.txt", path, dir);
    t0 = tu_seconds();
    c0 = bench_rusage_s(RUSAGE_CHILDREN);
    if (system(cmd) != 0)
        bench_die("count: voteverify rejected the archive");
    t_verify = tu_seconds() - t0;
    c_verify = bench_rusage_s(RUSAGE_CHILDREN) - c0;
    printf("# count: tally from the store on %d threads (read, verify, add), then the president "
           "and two delegates decrypt (3 x 5 proofs made and checked), results and seats; "
           "then voteverify on the archive (%d threads); %zu ballots%s\n",
           cores, cores, b.n, b.n == (full ? 1000000 : 100000) ? "" : ", scaled");
    printf("bench tally.count_%s_s %.2f s\n", size, t_count * scale);
    printf("bench tally.decrypt_s %.3f s\n", t_dec);
    printf("bench tally.holder_archive_check_%s_s %.2f s\n", size, t_holder * scale);
    printf("bench tally.total_%s_s %.2f s\n", size, t_count * scale + t_dec);
    printf("bench voteverify.archive_%s_s %.2f s\n", size, t_verify * scale);
    printf("bench voteverify.archive_over_total %.2f\n",
           t_verify * scale / (t_count * scale + t_dec));
    printf("# the same in CPU time (every thread; the machine may be shared): count %.3f ms, "
           "voteverify %.3f ms per ballot\n", c_count * 1e3 / (double)b.n,
           c_verify * 1e3 / (double)b.n);
    printf("bench tally.count_cpu_per_ballot_ms %.3f ms\n", c_count * 1e3 / (double)b.n);
    printf("bench voteverify.cpu_per_ballot_ms %.3f ms\n", c_verify * 1e3 / (double)b.n);
    elgamal_pk_clear(&b.pk);
    free(b.codes);
    store_close(b.s);
    if (getenv("BENCH_KEEP") != NULL)       /* to profile voteverify on the same archive */
        printf("# count: archive kept in %s\n", path);
    else
        tu_rmdir(dir);
    free(dir);
}

/* ---- backup.pause_s: votectl backup's copy (store_backup_copy) of a box of
 * 100,000 ballots (1,000,000 with BENCH_FULL=1) while casts go on ----
 * The election is the count's (its box reserved for n voters at the opening,
 * which fixes the box file's size); the ballots are stand-ins of a real one's
 * size, stored as casts store them (the copy reads pages, not ballots). A
 * thread casts one ballot per write, as single voters do, during the copy:
 * the pause is the longest time between two acknowledged casts that overlaps
 * the copy, as voters see it (the daemon's commit waits for the copy's read
 * locks; see store/store_backup.c). */
typedef struct {
    count_bench *b;
    size_t from, to;
    volatile int stop;
    double start, end;            /* the copy */
    double last, longest;         /* acknowledgments */
    size_t casts, failed;
} backup_load;

typedef struct {
    size_t i;
} fake_cast;

static void fake_ballot(size_t i, uint8_t tracker[32], char *body, size_t len, uint8_t *wire)
{
    crypto_generichash(tracker, 32, (const uint8_t *)&i, sizeof i, (const uint8_t *)"backup", 6);
    memset(body, 'a', len);
    body[0] = '"';
    hex_encode(body + 1, tracker, 32);
    body[65] = 'a';
    body[len - 2] = '"';
    body[len - 1] = '\0';
    memcpy(wire, tracker, 32);
}

#define FAKE_BODY 1500
#define FAKE_WIRE 400

static int run_fake(store_tx *tx, void *arg)
{
    insert_job *j = arg;
    uint8_t tracker[32], wire[FAKE_WIRE] = { 0 };
    char body[FAKE_BODY], number[32];
    int64_t id;
    int struck, rc = STORE_OK;

    for (size_t i = j->from; rc == STORE_OK && i < j->to; i++) {
        fake_ballot(i, tracker, body, sizeof body, wire);
        snprintf(number, sizeof number, "B%07zu", i);
        if ((rc = store_voter_find(tx, number, &id, &struck)) == STORE_OK &&
            (rc = store_signature_add(tx, id, "bench")) == STORE_OK)
            rc = store_ballot_add(tx, tracker, "bench", body, wire, sizeof wire);
    }
    return rc;
}

static void *cast_during(void *arg)
{
    backup_load *l = arg;

    l->last = tu_seconds();
    for (size_t i = l->from; i < l->to && !l->stop; i++) {
        insert_job j = { NULL, i, i + 1 };
        double t;

        if (store_write(l->b->s, run_fake, &j) != STORE_OK) {
            l->failed++;            /* the writer's wait ran out (BUSY_TIMEOUT_MS) */
            continue;
        }
        t = tu_seconds();
        if (t - l->last > l->longest && t > l->start && l->start > 0 &&
            (l->end == 0 || l->last < l->end))
            l->longest = t - l->last;
        l->last = t;
        l->casts++;
    }
    return NULL;
}

void bench_backup(void)
{
    count_bench b = { .n = bench_scaled(getenv("BENCH_FULL") ? 1000000 : 100000, 2000) };
    char *dir = tu_tmpdir(), reg[600], box[600], out_reg[600], out_box[600], err[300];
    size_t filled = b.n - b.n / 10;
    backup_load l = { &b, filled, b.n, 0, 0, 0, 0, 0, 0, 0 };
    store_config sc = { reg, box, 1, NULL, NULL, 1 };
    pthread_t tid;
    double hold, t0;
    struct stat st;

    setup(&b, dir);
    t0 = tu_seconds();
    for (size_t from = 0; from < filled; from += BATCH) {
        insert_job j = { NULL, from, from + BATCH < filled ? from + BATCH : filled };

        if (store_write(b.s, run_fake, &j) != STORE_OK)
            bench_die("backup: filling the box");
    }
    snprintf(reg, sizeof reg, "%s/registry.db", dir);
    snprintf(box, sizeof box, "%s/ballots.db", dir);
    snprintf(out_reg, sizeof out_reg, "%s/copy-registry.db", dir);
    snprintf(out_box, sizeof out_box, "%s/copy-ballots.db", dir);
    printf("# backup: %zu voters, %zu ballots stored in %.1f s (setup, not measured)\n", b.n,
           filled, tu_seconds() - t0);
    pthread_create(&tid, NULL, cast_during, &l);
    usleep(300 * 1000);                     /* casting at its pace first */
    l.start = tu_seconds();
    if (store_backup_copy(&sc, out_reg, out_box, &hold, err, sizeof err) != 0)
        bench_die(err);
    l.end = tu_seconds();
    usleep(300 * 1000);
    l.stop = 1;
    pthread_join(tid, NULL);
    if (stat(out_box, &st) != 0)
        bench_die("backup: the copy");
    printf("# backup: both files copied in %.2f s (%.0f MB of box); %zu single casts meanwhile "
           "around it; pause: the longest time between two acknowledged casts during the copy\n",
           l.end - l.start, (double)st.st_size / 1e6, l.casts);
    if (l.failed > 0)
        printf("# backup: %zu casts failed: the copy held its locks longer than the writer "
               "waits (10 s); they were not acknowledged\n", l.failed);
    printf("bench backup.lock_hold_s %.3f s\n", hold);
    printf("bench backup.pause_s %.3f s\n", l.longest);
    elgamal_pk_clear(&b.pk);
    free(b.codes);
    store_close(b.s);
    tu_rmdir(dir);
    free(dir);
}
