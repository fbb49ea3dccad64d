/* avx512/grid.c - the grid kernels (common/grid_tmpl.h) built with the avx512 flags, and the avx512 table */
#include "kernels.h"

#define VOX_FN(name) name##_avx512
#include "grid_tmpl.h"

void vox_k_bin_points_avx512(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                           const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, uint8_t *occ);

const vox_kernels vox_kernels_avx512 = {
    .isa = "avx512",
    .bin_points = vox_k_bin_points_avx512,
    .occlusion = occlusion_avx512,
    .first_shell = first_shell_avx512,
    .label_components = NULL, /* the scalar BFS: see kernels.h */
    .moments = moments_avx512,
};
