/* common/grid_tmpl.h - grid kernels written once, compiled once per ISA
 *
 * Include after defining VOX_FN(name) (e.g. name##_avx2) and VOX_ISA_NAME;
 * it also defines the ISA's table, vox_kernels_<isa>.  Labelling is not
 * here: every ISA inherits the scalar BFS (kernels.h says why).  The loops are
 * branch-free along the contiguous z axis so the compiler vectorises them
 * with the including translation unit's ISA flags (-O3); they perform the
 * same integer operations, or the same floating-point operations in the
 * same order, as the scalar reference, so every ISA gives the same bits.
 * Only static functions here (STYLE.md §2: ISA code must not export
 * helpers the linker could pick for another ISA).
 */
#include <limits.h>

#include "kernels.h"

/* §7.1, first pass: per-line extremes of the planes [i0, i1). */
static void VOX_FN(line_extremes)(const uint8_t *restrict occ, const int dims[3], int i0, int i1,
                                  const vox_line_extremes *e)
{
    const int ny = dims[1], nz = dims[2];
    int32_t *restrict minx = e->minx, *restrict maxx = e->maxx, *restrict miny = e->miny, *restrict maxy = e->maxy;
    for (int i = i0; i < i1; i++) {
        int32_t *restrict mny = miny + (size_t)i * nz, *restrict mxy = maxy + (size_t)i * nz;
        for (int k = 0; k < nz; k++) { mny[k] = INT32_MAX; mxy[k] = -1; }
        for (int j = 0; j < ny; j++) {
            const uint8_t *restrict row = occ + ((size_t)i * ny + j) * nz;
            int32_t *restrict mnx = minx + (size_t)j * nz, *restrict mxx = maxx + (size_t)j * nz;
            for (int k = 0; k < nz; k++) {
                int32_t o = row[k] != 0;
                int32_t lo_i = o ? i : INT32_MAX, hi_i = o ? i : -1;
                int32_t lo_j = o ? j : INT32_MAX, hi_j = o ? j : -1;
                mnx[k] = mnx[k] < lo_i ? mnx[k] : lo_i;
                mxx[k] = mxx[k] > hi_i ? mxx[k] : hi_i;
                mny[k] = mny[k] < lo_j ? mny[k] : lo_j;
                mxy[k] = mxy[k] > hi_j ? mxy[k] : hi_j;
            }
            /* the z-line's extremes: first and last protein voxel of the row
             * (separate loops: an index reduction would stop the one above
             * from vectorising) */
            int32_t zlo = 0, zhi = nz - 1;
            while (zlo < nz && !row[zlo]) zlo++;
            while (zhi >= 0 && !row[zhi]) zhi--;
            if (zlo == nz) { zlo = INT32_MAX; zhi = -1; }
            e->minz[(size_t)i * ny + j] = zlo;
            e->maxz[(size_t)i * ny + j] = zhi;
        }
    }
}

/* §7.1, second pass: two comparisons per axis and voxel. */
static void VOX_FN(occlusion_once)(const uint8_t *restrict occ, const int dims[3], int i0, int i1,
                                   const vox_line_extremes *e, uint8_t *restrict state)
{
    const int ny = dims[1], nz = dims[2];
    for (int i = i0; i < i1; i++) {
        for (int j = 0; j < ny; j++) {
            size_t f0 = ((size_t)i * ny + j) * nz;
            const uint8_t *restrict row = occ + f0;
            uint8_t *restrict out = state + f0;
            const int32_t *restrict mnx = e->minx + (size_t)j * nz, *restrict mxx = e->maxx + (size_t)j * nz;
            const int32_t *restrict mny = e->miny + (size_t)i * nz, *restrict mxy = e->maxy + (size_t)i * nz;
            const int32_t zlo = e->minz[(size_t)i * ny + j], zhi = e->maxz[(size_t)i * ny + j];
            for (int k = 0; k < nz; k++) {
                int32_t full = (int32_t)(mnx[k] < i && mxx[k] > i) + (int32_t)(mny[k] < j && mxy[k] > j) +
                               (int32_t)(zlo < k && zhi > k);
                uint8_t solvent = full >= 2 ? (uint8_t)VOX_V_BURIED : (uint8_t)VOX_V_EXPOSED;
                out[k] = row[k] ? (uint8_t)VOX_V_PROTEIN : solvent;
            }
        }
    }
}

static void VOX_FN(occlusion)(const uint8_t *occ, const int dims[3], int i0, int i1, const vox_line_extremes *e,
                              uint8_t *state)
{
#ifdef VOX_TEST_SLOW_KERNEL /* -Dbench_slow_kernel=true: a deliberate regression for the gate test */
    VOX_FN(occlusion_once)(occ, dims, i0, i1, e, state);
    VOX_FN(occlusion_once)(occ, dims, i0, i1, e, state);
#endif
    VOX_FN(occlusion_once)(occ, dims, i0, i1, e, state);
}

/* One voxel's new state: FIRST_SHELL when it is EXPOSED and m, the OR of
 * its face neighbours, has BURIED.  BURIED is bit 1, EXPOSED bit 2,
 * FIRST_SHELL bit 3. */
static inline uint8_t VOX_FN(shell_bit)(uint8_t v, uint8_t m)
{
    return (uint8_t)(v | (((m & VOX_V_BURIED) << 2) & ((v & VOX_V_EXPOSED) << 1)));
}

