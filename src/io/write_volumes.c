/* write_volumes.c - <label>.volumes.json: every volume with its descriptors, lining residues and
 * atoms, and its boxes in the input and the aligned frame (README "Descriptors")
 *
 * Strings from the structure file go through vox_json_string (every
 * control character, quote and backslash escaped, bytes that are not UTF-8
 * as lone surrogates, as Python's json writes them), so the document parses
 * everywhere and round-trips every name.  The lining atoms are listed once
 * in a table ("atoms", rows of "atom_fields") and each volume names them by
 * index: a document for thousands of lining atoms stays small and quick to
 * write.  Lengths are written with 3 decimals (mÅ), fractions and the
 * hydropathy with 4, formatted here without printf.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "internal.h"

/* Output through a local block: most of the document is short pieces
 * (numbers, names, punctuation), appended here and handed to the buffer in
 * kilobytes. */
typedef struct jw {
    vox_buf *b;
    size_t n;
    size_t flushes; /* how often the block went to the buffer (put_residue's copies) */
    char block[8192];
} jw;

static void jw_flush(jw *w)
{
    vox_buf_put(w->b, w->block, w->n);
    w->n = 0;
    w->flushes++;
}

/* Room for n more characters (n <= 512). */
static inline char *jw_room(jw *w, size_t n)
{
    if (w->n + n > sizeof w->block)
        jw_flush(w);
    return w->block + w->n;
}

static inline void jw_raw(jw *w, const char *s, size_t n)
{
    if (n > 512) {
        jw_flush(w);
        vox_buf_put(w->b, s, n);
        return;
    }
    memcpy(jw_room(w, n), s, n); /* no call for the literals: their length is known */
    w->n += n;
}

#define jw_lit(w, s) jw_raw((w), (s), sizeof(s) - 1)

static void jw_c(jw *w, char c)
{
    *jw_room(w, 1) = c;
    w->n++;
}

/* Integers straight into the block (decimal.h). */
static inline void jw_uint(jw *w, unsigned long long v)
{
    char *o = jw_room(w, 20);
    w->n += vox_fmt_u64(v, o);
}

/* A literal and an integer, one room check for both. */
static inline void jw_lit_uint_(jw *w, const char *lit, size_t n, unsigned long long v)
{
    char *o = jw_room(w, n + 20);
    memcpy(o, lit, n);
    w->n += n + vox_fmt_u64(v, o + n);
}

#define jw_lit_uint(w, s, v) jw_lit_uint_((w), (s), sizeof(s) - 1, (v))

static inline void jw_int(jw *w, long long v)
{
    char *o = jw_room(w, 21);
    w->n += vox_fmt_i64(v, o);
}

/* v with dec decimals (rounded half to even on v * 10^dec, as rint does;
 * not printf's rounding of v's exact value), null when not finite. */
static void jw_fixed(jw *w, double v, int dec)
{
    static const double scale[5] = {1, 10, 100, 1000, 10000};
    if (!isfinite(v)) {
        jw_lit(w, "null");
        return;
    }
    const double x = v * scale[dec];
    if (!(fabs(x) < 9e15)) { /* beyond any length or fraction written here; keep printf's answer */
        char tmp[400];
        int n = snprintf(tmp, sizeof tmp, "%.*f", dec, v);
        jw_raw(w, tmp, n > 0 ? (size_t)n : 0);
        return;
    }
    /* a negative x that rounds to zero gives +0 here: no sign written */
    const double m = vox_rint_exact(x);
    const unsigned long long u = (unsigned long long)fabs(m), unit = vox_pow10_u64[dec], ip = u / unit;
    char *o = jw_room(w, 32), *p = o;
    if (m < 0) *p++ = '-';
    p += vox_fmt_u64(ip, p);
    if (dec) {
        unsigned long long f = u - ip * unit;
        *p = '.';
        for (int i = dec; i >= 1; i--, f /= 10) p[i] = (char)('0' + f % 10);
        p += dec + 1;
    }
    w->n += (size_t)(p - o);
}

