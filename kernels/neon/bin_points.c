/* neon/bin_points.c - shell points into the occupancy grid, 4 atoms at a time (AArch64 NEON)
 *
 * The f32 sums, the widening and the first guess run in vector lanes; NEON
 * has no gather, so each lane's correction against the edges uses the
 * shared scalar rule (common/bin_point.h), which gives identical bits.
 */
#include <arm_neon.h>

#include "bin_point.h"

static inline void guess2(float64x2_t v, double lo, double inv, int n, int64_t out[2])
{
    float64x2_t t = vmulq_f64(vsubq_f64(v, vdupq_n_f64(lo)), vdupq_n_f64(inv));
    t = vminq_f64(vmaxq_f64(t, vdupq_n_f64(0.0)), vdupq_n_f64((double)(n - 1)));
    vst1q_s64(out, vcvtq_s64_f64(t)); /* truncation toward zero, as (int)t */
}

static inline void bin4(float32x4_t x, const vox_grid_axes *g, int a, int32_t out[4])
{
    float64x2_t lo = vcvt_f64_f32(vget_low_f32(x)), hi = vcvt_high_f64_f32(x);
    int64_t k[4];
    guess2(lo, g->lo[a], g->inv_step[a], g->n[a], k);
    guess2(hi, g->lo[a], g->inv_step[a], g->n[a], k + 2);
    double v[4];
    vst1q_f64(v, lo);
    vst1q_f64(v + 2, hi);
    for (int l = 0; l < 4; l++)
        out[l] = vox_bin_correct(v[l], g->edges[a], g->n[a], (int)k[l]);
}

void vox_k_bin_points_neon(const float *cx, const float *cy, const float *cz, size_t natoms, const float *ox,
                           const float *oy, const float *oz, size_t noff, const vox_grid_axes *g, uint8_t *occ)
{
    const size_t ny = (size_t)g->n[1], nz = (size_t)g->n[2];
    for (size_t o = 0; o < noff; o++) {
        const float32x4_t vx = vdupq_n_f32(ox[o]), vy = vdupq_n_f32(oy[o]), vz = vdupq_n_f32(oz[o]);
        size_t a = 0;
        for (; a + 4 <= natoms; a += 4) {
            int32_t i[4], j[4], k[4];
            bin4(vaddq_f32(vld1q_f32(cx + a), vx), g, 0, i);
            bin4(vaddq_f32(vld1q_f32(cy + a), vy), g, 1, j);
            bin4(vaddq_f32(vld1q_f32(cz + a), vz), g, 2, k);
            for (int l = 0; l < 4; l++)
                occ[((size_t)i[l] * ny + (size_t)j[l]) * nz + (size_t)k[l]] = 1;
        }
        for (; a < natoms; a++)
            vox_bin_one(cx[a] + ox[o], cy[a] + oy[o], cz[a] + oz[o], g, occ);
    }
}
