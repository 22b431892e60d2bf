/* bureau.c - the key ceremony and the seals (protocol.md §6, §6.1, §6.3):
 * every holder's keys and proof, the shares and verdicts they signed, the
 * joint key, and the seals of the president and a delegate at open and close. */
#include <stdlib.h>
#include <string.h>
#include "crypto/bureau.h"
#include "crypto/threshold.h"
#include "verify.h"

typedef struct {
    size_t n;
    uint8_t sign_pk[VV_MAX_HOLDERS][32];
    uint8_t president[32];
    uint8_t com[VV_MAX_HOLDERS][2][32];
} holders;

/* Hb("votesrv/v1/ceremony-message"; the message without its signature). */
static int message_digest(uint8_t out[32], json_t *m)
{
    json_t *c = json_copy(m);
    char *text;
    transcript t;

    if (c == NULL)
        return -1;
    json_object_del(c, "signature");
    text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(c);
    if (text == NULL)
        return -1;
    transcript_init(&t, "votesrv/v1/ceremony-message", 32);
    transcript_put(&t, text, strlen(text));
    transcript_digest(&t, out);
    free(text);
    return 0;
}

/* m is holder i's message of this kind, for this election, signed by pk. */
int vv_message_ok(const vv *v, json_t *m, const char *kind, size_t i, const uint8_t pk[32])
{
    uint8_t d[32], sig[64];

    return json_is_string(json_object_get(m, "format")) &&
           strcmp(json_string_value(json_object_get(m, "format")), "votesrv-ceremony/1") == 0 &&
           json_is_string(json_object_get(m, "eid")) &&
           strcmp(json_string_value(json_object_get(m, "eid")), v->eid) == 0 &&
           json_is_string(json_object_get(m, "kind")) &&
           strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0 &&
           json_integer_value(json_object_get(m, "holder")) == (json_int_t)i &&
           vv_hex(sig, 64, m, "signature") == 0 && message_digest(d, m) == 0 &&
           crypto_sign_verify_detached(sig, d, 32, pk) == 0;
}

static void transcript_of(uint8_t out[32], json_t *a, json_t *b)
{
    uint8_t d[32];
    size_t i;
    json_t *m;
    transcript t;

    transcript_init(&t, "votesrv/v1/ceremony-transcript", 32);
    json_array_foreach(a, i, m) {
        if (message_digest(d, m) != 0)
            memset(d, 0, 32);
        transcript_put(&t, d, 32);
    }
    json_array_foreach(b, i, m) {
        if (message_digest(d, m) != 0)
            memset(d, 0, 32);
        transcript_put(&t, d, 32);
    }
    transcript_digest(&t, out);
}

static int keys_ok(const vv *v, holders *h, json_t *keys, const uint8_t ctx[32], size_t *bad)
{
    for (size_t i = 0; i < h->n; i++) {
        json_t *m = json_array_get(keys, i), *c = json_object_get(m, "commitments");
        size_t t = i == 0 ? 1 : 2;
        uint8_t proof[64];
        proof_pok pok;
        int ok = json_array_size(c) == t && vv_hex(h->sign_pk[i], 32, m, "sign_pk") == 0 &&
                 vv_hex(proof, 64, m, "proof") == 0;

        for (size_t k = 0; ok && k < t; k++)
            ok = json_is_string(json_array_get(c, k)) &&
                 json_string_length(json_array_get(c, k)) == 64 &&
                 hex_decode(h->com[i][k], 32, json_string_value(json_array_get(c, k))) == 0;
        memcpy(pok.a, proof, 32);
        memcpy(pok.s, proof + 32, 32);
        ok = ok && vv_message_ok(v, m, "keys", i, h->sign_pk[i]) &&
             (i == 0 ? bureau_president_verify(h->com[0][0], &pok, ctx) == 0
                     : threshold_commitments_verify(h->com[i][0], 2, &pok, ctx, i) == 0);
        if (!ok) {
            *bad = i;
            return 0;
        }
        if (i == 0)
            memcpy(h->president, h->com[0][0], 32);
    }
    return 1;
}

