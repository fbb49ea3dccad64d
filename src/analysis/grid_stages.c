/* grid_stages.c - binning, occlusion and first shell on a team of threads (grid_stages.h) */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "grid_stages.h"

vox_stage_plan vox_plan_for(const vox_ctx *ctx, vox_tuned_kernel tk, size_t voxels)
{
    const vox_setting *s = &ctx->tuning->s[tk][vox_size_class_of(voxels)];
    vox_stage_plan p;
    /* an ISA asked for by name (option, VOX_ISA) wins over the profile's per-kernel choice */
    p.k = ctx->isa_forced || !vox_isa_usable(s->isa) ? ctx->k : &ctx->tables[s->isa];
    p.threads = s->threads;
    p.tile_kib = s->tile_kib;
    return p;
}

vox_tiling vox_tile_grid(const vox_team *team, const vox_stage_plan *plan, const int dims[3], int bytes_per_voxel)
{
    vox_tiling t;
    int w = vox_team_width(team, plan->threads, (size_t)dims[0]);
    t.planes = vox_tile_planes(dims, bytes_per_voxel, plan->tile_kib, w);
    t.ntiles = ((size_t)dims[0] + (size_t)t.planes - 1) / (size_t)t.planes;
    t.width = vox_team_width(team, plan->threads, t.ntiles);
    return t;
}

void vox_tile_range(const vox_tiling *t, int nx, size_t tile, int *i0, int *i1)
{
    *i0 = (int)(tile * (size_t)t->planes);
    *i1 = *i0 + t->planes < nx ? *i0 + t->planes : nx;
}

/* ---- binning: owner-computes by x-slab -------------------------------- */

typedef struct bin_job {
    const vox_kernels *k;
    const vox_shells *sh;
    const vox_grid_axes *g;
    uint8_t *occ;
    vox_tiling t;
    int *cut; /* slab s: planes [cut[s], cut[s+1]) */
} bin_job;

/* Slab boundaries 0 = cut[0] < ... < cut[nslabs] = nx giving every slab
 * about the same total weight (weight[i]: the work of plane i); every slab
 * keeps at least one plane (nslabs <= nx). */
static void balance_cuts(const double *weight, int nx, int *cut, size_t nslabs)
{
    double total = 0;
    for (int i = 0; i < nx; i++) total += weight[i];
    cut[0] = 0;
    double run = 0;
    int i = 0;
    for (size_t s = 1; s < nslabs; s++) {
        double want = total * (double)s / (double)nslabs;
        while (i < nx && run + weight[i] <= want) run += weight[i++];
        int lo = cut[s - 1] + 1, hi = nx - (int)(nslabs - s);
        cut[s] = i < lo ? lo : i > hi ? hi : i;
        while (i < cut[s]) run += weight[i++]; /* pushed forward: keep the running sum in step */
    }
    cut[nslabs] = nx;
}

/* Binning slabs with about the same number of points: a protein is thicker
 * in the middle than at its ends, so equal planes would give the middle
 * threads most of the work.  The points of a sphere are spread evenly along
 * any axis (Archimedes' hat-box theorem), so each atom adds its points
 * evenly to the planes of [c - r, c + r], r its element's largest radius
 * (a difference array: O(atoms + planes)). */
static void balance_bin_slabs(const vox_shells *sh, const vox_grid_axes *g, int *cut, size_t nslabs)
{
    const int nx = g->n[0];
    double *weight = calloc((size_t)nx + 1, sizeof *weight);
    if (!weight) { /* equal planes then */
        for (size_t s = 0; s <= nslabs; s++) cut[s] = (int)((size_t)nx * s / nslabs);
        return;
    }
    for (size_t e = 0; e < sh->nelem; e++) {
        double points = 1.0, r = 0.0;
        for (size_t q = 0; q < sh->nsets; q++)
            if ((size_t)sh->sets[q].elem == e) {
                points += sh->sets[q].n;
                if (sh->sets[q].radius > r) r = sh->sets[q].radius;
            }
        for (size_t a = sh->elem_start[e]; a < sh->elem_start[e + 1]; a++) {
            double t0 = ((double)sh->elem_cx[a] - r - g->lo[0]) * g->inv_step[0];
            double t1 = ((double)sh->elem_cx[a] + r - g->lo[0]) * g->inv_step[0];
            int i0 = t0 <= 0.0 ? 0 : t0 >= nx - 1 ? nx - 1 : (int)t0;
            int i1 = t1 <= 0.0 ? 0 : t1 >= nx - 1 ? nx - 1 : (int)t1;
            double each = points / (double)(i1 - i0 + 1);
            weight[i0] += each;
            weight[i1 + 1] -= each;
        }
    }
    for (int i = 1; i < nx; i++) weight[i] += weight[i - 1];
    balance_cuts(weight, nx, cut, nslabs);
    free(weight);
}

/* First index in x[lo, hi) (ascending) with x >= v; with v = nextafter(u,
 * INFINITY), the first with x > u. */
