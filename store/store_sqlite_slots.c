/* store_sqlite_slots.c - the ballot box as fixed slots written in place.
 *
 * A B-tree records the order of its insertions (which page split when,
 * which cell went where, the overflow pages appended at the file's end), so
 * the ballots are not rows of one. Each scrutin has a region of equal,
 * zero-filled slots (box.region, box.slot), allocated at the opening (or at
 * its first need, before any ballot) for its eligible voters plus slack. A
 * ballot goes to the slot that a keyed hash of its tracker selects, by
 * linear probing where each run is kept sorted by (home slot, tracker)
 * (Robin Hood order with the tracker breaking ties): the layout depends on
 * the set of ballots only, never on the order they came in. The slot is
 * written with sqlite3_blob_write, which allocates no page. The uniqueness
 * checks (tracker, ciphertext, credential per scrutin) are in-memory tables
 * of the writer's connection (temp, in memory), rebuilt from the slots when
 * it connects or when another connection changed the box.
 *
 * A slot: 1 (used), tracker (32), 1 if a credential (1), credential (32),
 * le16 ciphertexts n, n alpha hashes (32 each), le32 body length, body,
 * le32 wire length, wire; zeros after. */
#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define SLOT_HEAD 68            /* up to the alpha hashes */
#define STATE_BYTES 40          /* le64 count, digest: the row before a region's slots */
#define STATE_BYTES_SQL "40"
#define SLOT_MIN_BYTES 512
#define SLOT_ROUND 256

typedef struct {
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    int64_t first, nslots;
    int slot_bytes;
} region;

typedef struct {
    uint8_t tracker[32];
    int64_t slot;
} order_item;

struct sq_order {
    sq_order *next;
    char scrutin[STORE_SCRUTIN_CHARS + 1];
    int64_t version;
    uint64_t gen;
    order_item *items;
    size_t n;
};

static const char temp_schema[] =
    "PRAGMA temp_store = MEMORY;"
    "CREATE TEMP TABLE bx_tracker(tracker BLOB PRIMARY KEY, scrutin TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TEMP TABLE bx_used(scrutin TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TEMP TABLE bx_cred(scrutin TEXT NOT NULL, pub BLOB NOT NULL,"
    " PRIMARY KEY (scrutin, pub)) WITHOUT ROWID;"
    "CREATE TEMP TABLE bx_alpha(hash BLOB PRIMARY KEY) WITHOUT ROWID;";

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The slot a tracker would take in an empty region of n slots. */
static int64_t home_of(const store_conn *c, const uint8_t *tracker, int64_t n)
{
    uint8_t h[8];
    uint64_t v = 0;

    crypto_generichash(h, sizeof h, tracker, 32, c->has_slot_key ? c->slot_key : NULL,
                       c->has_slot_key ? sizeof c->slot_key : 0);
    for (int i = 7; i >= 0; i--)
        v = v << 8 | h[i];
    return (int64_t)(v % (uint64_t)n);
}

static int64_t box_version(store_conn *c)
{
    sqlite3_stmt *st = sq_stmt(c, "PRAGMA box.data_version");
    int64_t v = -1;

    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return v;
}

static int region_from(sqlite3_stmt *st, region *r)
{
    sq_copy_text(r->scrutin, sizeof r->scrutin, st, 0);
    r->first = sqlite3_column_int64(st, 1);
    r->nslots = sqlite3_column_int64(st, 2);
    r->slot_bytes = sqlite3_column_int(st, 3);
    return r->nslots > 0 && r->slot_bytes >= SLOT_HEAD + 8 ? STORE_OK : STORE_EIO;
}

static int region_get(store_conn *c, const char *scrutin, region *r)
{
    sqlite3_stmt *st = sq_stmt(c, "SELECT scrutin, first, nslots, slot_bytes FROM box.region"
                                  " WHERE scrutin = ?");
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, scrutin, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = region_from(st, r) == STORE_OK ? SQLITE_ROW : SQLITE_CORRUPT;
    sqlite3_reset(st);
    return sq_row_result(rc);
}

typedef int (*region_fn)(store_conn *c, const region *r, void *arg);

/* Every region, by scrutin; stops at fn's first non-zero answer. */
static int regions_each(store_conn *c, region_fn fn, void *arg)
{
    sqlite3_stmt *st;
    region *all = NULL;
    size_t n = 0, cap = 0;
    int rc, stop = 0;

    if ((st = sq_stmt(c, "SELECT scrutin, first, nslots, slot_bytes FROM box.region"
                         " ORDER BY scrutin")) == NULL)
        return STORE_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            region *more = realloc(all, (cap = cap ? 2 * cap : 8) * sizeof *all);

            if (more == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            all = more;
        }
        if (region_from(st, &all[n++]) != STORE_OK) {
            rc = SQLITE_CORRUPT;
            break;
        }
    }
    sqlite3_reset(st);
    rc = rc == SQLITE_DONE ? STORE_OK : rc == SQLITE_NOMEM ? STORE_ENOMEM : STORE_EIO;
    for (size_t i = 0; rc == STORE_OK && !stop && i < n; i++)
        stop = fn(c, &all[i], arg);
    free(all);
    return rc != STORE_OK ? rc : stop;
}

