/* test_records.c - tests/vectors/records.json, the known answers of
 * docs/protocol.md §12–§16: the election fingerprint, a tracker and its text,
 * a box digest, a receipt, audit entries and a checkpoint, the closing seals
 * and the seat seed, a drawing of lots for seats, the sums and results
 * digests and turnout_percent, and what the archive carries of the
 * credentials: the signed lists and reissue records as stored, the closing
 * seal's credentials hash with reissue records, the credentials line.
 *
 * (1) The generator below, written with the C modules, rebuilds the file byte
 *     for byte (`test_records --print > vectors/records.json`: make vectors).
 * (2) An independent reference written with libsodium and jansson's parser
 *     only, from the protocol text, recomputes or verifies every value, and
 *     refuses a changed input or a bad signature. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "audit/audit.h"
#include "ballot/ballot_json.h"
#include "box/box.h"
#include "crypto/credential.h"
#include "crypto/hex.h"
#include "crypto/transcript.h"
#include "election/credentials.h"
#include "election/definition.h"
#include "notices/code.h"
#include "tally/tally.h"
#include "verify/verify.h"

#define EID "6f1d3c2a-5b4e-4a8f-9c7d-0e1f2a3b4c5d"
#define SCRUTIN "csa"
#define DEFINITION "{\"name\":\"Vecteurs\",\"scrutins\":[{\"id\":\"csa\",\"lists\":" \
                   "[{\"name\":\"A\"},{\"name\":\"B\"},{\"name\":\"C\"}],\"seats\":3}]}"

static json_t *vec;

/* ---------------- (1) the generator, with the C modules ---------------- */

static void key_of(uint8_t pk[32], uint8_t sk[64], uint8_t label)
{
    uint8_t seed[32];

    tu_seed(seed, label);
    crypto_sign_seed_keypair(pk, sk, seed);
}

static json_t *hexj(const uint8_t *b, size_t n)
{
    return tu_jhex(b, n);
}

/* §12 and the ballot of §14: the fingerprint, then a real ballot under it. */
static json_t *gen_fingerprint(uint8_t fp[32], elgamal_pk *pk, rng_drbg *d)
{
    uint8_t draft[32];
    char text[CODE_FP_CHARS + 1];
    group_scalar sk;

    if (elgamal_keypair(pk, &sk, d) != 0)
        abort();
    def_fingerprint(draft, EID, DEFINITION, NULL);
    def_fingerprint(fp, EID, DEFINITION, pk->bytes);
    code_fingerprint_text(text, fp);
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:s}", "eid", EID, "definition", DEFINITION,
                     "public_key", hexj(pk->bytes, 32), "draft_fingerprint", hexj(draft, 32),
                     "fingerprint", hexj(fp, 32), "fingerprint_text", text);
}

static json_t *gen_tracker(uint8_t tracker[32], const uint8_t fp[32], const elgamal_pk *pk,
                           rng_drbg *d)
{
    const uint8_t eid[] = EID, code[] = "ABCDEFGHJKMNPQRSTVWXYZ23456B";
    const uint8_t choices[3] = { 0, 1, 0 };
    ballot_scrutin sc = { fp, pk, SCRUTIN, 3, 0, 1 };
    ballot *b = ballot_new(3, 0, 1);
    uint8_t cred[32];
    group_scalar s;
    char *canonical, *spaced, text[BALLOT_TRACKER_CHARS + 1];
    json_t *j, *out;

    if (b == NULL ||
        credential_derive_scrutin(&s, cred, eid, sizeof eid - 1, code, sizeof code - 1,
                                  SCRUTIN) != 0 ||
        ballot_create(b, &sc, choices, &s, cred, d) != 0 ||
        (canonical = ballot_canonical(b, fp)) == NULL || (j = ballot_to_json(b, fp)) == NULL)
        abort();
    spaced = json_dumps(j, JSON_INDENT(1));     /* the keys in the encoder's order, spaced */
    ballot_tracker(tracker, canonical);
    ballot_tracker_text(text, tracker);
    out = json_pack("{s:s,s:s,s:o,s:s}", "ballot", spaced, "canonical", canonical, "tracker",
                    hexj(tracker, 32), "tracker_text", text);
    free(spaced);
    free(canonical);
    json_decref(j);
    ballot_free(b);
    return out;
}

/* §14: three trackers (the ballot's and two others) and the digest after each. */
static json_t *gen_box(uint8_t trackers[3][32], uint8_t digest[32])
{
    json_t *ts = json_array(), *ds = json_array();

    tu_seed(trackers[1], 0x91);
    tu_seed(trackers[2], 0x92);
    memset(digest, 0, 32);
    for (int i = 0; i < 3; i++) {
        if (box_digest_add(digest, trackers[i]) != 0)
            abort();
        json_array_append_new(ts, hexj(trackers[i], 32));
        json_array_append_new(ds, hexj(digest, 32));
    }
    return json_pack("{s:o,s:o}", "trackers", ts, "digests", ds);
}

/* §14: the receipt of the third ballot, signed with the audit key (seed 0xa0). */
static json_t *gen_receipt(const uint8_t fp[32], const uint8_t tracker[32],
                           const uint8_t digest[32])
{
    box_receipt r;
    uint8_t pk[32], sk[64], msg[32];

    memset(&r, 0, sizeof r);
    memcpy(r.fp, fp, 32);
    memcpy(r.tracker, tracker, 32);
    memcpy(r.digest, digest, 32);
    strcpy(r.scrutin, SCRUTIN);
    r.count = 3;
    ballot_tracker_text(r.tracker_text, tracker);
    key_of(pk, sk, 0xa0);
    box_receipt_message(msg, &r);
    crypto_sign_detached(r.signature, NULL, msg, 32, sk);
    sodium_memzero(sk, sizeof sk);
    return json_pack("{s:o,s:o,s:o}", "receipt_key", hexj(pk, 32), "receipt", box_receipt_json(&r),
                     "message", hexj(msg, 32));
}

/* §13: two entries, the second one due a checkpoint, and its checkpoint; the
 * end of an archive whose last checkpoint it is, in the state published. */
static json_t *gen_audit(const uint8_t fp[32])
{
    static const char *const what[2][5] = {
        { "2026-12-01T07:59:58.125Z", "officer", "alice", "election-created",
          "{\"eid\":\"" EID "\"}" },
        { "2026-12-01T08:00:00.000Z", "officer", "alice", "opened",
          "{\"act\":\"open\",\"seals\":[0,1]}" },
    };
    store_audit_entry e[2];
    store_checkpoint cp;
    uint8_t pk[32], sk[64], msg[8 + 32], end_msg[32], end_sig[64];
    json_t *entries = json_array();

    key_of(pk, sk, 0xa0);
    memset(e, 0, sizeof e);
    for (int i = 0; i < 2; i++) {
        e[i].seq = (uint64_t)i + 1;
        strcpy(e[i].time, what[i][0]);
        e[i].role = what[i][1];
        e[i].actor = what[i][2];
        e[i].event = what[i][3];
        e[i].payload = what[i][4];
        if (i > 0)
            memcpy(e[i].prev, e[i - 1].hash, 32);
        audit_entry_hash(e[i].hash, &e[i]);
        json_array_append_new(entries, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "seq",
                                                 (json_int_t)e[i].seq, "time", e[i].time, "role",
                                                 e[i].role, "actor", e[i].actor, "event",
                                                 e[i].event, "payload", e[i].payload, "prev",
                                                 hexj(e[i].prev, 32), "hash", hexj(e[i].hash, 32)));
    }
    if (audit_checkpoint_due(1, e[0].event) != 1 || audit_checkpoint_due(2, e[1].event) != 1)
        abort();
    audit_checkpoint_message(msg, 2, e[1].hash);
    cp.seq = 2;
    memcpy(cp.hash, e[1].hash, 32);
    crypto_sign_detached(cp.signature, NULL, msg, sizeof msg, sk);
    audit_archive_end_message(end_msg, fp, "published", 2, 2, cp.hash);
    crypto_sign_detached(end_sig, NULL, end_msg, sizeof end_msg, sk);
    sodium_memzero(sk, sizeof sk);
    return json_pack("{s:o,s:o,s:{s:I,s:o,s:o,s:o},s:{s:s,s:I,s:{s:I,s:o},s:o,s:o}}",
                     "audit_key", hexj(pk, 32), "entries", entries, "checkpoint", "seq",
                     (json_int_t)2, "hash", hexj(cp.hash, 32), "message", hexj(msg, sizeof msg),
                     "signature", hexj(cp.signature, 64), "archive_end", "state", "published",
                     "checkpoints", (json_int_t)2, "last_checkpoint", "seq", (json_int_t)2,
                     "hash", hexj(cp.hash, 32), "message", hexj(end_msg, 32), "signature",
                     hexj(end_sig, 64));
}

