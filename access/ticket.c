/* ticket.c - the opening rush's calendar: a login refused for want of room
 * is booked a place (a time, at the measured login rate) and given a signed
 * retry ticket to show when it comes back. Holders whose time has come pass
 * before fresh arrivals; places nobody came for are freed after 5 s.
 *
 * Everything here is in memory, under the admission's hash_lock, and never
 * logged: the key is random per writer start (no pepper, never in the
 * worker), a ticket holds no voter id (an identifier is only under its MAC,
 * known or not), and the session never learns the ticket. */
#include "access_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define Q_SLOTS (1u << 16)             /* places booked and not yet expired, at most */
#define Q_BUCKETS (1u << 16)           /* identifier hash -> its live place */
#define TICKET_VERSION 1
#define TICKET_BYTES 49                /* ver 1, epoch 8, seq 8, not_before 8, expires 8, tag 16 */
#define TICKET_LIFE_MS 30000           /* a ticket admits from its time for 30 s */
#define TICKET_EARLY_MS 1000           /* ... or from 1 s before (rounded Retry-After) */
#define TICKET_HOLD_MS 5000            /* a place due and not taken is freed after 5 s */
#define TICKET_RETRY_MAX 60
#define RATE_WINDOW_MAX_US 2000000     /* a longer window measures no rate */

typedef struct {
    int64_t not_before;                /* ms on the queue's clock */
    uint8_t idh[16];
    int32_t next;                      /* the bucket's chain, a slot index, -1 at the end */
    uint8_t live;                      /* booked, neither admitted nor expired */
} q_slot;

struct access_queue {
    uint8_t key[32];
    uint64_t epoch;
    int64_t t0_us;                     /* the origin of the ms in tickets */
    /* seqs: [tail, released) past the hold (valid until they expire),
     * [released, due_end) their time come, reserving room, [due_end,
     * next_seq) to come (valid from 1 s before their time) */
    uint64_t next_seq, tail, released, due_end;
    uint64_t due_live;                 /* live places in [released, due_end) */
    int64_t book_until;
    double rate;                       /* logins done a second while refusing (0: none yet) */
    int64_t rate_from;                 /* us, the measuring window's start */
    uint64_t rate_done, rate_refused;
    uint64_t booked, admitted, noshow;
    int32_t bucket[Q_BUCKETS];
    int32_t live_tree[Q_SLOTS + 1];    /* live slots by ring index (a Fenwick tree) */
    q_slot slot[Q_SLOTS];
};

/* The login access_login_queued runs in this thread: access_login_admit
 * reads it (session.c's access_login does not know about tickets). */
static _Thread_local access_login_place *current_place;
static _Thread_local const char *current_identifier, *current_ticket;

static int64_t mono_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

access_queue *queue_new(void)
{
    access_queue *q = calloc(1, sizeof *q);

    if (q == NULL)
        return NULL;
    randombytes_buf(q->key, sizeof q->key);
    randombytes_buf(&q->epoch, sizeof q->epoch);
    q->t0_us = mono_us();
    q->next_seq = q->tail = q->released = q->due_end = 1;
    q->rate_from = q->t0_us;
    memset(q->bucket, 0xff, sizeof q->bucket);      /* -1: empty */
    return q;
}

void queue_free(access_queue *q)
{
    if (q != NULL)
        sodium_memzero(q->key, sizeof q->key);
    free(q);
}

int64_t queue_now_ms(const access_queue *q)
{
    return (mono_us() - q->t0_us) / 1000 + 1;
}

static q_slot *slot_of(access_queue *q, uint64_t seq)
{
    return &q->slot[seq & (Q_SLOTS - 1)];
}

/* A slot's live flag, set or cleared, counted in the tree. */
static void live_set(access_queue *q, uint64_t seq, int on)
{
    q_slot *s = slot_of(q, seq);

    if (s->live == on)
        return;
    s->live = (uint8_t)on;
    for (uint32_t i = (uint32_t)(seq & (Q_SLOTS - 1)) + 1; i <= Q_SLOTS; i += i & -i)
        q->live_tree[i] += on ? 1 : -1;
}

static int64_t live_prefix(const access_queue *q, uint32_t n)   /* ring indices [0, n) */
{
    int64_t c = 0;

    for (; n > 0; n -= n & -n)
        c += q->live_tree[n];
    return c;
}

/* The live places of seqs [lo, hi) (fewer than Q_SLOTS apart). */
static int64_t live_between(const access_queue *q, uint64_t lo, uint64_t hi)
{
    uint32_t l = (uint32_t)(lo & (Q_SLOTS - 1)), h = (uint32_t)(hi & (Q_SLOTS - 1));

    if (hi <= lo)
        return 0;
    if (l < h)
        return live_prefix(q, h) - live_prefix(q, l);
    return live_prefix(q, Q_SLOTS) - live_prefix(q, l) + live_prefix(q, h);
}

static uint32_t bucket_of(const uint8_t idh[16])
{
    uint32_t b;

    memcpy(&b, idh, sizeof b);
    return b & (Q_BUCKETS - 1);
}

