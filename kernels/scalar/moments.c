/* scalar/moments.c - reference kernel: mean and scatter matrix of a group's voxel centres
 *
 * Sums run sequentially in the given voxel order, as numpy's column mean of
 * a C-ordered (n, 3) array and reference-BLAS X^T X do (§11); vector variants
 * must keep that order to stay bit-identical.
 */
#include "kernels.h"

void vox_k_moments_scalar(const float *const centres[3], const int dims[3], const uint32_t *voxels,
                          size_t n, double mean[3], double scatter[6])
{
    const size_t sx = (size_t)dims[1] * dims[2], sy = (size_t)dims[2];
    double s[3] = {0.0, 0.0, 0.0};
    for (size_t t = 0; t < n; t++) {
        size_t f = voxels[t];
        s[0] += (double)centres[0][f / sx];
        s[1] += (double)centres[1][(f / sy) % (size_t)dims[1]];
        s[2] += (double)centres[2][f % sy];
    }
    for (int a = 0; a < 3; a++)
        mean[a] = n ? s[a] / (double)n : 0.0;
    double xx = 0, xy = 0, xz = 0, yy = 0, yz = 0, zz = 0;
    for (size_t t = 0; t < n; t++) {
        size_t f = voxels[t];
        double x = (double)centres[0][f / sx] - mean[0];
        double y = (double)centres[1][(f / sy) % (size_t)dims[1]] - mean[1];
        double z = (double)centres[2][f % sy] - mean[2];
        xx += x * x; xy += x * y; xz += x * z;
        yy += y * y; yz += y * z; zz += z * z;
    }
    scatter[0] = xx; scatter[1] = xy; scatter[2] = xz;
    scatter[3] = yy; scatter[4] = yz; scatter[5] = zz;
}
