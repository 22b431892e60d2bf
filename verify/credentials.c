/* credentials.c - the credential authority's signed lists and reissue records
 * (protocol.md §7): every list and record signed with the definition's
 * credential_authority key, counts equal to the eligible voters, records in
 * order; every ballot's credential is in its scrutin's list or a record's
 * fresh set and was never revoked; at most one ballot per credential and
 * scrutin; the box's credential table is exactly the signed set; no
 * ciphertext twice (§14). A credential added without the authority's key
 * fails here. */
#include <stdlib.h>
#include <string.h>
#include "verify.h"

typedef struct {
    uint8_t key[33];                   /* scrutin index || S */
    uint8_t revoked;
} vcred;

typedef struct {
    vcred *base, *fresh;               /* the lists (sorted), the records' fresh ones */
    size_t nbase, nfresh, capfresh;
    uint64_t eligible[VV_MAX_SCRUTINS];
} vset;

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static int cmp33(const void *a, const void *b)
{
    return memcmp(a, b, 33);
}

static int scrutin_of(const vv *v, const char *id)
{
    for (size_t i = 0; id != NULL && i < v->nsc; i++)
        if (strcmp(v->sc[i].id, id) == 0)
            return (int)i;
    return -1;
}

static vcred *find(vset *s, const uint8_t key[33])
{
    vcred *c = s->nbase ? bsearch(key, s->base, s->nbase, sizeof *s->base, cmp33) : NULL;

    for (size_t i = 0; c == NULL && i < s->nfresh; i++)
        if (memcmp(s->fresh[i].key, key, 33) == 0)
            c = &s->fresh[i];
    return c;
}

/* The authority's key, from the definition (the fingerprint covers it). */
static int authority_key(const vv *v, uint8_t pk[32])
{
    return vv_hex(pk, 32, v->definition, "credential_authority") == 0 ? 0 : -1;
}

/* One scrutin's list: sorted distinct valid points, n = eligible, signed. */
static int list_ok(vv *v, vset *s, json_t *l, const uint8_t pk[32], transcript *seal,
                   char *why, size_t whylen)
{
    const char *id = json_string_value(json_object_get(l, "scrutin"));
    json_t *creds = json_object_get(l, "credentials"), *c;
    json_int_t n = json_integer_value(json_object_get(l, "eligible"));
    credential_list_hash h;
    uint8_t pub[32], prev[32], digest[32], sig[64];
    int k = scrutin_of(v, id);
    size_t i;

    if (k < 0 || !json_is_array(creds) || n < 0 || json_array_size(creds) != (size_t)n ||
        vv_hex(sig, 64, l, "signature") != 0) {
        snprintf(why, whylen, "list of %s: not a scrutin of the definition, or count != "
                 "eligible", id ? id : "?");
        return 0;
    }
    credential_list_init(&h, v->eid, id, (uint64_t)n);
    json_array_foreach(creds, i, c) {
        if (!json_is_string(c) || json_string_length(c) != 64 ||
            hex_decode(pub, 32, json_string_value(c)) != 0 ||
            !crypto_core_ristretto255_is_valid_point(pub) || (i > 0 && cmp32(prev, pub) >= 0)) {
            snprintf(why, whylen, "list of %s: credential %zu invalid, unsorted or twice", id, i);
            return 0;
        }
        memcpy(prev, pub, 32);
        credential_list_add(&h, pub);
        s->base[s->nbase].key[0] = (uint8_t)k;
        memcpy(s->base[s->nbase].key + 1, pub, 32);
        s->base[s->nbase++].revoked = 0;
    }
    credential_list_final(&h, digest);
    if (crypto_sign_verify_detached(sig, digest, 32, pk) != 0) {
        snprintf(why, whylen, "list of %s: the signature is not the credential authority's", id);
        return 0;
    }
    s->eligible[k] = (uint64_t)n;
    transcript_put(seal, id, strlen(id));
    transcript_put_u64(seal, (uint64_t)n);
    transcript_put(seal, digest, 32);
    transcript_put(seal, sig, 64);
    return 1;
}

