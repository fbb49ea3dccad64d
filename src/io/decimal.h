/* decimal.h - integers ("%llu"), doubles with a fixed number of places
 * ("%.Nf") and "%g" of short decimals without printf, for the export
 * documents: the same bytes as glibc's printf (tests/test_units.c compares
 * them over a million values of every kind), at a few tens of instructions
 * a number where a printf call costs over a thousand */
#ifndef VOX_DECIMAL_H
#define VOX_DECIMAL_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fixed3.h" /* vox_digit_pairs, vox_fmt_u64, vox_rint_exact */

/* Characters vox_fmt_fixed may write: printf's "%.9f" of the largest double
 * has 309 integer digits. */
#define VOX_FMT_FIXED_MAX 330

/* "%lld" of v (21 bytes at most). */
static inline size_t vox_fmt_i64(long long v, char *out)
{
    if (v < 0) {
        out[0] = '-';
        return 1 + vox_fmt_u64(0ull - (unsigned long long)v, out + 1);
    }
    return vox_fmt_u64((unsigned long long)v, out);
}

/* 10^0 .. 10^9 */
static const uint64_t vox_pow10_u64[10] = {1ull,      10ull,      100ull,      1000ull,      10000ull,
                                           100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull};

/* 10^0 .. 10^9 as doubles (exact) */
static const double vox_pow10_f64[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* "%.*f" of v as an integer q of 10^-places units, its sign being v's: 1,
 * or 0 where this does not apply (then printf decides).
 *
 * printf rounds the exact binary value of v to the nearest multiple of
 * 10^-places, ties to even (glibc follows the rounding mode, which vox
 * never changes from to-nearest).
 *
 * Most numbers are decided in doubles: a = |v| 10^places rounded once is
 * within a 2^-53 of the exact product X, so where a's fraction lies more
 * than a 2^-52 from one half (the only boundary near a), X rounds to the
 * same integer as a does, to its truncation or the next.  Below 2^50 the
 * fraction a - trunc(a) is exact, and so is its distance to one half once
 * it is 1/4 or more (below 1/4 that distance, over 1/4, beats the margin,
 * under 1/4, however it is rounded).  This needs binary64 arithmetic
 * without excess precision (FLT_EVAL_METHOD 0: SSE2, NEON), and costs a
 * few instructions where the exact test below costs some sixty.
 *
 * What is left (a tie or near one, or a larger product) is done in
 * integers: a finite v = m 2^-s (m < 2^53) times 10^places is the exact
 * integer m 10^places (< 2^83) over 2^s, rounded by its remainder.  For
 * |v| < 1e9 the result (< 10^18) fits 64 bits and s >= 23; larger values
 * (never a coordinate, length or grid step) and places past 9 are left to
 * printf. */
static inline int vox_fixed_split(double v, int places, uint64_t *q)
{
    if (!(places >= 0 && places <= 9 && fabs(v) < 1e9))
        return 0;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    {
        const double a = fabs(v) * vox_pow10_f64[places];
        if (a < 0x1p50) {
            const uint64_t t = (uint64_t)a;
            const double off = (a - (double)t) - 0.5;
            if (fabs(off) > a * 0x1p-52) {
                *q = t + (off > 0);
                return 1;
            }
        }
    }
#endif
#ifdef __SIZEOF_INT128__
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    const unsigned biased = (unsigned)(bits >> 52) & 0x7ffu;
    uint64_t m = bits & ((1ull << 52) - 1);
    int s = 1074; /* subnormal: m 2^-1074 */
    if (biased) {
        m |= 1ull << 52;
        s = 1075 - (int)biased; /* |v| < 1e9 < 2^30: s >= 23 */
    }
    __extension__ typedef unsigned __int128 u128;
    const u128 exact = (u128)m * vox_pow10_u64[places];
    *q = 0;
    if (s < 100) {
        *q = (uint64_t)(exact >> s);
        const u128 rem = exact - ((u128)*q << s), half = (u128)1 << (s - 1);
        if (rem > half || (rem == half && (*q & 1)))
            ++*q;
    } /* else exact < 2^83 is below half of 2^s: it rounds to 0 */
    return 1;
#else
    (void)q;
    return 0;
#endif
}

/* Two digits of v < 100 at p. */
static inline void vox_put2(char *p, uint32_t v) { memcpy(p, vox_digit_pairs + 2 * v, 2); }

/* Four digits of v < 10^4 at p. */
static inline void vox_put4(char *p, uint32_t v)
{
    vox_put2(p, v / 100);
    vox_put2(p + 2, v % 100);
}

/* f < 10^places (places <= 9) as places digits at p, zero-padded: the
 * counts the documents use (3, 4, 6 and 8) in a few 32-bit steps. */
static inline void vox_put_places(char *p, uint32_t f, int places)
{
    switch (places) {
    case 3:
        p[0] = (char)('0' + f / 100);
        vox_put2(p + 1, f % 100);
        return;
    case 4: vox_put4(p, f); return;
    case 6:
        vox_put2(p, f / 10000);
        vox_put4(p + 2, f % 10000);
        return;
    case 8:
        vox_put4(p, f / 10000);
        vox_put4(p + 4, f % 10000);
        return;
    default: { /* two per lookup from the end */
        int i = places;
        for (; i >= 2; i -= 2, f /= 100) vox_put2(p + i - 2, f % 100);
        if (i)
            p[0] = (char)('0' + f);
    }
    }
}

/* Inlined where it is called (a handful of places): with places a
 * constant there, the digits' switch and the division by 10^places fold
 * away, which was a third of a number. */
#if defined(__GNUC__)
#define VOX_FMT_INLINE inline __attribute__((always_inline))
#else
#define VOX_FMT_INLINE inline
#endif

/* "%.*f" of v at out (VOX_FMT_FIXED_MAX bytes, a terminator written too);
 * its length. */
static VOX_FMT_INLINE size_t vox_fmt_fixed(double v, int places, char *out)
{
    uint64_t q;
    if (!vox_fixed_split(v, places, &q)) {
        const int n = snprintf(out, VOX_FMT_FIXED_MAX, "%.*f", places, v);
        return n > 0 ? (size_t)n : 0;
    }
    char *p = out;
    if (signbit(v)) /* "-0.000" for a negative v that rounds to zero, as printf */
        *p++ = '-';
    const uint64_t unit = vox_pow10_u64[places], ip = q / unit;
    p += vox_fmt_u64(ip, p);
    if (places) { /* '.', then the fraction zero-padded to places digits */
        *p = '.';
        vox_put_places(p + 1, (uint32_t)(q - ip * unit), places);
        p += places + 1;
    }
    *p = '\0';
    return (size_t)(p - out);
}

/* Characters vox_fmt_g may write: "-1.23457e-308". */
#define VOX_FMT_G_MAX 32

/* printf's "%g" of v at out (VOX_FMT_G_MAX bytes, a terminator written
 * too); its length.  Without printf for zero and for a v that is the
 * double nearest a decimal D of at most four places and six significant
 * digits, 1e-4 <= |D| < 1e6 (a resolution, a padding): v is within
 * 2^-53 |v| of D, and the bounds of the six-digit rounding around D lie
 * half a unit of its sixth digit away (over 5e-7 |D|), so "%g" rounds v to
 * D, takes D's exponent (in [-4, 6): style f) and, its trailing zeros
 * removed, writes D's digits.  Whether v
 * is such a double is told as fmt.c's repr does: m = |v| 10^4 rounded, then
 * m / 10^4 (correctly rounded) must give v back.  Anything else is printf's. */
static inline size_t vox_fmt_g(double v, char *out)
{
    const double a = fabs(v);
    char *p = out;
    if (a == 0.0 || (a >= 1e-4 && a < 1e6)) {
        const double scaled = a * 10000.0, r = (scaled + 0x1p52) - 0x1p52; /* nearest integer: < 1e10 < 2^52 */
        const uint64_t m = (uint64_t)r;
        uint64_t frac = m % 10000, sig = m;
        while (sig && sig % 10 == 0) sig /= 10;
        if ((double)m / 10000.0 == a && sig < 1000000) {
            if (signbit(v)) *p++ = '-';
            p += vox_fmt_u64(m / 10000, p);
            if (frac) {
                int places = 4;
                for (; frac % 10 == 0; frac /= 10) places--;
                *p = '.';
                for (int i = places; i >= 1; i--, frac /= 10) p[i] = (char)('0' + frac % 10);
                p += places + 1;
            }
            *p = '\0';
            return (size_t)(p - out);
        }
    }
    const int n = snprintf(out, VOX_FMT_G_MAX, "%g", v);
    return n > 0 ? (size_t)n : 0;
}

#endif
