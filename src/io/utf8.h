/* utf8.h - one UTF-8 decoder for the code that must tell characters apart in names: labels
 * (src/cli/label.c), the file names the viewer scripts may open (writers.c) and the names the
 * annotated PDB and mmCIF write (write_structure.c) */
#ifndef VOX_IO_UTF8_H
#define VOX_IO_UTF8_H

#include <stddef.h>

/* The code point that UTF-8 text s[0 .. n) begins with (n >= 1), its byte
 * count in *len; -1 (one byte) where no well-formed sequence begins: a
 * continuation or invalid lead byte, a sequence cut short (by n, or by a
 * byte that is not a continuation, the NUL that ends a string included), an
 * overlong form, a surrogate, or a code past U+10FFFF.  Python reads such a
 * byte of a file name as a lone surrogate (os.fsdecode). */
static inline long vox_utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    *len = 1;
    const unsigned c = s[0];
    if (c < 0x80)
        return (long)c;
    const size_t k = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
    if (k == 0 || k >= n)
        return -1;
    unsigned long cp = c & (0x3Fu >> k);
    for (size_t i = 1; i <= k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
        return -1;
    *len = k + 1;
    return (long)cp;
}

/* Whether s[0 .. n) is well-formed UTF-8 throughout. */
static inline int vox_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0, len; i < n; i += len)
        if (vox_utf8_next((const unsigned char *)s + i, n - i, &len) < 0)
            return 0;
    return 1;
}

/* Replaces every byte of v[0 .. n) that begins no well-formed sequence
 * (vox_utf8_next's -1) with '?', in place; returns how many it replaced. */
static inline size_t vox_utf8_scrub(char *v, size_t n)
{
    size_t replaced = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        if ((unsigned char)v[i] >= 0x80 && vox_utf8_next((const unsigned char *)v + i, n - i, &len) < 0) {
            v[i++] = '?';
            replaced++;
        } else {
            i += (unsigned char)v[i] >= 0x80 ? len : 1;
        }
    }
    return replaced;
}

#endif
