/*
 * votetrustee - the tool each key holder of the bureau de vote runs on their
 * own machine. It reads the public files the officer relays (votectl ceremony
 * export, votectl seal-state), checks them, and writes signed messages for the
 * officer to post (votectl ceremony post). The holder's secrets stay in one
 * file sealed under their passphrase (crypto/vault.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>
#include "crypto/vault.h"
#include "trustee/trustee.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_INPUT 3
#define EXIT_SYSTEM 4
#define PASS_MAX 512

static const char *pass_file;
static const vault_params *kdf = &vault_default;
static const vault_params kdf_interactive = {
    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE
};

static int fail(int code, const char *fmt, const char *arg)
{
    fprintf(stderr, "votetrustee: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return code;
}

/* The passphrase: first line of --passphrase-file, else typed on the terminal. */
static int passphrase(char out[PASS_MAX], const char *prompt)
{
    struct termios old, quiet;
    FILE *f = pass_file != NULL ? fopen(pass_file, "r") : fopen("/dev/tty", "r+");
    int tty = pass_file == NULL, ok;

    if (f == NULL)
        return -1;
    if (tty) {
        fprintf(f, "%s", prompt);
        fflush(f);
        tcgetattr(fileno(f), &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(f), TCSAFLUSH, &quiet);
    }
    ok = fgets(out, PASS_MAX, f) != NULL;
    if (tty) {
        tcsetattr(fileno(f), TCSAFLUSH, &old);
        fputc('\n', f);
    }
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    if (!ok || strlen(out) < 12) {
        sodium_memzero(out, PASS_MAX);
        fprintf(stderr, "votetrustee: the passphrase must have at least 12 characters\n");
        return -1;
    }
    return 0;
}

static json_t *load(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

    if (j == NULL)
        fprintf(stderr, "votetrustee: %s: not JSON (line %d: %s)\n", path, je.line, je.text);
    return j;
}

static int write_message(json_t *msg, const char *path)
{
    if (json_dump_file(msg, path, JSON_INDENT(1) | JSON_SORT_KEYS) != 0)
        return fail(EXIT_SYSTEM, "could not write %s", path);
    printf("message written to %s: give it to the officer (votectl ceremony post)\n", path);
    return 0;
}

/* Seal ts under the passphrase into path, atomically; never over another file
 * unless replace. */
static int key_save(const trustee_secret *ts, const char *path, int replace)
{
    char plain[TRUSTEE_SECRET_MAX], pass[PASS_MAX], tmp[4096];
    uint8_t *sealed;
    int n = trustee_secret_encode(plain, ts), fd, rc = -1;

    if (n < 0 || passphrase(pass, "Passphrase of the key file: ") != 0) {
        sodium_memzero(plain, sizeof plain);
        return -1;
    }
    sealed = malloc((size_t)n + VAULT_OVERHEAD);
    if (sealed != NULL && vault_seal(sealed, (uint8_t *)plain, (size_t)n, pass, kdf) == 0) {
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 && write(fd, sealed, (size_t)n + VAULT_OVERHEAD) ==
                           (ssize_t)((size_t)n + VAULT_OVERHEAD) && fsync(fd) == 0) {
            rc = replace ? rename(tmp, path) : link(tmp, path);
            if (!replace)
                unlink(tmp);
        } else {
            unlink(tmp);
        }
        if (fd >= 0)
            close(fd);
    }
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(pass, sizeof pass);
    free(sealed);
    if (rc != 0)
        fprintf(stderr, "votetrustee: could not write the key file %s%s\n", path,
                errno == EEXIST ? " (it exists: a key file is never overwritten)" : "");
    return rc;
}

static int key_load(trustee_secret *ts, const char *path)
{
    uint8_t buf[TRUSTEE_SECRET_MAX + VAULT_OVERHEAD], plain[TRUSTEE_SECRET_MAX];
    char pass[PASS_MAX];
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(buf, 1, sizeof buf, f) : 0;
    int rc = -1;

    if (f == NULL)
        return fail(-1, "cannot read the key file %s", path);
    fclose(f);
    if (n <= VAULT_OVERHEAD || n >= sizeof buf)
        return fail(-1, "%s is not a key file", path);
    if (passphrase(pass, "Passphrase of the key file: ") != 0)
        return -1;
    if (vault_open(plain, buf, n, pass) != 0)
        fprintf(stderr, "votetrustee: wrong passphrase, or %s was altered\n", path);
    else if (trustee_secret_decode(ts, (char *)plain, n - VAULT_OVERHEAD) != 0)
        fprintf(stderr, "votetrustee: %s holds no key holder's material\n", path);
    else
        rc = 0;
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(pass, sizeof pass);
    return rc;
}

static int cmd_keygen(char **a)
{
    trustee_secret ts;
    json_t *c = load(a[0]), *msg = NULL;
    char err[TRUSTEE_ERR_CHARS], *end;
    unsigned long long holder = strtoull(a[1], &end, 10);
    int rc = EXIT_INPUT;

    if (c == NULL)
        return EXIT_INPUT;
    if (*end != '\0' || end == a[1])
        fprintf(stderr, "votetrustee: the holder is a number (0: the president)\n");
    else if (trustee_keygen(&ts, &msg, c, holder, err, sizeof err) != 0)
        fprintf(stderr, "votetrustee keygen: refused: %s\n", err);
    else
        rc = key_save(&ts, a[2], 0) != 0 ? EXIT_SYSTEM : write_message(msg, a[3]);
    trustee_secret_wipe(&ts);
    json_decref(msg);
    json_decref(c);
    return rc;
}