/* ---- reading and writing slots ---- */

typedef struct {
    store_conn *c;
    sqlite3_blob *blob;
    int writable;
} slot_io;

static int slot_io_at(slot_io *io, int64_t id)
{
    if (io->blob == NULL)
        return sqlite3_blob_open(io->c->db, "box", "slot", "data", id, io->writable,
                                 &io->blob) == SQLITE_OK ? STORE_OK : STORE_EIO;
    return sqlite3_blob_reopen(io->blob, id) == SQLITE_OK ? STORE_OK : STORE_EIO;
}

static void slot_io_done(slot_io *io)
{
    if (io->blob != NULL)
        sqlite3_blob_close(io->blob);
    io->blob = NULL;
}

static int slot_read(slot_io *io, const region *r, int64_t i, uint8_t *buf, int len)
{
    if (slot_io_at(io, r->first + i) != STORE_OK || sqlite3_blob_bytes(io->blob) != r->slot_bytes)
        return STORE_EIO;
    return sqlite3_blob_read(io->blob, buf, len, 0) == SQLITE_OK ? STORE_OK : STORE_EIO;
}

static int slot_write(slot_io *io, const region *r, int64_t i, const uint8_t *buf)
{
    if (slot_io_at(io, r->first + i) != STORE_OK || sqlite3_blob_bytes(io->blob) != r->slot_bytes)
        return STORE_EIO;
    return sqlite3_blob_write(io->blob, buf, r->slot_bytes, 0) == SQLITE_OK ? STORE_OK
                                                                          : STORE_EIO;
}

/* A slot's parts; -1 if the lengths do not fit in len bytes. */
typedef struct {
    const uint8_t *tracker, *cred, *alphas, *wire;
    size_t nalpha, bodylen, wirelen;
    const char *body;
} slot_view;

static int slot_parse(const uint8_t *s, size_t len, slot_view *v)
{
    size_t at;

    if (len < SLOT_HEAD || s[0] != 1)
        return -1;
    v->tracker = s + 1;
    v->cred = s[33] ? s + 34 : NULL;
    v->nalpha = (size_t)s[66] | (size_t)s[67] << 8;
    v->alphas = s + SLOT_HEAD;
    at = SLOT_HEAD + 32 * v->nalpha;
    if (at + 4 > len || (v->bodylen = get32(s + at)) > len - at - 4)
        return -1;
    v->body = (const char *)s + at + 4;
    at += 4 + v->bodylen;
    if (at + 4 > len || (v->wirelen = get32(s + at)) > len - at - 4)
        return -1;
    v->wire = s + at + 4;
    return 0;
}

static size_t slot_need(size_t nalpha, size_t bodylen, size_t wirelen)
{
    return SLOT_HEAD + 32 * nalpha + 4 + bodylen + 4 + wirelen;
}

/* Whether slot (home ha, tracker ta) at distance da from its home stays
 * before a ballot (tb) at distance db: the run's order, (home, tracker). */
static int stays_before(int64_t da, const uint8_t *ta, int64_t db, const uint8_t *tb)
{
    return da > db || (da == db && memcmp(ta, tb, 32) < 0);
}

/* Place the ballot in ballot (a whole slot) in its region, moving the
 * ballots that order after it one slot on. */
static int slot_place(store_conn *c, const region *r, const uint8_t *ballot)
{
    uint8_t *buf = malloc(2 * (size_t)r->slot_bytes), *other, head[33];
    slot_io io = { c, NULL, 1 };
    int64_t i, d = 0;
    int rc = buf == NULL ? STORE_ENOMEM : STORE_EIO;

    if (buf == NULL)
        return rc;
    memcpy(buf, ballot, (size_t)r->slot_bytes);
    other = buf + r->slot_bytes;
    i = home_of(c, buf + 1, r->nslots);
    for (int64_t step = 0; step < r->nslots; step++) {
        int64_t dh;

        if ((rc = slot_read(&io, r, i, head, sizeof head)) != STORE_OK)
            break;
        if (head[0] == 0) {
            rc = slot_write(&io, r, i, buf);
            break;
        }
        rc = STORE_EIO;
        dh = (i - home_of(c, head + 1, r->nslots) + r->nslots) % r->nslots;
        if (!stays_before(dh, head + 1, d, buf + 1)) {
            uint8_t *t;

            if ((rc = slot_read(&io, r, i, other, r->slot_bytes)) != STORE_OK ||
                (rc = slot_write(&io, r, i, buf)) != STORE_OK)
                break;
            t = buf;                    /* carry the displaced ballot on */
            buf = other;
            other = t;
            d = dh;
        }
        i = (i + 1) % r->nslots;
        d++;
    }
    slot_io_done(&io);
    sodium_memzero(buf, (size_t)r->slot_bytes);
    sodium_memzero(other, (size_t)r->slot_bytes);
    free(buf < other ? buf : other);
    return rc;
}

