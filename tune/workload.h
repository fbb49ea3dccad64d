/* workload.h - the synthetic grids voxtune measures: one per size class
 *
 * A protein-like blob (atoms on a jittered lattice in a ball, with buried
 * voids and a tunnel, so every stage has real work: cavities, pockets,
 * pores) analysed at the resolution that gives the class's grid size.  The
 * inputs of every stage are made once, by the library's own stages.
 */
#ifndef VOX_TUNE_WORKLOAD_H
#define VOX_TUNE_WORKLOAD_H

#include "components.h"
#include "grid.h"
#include "grid_stages.h"

typedef struct vox_workload {
    vox_size_class cls;
    double resolution;
    vox_structure st;
    vox_shells sh;
    vox_grid_axis ax[3];
    vox_grid_axes g;
    int dims[3];
    size_t total;
    uint8_t *occ, *state, *shelled;  /* binning out, occlusion out, first shell out */
    int32_t *labels;
    uint32_t *queue;
    vox_scratch lines, partials, join, starts;
    vox_scratch grid[5];             /* what occ ... queue point into: allocated as the library does */
    uint32_t *group;                 /* the voxels of every component, for moments */
    size_t ngroup;
} vox_workload;

/* Builds the class's workload (side: voxels per grid axis, about). */
int vox_workload_build(vox_ctx *ctx, vox_size_class cls, int side, vox_workload *w);
void vox_workload_free(vox_workload *w);

#endif
