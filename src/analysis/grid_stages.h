/* grid_stages.h - the grid stages run on a team of threads, tile by tile (x-plane slabs)
 *
 * Every stage partitions the grid into slabs of whole x-planes; each slab
 * has one owner thread, which is the only one to write it, so there are no
 * locks and no races, and every thread count gives the same bytes.  The
 * owner of a slab also first-touches it (zeroing occ, writing state).
 */
#ifndef VOX_GRID_STAGES_H
#define VOX_GRID_STAGES_H

#include "shells.h"
#include "team.h"
#include "tuning.h"

/* How one stage runs: its kernel table, team size and tile size. */
typedef struct vox_stage_plan {
    const vox_kernels *k;
    int threads;  /* 0 = every thread of the team */
    int tile_kib; /* 0 = one slab per thread */
} vox_stage_plan;

/* A grid cut into slabs of whole x-planes: planes per slab, slab count,
 * and the threads that work on them. */
typedef struct vox_tiling {
    int planes, width;
    size_t ntiles;
} vox_tiling;

/* The slabs of plan's tile size for a kernel keeping bytes_per_voxel. */
VOX_HIDDEN vox_tiling vox_tile_grid(const vox_team *team, const vox_stage_plan *plan, const int dims[3],
                                    int bytes_per_voxel);
/* Slab tile's planes [i0, i1). */
VOX_HIDDEN void vox_tile_range(const vox_tiling *t, int nx, size_t tile, int *i0, int *i1);

/* The context's plan for kernel tk on a grid of voxels voxels. */
VOX_HIDDEN vox_stage_plan vox_plan_for(const vox_ctx *ctx, vox_tuned_kernel tk, size_t voxels);

/* Zeroes occ and bins the centres and every shell point into it.  The
 * shells' atoms must be sorted by x within each element (shells.c does). */
VOX_HIDDEN void vox_stage_bin(vox_team *team, const vox_stage_plan *plan, const vox_shells *sh,
                              const vox_grid_axes *g, uint8_t *occ);

/* state from occ (§7.1).  partials: scratch for the per-thread x-line extremes. */
VOX_HIDDEN int vox_stage_occlusion(vox_team *team, const vox_stage_plan *plan, const uint8_t *occ,
                                   const int dims[3], uint8_t *state, vox_scratch *lines, vox_scratch *partials);

/* out = in + FIRST_SHELL (§7.2). */
VOX_HIDDEN void vox_stage_first_shell(vox_team *team, const vox_stage_plan *plan, const uint8_t *in, uint8_t *out,
                                      const int dims[3]);

#endif
