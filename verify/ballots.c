/* ballots.c - every ballot line of a scrutin, on all cores: its tracker, its
 * fields, its proofs and credential signature (protocol.md §8, §9, §14); the
 * ciphertext sums, the box digest, the credentials and ciphertexts used. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "verify.h"

#define VV_AUX_MAX (16 + 32 + 64)
#define VV_MAX_RANGE 65
/* the longest canonical ballot: per list 128 + 2 branches, per range branch
 * about 290 bytes, the scrutin id escaped (64 bytes, 6 each at most) */
#define VV_CANON_MAX (512 + VV_MAX_LISTS * 900 + VV_MAX_RANGE * 300 + 6 * 64)

/* One ballot, decoded from its JSON; its lists and range proof live in its
 * group's arrays, sized by the scrutin (k lists, R = max - min + 1 branches). */
typedef struct {
    uint8_t tracker[32], cred[32];
    size_t k;
    uint64_t min, max;
    uint8_t (*ct)[64];
    proof_branch (*bits)[2];
    proof_branch *range;
    credential_sig sig;
} vv_ballot;

/* Ballots per multi-scalar product, as the count's (tally/tally.c): at most
 * VV_GROUP, and at most VV_GROUP_POINTS variable points (6k + 2R + 2 per
 * ballot), so that Pippenger's buckets serve hundreds of ballots (777 at
 * k = 5, R = 2) while a thread's group stays within ~12 MB whatever k. A
 * failed group is verified again one ballot at a time. */
#define VV_GROUP 1024
#define VV_GROUP_POINTS 28000

typedef struct {
    size_t cap;                        /* ballots */
    vv_ballot *b;
    elgamal_ct *cts;                   /* cap * k */
    uint8_t (*ct)[64];                 /* cap * k */
    proof_branch (*bits)[2];           /* cap * k */
    proof_branch *range;               /* cap * R */
    const char **why;
} vv_group;

static size_t group_ballots(const vv_scrutin *s)
{
    size_t per = 6 * s->k + 2 * (size_t)(s->max - s->min + 1) + 2, g = VV_GROUP_POINTS / per;

    return g < 1 ? 1 : g > VV_GROUP ? VV_GROUP : g;
}

static void group_free(vv_group *g)
{
    if (g != NULL) {
        void *parts[] = { g->b, g->cts, g->ct, g->bits, g->range, g->why, g };

        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
            free(parts[i]);
    }
}

static vv_group *group_new(const vv_scrutin *s)
{
    vv_group *g = calloc(1, sizeof *g);
    size_t r = (size_t)(s->max - s->min + 1);

    if (g == NULL || s->k > VV_MAX_LISTS || r > VV_MAX_RANGE)
        goto fail;
    g->cap = group_ballots(s);
    g->b = calloc(g->cap, sizeof *g->b);
    g->cts = malloc(g->cap * s->k * sizeof *g->cts);
    g->ct = malloc(g->cap * s->k * sizeof *g->ct);
    g->bits = malloc(g->cap * s->k * sizeof *g->bits);
    g->range = malloc(g->cap * r * sizeof *g->range);
    g->why = malloc(g->cap * sizeof *g->why);
    if (g->b == NULL || g->cts == NULL || g->ct == NULL || g->bits == NULL || g->range == NULL ||
        g->why == NULL)
        goto fail;
    for (size_t i = 0; i < g->cap; i++) {
        g->b[i].ct = g->ct + i * s->k;
        g->b[i].bits = g->bits + i * s->k;
        g->b[i].range = g->range + i * r;
    }
    return g;
fail:
    group_free(g);
    return NULL;
}

typedef struct {
    vv *v;
    vv_scrutin *s;
    const char *id_json;               /* s->id as a JSON string */
    char **lines;
    size_t from, to;
    /* results */
    size_t bad, nbad;                  /* first bad line index (or to), how many */
    char why[96];
    elgamal_ct sum[VV_MAX_LISTS];
    group_point digest;
    uint8_t (*alphas)[32];
    uint8_t (*creds)[32];
    uint8_t (*trackers)[32];
    size_t n;
} vv_slice;

/* A BRANCH of §14: exactly {a, b, c, s}, each 32-byte lowercase hex. */
static int branch_get(proof_branch *b, json_t *o)
{
    if (!json_is_object(o) || json_object_size(o) != 4)
        return -1;
    return vv_hex(b->a, 32, o, "a") | vv_hex(b->b, 32, o, "b") | vv_hex(b->c, 32, o, "c") |
           vv_hex(b->s, 32, o, "s");
}