void queue_identifier(const access_queue *q, uint8_t idh[16], const char *identifier)
{
    static const char dom[] = "votesrv/v1/retry-id";
    char id[ACCESS_IDENTIFIER_MAX + 1];
    crypto_generichash_state st;
    const char *use = access_identifier(id, identifier) == 0 ? id : identifier;

    crypto_generichash_init(&st, q->key, sizeof q->key, 16);
    crypto_generichash_update(&st, (const unsigned char *)dom, sizeof dom);
    crypto_generichash_update(&st, (const unsigned char *)use, strlen(use));
    crypto_generichash_final(&st, idh, 16);
}

/* A ticket's numbers in the writer's own byte order: only the writer that
 * made a ticket reads it (another start has another epoch and key). */
static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof v);
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static void ticket_tag(const access_queue *q, uint8_t tag[16], const uint8_t fields[33],
                       const uint8_t idh[16])
{
    static const char dom[] = "votesrv/v1/retry-ticket";
    crypto_generichash_state st;

    crypto_generichash_init(&st, q->key, sizeof q->key, 16);
    crypto_generichash_update(&st, (const unsigned char *)dom, sizeof dom);
    crypto_generichash_update(&st, fields, 33);
    crypto_generichash_update(&st, idh, 16);
    crypto_generichash_final(&st, tag, 16);
}

static void unlink_slot(access_queue *q, uint64_t seq)
{
    q_slot *s = slot_of(q, seq);
    int32_t *p = &q->bucket[bucket_of(s->idh)], me = (int32_t)(seq & (Q_SLOTS - 1));

    while (*p >= 0 && *p != me)
        p = &q->slot[*p].next;
    if (*p == me)
        *p = s->next;
    s->next = -1;
}

static void link_slot(access_queue *q, uint64_t seq)
{
    q_slot *s = slot_of(q, seq);
    int32_t *b = &q->bucket[bucket_of(s->idh)];

    s->next = *b;
    *b = (int32_t)(seq & (Q_SLOTS - 1));
}

void queue_advance(access_queue *q, int64_t now)
{
    while (q->due_end < q->next_seq && slot_of(q, q->due_end)->not_before <= now) {
        q->due_live += slot_of(q, q->due_end)->live;
        q->due_end++;
    }
    while (q->released < q->due_end && slot_of(q, q->released)->not_before + TICKET_HOLD_MS < now) {
        if (slot_of(q, q->released)->live) {
            q->due_live--;
            q->noshow++;
        }
        q->released++;
    }
    while (q->tail < q->released) {
        q_slot *s = slot_of(q, q->tail);

        if (s->live && s->not_before + TICKET_LIFE_MS >= now)
            break;                     /* still valid: so are all later ones */
        if (s->live) {
            unlink_slot(q, q->tail);
            live_set(q, q->tail, 0);
        }
        q->tail++;
    }
}

uint64_t queue_find(access_queue *q, const uint8_t idh[16])
{
    for (int32_t i = q->bucket[bucket_of(idh)]; i >= 0; i = q->slot[i].next) {
        const q_slot *s = &q->slot[i];

        if (s->live && sodium_memcmp(s->idh, idh, 16) == 0) {
            /* the seq of slot i: the one in [tail, next_seq) with these low bits */
            uint64_t seq = (q->tail & ~(uint64_t)(Q_SLOTS - 1)) | (uint64_t)i;

            return seq < q->tail ? seq + Q_SLOTS : seq;
        }
    }
    return 0;
}

uint64_t queue_book(access_queue *q, const uint8_t idh[16], int64_t now, double fallback_rate)
{
    double r = 0.9 * (q->rate > 0 ? q->rate : fallback_rate);
    int64_t step = r > 0 ? (int64_t)(1000.0 / r) : 1000, from;
    uint64_t seq;
    q_slot *s;

    if (q->next_seq - q->tail >= Q_SLOTS)
        return 0;                      /* the calendar is full: a plain refusal */
    if (step < 1)
        step = 1;
    from = now > q->book_until ? now : q->book_until;
    seq = q->next_seq++;
    s = slot_of(q, seq);
    s->not_before = from + step;
    q->book_until = s->not_before;
    memcpy(s->idh, idh, 16);
    live_set(q, seq, 1);
    link_slot(q, seq);
    q->booked++;
    if (seq < q->due_end)              /* cannot be: not_before > now */
        q->due_live++;
    return seq;
}

/* A live place is taken (admitted): its identifier may book again. */
void queue_take(access_queue *q, uint64_t seq)
{
    q_slot *s = slot_of(q, seq);

    if (seq < q->tail || seq >= q->next_seq || !s->live)
        return;
    unlink_slot(q, seq);
    live_set(q, seq, 0);
    if (seq >= q->released && seq < q->due_end)
        q->due_live--;
    q->admitted++;
}

/* A taken place given back (its login was refused BUSY after all). A place
 * its identifier was booked meanwhile (another login of hers refused) is
 * dropped: one live place per identifier, the earlier. */