/* §6.3: the closing state of that box and the seals of the president (seed
 * 0xb0) and of delegate 1 (0xb1); §15: the seat seed they make. */
static json_t *gen_seals(const uint8_t fp[32], const uint8_t digest[32], uint8_t seed[32])
{
    static const char *const signed_by[3] = { "D00017", "D00042", "D00100" };
    uint8_t h[32], cred[3][32], list_digest[32], list_sig[64], ca_pk[32], ca_sk[64], files[2][32];
    uint8_t pk[2][32], sk[2][64], sig[2][64], msg_digest[2][32];
    trustee_box box;
    credential_list_hash lh;
    transcript t;
    json_t *state, *seals = json_array(), *creds = json_array(), *sigl = json_array();
    char fph[65];

    /* signatures: Hb(seal-signatures; for each (scrutin, voter number)) */
    transcript_init(&t, "votesrv/v1/seal-signatures", 32);
    for (int i = 0; i < 3; i++) {
        transcript_put(&t, SCRUTIN, strlen(SCRUTIN));
        transcript_put(&t, signed_by[i], strlen(signed_by[i]));
        json_array_append_new(sigl, json_pack("[s,s]", SCRUTIN, signed_by[i]));
    }
    transcript_digest(&t, h);
    state = json_pack("{s:s,s:s,s:o}", "act", "close", "eid", EID, "signatures", hexj(h, 32));
    hex_encode(fph, fp, 32);
    json_object_set_new(state, "fingerprint", json_string(fph));
    /* box: the trustee's recomputation (trustee_box_hash) */
    memset(&box, 0, sizeof box);
    box.n = 1;
    strcpy(box.sc[0].id, SCRUTIN);
    box.sc[0].ballots = 3;
    box.sc[0].signatures = 3;
    memcpy(box.sc[0].digest, digest, 32);
    trustee_box_hash(h, &box);
    json_object_set_new(state, "box", hexj(h, 32));
    /* credentials: one signed list of three credentials, no reissue record */
    key_of(ca_pk, ca_sk, 0xc0);
    for (int i = 0; i < 3; i++) {
        tu_seed(cred[i], (uint8_t)(0xc1 + i));
        crypto_scalarmult_ristretto255_base(cred[i], cred[i]);
    }
    for (int i = 0; i < 3; i++)                 /* sorted by bytes */
        for (int j = i + 1; j < 3; j++)
            if (memcmp(cred[i], cred[j], 32) > 0) {
                uint8_t x[32];

                memcpy(x, cred[i], 32);
                memcpy(cred[i], cred[j], 32);
                memcpy(cred[j], x, 32);
            }
    credential_list_init(&lh, EID, SCRUTIN, 3);
    for (int i = 0; i < 3; i++) {
        credential_list_add(&lh, cred[i]);
        json_array_append_new(creds, hexj(cred[i], 32));
    }
    credential_list_final(&lh, list_digest);
    crypto_sign_detached(list_sig, NULL, list_digest, 32, ca_sk);
    transcript_init(&t, "votesrv/v1/seal-credentials", 32);
    transcript_put(&t, SCRUTIN, strlen(SCRUTIN));
    transcript_put_u64(&t, 3);
    transcript_put(&t, list_digest, 32);
    transcript_put(&t, list_sig, 64);
    transcript_put_u64(&t, 0);
    transcript_digest(&t, h);
    json_object_set_new(state, "credentials", hexj(h, 32));
    /* software: the daemon and one portal file, by their BLAKE2b-256 */
    crypto_generichash(files[0], 32, (const uint8_t *)"votesrv program", 15, NULL, 0);
    crypto_generichash(files[1], 32, (const uint8_t *)"export {};\n", 11, NULL, 0);
    transcript_init(&t, "votesrv/v1/software", 32);
    transcript_put(&t, "votesrv", 7);
    transcript_put(&t, files[0], 32);
    transcript_put(&t, "portal/vote.mjs", 15);
    transcript_put(&t, files[1], 32);
    transcript_digest(&t, h);
    json_object_set_new(state, "software", hexj(h, 32));
    for (int i = 0; i < 2; i++) {
        json_t *m = json_pack("{s:s,s:s,s:s,s:i,s:O}", "format", CEREMONY_FORMAT, "eid", EID,
                              "kind", "seal-close", "holder", i, "state", state);

        key_of(pk[i], sk[i], (uint8_t)(0xb0 + i));
        if (ceremony_message_sign(m, sk[i]) != 0 || ceremony_message_verify(m, pk[i]) != 0 ||
            ceremony_hex_get(sig[i], 64, m, "signature") != 0)
            abort();
        json_object_del(m, "signature");
        ceremony_message_digest(msg_digest[i], m);
        json_array_append_new(seals, json_pack("{s:o,s:o,s:O,s:o}", "sign_pk", hexj(pk[i], 32),
                                               "digest", hexj(msg_digest[i], 32), "message", m,
                                               "signature", hexj(sig[i], 64)));
        json_decref(m);
        sodium_memzero(sk[i], 64);
    }
    json_decref(state);
    seats_seed_make(seed, fp, SCRUTIN, sig[0], sig[1]);
    sodium_memzero(ca_sk, sizeof ca_sk);
    return json_pack("{s:o,s:o,s:{s:o,s:o,s:o},s:{s:s,s:o,s:s,s:o},s:o,s:o}",
                     "signature_list", sigl, "box_state", json_pack("[{s:s,s:i,s:o}]", "id",
                                                                     SCRUTIN, "count", 3,
                                                                     "box_digest",
                                                                     hexj(digest, 32)),
                     "credential_list", "authority", hexj(ca_pk, 32), "credentials", creds,
                     "signature", hexj(list_sig, 64),
                     "software", "votesrv", "votesrv program", "votesrv_blake2b",
                     hexj(files[0], 32), "portal/vote.mjs", "export {};\n",
                     "portal/vote.mjs_blake2b", hexj(files[1], 32),
                     "seals", seals, "seat_seed", hexj(seed, 32));
}

/* §15: votes (20, 20, 10) for 3 seats, rules [votes, lot]: seat 1 ties A and
 * B (same votes: the lot), seat 3 ties all three (B or A by votes, then lot). */
static json_t *gen_lot(const uint8_t seed[32])
{
    const uint64_t votes[3] = { 20, 20, 10 };
    seats_policy p = { { SEATS_TIE_VOTES, SEATS_TIE_LOT }, 2, { 0 } };
    seats_result r;
    json_t *tickets = json_array();
    const int draws[4][2] = { { 1, 0 }, { 1, 1 }, { 3, 0 }, { 3, 1 } };

    memcpy(p.seed, seed, 32);
    if (seats_allocate(&r, votes, 3, 3, &p) != 0 || r.contested || r.allocated != 3)
        abort();
    for (int i = 0; i < 4; i++) {
        uint8_t ticket[32];
        transcript t;

        transcript_init(&t, "votesrv/v1/seat-lot", 32);
        transcript_put(&t, seed, 32);
        transcript_put_u64(&t, (uint64_t)draws[i][0]);
        transcript_put_u64(&t, (uint64_t)draws[i][1]);
        transcript_digest(&t, ticket);
        json_array_append_new(tickets, json_pack("{s:i,s:i,s:o}", "seat", draws[i][0], "list",
                                                 draws[i][1], "ticket", hexj(ticket, 32)));
    }
    return json_pack("{s:[I,I,I],s:i,s:[s,s],s:o,s:[i,i,i]}", "votes", (json_int_t)votes[0],
                     (json_int_t)votes[1], (json_int_t)votes[2], "seats", 3, "tie_break",
                     "votes", "lot", "tickets", tickets, "won", r.seats[0], r.seats[1],
                     r.seats[2]);
}

