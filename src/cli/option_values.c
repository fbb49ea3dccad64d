/* option_values.c - the numbers and sizes of command-line options, read one way everywhere
 * (option_values.h) */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "option_values.h"

int cli_number(const char *s, double *out)
{
    if (!vox_decimal_text(s, strlen(s)))
        return 0;
    const double v = strtod(s, NULL); /* an underflow (1e-320) is a number near 0: the option's range decides */
    if (!isfinite(v))
        return 0;
    *out = v + 0.0; /* -0 is 0 */
    return 1;
}

int cli_integer(const char *s, long *out)
{
    const char *d = s + (*s == '-' || *s == '+');
    if (!*d)
        return 0;
    for (const char *q = d; *q; q++)
        if (*q < '0' || *q > '9')
            return 0;
    errno = 0;
    const long v = strtol(s, NULL, 10);
    if (errno)
        return 0;
    *out = v;
    return 1;
}

int parse_size(const char *s, unsigned long long *out)
{
    if (!isdigit((unsigned char)*s))
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return 0;
    int shift = 0;
    switch (toupper((unsigned char)*end)) {
    case '\0': break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: return 0;
    }
    if (shift) {
        end++;
        if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib") || !strcmp(end, "b"))
            end += strlen(end);
    }
    /* at most 2^63 - 1: the run's records hold sizes as JSON integers (signed 64-bit) */
    if (*end || v > (0x7fffffffffffffffull >> shift))
        return 0;
    *out = v << shift;
    return 1;
}
