/* common/bin_driver_tmpl.h - the point-binning loop shared by the vector ISAs
 *
 * Include after defining VOX_FN(name), VOX_LANES and a static inline
 *   VOX_FN(bin_lanes)(cx, cy, cz, ox, oy, oz, g, i, j, k)
 * that bins VOX_LANES points fl32(c + o) (c from the three arrays, o one
 * offset) into voxel indices i[], j[], k[].  The stores stay scalar (no
 * byte scatter) and skip points outside the planes [i0, i1) the caller
 * owns; the last atoms go through the shared scalar rule.
 */
#include "bin_point.h"

void VOX_FN(vox_k_bin_points)(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                              const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, int i0, int i1,
                              uint8_t *occ)
{
    const size_t ny = (size_t)g->n[1], nz = (size_t)g->n[2];
    const uint32_t span = i1 > i0 ? (uint32_t)(i1 - i0) : 0;
    for (size_t o = 0; o < noff; o++) {
        size_t a = 0;
        for (; a + VOX_LANES <= natoms; a += VOX_LANES) {
            int32_t i[VOX_LANES], j[VOX_LANES], k[VOX_LANES];
            VOX_FN(bin_lanes)(cx + a, cy + a, cz + a, ox[o], oy[o], oz[o], g, i, j, k);
            for (int l = 0; l < VOX_LANES; l++)
                if ((uint32_t)(i[l] - i0) < span) /* this tile's planes only */
                    occ[((size_t)i[l] * ny + (size_t)j[l]) * nz + (size_t)k[l]] = 1;
        }
        for (; a < natoms; a++)
            vox_bin_one(cx[a] + ox[o], cy[a] + oy[o], cz[a] + oz[o], g, i0, i1, occ);
    }
}