/* The slot holding tracker in r: its index, or -1. */
static int slot_find(store_conn *c, const region *r, const uint8_t *tracker, int64_t *at)
{
    slot_io io = { c, NULL, 0 };
    uint8_t head[33];
    int64_t i = home_of(c, tracker, r->nslots);
    int rc = STORE_OK;

    *at = -1;
    for (int64_t d = 0; d < r->nslots; d++) {
        if ((rc = slot_read(&io, r, i, head, sizeof head)) != STORE_OK || head[0] == 0)
            break;
        if (memcmp(head + 1, tracker, 32) == 0) {
            *at = i;
            break;
        }
        /* the run is sorted: past where the tracker would be, it is not there */
        if (stays_before(d, tracker,
                         (i - home_of(c, head + 1, r->nslots) + r->nslots) % r->nslots,
                         head + 1))
            break;
        i = (i + 1) % r->nslots;
    }
    slot_io_done(&io);
    return rc;
}

/* ---- regions ---- */

/* The integer a one-column query keyed by one text parameter returns; 0 when
 * it returns no row. */
static int int64_by_text(store_conn *c, const char *sql, const char *key, int64_t *n)
{
    sqlite3_stmt *st = sq_stmt(c, sql);
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return sq_map_rc(rc);
}

/* The slots the writer has used in scrutin's region (0 before the first). */
static int used_slots(store_conn *c, const char *scrutin, int64_t *used)
{
    return int64_by_text(c, "SELECT n FROM temp.bx_used WHERE scrutin = ?", scrutin, used);
}

static int eligible_voters(store_conn *c, const char *scrutin, int64_t *n)
{
    return int64_by_text(c, "SELECT count(*) FROM voter_scrutin WHERE scrutin = ?", scrutin, n);
}

static int round_bytes(size_t need)
{
    size_t b = need < SLOT_MIN_BYTES ? SLOT_MIN_BYTES : need;

    return (int)((b + SLOT_ROUND - 1) / SLOT_ROUND * SLOT_ROUND);
}

/* A new zero-filled region after every slot in the file: the state row
 * (first - 1), then the slots. */
static int region_create(store_conn *c, const char *scrutin, int64_t nslots, int slot_bytes,
                         region *r)
{
    sqlite3_stmt *st = sq_stmt(c, "INSERT INTO box.region(scrutin, first, nslots, slot_bytes)"
                                  " VALUES (?, (SELECT coalesce(max(id), 0) + 2 FROM box.slot),"
                                  " ?, ?)");
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, scrutin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, nslots);
    sqlite3_bind_int(st, 3, slot_bytes);
    if ((rc = sq_step_done(st)) != STORE_OK || (rc = region_get(c, scrutin, r)) != STORE_OK)
        return rc;
    st = sq_stmt(c, "INSERT INTO box.slot(id, data) VALUES (?, zeroblob(" STATE_BYTES_SQL "))");
    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, r->first - 1);
    if ((rc = sq_step_done(st)) != STORE_OK)
        return rc;
    st = sq_stmt(c, "WITH RECURSIVE s(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM s"
                    " WHERE i < ?2) INSERT INTO box.slot(id, data) SELECT i, zeroblob(?3) FROM s");
    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, r->first);
    sqlite3_bind_int64(st, 2, r->first + nslots - 1);
    sqlite3_bind_int(st, 3, slot_bytes);
    c->local_gen++;
    return sq_step_done(st);
}

static int region_drop(store_conn *c, const region *r)
{
    sqlite3_stmt *st = sq_stmt(c, "DELETE FROM box.slot WHERE id BETWEEN ? AND ?");
    int rc;

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_int64(st, 1, r->first - 1);
    sqlite3_bind_int64(st, 2, r->first + r->nslots - 1);
    if ((rc = sq_step_done(st)) != STORE_OK)
        return rc;
    st = sq_stmt(c, "DELETE FROM box.region WHERE scrutin = ?");
    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, r->scrutin, -1, SQLITE_STATIC);
    c->local_gen++;
    return sq_step_done(st);
}

