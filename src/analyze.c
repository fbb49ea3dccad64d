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
#include "grid.h"
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

static void group_free(vox_group *g)
{
    free(g->voxels);
    free(g->surface);
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

vox_status vox_analyze(vox_ctx *ctx, const vox_structure *st, const vox_analyze_params *params, vox_result **out)
{
    if (!ctx || !st || !out)
        return VOX_E_INVALID_ARG;
    *out = NULL;
    vox_clear_error(ctx);
    vox_analyze_params p;
    vox_analyze_params_init(&p);
    if (params)
        memcpy(&p, params, params->size && params->size < sizeof p ? params->size : sizeof p);
    const double s = p.resolution;
    if (!isfinite(s) || !(s > 0.0))
        return vox_fail(ctx, VOX_E_INVALID_ARG, "resolution must be a positive number of angstroms, got %g", s);
    if (p.connectivity != VOX_CONNECT_CUSTOM18 && p.connectivity != VOX_CONNECT_6 &&
        p.connectivity != VOX_CONNECT_18 && p.connectivity != VOX_CONNECT_26)
        return vox_fail(ctx, VOX_E_INVALID_ARG, "surface connectivity must be 6, 18, 26 or custom18");
    if (p.has_min_volume && !isfinite(p.min_volume))
        return vox_fail(ctx, VOX_E_INVALID_ARG, "min volume must be a finite number");
    if (st->atoms.n == 0)
        return vox_fail(ctx, VOX_E_NO_ATOMS, "the structure has no atoms");
    memset(ctx->stats.seconds + VOX_STAGE_SHELLS, 0, sizeof(double) * (VOX_STAGE_COUNT - VOX_STAGE_SHELLS));

    /* Refuse absurd grids before building anything: an upper bound from the
     * atom extents plus the largest radius. */
    float amin[3], amax[3];
    for (int a = 0; a < 3; a++) amin[a] = amax[a] = st->atoms.a[0].xyz[a];
    for (size_t i = 1; i < st->atoms.n; i++)
        for (int a = 0; a < 3; a++) {
            float v = st->atoms.a[i].xyz[a];
            if (v < amin[a]) amin[a] = v;
            if (v > amax[a]) amax[a] = v;
        }
    double bound = 1.0, rmax = vox_max_vdw_radius();
    for (int a = 0; a < 3; a++)
        bound *= floor(((double)amax[a] - amin[a] + 2.0 * rmax) / s) + 2.0;
    if (bound > (double)ctx->opts.max_grid_voxels)
        return vox_fail(ctx, VOX_E_GRID_TOO_LARGE,
                        "resolution %g A would need about %.3g voxels, over the limit of %llu (raise it with --max-grid-voxels)",
                        s, bound, (unsigned long long)ctx->opts.max_grid_voxels);

    double t0 = vox_now();
    vox_shells sh;
    vox_status rc = vox_shells_build(ctx, st, s, &sh);
    if (rc != VOX_OK)
        return rc;

    /* f32 bounding box of the cloud without materialising it: fl32(c + o)
     * is monotonic in c and in o, so a set's extremes are its element's
     * extreme centres plus its extreme offsets, rounded once */
    const float *cx = sh.elem_cx, *cy = cx + sh.natoms, *cz = cy + sh.natoms;
    const float *cc[3] = {cx, cy, cz};
    float lo0[3], hi0[3];
    for (int a = 0; a < 3; a++) { lo0[a] = amin[a]; hi0[a] = amax[a]; }
    float emin[3] = {0, 0, 0}, emax[3] = {0, 0, 0};
    for (size_t q = 0; q < sh.nsets; q++) {
        const vox_shell_set *set = &sh.sets[q];
        if (q == 0 || set->elem != sh.sets[q - 1].elem) { /* an element's sets are consecutive */
            size_t i0 = sh.elem_start[set->elem], i1 = sh.elem_start[set->elem + 1];
            for (int a = 0; a < 3; a++) {
                emin[a] = emax[a] = cc[a][i0];
                for (size_t i = i0 + 1; i < i1; i++) {
                    if (cc[a][i] < emin[a]) emin[a] = cc[a][i];
                    if (cc[a][i] > emax[a]) emax[a] = cc[a][i];
                }
            }
        }
        for (int a = 0; a < 3; a++) {
            float lo = emin[a] + set->omin[a], hi = emax[a] + set->omax[a];
            if (lo < lo0[a]) lo0[a] = lo;
            if (hi > hi0[a]) hi0[a] = hi;
        }
    }
    vox_grid_axis ax[3];
    memset(ax, 0, sizeof ax);
    vox_result *res = NULL;
    uint8_t *occ = NULL, *state = NULL;
    int32_t *labels = NULL, *scratch = NULL;
    uint32_t *queue = NULL;
    vox_classifier *cl = NULL;
    bucket bk[5];
    memset(bk, 0, sizeof bk);
    size_t *cstart = NULL;
    uint32_t *cvox = NULL;

    for (int a = 0; a < 3; a++)
        if (!vox_grid_axis_bounds(lo0[a], hi0[a], s, &ax[a])) {
            rc = vox_fail(ctx, VOX_E_EMPTY_GRID, "the grid has no voxels along %c at resolution %g A",
                          "xyz"[a], s);
            goto out;
        }
    int dims[3] = {ax[0].n, ax[1].n, ax[2].n};
    double total_d = (double)dims[0] * dims[1] * dims[2];
    if (total_d > (double)ctx->opts.max_grid_voxels || total_d > 4294967295.0) {
        rc = vox_fail(ctx, VOX_E_GRID_TOO_LARGE, "grid %d x %d x %d = %.0f voxels is over the limit of %llu",
                      dims[0], dims[1], dims[2], total_d, (unsigned long long)ctx->opts.max_grid_voxels);
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
    occ = vox_scratch_get(&ctx->ws[VOX_WS_OCC], total);
    state = vox_scratch_get(&ctx->ws[VOX_WS_STATE], total);
    if (occ)
        memset(occ, 0, total);
    if (!occ || !state) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for a %zu-voxel grid", total);
        goto out;
    }
    vox_grid_axes g;
    vox_grid_axes_from(ax, &g);
    const float zero = 0.0f;
    ctx->k->bin_points(cx, cy, cz, sh.natoms, &zero, &zero, &zero, 1, &g, occ);
    for (size_t q = 0; q < sh.nsets; q++) {
        const vox_shell_set *set = &sh.sets[q];
        size_t a0 = sh.elem_start[set->elem], a1 = sh.elem_start[set->elem + 1];
        ctx->k->bin_points(cx + a0, cy + a0, cz + a0, a1 - a0, set->ox, set->oy, set->oz, (size_t)set->n, &g, occ);
    }
    ctx->stats.seconds[VOX_STAGE_GRID] = vox_now() - t0;

    t0 = vox_now();
    scratch = vox_scratch_get(&ctx->ws[VOX_WS_LINES],
                              2 * ((size_t)dims[1] * dims[2] + (size_t)dims[0] * dims[2] + (size_t)dims[0] * dims[1]) *
                                  sizeof *scratch);
    if (!scratch) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the grid");
        goto out;
    }
    ctx->k->occlusion(occ, dims, state, scratch);
    ctx->k->first_shell(state, dims);
    ctx->stats.seconds[VOX_STAGE_BURIED] = vox_now() - t0;

    t0 = vox_now();
    labels = vox_scratch_get(&ctx->ws[VOX_WS_LABELS], total * sizeof *labels);
    queue = vox_scratch_get(&ctx->ws[VOX_WS_QUEUE], total * sizeof *queue);
    if (!labels || !queue) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the grid");
        goto out;
    }
    size_t ncomp = ctx->k->label_components(state, dims, labels, queue);
    /* voxel lists per component in ascending flat index (counting sort) */
    cstart = calloc(ncomp + 1, sizeof *cstart);
    if (!cstart) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for components");
        goto out;
    }
    size_t nburied = 0;
    for (size_t f = 0; f < total; f++)
        if (labels[f] >= 0) { cstart[labels[f] + 1]++; nburied++; }
    for (size_t c = 0; c < ncomp; c++) cstart[c + 1] += cstart[c];
    cvox = queue; /* reuse: the BFS queue is free now */
    {
        size_t *fill = calloc(ncomp + 1, sizeof *fill);
        if (!fill) {
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for components");
            goto out;
        }
        for (size_t f = 0; f < total; f++)
            if (labels[f] >= 0) cvox[cstart[labels[f]] + fill[labels[f]]++] = (uint32_t)f;
        free(fill);
    }
    ctx->stats.seconds[VOX_STAGE_COMPONENTS] = vox_now() - t0;

    t0 = vox_now();
    cl = vox_classifier_new(state, labels, dims, p.connectivity, p.merge_mouth_gap, p.neck_refinement,
                            &ctx->ws[VOX_WS_FLAGS], &ctx->ws[VOX_WS_PRED], &ctx->ws[VOX_WS_LAYER]);
    if (!cl) {
        rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
        goto out;
    }
    /* topology buckets in discovery order: hub, pore, pocket, cavity (+ occluded) */
    bucket topo[4];
    memset(topo, 0, sizeof topo);
    for (size_t c = 0; c < ncomp && rc == VOX_OK; c++) {
        size_t n = cstart[c + 1] - cstart[c];
        vox_group gr;
        memset(&gr, 0, sizeof gr);
        gr.n = n;
        gr.voxels = malloc(n * sizeof *gr.voxels);
        gr.surface = calloc(n, 1);
        if (!gr.voxels || !gr.surface) {
            group_free(&gr);
            rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
            break;
        }
        memcpy(gr.voxels, cvox + cstart[c], n * sizeof *gr.voxels);
        int ok;
        if (n <= 4) {
            gr.type = gr.topology = VOX_OCCLUDED;
            ok = bucket_push(&bk[VOX_OCCLUDED], &gr);
        } else {
            if (!vox_classify(cl, gr.voxels, n, (int32_t)c, &gr.topology, &gr.type, gr.surface, &gr.nsurf)) {
                group_free(&gr);
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for classification");
                break;
            }
            ok = bucket_push(&topo[gr.topology], &gr);
        }
        if (!ok) {
            group_free(&gr);
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
                group_free(&topo[t].g[i]);
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
            else group_free(gr);
        }
        b->n = w;
        sort_bucket(b);
        for (size_t i = 0; i < b->n; i++) {
            b->g[i].id = (int)i;
            if (!vox_group_metrics(ctx->k, &b->g[i], res->centres, dims, &ctx->ws[VOX_WS_METRICS]))
                rc = vox_fail(ctx, VOX_E_NOMEM, "out of memory for the metrics");
        }
        kept += b->n;
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
        for (size_t i = 0; i < bk[t].n; i++) group_free(&bk[t].g[i]);
        free(bk[t].g);
    }
    if (res) vox_result_free(&res);
    vox_classifier_free(cl);
    free(cstart);
    for (int a = 0; a < 3; a++) vox_grid_axis_free(&ax[a]);
    vox_shells_free(&sh);
    return rc;
}
