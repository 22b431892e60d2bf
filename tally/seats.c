/* seats.c - highest-average seat allocation with explicit tie-breaks. */
#include "tally.h"

#include <string.h>
#include "crypto/transcript.h"

static int policy_check(const seats_policy *p)
{
    if (p->nrules > 2)
        return -1;
    for (size_t i = 0; i < p->nrules; i++) {
        if (p->rules[i] != SEATS_TIE_VOTES && p->rules[i] != SEATS_TIE_LOT)
            return -1;
        if (i > 0 && p->rules[i] == p->rules[0])
            return -1;
    }
    return 0;
}

/* The sign of votes[a]/(s[a]+1) - votes[b]/(s[b]+1), exactly. */
static int compare_average(const uint64_t *votes, const uint32_t *s, size_t a, size_t b)
{
    uint64_t x = votes[a] * ((uint64_t)s[b] + 1), y = votes[b] * ((uint64_t)s[a] + 1);

    return (x > y) - (x < y);
}

static void lot_ticket(uint8_t out[TRANSCRIPT_DIGEST_BYTES], const uint8_t *seed, uint32_t seat,
                       size_t list)
{
    transcript t;

    transcript_init(&t, "votesrv/v1/seat-lot", TRANSCRIPT_DIGEST_BYTES);
    transcript_put(&t, seed, SEATS_SEED_BYTES);
    transcript_put_u64(&t, seat);
    transcript_put_u64(&t, list);
    transcript_digest(&t, out);
}

/* Keep, among the tied lists, those the rule prefers. */
static void apply_rule(seats_tie_rule rule, const seats_policy *p, const uint64_t *votes,
                       uint32_t seat, size_t *tied, size_t *n)
{
    uint8_t best[TRANSCRIPT_DIGEST_BYTES], ticket[TRANSCRIPT_DIGEST_BYTES];
    size_t keep = 0, winner = tied[0];

    if (rule == SEATS_TIE_VOTES) {
        uint64_t most = 0;

        for (size_t i = 0; i < *n; i++)
            most = votes[tied[i]] > most ? votes[tied[i]] : most;
        for (size_t i = 0; i < *n; i++)
            if (votes[tied[i]] == most)
                tied[keep++] = tied[i];
        *n = keep;
        return;
    }
    lot_ticket(best, p->seed, seat, tied[0]);
    for (size_t i = 1; i < *n; i++) {
        lot_ticket(ticket, p->seed, seat, tied[i]);
        if (memcmp(ticket, best, sizeof best) < 0) {
            memcpy(best, ticket, sizeof best);
            winner = tied[i];
        }
    }
    tied[0] = winner;
    *n = 1;
}

int seats_allocate(seats_result *out, const uint64_t *votes, size_t k, uint32_t seats,
                   const seats_policy *p)
{
    memset(out, 0, sizeof *out);
    if (k < 1 || k > SEATS_MAX_LISTS || seats > SEATS_MAX_SEATS || policy_check(p) != 0)
        return -1;
    for (size_t i = 0; i < k; i++)
        if (votes[i] > SEATS_MAX_VOTES)
            return -1;
    for (uint32_t seat = 1; seat <= seats; seat++) {
        size_t n = 0;

        for (size_t i = 0; i < k; i++) {
            if (votes[i] == 0)
                continue;
            if (n > 0 && compare_average(votes, out->seats, i, out->tied[0]) > 0)
                n = 0;
            if (n == 0 || compare_average(votes, out->seats, i, out->tied[0]) == 0)
                out->tied[n++] = i;
        }
        if (n == 0)
            break;                       /* no vote at all: nobody wins a seat */
        for (size_t r = 0; r < p->nrules && n > 1; r++)
            apply_rule(p->rules[r], p, votes, seat, out->tied, &n);
        if (n > 1) {
            out->contested = 1;
            out->ntied = n;
            return 0;
        }
        out->seats[out->tied[0]]++;
        out->allocated++;
    }
    out->ntied = 0;
    memset(out->tied, 0, sizeof out->tied);
    return 0;
}
