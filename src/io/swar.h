/* swar.h - tests of the eight bytes of a 64-bit word at once
 *
 * The readers look at words, not bytes, where the text is mostly one kind
 * of byte (the mmCIF blocks' blanks, PDB's fixed columns, short numbers).
 * Each test leaves bit 7 of every byte that passes and clears the rest; the
 * sums inside stay within their byte (its low seven bits plus at most
 * 0x7f), so no byte's answer depends on its neighbours and every bit is
 * exact.  Byte i of a word is the text's i-th byte when it was loaded with
 * vox_text_bits (internal.h).
 */
#ifndef VOX_SWAR_H
#define VOX_SWAR_H

#include <stdint.h>

#define VOX_SWAR_ONES 0x0101010101010101ull
#define VOX_SWAR_HIGHS 0x8080808080808080ull

/* The bytes of x equal to c: x ^ c is zero exactly there, and adding 0x7f
 * to a byte's low seven bits sets its bit 7 unless they are all zero. */
static inline uint64_t vox_swar_eq(uint64_t x, unsigned char c)
{
    const uint64_t lows = ~VOX_SWAR_HIGHS, y = x ^ (VOX_SWAR_ONES * c);
    return ~(((y & lows) + lows) | y) & VOX_SWAR_HIGHS;
}

/* The bytes of x that are not a digit '0'-'9': x ^ '0' is 0-9 exactly at
 * the digits, and adding 0x76 to its low seven bits leaves bit 7 clear
 * exactly then. */
static inline uint64_t vox_swar_not_digit(uint64_t x)
{
    const uint64_t t = x ^ (VOX_SWAR_ONES * '0');
    return (((t & ~VOX_SWAR_HIGHS) + VOX_SWAR_ONES * 0x76) | t) & VOX_SWAR_HIGHS;
}

/* The number whose eight decimal digits are the byte values of d (each
 * 0-9, the lowest byte the most significant digit), summed pairwise: 2, 4,
 * then 8 digits, one multiplication each. */
static inline uint64_t vox_swar_digits8(uint64_t d)
{
    d = (d * (1 + (10 << 8))) >> 8 & 0x00ff00ff00ff00ffull;
    d = (d * (1 + (100 << 16))) >> 16 & 0x0000ffff0000ffffull;
    return (d * (1 + (10000ull << 32))) >> 32;
}

#endif