/* The single credential-lists document: this election, this authority, one
 * list per scrutin of the definition, in the definition's order for the seal. */
static int lists_ok(vv *v, vset *s, const uint8_t pk[32], transcript *seal, char *why,
                    size_t whylen)
{
    json_t *docs = json_object_get(v->documents, "credential-lists");
    json_t *doc = json_array_get(docs, 0), *lists = json_object_get(doc, "lists"), *l;
    const char *eid = json_string_value(json_object_get(doc, "election"));
    const char *format = json_string_value(json_object_get(doc, "format"));
    uint8_t auth[32], fp[32];
    size_t total = 0, i;

    if (json_array_size(docs) != 1 || !json_is_array(lists) || format == NULL ||
        strcmp(format, "votesrv-credentials/2") != 0 ||
        json_array_size(lists) != v->nsc || vv_hex(auth, 32, doc, "authority") != 0 ||
        memcmp(auth, pk, 32) != 0 || vv_hex(fp, 32, doc, "fingerprint") != 0 ||
        memcmp(fp, v->fp, 32) != 0 || eid == NULL || strcmp(eid, v->eid) != 0) {
        snprintf(why, whylen, "no credential-lists document (votesrv-credentials/2) of this "
                 "election, fingerprint and authority, with one list per scrutin");
        return 0;
    }
    json_array_foreach(lists, i, l)
        total += json_array_size(json_object_get(l, "credentials"));
    if ((s->base = calloc(total + 1, sizeof *s->base)) == NULL)
        return 0;
    for (size_t k = 0; k < v->nsc; k++) {
        int found = 0;

        json_array_foreach(lists, i, l) {
            const char *id = json_string_value(json_object_get(l, "scrutin"));

            if (id != NULL && strcmp(id, v->sc[k].id) == 0 &&
                (found++ || !list_ok(v, s, l, pk, seal, why, whylen)))
                return 0;
        }
        if (!found) {
            snprintf(why, whylen, "no list for scrutin %s", v->sc[k].id);
            return 0;
        }
    }
    if (s->nbase > 1)
        qsort(s->base, s->nbase, sizeof *s->base, cmp33);
    for (i = 1; i < s->nbase; i++)
        if (cmp33(&s->base[i - 1], &s->base[i]) == 0) {
            snprintf(why, whylen, "a credential is listed twice");
            return 0;
        }
    return 1;
}

/* The reissue records, seq 1, 2, ... in order, each signed, each entry
 * revoking a credential active at that point and adding a new one. */
