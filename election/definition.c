/* definition.c - strict validation of the election definition. */
#include "definition.h"
#include "crypto/hex.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "crypto/transcript.h"

static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
    char why[DEF_ERR_CHARS];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

/* Refuse any key of obj that is not in allowed (NULL-terminated). */
static int only_keys(json_t *obj, const char *const *allowed, const char *path, char *err,
                     size_t errlen)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        int ok = 0;

        for (size_t i = 0; allowed[i] != NULL && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            return fail(err, errlen, path, "unknown field \"%s\"", key);
    }
    return 0;
}

static int text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return 0;
    return 1;
}

/* A required (or optional, when out may stay NULL) non-empty string field. */
static int get_text(json_t *obj, const char *key, int required, size_t max, const char **out,
                    const char *path, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    char p[128];

    snprintf(p, sizeof p, "%s.%s", path, key);
    *out = NULL;
    if (v == NULL)
        return required ? fail(err, errlen, p, "missing") : 0;
    if (!json_is_string(v) || !text_ok(json_string_value(v), max))
        return fail(err, errlen, p, "must be a non-empty string of at most %zu characters "
                    "without control characters", max);
    *out = json_string_value(v);
    return 0;
}

/* 1-64 characters of a-z, 0-9, '-' and the extra characters allowed. */
static int name_ok(const char *s, const char *extra)
{
    size_t n = strlen(s);

    if (n == 0 || n > DEF_ID_CHARS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
              strchr(extra, s[i]) != NULL))
            return 0;
    return 1;
}

static int id_ok(const char *s)
{
    return name_ok(s, "");
}

int def_parse_instant(const char *text, int64_t *out)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof tm);
    end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL)
        return -1;
    if (strcmp(end, "Z") == 0) {
        tm.tm_gmtoff = 0;
    } else {
        int sign, hh, mm;
        char tail;

        if ((end[0] != '+' && end[0] != '-') || strlen(end) != 6 || end[3] != ':' ||
            sscanf(end + 1, "%2d:%2d%c", &hh, &mm, &tail) != 2 || hh > 14 || mm > 59)
            return -1;
        sign = end[0] == '-' ? -1 : 1;
        tm.tm_gmtoff = sign * (hh * 3600 + mm * 60);
    }
    {
        long off = tm.tm_gmtoff;

        *out = (int64_t)timegm(&tm) - off;
    }
    return 0;
}

static int parse_eligibility(def_scrutin *s, json_t *rule, const char *path, char *err,
                             size_t errlen)
{
    const char *attr;
    json_t *vals;

    if (rule == NULL) {
        s->eligibility = NULL;
        return 0;
    }
    if (!json_is_object(rule))
        return fail(err, errlen, path, "must be an object: attribute -> accepted values");
    json_object_foreach(rule, attr, vals) {
        size_t i;
        json_t *v;

        if (!name_ok(attr, "_"))
            return fail(err, errlen, path, "attribute \"%s\" is not a column name "
                        "(a-z, 0-9, - and _)", attr);
        if (!json_is_array(vals) || json_array_size(vals) == 0)
            return fail(err, errlen, path, "\"%s\" must list at least one accepted value", attr);
        json_array_foreach(vals, i, v)
            if (!json_is_string(v) || !text_ok(json_string_value(v), DEF_TEXT_CHARS))
                return fail(err, errlen, path, "\"%s\"[%zu] must be a non-empty string", attr, i);
    }
    s->eligibility = rule;
    return 0;
}

static int parse_list(def_list *l, json_t *obj, const char *path, char *err, size_t errlen)
{
    static const char *const keys[] = { "name", "union", "profession_de_foi", NULL };

    if (!json_is_object(obj))
        return fail(err, errlen, path, "must be an object");
    if (only_keys(obj, keys, path, err, errlen) != 0 ||
        get_text(obj, "name", 1, DEF_TEXT_CHARS, &l->name, path, err, errlen) != 0 ||
        get_text(obj, "union", 0, DEF_TEXT_CHARS, &l->union_name, path, err, errlen) != 0 ||
        get_text(obj, "profession_de_foi", 0, DEF_TEXT_CHARS, &l->profession_de_foi, path,
                 err, errlen) != 0)
        return -1;
    return 0;
}