/* §16: a sums document, a results document, their digests; turnout texts. */
static json_t *gen_tally(const uint8_t fp[32], const uint8_t seed[32])
{
    static const uint64_t pct[][2] = { { 3, 4 }, { 2, 3 }, { 1, 3 }, { 1, 20000 }, { 1, 20001 },
                                       { 0, 0 }, { 7, 7 } };
    uint8_t s0[64], s1[64], s2[64], d[32];
    json_t *sums, *results, *turnout = json_array(), *out;
    char fph[65];

    tu_seed(s0, 0xd0);
    tu_seed(s0 + 32, 0xd1);
    tu_seed(s1, 0xd2);
    tu_seed(s1 + 32, 0xd3);
    tu_seed(s2, 0xd4);
    tu_seed(s2 + 32, 0xd5);
    hex_encode(fph, fp, 32);
    sums = json_pack("{s:s,s:s,s:s,s:[{s:s,s:i,s:i,s:i,s:[o,o,o]}]}", "format",
                     TALLY_SUMS_FORMAT, "eid", EID, "fingerprint", fph, "scrutins", "id", SCRUTIN,
                     "lists", 3, "ballots", 3, "signatures", 3, "sums", hexj(s0, 64),
                     hexj(s1, 64), hexj(s2, 64));
    if (tally_doc_digest(d, TALLY_SUMS_TAG, sums) != 0)
        abort();
    results = json_pack("{s:s,s:s,s:s,s:o,s:[{s:i,s:s},{s:i,s:s},{s:i,s:s}],s:[s,s],s:[i,i],"
                        "s:[{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:[{s:s,s:s,s:i,s:i},"
                        "{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i}],s:i,s:n,s:o}]}",
                        "format", TALLY_RESULTS_FORMAT, "eid", EID, "fingerprint", fph, "sums",
                        hexj(d, 32), "decrypted_by", "holder", 0, "name", "Présidente",
                        "holder", 1, "name", "Délégué 1", "holder", 2, "name", "Délégué 2",
                        "tie_break", "votes", "lot", "seed_seals", 0, 1, "scrutins", "id",
                        SCRUTIN, "title", "Comité social", "seats", 3, "registered", 4,
                        "signatures", 3, "ballots", 3, "blank", 1, "expressed", 2,
                        "turnout_percent", tally_percent(3, 4), "lists", "name", "A", "union", "",
                        "votes", 1, "seats", 2, "name", "B", "union", "", "votes", 1, "seats", 1,
                        "name", "C", "union", "", "votes", 0, "seats", 0, "seats_allocated", 3,
                        "contested", "seat_seed", hexj(seed, 32));
    out = json_pack("{s:o,s:o}", "sums", sums, "sums_digest", hexj(d, 32));
    if (results == NULL || tally_doc_digest(d, TALLY_RESULTS_TAG, results) != 0)
        abort();
    json_object_set_new(out, "results", results);
    json_object_set_new(out, "results_digest", hexj(d, 32));
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
        json_array_append_new(turnout, json_pack("{s:I,s:I,s:o}", "signatures",
                                                 (json_int_t)pct[i][0], "registered",
                                                 (json_int_t)pct[i][1], "turnout_percent",
                                                 tally_percent(pct[i][0], pct[i][1])));
    json_object_set_new(out, "turnout", turnout);
    return out;
}

/* §7.1, §7.2, §6.3, §14: what the archive carries of the credentials. Two
 * scrutins (definition order "csa", "cap": not their byte order), a signed list
 * each, two reissue records (the second revokes the first one's fresh
 * credential), the documents as stored (keys sorted, compact), the closing
 * seal's credentials hash (m = 2) and the archive's credentials line. */
static const char *const trust_sc[2] = { "csa", "cap" };

static void trust_cred(uint8_t out[32], uint8_t label)
{
    tu_seed(out, label);
    crypto_scalarmult_ristretto255_base(out, out);
}

static int cmp_pub32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static json_t *gen_trust_record(uint64_t seq, const char *const *sc, uint8_t (*rev)[32],
                                uint8_t (*fresh)[32], size_t m, const uint8_t sk[64],
                                transcript *seal, json_t **bodies)
{
    credential_reissue_hash h;
    uint8_t d[32], sig[64];
    json_t *entries = json_array(), *pub;
    char *text;

    credential_reissue_init(&h, EID, seq, m);
    for (size_t i = 0; i < m; i++) {
        credential_reissue_add(&h, sc[i], rev[i], fresh[i]);
        json_array_append_new(entries, json_pack("{s:s,s:o,s:o}", "scrutin", sc[i], "revoked",
                                                 hexj(rev[i], 32), "fresh", hexj(fresh[i], 32)));
    }
    credential_reissue_final(&h, d);
    crypto_sign_detached(sig, NULL, d, 32, sk);
    transcript_put(seal, d, 32);
    transcript_put(seal, sig, 64);
    pub = json_pack("{s:s,s:s,s:I,s:o,s:o}", "format", REISSUE_RECORD_FORMAT, "election", EID,
                    "seq", (json_int_t)seq, "entries", entries, "signature", hexj(sig, 64));
    text = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
    json_array_append_new(*bodies, json_string(text));
    free(text);
    json_decref(pub);
    return hexj(d, 32);
}

static json_t *gen_trust(const uint8_t fp[32])
{
    uint8_t ca_pk[32], ca_sk[64], list[2][3][32], digest[32], sig[64], h[32];
    uint8_t rev1[2][32], fresh1[2][32], rev2[1][32], fresh2[1][32];
    const size_t n[2] = { 3, 2 };
    json_t *lists = json_array(), *doc, *records = json_array(), *digests = json_array();
    json_t *line = json_array(), *list_digests = json_array();
    transcript seal;
    char fph[65], *text;

    key_of(ca_pk, ca_sk, 0xc0);
    transcript_init(&seal, "votesrv/v1/seal-credentials", 32);
    for (int k = 0; k < 2; k++) {
        credential_list_hash lh;
        json_t *creds = json_array();

        for (size_t i = 0; i < n[k]; i++)
            trust_cred(list[k][i], (uint8_t)(0xe0 + 4 * k + i));
        qsort(list[k], n[k], 32, cmp_pub32);
        credential_list_init(&lh, EID, trust_sc[k], n[k]);
        for (size_t i = 0; i < n[k]; i++) {
            credential_list_add(&lh, list[k][i]);
            json_array_append_new(creds, hexj(list[k][i], 32));
        }
        credential_list_final(&lh, digest);
        crypto_sign_detached(sig, NULL, digest, 32, ca_sk);
        transcript_put(&seal, trust_sc[k], strlen(trust_sc[k]));
        transcript_put_u64(&seal, n[k]);
        transcript_put(&seal, digest, 32);
        transcript_put(&seal, sig, 64);
        json_array_append_new(list_digests, hexj(digest, 32));
        json_array_append_new(lists, json_pack("{s:s,s:I,s:o,s:o}", "scrutin", trust_sc[k],
                                               "eligible", (json_int_t)n[k], "credentials",
                                               creds, "signature", hexj(sig, 64)));
    }
    hex_encode(fph, fp, 32);
    doc = json_pack("{s:s,s:s,s:s,s:o,s:o}", "format", "votesrv-credentials/2", "election", EID,
                    "fingerprint", fph, "authority", hexj(ca_pk, 32), "lists", lists);
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    doc = json_string(text);
    free(text);
    /* record 1: the voter of csa's list[0][1] and cap's list[1][0]; record 2 revokes
     * record 1's fresh csa credential */
    memcpy(rev1[0], list[1][0], 32);
    memcpy(rev1[1], list[0][1], 32);
    trust_cred(fresh1[0], 0xe8);
    trust_cred(fresh1[1], 0xe9);
    memcpy(rev2[0], fresh1[1], 32);
    trust_cred(fresh2[0], 0xea);
    transcript_put_u64(&seal, 2);
    json_array_append_new(digests, gen_trust_record(1, (const char *const[]){ "cap", "csa" },
                                                    rev1, fresh1, 2, ca_sk, &seal, &records));
    json_array_append_new(digests, gen_trust_record(2, (const char *const[]){ "csa" }, rev2,
                                                    fresh2, 1, ca_sk, &seal, &records));
    transcript_digest(&seal, h);
    /* the credentials line: by scrutin (bytes) then credential (bytes) */
    for (int k = 1; k >= 0; k--) {              /* "cap" < "csa" */
        uint8_t all[6][32];
        size_t c = n[k];

        memcpy(all, list[k], n[k] * 32);
        if (k == 0) {
            memcpy(all[c++], fresh1[1], 32);
            memcpy(all[c++], fresh2[0], 32);
        } else
            memcpy(all[c++], fresh1[0], 32);
        qsort(all, c, 32, cmp_pub32);
        for (size_t i = 0; i < c; i++) {
            int revoked = memcmp(all[i], rev1[0], 32) == 0 || memcmp(all[i], rev1[1], 32) == 0 ||
                          memcmp(all[i], rev2[0], 32) == 0;

            json_array_append_new(line, json_pack("{s:s,s:o,s:b}", "scrutin", trust_sc[k],
                                                  "credential", hexj(all[i], 32), "revoked",
                                                  revoked));
        }
    }
    doc = json_pack("{s:[s,s],s:o,s:o,s:o,s:o,s:o,s:o}", "scrutins", trust_sc[0], trust_sc[1],
                    "credential_lists", doc, "list_digests", list_digests, "reissue", records,
                    "reissue_digests", digests, "seal_credentials", hexj(h, 32),
                    "authority", hexj(ca_pk, 32));
    line = json_pack("{s:o}", "credentials", line);
    text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(line);
    json_object_set_new(doc, "credentials_line", json_string(text));
    free(text);
    sodium_memzero(ca_sk, sizeof ca_sk);
    return doc;
}