static int records_ok(vv *v, vset *s, const uint8_t pk[32], transcript *seal, char *why,
                      size_t whylen)
{
    json_t *recs = json_object_get(v->documents, "reissue"), *r, *e;
    size_t i, j;

    transcript_put_u64(seal, json_array_size(recs));
    json_array_foreach(recs, i, r) {
        json_t *entries = json_object_get(r, "entries");
        const char *eid = json_string_value(json_object_get(r, "election"));
        const char *format = json_string_value(json_object_get(r, "format"));
        credential_reissue_hash h;
        uint8_t digest[32], sig[64], rev[33], fresh[33];

        if (json_integer_value(json_object_get(r, "seq")) != (json_int_t)i + 1 || eid == NULL ||
            format == NULL || strcmp(format, "votesrv-reissue-record/1") != 0 ||
            strcmp(eid, v->eid) != 0 || !json_is_array(entries) ||
            json_array_size(entries) == 0 || vv_hex(sig, 64, r, "signature") != 0) {
            snprintf(why, whylen, "record %zu: not record %zu of this election", i + 1, i + 1);
            return 0;
        }
        credential_reissue_init(&h, v->eid, i + 1, json_array_size(entries));
        json_array_foreach(entries, j, e) {
            const char *id = json_string_value(json_object_get(e, "scrutin"));
            int k = scrutin_of(v, id);
            vcred *old;

            for (size_t q = 0; k >= 0 && q < j; q++)        /* a scrutin at most once */
                if (scrutin_of(v, json_string_value(json_object_get(json_array_get(entries, q),
                                                                    "scrutin"))) == k)
                    k = -1;
            if (k < 0 || vv_hex(rev + 1, 32, e, "revoked") != 0 ||
                vv_hex(fresh + 1, 32, e, "fresh") != 0 ||
                !crypto_core_ristretto255_is_valid_point(fresh + 1)) {
                snprintf(why, whylen, "record %zu, entry %zu: malformed, or its scrutin twice",
                         i + 1, j);
                return 0;
            }
            rev[0] = fresh[0] = (uint8_t)k;
            old = find(s, rev);
            if (old == NULL || old->revoked || find(s, fresh) != NULL) {
                snprintf(why, whylen, "record %zu, entry %zu: revokes a credential that is not "
                         "active, or adds one already known", i + 1, j);
                return 0;
            }
            old->revoked = 1;
            if (s->nfresh == s->capfresh) {
                size_t cap = s->capfresh ? 2 * s->capfresh : 64;
                vcred *f = realloc(s->fresh, cap * sizeof *f);

                if (f == NULL)
                    return 0;
                s->fresh = f;
                s->capfresh = cap;
            }
            memcpy(s->fresh[s->nfresh].key, fresh, 33);
            s->fresh[s->nfresh++].revoked = 0;
            credential_reissue_add(&h, id, rev + 1, fresh + 1);
        }
        credential_reissue_final(&h, digest);
        if (crypto_sign_verify_detached(sig, digest, 32, pk) != 0) {
            snprintf(why, whylen, "record %zu: the signature is not the credential authority's",
                     i + 1);
            return 0;
        }
        transcript_put(seal, digest, 32);
        transcript_put(seal, sig, 64);
    }
    v->reissues = json_array_size(recs);
    return 1;
}

/* The archive's credentials line (the box's table) is exactly the signed set,
 * with the same revocations, in its one order (§14). */
static int box_table_ok(vv *v, vset *s)
{
    size_t n = json_array_size(v->credentials), i, total = s->nbase + s->nfresh;
    vcred *all = calloc(total + 1, sizeof *all), *box = calloc(n + 1, sizeof *box);
    const char *prev = NULL;
    json_t *c;
    int ok = all != NULL && box != NULL && n == total && json_is_array(v->credentials);

    if (ok) {
        memcpy(all, s->base, s->nbase * sizeof *all);
        if (s->nfresh > 0)
            memcpy(all + s->nbase, s->fresh, s->nfresh * sizeof *all);
        if (total > 1)
            qsort(all, total, sizeof *all, cmp33);
    }
    json_array_foreach(v->credentials, i, c) {
        const char *id = json_string_value(json_object_get(c, "scrutin"));
        int k = scrutin_of(v, id), after;

        if (!ok)
            break;
        ok = k >= 0 && vv_hex(box[i].key + 1, 32, c, "credential") == 0 &&
             json_is_boolean(json_object_get(c, "revoked"));
        /* §14: sorted by scrutin id (bytes), then credential (bytes), no pair twice */
        after = i == 0 || (prev != NULL && id != NULL &&
                           (strcmp(prev, id) < 0 ||
                            (strcmp(prev, id) == 0 && memcmp(box[i - 1].key + 1, box[i].key + 1,
                                                             32) < 0)));
        ok = ok && after;
        prev = id;
        box[i].key[0] = (uint8_t)(k < 0 ? 0 : k);
        box[i].revoked = json_is_true(json_object_get(c, "revoked"));
    }
    if (ok) {
        if (n > 1)
            qsort(box, n, sizeof *box, cmp33);
        for (i = 0; ok && i < n; i++)
            ok = memcmp(box[i].key, all[i].key, 33) == 0 && box[i].revoked == all[i].revoked;
    }
    free(all);
    free(box);
    return ok;
}

/* The lists checked into s with the authority's key pk, the seal's
 * transcript over them in seal, the opening seal's hash in open: 1, or 0. */
