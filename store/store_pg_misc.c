/* store_pg_misc.c - the mail outbox, the public documents, staff accounts and
 * the support cell's voter search (PostgreSQL). */
#include "store_pg.h"

#include <stdlib.h>
#include <string.h>

int pgs_outbox_insert(store_conn *c, const char *recipient, const uint8_t *message, size_t len,
                     int64_t now)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, recipient);
    pgs_blob(&a, message, len);
    pgs_int(&a, now);
    return pgs_command(c, "INSERT INTO outbox(recipient, message, next_attempt)"
                         " VALUES ($1, $2, $3)", &a, NULL);
}

static int mail_row(const PGresult *r, int i, void *fn, void *arg)
{
    store_mail m = { pgs_i64(r, i, 0), pgs_str(r, i, 1), (const uint8_t *)PQgetvalue(r, i, 2),
                     (size_t)PQgetlength(r, i, 2), (int)pgs_i64(r, i, 3) };

    return ((store_mail_fn)fn)(&m, arg);
}

/* Rows another node's sender holds are skipped, not waited for. */
int pgs_outbox_claim(store_conn *c, int64_t now, int64_t lease, int limit, store_mail_fn fn,
                    void *arg)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, now);
    pgs_int(&a, limit);
    pgs_int(&a, now + lease);
    return pgs_each(c, "UPDATE outbox SET next_attempt = $3 WHERE id IN"
                      " (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt <= $1"
                      " ORDER BY next_attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
                      " RETURNING id, recipient, message, attempts", &a, mail_row, (void *)fn,
                   arg);
}

int pgs_outbox_sent(store_conn *c, int64_t id)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, id);
    return pgs_command(c, "UPDATE outbox SET state = 'sent', recipient = '', message = NULL,"
                         " next_attempt = 0, attempts = attempts + 1, last_error = NULL"
                         " WHERE id = $1", &a, NULL);
}

int pgs_outbox_retry(store_conn *c, int64_t id, int64_t next, const char *error, int permanent)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, next);
    pgs_text(&a, error);
    pgs_text(&a, permanent ? "failed" : "queued");
    pgs_int(&a, id);
    return pgs_command(c, "UPDATE outbox SET attempts = attempts + 1, last_error = $2, state = $3,"
                         " next_attempt = CASE WHEN $3 = 'failed' THEN 0 ELSE $1 END,"
                         " recipient = CASE WHEN $3 = 'failed' THEN '' ELSE recipient END,"
                         " message = CASE WHEN $3 = 'failed' THEN NULL ELSE message END"
                         " WHERE id = $4", &a, NULL);
}

int pgs_outbox_count(store_conn *c, const char *state, uint64_t *n)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, state);
    return pgs_count(c, "SELECT count(*) FROM outbox WHERE state = $1", &a, n);
}

int pgs_document_put(store_conn *c, const char *kind, int64_t holder, const char *body)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, kind);
    pgs_int(&a, holder);
    pgs_text(&a, body);
    return pgs_insert(c, "INSERT INTO document(kind, holder, body) VALUES ($1, $2, $3)"
                        " ON CONFLICT DO NOTHING", &a);
}

int pgs_document_get(store_conn *c, const char *kind, int64_t holder, char **body)
{
    pgs_args a = { .n = 0 };
    PGresult *r;
    int rc;

    *body = NULL;
    pgs_text(&a, kind);
    pgs_int(&a, holder);
    rc = pgs_query_one(c, "SELECT body FROM document WHERE kind = $1 AND holder = $2", &a, &r);
    if (rc != STORE_OK)
        return rc;
    *body = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *body != NULL ? STORE_OK : STORE_ENOMEM;
}

typedef struct {
    const char *kind;
    store_document_fn fn;
} doc_each;

static int document_row(const PGresult *r, int i, void *fn, void *arg)
{
    const doc_each *d = fn;

    return d->fn(d->kind, pgs_i64(r, i, 0), pgs_str(r, i, 1), arg);
}

int pgs_documents_each(store_conn *c, const char *kind, store_document_fn fn, void *arg)
{
    pgs_args a = { .n = 0 };
    doc_each d = { kind, fn };

    pgs_text(&a, kind);
    return pgs_each(c, "SELECT holder, body FROM document WHERE kind = $1 ORDER BY holder", &a,
                   document_row, &d, arg);
}

int pgs_documents_clear(store_conn *c, const char *kind)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, kind);
    return pgs_command(c, "DELETE FROM document WHERE kind = $1", &a, NULL);
}

int pgs_document_delete(store_conn *c, const char *kind, int64_t holder)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, kind);
    pgs_int(&a, holder);
    return pgs_command(c, "DELETE FROM document WHERE kind = $1 AND holder = $2", &a, NULL);
}

