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

#include "fixed_cols.h"

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
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull, lows = ~highs;
    const size_t neg = p[0] == '-';
    const size_t len = n - neg; /* n = 0 with a '-' read past it wraps: refused too */
    if (len - 1 > 7)
        return 0;
    /* the len bytes as the last bytes of the word (the first lowest), '0's
     * before them: a number's leading zeros */
    const unsigned pad = 8 * (8 - (unsigned)len); /* 0 to 56 */
    const uint64_t x = (vox_fixed_cols_load(p + neg) << pad) | ((ones * '0') & ((1ull << pad) - 1));
    /* a digit's byte xor '0' is 0-9: adding 0x76 to its low seven bits
     * leaves bit 7 clear exactly then; a byte of x ^ "........" is zero
     * exactly at a point.  No sum carries into the next byte. */
    const uint64_t t = x ^ (ones * '0'), y = x ^ (ones * '.');
    const uint64_t not_digit = (((t & lows) + ones * 0x76) | t) & highs;
    const uint64_t point = ~(((y & lows) + lows) | y) & highs;
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
    /* summed pairwise: 2, 4, 8 digits, the first (lowest) byte the most significant */
    d = (d * (1 + (10 << 8))) >> 8 & 0x00ff00ff00ff00ffull;
    d = (d * (1 + (100 << 16))) >> 16 & 0x0000ffff0000ffffull;
    d = (d * (1 + (10000ull << 32))) >> 32;
    const double v = (double)d / vox_number_word_pow10[frac];
    *out = neg ? -v : v;
    return 1;
}

#endif
