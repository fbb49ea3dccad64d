/* descriptors.c - per-volume descriptors: depth (distance to bulk solvent), openings and boxes,
 * and their read access (README "Descriptors")
 *
 * Depth is an exact Euclidean distance transform in whole voxel steps (one
 * pass per axis, each line taking the minimum of the previous pass' values
 * plus the squared step): the squared distances are integers, so every ISA
 * and thread count gives the same bits.  The grid is padded by one voxel on every side that counts as
 * bulk solvent, because outside the grid is solvent (§9.1 treats the
 * boundary the same way).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "team.h"

/* Squared distances of a padded axis up to this length fit in 32 bits
 * (3 * 32768^2 < 2^32); the envelope's sums and products are formed in 64
 * bits (below 2^33 and 2^48). */
#define MAX_PADDED_AXIS 32768

/* One parabola of a line's lower envelope, (q - vertex)^2 + height, kept
 * as key = height + vertex^2: the lowest of those kept for the integer q
 * from `from` up to the next one's from - 1. */
typedef struct edt_parabola {
    int32_t vertex;
    int32_t from;
    int64_t key;
} edt_parabola;

/* One line's work space: a copy of its values (the results are written in
 * place) and its lower envelope, at most one parabola per value. */
typedef struct edt_line {
    uint32_t *f;
    edt_parabola *env;
} edt_line;

/* The wanted q strictly between the zeros a < b of f, written to
 * out[q * stride]: the minimum over a <= p <= b of (q - p)^2 + f[p], by the
 * lower envelope of these parabolas, built once, left to right, then read
 * at the wanted q: its cost does not grow with the distances, which in a
 * deep cavity make a search outwards from each q long.
 *
 * Two parabolas, p > v, cross once: p is strictly lower at q exactly when
 * q * 2(p - v) > (f[p] + p^2) - (f[v] + v^2), so every comparison is of
 * integers, exact, and the same on every ISA.  Whichever of two equal
 * parabolas is kept gives the same value, so the result is the minimum bit
 * for bit. */
static void edt_envelope(edt_parabola *env, const uint32_t *f, int a, int b, uint32_t *out, size_t stride,
                         const uint8_t *want, size_t want_stride)
{
    /* the zero at a is the lowest at a and never drops out: nothing is
     * strictly below 0 there */
    env[0] = (edt_parabola){.vertex = a, .from = a, .key = (int64_t)a * a};
    int top = 0;
    int64_t p2 = (int64_t)a * a;
    for (int p = a + 1; p <= b; p++) {
        p2 += 2 * (int64_t)p - 1;
        const int64_t key = (int64_t)f[p] + p2;
        const edt_parabola *t = &env[top];
        int64_t num, den;
        /* p lower at t's first q is lower wherever t was the lowest: t
         * drops out */
        while ((num = key - t->key) < (int64_t)t->from * (den = 2 * (int64_t)(p - t->vertex)))
            t = &env[--top];
        /* num >= 0 here, so the division rounds down: p is strictly lower
         * from the first integer above num / den; past b the zero at b is
         * the lowest, and it is always kept (from <= b) */
        const int64_t from = num / den + 1;
        if (from <= b)
            env[++top] = (edt_parabola){.vertex = p, .from = (int32_t)from, .key = key};
    }
    int h = 0;
    for (int q = a + 1; q < b; q++) {
        if (want && !want[(size_t)q * want_stride])
            continue;
        while (h < top && env[h + 1].from <= q) h++;
        /* (q - vertex)^2 + height */
        out[(size_t)q * stride] = (uint32_t)(env[h].key + (int64_t)q * (q - 2 * (int64_t)env[h].vertex));
    }
}

/* out[q] = min over p of (q - p)^2 + f[p], in place on the line of n values
 * from line with stride, whose two ends are 0 (the padding is bulk
 * solvent), only for the q with want[q * want_stride] set (want NULL:
 * every q); the others keep what they held.
 *
 * A zero at p is lowest at every q on its side of any p' beyond it
 * (|q - p| < |q - p'|), so the zeros cut the line into independent
 * segments: those without a wanted q (runs of bulk, the solvent around the
 * structure) cost only their copy. */
