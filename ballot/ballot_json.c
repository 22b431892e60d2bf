/* ballot_json.c - the ballot's JSON form, canonical bytes and tracker. */
#include "ballot_json.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *hexj(const uint8_t *b, size_t n)
{
    char buf[2 * ELGAMAL_CT_BYTES + 1];

    hex_encode(buf, b, n);
    return json_string(buf);
}

static json_t *branches(const proof_branch *br, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o}", "a", hexj(br[i].a, 32),
                                           "b", hexj(br[i].b, 32), "c", hexj(br[i].c, 32),
                                           "s", hexj(br[i].s, 32)));
    return a;
}

json_t *ballot_to_json(const ballot *b, const uint8_t fp[BALLOT_FP_BYTES])
{
    json_t *lists = json_array();

    for (size_t i = 0; i < b->k; i++)
        json_array_append_new(lists, json_pack("{s:o,s:o}", "ct", hexj(b->ct[i], ELGAMAL_CT_BYTES),
                                               "proof", branches(b->bits[i], 2)));
    return json_pack("{s:i,s:o,s:s,s:o,s:o,s:{s:I,s:I,s:o},s:{s:o,s:o}}", "version", 1,
                     "election", hexj(fp, BALLOT_FP_BYTES), "scrutin", b->scrutin_id,
                     "credential", hexj(b->cred, 32), "lists", lists, "range",
                     "min", (json_int_t)b->min, "max", (json_int_t)b->max,
                     "proof", branches(b->range, (size_t)(b->max - b->min + 1)), "signature",
                     "a", hexj(b->sig.a, 32), "s", hexj(b->sig.s, 32));
}

static int fail(char *err, size_t errlen, const char *field)
{
    snprintf(err, errlen, "%s", field);
    return -1;
}

static int get_hex(json_t *obj, const char *key, uint8_t *out, size_t n)
{
    return hex_decode(out, n, json_string_value(json_object_get(obj, key)));
}

static int parse_branches(json_t *arr, proof_branch *br, size_t n)
{
    json_t *v;
    size_t i;

    if (!json_is_array(arr) || json_array_size(arr) != n)
        return -1;
    json_array_foreach(arr, i, v) {
        if (!json_is_object(v) || json_object_size(v) != 4 || get_hex(v, "a", br[i].a, 32) ||
            get_hex(v, "b", br[i].b, 32) || get_hex(v, "c", br[i].c, 32) ||
            get_hex(v, "s", br[i].s, 32))
            return -1;
    }
    return 0;
}

static int parse_into(ballot *b, json_t *j, const ballot_scrutin *sc, char *err, size_t errlen)
{
    json_t *lists, *range, *sig, *v;
    json_int_t version, min, max;
    const char *election, *scrutin, *credential;
    uint8_t fp[BALLOT_FP_BYTES];
    size_t i;

    if (json_unpack_ex(j, NULL, JSON_STRICT, "{s:I,s:s,s:s,s:s,s:o,s:o,s:o}", "version", &version,
                       "election", &election, "scrutin", &scrutin, "credential", &credential,
                       "lists", &lists, "range", &range, "signature", &sig) != 0)
        return fail(err, errlen, "ballot");
    if (version != 1)
        return fail(err, errlen, "version");
    if (hex_decode(fp, sizeof fp, election) != 0 || memcmp(fp, sc->fp, sizeof fp) != 0)
        return fail(err, errlen, "election");
    if (strcmp(scrutin, sc->scrutin_id) != 0)
        return fail(err, errlen, "scrutin");
    strcpy(b->scrutin_id, sc->scrutin_id);
    if (hex_decode(b->cred, 32, credential) != 0)
        return fail(err, errlen, "credential");
    if (!json_is_array(lists) || json_array_size(lists) != sc->k)
        return fail(err, errlen, "lists");
    json_array_foreach(lists, i, v) {
        if (!json_is_object(v) || json_object_size(v) != 2 ||
            get_hex(v, "ct", b->ct[i], ELGAMAL_CT_BYTES) != 0 ||
            parse_branches(json_object_get(v, "proof"), b->bits[i], 2) != 0)
            return fail(err, errlen, "lists");
    }
    if (json_unpack_ex(range, NULL, JSON_STRICT, "{s:I,s:I,s:o}", "min", &min, "max", &max,
                       "proof", &v) != 0 || min != (json_int_t)sc->min ||
        max != (json_int_t)sc->max ||
        parse_branches(v, b->range, (size_t)(sc->max - sc->min + 1)) != 0)
        return fail(err, errlen, "range");
    if (!json_is_object(sig) || json_object_size(sig) != 2 || get_hex(sig, "a", b->sig.a, 32) ||
        get_hex(sig, "s", b->sig.s, 32))
        return fail(err, errlen, "signature");
    return 0;
}

