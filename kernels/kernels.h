/* kernels.h - the hot-kernel signatures and the dispatch table (struct vox_kernels)
 *
 * Every ISA variant implements the same signatures with the same results,
 * bit for bit: the scalar kernels in kernels/scalar/ are the reference.
 * The pipeline (src/analyze.c) only ever calls kernels through this table,
 * which lives in the context, so two contexts may run two ISAs side by side.
 */
#ifndef VOX_KERNELS_H
#define VOX_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>

/* Per-voxel state bits of the analysis grid. */
enum {
    VOX_V_PROTEIN = 1u,     /* at least one point in the voxel */
    VOX_V_BURIED = 2u,      /* solvent, occluded on >= 2 full axes */
    VOX_V_EXPOSED = 4u,     /* solvent, not buried */
    VOX_V_FIRST_SHELL = 8u  /* exposed with a buried face neighbour */
};

/* Grid geometry as pyntcloud defines it (ALGORITHM.md §6): per axis the
 * voxel count n and the n+1 edges e[k] = (k * step) + lo (f64, no FMA),
 * e[n] = hi.  Vector kernels may recompute an edge from lo and step instead
 * of loading it: the same two IEEE operations give the same bits. */
typedef struct vox_grid_axes {
    int n[3];
    const double *edges[3];
    double lo[3];
    double hi[3];
    double step[3];
    double inv_step[3];
} vox_grid_axes;

/* Sets occ[flat] = 1 for the voxel (i, j, k) of every point fl32(c + o), c
 * over the natoms centres (structure-of-arrays) and o over the noff
 * offsets, but only where i0 <= i < i1: a thread owns the x-planes
 * [i0, i1) of occ and never writes outside them (owner-computes binning,
 * src/grid_stages.c), so no two threads store to the same byte. */
typedef void (*vox_k_bin_points_fn)(const float *cx, const float *cy, const float *cz, size_t natoms,
                                    const float *ox, const float *oy, const float *oz, size_t noff,
                                    const vox_grid_axes *g, int i0, int i1, uint8_t *occ);

/* Lowest and highest protein index along every grid line (§7.1): x-lines
 * are indexed j*nz+k, y-lines i*nz+k, z-lines i*ny+j; INT32_MAX / -1 for a
 * line without protein. */
typedef struct vox_line_extremes {
    int32_t *minx, *maxx, *miny, *maxy, *minz, *maxz;
} vox_line_extremes;

/* Folds the x-planes [i0, i1) of occ into e: minx/maxx (initialised by the
 * caller, typically a per-thread partial later merged by min/max) are
 * lowered/raised; the y- and z-lines of those planes are written whole. */
typedef void (*vox_k_line_extremes_fn)(const uint8_t *occ, const int dims[3], int i0, int i1,
                                       const vox_line_extremes *e);

/* From occ (1 = protein) and the finished line extremes, writes state of
 * the x-planes [i0, i1): PROTEIN, or BURIED / EXPOSED for solvent (§7.1). */
typedef void (*vox_k_occlusion_fn)(const uint8_t *occ, const int dims[3], int i0, int i1,
                                   const vox_line_extremes *e, uint8_t *state);

/* out = in plus FIRST_SHELL on every EXPOSED voxel with a BURIED face
 * neighbour, for the x-planes [i0, i1) (reads in at i0-1 and i1 too).
 * in and out are distinct arrays, so tiles never read what another writes. */
typedef void (*vox_k_first_shell_fn)(const uint8_t *in, uint8_t *out, const int dims[3], int i0, int i1);

/* Labels the face-connected components of BURIED voxels inside the slab of
 * x-planes [i0, i1), ignoring connections across its faces: labels[v] = the
 * slab-local component number (0, 1, ... in order of each component's
 * smallest flat index) or -1, for the slab's voxels only.  queue holds the
 * slab's voxel count (cap) of uint32; on return queue[cap - 1 - c] is the
 * voxel count of component c (the BFS of component c only uses queue[0,
 * size c), and c plus that size never exceeds the voxels labelled so far,
 * so the two never meet).  Returns the number of components.  The
 * slabs are joined by src/components.c.  Every ISA inherits the scalar BFS:
 * a vectorised run-based union-find measured 0.5-0.8x its speed (the work is
 * queue- and latency-bound, not arithmetic). */
typedef size_t (*vox_k_label_fn)(const uint8_t *state, const int dims[3], int i0, int i1, int32_t *labels,
                                 uint32_t *queue);

/* Mean and scatter matrix of the centres of n voxels (flat indices, summed
 * in the given order): mean[a] = sum / n, scatter = sum (c - mean)(c - mean)^T
 * as [xx, xy, xz, yy, yz, zz]. */
typedef void (*vox_k_moments_fn)(const float *const centres[3], const int dims[3],
                                 const uint32_t *voxels, size_t n, double mean[3], double scatter[6]);

