/* report.c - verdict lines, the hex fields every part reads, and the end of a run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "crypto/hex.h"
#include "verify.h"

void vv_report(vv *v, int ok, const char *fmt, ...)
{
    va_list ap;
    FILE *out = v->failures_to != NULL ? v->failures_to : stdout;

    if (!ok && v->failures++ == 0) {
        va_start(ap, fmt);
        vsnprintf(v->first_failure, sizeof v->first_failure, fmt, ap);
        va_end(ap);
    }
    if (v->quiet || (ok && v->failures_to != NULL))
        return;
    fprintf(out, "%s ", ok ? "ok  " : "FAIL");
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

int vv_hex(uint8_t *out, size_t len, json_t *obj, const char *key)
{
    json_t *s = json_object_get(obj, key);

    return json_is_string(s) && json_string_length(s) == 2 * len
               ? hex_decode(out, len, json_string_value(s))
               : -1;
}

void vv_free(vv *v)
{
    json_decref(v->definition);
    json_decref(v->credentials);
    json_decref(v->documents);
    json_decref(v->checkpoints);
    free(v->creds_used);
    free(v->alphas);
    if (v->have_pk)
        elgamal_pk_clear(&v->pk);
}
