/* neon/grid.c - the grid kernels (common/grid_tmpl.h) built with the neon flags, and the neon table */
#include "kernels.h"

#define VOX_FN(name) name##_neon
#include "grid_tmpl.h"

void vox_k_bin_points_neon(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                           const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, uint8_t *occ);

const vox_kernels vox_kernels_neon = {
    .isa = "neon",
    .bin_points = vox_k_bin_points_neon,
    .occlusion = occlusion_neon,
    .first_shell = first_shell_neon,
    .label_components = NULL, /* the scalar BFS: see kernels.h */
    .moments = moments_neon,
};
