/* defi.c - the personal "défi" question menu and the normal form of answers:
 * lower case, accents removed, inner spaces collapsed, ends trimmed, so that
 * "  Éléonore   de Saint-Just" and "eleonore de saint-just" match. */
#include "access.h"

#include <ctype.h>
#include <string.h>
#include <jansson.h>

/* The built-in questions, by id (stored with each account). Birth town is
 * retired: anyone can find it (civil status, HR files, social networks); an
 * account that chose it keeps it, but the menu no longer offers it. */
static const struct {
    const char *fr, *en;
    int offered;
} builtin[] = {
    { "Quel est le prénom de votre premier animal de compagnie ?",
      "What was the name of your first pet?", 1 },
    { "Dans quelle ville êtes-vous né(e) ?", "In which town were you born?", 0 },
    { "Quel est le nom de votre école primaire ?", "What is the name of your primary school?", 1 },
    { "Quel est le deuxième prénom de votre parent le plus âgé ?",
      "What is the middle name of your oldest parent?", 1 },
    { "Quel était le nom de la rue de votre premier logement ?",
      "What was the street of your first home?", 1 },
    { "Quel est le titre de votre livre préféré ?", "What is the title of your favourite book?",
      1 },
};
#define BUILTIN_N (sizeof builtin / sizeof builtin[0])

/* The menu the configuration set (defi_questions), or none: the built-in one. */
static access_defi_entry configured[ACCESS_DEFI_MAX];
static size_t nconfigured;

int access_defi_configure(const access_defi_entry *list, size_t n)
{
    if (n > ACCESS_DEFI_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (list[i].id < 0 || list[i].id >= ACCESS_DEFI_MAX || list[i].fr[0] == '\0' ||
            list[i].en[0] == '\0')
            return -1;
        for (size_t k = 0; k < i; k++)
            if (list[k].id == list[i].id)
                return -1;
    }
    if (n > 0)
        memcpy(configured, list, n * sizeof *list);
    nconfigured = n;
    return 0;
}

size_t access_defi_count(void)
{
    size_t n = 0;

    if (nconfigured > 0)
        return nconfigured;
    for (size_t i = 0; i < BUILTIN_N; i++)
        n += (size_t)builtin[i].offered;
    return n;
}

int access_defi_id(size_t i)
{
    if (nconfigured > 0)
        return i < nconfigured ? configured[i].id : -1;
    for (size_t k = 0; k < BUILTIN_N; k++)
        if (builtin[k].offered && i-- == 0)
            return (int)k;
    return -1;
}

int access_defi_offered(int id)
{
    for (size_t i = 0; i < access_defi_count(); i++)
        if (access_defi_id(i) == id)
            return 1;
    return 0;
}

const char *access_defi_question(size_t id, const char *lang)
{
    int en = lang != NULL && strcmp(lang, "en") == 0;

    for (size_t i = 0; i < nconfigured; i++)
        if ((size_t)configured[i].id == id)
            return en ? configured[i].en : configured[i].fr;
    if (id >= BUILTIN_N)
        return NULL;
    return en ? builtin[id].en : builtin[id].fr;
}

/* Two-byte UTF-8 letters of Latin-1 and Latin Extended-A that French uses,
 * folded to ASCII (ligatures to two letters). */
static const struct {
    unsigned char b0, b1;
    const char *ascii;
} folds[] = {
    { 0xc3, 0x80, "a" }, { 0xc3, 0x81, "a" }, { 0xc3, 0x82, "a" }, { 0xc3, 0x83, "a" },
    { 0xc3, 0x84, "a" }, { 0xc3, 0x85, "a" }, { 0xc3, 0x86, "ae" }, { 0xc3, 0x87, "c" },
    { 0xc3, 0x88, "e" }, { 0xc3, 0x89, "e" }, { 0xc3, 0x8a, "e" }, { 0xc3, 0x8b, "e" },
    { 0xc3, 0x8c, "i" }, { 0xc3, 0x8d, "i" }, { 0xc3, 0x8e, "i" }, { 0xc3, 0x8f, "i" },
    { 0xc3, 0x91, "n" }, { 0xc3, 0x92, "o" }, { 0xc3, 0x93, "o" }, { 0xc3, 0x94, "o" },
    { 0xc3, 0x95, "o" }, { 0xc3, 0x96, "o" }, { 0xc3, 0x98, "o" }, { 0xc3, 0x99, "u" },
    { 0xc3, 0x9a, "u" }, { 0xc3, 0x9b, "u" }, { 0xc3, 0x9c, "u" }, { 0xc3, 0x9d, "y" },
    { 0xc3, 0x9f, "ss" }, { 0xc3, 0xa0, "a" }, { 0xc3, 0xa1, "a" }, { 0xc3, 0xa2, "a" },
    { 0xc3, 0xa3, "a" }, { 0xc3, 0xa4, "a" }, { 0xc3, 0xa5, "a" }, { 0xc3, 0xa6, "ae" },
    { 0xc3, 0xa7, "c" }, { 0xc3, 0xa8, "e" }, { 0xc3, 0xa9, "e" }, { 0xc3, 0xaa, "e" },
    { 0xc3, 0xab, "e" }, { 0xc3, 0xac, "i" }, { 0xc3, 0xad, "i" }, { 0xc3, 0xae, "i" },
    { 0xc3, 0xaf, "i" }, { 0xc3, 0xb1, "n" }, { 0xc3, 0xb2, "o" }, { 0xc3, 0xb3, "o" },
    { 0xc3, 0xb4, "o" }, { 0xc3, 0xb5, "o" }, { 0xc3, 0xb6, "o" }, { 0xc3, 0xb8, "o" },
    { 0xc3, 0xb9, "u" }, { 0xc3, 0xba, "u" }, { 0xc3, 0xbb, "u" }, { 0xc3, 0xbc, "u" },
    { 0xc3, 0xbd, "y" }, { 0xc3, 0xbf, "y" }, { 0xc5, 0x92, "oe" }, { 0xc5, 0x93, "oe" },
    { 0xc5, 0xb8, "y" },
};

static const char *fold(unsigned char b0, unsigned char b1)
{
    for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++)
        if (folds[i].b0 == b0 && folds[i].b1 == b1)
            return folds[i].ascii;
    return NULL;
}

int access_defi_normalize(char *out, size_t outlen, const char *answer)
{
    json_t *probe;
    size_t o = 0;
    int space = 0;

    if (strlen(answer) > ACCESS_ANSWER_MAX || (probe = json_string(answer)) == NULL)
        return -1;
    json_decref(probe);
    for (const unsigned char *p = (const unsigned char *)answer; *p; p++) {
        const char *f = p[0] >= 0xc0 && p[1] ? fold(p[0], p[1]) : NULL;
        char buf[5] = { 0 };
        size_t n;

        if (isspace(*p) || (p[0] == 0xc2 && p[1] == 0xa0)) {
            p += p[0] == 0xc2;
            space = o > 0;
            continue;
        }
        if (*p < 0x20 || *p == 0x7f)
            return -1;
        if (f != NULL) {
            snprintf(buf, sizeof buf, "%s", f);
            p++;
        } else {
            buf[0] = (char)(*p < 0x80 ? tolower(*p) : *p);
        }
        n = strlen(buf);
        if (o + space + n + 1 > outlen)
            return -1;
        if (space)
            out[o++] = ' ';
        space = 0;
        memcpy(out + o, buf, n);
        o += n;
    }
    out[o] = '\0';
    return o == 0 ? -1 : 0;
}
