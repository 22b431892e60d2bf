/* cast.c - casting a ballot. The expensive checks (proofs) run before the
 * write job; the job re-checks everything that depends on the store. */
#include "box.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "election/election.h"
#include "signer/signer.h"

/* A parsed election definition (~50 KB) and its text, shared by reference
 * between the box and the casts using it: a cast neither copies nor clears
 * it. Nobody writes into it once parsed; the last reference frees it. */
struct box_def {
    def_election d;
    char *text;
    atomic_int refs;
};

static void def_put(struct box_def *x)
{
    if (x != NULL && atomic_fetch_sub(&x->refs, 1) == 1) {
        def_free(&x->d);
        free(x->text);
        free(x);
    }
}

void box_init(box_ctx *b, store *s, access_ctx *a, const mail_ctx *m, struct signer *g)
{
    memset(b, 0, sizeof *b);
    b->store = s;
    b->access = a;
    b->mail = m;
    b->signer = g;
    b->archive_fd = -1;
    b->board_epoch = -1;
    pthread_mutex_init(&b->lock, NULL);
    pthread_mutex_init(&b->archive_lock, NULL);
    pthread_mutex_init(&b->board_lock, NULL);
}

void box_destroy(box_ctx *b)
{
    if (b->have_pk)
        elgamal_pk_clear(&b->pk);
    def_put(b->def);
    if (b->archive_fd >= 0)
        close(b->archive_fd);
    free(b->published);
    pthread_mutex_destroy(&b->lock);
    pthread_mutex_destroy(&b->archive_lock);
    pthread_mutex_destroy(&b->board_lock);
}

typedef struct {
    box_ctx *b;
    int64_t voter, now;
    const char *scrutin, *client;
    box_result *res;
    /* read */
    store_election e;
    struct box_def *def;              /* the parsed definition, shared (def_put) */
    const def_election *d;            /* &def->d */
    const def_scrutin *sc;
    store_access v;
    access_auth auth;                 /* the authenticator check's reads */
    /* write */
    ballot *ballot;
    const char *canonical;
    uint8_t tracker[BALLOT_TRACKER_BYTES];
    uint8_t alphas[BALLOT_MAX_LISTS][32];
    size_t room[DEF_MAX_SCRUTINS];    /* election_box_room of d, computed outside the writer */
    int have_room;
    box_receipt *receipt;
    int signed_rc;                    /* the signer's answer, SIGNER_EIO until it comes */
    int auth_checked;                 /* access_auth_check said yes */
    int same;                         /* sent again: the box holds this very ballot */
    box_cast_verdict window;          /* sent again: whether the box takes ballots now */
} cast_job;

static int refuse(cast_job *j, box_error code)
{
    j->res->code = code;
    return BOX_REFUSED;
}

box_cast_verdict box_cast_allowed(const box_cast_facts *f, int64_t now)
{
    if (!f->known)
        return BOX_CAST_UNKNOWN_SCRUTIN;
    if (!f->eligible)
        return BOX_CAST_NOT_ELIGIBLE;
    if (f->voted)
        return BOX_CAST_ALREADY_VOTED;
    if (strcmp(f->state, "draft") == 0 || strcmp(f->state, "keys-ready") == 0)
        return BOX_CAST_NOT_OPEN;
    if (strcmp(f->state, "open") != 0)
        return BOX_CAST_CLOSED;
    if (now < f->opens)
        return BOX_CAST_NOT_STARTED;
    if (now >= f->closes)
        return BOX_CAST_ENDED;
    return f->suspended ? BOX_CAST_SUSPENDED : BOX_CAST_ALLOWED;
}

/* The facts of box_cast_allowed, in a store job; v: the voter's record. */
static int read_facts(store_tx *tx, const store_election *e, const def_election *d,
                      int64_t voter, const char *scrutin, store_access *v, box_cast_facts *f)
{
    int rc;

    *f = (box_cast_facts){ .state = e->state, .suspended = e->suspended, .opens = d->opens,
                           .closes = d->closes, .known = def_scrutin_find(d, scrutin) != NULL };
    if ((rc = store_access_by_id(tx, voter, v)) != STORE_OK ||
        (rc = store_voter_eligible(tx, voter, scrutin, &f->eligible)) != STORE_OK ||
        (rc = store_signature_exists(tx, voter, scrutin, &f->voted)) != STORE_OK)
        return rc;
    f->eligible = f->eligible && !v->struck;
    return STORE_OK;
}