static int parse_scrutin(def_scrutin *s, json_t *obj, const char *path, char *err, size_t errlen)
{
    static const char *const keys[] = { "id", "title", "seats", "blank_allowed", "lists",
                                        "eligibility", NULL };
    static const char *const multi[] = { "choices", "min_choices", "max_choices", "min", "max",
                                         NULL };
    json_t *seats = json_object_get(obj, "seats"), *blank = json_object_get(obj, "blank_allowed");
    json_t *lists = json_object_get(obj, "lists"), *v;
    char p[128];
    size_t i;

    if (!json_is_object(obj))
        return fail(err, errlen, path, "must be an object");
    for (i = 0; multi[i] != NULL; i++)      /* verify, cast and count assume max = 1 */
        if (json_object_get(obj, multi[i]) != NULL)
            return fail(err, errlen, path, "\"%s\": votesrv counts one list per ballot (or a "
                        "blank ballot): a scrutin with several choices per ballot is not "
                        "supported", multi[i]);
    if (only_keys(obj, keys, path, err, errlen) != 0 ||
        get_text(obj, "id", 1, DEF_ID_CHARS, &s->id, path, err, errlen) != 0 ||
        get_text(obj, "title", 1, DEF_TEXT_CHARS, &s->title, path, err, errlen) != 0)
        return -1;
    if (!id_ok(s->id))
        return fail(err, errlen, path, "id \"%s\" must be 1-64 of a-z, 0-9 and -", s->id);
    if (!json_is_integer(seats) || json_integer_value(seats) < 1 ||
        json_integer_value(seats) > 1000)
        return fail(err, errlen, path, "seats must be an integer from 1 to 1000");
    s->seats = (int)json_integer_value(seats);
    if (blank != NULL && !json_is_boolean(blank))
        return fail(err, errlen, path, "blank_allowed must be true or false");
    s->blank_allowed = blank == NULL || json_is_true(blank);
    if (!json_is_array(lists) || json_array_size(lists) < 1 ||
        json_array_size(lists) > DEF_MAX_LISTS)
        return fail(err, errlen, path, "lists must hold 1 to %d candidate lists", DEF_MAX_LISTS);
    s->nlists = json_array_size(lists);
    json_array_foreach(lists, i, v) {
        snprintf(p, sizeof p, "%s.lists[%zu]", path, i);
        if (parse_list(&s->lists[i], v, p, err, errlen) != 0)
            return -1;
    }
    snprintf(p, sizeof p, "%s.eligibility", path);
    return parse_eligibility(s, json_object_get(obj, "eligibility"), p, err, errlen);
}

static int parse_window(def_election *d, json_t *w, char *err, size_t errlen)
{
    static const char *const keys[] = { "opens", "closes", NULL };
    const char *o, *c;

    if (!json_is_object(w))
        return fail(err, errlen, "$.voting", "must be an object with opens and closes");
    if (only_keys(w, keys, "$.voting", err, errlen) != 0 ||
        get_text(w, "opens", 1, 40, &o, "$.voting", err, errlen) != 0 ||
        get_text(w, "closes", 1, 40, &c, "$.voting", err, errlen) != 0)
        return -1;
    if (def_parse_instant(o, &d->opens) != 0)
        return fail(err, errlen, "$.voting.opens", "\"%s\" is not an RFC 3339 instant with "
                    "offset, e.g. 2026-12-01T09:00:00+01:00", o);
    if (def_parse_instant(c, &d->closes) != 0)
        return fail(err, errlen, "$.voting.closes", "\"%s\" is not an RFC 3339 instant with "
                    "offset, e.g. 2026-12-08T17:00:00+01:00", c);
    if (d->closes <= d->opens)
        return fail(err, errlen, "$.voting", "closes must be after opens");
    return 0;
}

