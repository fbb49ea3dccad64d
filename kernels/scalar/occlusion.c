/* scalar/occlusion.c - reference kernel: exposed/buried classification of solvent voxels
 *
 * A solvent voxel is buried when at least two axes are occluded in both
 * directions (ALGORITHM.md §7.1).  Per line we keep the lowest and highest
 * protein index, so each voxel's six "is there protein beyond me" flags are
 * two comparisons per axis: O(voxels) instead of O(voxels * line length).
 */
#include <limits.h>

#include "kernels.h"

static void occlusion_once(const uint8_t *occ, const int dims[3], uint8_t *state, int32_t *scratch)
{
    const int nx = dims[0], ny = dims[1], nz = dims[2];
    int32_t *minx = scratch, *maxx = minx + (size_t)ny * nz;
    int32_t *miny = maxx + (size_t)ny * nz, *maxy = miny + (size_t)nx * nz;
    int32_t *minz = maxy + (size_t)nx * nz, *maxz = minz + (size_t)nx * ny;

    for (size_t t = 0; t < (size_t)ny * nz; t++) { minx[t] = INT32_MAX; maxx[t] = -1; }
    for (size_t t = 0; t < (size_t)nx * nz; t++) { miny[t] = INT32_MAX; maxy[t] = -1; }
    for (size_t t = 0; t < (size_t)nx * ny; t++) { minz[t] = INT32_MAX; maxz[t] = -1; }

    size_t f = 0;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < nz; k++, f++) {
                if (!occ[f])
                    continue;
                size_t lx = (size_t)j * nz + k, ly = (size_t)i * nz + k, lz = (size_t)i * ny + j;
                if (i < minx[lx]) minx[lx] = i;
                if (i > maxx[lx]) maxx[lx] = i;
                if (j < miny[ly]) miny[ly] = j;
                if (j > maxy[ly]) maxy[ly] = j;
                if (k < minz[lz]) minz[lz] = k;
                if (k > maxz[lz]) maxz[lz] = k;
            }

    f = 0;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < nz; k++, f++) {
                if (occ[f]) {
                    state[f] = VOX_V_PROTEIN;
                    continue;
                }
                size_t lx = (size_t)j * nz + k, ly = (size_t)i * nz + k, lz = (size_t)i * ny + j;
                int full = (minx[lx] < i && maxx[lx] > i) + (miny[ly] < j && maxy[ly] > j) +
                           (minz[lz] < k && maxz[lz] > k);
                state[f] = full >= 2 ? VOX_V_BURIED : VOX_V_EXPOSED;
            }
}

void vox_k_occlusion_scalar(const uint8_t *occ, const int dims[3], uint8_t *state, int32_t *scratch)
{
#ifdef VOX_TEST_SLOW_KERNEL /* -Dbench_slow_kernel=true: a deliberate regression for the gate test */
    occlusion_once(occ, dims, state, scratch);
    occlusion_once(occ, dims, state, scratch);
#endif
    occlusion_once(occ, dims, state, scratch);
}
