/* scalar/components.c - reference kernel: face-connected components of buried voxels in a slab
 *
 * Scan order fixes the numbering: volumizer's native kernel starts a new
 * component at every unassigned buried voxel in ascending flat index, so a
 * component's number is the rank of its smallest flat index (§8).  That
 * number breaks ties between equal volumes later, so it is part of the
 * result, not an implementation detail.  A slab of x-planes is a contiguous
 * range of flat indices, so slab-local numbers in scan order keep that rank
 * order across slabs too (src/components.c relies on it).
 */
#include "scalar.h"

size_t vox_k_label_components_scalar(const uint8_t *state, const int dims[3], int i0, int i1, int32_t *labels,
                                     uint32_t *queue)
{
    const int ny = dims[1], nz = dims[2];
    const size_t sx = (size_t)ny * nz, sy = (size_t)nz;
    const size_t begin = (size_t)i0 * sx, end = (size_t)i1 * sx;
    for (size_t f = begin; f < end; f++)
        labels[f] = -1;

    int32_t next = 0;
    for (size_t seed = begin; seed < end; seed++) {
        if (!(state[seed] & VOX_V_BURIED) || labels[seed] >= 0)
            continue;
        size_t head = 0, tail = 0;
        labels[seed] = next;
        queue[tail++] = (uint32_t)seed;
        while (head < tail) {
            size_t f = queue[head++];
            int i = (int)(f / sx), j = (int)((f / sy) % (size_t)ny), k = (int)(f % (size_t)nz);
            size_t nb[6];
            int m = 0;
            if (i > i0) nb[m++] = f - sx;
            if (i < i1 - 1) nb[m++] = f + sx;
            if (j > 0) nb[m++] = f - sy;
            if (j < ny - 1) nb[m++] = f + sy;
            if (k > 0) nb[m++] = f - 1;
            if (k < nz - 1) nb[m++] = f + 1;
            for (int t = 0; t < m; t++) {
                size_t w = nb[t];
                if ((state[w] & VOX_V_BURIED) && labels[w] < 0) {
                    labels[w] = next;
                    queue[tail++] = (uint32_t)w;
                }
            }
        }
        queue[end - begin - 1 - (size_t)next] = (uint32_t)tail; /* the component's size, from the end */
        next++;
    }
    return (size_t)next;
}