static json_t *generate(void)
{
    uint8_t seed[32], fp[32], trackers[3][32], digest[32], seat_seed[32];
    elgamal_pk pk;
    rng_drbg d;
    json_t *out = json_object();

    tu_seed(seed, 0x80);
    rng_drbg_init(&d, seed);
    json_object_set_new(out, "about", json_string(
        "votesrv record vectors (docs/protocol.md sections 12-16): regenerate with make vectors "
        "only when the protocol changes; checked by tests/test_records.c"));
    json_object_set_new(out, "drbg_seed", hexj(seed, 32));
    json_object_set_new(out, "fingerprint", gen_fingerprint(fp, &pk, &d));
    json_object_set_new(out, "tracker", gen_tracker(trackers[0], fp, &pk, &d));
    json_object_set_new(out, "box", gen_box(trackers, digest));
    json_object_set_new(out, "receipt", gen_receipt(fp, trackers[2], digest));
    json_object_set_new(out, "audit", gen_audit(fp));
    json_object_set_new(out, "seals", gen_seals(fp, digest, seat_seed));
    json_object_set_new(out, "lot", gen_lot(seat_seed));
    json_object_set_new(out, "tally", gen_tally(fp, seat_seed));
    json_object_set_new(out, "trust", gen_trust(fp));
    elgamal_pk_clear(&pk);
    return out;
}

/* ---------------- (2) the reference: libsodium only ---------------- */

typedef struct { const void *p; size_t len; } item;

static const char *str(json_t *o, const char *path)
{
    char key[64];
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return json_string_value(json_object_get(o, path));
}

static void get(uint8_t *out, size_t len, json_t *o, const char *path)
{
    const char *h = str(o, path);
    size_t n;

    assert_non_null(h);
    assert_int_equal(strlen(h), 2 * len);
    assert_int_equal(sodium_hex2bin(out, len, h, 2 * len, NULL, &n, NULL), 0);
    assert_int_equal(n, len);
}

static void le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

/* Hb(tag; items) of §2, with outlen 32 or 64. */
static void ref_hb(uint8_t *out, size_t outlen, const char *tag, const item *it, size_t n)
{
    crypto_generichash_state st;
    uint8_t l[8];

    crypto_generichash_init(&st, NULL, 0, outlen);
    le64(l, strlen(tag));
    crypto_generichash_update(&st, l, 8);
    crypto_generichash_update(&st, (const uint8_t *)tag, strlen(tag));
    for (size_t i = 0; i < n; i++) {
        le64(l, it[i].len);
        crypto_generichash_update(&st, l, 8);
        crypto_generichash_update(&st, it[i].p, it[i].len);
    }
    crypto_generichash_final(&st, out, outlen);
}

#define S(x) { (x), strlen(x) }

/* Crockford base32 of the bits of b, most significant bit of b[0] first, the
 * last symbol padded with zero bits; nsym symbols, '-' every 4. */
static void ref_base32(char *out, const uint8_t *b, size_t nsym)
{
    static const char a[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    size_t o = 0;

    for (size_t s = 0; s < nsym; s++) {
        unsigned v = 0;

        for (size_t k = 0; k < 5; k++) {
            size_t bit = 5 * s + k;

            v = (v << 1) | (bit < 256 ? (b[bit / 8] >> (7 - bit % 8)) & 1u : 0u);
        }
        if (s > 0 && s % 4 == 0)
            out[o++] = '-';
        out[o++] = a[v];
    }
    out[o] = '\0';
}

static void ref_box_point(uint8_t p[32], const uint8_t t[32])
{
    uint8_t wide[64];

    ref_hb(wide, 64, "votesrv/v1/box-digest", (item[]){ { t, 32 } }, 1);
    crypto_core_ristretto255_from_hash(p, wide);
}

/* The canonical JSON of §12 for what these vectors hold (objects, arrays,
 * ASCII strings without escapes, small integers, null). */
static void ref_canonical(char *out, size_t cap, json_t *v)
{
    size_t o = strlen(out);

    if (json_is_object(v)) {
        const char *keys[32], *k;
        size_t n = 0;
        json_t *x;

        json_object_foreach(v, k, x)
            keys[n++] = k;
        for (size_t i = 1; i < n; i++)                 /* sort by bytes */
            for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
                const char *t = keys[j];

                keys[j] = keys[j - 1];
                keys[j - 1] = t;
            }
        snprintf(out + o, cap - o, "{");
        for (size_t i = 0; i < n; i++) {
            o = strlen(out);
            snprintf(out + o, cap - o, "%s\"%s\":", i ? "," : "", keys[i]);
            ref_canonical(out, cap, json_object_get(v, keys[i]));
        }
        o = strlen(out);
        snprintf(out + o, cap - o, "}");
    } else if (json_is_array(v)) {
        snprintf(out + o, cap - o, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            o = strlen(out);
            snprintf(out + o, cap - o, "%s", i ? "," : "");
            ref_canonical(out, cap, json_array_get(v, i));
        }
        o = strlen(out);
        snprintf(out + o, cap - o, "]");
    } else if (json_is_string(v)) {
        snprintf(out + o, cap - o, "\"%s\"", json_string_value(v));
    } else if (json_is_integer(v)) {
        snprintf(out + o, cap - o, "%lld", (long long)json_integer_value(v));
    } else if (json_is_boolean(v)) {
        snprintf(out + o, cap - o, "%s", json_is_true(v) ? "true" : "false");
    } else {
        assert_true(json_is_null(v));
        snprintf(out + o, cap - o, "null");
    }
}

/* ---------------- the tests ---------------- */

static int setup(void **state)
{
    (void)state;
    if (crypto_init() != 0)
        return -1;
    vec = json_load_file("vectors/records.json", 0, NULL);
    return vec == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(vec);
    return 0;
}

static void test_regenerated_byte_for_byte(void **state)
{
    json_t *again = generate();

    (void)state;
    assert_true(json_equal(again, vec));
    json_decref(again);
}

static void test_fingerprint(void **state)
{
    json_t *f = json_object_get(vec, "fingerprint");
    const char *eid = str(f, "eid"), *def = str(f, "definition");
    uint8_t pk[32], fp[32], want[32];
    char text[32];

    (void)state;
    get(pk, 32, f, "public_key");
    ref_hb(fp, 32, "votesrv/v1/election", (item[]){ S(eid), S(def), { "", 0 } }, 3);
    get(want, 32, f, "draft_fingerprint");
    assert_memory_equal(fp, want, 32);
    ref_hb(fp, 32, "votesrv/v1/election", (item[]){ S(eid), S(def), { pk, 32 } }, 3);
    get(want, 32, f, "fingerprint");
    assert_memory_equal(fp, want, 32);
    ref_base32(text, fp, 20);
    assert_string_equal(text, str(f, "fingerprint_text"));
    /* another eid gives another fingerprint */
    ref_hb(want, 32, "votesrv/v1/election",
           (item[]){ { eid, strlen(eid) - 1 }, S(def), { pk, 32 } }, 3);
    assert_memory_not_equal(fp, want, 32);
}

