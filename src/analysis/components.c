/* components.c - slab labelling joined by a min-root union-find, then per-component voxel lists (components.h) */
#include <stdlib.h>
#include <string.h>

#include "components.h"

typedef struct cc_job {
    const vox_kernels *k;
    const uint8_t *state;
    const int *dims;
    int32_t *labels;
    uint32_t *queue;
    size_t sx;
    vox_tiling t;
    size_t *count;   /* per slab: its components; then the provisional offset of the slab */
    uint32_t *size;  /* per provisional component: voxels */
    uint32_t *fid;   /* per provisional component: final id */
    uint32_t *rep;   /* per provisional component: the slab's first part of the same component */
    size_t *cursor;  /* per representative part: next slot in voxels */
    uint32_t *voxels;
} cc_job;

static void label_slab(void *arg, size_t slab, int thread)
{
    (void)thread;
    cc_job *j = arg;
    int i0, i1;
    vox_tile_range(&j->t, j->dims[0], slab, &i0, &i1);
    j->count[slab] = j->k->label_components(j->state, j->dims, i0, i1, j->labels, j->queue + (size_t)i0 * j->sx);
}

/* The sizes the kernel left at the end of the slab's queue. */
static void copy_sizes(void *arg, size_t slab, int thread)
{
    (void)thread;
    cc_job *j = arg;
    int i0, i1;
    vox_tile_range(&j->t, j->dims[0], slab, &i0, &i1);
    const uint32_t *last = j->queue + (size_t)i1 * j->sx - 1;
    for (size_t c = 0; c < j->count[slab + 1] - j->count[slab]; c++)
        j->size[j->count[slab] + c] = *(last - c);
}

/* Final ids into labels, voxels into their component's list in ascending
 * order: the slab owns the cursors of its representative parts. */
static void fill_slab(void *arg, size_t slab, int thread)
{
    (void)thread;
    cc_job *j = arg;
    int i0, i1;
    vox_tile_range(&j->t, j->dims[0], slab, &i0, &i1);
    const size_t off = j->count[slab];
    for (size_t f = (size_t)i0 * j->sx; f < (size_t)i1 * j->sx; f++) {
        if (j->labels[f] < 0)
            continue;
        size_t p = off + (size_t)j->labels[f];
        j->voxels[j->cursor[j->rep[p]]++] = (uint32_t)f;
        j->labels[f] = (int32_t)j->fid[p];
    }
}

static uint32_t find_root(uint32_t *parent, uint32_t p)
{
    while (parent[p] != p) {
        parent[p] = parent[parent[p]]; /* path halving */
        p = parent[p];
    }
    return p;
}

/* The smaller root wins: roots stay the smallest provisional number of their set. */
static void join(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a < b) parent[b] = a;
    else if (b < a) parent[a] = b;
}

int vox_stage_components(vox_team *team, const vox_stage_plan *plan, const uint8_t *state, const int dims[3],
                         int32_t *labels, uint32_t *queue, vox_scratch *work, vox_scratch *starts,
                         vox_components *comps)
{
    memset(comps, 0, sizeof *comps);
    cc_job j;
    memset(&j, 0, sizeof j);
    j.k = plan->k;
    j.state = state;
    j.dims = dims;
    j.labels = labels;
    j.queue = queue;
    j.sx = (size_t)dims[1] * dims[2];
    j.t = vox_tile_grid(team, plan, dims, vox_tuned_kernel_bytes_per_voxel(VOX_TK_LABELS));
    const size_t nslabs = j.t.ntiles;
    const int w = j.t.width;
    uint32_t *parent, *last, *first;
    size_t *fill;
    int ok = 0;
    j.count = malloc((nslabs + 1) * sizeof *j.count);
    if (!j.count)
        goto out;
    vox_team_run(team, w, nslabs, VOX_SCHED_DYNAMIC, label_slab, &j);

    /* provisional numbers: slab offsets */
    size_t P = 0;
    for (size_t s = 0; s < nslabs; s++) {
        size_t c = j.count[s];
        j.count[s] = P;
        P += c;
    }
    j.count[nslabs] = P;
    if (P > (size_t)INT32_MAX)
        goto out;
    /* the per-part and per-component arrays come from the context's
     * scratch: fresh pages cost more than the loops over them */
    size_t *area = vox_scratch_get(work, (P ? P : 1) * (2 * sizeof(size_t) + 6 * sizeof(uint32_t)));
    if (!area)
        goto out;
    j.cursor = area;
    fill = area + (P ? P : 1);
    parent = (uint32_t *)(fill + (P ? P : 1));
    j.size = parent + (P ? P : 1);
    j.fid = j.size + (P ? P : 1);
    j.rep = j.fid + (P ? P : 1);
    last = j.rep + (P ? P : 1);
    first = last + (P ? P : 1);
    for (size_t p = 0; p < P; p++) parent[p] = (uint32_t)p;
    /* join the parts that touch across each slab face */
    for (size_t s = 1; s < nslabs; s++) {
        const size_t f0 = s * (size_t)j.t.planes * j.sx;
        for (size_t t = 0; t < j.sx; t++) {
            size_t f = f0 + t;
            if (labels[f] >= 0 && labels[f - j.sx] >= 0)
                join(parent, (uint32_t)(j.count[s - 1] + (size_t)labels[f - j.sx]), (uint32_t)(j.count[s] + (size_t)labels[f]));
        }
    }
    /* final ids: roots in ascending order (parents are always smaller) */
    size_t n = 0;
    for (size_t p = 0; p < P; p++) {
        uint32_t r = find_root(parent, (uint32_t)p);
        j.fid[p] = r == p ? (uint32_t)n++ : j.fid[r];
    }
    vox_team_run(team, w, nslabs, VOX_SCHED_STATIC, copy_sizes, &j);

    comps->n = n;
    comps->start = vox_scratch_get(starts, (n + 1) * sizeof *comps->start);
    if (!comps->start)
        goto out;
    memset(comps->start, 0, (n + 1) * sizeof *comps->start);
    for (size_t p = 0; p < P; p++) comps->start[j.fid[p] + 1] += j.size[p];
    for (size_t c = 0; c < n; c++) comps->start[c + 1] += comps->start[c];
    comps->buried = comps->start[n];
    memcpy(fill, comps->start, n * sizeof *fill);
    for (size_t c = 0; c < n; c++) last[c] = UINT32_MAX;
    /* Slab by slab, in order: a component's parts in one slab share one
     * cursor (at its first part), starting after its voxels of the slabs before. */
    for (size_t s = 0; s < nslabs; s++) {
        for (size_t p = j.count[s]; p < j.count[s + 1]; p++) {
            uint32_t c = j.fid[p];
            if (last[c] != (uint32_t)s) {
                last[c] = (uint32_t)s;
                first[c] = (uint32_t)p;
                j.cursor[p] = fill[c];
            }
            j.rep[p] = first[c];
        }
        for (size_t p = j.count[s]; p < j.count[s + 1]; p++) fill[j.fid[p]] += j.size[p];
    }
    j.voxels = queue; /* the BFS queue is free now */
    vox_team_run(team, w, nslabs, VOX_SCHED_STATIC, fill_slab, &j);
    comps->voxels = queue;
    ok = 1;
out:
    if (!ok)
        comps->start = NULL;
    free(j.count);
    return ok;
}
