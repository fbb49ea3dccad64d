/* scalar/table.c - the scalar kernel table: the reference every ISA variant is tested against */
#include "kernels.h"
#include "scalar.h"

const vox_kernels vox_kernels_scalar = {
    .isa = "scalar",
    .bin_points = vox_k_bin_points_scalar,
    .line_extremes = vox_k_line_extremes_scalar,
    .occlusion = vox_k_occlusion_scalar,
    .first_shell = vox_k_first_shell_scalar,
    .label_components = vox_k_label_components_scalar,
    .moments = vox_k_moments_scalar,
    .depth_plane = vox_k_depth_plane_scalar,
    .depth_lanes = 1,
};