typedef int (*step_fn)(json_t **msg, trustee_secret *ts, json_t *c, json_t *extra, char *err,
                       size_t errlen);

static int step_shares(json_t **m, trustee_secret *ts, json_t *c, json_t *x, char *e, size_t n)
{
    (void)x;
    return trustee_shares(m, ts, c, e, n);
}

static int step_verdict(json_t **m, trustee_secret *ts, json_t *c, json_t *x, char *e, size_t n)
{
    (void)x;
    return trustee_verdict(m, ts, c, e, n);
}

static int step_decrypt(json_t **m, trustee_secret *ts, json_t *c, json_t *x, char *e,
                        size_t n)
{
    (void)x;
    return trustee_decrypt(m, ts, c, e, n);
}

static int step_seal(json_t **m, trustee_secret *ts, json_t *c, json_t *x, char *e, size_t n)
{
    return trustee_seal(m, ts, c, x, e, n);
}

/* Load the ceremony (and an extra input), the key file; run; write the
 * message; save the key file again if the step changed it. */
static int run_step(const char *name, step_fn fn, const char *ceremony, const char *extra,
                    const char *keyfile, const char *out)
{
    trustee_secret ts;
    json_t *c = load(ceremony), *x = extra != NULL ? load(extra) : NULL, *msg = NULL;
    char err[TRUSTEE_ERR_CHARS];
    int rc = EXIT_INPUT, had_share;

    memset(&ts, 0, sizeof ts);
    if (c == NULL || (extra != NULL && x == NULL)) {
        rc = EXIT_INPUT;
    } else if (key_load(&ts, keyfile) != 0) {
        rc = EXIT_REFUSED;
    } else if (had_share = ts.has_share, fn(&msg, &ts, c, x, err, sizeof err) != 0) {
        fprintf(stderr, "votetrustee %s: refused: %s\n", name, err);
        rc = EXIT_REFUSED;
    } else if (ts.has_share && !had_share && key_save(&ts, keyfile, 1) != 0) {
        rc = EXIT_SYSTEM;
    } else {
        if (json_is_false(json_object_get(msg, "ok")))
            fprintf(stderr, "votetrustee: COMPLAINT: %s\n",
                    json_string_value(json_object_get(msg, "reason")));
        rc = write_message(msg, out);
    }
    trustee_secret_wipe(&ts);
    json_decref(msg);
    json_decref(c);
    json_decref(x);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: votetrustee [--passphrase-file FILE] [--kdf moderate|interactive] COMMAND\n\n"
            "  keygen CEREMONY.json HOLDER KEYFILE OUT.json   draw your keys (0: president)\n"
            "  shares CEREMONY.json KEYFILE OUT.json          delegates: seal your shares\n"
            "  verdict CEREMONY.json KEYFILE OUT.json         check everything, keep your share\n"
            "  seal CEREMONY.json STATE.json KEYFILE OUT.json seal the state before open/close\n"
            "  decrypt CEREMONY.json KEYFILE OUT.json         after the count: your partial\n"
            "                                                 decryption of the sums\n\n"
            "CEREMONY.json comes from votectl ceremony export, STATE.json from votectl\n"
            "seal-state; OUT.json goes back through votectl ceremony post. The key file is\n"
            "sealed under your passphrase (Argon2id, %s by default).\n"
            "Exit codes: 0 done, 1 refused, 2 usage, 3 invalid input, 4 system failure.\n",
            "256 MiB");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "passphrase-file", required_argument, NULL, 'p' },
        { "kdf", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *cmd;
    char **a;
    int ch, n;

    while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        if (ch == 'p') {
            pass_file = optarg;
        } else if (ch == 'k' && strcmp(optarg, "interactive") == 0) {
            kdf = &kdf_interactive;
        } else if (ch == 'k' && strcmp(optarg, "moderate") == 0) {
            kdf = &vault_default;
        } else {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : EXIT_USAGE;
        }
    }
    if (sodium_init() < 0)
        return EXIT_SYSTEM;
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cmd = argv[optind];
    a = argv + optind + 1;
    n = argc - optind - 1;
    if (strcmp(cmd, "keygen") == 0 && n == 4)
        return cmd_keygen(a);
    if (strcmp(cmd, "shares") == 0 && n == 3)
        return run_step(cmd, step_shares, a[0], NULL, a[1], a[2]);
    if (strcmp(cmd, "verdict") == 0 && n == 3)
        return run_step(cmd, step_verdict, a[0], NULL, a[1], a[2]);
    if (strcmp(cmd, "decrypt") == 0 && n == 3)
        return run_step(cmd, step_decrypt, a[0], NULL, a[1], a[2]);
    if (strcmp(cmd, "seal") == 0 && n == 4)
        return run_step(cmd, step_seal, a[0], a[1], a[2], a[3]);
    usage(stderr);
    return EXIT_USAGE;
}
