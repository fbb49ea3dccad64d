/* write_dx.c - OpenDX scalar fields: the shared layout, and one volume's map (README "Descriptors")
 *
 * The layout is the one APBS writes and PyMOL, VMD and ChimeraX read:
 * gridpositions (origin, one delta row per axis), gridconnections, the
 * values three to a line with z fastest, then the field.  Maps in the input
 * frame have rotated delta rows (the aligned axes in input coordinates).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "decimal.h"
#include "internal.h"

/* The most dx_head and dx_tail write: the fixed text (under 400 bytes),
 * the comment and the name, six integers and twelve numbers at their
 * longest (VOX_FMT_FIXED_MAX each, a terminator included). */
static size_t dx_bound(const vox_dx_field *f)
{
    return 512 + strlen(f->comment) + strlen(f->name) + 7 * 21 + 12 * (VOX_FMT_FIXED_MAX + 1);
}

/* The lines before the values at o (room reserved: dx_bound): the comment,
 * the grid (numbers without printf: "%.6f" origin, "%.8f" steps, as buf.c
 * formats them); the end.  Written at a cursor into a buffer reserved
 * once: as some thirty appends it was half of what a map of a small
 * pocket cost. */
static char *dx_head(const vox_dx_field *f, size_t n, char *o)
{
    o = VOX_PUT(o, "# ");
    o = vox_put(o, f->comment, strlen(f->comment));
    for (int obj = 1; obj <= 2; obj++) {
        if (obj == 1)
            o = VOX_PUT(o, "\nobject 1 class gridpositions counts");
        else
            o = VOX_PUT(o, "\nobject 2 class gridconnections counts");
        for (int a = 0; a < 3; a++) {
            *o++ = ' ';
            o += vox_fmt_i64(f->counts[a], o);
        }
        if (obj == 2)
            break;
        o = VOX_PUT(o, "\norigin");
        for (int a = 0; a < 3; a++) {
            *o++ = ' ';
            o += vox_fmt_fixed(f->origin[a], 6, o);
        }
        for (int a = 0; a < 3; a++) {
            o = VOX_PUT(o, "\ndelta");
            for (int c = 0; c < 3; c++) {
                *o++ = ' ';
                o += vox_fmt_fixed(f->delta[a][c], 8, o);
            }
        }
    }
    o = VOX_PUT(o, "\nobject 3 class array type double rank 0 items ");
    o += vox_fmt_u64(n, o);
    return VOX_PUT(o, " data follows\n");
}

/* The lines after the values at o (room reserved: dx_bound): the field;
 * the end. */
static char *dx_tail(const vox_dx_field *f, char *o)
{
    o = VOX_PUT(o, "attribute \"dep\" string \"positions\"\nobject \"");
    o = vox_put(o, f->name, strlen(f->name));
    return VOX_PUT(o, "\" class field\ncomponent \"positions\" value 1\ncomponent \"connections\" value 2\n"
                  "component \"data\" value 3\n");
}

static size_t dx_points(const vox_dx_field *f)
{
    return (size_t)f->counts[0] * (size_t)f->counts[1] * (size_t)f->counts[2];
}

/* dx_head or dx_tail into b. */
static void dx_put(const vox_dx_field *f, size_t n, int head, vox_buf *b)
{
    char *o = vox_buf_tail(b, dx_bound(f));
    if (!o)
        return;
    vox_cursor_end(b, head ? dx_head(f, n, o) : dx_tail(f, o));
}

void vox_render_dx(const vox_dx_field *f, vox_buf *b)
{
    const size_t n = dx_points(f);
    dx_put(f, n, 1, b);
    /* three values to a line, gathered in a local block and appended in pieces */
    char block[4096];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (used > sizeof block - 40) {
            vox_buf_put(b, block, used);
            used = 0;
        }
        used += f->text(f->cookie, i, block + used);
        block[used++] = (i % 3 == 2 || i + 1 == n) ? '\n' : ' ';
    }
    vox_buf_put(b, block, used);
    dx_put(f, n, 0, b);
}

/* s copied to at with its terminator; where the terminator went. */
static char *append(char *at, const char *s)
{
    const size_t n = strlen(s);
    memcpy(at, s, n + 1);
    return at + n;
}

/* The all-zero values' text, 512 periods of "0 0 0\n", copied as often
 * as a map needs: a small map's values are one copy (from one period, by
 * doubling, a 4jpn.pdb map took about ten), and a large map's are copies
 * of 3 kB from a source that stays in the cache (glibc copies a block of
 * some 10 kB or more with rep movsb, one counted instruction a byte). */
#define DX_Z1 "0 0 0\n"
#define DX_Z8 DX_Z1 DX_Z1 DX_Z1 DX_Z1 DX_Z1 DX_Z1 DX_Z1 DX_Z1
#define DX_Z64 DX_Z8 DX_Z8 DX_Z8 DX_Z8 DX_Z8 DX_Z8 DX_Z8 DX_Z8
static const char dx_zeros[] = DX_Z64 DX_Z64 DX_Z64 DX_Z64 DX_Z64 DX_Z64 DX_Z64 DX_Z64;

