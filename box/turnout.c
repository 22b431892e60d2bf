/* turnout.c - the officers' view of the signature list: who voted, counted per
 * scrutin and establishment; never how. */
#include "box.h"

#include <string.h>

typedef struct {
    json_t *scrutins, *current;
} turnout_job;

static int add_row(const char *scrutin, const char *establishment, uint64_t signed_,
                   uint64_t registered, void *arg)
{
    turnout_job *j = arg;
    json_t *c = j->current;

    if (c == NULL || strcmp(json_string_value(json_object_get(c, "id")), scrutin) != 0) {
        c = json_pack("{s:s,s:I,s:I,s:[]}", "id", scrutin, "signed", (json_int_t)0,
                      "registered", (json_int_t)0, "establishments");
        if (c == NULL || json_array_append_new(j->scrutins, c) != 0)
            return STORE_ENOMEM;
        j->current = c;
    }
    json_object_set_new(c, "signed", json_integer(json_integer_value(json_object_get(c, "signed")) +
                                                  (json_int_t)signed_));
    json_object_set_new(c, "registered",
                        json_integer(json_integer_value(json_object_get(c, "registered")) +
                                     (json_int_t)registered));
    return json_array_append_new(json_object_get(c, "establishments"),
                                 json_pack("{s:s,s:I,s:I}", "establishment", establishment,
                                           "signed", (json_int_t)signed_, "registered",
                                           (json_int_t)registered)) == 0 ? 0 : STORE_ENOMEM;
}

static int run_turnout(store_tx *tx, void *arg)
{
    return store_turnout_each(tx, add_row, arg);
}

int box_turnout(store *s, json_t **out)
{
    turnout_job j = { json_array(), NULL };
    int rc = j.scrutins != NULL ? store_read(s, run_turnout, &j) : STORE_ENOMEM;

    if (rc != STORE_OK) {
        json_decref(j.scrutins);
        return rc;
    }
    *out = json_pack("{s:o}", "scrutins", j.scrutins);
    return *out != NULL ? STORE_OK : STORE_ENOMEM;
}