static void edt_1d(edt_line *w, uint32_t *line, size_t stride, int n, const uint8_t *want, size_t want_stride)
{
    uint32_t *f = w->f;
    f[0] = line[0];
    int a = 0;
    for (int p = 1; p < n; p++) {
        if ((f[p] = line[(size_t)p * stride]) != 0)
            continue;
        if (p == a + 1) {
            a = p; /* a run of bulk */
            continue;
        }
        int wanted = !want;
        for (int q = a + 1; q < p && !wanted; q++) wanted = want[(size_t)q * want_stride];
        if (wanted)
            edt_envelope(w->env, f, a, p, line, stride, want, want_stride);
        a = p;
    }
}

typedef struct edt_job {
    const uint8_t *state;
    const uint8_t *need;  /* per padded (j, k): 1 when the x-line is read afterwards; NULL: all */
    const uint8_t *want;  /* per padded voxel: 1 where the result is read; NULL: all */
    uint8_t *need_k;      /* per padded k: some x-line at this k is wanted; NULL: all */
    int dims[3];    /* the analysis grid */
    int pd[3];      /* padded: dims + 2 */
    uint32_t *d2;   /* padded grid, flat (i * pd1 + j) * pd2 + k */
    edt_line *lines; /* per thread */
} edt_job;

static size_t padded_index(const edt_job *e, int i, int j, int k)
{
    return ((size_t)i * (size_t)e->pd[1] + (size_t)j) * (size_t)e->pd[2] + (size_t)k;
}

/* Pass 1, along z for the x-plane i.  The input is only bulk or not, so
 * the squared distance to the nearest bulk voxel on the line comes from
 * two sweeps; the padding at both ends is bulk, so every one is finite. */
static void edt_pass_z(void *arg, size_t i, int thread)
{
    edt_job *e = arg;
    (void)thread;
    const int nz = e->pd[2], nk = e->dims[2];
    for (int j = 0; j < e->pd[1]; j++) {
        uint32_t *out = e->d2 + padded_index(e, (int)i, j, 0);
        if ((int)i < 1 || (int)i > e->dims[0] || j < 1 || j > e->dims[1]) {
            memset(out, 0, (size_t)nz * sizeof *out); /* a padding line: all bulk */
            continue;
        }
        const uint8_t *st = e->state + ((size_t)(i - 1) * (size_t)e->dims[1] + (size_t)(j - 1)) * (size_t)nk;
        /* forward: steps since the last bulk voxel; backward: the smaller of both */
        uint32_t run = 0;
        out[0] = 0;
        for (int k = 1; k <= nk; k++) {
            run = (st[k - 1] & VOX_V_EXPOSED) ? 0 : run + 1;
            out[k] = run;
        }
        out[nz - 1] = 0;
        run = 0;
        for (int k = nk; k >= 1; k--) {
            run = out[k] == 0 ? 0 : run + 1;
            if (run < out[k]) out[k] = run;
        }
        for (int k = 1; k <= nk; k++) out[k] *= out[k];
    }
}

/* Pass 2, along y for the x-plane i: the columns k that a wanted x-line
 * passes through, and in them only the j of wanted x-lines (pass 3 reads
 * nothing else). */
static void edt_pass_y(void *arg, size_t i, int thread)
{
    edt_job *e = arg;
    for (int k = 0; k < e->pd[2]; k++)
        if (!e->need_k || e->need_k[k])
            edt_1d(&e->lines[thread], e->d2 + padded_index(e, (int)i, 0, k), (size_t)e->pd[2], e->pd[1],
                   e->need ? e->need + k : NULL, (size_t)e->pd[2]);
}

/* Pass 3, along x for the y-plane j: only the lines read afterwards, and
 * in them only the wanted voxels. */
static void edt_pass_x(void *arg, size_t j, int thread)
{
    edt_job *e = arg;
    const size_t stride = (size_t)e->pd[1] * (size_t)e->pd[2];
    for (int k = 0; k < e->pd[2]; k++)
        if (!e->need || e->need[j * (size_t)e->pd[2] + (size_t)k])
            edt_1d(&e->lines[thread], e->d2 + padded_index(e, 0, (int)j, k), stride, e->pd[0],
                   e->want ? e->want + padded_index(e, 0, (int)j, k) : NULL, stride);
}

