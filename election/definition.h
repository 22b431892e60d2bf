/*
 * definition.h - the election definition: one JSON file (see
 * conf/election.example.json), validated strictly. Unknown keys are errors, so
 * a misspelt field never passes silently. Every error names its JSON path.
 */
#ifndef VOTESRV_DEFINITION_H
#define VOTESRV_DEFINITION_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "crypto/hex.h"

#define DEF_MAX_SCRUTINS 32
#define DEF_MAX_LISTS 64
#define DEF_ID_CHARS 64
#define DEF_TEXT_CHARS 300
#define DEF_ERR_CHARS 300
#define DEF_MAX_DELEGATES 63     /* BUREAU_MAX_DELEGATES */
#define DEF_TIE_VOTES 1          /* seats_tie_rule values (tally/tally.h) */
#define DEF_TIE_LOT 2

typedef struct {
    const char *name, *union_name, *profession_de_foi;   /* the last may be NULL */
} def_list;

typedef struct {
    const char *id, *title;
    int seats, blank_allowed;
    def_list lists[DEF_MAX_LISTS];
    size_t nlists;
    json_t *eligibility;     /* object: attribute -> array of accepted values */
} def_scrutin;

typedef struct def_election {
    json_t *root;            /* owns every string below */
    const char *name, *organiser, *timezone, *support_email, *support_phone;
    int64_t opens, closes;   /* Unix seconds */
    int recourse_days;
    def_scrutin scrutins[DEF_MAX_SCRUTINS];
    size_t nscrutins;
    /* The bureau de vote's key holders (crypto/bureau.h): holder 0 is the
     * president, 1..ndelegates the delegates in the definition's order. An
     * election without a bureau can only take a demo key (votectl keys --demo). */
    int has_bureau;
    const char *president;
    const char *delegates[DEF_MAX_DELEGATES];
    size_t ndelegates;
    /* Seat tie-break rules in order ("votes", "lot"; default both). */
    int tie_rules[2];
    size_t ntie_rules;
    /* The credential authority's Ed25519 public key (votecred keygen): it
     * signs the credential lists and every reissue record. */
    uint8_t credential_authority[32];
} def_election;

/* 0, or -1 with "path: reason" in err. */
MUST_CHECK
int def_parse(def_election *d, const char *text, size_t len, char *err, size_t errlen);
MUST_CHECK
int def_load_file(def_election *d, const char *path, char *err, size_t errlen);
void def_free(def_election *d);
/* Canonical JSON (sorted keys, compact), malloc'd. */
char *def_canonical(const def_election *d);
/* Hb("votesrv/v1/election"; eid, canonical definition, public key or empty). */
void def_fingerprint(uint8_t out[32], const char *eid, const char *canonical,
                     const uint8_t *public_key);
const def_scrutin *def_scrutin_find(const def_election *d, const char *id);
/* 1 if a voter with these attributes (a JSON object) may vote in s. */
int def_eligible(const def_scrutin *s, json_t *attributes);
/* The name of key holder i (0: the president), or NULL. */
const char *def_holder_name(const def_election *d, uint64_t i);
/* Parse an RFC 3339 instant with an explicit offset: 0, or -1. */
MUST_CHECK
int def_parse_instant(const char *text, int64_t *out);

#endif
