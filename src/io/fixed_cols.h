/* fixed_cols.h - a fixed-point number in fixed columns ("%8.3f", "%6.2f"),
 * parsed eight bytes at a time; the byte-by-byte reference it must agree with
 *
 * PDB files write coordinates, occupancies and B-factors right-aligned in
 * fixed columns: blanks, an optional '-', at least one digit, the point at
 * its column and k decimals.  Testing and summing those digits one byte at a
 * time was a third of the PDB reader's instructions, and the branches each
 * byte takes depend on the number's width.  One 64-bit word holds the whole
 * field, so the layout is checked with a few masks and the digits summed
 * with three multiplications, without a branch per byte.
 */
#ifndef VOX_FIXED_COLS_H
#define VOX_FIXED_COLS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "swar.h"

/* 10^k of the layouts' decimals: exact doubles. */
static const double vox_fixed_cols_pow10[4] = {1.0, 10.0, 100.0, 1000.0};

/* The reference: the w bytes at p as the layout with k decimals (k <= 3,
 * w <= 8, k + 2 <= w).  1 and the value, else 0 (then the general parser
 * decides).  The value is vox_parse_number's: the digits as an integer m,
 * then m / 10^k in one correctly rounded division. */
static inline int vox_fixed_cols_scalar(const char *p, size_t w, size_t k, double *out)
{
    const size_t point = w - k - 1;
    if (k > 3 || p[point] != '.')
        return 0;
    size_t i = 0;
    while (i < point && p[i] == ' ') i++;
    const int neg = i < point && p[i] == '-';
    i += (size_t)neg;
    if (i == point)
        return 0;
    uint64_t m = 0;
    for (; i < point; i++) {
        const unsigned d = (unsigned)(p[i] - '0');
        if (d > 9) return 0;
        m = m * 10 + d;
    }
    for (i = point + 1; i < w; i++) {
        const unsigned d = (unsigned)(p[i] - '0');
        if (d > 9) return 0;
        m = m * 10 + d;
    }
    const double v = (double)m / vox_fixed_cols_pow10[k];
    *out = neg ? -v : v;
    return 1;
}

/* vox_fixed_cols_scalar, accepting exactly the same texts with the same
 * values, on a word and without a branch: 1 or 0 as the reference, and
 * *out written either way (meaningless when 0), so that a caller can test
 * several fields with one branch.  It reads the 8 bytes that end where the
 * field ends, p + w - 8 to p + w: the caller guarantees they are readable
 * (in a PDB line, the columns before a number's are always there).  w and k
 * are constants at every call, so the masks below fold. */
static inline int vox_fixed_cols(const char *p, size_t w, size_t k, double *out)
{
    const uint64_t ones = VOX_SWAR_ONES;
    const size_t point = w - k - 1;
    /* field byte i in bits 8i to 8i + 7, zeros above the field */
    const uint64_t x = vox_text_bits(p + w - 8, 8) >> (8 * (8 - w));
    const uint64_t field = w == 8 ? ~0ull : (1ull << (8 * w)) - 1;
    const uint64_t int_bytes = (1ull << (8 * point)) - 1;
    const uint64_t point_byte = 0xffull << (8 * point);
    const uint64_t frac_bytes = field & ~(int_bytes | point_byte);
    const uint64_t t = x ^ (ones * '0'); /* the digits' values */
    const uint64_t not_digit = vox_swar_not_digit(x);
    /* the integer part's non-digits, as whole bytes: they must be its first
     * bytes (blanks, the last of them may be '-'), and its last byte a digit */
    const uint64_t lead = ((not_digit & int_bytes) >> 7) * 0xff;
    /* what tells the lead from blanks: nothing, or '-' ^ ' ' in its top byte */
    const uint64_t sign = (x ^ ones * ' ') & lead;
    const uint64_t minus = 0x0d * ((lead + 1) >> 8);
    const int ok = (x & point_byte) == ((uint64_t)'.' << (8 * point)) && (not_digit & frac_bytes) == 0 &&
                   (lead & (lead + 1)) == 0 && lead >> (8 * (point - 1)) == 0 && (sign == 0 || sign == minus);
    /* the w - 1 digits, the point left out, as the last bytes of an 8-digit
     * number with its first digit in the lowest byte (leading zeros in
     * place of the lead), then summed pairwise: 2, 4, 8 digits */
    const uint64_t d = t & ~lead;
    const uint64_t y = vox_swar_digits8(((d & int_bytes) << (8 * (9 - w))) | ((d & frac_bytes) << (8 * (8 - w))));
    const double v = (double)y / vox_fixed_cols_pow10[k];
    *out = sign ? -v : v;
    return ok;
}

/* Bit 7 of each byte of x that C's isspace() calls a blank: ' ', or '\t'
 * to '\r' (0x09-0x0d).  The sums stay below 0x100 in every byte, so no
 * carry crosses into the next one. */
static inline uint64_t vox_cols_blanks(uint64_t x)
{
    const uint64_t ones = VOX_SWAR_ONES, highs = VOX_SWAR_HIGHS, y = x & ~highs;
    /* 9 <= y and not 14 <= y, with the high bit clear */
    const uint64_t control = (y + ones * (0x80 - 9)) & ~(y + ones * (0x80 - 14)) & ~x & highs;
    return vox_swar_eq(x, ' ') | control;
}

/* The w <= 8 bytes that end at p + b (b >= 8: the 8 bytes before p + b are
 * read) without their leading and trailing blanks: as a word, the first
 * kept byte lowest and zeros above the last, and their count in *n.  The
 * bytes are exactly what trimming them one by one keeps (pdb.c's field),
 * including any other control or NUL byte among them. */
static inline uint64_t vox_cols_trim(const char *p, size_t b, size_t w, size_t *n)
{
    const uint64_t x = vox_text_bits(p + b - 8, 8) >> (8 * (8 - w));
    const uint64_t field = (0x8080808080808080ull >> (8 * (8 - w)));
    const uint64_t kept = ~vox_cols_blanks(x) & field;
    if (!kept) {
        *n = 0;
        return 0;
    }
    const unsigned first = (unsigned)__builtin_ctzll(kept) >> 3, last = (63u - (unsigned)__builtin_clzll(kept)) >> 3;
    *n = last - first + 1;
    /* the bytes above the last out, then the ones below the first */
    return (x << (56 - 8 * last)) >> (56 - 8 * last + 8 * first);
}

/* Stores the n <= 8 lowest bytes of x at out, the lowest first. */
static inline void vox_cols_store(char *out, uint64_t x, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
    memcpy(out, (const char *)&x, n); /* the lowest byte is now the first in memory */
#else
    memcpy(out, &x, n);
#endif
}

/* The value of n <= 4 digit bytes ('0'-'9', the first lowest in x), and 1;
 * 0 if any of the n bytes is not a digit. */
static inline int vox_cols_digits4(uint64_t x, size_t n, int *out)
{
    const unsigned pad = 8 * (4 - (unsigned)n); /* 32 when n = 0: still within a 64-bit shift */
    const uint64_t t = (x ^ (VOX_SWAR_ONES * '0')) & (0xffffffffull >> pad);
    const uint64_t not_digit = vox_swar_not_digit(x) & (0x80808080ull >> pad);
    /* the last n of eight digits, four leading zeros and 4 - n more before them */
    *out = (int)vox_swar_digits8((t << pad) << 32);
    return n != 0 && not_digit == 0;
}

#endif