void queue_restore(access_queue *q, uint64_t seq)
{
    q_slot *s = slot_of(q, seq);
    uint64_t other;

    if (seq < q->tail || seq >= q->next_seq || s->live)
        return;
    if ((other = queue_find(q, s->idh)) != 0) {
        unlink_slot(q, other);
        live_set(q, other, 0);
        if (other >= q->released && other < q->due_end)
            q->due_live--;
    }
    live_set(q, seq, 1);
    link_slot(q, seq);
    if (seq >= q->released && seq < q->due_end)
        q->due_live++;
    q->admitted--;
}

int64_t queue_not_before(access_queue *q, uint64_t seq)
{
    return slot_of(q, seq)->not_before;
}

int queue_is_due(access_queue *q, uint64_t seq, int64_t now)
{
    return slot_of(q, seq)->not_before - TICKET_EARLY_MS <= now;
}

uint64_t queue_reserved(const access_queue *q)
{
    return q->due_live;
}

void queue_ticket(access_queue *q, uint64_t seq, char out[ACCESS_TICKET_CHARS + 1])
{
    uint8_t b[TICKET_BYTES];
    const q_slot *s = slot_of(q, seq);

    b[0] = TICKET_VERSION;
    put64(b + 1, q->epoch);
    put64(b + 9, seq);
    put64(b + 17, (uint64_t)s->not_before);
    put64(b + 25, (uint64_t)(s->not_before + TICKET_LIFE_MS));
    ticket_tag(q, b + 33, b, s->idh);
    sodium_bin2base64(out, ACCESS_TICKET_CHARS + 1, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

uint64_t queue_check(access_queue *q, const uint8_t idh[16], const char *ticket, int64_t now)
{
    uint8_t b[TICKET_BYTES], tag[16];
    size_t n = 0;
    uint64_t seq;
    const q_slot *s;

    if (ticket == NULL || strlen(ticket) != ACCESS_TICKET_CHARS ||
        sodium_base642bin(b, sizeof b, ticket, ACCESS_TICKET_CHARS, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != sizeof b || b[0] != TICKET_VERSION || get64(b + 1) != q->epoch)
        return 0;
    ticket_tag(q, tag, b, idh);        /* for this identifier only */
    if (sodium_memcmp(tag, b + 33, 16) != 0)
        return 0;
    seq = get64(b + 9);
    if (seq < q->tail || seq >= q->next_seq)
        return 0;
    s = slot_of(q, seq);
    if (!s->live || (uint64_t)s->not_before != get64(b + 17) ||
        sodium_memcmp(s->idh, idh, 16) != 0 || now > s->not_before + TICKET_LIFE_MS)
        return 0;
    return seq;
}

/* The live places ahead of it that still hold room (their time to come,
 * or come less than 5 s ago), plus one. */
int64_t queue_position(const access_queue *q, uint64_t seq)
{
    return live_between(q, q->released, seq) + 1;
}

void queue_done(access_queue *q, int refused_now)
{
    queue_done_at(q, refused_now, mono_us());
}

void queue_done_at(access_queue *q, int refused_now, int64_t t)
{
    int64_t span = t - q->rate_from;

    if (refused_now) {
        q->rate_refused++;
        return;
    }
    q->rate_done++;
    if (span < 1000000)
        return;
    /* the rate at which logins are served means the capacity only while
     * some are refused: a quiet window says nothing, nor one that a refusal
     * opened and a login closed long after (a lull, or a burst and then
     * silence: it would book places minutes apart, pushing every later one
     * as far) */
    if (q->rate_refused > 0 && span <= RATE_WINDOW_MAX_US) {
        double inst = (double)q->rate_done * 1e6 / (double)span;

        q->rate = q->rate > 0 ? q->rate + (inst - q->rate) / 4 : inst;
    }
    q->rate_from = t;
    q->rate_done = q->rate_refused = 0;
}

void queue_figures(const access_queue *q, access_queue_figures *out)
{
    *out = (access_queue_figures){ q->booked, q->admitted, q->noshow,
                                   (int64_t)(q->next_seq - q->tail), (int64_t)q->due_live,
                                   q->rate };
}

void queue_current(const char **identifier, const char **ticket, access_login_place **place)
{
    *identifier = current_identifier;
    *ticket = current_ticket;
    *place = current_place;
}

int access_login_queued(access_ctx *a, const char *identifier, const char *password,
                        const char *client, int64_t now, const char *ticket,
                        access_login_place *place, char session_out[ACCESS_TOKEN_CHARS + 1],
                        access_result *res)
{
    int rc;

    memset(place, 0, sizeof *place);
    current_identifier = identifier;
    current_ticket = ticket != NULL && ticket[0] != '\0' ? ticket : NULL;
    current_place = place;
    rc = access_login(a, identifier, password, client, now, session_out, res);
    current_identifier = current_ticket = NULL;
    current_place = NULL;
    if (rc == ACCESS_REFUSED && res->code == ACCESS_E_BUSY && place->ticket[0] == '\0' &&
        identifier != NULL)
        access_login_rebook(a, identifier, place, res);   /* admitted, then no hash slot */
    if (!(rc == ACCESS_REFUSED && res->code == ACCESS_E_BUSY))
        memset(place, 0, sizeof *place);
    return rc;
}
