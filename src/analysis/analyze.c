/* analyze.c - the analysis pipeline: shells -> grid -> buried voxels -> components ->
 * classification -> metrics -> filtered, sorted volumes (ALGORITHM.md §5-§12)
 *
 * Memory is dense and O(grid voxels): one byte of occupancy and one of state
 * per voxel, an int32 label and the classifier's stamp arrays.  Kernels are
 * reached only through ctx->k.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "components.h"
#include "grid.h"
#include "grid_stages.h"
#include "shells.h"

typedef struct bucket {
    vox_group *g;
    size_t n, cap;
} bucket;

static int bucket_push(bucket *b, const vox_group *g)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        vox_group *p = realloc(b->g, cap * sizeof *p);
        if (!p)
            return 0;
        b->g = p;
        b->cap = cap;
    }
    b->g[b->n++] = *g;
    return 1;
}

static int cmp_size_then_position(const void *x, const void *y)
{
    const vox_group *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Stable sort by volume (= voxel count), descending: ties keep the bucket's
 * order (§10.1, §12), which the ids hold until the real ids are given. */
static void sort_bucket(bucket *b)
{
    for (size_t i = 0; i < b->n; i++)
        b->g[i].id = (int)i;
    if (b->n > 1)
        qsort(b->g, b->n, sizeof *b->g, cmp_size_then_position);
}

/* ---- per-component classification, on the team ------------------------- */

typedef struct classify_job {
    vox_classifier **cls; /* one per thread */
    const vox_components *comps;
    vox_group *groups;    /* per component */
    int mouths;           /* keep each group's mouths (descriptors) */
    int failed;
} classify_job;

