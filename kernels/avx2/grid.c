/* avx2/grid.c - the grid kernels (common/grid_tmpl.h) built with the avx2 flags, and the avx2 table */
#include "kernels.h"

#define VOX_FN(name) name##_avx2
#include "grid_tmpl.h"

void vox_k_bin_points_avx2(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                           const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, uint8_t *occ);

const vox_kernels vox_kernels_avx2 = {
    .isa = "avx2",
    .bin_points = vox_k_bin_points_avx2,
    .occlusion = occlusion_avx2,
    .first_shell = first_shell_avx2,
    .label_components = NULL, /* the scalar BFS: see kernels.h */
    .moments = moments_avx2,
};