/* Read or write (write != 0) the region's state row. */
static int state_io(store_conn *c, const region *r, uint8_t state[STATE_BYTES], int write)
{
    sqlite3_blob *b;
    int rc;

    if (sqlite3_blob_open(c->db, "box", "slot", "data", r->first - 1, write, &b) != SQLITE_OK)
        return STORE_EIO;
    rc = sqlite3_blob_bytes(b) != STATE_BYTES ? SQLITE_CORRUPT
         : write ? sqlite3_blob_write(b, state, STATE_BYTES, 0)
                 : sqlite3_blob_read(b, state, STATE_BYTES, 0);
    sqlite3_blob_close(b);
    return rc == SQLITE_OK ? STORE_OK : STORE_EIO;
}

/* Move a region's ballots to a new region of nslots slots of slot_bytes. */
static int region_grow(store_conn *c, region *r, int64_t nslots, int slot_bytes)
{
    uint8_t *all = malloc((size_t)r->nslots * (size_t)r->slot_bytes), *buf;
    slot_io io = { c, NULL, 0 };
    int64_t n = 0;
    int old_bytes = r->slot_bytes, rc = all == NULL ? STORE_ENOMEM : STORE_OK;

    for (int64_t i = 0; rc == STORE_OK && i < r->nslots; i++)
        if ((rc = slot_read(&io, r, i, all + n * old_bytes, old_bytes)) == STORE_OK &&
            all[n * old_bytes] == 1)
            n++;
    slot_io_done(&io);
    if (rc == STORE_OK && (buf = calloc(1, (size_t)slot_bytes)) == NULL)
        rc = STORE_ENOMEM;
    if (rc == STORE_OK) {
        char scrutin[STORE_SCRUTIN_CHARS + 1];
        uint8_t state[STATE_BYTES];

        memcpy(scrutin, r->scrutin, sizeof scrutin);
        if ((rc = state_io(c, r, state, 0)) == STORE_OK && (rc = region_drop(c, r)) == STORE_OK &&
            (rc = region_create(c, scrutin, nslots, slot_bytes, r)) == STORE_OK)
            rc = state_io(c, r, state, 1);
        for (int64_t k = 0; rc == STORE_OK && k < n; k++) {
            memset(buf, 0, (size_t)slot_bytes);
            memcpy(buf, all + k * old_bytes, (size_t)old_bytes);
            rc = slot_place(c, r, buf);
        }
        free(buf);
    }
    free(all);
    return rc;
}

static int64_t region_slots_for(int64_t voters)
{
    return voters + voters / 4 + 16;
}

/* The scrutin's region, made or grown so that one more ballot of need bytes
 * fits with the region at most 4/5 full. */
static int region_for(store_conn *c, const char *scrutin, size_t need, int64_t used, region *r)
{
    int64_t voters;
    int rc = region_get(c, scrutin, r);

    if (rc == STORE_ENOTFOUND) {
        if ((rc = eligible_voters(c, scrutin, &voters)) != STORE_OK)
            return rc;
        rc = region_create(c, scrutin, region_slots_for(voters), round_bytes(need), r);
    }
    if (rc != STORE_OK)
        return rc;
    if ((size_t)r->slot_bytes < need || 5 * (used + 1) > 4 * r->nslots)
        rc = region_grow(c, r, 5 * (used + 1) > 4 * r->nslots ? 2 * r->nslots : r->nslots,
                         (size_t)r->slot_bytes < need ? round_bytes(need > 2 * (size_t)r->slot_bytes
                                                                    ? need
                                                                    : 2 * (size_t)r->slot_bytes)
                                                      : r->slot_bytes);
    return rc;
}

/* ---- the writer's in-memory indexes ---- */

