/* votectl.h - shared by the files of the officer CLI. */
#ifndef VOTESRV_VOTECTL_H
#define VOTESRV_VOTECTL_H

#include "election/election.h"
#include "votesrv/server.h"

/* Exit codes scripts can rely on. */
#define EXIT_REFUSED 1   /* a rule of the election refused the operation */
#define EXIT_USAGE 2     /* bad command line */
#define EXIT_INPUT 3     /* an input file is invalid */
#define EXIT_STORE 4     /* storage or system failure */

typedef struct {
    const char *config_path;
    server srv;
    store *store;             /* srv.store */
    election_ctx ctx;
} votectl;

/* Load config and keys (creating keys if create_keys), open the store. */
int votectl_open(votectl *v, int create_keys);
void votectl_close(votectl *v);
/* Map an election/store result to an exit code, printing the message. */
int votectl_result(votectl *v, int rc, const char *done);
int votectl_import(votectl *v, const char *csv, int dry_run);
/* Parse "--reason R", "--notice N", "--dry-run", "--demo FILE"; positional args stay. */
typedef struct {
    const char *reason, *notice, *demo, *json, *hr;
    int dry_run, as_json;
    char **pos;
    int npos;
} opts;
int votectl_parse_opts(int argc, char **argv, opts *o, const char *allowed);
/* Options (allowed letters), npos positional arguments (-1: any), then the
 * store: 0, or the exit code to return. */
int votectl_prepare(votectl *v, int argc, char **argv, opts *o, const char *allowed, int npos,
                    const char *what);
/* Print what is wrong and the command's usage; EXIT_USAGE. */
int votectl_usage_error(const char *fmt, const char *arg);

int cmd_demo(votectl *v, int argc, char **argv);
int cmd_ceremony(votectl *v, int argc, char **argv);
int cmd_seal_state(votectl *v, int argc, char **argv);
int cmd_version(votectl *v, int argc, char **argv);
int cmd_tally(votectl *v, int argc, char **argv);
int cmd_results(votectl *v, int argc, char **argv);
int cmd_publish(votectl *v, int argc, char **argv);
int cmd_staff_add(votectl *v, int argc, char **argv);
int cmd_staff_unlock(votectl *v, int argc, char **argv);
int cmd_staff_password(votectl *v, int argc, char **argv);
/* votectl_backup.c: backup DIR, restore DIR [--replace] */
int cmd_backup(votectl *v, int argc, char **argv);
int cmd_restore(votectl *v, int argc, char **argv);
/* Demo-only key and vote codes, written to path (which must not exist). */
int votectl_demo_key(votectl *v, const char *path);
int votectl_demo_codes(votectl *v, const char *path, const char *hr);
/* Demo console accounts (support, officer, auditor) with their passwords and
 * TOTP keys, written to path (which must not exist). */
int votectl_demo_staff(votectl *v, const char *path);

#endif
