/* election.c - the archive's head: the definition, its fingerprint, the
 * scrutins and the bureau it declares (protocol.md §6.1, §12). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "verify.h"

static int scrutin_read(vv_scrutin *s, json_t *d)
{
    json_t *id = json_object_get(d, "id"), *blank = json_object_get(d, "blank_allowed");
    json_t *seats = json_object_get(d, "seats");
    size_t k = json_array_size(json_object_get(d, "lists"));

    if (!json_is_string(id) || json_string_length(id) < 1 || json_string_length(id) > 64 ||
        k < 1 || k > VV_MAX_LISTS || !json_is_integer(seats) || json_integer_value(seats) < 1 ||
        json_integer_value(seats) > 1000)
        return -1;
    strcpy(s->id, json_string_value(id));
    s->k = k;
    s->min = blank == NULL || json_is_true(blank) ? 0 : 1;
    s->max = 1;
    s->seats = (uint32_t)json_integer_value(seats);
    for (size_t l = 0; l < k; l++)
        elgamal_ct_zero(&s->sum[l]);
    group_point_identity(&s->dsum);
    return 0;
}

static void rules_read(vv *v, json_t *d)
{
    json_t *tb = json_object_get(d, "tie_break"), *r;
    size_t i;

    v->tie_rules[0] = 1;
    v->tie_rules[1] = 2;
    v->ntie = 2;
    if (!json_is_array(tb))
        return;
    v->ntie = json_array_size(tb) > 2 ? 2 : json_array_size(tb);
    json_array_foreach(tb, i, r)
        if (i < 2)
            v->tie_rules[i] = json_is_string(r) && strcmp(json_string_value(r), "votes") == 0
                                  ? 1 : 2;
}

int vv_election(vv *v, json_t *head)
{
    json_t *e = json_object_get(head, "election"), *def = json_object_get(e, "definition");
    json_t *scr = json_object_get(def, "scrutins"), *s;
    uint8_t fp[32];
    char *canon;
    transcript t;
    size_t i;

    vv_report(v, json_is_string(json_object_get(head, "format")) &&
                     strcmp(json_string_value(json_object_get(head, "format")),
                            "votesrv-archive/2") == 0,
              "archive format votesrv-archive/2");
    if (!json_is_object(def) || !json_is_string(json_object_get(e, "eid")) ||
        json_string_length(json_object_get(e, "eid")) > 64 ||
        vv_hex(v->fp, 32, e, "fingerprint") != 0 || vv_hex(v->audit_key, 32, e, "audit_key") != 0) {
        vv_report(v, 0, "election head: eid, definition, fingerprint and audit key");
        return -1;
    }
    strcpy(v->eid, json_string_value(json_object_get(e, "eid")));
    snprintf(v->state, sizeof v->state, "%s",
             json_is_string(json_object_get(e, "state")) ? json_string_value(json_object_get(e, "state")) : "?");
    v->definition = json_incref(def);
    v->have_pk = vv_hex(v->pk_bytes, 32, e, "public_key") == 0 &&
                 elgamal_pk_load(&v->pk, v->pk_bytes) == 0;
    vv_report(v, v->have_pk, "election %s: joint public key present and a valid point", v->eid);
    canon = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
    transcript_init(&t, "votesrv/v1/election", 32);
    transcript_put(&t, v->eid, strlen(v->eid));
    transcript_put(&t, canon != NULL ? canon : "", canon != NULL ? strlen(canon) : 0);
    transcript_put(&t, v->pk_bytes, v->have_pk ? 32 : 0);
    transcript_digest(&t, fp);
    free(canon);
    vv_report(v, memcmp(fp, v->fp, 32) == 0,
              "fingerprint = Hb(election; eid, definition, public key)");
    v->nsc = json_array_size(scr);
    if (v->nsc < 1 || v->nsc > VV_MAX_SCRUTINS) {
        vv_report(v, 0, "definition: 1 to %d scrutins", VV_MAX_SCRUTINS);
        return -1;
    }
    json_array_foreach(scr, i, s)
        if (scrutin_read(&v->sc[i], s) != 0) {
            vv_report(v, 0, "definition: scrutin %zu is malformed", i);
            return -1;
        }
    v->delegates = json_array_size(json_object_get(json_object_get(def, "bureau"), "delegates"));
    rules_read(v, def);
    return v->have_pk ? 0 : -1;
}