static int temp_insert(store_conn *c, const char *sql, const uint8_t *blob, const char *text)
{
    sqlite3_stmt *st = sq_stmt(c, sql);

    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_blob(st, 1, blob, 32, SQLITE_STATIC);
    if (text != NULL)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

static int used_add(store_conn *c, const char *scrutin, int64_t *before)
{
    sqlite3_stmt *st;
    int rc = used_slots(c, scrutin, before);

    if (rc != STORE_OK)
        return rc;
    st = sq_stmt(c, "INSERT OR REPLACE INTO temp.bx_used(scrutin, n) VALUES (?, ?)");
    if (st == NULL)
        return STORE_EIO;
    sqlite3_bind_text(st, 1, scrutin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, *before + 1);
    return sq_step_done(st);
}

/* A used slot's tracker, credential and ciphertexts (its head) into the
 * indexes; the body is not read. */
static int index_slot(store_conn *c, const region *r, const uint8_t *head, size_t nalpha)
{
    int64_t before;
    int rc = temp_insert(c, "INSERT INTO temp.bx_tracker(tracker, scrutin) VALUES (?, ?)",
                         head + 1, r->scrutin);

    if (rc == STORE_OK)
        rc = used_add(c, r->scrutin, &before);
    if (rc == STORE_OK && head[33])
        rc = temp_insert(c, "INSERT OR IGNORE INTO temp.bx_cred(pub, scrutin) VALUES (?, ?)",
                         head + 34, r->scrutin);
    for (size_t k = 0; rc == STORE_OK && k < nalpha; k++)
        rc = temp_insert(c, "INSERT OR IGNORE INTO temp.bx_alpha(hash) VALUES (?)",
                         head + SLOT_HEAD + 32 * k, NULL);
    return rc;
}

static int index_region(store_conn *c, const region *r, void *arg)
{
    uint8_t *buf = malloc((size_t)r->slot_bytes);
    slot_io io = { c, NULL, 0 };
    int rc = buf == NULL ? STORE_ENOMEM : STORE_OK;

    (void)arg;
    for (int64_t i = 0; rc == STORE_OK && i < r->nslots; i++) {
        size_t nalpha, len;

        if ((rc = slot_read(&io, r, i, buf, SLOT_HEAD)) != STORE_OK || buf[0] == 0)
            continue;
        nalpha = (size_t)buf[66] | (size_t)buf[67] << 8;
        len = SLOT_HEAD + 32 * nalpha;
        if (buf[0] != 1 || len + 8 > (size_t)r->slot_bytes)
            rc = STORE_EIO;
        else if ((rc = slot_read(&io, r, i, buf, (int)len)) == STORE_OK)
            rc = index_slot(c, r, buf, nalpha);
    }
    slot_io_done(&io);
    free(buf);
    return rc;
}

/* The indexes again from the slots (and the tables of a box from before the
 * slots, whose credentials and ciphertexts stay used). */
static int index_rebuild(store_conn *c)
{
    int rc = sq_exec(c, "DELETE FROM temp.bx_tracker; DELETE FROM temp.bx_used;"
                        "DELETE FROM temp.bx_cred; DELETE FROM temp.bx_alpha;"
                        "INSERT OR IGNORE INTO temp.bx_cred(scrutin, pub)"
                        " SELECT scrutin, pub FROM box.used_credential;"
                        "INSERT OR IGNORE INTO temp.bx_alpha(hash) SELECT hash FROM box.alpha;");

    if (rc == STORE_OK)
        rc = regions_each(c, index_region, NULL);
    c->index_version = rc == STORE_OK ? box_version(c) : -1;
    c->local_gen++;
    return rc;
}

/* A box written before the slots: its ballots move into slots. */
static int migrate_rows(store_conn *c)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(c->db, "SELECT tracker, scrutin, body, wire FROM box.ballot"
                                  " ORDER BY tracker", -1, &st, NULL) != SQLITE_OK)
        return STORE_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char scrutin[STORE_SCRUTIN_CHARS + 1];

        sq_copy_text(scrutin, sizeof scrutin, st, 1);
        if (sqlite3_column_bytes(st, 0) != 32 ||
            sq_ballot_add(c, sqlite3_column_blob(st, 0), scrutin,
                          (const char *)sqlite3_column_text(st, 2), sqlite3_column_blob(st, 3),
                          (size_t)sqlite3_column_bytes(st, 3)) != STORE_OK) {
            rc = SQLITE_ERROR;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sq_exec(c, "DELETE FROM box.ballot") : STORE_EIO;
}

int sq_box_state_get(store_conn *c, const char *scrutin, uint64_t *count, uint8_t digest[32])
{
    uint8_t state[STATE_BYTES] = { 0 };
    region r;
    int rc = region_get(c, scrutin, &r);

    if (rc == STORE_OK)
        rc = state_io(c, &r, state, 0);
    else if (rc == STORE_ENOTFOUND)
        rc = STORE_OK;                  /* no ballot yet */
    *count = 0;
    for (int i = 7; i >= 0; i--)
        *count = *count << 8 | state[i];
    memcpy(digest, state + 8, 32);
    return rc;
}

/* The box's count and digest, written in place like the ballots: the row's
 * bytes are the state's, whatever the order of the casts across scrutins. */
int sq_box_state_put(store_conn *c, const char *scrutin, uint64_t count,
                     const uint8_t digest[32])
{
    uint8_t state[STATE_BYTES];
    int64_t used;
    region r;
    int rc;

    if (c->readonly)
        return STORE_EIO;
    if ((rc = used_slots(c, scrutin, &used)) != STORE_OK ||
        (rc = region_for(c, scrutin, 0, used - 1, &r)) != STORE_OK)
        return rc;
    for (int i = 0; i < 8; i++)
        state[i] = (uint8_t)(count >> (8 * i));
    memcpy(state + 8, digest, 32);
    return state_io(c, &r, state, 1);
}