/* The depth searches (src/analysis/descriptors.c): the squared distance D,
 * in voxel steps, from a grid voxel to the nearest bulk-solvent voxel, from
 * H, the squared steps along z to the nearest one in the voxel's z-row,
 * computed by the caller on the grid padded by one bulk voxel on every side
 * ((dims + 2) per axis, flat (i * pd1 + j) * pd2 + k, zero on the padding).
 * D(i, j, k) = min over i' of (i - i')^2 + G(i', j, k), G(i', j, k) = min
 * over j' of (j - j')^2 + H(i', j', k): all integers, so every variant
 * computes the same values whatever order it searches in. */
typedef struct vox_depth_grid {
    const uint32_t *h;    /* H, followed by VOX_DEPTH_SLACK values a kernel may read (and ignore) */
    const uint64_t *want; /* per grid row (i, j), flat i * dims[1] + j, (dims[2] + 63) / 64 words,
                           * bit k % 64 of word k / 64 where D of voxel k is wanted; NULL: every voxel */
    int dims[3];          /* the grid, not padded */
    uint32_t *d2;         /* D, flat as the grid: written at the wanted voxels of the plane only */
} vox_depth_grid;

#define VOX_DEPTH_SLACK 8
/* A G not computed yet, in the kernels' memo: above every squared distance. */
#define VOX_DEPTH_UNKNOWN UINT32_MAX

/* The memo's length in uint32: G of one y-plane, however a kernel lays it out. */
static inline size_t vox_depth_memo_len(const int dims[3])
{
    return ((size_t)dims[2] + 10) * ((size_t)dims[0] + 2);
}

/* D of the wanted voxels of the grid's y-plane j.  memo holds
 * vox_depth_memo_len(dims) uint32, all VOX_DEPTH_UNKNOWN, and marks
 * (dims[2] + 63) / 64 words, all 0: the kernel's work space, which it
 * leaves as it found it, so one per thread serves plane after plane.  The
 * plane's values are its own (a search along x stays in its y-plane), so
 * any thread count writes the same values. */
typedef void (*vox_k_depth_plane_fn)(const vox_depth_grid *g, size_t j, uint32_t *memo, uint64_t *marks);

typedef struct vox_kernels {
    const char *isa;
    vox_k_bin_points_fn bin_points;
    vox_k_line_extremes_fn line_extremes;
    vox_k_occlusion_fn occlusion;
    vox_k_first_shell_fn first_shell;
    vox_k_label_fn label_components;
    vox_k_moments_fn moments;
    vox_k_depth_plane_fn depth_plane;
    int depth_lanes; /* voxels along z depth_plane searches at once (the choice of method weighs it) */
} vox_kernels;

/* Int32 count of the scratch that holds a grid's line extremes. */
static inline size_t vox_line_extremes_ints(const int dims[3])
{
    return 2 * ((size_t)dims[1] * dims[2] + (size_t)dims[0] * dims[2] + (size_t)dims[0] * dims[1]);
}

/* The line extremes laid out in that scratch: x-lines, then y, then z. */
static inline vox_line_extremes vox_line_extremes_in(int32_t *scratch, const int dims[3])
{
    const size_t yz = (size_t)dims[1] * dims[2], xz = (size_t)dims[0] * dims[2], xy = (size_t)dims[0] * dims[1];
    vox_line_extremes e = {scratch, scratch + yz, scratch + 2 * yz, scratch + 2 * yz + xz, scratch + 2 * yz + 2 * xz,
                           scratch + 2 * yz + 2 * xz + xy};
    return e;
}

/* Whole-grid, one-thread conveniences for tests and benchmarks (the
 * library runs the kernels slab by slab on a team: src/grid_stages.c).
 * scratch holds vox_line_extremes_ints(dims) int32. */
static inline void vox_occlusion_whole(const vox_kernels *k, const uint8_t *occ, const int dims[3], uint8_t *state,
                                       int32_t *scratch)
{
    vox_line_extremes e = vox_line_extremes_in(scratch, dims);
    for (size_t t = 0; t < (size_t)dims[1] * dims[2]; t++) { e.minx[t] = INT32_MAX; e.maxx[t] = -1; }
    k->line_extremes(occ, dims, 0, dims[0], &e);
    k->occlusion(occ, dims, 0, dims[0], &e, state);
}

/* The whole grid in place (the kernel itself needs two arrays: tmp holds a copy). */
static inline void vox_first_shell_whole(const vox_kernels *k, uint8_t *state, uint8_t *tmp, const int dims[3])
{
    size_t n = (size_t)dims[0] * dims[1] * dims[2];
    for (size_t f = 0; f < n; f++) tmp[f] = state[f];
    k->first_shell(tmp, state, dims, 0, dims[0]);
}

/* The reference table (kernels/scalar/). */
extern const vox_kernels vox_kernels_scalar;

#endif
