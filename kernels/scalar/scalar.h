/* scalar/scalar.h - entry points of the scalar reference kernels */
#ifndef VOX_KERNELS_SCALAR_H
#define VOX_KERNELS_SCALAR_H

#include "kernels.h"

void vox_k_bin_points_scalar(const float *cx, const float *cy, const float *cz, size_t natoms,
                             const float *ox, const float *oy, const float *oz, size_t noff,
                             const vox_grid_axes *g, uint8_t *occ);
void vox_k_occlusion_scalar(const uint8_t *occ, const int dims[3], uint8_t *state, int32_t *scratch);
void vox_k_first_shell_scalar(uint8_t *state, const int dims[3]);
size_t vox_k_label_components_scalar(const uint8_t *state, const int dims[3], int32_t *labels,
                                     uint32_t *queue);
void vox_k_moments_scalar(const float *const centres[3], const int dims[3], const uint32_t *voxels,
                          size_t n, double mean[3], double scatter[6]);

#endif