/* A box's states from before the slots move to the regions' state rows. */
static int migrate_states(store_conn *c)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(c->db, "SELECT scrutin, count, digest FROM box.state ORDER BY scrutin",
                           -1, &st, NULL) != SQLITE_OK)
        return STORE_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char scrutin[STORE_SCRUTIN_CHARS + 1];
        uint8_t digest[32];

        sq_copy_text(scrutin, sizeof scrutin, st, 0);
        sq_copy_blob(digest, sizeof digest, st, 2);
        if (sq_box_state_put(c, scrutin, (uint64_t)sqlite3_column_int64(st, 1), digest) !=
            STORE_OK) {
            rc = SQLITE_ERROR;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sq_exec(c, "DELETE FROM box.state") : STORE_EIO;
}

int sq_slots_connect(store_conn *c, const store_config *cfg)
{
    int rc;

    if (cfg->box_key != NULL) {
        memcpy(c->slot_key, cfg->box_key, sizeof c->slot_key);
        c->has_slot_key = 1;
    }
    c->index_version = -1;
    if (c->readonly)
        return STORE_OK;
    if ((rc = sq_exec(c, temp_schema)) != STORE_OK || (rc = index_rebuild(c)) != STORE_OK)
        return rc;
    if ((rc = sq_exec(c, "BEGIN IMMEDIATE")) != STORE_OK)
        return rc;
    if ((rc = migrate_rows(c)) != STORE_OK || (rc = migrate_states(c)) != STORE_OK) {
        sq_exec(c, "ROLLBACK");
        c->index_version = -1;
        return rc;
    }
    rc = sq_exec(c, "COMMIT");
    c->index_version = rc == STORE_OK ? box_version(c) : -1;
    return rc;
}

static void orders_free(store_conn *c)
{
    while (c->orders != NULL) {
        sq_order *o = c->orders;

        c->orders = o->next;
        free(o->items);
        free(o);
    }
}

void sq_slots_disconnect(store_conn *c)
{
    orders_free(c);
    free(c->pend_alpha);
    sodium_memzero(c->slot_key, sizeof c->slot_key);
}

int sq_slots_begin(store_conn *c)
{
    if (c->readonly || (c->index_version >= 0 && box_version(c) == c->index_version))
        return STORE_OK;
    return index_rebuild(c);
}

void sq_slots_job(store_conn *c)
{
    c->pend_has_cred = 0;
    c->npend_alpha = 0;
}

void sq_slots_rolled_back(store_conn *c)
{
    sq_slots_job(c);
    if (!c->readonly) {
        c->local_gen++;
        c->index_version = -1;          /* the indexes went back with the box */
    }
}

/* ---- the store's operations ---- */

int sq_box_reserve(store_conn *c, const char *scrutin, size_t payload)
{
    int64_t used;
    region r;
    int rc;

    if (c->readonly)
        return STORE_EIO;
    if ((rc = used_slots(c, scrutin, &used)) != STORE_OK)
        return rc;
    return region_for(c, scrutin, SLOT_HEAD + 8 + payload, used - 1, &r);
}

int sq_credential_use(store_conn *c, const char *scrutin, const uint8_t pub[32])
{
    int rc = temp_insert(c, "INSERT INTO temp.bx_cred(pub, scrutin) VALUES (?, ?)", pub,
                         scrutin);

    if (rc == STORE_OK) {
        memcpy(c->pend_cred, pub, 32);
        c->pend_has_cred = 1;
    }
    return rc;
}

int sq_alpha_add(store_conn *c, const uint8_t hash[STORE_HASH_BYTES])
{
    int rc = temp_insert(c, "INSERT INTO temp.bx_alpha(hash) VALUES (?)", hash, NULL);

    if (rc == STORE_OK && c->npend_alpha == c->cap_alpha) {
        size_t cap = c->cap_alpha ? 2 * c->cap_alpha : 16;
        uint8_t *more = realloc(c->pend_alpha, 32 * cap);

        if (more == NULL)
            return STORE_ENOMEM;
        c->pend_alpha = more;
        c->cap_alpha = cap;
    }
    if (rc == STORE_OK)
        memcpy(c->pend_alpha + 32 * c->npend_alpha++, hash, 32);
    return rc;
}