static void classify_one(void *arg, size_t c, int thread)
{
    classify_job *j = arg;
    const vox_components *cc = j->comps;
    vox_group *gr = &j->groups[c];
    size_t n = cc->start[c + 1] - cc->start[c];
    gr->n = n;
    gr->voxels = malloc(n * sizeof *gr->voxels);
    gr->surface = calloc(n, 1);
    if (!gr->voxels || !gr->surface) {
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    memcpy(gr->voxels, cc->voxels + cc->start[c], n * sizeof *gr->voxels);
    if (n <= 4) {
        gr->type = gr->topology = VOX_OCCLUDED;
    } else if (!vox_classify(j->cls[thread], gr->voxels, n, (int32_t)c, &gr->topology, &gr->type, gr->surface,
                             &gr->nsurf)) {
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    } else if (j->mouths) {
        /* the classifier's mouths are gone after its next component: keep their sizes now */
        gr->nmouths = vox_classifier_mouths(j->cls[thread]);
        gr->mouth_faces = malloc((gr->nmouths ? gr->nmouths : 1) * sizeof *gr->mouth_faces);
        if (!gr->mouth_faces) {
            __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
            return;
        }
        vox_classifier_mouth_faces(j->cls[thread], gr->mouth_faces);
        gr->has_mouths = 1;
    }
}

/* ---- per-group metrics, on the team ----------------------------------- */

typedef struct metrics_job {
    vox_stage_plan plan;
    float **centres;
    const int *dims;
    vox_group **all;
    size_t n;
    vox_scratch *scratch; /* one per thread */
    int failed;
} metrics_job;

static void metrics_one(void *arg, size_t i, int thread)
{
    metrics_job *j = arg;
    if (!vox_group_metrics(j->plan.k, j->all[i], j->centres, j->dims, &j->scratch[thread]))
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
}

static const char *type_name(vox_volume_type t)
{
    static const char *const names[] = {"hub", "pore", "pocket", "cavity", "occluded"};
    return (unsigned)t <= VOX_OCCLUDED ? names[t] : "unknown";
}

const char *vox_volume_type_name(vox_volume_type t) { return type_name(t); }

/* Data-frame order: volume desc, then type name, then id (§12). */
static int cmp_rows(const void *pa, const void *pb)
{
    const vox_group *a = pa, *b = pb;
    if (a->volume != b->volume)
        return a->volume > b->volume ? -1 : 1;
    int c = strcmp(type_name(a->type), type_name(b->type));
    if (c)
        return c;
    return (a->id > b->id) - (a->id < b->id);
}

/* Voxel numbers are 32-bit: no grid may have more voxels than this, whatever max_grid_voxels says. */
#define VOX_HARD_MAX_VOXELS 4294967295.0

/* What an analysis costs at its peak, for vox_estimate_grid.  Per voxel: occupancy and
 * state (1 + 1), labels and the BFS queue (4 + 4), the classifier's flags, predecessors and
 * layers (1 + 4 + 4), and the groups' voxel lists and surface flags (4 + 1 per buried voxel).
 * Not every page of the sparse arrays is touched: measured peak RSS of whole `vox analyze`
 * runs, less the process's own ~12 MB, was 8.5-19.4 bytes per voxel (4jpn, 3wip, 4zxb, 1gya
 * at 0.3-1.0 A, 86 thousand to 232 million voxels), so 24 keeps the estimate above it. */
#define VOX_BYTES_PER_VOXEL 24.0
/* Per atom: the structure, the shell tables and the sorted centres. */
#define VOX_BYTES_PER_ATOM 200.0
/* The process around it: code, libraries, the topology, the shell tables, grid axes. */
#define VOX_BYTES_FIXED (16.0 * 1048576.0)

static vox_status read_params(vox_ctx *ctx, const vox_structure *st, const vox_analyze_params *params,
                              vox_analyze_params *p)
{
    vox_analyze_params_init(p);
    vox_status taken = vox_params_take(ctx, p, sizeof *p, params, "vox_analyze_params");
    if (taken != VOX_OK)
        return taken;
    const double s = p->resolution;
    if (!isfinite(s) || !(s > 0.0))
        return vox_fail(ctx, VOX_E_INVALID_ARG, "resolution must be a positive number of angstroms, got %g", s);
    if (p->connectivity != VOX_CONNECT_CUSTOM18 && p->connectivity != VOX_CONNECT_6 &&
        p->connectivity != VOX_CONNECT_18 && p->connectivity != VOX_CONNECT_26)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "surface connectivity must be 6, 18, 26 or custom18");
    if (p->has_grid)
        for (int a = 0; a < 3; a++)
            if (!isfinite(p->grid_origin[a]) || p->grid_dims[a] < 1)
                return vox_fail(ctx, VOX_E_INVALID_ARG,
                                "fixed grid: origin %c must be finite and dims %c at least 1 (got %g, %d)", "xyz"[a],
                                "xyz"[a], p->grid_origin[a], p->grid_dims[a]);
    if (p->has_min_volume && !isfinite(p->min_volume))
        return vox_fail(ctx, VOX_E_INVALID_ARG, "min volume must be a finite number");
    if (!st->prepared)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the structure was not prepared: call vox_prepare first (with "
                        "vox_prepare_params.align = 0 and keep_non_protein = 1 to analyse the atoms exactly as loaded)");
    if (st->unaligned_frame)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "the structure holds a frame its last vox_structure_set_coords could "
                        "not align (that call failed and said why): give it another frame first");
    if (st->atoms.n == 0)
        return vox_fail(ctx, VOX_E_NO_ATOMS, "the structure has no atoms");
    return VOX_OK;
}

/* The grid limit in force: the context's, or the call's when smaller, never above the 32-bit hard
 * limit; which: its name, advice: what to do about it. */
static double voxel_limit(const vox_ctx *ctx, const vox_analyze_params *p, const char **which, const char **advice)
{
    double opt = (double)ctx->opts.max_grid_voxels;
    *which = "the limit";
    *advice = "raise it with --max-grid-voxels, in the library vox_options.max_grid_voxels";
    if (p->max_grid_voxels && (double)p->max_grid_voxels < opt) {
        opt = (double)p->max_grid_voxels;
        *which = "this analysis' limit";
        *advice = "vox_analyze_params.max_grid_voxels";
    }
    if (opt >= VOX_HARD_MAX_VOXELS) {
        *which = "vox's hard limit (2^32 - 1: voxel numbers are 32-bit)";
        *advice = "a coarser resolution is needed";
    }
    return opt < VOX_HARD_MAX_VOXELS ? opt : VOX_HARD_MAX_VOXELS;
}

/* A van der Waals radius at least as large as every one of the
 * structure's elements' (the bound below needs no more): a protein's C, N,
 * O, S and H count as sulfur's 1.8 A, told by two bytes, and every other
 * element is looked up, so the pass costs a few instructions an atom (it
 * runs on every analysis).  The table's largest, 2.75 A, only where such an
 * element is present. */
