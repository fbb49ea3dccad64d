/* label.c - volumizer's label of an input (cli.py, _sanitize_label): the characters Python's
 * str.isalnum() keeps, lower-cased as str.lower() does, for names in any script (label_tables.h) */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "label_tables.h"
#include "utf8.h"

/* Whether code point c lies in one of the n ascending ranges r. */
static int in_ranges(const uint32_t (*r)[2], size_t n, unsigned long c)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (c < r[mid][0]) hi = mid;
        else if (c > r[mid][1]) lo = mid + 1;
        else return 1;
    }
    return 0;
}

#define IN_TABLE(table, c) in_ranges(table, sizeof table / sizeof *table, c)

/* Whether str.isalnum() holds for code point c >= 0x80 (label_tables.h). */
static int unicode_alnum(unsigned long c)
{
    return IN_TABLE(label_alnum, c);
}

/* What the final sigma's context makes of a character of the label before
 * lower-casing (c < 0: a byte that is not UTF-8, which becomes '_'): 1
 * cased, 0 neither, -1 case-ignorable (passed over).  A character that is
 * not kept is '_' by then: neither. */
static int sigma_context(long c)
{
    if (c < 0x80)
        return c >= 0 && isalpha((int)c) ? 1 : 0;
    if (!unicode_alnum((unsigned long)c))
        return 0;
    if (IN_TABLE(label_case_ignorable, (unsigned long)c))
        return -1;
    return IN_TABLE(label_cased, (unsigned long)c) ? 1 : 0;
}

/* Whether the capital sigma that ends at s[0] (s[0 .. n) the rest of the
 * name) is a final sigma, as str.lower() decides: the character before it,
 * case-ignorable ones passed over, is cased (cased_before), and the first
 * after it that is not case-ignorable, if any, is not. */
static int final_sigma(int cased_before, const unsigned char *s, size_t n)
{
    if (!cased_before)
        return 0;
    for (size_t i = 0, len; i < n; i += len) {
        const int ctx = sigma_context(vox_utf8_next(s + i, n - i, &len));
        if (ctx >= 0)
            return ctx == 0;
    }
    return 1;
}

/* str.lower() of a kept code point c >= 0x80 that lowers to one. */
static unsigned long unicode_lower(unsigned long c)
{
    size_t lo = 0, hi = sizeof label_lower / sizeof *label_lower;
    while (lo < hi) { /* the last run that starts at or before c */
        const size_t mid = (lo + hi) / 2;
        if (label_lower[mid].first <= c) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0)
        return c;
    const unsigned long off = c - label_lower[lo - 1].first, stride = label_lower[lo - 1].stride;
    return off % stride == 0 && off / stride < label_lower[lo - 1].count ? (unsigned long)((long)c + label_lower[lo - 1].diff)
                                                                        : c;
}

static size_t utf8_put(unsigned long c, char *o)
{
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) { o[0] = (char)(0xC0 | c >> 6); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12), o[1] = (char)(0x80 | (c >> 6 & 0x3F)), o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18), o[1] = (char)(0x80 | (c >> 12 & 0x3F)), o[2] = (char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* volumizer's label rule (cli.py, _sanitize_label): each character that
 * Python's str.isalnum() does not keep, '-' and '_' apart, -> '_'; '_'
 * trimmed at both ends; str.lower(); "structure" when nothing is left.
 * Python's rule knows Unicode, so a name in any script keeps its letters
 * and digits (label_tables.h, Unicode 14.0 as Python 3.11 has it): "Protéine"
 * is "protéine", a name in Chinese its characters, not "structure".  A
 * label longer than cap - 1 bytes is cut at a character's end.  A capital
 * sigma that ends a word lowers to the final sigma, as in Python (the
 * strip of '_' before lower() changes no context: '_' is neither cased
 * nor case-ignorable). */
void sanitize_label(const char *in, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    const unsigned char *s = (const unsigned char *)in;
    int cased_before = 0; /* the last character not case-ignorable is cased */
    for (size_t i = 0, len; i < n; i += len) {
        const long c = vox_utf8_next(s + i, n - i, &len);
        const int ctx = sigma_context(c);
        char enc[8];
        size_t m;
        if (c < 0x80)
            enc[0] = (char)(c >= 0 && (isalnum((int)c) || c == '-' || c == '_') ? tolower((int)c) : '_'), m = 1;
        else if (!unicode_alnum((unsigned long)c))
            enc[0] = '_', m = 1;
        else if (c == 0x130) /* the one that lowers to two: i and a combining dot above */
            m = utf8_put('i', enc), m += utf8_put(0x307, enc + m);
        else if (c == 0x3A3 && final_sigma(cased_before, s + i + len, n - i - len))
            m = utf8_put(0x3C2, enc);
        else
            m = utf8_put(unicode_lower((unsigned long)c), enc);
        if (k + m + 1 > cap)
            break;
        memcpy(out + k, enc, m);
        k += m;
        if (ctx >= 0)
            cased_before = ctx;
    }
    out[k] = '\0';
    size_t st = 0;
    while (out[st] == '_') st++;
    while (k > st && out[k - 1] == '_') k--;
    memmove(out, out + st, k - st);
    out[k - st] = '\0';
    if (!out[0])
        snprintf(out, cap, "structure");
}

/* The label of a file: its stem (the name without its last suffix), sanitised. */
void make_label(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    sanitize_label(base, n, out, cap);
}