int sq_ballot_add(store_conn *c, const uint8_t tracker[STORE_HASH_BYTES], const char *scrutin,
                  const char *body, const uint8_t *wire, size_t wirelen)
{
    size_t bodylen = strlen(body), na = c->npend_alpha, need, at;
    int64_t used;
    uint8_t *buf;
    region r;
    int rc;

    if (na > 0xffff || bodylen > 0x7fffffff || wirelen > 0x7fffffff)
        return STORE_EIO;
    need = slot_need(na, bodylen, wire != NULL ? wirelen : 0);
    if ((rc = temp_insert(c, "INSERT INTO temp.bx_tracker(tracker, scrutin) VALUES (?, ?)",
                          tracker, scrutin)) != STORE_OK ||
        (rc = used_add(c, scrutin, &used)) != STORE_OK ||
        (rc = region_for(c, scrutin, need, used, &r)) != STORE_OK)
        return rc;
    if ((buf = calloc(1, (size_t)r.slot_bytes)) == NULL)
        return STORE_ENOMEM;
    buf[0] = 1;
    memcpy(buf + 1, tracker, 32);
    if (c->pend_has_cred) {
        buf[33] = 1;
        memcpy(buf + 34, c->pend_cred, 32);
    }
    buf[66] = (uint8_t)na;
    buf[67] = (uint8_t)(na >> 8);
    if (na > 0)
        memcpy(buf + SLOT_HEAD, c->pend_alpha, 32 * na);
    at = SLOT_HEAD + 32 * na;
    put32(buf + at, (uint32_t)bodylen);
    memcpy(buf + at + 4, body, bodylen);
    at += 4 + bodylen;
    put32(buf + at, wire != NULL ? (uint32_t)wirelen : 0);
    if (wire != NULL && wirelen > 0)
        memcpy(buf + at + 4, wire, wirelen);
    sq_slots_job(c);
    c->local_gen++;
    rc = slot_place(c, &r, buf);
    sodium_memzero(buf, (size_t)r.slot_bytes);
    free(buf);
    return rc;
}

