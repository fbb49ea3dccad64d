/* numparse.c - decimal fields of structure files, parsed exactly and fast
 *
 * Coordinates are written like "-12.345": at most a sign, 15 digits and a
 * point.  Such a number is m / 10^f with m < 2^53 and f <= 22, both exact
 * doubles, so one IEEE division gives the correctly rounded double, which
 * is exactly what strtod (and Python's float()) return.  Anything else -
 * exponents, long mantissas, inf/nan - goes through strtod.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static size_t digits_at(const char *s, const char *e)
{
    const char *q = s;
    while (q < e && (unsigned)(*q - '0') < 10) q++;
    return (size_t)(q - s);
}

int vox_decimal_text(const char *s, size_t n)
{
    const char *e = s + n;
    s += s < e && (*s == '-' || *s == '+');
    size_t whole = digits_at(s, e), frac = 0;
    s += whole;
    if (s < e && *s == '.') {
        frac = digits_at(++s, e);
        s += frac;
    }
    if (!whole && !frac)
        return 0;
    if (s < e && (*s == 'e' || *s == 'E')) {
        s++;
        s += s < e && (*s == '-' || *s == '+');
        const size_t exp = digits_at(s, e);
        if (!exp)
            return 0;
        s += exp;
    }
    return s == e;
}

int vox_parse_number(const char *s, size_t n, double *out)
{
    const char *e = s + n;
    while (s < e && (*s == ' ' || *s == '\t')) s++; /* trim */
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    if (s == e)
        return 0;
    const int neg = *s == '-';
    const char *q = s + (*s == '-' || *s == '+');
    const char *first = q;
    uint64_t m = 0;
    while (q < e && (unsigned)(*q - '0') < 10) m = m * 10 + (uint64_t)(*q++ - '0');
    size_t digits = (size_t)(q - first), frac = 0;
    if (q < e && *q == '.') {
        const char *point = ++q;
        while (q < e && (unsigned)(*q - '0') < 10) m = m * 10 + (uint64_t)(*q++ - '0');
        frac = (size_t)(q - point);
        digits += frac;
    }
    if (q == e && digits > 0 && digits <= 15 && frac <= 22) {
        double v = (double)m / pow10_exact[frac];
        *out = neg ? -v : v;
        return 1;
    }
    /* the general case: exponents, long mantissas, and every malformed text */
    /* what strtod would also read but a number field never holds: a NUL inside it (strtod stopped
     * there: "2\0.646" was 2), C's hexadecimal (0x1p4), inf, nan */
    char buf[64];
    n = (size_t)(e - s);
    if (n >= sizeof buf || !vox_decimal_text(s, n))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}