#define VOX_PROTEIN_RADIUS 1.80

static double largest_radius(const vox_structure *st)
{
    double rmax = 0.0;
    const double table_max = vox_max_vdw_radius();
    for (size_t i = 0; i < st->atoms.n && rmax < table_max; i++) {
        const char *e = st->atoms.a[i].element;
        const int common = e[1] == 0 && (e[0] == 'C' || e[0] == 'N' || e[0] == 'O' || e[0] == 'S' || e[0] == 'H');
        const double r = common ? VOX_PROTEIN_RADIUS : vox_vdw_radius(e);
        rmax = r > rmax ? r : rmax;
    }
    return rmax;
}

/* How far over the limit the bound below may be while the grid itself may
 * still fit: the bound has two spare voxels per axis and the full radius on
 * both sides, where the sampled spheres reach a little less.  Between the
 * limit and this many times it, the exact grid is built (the shell tables:
 * no grid-sized array) and decides. */
#define VOX_BOUND_SLACK 2.0

/* An upper bound of the grid from the atom extents plus the largest radius,
 * per axis: absurd grids are refused before anything is built. */
static double grid_bound(const vox_structure *st, double s, double axes[3])
{
    float amin[3], amax[3];
    for (int a = 0; a < 3; a++) amin[a] = amax[a] = st->atoms.a[0].xyz[a];
    for (size_t i = 1; i < st->atoms.n; i++)
        for (int a = 0; a < 3; a++) {
            float v = st->atoms.a[i].xyz[a];
            if (v < amin[a]) amin[a] = v;
            if (v > amax[a]) amax[a] = v;
        }
    double bound = 1.0, rmax = largest_radius(st);
    for (int a = 0; a < 3; a++) {
        axes[a] = floor(((double)amax[a] - amin[a] + 2.0 * rmax) / s) + 2.0;
        bound *= axes[a];
    }
    return bound;
}

/* Axis a of the grid vox_analyze builds around the cloud [lo0, hi0]: the
 * fixed lattice when p->has_grid, else the structure's own grid.  One
 * function for vox_analyze and vox_estimate_grid, so that an exact estimate
 * is exactly the analysed grid.  0 when the axis would have no voxel. */
static vox_status grid_axis(vox_ctx *ctx, const vox_analyze_params *p, int a, float lo0, float hi0,
                            vox_grid_axis *ax)
{
    int grown = 0;
    const int made = p->has_grid ? vox_grid_axis_lattice(lo0, hi0, p->grid_origin[a], p->grid_dims[a], p->resolution,
                                                         ax, &grown)
                                 : vox_grid_axis_bounds(lo0, hi0, p->resolution, ax);
    if (made < 0) {
        /* name the field to change: the origin when its distance to the atoms
         * alone is past the count, else the dimensions it was added to */
        const double far = fmax(fabs(p->grid_origin[a] - (double)lo0), fabs((double)hi0 - p->grid_origin[a])) /
                           p->resolution;
        if (!(far < 2147483647.0 / 2))
            return vox_fail(ctx, VOX_E_GRID_TOO_LARGE, "the lattice's origin %g along %c is so far from the atoms "
                            "(%g .. %g) that the grid would need over 2^31 voxels along %c at resolution %g A",
                            p->grid_origin[a], "xyz"[a], (double)lo0, (double)hi0, "xyz"[a], p->resolution);
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE, "fixed grid: grid_dims %c = %d voxels from origin %g, grown to hold "
                        "the atoms (%g .. %g), would be over 2^31 - 1 voxels along %c at resolution %g A",
                        "xyz"[a], p->grid_dims[a], p->grid_origin[a], (double)lo0, (double)hi0, "xyz"[a],
                        p->resolution);
    }
    if (!made)
        return vox_fail(ctx, VOX_E_EMPTY_GRID, "the grid has no voxels along %c at resolution %g A", "xyz"[a],
                        p->resolution);
    return VOX_OK;
}

/* The first axis over the length descriptors take (VOX_DEPTH_MAX_AXIS), or
 * -1: checked before the analysis, which would otherwise run whole first. */
static int depth_axis_over(const vox_analyze_params *p, const double axes[3])
{
    for (int a = 0; p->descriptors && a < 3; a++)
        if (axes[a] > VOX_DEPTH_MAX_AXIS)
            return a;
    return -1;
}