typedef struct {
    const def_election *d;
    int64_t voter, now;
    const char *scrutin;
    box_cast_verdict verdict;
} check_job;

static int run_check(store_tx *tx, void *arg)
{
    check_job *j = arg;
    store_election e;
    store_access v;
    box_cast_facts f;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    rc = read_facts(tx, &e, j->d, j->voter, j->scrutin, &v, &f);
    if (rc == STORE_OK)
        j->verdict = box_cast_allowed(&f, j->now);
    free(e.definition);
    return rc;
}

int box_cast_check(store *s, const struct def_election *d, int64_t voter,
                   const char *scrutin, int64_t now, box_cast_verdict *out)
{
    check_job j = { d, voter, now, scrutin, BOX_CAST_UNKNOWN_SCRUTIN };
    int rc = store_read(s, run_check, &j);

    if (rc == STORE_OK)
        *out = j.verdict;
    return rc;
}

box_error box_cast_error(box_cast_verdict verdict)
{
    static const box_error error[] = {
        [BOX_CAST_ALLOWED] = BOX_E_NONE,
        [BOX_CAST_UNKNOWN_SCRUTIN] = BOX_E_UNKNOWN_SCRUTIN,
        [BOX_CAST_NOT_ELIGIBLE] = BOX_E_NOT_ELIGIBLE,
        [BOX_CAST_ALREADY_VOTED] = BOX_E_ALREADY_VOTED,
        [BOX_CAST_NOT_OPEN] = BOX_E_NOT_OPEN,
        [BOX_CAST_CLOSED] = BOX_E_NOT_OPEN,
        [BOX_CAST_NOT_STARTED] = BOX_E_NOT_OPEN,
        [BOX_CAST_ENDED] = BOX_E_NOT_OPEN,
        [BOX_CAST_SUSPENDED] = BOX_E_SUSPENDED,
    };

    return verdict <= BOX_CAST_SUSPENDED ? error[verdict] : BOX_E_NOT_OPEN;
}

/* The conditions that depend on the store; read and re-checked in the write. */
static int check_state(store_tx *tx, cast_job *j)
{
    box_cast_facts f;
    box_cast_verdict verdict;
    int rc = read_facts(tx, &j->e, j->d, j->voter, j->scrutin, &j->v, &f);

    if (rc != STORE_OK)
        return rc;
    verdict = box_cast_allowed(&f, j->now);
    j->sc = def_scrutin_find(j->d, j->scrutin);
    return verdict == BOX_CAST_ALLOWED ? STORE_OK : refuse(j, box_cast_error(verdict));
}

static void release(cast_job *j)
{
    free(j->e.definition);
    j->e.definition = NULL;
    def_put(j->def);
    j->def = NULL;
    j->d = NULL;
}

/* The election definition text, parsed: the last one parsed is kept (its
 * text compared byte for byte) and shared by reference. NULL if it does not
 * parse (or no memory). */
static struct box_def *definition_parse(box_ctx *b, const char *text)
{
    char err[DEF_ERR_CHARS];
    struct box_def *x, *old;

    pthread_mutex_lock(&b->lock);
    if (b->def != NULL && strcmp(b->def->text, text) == 0) {
        x = b->def;
        atomic_fetch_add(&x->refs, 1);
        pthread_mutex_unlock(&b->lock);
        return x;
    }
    pthread_mutex_unlock(&b->lock);
    if ((x = malloc(sizeof *x)) == NULL)
        return NULL;
    if (def_parse(&x->d, text, strlen(text), err, sizeof err) != 0) {
        free(x);
        return NULL;
    }
    atomic_init(&x->refs, 1);
    if ((x->text = strdup(text)) == NULL)
        return x;                       /* parsed, not kept */
    atomic_fetch_add(&x->refs, 1);      /* the box's reference */
    pthread_mutex_lock(&b->lock);
    old = b->def;
    b->def = x;
    pthread_mutex_unlock(&b->lock);
    def_put(old);
    return x;
}

static int load_election(store_tx *tx, cast_job *j)
{
    int rc = store_election_get(tx, &j->e);

    if (rc != STORE_OK)
        return rc;
    if ((j->def = definition_parse(j->b, j->e.definition)) == NULL)
        return STORE_EIO;
    j->d = &j->def->d;
    return check_state(tx, j);
}

/* A cast's one read before its proofs: the election, the facts of
 * box_cast_allowed and, if they allow it, the authenticator check's reads
 * (access_auth_decide decides once the ballot is parsed). */
