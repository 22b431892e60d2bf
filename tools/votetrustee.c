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
#include <sys/stat.h>
#include <sodium.h>
#include <time.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include "crypto/vault.h"
#include "notices/backup.h"
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

/* The sealed bytes of a key file: their number, or 0 after saying why not. */
static size_t key_read(uint8_t buf[TRUSTEE_SECRET_MAX + VAULT_OVERHEAD], const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(buf, 1, TRUSTEE_SECRET_MAX + VAULT_OVERHEAD, f) : 0;

    if (f == NULL)
        return (size_t)fail(0, "cannot read the key file %s", path);
    fclose(f);
    if (n <= VAULT_OVERHEAD || n >= TRUSTEE_SECRET_MAX + VAULT_OVERHEAD)
        return (size_t)fail(0, "%s is not a key file", path);
    return n;
}

static int key_load(trustee_secret *ts, const char *path)
{
    uint8_t buf[TRUSTEE_SECRET_MAX + VAULT_OVERHEAD], plain[TRUSTEE_SECRET_MAX];
    char pass[PASS_MAX];
    size_t n = key_read(buf, path);
    int rc = -1;

    if (n == 0)
        return -1;
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

/* What a step reads beside the ceremony and the key file. */
typedef struct {
    json_t *state;                     /* seal: the state to seal */
    FILE *archive;                     /* seal (close), decrypt: the published archive */
    json_t *signatures;                /* seal (close): the signature list */
    json_t *record;                    /* the holder's record (KEYFILE.record), or NULL */
    int record_changed;
} step_in;

typedef int (*step_fn)(json_t **msg, trustee_secret *ts, json_t *c, step_in *in, char *err,
                       size_t errlen);

static int step_shares(json_t **m, trustee_secret *ts, json_t *c, step_in *in, char *e, size_t n)
{
    (void)in;
    return trustee_shares(m, ts, c, e, n);
}

static int step_verdict(json_t **m, trustee_secret *ts, json_t *c, step_in *in, char *e,
                        size_t n)
{
    (void)in;
    return trustee_verdict(m, ts, c, e, n);
}

/* The archive, verified with voteverify's checks (failures on stderr). */
static trustee_box *box_of(trustee_secret *ts, json_t *c, FILE *archive, char *e, size_t n)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    trustee_box *b = malloc(sizeof *b);
    trustee_view v;

    if (b == NULL) {
        snprintf(e, n, "out of memory");
    } else if (trustee_view_for(&v, ts, c, e, n) != 0 ||
               trustee_box_read(b, &v, archive, cores < 1 ? 1 : (int)cores, stderr, e, n) != 0) {
        free(b);
        b = NULL;
    }
    return b;
}

static int step_decrypt(json_t **m, trustee_secret *ts, json_t *c, step_in *in, char *e,
                        size_t n)
{
    trustee_box *b = box_of(ts, c, in->archive, e, n);
    int rc = b != NULL ? trustee_decrypt(m, in->record, ts, c, b, e, n) : -1;

    in->record_changed = rc == 0;
    free(b);
    return rc;
}

static int step_seal(json_t **m, trustee_secret *ts, json_t *c, step_in *in, char *e, size_t n)
{
    trustee_box *b = NULL;
    json_t *before = in->record;
    int rc;

    if (in->archive != NULL && (b = box_of(ts, c, in->archive, e, n)) == NULL)
        return -1;
    rc = trustee_seal(m, &in->record, ts, c, in->state, b, in->signatures, e, n);
    in->record_changed = in->record != before;
    free(b);
    return rc;
}

/* KEYFILE.record: what the holder sealed at closing and decrypted. */
static void record_path(char *out, size_t len, const char *keyfile)
{
    snprintf(out, len, "%s.record", keyfile);
}

static int record_load(json_t **r, const char *keyfile)
{
    char path[4096];

    *r = NULL;
    record_path(path, sizeof path, keyfile);
    if (access(path, F_OK) != 0)
        return errno == ENOENT ? 0 : fail(EXIT_SYSTEM, "cannot read %s", path);
    return (*r = load(path)) != NULL ? 0 : EXIT_INPUT;
}

