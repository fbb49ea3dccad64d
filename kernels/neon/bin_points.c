/* neon/bin_points.c - shell points into the occupancy grid, 4 atoms at a time (AArch64 NEON)
 *
 * The f32 sums, the widening, the first guess and the corrections run in
 * vector lanes; the edges are recomputed as (k * step) + lo, the operations
 * that built the edge table (NEON has no gather), so every lane follows the
 * scalar rule of common/bin_point.h bit for bit.
 */
#include <arm_neon.h>

#include "bin_point.h"

static inline uint64x2_t not_u64(uint64x2_t m) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(m))); }

/* e[k] for 2 lanes: (k * step) + lo, and hi for k == n */
static inline float64x2_t edge2(int64x2_t k, float64x2_t step, float64x2_t lo, float64x2_t hi, int64x2_t nvec)
{
    float64x2_t e = vaddq_f64(vmulq_f64(vcvtq_f64_s64(k), step), lo);
    return vbslq_f64(vceqq_s64(k, nvec), hi, e);
}

static inline int64x2_t bin2(float64x2_t v, const vox_grid_axes *g, int a)
{
    const int n = g->n[a];
    float64x2_t t = vmulq_f64(vsubq_f64(v, vdupq_n_f64(g->lo[a])), vdupq_n_f64(g->inv_step[a]));
    t = vminq_f64(vmaxq_f64(t, vdupq_n_f64(0.0)), vdupq_n_f64((double)(n - 1)));
    int64x2_t k = vcvtq_s64_f64(t); /* truncation toward zero, as (int)t */
    const float64x2_t step = vdupq_n_f64(g->step[a]), lo = vdupq_n_f64(g->lo[a]), hi = vdupq_n_f64(g->hi[a]);
    const int64x2_t nvec = vdupq_n_s64(n), zero = vdupq_n_s64(0), top = vdupq_n_s64(n - 1), one = vdupq_n_s64(1);
    for (;;) { /* down while e[k] >= v */
        uint64x2_t ge = not_u64(vcltq_f64(edge2(k, step, lo, hi, nvec), v));
        uint64x2_t dec = vandq_u64(ge, vcgtq_s64(k, zero));
        if (!(vgetq_lane_u64(dec, 0) | vgetq_lane_u64(dec, 1)))
            break;
        k = vaddq_s64(k, vreinterpretq_s64_u64(dec)); /* dec lanes are -1 */
    }
    for (;;) { /* up while e[k + 1] < v */
        uint64x2_t lt = vcltq_f64(edge2(vaddq_s64(k, one), step, lo, hi, nvec), v);
        uint64x2_t inc = vandq_u64(lt, vcgtq_s64(top, k));
        if (!(vgetq_lane_u64(inc, 0) | vgetq_lane_u64(inc, 1)))
            break;
        k = vsubq_s64(k, vreinterpretq_s64_u64(inc));
    }
    return k;
}

static inline void bin4(float32x4_t x, const vox_grid_axes *g, int a, int32_t out[4])
{
    int64x2_t lo = bin2(vcvt_f64_f32(vget_low_f32(x)), g, a), hi = bin2(vcvt_high_f64_f32(x), g, a);
    vst1q_s32(out, vcombine_s32(vmovn_s64(lo), vmovn_s64(hi)));
}

static inline void bin_lanes_neon(const float *cx, const float *cy, const float *cz, float ox, float oy, float oz,
                                  const vox_grid_axes *g, int32_t *i, int32_t *j, int32_t *k)
{
    bin4(vaddq_f32(vld1q_f32(cx), vdupq_n_f32(ox)), g, 0, i);
    bin4(vaddq_f32(vld1q_f32(cy), vdupq_n_f32(oy)), g, 1, j);
    bin4(vaddq_f32(vld1q_f32(cz), vdupq_n_f32(oz)), g, 2, k);
}

#define VOX_FN(name) name##_neon
#define VOX_LANES 4
#include "bin_driver_tmpl.h"