static int run_read(store_tx *tx, void *arg)
{
    cast_job *j = arg;
    int rc = load_election(tx, j);

    if (rc == STORE_OK)
        rc = access_auth_read(tx, j->b->access, j->voter, j->v.number, j->v.struck, j->scrutin,
                              j->client, j->now, &j->auth);
    return rc;
}

/* In the write: the election row again (state, suspension); the definition is
 * parsed again only if the fingerprint moved since the read. */
static int reload_election(store_tx *tx, cast_job *j)
{
    store_election e;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    if (memcmp(e.fingerprint, j->e.fingerprint, sizeof e.fingerprint) != 0) {
        free(e.definition);
        release(j);
        j->have_room = 0;
        return load_election(tx, j);
    }
    free(j->e.definition);
    j->e = e;
    return check_state(tx, j);
}

/* Insert everything of the cast; any conflict aborts the whole job. */
static int store_cast(store_tx *tx, cast_job *j)
{
    uint64_t count;
    int state, rc;

    if ((rc = election_box_reserve(tx, j->d, j->have_room ? j->room : NULL)) != STORE_OK ||
        (rc = store_credential_state(tx, j->scrutin, j->ballot->cred, &state)) != STORE_OK)
        return rc;
    if (state == STORE_CRED_REVOKED)
        return refuse(j, BOX_E_CREDENTIAL_REVOKED);
    if (state != STORE_CRED_ACTIVE)
        return refuse(j, BOX_E_CREDENTIAL);
    rc = store_credential_use(tx, j->scrutin, j->ballot->cred);
    if (rc == STORE_ECONFLICT)
        return refuse(j, BOX_E_CREDENTIAL_USED);
    for (size_t i = 0; rc == STORE_OK && i < j->ballot->k; i++)
        rc = store_alpha_add(tx, j->alphas[i]);
    if (rc == STORE_OK) {
        uint8_t wire[BALLOT_WIRE_MAX];
        int n = ballot_wire_encode(wire, sizeof wire, j->ballot);

        rc = n < 0 ? STORE_EIO
                   : store_ballot_add(tx, j->tracker, j->scrutin, j->canonical, wire, (size_t)n);
    }
    if (rc == STORE_ECONFLICT)
        return refuse(j, BOX_E_COPY);
    if (rc != STORE_OK || (rc = store_signature_add(tx, j->voter, j->scrutin)) != STORE_OK ||
        (rc = store_box_state_get(tx, j->scrutin, &count, j->receipt->digest)) != STORE_OK)
        return rc;
    if (box_digest_add(j->receipt->digest, j->tracker) != 0)
        return STORE_EIO;
    j->receipt->count = count + 1;
    return store_box_state_put(tx, j->scrutin, j->receipt->count, j->receipt->digest);
}

typedef struct {
    store_tx *tx;
    cast_job *j;
} ack_ctx;

static int mail_ack(const char *address, void *arg)
{
    ack_ctx *a = arg;
    const char *vars[] = { "election", a->j->d->name, "organiser", a->j->d->organiser,
                           "scrutin", a->j->sc->title, "tracker", a->j->receipt->tracker_text,
                           "link", mail_portal_url(a->j->b->mail), "support_email",
                           a->j->d->support_email, "support_phone",
                           a->j->d->support_phone ? a->j->d->support_phone : "", NULL, NULL };

    return mail_queue_tx(a->tx, a->j->b->mail, MAIL_RECEIPT, a->j->v.lang, address, vars,
                         a->j->now);
}

/* Once the cast has committed, in the writer's batch before the casting
 * thread is woken: the signer reads the ballot itself and signs. Here no
 * commit is under way, so the signer's read never waits on one (nor the next
 * commit on the signer's read). A refusal or a failure leaves signed_rc set;
 * the batch goes on (the job succeeds: the checkpoints beside it stay). */
static int sign_receipt(store_tx *tx, void *arg)
{
    cast_job *j = *(cast_job **)arg;
    box_receipt *r = j->receipt;

    memcpy(r->tracker, j->tracker, sizeof r->tracker);
    snprintf(r->scrutin, sizeof r->scrutin, "%s", j->scrutin);
    j->signed_rc = j->b->signer != NULL ? signer_receipt(j->b->signer, tx, r) : SIGNER_EIO;
    return STORE_OK;
}