/* Read slot i of r whole into a new buffer and parse it. */
static int slot_load(store_conn *c, const region *r, int64_t i, uint8_t **buf, slot_view *v)
{
    slot_io io = { c, NULL, 0 };
    int rc;

    if ((*buf = malloc((size_t)r->slot_bytes)) == NULL)
        return STORE_ENOMEM;
    rc = slot_read(&io, r, i, *buf, r->slot_bytes);
    slot_io_done(&io);
    if (rc == STORE_OK && slot_parse(*buf, (size_t)r->slot_bytes, v) != 0)
        rc = STORE_EIO;
    if (rc != STORE_OK) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

typedef struct {
    const uint8_t *tracker;
    char *scrutin;
    char **body;
    int found;
} get_ctx;

static int get_in_region(store_conn *c, const region *r, void *arg)
{
    get_ctx *g = arg;
    int64_t i;
    uint8_t *buf;
    slot_view v;
    int rc = slot_find(c, r, g->tracker, &i);

    if (rc != STORE_OK || i < 0)
        return rc;
    if ((rc = slot_load(c, r, i, &buf, &v)) != STORE_OK)
        return rc;
    snprintf(g->scrutin, STORE_SCRUTIN_CHARS + 1, "%s", r->scrutin);
    *g->body = strndup(v.body, v.bodylen);
    free(buf);
    g->found = 1;
    return *g->body == NULL ? STORE_ENOMEM : 1;
}

int sq_ballot_get(store_conn *c, const uint8_t tracker[STORE_HASH_BYTES],
                  char scrutin[STORE_SCRUTIN_CHARS + 1], char **body)
{
    get_ctx g = { tracker, scrutin, body, 0 };
    int rc = regions_each(c, get_in_region, &g);

    if (g.found && rc == 1)
        return STORE_OK;
    return rc != STORE_OK ? rc : STORE_ENOTFOUND;
}

static int cmp_item(const void *a, const void *b)
{
    return memcmp(((const order_item *)a)->tracker, ((const order_item *)b)->tracker, 32);
}

/* The scrutin's ballots by tracker, read again only if the box changed. */
static int order_get(store_conn *c, const region *r, sq_order **out)
{
    int64_t version = box_version(c);
    sq_order *o;
    slot_io io = { c, NULL, 0 };
    uint8_t head[33];
    int rc = STORE_OK;

    for (o = c->orders; o != NULL; o = o->next)
        if (strcmp(o->scrutin, r->scrutin) == 0)
            break;
    if (o != NULL && o->version == version && o->gen == c->local_gen && version >= 0) {
        *out = o;
        return STORE_OK;
    }
    if (o == NULL) {
        if ((o = calloc(1, sizeof *o)) == NULL)
            return STORE_ENOMEM;
        snprintf(o->scrutin, sizeof o->scrutin, "%s", r->scrutin);
        o->next = c->orders;
        c->orders = o;
    }
    free(o->items);
    o->n = 0;
    o->version = -1;
    if ((o->items = malloc((size_t)r->nslots * sizeof *o->items)) == NULL)
        return STORE_ENOMEM;
    for (int64_t i = 0; rc == STORE_OK && i < r->nslots; i++)
        if ((rc = slot_read(&io, r, i, head, sizeof head)) == STORE_OK && head[0] == 1) {
            memcpy(o->items[o->n].tracker, head + 1, 32);
            o->items[o->n++].slot = i;
        }
    slot_io_done(&io);
    if (rc != STORE_OK)
        return rc;
    if (o->n > 1)                       /* items may be NULL when there are none */
        qsort(o->items, o->n, sizeof *o->items, cmp_item);
    o->version = version;
    o->gen = c->local_gen;
    *out = o;
    return STORE_OK;
}

/* Whom ballots_walk hands each ballot: its body (strings) or its compact
 * form, or its tracker alone (no slot read), and in which direction. */
typedef struct {
    store_ballot_fn body;
    store_wire_fn wire;
    void *arg;
    store_tracker_fn tracker;
    int descending;              /* before `from`, the nearest first */
} slot_reader;

static int slot_read_one(const slot_reader *to, const uint8_t *tracker, const slot_view *v)
{
    char *body;
    int rc;

    if (to->wire != NULL)
        return to->wire(tracker, v->wirelen ? v->wire : NULL, v->wirelen, to->arg);
    if ((body = strndup(v->body, v->bodylen)) == NULL)
        return STORE_ENOMEM;
    rc = to->body(tracker, body, to->arg);
    free(body);
    return rc;
}

/* Up to limit ballots of the scrutin after `from` (NULL: from the first), by
 * tracker, or with to->descending before it (NULL: from the last), each
 * handed to `to`. */
static int ballots_walk(store_conn *c, const char *scrutin, const uint8_t *from, int limit,
                        const slot_reader *to)
{
    region r;
    sq_order *o;
    size_t lo = 0, hi, count;
    int rc = region_get(c, scrutin, &r), stop = 0;

    if (rc == STORE_ENOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK || (rc = order_get(c, &r, &o)) != STORE_OK)
        return rc;
    /* lo: the first after `from`, or descending the first not before it */
    for (hi = o->n; from != NULL && lo < hi; ) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(o->items[mid].tracker, from, 32);

        if (cmp < 0 || (cmp == 0 && !to->descending))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (from == NULL && to->descending)
        lo = o->n;
    count = to->descending ? lo : o->n - lo;
    for (size_t n = 0; !stop && n < count && (int)n < limit; n++) {
        size_t k = to->descending ? lo - 1 - n : lo + n;
        uint8_t *buf, tracker[32];
        slot_view v;

        memcpy(tracker, o->items[k].tracker, 32);
        if (to->tracker != NULL) {
            stop = to->tracker(tracker, to->arg);
            continue;
        }
        if ((rc = slot_load(c, &r, o->items[k].slot, &buf, &v)) != STORE_OK)
            return rc;
        stop = slot_read_one(to, tracker, &v);
        free(buf);
    }
    return stop;
}

int sq_ballots_page(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_ballot_fn fn, void *arg)
{
    return ballots_walk(c, scrutin, after, limit, &(slot_reader){ fn, NULL, arg, NULL, 0 });
}

int sq_ballots_wire(store_conn *c, const char *scrutin, const uint8_t *after, int limit,
                    store_wire_fn fn, void *arg)
{
    return ballots_walk(c, scrutin, after, limit, &(slot_reader){ NULL, fn, arg, NULL, 0 });
}

int sq_trackers_page(store_conn *c, const char *scrutin, const uint8_t *from, int descending,
                     int limit, store_tracker_fn fn, void *arg)
{
    return ballots_walk(c, scrutin, from, limit,
                        &(slot_reader){ NULL, NULL, arg, fn, descending });
}

static int count_region(store_conn *c, const region *r, void *arg)
{
    sq_order *o;
    int rc = order_get(c, r, &o);

    if (rc == STORE_OK)
        *(uint64_t *)arg += o->n;
    return rc;
}

int sq_ballot_count(store_conn *c, uint64_t *n)
{
    *n = 0;
    return regions_each(c, count_region, n);
}

/* A test run's ballots and box states go; the credentials and ciphertexts it
 * used stay used (kept, sorted, in the tables of the box before the slots). */
int sq_box_wipe(store_conn *c)
{
    int rc = sq_exec(c, "INSERT OR IGNORE INTO box.used_credential(scrutin, pub)"
                        " SELECT scrutin, pub FROM temp.bx_cred ORDER BY scrutin, pub;"
                        "INSERT OR IGNORE INTO box.alpha(hash)"
                        " SELECT hash FROM temp.bx_alpha ORDER BY hash;"
                        "DELETE FROM box.slot; DELETE FROM box.region; DELETE FROM box.ballot;"
                        "DELETE FROM box.state;"
                        "DELETE FROM temp.bx_tracker; DELETE FROM temp.bx_used;");

    c->local_gen++;
    return rc;
}