static void test_tracker(void **state)
{
    json_t *t = json_object_get(vec, "tracker"), *parsed;
    const char *canonical = str(t, "canonical"), *text = str(t, "tracker_text");
    uint8_t tr[32], want[32], back[32];
    char mine[80], bad[80], *again;

    (void)state;
    ref_hb(tr, 32, "votesrv/v1/tracker", (item[]){ S(canonical) }, 1);
    get(want, 32, t, "tracker");
    assert_memory_equal(tr, want, 32);
    ref_base32(mine, tr, 52);
    assert_string_equal(mine, text);
    /* the spaced ballot has the same canonical form (reference and jansson) */
    parsed = json_loads(str(t, "ballot"), 0, NULL);
    assert_non_null(parsed);
    {
        char *buf = calloc(1, 65536);

        ref_canonical(buf, 65536, parsed);
        assert_string_equal(buf, canonical);
        free(buf);
    }
    again = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(again, canonical);
    free(again);
    json_decref(parsed);
    /* C: the text parses back; a last symbol with a non-zero padding bit or
     * a changed symbol does not give this tracker */
    assert_int_equal(ballot_tracker_parse(back, text), 0);
    assert_memory_equal(back, tr, 32);
    strcpy(bad, text);
    {                                   /* the last symbol: 1 bit of the hash, 4 zero bits */
        static const char a32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        size_t last = (size_t)(strchr(a32, text[strlen(text) - 1]) - a32);

        assert_int_equal(last & 15, 0);
        bad[strlen(bad) - 1] = a32[last ^ 1];
        assert_int_equal(ballot_tracker_parse(back, bad), -1);
        bad[strlen(bad) - 1] = a32[last ^ 16];          /* the hash's last bit: another tracker */
        assert_int_equal(ballot_tracker_parse(back, bad), 0);
        assert_memory_not_equal(back, tr, 32);
        assert_int_equal(back[31] ^ tr[31], 1);
    }
    strcpy(bad, text);
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    assert_true(ballot_tracker_parse(back, bad) != 0 || memcmp(back, tr, 32) != 0);
    /* a changed byte of the canonical form changes the tracker */
    again = strdup(canonical);
    again[strlen(again) / 2] ^= 1;
    ref_hb(back, 32, "votesrv/v1/tracker", (item[]){ S(again) }, 1);
    assert_memory_not_equal(back, tr, 32);
    free(again);
}

static void test_box_digest(void **state)
{
    json_t *b = json_object_get(vec, "box");
    uint8_t t[3][32], d[32] = { 0 }, want[32], p[32], rev[32] = { 0 };

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        tu_unhex(t[i], 32, json_string_value(json_array_get(json_object_get(b, "trackers"), i)));
        ref_box_point(p, t[i]);
        assert_int_equal(crypto_core_ristretto255_add(d, d, p), 0);
        tu_unhex(want, 32, json_string_value(json_array_get(json_object_get(b, "digests"), i)));
        assert_memory_equal(d, want, 32);
    }
    get(want, 32, json_object_get(vec, "tracker"), "tracker");
    assert_memory_equal(t[0], want, 32);
    for (size_t i = 3; i-- > 0;) {                   /* order-free */
        ref_box_point(p, t[i]);
        assert_int_equal(crypto_core_ristretto255_add(rev, rev, p), 0);
    }
    assert_memory_equal(rev, d, 32);
    t[1][0] ^= 1;                                     /* another set, another digest */
    memset(rev, 0, 32);
    for (size_t i = 0; i < 3; i++) {
        ref_box_point(p, t[i]);
        assert_int_equal(crypto_core_ristretto255_add(rev, rev, p), 0);
    }
    assert_memory_not_equal(rev, d, 32);
}

static void test_receipt(void **state)
{
    json_t *r = json_object_get(vec, "receipt"), *rc = json_object_get(r, "receipt");
    uint8_t fp[32], tr[32], d[32], pk[32], sig[64], msg[32], want[32], n[8];
    box_receipt c;

    (void)state;
    get(fp, 32, rc, "election");
    get(tr, 32, rc, "tracker");
    get(d, 32, rc, "box_digest");
    get(pk, 32, r, "receipt_key");
    get(sig, 64, rc, "signature");
    get(want, 32, vec, "fingerprint.fingerprint");
    assert_memory_equal(fp, want, 32);
    le64(n, (uint64_t)json_integer_value(json_object_get(rc, "count")));
    ref_hb(msg, 32, "votesrv/v1/receipt",
           (item[]){ { fp, 32 }, S(str(rc, "scrutin")), { tr, 32 }, { n, 8 }, { d, 32 } }, 5);
    get(want, 32, r, "message");
    assert_memory_equal(msg, want, 32);
    assert_int_equal(crypto_sign_verify_detached(sig, msg, 32, pk), 0);
    /* the C verifier agrees, and refuses another count or a bad signature */
    memset(&c, 0, sizeof c);
    memcpy(c.fp, fp, 32);
    memcpy(c.tracker, tr, 32);
    memcpy(c.digest, d, 32);
    memcpy(c.signature, sig, 64);
    strcpy(c.scrutin, str(rc, "scrutin"));
    c.count = (uint64_t)json_integer_value(json_object_get(rc, "count"));
    assert_int_equal(box_receipt_verify(&c, pk), 0);
    c.count++;
    assert_int_equal(box_receipt_verify(&c, pk), -1);
    c.count--;
    c.signature[10] ^= 4;
    assert_int_equal(box_receipt_verify(&c, pk), -1);
    le64(n, c.count + 1);
    ref_hb(msg, 32, "votesrv/v1/receipt",
           (item[]){ { fp, 32 }, S(c.scrutin), { tr, 32 }, { n, 8 }, { d, 32 } }, 5);
    assert_int_equal(crypto_sign_verify_detached(sig, msg, 32, pk), -1);
    /* a receipt "already recorded" (the same ballot sent again): the same
     * items under its own label; the vector's (a fresh cast's) is not one */
    c.signature[10] ^= 4;
    c.already_recorded = 1;
    le64(n, c.count);
    ref_hb(msg, 32, "votesrv/v1/receipt-again",
           (item[]){ { fp, 32 }, S(c.scrutin), { tr, 32 }, { n, 8 }, { d, 32 } }, 5);
    box_receipt_message(want, &c);
    assert_memory_equal(msg, want, 32);
    assert_int_equal(box_receipt_verify(&c, pk), -1);
}

static void test_audit(void **state)
{
    json_t *a = json_object_get(vec, "audit"), *e, *cj = json_object_get(a, "checkpoint");
    uint8_t prev[32] = { 0 }, h[32], want[32], pk[32], sig[64], msg[40], seq[8];
    store_audit_entry ce[2];
    store_checkpoint cp;
    audit_verifier v;
    size_t i;

    (void)state;
    get(pk, 32, a, "audit_key");
    memset(ce, 0, sizeof ce);
    json_array_foreach(json_object_get(a, "entries"), i, e) {
        le64(seq, (uint64_t)json_integer_value(json_object_get(e, "seq")));
        assert_int_equal(json_integer_value(json_object_get(e, "seq")), (json_int_t)i + 1);
        get(want, 32, e, "prev");
        assert_memory_equal(want, prev, 32);
        ref_hb(h, 32, "votesrv/v1/audit",
               (item[]){ { seq, 8 }, S(str(e, "time")), S(str(e, "role")), S(str(e, "actor")),
                         S(str(e, "event")), S(str(e, "payload")), { prev, 32 } }, 7);
        get(want, 32, e, "hash");
        assert_memory_equal(h, want, 32);
        memcpy(prev, h, 32);
        ce[i].seq = i + 1;
        strcpy(ce[i].time, str(e, "time"));
        ce[i].role = str(e, "role");
        ce[i].actor = str(e, "actor");
        ce[i].event = str(e, "event");
        ce[i].payload = str(e, "payload");
        get(ce[i].prev, 32, e, "prev");
        get(ce[i].hash, 32, e, "hash");
    }
    /* the checkpoint: Ed25519 over le64(seq) || hash */
    le64(msg, (uint64_t)json_integer_value(json_object_get(cj, "seq")));
    memcpy(msg + 8, prev, 32);
    get(want, 32, cj, "hash");
    assert_memory_equal(want, prev, 32);
    {
        uint8_t m2[40];

        get(m2, 40, cj, "message");
        assert_memory_equal(m2, msg, 40);
    }
    get(sig, 64, cj, "signature");
    assert_int_equal(crypto_sign_verify_detached(sig, msg, 40, pk), 0);
    msg[0] ^= 3;                                      /* the checkpoint of another seq */
    assert_int_equal(crypto_sign_verify_detached(sig, msg, 40, pk), -1);
    /* the C verifier accepts the log, and names entry 1 once its payload changes */
    cp.seq = 2;
    memcpy(cp.hash, prev, 32);
    memcpy(cp.signature, sig, 64);
    audit_verifier_init(&v, pk, &cp, 1);
    assert_int_equal(audit_verifier_entry(&v, &ce[0]), 0);
    assert_int_equal(audit_verifier_entry(&v, &ce[1]), 0);
    assert_int_equal(audit_verifier_finish(&v), 0);
    ce[0].payload = "{\"eid\":\"another\"}";
    audit_verifier_init(&v, pk, &cp, 1);
    assert_int_equal(audit_verifier_entry(&v, &ce[0]), -1);
    assert_int_equal(v.bad_seq, 1);
    /* the archive's end: Hb(archive-end; fp, state, le64(C), le64(seq), hash), by the audit key */
    {
        json_t *end = json_object_get(a, "archive_end");
        json_t *last = json_object_get(end, "last_checkpoint");
        uint8_t fp[32], n[8], s[8], m2[32], c[32];

        get(fp, 32, vec, "fingerprint.fingerprint");
        get(want, 32, last, "hash");
        assert_memory_equal(want, prev, 32);
        le64(n, (uint64_t)json_integer_value(json_object_get(end, "checkpoints")));
        le64(s, (uint64_t)json_integer_value(json_object_get(last, "seq")));
        assert_int_equal(json_integer_value(json_object_get(last, "seq")), 2);
        ref_hb(h, 32, "votesrv/v1/archive-end",
               (item[]){ { fp, 32 }, S(str(end, "state")), { n, 8 }, { s, 8 }, { want, 32 } }, 5);
        get(m2, 32, end, "message");
        assert_memory_equal(m2, h, 32);
        audit_archive_end_message(c, fp, str(end, "state"),
                                  (uint64_t)json_integer_value(json_object_get(end, "checkpoints")),
                                  2, want);
        assert_memory_equal(c, h, 32);
        get(sig, 64, end, "signature");
        assert_int_equal(crypto_sign_verify_detached(sig, h, 32, pk), 0);
        /* an earlier state, or one checkpoint fewer, is another message */
        audit_archive_end_message(c, fp, "closed", 2, 2, want);
        assert_int_equal(crypto_sign_verify_detached(sig, c, 32, pk), -1);
        audit_archive_end_message(c, fp, "published", 1, 2, want);
        assert_int_equal(crypto_sign_verify_detached(sig, c, 32, pk), -1);
    }
}