/* Python's repr, the shortest exact digits (slow: a few numbers only). */
static void jw_repr(jw *w, double v)
{
    char s[64];
    vox_fmt_repr(v, s);
    jw_raw(w, s, strlen(s));
}

/* Every digit (the transform): "%.17g", with a point. */
static void jw_exact(jw *w, double v)
{
    char s[40];
    int n = snprintf(s, sizeof s, "%.17g", v == 0.0 ? 0.0 : v);
    jw_raw(w, s, (size_t)n);
    if (!strpbrk(s, ".en"))
        jw_lit(w, ".0");
}

/* The bytes a JSON string holds as they are: printable ASCII but the quote
 * and the backslash (json.dumps writes these so, with ensure_ascii). */
static const uint8_t json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00: control characters */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: the quote escaped */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: the backslash escaped */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: DEL escaped; 0x80 on: not ASCII */
};

/* A name: plain (json_plain) bytes are copied as they are scanned, anything
 * else, or a name of 60 characters or more, escaped by vox_json_string. */
static void jw_str(jw *w, const char *s)
{
    char *o = jw_room(w, 64);
    size_t n = 0;
    unsigned char c;
    o[0] = '"';
    while (json_plain[c = (unsigned char)s[n]] && n < 60) o[++n] = (char)c;
    if (c) { /* a byte to escape, or a long name */
        jw_flush(w);
        vox_json_string(w->b, s);
        return;
    }
    o[n + 1] = '"';
    w->n += n + 2;
}

static void jw_puts(jw *w, const char *s) { jw_raw(w, s, strlen(s)); }

