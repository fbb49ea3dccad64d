/* exact17.h - printf's "%.17g" (every digit of a double) without printf, for
 * the transform the volumes JSON and the viewer scripts write
 *
 * Each of those documents writes the twelve numbers of the input-to-aligned
 * transform with all their digits; through snprintf that was about 3,000
 * instructions a number, 0.1 M of the 0.36 M a job's export renders cost
 * on 4jpn.pdb.  Only the range the transform's numbers fall in is done
 * here (1e-4 <= |v| < 1e15: rotation entries and centroids); anything
 * else, a rotation entry that is almost zero among them, is printf's.
 */
#ifndef VOX_EXACT17_H
#define VOX_EXACT17_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h" /* vox_put4 */

/* Characters vox_fmt_g17 may write, a terminator included:
 * "-2.2250738585072014e-308". */
#define VOX_FMT_G17_MAX 32

/* "%.17g" of v at out (VOX_FMT_G17_MAX bytes, terminated); its length.
 *
 * glibc rounds the exact binary value of v to 17 significant digits, ties
 * to even.  With v = m 2^-s (m < 2^53) and 10^X <= |v| < 10^(X+1), the
 * digits are m 10^(16-X) / 2^s rounded: for X >= -4 that product is below
 * 2^53 10^20 < 2^120 and s is below 67, so it is exact in 128 bits, and
 * its remainder decides the rounding as printf does.  X is guessed from
 * doubles and then checked on the exact product, so a v next to a power of
 * ten gets its true exponent.  For -4 <= X < 17, "%g" is style f with
 * 16 - X places, its trailing zeros (and a bare point) taken off. */
static inline size_t vox_fmt_g17(double v, char *out)
{
#ifdef __SIZEOF_INT128__
    const double a = fabs(v);
    if (a >= 1e-4 && a < 1e15) {
        __extension__ typedef unsigned __int128 u128;
        static const uint64_t pow10[20] = {1ull,
                                           10ull,
                                           100ull,
                                           1000ull,
                                           10000ull,
                                           100000ull,
                                           1000000ull,
                                           10000000ull,
                                           100000000ull,
                                           1000000000ull,
                                           10000000000ull,
                                           100000000000ull,
                                           1000000000000ull,
                                           10000000000000ull,
                                           100000000000000ull,
                                           1000000000000000ull,
                                           10000000000000000ull,
                                           100000000000000000ull,
                                           1000000000000000000ull,
                                           10000000000000000000ull};
        uint64_t bits;
        memcpy(&bits, &a, sizeof bits);
        const uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52); /* a is normal here */
        const int s = 1075 - (int)(bits >> 52);                         /* 3 <= s <= 66 */
        /* X from the doubles, then checked exactly: 10^16 <= m 10^k / 2^s < 10^17.
         * The search starts at most at X: a >= 2^e2, and 1233 / 4096 is
         * below log10(2), so e2 1233 / 4096 truncated, less one, is below
         * log10(a) (one step instead of up to eighteen) */
        const int e2 = (int)(bits >> 52) - 1023;
        int x = e2 * 1233 / 4096 - 1;
        if (x < -4)
            x = -4;
        while (x < 14 && a >= (double)pow10[x + 5] * 1e-4) x++;
        u128 exact;
        uint64_t q;
        for (;;) {
            const int k = 16 - x; /* 1 .. 21: 10^20 and 10^21 as 10^19 times 10 and 100 */
            exact = k == 21 ? (u128)m * pow10[19] * 100u : k == 20 ? (u128)m * pow10[19] * 10u : (u128)m * pow10[k];
            const u128 fl = exact >> s;
            if (fl >= (u128)pow10[17])
                x++;
            else if (fl < (u128)pow10[16])
                x--;
            else {
                q = (uint64_t)fl;
                break;
            }
        }
        const u128 rem = exact - ((u128)q << s), half = (u128)1 << (s - 1);
        if (rem > half || (rem == half && (q & 1)))
            q++;
        if (q == pow10[17]) { /* rounded up to the next power of ten */
            q = pow10[16];
            x++;
        }
        /* its 17 digits: the first, then two runs of 8 in 32-bit steps */
        char digits[20];
        const uint64_t hi = q / 100000000u; /* < 10^9 */
        const uint32_t lo = (uint32_t)(q - hi * 100000000u), mid = (uint32_t)(hi % 100000000u);
        digits[0] = (char)('0' + hi / 100000000u);
        vox_put4(digits + 1, mid / 10000);
        vox_put4(digits + 5, mid % 10000);
        vox_put4(digits + 9, lo / 10000);
        vox_put4(digits + 13, lo % 10000);
        int nd = 17;
        while (nd > 1 && digits[nd - 1] == '0') nd--;
        char *p = out;
        if (signbit(v))
            *p++ = '-';
        if (x >= 0) {
            const int ip = x + 1; /* integer digits, all of them significant: x < 15 < 17 */
            memcpy(p, digits, (size_t)ip);
            p += ip;
            if (nd > ip) {
                *p++ = '.';
                memcpy(p, digits + ip, (size_t)(nd - ip));
                p += nd - ip;
            }
        } else {
            memcpy(p, "0.000", (size_t)(1 - x)); /* "0." and -x - 1 zeros */
            p += 1 - x;
            memcpy(p, digits, (size_t)nd);
            p += nd;
        }
        *p = '\0';
        return (size_t)(p - out);
    }
#endif
    const int n = snprintf(out, VOX_FMT_G17_MAX, "%.17g", v);
    return n > 0 ? (size_t)n : 0;
}

#endif
