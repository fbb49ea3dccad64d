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
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* §7.1: per-line extremes, then two comparisons per axis and voxel. */
static void VOX_FN(occlusion_once)(const uint8_t *restrict occ, const int dims[3], uint8_t *restrict state,
                                   int32_t *restrict scratch)
{
    const int nx = dims[0], ny = dims[1], nz = dims[2];
    int32_t *restrict minx = scratch, *restrict maxx = minx + (size_t)ny * nz;
    int32_t *restrict miny = maxx + (size_t)ny * nz, *restrict maxy = miny + (size_t)nx * nz;
    int32_t *restrict minz = maxy + (size_t)nx * nz, *restrict maxz = minz + (size_t)nx * ny;
    for (size_t t = 0; t < (size_t)ny * nz; t++) { minx[t] = INT32_MAX; maxx[t] = -1; }
    for (size_t t = 0; t < (size_t)nx * nz; t++) { miny[t] = INT32_MAX; maxy[t] = -1; }
    for (int i = 0; i < nx; i++) {
        for (int j = 0; j < ny; j++) {
            const uint8_t *restrict row = occ + ((size_t)i * ny + j) * nz;
            int32_t *restrict mnx = minx + (size_t)j * nz, *restrict mxx = maxx + (size_t)j * nz;
            int32_t *restrict mny = miny + (size_t)i * nz, *restrict mxy = maxy + (size_t)i * nz;
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
            minz[(size_t)i * ny + j] = zlo;
            maxz[(size_t)i * ny + j] = zhi;
        }
    }
    for (int i = 0; i < nx; i++) {
        for (int j = 0; j < ny; j++) {
            size_t f0 = ((size_t)i * ny + j) * nz;
            const uint8_t *restrict row = occ + f0;
            uint8_t *restrict out = state + f0;
            const int32_t *restrict mnx = minx + (size_t)j * nz, *restrict mxx = maxx + (size_t)j * nz;
            const int32_t *restrict mny = miny + (size_t)i * nz, *restrict mxy = maxy + (size_t)i * nz;
            const int32_t zlo = minz[(size_t)i * ny + j], zhi = maxz[(size_t)i * ny + j];
            for (int k = 0; k < nz; k++) {
                int32_t full = (int32_t)(mnx[k] < i && mxx[k] > i) + (int32_t)(mny[k] < j && mxy[k] > j) +
                               (int32_t)(zlo < k && zhi > k);
                uint8_t solvent = full >= 2 ? (uint8_t)VOX_V_BURIED : (uint8_t)VOX_V_EXPOSED;
                out[k] = row[k] ? (uint8_t)VOX_V_PROTEIN : solvent;
            }
        }
    }
}

static void VOX_FN(occlusion)(const uint8_t *occ, const int dims[3], uint8_t *state, int32_t *scratch)
{
#ifdef VOX_TEST_SLOW_KERNEL /* -Dbench_slow_kernel=true: a deliberate regression for the gate test */
    VOX_FN(occlusion_once)(occ, dims, state, scratch);
    VOX_FN(occlusion_once)(occ, dims, state, scratch);
#endif
    VOX_FN(occlusion_once)(occ, dims, state, scratch);
}

/* §7.2: exposed voxels with a buried face neighbour.  The new bits go to a
 * row buffer first, so the vectorised loop reads and writes distinct memory. */
static void VOX_FN(first_shell)(uint8_t *state, const int dims[3])
{
    const int nx = dims[0], ny = dims[1], nz = dims[2];
    const size_t sx = (size_t)ny * nz;
    uint8_t *buf = calloc((size_t)nz * 2 + 2, 1);
    if (!buf) { /* no buffer: the same rule voxel by voxel */
        size_t f = 0;
        for (int i = 0; i < nx; i++)
            for (int j = 0; j < ny; j++)
                for (int k = 0; k < nz; k++, f++)
                    if ((state[f] & VOX_V_EXPOSED) &&
                        ((i > 0 && (state[f - sx] & VOX_V_BURIED)) || (i < nx - 1 && (state[f + sx] & VOX_V_BURIED)) ||
                         (j > 0 && (state[f - nz] & VOX_V_BURIED)) || (j < ny - 1 && (state[f + nz] & VOX_V_BURIED)) ||
                         (k > 0 && (state[f - 1] & VOX_V_BURIED)) || (k < nz - 1 && (state[f + 1] & VOX_V_BURIED))))
                        state[f] |= VOX_V_FIRST_SHELL;
        return;
    }
    const uint8_t *zero = buf;      /* nz + 2 zero bytes: the missing neighbours outside the grid */
    uint8_t *add = buf + nz + 2;    /* the FIRST_SHELL bits of the current row */
    for (int i = 0; i < nx; i++) {
        for (int j = 0; j < ny; j++) {
            uint8_t *row = state + ((size_t)i * ny + j) * nz;
            const uint8_t *restrict up = j > 0 ? row - nz : zero, *restrict dn = j < ny - 1 ? row + nz : zero;
            const uint8_t *restrict fr = i > 0 ? row - sx : zero, *restrict bk = i < nx - 1 ? row + sx : zero;
            const uint8_t *restrict r = row;
            uint8_t *restrict a = add;
            for (int k = 0; k < nz; k++) {
                uint8_t prev = k > 0 ? r[k - 1] : 0, next = k < nz - 1 ? r[k + 1] : 0;
                uint8_t m = (uint8_t)(up[k] | dn[k] | fr[k] | bk[k] | prev | next);
                /* BURIED is bit 1, EXPOSED bit 2, FIRST_SHELL bit 3 */
                a[k] = (uint8_t)(((m & VOX_V_BURIED) << 2) & ((r[k] & VOX_V_EXPOSED) << 1));
            }
            for (int k = 0; k < nz; k++)
                row[k] |= add[k];
        }
    }
    free(buf);
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

/* The ISA's entry in the dispatch ladder (kernels left NULL come from the level below). */
void VOX_FN(vox_k_bin_points)(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                              const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, uint8_t *occ);

const vox_kernels VOX_FN(vox_kernels) = {
    .isa = VOX_ISA_NAME,
    .bin_points = VOX_FN(vox_k_bin_points),
    .occlusion = VOX_FN(occlusion),
    .first_shell = VOX_FN(first_shell),
    .label_components = NULL, /* the scalar BFS: see kernels.h */
    .moments = VOX_FN(moments),
};