ballot *ballot_from_json(json_t *j, const ballot_scrutin *sc, char *err, size_t errlen)
{
    ballot *b;

    if (ballot_scrutin_check(sc) != 0) {
        fail(err, errlen, "scrutin");
        return NULL;
    }
    b = ballot_new(sc->k, sc->min, sc->max);
    if (b == NULL || !json_is_object(j) || parse_into(b, j, sc, err, errlen) != 0) {
        if (b != NULL && !json_is_object(j))
            fail(err, errlen, "ballot");
        ballot_free(b);
        return NULL;
    }
    return b;
}

/* Hex of exactly 2n lowercase digits, variable-time (public data). 0, or -1. */
static int public_hex(uint8_t *out, size_t n, const json_t *s)
{
    if (!json_is_string(s) || json_string_length(s) != 2 * n)
        return -1;
    return hex_decode_public(out, n, json_string_value(s));
}

static int shape_branches(const json_t *arr, proof_branch *br, size_t n)
{
    json_t *v;
    size_t i;

    if (!json_is_array(arr) || json_array_size(arr) != n)
        return -1;
    json_array_foreach(arr, i, v) {
        if (!json_is_object(v) || json_object_size(v) != 4 ||
            public_hex(br[i].a, 32, json_object_get(v, "a")) != 0 ||
            public_hex(br[i].b, 32, json_object_get(v, "b")) != 0 ||
            public_hex(br[i].c, 32, json_object_get(v, "c")) != 0 ||
            public_hex(br[i].s, 32, json_object_get(v, "s")) != 0)
            return -1;
    }
    return 0;
}

static int shape_into(ballot *b, json_t *lists, json_t *range, json_t *sig)
{
    json_t *v, *proof;
    json_int_t min, max;
    size_t i;

    json_array_foreach(lists, i, v) {
        if (!json_is_object(v) || json_object_size(v) != 2 ||
            public_hex(b->ct[i], ELGAMAL_CT_BYTES, json_object_get(v, "ct")) != 0 ||
            shape_branches(json_object_get(v, "proof"), b->bits[i], 2) != 0)
            return BALLOT_FIELD_LISTS;
    }
    /* b was made with room for the widest range its k allows */
    if (json_unpack_ex(range, NULL, JSON_STRICT, "{s:I,s:I,s:o}", "min", &min, "max", &max,
                       "proof", &proof) != 0 || min < 0 || max < min ||
        (uint64_t)max > b->k || proof_disj_branches((uint64_t)min, (uint64_t)max) < 0)
        return BALLOT_FIELD_RANGE;
    b->min = (uint64_t)min;
    b->max = (uint64_t)max;
    if (shape_branches(proof, b->range, (size_t)(max - min + 1)) != 0)
        return BALLOT_FIELD_RANGE;
    if (!json_is_object(sig) || json_object_size(sig) != 2 ||
        public_hex(b->sig.a, 32, json_object_get(sig, "a")) != 0 ||
        public_hex(b->sig.s, 32, json_object_get(sig, "s")) != 0)
        return BALLOT_FIELD_SIGNATURE;
    return BALLOT_FIELD_NONE;
}

int ballot_from_json_shape(json_t *j, const char *scrutin, uint8_t fp[BALLOT_FP_BYTES],
                           ballot **out)
{
    json_t *lists, *range, *sig;
    json_int_t version;
    const char *election, *id, *credential;
    uint8_t cred[CREDENTIAL_PUB_BYTES];
    size_t k;
    ballot *b;
    int field;

    *out = NULL;
    memset(fp, 0, BALLOT_FP_BYTES);
    if (!json_is_object(j) ||
        json_unpack_ex(j, NULL, JSON_STRICT, "{s:I,s:s,s:s,s:s,s:o,s:o,s:o}", "version", &version,
                       "election", &election, "scrutin", &id, "credential", &credential,
                       "lists", &lists, "range", &range, "signature", &sig) != 0)
        return BALLOT_FIELD_BALLOT;
    if (version != 1)
        return BALLOT_FIELD_VERSION;
    if (public_hex(fp, BALLOT_FP_BYTES, json_object_get(j, "election")) != 0) {
        memset(fp, 0, BALLOT_FP_BYTES);
        return BALLOT_FIELD_ELECTION;
    }
    if (scrutin == NULL || strlen(scrutin) > BALLOT_SCRUTIN_ID_MAX || strcmp(id, scrutin) != 0)
        return BALLOT_FIELD_SCRUTIN;
    if (public_hex(cred, sizeof cred, json_object_get(j, "credential")) != 0)
        return BALLOT_FIELD_CREDENTIAL;
    k = json_is_array(lists) ? json_array_size(lists) : 0;
    if (k < 1 || k > BALLOT_MAX_LISTS)
        return BALLOT_FIELD_LISTS;
    b = ballot_new(k, 0, k < PROOF_DISJ_MAX_VALUES ? k : PROOF_DISJ_MAX_VALUES - 1);
    if (b == NULL)
        return -1;
    memcpy(b->cred, cred, sizeof cred);
    strcpy(b->scrutin_id, scrutin);
    if ((field = shape_into(b, lists, range, sig)) == BALLOT_FIELD_LISTS) {
        ballot_free(b);
        return field;
    }
    if (field == BALLOT_FIELD_RANGE)
        b->min = b->max = 0;            /* not read: only k goes (ballot_wire_take) */
    *out = b;
    return field;
}