vox_status vox_bulk_distance2(vox_ctx *ctx, const uint8_t *state, const int dims[3], const uint8_t *need,
                              const uint8_t *want, uint32_t *d2)
{
    edt_job e;
    memset(&e, 0, sizeof e);
    e.state = state;
    e.need = need;
    e.want = want;
    e.d2 = d2;
    int longest = 0;
    for (int a = 0; a < 3; a++) {
        e.dims[a] = dims[a];
        e.pd[a] = dims[a] + 2;
        if (e.pd[a] > longest) longest = e.pd[a];
    }
    if (longest > MAX_PADDED_AXIS)
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                        "descriptors: the grid has %d voxels along an axis; depths are computed up to %d",
                        longest - 2, MAX_PADDED_AXIS - 2);
    const int width = vox_team_width(ctx->team, 0, (size_t)longest);
    e.lines = calloc((size_t)width, sizeof *e.lines);
    if (need)
        e.need_k = calloc((size_t)e.pd[2], 1);
    vox_status rc = VOX_OK;
    if (!e.lines || (need && !e.need_k)) {
        free(e.lines);
        free(e.need_k);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    }
    if (need)
        for (size_t jk = 0; jk < (size_t)e.pd[1] * (size_t)e.pd[2]; jk++)
            e.need_k[jk % (size_t)e.pd[2]] |= need[jk];
    for (int t = 0; t < width && rc == VOX_OK; t++)
        if (!(e.lines[t].env = malloc((size_t)longest * sizeof *e.lines[t].env)) ||
            !(e.lines[t].f = malloc((size_t)longest * sizeof *e.lines[t].f)))
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    if (rc == VOX_OK) {
        /* each item owns whole lines: any thread count writes the same bytes */
        vox_team_run(ctx->team, width, (size_t)e.pd[0], VOX_SCHED_STATIC, edt_pass_z, &e);
        vox_team_run(ctx->team, width, (size_t)e.pd[0], VOX_SCHED_STATIC, edt_pass_y, &e);
        vox_team_run(ctx->team, width, (size_t)e.pd[1], VOX_SCHED_STATIC, edt_pass_x, &e);
    }
    for (int t = 0; t < width; t++) {
        free(e.lines[t].env);
        free(e.lines[t].f);
    }
    free(e.lines);
    free(e.need_k);
    return rc;
}

/* Depth of every group: s * sqrt(squared voxel steps to the nearest bulk
 * solvent voxel), max and mean over its voxels in their stored order. */
static vox_status depths(vox_ctx *ctx, const uint8_t *state, vox_result *r)
{
    const size_t pd[3] = {(size_t)r->dims[0] + 2, (size_t)r->dims[1] + 2, (size_t)r->dims[2] + 2};
    /* the components' queue is free once the groups exist */
    uint32_t *d2 = vox_scratch_get(&ctx->ws[VOX_WS_QUEUE], pd[0] * pd[1] * pd[2] * sizeof *d2);
    if (!d2)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    /* only the group voxels are read: per padded voxel, and their x-lines */
    uint8_t *need = calloc(pd[1] * pd[2], 1), *want = calloc(pd[0] * pd[1] * pd[2], 1);
    if (!need || !want) {
        free(need);
        free(want);
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
    }
    const size_t nyz = (size_t)r->dims[1] * r->dims[2];
    for (size_t gi = 0; gi < r->n; gi++)
        for (size_t t = 0; t < r->groups[gi].n; t++) {
            const size_t f = r->groups[gi].voxels[t], yz = f % nyz;
            const size_t line = (yz / (size_t)r->dims[2] + 1) * pd[2] + yz % (size_t)r->dims[2] + 1;
            need[line] = 1;
            want[(f / nyz + 1) * pd[1] * pd[2] + line] = 1;
        }
    vox_status rc = vox_bulk_distance2(ctx, state, r->dims, need, want, d2);
    free(need);
    free(want);
    if (rc != VOX_OK)
        return rc;
    const double s = r->resolution;
    const size_t sx = (size_t)r->dims[1] * r->dims[2], sy = (size_t)r->dims[2];
    for (size_t gi = 0; gi < r->n; gi++) {
        vox_group *g = &r->groups[gi];
        double sum = 0.0, best = 0.0;
        for (size_t t = 0; t < g->n; t++) {
            const size_t f = g->voxels[t];
            const size_t i = f / sx + 1, j = (f / sy) % (size_t)r->dims[1] + 1, k = f % sy + 1;
            /* the padding is bulk solvent, so every distance is finite */
            const double d = s * sqrt((double)d2[(i * pd[1] + j) * pd[2] + k]);
            sum += d;
            if (d > best) best = d;
        }
        g->d.depth_max = best;
        g->d.depth_mean = g->n ? sum / (double)g->n : 0.0;
    }
    return VOX_OK;
}

