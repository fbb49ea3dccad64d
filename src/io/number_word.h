/* number_word.h - a short decimal number ("-12.345", "1.00", "23.45") parsed
 * from one 64-bit word, for the mmCIF reader
 *
 * mmCIF writes coordinates, occupancies and B-factors as free-width words:
 * an optional '-', a few digits, a point, a few decimals.  vox_parse_number
 * reads them a byte at a time, with a branch per byte whose outcome depends
 * on the number's width; it took an eighth of the reader's instructions.
 * Here the at most eight bytes after the sign are one word: checked with a
 * few masks, the point squeezed out, the digits summed with three
 * multiplications (as fixed_cols.h does for PDB columns).  Anything else - a
 * '+', blanks, an exponent, more than eight bytes - is left to
 * vox_parse_number, and every text accepted here gets its value.
 */
#ifndef VOX_NUMBER_WORD_H
#define VOX_NUMBER_WORD_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "swar.h"

/* 10^f for the decimals of an accepted text: exact doubles. */
static const double vox_number_word_pow10[8] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};

/* The n bytes at p as vox_parse_number reads them, when they are an
 * optional '-' then 1 to 8 bytes of digits and at most one '.', with at
 * least one digit: 1 and *out, the same double (the digits as an integer m
 * below 10^8, then m / 10^f in one correctly rounded division, exactly as
 * vox_parse_number computes it).  0 otherwise, *out untouched: the caller
 * asks vox_parse_number.  Reads p[0] and the 8 bytes after the sign, so
 * p[0] to p[8] must be readable whatever n is. */
static inline int vox_number_word(const char *p, size_t n, double *out)
{
    const uint64_t ones = VOX_SWAR_ONES;
    const size_t neg = p[0] == '-';
    const size_t len = n - neg; /* n = 0 with a '-' read past it wraps: refused too */
    if (len - 1 > 7)
        return 0;
    /* the len bytes as the last bytes of the word (the first lowest), '0's
     * before them: a number's leading zeros */
    const unsigned pad = 8 * (8 - (unsigned)len); /* 0 to 56 */
    const uint64_t x = (vox_text_bits(p + neg, 8) << pad) | ((ones * '0') & ((1ull << pad) - 1));
    const uint64_t t = x ^ (ones * '0'); /* the digits' values */
    const uint64_t not_digit = vox_swar_not_digit(x), point = vox_swar_eq(x, '.');
    if ((not_digit & ~point) != 0 || (point & (point - 1)) != 0 || (point && len == 1))
        return 0;
    uint64_t d = t;
    unsigned frac = 0;
    if (point) {
        /* the bytes before the point one byte up, over it: the digits in a
         * row, one more leading zero */
        const unsigned k = (unsigned)__builtin_ctzll(point) >> 3; /* 0 to 7 */
        const uint64_t before = (1ull << (8 * k)) - 1;
        d = (t & (~before << 8)) | ((t & before) << 8);
        frac = 7 - k;
    }
    const double v = (double)vox_swar_digits8(d) / vox_number_word_pow10[frac];
    *out = neg ? -v : v;
    return 1;
}

#endif
