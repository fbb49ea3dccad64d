/* scalar/bin_points.c - reference kernel: shell points into the occupancy grid
 *
 * A point goes to voxel idx = (number of edges e[k] < v) - 1, clamped to
 * [0, n-1]: numpy searchsorted(side="left") as pyntcloud uses it, so a point
 * exactly on an interior edge belongs to the lower voxel (ALGORITHM.md §6.3).
 * The first guess floor((v - lo) / step) is corrected against the real f64
 * edges, which makes the result exact whatever the guess's rounding.
 */
#include "kernels.h"

static inline int bin_axis(float vf, const double *e, int n, double lo, double inv_step)
{
    double v = (double)vf;
    double t = (v - lo) * inv_step;
    int k = t <= 0.0 ? 0 : (t >= (double)(n - 1) ? n - 1 : (int)t);
    while (k > 0 && !(e[k] < v))
        k--;
    while (k < n - 1 && e[k + 1] < v)
        k++;
    return k;
}

void vox_k_bin_points_scalar(const float *cx, const float *cy, const float *cz, size_t natoms,
                             const float *ox, const float *oy, const float *oz, size_t noff,
                             const vox_grid_axes *g, uint8_t *occ)
{
    const size_t syz = (size_t)g->n[1] * (size_t)g->n[2];
    const size_t sz = (size_t)g->n[2];
    for (size_t a = 0; a < natoms; a++) {
        for (size_t o = 0; o < noff; o++) {
            /* fl32(c + o): the point exactly as volumizer's f32 cloud holds it */
            float x = cx[a] + ox[o];
            float y = cy[a] + oy[o];
            float z = cz[a] + oz[o];
            int i = bin_axis(x, g->edges[0], g->n[0], g->lo[0], g->inv_step[0]);
            int j = bin_axis(y, g->edges[1], g->n[1], g->lo[1], g->inv_step[1]);
            int k = bin_axis(z, g->edges[2], g->n[2], g->lo[2], g->inv_step[2]);
            occ[(size_t)i * syz + (size_t)j * sz + (size_t)k] = 1;
        }
    }
}