vox_status vox_describe_groups(vox_ctx *ctx, const vox_structure *st, const uint8_t *state, vox_result *r)
{
    if (r->n == 0) {
        r->has_desc = 1;
        return VOX_OK;
    }
    vox_status rc = depths(ctx, state, r);
    if (rc != VOX_OK)
        return rc;
    const size_t total = (size_t)r->dims[0] * (size_t)r->dims[1] * (size_t)r->dims[2];
    /* the component labels are free too: they become the voxel -> group map */
    int32_t *map = vox_scratch_get(&ctx->ws[VOX_WS_LABELS], total * sizeof *map);
    if (!map)
        return vox_fail(ctx, VOX_E_NOMEM, "out of memory for the lining atoms");
    rc = vox_find_lining(ctx, st, r, map);
    if (rc == VOX_OK)
        r->has_desc = 1;
    return rc;
}

/* ---- read access ------------------------------------------------------- */

static const vox_group *described(const vox_result *r, size_t index)
{
    return r && r->has_desc && index < r->n ? &r->groups[index] : NULL;
}

vox_status vox_result_descriptors(const vox_result *r, size_t index, vox_descriptors *out)
{
    const vox_group *g = described(r, index);
    if (!g || !out || out->size == 0)
        return VOX_E_INVALID_ARG;
    vox_descriptors d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.depth_max = g->d.depth_max;
    d.depth_mean = g->d.depth_mean;
    d.num_lining_atoms = g->d.nlining;
    d.num_lining_residues = g->d.nresidues;
    d.has_hydropathy = g->d.has_hydropathy;
    d.hydropathy = g->d.has_hydropathy ? g->d.hydropathy : NAN;
    const double n = (double)g->d.nlining;
    d.apolar_fraction = g->d.nlining ? (double)g->d.apolar / n : 0.0;
    d.polar_fraction = g->d.nlining ? (double)g->d.polar / n : 0.0;
    d.charged_fraction = g->d.nlining ? (double)g->d.charged / n : 0.0;
    d.has_openings = g->has_mouths;
    d.num_openings = g->has_mouths ? g->nmouths : 0;
    uint64_t faces = 0;
    for (size_t m = 0; m < d.num_openings; m++) faces += g->mouth_faces[m];
    d.opening_area = (double)faces * r->resolution * r->resolution;
    size_t len = out->size < sizeof d ? out->size : sizeof d;
    memcpy(out, &d, len);
    out->size = len;
    return VOX_OK;
}

size_t vox_result_lining_atoms(const vox_result *r, size_t index, size_t *atoms)
{
    const vox_group *g = described(r, index);
    if (!g)
        return 0;
    if (atoms && g->d.nlining)
        memcpy(atoms, g->d.lining, g->d.nlining * sizeof *atoms);
    return g->d.nlining;
}

size_t vox_result_lining_residues(const vox_result *r, size_t index, size_t *first_atoms)
{
    const vox_group *g = described(r, index);
    if (!g)
        return 0;
    if (first_atoms && g->d.nresidues)
        memcpy(first_atoms, g->d.residues, g->d.nresidues * sizeof *first_atoms);
    return g->d.nresidues;
}

size_t vox_result_openings(const vox_result *r, size_t index, double *areas)
{
    const vox_group *g = described(r, index);
    if (!g || !g->has_mouths)
        return 0;
    if (areas)
        for (size_t m = 0; m < g->nmouths; m++)
            areas[m] = (double)g->mouth_faces[m] * r->resolution * r->resolution;
    return g->nmouths;
}

/* The centre c of a voxel taken into the boxes of the voxel centres, [0]
 * aligned, [1] input frame (input = R^T aligned + centroid). */