/* The fields of §14, exactly: every object with exactly its keys, every
 * array of its exact size, integers where §14 says integers. */
static const char *ballot_parse(vv_ballot *b, json_t *j, const vv *v, const vv_scrutin *s)
{
    json_t *lists = json_object_get(j, "lists"), *range = json_object_get(j, "range");
    json_t *rp = json_object_get(range, "proof"), *sig = json_object_get(j, "signature"), *e;
    json_t *min = json_object_get(range, "min"), *max = json_object_get(range, "max");
    uint8_t fp[32];
    size_t i;

    if (!json_is_object(j) || json_object_size(j) != 7 ||
        !json_is_integer(json_object_get(j, "version")) ||
        json_integer_value(json_object_get(j, "version")) != 1)
        return "is not a version 1 ballot with exactly its seven fields";
    if (vv_hex(fp, 32, j, "election") != 0 || memcmp(fp, v->fp, 32) != 0)
        return "names another election";
    if (!json_is_string(json_object_get(j, "scrutin")) ||
        strcmp(json_string_value(json_object_get(j, "scrutin")), s->id) != 0)
        return "names another scrutin";
    if (vv_hex(b->cred, 32, j, "credential") != 0)
        return "has a malformed credential";
    if (!json_is_array(lists) || (b->k = json_array_size(lists)) != s->k)
        return "does not have one ciphertext per candidate list";
    json_array_foreach(lists, i, e) {
        json_t *p = json_object_get(e, "proof");

        if (!json_is_object(e) || json_object_size(e) != 2 || vv_hex(b->ct[i], 64, e, "ct") != 0 ||
            !json_is_array(p) || json_array_size(p) != 2 ||
            branch_get(&b->bits[i][0], json_array_get(p, 0)) != 0 ||
            branch_get(&b->bits[i][1], json_array_get(p, 1)) != 0)
            return "has a malformed ciphertext or 0/1 proof";
    }
    if (!json_is_object(range) || json_object_size(range) != 3 || !json_is_integer(min) ||
        !json_is_integer(max) || !json_is_array(rp))
        return "has a range that is not {min, max, proof} with integer bounds";
    b->min = (uint64_t)json_integer_value(min);
    b->max = (uint64_t)json_integer_value(max);
    if (json_integer_value(min) != (json_int_t)s->min ||
        json_integer_value(max) != (json_int_t)s->max || json_array_size(rp) != b->max - b->min + 1)
        return "has a range proof for another range";
    json_array_foreach(rp, i, e)
        if (branch_get(&b->range[i], e) != 0)
            return "has a malformed range proof";
    if (!json_is_object(sig) || json_object_size(sig) != 2 || vv_hex(b->sig.a, 32, sig, "a") != 0 ||
        vv_hex(b->sig.s, 32, sig, "s") != 0)
        return "has a malformed signature";
    return NULL;
}

/* The canonical bytes are written here directly (no JSON tree per ballot:
 * this runs for every ballot of the box), in the order of §12: keys sorted
 * bytewise, no white space, lowercase hex, integers in decimal; the only
 * free-form string, the scrutin id, is encoded once per chunk by jansson.
 *
 * The same walk also reads: with `in` set, each literal is compared with the
 * bytes at p and each hex field is decoded from there (lowercase hex only),
 * so a line is read exactly when it is the canonical bytes of the fields it
 * yields; the election's fingerprint, the range and the scrutin id are
 * literals there. Any other line goes to jansson (line_decode). */
typedef struct {
    char *p, *end;
    const char *in;                    /* reading: the position in the line; NULL when writing */
} vv_out;

static void put_n(vv_out *o, const char *s, size_t n)
{
    if (o->in != NULL) {
        if (o->p != NULL && (size_t)(o->end - o->in) >= n && memcmp(o->in, s, n) == 0)
            o->in += n;
        else
            o->p = NULL;               /* another byte: not this canonical form */
    } else if (o->p != NULL && (size_t)(o->end - o->p) > n) {
        memcpy(o->p, s, n);
        o->p += n;
        *o->p = '\0';
    } else {
        o->p = NULL;                   /* too long: no canonical form */
    }
}

static void put(vv_out *o, const char *s)
{
    put_n(o, s, strlen(s));
}

