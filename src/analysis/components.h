/* components.h - connected components of the buried voxels on a team of threads (§8)
 *
 * Slabs of x-planes are labelled independently (the kernel's BFS), then the
 * slab-local components that touch across slab faces are joined with a
 * union-find whose root is always the smallest provisional number.  Because
 * slabs are contiguous ranges of flat indices and each slab numbers its
 * components by smallest flat index, provisional numbers are already in
 * smallest-flat-index order, so a component's final id - the rank of its
 * root - is the rank of its smallest flat index: the sequential scan's
 * numbering, whatever the slab count or thread count.
 */
#ifndef VOX_COMPONENTS_H
#define VOX_COMPONENTS_H

#include "grid_stages.h"

typedef struct vox_components {
    size_t n;       /* components */
    size_t buried;  /* buried voxels */
    size_t *start;  /* component c: voxels[start[c] .. start[c+1]) ascending (in starts) */
    uint32_t *voxels;
} vox_components;

/* Fills labels (component id or -1 per voxel) and comps; queue (total
 * uint32) is the BFS queue, then holds comps->voxels; work holds the join's
 * arrays and starts receives comps->start (both grow-only scratch, kept by
 * the caller between grids).  Returns 0 on allocation failure. */
VOX_HIDDEN int vox_stage_components(vox_team *team, const vox_stage_plan *plan, const uint8_t *state,
                                    const int dims[3], int32_t *labels, uint32_t *queue, vox_scratch *work,
                                    vox_scratch *starts, vox_components *comps);

#endif
