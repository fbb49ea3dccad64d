/* avx512/bin_points.c - shell points into the occupancy grid, 16 atoms at a time (AVX-512 F/DQ/VL)
 *
 * As the AVX2 kernel (edges recomputed in the lanes, no gathers), with
 * 2 x 8 double lanes, mask registers for the correction steps, and the tail
 * of fewer than 16 atoms through the shared scalar rule.
 */
#include <immintrin.h>

#include "bin_point.h"

/* e[k] for 8 lanes: (k * step) + lo, and hi for k == n */
static inline __m512d edge8(__m256i k, __m512d step, __m512d lo, __m512d hi, __m256i nvec)
{
    __m512d e = _mm512_add_pd(_mm512_mul_pd(_mm512_cvtepi32_pd(k), step), lo);
    return _mm512_mask_mov_pd(e, _mm256_cmpeq_epi32_mask(k, nvec), hi);
}

static inline __m256i bin8(__m512d v, int n, double lo, double hi, double step, double inv)
{
    __m512d t = _mm512_mul_pd(_mm512_sub_pd(v, _mm512_set1_pd(lo)), _mm512_set1_pd(inv));
    t = _mm512_min_pd(_mm512_max_pd(t, _mm512_setzero_pd()), _mm512_set1_pd((double)(n - 1)));
    __m256i k = _mm512_cvttpd_epi32(t);
    const __m256i z32 = _mm256_setzero_si256(), one = _mm256_set1_epi32(1), top = _mm256_set1_epi32(n - 1);
    const __m256i nvec = _mm256_set1_epi32(n);
    const __m512d vstep = _mm512_set1_pd(step), vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi);
    for (;;) { /* down while e[k] >= v */
        __mmask8 m = _mm512_cmp_pd_mask(edge8(k, vstep, vlo, vhi, nvec), v, _CMP_NLT_UQ) &
                     _mm256_cmpgt_epi32_mask(k, z32);
        if (!m)
            break;
        k = _mm256_mask_sub_epi32(k, m, k, one);
    }
    for (;;) { /* up while e[k + 1] < v */
        __mmask8 m = _mm512_cmp_pd_mask(edge8(_mm256_add_epi32(k, one), vstep, vlo, vhi, nvec), v, _CMP_LT_OQ) &
                     _mm256_cmpgt_epi32_mask(top, k);
        if (!m)
            break;
        k = _mm256_mask_add_epi32(k, m, k, one);
    }
    return k;
}

static inline __m512i bin16(__m512 x, const vox_grid_axes *g, int a)
{
    __m256i lo = bin8(_mm512_cvtps_pd(_mm512_castps512_ps256(x)), g->n[a], g->lo[a], g->hi[a], g->step[a], g->inv_step[a]);
    __m256i hi = bin8(_mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1)), g->n[a], g->lo[a], g->hi[a], g->step[a], g->inv_step[a]);
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static inline void bin_lanes_avx512(const float *cx, const float *cy, const float *cz, float ox, float oy, float oz,
                                    const vox_grid_axes *g, int32_t *i, int32_t *j, int32_t *k)
{
    _mm512_storeu_si512(i, bin16(_mm512_add_ps(_mm512_loadu_ps(cx), _mm512_set1_ps(ox)), g, 0));
    _mm512_storeu_si512(j, bin16(_mm512_add_ps(_mm512_loadu_ps(cy), _mm512_set1_ps(oy)), g, 1));
    _mm512_storeu_si512(k, bin16(_mm512_add_ps(_mm512_loadu_ps(cz), _mm512_set1_ps(oz)), g, 2));
}

#define VOX_FN(name) name##_avx512
#define VOX_LANES 16
#include "bin_driver_tmpl.h"