vox_status vox_render_volume_dx(const vox_result *r, const vox_render_params *p, vox_buf *b)
{
    const vox_group *g = &r->groups[p->volume];
    /* Grid rows (one i and j, z fastest) are found as the voxels pass:
     * a voxel past the row's end starts another, whose i and j are two
     * 32-bit divisions (voxel indices are 32-bit); within a row a voxel
     * costs one comparison.  Asking vox_row_end for each row's end, and
     * dividing 64-bit indices, cost a third of a small map. */
    const uint32_t *const v = g->voxels, nz = (uint32_t)r->dims[2], ny = (uint32_t)r->dims[1];
    const size_t nv = g->n;
    /* the voxels' index box (i and j once a row; k at its ends) */
    long long lo[3] = {r->dims[0], r->dims[1], r->dims[2]}, hi[3] = {-1, -1, -1};
    uint64_t next_row = 0, row_start = 0; /* the current row's first index and the next row's */
    for (size_t u = 0; u < nv; u++) {
        if (v[u] < next_row)
            continue;
        if (u) { /* v[u - 1] ended its row */
            const long long k_last = (long long)(v[u - 1] - row_start);
            if (k_last > hi[2]) hi[2] = k_last;
        }
        const uint32_t row = v[u] / nz, i = row / ny, j = row - i * ny;
        row_start = (uint64_t)row * nz;
        next_row = row_start + nz;
        const long long k0 = (long long)(v[u] - row_start);
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k0 < lo[2]) lo[2] = k0;
    }
    if (nv) {
        const long long k_last = (long long)(v[nv - 1] - row_start);
        if (k_last > hi[2]) hi[2] = k_last;
    }
    if (!g->n)
        for (int a = 0; a < 3; a++) lo[a] = hi[a] = 0;
    /* one voxel of zeros around the volume, so an isosurface closes */
    long long counts[3];
    for (int a = 0; a < 3; a++) {
        lo[a] -= 1;
        counts[a] = hi[a] - lo[a] + 2;
    }
    /* positions: voxel centres lo + (k + 1/2) step of the grid (§6.2, §6.4) */
    double o[3];
    for (int a = 0; a < 3; a++) o[a] = r->origin[a] + ((double)lo[a] + 0.5) * r->step[a];
    vox_dx_field f;
    memset(&f, 0, sizeof f);
    const int input = p->output_frame == VOX_FRAME_INPUT;
    for (int a = 0; a < 3; a++) {
        f.counts[a] = counts[a];
        f.origin[a] = input ? r->rot[0][a] * o[0] + r->rot[1][a] * o[1] + r->rot[2][a] * o[2] + r->centroid[a] : o[a];
        for (int c = 0; c < 3; c++) /* the aligned axis a in input coordinates is row a of the rotation */
            f.delta[a][c] = r->step[a] * (input ? r->rot[a][c] : (double)(a == c));
    }
    /* "vox <type> <id>" names the field, and begins the comment */
    char name[64], comment[160];
    char *e = append(append(name, "vox "), vox_volume_type_name(g->type));
    *e++ = ' ';
    e += vox_fmt_i64(g->id, e);
    *e = '\0';
    append(append(append(append(comment, name), ": 1 inside the volume, 0 around it; "), input ? "input" : "aligned"),
           " frame, positions at voxel centres");
    f.comment = comment;
    f.name = name;
    const size_t n = dx_points(&f), len = 2 * n;
    /* the whole map reserved at once: the head and tail at their longest,
     * and the values */
    char *at = vox_buf_tail(b, 2 * dx_bound(&f) + len);
    if (!at)
        return VOX_E_NOMEM;
    /* The values, z fastest: every point is one character and a separator
     * (a space, a newline after every third and the last), so the text of
     * the all-zero box is "0 0 0\n" over and over, copied from dx_zeros;
     * then each voxel's '0' becomes '1' at twice its index. */
    char *const text = dx_head(&f, n, at);
    for (size_t have = 0; have < len; have += sizeof dx_zeros - 1) /* multiples of the period */
        memcpy(text + have, dx_zeros, len - have < sizeof dx_zeros - 1 ? len - have : sizeof dx_zeros - 1);
    if (len)
        text[len - 1] = '\n';
    /* '1' at twice each voxel's point: point0 + k in its row, where point0
     * (mod 2^64, as row_start is subtracted from it) is the row's k = 0 */
    next_row = 0;
    size_t point0 = 0;
    for (size_t u = 0; u < nv; u++) {
        if (v[u] >= next_row) {
            const uint32_t row = v[u] / nz, i = row / ny, j = row - i * ny;
            row_start = (uint64_t)row * nz;
            next_row = row_start + nz;
            point0 = (size_t)(((long long)i - lo[0]) * counts[1] + ((long long)j - lo[1])) * (size_t)counts[2] -
                     (size_t)lo[2] - (size_t)row_start;
        }
        text[2 * (point0 + v[u])] = '1';
    }
    vox_cursor_end(b, dx_tail(&f, text + len));
    return VOX_OK;
}