static void test_seals_and_seed(void **state)
{
    json_t *s = json_object_get(vec, "seals"), *m, *seal, *l;
    uint8_t h[32], want[32], fp[32], d[32], sig[2][64], pk[32], seed[32], creds[3][32];
    uint8_t ld[32], lsig[64], capk[32], n[8], zero[8] = { 0 }, f0[32], f1[32];
    item it[6];
    size_t i;
    char *canon;

    (void)state;
    get(fp, 32, vec, "fingerprint.fingerprint");
    m = json_object_get(json_array_get(json_object_get(s, "seals"), 0), "message");
    /* signatures: per (scrutin, voter number) of the list, both as text */
    json_array_foreach(json_object_get(s, "signature_list"), i, l) {
        it[2 * i] = (item)S(json_string_value(json_array_get(l, 0)));
        it[2 * i + 1] = (item)S(json_string_value(json_array_get(l, 1)));
    }
    ref_hb(h, 32, "votesrv/v1/seal-signatures", it, 6);
    get(want, 32, m, "state.signatures");
    assert_memory_equal(h, want, 32);
    /* box: id, le64(count), box digest per scrutin */
    get(d, 32, json_array_get(json_object_get(s, "box_state"), 0), "box_digest");
    tu_unhex(want, 32, json_string_value(json_array_get(json_object_get(json_object_get(vec,
                                                                              "box"),
                                                                "digests"), 2)));
    assert_memory_equal(d, want, 32);                   /* the box after its third ballot */
    le64(n, 3);
    ref_hb(h, 32, "votesrv/v1/seal-box", (item[]){ S(SCRUTIN), { n, 8 }, { d, 32 } }, 3);
    get(want, 32, m, "state.box");
    assert_memory_equal(h, want, 32);
    /* credentials: id, le64(n), list digest (§7.1), list signature; le64(m = 0) */
    l = json_object_get(s, "credential_list");
    get(capk, 32, l, "authority");
    get(lsig, 64, l, "signature");
    for (i = 0; i < 3; i++)
        tu_unhex(creds[i], 32, json_string_value(json_array_get(json_object_get(l, "credentials"),
                                                                i)));
    ref_hb(ld, 32, "votesrv/v1/credential-list",
           (item[]){ S(EID), S(SCRUTIN), { n, 8 }, { creds[0], 32 }, { creds[1], 32 },
                     { creds[2], 32 } }, 6);
    assert_int_equal(crypto_sign_verify_detached(lsig, ld, 32, capk), 0);
    ref_hb(h, 32, "votesrv/v1/seal-credentials",
           (item[]){ S(SCRUTIN), { n, 8 }, { ld, 32 }, { lsig, 64 }, { zero, 8 } }, 5);
    get(want, 32, m, "state.credentials");
    assert_memory_equal(h, want, 32);
    /* software: name, BLAKE2b-256(file) for each file */
    crypto_generichash(f0, 32, (const uint8_t *)str(s, "software.votesrv"),
                       strlen(str(s, "software.votesrv")), NULL, 0);
    crypto_generichash(f1, 32, (const uint8_t *)"export {};\n", 11, NULL, 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "software"),
                                                          "portal/vote.mjs")), "export {};\n");
    ref_hb(h, 32, "votesrv/v1/software",
           (item[]){ S("votesrv"), { f0, 32 }, S("portal/vote.mjs"), { f1, 32 } }, 4);
    get(want, 32, m, "state.software");
    assert_memory_equal(h, want, 32);
    get(want, 32, m, "state.fingerprint");
    assert_memory_equal(fp, want, 32);
    /* each seal: Ed25519 over Hb(ceremony-message; canonical message without signature) */
    json_array_foreach(json_object_get(s, "seals"), i, seal) {
        json_t *msg = json_object_get(seal, "message");

        canon = calloc(1, 8192);
        assert_int_equal(json_object_get(msg, "signature") == NULL, 1);
        ref_canonical(canon, 8192, msg);
        ref_hb(h, 32, "votesrv/v1/ceremony-message", (item[]){ S(canon) }, 1);
        get(want, 32, seal, "digest");
        assert_memory_equal(h, want, 32);
        get(pk, 32, seal, "sign_pk");
        get(sig[i], 64, seal, "signature");
        assert_int_equal(crypto_sign_verify_detached(sig[i], h, 32, pk), 0);
        assert_int_equal(json_integer_value(json_object_get(msg, "holder")), (json_int_t)i);
        /* C: the message with its signature verifies; with a changed state it does not */
        {
            json_t *c = json_deep_copy(msg);

            json_object_set_new(c, "signature", json_string(str(seal, "signature")));
            assert_int_equal(ceremony_message_verify(c, pk), 0);
            json_object_set_new(json_object_get(c, "state"), "act", json_string("open"));
            assert_int_equal(ceremony_message_verify(c, pk), -1);
            json_decref(c);
        }
        canon[strlen(canon) - 3] ^= 1;
        ref_hb(h, 32, "votesrv/v1/ceremony-message", (item[]){ S(canon) }, 1);
        assert_int_equal(crypto_sign_verify_detached(sig[i], h, 32, pk), -1);
        free(canon);
    }
    /* §15: seed = Hb(seat-seed; fp, scrutin, σ_P, σ_D) */
    ref_hb(seed, 32, "votesrv/v1/seat-seed",
           (item[]){ { fp, 32 }, S(SCRUTIN), { sig[0], 64 }, { sig[1], 64 } }, 4);
    get(want, 32, s, "seat_seed");
    assert_memory_equal(seed, want, 32);
    ref_hb(h, 32, "votesrv/v1/seat-seed",
           (item[]){ { fp, 32 }, S(SCRUTIN), { sig[1], 64 }, { sig[0], 64 } }, 4);
    assert_memory_not_equal(h, seed, 32);
}