/* The canonical form written directly, as json_dumps(ballot_to_json(),
 * JSON_COMPACT | JSON_SORT_KEYS) would (keys in strcmp order) without
 * building the tree: a cast's most frequent encoding. Each put_* appends at
 * p and returns the new end. */
static char *put_text(char *p, const char *s)
{
    size_t n = strlen(s);

    memcpy(p, s, n);
    return p + n;
}

static char *put_hex(char *p, const char *key, const uint8_t *b, size_t n)
{
    p = put_text(p, key);
    *p++ = '"';
    hex_encode(p, b, n);
    p += 2 * n;
    *p++ = '"';
    return p;
}

static char *put_branches(char *p, const proof_branch *br, size_t n)
{
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        p = put_hex(p, i == 0 ? "{\"a\":" : ",{\"a\":", br[i].a, 32);
        p = put_hex(p, ",\"b\":", br[i].b, 32);
        p = put_hex(p, ",\"c\":", br[i].c, 32);
        p = put_hex(p, ",\"s\":", br[i].s, 32);
        *p++ = '}';
    }
    *p++ = ']';
    return p;
}

/* 1 if jansson writes s between quotes as it is (nothing to escape). */
static int plain_string(const char *s)
{
    for (; *s; s++)
        if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
            !(*s >= '0' && *s <= '9') && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return 1;
}

#define CANONICAL_BRANCH_MAX (4 * (6 + 2 + 64) + 2)

char *ballot_canonical(const ballot *b, const uint8_t fp[BALLOT_FP_BYTES])
{
    size_t nrange = (size_t)(b->max - b->min + 1);
    char *out, *p;

    if (!plain_string(b->scrutin_id) || b->max > INT64_MAX || b->min > b->max) {
        json_t *j = ballot_to_json(b, fp);     /* the general case: jansson's own */
        char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

        json_decref(j);
        return s;
    }
    /* keys, punctuation, integers, credential and signature: under 1,024 */
    out = malloc(1024 + strlen(b->scrutin_id) + 2 * BALLOT_FP_BYTES +
                 b->k * (32 + 2 * ELGAMAL_CT_BYTES + 2 * CANONICAL_BRANCH_MAX) +
                 nrange * CANONICAL_BRANCH_MAX);
    if (out == NULL)
        return NULL;
    p = put_hex(out, "{\"credential\":", b->cred, 32);
    p = put_hex(p, ",\"election\":", fp, BALLOT_FP_BYTES);
    p = put_text(p, ",\"lists\":[");
    for (size_t i = 0; i < b->k; i++) {
        p = put_hex(p, i == 0 ? "{\"ct\":" : ",{\"ct\":", b->ct[i], ELGAMAL_CT_BYTES);
        p = put_text(p, ",\"proof\":");
        p = put_branches(p, b->bits[i], 2);
        *p++ = '}';
    }
    p += sprintf(p, "],\"range\":{\"max\":%llu,\"min\":%llu,\"proof\":",
                 (unsigned long long)b->max, (unsigned long long)b->min);
    p = put_branches(p, b->range, nrange);
    p = put_text(p, "},\"scrutin\":\"");
    p = put_text(p, b->scrutin_id);
    p = put_hex(p, "\",\"signature\":{\"a\":", b->sig.a, 32);
    p = put_hex(p, ",\"s\":", b->sig.s, 32);
    p = put_text(p, "},\"version\":1}");
    *p = '\0';
    return out;
}

/* ballot_store_bytes' answers, which depend on their arguments alone: a cast
 * asks for every scrutin of its election, and a dummy ballot's canonical JSON
 * cost as much as a tenth of the cast's CPU. */
