/* fixed3.h - "%.3f" of a binary32 value without printf: the coordinates of
 * the annotated CIF, the same bytes as glibc's printf (tests/test_units.c
 * compares them over a million values); and the pieces the other number
 * writers (decimal.h) share with it: digit pairs, an integer's digits, rint */
#ifndef VOX_FIXED3_H
#define VOX_FIXED3_H

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "00" "01" ... "99": two decimal digits per lookup. */
static const char vox_digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                         "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                         "8081828384858687888990919293949596979899";

/* The number of decimal digits of v (1 for 0). */
static inline size_t vox_dec_digits(unsigned long long v)
{
    size_t n = 1;
    for (unsigned long long ten = 10; v >= ten; ten *= 10) {
        n++;
        if (n == 20) /* 10^19 <= v: 10^20 would overflow */
            break;
    }
    return n;
}

/* The digits of v at out (20 bytes at most, no terminator); their count.
 * Below 10^4 (serial numbers, atom indices, counts) by one or two lookups
 * of digit pairs; larger values written backwards from the last digit, two
 * per lookup. */
static inline size_t vox_fmt_u64(unsigned long long v, char *out)
{
    if (v < 100) {
        if (v < 10) {
            out[0] = (char)('0' + v);
            return 1;
        }
        memcpy(out, vox_digit_pairs + 2 * v, 2);
        return 2;
    }
    if (v < 10000) {
        const unsigned hi = (unsigned)v / 100, lo = (unsigned)v % 100;
        if (hi < 10) {
            out[0] = (char)('0' + hi);
            memcpy(out + 1, vox_digit_pairs + 2 * lo, 2);
            return 3;
        }
        memcpy(out, vox_digit_pairs + 2 * hi, 2);
        memcpy(out + 2, vox_digit_pairs + 2 * lo, 2);
        return 4;
    }
    const size_t n = vox_dec_digits(v);
    char *p = out + n;
    while (v >= 100) {
        p -= 2;
        memcpy(p, vox_digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, vox_digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return n;
}

/* rint(x) for |x| < 2^53 without a call into libm (x86-64 has no rounding
 * instruction before SSE4.1): below 2^52, adding and taking away 2^52
 * leaves x rounded to an integer in the current mode (to nearest, ties to
 * even); from 2^52 on x is one.  Needs binary64 arithmetic without excess
 * precision or reassociation (SSE2 or NEON, no -ffast-math).  A negative x
 * that rounds to zero gives +0 (rint: -0). */
static inline double vox_rint_exact(double x)
{
    return fabs(x) >= 0x1p52 ? x : x >= 0 ? (x + 0x1p52) - 0x1p52 : (x - 0x1p52) + 0x1p52;
}

/* "%.3f" of a binary32 value as an integer of thousandths, its sign being
 * f's: f * 1000 is exact in binary64 (24 + 10 significant bits) and is
 * rounded to an integer as rint() would, half to even (in the default
 * rounding mode), exactly as glibc's printf rounds it.  0 outside the range
 * this covers (not reachable for coordinates): printf then decides. */
static inline int vox_fixed3_split(float f, unsigned long long *m)
{
    const double x = (double)f * 1000.0;
    if (!(fabs(x) < 9e15))
        return 0;
    *m = (unsigned long long)fabs(vox_rint_exact(x));
    return 1;
}

/* printf's answer where vox_fixed3_split has none, into a 40-byte slot. */
static inline size_t vox_fixed3_printf(float f, char out[40])
{
    snprintf(out, 40, "%.3f", (double)f);
    return strlen(out);
}

/* The length of "%.3f" of f, without writing it.  It grows with |f| on
 * either side of zero, so a column's widest value is its largest or its
 * most negative one (a sign bit counts: -0.0 is "-0.000"). */
static inline size_t vox_fixed3_len(float f)
{
    unsigned long long m = 0;
    if (!vox_fixed3_split(f, &m)) {
        char t[40];
        return vox_fixed3_printf(f, t);
    }
    size_t n = 5 + (size_t)(signbit(f) != 0); /* "d.ddd" */
    for (unsigned long long ten = 10000; m >= ten; ten *= 10) n++; /* m < 9e15 < 1e16: ends */
    return n;
}

/* "%.3f" of f without printf, into at least 40 bytes at out; its length. */
static inline size_t vox_fmt_fixed3(float f, char *out)
{
    unsigned long long m = 0;
    if (!vox_fixed3_split(f, &m))
        return vox_fixed3_printf(f, out);
    char *p = out;
    if (signbit(f)) *p++ = '-';
    unsigned long long ip = m / 1000;
    const unsigned frac = (unsigned)(m - ip * 1000);
    p += vox_fmt_u64(ip, p);
    p[0] = '.';
    p[1] = (char)('0' + frac / 100);
    memcpy(p + 2, vox_digit_pairs + 2 * (frac % 100), 2);
    p[4] = '\0';
    return (size_t)(p + 4 - out);
}

#endif
