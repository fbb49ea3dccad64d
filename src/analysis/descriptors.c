/* descriptors.c - per-volume descriptors: depth (distance to bulk solvent), openings and boxes,
 * and their read access (README "Descriptors")
 *
 * Depth is an exact Euclidean distance transform in whole voxel steps: the
 * squared distances are integers, so every ISA and thread count gives the
 * same bits.  The grid is padded by one voxel on every side that counts as
 * bulk solvent, because outside the grid is solvent (§9.1 treats the
 * boundary the same way).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "team.h"

#define FAR_D2 UINT32_MAX /* no bulk solvent on the lines seen so far */
/* Squared distances of a padded axis up to this length fit in 32 bits
 * (3 * 32768^2 < 2^32), and the exact rational comparisons of the lower
 * envelope in 64 bits (8 * 32768^3 < 2^63). */
#define MAX_PADDED_AXIS 32768

/* One line's work space: per point the input, the envelope's sites and
 * the boundaries between them as fractions num/den (den > 0). */
typedef struct edt_line {
    int64_t *f, *num, *den;
    int *site;
    uint32_t *out;
} edt_line;

/* d[q] = min over p with f[p] >= 0 of (q - p)^2 + f[p]; FAR_D2 when every
 * f[p] < 0.  The lower envelope of the parabolas rooted at p (Felzenszwalb
 * and Huttenlocher's construction), with the intersections kept as exact
 * fractions instead of floating point. */
static void edt_1d(edt_line *w, int n)
{
    const int64_t *f = w->f;
    int k = -1;
    for (int q = 0; q < n; q++) {
        if (f[q] < 0)
            continue;
        int64_t num = 0, den = 1;
        while (k >= 0) {
            const int p = w->site[k];
            num = (f[q] + (int64_t)q * q) - (f[p] + (int64_t)p * p);
            den = 2 * (int64_t)(q - p);
            /* the parabola of p is hidden when q's overtakes it before p's own boundary */
            if (k > 0 && num * w->den[k] <= w->num[k] * den)
                k--;
            else
                break;
        }
        k++;
        w->site[k] = q;
        w->num[k] = num;
        w->den[k] = den;
    }
    if (k < 0) {
        for (int q = 0; q < n; q++) w->out[q] = FAR_D2;
        return;
    }
    int j = 0;
    for (int q = 0; q < n; q++) {
        while (j < k && w->num[j + 1] < (int64_t)q * w->den[j + 1])
            j++;
        const int64_t d = q - w->site[j];
        w->out[q] = (uint32_t)(d * d + f[w->site[j]]);
    }
}

typedef struct edt_job {
    const uint8_t *state;
    int dims[3];    /* the analysis grid */
    int pd[3];      /* padded: dims + 2 */
    uint32_t *d2;   /* padded grid, flat (i * pd1 + j) * pd2 + k */
    edt_line *lines; /* per thread */
} edt_job;

static size_t padded_index(const edt_job *e, int i, int j, int k)
{
    return ((size_t)i * (size_t)e->pd[1] + (size_t)j) * (size_t)e->pd[2] + (size_t)k;
}

/* Pass 1, along z for the x-plane i: 0 at bulk solvent, then distances. */
static void edt_pass_z(void *arg, size_t i, int thread)
{
    edt_job *e = arg;
    edt_line *w = &e->lines[thread];
    const int nz = e->pd[2];
    for (int j = 0; j < e->pd[1]; j++) {
        const int inner_ij = (int)i >= 1 && (int)i <= e->dims[0] && j >= 1 && j <= e->dims[1];
        for (int k = 0; k < nz; k++) {
            int bulk = 1;
            if (inner_ij && k >= 1 && k <= e->dims[2]) {
                size_t f = ((size_t)(i - 1) * (size_t)e->dims[1] + (size_t)(j - 1)) * (size_t)e->dims[2] +
                           (size_t)(k - 1);
                bulk = (e->state[f] & VOX_V_EXPOSED) != 0;
            }
            w->f[k] = bulk ? 0 : -1;
        }
        edt_1d(w, nz);
        memcpy(e->d2 + padded_index(e, (int)i, j, 0), w->out, (size_t)nz * sizeof *w->out);
    }
}

static void edt_gather(edt_line *w, const uint32_t *src, size_t stride, int n)
{
    for (int q = 0; q < n; q++) {
        uint32_t v = src[(size_t)q * stride];
        w->f[q] = v == FAR_D2 ? -1 : (int64_t)v;
    }
}

/* Pass 2, along y for the x-plane i. */
static void edt_pass_y(void *arg, size_t i, int thread)
{
    edt_job *e = arg;
    edt_line *w = &e->lines[thread];
    for (int k = 0; k < e->pd[2]; k++) {
        uint32_t *base = e->d2 + padded_index(e, (int)i, 0, k);
        edt_gather(w, base, (size_t)e->pd[2], e->pd[1]);
        edt_1d(w, e->pd[1]);
        for (int q = 0; q < e->pd[1]; q++) base[(size_t)q * (size_t)e->pd[2]] = w->out[q];
    }
}

/* Pass 3, along x for the y-plane j. */
static void edt_pass_x(void *arg, size_t j, int thread)
{
    edt_job *e = arg;
    edt_line *w = &e->lines[thread];
    const size_t stride = (size_t)e->pd[1] * (size_t)e->pd[2];
    for (int k = 0; k < e->pd[2]; k++) {
        uint32_t *base = e->d2 + padded_index(e, 0, (int)j, k);
        edt_gather(w, base, stride, e->pd[0]);
        edt_1d(w, e->pd[0]);
        for (int q = 0; q < e->pd[0]; q++) base[(size_t)q * stride] = w->out[q];
    }
}