/* Writing: "key":"<hex of b>". Reading: the same bytes, the hex into b, or,
 * if fixed, compared with b. */
static void put_hex_field(vv_out *o, const char *key, uint8_t *b, size_t n, int fixed)
{
    char hex[129];

    put(o, "\"");
    put(o, key);
    put(o, "\":\"");
    if (o->in == NULL) {
        hex_encode(hex, b, n);
        put_n(o, hex, 2 * n);
    } else if (o->p != NULL && (size_t)(o->end - o->in) >= 2 * n) {
        uint8_t v[64];

        if (hex_decode_public(v, n, o->in) != 0 || (fixed && memcmp(b, v, n) != 0))
            o->p = NULL;
        else if (!fixed)
            memcpy(b, v, n);
        o->in += 2 * n;
    } else {
        o->p = NULL;
    }
    put(o, "\"");
}

static void put_hex(vv_out *o, const char *key, uint8_t *b, size_t n)
{
    put_hex_field(o, key, b, n, 0);
}

static void put_branch(vv_out *o, proof_branch *br)
{
    put(o, "{");
    put_hex(o, "a", br->a, 32);
    put(o, ",");
    put_hex(o, "b", br->b, 32);
    put(o, ",");
    put_hex(o, "c", br->c, 32);
    put(o, ",");
    put_hex(o, "s", br->s, 32);
    put(o, "}");
}

/* The ballot's canonical bytes (§12, §14) from its fields (b->k, min and
 * max set), written through o or read from it (then b's fields are filled);
 * id_json: the scrutin id as a JSON string. */
static void ballot_walk(vv_out *o, vv_ballot *b, const vv *v, const char *id_json)
{
    char num[48];

    put(o, "{");
    put_hex(o, "credential", b->cred, 32);
    put(o, ",");
    put_hex_field(o, "election", (uint8_t *)v->fp, 32, 1);
    put(o, ",\"lists\":[");
    for (size_t i = 0; i < b->k; i++) {
        put(o, i ? ",{" : "{");
        put_hex(o, "ct", b->ct[i], 64);
        put(o, ",\"proof\":[");
        put_branch(o, &b->bits[i][0]);
        put(o, ",");
        put_branch(o, &b->bits[i][1]);
        put(o, "]}");
    }
    snprintf(num, sizeof num, "],\"range\":{\"max\":%llu,\"min\":%llu,\"proof\":[",
             (unsigned long long)b->max, (unsigned long long)b->min);
    put(o, num);
    for (uint64_t i = 0; i <= b->max - b->min; i++) {
        put(o, i ? "," : "");
        put_branch(o, &b->range[i]);
    }
    put(o, "]},\"scrutin\":");
    put(o, id_json);
    put(o, ",\"signature\":{");
    put_hex(o, "a", b->sig.a, 32);
    put(o, ",");
    put_hex(o, "s", b->sig.s, 32);
    put(o, "},\"version\":1}");
}

/* The ballot's canonical bytes into buf: its length, or 0 if buf is too small. */
static size_t ballot_canonical(char *buf, size_t cap, vv_ballot *b, const vv *v,
                               const char *id_json)
{
    vv_out o = { buf, buf + cap, NULL };

    ballot_walk(&o, b, v, id_json);
    return o.p != NULL ? (size_t)(o.p - buf) : 0;
}

/* A line that is exactly {"tracker":"<hex>","ballot":<canonical bytes>} for
 * this scrutin, read into b: 0, with the ballot's bytes at *canon (clen of
 * them); -1 for any other line (jansson then says what is wrong with it). */
static int line_read_canonical(vv_ballot *b, const char *line, size_t len, const vv *v,
                               const vv_scrutin *s, const char *id_json, const char **canon,
                               size_t *clen)
{
    char any;
    vv_out o = { &any, NULL, line };

    o.end = (char *)line + len;
    b->k = s->k;
    b->min = s->min;
    b->max = s->max;
    put(&o, "{");
    put_hex(&o, "tracker", b->tracker, 32);
    put(&o, ",\"ballot\":");
    *canon = o.in;
    ballot_walk(&o, b, v, id_json);
    *clen = (size_t)(o.in - *canon);
    put(&o, "}");
    return o.p != NULL && o.in == o.end ? 0 : -1;
}

