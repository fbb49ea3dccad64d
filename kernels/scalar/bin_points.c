/* scalar/bin_points.c - reference kernel: shell points into the occupancy grid */
#include "bin_point.h"
#include "scalar.h"

void vox_k_bin_points_scalar(const float *cx, const float *cy, const float *cz, size_t natoms,
                             const float *ox, const float *oy, const float *oz, size_t noff,
                             const vox_grid_axes *g, int i0, int i1, uint8_t *occ)
{
    for (size_t a = 0; a < natoms; a++)
        for (size_t o = 0; o < noff; o++)
            /* fl32(c + o): the point exactly as volumizer's f32 cloud holds it */
            vox_bin_one(cx[a] + ox[o], cy[a] + oy[o], cz[a] + oz[o], g, i0, i1, occ);
}