/* Atomically, private. */
static int record_save(json_t *r, const char *keyfile)
{
    char path[4096], tmp[4200];
    int fd, rc = -1;

    record_path(path, sizeof path, keyfile);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 && json_dumpfd(r, fd, JSON_INDENT(1) | JSON_SORT_KEYS) == 0 && fsync(fd) == 0)
        rc = rename(tmp, path);
    if (fd >= 0)
        close(fd);
    if (rc != 0) {
        unlink(tmp);
        return fail(EXIT_SYSTEM, "could not write the record %s", path);
    }
    return 0;
}

/* Load the ceremony (and the step's other inputs), the key file; run; save
 * the key file again if the step changed it, and the record; write the
 * message. A refusal writes nothing. */
static int run_step(const char *name, step_fn fn, const char *ceremony, step_in *in,
                    const char *keyfile, const char *out)
{
    trustee_secret ts;
    json_t *c = load(ceremony), *msg = NULL;
    char err[TRUSTEE_ERR_CHARS] = "";
    int rc = EXIT_INPUT, had_share;

    memset(&ts, 0, sizeof ts);
    if (c == NULL || (rc = record_load(&in->record, keyfile)) != 0) {
        rc = rc != 0 ? rc : EXIT_INPUT;
    } else if (key_load(&ts, keyfile) != 0) {
        rc = EXIT_REFUSED;
    } else if (had_share = ts.has_share, fn(&msg, &ts, c, in, err, sizeof err) != 0) {
        fprintf(stderr, "votetrustee %s: refused: %s\n", name, err);
        rc = EXIT_REFUSED;
    } else if (ts.has_share && !had_share && key_save(&ts, keyfile, 1) != 0) {
        rc = EXIT_SYSTEM;
    } else if (in->record_changed && record_save(in->record, keyfile) != 0) {
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
    json_decref(in->record);
    return rc;
}

/* seal CEREMONY STATE KEYFILE OUT [ARCHIVE SIGNATURES] */
static int cmd_seal(char **a, int n)
{
    step_in in = { 0 };
    int rc = EXIT_INPUT;

    if ((in.state = load(a[1])) == NULL)
        return EXIT_INPUT;
    if (n == 6 && (in.archive = fopen(a[4], "r")) == NULL)
        fprintf(stderr, "votetrustee: cannot read the archive %s\n", a[4]);
    else if (n == 6 && (in.signatures = load(a[5])) == NULL)
        ;
    else
        rc = run_step("seal", step_seal, a[0], &in, a[2], a[3]);
    if (in.archive != NULL)
        fclose(in.archive);
    json_decref(in.signatures);
    json_decref(in.state);
    return rc;
}

/* decrypt CEREMONY ARCHIVE KEYFILE OUT */
static int cmd_decrypt(char **a)
{
    step_in in = { 0 };
    int rc;

    if ((in.archive = fopen(a[1], "r")) == NULL)
        return fail(EXIT_INPUT, "cannot read the archive %s", a[1]);
    rc = run_step("decrypt", step_decrypt, a[0], &in, a[2], a[3]);
    fclose(in.archive);
    return rc;
}

/* Print the key file (as sealed) on paper, once its passphrase is known to open it. */
static int cmd_backup(char **a)
{
    uint8_t buf[TRUSTEE_SECRET_MAX + VAULT_OVERHEAD];
    trustee_secret ts;
    char holder[64], when[32];
    time_t now = time(NULL);
    size_t n = key_read(buf, a[0]);
    int rc;

    if (n == 0 || key_load(&ts, a[0]) != 0)
        return EXIT_REFUSED;
    snprintf(holder, sizeof holder, "détenteur %llu (%s)", (unsigned long long)ts.holder,
             ts.holder == 0 ? "président(e)" : "délégué(e)");
    strftime(when, sizeof when, "%Y-%m-%d", gmtime(&now));
    {
        backup_info info = { ts.eid, holder, when };

        rc = backup_write(a[1], buf, n, &info);
    }
    cairo_debug_reset_static_data();     /* cairo's and fontconfig's caches, at the end */
    FcFini();
    trustee_secret_wipe(&ts);
    if (rc != 0)
        return fail(EXIT_SYSTEM, "could not write %s", a[1]);
    printf("paper backup written to %s: print it, keep it under seal, delete the PDF\n", a[1]);
    return 0;
}

/* The key file again from a backup's text (the QR code read, or typed). */
static int cmd_restore(char **a)
{
    uint8_t buf[BACKUP_MAX_BYTES];
    char text[4 * BACKUP_MAX_BYTES], tmp[4096];
    FILE *f = fopen(a[0], "r");
    size_t n = f != NULL ? fread(text, 1, sizeof text - 1, f) : 0;
    long len;
    int fd, rc = -1;

    if (f == NULL)
        return fail(EXIT_INPUT, "cannot read %s", a[0]);
    fclose(f);
    text[n] = '\0';
    if (strncmp(text, "QR-Code:", 8) == 0)          /* as zbarimg prints it */
        memmove(text, text + 8, n - 7);
    if ((len = backup_decode(buf, sizeof buf, text)) < 0)
        return fail(EXIT_INPUT, "%s is not the text of a key file backup", a[0]);
    snprintf(tmp, sizeof tmp, "%s.tmp", a[1]);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 && write(fd, buf, (size_t)len) == len && fsync(fd) == 0)
        rc = link(tmp, a[1]);
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    if (rc != 0)
        return fail(EXIT_SYSTEM, "could not write %s (a key file is never overwritten)", a[1]);
    printf("key file %s restored: it opens with its holder's passphrase\n", a[1]);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: votetrustee [--passphrase-file FILE] [--kdf moderate|interactive] COMMAND\n\n"
            "  keygen CEREMONY.json HOLDER KEYFILE OUT.json   draw your keys (0: president)\n"
            "  shares CEREMONY.json KEYFILE OUT.json          delegates: seal your shares\n"
            "  verdict CEREMONY.json KEYFILE OUT.json         check everything, keep your share\n"
            "  seal CEREMONY.json STATE.json KEYFILE OUT.json seal the state before opening\n"
            "  seal CEREMONY.json STATE.json KEYFILE OUT.json ARCHIVE.jsonl SIGNATURES.json\n"
            "                                                 before closing: the state is\n"
            "                                                 recomputed from the archive and\n"
            "                                                 the signature list, and recorded;\n"
            "                                                 once (with the opening software)\n"
            "  decrypt CEREMONY.json ARCHIVE.jsonl KEYFILE OUT.json\n"
            "                                                 after closing: your partial\n"
            "                                                 decryption of the sums of the\n"
            "                                                 archive's verified ballots, if\n"
            "                                                 they are the box you sealed\n"
            "  backup KEYFILE OUT.pdf                         a paper copy (QR code and text)\n"
            "  restore TEXT.txt KEYFILE                       the key file from that copy\n\n"
            "CEREMONY.json comes from votectl ceremony export, STATE.json from votectl\n"
            "seal-state (at close, with SIGNATURES.json), ARCHIVE.jsonl from votectl archive;\n"
            "OUT.json goes back through votectl ceremony post. The key file is sealed under\n"
            "your passphrase (Argon2id, %s by default); KEYFILE.record keeps your closing\n"
            "seal and the sums you decrypted (one count only).\n"
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

    umask(077);                 /* every file and folder it makes: its owner's only */
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
        return run_step(cmd, step_shares, a[0], &(step_in){ 0 }, a[1], a[2]);
    if (strcmp(cmd, "verdict") == 0 && n == 3)
        return run_step(cmd, step_verdict, a[0], &(step_in){ 0 }, a[1], a[2]);
    if (strcmp(cmd, "backup") == 0 && n == 2)
        return cmd_backup(a);
    if (strcmp(cmd, "restore") == 0 && n == 2)
        return cmd_restore(a);
    if (strcmp(cmd, "decrypt") == 0 && n == 4)
        return cmd_decrypt(a);
    if (strcmp(cmd, "seal") == 0 && (n == 4 || n == 6))
        return cmd_seal(a, n);
    usage(stderr);
    return EXIT_USAGE;
}
