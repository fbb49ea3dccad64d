/* write_html.c - the data and the text of vox's offline HTML report pages
 * (escaping by context, template filling, the embedded page data) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write_html.h"

/* ---- text: UTF-8 in, escaped out ------------------------------------------------ */

/* The code point at s[*i] (advancing *i), U+FFFD for bytes that are not
 * well-formed UTF-8 (overlong forms, surrogates, > U+10FFFF, truncated
 * sequences: one byte is consumed) and for control characters other than tab,
 * line feed and carriage return. */
static unsigned next_code_point(const unsigned char *s, size_t len, size_t *i)
{
    unsigned c = s[(*i)++];
    if (c < 0x80)
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ? 0xFFFD : c;
    int n = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 ? (c < 0xF0 ? 2 : -1) : c >= 0xC2 ? 1 : -1;
    if (n < 0 || *i + (size_t)n > len)
        return 0xFFFD;
    unsigned cp = c & (0x3F >> n);
    for (int k = 0; k < n; k++) {
        unsigned d = s[*i + (size_t)k];
        if ((d & 0xC0) != 0x80)
            return 0xFFFD;
        cp = cp << 6 | (d & 0x3F);
    }
    static const unsigned least[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *i += (size_t)n;
    return cp < 0xA0 ? 0xFFFD : cp; /* C1 controls: well-formed, one replacement */
}

static void put_utf8(vox_buf *b, unsigned cp)
{
    char o[4];
    if (cp < 0x80) {
        vox_buf_putc(b, (char)cp);
        return;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3F));
        vox_buf_put(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3F)), o[2] = (char)(0x80 | (cp & 0x3F));
        vox_buf_put(b, o, 3);
    } else {
        o[0] = (char)(0xF0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (char)(0x80 | (cp >> 6 & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F));
        vox_buf_put(b, o, 4);
    }
}

void vox_html_text(vox_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned cp = next_code_point(u, len, &i);
        switch (cp) {
        case '&': vox_buf_puts(b, "&amp;"); break;
        case '<': vox_buf_puts(b, "&lt;"); break;
        case '>': vox_buf_puts(b, "&gt;"); break;
        case '"': vox_buf_puts(b, "&quot;"); break;
        case '\'': vox_buf_puts(b, "&#39;"); break;
        default: put_utf8(b, cp);
        }
    }
}

void vox_html_json_string(vox_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)u);
    vox_buf_putc(b, '"');
    for (size_t i = 0; i < len;) {
        unsigned cp = next_code_point(u, len, &i);
        if (cp == '"' || cp == '\\') {
            vox_buf_putc(b, '\\');
            vox_buf_putc(b, (char)cp);
        } else if (cp == '\n') {
            vox_buf_puts(b, "\\n");
        } else if (cp == '\t') {
            vox_buf_puts(b, "\\t");
        } else if (cp == '\r') {
            vox_buf_puts(b, "\\r");
        } else if (cp >= 0x20 && cp < 0x7F && cp != '<' && cp != '>' && cp != '&' && cp != '\'') {
            vox_buf_putc(b, (char)cp);
        } else if (cp < 0x10000) {
            vox_buf_printf(b, "\\u%04x", cp);
        } else { /* a surrogate pair, as JSON spells characters outside the BMP */
            cp -= 0x10000;
            vox_buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        }
    }
    vox_buf_putc(b, '"');
}

/* JSON text inside a script element: the only bytes that could end the
 * element or open a comment are '<' (and '>' '&' for good measure); in valid
 * JSON they can only stand inside strings, where \u escapes mean the same. */
static void put_json_in_script(vox_buf *b, const char *s)
{
    for (;;) {
        size_t n = strcspn(s, "<>&");
        vox_buf_put(b, s, n);
        s += n;
        if (!*s)
            break;
        vox_buf_puts(b, *s == '<' ? "\\u003c" : *s == '>' ? "\\u003e" : "\\u0026");
        s++;
    }
}

