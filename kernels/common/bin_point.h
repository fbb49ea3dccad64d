/* common/bin_point.h - the exact point-to-voxel rule, shared by every kernel variant
 *
 * idx = (number of edges e[k] < v) - 1, clamped to [0, n-1]: numpy's
 * searchsorted(side="left") as pyntcloud uses it, so a point exactly on an
 * interior edge belongs to the lower voxel (ALGORITHM.md §6.3).  The guess
 * floor((v - lo) / step) is corrected against the real f64 edges, which
 * makes the result exact whatever the guess's rounding.  Vector variants
 * compute the same guess and the same corrections lane by lane.
 */
#ifndef VOX_KERNELS_BIN_POINT_H
#define VOX_KERNELS_BIN_POINT_H

#include "kernels.h"

/* The first guess, clamped to [0, n-1]. */
static inline int vox_bin_guess(double v, int n, double lo, double inv_step)
{
    double t = (v - lo) * inv_step;
    return t <= 0.0 ? 0 : (t >= (double)(n - 1) ? n - 1 : (int)t);
}

/* Moves a guess k to the exact voxel of v. */
static inline int vox_bin_correct(double v, const double *e, int n, int k)
{
    while (k > 0 && !(e[k] < v))
        k--;
    while (k < n - 1 && e[k + 1] < v)
        k++;
    return k;
}

static inline int vox_bin_axis(float vf, const double *e, int n, double lo, double inv_step)
{
    double v = (double)vf;
    return vox_bin_correct(v, e, n, vox_bin_guess(v, n, lo, inv_step));
}

/* Bins one point fl32(c + o) (c, o as given) into occ when its x-plane i
 * lies in the caller's [i0, i1). */
static inline void vox_bin_one(float x, float y, float z, const vox_grid_axes *g, int i0, int i1, uint8_t *occ)
{
    int i = vox_bin_axis(x, g->edges[0], g->n[0], g->lo[0], g->inv_step[0]);
    if (i < i0 || i >= i1)
        return;
    int j = vox_bin_axis(y, g->edges[1], g->n[1], g->lo[1], g->inv_step[1]);
    int k = vox_bin_axis(z, g->edges[2], g->n[2], g->lo[2], g->inv_step[2]);
    occ[((size_t)i * (size_t)g->n[1] + (size_t)j) * (size_t)g->n[2] + (size_t)k] = 1;
}

#endif