static int parse_bureau(def_election *d, json_t *b, char *err, size_t errlen)
{
    static const char *const keys[] = { "president", "delegates", NULL };
    json_t *dl = json_object_get(b, "delegates"), *v;
    char p[64];
    size_t i;

    if (b == NULL)
        return 0;
    if (!json_is_object(b))
        return fail(err, errlen, "$.bureau", "must be an object with president and delegates");
    if (only_keys(b, keys, "$.bureau", err, errlen) != 0 ||
        get_text(b, "president", 1, DEF_TEXT_CHARS, &d->president, "$.bureau", err, errlen) != 0)
        return -1;
    if (!json_is_array(dl) || json_array_size(dl) < 2 || json_array_size(dl) > DEF_MAX_DELEGATES)
        return fail(err, errlen, "$.bureau.delegates", "must name 2 to %d delegates of the "
                    "candidate lists (at least three key holders, two thirds of them delegates)",
                    DEF_MAX_DELEGATES);
    d->ndelegates = json_array_size(dl);
    json_array_foreach(dl, i, v) {
        snprintf(p, sizeof p, "$.bureau.delegates[%zu]", i);
        if (!json_is_string(v) || !text_ok(json_string_value(v), DEF_TEXT_CHARS))
            return fail(err, errlen, p, "must be a non-empty name of at most %d characters",
                        DEF_TEXT_CHARS);
        d->delegates[i] = json_string_value(v);
    }
    d->has_bureau = 1;
    return 0;
}

static int parse_tie_break(def_election *d, json_t *t, char *err, size_t errlen)
{
    static const char *const names[] = { "votes", "lot" };
    json_t *v;
    size_t i;

    d->tie_rules[0] = DEF_TIE_VOTES;
    d->tie_rules[1] = DEF_TIE_LOT;
    d->ntie_rules = 2;
    if (t == NULL)
        return 0;
    if (!json_is_array(t) || json_array_size(t) > 2)
        return fail(err, errlen, "$.tie_break", "must be a list of at most two rules among "
                    "\"votes\" and \"lot\", applied in order");
    d->ntie_rules = json_array_size(t);
    json_array_foreach(t, i, v) {
        int rule = 0;

        for (int k = 0; k < 2; k++)
            if (json_is_string(v) && strcmp(json_string_value(v), names[k]) == 0)
                rule = k + 1;
        if (rule == 0 || (i == 1 && rule == d->tie_rules[0]))
            return fail(err, errlen, "$.tie_break", "rule %zu must be \"votes\" or \"lot\", "
                        "each at most once", i);
        d->tie_rules[i] = rule;
    }
    return 0;
}

const char *def_holder_name(const def_election *d, uint64_t i)
{
    if (!d->has_bureau || i > d->ndelegates)
        return NULL;
    return i == 0 ? d->president : d->delegates[i - 1];
}