vox_status vox_html_fill(vox_ctx *ctx, const char *template_name, const char *tmpl, size_t len,
                         const vox_html_field *fields, size_t n, vox_buf *out)
{
    size_t i = 0;
    while (i < len) {
        const char *open = memmem(tmpl + i, len - i, "{{", 2);
        if (!open) {
            vox_buf_put(out, tmpl + i, len - i);
            break;
        }
        size_t at = (size_t)(open - tmpl);
        vox_buf_put(out, tmpl + i, at - i);
        const char *close = memmem(open + 2, len - at - 2, "}}", 2);
        const char *colon = close ? memchr(open + 2, ':', (size_t)(close - open - 2)) : NULL;
        if (!close || !colon)
            return vox_fail(ctx, VOX_E_INVALID_ARG, "%s: placeholder at byte %zu is not {{text|attr|json:NAME}}",
                            template_name, at);
        size_t kl = (size_t)(colon - open - 2), nl = (size_t)(close - colon - 1);
        int kind = kl == 4 && !memcmp(open + 2, "text", 4) ? 0 : kl == 4 && !memcmp(open + 2, "attr", 4) ? 1
                   : kl == 4 && !memcmp(open + 2, "json", 4) ? 2 : -1;
        const vox_html_field *f = NULL;
        for (size_t k = 0; k < n && !f; k++)
            if (strlen(fields[k].name) == nl && !memcmp(fields[k].name, colon + 1, nl))
                f = &fields[k];
        if (kind < 0 || !f)
            return vox_fail(ctx, VOX_E_INVALID_ARG, "%s: unknown placeholder {{%.*s}} at byte %zu", template_name,
                            (int)(close - open - 2 > 80 ? 80 : close - open - 2), open + 2, at);
        const char *v = f->value ? f->value : "";
        if (kind == 2) put_json_in_script(out, v);
        else vox_html_text(out, v, strlen(v));
        i = (size_t)(close - tmpl) + 2;
    }
    return out->oom ? vox_fail(ctx, VOX_E_NOMEM, "out of memory for the page %s", template_name) : VOX_OK;
}

/* ---- numbers ------------------------------------------------------------------------ */

/* An integer in decimal at p; returns the end.  The page data is mostly
 * integers, written through a stack chunk: printf, or a buffer call per
 * number, would be most of the page's cost. */
static char *fmt_int(char *p, long long v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899"; /* the same as DIGIT_PAIRS below */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    if (v < 0)
        *p++ = '-';
    char t[24], *q = t + sizeof t;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        q -= 2;
        memcpy(q, pairs + 2 * r, 2);
    }
    if (u >= 10) {
        q -= 2;
        memcpy(q, pairs + 2 * u, 2);
    } else {
        *--q = (char)('0' + u);
    }
    size_t n = (size_t)(t + sizeof t - q);
    memcpy(p, q, n);
    return p + n;
}

static void put_int(vox_buf *b, long long v)
{
    char t[24];
    vox_buf_put(b, t, (size_t)(fmt_int(t, v) - t));
}

/* A list of integers, comma-separated, through a stack chunk. */
typedef struct int_writer {
    vox_buf *b;
    char chunk[8192];
    size_t used;
    int first;
} int_writer;

