/* scalar/occlusion.c - reference kernels: line extremes, then exposed/buried solvent voxels
 *
 * A solvent voxel is buried when at least two axes are occluded in both
 * directions (ALGORITHM.md §7.1).  Per line we keep the lowest and highest
 * protein index, so each voxel's six "is there protein beyond me" flags are
 * two comparisons per axis: O(voxels) instead of O(voxels * line length).
 * Both kernels work on a range of x-planes so threads can share a grid.
 */
#include <limits.h>

#include "scalar.h"

void vox_k_line_extremes_scalar(const uint8_t *occ, const int dims[3], int i0, int i1,
                                const vox_line_extremes *e)
{
    const int ny = dims[1], nz = dims[2];
    for (int i = i0; i < i1; i++) {
        for (size_t t = (size_t)i * nz; t < (size_t)(i + 1) * nz; t++) { e->miny[t] = INT32_MAX; e->maxy[t] = -1; }
        for (size_t t = (size_t)i * ny; t < (size_t)(i + 1) * ny; t++) { e->minz[t] = INT32_MAX; e->maxz[t] = -1; }
        size_t f = (size_t)i * ny * nz;
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < nz; k++, f++) {
                if (!occ[f])
                    continue;
                size_t lx = (size_t)j * nz + k, ly = (size_t)i * nz + k, lz = (size_t)i * ny + j;
                if (i < e->minx[lx]) e->minx[lx] = i;
                if (i > e->maxx[lx]) e->maxx[lx] = i;
                if (j < e->miny[ly]) e->miny[ly] = j;
                if (j > e->maxy[ly]) e->maxy[ly] = j;
                if (k < e->minz[lz]) e->minz[lz] = k;
                if (k > e->maxz[lz]) e->maxz[lz] = k;
            }
    }
}

static void occlusion_once(const uint8_t *occ, const int dims[3], int i0, int i1, const vox_line_extremes *e,
                           uint8_t *state)
{
    const int ny = dims[1], nz = dims[2];
    size_t f = (size_t)i0 * ny * nz;
    for (int i = i0; i < i1; i++)
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < nz; k++, f++) {
                if (occ[f]) {
                    state[f] = VOX_V_PROTEIN;
                    continue;
                }
                size_t lx = (size_t)j * nz + k, ly = (size_t)i * nz + k, lz = (size_t)i * ny + j;
                int full = (e->minx[lx] < i && e->maxx[lx] > i) + (e->miny[ly] < j && e->maxy[ly] > j) +
                           (e->minz[lz] < k && e->maxz[lz] > k);
                state[f] = full >= 2 ? VOX_V_BURIED : VOX_V_EXPOSED;
            }
}

void vox_k_occlusion_scalar(const uint8_t *occ, const int dims[3], int i0, int i1, const vox_line_extremes *e,
                            uint8_t *state)
{
#ifdef VOX_TEST_SLOW_KERNEL /* -Dbench_slow_kernel=true: a deliberate regression for the gate test */
    occlusion_once(occ, dims, i0, i1, e, state);
    occlusion_once(occ, dims, i0, i1, e, state);
#endif
    occlusion_once(occ, dims, i0, i1, e, state);
}
