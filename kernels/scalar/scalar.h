/* scalar/scalar.h - entry points of the scalar reference kernels */
#ifndef VOX_KERNELS_SCALAR_H
#define VOX_KERNELS_SCALAR_H

#include "kernels.h"

void vox_k_bin_points_scalar(const float *cx, const float *cy, const float *cz, size_t natoms,
                             const float *ox, const float *oy, const float *oz, size_t noff,
                             const vox_grid_axes *g, int i0, int i1, uint8_t *occ);
void vox_k_line_extremes_scalar(const uint8_t *occ, const int dims[3], int i0, int i1,
                                const vox_line_extremes *e);
void vox_k_occlusion_scalar(const uint8_t *occ, const int dims[3], int i0, int i1, const vox_line_extremes *e,
                            uint8_t *state);
void vox_k_first_shell_scalar(const uint8_t *in, uint8_t *out, const int dims[3], int i0, int i1);
size_t vox_k_label_components_scalar(const uint8_t *state, const int dims[3], int i0, int i1, int32_t *labels,
                                     uint32_t *queue);
void vox_k_moments_scalar(const float *const centres[3], const int dims[3], const uint32_t *voxels,
                          size_t n, double mean[3], double scatter[6]);
void vox_k_depth_plane_scalar(const vox_depth_grid *g, size_t j, uint32_t *memo, uint64_t *marks);

#endif