static const char DIGIT_PAIRS[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* Most numbers of a page are deltas under 1000: written without a division loop. */
static inline void ints_put(int_writer *w, long long v)
{
    if (w->used > sizeof w->chunk - 32) {
        vox_buf_put(w->b, w->chunk, w->used);
        w->used = 0;
    }
    char *p = w->chunk + w->used;
    if (!w->first)
        *p++ = ',';
    w->first = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    if (u < 10) {
        if (v < 0) *p++ = '-';
        *p++ = (char)('0' + u);
    } else if (u < 100) {
        if (v < 0) *p++ = '-';
        p[0] = DIGIT_PAIRS[2 * u], p[1] = DIGIT_PAIRS[2 * u + 1];
        p += 2;
    } else if (u < 1000) {
        if (v < 0) *p++ = '-';
        unsigned d = (unsigned)u / 100, r = (unsigned)u % 100;
        p[0] = (char)('0' + d), p[1] = DIGIT_PAIRS[2 * r], p[2] = DIGIT_PAIRS[2 * r + 1];
        p += 3;
    } else {
        p = fmt_int(p, v);
    }
    w->used = (size_t)(p - w->chunk);
}

static void ints_flush(int_writer *w)
{
    vox_buf_put(w->b, w->chunk, w->used);
    w->used = 0;
}

/* A float as the payload (annotation.json) writes its rounded values (the
 * shortest digits that read back, as Python's repr); null when not finite. */
static void put_number(vox_buf *b, double v)
{
    char t[64];
    if (!isfinite(v)) {
        vox_buf_puts(b, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) { /* volumes are whole multiples of a voxel: 45376.0 */
        put_int(b, (long long)v);
        vox_buf_puts(b, ".0");
        return;
    }
    /* most values are rounded to at most 4 decimals (vox_round3_np, vox_round4): when q /
     * 10^4 (correctly rounded) gives the value back, q's digits without trailing zeros are
     * the shortest form, as repr() writes it; others (a volume of 1.25 A voxels) get repr */
    long long q = fabs(v) < 1e14 ? llrint(v * 10000.0) : 0;
    if (!q || (double)q / 10000.0 != v) {
        if (v == 0) {
            vox_buf_puts(b, signbit(v) ? "-0.0" : "0.0");
            return;
        }
        vox_fmt_repr(v, t);
        vox_buf_puts(b, t);
        return;
    }
    unsigned long long u = q < 0 ? 0ULL - (unsigned long long)q : (unsigned long long)q;
    char *p = t;
    if (q < 0) *p++ = '-';
    p = fmt_int(p, (long long)(u / 10000));
    unsigned f = (unsigned)(u % 10000);
    *p++ = '.';
    char d[4] = {(char)('0' + f / 1000), (char)('0' + f / 100 % 10), (char)('0' + f / 10 % 10), (char)('0' + f % 10)};
    int nd = 4;
    while (nd > 1 && d[nd - 1] == '0') nd--;
    memcpy(p, d, (size_t)nd);
    p += nd;
    vox_buf_put(b, t, (size_t)(p - t));
}

/* Points as centi-Å integers, each axis delta-coded against the previous
 * point: neighbouring atoms and voxels are close, so most numbers are short. */
vox_status vox_html_coords(vox_buf *b, const float *xyz, size_t n, const vox_transform *to_input)
{
    enum { CHUNK = 512 };
    struct scratch {
        int_writer w;
        float p[3 * CHUNK];
    } *sc = malloc(sizeof *sc); /* 14 KiB: kept off the stacks of worker threads */
    if (!sc) {
        b->oom = 1;
        return VOX_E_NOMEM;
    }
    sc->w.b = b, sc->w.used = 0, sc->w.first = 1;
    long long last[3] = {0, 0, 0};
    vox_buf_puts(b, "\"xyz\":[");
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        memcpy(sc->p, xyz + 3 * i0, 3 * m * sizeof(float));
        if (to_input)
            vox_transform_to_input(to_input, sc->p, m);
        for (size_t k = 0; k < m; k++)
            for (int a = 0; a < 3; a++) {
                float f = sc->p[3 * k + (size_t)a];
                long long q = fabsf(f) < 1e15f ? llrint((double)f * 100.0) : 0; /* NaN fails the test too */
                ints_put(&sc->w, q - last[a]);
                last[a] = q;
            }
    }
    ints_flush(&sc->w);
    free(sc);
    vox_buf_putc(b, ']');
    return b->oom ? VOX_E_NOMEM : VOX_OK;
}

/* ---- the protein: names, residues, chains ------------------------------------------- */

/* Distinct strings in order of first appearance, found through an
 * open-addressing hash (a hostile file may have as many names as atoms). */
typedef struct interner {
    char (*s)[16]; /* zero-padded: compared and hashed as two 64-bit words */
    size_t n;
    int32_t *slot; /* index + 1, 0: empty */
    size_t mask;
} interner;

static int interner_init(interner *t, size_t max)
{
    (void)max;
    t->n = 0;
    t->mask = 63;
    t->s = malloc(32 * sizeof *t->s);
    t->slot = calloc(64, sizeof *t->slot);
    return t->s && t->slot;
}

/* Twice the room: strings and slots (a hostile file may have as many names as atoms). */
static int interner_grow(interner *t)
{
    size_t cap = 2 * (t->mask + 1);
    char(*s)[16] = realloc(t->s, cap / 2 * sizeof *t->s);
    int32_t *slot = calloc(cap, sizeof *slot);
    if (!s || !slot) {
        free(slot);
        if (s) t->s = s;
        return 0;
    }
    t->s = s;
    free(t->slot);
    t->slot = slot;
    t->mask = cap - 1;
    for (size_t i = 0; i < t->n; i++) {
        uint64_t w[2];
        memcpy(w, t->s[i], 16);
        uint64_t h = (w[0] * 0x9E3779B97F4A7C15ULL) ^ (w[1] * 0xC2B2AE3D27D4EB4FULL);
        h ^= h >> 29;
        size_t k = (size_t)h & t->mask;
        while (t->slot[k]) k = (k + 1) & t->mask;
        t->slot[k] = (int32_t)(i + 1);
    }
    return 1;
}

/* key: 16 bytes, the string zero-padded (at most 15 characters); (size_t)-1
 * when out of memory */
static size_t intern(interner *t, const char key[16])
{
    if (2 * (t->n + 1) > t->mask + 1 && !interner_grow(t))
        return (size_t)-1;
    uint64_t w[2];
    memcpy(w, key, 16);
    uint64_t h = (w[0] * 0x9E3779B97F4A7C15ULL) ^ (w[1] * 0xC2B2AE3D27D4EB4FULL);
    h ^= h >> 29;
    for (size_t k = (size_t)h & t->mask;; k = (k + 1) & t->mask) {
        if (!t->slot[k]) {
            memcpy(t->s[t->n], key, 16);
            t->slot[k] = (int32_t)++t->n;
            return t->n - 1;
        }
        if (!memcmp(t->s[t->slot[k] - 1], key, 16))
            return (size_t)t->slot[k] - 1;
    }
}

/* s (at most 7 characters of it) as an interner key */
static void key_of(char key[16], const char *s)
{
    memset(key, 0, 16);
    memcpy(key, s, strnlen(s, 7));
}

static void put_strings(vox_buf *b, const interner *t)
{
    vox_buf_putc(b, '[');
    for (size_t i = 0; i < t->n; i++) {
        if (i) vox_buf_putc(b, ',');
        vox_html_json_string(b, t->s[i]);
    }
    vox_buf_putc(b, ']');
}

void vox_html_topology(vox_buf *b, const vox_structure *s)
{
    size_t n = vox_structure_atom_count(s);
    interner kinds, resn, chains;
    int ok = interner_init(&kinds, n) & interner_init(&resn, n) & interner_init(&chains, n);
    size_t *kind_of = malloc((n ? n : 1) * sizeof *kind_of);
    vox_buf res = {0};
    if (!ok || !kind_of) {
        b->oom = 1;
        goto out;
    }
    /* residues: runs of atoms with the same chain, number, insertion code and name */
    size_t run = 0;
    const vox_atom *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const vox_atom *a = &s->atoms.a[i];
        /* a kind is the atom name and the element: "name\x1felement" */
        char key[16] = {0}, rk[16], ck[16];
        size_t kn = 0;
        for (; kn < 7 && a->name[kn]; kn++) key[kn] = a->name[kn];
        key[kn++] = '\x1f';
        for (size_t e = 0; e < 3 && a->element[e]; e++) key[kn++] = a->element[e];
        kind_of[i] = intern(&kinds, key);
        if (kind_of[i] == (size_t)-1) {
            b->oom = 1;
            goto out;
        }
        int same = prev && a->hetero == prev->hetero && vox_same_residue(a, prev);
        if (prev && !same) {
            char t[32], *q = t;
            *q++ = ',';
            q = fmt_int(q, (long long)run);
            *q++ = ']';
            vox_buf_put(&res, t, (size_t)(q - t));
            run = 0;
        }
        if (!same) {
            char ic[2] = {a->ins_code && a->ins_code != ' ' ? a->ins_code : '\0', '\0'};
            key_of(rk, a->res_name);
            key_of(ck, a->chain);
            size_t ri = intern(&resn, rk), ci = intern(&chains, ck);
            if (ri == (size_t)-1 || ci == (size_t)-1) {
                b->oom = 1;
                goto out;
            }
            char t[96], *q = t;
            if (res.len) *q++ = ',';
            *q++ = '[';
            q = fmt_int(q, (long long)ri);
            *q++ = ',';
            q = fmt_int(q, (long long)ci);
            *q++ = ',';
            q = fmt_int(q, a->res_id);
            *q++ = ',';
            vox_buf_put(&res, t, (size_t)(q - t));
            if (ic[0]) vox_html_json_string(&res, ic);
            else vox_buf_put(&res, "\"\"", 2);
            vox_buf_put(&res, a->hetero ? ",1" : ",0", 2);
        }
        run++;
        prev = a;
    }
    if (n) {
        vox_buf_putc(&res, ',');
        put_int(&res, (long long)run);
        vox_buf_putc(&res, ']');
    }
    vox_buf_puts(b, "\"kinds\":[");
    for (size_t k = 0; k < kinds.n; k++) {
        char *sep = strchr(kinds.s[k], '\x1f');
        *sep = '\0';
        vox_buf_puts(b, k ? ",[" : "[");
        vox_html_json_string(b, kinds.s[k]);
        vox_buf_putc(b, ',');
        vox_html_json_string(b, sep + 1);
        vox_buf_putc(b, ']');
    }
    vox_buf_puts(b, "],\"resn\":");
    put_strings(b, &resn);
    vox_buf_puts(b, ",\"chains\":");
    put_strings(b, &chains);
    vox_buf_puts(b, ",\"residues\":[");
    vox_buf_put(b, res.data ? res.data : "", res.len);
    vox_buf_puts(b, "],\"atoms\":[");
    int_writer *iw = malloc(sizeof *iw);
    if (iw) {
        iw->b = b, iw->used = 0, iw->first = 1;
        for (size_t i = 0; i < n; i++) ints_put(iw, (long long)kind_of[i]);
        ints_flush(iw);
        free(iw);
    } else {
        b->oom = 1;
    }
    vox_buf_putc(b, ']');
    if (res.oom) b->oom = 1;
out:
    vox_buf_free(&res);
    free(kind_of);
    free(kinds.s), free(kinds.slot);
    free(resn.s), free(resn.slot);
    free(chains.s), free(chains.slot);
}