static vox_status depth_axis_too_long(vox_ctx *ctx, const vox_analyze_params *p, int a, double n)
{
    return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                    "descriptors: the grid would have %.0f voxels along %c at resolution %g A; depths are computed up "
                    "to %d (a coarser resolution, or the analysis without descriptors)",
                    n, "xyz"[a], p->resolution, VOX_DEPTH_MAX_AXIS);
}

static vox_status bound_too_large(vox_ctx *ctx, const vox_analyze_params *p, double bound)
{
    const double s = p->resolution;
    const char *which, *advice;
    double limit = voxel_limit(ctx, p, &which, &advice);
    return vox_fail(ctx, VOX_E_GRID_TOO_LARGE, "resolution %g A would need about %.3g voxels, over %s of %.0f (%s)",
                    s, bound, which, limit, advice);
}

vox_status vox_estimate_grid(vox_ctx *ctx, const vox_structure *st, const vox_analyze_params *params,
                             vox_grid_estimate *out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!st || !out || out->size < sizeof out->size) /* a smaller record: writing its size back would overrun it */
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_estimate_grid: %s",
                        !st ? "the structure is NULL" : !out ? "out is NULL"
                        : "out->size is under sizeof(size_t) (set it to sizeof(vox_grid_estimate))");
    vox_clear_error(ctx);
    vox_analyze_params p;
    vox_status rc = read_params(ctx, st, params, &p);
    if (rc != VOX_OK)
        return rc;
    vox_grid_estimate e;
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    const char *which, *advice;
    const double limit = voxel_limit(ctx, &p, &which, &advice);
    double axes[3], total = grid_bound(st, p.resolution, axes);
    if (total <= limit * VOX_BOUND_SLACK) { /* the exact grid: the axes of the shells' point cloud, as vox_analyze builds them */
        vox_shells sh;
        if ((rc = vox_shells_build(ctx, st, p.resolution, &sh)) != VOX_OK)
            return rc;
        float lo0[3], hi0[3];
        vox_cloud_bounds(&sh, lo0, hi0);
        vox_shells_free(&sh);
        total = 1.0;
        for (int a = 0; a < 3; a++) {
            vox_grid_axis ax;
            if ((rc = grid_axis(ctx, &p, a, lo0[a], hi0[a], &ax)) != VOX_OK)
                return rc;
            axes[a] = ax.n;
            total *= ax.n;
        }
    } else {
        e.approximate = 1;
        /* a fixed lattice holds at least its own dims (vox_analyze refuses
         * this grid anyway: the bound is over the limit) */
        if (p.has_grid) {
            total = 1.0;
            for (int a = 0; a < 3; a++) {
                axes[a] = fmax(axes[a], (double)p.grid_dims[a]);
                total *= axes[a];
            }
        }
    }
    for (int a = 0; a < 3; a++) e.dims[a] = axes[a] < 2147483647.0 ? (int)axes[a] : INT32_MAX;
    e.voxels = total < 1.8e19 ? (uint64_t)total : UINT64_MAX;
    e.over_limit = total > limit || depth_axis_over(&p, axes) >= 0;
    double bytes = total * VOX_BYTES_PER_VOXEL + (double)st->atoms.n * VOX_BYTES_PER_ATOM + VOX_BYTES_FIXED;
    e.bytes = bytes < 1.8e19 ? (uint64_t)bytes : UINT64_MAX;
    const size_t n = out->size < sizeof e ? out->size : sizeof e; /* before the copy overwrites out->size */
    memcpy(out, &e, n);
    out->size = n;
    return VOX_OK;
}