static void jw_printf(jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jw_printf(jw *w, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        jw_raw(w, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void put_vec(jw *b, const double v[3], int dec)
{
    jw_c(b, '[');
    for (int a = 0; a < 3; a++) {
        if (a) jw_lit(b, ", ");
        jw_fixed(b, v[a], dec);
    }
    jw_c(b, ']');
}

static size_t input_index(const vox_structure *s, size_t i) { return s->kept ? s->kept[i] : i; }

/* The residue fields of atom i: chain, number, insertion code, name. */
static void put_residue(jw *b, const vox_structure *s, size_t i)
{
    const vox_atom *a = &s->atoms.a[i];
    char ins[2] = {a->ins_code, '\0'};
    jw_str(b, a->chain);
    jw_lit(b, ", ");
    jw_int(b, a->res_id);
    jw_lit(b, ", ");
    jw_str(b, ins);
    jw_lit(b, ", ");
    jw_str(b, a->res_name);
}

/* The atoms table's residue fields: a residue's atoms follow one another,
 * so the text written for the first is copied for the rest
 * (vox_same_residue compares exactly the fields put_residue writes). */
typedef struct residue_memo {
    const vox_atom *atom; /* the atom whose residue text holds; NULL: none */
    size_t len;
    char text[192]; /* four names escaped, a number: 140 characters at most */
} residue_memo;

static void put_residue_memo(jw *b, const vox_structure *s, size_t i, residue_memo *m)
{
    const vox_atom *a = &s->atoms.a[i];
    if (m->atom && vox_same_residue(a, m->atom)) {
        jw_raw(b, m->text, m->len);
        return;
    }
    /* written into the block in one piece, to be copied from it; kept only
     * if it was (no name escaped straight into the buffer) */
    jw_room(b, sizeof m->text);
    const size_t at = b->n, flushes = b->flushes;
    put_residue(b, s, i);
    m->atom = NULL;
    if (b->flushes == flushes && b->n - at <= sizeof m->text) {
        m->atom = a;
        m->len = b->n - at;
        memcpy(m->text, b->block + at, m->len);
    }
}

static void put_boxes(jw *b, const vox_result *r, size_t index, double padding)
{
    static const char *const frames[2] = {"input", "aligned"};
    static const int slot[2] = {1, 0}; /* vox_volume_bounds: [0] aligned, [1] input */
    double lo[2][3], hi[2][3];
    vox_volume_bounds(r, index, lo, hi);
    jw_lit(b, "      \"bounding_box\": {");
    for (int f = 0; f < 2; f++) {
        if (f) jw_lit(b, ", ");
        jw_c(b, '"');
        jw_puts(b, frames[f]);
        jw_lit(b, "\": {\"min\": ");
        put_vec(b, lo[slot[f]], 3);
        jw_lit(b, ", \"max\": ");
        put_vec(b, hi[slot[f]], 3);
        jw_c(b, '}');
    }
    /* the docking box is the bounding box grown by the padding on every side */
    jw_lit(b, "},\n      \"docking_box\": {");
    for (int f = 0; f < 2; f++) {
        double centre[3], size[3];
        for (int a = 0; a < 3; a++) {
            const double l = lo[slot[f]][a] - padding, h = hi[slot[f]][a] + padding;
            centre[a] = 0.5 * (l + h);
            size[a] = h - l;
        }
        if (f) jw_lit(b, ", ");
        jw_c(b, '"');
        jw_puts(b, frames[f]);
        jw_lit(b, "\": {\"center\": ");
        put_vec(b, centre, 3);
        jw_lit(b, ", \"size\": ");
        put_vec(b, size, 3);
        jw_c(b, '}');
    }
    jw_lit(b, "},\n");
}

static void put_volume(jw *b, const vox_structure *s, const vox_result *r, size_t index, double padding)
{
    const vox_group *g = &r->groups[index];
    vox_descriptors d;
    d.size = sizeof d;
    vox_result_descriptors(r, index, &d);
    jw_lit(b, "    {\n      \"id\": ");
    jw_int(b, g->id);
    jw_lit(b, ", \"type\": \"");
    jw_puts(b, vox_volume_type_name(g->type));
    jw_lit(b, "\", \"num_voxels\": ");
    jw_uint(b, g->n);
    jw_lit(b, ", \"volume\": ");
    jw_fixed(b, g->volume, 3);
    jw_lit(b, ",\n      \"depth\": {\"max\": ");
    jw_fixed(b, d.depth_max, 3);
    jw_lit(b, ", \"mean\": ");
    jw_fixed(b, d.depth_mean, 3);
    jw_lit(b, "},\n      \"hydropathy\": ");
    jw_fixed(b, d.has_hydropathy ? d.hydropathy : NAN, 4);
    jw_lit(b, ",\n      \"lining_atom_fractions\": {\"apolar\": ");
    jw_fixed(b, d.apolar_fraction, 4);
    jw_lit(b, ", \"polar\": ");
    jw_fixed(b, d.polar_fraction, 4);
    jw_lit(b, ", \"charged\": ");
    jw_fixed(b, d.charged_fraction, 4);
    jw_lit(b, "},\n      \"openings\": ");
    if (d.has_openings) {
        jw_lit(b, "{\"count\": ");
        jw_uint(b, d.num_openings);
        jw_lit(b, ", \"area\": ");
        jw_fixed(b, d.opening_area, 3);
        jw_lit(b, ", \"areas\": [");
        for (size_t m = 0; m < g->nmouths; m++) {
            if (m) jw_lit(b, ", ");
            jw_fixed(b, (double)g->mouth_faces[m] * r->resolution * r->resolution, 3);
        }
        jw_lit(b, "]}");
    } else {
        jw_lit(b, "null");
    }
    jw_lit(b, ",\n");
    put_boxes(b, r, index, padding);
    jw_lit(b, "      \"lining_residues\": [");
    for (size_t t = 0; t < g->d.nresidues; t++) {
        jw_puts(b, t ? ", [" : "[");
        put_residue(b, s, g->d.residues[t]);
        jw_lit(b, ", ");
        jw_uint(b, g->d.residues[t]);
        jw_c(b, ']');
    }
    jw_lit(b, "],\n      \"lining_atoms\": [");
    for (size_t t = 0; t < g->d.nlining; t++) {
        if (t) jw_lit_uint(b, ", ", g->d.lining[t]);
        else jw_uint(b, g->d.lining[t]);
    }
    jw_lit(b, "]\n    }");
}

static int shown(const vox_group *g, int include_hubs) { return g->type != VOX_HUB || include_hubs; }

vox_status vox_render_volumes_json(const vox_structure *s, const vox_result *r, const vox_render_params *p,
                                   vox_buf *out)
{
    jw w;
    w.b = out;
    w.n = 0;
    w.flushes = 0;
    jw *b = &w;
    /* the atoms that line any volume written, each once */
    uint8_t *lines = calloc(s->atoms.n ? s->atoms.n : 1, 1);
    if (!lines)
        return VOX_E_NOMEM;
    for (size_t i = 0; i < r->n; i++)
        if (shown(&r->groups[i], p->include_hubs))
            for (size_t t = 0; t < r->groups[i].d.nlining; t++) lines[r->groups[i].d.lining[t]] = 1;
    jw_printf(b, "{\n  \"format\": \"vox-volumes\",\n  \"schema\": 1,\n  \"vox_version\": \"%s\",\n  \"source\": ",
                   vox_version());
    if (p->source) jw_str(b, p->source);
    else jw_lit(b, "null");
    jw_lit(b, ",\n  \"resolution\": ");
    jw_repr(b, r->resolution);
    jw_lit(b, ",\n  \"box_padding\": ");
    jw_repr(b, p->box_padding);
    jw_lit(b, ",\n  \"hydropathy_scale\": \"Kyte-Doolittle\",\n  \"input_to_aligned\": {\"rotation\": [");
    for (int a = 0; a < 3; a++) {
        jw_puts(b, a ? ", [" : "[");
        for (int c = 0; c < 3; c++) {
            if (c) jw_lit(b, ", ");
            jw_exact(b, r->rot[a][c]);
        }
        jw_c(b, ']');
    }
    jw_lit(b, "], \"centroid\": [");
    for (int c = 0; c < 3; c++) {
        if (c) jw_lit(b, ", ");
        jw_exact(b, r->centroid[c]);
    }
    jw_puts(b, "]},\n  \"atom_fields\": [\"index\", \"input_index\", \"chain\", \"res_id\", \"ins_code\", "
                    "\"res_name\", \"atom_name\", \"element\"],\n"
                    "  \"residue_fields\": [\"chain\", \"res_id\", \"ins_code\", \"res_name\", \"first_atom\"],\n"
                    "  \"atoms\": [");
    int first = 1;
    residue_memo memo;
    memo.atom = NULL;
    for (size_t i = 0; i < s->atoms.n; i++) {
        if (!lines[i])
            continue;
        const vox_atom *a = &s->atoms.a[i];
        if (!first) jw_c(b, ',');
        first = 0;
        jw_lit_uint(b, "\n    [", i);
        jw_lit_uint(b, ", ", input_index(s, i));
        jw_lit(b, ", ");
        put_residue_memo(b, s, i, &memo);
        jw_lit(b, ", ");
        jw_str(b, a->name);
        jw_lit(b, ", ");
        jw_str(b, a->element);
        jw_c(b, ']');
    }
    free(lines);
    jw_puts(b, first ? "],\n  \"volumes\": [" : "\n  ],\n  \"volumes\": [");
    size_t count = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!shown(&r->groups[i], p->include_hubs))
            continue;
        jw_puts(b, count++ ? ",\n" : "\n");
        put_volume(b, s, r, i, p->box_padding);
    }
    jw_puts(b, count ? "\n  ]\n}\n" : "]\n}\n");
    jw_flush(b);
    return out->oom ? VOX_E_NOMEM : VOX_OK;
}