#define STAFF_COLUMNS \
    "login, role, password_hash, totp_sealed, totp_last, session_created, session_seen"

static int staff_row(store_conn *c, const char *sql, const pgs_args *a, store_staff *s)
{
    PGresult *r;
    int rc = pgs_query_one(c, sql, a, &r);

    memset(s, 0, sizeof *s);
    if (rc != STORE_OK)
        return rc;
    rc = PQgetlength(r, 0, 3) != STORE_TOTP_SEALED_BYTES ? STORE_EIO : STORE_OK;
    if (rc == STORE_OK) {
        pgs_copy_text(s->login, sizeof s->login, r, 0, 0);
        pgs_copy_text(s->role, sizeof s->role, r, 0, 1);
        pgs_copy_text(s->password_hash, sizeof s->password_hash, r, 0, 2);
        pgs_copy_blob(s->totp_sealed, sizeof s->totp_sealed, r, 0, 3);
        s->totp_last = (uint64_t)pgs_i64(r, 0, 4);
        s->session_created = pgs_i64(r, 0, 5);
        s->session_seen = pgs_i64(r, 0, 6);
    }
    PQclear(r);
    return rc;
}

int pgs_staff_add(store_conn *c, const store_staff *s)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, s->login);
    pgs_text(&a, s->role);
    pgs_text(&a, s->password_hash);
    pgs_blob(&a, s->totp_sealed, STORE_TOTP_SEALED_BYTES);
    return pgs_insert(c, "INSERT INTO staff(login, role, password_hash, totp_sealed)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", &a);
}

int pgs_staff_get(store_conn *c, const char *login, store_staff *s)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, login);
    return staff_row(c, "SELECT " STAFF_COLUMNS " FROM staff WHERE login = $1", &a, s);
}

int pgs_staff_by_session(store_conn *c, const uint8_t *hash, store_staff *s)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    return staff_row(c, "SELECT " STAFF_COLUMNS " FROM staff WHERE session_hash = $1", &a, s);
}

int pgs_staff_totp_use(store_conn *c, const char *login, uint64_t step)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, (int64_t)step);
    pgs_text(&a, login);
    return pgs_one_row(c, "UPDATE staff SET totp_last = $1 WHERE login = $2 AND totp_last < $1",
                      &a, STORE_ECONFLICT);
}

int pgs_staff_password_set(store_conn *c, const char *login, const char *password_hash)
{
    pgs_args a = { .n = 0 };

    pgs_text(&a, password_hash);
    pgs_text(&a, login);
    return pgs_one_row(c, "UPDATE staff SET password_hash = $1 WHERE login = $2", &a,
                      STORE_ENOTFOUND);
}

int pgs_staff_session_set(store_conn *c, const char *login, const uint8_t *hash, int64_t now)
{
    pgs_args a = { .n = 0 };

    pgs_blob(&a, hash, STORE_HASH_BYTES);
    pgs_int(&a, now);
    pgs_text(&a, login);
    return pgs_one_row(c, "UPDATE staff SET session_hash = $1, session_created = $2,"
                         " session_seen = $2 WHERE login = $3", &a, STORE_ENOTFOUND);
}

int pgs_staff_session_touch(store_conn *c, const char *login, int64_t now)
{
    pgs_args a = { .n = 0 };

    pgs_int(&a, now);
    pgs_text(&a, login);
    return pgs_one_row(c, "UPDATE staff SET session_seen = $1 WHERE login = $2", &a,
                      STORE_ENOTFOUND);
}

static int login_row(const PGresult *r, int i, void *fn, void *arg)
{
    return ((store_text_fn)fn)(pgs_str(r, i, 0), arg);
}

int pgs_staff_each(store_conn *c, store_text_fn fn, void *arg)
{
    pgs_args a = { .n = 0 };

    return pgs_each(c, "SELECT login FROM staff ORDER BY login", &a, login_row, (void *)fn, arg);
}

int pgs_voter_search(store_conn *c, const char *query, int limit, store_card_fn fn, void *arg)
{
    char like[2 * STORE_QUERY_CHARS + 2];
    pgs_args a = { .n = 0 };

    if (store_like_prefix(like, query) != 0)
        return STORE_ENOTFOUND;
    pgs_text(&a, query);
    pgs_text(&a, like);
    pgs_int(&a, limit);
    return pgs_cards_run(c, "SELECT " PG_CARD_COLUMNS " FROM voter v"
                           " WHERE v.number = $1 OR lower(v.surname) LIKE lower($2)"
                           " OR v.id IN (SELECT voter_id FROM voter_email WHERE address = lower($1))"
                           " ORDER BY v.number = $1 DESC, lower(v.surname), v.number LIMIT $3",
                        &a, fn, arg);
}