static int run_write(store_tx *tx, void *arg)
{
    cast_job *j = arg;
    json_t *payload;
    int rc;

    if ((rc = reload_election(tx, j)) != STORE_OK || (rc = store_cast(tx, j)) != STORE_OK)
        return rc;
    payload = json_pack("{s:s,s:s}", "number", j->v.number, "scrutin", j->scrutin);
    rc = audit_append(tx, "voter", j->v.number, "ballot-cast", payload);
    json_decref(payload);
    if (rc == STORE_OK && j->b->mail != NULL) {
        ack_ctx a = { tx, j };

        rc = store_voter_emails(tx, j->voter, mail_ack, &a);
    }
    if (rc == STORE_OK)
        rc = store_after_commit(tx, sign_receipt, &j, sizeof j);
    return rc;
}

/* The election key with its tables, built once per key. */
static const elgamal_pk *election_key(box_ctx *b, const uint8_t pk[32])
{
    const elgamal_pk *out = NULL;

    pthread_mutex_lock(&b->lock);
    if (b->have_pk && memcmp(b->pk.bytes, pk, 32) != 0) {
        elgamal_pk_clear(&b->pk);
        b->have_pk = 0;
    }
    if (!b->have_pk)
        b->have_pk = elgamal_pk_load(&b->pk, pk) == 0;
    if (b->have_pk)
        out = &b->pk;
    pthread_mutex_unlock(&b->lock);
    return out;
}

/* Read the ballot (cheap: decoding only), so that its credential can be
 * checked against the voter's binding before any proof. The worker's word
 * is a field at fault at most: the fingerprint and the wire form are checked
 * here against the election's and this scrutin's own (box.h). */
static int parse_ballot(cast_job *j, const box_ballot_in *in)
{
    const elgamal_pk *pk = election_key(j->b, j->e.public_key);
    ballot_scrutin sc = { j->e.fingerprint, pk, j->scrutin, j->sc->nlists,
                          j->sc->blank_allowed ? 0 : 1, 1 };
    ballot_field field = BALLOT_FIELD_SCRUTIN;

    if (pk == NULL)
        return STORE_EIO;
    if (ballot_scrutin_check(&sc) == 0 &&
        (j->ballot = ballot_wire_take(in->field, in->fp, in->wire, in->len, &sc, &field)) != NULL)
        return STORE_OK;
    snprintf(j->res->field, sizeof j->res->field, "%s", ballot_field_name(field));
    return refuse(j, BOX_E_BALLOT);
}

/* Verify the parsed ballot; fill tracker, canonical form, alpha hashes. */
static int check_ballot(cast_job *j, char **canonical)
{
    const elgamal_pk *pk = election_key(j->b, j->e.public_key);
    ballot_scrutin sc = { j->e.fingerprint, pk, j->scrutin, j->sc->nlists,
                          j->sc->blank_allowed ? 0 : 1, 1 };

    if (pk == NULL)
        return STORE_EIO;
    if (ballot_verify(j->ballot, &sc) != 0)
        return refuse(j, BOX_E_INVALID);
    *canonical = ballot_canonical(j->ballot, j->e.fingerprint);
    if (*canonical == NULL)
        return STORE_ENOMEM;
    ballot_tracker(j->tracker, *canonical);
    for (size_t i = 0; i < j->ballot->k; i++)
        crypto_generichash(j->alphas[i], 32, j->ballot->ct[i], GROUP_POINT_BYTES, NULL, 0);
    return STORE_OK;
}

/* The same ballot sent again (box.h). Its voter has voted (the read or the
 * write said so); the ballot, parsed and put in canonical form (no proof: if
 * it is the stored one, it was verified when stored), must be byte for byte
 * the one the box holds under its tracker in this scrutin. */