/* §15 by the reference: highest average, ties by [votes, lot]. */
static void test_seat_lot(void **state)
{
    json_t *l = json_object_get(vec, "lot"), *t;
    uint8_t seed[32], ticket[32], best[32], given[32], a[8], b[8];
    uint64_t votes[3];
    uint32_t won[3] = { 0 };
    seats_policy p = { { SEATS_TIE_VOTES, 0 }, 1, { 0 } };
    seats_result r;
    size_t i, nt = 0;

    (void)state;
    get(seed, 32, json_object_get(vec, "seals"), "seat_seed");
    for (i = 0; i < 3; i++)
        votes[i] = (uint64_t)json_integer_value(json_array_get(json_object_get(l, "votes"), i));
    for (uint64_t seat = 1; seat <= 3; seat++) {
        size_t tied[3], n = 0, keep = 0;
        uint64_t most = 0;

        for (i = 0; i < 3; i++) {
            __uint128_t mine = (__uint128_t)votes[i] * (n ? won[tied[0]] + 1 : 1);
            __uint128_t theirs = n ? (__uint128_t)votes[tied[0]] * (won[i] + 1) : 0;

            if (votes[i] == 0 || (n && mine < theirs))
                continue;
            if (n && mine > theirs)
                n = 0;
            tied[n++] = i;
        }
        for (i = 0; i < n; i++)                       /* rule 1: the most votes */
            most = votes[tied[i]] > most ? votes[tied[i]] : most;
        for (i = 0; i < n; i++)
            if (votes[tied[i]] == most)
                tied[keep++] = tied[i];
        for (i = 0; i < keep; i++) {                  /* rule 2: the smallest ticket */
            le64(a, seat);
            le64(b, tied[i]);
            ref_hb(ticket, 32, "votesrv/v1/seat-lot", (item[]){ { seed, 32 }, { a, 8 }, { b, 8 } },
                   3);
            if (keep > 1) {
                t = json_array_get(json_object_get(l, "tickets"), nt++);
                assert_int_equal(json_integer_value(json_object_get(t, "seat")), (json_int_t)seat);
                assert_int_equal(json_integer_value(json_object_get(t, "list")), (json_int_t)tied[i]);
                get(given, 32, t, "ticket");
                assert_memory_equal(given, ticket, 32);
            }
            if (i == 0 || memcmp(ticket, best, 32) < 0) {
                memcpy(best, ticket, 32);
                tied[0] = tied[i];
            }
        }
        won[tied[0]]++;
    }
    assert_int_equal(nt, 4);
    for (i = 0; i < 3; i++)
        assert_int_equal(won[i], json_integer_value(json_array_get(json_object_get(l, "won"), i)));
    /* another seed draws other tickets; without the lot seat 1 stays contested */
    le64(a, 1);
    le64(b, 0);
    seed[0] ^= 1;
    ref_hb(ticket, 32, "votesrv/v1/seat-lot", (item[]){ { seed, 32 }, { a, 8 }, { b, 8 } }, 3);
    get(best, 32, json_array_get(json_object_get(l, "tickets"), 0), "ticket");
    assert_memory_not_equal(ticket, best, 32);
    assert_int_equal(seats_allocate(&r, votes, 3, 3, &p), 0);
    assert_int_equal(r.contested, 1);
    assert_int_equal(r.allocated, 0);
    assert_int_equal(r.ntied, 2);
}

static void test_tally_digests(void **state)
{
    json_t *t = json_object_get(vec, "tally"), *x;
    char *canon = calloc(1, 16384);
    uint8_t d[32], want[32];
    size_t i;

    (void)state;
    ref_canonical(canon, 16384, json_object_get(t, "sums"));
    ref_hb(d, 32, "votesrv/v1/sums", (item[]){ S(canon) }, 1);
    get(want, 32, t, "sums_digest");
    assert_memory_equal(d, want, 32);
    get(want, 32, json_object_get(t, "results"), "sums");
    assert_memory_equal(d, want, 32);
    crypto_generichash(want, 32, (const uint8_t *)canon, strlen(canon), NULL, 0);
    assert_memory_not_equal(d, want, 32);                 /* the untagged digest of before */
    ref_hb(want, 32, "votesrv/v1/results", (item[]){ S(canon) }, 1);
    assert_memory_not_equal(d, want, 32);                 /* one tag per document */
    canon[0] = '\0';
    ref_canonical(canon, 16384, json_object_get(t, "results"));
    assert_non_null(strstr(canon, "\"contested\":null"));
    ref_hb(d, 32, "votesrv/v1/results", (item[]){ S(canon) }, 1);
    get(want, 32, t, "results_digest");
    assert_memory_equal(d, want, 32);
    /* turnout_percent: basis points rounded half up, two decimals */
    json_array_foreach(json_object_get(t, "turnout"), i, x) {
        uint64_t s = (uint64_t)json_integer_value(json_object_get(x, "signatures"));
        uint64_t r = (uint64_t)json_integer_value(json_object_get(x, "registered"));
        uint64_t bp = r == 0 ? 0 : (s * 10000 + r / 2) / r;
        char text[32];

        snprintf(text, sizeof text, "%llu.%02llu", (unsigned long long)(bp / 100),
                 (unsigned long long)(bp % 100));
        assert_string_equal(text, str(x, "turnout_percent"));
    }
    assert_string_equal(str(json_array_get(json_object_get(t, "turnout"), 3), "turnout_percent"),
                        "0.01");                            /* 0.5 basis point: up */
    assert_string_equal(str(json_array_get(json_object_get(t, "turnout"), 4), "turnout_percent"),
                        "0.00");
    free(canon);
}

/* §7.1, §7.2, §6.3 and §14 by the reference: the archived credential lists
 * and reissue records (canonical bytes, digests, signatures), the closing
 * seal's credentials hash with m = 2, and the credentials line rebuilt from
 * the lists and the records replayed. */
typedef struct { char sc[8]; uint8_t s[32]; int revoked; } ref_cred;

static int ref_cred_cmp(const void *a, const void *b)
{
    const ref_cred *x = a, *y = b;
    int c = strcmp(x->sc, y->sc);

    return c != 0 ? c : memcmp(x->s, y->s, 32);
}

/* The credentials line of §14 from the lists and the first nrec records. */
static void ref_credentials_line(char *out, size_t cap, json_t *doc, json_t *recs, size_t nrec)
{
    ref_cred c[16];
    size_t n = 0, i, j, k;
    json_t *l, *e, *x;

    json_array_foreach(json_object_get(doc, "lists"), i, l)
        json_array_foreach(json_object_get(l, "credentials"), j, x) {
            snprintf(c[n].sc, sizeof c[n].sc, "%s", str(l, "scrutin"));
            tu_unhex(c[n].s, 32, json_string_value(x));
            c[n++].revoked = 0;
        }
    for (i = 0; i < nrec; i++) {
        json_t *r = json_loads(json_string_value(json_array_get(recs, i)), 0, NULL);

        json_array_foreach(json_object_get(r, "entries"), j, e) {
            uint8_t rev[32];
            int found = 0;

            tu_unhex(rev, 32, str(e, "revoked"));
            for (k = 0; k < n; k++)
                if (strcmp(c[k].sc, str(e, "scrutin")) == 0 && memcmp(c[k].s, rev, 32) == 0 &&
                    !c[k].revoked) {
                    c[k].revoked = found = 1;
                }
            assert_true(found);                  /* R active at that point */
            snprintf(c[n].sc, sizeof c[n].sc, "%s", str(e, "scrutin"));
            tu_unhex(c[n].s, 32, str(e, "fresh"));
            for (k = 0; k < n; k++)              /* F unknown */
                assert_false(strcmp(c[k].sc, c[n].sc) == 0 && memcmp(c[k].s, c[n].s, 32) == 0);
            c[n++].revoked = 0;
        }
        json_decref(r);
    }
    qsort(c, n, sizeof *c, ref_cred_cmp);
    snprintf(out, cap, "{\"credentials\":[");
    for (i = 0; i < n; i++) {
        char hex[65];

        sodium_bin2hex(hex, sizeof hex, c[i].s, 32);
        snprintf(out + strlen(out), cap - strlen(out),
                 "%s{\"credential\":\"%s\",\"revoked\":%s,\"scrutin\":\"%s\"}", i ? "," : "",
                 hex, c[i].revoked ? "true" : "false", c[i].sc);
    }
    snprintf(out + strlen(out), cap - strlen(out), "]}");
}