/* 64 lowercase hex digits: an Ed25519 public key. */
static int parse_authority(def_election *d, json_t *v, char *err, size_t errlen)
{
    const char *h = json_string_value(v);
    size_t i;

    for (i = 0; h != NULL && i < 64; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            break;
    if (h == NULL || i != 64 || h[64] != '\0' ||
        hex_decode(d->credential_authority, 32, h) != 0)
        return fail(err, errlen, "$.credential_authority", "must be the credential "
                    "authority's Ed25519 public key, 64 lowercase hex digits (votecred keygen)");
    return 0;
}

static int parse_root(def_election *d, char *err, size_t errlen)
{
    static const char *const keys[] = { "name", "organiser", "timezone", "voting", "support",
                                        "recourse_days", "scrutins", "bureau", "tie_break",
                                        "credential_authority", NULL };
    static const char *const support_keys[] = { "email", "phone", NULL };
    json_t *r = d->root, *sup = json_object_get(r, "support"), *sc, *v;
    json_t *rec = json_object_get(r, "recourse_days");
    char p[64];
    size_t i;

    if (!json_is_object(r))
        return fail(err, errlen, "$", "must be a JSON object");
    if (only_keys(r, keys, "$", err, errlen) != 0 ||
        get_text(r, "name", 1, DEF_TEXT_CHARS, &d->name, "$", err, errlen) != 0 ||
        get_text(r, "organiser", 1, DEF_TEXT_CHARS, &d->organiser, "$", err, errlen) != 0 ||
        get_text(r, "timezone", 1, 64, &d->timezone, "$", err, errlen) != 0 ||
        parse_window(d, json_object_get(r, "voting"), err, errlen) != 0)
        return -1;
    if (!json_is_object(sup) || only_keys(sup, support_keys, "$.support", err, errlen) != 0 ||
        get_text(sup, "email", 1, 254, &d->support_email, "$.support", err, errlen) != 0 ||
        get_text(sup, "phone", 0, 40, &d->support_phone, "$.support", err, errlen) != 0)
        return err[0] ? -1 : fail(err, errlen, "$.support", "must be an object with email");
    if (rec != NULL && (!json_is_integer(rec) || json_integer_value(rec) < 0 ||
                        json_integer_value(rec) > 3650))
        return fail(err, errlen, "$.recourse_days", "must be an integer from 0 to 3650");
    d->recourse_days = rec == NULL ? 90 : (int)json_integer_value(rec);
    if (parse_authority(d, json_object_get(r, "credential_authority"), err, errlen) != 0)
        return -1;
    if (parse_bureau(d, json_object_get(r, "bureau"), err, errlen) != 0 ||
        parse_tie_break(d, json_object_get(r, "tie_break"), err, errlen) != 0)
        return -1;
    sc = json_object_get(r, "scrutins");
    if (!json_is_array(sc) || json_array_size(sc) < 1 || json_array_size(sc) > DEF_MAX_SCRUTINS)
        return fail(err, errlen, "$.scrutins", "must hold 1 to %d scrutins", DEF_MAX_SCRUTINS);
    d->nscrutins = json_array_size(sc);
    json_array_foreach(sc, i, v) {
        snprintf(p, sizeof p, "$.scrutins[%zu]", i);
        if (parse_scrutin(&d->scrutins[i], v, p, err, errlen) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->scrutins[j].id, d->scrutins[i].id) == 0)
                return fail(err, errlen, p, "id \"%s\" is used twice", d->scrutins[i].id);
    }
    return 0;
}

int def_parse(def_election *d, const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t je;

    memset(d, 0, sizeof *d);
    err[0] = '\0';
    d->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (d->root == NULL)
        return fail(err, errlen, "$", "invalid JSON at line %d column %d: %s", je.line,
                    je.column, je.text);
    if (parse_root(d, err, errlen) != 0) {
        def_free(d);
        return -1;
    }
    return 0;
}

int def_load_file(def_election *d, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    int rc;

    memset(d, 0, sizeof *d);
    if (f == NULL)
        return fail(err, errlen, path, "cannot be read");
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(err, errlen, path, "must be a file of at most 1 MiB");
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return fail(err, errlen, path, "cannot be read");
    }
    fclose(f);
    rc = def_parse(d, buf, (size_t)n, err, errlen);
    free(buf);
    return rc;
}

void def_free(def_election *d)
{
    json_decref(d->root);
    memset(d, 0, sizeof *d);
}

char *def_canonical(const def_election *d)
{
    return json_dumps(d->root, JSON_COMPACT | JSON_SORT_KEYS);
}

void def_fingerprint(uint8_t out[32], const char *eid, const char *canonical,
                     const uint8_t *public_key)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/election", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, eid, strlen(eid));
    transcript_put(&t, canonical, strlen(canonical));
    transcript_put(&t, public_key, public_key == NULL ? 0 : 32);
    transcript_digest(&t, out);
}

const def_scrutin *def_scrutin_find(const def_election *d, const char *id)
{
    for (size_t i = 0; i < d->nscrutins; i++)
        if (strcmp(d->scrutins[i].id, id) == 0)
            return &d->scrutins[i];
    return NULL;
}

int def_eligible(const def_scrutin *s, json_t *attributes)
{
    const char *attr;
    json_t *vals;

    if (s->eligibility == NULL)
        return 1;
    json_object_foreach(s->eligibility, attr, vals) {
        json_t *have = json_object_get(attributes, attr), *v;
        size_t i;
        int match = 0;

        if (!json_is_string(have))
            return 0;
        json_array_foreach(vals, i, v)
            match |= strcmp(json_string_value(v), json_string_value(have)) == 0;
        if (!match)
            return 0;
    }
    return 1;
}