#define STORE_BYTES_MEMO 32
static struct {
    size_t k, n;
    uint64_t min, max;
    char id[BALLOT_SCRUTIN_ID_MAX + 1];
} store_bytes_memo[STORE_BYTES_MEMO];
static size_t store_bytes_memo_n;
static pthread_mutex_t store_bytes_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t store_bytes_compute(size_t k, uint64_t min, uint64_t max, const char *scrutin_id)
{
    static const uint8_t fp[BALLOT_FP_BYTES];
    ballot *b = ballot_new(k, min, max);
    char *canonical = NULL;
    size_t n = 0;

    if (b != NULL) {
        snprintf(b->scrutin_id, sizeof b->scrutin_id, "%s", scrutin_id);
        if ((canonical = ballot_canonical(b, fp)) != NULL)
            n = strlen(canonical) + ballot_wire_size(b) + 32 * k;
    }
    free(canonical);
    ballot_free(b);
    return n;
}

size_t ballot_store_bytes(size_t k, uint64_t min, uint64_t max, const char *scrutin_id)
{
    size_t n = 0, i;
    int found = 0;

    if (strlen(scrutin_id) > BALLOT_SCRUTIN_ID_MAX)
        return 0;
    pthread_mutex_lock(&store_bytes_lock);
    for (i = 0; i < store_bytes_memo_n && !found; i++)
        if (store_bytes_memo[i].k == k && store_bytes_memo[i].min == min &&
            store_bytes_memo[i].max == max && strcmp(store_bytes_memo[i].id, scrutin_id) == 0) {
            n = store_bytes_memo[i].n;
            found = 1;
        }
    pthread_mutex_unlock(&store_bytes_lock);
    if (found)
        return n;
    n = store_bytes_compute(k, min, max, scrutin_id);
    pthread_mutex_lock(&store_bytes_lock);
    if (n > 0 && store_bytes_memo_n < STORE_BYTES_MEMO) {   /* full: computed each time */
        i = store_bytes_memo_n++;
        store_bytes_memo[i].k = k;
        store_bytes_memo[i].min = min;
        store_bytes_memo[i].max = max;
        store_bytes_memo[i].n = n;
        snprintf(store_bytes_memo[i].id, sizeof store_bytes_memo[i].id, "%s", scrutin_id);
    }
    pthread_mutex_unlock(&store_bytes_lock);
    return n;
}

void ballot_tracker(uint8_t out[BALLOT_TRACKER_BYTES], const char *canonical)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/tracker", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, canonical, strlen(canonical));
    transcript_digest(&t, out);
}

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void ballot_tracker_text(char out[BALLOT_TRACKER_CHARS + 1], const uint8_t t[BALLOT_TRACKER_BYTES])
{
    size_t o = 0, bits = 0, sym = 0;
    unsigned acc = 0;

    for (size_t i = 0; i < BALLOT_TRACKER_BYTES || bits > 0; ) {
        if (bits < 5 && i < BALLOT_TRACKER_BYTES) {
            acc = (acc << 8) | t[i++];
            bits += 8;
        }
        if (bits < 5) {               /* the last symbol, padded with zero bits */
            acc <<= 5 - bits;
            bits = 5;
        }
        if (sym > 0 && sym % 4 == 0)
            out[o++] = '-';
        out[o++] = b32[(acc >> (bits - 5)) & 31];
        bits -= 5;
        sym++;
    }
    out[o] = '\0';
}

int ballot_tracker_parse(uint8_t out[BALLOT_TRACKER_BYTES], const char *text)
{
    char want[BALLOT_TRACKER_CHARS + 1], got[BALLOT_TRACKER_CHARS + 1];
    size_t n = 0, bits = 0, o = 0;
    unsigned acc = 0;

    for (const char *p = text; p != NULL && *p && n < sizeof got - 1; p++)
        if (*p != '-' && *p != ' ')
            got[n++] = (char)toupper((unsigned char)*p);
    got[n] = '\0';
    if (n != 52)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *c = strchr(b32, got[i]);

        if (c == NULL || got[i] == '\0')
            return -1;
        acc = (acc << 5) | (unsigned)(c - b32);
        bits += 5;
        if (bits >= 8 && o < BALLOT_TRACKER_BYTES) {
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
            acc &= (1u << bits) - 1;
        }
    }
    ballot_tracker_text(want, out);         /* canonical only: padding bits must be zero */
    for (size_t i = 0, j = 0; want[i]; i++)
        if (want[i] != '-' && want[i] != got[j++])
            return -1;
    return o == BALLOT_TRACKER_BYTES ? 0 : -1;
}