static void test_trust_records(void **state)
{
    json_t *t = json_object_get(vec, "trust"), *recs = json_object_get(t, "reissue");
    json_t *doc, *l, *x, *r, *e;
    const char *text = str(t, "credential_lists");
    uint8_t pk[32], d[32], want[32], creds[4][32], n8[8], lsig[2][64], ld[2][32];
    uint8_t rd[2][32], rsig[2][64], h[32], m8[8], seq[8], mm[8], nn[2][8];
    char *canon = calloc(1, 16384), *line = calloc(1, 16384);
    item it[16];
    size_t i, j, k, ni;

    (void)state;
    get(pk, 32, t, "authority");
    /* the credential-lists document: canonical, this eid and fingerprint, signed lists */
    doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    ref_canonical(canon, 16384, doc);
    assert_string_equal(canon, text);
    assert_string_equal(str(doc, "format"), "votesrv-credentials/2");
    assert_string_equal(str(doc, "election"), EID);
    assert_string_equal(str(doc, "authority"), str(t, "authority"));
    assert_string_equal(str(doc, "fingerprint"), str(vec, "fingerprint.fingerprint"));
    json_array_foreach(json_object_get(doc, "lists"), i, l) {
        size_t n = json_array_size(json_object_get(l, "credentials"));

        assert_string_equal(str(l, "scrutin"),
                            json_string_value(json_array_get(json_object_get(t, "scrutins"), i)));
        assert_int_equal(json_integer_value(json_object_get(l, "eligible")), (json_int_t)n);
        le64(n8, n);
        it[0] = (item)S(EID);
        it[1] = (item)S(str(l, "scrutin"));
        it[2] = (item){ n8, 8 };
        json_array_foreach(json_object_get(l, "credentials"), j, x) {
            tu_unhex(creds[j], 32, json_string_value(x));
            assert_true(crypto_core_ristretto255_is_valid_point(creds[j]));
            assert_true(j == 0 || memcmp(creds[j - 1], creds[j], 32) < 0);
            it[3 + j] = (item){ creds[j], 32 };
        }
        ref_hb(ld[i], 32, "votesrv/v1/credential-list", it, 3 + n);
        tu_unhex(want, 32, json_string_value(json_array_get(json_object_get(t, "list_digests"),
                                                            i)));
        assert_memory_equal(ld[i], want, 32);
        get(lsig[i], 64, l, "signature");
        assert_int_equal(crypto_sign_verify_detached(lsig[i], ld[i], 32, pk), 0);
        /* one credential dropped: another digest, the signature fails */
        it[3 + n - 1] = it[3 + n - 2];
        ref_hb(d, 32, "votesrv/v1/credential-list", it, 3 + n);
        assert_int_equal(crypto_sign_verify_detached(lsig[i], d, 32, pk), -1);
    }
    /* the reissue records: canonical public part, seq 1, 2, digest, signature */
    json_array_foreach(recs, i, x) {
        r = json_loads(json_string_value(x), 0, NULL);
        canon[0] = '\0';
        ref_canonical(canon, 16384, r);
        assert_string_equal(canon, json_string_value(x));
        assert_int_equal(json_object_size(r), 5);
        assert_string_equal(str(r, "format"), "votesrv-reissue-record/1");
        assert_string_equal(str(r, "election"), EID);
        assert_int_equal(json_integer_value(json_object_get(r, "seq")), (json_int_t)(i + 1));
        le64(seq, i + 1);
        le64(mm, json_array_size(json_object_get(r, "entries")));
        it[0] = (item)S(EID);
        it[1] = (item){ seq, 8 };
        it[2] = (item){ mm, 8 };
        ni = 3;
        json_array_foreach(json_object_get(r, "entries"), j, e) {
            it[ni++] = (item)S(str(e, "scrutin"));
            tu_unhex(creds[2 * j], 32, str(e, "revoked"));
            tu_unhex(creds[2 * j + 1], 32, str(e, "fresh"));
            it[ni++] = (item){ creds[2 * j], 32 };
            it[ni++] = (item){ creds[2 * j + 1], 32 };
        }
        ref_hb(rd[i], 32, "votesrv/v1/credential-reissue", it, ni);
        tu_unhex(want, 32, json_string_value(json_array_get(json_object_get(t,
                                                                            "reissue_digests"),
                                                            i)));
        assert_memory_equal(rd[i], want, 32);
        get(rsig[i], 64, r, "signature");
        assert_int_equal(crypto_sign_verify_detached(rsig[i], rd[i], 32, pk), 0);
        /* another seq, or revoked and fresh swapped: the signature fails */
        le64(seq, i + 2);
        ref_hb(d, 32, "votesrv/v1/credential-reissue", it, ni);
        assert_int_equal(crypto_sign_verify_detached(rsig[i], d, 32, pk), -1);
        le64(seq, i + 1);
        it[3 + 1] = (item){ creds[1], 32 };
        it[3 + 2] = (item){ creds[0], 32 };
        ref_hb(d, 32, "votesrv/v1/credential-reissue", it, ni);
        assert_int_equal(crypto_sign_verify_detached(rsig[i], d, 32, pk), -1);
        json_decref(r);
    }
    /* the seal: per scrutin in definition order id, le64(n), digest, signature;
     * le64(m); per record by seq digest, signature */
    ni = 0;
    for (k = 0; k < 2; k++) {
        l = json_array_get(json_object_get(doc, "lists"), k);
        it[ni++] = (item)S(str(l, "scrutin"));
        le64(nn[k], json_array_size(json_object_get(l, "credentials")));
        it[ni++] = (item){ nn[k], 8 };
        it[ni++] = (item){ ld[k], 32 };
        it[ni++] = (item){ lsig[k], 64 };
    }
    le64(m8, 2);
    it[ni++] = (item){ m8, 8 };
    for (k = 0; k < 2; k++) {
        it[ni++] = (item){ rd[k], 32 };
        it[ni++] = (item){ rsig[k], 64 };
    }
    ref_hb(h, 32, "votesrv/v1/seal-credentials", it, ni);
    get(want, 32, t, "seal_credentials");
    assert_memory_equal(h, want, 32);
    it[ni - 4] = (item){ rd[1], 32 };                   /* records out of order */
    it[ni - 3] = (item){ rsig[1], 64 };
    it[ni - 2] = (item){ rd[0], 32 };
    it[ni - 1] = (item){ rsig[0], 64 };
    ref_hb(d, 32, "votesrv/v1/seal-credentials", it, ni);
    assert_memory_not_equal(d, want, 32);
    /* the archive's credentials line, byte for byte */
    ref_credentials_line(line, 16384, doc, recs, 2);
    assert_string_equal(line, str(t, "credentials_line"));
    ref_credentials_line(line, 16384, doc, recs, 1);   /* without record 2: another line */
    assert_string_not_equal(line, str(t, "credentials_line"));
    json_decref(doc);
    free(canon);
    free(line);
}

/* The same documents and line as the archive would carry them, checked by
 * voteverify's own code (verify/credentials.c): accepted, with the closing
 * seal's credentials hash of the vector; one revocation flag flipped in the
 * line, or the second record dropped, fails. */
static int trust_vv(json_t *t, int flip, int drop, uint8_t seal[32])
{
    vv v;
    json_t *line = json_loads(str(t, "credentials_line"), 0, NULL), *recs = json_array(), *x;
    size_t i;
    int failures;

    memset(&v, 0, sizeof v);
    v.quiet = 1;
    snprintf(v.eid, sizeof v.eid, "%s", EID);
    get(v.fp, 32, vec, "fingerprint.fingerprint");
    v.definition = json_pack("{s:s}", "credential_authority", str(t, "authority"));
    for (i = 0; i < 2; i++)
        snprintf(v.sc[i].id, sizeof v.sc[i].id, "%s",
                 json_string_value(json_array_get(json_object_get(t, "scrutins"), i)));
    v.nsc = 2;
    json_array_foreach(json_object_get(t, "reissue"), i, x)
        if (!(drop && i == 1))
            json_array_append_new(recs, json_loads(json_string_value(x), 0, NULL));
    v.documents = json_pack("{s:[o],s:o}", "credential-lists",
                            json_loads(str(t, "credential_lists"), 0, NULL), "reissue", recs);
    v.credentials = json_incref(json_object_get(line, "credentials"));
    if (flip) {
        x = json_array_get(v.credentials, 0);
        json_object_set_new(x, "revoked", json_boolean(!json_is_true(json_object_get(x,
                                                                                  "revoked"))));
    }
    vv_credentials(&v);
    memcpy(seal, v.seal_creds_close, 32);
    failures = v.failures;
    vv_free(&v);
    json_decref(line);
    return failures;
}

static void test_trust_voteverify(void **state)
{
    json_t *t = json_object_get(vec, "trust");
    uint8_t seal[32], want[32];

    (void)state;
    get(want, 32, t, "seal_credentials");
    assert_int_equal(trust_vv(t, 0, 0, seal), 0);
    assert_memory_equal(seal, want, 32);
    assert_int_not_equal(trust_vv(t, 1, 0, seal), 0);
    assert_int_not_equal(trust_vv(t, 0, 1, seal), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regenerated_byte_for_byte),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_tracker),
        cmocka_unit_test(test_box_digest),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_seals_and_seed),
        cmocka_unit_test(test_seat_lot),
        cmocka_unit_test(test_tally_digests),
        cmocka_unit_test(test_trust_records),
        cmocka_unit_test(test_trust_voteverify),
    };

    if (argc == 2 && strcmp(argv[1], "--print") == 0) {
        json_t *v;

        if (crypto_init() != 0 || (v = generate()) == NULL ||
            json_dumpf(v, stdout, JSON_INDENT(1) | JSON_SORT_KEYS) != 0)
            return 1;
        putchar('\n');
        json_decref(v);
        return 0;
    }
    return cmocka_run_group_tests_name("records", tests, setup, teardown);
}
