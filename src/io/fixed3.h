/* fixed3.h - "%.3f" of a binary32 value without printf: the coordinates of
 * the annotated CIF, the same bytes as glibc's printf (tests/test_units.c
 * compares them over a million values) */
#ifndef VOX_FIXED3_H
#define VOX_FIXED3_H

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "00" "01" ... "99": two decimal digits per lookup. */
static const char vox_digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                         "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                         "8081828384858687888990919293949596979899";

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
    /* rint() without a call into libm (x86-64 has no rounding instruction
     * before SSE4.1): below 2^52, adding and taking away 2^52 leaves x
     * rounded to an integer in the current mode; from 2^52 on x is one.
     * Needs binary64 arithmetic without excess precision or reassociation
     * (SSE2 or NEON, no -ffast-math). */
    const double r = fabs(x) >= 0x1p52 ? x : x >= 0 ? (x + 0x1p52) - 0x1p52 : (x - 0x1p52) + 0x1p52;
    *m = (unsigned long long)fabs(r);
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

/* "%.3f" of f without printf, into at least 40 bytes at out; its length.
 * Coordinates have at most three integer digits, written forward; more go
 * through the general loop. */
static inline size_t vox_fmt_fixed3(float f, char *out)
{
    unsigned long long m = 0;
    if (!vox_fixed3_split(f, &m))
        return vox_fixed3_printf(f, out);
    char *p = out;
    if (signbit(f)) *p++ = '-';
    unsigned long long ip = m / 1000;
    const unsigned frac = (unsigned)(m - ip * 1000);
    if (ip < 10) {
        *p++ = (char)('0' + ip);
    } else if (ip < 100) {
        memcpy(p, vox_digit_pairs + 2 * ip, 2);
        p += 2;
    } else if (ip < 1000) {
        p[0] = (char)('0' + ip / 100);
        memcpy(p + 1, vox_digit_pairs + 2 * (ip % 100), 2);
        p += 3;
    } else { /* two digits at a time from the end, then moved into place */
        char tmp[24], *e = tmp + sizeof tmp, *q = e;
        while (ip >= 100) {
            q -= 2;
            memcpy(q, vox_digit_pairs + 2 * (ip % 100), 2);
            ip /= 100;
        }
        if (ip >= 10) {
            q -= 2;
            memcpy(q, vox_digit_pairs + 2 * ip, 2);
        } else {
            *--q = (char)('0' + ip);
        }
        memcpy(p, q, (size_t)(e - q));
        p += e - q;
    }
    p[0] = '.';
    p[1] = (char)('0' + frac / 100);
    memcpy(p + 2, vox_digit_pairs + 2 * (frac % 100), 2);
    p[4] = '\0';
    return (size_t)(p + 4 - out);
}

#endif