static int run_again(store_tx *tx, void *arg)
{
    cast_job *j = arg;
    char scrutin[STORE_SCRUTIN_CHARS + 1], *body = NULL;
    store_election e;
    box_cast_facts f;
    int rc = store_election_get(tx, &e);

    if (rc != STORE_OK)
        return rc;
    /* the window as for a cast, in the same read as the box's state: no
     * receipt is signed while the box takes no ballot (suspended, closed) */
    f = (box_cast_facts){ .state = e.state, .suspended = e.suspended, .opens = j->d->opens,
                          .closes = j->d->closes, .known = 1, .eligible = 1 };
    j->window = box_cast_allowed(&f, j->now);
    free(e.definition);
    if (j->window != BOX_CAST_ALLOWED)
        return STORE_OK;
    rc = store_ballot_get(tx, j->tracker, scrutin, &body);
    if (rc == STORE_ENOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    j->same = strcmp(scrutin, j->scrutin) == 0 && strcmp(body, j->canonical) == 0;
    free(body);
    return j->same ? store_box_state_get(tx, j->scrutin, &j->receipt->count, j->receipt->digest)
                   : STORE_OK;
}

/* A refusal "already voted" for anything but the same ballot; for it, once
 * the authenticator binds this voter to its credential (the check of every
 * cast, counted as wrong codes), a receipt over the box's state now, signed
 * "already recorded". Nothing is written: no ballot, no audit entry (it
 * would add a time to a voter who already has one, for nothing), no mail. */
static int cast_again(cast_job *j, const box_ballot_in *in, const uint8_t auth[32],
                      const char *client, char **canonical)
{
    box_receipt *r = j->receipt;
    int rc;

    if (j->ballot == NULL && (j->sc == NULL || parse_ballot(j, in) != STORE_OK))
        goto voted;
    if (*canonical == NULL &&
        (*canonical = ballot_canonical(j->ballot, j->e.fingerprint)) == NULL)
        return STORE_ENOMEM;
    ballot_tracker(j->tracker, *canonical);
    j->canonical = *canonical;
    j->same = 0;
    memset(r, 0, sizeof *r);
    if ((rc = store_read(j->b->store, run_again, j)) != STORE_OK)
        return rc;
    if (j->window != BOX_CAST_ALLOWED) {
        memset(j->res, 0, sizeof *j->res);
        return refuse(j, box_cast_error(j->window));
    }
    if (!j->same)
        goto voted;
    if (!j->auth_checked) {
        rc = access_auth_check(j->b->access, j->voter, j->scrutin, auth, j->ballot->cred,
                               client, j->now, &j->res->access);
        if (rc == ACCESS_REFUSED)
            return refuse(j, BOX_E_ACCESS);
        if (rc != ACCESS_OK)
            return rc;
    }
    memcpy(r->tracker, j->tracker, sizeof r->tracker);
    ballot_tracker_text(r->tracker_text, r->tracker);
    snprintf(r->scrutin, sizeof r->scrutin, "%s", j->scrutin);
    r->already_recorded = 1;
    if (j->b->signer == NULL || signer_receipt(j->b->signer, NULL, r) != SIGNER_OK)
        return STORE_EIO;               /* the signer logged why */
    memset(j->res, 0, sizeof *j->res);
    return STORE_OK;
voted:
    memset(j->res, 0, sizeof *j->res);
    return refuse(j, BOX_E_ALREADY_VOTED);
}

int box_cast(box_ctx *b, int64_t voter, const char *scrutin, const uint8_t auth[32],
             const box_ballot_in *in, const char *client, int64_t now, box_receipt *out,
             box_result *res)
{
    cast_job j = { .b = b, .voter = voter, .now = now, .scrutin = scrutin, .client = client,
                   .res = res, .receipt = out, .signed_rc = SIGNER_EIO };
    char *canonical = NULL;
    int rc, token = 0;

    memset(res, 0, sizeof *res);
    memset(out, 0, sizeof *out);
    rc = store_read(b->store, run_read, &j);
    if (rc == STORE_OK)
        rc = parse_ballot(&j, in);
    if (rc == STORE_OK) {
        rc = access_auth_decide(b->access, &j.auth, auth, j.ballot->cred, &res->access);
        if (rc == ACCESS_REFUSED)
            rc = refuse(&j, BOX_E_ACCESS);
        j.auth_checked = rc == ACCESS_OK;
    }
    if (rc == STORE_OK) {
        /* its write comes once the proofs are checked: the writer waits for
         * it a little before committing the casts already queued */
        token = store_write_expect(b->store);
        rc = check_ballot(&j, &canonical);
        if (rc != STORE_OK)
            store_write_unexpect(b->store, token);
    }
    if (rc == STORE_OK) {
        election_box_room(j.d, j.room);
        j.have_room = 1;
        j.canonical = canonical;
        ballot_tracker_text(out->tracker_text, j.tracker);
        rc = store_write_expected(b->store, token, run_write, &j);
    }
    if (rc == STORE_OK && j.signed_rc != SIGNER_OK)
        rc = STORE_EIO;                 /* committed, but no receipt: the signer logged why */
    if (rc == BOX_REFUSED && res->code == BOX_E_ALREADY_VOTED)
        rc = cast_again(&j, in, auth, client, &canonical);
    release(&j);
    ballot_free(j.ballot);
    free(canonical);
    return rc;
}
