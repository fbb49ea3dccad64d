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

int vox_parse_number(const char *s, size_t n, double *out)
{
    /* trim */
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (!n)
        return 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    uint64_t m = 0;
    int digits = 0, frac = 0, seen_point = 0, ok = i < n;
    for (; i < n && ok; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            m = m * 10 + (uint64_t)(c - '0');
            digits++;
            frac += seen_point;
        } else if (c == '.' && !seen_point) {
            seen_point = 1;
        } else {
            ok = 0;
        }
    }
    if (ok && digits > 0 && digits <= 15 && frac <= 22) {
        double v = (double)m / pow10_exact[frac];
        *out = neg ? -v : v;
        return 1;
    }
    /* the general case: exponents, long mantissas, and every malformed text */
    char buf[64];
    if (n >= sizeof buf)
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
