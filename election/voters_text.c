/* voters_text.c - the characters no text of the electoral list may hold:
 * invisible format characters (bidirectional embeddings, overrides and
 * isolates, marks, zero widths, tags...) that reorder or hide what a console
 * shows, and C1 controls. */
#include "voters.h"

static const struct {
    uint32_t lo, hi;
} invisible[] = {
    { 0x0080, 0x009F },   /* C1 controls */
    { 0x00AD, 0x00AD },   /* soft hyphen */
    { 0x034F, 0x034F },   /* combining grapheme joiner */
    { 0x0600, 0x0605 },   /* Arabic number signs */
    { 0x061C, 0x061C },   /* Arabic letter mark */
    { 0x06DD, 0x06DD },
    { 0x070F, 0x070F },
    { 0x0890, 0x0891 },   /* Arabic pound and piastre marks above */
    { 0x08E2, 0x08E2 },
    { 0x115F, 0x1160 },   /* Hangul fillers */
    { 0x17B4, 0x17B5 },
    { 0x180B, 0x180F },   /* Mongolian selectors and vowel separator */
    { 0x200B, 0x200F },   /* zero widths, LRM, RLM */
    { 0x2028, 0x202E },   /* line and paragraph separators, LRE RLE PDF LRO RLO */
    { 0x2060, 0x206F },   /* word joiner, invisible operators, LRI RLI FSI PDI */
    { 0x3164, 0x3164 },
    { 0xFE00, 0xFE0F },   /* variation selectors */
    { 0xFEFF, 0xFEFF },   /* byte order mark */
    { 0xFFA0, 0xFFA0 },
    { 0xFFF9, 0xFFFB },   /* interlinear annotation */
    { 0x110BD, 0x110BD }, /* Kaithi number signs */
    { 0x110CD, 0x110CD },
    { 0x13430, 0x1343F }, /* Egyptian hieroglyph format controls */
    { 0x1BCA0, 0x1BCA3 }, /* shorthand format controls */
    { 0x1D173, 0x1D17A },
    { 0xE0000, 0xE0FFF }, /* tags, variation selectors supplement */
};

size_t voters_invisible_at(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[0] >= 0xf0 && u[0] <= 0xf4 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc2 ? 2 : 0;
    uint32_t c;

    if (u[0] < 0x80 || n == 0)
        return 0;
    c = u[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (u[i] & 0x3f);
    }
    for (size_t i = 0; i < sizeof invisible / sizeof invisible[0]; i++)
        if (c >= invisible[i].lo && c <= invisible[i].hi) {
            *cp = c;
            return n;
        }
    return 0;
}