/* §7.2: exposed voxels with a buried face neighbour.  A missing neighbour
 * outside the grid is replaced by the voxel itself: the voxel only gains
 * the bit when it is EXPOSED, and an EXPOSED voxel has no BURIED bit, so
 * the stand-in never adds one.  That keeps the inner loop branch-free. */
static void VOX_FN(first_shell)(const uint8_t *in, uint8_t *out, const int dims[3], int i0, int i1)
{
    const int nx = dims[0], ny = dims[1], nz = dims[2];
    const size_t sx = (size_t)ny * nz;
    for (int i = i0; i < i1; i++) {
        for (int j = 0; j < ny; j++) {
            size_t f0 = ((size_t)i * ny + j) * nz;
            const uint8_t *restrict r = in + f0;
            const uint8_t *restrict up = j > 0 ? r - nz : r, *restrict dn = j < ny - 1 ? r + nz : r;
            const uint8_t *restrict fr = i > 0 ? r - sx : r, *restrict bk = i < nx - 1 ? r + sx : r;
            uint8_t *restrict o = out + f0;
            if (nz == 1) {
                o[0] = VOX_FN(shell_bit)(r[0], (uint8_t)(up[0] | dn[0] | fr[0] | bk[0]));
                continue;
            }
            o[0] = VOX_FN(shell_bit)(r[0], (uint8_t)(up[0] | dn[0] | fr[0] | bk[0] | r[1]));
            for (int k = 1; k < nz - 1; k++)
                o[k] = VOX_FN(shell_bit)(r[k], (uint8_t)(up[k] | dn[k] | fr[k] | bk[k] | r[k - 1] | r[k + 1]));
            o[nz - 1] = VOX_FN(shell_bit)(r[nz - 1], (uint8_t)(up[nz - 1] | dn[nz - 1] | fr[nz - 1] | bk[nz - 1] | r[nz - 2]));
        }
    }
}

/* (i, j, k) of flat index f, updated from the previous voxel: groups list
 * their voxels in ascending order, mostly neighbours along z, so the
 * divisions are rarely needed. */
static inline void VOX_FN(coords)(size_t f, size_t *prev, size_t *i, size_t *j, size_t *k, size_t ny, size_t nz)
{
    size_t d = f - *prev;
    if (f >= *prev && d < nz - *k) {
        *k += d;
    } else {
        size_t rest = f % (ny * nz);
        *i = f / (ny * nz);
        *j = rest / nz;
        *k = rest % nz;
    }
    *prev = f;
}

/* Mean and scatter matrix with the scalar reference's per-term order:
 * GCC vector lanes hold (x, y, z) sums and the six products, each lane
 * adding its terms in voxel order exactly as the scalar code does. */
typedef double VOX_FN(v4d) __attribute__((vector_size(32)));

static void VOX_FN(moments)(const float *const centres[3], const int dims[3], const uint32_t *voxels, size_t n,
                            double mean[3], double scatter[6])
{
    const size_t ny = (size_t)dims[1], nz = (size_t)dims[2];
    const float *cx = centres[0], *cy = centres[1], *cz = centres[2];
    VOX_FN(v4d) s = {0, 0, 0, 0};
    size_t prev = 0, i = 0, j = 0, k = 0;
    for (size_t t = 0; t < n; t++) {
        VOX_FN(coords)(voxels[t], &prev, &i, &j, &k, ny, nz);
        VOX_FN(v4d) c = {cx[i], cy[j], cz[k], 0};
        s += c;
    }
    VOX_FN(v4d) m = {0, 0, 0, 0};
    if (n)
        m = s / (double)n;
    VOX_FN(v4d) acc1 = {0, 0, 0, 0}, acc2 = {0, 0, 0, 0};
    prev = 0, i = 0, j = 0, k = 0;
    for (size_t t = 0; t < n; t++) {
        VOX_FN(coords)(voxels[t], &prev, &i, &j, &k, ny, nz);
        VOX_FN(v4d) c = {cx[i], cy[j], cz[k], 0};
        VOX_FN(v4d) d = c - m;
        VOX_FN(v4d) a1 = {d[0], d[0], d[0], d[1]}, b1 = {d[0], d[1], d[2], d[1]};
        VOX_FN(v4d) a2 = {d[1], d[2], 0, 0}, b2 = {d[2], d[2], 0, 0};
        acc1 += a1 * b1;
        acc2 += a2 * b2;
    }
    mean[0] = m[0]; mean[1] = m[1]; mean[2] = m[2];
    scatter[0] = acc1[0]; scatter[1] = acc1[1]; scatter[2] = acc1[2];
    scatter[3] = acc1[3]; scatter[4] = acc2[0]; scatter[5] = acc2[1];
}

#include "depth_tmpl.h"

/* The ISA's entry in the dispatch ladder (kernels left NULL come from the level below). */
void VOX_FN(vox_k_bin_points)(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                              const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, int i0, int i1,
                              uint8_t *occ);

const vox_kernels VOX_FN(vox_kernels) = {
    .isa = VOX_ISA_NAME,
    .bin_points = VOX_FN(vox_k_bin_points),
    .line_extremes = VOX_FN(line_extremes),
    .occlusion = VOX_FN(occlusion),
    .first_shell = VOX_FN(first_shell),
    .label_components = NULL, /* the scalar BFS: see kernels.h */
    .moments = VOX_FN(moments),
    .depth_plane = VOX_FN(depth_plane),
    .depth_lanes = 8,
};
