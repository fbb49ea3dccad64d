/* fmt.c - number and string formatting that matches pandas, Python and numpy byte for byte */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixed3.h"
#include "internal.h"

/* pandas' to_json goes through ultrajson's "modp" routine with
 * double_precision = 10 (ALGORITHM.md §13.1).  It rounds the fraction with
 * its own half-even rule on a scaled double, which is NOT printf's
 * correctly rounded decimal conversion, so it is reproduced step by step. */
void vox_fmt_modp(double value, char out[64])
{
    const double thres_max = 1e16 - 1;
    const uint64_t pow10 = 10000000000ull;
    double v = value < 0 ? -value : value;
    if (v > thres_max || (v != 0.0 && v < 1e-15)) {
        snprintf(out, 64, "%.10g", value);
        return;
    }
    uint64_t whole = (uint64_t)v;
    double tmp = (v - (double)whole) * (double)pow10;
    uint64_t frac = (uint64_t)tmp;
    double diff = tmp - (double)frac;
    if (diff > 0.5) {
        frac++;
    } else if (diff == 0.5 && (frac == 0 || (frac & 1))) {
        frac++;
    }
    if (frac >= pow10) {
        frac = 0;
        whole++;
    }
    /* "[-]whole.frac" with frac's 10 digits less its trailing zeros ("%llu"
     * and "%010llu" without printf): the ten digits two per lookup, then
     * the zeros taken off their end (a digit at a time, with a division
     * each, this was most of what a number cost) */
    char digits[10];
    const unsigned hi = (unsigned)(frac / 100000), lo = (unsigned)(frac % 100000); /* frac < 10^10 */
    digits[0] = (char)('0' + hi / 10000);
    memcpy(digits + 1, vox_digit_pairs + 2 * (hi % 10000 / 100), 2);
    memcpy(digits + 3, vox_digit_pairs + 2 * (hi % 100), 2);
    digits[5] = (char)('0' + lo / 10000);
    memcpy(digits + 6, vox_digit_pairs + 2 * (lo % 10000 / 100), 2);
    memcpy(digits + 8, vox_digit_pairs + 2 * (lo % 100), 2);
    size_t places = 10;
    while (places > 1 && digits[places - 1] == '0')
        places--;
    char *p = out;
    if (value < 0)
        *p++ = '-';
    p += vox_fmt_u64(whole, p);
    *p++ = '.';
    memcpy(p, digits, places);
    p[places] = '\0';
}

/* Python's repr of v when v reads back from a decimal with at most four
 * places and 1e-4 <= |v| < 1e9 (what vox's tables hold: volumes, and
 * coordinates and shape figures rounded to 3 or 4 places): 1 and the text,
 * else 0.  Exact, not a guess: m / 10^4 in binary64 is the correctly
 * rounded value of that decimal, as strtod gives it, so the test below is
 * "the decimal reads back to v"; and no other decimal with as few digits
 * does, since two decimals that both read back to v are within 2 ulp of
 * each other (< 3e-7 below 1e9) while distinct ones with at most four
 * places, or with fewer digits on the other side of a power of ten, are
 * 1e-5 apart at least.  So it is the shortest, which Python prints, in
 * fixed notation as Python does in this range. */
static int repr_four_places(double v, char out[64])
{
    const double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e9))
        return 0;
    const double scaled = a * 10000.0, r = (scaled + 0x1p52) - 0x1p52; /* nearest integer: < 1e13 < 2^52 */
    const uint64_t m = (uint64_t)r;
    if ((double)m / 10000.0 != a)
        return 0;
    uint64_t whole = m / 10000;
    unsigned frac = (unsigned)(m % 10000), places = 4;
    while (places > 1 && frac % 10 == 0) {
        frac /= 10;
        places--;
    }
    char tmp[32], *e = tmp + sizeof tmp, *p = e;
    for (unsigned i = 0; i < places; i++, frac /= 10) *--p = (char)('0' + frac % 10);
    *--p = '.';
    do {
        *--p = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    if (signbit(v)) *--p = '-';
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 1;
}

/* Python's float repr: the shortest digit string that reads back to the
 * same double, in fixed notation when the decimal exponent is in [-4, 16). */