/* The digest the credential signs (§8). */
static void ballot_digest_of(uint8_t out[32], const vv_ballot *b, const vv *v, const char *id)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/ballot", 32);
    transcript_put(&t, v->fp, 32);
    transcript_put(&t, id, strlen(id));
    transcript_put(&t, b->cred, 32);
    transcript_put_u64(&t, b->k);
    for (size_t i = 0; i < b->k; i++) {
        transcript_put(&t, b->ct[i], 32);
        transcript_put(&t, b->ct[i] + 32, 32);
        transcript_put(&t, b->bits[i], sizeof b->bits[i]);
    }
    transcript_put_u64(&t, b->min);
    transcript_put_u64(&t, b->max);
    transcript_put(&t, b->range, (size_t)(b->max - b->min + 1) * sizeof(proof_branch));
    transcript_digest(&t, out);
}

/* Add all of the ballot's equations to the batch; its ciphertexts in cts. */
static int ballot_eqs(batch *bt, const vv_ballot *b, const vv *v, const char *id,
                        elgamal_ct *cts)
{
    uint8_t aux[VV_AUX_MAX], d[32];
    size_t idlen = strlen(id), auxlen = 0;
    int sa[VV_MAX_LISTS], sb[VV_MAX_LISTS], sc;
    elgamal_ct total;
    proof_disj_statement st = { v->fp, &v->pk, NULL, 0, 1, aux, 0 };

    for (int i = 0; i < 8; i++)             /* aux = enc(S) || enc(scrutin id) */
        aux[auxlen++] = (uint8_t)((uint64_t)32 >> (8 * i));
    memcpy(aux + auxlen, b->cred, 32);
    auxlen += 32;
    for (int i = 0; i < 8; i++)
        aux[auxlen++] = (uint8_t)((uint64_t)idlen >> (8 * i));
    memcpy(aux + auxlen, id, idlen);
    st.auxlen = auxlen + idlen;
    elgamal_ct_zero(&total);
    for (size_t i = 0; i < b->k; i++) {
        if ((sa[i] = batch_point_decode(bt, b->ct[i], GROUP_NO_IDENTITY)) < 0 ||
            (sb[i] = batch_point_decode(bt, b->ct[i] + 32, GROUP_NO_IDENTITY)) < 0)
            return -1;
        cts[i].a = *batch_point_get(bt, sa[i]);
        cts[i].b = *batch_point_get(bt, sb[i]);
        memcpy(cts[i].bytes, b->ct[i], 64);
        st.ct = &cts[i];
        if (proof_disj_batch(bt, b->bits[i], &st, &sa[i], &sb[i], 1) != 0)
            return -1;
        elgamal_ct_add(&total, &total, &cts[i]);
    }
    elgamal_ct_encode(&total);
    st.ct = &total;
    st.min = b->min;
    st.max = b->max;
    if (proof_disj_batch(bt, b->range, &st, sa, sb, b->k) != 0 ||
        (sc = batch_point_decode(bt, b->cred, GROUP_NO_IDENTITY)) < 0)
        return -1;
    ballot_digest_of(d, b, v, id);
    return credential_sig_batch(bt, &b->sig, v->fp, sc, b->cred, d);
}

/* H(tracker) as a point: the box digest's step (§14), hashed to the group
 * without encoding it (the encoding, decoded again, refused only the identity). */
static int digest_point(group_point *p, const uint8_t tracker[32])
{
    uint8_t wide[64];
    transcript t;

    transcript_init(&t, "votesrv/v1/box-digest", 64);
    transcript_put(&t, tracker, 32);
    crypto_generichash_final(&t.h, wide, sizeof wide);
    group_point_from_hash(p, wide);
    return group_point_is_identity(p) ? -1 : 0;
}

/* A ballot line (§14): exactly {"tracker":"<hex>","ballot":<canonical
 * bytes>}, nothing else (no white space, these keys in this order), where the
 * canonical bytes are rebuilt here from the decoded fields and the tracker is
 * their hash. One encoding per ballot: a line re-serialised (keys reordered,
 * spaces) is rejected, even if its content is the same. */