/* ---- volumes -------------------------------------------------------------------------- */

static int member(const uint32_t *sorted, size_t n, uint32_t f)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < f) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && sorted[lo] == f;
}

/* 1 when voxel f of the volume has a face neighbour outside it (or lies on
 * the grid's edge). */
static int outer_voxel(const uint32_t *flat, size_t n, uint32_t f, const int dims[3])
{
    uint64_t nz = (uint64_t)dims[2], nyz = (uint64_t)dims[1] * nz;
    uint64_t i = f / nyz, j = (f / nz) % (uint64_t)dims[1], k = f % nz;
    if (i == 0 || j == 0 || k == 0 || i + 1 >= (uint64_t)dims[0] || j + 1 >= (uint64_t)dims[1] || k + 1 >= nz)
        return 1;
    const uint64_t step[3] = {nyz, nz, 1};
    for (int a = 0; a < 3; a++)
        if (!member(flat, n, (uint32_t)(f - step[a])) || !member(flat, n, (uint32_t)(f + step[a])))
            return 1;
    return 0;
}

vox_status vox_html_volumes(vox_ctx *ctx, vox_buf *b, const vox_result *r, const vox_transform *to_input,
                            int include_hubs, const int *track_ids)
{
    vox_transform own;
    own.size = sizeof own;
    if (!to_input) {
        vox_result_transform(r, &own);
        to_input = &own;
    }
    int dims[3];
    double res;
    vox_result_grid(r, dims, &res);
    vox_buf_puts(b, "\"volumes\":[");
    size_t shown = 0, cap = 0;
    uint32_t *flat = NULL;
    float *xyz = NULL, *outer = NULL;
    uint32_t *ijk = NULL; /* grid coordinates of a volume's voxels */
    uint8_t *box = NULL;  /* a volume's bounding box, 1 inside the volume */
    uint64_t box_cap = 0;
    vox_status st = VOX_OK;
    for (size_t i = 0; i < vox_result_count(r) && st == VOX_OK; i++) {
        vox_volume v = {.size = sizeof v}; /* the size says which fields the call may fill */
        vox_result_volume(r, i, &v);
        if (v.type == VOX_OCCLUDED || (v.type == VOX_HUB && !include_hubs))
            continue;
        if (v.num_voxels > cap) {
            free(flat), free(xyz), free(outer), free(ijk);
            cap = v.num_voxels;
            flat = malloc(cap * sizeof *flat);
            xyz = malloc(3 * cap * sizeof *xyz);
            outer = malloc(3 * cap * sizeof *outer);
            ijk = malloc(3 * cap * sizeof *ijk);
            if (!flat || !xyz || !outer || !ijk) {
                st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the page's voxels (%zu)", cap);
                break;
            }
        }
        if (v.num_voxels && (vox_result_voxel_indices(r, i, flat) != VOX_OK || vox_result_voxels(r, i, xyz, NULL) != VOX_OK)) {
            st = vox_fail(ctx, VOX_E_INTERNAL, "the voxels of volume %zu cannot be read back", i);
            break;
        }
        size_t no = 0;
        /* the volume's bounding box as a bitmap when it is not huge: one look-up per neighbour */
        uint64_t nz = (uint64_t)dims[2], nyz = (uint64_t)dims[1] * nz;
        uint64_t lo[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX}, hi[3] = {0, 0, 0};
        for (size_t k = 0; k < v.num_voxels; k++) { /* grid coordinates, once */
            uint32_t *c3 = ijk + 3 * k;
            c3[0] = (uint32_t)(flat[k] / nyz), c3[1] = (uint32_t)((flat[k] / nz) % (uint64_t)dims[1]),
            c3[2] = (uint32_t)(flat[k] % nz);
            for (int a = 0; a < 3; a++) {
                if (c3[a] < lo[a]) lo[a] = c3[a];
                if (c3[a] > hi[a]) hi[a] = c3[a];
            }
        }
        uint64_t ext[3] = {hi[0] - lo[0] + 3, hi[1] - lo[1] + 3, hi[2] - lo[2] + 3}; /* a margin of one */
        uint64_t cells = v.num_voxels ? ext[0] * ext[1] * ext[2] : 0;
        if (cells && cells <= ((uint64_t)1 << 26)) {
            if (cells > box_cap) {
                free(box);
                box = malloc((size_t)cells);
                box_cap = box ? cells : 0;
            }
        }
        if (cells && cells <= box_cap) {
            memset(box, 0, (size_t)cells);
            const uint64_t sx = ext[1] * ext[2], sy = ext[2];
            for (size_t k = 0; k < v.num_voxels; k++) {
                const uint32_t *c3 = ijk + 3 * k;
                box[(c3[0] - lo[0] + 1) * sx + (c3[1] - lo[1] + 1) * sy + (c3[2] - lo[2] + 1)] = 1;
            }
            for (size_t k = 0; k < v.num_voxels; k++) {
                const uint32_t *c3 = ijk + 3 * k;
                uint64_t at = (c3[0] - lo[0] + 1) * sx + (c3[1] - lo[1] + 1) * sy + (c3[2] - lo[2] + 1);
                int edge = c3[0] == 0 || c3[1] == 0 || c3[2] == 0 || c3[0] + 1u >= (uint32_t)dims[0] ||
                           c3[1] + 1u >= (uint32_t)dims[1] || c3[2] + 1u >= (uint32_t)dims[2];
                if (edge || !box[at - sx] || !box[at + sx] || !box[at - sy] || !box[at + sy] || !box[at - 1] || !box[at + 1])
                    memcpy(outer + 3 * no++, xyz + 3 * k, 3 * sizeof(float));
            }
        } else {
            for (size_t k = 0; k < v.num_voxels; k++)
                if (outer_voxel(flat, v.num_voxels, flat[k], dims))
                    memcpy(outer + 3 * no++, xyz + 3 * k, 3 * sizeof(float));
        }
        float c[3] = {(float)v.centre[0], (float)v.centre[1], (float)v.centre[2]};
        vox_transform_to_input(to_input, c, 1);
        vox_buf_puts(b, shown++ ? ",{\"type\":\"" : "{\"type\":\"");
        vox_buf_puts(b, vox_volume_type_name(v.type));
        vox_buf_puts(b, "\",\"id\":");
        put_int(b, v.id);
        vox_buf_puts(b, ",\"voxels\":");
        put_int(b, (long long)v.num_voxels);
        vox_buf_puts(b, ",\"volume\":");
        put_number(b, v.volume);
        vox_buf_puts(b, ",\"x\":");
        put_number(b, vox_round3_np(v.x));
        vox_buf_puts(b, ",\"y\":");
        put_number(b, vox_round3_np(v.y));
        vox_buf_puts(b, ",\"z\":");
        put_number(b, vox_round3_np(v.z));
        vox_buf_puts(b, ",\"circularity\":");
        put_number(b, v.has_circularity ? vox_round4(v.circularity) : NAN);
        vox_buf_puts(b, ",\"uniformity\":");
        put_number(b, v.has_uniformity ? vox_round4(v.uniformity) : NAN);
        if (track_ids && track_ids[i] >= 0)
            vox_buf_printf(b, ",\"track\":%d", track_ids[i]);
        vox_buf_puts(b, ",\"centre\":[");
        for (int a = 0; a < 3; a++) { /* centi-Å, as fixed digits */
            long long q = fabsf(c[a]) < 1e15f ? llrint((double)c[a] * 100.0) : 0;
            unsigned long long u = q < 0 ? 0ULL - (unsigned long long)q : (unsigned long long)q;
            vox_buf_puts(b, a ? (q < 0 ? ",-" : ",") : (q < 0 ? "-" : ""));
            put_int(b, (long long)(u / 100));
            char frac[4] = {'.', (char)('0' + u % 100 / 10), (char)('0' + u % 10), '\0'};
            vox_buf_puts(b, frac);
        }
        vox_buf_puts(b, "],\"outer\":");
        put_int(b, (long long)no);
        vox_buf_putc(b, ',');
        st = vox_html_coords(b, outer, no, to_input);
        vox_buf_putc(b, '}');
    }
    free(flat), free(xyz), free(outer), free(box), free(ijk);
    vox_buf_putc(b, ']');
    if (st == VOX_OK && b->oom)
        st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the page data");
    return st;
}

