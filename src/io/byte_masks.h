/* byte_masks.h - one bit per byte of a 64-byte block: its spaces and line ends, and its other
 * control bytes
 *
 * The mmCIF reader's loop values are short words between runs of spaces:
 * with the block's blanks as a bit mask, every word's start and end is a
 * bit scan, instead of a test per byte.  Bit i stands for byte p[i].  x86-64
 * always has SSE2; elsewhere eight-byte words do the same (little-endian,
 * as the rest of the reader assumes).  Every variant gives the same masks.
 */
#ifndef VOX_BYTE_MASKS_H
#define VOX_BYTE_MASKS_H

#include <stdint.h>
#include <string.h>

#include "swar.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct byte_masks {
    uint64_t blank;   /* ' ' or '\n' */
    uint64_t newline; /* '\n' */
    uint64_t control; /* another byte <= 0x20: '\t', '\r', '\v', '\f' or a control byte */
} byte_masks;

#if defined(__SSE2__)

/* Bits 16i to 16i + 15 of the masks from p[16i], written out four times:
 * the compiler does not unroll a loop of four. */
#define VOX_MASKS16(i)                                                                              \
    do {                                                                                            \
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * (i)));           \
        const __m128i is_lf = _mm_cmpeq_epi8(x, lf);                                                \
        const __m128i is_blank = _mm_or_si128(_mm_cmpeq_epi8(x, space), is_lf);                     \
        const __m128i is_low = _mm_cmpeq_epi8(_mm_min_epu8(x, c20), x); /* x <= 0x20, unsigned */   \
        blank |= (uint64_t)(uint32_t)_mm_movemask_epi8(is_blank) << (16 * (i));                     \
        nl |= (uint64_t)(uint32_t)_mm_movemask_epi8(is_lf) << (16 * (i));                           \
        low |= (uint64_t)(uint32_t)_mm_movemask_epi8(is_low) << (16 * (i));                         \
    } while (0)

static inline byte_masks vox_byte_masks64(const char *p)
{
    const __m128i space = _mm_set1_epi8(' '), lf = _mm_set1_epi8('\n'), c20 = _mm_set1_epi8(0x20);
    uint64_t blank = 0, nl = 0, low = 0;
    VOX_MASKS16(0);
    VOX_MASKS16(1);
    VOX_MASKS16(2);
    VOX_MASKS16(3);
    return (byte_masks){blank, nl, low & ~blank};
}
#undef VOX_MASKS16

#else

/* The high bits of an eight-byte word's bytes to bits 0-7. */
static inline uint64_t pack_high_bits(uint64_t m)
{
    return ((m >> 7) * 0x0102040810204080ull) >> 56;
}

static inline byte_masks vox_byte_masks64(const char *p)
{
    const uint64_t lows = 0x7f7f7f7f7f7f7f7full;
    uint64_t blank = 0, nl = 0, low = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t x;
        memcpy(&x, p + 8 * i, 8);
        const uint64_t is_lf = vox_swar_eq(x, '\n'), is_blank = vox_swar_eq(x, ' ') | is_lf;
        /* <= 0x20: the high bit clear and the low seven bits plus 0x5f below 0x80 */
        const uint64_t is_low = ~(((x & lows) + 0x5f5f5f5f5f5f5f5full) | x) & ~lows;
        blank |= pack_high_bits(is_blank) << (8 * i);
        nl |= pack_high_bits(is_lf) << (8 * i);
        low |= pack_high_bits(is_low) << (8 * i);
    }
    return (byte_masks){blank, nl, low & ~blank};
}

#endif

#endif
