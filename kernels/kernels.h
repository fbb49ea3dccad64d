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

/* Sets occ[flat] = 1 for the voxel of every point fl32(c + o), c over the
 * natoms centres (structure-of-arrays) and o over the noff offsets. */
typedef void (*vox_k_bin_points_fn)(const float *cx, const float *cy, const float *cz, size_t natoms,
                                    const float *ox, const float *oy, const float *oz, size_t noff,
                                    const vox_grid_axes *g, uint8_t *occ);

/* From occ (1 = protein) fills state with PROTEIN, or BURIED / EXPOSED for
 * solvent voxels (§7.1).  scratch holds 2*(ny*nz + nx*nz + nx*ny) int32. */
typedef void (*vox_k_occlusion_fn)(const uint8_t *occ, const int dims[3], uint8_t *state,
                                   int32_t *scratch);

/* Adds FIRST_SHELL to every EXPOSED voxel with a BURIED face neighbour. */
typedef void (*vox_k_first_shell_fn)(uint8_t *state, const int dims[3]);

/* Labels the face-connected components of BURIED voxels: labels[v] = the
 * component's number (0, 1, ... in order of each component's smallest flat
 * index) or -1.  queue holds nx*ny*nz uint32.  Returns the number of
 * components.  Every ISA inherits the scalar BFS: a vectorised run-based
 * union-find measured 0.5-0.8x its speed (the work is queue- and
 * latency-bound, not arithmetic). */
typedef size_t (*vox_k_label_fn)(const uint8_t *state, const int dims[3], int32_t *labels,
                                 uint32_t *queue);

/* Mean and scatter matrix of the centres of n voxels (flat indices, summed
 * in the given order): mean[a] = sum / n, scatter = sum (c - mean)(c - mean)^T
 * as [xx, xy, xz, yy, yz, zz]. */
typedef void (*vox_k_moments_fn)(const float *const centres[3], const int dims[3],
                                 const uint32_t *voxels, size_t n, double mean[3], double scatter[6]);

typedef struct vox_kernels {
    const char *isa;
    vox_k_bin_points_fn bin_points;
    vox_k_occlusion_fn occlusion;
    vox_k_first_shell_fn first_shell;
    vox_k_label_fn label_components;
    vox_k_moments_fn moments;
} vox_kernels;

/* The reference table (kernels/scalar/). */
extern const vox_kernels vox_kernels_scalar;

#endif