/* ---- a structure page ---------------------------------------------------------------- */

/* The volume table's columns: key, heading, digits (-1: text or integer). */
static const char COLUMNS[] =
    "[[\"type\",\"type\",-1],[\"id\",\"id\",-1],[\"volume\",\"volume (\\u00c5\\u00b3)\",1],[\"voxels\",\"voxels\",-1],"
    "[\"x\",\"x (\\u00c5)\",2],[\"y\",\"y (\\u00c5)\",2],[\"z\",\"z (\\u00c5)\",2],"
    "[\"circularity\",\"circularity\",3],[\"uniformity\",\"uniformity\",3]]";

vox_status vox_html_structure_data(vox_ctx *ctx, const vox_structure *s, const vox_result *r,
                                   const vox_html_info *info, vox_buf *out)
{
    if (!ctx || !s || !r || !info || !out)
        return VOX_E_INVALID_ARG;
    vox_transform t;
    t.size = sizeof t;
    vox_result_transform(r, &t);
    int dims[3];
    double res;
    vox_result_grid(r, dims, &res);
    vox_buf_puts(out, "{\"kind\":\"structure\",\"version\":");
    vox_html_json_string(out, vox_version());
    vox_buf_puts(out, ",\"label\":");
    vox_html_json_string(out, info->label);
    vox_buf_puts(out, ",\"title\":");
    vox_html_json_string(out, info->title);
    vox_buf_puts(out, ",\"input\":");
    vox_html_json_string(out, info->input_path);
    vox_buf_puts(out, ",\"frame\":\"input\",\"resolution\":");
    put_number(out, res);
    vox_buf_printf(out, ",\"grid\":[%d,%d,%d],\"include_hubs\":%s,\"columns\":%s,\"protein\":{", dims[0], dims[1],
                   dims[2], info->include_hubs ? "true" : "false", COLUMNS);
    vox_html_topology(out, s);
    size_t n = vox_structure_atom_count(s);
    float *xyz = malloc(3 * (n ? n : 1) * sizeof *xyz);
    if (!xyz)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the page's %zu atoms", n);
    vox_structure_coords(s, xyz);
    vox_buf_putc(out, ',');
    vox_html_coords(out, xyz, n, &t);
    free(xyz);
    vox_buf_puts(out, "},");
    vox_status st = vox_html_volumes(ctx, out, r, &t, info->include_hubs, NULL);
    vox_buf_putc(out, '}');
    if (st == VOX_OK && out->oom)
        st = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the page data");
    return st;
}
