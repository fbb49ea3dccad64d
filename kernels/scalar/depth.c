/* scalar/depth.c - the depth searches, one voxel at a time: the reference (kernels.h)
 *
 * D of each wanted voxel comes from a search outwards along x over G, each
 * G computed the first time a search reads it, by a search outwards along
 * y over H: about as many steps as the voxel's depth.  The memo holds G of
 * the plane as pd2 columns of pd0 along x; marks has a bit per k whose
 * column was used, so only those are cleared for the next plane.
 */
#include <string.h>

#include "kernels.h"
#include "scalar.h"

/* min over r of r^2 + c[+-r * stride], searched outwards from r = 0.  A
 * term at distance r is at least r^2, so once r^2 reaches the lowest so
 * far nothing further can be lower: the search stops, after about as many
 * steps as the result's root.  It never leaves the padded line: the end
 * nearer to c is 0, which stops it one step later. */
static inline uint32_t nearest(const uint32_t *c, ptrdiff_t stride)
{
    uint32_t best = c[0], r2 = 1, step = 3;
    for (ptrdiff_t off = stride; r2 < best; off += stride) {
        const uint32_t lo = c[-off], hi = c[off];
        const uint32_t m = r2 + (lo < hi ? lo : hi);
        if (m < best) best = m;
        r2 += step;
        step += 2;
    }
    return best;
}

/* Keeps the rare path out of the search's loop, whose variables then stay
 * in registers. */
#if defined(__GNUC__)
#define DEPTH_NOINLINE __attribute__((noinline))
#else
#define DEPTH_NOINLINE
#endif

/* G r steps along x from the memo entry gc (H hc), computed and noted. */
static DEPTH_NOINLINE uint32_t plane_g(uint32_t *gc, const uint32_t *hc, ptrdiff_t r, size_t hx, size_t hy)
{
    return gc[r] = nearest(hc + r * (ptrdiff_t)hx, (ptrdiff_t)hy);
}

/* D of one voxel: the search of nearest() along x over G, each G computed
 * the first time a search reads it, by nearest() along y over H.  gc: the
 * voxel's G in the plane's memo (x stride 1); hc: its H (x stride hx, y
 * stride hy).  The voxels come in rising i, so the G below a voxel and its
 * own are mostly known already, while the G above are mostly new: computed
 * in the loop, sparing a call each. */
static inline uint32_t along_x(uint32_t *gc, const uint32_t *hc, size_t hx, size_t hy)
{
    uint32_t best = *gc, r2 = 1;
    if (best == VOX_DEPTH_UNKNOWN) best = plane_g(gc, hc, 0, hx, hy);
    for (ptrdiff_t r = 1; r2 < best; r++) {
        uint32_t lo = gc[-r], hi = gc[r];
        if (lo == VOX_DEPTH_UNKNOWN) lo = plane_g(gc, hc, -r, hx, hy);
        if (hi == VOX_DEPTH_UNKNOWN) hi = gc[r] = nearest(hc + r * (ptrdiff_t)hx, (ptrdiff_t)hy);
        const uint32_t m = r2 + (lo < hi ? lo : hi);
        if (m < best) best = m;
        r2 += 2 * (uint32_t)r + 1;
    }
    return best;
}

void vox_k_depth_plane_scalar(const vox_depth_grid *g, size_t j, uint32_t *memo, uint64_t *marks)
{
    const size_t d1 = (size_t)g->dims[1], d2 = (size_t)g->dims[2], words = (d2 + 63) / 64;
    const size_t pd0 = (size_t)g->dims[0] + 2, hy = d2 + 2, hx = (d1 + 2) * hy;
    for (size_t i = 0; i < (size_t)g->dims[0]; i++) {
        const size_t row = i * d1 + j;
        const uint32_t *hrow = g->h + (i + 1) * hx + (j + 1) * hy + 1;
        for (size_t w = 0; w < words; w++) {
            const size_t k0 = 64 * w;
            uint64_t m = g->want ? g->want[row * words + w] : ~(uint64_t)0 >> (d2 - k0 < 64 ? 64 - (d2 - k0) : 0);
            marks[w] |= m;
            for (; m; m &= m - 1) {
                const size_t k = k0 + (size_t)__builtin_ctzll(m);
                g->d2[row * d2 + k] = along_x(memo + (k + 1) * pd0 + i + 1, hrow + k, hx, hy);
            }
        }
    }
    for (size_t w = 0; w < words; w++) {
        for (uint64_t m = marks[w]; m; m &= m - 1)
            memset(memo + (64 * w + (size_t)__builtin_ctzll(m) + 1) * pd0, 0xff, pd0 * sizeof *memo);
        marks[w] = 0;
    }
}