static int shares_ok(const vv *v, const holders *h, json_t *keys, json_t *shares, size_t *bad)
{
    uint8_t kd[32], d[32], box[THRESHOLD_SHARE_SEALED_BYTES];
    char key[24];

    transcript_of(kd, keys, NULL);
    for (size_t i = 1; i < h->n; i++) {
        json_t *m = json_array_get(shares, i - 1), *s = json_object_get(m, "shares");
        int ok = vv_message_ok(v, m, "shares", i, h->sign_pk[i]) && vv_hex(d, 32, m, "keys") == 0 &&
                 memcmp(d, kd, 32) == 0 && json_object_size(s) == h->n - 2;

        for (size_t j = 1; ok && j < h->n; j++) {
            snprintf(key, sizeof key, "%zu", j);
            ok = j == i || vv_hex(box, sizeof box, s, key) == 0;
        }
        if (!ok) {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

static int verdicts_ok(const vv *v, const holders *h, json_t *keys, json_t *shares,
                       json_t *verdicts, size_t *bad)
{
    uint8_t tr[32], d[32];

    transcript_of(tr, keys, shares);
    for (size_t i = 0; i < h->n; i++) {
        json_t *m = json_array_get(verdicts, i);

        if (!vv_message_ok(v, m, "verdict", i, h->sign_pk[i]) || vv_hex(d, 32, m, "transcript") != 0 ||
            memcmp(d, tr, 32) != 0 || !json_is_true(json_object_get(m, "ok"))) {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

/* The box hash a seal covers: every scrutin's count and digest (§6.3). */
static void box_hash(uint8_t out[32], const vv *v, int empty)
{
    static const uint8_t zero[32];
    transcript t;

    transcript_init(&t, "votesrv/v1/seal-box", 32);
    for (size_t i = 0; i < v->nsc; i++) {
        transcript_put(&t, v->sc[i].id, strlen(v->sc[i].id));
        transcript_put_u64(&t, empty ? 0 : v->sc[i].ballots_line);
        transcript_put(&t, empty ? zero : v->sc[i].digest_line, 32);
    }
    transcript_digest(&t, out);
}

/* A sealed state as the archive lets anyone recompute it (§6.3): this act,
 * election and fingerprint, the box and the credentials the archive shows,
 * and no field beyond those of §6.3. */
static int state_ok(const vv *v, json_t *st, const char *act, const uint8_t box[32])
{
    uint8_t got[32], empty_signatures[32];

    vv_signatures_digest(empty_signatures, NULL, 0);  /* no one has voted before opening */

    return json_object_size(st) == 7 && json_is_string(json_object_get(st, "act")) &&
           strcmp(json_string_value(json_object_get(st, "act")), act) == 0 &&
           json_is_string(json_object_get(st, "eid")) &&
           strcmp(json_string_value(json_object_get(st, "eid")), v->eid) == 0 &&
           vv_hex(got, 32, st, "fingerprint") == 0 && memcmp(got, v->fp, 32) == 0 &&
           vv_hex(got, 32, st, "box") == 0 && memcmp(got, box, 32) == 0 &&
           vv_hex(got, 32, st, "credentials") == 0 &&
           memcmp(got, strcmp(act, "open") == 0 ? v->seal_creds_open : v->seal_creds_close,
                  32) == 0 &&
           vv_hex(got, 32, st, "signatures") == 0 &&
           (strcmp(act, "open") != 0 || memcmp(got, empty_signatures, 32) == 0) &&
           vv_hex(got, 32, st, "software") == 0;
}

/* The seals before opening or closing. One seal per holder. At opening, a seal
 * over another state is left aside (a holder's earlier seal); the president's
 * accepted seal gives the opening software. At closing every seal must be
 * over the one verified closing state, with the opening software: the seat
 * seed (§15) is made from these seals, so the server must have no other
 * signature to choose from. */
static void seals_check(vv *v, const holders *h, const char *act)
{
    char kind[16], why[160] = "";
    json_t *list, *m, *closing = NULL;
    uint8_t want[32], sw[32], sigs[32], sig[64], seen[VV_MAX_HOLDERS] = { 0 };
    size_t i, delegates = 0;
    json_int_t first = 0;
    int president = 0, close_ = strcmp(act, "close") == 0;

    snprintf(kind, sizeof kind, "seal-%s", act);
    list = json_object_get(v->documents, kind);
    box_hash(want, v, !close_);
    json_array_foreach(list, i, m) {
        json_t *st = json_object_get(m, "state");
        json_int_t who = json_integer_value(json_object_get(m, "holder"));
        int ok = who >= 0 && (size_t)who < h->n &&
                 vv_message_ok(v, m, kind, (size_t)who, h->sign_pk[who]) &&
                 state_ok(v, st, act, want) && vv_hex(sw, 32, st, "software") == 0 &&
                 vv_hex(sigs, 32, st, "signatures") == 0 && vv_hex(sig, 64, m, "signature") == 0;

        if (why[0] != '\0' && close_)
            break;                     /* the first fault is the one reported */
        if (ok && seen[who]) {
            snprintf(why, sizeof why, "holder %lld sealed twice", (long long)who);
            continue;
        }
        if (!ok) {
            if (close_)
                snprintf(why, sizeof why, "seal %zu (holder %lld) is not a valid seal of the "
                         "verified closing state", i + 1, (long long)who);
            continue;
        }
        seen[who] = 1;
        if (close_) {
            if (closing != NULL && !json_equal(st, closing)) {
                snprintf(why, sizeof why, "holder %lld sealed another closing state than "
                         "holder %lld", (long long)who, (long long)first);
                continue;
            }
            if (!v->have_software_open || memcmp(sw, v->software_open, 32) != 0) {
                snprintf(why, sizeof why, "holder %lld's closing software digest is not the "
                         "opening one", (long long)who);
                continue;
            }
            if (closing == NULL) {
                closing = st;
                first = who;
                memcpy(v->seal_sigs_close, sigs, 32);
                memcpy(v->seal_software_close, sw, 32);
                v->have_close_state = 1;
            }
            memcpy(v->close_sig[who], sig, 64);
            v->close_ok[who] = 1;
        } else if (who == 0) {
            memcpy(v->software_open, sw, 32);
            v->have_software_open = 1;
        }
        president += who == 0;
        delegates += who != 0;
    }
    vv_report(v, president && delegates >= 1, "seals before %s: president %s, %zu delegate(s), "
              "over this fingerprint, the box and the credential authority's lists and records as "
              "the archive shows them", act,
              president ? "yes" : "no", delegates);
    vv_report(v, why[0] == '\0', "seals before %s: one per holder%s%s%s", act,
              close_ ? ", every one over the same verified closing state with the opening "
                       "software" : "", why[0] != '\0' ? ": " : "", why);
    if (why[0] != '\0' && close_) {
        memset(v->close_ok, 0, sizeof v->close_ok);
        v->have_close_state = 0;
    }
}

void vv_bureau(vv *v)
{
    json_t *keys = json_object_get(v->documents, "keys");
    json_t *shares = json_object_get(v->documents, "shares");
    json_t *verdicts = json_object_get(v->documents, "verdict");
    holders *h = calloc(1, sizeof *h);
    uint8_t ctx[32], joint[32];
    char *canon = json_dumps(v->definition, JSON_COMPACT | JSON_SORT_KEYS);
    size_t bad = 0;
    transcript t;

    if (h == NULL || canon == NULL || v->delegates < 2 || v->delegates >= VV_MAX_HOLDERS) {
        vv_report(v, 0, "bureau de vote: a president and at least two delegates hold the key "
                  "(none declared: a demo key that no one can account for)");
        free(h);
        free(canon);
        return;
    }
    h->n = v->delegates + 1;
    transcript_init(&t, "votesrv/v1/election", 32);       /* the draft fingerprint */
    transcript_put(&t, v->eid, strlen(v->eid));
    transcript_put(&t, canon, strlen(canon));
    transcript_put(&t, "", 0);
    transcript_digest(&t, ctx);
    free(canon);
    vv_report(v, 1, "bureau de vote: the president and %zu delegates (decrypting needs the "
              "president and 2)", v->delegates);
    if (json_array_size(keys) != h->n || !keys_ok(v, h, keys, ctx, &bad)) {
        vv_report(v, 0, "key ceremony: holder %zu's keys, signature or proof of knowledge",
                  json_array_size(keys) != h->n ? json_array_size(keys) : bad);
    } else if (json_array_size(shares) != h->n - 1 || !shares_ok(v, h, keys, shares, &bad)) {
        vv_report(v, 0, "key ceremony: delegate %zu's shares message", bad);
    } else if (json_array_size(verdicts) != h->n ||
               !verdicts_ok(v, h, keys, shares, verdicts, &bad)) {
        vv_report(v, 0, "key ceremony: holder %zu's verdict approving the transcript", bad);
    } else {
        vv_report(v, 1, "key ceremony: every holder's keys, proofs, shares and approval");
        vv_report(v, bureau_joint_key(joint, h->president, &h->com[1][0][0], h->n - 1) == 0 &&
                         memcmp(joint, v->pk_bytes, 32) == 0,
                  "joint key = X_P + sum of the delegates' C_i0 = the election's public key");
        seals_check(v, h, "open");
        if (strcmp(v->state, "open") != 0)
            seals_check(v, h, "close");
    }
    memcpy(v->holder_keys, h->sign_pk, sizeof v->holder_keys);
    memcpy(v->president, h->president, 32);
    memcpy(v->commitments, h->com[1], sizeof v->commitments);
    v->holders = h->n;
    free(h);
}