static const char *line_decode(const vv_slice *w, vv_ballot *b, const char *line)
{
    size_t len = strlen(line), clen = 0;
    const char *why = NULL, *fast;
    char *canon = NULL, hex[65];
    uint8_t t[32];
    transcript h;
    json_t *j, *bj;

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    /* the canonical line, read where it stands: its ballot's bytes are hashed
     * as they came (they are the canonical form) */
    if (line_read_canonical(b, line, len, w->v, w->s, w->id_json, &fast, &clen) == 0) {
        transcript_init(&h, "votesrv/v1/tracker", 32);
        transcript_put(&h, fast, clen);
        transcript_digest(&h, t);
        return memcmp(t, b->tracker, 32) != 0
                   ? "does not hash to its tracker (the hash of its canonical form, §14)"
                   : NULL;
    }
    /* any other line is refused: jansson says why */
    j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    bj = json_object_get(j, "ballot");
    if (!json_is_object(j) || json_object_size(j) != 2 || !json_is_object(bj) ||
        vv_hex(b->tracker, 32, j, "tracker") != 0)
        why = "is not a {tracker, ballot} line";
    if (why == NULL)
        why = ballot_parse(b, bj, w->v, w->s);
    if (why == NULL && ((canon = malloc(VV_CANON_MAX)) == NULL ||
                        (clen = ballot_canonical(canon, VV_CANON_MAX, b, w->v, w->id_json)) == 0))
        why = "could not be encoded (out of memory)";
    if (why == NULL) {
        transcript_init(&h, "votesrv/v1/tracker", 32);
        transcript_put(&h, canon, clen);
        transcript_digest(&h, t);
        hex_encode(hex, b->tracker, 32);
        if (memcmp(t, b->tracker, 32) != 0)
            why = "does not hash to its tracker (the hash of its canonical form, §14)";
        else if (len != 88 + clen || strncmp(line, "{\"tracker\":\"", 12) != 0 ||
                 memcmp(line + 12, hex, 64) != 0 || strncmp(line + 76, "\",\"ballot\":", 11) != 0 ||
                 memcmp(line + 87, canon, clen) != 0 || line[len - 1] != '}')
            why = "is not written in its canonical form (§14: keys reordered, white space or "
                  "other bytes)";
    }
    free(canon);
    json_decref(j);
    return why;          /* NULL: cannot happen (the canonical line was read above) */
}

/* A valid ballot counts: sums, digest, what is checked at the end. */
static const char *commit(vv_slice *w, const vv_ballot *b, const elgamal_ct *cts)
{
    group_point p;

    if (digest_point(&p, b->tracker) != 0)
        return "has a tracker that is not a digest";
    group_point_add(&w->digest, &w->digest, &p);
    for (size_t l = 0; l < b->k; l++) {
        elgamal_ct_add(&w->sum[l], &w->sum[l], &cts[l]);
        memcpy(w->alphas[w->n * b->k + l], b->ct[l], 32);
    }
    memcpy(w->creds[w->n], b->cred, 32);
    memcpy(w->trackers[w->n], b->tracker, 32);
    w->n++;
    return NULL;
}

/* Ballots [from, to) of the slice, their equations in one batch (one
 * multi-scalar product: Pippenger's buckets over the group); if it fails,
 * each ballot alone to name the bad ones (protocol.md §9). */
static void group_run(vv_slice *w, batch *bt, vv_group *g, size_t from, size_t to)
{
    const char **why = g->why;
    elgamal_ct *cts = g->cts;
    size_t k = w->s->k;
    int any = 0;

    batch_reset(bt);
    for (size_t i = from; i < to; i++) {
        size_t j = i - from;

        why[j] = line_decode(w, &g->b[j], w->lines[i]);
        if (why[j] == NULL && ballot_eqs(bt, &g->b[j], w->v, w->s->id, cts + j * k) != 0)
            why[j] = "fails its proofs or its credential signature";
        any |= why[j] == NULL;
    }
    if (any && batch_check(bt) != 0)
        for (size_t j = 0; j < to - from; j++) {
            batch_reset(bt);
            if (why[j] == NULL && (ballot_eqs(bt, &g->b[j], w->v, w->s->id, cts + j * k) != 0 ||
                                   batch_check(bt) != 0))
                why[j] = "fails its proofs or its credential signature";
        }
    for (size_t j = 0; j < to - from; j++) {
        if (why[j] == NULL)
            why[j] = commit(w, &g->b[j], cts + j * k);
        if (why[j] != NULL && w->nbad++ == 0) {
            w->bad = from + j;
            snprintf(w->why, sizeof w->why, "%s", why[j]);
        }
    }
}

/* The slice in groups of at most g->cap ballots, of even sizes (a last
 * group of a few ballots would have a narrower window). */