static int lists_start(vv *v, vset *s, uint8_t pk[32], transcript *seal, uint8_t open[32],
                       char *why, size_t whylen)
{
    int ok;

    memset(s, 0, sizeof *s);
    transcript_init(seal, "votesrv/v1/seal-credentials", 32);
    ok = authority_key(v, pk) == 0;
    if (!ok)
        snprintf(why, whylen, "the definition names no credential_authority key");
    ok = ok && lists_ok(v, s, pk, seal, why, whylen);
    if (ok) {
        transcript t = *seal;

        transcript_put_u64(&t, 0);
        transcript_digest(&t, open);
    }
    return ok;
}

int vv_credentials_open_hash(vv *v, uint8_t out[32], char *why, size_t whylen)
{
    vset s;
    uint8_t pk[32];
    transcript seal;
    int ok = lists_start(v, &s, pk, &seal, out, why, whylen);

    free(s.base);
    return ok;
}

void vv_credentials(vv *v)
{
    vset s;
    uint8_t pk[32];
    char why[240] = "", hex[65] = "";
    size_t missing = 0, revoked = 0, twice = 0, dup = 0, over = 0, i;
    uint64_t active[VV_MAX_SCRUTINS] = { 0 };
    transcript seal;
    int ok;

    ok = lists_start(v, &s, pk, &seal, v->seal_creds_open, why, sizeof why);
    vv_report(v, ok, "credential lists: one per scrutin, %zu credentials, each list sorted, "
              "its count the scrutin's eligible voters, signed by the credential authority "
              "(the definition's key)%s%s", s.nbase, why[0] ? ": " : "", why);
    if (ok) {
        ok = records_ok(v, &s, pk, &seal, why, sizeof why);
        vv_report(v, ok, "reissue records: %llu, in order, each signed by the credential "
                  "authority and revoking an active credential%s%s",
                  (unsigned long long)json_array_size(json_object_get(v->documents, "reissue")),
                  ok ? "" : ": ", ok ? "" : why);
        transcript_digest(&seal, v->seal_creds_close);
    }
    for (i = 0; ok && i < s.nbase + s.nfresh; i++) {
        vcred *c = i < s.nbase ? &s.base[i] : &s.fresh[i - s.nbase];

        active[c->key[0]] += !c->revoked;
    }
    for (i = 0; ok && i < v->nsc; i++)
        over += active[i] > s.eligible[i];
    vv_report(v, ok && over == 0, "active credentials per scrutin <= its eligible voters (%zu "
              "over); %llu reissues", over, (unsigned long long)v->reissues);
    vv_report(v, ok && box_table_ok(v, &s), "the box's credentials are exactly the signed "
              "lists and records, with their revocations, sorted by scrutin then credential");
    for (i = 0; ok && i < v->nused; i++) {
        vcred *c = find(&s, v->creds_used[i]);

        if (c == NULL && missing++ == 0)
            hex_encode(hex, v->creds_used[i] + 1, 32);
        revoked += c != NULL && c->revoked;
    }
    vv_report(v, ok && missing == 0 && revoked == 0, "every ballot's credential is in its "
              "scrutin's signed list or a signed reissue, and was never revoked (%zu unsigned, "
              "%zu revoked)%s%s", missing, revoked, missing ? "; first unsigned: " : "", hex);
    if (v->nused > 0)                  /* an empty box has no array at all */
        qsort(v->creds_used, v->nused, 33, cmp33);
    for (i = 1; i < v->nused; i++)
        twice += memcmp(v->creds_used[i - 1], v->creds_used[i], 33) == 0;
    vv_report(v, twice == 0, "each credential signs at most one ballot per scrutin (%zu reused)",
              twice);
    if (v->nalphas > 0)
        qsort(v->alphas, v->nalphas, 32, cmp32);
    for (i = 1; i < v->nalphas; i++)
        dup += memcmp(v->alphas[i - 1], v->alphas[i], 32) == 0;
    vv_report(v, dup == 0, "no ciphertext appears twice in the box (%zu ciphertexts)",
              v->nalphas);
    free(s.base);
    free(s.fresh);
}