static size_t lower_bound(const float *x, size_t lo, size_t hi, double v)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)x[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Below this many offsets a set is binned the plain way, vectorised over
 * the atoms: per-atom windows would leave the vector lanes empty. */
#define VOX_BIN_WINDOW_MIN_OFFSETS 32

/* Bins the points of atoms [a0, a1) (ascending x) and offsets o (ascending
 * x) that can land in [xlo, xhi], which already holds a voxel of margin for
 * the f32 rounding of c + o; the kernel drops the points outside the slab's
 * planes, so a wider choice costs time, never correctness.
 *
 * For one atom c the offsets that can reach the slab are the contiguous
 * run with x in [xlo - c, xhi - c], so the slab costs about its own points
 * whatever its width.  That run goes to the kernel as its "atoms", with c
 * as its one "offset": fl32(o + c) is fl32(c + o) (IEEE addition is
 * commutative), and the kernel vectorises over the offsets instead. */
static void bin_atoms(const bin_job *j, size_t a0, size_t a1, const float *o[3], size_t noff, float omin,
                      float omax, double xlo, double xhi, int i0, int i1)
{
    const vox_shells *sh = j->sh;
    const float *cx = sh->elem_cx, *cy = cx + sh->natoms, *cz = cy + sh->natoms;
    size_t b = lower_bound(cx, a0, a1, xlo - (double)omax);
    const size_t end = lower_bound(cx, b, a1, nextafter(xhi - (double)omin, INFINITY));
    if ((isinf(xlo) && isinf(xhi)) || noff < VOX_BIN_WINDOW_MIN_OFFSETS) {
        if (end > b)
            j->k->bin_points(cx + b, cy + b, cz + b, end - b, o[0], o[1], o[2], noff, j->g, i0, i1, j->occ);
        return;
    }
    for (; b < end; b++) {
        size_t o0 = lower_bound(o[0], 0, noff, xlo - (double)cx[b]);
        size_t o1 = lower_bound(o[0], o0, noff, nextafter(xhi - (double)cx[b], INFINITY));
        if (o1 > o0)
            j->k->bin_points(o[0] + o0, o[1] + o0, o[2] + o0, o1 - o0, cx + b, cy + b, cz + b, 1, j->g, i0, i1, j->occ);
    }
}

static void bin_tile(void *arg, size_t tile, int thread)
{
    (void)thread;
    const bin_job *j = arg;
    const vox_grid_axes *g = j->g;
    const int i0 = j->cut[tile], i1 = j->cut[tile + 1];
    const size_t plane = (size_t)g->n[1] * g->n[2];
    memset(j->occ + (size_t)i0 * plane, 0, (size_t)(i1 - i0) * plane); /* first touch by the owner */
    const double margin = g->step[0];
    const double xlo = i0 == 0 ? -INFINITY : g->edges[0][i0] - margin;
    const double xhi = i1 == g->n[0] ? INFINITY : g->edges[0][i1] + margin;
    const vox_shells *sh = j->sh;
    static const float zero = 0.0f;
    const float *centre[3] = {&zero, &zero, &zero};
    for (size_t e = 0; e < sh->nelem; e++)
        bin_atoms(j, sh->elem_start[e], sh->elem_start[e + 1], centre, 1, 0.0f, 0.0f, xlo, xhi, i0, i1);
    for (size_t q = 0; q < sh->nsets; q++) {
        const vox_shell_set *set = &sh->sets[q];
        const float *o[3] = {set->ox, set->oy, set->oz};
        bin_atoms(j, sh->elem_start[set->elem], sh->elem_start[set->elem + 1], o, (size_t)set->n, set->omin[0],
                  set->omax[0], xlo, xhi, i0, i1);
    }
}

void vox_stage_bin(vox_team *team, const vox_stage_plan *plan, const vox_shells *sh, const vox_grid_axes *g,
                   uint8_t *occ)
{
    bin_job j = {plan->k, sh, g, occ, vox_tile_grid(team, plan, g->n, vox_tuned_kernel_bytes_per_voxel(VOX_TK_BIN_POINTS)),
                 NULL};
    int one[2] = {0, g->n[0]};
    j.cut = j.t.ntiles > 1 ? malloc((j.t.ntiles + 1) * sizeof *j.cut) : NULL;
    if (j.cut) {
        balance_bin_slabs(sh, g, j.cut, j.t.ntiles);
    } else {
        j.cut = one; /* one slab (or no memory for more): the whole grid */
        j.t.ntiles = 1;
        j.t.width = 1;
    }
    vox_team_run(team, j.t.width, j.t.ntiles, VOX_SCHED_STATIC, bin_tile, &j);
    if (j.cut != one)
        free(j.cut);
}

/* ---- occlusion: per-thread x-line extremes, merged, then the state ----- */

typedef struct occ_job {
    const vox_kernels *k;
    const uint8_t *occ;
    const int *dims;
    uint8_t *state;
    vox_line_extremes e;   /* the merged extremes (minx/maxx: thread 0's partial) */
    int32_t *partials;     /* threads 1..width-1: minx then maxx, ny*nz each */
    size_t nlines;         /* ny * nz */
    size_t merge_chunk;
    vox_tiling t;
} occ_job;

static void occ_partial(const occ_job *j, int thread, int32_t **mn, int32_t **mx)
{
    if (thread == 0) {
        *mn = j->e.minx;
        *mx = j->e.maxx;
    } else {
        *mn = j->partials + (size_t)(thread - 1) * 2 * j->nlines;
        *mx = *mn + j->nlines;
    }
}

static void occ_init(void *arg, size_t item, int thread)
{
    (void)thread;
    const occ_job *j = arg;
    int32_t *mn, *mx;
    occ_partial(j, (int)item, &mn, &mx);
    for (size_t t = 0; t < j->nlines; t++) { mn[t] = INT32_MAX; mx[t] = -1; }
}

static void occ_lines(void *arg, size_t tile, int thread)
{
    const occ_job *j = arg;
    int i0, i1;
    vox_tile_range(&j->t, j->dims[0], tile, &i0, &i1);
    vox_line_extremes e = j->e;
    occ_partial(j, thread, &e.minx, &e.maxx);
    j->k->line_extremes(j->occ, j->dims, i0, i1, &e);
}

/* min / max are exact and order-free: the merge gives the same lines for any thread count */
static void occ_merge(void *arg, size_t chunk, int thread)
{
    (void)thread;
    const occ_job *j = arg;
    size_t t0 = chunk * j->merge_chunk, t1 = t0 + j->merge_chunk < j->nlines ? t0 + j->merge_chunk : j->nlines;
    for (int p = 1; p < j->t.width; p++) {
        int32_t *mn, *mx;
        occ_partial(j, p, &mn, &mx);
        for (size_t t = t0; t < t1; t++) {
            j->e.minx[t] = mn[t] < j->e.minx[t] ? mn[t] : j->e.minx[t];
            j->e.maxx[t] = mx[t] > j->e.maxx[t] ? mx[t] : j->e.maxx[t];
        }
    }
}

static void occ_state(void *arg, size_t tile, int thread)
{
    (void)thread;
    const occ_job *j = arg;
    int i0, i1;
    vox_tile_range(&j->t, j->dims[0], tile, &i0, &i1);
    j->k->occlusion(j->occ, j->dims, i0, i1, &j->e, j->state);
}

int vox_stage_occlusion(vox_team *team, const vox_stage_plan *plan, const uint8_t *occ, const int dims[3],
                        uint8_t *state, vox_scratch *lines, vox_scratch *partials)
{
    occ_job j;
    memset(&j, 0, sizeof j);
    j.k = plan->k;
    j.occ = occ;
    j.dims = dims;
    j.state = state;
    j.t = vox_tile_grid(team, plan, dims, vox_tuned_kernel_bytes_per_voxel(VOX_TK_OCCLUSION));
    j.nlines = (size_t)dims[1] * dims[2];
    int32_t *l = vox_scratch_get(lines, vox_line_extremes_ints(dims) * sizeof *l);
    if (!l)
        return 0;
    j.e = vox_line_extremes_in(l, dims);
    if (j.t.width > 1) {
        j.partials = vox_scratch_get(partials, (size_t)(j.t.width - 1) * 2 * j.nlines * sizeof *j.partials);
        if (!j.partials)
            j.t.width = 1; /* no room for partials: one thread does it all */
    }
    vox_team_run(team, j.t.width, (size_t)j.t.width, VOX_SCHED_STATIC, occ_init, &j);
    /* the line pass must use exactly width threads: item -> thread is the partial's owner */
    int used = vox_team_run(team, j.t.width, j.t.ntiles, VOX_SCHED_STATIC, occ_lines, &j);
    j.t.width = used;
    if (used > 1) {
        size_t chunks = (size_t)used * 4;
        j.merge_chunk = (j.nlines + chunks - 1) / chunks;
        vox_team_run(team, used, (j.nlines + j.merge_chunk - 1) / j.merge_chunk, VOX_SCHED_STATIC, occ_merge, &j);
    }
    vox_team_run(team, j.t.width, j.t.ntiles, VOX_SCHED_STATIC, occ_state, &j);
    return 1;
}

/* ---- first shell -------------------------------------------------------- */

typedef struct shell_job {
    const vox_kernels *k;
    const uint8_t *in;
    uint8_t *out;
    const int *dims;
    vox_tiling t;
} shell_job;

static void shell_tile(void *arg, size_t tile, int thread)
{
    (void)thread;
    const shell_job *j = arg;
    int i0, i1;
    vox_tile_range(&j->t, j->dims[0], tile, &i0, &i1);
    j->k->first_shell(j->in, j->out, j->dims, i0, i1);
}

void vox_stage_first_shell(vox_team *team, const vox_stage_plan *plan, const uint8_t *in, uint8_t *out,
                           const int dims[3])
{
    shell_job j = {plan->k, in, out, dims, vox_tile_grid(team, plan, dims, vox_tuned_kernel_bytes_per_voxel(VOX_TK_FIRST_SHELL))};
    vox_team_run(team, j.t.width, j.t.ntiles, VOX_SCHED_STATIC, shell_tile, &j);
}