static void *slice_run(void *arg)
{
    vv_slice *w = arg;
    batch *bt = batch_new(w->v->pk.vtable);
    vv_group *g = group_new(w->s);
    size_t n = w->to - w->from, ng;

    w->bad = w->to;
    if (bt == NULL || g == NULL) {
        w->bad = w->from;
        w->nbad = w->to - w->from;
        snprintf(w->why, sizeof w->why, "could not be checked (out of memory)");
    }
    ng = g != NULL ? (n + g->cap - 1) / g->cap : 0;
    for (size_t i = 0; i < ng && bt != NULL; i++)
        group_run(w, bt, g, w->from + n * i / ng, w->from + n * (i + 1) / ng);
    batch_free(bt);
    group_free(g);
    return NULL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    void *p;

    if (need <= *cap)
        return 0;
    while (*cap < need)
        *cap = *cap ? 2 * *cap : 4096;
    if ((p = realloc(*arr, *cap * size)) == NULL)
        return -1;
    *arr = p;
    return 0;
}

/* Merge a slice: sums, digest, order, what is checked at the end. */
static void slice_merge(vv *v, vv_scrutin *s, vv_slice *w, size_t si)
{
    for (size_t l = 0; l < s->k; l++)
        elgamal_ct_add(&s->sum[l], &s->sum[l], &w->sum[l]);
    group_point_add(&s->dsum, &s->dsum, &w->digest);
    for (size_t i = 0; i < w->n; i++) {
        if (s->ballots > 0 && memcmp(s->last, w->trackers[i], 32) >= 0)
            s->unsorted++;
        memcpy(s->last, w->trackers[i], 32);
        s->ballots++;
        v->creds_used[v->nused][0] = (uint8_t)si;
        memcpy(v->creds_used[v->nused++] + 1, w->creds[i], 32);
    }
    memcpy(v->alphas + v->nalphas, w->alphas, w->n * s->k * 32);
    v->nalphas += w->n * s->k;
    if (w->bad < w->to) {
        char hex[65];
        json_t *j = json_loads(w->lines[w->bad], 0, NULL);
        const char *t = json_string_value(json_object_get(j, "tracker"));

        snprintf(hex, sizeof hex, "%s", t != NULL ? t : "(no tracker)");
        if (s->bad == 0)
            snprintf(s->bad_why, sizeof s->bad_why, "ballot %s (line %zu of the scrutin) %s",
                     hex, (size_t)(s->ballots_seen + w->bad + 1), w->why);
        json_decref(j);
        s->bad += w->nbad;
    }
}

int vv_ballots(vv *v, vv_scrutin *s, char **lines, size_t n)
{
    pthread_t tid[64];
    vv_slice w[64];
    int t = v->threads, started[64], rc = 0;
    size_t si = (size_t)(s - v->sc);
    json_t *idj;
    char *id_json;

    if (!v->have_pk || grow((void **)&v->creds_used, &v->cap_used, v->nused + n, 33) != 0 ||
        grow((void **)&v->alphas, &v->cap_alphas, v->nalphas + n * s->k, 32) != 0)
        return -1;
    idj = json_string(s->id);
    id_json = idj != NULL ? json_dumps(idj, JSON_ENCODE_ANY) : NULL;
    json_decref(idj);
    if (id_json == NULL)
        return -1;
    for (int i = 0; i < t; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i] = (vv_slice){ .v = v, .s = s, .id_json = id_json, .lines = lines,
                           .from = n * (size_t)i / (size_t)t,
                           .to = n * (size_t)(i + 1) / (size_t)t };
        for (size_t l = 0; l < s->k; l++)
            elgamal_ct_zero(&w[i].sum[l]);
        group_point_identity(&w[i].digest);
        w[i].alphas = malloc((w[i].to - w[i].from) * s->k * 32 + 1);
        w[i].creds = malloc((w[i].to - w[i].from) * 32 + 1);
        w[i].trackers = malloc((w[i].to - w[i].from) * 32 + 1);
        started[i] = w[i].alphas && w[i].creds && w[i].trackers &&
                     pthread_create(&tid[i], NULL, slice_run, &w[i]) == 0;
        if (!started[i] && w[i].alphas && w[i].creds && w[i].trackers)
            slice_run(&w[i]);
    }
    for (int i = 0; i < t; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        if (w[i].alphas && w[i].creds && w[i].trackers)
            slice_merge(v, s, &w[i], si);
        else
            rc = -1;
        free(w[i].alphas);
        free(w[i].creds);
        free(w[i].trackers);
    }
    s->ballots_seen += n;
    free(id_json);
    return rc;
}