vox_status vox_analyze(vox_ctx *ctx, const vox_structure *st, const vox_analyze_params *params, vox_result **out)
{
    if (!ctx)
        return VOX_E_INVALID_ARG;
    if (!st || !out)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "vox_analyze: %s is NULL", !st ? "the structure" : "out");
    *out = NULL;
    vox_clear_error(ctx);
    vox_analyze_params p;
    vox_status prc = read_params(ctx, st, params, &p);
    if (prc != VOX_OK)
        return prc;
    const double s = p.resolution;
    memset(ctx->stats.seconds + VOX_STAGE_SHELLS, 0, sizeof(double) * (VOX_STAGE_COUNT - VOX_STAGE_SHELLS));

    /* Refuse absurd grids before building anything: an upper bound from the
     * atom extents plus the largest radius.  A bound just over the limit may
     * be a grid under it: the exact grid below decides those. */
    const char *which, *advice;
    const double limit = voxel_limit(ctx, &p, &which, &advice);
    double axes[3], bound = grid_bound(st, s, axes);
    if (bound > limit * VOX_BOUND_SLACK)
        return bound_too_large(ctx, &p, bound);

    double t0 = vox_now();
    vox_shells sh;
    vox_status rc = vox_shells_build(ctx, st, s, &sh);
    if (rc != VOX_OK)
        return rc;

    float lo0[3], hi0[3];
    vox_cloud_bounds(&sh, lo0, hi0);
    vox_grid_axis ax[3];
    memset(ax, 0, sizeof ax);
    vox_result *res = NULL;
    uint8_t *occ = NULL, *state = NULL;
    int32_t *labels = NULL;
    uint32_t *queue = NULL;
    vox_classifier **cls = NULL;
    int ncls = 0;
    vox_group *groups = NULL;
    vox_components comps;
    memset(&comps, 0, sizeof comps);
    bucket bk[5];
    memset(bk, 0, sizeof bk);

    for (int a = 0; a < 3; a++) {
        if ((rc = grid_axis(ctx, &p, a, lo0[a], hi0[a], &ax[a])) != VOX_OK)
            goto out;
    }
    int dims[3] = {ax[0].n, ax[1].n, ax[2].n};
    double total_d = (double)dims[0] * dims[1] * dims[2];
    if (total_d > limit) {
        /* the same advice as the quick refusal gives: now this one decides grids near the limit */
        rc = vox_fail(ctx, VOX_E_GRID_TOO_LARGE, "grid %d x %d x %d = %.0f voxels is over %s of %.0f (%s)", dims[0],
                      dims[1], dims[2], total_d, which, limit, advice);
        goto out;
    }
    const double dims_d[3] = {dims[0], dims[1], dims[2]};
    const int over = depth_axis_over(&p, dims_d);
    if (over >= 0) {
        rc = depth_axis_too_long(ctx, &p, over, dims_d[over]);
        goto out;
    }
    size_t total = (size_t)total_d;
    for (int a = 0; a < 3; a++)
        if (!vox_grid_axis_fill(&ax[a])) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the grid");
            goto out;
        }
    ctx->stats.seconds[VOX_STAGE_SHELLS] = vox_now() - t0;

    t0 = vox_now();
    /* the owners of the slabs zero and fill occ (first touch) */
    occ = vox_scratch_get(&ctx->ws[VOX_WS_OCC], total);
    state = vox_scratch_get(&ctx->ws[VOX_WS_STATE], total);
    if (!occ || !state) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for a %zu-voxel grid", total);
        goto out;
    }
    vox_grid_axes g;
    vox_grid_axes_from(ax, &g);
    vox_stage_plan plan = vox_plan_for(ctx, VOX_TK_BIN_POINTS, total);
    vox_stage_bin(ctx->team, &plan, &sh, &g, occ);
    ctx->stats.seconds[VOX_STAGE_GRID] = vox_now() - t0;

    t0 = vox_now();
    plan = vox_plan_for(ctx, VOX_TK_OCCLUSION, total);
    if (!vox_stage_occlusion(ctx->team, &plan, occ, dims, state, &ctx->ws[VOX_WS_LINES], &ctx->ws[VOX_WS_PARTIALS])) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the grid");
        goto out;
    }
    /* occ is free now: it receives state + FIRST_SHELL, and the two buffers swap roles */
    plan = vox_plan_for(ctx, VOX_TK_FIRST_SHELL, total);
    vox_stage_first_shell(ctx->team, &plan, state, occ, dims);
    {
        vox_scratch tmp = ctx->ws[VOX_WS_OCC];
        ctx->ws[VOX_WS_OCC] = ctx->ws[VOX_WS_STATE];
        ctx->ws[VOX_WS_STATE] = tmp;
        uint8_t *t = state;
        state = occ;
        occ = t;
    }
    ctx->stats.seconds[VOX_STAGE_BURIED] = vox_now() - t0;

    t0 = vox_now();
    labels = vox_scratch_get(&ctx->ws[VOX_WS_LABELS], total * sizeof *labels);
    queue = vox_scratch_get(&ctx->ws[VOX_WS_QUEUE], total * sizeof *queue);
    if (!labels || !queue) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the grid");
        goto out;
    }
    plan = vox_plan_for(ctx, VOX_TK_LABELS, total);
    if (!vox_stage_components(ctx->team, &plan, state, dims, labels, queue, &ctx->ws[VOX_WS_JOIN],
                              &ctx->ws[VOX_WS_STARTS], &comps)) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for components");
        goto out;
    }
    const size_t ncomp = comps.n, nburied = comps.buried;
    ctx->stats.seconds[VOX_STAGE_COMPONENTS] = vox_now() - t0;

    t0 = vox_now();
    plan = vox_plan_for(ctx, VOX_TK_MOMENTS, total);
    const int width = vox_team_width(ctx->team, plan.threads, ncomp);
    cls = calloc((size_t)width, sizeof *cls);
    groups = calloc(ncomp ? ncomp : 1, sizeof *groups);
    if (!cls || !groups) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
        goto out;
    }
    /* one classifier per thread; they share the grid-sized work arrays,
     * which each component only touches at its own voxels */
    for (int t = 0; t < width; t++) {
        cls[t] = vox_classifier_new(state, labels, dims, p.connectivity, p.merge_mouth_gap, p.neck_refinement,
                                    &ctx->ws[VOX_WS_FLAGS], &ctx->ws[VOX_WS_PRED], &ctx->ws[VOX_WS_LAYER]);
        ncls = t + 1;
        if (!cls[t]) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
            goto out;
        }
    }
    classify_job cj = {cls, &comps, groups, p.descriptors != 0, 0};
    vox_team_run(ctx->team, width, ncomp, VOX_SCHED_DYNAMIC, classify_one, &cj);
    if (cj.failed) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
        goto out;
    }
    /* topology buckets in discovery order: hub, pore, pocket, cavity (+ occluded) */
    bucket topo[4];
    memset(topo, 0, sizeof topo);
    for (size_t c = 0; c < ncomp; c++) {
        vox_group *gr = &groups[c];
        int ok = gr->type == VOX_OCCLUDED ? bucket_push(&bk[VOX_OCCLUDED], gr) : bucket_push(&topo[gr->topology], gr);
        if (ok) {
            memset(gr, 0, sizeof *gr); /* the bucket owns it now */
        } else if (rc == VOX_OK) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
        }
    }
    /* refinement walks hubs, pores, pockets, cavities: each group joins the
     * bucket of its final type, which fixes the tie order of equal volumes */
    for (int t = 0; t < 4; t++) {
        for (size_t i = 0; i < topo[t].n; i++) {
            if (rc == VOX_OK && !bucket_push(&bk[topo[t].g[i].type], &topo[t].g[i])) {
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
            }
            if (rc != VOX_OK)
                vox_group_free(&topo[t].g[i]);
        }
        free(topo[t].g);
    }
    ctx->stats.seconds[VOX_STAGE_CLASSIFY] = vox_now() - t0;
    if (rc != VOX_OK)
        goto out;

    t0 = vox_now();
    res = calloc(1, sizeof *res);
    if (!res) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the result");
        goto out;
    }
    memcpy(res->dims, dims, sizeof dims);
    res->resolution = s;
    for (int a = 0; a < 3; a++) {
        res->origin[a] = ax[a].edges[0];
        res->step[a] = ax[a].step;
    }
    res->natoms = st->atoms.n;
    memcpy(res->rot, st->rot, sizeof res->rot);
    memcpy(res->centroid, st->centroid, sizeof res->centroid);
    res->structure_identity = st->identity;
    res->structure_generation = st->generation;
    res->structure_prepared = st->prepared;
    for (int a = 0; a < 3; a++) {
        res->centres[a] = ax[a].centres;
        ax[a].centres = NULL;
    }
    const double voxel_volume = pow(s, 3.0);
    size_t kept = 0;
    for (int t = 0; t <= VOX_OCCLUDED; t++) {
        bucket *b = &bk[t];
        size_t w = 0;
        for (size_t i = 0; i < b->n; i++) {
            vox_group *gr = &b->g[i];
            gr->volume = (double)gr->n * voxel_volume;
            int keep = (!p.has_min_volume || gr->volume >= p.min_volume) &&
                       (p.min_voxels <= 0 || gr->n >= (size_t)p.min_voxels);
            if (keep) b->g[w++] = *gr;
            else vox_group_free(gr);
        }
        b->n = w;
        sort_bucket(b);
        for (size_t i = 0; i < b->n; i++)
            b->g[i].id = (int)i;
        kept += b->n;
    }
    /* metrics of every kept group, in parallel: each group's numbers depend on its voxels only */
    {
        metrics_job mj;
        memset(&mj, 0, sizeof mj);
        mj.plan = vox_plan_for(ctx, VOX_TK_MOMENTS, total);
        mj.centres = res->centres;
        mj.dims = dims;
        mj.all = malloc((kept ? kept : 1) * sizeof *mj.all);
        const int mw = vox_team_width(ctx->team, mj.plan.threads, kept);
        /* one scratch per thread, kept by the context: the big groups' work
         * arrays are paged in once, not at every analysis */
        if (mw > ctx->n_metrics_ws) {
            vox_scratch *p = realloc(ctx->metrics_ws, (size_t)mw * sizeof *p);
            if (p) {
                memset(p + ctx->n_metrics_ws, 0, (size_t)(mw - ctx->n_metrics_ws) * sizeof *p);
                ctx->metrics_ws = p;
                ctx->n_metrics_ws = mw;
            }
        }
        mj.scratch = ctx->metrics_ws;
        if (!mj.all || mw > ctx->n_metrics_ws) {
            free(mj.all);
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the metrics");
            goto out;
        }
        for (int t = 0; t <= VOX_OCCLUDED; t++)
            for (size_t i = 0; i < bk[t].n; i++) mj.all[mj.n++] = &bk[t].g[i];
        vox_team_run(ctx->team, mw, mj.n, VOX_SCHED_DYNAMIC, metrics_one, &mj);
        free(mj.all);
        if (mj.failed)
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the metrics");
    }
    if (rc != VOX_OK)
        goto out;
    res->groups = malloc((kept ? kept : 1) * sizeof *res->groups);
    if (!res->groups) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the result");
        goto out;
    }
    static const vox_volume_type row_types[4] = {VOX_HUB, VOX_PORE, VOX_CAVITY, VOX_POCKET};
    for (int r = 0; r < 4; r++) {
        bucket *b = &bk[row_types[r]];
        if (b->n)
            memcpy(res->groups + res->n, b->g, b->n * sizeof *b->g);
        res->n += b->n;
        b->n = 0;
    }
    res->n_typed = res->n;
    qsort(res->groups, res->n_typed, sizeof *res->groups, cmp_rows);
    if (bk[VOX_OCCLUDED].n)
        memcpy(res->groups + res->n, bk[VOX_OCCLUDED].g, bk[VOX_OCCLUDED].n * sizeof *res->groups);
    res->n += bk[VOX_OCCLUDED].n;
    bk[VOX_OCCLUDED].n = 0;
    ctx->stats.seconds[VOX_STAGE_METRICS] = vox_now() - t0;
    /* descriptors need the state grid, which lives only as long as this call */
    if (p.descriptors && (rc = vox_describe_groups(ctx, st, state, res)) != VOX_OK)
        goto out;

    ctx->stats.atoms = st->atoms.n;
    ctx->stats.points = sh.points;
    ctx->stats.voxels = total;
    ctx->stats.buried_voxels = nburied;
    ctx->stats.components = ncomp;
    memcpy(ctx->stats.dims, dims, sizeof dims);
    *out = res;
    res = NULL;
out:
    for (int t = 0; t <= VOX_OCCLUDED; t++) {
        for (size_t i = 0; i < bk[t].n; i++) vox_group_free(&bk[t].g[i]);
        free(bk[t].g);
    }
    if (res) vox_result_free(&res);
    if (cls)
        for (int t = 0; t < ncls; t++) vox_classifier_free(cls[t]);
    free(cls);
    if (groups)
        for (size_t c = 0; c < comps.n; c++) vox_group_free(&groups[c]);
    free(groups);
    for (int a = 0; a < 3; a++) vox_grid_axis_free(&ax[a]);
    vox_shells_free(&sh);
    return rc;
}