/* Depth of every group: s * sqrt(squared voxel steps to the nearest bulk
 * solvent voxel), max and mean over its voxels in their stored order. */
static vox_status depths(vox_ctx *ctx, const uint8_t *state, vox_result *r)
{
    edt_job e;
    memset(&e, 0, sizeof e);
    e.state = state;
    int longest = 0;
    for (int a = 0; a < 3; a++) {
        e.dims[a] = r->dims[a];
        e.pd[a] = r->dims[a] + 2;
        if (e.pd[a] > longest) longest = e.pd[a];
    }
    if (longest > MAX_PADDED_AXIS)
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                        "descriptors: the grid has %d voxels along an axis; depths are computed up to %d",
                        longest - 2, MAX_PADDED_AXIS - 2);
    const size_t total = (size_t)e.pd[0] * (size_t)e.pd[1] * (size_t)e.pd[2];
    /* the components' queue is free once the groups exist */
    e.d2 = vox_scratch_get(&ctx->ws[VOX_WS_QUEUE], total * sizeof *e.d2);
    const int width = vox_team_width(ctx->team, 0, (size_t)longest);
    e.lines = calloc((size_t)width, sizeof *e.lines);
    vox_status rc = VOX_OK;
    if (!e.d2 || !e.lines) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
        goto out;
    }
    for (int t = 0; t < width; t++) {
        edt_line *w = &e.lines[t];
        w->f = malloc((size_t)longest * sizeof *w->f);
        w->num = malloc((size_t)longest * sizeof *w->num);
        w->den = malloc((size_t)longest * sizeof *w->den);
        w->site = malloc((size_t)longest * sizeof *w->site);
        w->out = malloc((size_t)longest * sizeof *w->out);
        if (!w->f || !w->num || !w->den || !w->site || !w->out) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the depths");
            goto out;
        }
    }
    /* each item owns whole lines: any thread count writes the same bytes */
    vox_team_run(ctx->team, width, (size_t)e.pd[0], VOX_SCHED_STATIC, edt_pass_z, &e);
    vox_team_run(ctx->team, width, (size_t)e.pd[0], VOX_SCHED_STATIC, edt_pass_y, &e);
    vox_team_run(ctx->team, width, (size_t)e.pd[1], VOX_SCHED_STATIC, edt_pass_x, &e);
    const double s = r->resolution;
    const size_t sx = (size_t)r->dims[1] * r->dims[2], sy = (size_t)r->dims[2];
    for (size_t gi = 0; gi < r->n; gi++) {
        vox_group *g = &r->groups[gi];
        double sum = 0.0, best = 0.0;
        for (size_t t = 0; t < g->n; t++) {
            const size_t f = g->voxels[t];
            const int i = (int)(f / sx), j = (int)((f / sy) % (size_t)r->dims[1]), k = (int)(f % sy);
            /* every grid has an exposed voxel or a padded face, so d2 is finite */
            const double d = s * sqrt((double)e.d2[padded_index(&e, i + 1, j + 1, k + 1)]);
            sum += d;
            if (d > best) best = d;
        }
        g->d.depth_max = best;
        g->d.depth_mean = g->n ? sum / (double)g->n : 0.0;
    }
out:
    if (e.lines)
        for (int t = 0; t < width; t++) {
            free(e.lines[t].f); free(e.lines[t].num); free(e.lines[t].den);
            free(e.lines[t].site); free(e.lines[t].out);
        }
    free(e.lines);
    return rc;
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

/* The voxel cubes' box: the extreme voxel centres, then half a voxel edge
 * along each grid axis.  In the input frame each centre is mapped with the
 * result's transform (input = R^T aligned + centroid) and a cube of half
 * edges h reaches sum_b |R[b][a]| h[b] along input axis a. */
vox_status vox_result_box(const vox_result *r, size_t index, vox_output_frame frame, double padding, vox_box *out)
{
    if (!r || !out || out->size == 0 || index >= r->n || !isfinite(padding) || padding < 0.0 ||
        (frame != VOX_FRAME_ALIGNED && frame != VOX_FRAME_INPUT))
        return VOX_E_INVALID_ARG;
    const vox_group *g = &r->groups[index];
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY}, reach[3];
    for (int a = 0; a < 3; a++) {
        reach[a] = 0.5 * r->step[a];
        if (frame == VOX_FRAME_INPUT) {
            reach[a] = 0.0;
            for (int b = 0; b < 3; b++) reach[a] += fabs(r->rot[b][a]) * 0.5 * r->step[b];
        }
    }
    for (size_t t = 0; t < g->n; t++) {
        float c[3];
        vox_voxel_centre(r, g->voxels[t], c);
        double p[3] = {c[0], c[1], c[2]};
        if (frame == VOX_FRAME_INPUT)
            for (int a = 0; a < 3; a++)
                p[a] = r->rot[0][a] * (double)c[0] + r->rot[1][a] * (double)c[1] + r->rot[2][a] * (double)c[2] +
                       r->centroid[a];
        for (int a = 0; a < 3; a++) {
            if (p[a] < lo[a]) lo[a] = p[a];
            if (p[a] > hi[a]) hi[a] = p[a];
        }
    }
    vox_box b;
    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    for (int a = 0; a < 3; a++) {
        if (!g->n) lo[a] = hi[a] = 0.0;
        b.lo[a] = lo[a] - reach[a] - padding;
        b.hi[a] = hi[a] + reach[a] + padding;
        b.centre[a] = 0.5 * (b.lo[a] + b.hi[a]);
        b.extent[a] = b.hi[a] - b.lo[a];
    }
    size_t len = out->size < sizeof b ? out->size : sizeof b;
    memcpy(out, &b, len);
    out->size = len;
    return VOX_OK;
}