static inline void bounds_add(const vox_result *r, const float c[3], double lo[2][3], double hi[2][3])
{
    for (int a = 0; a < 3; a++) {
        const double al = c[a];
        const double in =
            r->rot[0][a] * (double)c[0] + r->rot[1][a] * (double)c[1] + r->rot[2][a] * (double)c[2] + r->centroid[a];
        if (al < lo[0][a]) lo[0][a] = al;
        if (al > hi[0][a]) hi[0][a] = al;
        if (in < lo[1][a]) lo[1][a] = in;
        if (in > hi[1][a]) hi[1][a] = in;
    }
}

static int ascending(const float *v, int n)
{
    for (int i = 1; i < n; i++)
        if (!(v[i - 1] <= v[i]))
            return 0;
    return 1;
}

/* The voxel cubes' boxes: the extreme voxel centres, then half a voxel
 * edge along each grid axis.  In the input frame each centre is mapped with
 * the result's transform and a cube of half edges h reaches
 * sum_b |R[b][a]| h[b] along input axis a.
 *
 * Only the first and last voxel of each grid row (one i and j, k
 * ascending) are looked at when the centres ascend along z, as the grid's
 * edges make them: along a row c[0] and c[1] are fixed, and each coordinate
 * of either frame is c[2] through correctly rounded operations that are
 * each monotone in it (a product by a fixed factor, sums with fixed terms),
 * so it moves one way along the row and the row's ends hold its extremes;
 * they are computed by the same code from the same voxels as when every
 * voxel was visited.  (Where an end and an inner voxel tie at +0 and -0
 * the zero kept may differ; the half voxel taken away or added next makes
 * them one number.) */
void vox_volume_bounds(const vox_result *r, size_t index, double lo[2][3], double hi[2][3])
{
    const vox_group *g = &r->groups[index];
    for (int f = 0; f < 2; f++)
        for (int a = 0; a < 3; a++) {
            lo[f][a] = INFINITY;
            hi[f][a] = -INFINITY;
        }
    const size_t row = (size_t)r->dims[2];
    const int by_rows = ascending(r->centres[2], r->dims[2]);
    for (size_t t = 0, e; t < g->n; t = e) {
        e = by_rows ? vox_row_end(g->voxels, g->n, t, row) : t + 1;
        /* the centres as vox_voxel_centre reads them, i and j once a row */
        const size_t f = g->voxels[t], ij = f / row;
        float c[3] = {r->centres[0][ij / (size_t)r->dims[1]], r->centres[1][ij % (size_t)r->dims[1]],
                      r->centres[2][f % row]};
        bounds_add(r, c, lo, hi);
        if (e - 1 > t) {
            c[2] = r->centres[2][g->voxels[e - 1] % row];
            bounds_add(r, c, lo, hi);
        }
    }
    for (int a = 0; a < 3; a++) {
        double reach_al = 0.5 * r->step[a], reach_in = 0.0;
        for (int b = 0; b < 3; b++) reach_in += fabs(r->rot[b][a]) * 0.5 * r->step[b];
        if (!g->n)
            lo[0][a] = hi[0][a] = lo[1][a] = hi[1][a] = 0.0;
        lo[0][a] -= reach_al;
        hi[0][a] += reach_al;
        lo[1][a] -= reach_in;
        hi[1][a] += reach_in;
    }
}

vox_status vox_result_box(const vox_result *r, size_t index, vox_output_frame frame, double padding, vox_box *out)
{
    if (!r || !out || out->size == 0 || index >= r->n || !isfinite(padding) || padding < 0.0 ||
        (frame != VOX_FRAME_ALIGNED && frame != VOX_FRAME_INPUT))
        return VOX_E_INVALID_ARG;
    double lo[2][3], hi[2][3];
    vox_volume_bounds(r, index, lo, hi);
    const int f = frame == VOX_FRAME_INPUT;
    vox_box b;
    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    for (int a = 0; a < 3; a++) {
        b.lo[a] = lo[f][a] - padding;
        b.hi[a] = hi[f][a] + padding;
        b.centre[a] = 0.5 * (b.lo[a] + b.hi[a]);
        b.extent[a] = b.hi[a] - b.lo[a];
    }
    size_t len = out->size < sizeof b ? out->size : sizeof b;
    memcpy(out, &b, len);
    out->size = len;
    return VOX_OK;
}