void vox_fmt_repr(double v, char out[64])
{
    if (isnan(v)) { strcpy(out, "NaN"); return; }
    if (isinf(v)) { strcpy(out, v > 0 ? "Infinity" : "-Infinity"); return; }
    if (v == 0.0) { strcpy(out, signbit(v) ? "-0.0" : "0.0"); return; }
    if (repr_four_places(v, out))
        return;
    char e[40];
    for (int p = 0; p <= 16; p++) {
        snprintf(e, sizeof e, "%.*e", p, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e = [-]d[.ddd]e±XX */
    const char *s = e;
    int neg = 0;
    if (*s == '-') { neg = 1; s++; }
    char digits[24];
    int nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.')
            digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int exp10 = atoi(s + 1);
    int decpt = exp10 + 1;
    char *o = out;
    if (neg) *o++ = '-';
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            o += sprintf(o, "0.");
            for (int i = 0; i < -decpt; i++) *o++ = '0';
            o += sprintf(o, "%s", digits);
        } else if (decpt >= nd) {
            o += sprintf(o, "%s", digits);
            for (int i = nd; i < decpt; i++) *o++ = '0';
            o += sprintf(o, ".0");
        } else {
            memcpy(o, digits, (size_t)decpt);
            o += decpt;
            *o++ = '.';
            o += sprintf(o, "%s", digits + decpt);
        }
        *o = '\0';
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            o += sprintf(o, "%s", digits + 1);
        }
        sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

/* Python round(v, 4): glibc's printf rounds the exact binary value
 * correctly (ties to even), which is what Python's round does. */
double vox_round4(double v)
{
    char s[64];
    snprintf(s, sizeof s, "%.4f", v);
    return strtod(s, NULL);
}

double vox_round3_np(double v) { return rint(v * 1000.0) / 1000.0; }

static void put_u16(vox_buf *b, unsigned u)
{
    vox_buf_printf(b, "\\u%04x", u & 0xFFFFu);
}

/* json.dumps(ensure_ascii=True): escapes quotes, backslash, control
 * characters and every non-ASCII code point.  A byte that is not part of
 * valid UTF-8 becomes a lone surrogate, as Python's surrogateescape file
 * names do (replaced NULL: what volumizer's own JSON files hold), or U+FFFD
 * (replaced not NULL, set to 1 when one was written: Unicode text, which
 * every JSON parser takes; strict ones such as cJSON refuse a lone
 * surrogate). */
static void json_string(vox_buf *b, const char *str, int *replaced)
{
    const unsigned char *s = (const unsigned char *)str;
    vox_buf_putc(b, '"');
    while (*s) {
        unsigned c = *s;
        if (c < 0x80) {
            switch (c) {
            case '"': vox_buf_puts(b, "\\\""); break;
            case '\\': vox_buf_puts(b, "\\\\"); break;
            case '\n': vox_buf_puts(b, "\\n"); break;
            case '\r': vox_buf_puts(b, "\\r"); break;
            case '\t': vox_buf_puts(b, "\\t"); break;
            case '\b': vox_buf_puts(b, "\\b"); break;
            case '\f': vox_buf_puts(b, "\\f"); break;
            default:
                if (c < 0x20) put_u16(b, c);
                else vox_buf_putc(b, (char)c);
            }
            s++;
            continue;
        }
        int len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        unsigned cp = len == 4 ? c & 7 : len == 3 ? c & 15 : c & 31;
        int ok = len > 0;
        for (int i = 1; ok && i < len; i++) {
            if ((s[i] & 0xC0) != 0x80) ok = 0;
            else cp = (cp << 6) | (s[i] & 0x3F);
        }
        if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
            ok = 0;
        if (!ok) {
            if (replaced) *replaced = 1;
            put_u16(b, replaced ? 0xFFFDu : 0xDC00u | c);
            s++;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_u16(b, 0xD800u | (cp >> 10));
            put_u16(b, 0xDC00u | (cp & 0x3FF));
        } else {
            put_u16(b, cp);
        }
        s += len;
    }
    vox_buf_putc(b, '"');
}

void vox_json_string(vox_buf *b, const char *str) { json_string(b, str, NULL); }

void vox_json_text(vox_buf *b, const char *str, int *replaced) { json_string(b, str, replaced); }

double vox_record_value(double v)
{
    char s[64];
    vox_fmt_modp(v, s);
    return strtod(s, NULL);
}
